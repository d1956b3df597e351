// Fused cross-entropy (logits + int32 labels) inside the wasm: SIMD vs the scalar `*_ref` twin at sizes that
// exercise every tail, against the f64 definition (PyTorch's CrossEntropyLoss with label smoothing), values
// worked by hand, the stability cases (±1e4, -inf logits, all-equal rows) and the bad-label error.
import { describe, expect, it } from 'vitest';
import { KernelError, kernels, reference, type Kernels, type Reduction } from '../../src/backend/index.js';
import { IMPLEMENTATIONS, SIZES, list, read, storageScope } from '../helpers/kernels.js';
import { closeCheck, seededValues } from '../helpers/values.js';

const NINF = Number.NEGATIVE_INFINITY;

const { from, ints, filled } = storageScope();
const values = (n: number, seed: number, lo = -4, hi = 4): Float32Array => seededValues(n, seed, lo, hi);
const expectClose = closeCheck({ relativeTo: 'larger' });

function loss(k: Kernels, logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number, eps: number,
  reduction: Reduction): Float32Array {
  const out = filled(reduction === 'none' ? labels.length : 1, 7);
  k.crossEntropy(from(logits), ints(labels), labels.length, classes, eps, reduction, out);
  return read(out);
}
function grad(k: Kernels, logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number, eps: number,
  dloss: ArrayLike<number>, scale: number): Float32Array {
  const g = filled(logits.length, 7);
  k.crossEntropyBackward(from(logits), ints(labels), labels.length, classes, eps, from(dloss), scale, g);
  return read(g);
}

/** PyTorch's per-sample loss in f64: (1−ε)(lse − o_y) + (ε/C) Σ_j (lse − o_j). */
function ce64(row: ArrayLike<number>, y: number, eps: number): number {
  let m = -Infinity;
  for (let j = 0; j < row.length; j++) m = Math.max(m, row[j]);
  let s = 0;
  for (let j = 0; j < row.length; j++) s += Math.exp(row[j] - m);
  const lse = m + Math.log(s);
  let smooth = 0;
  for (let j = 0; j < row.length; j++) smooth += lse - row[j];
  return (1 - eps) * (lse - row[y]) + (eps / row.length) * smooth;
}
/** Its gradient in f64: (softmax − target)·f. */
function grad64(row: ArrayLike<number>, y: number, eps: number, f: number): number[] {
  let m = -Infinity;
  for (let j = 0; j < row.length; j++) m = Math.max(m, row[j]);
  let s = 0;
  for (let j = 0; j < row.length; j++) s += Math.exp(row[j] - m);
  const c = row.length;
  return Array.from(row, (v, j) => (Math.exp(v - m) / s - ((j === y ? 1 - eps : 0) + eps / c)) * f);
}

describe('cross_entropy: fast vs reference vs the f64 definition', () => {
  const shapes: [number, number][] = [];
  for (const c of SIZES) for (const r of [1, 3, 17]) shapes.push([r, c]);
  for (const r of SIZES) shapes.push([r, 10]);
  shapes.push([256, 10]);

  it.each(shapes)('%i rows × %i classes', (rows, classes) => {
    const logits = values(rows * classes, rows * 1000 + classes, -15, 15);
    const labels = Array.from({ length: rows }, (_, i) => (i * 31 + 7) % classes);
    const dl = values(rows, rows + classes, -2, 2);
    for (const eps of [0, 0.1]) {
      const per = labels.map((y, i) => ce64(logits.subarray(i * classes, (i + 1) * classes), y, eps));
      const sum = per.reduce((a, b) => a + b, 0);
      const want: Record<Reduction, number[]> = { none: per, mean: [sum / rows], sum: [sum] };
      for (const red of ['none', 'mean', 'sum'] as const) {
        const a = loss(kernels, logits, labels, classes, eps, red);
        const b = loss(reference, logits, labels, classes, eps, red);
        expectClose(a, b, 1e-5, 1e-6, `loss ${red} ε=${eps} fast vs ref`);
        expectClose(a, want[red], 1e-5, 1e-6, `loss ${red} ε=${eps} vs f64`);
      }
      // reduction none (dloss per row, scale 1) and mean (dloss [1], scale 1/rows)
      for (const [d, sc] of [[dl, 1], [[1], 1 / rows]] as const) {
        const a = grad(kernels, logits, labels, classes, eps, d, sc);
        const b = grad(reference, logits, labels, classes, eps, d, sc);
        expectClose(a, b, 1e-6, 1e-7, `grad ε=${eps} fast vs ref`);
        const w: number[] = [];
        for (let i = 0; i < rows; i++) {
          w.push(...grad64(logits.subarray(i * classes, (i + 1) * classes), labels[i], eps, (d.length === 1 ? d[0] : d[i]) * sc));
        }
        expectClose(a, w, 1e-5, 1e-7, `grad ε=${eps} vs f64`);
      }
    }
  });
});

