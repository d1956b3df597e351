// The unary table, clamp, maximum / minimum and the new axis kernels inside the wasm (real simd128
// instructions): the SIMD exports against their scalar `*_ref` twins, bit for bit, at sizes that
// exercise every tail, with NaN, ±0, ±inf and exact halves mixed in; and values worked by hand.
import { describe, expect, it } from 'vitest';
import { kernels, reference, UNARY_OPS, type Kernels } from '../../src/backend/index.js';
import { SIZES, read, storageScope } from '../helpers/kernels.js';
import { expectSameBits, seededValues } from '../helpers/values.js';

const { from, zeros } = storageScope();
const zerosI32 = (n: number) => zeros(n, 'int32');
const sameBits = (a: Float32Array, b: Float32Array, what: string): void => expectSameBits(a, b, what, { anyNaN: true });

function awkward(n: number, seed: number): Float32Array {
  const x = seededValues(n, seed, -4, 4);
  const specials = [NaN, -0, 0, Infinity, -Infinity, 0.5, -0.5, 1.5, -2.5, 1e-40];
  for (let i = 0; i < n; i += 3) x[i] = specials[(i / 3) % specials.length];
  return x;
}

describe('unary table: fast vs reference', () => {
  for (const n of SIZES) {
    it(`n = ${n}`, () => {
      const x = awkward(n, n + 1);
      const dy = from(seededValues(n, n + 2, -1, 1));
      for (const op of UNARY_OPS) {
        const run = (k: Kernels): [Float32Array, Float32Array] => {
          const y = zeros(n);
          k.unary(op, from(x), y);
          const dx = zeros(n);
          k.unaryBackward(op, from(x), y, dy, dx);
          return [read(y), read(dx)];
        };
        const [fy, fdx] = run(kernels);
        const [ry, rdx] = run(reference);
        sameBits(fy, ry, `${op}(${n})`);
        sameBits(fdx, rdx, `${op} backward (${n})`);
      }
      for (const [lo, hi] of [[-1, 1.5], [-Infinity, 0], [0.5, Infinity], [2, -2]]) {
        const run = (k: Kernels): [Float32Array, Float32Array] => {
          const y = zeros(n);
          k.clamp(from(x), lo, hi, y);
          const dx = zeros(n);
          k.clampBackward(from(x), dy, lo, hi, dx);
          return [read(y), read(dx)];
        };
        const [fy, fdx] = run(kernels);
        const [ry, rdx] = run(reference);
        sameBits(fy, ry, `clamp(${lo}, ${hi}) (${n})`);
        sameBits(fdx, rdx, `clamp backward (${lo}, ${hi}) (${n})`);
      }
    });
  }

  it('hand values: round half to even, floor, ceil, the helpers', () => {
    const un = (op: (typeof UNARY_OPS)[number], v: number[]): number[] => {
      const y = zeros(v.length);
      kernels.unary(op, from(Float32Array.from(v)), y);
      return Array.from(read(y));
    };
    expect(un('round', [0.5, 1.5, 2.5, -0.5, -1.5])).toEqual([0, 2, 2, -0, -2]);
    expect(un('floor', [-0.5, 0.5, -2])).toEqual([-1, 0, -2]);
    expect(un('ceil', [-0.5, 0.5, -2])).toEqual([-0, 1, -2]);
    expect(un('zeroInf', [Infinity, -Infinity, 3])).toEqual([0, 0, 3]);
    expect(un('reciprocalOrZero', [0, 4, -0.5])).toEqual([0, 0.25, -2]);
    expect(un('rsqrt', [4, 0.25])).toEqual([0.5, 2]);
    expect(() => kernels.unary('gamma' as 'tanh', from(new Float32Array(1)), zeros(1))).toThrow(/op must be one of tanh, floor/);
  });
});

describe('axis kernels: fast vs reference', () => {
  for (const [o, d, i] of [[1, 1, 1], [3, 5, 7], [2, 9, 17], [1, 4, 33], [4, 1, 4], [2, 13, 1], [5, 3, 6]]) {
    it(`[${o}, ${d}, ${i}]`, () => {
      const x = awkward(o * d * i, o + d + i);
      for (const name of ['minAxis', 'maxAxis', 'prodAxis'] as const) {
        const a = zeros(o * i);
        const b = zeros(o * i);
        kernels[name](from(x), a, o, d, i);
        reference[name](from(x), b, o, d, i);
        sameBits(read(a), read(b), `${name} [${o}, ${d}, ${i}]`);
      }
      const ia = zerosI32(o * i);
      const ib = zerosI32(o * i);
      kernels.argminAxis(from(x), ia, o, d, i);
      reference.argminAxis(from(x), ib, o, d, i);
      expect(Array.from(ia.i32())).toEqual(Array.from(ib.i32()));
    });
  }

  it('hand values: min / argmin, prod, cumsum, int32 sum, scatter', () => {
    const y = zeros(2);
    kernels.minAxis(from(Float32Array.from([3, 1, 1, 2])), y, 2, 2, 1);
    expect(Array.from(read(y))).toEqual([1, 1]);
    kernels.prodAxis(from(Float32Array.from([1, 2, 3, 4, 5, 6])), y, 2, 3, 1);
    expect(Array.from(read(y))).toEqual([6, 120]);
    const c = zeros(3);
    kernels.cumsumAxis(from(Float32Array.from([1e8, 1, -1e8])), c, 1, 3, 1, false);
    expect(Array.from(read(c))).toEqual([1e8, 1e8, 1]);
    kernels.cumsumAxis(from(Float32Array.from([1, 2, 3])), c, 1, 3, 1, true);
    expect(Array.from(read(c))).toEqual([6, 5, 3]);
    const s = zerosI32(2);
    expect(kernels.sumAxisI32(from(Int32Array.from([2147483647, 1, 5, -6])), s, 2, 2, 1)).toBe(1);
    expect(Array.from(s.i32())).toEqual([2147483647, -1]);
    const dx = zeros(4);
    kernels.scatterAxis(from(Float32Array.from([7, 8])), from(Int32Array.from([1, 0])), dx, 1, 2, 2);
    expect(Array.from(read(dx))).toEqual([0, 8, 7, 0]);
    expect(() => kernels.scatterAxis(from(Float32Array.from([7, 8])), from(Int32Array.from([1, 2])), dx, 1, 2, 2)).toThrow(
      /index 2 at position 1 is outside \[0, 2\)/,
    );
  });
});
