// The page's usability fixes in headless Chromium: Resume with the form's current settings (or disabled
// with the reason), every field checked with its own label, the worker's messages without internal
// names, a corrupt .gz leaving the earlier data in use, keyboard and screen-reader access, time per
// epoch and examples/s, and a phone-sized viewport without sideways scrolling. Runs are short: one or
// two epochs of softmax regression.

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILES, searchDirs } from '../fashion-mnist-plugin.js';
import {
  clickAndWaitForStatus, launchChromium, openDemo, seriousAxeViolations, serveDev, setSettings, stopWhenTraining, waitForStatus, withTempDir, workerConfig,
  type DemoServer,
} from './demo-page.js';

let browser: Browser;
let server: DemoServer;

beforeAll(async () => {
  browser = await launchChromium();
  server = await serveDev();
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
});

const errorText = async (page: Page): Promise<string> => ((await page.isVisible('#error')) ? (await page.textContent('#error')) ?? '' : '');

/**
 * Softmax regression's weights as safetensors bytes (PyTorch's keys 1.weight [10, 784], 1.bias [10]):
 * class k's weights all k·w, biases 0, so that the logits differ by multiples of w · Σ pixels.
 */
function softmaxSafetensors(w: number): Uint8Array {
  const weights = 10 * 784 * 4;
  let json = JSON.stringify({
    '1.weight': { dtype: 'F32', shape: [10, 784], data_offsets: [0, weights] },
    '1.bias': { dtype: 'F32', shape: [10], data_offsets: [weights, weights + 40] },
  });
  json += ' '.repeat((4 - (json.length % 4)) % 4); // the data 4-byte aligned (8 + header)
  const header = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + header.length + weights + 40);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  const data = new Float32Array(out.buffer, 8 + header.length, 10 * 784);
  for (let k = 0; k < 10; k++) data.fill(k * w, k * 784, (k + 1) * 784);
  return out;
}

/** Clicks Train with invalid settings and returns the message shown. */
async function refused(page: Page): Promise<string> {
  expect(await clickAndWaitForStatus(page, '#train', ['error'])).toBe('error');
  return errorText(page);
}

