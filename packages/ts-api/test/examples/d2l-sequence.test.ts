// d2l.ai 8.1 (sequence models) ported to examples/d2l/sequence.ts, checked against its mirror
// parity/d2l/ch8_1_sequence.py. Replaying the mirror's noise, initial network and the training loader's
// batch orders (D2L_REPLAY; small enough to commit), the port prints every line PyTorch prints: the data,
// the 5 epochs' losses, the 1-step, multistep and k-step predictions. With its own draws it prints the
// same text, its losses near PyTorch's.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slice, tensor, zeros } from '../../src/index.js';
import { printedDifference } from '../helpers/printed-output.js';
import { D2L, structure, torchMissing } from '../helpers/d2l-programs.js';
import { trainMirror, trainPort } from '../helpers/d2l-training.js';

const PORT = 'sequence';
const MIRROR = 'ch8_1_sequence';
const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l 8.1: live PyTorch run skipped — ${NO_TORCH}; the committed output is still checked`);

const TMP = mkdtempSync(join(tmpdir(), 'd2l-sequence-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** About 2 s for the port, 10 s for PyTorch (more on a busy machine). */
const SLOW = 120_000;

const expected = (): string => readFileSync(join(D2L, 'expected', `${MIRROR}.txt`), 'utf8');

/** The losses of the lines `epoch n, loss: v`, checking that they count 1…5. */
function losses(text: string): number[] {
  const lines = text.split('\n').filter((l) => l.startsWith('epoch '));
  return lines.map((l, i) => {
    const m = /^epoch (\d+), loss: (\d+\.\d{6})$/.exec(l);
    expect(m, l).not.toBeNull();
    expect(Number(m![1])).toBe(i + 1);
    return Number(m![2]);
  });
}

describe('d2l 8.1 sequence models: the port prints what PyTorch prints', () => {
  it('replaying the committed draws and batch orders: every line as the committed output', async () => {
    const ours = await trainPort(PORT, { D2L_REPLAY: join(D2L, 'expected', `${MIRROR}.start.safetensors`) });
    expect(printedDifference(ours, expected())).toBeNull();
    expect(losses(ours)).toHaveLength(5);
  }, SLOW);

  it.skipIf(NO_TORCH !== null)(`replaying the draws and batch orders of ${MIRROR}.py run live: every line as it prints`, async () => {
    const start = join(TMP, `${MIRROR}.start.safetensors`);
    const torch = await trainMirror(MIRROR, { D2L_RECORD: start });
    const ours = await trainPort(PORT, { D2L_REPLAY: start });
    expect(printedDifference(ours, torch)).toBeNull();
  }, SLOW);

  it('with its own draws: the same text; the training losses near PyTorch\'s', async () => {
    const ours = await trainPort(PORT);
    expect(structure(ours)).toBe(structure(expected()));
    const [mine, torch] = [losses(ours), losses(expected())];
    expect(mine).toHaveLength(5);
    // the noise alone has variance 0.04; another noise draw and batch order move the loss by < 0.03
    mine.forEach((l, i) => {
      expect(l).toBeGreaterThan(0.03);
      expect(Math.abs(l - torch[i]), `epoch ${i + 1}: loss ${l} vs PyTorch's ${torch[i]}`).toBeLessThan(0.03);
    });
  }, SLOW);
});

describe('the writes the port makes, as PyTorch makes them', () => {
  it('features[:, i] = x[i: n + i] fills column i', () => {
    const x = tensor([0, 1, 2, 3, 4]);
    const features = zeros([3, 2]);
    for (let i = 0; i < 2; i++) features.indexPut_([':', i], x.index(slice(i, 3 + i)));
    expect(Array.from(features.toArray())).toEqual([0, 1, 1, 2, 2, 3]);
  });

  it('multistep_preds[i] = a [1, 1] tensor: PyTorch drops the leading size-1 dims of the value', () => {
    const preds = zeros(3);
    preds.indexPut_([1], tensor([[7]]));
    expect(Array.from(preds.toArray())).toEqual([0, 7, 0]);
  });
});
