// The lab sections in headless Chromium: numerics (naive softmax overflows to NaN in float32, the stable
// one does not), weight templates after training, the drawing pad's probabilities, per-class accuracy and
// the mistakes list, the optimiser choice and fine-tuning loaded weights, the hyper-parameter grid and the
// over-fitting runs overlaid on the baseline; axe-core on every section; the lab's screenshot for the README.
// Runs are kept small (a training subset, few epochs) for CI's two cores.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickAndWaitForStatus, drawOnPad, launchChromium, openDemo, REPO, seriousAxeViolations, serveDev, setSettings, waitForStatus, withTempDir, workerConfig,
  type DemoServer,
} from './demo-page.js';

const OUT = join(REPO, 'test-output');
const CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'];

let browser: Browser;
let server: DemoServer;
let page: Page;
let errors: string[];

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await launchChromium();
  server = await serveDev();
  const opened = await openDemo(browser, server.url);
  page = opened.page;
  errors = opened.log.errors;
});

afterAll(async () => {
  await page?.context().close();
  await server?.close();
  await browser?.close();
});

const rowCells = (key: string): Promise<string[]> => page.locator(`#num-table tr[data-row=${key}] td`).allTextContents();

async function train(settings: Parameters<typeof setSettings>[1]): Promise<void> {
  await setSettings(page, settings);
  expect(await clickAndWaitForStatus(page, '#train', ['done', 'error', 'stopped']), (await page.textContent('#error')) ?? '').toBe('done');
  await page.waitForFunction(() => document.querySelectorAll('#confusion td').length === 100);
}

