// Softmax / log-softmax kernels inside the wasm: the SIMD exports against their scalar `*_ref` twins at
// sizes that exercise every tail (rows and strided [outer, dim, inner] layouts), values worked by hand,
// and the stability cases of the seed notes (±1e4, -inf entries, all-equal rows).
import { describe, expect, it } from 'vitest';
import { kernels, reference, type Kernels } from '../../src/backend/index.js';
import { IMPLEMENTATIONS, SIZES, list, read, storageScope } from '../helpers/kernels.js';
import { closeCheck, seededValues } from '../helpers/values.js';

const NINF = Number.NEGATIVE_INFINITY;

const { from, zeros } = storageScope();
const values = (n: number, seed: number, lo = -4, hi = 4): Float32Array => seededValues(n, seed, lo, hi);
const expectClose = closeCheck({ relativeTo: 'larger' });

type Fwd = 'softmax' | 'logSoftmax';
type Bwd = 'softmaxBackward' | 'logSoftmaxBackward';

function fwd(k: Kernels, op: Fwd, x: ArrayLike<number>, outer: number, dim: number, inner: number): Float32Array {
  const y = zeros(x.length);
  k[op](from(x), y, outer, dim, inner);
  return read(y);
}
function bwd(k: Kernels, op: Bwd, y: ArrayLike<number>, dy: ArrayLike<number>, outer: number, dim: number, inner: number): Float32Array {
  const dx = zeros(y.length);
  k[op](from(y), from(dy), dx, outer, dim, inner);
  return read(dx);
}

/** f64 softmax / log-softmax along dim of [outer, dim, inner], straight from the definition. */
function softmax64(x: ArrayLike<number>, outer: number, dim: number, inner: number, log: boolean): Float64Array {
  const y = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (d: number): number => (o * dim + d) * inner + i;
      let m = -Infinity;
      for (let d = 0; d < dim; d++) m = Math.max(m, x[at(d)]);
      let s = 0;
      for (let d = 0; d < dim; d++) s += Math.exp(x[at(d)] - m);
      for (let d = 0; d < dim; d++) y[at(d)] = log ? x[at(d)] - m - Math.log(s) : Math.exp(x[at(d)] - m) / s;
    }
  }
  return y;
}

describe('softmax / log_softmax: fast vs reference', () => {
  const shapes: [number, number, number][] = [];
  for (const dim of SIZES) {
    for (const outer of [1, 3]) shapes.push([outer, dim, 1]);
    for (const inner of [2, 3, 4, 5, 7]) if (dim <= 31 || inner <= 3) shapes.push([2, dim, inner]);
  }
  for (const n of SIZES) shapes.push([n, 10, 1]);
  shapes.push([256, 10, 1], [256, 10, 3]);

  it.each(shapes)('outer %i, dim %i, inner %i', (outer, dim, inner) => {
    const n = outer * dim * inner;
    const x = values(n, outer * 1000 + dim * 10 + inner, -20, 20);
    const dy = values(n, n + 7, -2, 2);
    for (const op of ['softmax', 'logSoftmax'] as const) {
      const a = fwd(kernels, op, x, outer, dim, inner);
      const b = fwd(reference, op, x, outer, dim, inner);
      expectClose(a, b, 4e-6, 1e-7, `${op} fast vs ref`);
      expectClose(a, softmax64(x, outer, dim, inner, op === 'logSoftmax'), 1e-5, 2e-7, `${op} vs f64`);
    }
    const y = fwd(reference, 'softmax', x, outer, dim, inner);
    expectClose(bwd(kernels, 'softmaxBackward', y, dy, outer, dim, inner),
      bwd(reference, 'softmaxBackward', y, dy, outer, dim, inner), 1e-5, 1e-6, 'softmax backward');
    const yl = fwd(reference, 'logSoftmax', x, outer, dim, inner);
    expectClose(bwd(kernels, 'logSoftmaxBackward', yl, dy, outer, dim, inner),
      bwd(reference, 'logSoftmaxBackward', yl, dy, outer, dim, inner), 1e-5, 1e-5, 'log_softmax backward');
  });
});

