// Element-wise kernels inside the wasm: the SIMD exports against their scalar `*_ref` twins at sizes that
// exercise every tail, broadcasting rules, and values worked by hand.
import { describe, expect, it } from 'vitest';
import { kernels, reference, type BinaryOp, type Kernels } from '../../src/backend/index.js';
import { SIZES, read, storageScope } from '../helpers/kernels.js';
import { closeCheck, expectSameBits, seededValues } from '../helpers/values.js';

const { from, zeros } = storageScope();
const values = (n: number, seed: number, lo = -4, hi = 4): Float32Array => seededValues(n, seed, lo, hi);
const expectClose = closeCheck({ relativeTo: 'expected' });
/** Bitwise equality (any NaN equals any NaN). */
const sameBits = (a: Float32Array, b: Float32Array, what: string): void => expectSameBits(a, b, what, { anyNaN: true });

/** Values with the awkward cases sprinkled in (NaN, ±0, ±inf, large magnitudes) when there is room. */
function awkward(n: number, seed: number): Float32Array {
  const x = values(n, seed);
  const specials = [NaN, -0, 0, Infinity, -Infinity, 100, -100, 1e4, -1e4, 1e-40];
  for (let i = 0; i < specials.length && n >= 3 * specials.length; i++) x[3 * i + 1] = specials[i];
  return x;
}

type Unary = 'relu' | 'sigmoid' | 'exp' | 'log' | 'abs' | 'neg' | 'sign';

function runUnary(k: Kernels, name: Unary, x: Float32Array): Float32Array {
  const y = zeros(x.length);
  k[name](from(x), y);
  return read(y);
}

describe('unary kernels: fast vs reference', () => {
  for (const n of SIZES) {
    it(`n = ${n}`, () => {
      const x = awkward(n, n);
      for (const name of ['relu', 'exp', 'abs', 'neg', 'sign'] as const) {
        sameBits(runUnary(kernels, name, x), runUnary(reference, name, x), `${name}(${n})`);
      }
      const pos = x.map((v) => Math.abs(v) + 0.01);
      sameBits(runUnary(kernels, 'log', pos), runUnary(reference, 'log', pos), `log(${n})`);
      // sigmoid's SIMD path uses a polynomial exp: within a couple of ulp of the reference
      expectClose(runUnary(kernels, 'sigmoid', x), runUnary(reference, 'sigmoid', x), 3e-7, 1e-44, `sigmoid(${n})`);

      const g = values(n, n + 99);
      for (const [name, first] of [['reluBackward', x], ['sigmoidBackward', pos.map((v) => v / 5)]] as const) {
        const out = (k: Kernels): Float32Array => {
          const dx = zeros(n);
          k[name](from(first), from(g), dx);
          return read(dx);
        };
        sameBits(out(kernels), out(reference), `${name}(${n})`);
      }
      for (const p of [0, 1, 2, 3, 0.5, -0.5, -1, -2, 1.7]) {
        const out = (k: Kernels): Float32Array => {
          const y = zeros(n);
          k.powScalar(from(pos), p, y);
          return read(y);
        };
        sameBits(out(kernels), out(reference), `powScalar(${n}, p=${p})`);
      }
      for (const name of ['scale', 'addScalar'] as const) {
        const out = (k: Kernels): Float32Array => {
          const y = zeros(n);
          k[name](from(x), 0.3, y);
          return read(y);
        };
        sameBits(out(kernels), out(reference), `${name}(${n})`);
      }
      const axpy = (k: Kernels): Float32Array => {
        const y = from(g);
        k.axpy(-0.7, from(x), y);
        return read(y);
      };
      sameBits(axpy(kernels), axpy(reference), `axpy(${n})`);
      const fill = (k: Kernels): Float32Array => {
        const y = from(g);
        k.fill(y, -2.5);
        return read(y);
      };
      sameBits(fill(kernels), fill(reference), `fill(${n})`);
      expect(Array.from(fill(kernels))).toEqual(new Array(n).fill(-2.5));
    });
  }
});