describe('the demo page: the lab', () => {
  it('numerics: naive softmax of [1000, 0, −1000] in float32 is NaN, the stable one and log-sum-exp are finite', async () => {
    expect(await rowCells('naive-exp')).toEqual(['∞', '1', '0']);
    expect(await rowCells('naive')).toEqual(['NaN', '0', '0']);
    expect(await rowCells('stable')).toEqual(['1', '0', '0']);
    expect(await rowCells('log')).toEqual(['0', '-1000', '-2000']);
    // Small logits: both agree; softmax([1, 2, 3]) = e^k / (e + e² + e³) = 0.09003, 0.2447, 0.6652.
    await page.fill('#num-logits', '1, 2, 3');
    await page.click('#num-run');
    expect(await rowCells('naive')).toEqual(['0.09003', '0.2447', '0.6652']);
    expect(await rowCells('stable')).toEqual(['0.09003', '0.2447', '0.6652']);
    await page.fill('#num-logits', '1, x');
    await page.click('#num-run');
    expect(await page.textContent('#num-error')).toBe('Logits must be finite numbers, got x');
  });

  it('numerics: Gumbel-softmax hard samples (drawn in the worker) have frequencies close to softmax(logits); τ is validated', async () => {
    await page.fill('#num-logits', '1, 2, 3');
    await page.fill('#num-tau', '0.5');
    await page.fill('#num-samples', '1000');
    await page.waitForFunction(() => !(document.getElementById('num-sample') as HTMLButtonElement).disabled);
    await page.click('#num-sample');
    await page.waitForFunction(() => document.querySelectorAll('#num-gumbel tr[data-row=hard] td').length === 3);
    // softmax([1, 2, 3]) = e^k / (e + e² + e³), worked by hand.
    const p = [0.09003, 0.2447, 0.6652];
    expect(await page.locator('#num-gumbel tr[data-row=softmax] td').allTextContents()).toEqual(p.map(String));
    const cells = async (key: string) => (await page.locator(`#num-gumbel tr[data-row=${key}] td`).allTextContents()).map(Number);
    const freq = await cells('hard');
    // Each frequency is k / 1000; 0.06 is more than 4 standard errors (√(p(1 − p) / 1000) ≤ 0.016).
    for (const f of freq) expect(Math.abs(f * 1000 - Math.round(f * 1000))).toBeLessThan(1e-6);
    freq.forEach((f, j) => expect(Math.abs(f - p[j]), `class ${j}: frequency ${f}, softmax ${p[j]}`).toBeLessThan(0.06));
    const soft = await cells('soft');
    expect(soft.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    expect(await page.textContent('#num-gumbel-status')).toMatch(/^1000 samples: the hard frequencies are within [\d.]+ of softmax\(o\)\.$/);
    // A large τ makes the soft samples nearly uniform.
    await page.fill('#num-tau', '100');
    await page.click('#num-sample');
    await page.waitForFunction(() => document.querySelector('#num-gumbel tr[data-row=soft] th')?.textContent === 'soft samples: mean (τ = 100)');
    for (const m of await cells('soft')) expect(Math.abs(m - 1 / 3)).toBeLessThan(0.01);
    // τ is checked on the page with the field's name; nothing is drawn.
    await page.fill('#num-tau', '-1');
    await page.click('#num-sample');
    expect(await page.textContent('#num-gumbel-error')).toBe('Temperature τ must be a number greater than 0 and at most 100, got -1');
    await page.fill('#num-tau', '1');
    await page.fill('#num-samples', '5');
    await page.click('#num-sample');
    expect(await page.textContent('#num-gumbel-error')).toBe('Samples must be an integer from 10 to 100000, got 5');
    await page.fill('#num-samples', '1000');
    expect(errors).toEqual([]);
  });

  it('draws softmax regression\'s ten weight templates, classifies a drawing, lists per-class accuracy and the mistakes', async () => {
    await train({ model: 'softmax', epochs: 2, lr: 0.1, batchSize: 256, seed: 0 });
    const templates = page.locator('#templates canvas');
    expect(await templates.count()).toBe(10);
    expect(await page.locator('#templates figcaption').allTextContents()).toEqual(CLASSES);
    expect(Number(await page.getAttribute('#templates', 'data-updates'))).toBeGreaterThanOrEqual(2); // each epoch, and at the end
    // The diverging map: a trained template has both red (positive) and blue (negative) pixels.
    const colours = await templates.first().evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, 28, 28).data;
      let red = 0;
      let blue = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] > d[i + 2] + 40) red++;
        if (d[i + 2] > d[i] + 40) blue++;
      }
      return { red, blue };
    });
    expect(colours.red).toBeGreaterThan(20);
    expect(colours.blue).toBeGreaterThan(20);

    // A trouser-like drawing: two vertical strokes.
    await drawOnPad(page, [[0.35, 0.1], [0.3, 0.9]]);
    await drawOnPad(page, [[0.65, 0.1], [0.7, 0.9]]);
    await drawOnPad(page, [[0.35, 0.1], [0.65, 0.1]]);
    await page.waitForFunction(() => document.getElementById('pad-probs')?.dataset.sum !== undefined);
    const probs = (await page.locator('#pad-probs .row').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.p))));
    expect(probs).toHaveLength(10);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    for (const p of probs) expect(p).toBeGreaterThanOrEqual(0);
    expect(await page.locator('#pad-probs .name').allTextContents()).toEqual(CLASSES);
    // The 28×28 image the model saw: white strokes on black, with the drawing's box filling the frame.
    const lit = await page.locator('#pad-small').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, 28, 28).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++;
      return n;
    });
    expect(lit).toBeGreaterThan(30);
    expect(lit).toBeLessThan(500);

    // Mistakes: 24 a page, their count the confusion matrix's off-diagonal total.
    const cells = (await page.locator('#confusion td').allTextContents()).map(Number);
    const wrong = cells.reduce((a, v, i) => a + (Math.floor(i / 10) === i % 10 ? 0 : v), 0);
    expect(await page.textContent('#mistakes-count')).toBe(`(${wrong} of 10000 test images)`);
    await page.waitForFunction(() => document.querySelectorAll('#mistakes figure').length === 24);
    expect(await page.textContent('#mistakes-page')).toBe(`page 1 of ${Math.ceil(wrong / 24)}`);
    const first = await page.locator('#mistakes figcaption').first().allTextContents();
    const [truth, pred] = first[0].split('→ ').map((s) => s.trim());
    expect(truth).not.toBe(pred);
    await page.click('#mistakes-next');
    await page.waitForFunction(() => document.getElementById('mistakes-page')?.textContent?.startsWith('page 2 '));
    const perClass = await page.locator('#per-class .row').count();
    expect(perClass).toBe(10);
    expect(errors).toEqual([]);
  });

  it('classifies an uploaded picture: a dark shape on white is inverted to light on black, ten probabilities', async () => {
    // A trouser-like shape, dark on a white background (a product photo), 80 × 120, as a PNG.
    const png = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 80;
      c.height = 120;
      const g = c.getContext('2d')!;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, 80, 120);
      g.fillStyle = '#111';
      g.fillRect(20, 10, 40, 20);
      g.fillRect(20, 10, 15, 100);
      g.fillRect(45, 10, 15, 100);
      return c.toDataURL('image/png').split(',')[1];
    });
    await page.evaluate(() => {
      delete document.getElementById('pad-probs')!.dataset.sum;
    });
    await withTempDir(async (dir) => {
      const file = join(dir, 'trouser.png');
      writeFileSync(file, Buffer.from(png, 'base64'));
      await page.setInputFiles('#pad-upload', file);
      await page.waitForFunction(() => document.getElementById('pad-probs')?.dataset.sum !== undefined);
    });
    // Scaled by 280 / 120 into the 280 × 280 pad, centred (x from 47): the white background becomes
    // black, a leg (x 20…35, y 10…110 in the picture) light; the letterboxing stays black.
    const pixel = (x: number, y: number) => page.locator('#pad').evaluate((c: HTMLCanvasElement, [px, py]) => c.getContext('2d')!.getImageData(px, py, 1, 1).data[0], [x, y]);
    expect(await pixel(110, 150)).toBeGreaterThan(200);
    expect(await pixel(60, 5)).toBeLessThan(30);
    expect(await pixel(5, 140)).toBe(0);
    const probs = await page.locator('#pad-probs .row').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.p)));
    expect(probs).toHaveLength(10);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(errors).toEqual([]);
  });

  it('draws with a finger: touch events on the pad make a stroke (pointer events of type touch), then classified', async () => {
    await page.click('#pad-clear');
    await page.evaluate(() => {
      delete document.getElementById('pad-probs')!.dataset.sum;
      const pad = document.getElementById('pad')!;
      (window as unknown as { pointerTypes: string[] }).pointerTypes = [];
      pad.addEventListener('pointerdown', (e) => (window as unknown as { pointerTypes: string[] }).pointerTypes.push(e.pointerType));
    });
    await page.locator('#pad').scrollIntoViewIfNeeded();
    const box = (await page.locator('#pad').boundingBox())!;
    const cdp = await page.context().newCDPSession(page);
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', points: [number, number][]) => cdp.send('Input.dispatchTouchEvent', {
      type, touchPoints: points.map(([x, y]) => ({ x: box.x + x * box.width, y: box.y + y * box.height })),
    });
    await touch('touchStart', [[0.5, 0.1]]);
    for (let k = 1; k <= 10; k++) await touch('touchMove', [[0.5, 0.1 + 0.08 * k]]);
    await touch('touchEnd', []);
    await cdp.detach();
    expect(await page.evaluate(() => (window as unknown as { pointerTypes: string[] }).pointerTypes)).toEqual(['touch']);
    // A vertical stroke down the middle of the 280 × 280 pad: lit at its centre, black at the sides.
    const pixel = (x: number, y: number) => page.locator('#pad').evaluate((c: HTMLCanvasElement, [px, py]) => c.getContext('2d')!.getImageData(px, py, 1, 1).data[0], [x, y]);
    expect(await pixel(140, 150)).toBeGreaterThan(200);
    expect(await pixel(40, 150)).toBe(0);
    await page.waitForFunction(() => document.getElementById('pad-probs')?.dataset.sum !== undefined);
    expect(Number(await page.getAttribute('#pad-probs', 'data-sum'))).toBeCloseTo(1, 5);
    expect(errors).toEqual([]);
  });

  it('trains the MLP with Adam (the worker\'s config says so) and shows its ten strongest first-layer units', async () => {
    await setSettings(page, { model: 'mlp', hidden: 32, epochs: 1, lr: 0.1, seed: 1 });
    await page.selectOption('#optimizer', 'adam');
    expect(await page.inputValue('#lr')).toBe('0.001'); // SGD's default rate becomes Adam's
    expect(await page.isDisabled('#momentum')).toBe(true); // Adam has no momentum setting
    await train({});
    expect(await workerConfig(page)).toMatchObject({ model: 'mlp', hidden: 32, optimizer: 'adam', lr: 0.001 });
    expect(await page.locator('#templates canvas').count()).toBe(10);
    const captions = await page.locator('#templates figcaption').allTextContents();
    const norms = captions.map((c) => Number(/‖w‖ ([\d.e+-]+)/.exec(c)![1]));
    expect(norms).toEqual([...norms].sort((a, b) => b - a)); // strongest first
    await page.selectOption('#optimizer', 'sgd');
    expect(errors).toEqual([]);
  });

  it('runs the hyper-parameter grid: a table row and a curve per cell', async () => {
    await page.fill('#grid-batch', '64, 256');
    await page.fill('#grid-lr', '0.1');
    await page.fill('#grid-epochs', '2');
    await page.fill('#grid-subset', '2000');
    await page.click('#grid-run');
    await page.waitForFunction(() => document.getElementById('grid-status')?.textContent?.startsWith('Done'), null, { timeout: 120_000 });
    const rows = page.locator('#grid-table tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await page.getAttribute('#grid-chart', 'data-series')).toBe('2');
    for (let r = 0; r < 2; r++) {
      const cells = await rows.nth(r).locator('td').allTextContents();
      expect(cells.slice(0, 2)).toEqual([r === 0 ? '64' : '256', '0.1']);
      expect(Number(cells[3])).toBeGreaterThan(0.5);
      expect(Number(cells[3])).toBeLessThanOrEqual(1);
    }
    expect(await page.locator('#grid-table tr.best').count()).toBe(1);
    // A grid field out of range is refused with its label.
    await page.fill('#grid-lr', '0.1, 0');
    await page.click('#grid-run');
    expect(await page.textContent('#grid-status')).toBe('Learning rates must each be a number greater than 0 and at most 10, got 0');
    expect(errors).toEqual([]);
  });

  it('over-fitting: the baseline and runs with remedies overlaid, an ensemble scored on the page', async () => {
    await page.fill('#of-subset', '500');
    await page.fill('#of-epochs', '20');
    await page.click('#of-baseline');
    await page.waitForFunction(() => document.getElementById('of-status')?.textContent === 'Done: baseline.', null, { timeout: 120_000 });
    expect(await page.getAttribute('#of-chart', 'data-series')).toBe('2');
    const base = await page.locator('#of-table tbody tr').first().locator('td').allTextContents();
    expect(base[0]).toBe('baseline');
    expect(Number(base[2]) - Number(base[3])).toBeGreaterThan(0.05); // train well above test: over-fitting

    for (const id of ['#of-early', '#of-l2', '#of-crop', '#of-flip', '#of-dropout']) await page.check(id);
    await page.fill('#of-val', '100');
    await page.fill('#of-patience', '2');
    await page.click('#of-run');
    await page.waitForFunction(() => document.getElementById('of-status')?.textContent?.startsWith('Done: early stop'), null, { timeout: 120_000 });
    expect(await page.getAttribute('#of-chart', 'data-series')).toBe('4');
    const remedies = await page.locator('#of-table tbody tr').nth(1).locator('td').allTextContents();
    expect(remedies[0]).toBe('early stop (2), L2 0.001, crop+flip, dropout 0.5');
    expect(Number(remedies[1])).toBeGreaterThanOrEqual(1);
    expect(Number(remedies[1])).toBeLessThanOrEqual(20);

    for (const id of ['#of-early', '#of-l2', '#of-crop', '#of-flip', '#of-dropout']) await page.uncheck(id);
    await page.check('#of-ensemble');
    await page.fill('#of-k', '2');
    await page.fill('#of-epochs', '2');
    await page.click('#of-run');
    await page.waitForFunction(() => document.getElementById('of-status')?.textContent === 'Done: ensemble of 2.', null, { timeout: 120_000 });
    expect(await page.getAttribute('#of-chart', 'data-series')).toBe('6');
    const ensemble = await page.locator('#of-table tbody tr').nth(2).locator('td').allTextContents();
    expect(Number(ensemble[3])).toBeGreaterThan(0.5);
    expect(Number(ensemble[3])).toBeLessThanOrEqual(1);

    // L1 and the affine augmentation (rotation, scale, shear), a short run overlaid on the others.
    await page.uncheck('#of-ensemble');
    for (const id of ['#of-l1', '#of-affine']) await page.check(id);
    await page.fill('#of-l1v', '0.001');
    await page.click('#of-run');
    await page.waitForFunction(() => /^(Done|The run failed|Stopped)/.test(document.getElementById('of-status')?.textContent ?? ''), null, { timeout: 120_000 });
    expect(await page.textContent('#of-status')).toBe('Done: L1 0.001, affine.');
    expect(await page.getAttribute('#of-chart', 'data-series')).toBe('8');
    const l1 = await page.locator('#of-table tbody tr').nth(3).locator('td').allTextContents();
    expect(l1.slice(0, 2)).toEqual(['L1 0.001, affine', '2']);
    expect(Number(l1[3])).toBeGreaterThan(0.2); // above chance (0.1) after 2 epochs on 500 images
    for (const id of ['#of-l1', '#of-affine']) await page.uncheck(id);
    expect(errors).toEqual([]);
  });

  it('has no serious or critical axe-core violation in any lab section', async () => {
    // The numerics table with its NaN cell, as the page opens.
    await page.fill('#num-logits', '1000, 0, -1000');
    await page.click('#num-run');
    expect(await page.locator('#num-table td.bad').count()).toBe(2); // exp(1000) = ∞ and the naive NaN
    expect(await seriousAxeViolations(page, ['#lab-templates', '#lab-draw', '#lab-grid', '#lab-overfit', '#lab-numerics'])).toEqual([]);
  });

  it('fine-tunes loaded weights (Resume becomes Fine-tune) and resumes a stopped run with a new learning rate', async () => {
    await train({ model: 'softmax', epochs: 1, lr: 0.1, seed: 2 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    await page.setInputFiles('#load', (await download.path())!);
    await waitForStatus(page, ['loaded']);
    expect(await page.textContent('#resume')).toBe('Fine-tune');
    expect(await page.isEnabled('#resume')).toBe(true);
    const loadedAcc = Number(await page.getAttribute('#test-acc', 'data-value'));
    await setSettings(page, { epochs: 1, lr: 0.02 });
    expect(await clickAndWaitForStatus(page, '#resume', ['done', 'error', 'stopped'])).toBe('done');
    expect(await workerConfig(page)).toMatchObject({ lr: 0.02, epochs: 1 });
    // Fine-tuned from the loaded weights, not from scratch: one more epoch at a small rate keeps them good.
    expect(Number(await page.getAttribute('#test-acc', 'data-value'))).toBeGreaterThan(loadedAcc - 0.02);
    expect(errors).toEqual([]);
  });

  it('takes the lab\'s screenshot (weight templates and the over-fitting overlay)', async () => {
    expect(await page.locator('#templates figcaption').allTextContents()).toEqual(CLASSES); // the fine-tuned softmax model
    await page.evaluate(() => {
      for (const id of ['lab-grid', 'lab-numerics']) document.getElementById(id)!.style.display = 'none';
    });
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    await page.locator('#lab').screenshot({ path: join(OUT, 'demo-lab.png') });
    await page.evaluate(() => {
      for (const id of ['lab-grid', 'lab-numerics']) document.getElementById(id)!.style.display = '';
    });
  });
});
