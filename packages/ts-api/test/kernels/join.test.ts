// The join family in the wasm: fast exports against their scalar `_ref` twins at odd sizes, hand
// examples, and the statuses a bad block, index or mode gives.
import { describe, expect, it } from 'vitest';
import { join, joinReference, KernelError, type JoinKernels } from '../../src/backend/index.js';
import { SIZES, storageScope } from '../helpers/kernels.js';

const { from, ints, zeros, filled } = storageScope();
const seq = (n: number, k = 0.5): Float32Array => Float32Array.from({ length: n }, (_, i) => i * k - 3);
const both: [string, JoinKernels][] = [['fast', join], ['reference', joinReference]];

describe('copyBlock', () => {
  for (const cols of SIZES) {
    it(`cols = ${cols}: fast = reference, other elements untouched`, () => {
      const rows = 5;
      const x = from(seq(rows * (cols + 3) + 2));
      const outs = both.map(([, k]) => {
        const y = filled(rows * (cols + 5) + 1, 9);
        k.copyBlock(x, 2, cols + 3, y, 1, cols + 5, rows, cols);
        return Array.from(y.f32());
      });
      expect(outs[0]).toEqual(outs[1]);
      expect(outs[0][0]).toBe(9);
      expect(outs[0][1]).toBe(x.f32()[2]);
    });
  }

  it('int32 blocks: cat of [2, 1] and [2, 2] along dim 1 by hand', () => {
    const y = zeros(6, 'int32');
    join.copyBlock(ints([1, 2]), 0, 1, y, 0, 3, 2, 1);
    join.copyBlock(ints([3, 4, 5, 6]), 0, 2, y, 1, 3, 2, 2);
    expect(Array.from(y.i32())).toEqual([1, 3, 4, 2, 5, 6]);
  });

  it('a block reaching past its buffer or mixing dtypes throws before writing', () => {
    const y = filled(6, 7);
    expect(() => join.copyBlock(from([1, 2, 3]), 0, 2, y, 0, 3, 2, 2)).toThrow(KernelError);
    expect(() => join.copyBlock(from([1, 2, 3, 4]), 0, 2, y, 2, 3, 2, 2)).toThrow(/yOff/);
    expect(() => join.copyBlock(from([1, 2]), 0, 2, zeros(2, 'int32'), 0, 2, 1, 2)).toThrow(/int32|float32/);
    expect(Array.from(y.f32())).toEqual([7, 7, 7, 7, 7, 7]);
  });
});

describe('flipAxis, indexSelect, indexAdd', () => {
  it('hand examples', () => {
    const y = zeros(12, 'int32');
    join.flipAxis(ints(Array.from({ length: 12 }, (_, i) => i)), y, 2, 3, 2);
    expect(Array.from(y.i32())).toEqual([4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7]);
    const x = from(Array.from({ length: 12 }, (_, i) => i));
    const s = zeros(12);
    join.indexSelect(x, ints([2, 0, 2]), s, 2, 3, 2);
    expect(Array.from(s.f32())).toEqual([4, 5, 0, 1, 4, 5, 10, 11, 6, 7, 10, 11]);
    const dx = zeros(12);
    join.indexAdd(filled(12, 1), ints([2, 0, 2]), dx, 2, 3, 2);
    expect(Array.from(dx.f32())).toEqual([1, 1, 0, 0, 2, 2, 1, 1, 0, 0, 2, 2]);
  });

  for (const inner of [1, 3, 7, 17]) {
    it(`inner = ${inner}: fast = reference`, () => {
      const [outer, size] = [3, 5];
      const x = from(seq(outer * size * inner));
      const idx = ints([4, 0, 0, 3, 1, 4, 2]);
      const [a, b] = both.map(([, k]) => {
        const y = zeros(outer * 7 * inner);
        k.indexSelect(x, idx, y, outer, size, inner);
        const f = zeros(outer * size * inner);
        k.flipAxis(x, f, outer, size, inner);
        const d = filled(outer * size * inner, 0.25);
        k.indexAdd(y, idx, d, outer, size, inner);
        return [...y.f32(), ...f.f32(), ...d.f32()];
      });
      expect(a).toEqual(b);
    });
  }

  it('an index outside [0, size) is status 4 and nothing is written', () => {
    const y = filled(4, -1);
    let err: unknown;
    try {
      join.indexSelect(from([1, 2, 3]), ints([0, 3, 1, -1]), y, 1, 3, 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).status).toBe('INDEX_OUT_OF_RANGE');
    expect(Array.from(y.f32())).toEqual([-1, -1, -1, -1]);
  });
});

