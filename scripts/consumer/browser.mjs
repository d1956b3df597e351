// Opens the consumer page's production build (served by `vite preview` at the URL in argv[2]) in
// Debian's Chromium through playwright-core, and fails unless the worker trained one epoch.
import { createRequire } from 'node:module';

// playwright-core from the workspace (the demo's dev dependency): the consumer folder needs no browser driver.
const require = createRequire(new URL('../../packages/demo/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const url = process.argv[2];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 90_000 });
  const result = await page.evaluate(() => window.result);
  console.log('browser:', JSON.stringify(result));
  if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
  if (!result.ok) throw new Error(`the page failed: ${result.message}`);
  if (result.epochsDone !== 1 || !(result.accuracy > 0.3)) throw new Error(`one epoch, accuracy > 0.3 expected: ${JSON.stringify(result)}`);
  if (result.mainThreadSum !== 6) throw new Error(`the main thread's tensor([1, 2, 3]).sum() gave ${result.mainThreadSum}`);
} finally {
  await browser.close();
}
