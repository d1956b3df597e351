// The d2l.ai chapter 10 sections on attention (10.2 Nadaraya-Watson attention pooling, 10.3 attention
// scoring functions, 10.5 multi-head attention) ported to examples/d2l/: each port runs as a program and must print what the book's
// PyTorch code prints (parity/d2l/ch10_*.py). Their inputs and weights are random draws, which the
// mirrors record and the ports replay (examples/d2l/shared.ts, D2L_REPLAY):
//
//   committed  the port (replaying expected/<mirror>.start.safetensors) prints expected/<mirror>.txt
//   live       when /usr/bin/python3 imports torch: the mirror runs now, recording its draws to a
//              temporary file, and the port replaying them prints what the mirror printed
//   own draws  the port without D2L_REPLAY prints the same text; the values that do not depend on the
//              draws (attention over equal keys, masked entries) are the same numbers

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { D2L, structure, torchMissing } from '../helpers/d2l-programs.js';
import { trainMirror, trainPort } from '../helpers/d2l-training.js';
import { printedDifference } from '../helpers/printed-output.js';

const CHAPTERS = [
  { port: 'nadaraya-watson', mirror: 'ch10_2_nadaraya_watson' },
  { port: 'attention-scoring', mirror: 'ch10_3_attention_scoring' },
  { port: 'multihead-attention', mirror: 'ch10_5_multihead_attention' },
] as const;

const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l chapter 10: live PyTorch runs skipped — ${NO_TORCH}; the committed outputs are still checked`);

const TMP = mkdtempSync(join(tmpdir(), 'd2l-attention-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const TIMEOUT = 120_000;
const NUMBER = /-?(?:\d+\.?\d*(?:e[+-]\d+)?|nan|inf)/g;

/** The numbers of the printed tensors, tensor by tensor (a tensor starts at a line beginning "tensor("). */
function tensors(text: string): number[][] {
  return text.split(/^(?=tensor\(|\[)/m).map((t) => (t.replace(/grad_fn=<\w+>/, '').match(NUMBER) ?? []).map(Number));
}

describe('d2l chapter 10.2, 10.3 and 10.5: the ports print what PyTorch prints', () => {
  for (const { port, mirror } of CHAPTERS) {
    const expected = (): string => readFileSync(join(D2L, 'expected', `${mirror}.txt`), 'utf8');

    it(`${port}: replaying the committed draws, as the committed output of ${mirror}.py`, async () => {
      const printed = await trainPort(port, { D2L_REPLAY: join(D2L, 'expected', `${mirror}.start.safetensors`) });
      expect(printedDifference(printed, expected())).toBeNull();
    }, TIMEOUT);

    it.skipIf(NO_TORCH !== null)(`${port}: replaying the draws of ${mirror}.py run live, as it prints`, async () => {
      const start = join(TMP, `${mirror}.start.safetensors`);
      const printed = await trainMirror(mirror, { D2L_RECORD: start });
      expect(printedDifference(await trainPort(port, { D2L_REPLAY: start }), printed)).toBeNull();
    }, TIMEOUT);

    it(`${port}: with its own draws, the same text`, async () => {
      const printed = await trainPort(port);
      expect(structure(printed)).toBe(structure(expected()));
      if (port === 'nadaraya-watson') {
        // n_test and the two batched products do not depend on the draws.
        const fixed = (text: string): string => text.split('\n').filter((_, i) => i === 0 || (i >= 3 && i <= 6)).join('\n');
        expect(printedDifference(fixed(printed), fixed(expected()))).toBeNull();
        return;
      }
      if (port !== 'attention-scoring') return;
      // What does not depend on the draws: masked entries are 0 and each row of weights sums to 1; the
      // keys are all equal, so additive attention weighs the valid values evenly (the book's point).
      const [m1, m2, additive, additiveWeights] = tensors(printed);
      const exp = tensors(expected());
      expect(additive).toEqual(exp[2]);
      expect(additiveWeights).toEqual(exp[3]);
      const rows = (t: number[]): number[][] => Array.from({ length: t.length / 4 }, (_, i) => t.slice(4 * i, 4 * i + 4));
      const valid = [[2, 2, 3, 3], [1, 3, 2, 4]];
      [m1, m2].forEach((t, k) => rows(t).forEach((row, i) => {
        row.slice(valid[k][i]).forEach((v) => expect(v).toBe(0));
        expect(Math.abs(row.reduce((a, b) => a + b) - 1)).toBeLessThan(2e-4);
      }));
    }, TIMEOUT);
  }
});
