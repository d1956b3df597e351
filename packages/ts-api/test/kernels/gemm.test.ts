// GEMM inside the wasm: the SIMD kernels (`kernels.gemm`) against the scalar triple loop
// (`reference.gemm`) at odd and block-crossing sizes, every transposition, alpha/beta variants, and the
// Linear layer's product shapes. Tolerance is float32-honest: the kernels sum in a different order, so
// each element may differ by a few ulp of Σ|a·b| (computed here in float64), not of the result itself.
import { describe, expect, it } from 'vitest';
import { kernels, reference } from '../../src/backend/index.js';
import { SIZES, storageScope } from '../helpers/kernels.js';
import { seededValues as values } from '../helpers/values.js';

const { from } = storageScope();

interface Case { transA: boolean; transB: boolean; m: number; n: number; k: number; alpha: number; beta: number }

const name = (c: Case): string =>
  `${c.transA ? 'T' : 'N'}${c.transB ? 'T' : 'N'} m=${c.m} n=${c.n} k=${c.k} alpha=${c.alpha} beta=${c.beta}`;

/**
 * Runs fast and reference GEMM on the same inputs and checks, per element,
 * |fast − ref| ≤ 1e-5 · (|alpha|·Σ_p |A(i,p)·B(p,j)| + |beta·C0(i,j)|), both against each other and
 * against a float64 evaluation of the definition (so the reference itself is checked too).
 */
function check(c: Case, seed: number, c0Fill: 'values' | 'nan' = 'values'): void {
  const { transA, transB, m, n, k, alpha, beta } = c;
  const a = values(m * k, seed);
  const b = values(k * n, seed + 1);
  const c0 = c0Fill === 'nan' ? new Float32Array(m * n).fill(Number.NaN) : values(m * n, seed + 2);
  const A = from(a);
  const B = from(b);
  const cFast = from(c0);
  const cRef = from(c0);
  kernels.gemm(transA, transB, m, n, k, alpha, A, B, beta, cFast);
  reference.gemm(transA, transB, m, n, k, alpha, A, B, beta, cRef);
  const fast = cFast.f32();
  const ref = cRef.f32();
  const at = (i: number, p: number): number => (transA ? a[p * m + i] : a[i * k + p]);
  const bt = (p: number, j: number): number => (transB ? b[j * k + p] : b[p * n + j]);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let exact = 0;
      let mag = 0;
      for (let p = 0; p < k; p++) {
        const prod = at(i, p) * bt(p, j);
        exact += prod;
        mag += Math.abs(prod);
      }
      const old = beta === 0 ? 0 : beta * c0[i * n + j];
      const want = alpha * exact + old;
      const tol = 1e-5 * (Math.abs(alpha) * mag + Math.abs(old)) + 1e-30;
      const f = fast[i * n + j];
      const r = ref[i * n + j];
      if (!(Math.abs(f - r) <= tol) || !(Math.abs(f - want) <= tol) || !(Math.abs(r - want) <= tol)) {
        expect.fail(`${name(c)}: C[${i},${j}] fast ${f}, reference ${r}, float64 ${want} (tolerance ${tol})`);
      }
    }
  }
}

const TRANS: ReadonlyArray<[boolean, boolean]> = [[false, false], [false, true], [true, false], [true, true]];

// A spread over the sizes (1 … 257, across the 4-row / 8-column tiles and the 4-wide k steps), not the
// full cube: each of m, n, k takes every size at least once, combined with small, medium and odd partners.
const SHAPES: Array<[number, number, number]> = [];
for (const s of SIZES) {
  SHAPES.push([s, 7, 17], [5, s, 31], [9, 15, s], [s, s, 3]);
}
SHAPES.push(
  [1, 1, 1], [2, 3, 4], [4, 8, 16], [17, 31, 15], [31, 17, 257], [3, 257, 5], [257, 3, 255],
  [255, 257, 16], [16, 255, 257], [256, 10, 7], [10, 256, 256], [257, 16, 31],
);

describe('gemm: kernels vs reference, all transpositions', () => {
  for (const [transA, transB] of TRANS) {
    const tag = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
    it(`${tag}: ${SHAPES.length} shapes over sizes 1…257`, () => {
      let seed = 1;
      for (const [m, n, k] of SHAPES) check({ transA, transB, m, n, k, alpha: 1, beta: 0 }, seed++);
    });
  }
});