describe.each(IMPLEMENTATIONS)('softmax by hand and stability (%s)', (_name, k) => {
  it('softmax([1, 2, 3])', () => {
    // e^(j-3) / (e^-2 + e^-1 + 1) = 0.09003057, 0.24472847, 0.66524096
    expectClose(fwd(k, 'softmax', [1, 2, 3], 1, 3, 1), [0.09003057, 0.24472847, 0.66524096], 2e-7, 0, 'softmax');
    // ln of those: -2.40760596, -1.40760596, -0.40760596
    expectClose(fwd(k, 'logSoftmax', [1, 2, 3], 1, 3, 1), [-2.40760596, -1.40760596, -0.40760596], 2e-7, 0, 'log');
  });

  it('a strided layout [1, 3, 2] reduces along the middle axis', () => {
    // columns [1, 2, 3] and [0, 0, 0]
    const y = fwd(k, 'softmax', [1, 0, 2, 0, 3, 0], 1, 3, 2);
    expectClose(y, [0.09003057, 1 / 3, 0.24472847, 1 / 3, 0.66524096, 1 / 3], 2e-7, 0, 'strided');
  });

  it('logits of ±1e4 give exact, finite values', () => {
    expect(list(fwd(k, 'softmax', [1e4, -1e4, 1e4, 0], 1, 4, 1))).toEqual([0.5, 0, 0.5, 0]);
    const l2 = Math.fround(-Math.LN2);
    expectClose(fwd(k, 'logSoftmax', [1e4, -1e4, 1e4, 0], 1, 4, 1), [l2, -2e4 + l2, l2, -1e4 + l2], 1e-7, 0, 'log ±1e4');
    const y = fwd(k, 'logSoftmax', [1e4, -1e4, 1e4, 0], 1, 4, 1);
    // d/dx of Σ dy·log_softmax: dy − p·Σdy with p = [.5, 0, .5, 0], Σdy = 10
    expect(list(bwd(k, 'logSoftmaxBackward', y, [1, 2, 3, 4], 1, 4, 1))).toEqual([-4, 2, -2, 4]);
    const p = fwd(k, 'softmax', [1e4, -1e4, 1e4, 0], 1, 4, 1);
    // p ⊙ (dy − Σ p·dy), Σ p·dy = 2
    expect(list(bwd(k, 'softmaxBackward', p, [1, 2, 3, 4], 1, 4, 1))).toEqual([-0.5, 0, 0.5, 0]);
  });

  it('-inf entries give 0 / -inf and finite gradients; an all -inf row is NaN (as PyTorch)', () => {
    const x = [NINF, 0, NINF, 0, NINF, NINF, NINF, NINF, NINF]; // 9: past a 8-wide block
    expect(list(fwd(k, 'softmax', x, 1, 9, 1))).toEqual([0, 0.5, 0, 0.5, 0, 0, 0, 0, 0]);
    const l2 = Math.fround(-Math.LN2);
    expect(list(fwd(k, 'logSoftmax', x, 1, 9, 1))).toEqual([NINF, l2, NINF, l2, NINF, NINF, NINF, NINF, NINF]);
    const dy = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const g = bwd(k, 'logSoftmaxBackward', fwd(k, 'logSoftmax', x, 1, 9, 1), dy, 1, 9, 1);
    expect(list(g)).toEqual([1, 2 - 22.5, 3, 4 - 22.5, 5, 6, 7, 8, 9]);
    const gs = bwd(k, 'softmaxBackward', fwd(k, 'softmax', x, 1, 9, 1), dy, 1, 9, 1);
    expect(list(gs)).toEqual([0, -0.5, 0, 0.5, 0, 0, 0, 0, 0]);
    // a row of -inf next to a normal row: only that row is NaN
    const y = fwd(k, 'softmax', [NINF, NINF, NINF, 1, 2, 3], 2, 3, 1);
    expect(y.slice(0, 3).every(Number.isNaN)).toBe(true);
    expectClose(y.slice(3), [0.09003057, 0.24472847, 0.66524096], 2e-7, 0, 'finite row');
  });

  it('all-equal rows give exactly 1/n (powers of two) and the right gradient', () => {
    for (const n of [1, 2, 4, 8, 16, 32, 256]) {
      const x = new Array<number>(n).fill(-7.25);
      expect(fwd(k, 'softmax', x, 1, n, 1).every((v) => v === Math.fround(1 / n))).toBe(true);
      expectClose(fwd(k, 'logSoftmax', x, 1, n, 1), new Array<number>(n).fill(-Math.log(n)), 1.2e-7, 0, `log n = ${n}`);
    }
    const y = fwd(k, 'softmax', new Array<number>(10).fill(3), 1, 10, 1);
    expectClose(y, new Array<number>(10).fill(0.1), 1e-7, 0, 'n = 10');
    // softmax backward with dy = onehot(0): p(δ − p) = [.1·.9, −.01, …]
    const dy = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expectClose(bwd(k, 'softmaxBackward', y, dy, 1, 10, 1), [0.09, ...new Array<number>(9).fill(-0.01)], 1e-6, 0, 'bwd');
  });

  it('finite-difference check of both backwards (f64 differences of the f64 definition)', () => {
    for (const [dim, inner] of [[5, 1], [17, 1], [6, 3]] as const) {
      const x = values(dim * inner, dim + inner, -3, 3);
      const w = values(dim * inner, 99, -1, 1);
      for (const log of [false, true]) {
        const y = fwd(k, log ? 'logSoftmax' : 'softmax', x, 1, dim, inner);
        const g = bwd(k, log ? 'logSoftmaxBackward' : 'softmaxBackward', y, w, 1, dim, inner);
        const loss = (xs: Float64Array): number => softmax64(xs, 1, dim, inner, log).reduce((s, v, i) => s + v * w[i], 0);
        const h = 1e-6;
        for (let i = 0; i < x.length; i++) {
          const xp = Float64Array.from(x);
          const xm = Float64Array.from(x);
          xp[i] += h;
          xm[i] -= h;
          const fd = (loss(xp) - loss(xm)) / (2 * h);
          expect(Math.abs(fd - g[i]), `dim ${dim} inner ${inner} log ${log} [${i}]`).toBeLessThan(3e-6 * (1 + Math.abs(fd)));
        }
      }
    }
  });
});

describe('sizes', () => {
  it('zero-sized shapes are no-ops', () => {
    const y = from([5, 5, 5]);
    kernels.softmax(from([]), y, 0, 3, 1);
    kernels.logSoftmax(from([]), y, 3, 0, 1);
    expect(list(read(y))).toEqual([5, 5, 5]);
  });
});
