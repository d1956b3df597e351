// Reductions inside the wasm: sum / sumAxis / maxAxis / argmaxAxis / expand / sumTo, fast vs reference and
// against float64 sums computed here.
import { describe, expect, it } from 'vitest';
import { kernels, reference, type Kernels } from '../../src/backend/index.js';
import { SIZES, storageScope } from '../helpers/kernels.js';
import { closeCheck, seededValues } from '../helpers/values.js';

const { from, zeros } = storageScope();
/** This file's stream: seed offset 777 (the other kernel tests use the default 12345). */
const values = (n: number, seed: number): Float32Array => seededValues(n, seed, -1, 1, 777);
/** Two NaNs match; equal infinities are not let through (they would fail the tolerance test). */
const expectClose = closeCheck({ relativeTo: 'expected', equalMatches: false });

/** float64 Σ_d x[o, d, i] */
function sumAxis64(x: Float32Array, outer: number, dim: number, inner: number): Float64Array {
  const y = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) for (let d = 0; d < dim; d++) for (let i = 0; i < inner; i++) y[o * inner + i] += x[(o * dim + d) * inner + i];
  return y;
}

describe('sum', () => {
  for (const n of [...SIZES, 1000, 4097, 100_003]) {
    it(`n = ${n}: fast = reference bit for bit, close to the float64 sum`, () => {
      const x = values(n, n);
      const fast = kernels.sum(from(x));
      const ref = reference.sum(from(x));
      expect(Object.is(fast, ref) || fast === ref).toBe(true);
      let exact = 0;
      let abs = 0;
      for (const v of x) {
        exact += v;
        abs += Math.abs(v);
      }
      expect(Math.abs(fast - exact)).toBeLessThanOrEqual(1e-6 * abs + 1e-7);
    });
  }

  it('is accurate where naive float32 summation drifts', () => {
    const n = 4_000_000;
    const x = new Float32Array(n).fill(0.1);
    const want = Math.fround(0.1) * n;
    expect(Math.abs(kernels.sum(from(x)) - want) / want).toBeLessThan(2e-6);
    expect(kernels.sum(from(new Float32Array([1, 2, 3.5])))).toBe(6.5);
    expect(kernels.sum(zeros(0))).toBe(0);
  });
});

describe('sumAxis / maxAxis / argmaxAxis', () => {
  const shapes = (n: number): [number, number, number][] => [[1, n, 1], [3, n, 1], [2, 3, n], [2, n, 5], [1, n, 16], [2, n, 17]];

  for (const n of SIZES) {
    it(`dim / inner = ${n}`, () => {
      for (const [o, d, i] of shapes(n)) {
        const x = values(o * d * i, o + d + i);
        const run = (k: Kernels, f: 'sumAxis' | 'maxAxis'): Float32Array => {
          const y = zeros(o * i);
          k[f](from(x), y, o, d, i);
          return y.f32().slice();
        };
        const sf = run(kernels, 'sumAxis');
        expect(Array.from(sf), `sumAxis fast = ref [${o},${d},${i}]`).toEqual(Array.from(run(reference, 'sumAxis')));
        expectClose(sf, sumAxis64(x, o, d, i), 1e-6, 1e-6 * d, `sumAxis [${o},${d},${i}]`);

        // integers give ties; a NaN is the maximum and the first NaN wins
        const xr = x.map((v) => Math.round(v * 3));
        if (xr.length > 9) xr[9] = NaN;
        if (xr.length > 12) xr[12] = NaN;
        const maxOf = (k: Kernels): Float32Array => {
          const y = zeros(o * i);
          k.maxAxis(from(xr), y, o, d, i);
          return y.f32().slice();
        };
        const argOf = (k: Kernels): Int32Array => {
          const y = zeros(o * i, 'int32');
          k.argmaxAxis(from(xr), y, o, d, i);
          return y.i32().slice();
        };
        const mf = maxOf(kernels);
        const af = argOf(kernels);
        expect(Array.from(af), `argmax fast = ref [${o},${d},${i}]`).toEqual(Array.from(argOf(reference)));
        expectClose(mf, maxOf(reference), 0, 0, `max fast = ref [${o},${d},${i}]`);
        // the definition, by brute force
        for (let oo = 0; oo < o; oo++) {
          for (let ii = 0; ii < i; ii++) {
            let best = 0;
            for (let dd = 0; dd < d; dd++) {
              const v = xr[(oo * d + dd) * i + ii];
              const m = xr[(oo * d + best) * i + ii];
              if (!Number.isNaN(m) && (v > m || Number.isNaN(v))) best = dd;
            }
            expect(af[oo * i + ii]).toBe(best);
            const m = xr[(oo * d + best) * i + ii];
            if (Number.isNaN(m)) expect(mf[oo * i + ii]).toBeNaN();
            else expect(mf[oo * i + ii]).toBe(m);
          }
        }
      }
    });
  }

  it('hand values: first maximum wins', () => {
    const x = from(new Float32Array([1, 5, 5, -1, -3, -2]));
    const a = zeros(2, 'int32');
    const m = zeros(2);
    kernels.argmaxAxis(x, a, 2, 3, 1);
    kernels.maxAxis(x, m, 2, 3, 1);
    expect(Array.from(a.i32())).toEqual([1, 0]);
    expect(Array.from(m.f32())).toEqual([5, -1]);
    const s = zeros(3);
    kernels.sumAxis(x, s, 1, 2, 3);
    expect(Array.from(s.f32())).toEqual([0, 2, 3]);
    expect(() => kernels.maxAxis(x, m, 2, 0, 1)).toThrow(/empty dimension/);
  });
});

