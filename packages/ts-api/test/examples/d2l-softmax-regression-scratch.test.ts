// d2l.ai 3.6 (softmax regression from scratch) ported to examples/d2l/softmax-regression-scratch.ts, checked
// against its mirror parity/d2l/ch3_6_softmax_regression_scratch.py. The worked part (the softmax demo on the
// shared draw X, y_hat[[0, 1], y], cross_entropy, accuracy, the untrained model's test accuracy with the
// shared W) must print PyTorch's numbers when the port replays the mirror's draws (D2L_REPLAY). Run live,
// the mirror also records its 10 passes' batch orders (D2L_SHARE_ORDERS=1; 2.4 MB, not committed), and
// the port replaying them prints every line PyTorch prints, the 10 epochs and predictions included.
// Otherwise each side shuffles with its own generator: the epoch lines are checked against PyTorch's
// within bounds, and by the book's own asserts, which the port throws on (exit status ≠ 0).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/index.js';
import { D2L, runMirror, runPort, structure, torchMissing } from '../helpers/d2l-programs.js';
import { printedDifference } from '../helpers/printed-output.js';

const MIRROR = 'ch3_6_softmax_regression_scratch';

const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l 3.6: live PyTorch run skipped — ${NO_TORCH}; the committed output is still checked`);

const TMP = mkdtempSync(join(tmpdir(), 'd2l-softmax-scratch-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

// Both programs: what the shell may hold unset (draws, epochs), no download (Fashion-MNIST is on disk).
const ENV = { D2L_REPLAY: undefined, D2L_RECORD: undefined, D2L_EPOCHS: undefined, SOFTMAX_NN_NO_DOWNLOAD: '1' };
const port = (replay?: string, env: Record<string, string> = {}): Promise<string> =>
  runPort('softmax-regression-scratch', { ...ENV, D2L_REPLAY: replay, D2L_SHARE_ORDERS: undefined, ...env });

/** Ten epochs (about 5 s for the port, 10 s for PyTorch alone; more on a busy machine). */
const SLOW = 300_000;

interface Printed {
  /** Every line before the first epoch line. */
  worked: string;
  /** [train loss, train acc, test acc] per epoch. */
  epochs: number[][];
  trues: string;
  preds: string[];
}

function parse(text: string): Printed {
  const lines = text.trimEnd().split('\n');
  const first = lines.findIndex((l) => l.startsWith('epoch '));
  expect(first).toBeGreaterThan(0);
  const epochLines = lines.slice(first, first + 10);
  const epochs = epochLines.map((l, i) => {
    const m = /^epoch (\d+): train loss (\S+), train acc (\S+), test acc (\S+)$/.exec(l);
    expect(m, l).not.toBeNull();
    expect(Number(m![1])).toBe(i + 1);
    return [Number(m![2]), Number(m![3]), Number(m![4])];
  });
  const rest = lines.slice(first + 10);
  expect(rest).toHaveLength(2);
  expect(rest[0]).toMatch(/^trues: /);
  expect(rest[1]).toMatch(/^preds: /);
  return { worked: lines.slice(0, first).join('\n'), epochs, trues: rest[0], preds: rest[1].slice('preds: '.length).split(', ') };
}

/**
 * The port's training against PyTorch's with other shuffles: each epoch's figures within what a different
 * batch order moves them (loss ±0.02, train accuracy ±0.01, test accuracy ±0.03), the book's asserts on
 * the last epoch, and the first six test images' predictions mostly PyTorch's.
 */
function expectTrainingLike(ours: Printed, torch: Printed): void {
  expect(ours.epochs).toHaveLength(10);
  ours.epochs.forEach(([loss, trainAcc, testAcc], i) => {
    const [tLoss, tTrainAcc, tTestAcc] = torch.epochs[i];
    expect(Math.abs(loss - tLoss), `epoch ${i + 1} train loss ${loss} vs PyTorch's ${tLoss}`).toBeLessThan(0.02);
    expect(Math.abs(trainAcc - tTrainAcc), `epoch ${i + 1} train acc ${trainAcc} vs ${tTrainAcc}`).toBeLessThan(0.01);
    expect(Math.abs(testAcc - tTestAcc), `epoch ${i + 1} test acc ${testAcc} vs ${tTestAcc}`).toBeLessThan(0.03);
  });
  const [loss, trainAcc, testAcc] = ours.epochs[9];
  expect(loss).toBeLessThan(0.5);
  expect(trainAcc).toBeGreaterThan(0.7);
  expect(trainAcc).toBeLessThanOrEqual(1);
  expect(testAcc).toBeGreaterThan(0.7);
  expect(testAcc).toBeLessThanOrEqual(1);
  // the loss falls from the first epoch to the last, as in the book's plot
  expect(ours.epochs[0][0] - loss).toBeGreaterThan(0.25);
  expect(ours.trues).toBe(torch.trues);
  expect(ours.preds).toHaveLength(6);
  expect(ours.preds.filter((p, i) => p === torch.preds[i]).length).toBeGreaterThanOrEqual(5);
}

