// End-to-end: the demo in headless Chromium (Debian's /usr/bin/chromium through playwright-core),
// served by a Vite dev server started here, and once more from a Vite production build (vite preview).
// Trains one epoch of softmax regression on the real Fashion-MNIST in the page's Web Worker, and checks
// what a person sees, that the main thread stays responsive, and that the weights are bit-identical
// to those of the same run in a Node worker (softmax-nn/worker).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DEMO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = resolve(DEMO, '../..');
const OUT = join(REPO, 'test-output');
const SCREENSHOT = join(OUT, 'demo.png');
const TS_API_DIST = join(REPO, 'packages/ts-api/dist/worker/worker-entry.js');

/** The same settings as packages/ts-api/test/worker/worker.test.ts's DETERMINISM_CONFIG. */
const DETERMINISM_CONFIG = { model: 'softmax', lr: 0.1, batchSize: 256, epochs: 1, seed: 7 } as const;

/** Data-parallel: the MLP split over 2 threads (the trainer worker + 1 nested gradient worker). */
const PARALLEL_CONFIG = { model: 'mlp', hidden: 64, lr: 0.1, batchSize: 64, epochs: 1, seed: 3, workers: 2 } as const;

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic',
];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

interface PageLog {
  errors: string[];
}

/** Opens the demo, collecting console errors, page errors and main-thread long tasks. */
async function openDemo(browser: Browser, url: string): Promise<{ page: Page; log: PageLog }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const log: PageLog = { errors: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => log.errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => log.errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('data-status')?.dataset.state === 'ready', null, { timeout: 90_000 })
    .catch(async (e: Error) => {
      throw new Error(`the data did not load: ${await page.textContent('#data-status')} / ${await page.textContent('#error')} (${e.message}) ${log.errors.join('; ')}`);
    });
  return { page, log };
}

async function setSettings(page: Page, s: { model?: 'softmax' | 'mlp'; hidden?: number; lr?: number; batchSize?: number; epochs?: number; weightDecay?: number; dropout?: number; seed?: number; augment?: boolean; workers?: number }): Promise<void> {
  if (s.model) await page.check(`input[name=model][value=${s.model}]`);
  if (s.hidden !== undefined) await page.fill('#hidden', String(s.hidden));
  if (s.workers !== undefined) await page.fill('#workers', String(s.workers));
  if (s.lr !== undefined) await page.fill('#lr', String(s.lr));
  if (s.batchSize !== undefined) await page.selectOption('#batchSize', String(s.batchSize));
  if (s.epochs !== undefined) await page.fill('#epochs', String(s.epochs));
  if (s.weightDecay !== undefined) await page.fill('#weightDecay', String(s.weightDecay));
  if (s.dropout !== undefined) await page.fill('#dropout', String(s.dropout));
  if (s.seed !== undefined) await page.fill('#seed', String(s.seed));
  if (s.augment !== undefined) await page.setChecked('#augment', s.augment);
}

async function waitForStatus(page: Page, states: string[], timeout = 120_000): Promise<string> {
  await page.waitForFunction((st) => st.includes(document.getElementById('status')?.dataset.state ?? ''), states, { timeout });
  return (await page.getAttribute('#status', 'data-state'))!;
}

/** Trains with the page's Train button; returns the long tasks seen between train start and end. */
async function trainOnce(page: Page): Promise<{ longTasks: { start: number; duration: number }[]; seconds: number }> {
  await page.click('#train');
  const state = await waitForStatus(page, ['done', 'error', 'stopped']);
  expect(state, (await page.textContent('#error')) ?? '').toBe('done');
  // The gallery and confusion matrix are drawn right after training.
  await page.waitForFunction(() => document.querySelectorAll('#gallery .card').length > 0 && document.querySelectorAll('#confusion td').length === 100);
  return page.evaluate(() => {
    const start = performance.getEntriesByName('softmax-demo:train-start').at(-1)!.startTime;
    const end = performance.getEntriesByName('softmax-demo:train-end').at(-1)!.startTime;
    const all = (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks;
    return { longTasks: all.filter((t) => t.start + t.duration > start && t.start < end), seconds: (end - start) / 1000 };
  });
}

/**
 * Trains with workers > 1 and checks that the gradient workers really ran: the page's trainer worker
 * must have started nested module workers (seen by Playwright as the page's workers).
 */
async function trainParallel(page: Page, log: PageLog): Promise<void> {
  const before = page.workers().length;
  let nested = 0;
  const onWorker = () => nested++;
  page.on('worker', onWorker);
  await page.click('#train');
  const state = await waitForStatus(page, ['done', 'error', 'stopped'], 300_000);
  page.off('worker', onWorker);
  expect(state, `${(await page.textContent('#error')) ?? ''} ${log.errors.join('; ')}`).toBe('done');
  await page.waitForFunction(() => document.querySelectorAll('#gallery .card').length > 0 && document.querySelectorAll('#confusion td').length === 100);
  expect(before).toBeGreaterThanOrEqual(1); // the trainer worker
  expect(nested, 'gradient workers started during training').toBeGreaterThanOrEqual(1);
}

async function downloadWeights(page: Page): Promise<{ bytes: Uint8Array; name: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const path = await download.path();
  return { bytes: new Uint8Array(readFileSync(path!)), name: download.suggestedFilename() };
}

/** The same run in a Node worker_threads worker (softmax-nn/worker, as a user installs it). */
async function nodeWorkerHash(config: Record<string, unknown> = DETERMINISM_CONFIG): Promise<{ sha256: string; testAcc: number }> {
  const { createTrainer } = await import('softmax-nn/worker');
  const { data } = await import('softmax-nn');
  const fm = await data.loadFashionMnistFiles({ download: false });
  const trainer = await createTrainer();
  try {
    await trainer.setData({ trainImages: fm.train.images, trainLabels: fm.train.labels, testImages: fm.test.images, testLabels: fm.test.labels });
    await trainer.configure(config);
    const result = await trainer.fit();
    return { sha256: sha256(await trainer.stateDict()), testAcc: result.history[0].testAcc };
  } finally {
    await trainer.terminate();
  }
}

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(TS_API_DIST)) {
    throw new Error(`${TS_API_DIST} is missing: build the library first (pnpm -C packages/ts-api build)`);
  }
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
});

