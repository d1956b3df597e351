// The weighted, ignore-aware cross-entropy inside the wasm: SIMD vs the scalar `*_ref` twin at sizes that
// exercise every tail, both against the f64 definition (PyTorch's cross_entropy with weight, ignore_index
// and label_smoothing; 'mean' over Σ weight[label]), with and without weights, and its errors. Tolerances:
// values 2e-6 relative (+1e-6 absolute), gradients 1e-5 relative to the row's largest term (+1e-7).
import { describe, expect, it } from 'vitest';
import { KernelError, type Kernels, type Reduction } from '../../src/backend/index.js';
import { IMPLEMENTATIONS, SIZES, list, read, storageScope } from '../helpers/kernels.js';
import { seededValues } from '../helpers/values.js';

const { from, ints, filled } = storageScope();

interface Case { logits: Float32Array; labels: number[]; weight: number[]; classes: number; ignore: number; eps: number }

function loss(k: Kernels, c: Case, reduction: Reduction): Float32Array {
  const out = filled(reduction === 'none' ? c.labels.length : 1, 7);
  k.crossEntropyWeighted(from(c.logits), ints(c.labels), from(c.weight), c.labels.length, c.classes, c.ignore, c.eps, reduction, out);
  return read(out);
}
function grad(k: Kernels, c: Case, reduction: Reduction, dloss: ArrayLike<number>): Float32Array {
  const g = filled(c.logits.length, 7);
  k.crossEntropyWeightedBackward(from(c.logits), ints(c.labels), from(c.weight), c.labels.length, c.classes, c.ignore, c.eps, reduction, from(dloss), g);
  return read(g);
}

/** Per row in f64: the loss (0 if ignored), its weight w_y (0 if ignored) and d loss / d logits. */
function row64(c: Case, i: number): { l: number; wy: number; g: number[] } {
  const C = c.classes;
  const row = Array.from(c.logits.subarray(i * C, (i + 1) * C));
  const y = c.labels[i];
  if (y === c.ignore) return { l: 0, wy: 0, g: new Array<number>(C).fill(0) };
  const w = (j: number): number => (c.weight.length === 0 ? 1 : Math.fround(c.weight[j]));
  const m = Math.max(...row);
  const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
  const lse = m + Math.log(s);
  let smooth = 0;
  let W = 0;
  for (let j = 0; j < C; j++) {
    smooth += w(j) * (lse - row[j]);
    W += w(j);
  }
  const l = (1 - c.eps) * w(y) * (lse - row[y]) + (c.eps / C) * smooth;
  const a = (1 - c.eps) * w(y) + (c.eps / C) * W;
  const g = row.map((v, j) => (Math.exp(v - m) / s) * a - (c.eps / C) * w(j) - (j === y ? (1 - c.eps) * w(y) : 0));
  return { l, wy: w(y), g };
}

function within(got: ArrayLike<number>, want: number[], rel: number, abs: number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i] - want[i]) <= rel * Math.abs(want[i]) + abs || (Number.isNaN(got[i]) && Number.isNaN(want[i]));
    if (!ok) throw new Error(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

describe.each(IMPLEMENTATIONS)('cross_entropy_weighted (%s) against the f64 definition', (_name, k) => {
  const shapes: [number, number][] = [];
  for (const classes of SIZES) for (const rows of [1, 3, 17]) shapes.push([rows, classes]);

  it.each(shapes)('%i rows × %i classes', (rows, classes) => {
    const logits = seededValues(rows * classes, rows * 1000 + classes, -8, 8);
    const labels = Array.from({ length: rows }, (_, i) => (i * 31 + 7) % classes);
    if (rows > 1) labels[1] = -100;
    const dl = Array.from(seededValues(rows, rows + classes, -2, 2));
    const w = Array.from(seededValues(classes, classes + 77, 0.25, 3));
    for (const weight of [w, []]) {
      for (const eps of [0, 0.1]) {
        const c: Case = { logits, labels, weight, classes, ignore: -100, eps };
        const per = labels.map((_, i) => row64(c, i));
        const sum = per.reduce((a, r) => a + r.l, 0);
        const wsum = per.reduce((a, r) => a + r.wy, 0);
        const tag = `${rows}x${classes} w${weight.length} ε${eps}`;
        within(loss(k, c, 'none'), per.map((r) => r.l), 2e-6, 1e-6, `none ${tag}`);
        within(loss(k, c, 'sum'), [sum], 2e-6, 1e-6, `sum ${tag}`);
        within(loss(k, c, 'mean'), [wsum === 0 ? NaN : sum / wsum], 2e-6, 1e-6, `mean ${tag}`);
        const scaleOf = (g: number[]): number => Math.max(1, ...g.map(Math.abs));
        const gNone = per.flatMap((r, i) => r.g.map((v) => v * dl[i]));
        within(grad(k, c, 'none', dl), gNone, 0, 1e-5 * scaleOf(gNone) + 1e-7, `grad none ${tag}`);
        if (wsum > 0) {
          const gMean = per.flatMap((r) => r.g.map((v) => (v * 0.75) / wsum));
          within(grad(k, c, 'mean', [0.75]), gMean, 0, 1e-5 * scaleOf(gMean) + 1e-7, `grad mean ${tag}`);
        }
      }
    }
  });

  it('every row ignored: mean NaN, sum 0, gradient 0; an ignoreIndex that is a class', () => {
    const logits = seededValues(12, 5, -3, 3);
    const c: Case = { logits, labels: [2, 2, 2, 2], weight: [1, 2, 3], classes: 3, ignore: 2, eps: 0.2 };
    expect(Number.isNaN(loss(k, c, 'mean')[0])).toBe(true);
    expect(list(loss(k, c, 'sum'))).toEqual([0]);
    expect(list(grad(k, c, 'mean', [1]))).toEqual(new Array(12).fill(0));
  });

  it('a label neither ignored nor a class, and a weight of another length, throw before writing', () => {
    const logits = seededValues(4 * 10, 3, -3, 3);
    for (const [labels, bad, at] of [[[0, 1, 9, 12], 12, 3], [[-1, 0, -100, 0], -1, 0]] as const) {
      for (const red of ['none', 'mean', 'sum'] as const) {
        const out = filled(red === 'none' ? 4 : 1, 7);
        let err: unknown;
        try {
          k.crossEntropyWeighted(from(logits), ints(labels), from([]), 4, 10, -100, 0, red, out);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(KernelError);
        expect((err as Error).message).toContain(`label ${bad} at index ${at} is outside [0, 10)`);
        expect(list(read(out)).every((v) => v === 7)).toBe(true);
        const g = filled(40, 7);
        expect(() => k.crossEntropyWeightedBackward(from(logits), ints(labels), from([]), 4, 10, -100, 0, red, from(red === 'none' ? [1, 1, 1, 1] : [1]), g))
          .toThrow(`label ${bad} at index ${at} is outside [0, 10)`);
        expect(list(read(g)).every((v) => v === 7)).toBe(true);
      }
    }
    expect(() => k.crossEntropyWeighted(from(logits), ints([0, 1, 2, 3]), from([1, 2, 3]), 4, 10, -100, 0, 'sum', filled(1, 0)))
      .toThrow(/cross_entropy_weighted_f32.*weightLen/);
  });
});
