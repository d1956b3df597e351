// d2l.ai 4.2 (MLP from scratch) ported to examples/d2l/mlp-scratch.ts, checked against its mirror
// parity/d2l/ch4_2_mlp_scratch.py. Run live, the mirror records its W1 / W2 draws and its batch orders
// (D2L_RECORD, D2L_SHARE_ORDERS=1; too big to commit), and the port replaying them prints PyTorch's
// lines: there is no other randomness, only float32 rounding in another order (checked to its size). Against the committed output (the book's 10 epochs) the
// port's own draws and shuffles are checked within bounds. The tests train 2–3 epochs (D2L_EPOCHS), not 10.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { printedDifference } from '../helpers/printed-output.js';
import { D2L, torchMissing } from '../helpers/d2l-programs.js';
import { expectEpochsNear, parseTraining, trainMirror, trainPort } from '../helpers/d2l-training.js';

const PORT = 'mlp-scratch';
const MIRROR = 'ch4_2_mlp_scratch';
const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l 4.2: live PyTorch run skipped — ${NO_TORCH}; the committed output is still checked`);

const TMP = mkdtempSync(join(tmpdir(), 'd2l-mlp-scratch-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** A few epochs: about 3 s each for the port, 1 s for PyTorch (more on a busy machine). */
const SLOW = 240_000;

/** The prediction lines: trues as PyTorch's, and at least `agree` of the six predictions PyTorch's. */
function expectPredictions(after: string[], torchAfter: string[], agree: number): void {
  expect(after).toHaveLength(2);
  expect(after[0]).toBe(torchAfter[0]);
  expect(after[1]).toMatch(/^preds: /);
  const [ours, theirs] = [after[1], torchAfter[1]].map((l) => l.slice('preds: '.length).split(', '));
  expect(ours).toHaveLength(6);
  expect(ours.filter((p, i) => p === theirs[i]).length).toBeGreaterThanOrEqual(agree);
}

describe('d2l 4.2 MLP from scratch: the port prints what PyTorch prints', () => {
  it.skipIf(NO_TORCH !== null)(`replaying the draws and batch orders of ${MIRROR}.py run live: every line as it prints`, async () => {
    const start = join(TMP, `${MIRROR}.start.safetensors`);
    const env = { D2L_SHARE_ORDERS: '1', D2L_EPOCHS: '2' };
    const torch = await trainMirror(MIRROR, { D2L_RECORD: start, ...env });
    const [want, got] = [parseTraining(torch), parseTraining(await trainPort(PORT, { D2L_REPLAY: start, ...env }))];
    expect(want.runs[0]).toHaveLength(2);
    expect(got.runs[0]).toHaveLength(2);
    // The same computation in another summation order (float32): the losses agree to 1e-4, and the
    // accuracies but for the few examples whose prediction the last bits flip (2 of the 10,000 test
    // images after 2 epochs here).
    expectEpochsNear(got.runs[0], want.runs[0], { loss: 1e-4, trainAcc: 10 / 60_000, testAcc: 5 / 10_000 }, 'replayed MLP');
    expect(printedDifference(got.after.join('\n'), want.after.join('\n'))).toBeNull();
  }, SLOW);

  it('with its own draws and shuffles: the committed run\'s first epochs within bounds, its predictions', async () => {
    const want = parseTraining(readFileSync(join(D2L, 'expected', `${MIRROR}.txt`), 'utf8'));
    // the book's 10 epochs, ending where the book's asserts require
    expect(want.runs).toHaveLength(1);
    expect(want.runs[0]).toHaveLength(10);
    const [loss, trainAcc, testAcc] = want.runs[0][9];
    expect(loss).toBeLessThan(0.5);
    expect(trainAcc).toBeGreaterThan(0.7);
    expect(testAcc).toBeGreaterThan(0.7);

    const ours = parseTraining(await trainPort(PORT, { D2L_EPOCHS: '3' }));
    expect(ours.before).toEqual([]);
    expect(ours.runs).toHaveLength(1);
    expect(ours.runs[0]).toHaveLength(3);
    // another init and batch order moves an epoch's loss by ~0.01 and its test accuracy by up to ~0.02
    expectEpochsNear(ours.runs[0], want.runs[0], { loss: 0.04, trainAcc: 0.02, testAcc: 0.05 }, 'MLP');
    // the loss falls as in the book's plot
    expect(ours.runs[0][0][0] - ours.runs[0][2][0]).toBeGreaterThan(0.3);
    // the six first test images after 3 epochs against PyTorch's after 10
    expectPredictions(ours.after, want.after, 4);
  }, SLOW);
});
