// End-to-end: the demo in headless Chromium (Debian's /usr/bin/chromium through playwright-core),
// served by a Vite dev server started here, and once more from a Vite production build (vite preview).
// Trains one epoch of softmax regression on the real Fashion-MNIST in the page's Web Worker, and checks
// what a person sees, that the training ran in the worker (the page's main thread never compiled the
// wasm core), and that the weights are bit-identical to those of the same run in a Node worker
// (softmax-nn/worker). How responsive the page stays while training is a benchmark figure
// (bench/responsiveness.ts), not a pass/fail check here: it depends on the machine's load.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickAndWaitForStatus, launchChromium, openDemo, REPO, serveBuild, serveDev, setSettings, trainOnce, waitForStatus, wasmOnMainThread, withTempDir,
  type DemoServer, type PageLog,
} from './demo-page.js';

const OUT = join(REPO, 'test-output');
const SCREENSHOT = join(OUT, 'demo.png');
const TS_API_DIST = join(REPO, 'packages/ts-api/dist/worker/worker-entry.js');

/** The same settings as packages/ts-api/test/worker/worker.test.ts's DETERMINISM_CONFIG. */
const DETERMINISM_CONFIG = { model: 'softmax', lr: 0.1, batchSize: 256, epochs: 1, seed: 7 } as const;

/** Data-parallel: the MLP split over 2 threads (the trainer worker + 1 nested gradient worker). */
const PARALLEL_CONFIG = { model: 'mlp', hidden: 64, lr: 0.1, batchSize: 64, epochs: 1, seed: 3, workers: 2 } as const;

/** The production build's JavaScript (page, training worker, gradient workers), raw bytes: within 2× of 250 kB. */
const MAX_BUILD_JS_BYTES = 500_000;

/** Every .js file of a build folder with its size in bytes, largest first. */
function jsFiles(dir: string): { file: string; bytes: number }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((file) => ({ file, bytes: statSync(join(dir, file)).size }))
    .sort((a, b) => b.bytes - a.bytes);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Trains with the page's Train button (to 'done'); checks the page's main thread compiled no wasm meanwhile. */
async function trainInWorker(page: Page, log: PageLog): Promise<void> {
  const run = await trainOnce(page);
  expect(run.state, `${run.error} ${log.errors.join('; ')}`).toBe('done');
  expect(page.workers().some((w) => /worker-entry/.test(w.url())), 'the trainer worker is running').toBe(true);
  expect(run.probe.wasm, 'WebAssembly compiled or instantiated on the page\'s main thread').toBe(0);
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
  try {
    await trainInWorker(page, log);
  } finally {
    page.off('worker', onWorker);
  }
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
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('the demo page (Vite dev server)', () => {
  let server: DemoServer;
  let url: string;

  beforeAll(async () => {
    server = await serveDev();
    url = server.url;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('trains softmax regression in the worker, shows it live, predicts, and matches the Node worker bit for bit', async () => {
    const { page, log } = await openDemo(browser, url);
    expect(await page.textContent('#data-status')).toBe('Fashion-MNIST: 60000 training / 10000 test images');

    await setSettings(page, { ...DETERMINISM_CONFIG, weightDecay: 0, dropout: 0, augment: false });
    await trainInWorker(page, log);

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

    // Stop and resume: a 3-epoch MLP run stopped, then resumed to the end. Stop is pressed in the same
    // turn of the page's event loop as the run starts (fit is sent first): the worker reads the stop
    // right behind fit, at training's first turn of its own event loop, a few batches in.
    await setSettings(page, { model: 'mlp', epochs: 3, seed: 1, hidden: 128 });
    await page.evaluate(() => {
      const status = document.getElementById('status')!;
      const observer = new MutationObserver(() => {
        if (status.dataset.state !== 'training') return;
        observer.disconnect();
        document.getElementById('stop')!.click();
      });
      observer.observe(status, { attributes: true, attributeFilter: ['data-state'] });
    });
    expect(await clickAndWaitForStatus(page, '#train', ['stopped', 'done', 'error'])).toBe('stopped');
    expect(await page.textContent('#status')).toContain('Stopped after 0 full epochs');
    expect(await page.isEnabled('#resume')).toBe(true);
    const pointsAtStop = Number(await page.getAttribute('#loss-chart', 'data-points'));
    expect(pointsAtStop).toBeGreaterThanOrEqual(1);
    expect(pointsAtStop).toBeLessThan(235);
    expect(await clickAndWaitForStatus(page, '#resume', ['done', 'error', 'stopped'])).toBe('done');
    await page.waitForFunction(() => document.getElementById('acc-chart')?.dataset.points === '3');
    expect(Number(await page.getAttribute('#loss-chart', 'data-points'))).toBe(3 * 235);
    expect(Number(await page.getAttribute('#test-acc', 'data-value'))).toBeGreaterThan(0.8);
    // Two animation frames: the charts' last drawing is on screen.
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Load the softmax weights back: the page evaluates them and shows the same accuracy.
    await withTempDir(async (dir) => {
      const file = join(dir, 'fashion-mnist-softmax.safetensors');
      writeFileSync(file, bytes);
      await page.setInputFiles('#load', file);
      await waitForStatus(page, ['loaded']);
      await page.waitForFunction((a) => document.getElementById('test-acc')?.dataset.value === String(a), acc);
      expect(await page.isChecked('input[name=model][value=softmax]')).toBe(true);
    });
    expect(await wasmOnMainThread(page), 'WebAssembly compiled or instantiated on the page\'s main thread').toBe(0);
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
    expect(await clickAndWaitForStatus(page, '#train', ['error'])).toBe('error');
    expect(await page.textContent('#error')).toBe('Workers must be an integer from 1 to 16, got 17');
    expect(log.errors).toEqual([]);
    await page.context().close();
  });
});

describe('the demo page (Vite production build + vite preview)', () => {
  let server: DemoServer;

  beforeAll(async () => {
    server = await serveBuild();
  }, 180_000);

  afterAll(async () => {
    await server?.close();
  });

  it('bundles the worker and the wasm, and trains in the built page', async () => {
    const assets = readdirSync(join(server.outDir!, 'assets'));
    expect(assets.some((f) => f.endsWith('.wasm'))).toBe(true);
    expect(assets.some((f) => /^worker-entry-.*\.js$/.test(f))).toBe(true);
    // Light: the JavaScript of all chunks together (one copy of the library, shared by the training
    // worker and its nested gradient workers).
    const js = jsFiles(server.outDir!);
    const total = js.reduce((a, f) => a + f.bytes, 0);
    expect(total, `${total} bytes of JavaScript:\n${js.map((f) => `${f.bytes}\t${f.file}`).join('\n')}`).toBeLessThanOrEqual(MAX_BUILD_JS_BYTES);
    const { page, log } = await openDemo(browser, server.url);
    await setSettings(page, { ...DETERMINISM_CONFIG });
    await trainInWorker(page, log);
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