describe('unary kernels: hand values', () => {
  it('relu, relu backward, sign, abs, neg', () => {
    const x = new Float32Array([-2, -0, 0, 0.5, 3, NaN]);
    const r = runUnary(kernels, 'relu', x);
    expect(Array.from(r.subarray(0, 5))).toEqual([0, 0, 0, 0.5, 3]);
    expect(r[5]).toBeNaN();
    expect(Array.from(runUnary(kernels, 'sign', x))).toEqual([-1, 0, 0, 1, 1, 0]);
    expect(Array.from(runUnary(kernels, 'abs', x.subarray(0, 5)))).toEqual([2, 0, 0, 0.5, 3]);
    expect(Array.from(runUnary(kernels, 'neg', new Float32Array([1, -2])))).toEqual([-1, 2]);
    const dx = zeros(6);
    kernels.reluBackward(from(x), from(new Float32Array([1, 2, 3, 4, 5, 6])), dx);
    expect(Array.from(read(dx))).toEqual([0, 0, 0, 4, 5, 0]);
  });

  it('sigmoid is exact at 0, finite and correct for huge |x|', () => {
    const x = new Float32Array([0, 2, -2, -100, 100, -1e4, 1e4, Infinity, -Infinity, -88, 88]);
    for (const k of [kernels, reference]) {
      const y = runUnary(k, 'sigmoid', x);
      expect(y[0]).toBe(0.5);
      expect(y[1]).toBeCloseTo(0.8807970779778823, 6);
      expect(y[2]).toBeCloseTo(0.11920292202211755, 6);
      expect(y[3]).toBeGreaterThan(0);
      expect(Math.abs(y[3] - 3.7835e-44)).toBeLessThan(2e-45);
      expect(y[4]).toBe(1);
      expect(y[5]).toBe(0);
      expect(y[6]).toBe(1);
      expect(y[7]).toBe(1);
      expect(y[8]).toBe(0);
      expect(y[9] / 6.0546e-39).toBeCloseTo(1, 3);
      for (const v of y) expect(Number.isFinite(v)).toBe(true);
    }
    expect(runUnary(kernels, 'sigmoid', new Float32Array([NaN]))[0]).toBeNaN();
  });

  it('sigmoid backward matches finite differences', () => {
    const x = values(33, 5);
    const w = values(33, 6);
    const y = runUnary(kernels, 'sigmoid', x);
    const dx = zeros(33);
    kernels.sigmoidBackward(from(y), from(w), dx);
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    const h = 1e-3;
    const num = Array.from(x, (v, i) => (w[i] * (sig(v + h) - sig(v - h))) / (2 * h));
    expectClose(read(dx), num, 1e-4, 1e-5, 'sigmoid backward');
  });

  it('exp, log, powScalar', () => {
    expect(Array.from(runUnary(kernels, 'exp', new Float32Array([0, 1])))).toEqual([1, Math.fround(Math.E)]);
    const l = runUnary(kernels, 'log', new Float32Array([1, 0, -1]));
    expect(l[0]).toBe(0);
    expect(l[1]).toBe(-Infinity);
    expect(l[2]).toBeNaN();
    const p = (x: number[], e: number): number[] => {
      const y = zeros(x.length);
      kernels.powScalar(from(new Float32Array(x)), e, y);
      return Array.from(read(y));
    };
    expect(p([3, -2, 0.25], 2)).toEqual([9, 4, 0.0625]);
    expect(p([4, 9, 0.25], 0.5)).toEqual([2, 3, 0.5]);
    expect(p([2, 4], -1)).toEqual([0.5, 0.25]);
    expect(p([2, 5], 0)).toEqual([1, 1]);
    expect(p([8], 1.5)[0]).toBeCloseTo(22.627417, 4);
  });
});