describe('gemm: alpha and beta', () => {
  for (const [transA, transB] of TRANS) {
    it(`${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}: alpha/beta variants accumulate as BLAS does`, () => {
      let seed = 1000;
      for (const [alpha, beta] of [[1, 1], [0.5, -2], [-1, 0], [2, 0.25], [0.1, 1]] as const) {
        for (const [m, n, k] of [[7, 10, 13], [9, 23, 300], [33, 8, 64], [1, 17, 5], [17, 10, 784]] as const) {
          check({ transA, transB, m, n, k, alpha, beta }, seed++);
        }
      }
    });
  }

  it('beta = 0 overwrites C: NaN already in C does not leak', () => {
    let seed = 2000;
    for (const [transA, transB] of TRANS) {
      for (const [m, n, k] of [[5, 10, 7], [17, 9, 300], [4, 8, 3], [33, 19, 40], [1, 1, 1]] as const) {
        check({ transA, transB, m, n, k, alpha: 1.5, beta: 0 }, seed++, 'nan');
      }
    }
  });

  it('k = 0 scales C by beta; m = 0 or n = 0 leaves C alone', () => {
    for (const impl of [kernels, reference]) {
      const empty = from(new Float32Array(0));
      const c = from(new Float32Array([1, 2, Number.NaN]));
      impl.gemm(false, false, 1, 3, 0, 1, empty, empty, 0, c);
      expect(Array.from(c.f32())).toEqual([0, 0, 0]);
      const d = from(new Float32Array([1, 2, 3]));
      impl.gemm(true, true, 3, 1, 0, 1, empty, empty, 2, d);
      expect(Array.from(d.f32())).toEqual([2, 4, 6]);
      const e = from(new Float32Array([5]));
      impl.gemm(false, false, 0, 1, 3, 1, empty, from(new Float32Array([1, 2, 3])), 0, e);
      expect(Array.from(e.f32())).toEqual([5]);
    }
  });

  it('hand-worked 2×3 · 3×2 in every storage order', () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);
    const aT = new Float32Array([1, 4, 2, 5, 3, 6]);
    const b = new Float32Array([7, 8, 9, 10, 11, 12]);
    const bT = new Float32Array([7, 9, 11, 8, 10, 12]);
    for (const impl of [kernels, reference]) {
      for (const [transA, transB] of TRANS) {
        const c = from(new Float32Array([1, 1, 1, 1]));
        impl.gemm(transA, transB, 2, 2, 3, 2, from(transA ? aT : a), from(transB ? bT : b), 0.5, c);
        expect(Array.from(c.f32())).toEqual([116.5, 128.5, 278.5, 308.5]);
      }
    }
  });
});

describe('gemm: the Linear layer shapes (softmax regression and the MLP)', () => {
  it('y = x·Wᵀ: 256×784 · (10×784)ᵀ, and its backward dY·W and dYᵀ·x', () => {
    check({ transA: false, transB: true, m: 256, n: 10, k: 784, alpha: 1, beta: 0 }, 3001);
    check({ transA: false, transB: false, m: 256, n: 784, k: 10, alpha: 1, beta: 0 }, 3002);
    check({ transA: true, transB: false, m: 10, n: 784, k: 256, alpha: 1, beta: 0 }, 3003);
    check({ transA: true, transB: false, m: 10, n: 784, k: 256, alpha: 1, beta: 1 }, 3004);
  });

  it('256×784 · 784×10 (NN)', () => {
    check({ transA: false, transB: false, m: 256, n: 10, k: 784, alpha: 1, beta: 0 }, 3005);
  });

  it('xᵀ·dY with a narrow dY: (256×784)ᵀ · 256×10, computed as (dYᵀ·x)ᵀ, with and without beta', () => {
    check({ transA: true, transB: false, m: 784, n: 10, k: 256, alpha: 1, beta: 0 }, 3006);
    check({ transA: true, transB: false, m: 784, n: 10, k: 256, alpha: 0.5, beta: 2 }, 3007);
    check({ transA: true, transB: false, m: 33, n: 1, k: 3, alpha: 1, beta: 0 }, 3008);
    check({ transA: true, transB: false, m: 257, n: 16, k: 17, alpha: -1, beta: 1 }, 3009);
  });

  it('256×784 · 784×256 in all four storage orders', () => {
    let seed = 3100;
    for (const [transA, transB] of TRANS) {
      check({ transA, transB, m: 256, n: 256, k: 784, alpha: 1, beta: 0 }, seed++);
    }
  });
});