describe('d2l 3.6 softmax regression from scratch: the port prints what PyTorch prints', () => {
  const expected = (): Printed => parse(readFileSync(join(D2L, 'expected', `${MIRROR}.txt`), 'utf8'));

  it('replaying the committed draws: the worked tensors as the committed output; the training within bounds', async () => {
    const ours = parse(await port(join(D2L, 'expected', `${MIRROR}.start.safetensors`)));
    expect(printedDifference(ours.worked, expected().worked)).toBeNull();
    expectTrainingLike(ours, expected());
  }, SLOW);

  it.skipIf(NO_TORCH !== null)(`replaying the draws and batch orders of ${MIRROR}.py run live: every line as it prints`, async () => {
    const start = join(TMP, `${MIRROR}.start.safetensors`);
    const shareOrders = { D2L_SHARE_ORDERS: '1' };
    const torch = await runMirror(MIRROR, { ...ENV, D2L_RECORD: start, ...shareOrders });
    const ours = await port(start, shareOrders);
    expect(printedDifference(ours, torch)).toBeNull();
    expectTrainingLike(parse(ours), parse(torch));
  }, SLOW);

  it('with its own draws: the same text; the lines no draw reaches to the digit', async () => {
    const ours = parse(await port());
    const want = expected();
    expect(structure(ours.worked)).toBe(structure(want.worked));
    // X.sum(0 / 1, keepdim) (2 lines), y_hat[[0, 1], y], cross_entropy, accuracy / len(y); then the draws
    const [got, exact] = [ours.worked.split('\n'), want.worked.split('\n')];
    for (const i of [0, 1, 4, 5, 6]) expect(printedDifference(got[i], exact[i]), exact[i]).toBeNull();
    expectTrainingLike(ours, want);
  }, SLOW);
});

describe('what the port uses, with PyTorch\'s values', () => {
  const yHat = (): ReturnType<typeof tensor> => tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], { requiresGrad: true });
  const y = tensor([0, 2], { dtype: 'int32' });

  it('y_hat[[0, 1], y] picks one element per row; its gradient lands on those elements only', () => {
    const p = yHat();
    const picked = p.index([0, 1], y);
    expect(Array.from(picked.toArray())).toEqual([Math.fround(0.1), Math.fround(0.5)]);
    // d/dp of -log(p[i, y_i]) summed = -1 / p[i, y_i] at the picked places
    picked.log().neg().sum().backward();
    const g = Array.from(p.grad!.toArray());
    expect(g[0]).toBeCloseTo(-10, 4);
    expect(g[5]).toBeCloseTo(-2, 5);
    expect([g[1], g[2], g[3], g[4]]).toEqual([0, 0, 0, 0]);
  });

  it('argmax(1) is int32 (PyTorch: int64), .type(dtype) converts, the comparison counts with Number()', () => {
    const am = yHat().argmax(1);
    expect(am.dtype).toBe('int32');
    expect(Array.from(am.toArray())).toEqual([2, 2]);
    const cmp = am.type(y.dtype).eq(y);
    expect(cmp.dtype).toBe('bool');
    expect(Number(cmp.type(y.dtype).sum())).toBe(1);
  });
});
