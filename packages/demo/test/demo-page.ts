// Drives the demo page in headless Chromium (Debian's /usr/bin/chromium through playwright-core): serves
// it (Vite dev server, or a production build through vite preview), opens it, fills the settings, trains.
// Used by the end-to-end test (e2e.test.ts) and by the responsiveness benchmark (bench/responsiveness.ts).
//
// Every page gets a probe before its own scripts run: it counts WebAssembly compilations and
// instantiations on the page's main thread (a worker's are not seen: init scripts run in frames only),
// and records the main thread's long tasks and how late a 10 ms timer fires, for the benchmark.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, createServer, preview } from 'vite';
import { FILES, searchDirs } from '../fashion-mnist-plugin.js';

export const DEMO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = resolve(DEMO, '../..');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

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

export interface DemoServer {
  url: string;
  /** The production build's output folder (vite preview), or null (dev server). */
  outDir: string | null;
  close(): Promise<void>;
}

/** The Vite dev server on a free port. */
export async function serveDev(): Promise<DemoServer> {
  const port = await freePort();
  const server = await createServer({
    root: DEMO, configFile: join(DEMO, 'vite.config.ts'), logLevel: 'warn',
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false },
  });
  await server.listen();
  return { url: server.resolvedUrls!.local[0], outDir: null, close: () => server.close() };
}