describe('gatherDim, scatterDim', () => {
  it('hand example: an index smaller than x, duplicates add, the last assignment wins', () => {
    const x = from([0, 1, 2, 3, 4, 5]);
    const idx = ints([2, 0, 1, 1]);
    const y = zeros(4);
    join.gatherDim(x, idx, y, [2, 2], [3, 1], 1, 3);
    expect(Array.from(y.f32())).toEqual([2, 0, 4, 4]);
    const add = zeros(6);
    join.scatterDim('add', from([1, 2, 3, 4]), [2, 1], idx, add, [2, 2], [3, 1], 1, 3);
    expect(Array.from(add.f32())).toEqual([2, 0, 1, 0, 7, 0]);
    const set = zeros(6);
    join.scatterDim('set', from([1, 2, 3, 4]), [2, 1], idx, set, [2, 2], [3, 1], 1, 3);
    expect(Array.from(set.f32())).toEqual([2, 0, 1, 0, 4, 0]);
  });

  it('fast = reference over a 3-D index along each dim', () => {
    const x = from(seq(5 * 7 * 3));
    const xs = [21, 3, 1];
    for (let d = 0; d < 3; d++) {
      const size = [5, 7, 3][d];
      const idx = ints(Array.from({ length: 48 }, (_, i) => (i * 7 + 3) % size));
      const [a, b] = both.map(([, k]) => {
        const y = zeros(48);
        k.gatherDim(x, idx, y, [4, 6, 2], xs, d, size);
        const s = filled(105, 0.5);
        k.scatterDim('add', x, xs, idx, s, [4, 6, 2], xs, d, size);
        return [...y.f32(), ...s.f32()];
      });
      expect(a).toEqual(b);
    }
  });

  it('refuses strides reaching past x, a dim beyond ndim, an int32 add, a bad index', () => {
    const x = from([0, 1, 2, 3, 4, 5]);
    expect(() => join.gatherDim(x, ints([0, 0]), zeros(2), [1, 2], [3, 1], 0, 3)).toThrow(KernelError);
    expect(() => join.gatherDim(x, ints([0, 0]), zeros(2), [1, 2], [3, 1], 2, 2)).toThrow(/dim/);
    expect(() => join.scatterDim('add', ints([1]), [1], ints([0]), zeros(1, 'int32'), [1], [1], 0, 1)).toThrow(/mode/);
    expect(() => join.gatherDim(x, ints([0, 3]), zeros(2), [1, 2], [3, 1], 1, 3)).toThrow(/INDEX_OUT_OF_RANGE|index/);
  });
});

describe('oneHot, maxI32 and the ranges', () => {
  it('by hand', () => {
    const y = filled(6, 7);
    const yi = zeros(6, 'int32');
    join.oneHot(ints([2, 0]), 3, yi);
    expect(Array.from(yi.i32())).toEqual([0, 0, 1, 1, 0, 0]);
    expect(join.maxI32(ints([3, -2, 9, 1]))).toBe(9);
    expect(join.maxI32(ints([]))).toBe(-(2 ** 31));
    const a = zeros(4);
    join.arange(a, 1, -0.5);
    expect(Array.from(a.f32())).toEqual([1, 0.5, 0, -0.5]);
    const l = zeros(5);
    join.linspace(l, -1, 1);
    expect(Array.from(l.f32())).toEqual([-1, -0.5, 0, 0.5, 1]);
    join.eye(y, 2, 3);
    expect(Array.from(y.f32())).toEqual([1, 0, 0, 0, 1, 0]);
  });
});