describe('the demo page: usability', () => {
  it('checks every field with its own label and range; a greyed-out field is not checked', async () => {
    const { page, log } = await openDemo(browser, server.url);
    await setSettings(page, { epochs: 0 });
    expect(await refused(page)).toBe('Epochs must be an integer from 1 to 200, got 0');
    await setSettings(page, { epochs: 1e9 });
    expect(await refused(page)).toBe('Epochs must be an integer from 1 to 200, got 1000000000');
    await page.fill('#epochs', '2.5');
    expect(await refused(page)).toBe('Epochs must be an integer from 1 to 200, got 2.5');
    await setSettings(page, { epochs: 1, lr: 0 });
    expect(await refused(page)).toBe('Learning rate must be a number greater than 0 and at most 10, got 0');
    await setSettings(page, { lr: 0.1, dropout: 0.99 });
    expect(await refused(page)).toBe('Dropout must be a number from 0 to 0.95, got 0.99');
    await setSettings(page, { dropout: 0, weightDecay: -1 });
    expect(await refused(page)).toBe('Weight decay (L2) must be a number from 0 to 1, got -1');
    await setSettings(page, { weightDecay: 0, workers: 17 });
    expect(await refused(page)).toBe('Workers must be an integer from 1 to 16, got 17');
    await setSettings(page, { workers: 1, seed: -1 });
    expect(await refused(page)).toBe('Seed must be an integer from 0 to 2147483647, got -1');
    await page.fill('#seed', '');
    expect(await refused(page)).toBe('Seed must be an integer from 0 to 2147483647, got an empty field');
    // The inputs carry the same ranges for the browser's own spinners.
    expect(await page.getAttribute('#epochs', 'max')).toBe('200');

    // Hidden units, greyed out for softmax regression and left at 0, does not block training.
    await setSettings(page, { model: 'mlp', seed: 0 });
    await page.fill('#hidden', '0');
    expect(await refused(page)).toBe('Hidden units must be an integer from 1 to 4096, got 0');
    await setSettings(page, { model: 'softmax', epochs: 1 });
    expect(await page.isDisabled('#hidden')).toBe(true);
    expect(await clickAndWaitForStatus(page, '#train', ['done', 'error'])).toBe('done');

    // Time per epoch and examples/s are shown; so is the screen-reader announcement and the charts' text.
    expect(await page.textContent('#stat-seconds')).toMatch(/^[\d.]+ s$/);
    expect(Number(await page.getAttribute('#stat-speed', 'data-value'))).toBeGreaterThan(1000);
    expect(await page.textContent('#announce')).toMatch(/^Done: 1 epoch, test accuracy 0\.\d{4}\.$/);
    expect(await page.getAttribute('#announce', 'aria-live')).toBe('polite');
    expect(await page.textContent('#acc-summary')).toMatch(/^After epoch 1: train accuracy 0\.\d{4}, test accuracy 0\.\d{4}\.$/);
    expect(await page.textContent('#loss-summary')).toMatch(/^235 batches; latest batch loss [\d.]+/);
    expect(await page.getAttribute('#loss-chart', 'role')).toBe('img');
    const labels = await page.locator('#gallery canvas').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(labels).toHaveLength(12);
    expect(labels[0]).toMatch(/^Test image 0: a ankle boot, predicted /);
    // Per-class accuracy: ten rows next to the confusion matrix, each the diagonal over the row's total.
    const perClass = (await page.locator('#per-class .pct').allTextContents()).map(Number);
    const cells = (await page.locator('#confusion td').allTextContents()).map(Number);
    expect(perClass).toHaveLength(10);
    for (let c = 0; c < 10; c++) {
      const row = cells.slice(10 * c, 10 * c + 10);
      expect(perClass[c]).toBeCloseTo(row[c] / row.reduce((a, b) => a + b, 0), 4);
    }

    // A worker error shows the user-facing part, without the method's name.
    await withTempDir(async (dir) => {
      const file = join(dir, 'broken.safetensors');
      writeFileSync(file, new Uint8Array([255, 0, 0, 0, 0, 0, 0, 0, 123]));
      await page.setInputFiles('#load', file);
      await page.waitForFunction(() => !document.getElementById('error')!.hidden);
      const message = await errorText(page);
      expect(message).not.toMatch(/^\w+:/);
      expect(message).not.toContain('loadStateDict');
      expect(message.length).toBeGreaterThan(10);
    });
    expect(log.errors).toEqual([]);
    await page.context().close();
  });

  it('resumes with the form\'s epochs and learning rate, and refuses with the reason when a fixed setting changed', async () => {
    const { page, log } = await openDemo(browser, server.url);
    await setSettings(page, { model: 'softmax', epochs: 2, lr: 0.1, seed: 3 });
    await stopWhenTraining(page);
    expect(await clickAndWaitForStatus(page, '#train', ['stopped', 'done', 'error'])).toBe('stopped');
    expect(await page.isEnabled('#resume')).toBe(true);
    expect(await page.textContent('#resume-reason')).toBe('');

    // A setting that cannot change mid-run: Resume is off, saying why; setting it back turns it on again.
    await setSettings(page, { batchSize: 64 });
    expect(await page.isDisabled('#resume')).toBe(true);
    expect(await page.textContent('#resume-reason')).toContain('Batch size changed from 256 to 64, which cannot change in the middle of a run');
    await setSettings(page, { batchSize: 256 });
    expect(await page.isEnabled('#resume')).toBe(true);
    await setSettings(page, { seed: 4 });
    expect(await page.textContent('#resume-reason')).toContain('Seed changed from 3 to 4');
    await setSettings(page, { seed: 3 });
    // The model cannot change mid-run either.
    await setSettings(page, { model: 'mlp' });
    expect(await page.isDisabled('#resume')).toBe(true);
    expect(await page.textContent('#resume-reason')).toContain('Model changed from softmax to mlp, which cannot change in the middle of a run');
    await setSettings(page, { model: 'softmax' });
    expect(await page.isEnabled('#resume')).toBe(true);
    // An invalid field: Resume is off with the field's message.
    await page.fill('#epochs', '0');
    expect(await page.isDisabled('#resume')).toBe(true);
    expect(await page.textContent('#resume-reason')).toBe('Resume is off: Epochs must be an integer from 1 to 200, got 0.');

    // New epochs and learning rate: the resumed run uses them (the epoch total shown, the worker's config).
    await setSettings(page, { epochs: 3, lr: 0.05 });
    expect(await page.isEnabled('#resume')).toBe(true);
    expect(await clickAndWaitForStatus(page, '#resume', ['done', 'error', 'stopped'])).toBe('done');
    expect(await page.textContent('#stat-epoch')).toBe('3 / 3');
    expect(await page.textContent('#status')).toContain('Done: 3 epochs');
    await page.waitForFunction(() => document.getElementById('acc-chart')?.dataset.points === '3');
    const config = await workerConfig(page);
    expect(config).toMatchObject({ epochs: 3, lr: 0.05, batchSize: 256, seed: 3 });

    // A Train refused by the settings check leaves Resume off, even once the field is fixed.
    await stopWhenTraining(page);
    await setSettings(page, { epochs: 2 });
    expect(await clickAndWaitForStatus(page, '#train', ['stopped', 'done', 'error'])).toBe('stopped');
    expect(await page.isEnabled('#resume')).toBe(true);
    await page.fill('#epochs', '0');
    expect(await clickAndWaitForStatus(page, '#train', ['error'])).toBe('error');
    expect(await page.isDisabled('#resume')).toBe(true);
    await page.fill('#epochs', '2');
    expect(await page.isDisabled('#resume')).toBe(true);

    // A stopped MLP run: its hidden units cannot change mid-run.
    await setSettings(page, { model: 'mlp', hidden: 16, epochs: 2 });
    await stopWhenTraining(page);
    expect(await clickAndWaitForStatus(page, '#train', ['stopped', 'done', 'error'])).toBe('stopped');
    expect(await page.isEnabled('#resume')).toBe(true);
    await setSettings(page, { hidden: 32 });
    expect(await page.isDisabled('#resume')).toBe(true);
    expect(await page.textContent('#resume-reason')).toContain('Hidden units changed from 16 to 32, which cannot change in the middle of a run');
    await setSettings(page, { hidden: 16 });
    expect(await page.isEnabled('#resume')).toBe(true);
    expect(log.errors).toEqual([]);
    await page.context().close();
  });

  it('prints a huge batch loss in exponent form (softmax weights of 1e20, fine-tuned)', async () => {
    const { page, log } = await openDemo(browser, server.url);
    await withTempDir(async (dir) => {
      const file = join(dir, 'huge.safetensors');
      writeFileSync(file, softmaxSafetensors(1e20));
      await page.setInputFiles('#load', file);
      await waitForStatus(page, ['loaded']);
    });
    // Enough epochs that Stop, pressed once the first batch is drawn, lands before the run's end: one
    // epoch of softmax regression takes about a tenth of a second.
    await setSettings(page, { epochs: 20, lr: 0.1 });
    await stopWhenTraining(page);
    expect(await clickAndWaitForStatus(page, '#resume', ['stopped', 'done', 'error'])).toBe('stopped');
    // Logits k · 1e20 · Σ pixels (Σ of order 100): a cross-entropy of order 1e22, finite in float32.
    const loss = (await page.textContent('#stat-loss'))!;
    expect(loss).toMatch(/^\d\.\d{3}e\+(2[0-4])$/);
    expect(await page.textContent('#loss-summary')).toMatch(/latest batch loss \d\.\d{3}e\+2[0-4]/);
    expect(log.errors).toEqual([]);
    await page.context().close();
  });

  it('keeps the earlier data in use after a corrupt .gz, and says so; Train stays enabled', async () => {
    const { page, log } = await openDemo(browser, server.url);
    const dir = searchDirs().find((d) => FILES.every((f) => { try { readFileSync(join(d, f), { flag: 'r' }); return true; } catch { return false; } }))!;
    await withTempDir(async (tmp) => {
      for (const f of FILES) copyFileSync(join(dir, f), join(tmp, f));
      const bytes = readFileSync(join(tmp, FILES[1]));
      writeFileSync(join(tmp, FILES[1]), bytes.subarray(0, bytes.length >> 1)); // a truncated gzip stream
      await page.setInputFiles('#files', FILES.map((f) => join(tmp, f)));
    });
    await page.waitForFunction(() => !document.getElementById('error')!.hidden, null, { timeout: 60_000 });
    expect(await page.getAttribute('#data-status', 'data-state')).toBe('ready');
    expect(await page.textContent('#data-status')).toBe('Fashion-MNIST: 60000 training images (still the earlier data: Loading your files failed)');
    expect(await page.textContent('#data-detail')).toContain('training still uses the data loaded before');
    expect(await page.isEnabled('#train')).toBe(true);
    await setSettings(page, { epochs: 1 });
    expect(await clickAndWaitForStatus(page, '#train', ['done', 'error'])).toBe('done');
    expect(log.errors).toEqual([]);
    await page.context().close();
  });

  it('reaches Load weights and Choose files with Tab; they are buttons that click their file inputs', async () => {
    const { page } = await openDemo(browser, server.url);
    const reached: string[] = [];
    for (let i = 0; i < 40 && !(reached.includes('load-button') && reached.includes('files-button')); i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement?.id ?? ''));
    }
    expect(reached).toContain('load-button');
    expect(reached).toContain('files-button');
    // Enter on each button clicks its file input (which opens the browser's file chooser).
    await page.evaluate(() => {
      for (const id of ['load', 'files']) {
        document.getElementById(id)!.addEventListener('click', (e) => {
          (window as unknown as { clicked: string[] }).clicked = [...((window as unknown as { clicked?: string[] }).clicked ?? []), id];
          e.preventDefault();
        });
      }
    });
    for (const id of ['load-button', 'files-button']) {
      expect(await page.evaluate((i) => document.getElementById(i)!.tagName, id)).toBe('BUTTON');
      expect(await page.isEnabled(`#${id}`), id).toBe(true);
      await page.focus(`#${id}`);
      await page.keyboard.press('Enter');
    }
    expect(await page.evaluate(() => (window as unknown as { clicked: string[] }).clicked)).toEqual(['load', 'files']);
    expect(await page.getAttribute('#files', 'multiple')).toBe('');
    await page.context().close();
  });

  it('fits a phone: no sideways scrolling at 390 × 844 and 360 px, every input inside the screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById('data-status')?.dataset.state === 'ready', null, { timeout: 90_000 });
    await page.check('input[name=model][value=lenet]'); // with LeNet's speed hint shown
    expect(await page.isVisible('#model-hint')).toBe(true);
    for (const width of [390, 360]) {
      await page.setViewportSize({ width, height: 844 });
      await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
      const { scrollWidth, innerWidth, outside } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        outside: [...document.querySelectorAll<HTMLElement>('input:not([hidden]), select, button, .chart canvas, #data-status')]
          .filter((el) => el.offsetParent !== null)
          .map((el) => ({ id: el.id || el.className, right: el.getBoundingClientRect().right }))
          .filter((r) => r.right > window.innerWidth + 0.5),
      }));
      expect(scrollWidth, `at ${width} px`).toBeLessThanOrEqual(innerWidth);
      expect(outside, `at ${width} px`).toEqual([]);
    }
    await context.close();
  });

  it('has no serious or critical axe-core violation in the settings, training and results sections', async () => {
    const { page } = await openDemo(browser, server.url);
    await setSettings(page, { epochs: 1 });
    expect(await clickAndWaitForStatus(page, '#train', ['done', 'error'])).toBe('done');
    await page.waitForFunction(() => document.querySelectorAll('#confusion td').length === 100);
    expect(await seriousAxeViolations(page, ['header', '.controls', '.progress', '.results'])).toEqual([]);
    await page.context().close();
  });
});