describe('expand / sumTo', () => {
  it('[2,1,3] → [2,4,3] by hand', () => {
    const shape = [2, 4, 3];
    const strides = [3, 0, 1];
    for (const k of [kernels, reference]) {
      const y = zeros(24);
      k.expand(from(new Float32Array([1, 2, 3, 4, 5, 6])), y, shape, strides);
      expect(Array.from(y.f32())).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 4, 5, 6, 4, 5, 6]);
      const dx = from(new Float32Array(6).fill(9));
      k.sumTo(from(Float32Array.from({ length: 24 }, (_, i) => i)), dx, shape, strides);
      // dx[0,0,j] = j + (3+j) + (6+j) + (9+j) = 18 + 4j; the second block adds 4·12 = 48
      expect(Array.from(dx.f32())).toEqual([18, 22, 26, 66, 70, 74]);
    }
  });

  const cases: { shape: number[]; strides: number[]; xn: number }[] = [
    { shape: [2, 4, 3], strides: [3, 0, 1], xn: 6 },
    { shape: [256, 10], strides: [0, 1], xn: 10 },
    { shape: [256, 10], strides: [1, 0], xn: 256 },
    { shape: [3, 1, 5, 2], strides: [0, 0, 2, 1], xn: 10 },
    { shape: [4, 3], strides: [1, 4], xn: 12 },
    { shape: [2, 3, 4, 5], strides: [0, 5, 0, 1], xn: 15 },
    { shape: [3, 3, 17], strides: [0, 0, 0], xn: 1 },
    { shape: [2, 2, 2, 2, 2, 2, 2, 3], strides: [0, 1, 0, 2, 0, 4, 0, 8], xn: 24 },
    { shape: [], strides: [], xn: 1 },
    ...SIZES.map((n) => ({ shape: [3, n, 2], strides: [2, 0, 1], xn: 6 })),
    ...SIZES.map((n) => ({ shape: [n, 5], strides: [0, 1], xn: 5 })),
    ...SIZES.map((n) => ({ shape: [2, n], strides: [1, 0], xn: 2 })),
    ...SIZES.map((n) => ({ shape: [n], strides: [1], xn: n })),
  ];
  for (const { shape, strides, xn } of cases) {
    it(`shape [${shape.join(',')}] strides [${strides.join(',')}]: fast = ref, adjoint`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = values(xn, xn);
      const g = values(n, n + 1);
      const ex = (k: Kernels): Float32Array => {
        const y = zeros(n);
        k.expand(from(x), y, shape, strides);
        return y.f32().slice();
      };
      const st = (k: Kernels): Float32Array => {
        const dx = from(new Float32Array(xn).fill(-7));
        k.sumTo(from(g), dx, shape, strides);
        return dx.f32().slice();
      };
      const e = ex(kernels);
      expect(Array.from(e)).toEqual(Array.from(ex(reference)));
      const s = st(kernels);
      expectClose(s, st(reference), 1e-5, 1e-5, 'sumTo fast vs ref');
      // ⟨expand(x), g⟩ = ⟨x, sumTo(g)⟩
      let lhs = 0;
      let rhs = 0;
      for (let i = 0; i < n; i++) lhs += e[i] * g[i];
      for (let i = 0; i < xn; i++) rhs += x[i] * s[i];
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
    });
  }

  it('rejects strides that reach outside x', () => {
    expect(() => kernels.expand(from(new Float32Array(3)), zeros(6), [2, 3], [3, 1])).toThrow(/reaches element 5 of x/);
  });
});