describe('binary ops and broadcasting', () => {
  const OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'];
  const js: Record<BinaryOp, (a: number, b: number) => number> = {
    add: (a, b) => a + b,
    sub: (a, b) => a - b,
    mul: (a, b) => a * b,
    div: (a, b) => a / b,
    // torch.maximum / minimum: NaN wins, the first operand on a tie
    maximum: (a, b) => (a < b || Number.isNaN(b) ? b : a),
    minimum: (a, b) => (a > b || Number.isNaN(b) ? b : a),
  };
  const bin = (k: Kernels, op: BinaryOp, a: Float32Array, b: Float32Array, n: number): Float32Array => {
    const y = zeros(n);
    k.binary(op, from(a), from(b), y);
    return read(y);
  };

  for (const n of SIZES) {
    it(`same shape and scalar, n = ${n}`, () => {
      const a = awkward(n, n + 1);
      const b = values(n, n + 2).map((v) => v + 0.5);
      for (const op of OPS) {
        const want = Float32Array.from(a, (v, i) => js[op](v, b[i]));
        const fast = bin(kernels, op, a, b, n);
        sameBits(fast, bin(reference, op, a, b, n), `${op} same (${n})`);
        sameBits(fast, want, `${op} same vs JS (${n})`);
        const s = b.subarray(0, 1).slice();
        sameBits(bin(kernels, op, a, s, n), Float32Array.from(a, (v) => js[op](v, s[0])), `${op} scalar b (${n})`);
        sameBits(bin(kernels, op, s, a, n), Float32Array.from(a, (v) => js[op](s[0], v)), `${op} scalar a (${n})`);
      }
    });
  }

  for (const [rows, cols] of [[1, 1], [3, 5], [7, 4], [17, 9], [256, 10], [2, 257], [5, 16]]) {
    it(`bias [${cols}] and column [${rows},1] on [${rows},${cols}]`, () => {
      const n = rows * cols;
      const x = values(n, n);
      const bias = values(cols, cols + 1).map((v) => v + 0.25);
      const col = values(rows, rows + 2).map((v) => v - 0.25);
      for (const op of OPS) {
        const wantRow = Float32Array.from(x, (v, i) => js[op](v, bias[i % cols]));
        sameBits(bin(kernels, op, x, bias, n), wantRow, `${op} bias`);
        sameBits(bin(reference, op, x, bias, n), wantRow, `${op} bias (ref)`);
        const wantRev = Float32Array.from(x, (v, i) => js[op](bias[i % cols], v));
        sameBits(bin(kernels, op, bias, x, n), wantRev, `${op} bias on the left`);
        const wantCol = Float32Array.from(x, (v, i) => js[op](v, col[Math.floor(i / cols)]));
        for (const k of [kernels, reference]) {
          const y = zeros(n);
          k.binaryRows(op, from(x), from(col), y, cols);
          sameBits(read(y), wantCol, `${op} binaryRows`);
        }
      }
      const add = (k: Kernels): Float32Array => {
        const y = zeros(n);
        k.biasAdd(from(x), from(bias), y, rows, cols);
        return read(y);
      };
      sameBits(add(kernels), add(reference), 'biasAdd');
      sameBits(add(kernels), bin(kernels, 'add', x, bias, n), 'biasAdd = binary add');
      const grad = (k: Kernels): Float32Array => {
        const db = from(new Float32Array(cols).fill(99));
        k.biasGrad(from(x), db, rows, cols);
        return read(db);
      };
      const want = new Float64Array(cols);
      for (let i = 0; i < n; i++) want[i % cols] += x[i];
      expectClose(grad(kernels), want, 1e-5, 1e-5, 'biasGrad');
      expectClose(grad(reference), want, 1e-5, 1e-5, 'biasGrad (ref)');
    });
  }

  it('both operands repeating, and errors', () => {
    const y = bin(kernels, 'add', new Float32Array([1, 2]), new Float32Array([10, 20, 30]), 6);
    expect(Array.from(y)).toEqual([11, 22, 31, 12, 21, 32]);
    expect(() => bin(kernels, 'add', new Float32Array(4), new Float32Array(6), 6)).toThrow(/a has 4 floats/);
    expect(() => bin(kernels, 'pow' as BinaryOp, new Float32Array(6), new Float32Array(6), 6)).toThrow(/op must be/);
  });
});
