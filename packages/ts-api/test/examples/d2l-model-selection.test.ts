// d2l.ai 4.4 (model selection: polynomial regression fitted with 4, 2 and 20 features) ported to
// examples/d2l/model-selection.ts, checked against its mirror parity/d2l/ch4_4_model_selection.py. The mirror
// records NumPy's draws (the shuffled features, the label noise) and the initial weights; run live with
// D2L_SHARE_ORDERS=1 it also records every pass's batch order (about 1 MB, not committed), and the port
// replaying them prints every line PyTorch prints. Replaying only the committed draws, each side shuffles
// with its own generator: the dataset lines must be PyTorch's, the loss curves and weights within bounds.
// With its own draws the port must show what the book shows: the right fit, underfitting, a fitted overfit.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { D2L, structure, torchMissing } from '../helpers/d2l-programs.js';
import { trainMirror, trainPort } from '../helpers/d2l-training.js';
import { printedDifference } from '../helpers/printed-output.js';

const PORT = 'model-selection';
const MIRROR = 'ch4_4_model_selection';
const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l 4.4: live PyTorch run skipped — ${NO_TORCH}; the committed output is still checked`);

const TMP = mkdtempSync(join(tmpdir(), 'd2l-model-selection-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** 400 + 400 + 1500 epochs on 100 examples: about 6 s for the port, 10–30 s for PyTorch on a busy machine. */
const SLOW = 180_000;

interface Run {
  /** [epoch, train loss, test loss] for each point the book plots. */
  points: number[][];
  weight: number[];
}

interface Printed { dataset: string; runs: Run[] }

function parse(text: string): Printed {
  const lines = text.trimEnd().split('\n');
  const first = lines.findIndex((l) => l.startsWith('epoch '));
  expect(first).toBeGreaterThan(0);
  const runs: Run[] = [];
  let points: number[][] = [];
  for (let i = first; i < lines.length; i++) {
    const m = /^epoch (\d+): train (\S+), test (\S+)$/.exec(lines[i]);
    if (m !== null) {
      points.push([Number(m[1]), Number(m[2]), Number(m[3])]);
      continue;
    }
    expect(lines[i]).toMatch(/^weight: \[\[/);
    let text = lines[i];
    while (!text.endsWith(']]')) text += ' ' + lines[++i];
    runs.push({ points, weight: text.slice('weight: [['.length, -2).trim().split(/\s+/).map(Number) });
    points = [];
  }
  expect(points).toEqual([]);
  expect(runs.map((r) => [r.points.length, r.weight.length])).toEqual([[21, 4], [21, 2], [76, 20]]);
  for (const r of runs) expect(r.points.map((p) => p[0])).toEqual([1, ...Array.from({ length: r.points.length - 1 }, (_, k) => 20 * (k + 1))]);
  return { dataset: lines.slice(0, first).join('\n'), runs };
}

/**
 * The same data, other batch orders: every plotted loss within 5% (+0.005) of PyTorch's, every weight within
 * 0.02 (SGD's noise on 100 examples; the final weights differ by under 0.005 in practice).
 */
function expectRunsLike(ours: Printed, torch: Printed): void {
  ours.runs.forEach((run, r) => {
    run.points.forEach(([epoch, train, test], i) => {
      const [, tTrain, tTest] = torch.runs[r].points[i];
      expect(Math.abs(train - tTrain), `run ${r + 1} epoch ${epoch}: train ${train} vs PyTorch's ${tTrain}`).toBeLessThan(0.05 * tTrain + 0.005);
      expect(Math.abs(test - tTest), `run ${r + 1} epoch ${epoch}: test ${test} vs PyTorch's ${tTest}`).toBeLessThan(0.05 * tTest + 0.005);
    });
    run.weight.forEach((w, j) => expect(Math.abs(w - torch.runs[r].weight[j]), `run ${r + 1} weight ${j}: ${w} vs ${torch.runs[r].weight[j]}`).toBeLessThan(0.02));
  });
}

/** What the book shows, whatever the draws. */
function expectBookBehaviour({ runs: [third, linear, high] }: Printed): void {
  const last = (r: Run): number[] => r.points[r.points.length - 1];
  // the third-order fit finds the true weights [5, 1.2, -3.4, 5.6] and losses near the noise's 0.01 / 2
  [5, 1.2, -3.4, 5.6].forEach((w, j) => expect(Math.abs(third.weight[j] - w)).toBeLessThan(0.5));
  expect(last(third)[1]).toBeLessThan(0.05);
  expect(last(third)[2]).toBeLessThan(0.05);
  // the linear fit underfits: both losses stay far above the third-order fit's
  expect(last(linear)[1]).toBeGreaterThan(20 * last(third)[1]);
  expect(last(linear)[2]).toBeGreaterThan(20 * last(third)[2]);
  // every run's training loss falls from its first point
  for (const r of [third, linear, high]) expect(last(r)[1]).toBeLessThan(r.points[0][1]);
}

describe('d2l 4.4 model selection: the port prints what PyTorch prints', () => {
  const expected = (): Printed => parse(readFileSync(join(D2L, 'expected', `${MIRROR}.txt`), 'utf8'));

  it('replaying the committed draws: the dataset as the committed output; the training within bounds', async () => {
    const ours = parse(await trainPort(PORT, { D2L_REPLAY: join(D2L, 'expected', `${MIRROR}.start.safetensors`) }));
    expect(printedDifference(ours.dataset, expected().dataset)).toBeNull();
    expectRunsLike(ours, expected());
    expectBookBehaviour(ours);
  }, SLOW);

  it.skipIf(NO_TORCH !== null)(`replaying the draws and batch orders of ${MIRROR}.py run live: every line as it prints`, async () => {
    const start = join(TMP, `${MIRROR}.start.safetensors`);
    const shareOrders = { D2L_SHARE_ORDERS: '1' };
    const torch = await trainMirror(MIRROR, { D2L_RECORD: start, ...shareOrders });
    const ours = await trainPort(PORT, { D2L_REPLAY: start, ...shareOrders });
    expect(printedDifference(ours, torch)).toBeNull();
    expectBookBehaviour(parse(ours));
  }, SLOW);

  it('with its own draws: the same dataset text, and what the book shows', async () => {
    const ours = parse(await trainPort(PORT));
    expect(structure(ours.dataset)).toBe(structure(expected().dataset));
    // powers of x over i!: column 0 is 1 for every example
    expect(ours.dataset).toMatch(/tensor\(\[\[ 1\.0000e\+00, /);
    expectBookBehaviour(ours);
  }, SLOW);
});