describe('the demo page (Vite dev server)', () => {
  let server: ViteDevServer;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    server = await createServer({
      root: DEMO, configFile: join(DEMO, 'vite.config.ts'), logLevel: 'warn',
      server: { host: '127.0.0.1', port, strictPort: true, hmr: false },
    });
    await server.listen();
    url = server.resolvedUrls!.local[0];
  });

  afterAll(async () => {
    await server?.close();
  });

  it('trains softmax regression in the worker, shows it live, predicts, and matches the Node worker bit for bit', async () => {
    const { page, log } = await openDemo(browser, url);
    expect(await page.textContent('#data-status')).toBe('Fashion-MNIST: 60000 training / 10000 test images');

    await setSettings(page, { ...DETERMINISM_CONFIG, weightDecay: 0, dropout: 0, augment: false });
    const { longTasks, seconds } = await trainOnce(page);
    expect(longTasks, `main-thread long tasks during ${seconds.toFixed(1)} s of training`).toEqual([]);

    // What the page shows.
    const acc = Number(await page.getAttribute('#test-acc', 'data-value'));
    expect(acc).toBeGreaterThanOrEqual(0.75);
    expect(Number(await page.textContent('#test-acc'))).toBeCloseTo(acc, 4);
    expect(await page.textContent('#status')).toContain('Done: 1 epoch');
    expect(Number(await page.getAttribute('#loss-chart', 'data-points'))).toBe(235);
    expect(Number(await page.getAttribute('#acc-chart', 'data-points'))).toBe(1);
    for (const id of ['#loss-chart', '#acc-chart']) {
      const box = await page.locator(`${id} canvas`).first().boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(100);
    }
    const cards = page.locator('#gallery .card');
    expect(await cards.count()).toBe(12);
    expect(await cards.first().locator('.bars .row').count()).toBe(10);
    expect(await cards.first().locator('.true').textContent()).toBe('ankle boot'); // test image 0
    const cells = (await page.locator('#confusion td').allTextContents()).map(Number);
    expect(cells.reduce((a, b) => a + b, 0)).toBe(10000);
    const diagonal = cells.filter((_, i) => Math.floor(i / 10) === i % 10).reduce((a, b) => a + b, 0);
    expect(diagonal / 10000).toBeCloseTo(acc, 6);

    // The downloaded weights: safetensors with PyTorch's key names, identical to the Node worker's.
    const { bytes, name } = await downloadWeights(page);
    expect(name).toBe('fashion-mnist-softmax.safetensors');
    const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
    expect(header['1.weight']).toMatchObject({ dtype: 'F32', shape: [10, 784] });
    expect(header['1.bias']).toMatchObject({ dtype: 'F32', shape: [10] });
    const node = await nodeWorkerHash(); // after the browser run: no CPU contention while it trains
    expect(sha256(bytes)).toBe(node.sha256);
    expect(acc).toBe(node.testAcc);

    // Stop and resume: a 3-epoch MLP run stopped mid-way, then resumed to the end.
    await setSettings(page, { model: 'mlp', epochs: 3, seed: 1 });
    await page.fill('#hidden', '128');
    await page.click('#train');
    await page.waitForFunction(() => Number(document.getElementById('loss-chart')?.dataset.points ?? 0) >= 30, null, { timeout: 60_000 });
    await page.click('#stop');
    expect(await waitForStatus(page, ['stopped', 'done', 'error'])).toBe('stopped');
    expect(await page.isEnabled('#resume')).toBe(true);
    const pointsAtStop = Number(await page.getAttribute('#loss-chart', 'data-points'));
    expect(pointsAtStop).toBeLessThan(3 * 235);
    await page.click('#resume');
    expect(await waitForStatus(page, ['done', 'error', 'stopped'])).toBe('done');
    await page.waitForFunction(() => document.getElementById('acc-chart')?.dataset.points === '3');
    expect(Number(await page.getAttribute('#loss-chart', 'data-points'))).toBe(3 * 235);
    expect(Number(await page.getAttribute('#test-acc', 'data-value'))).toBeGreaterThan(0.8);
    await page.waitForTimeout(300); // the last chart frame
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Load the softmax weights back: the page evaluates them and shows the same accuracy.
    const dir = mkdtempSync(join(tmpdir(), 'softmax-demo-'));
    try {
      const file = join(dir, 'fashion-mnist-softmax.safetensors');
      (await import('node:fs')).writeFileSync(file, bytes);
      await page.setInputFiles('#load', file);
      await waitForStatus(page, ['loaded']);
      await page.waitForFunction((a) => document.getElementById('test-acc')?.dataset.value === String(a), acc);
      expect(await page.isChecked('input[name=model][value=softmax]')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(log.errors).toEqual([]);
    await page.context().close();
  });

  it('trains the MLP data-parallel (workers: 2, nested gradient worker, shared memory) and matches the Node worker with workers: 2', async () => {
    const { page, log } = await openDemo(browser, url);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
    expect(await page.textContent('#workers-hint')).toMatch(/\d+ cores/);
    expect(await page.inputValue('#workers')).toBe('1'); // the default

    await setSettings(page, { ...PARALLEL_CONFIG, weightDecay: 0, dropout: 0, augment: false });
    await trainParallel(page, log);
    const acc = Number(await page.getAttribute('#test-acc', 'data-value'));
    expect(acc).toBeGreaterThanOrEqual(0.75);
    expect(await page.textContent('#status')).toContain('Done: 1 epoch');

    const { bytes, name } = await downloadWeights(page);
    expect(name).toBe('fashion-mnist-mlp.safetensors');
    const node = await nodeWorkerHash(PARALLEL_CONFIG); // after the browser run: no CPU contention while it trains
    expect(sha256(bytes)).toBe(node.sha256);
    expect(acc).toBe(node.testAcc);
    // The shards really were computed apart: summing two shards' gradients rounds differently from one pass.
    expect((await nodeWorkerHash({ ...PARALLEL_CONFIG, workers: 1 })).sha256).not.toBe(node.sha256);

    // An out-of-range number of workers is refused with a message naming the setting.
    await page.fill('#workers', '17');
    await page.click('#train');
    expect(await waitForStatus(page, ['error'])).toBe('error');
    expect(await page.textContent('#error')).toContain('workers must be an integer from 1 to 16');
    expect(log.errors).toEqual([]);
    await page.context().close();
  });
});