describe.each(IMPLEMENTATIONS)('cross_entropy by hand and stability (%s)', (_name, k) => {
  it('a known row, with and without label smoothing', () => {
    // o = [1, 2, 3]: lse = 3 + ln(1 + e^-1 + e^-2) = 3.40760596
    expectClose(loss(k, [1, 2, 3], [2], 3, 0, 'none'), [0.40760596], 1e-7, 0, 'label 2');
    expectClose(loss(k, [1, 2, 3], [0], 3, 0, 'none'), [2.40760596], 1e-7, 0, 'label 0');
    // ε = 0.1: 0.9·0.40760596 + (0.1/3)·(3·3.40760596 − 6) = 0.50760596
    expectClose(loss(k, [1, 2, 3], [2], 3, 0.1, 'none'), [0.50760596], 1e-7, 0, 'smoothed');
    // two rows: mean and sum
    expectClose(loss(k, [1, 2, 3, 1, 2, 3], [2, 0], 3, 0, 'mean'), [1.40760596], 1e-7, 0, 'mean');
    expectClose(loss(k, [1, 2, 3, 1, 2, 3], [2, 0], 3, 0, 'sum'), [2.81521192], 1e-7, 0, 'sum');
    // gradient = softmax − onehot: [0.09003057, 0.24472847, 0.66524096 − 1]
    expectClose(grad(k, [1, 2, 3], [2], 3, 0, [1], 1), [0.09003057, 0.24472847, -0.33475904], 1e-6, 0, 'grad');
    // ε = 0.3 (target 0.8 / 0.1 / 0.1), dloss 2, scale 0.5
    expectClose(grad(k, [1, 2, 3], [0], 3, 0.3, [2], 0.5), [0.09003057 - 0.8, 0.24472847 - 0.1, 0.66524096 - 0.1], 1e-6, 0, 'grad ε');
    // mean over 2 rows: scale 1/2
    expectClose(grad(k, [1, 2, 3, 1, 2, 3], [2, 0], 3, 0, [1], 0.5),
      [0.045015285, 0.122364235, -0.16737952, 0.045015285 - 0.5, 0.122364235, 0.33262048], 1e-6, 0, 'grad mean');
  });

  it('logits of ±1e4: exact loss and gradient', () => {
    const o = [1e4, -1e4, 0];
    expect(list(loss(k, o, [0], 3, 0, 'none'))).toEqual([0]);
    expect(list(loss(k, o, [1], 3, 0, 'none'))).toEqual([2e4]);
    expect(list(loss(k, o, [2], 3, 0, 'none'))).toEqual([1e4]);
    expect(list(grad(k, o, [0], 3, 0, [1], 1))).toEqual([0, 0, 0]);
    expect(list(grad(k, o, [1], 3, 0, [1], 1))).toEqual([1, -1, 0]);
    // smoothing: (ε/3)·(0 + 2e4 + 1e4) with ε = 0.1 → 1000
    expectClose(loss(k, o, [0], 3, 0.1, 'none'), [1000], 1e-6, 0, 'smoothed ±1e4');
    // 256 rows × 10 of ±1e4 (SIMD blocks + tails): +1e4 at j = r % 10 (the label) and j = 3r % 10
    const rows = 256;
    const big = Array.from({ length: rows * 10 }, (_, i) => {
      const r = Math.floor(i / 10);
      const j = i % 10;
      return j === r % 10 || j === (3 * r) % 10 ? 1e4 : -1e4;
    });
    const labels = Array.from({ length: rows }, (_, r) => r % 10);
    const count = labels.map((y, r) => (y === (3 * r) % 10 ? 1 : 2));
    expectClose(loss(k, big, labels, 10, 0, 'none'), count.map(Math.log), 1e-7, 0, '256×10 ±1e4');
    const want = big.map((v, i) => {
      const r = Math.floor(i / 10);
      return ((v === 1e4 ? 1 / count[r] : 0) - (i % 10 === labels[r] ? 1 : 0)) / rows;
    });
    expectClose(grad(k, big, labels, 10, 0, [1], 1 / rows), want, 1e-6, 0, '256×10 ±1e4 grad');
  });

  it('-inf logits with a finite label logit and ε = 0: finite loss and gradient', () => {
    const o = [NINF, 0, 0, NINF];
    expectClose(loss(k, o, [1], 4, 0, 'none'), [Math.LN2], 1e-7, 0, 'ln 2');
    expect(list(grad(k, o, [1], 4, 0, [1], 1))).toEqual([0, -0.5, 0.5, 0]);
    // 9 classes (block + tail), ±1e4 next to -inf
    const o9 = [NINF, 1e4, NINF, -1e4, NINF, NINF, NINF, 1e4, NINF];
    expectClose(loss(k, o9, [1], 9, 0, 'none'), [Math.LN2], 1e-7, 0, 'ln 2 (9)');
    expectClose(loss(k, o9, [3], 9, 0, 'none'), [2e4 + Math.LN2], 1e-7, 0, '2e4 + ln 2');
    expect(list(grad(k, o9, [3], 9, 0, [1], 1))).toEqual([0, 0.5, 0, -1, 0, 0, 0, 0.5, 0]);
    // mean over rows of which some contain -inf
    expectClose(loss(k, [...o, 1, 2, 3, 4], [1, 3], 4, 0, 'mean'), [(Math.LN2 + ce64([1, 2, 3, 4], 3, 0)) / 2], 1e-7, 0, 'mean');
    // with ε > 0 the smoothing term is +inf (PyTorch too); the gradient stays finite
    expect(list(loss(k, o, [1], 4, 0.1, 'none'))).toEqual([Infinity]);
    expect(grad(k, o, [1], 4, 0.1, [1], 1).every(Number.isFinite)).toBe(true);
    // a row of only -inf is NaN (PyTorch too)
    expect(Number.isNaN(loss(k, [NINF, NINF, NINF], [0], 3, 0, 'none')[0])).toBe(true);
  });

  it('all-equal rows: loss ln C, gradient 1/C − target', () => {
    for (const c of [1, 3, 4, 10, 17, 257]) {
      const o = new Array<number>(c).fill(-2.5);
      for (const eps of [0, 0.2]) {
        expectClose(loss(k, o, [c - 1], c, eps, 'none'), [Math.log(c)], 2e-7, 1e-7, `C ${c} ε ${eps}`);
        const base = 1 / c - eps / c;
        const want = Array.from({ length: c }, (_, j) => (j === c - 1 ? base - (1 - eps) : base));
        expectClose(grad(k, o, [c - 1], c, eps, [1], 1), want, 1e-6, 1e-7, `grad C ${c} ε ${eps}`);
      }
    }
  });

  it('a label outside [0, classes) throws a KernelError naming it, before writing anything', () => {
    const logits = values(4 * 10, 3);
    for (const [labels, bad, at] of [
      [[0, 1, 9, 12], 12, 3],
      [[-1, 0, 0, 0], -1, 0],
      [[0, 10, 0, 0], 10, 1],
    ] as const) {
      for (const red of ['none', 'mean', 'sum'] as const) {
        const out = filled(red === 'none' ? 4 : 1, 7);
        let err: unknown;
        try {
          k.crossEntropy(from(logits), ints(labels), 4, 10, 0, red, out);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(KernelError);
        expect((err as Error).message).toContain(`label ${bad} at index ${at} is outside [0, 10)`);
        expect(list(read(out)).every((v) => v === 7)).toBe(true);
      }
      const g = filled(40, 7);
      expect(() => k.crossEntropyBackward(from(logits), ints(labels), 4, 10, 0, from([1]), 1, g))
        .toThrow(`label ${bad} at index ${at} is outside [0, 10)`);
      expect(list(read(g)).every((v) => v === 7)).toBe(true);
    }
  });
});