/** A production build (into a temporary folder) served by vite preview on a free port. */
export async function serveBuild(): Promise<DemoServer> {
  const outDir = mkdtempSync(join(tmpdir(), 'softmax-demo-build-'));
  try {
    await build({ root: DEMO, configFile: join(DEMO, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    const port = await freePort();
    const server = await preview({
      root: DEMO, configFile: join(DEMO, 'vite.config.ts'), logLevel: 'warn',
      build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true },
    });
    return {
      url: server.resolvedUrls!.local[0], outDir,
      close: async () => {
        await server.close();
        rmSync(outDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(outDir, { recursive: true, force: true });
    throw e;
  }
}

export interface PageLog {
  errors: string[];
}

/** What the probe saw on the page's main thread. */
export interface MainThreadProbe {
  /** WebAssembly compilations and instantiations (compile*, instantiate*, new Module / Instance). */
  wasm: number;
  longTasks: { start: number; duration: number }[];
  /** When a 10 ms timer, re-armed each time it fires, fired later than asked: [time, ms late]. */
  timerLate: [number, number][];
}

/** Installed before the page's scripts; see the file's header. */
function installProbe(): void {
  const probe: MainThreadProbe = { wasm: 0, longTasks: [], timerLate: [] };
  (window as unknown as { __probe: MainThreadProbe }).__probe = probe;
  const wa = WebAssembly as unknown as Record<string, unknown>;
  for (const name of ['compile', 'compileStreaming', 'instantiate', 'instantiateStreaming']) {
    const f = wa[name];
    if (typeof f !== 'function') continue;
    wa[name] = function (this: unknown, ...args: unknown[]) {
      probe.wasm++;
      return (f as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  for (const name of ['Module', 'Instance']) {
    wa[name] = new Proxy(wa[name] as new (...a: unknown[]) => object, {
      construct(target, args, newTarget) {
        probe.wasm++;
        return Reflect.construct(target, args, newTarget);
      },
    });
  }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const TICK_MS = 10;
  let due = performance.now() + TICK_MS;
  const tick = (): void => {
    const t = performance.now();
    if (t - due > 1) probe.timerLate.push([t, t - due]);
    due = t + TICK_MS;
    setTimeout(tick, TICK_MS);
  };
  setTimeout(tick, TICK_MS);
}

/** Opens the demo with the probe, collecting console errors, page errors and failed requests; waits for the data. */
export async function openDemo(browser: Browser, url: string): Promise<{ page: Page; log: PageLog }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const log: PageLog = { errors: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => log.errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => log.errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  // Run through tsx (the benchmark), esbuild's keepNames wraps named functions in __name(...): the
  // functions this file sends to the page need that helper there.
  await page.addInitScript({ content: 'globalThis.__name ??= (f) => f;' });
  await page.addInitScript(installProbe);
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('data-status')?.dataset.state === 'ready', null, { timeout: 90_000 })
    .catch(async (e: Error) => {
      throw new Error(`the data did not load: ${await page.textContent('#data-status')} / ${await page.textContent('#error')} (${e.message}) ${log.errors.join('; ')}`);
    });
  return { page, log };
}

export interface DemoSettings {
  model?: 'softmax' | 'mlp' | 'lenet' | 'lenet-bn'; hidden?: number; lr?: number; batchSize?: number; epochs?: number;
  weightDecay?: number; dropout?: number; seed?: number; augment?: boolean; workers?: number;
}

export async function setSettings(page: Page, s: DemoSettings): Promise<void> {
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

export async function waitForStatus(page: Page, states: string[], timeout = 120_000): Promise<string> {
  await page.waitForFunction((st) => st.includes(document.getElementById('status')?.dataset.state ?? ''), states, { timeout });
  return (await page.getAttribute('#status', 'data-state'))!;
}

/**
 * Clicks `selector`, then waits for a status in `states` set after the click: the state shown before it
 * (a stopped run's 'stopped', say) does not count, however soon the wait starts.
 */
export async function clickAndWaitForStatus(page: Page, selector: string, states: string[], timeout = 120_000): Promise<string> {
  await page.evaluate(() => {
    const w = window as unknown as { statusWatch?: { observer: MutationObserver; seen: string[] } };
    w.statusWatch?.observer.disconnect();
    const el = document.getElementById('status')!;
    const seen: string[] = [];
    const observer = new MutationObserver(() => seen.push(el.dataset.state ?? ''));
    observer.observe(el, { attributes: true, attributeFilter: ['data-state'] });
    w.statusWatch = { observer, seen };
  });
  await page.click(selector);
  const handle = await page.waitForFunction((st) => {
    const seen = (window as unknown as { statusWatch: { seen: string[] } }).statusWatch.seen;
    const state = seen.find((s) => st.includes(s));
    return state ?? null;
  }, states, { timeout });
  return (await handle.jsonValue()) as string;
}

/** One training run with the page's Train button, to its end and the drawing of the results. */
export interface TrainedRun {
  state: string;
  error: string;
  /** The page's marks around fit (performance.now() times on the page). */
  start: number;
  end: number;
  /** The probe's records that overlap [start, end], and its WebAssembly count so far. */
  probe: MainThreadProbe;
  /** The end of each chart draw during training (the page's 'softmax-demo:draw' measures). */
  draws: number[];
}

export async function trainOnce(page: Page, timeout = 300_000): Promise<TrainedRun> {
  const state = await clickAndWaitForStatus(page, '#train', ['done', 'error', 'stopped'], timeout);
  const error = (await page.textContent('#error')) ?? '';
  if (state === 'done') {
    // The gallery and confusion matrix are drawn right after training.
    await page.waitForFunction(() => document.querySelectorAll('#gallery .card').length > 0 && document.querySelectorAll('#confusion td').length === 100);
  }
  const run = await page.evaluate(() => {
    const start = performance.getEntriesByName('softmax-demo:train-start').at(-1)?.startTime ?? NaN;
    const end = performance.getEntriesByName('softmax-demo:train-end').at(-1)?.startTime ?? NaN;
    const p = (window as unknown as { __probe: MainThreadProbe }).__probe;
    const within = (t0: number, t1: number) => t1 > start && t0 < end;
    const draws = performance.getEntriesByName('softmax-demo:draw')
      .map((e) => e.startTime + e.duration).filter((t) => t > start && t <= end);
    return {
      start, end, draws,
      probe: {
        wasm: p.wasm,
        longTasks: p.longTasks.filter((t) => within(t.start, t.start + t.duration)),
        timerLate: p.timerLate.filter(([t, late]) => within(t - late, t)),
      },
    };
  });
  return { state, error, ...run };
}

/** WebAssembly compilations and instantiations on the page's main thread so far. */
export function wasmOnMainThread(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __probe: MainThreadProbe }).__probe.wasm);
}

/** A temporary folder, removed after `use`. */
export async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'softmax-demo-'));
  try {
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Accessibility violations of impact serious or critical inside the sections (axe-core, one pass), as readable lines. */
export async function seriousAxeViolations(page: Page, sections: string[]): Promise<string[]> {
  const { AxeBuilder } = await import('@axe-core/playwright');
  let builder = new AxeBuilder({ page });
  for (const s of sections) builder = builder.include(s);
  const results = await builder.analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

/** The page's main trainer's settings in the worker (window.softmaxDemo.trainer.status()). */
export function workerConfig(page: Page): Promise<Record<string, unknown> | null> {
  return page.evaluate(async () => {
    const app = (window as unknown as { softmaxDemo: { trainer: { status(): Promise<{ config: Record<string, unknown> | null }> } } }).softmaxDemo;
    return (await app.trainer.status()).config;
  });
}

/** Presses Stop as soon as the next run reports 'training' (a few batches in). */
export async function stopWhenTraining(page: Page): Promise<void> {
  await page.evaluate(() => {
    const status = document.getElementById('status')!;
    const observer = new MutationObserver(() => {
      if (status.dataset.state !== 'training') return;
      observer.disconnect();
      document.getElementById('stop')!.click();
    });
    observer.observe(status, { attributes: true, attributeFilter: ['data-state'] });
  });
}

/** The first `count` examples of a Fashion-MNIST file (images or labels), decompressed, without the IDX header. */
function fashionMnistHead(file: (typeof FILES)[number], count: number): Uint8Array {
  const dir = searchDirs().find((d) => existsSync(join(d, file)));
  if (dir === undefined) throw new Error(`${file} is not in ${searchDirs().join(' or ')}`);
  const raw = gunzipSync(readFileSync(join(dir, file)));
  const images = file.includes('images');
  const [header, size] = images ? [16, 784] : [8, 1];
  if (raw.length < header + count * size) throw new Error(`${file} has fewer than ${count} examples`);
  return new Uint8Array(raw.subarray(header, header + count * size));
}

/**
 * Replaces the page's training data with the first `train` training and `test` test images (through the
 * page's trainer, window.softmaxDemo): runs of slow models (LeNet) then take seconds.
 */
export async function useFashionMnistSubset(page: Page, train: number, test: number): Promise<void> {
  const [trainImages, trainLabels, testImages, testLabels] = FILES.map((f, i) => Buffer.from(fashionMnistHead(f, i < 2 ? train : test)).toString('base64'));
  const info = await page.evaluate(async (b64) => {
    const bytes = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
    const app = (window as unknown as { softmaxDemo: { trainCount: number; trainer: { setData(d: Record<string, Uint8Array>): Promise<{ trainCount: number; testCount: number }> } } }).softmaxDemo;
    const d = await app.trainer.setData({ trainImages: bytes(b64[0]), trainLabels: bytes(b64[1]), testImages: bytes(b64[2]), testLabels: bytes(b64[3]) });
    app.trainCount = d.trainCount;
    return d;
  }, [trainImages, trainLabels, testImages, testLabels]);
  if (info.trainCount !== train || info.testCount !== test) throw new Error(`the page's trainer has ${info.trainCount} / ${info.testCount} examples, expected ${train} / ${test}`);
}

/** Drags the mouse over the drawing pad along `points` (fractions of its size). */
export async function drawOnPad(page: Page, points: [number, number][]): Promise<void> {
  await page.locator('#pad').scrollIntoViewIfNeeded();
  const box = (await page.locator('#pad').boundingBox())!;
  const at = ([x, y]: [number, number]): [number, number] => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 5 });
  await page.mouse.up();
}