describe('the demo page (Vite production build + vite preview)', () => {
  let server: PreviewServer;
  let outDir: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'softmax-demo-build-'));
    await build({ root: DEMO, configFile: join(DEMO, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    const port = await freePort();
    server = await preview({
      root: DEMO, configFile: join(DEMO, 'vite.config.ts'), logLevel: 'warn',
      build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true },
    });
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('bundles the worker and the wasm, and trains in the built page', async () => {
    const assets = (await import('node:fs')).readdirSync(join(outDir, 'assets'));
    expect(assets.some((f) => f.endsWith('.wasm'))).toBe(true);
    expect(assets.some((f) => /^worker-entry-.*\.js$/.test(f))).toBe(true);
    const { page, log } = await openDemo(browser, server.resolvedUrls!.local[0]);
    await setSettings(page, { ...DETERMINISM_CONFIG });
    const { longTasks } = await trainOnce(page);
    expect(longTasks).toEqual([]);
    expect(Number(await page.getAttribute('#test-acc', 'data-value'))).toBeGreaterThanOrEqual(0.75);

    // Data-parallel in the built page: the nested gradient worker's script is bundled and starts.
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await setSettings(page, { ...PARALLEL_CONFIG });
    await trainParallel(page, log);
    expect(Number(await page.getAttribute('#test-acc', 'data-value'))).toBeGreaterThanOrEqual(0.75);
    const { bytes } = await downloadWeights(page);
    expect(sha256(bytes)).toBe((await nodeWorkerHash(PARALLEL_CONFIG)).sha256);
    expect(log.errors).toEqual([]);
    await page.context().close();
  });
});
