// d2l.ai 10.6 (self-attention and positional encoding) ported to examples/d2l/self-attention.ts, checked
// against its mirror parity/d2l/ch10_6_self_attention.py: nothing is random, so the port prints every
// line PyTorch prints (the committed output, and the mirror run live). d2l.PositionalEncoding's whole P
// is checked against the book's formula, and the strided writes it makes against hand-worked values.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arange, tensor, zeros } from '../../src/index.js';
import { PositionalEncoding } from '../../examples/d2l/d2l.js';
import { printedDifference } from '../helpers/printed-output.js';
import { D2L, torchMissing } from '../helpers/d2l-programs.js';
import { trainMirror, trainPort } from '../helpers/d2l-training.js';

const PORT = 'self-attention';
const MIRROR = 'ch10_6_self_attention';
const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l 10.6: live PyTorch run skipped — ${NO_TORCH}; the committed output is still checked`);

const SLOW = 120_000;

describe('d2l 10.6 positional encoding: the port prints what PyTorch prints', () => {
  it('every line as the committed output', async () => {
    const ours = await trainPort(PORT);
    expect(printedDifference(ours, readFileSync(join(D2L, 'expected', `${MIRROR}.txt`), 'utf8'))).toBeNull();
  }, SLOW);

  it.skipIf(NO_TORCH !== null)(`every line as ${MIRROR}.py prints run live`, async () => {
    const [ours, torch] = await Promise.all([trainPort(PORT), trainMirror(MIRROR)]);
    expect(printedDifference(ours, torch)).toBeNull();
  }, SLOW);
});

describe('d2l.PositionalEncoding', () => {
  it('P[0, i, 2j] = sin(i / 10000^(2j/d)), P[0, i, 2j+1] = cos(…), and forward adds P[:, :n, :]', () => {
    const [d, maxLen] = [32, 60];
    const pe = new PositionalEncoding(d, 0, maxLen);
    expect(pe.P.shape).toEqual([1, maxLen, d]);
    const P = pe.P.toArray();
    for (let i = 0; i < maxLen; i++) {
      for (let j = 0; j < d / 2; j++) {
        const angle = i / 10000 ** (2 * j / d);
        expect(Math.abs(P[i * d + 2 * j] - Math.sin(angle)), `P[0, ${i}, ${2 * j}]`).toBeLessThan(2e-5);
        expect(Math.abs(P[i * d + 2 * j + 1] - Math.cos(angle)), `P[0, ${i}, ${2 * j + 1}]`).toBeLessThan(2e-5);
      }
    }
    pe.eval();
    const X = arange(2 * 3 * d, { dtype: 'float32' }).reshape(2, 3, d);
    const Y = pe.forward(X).toArray();
    const x = X.toArray();
    for (let k = 0; k < Y.length; k++) expect(Y[k]).toBe(Math.fround(x[k] + P[k % (3 * d)]));
    // P is a plain attribute, as in the book: no parameter, no state-dict entry
    expect(pe.parameters()).toHaveLength(0);
    expect(Object.keys(pe.stateDict())).toEqual([]);
  });

  it('P[:, :, 0::2] = a and P[:, :, 1::2] = b interleave the columns', () => {
    const P = zeros([1, 2, 4]);
    P.indexPut_([':', ':', '0::2'], tensor([[1, 2], [3, 4]]));
    P.indexPut_([':', ':', '1::2'], tensor([[5, 6], [7, 8]]));
    expect(Array.from(P.toArray())).toEqual([1, 5, 2, 6, 3, 7, 4, 8]);
  });
});
