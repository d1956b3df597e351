// int32 tensors made from JavaScript numbers: a value outside int32 or a non-integer is an error that
// names the function, the value and its index — never a wrapped value (2**32 + 3 silently becoming 3).

import { describe, expect, it } from 'vitest';
import { arange, crossEntropy, full, ones, tensor, zeros, type DType } from '../../src/index.js';

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

describe('tensor(…, { dtype: int32 })', () => {
  it('keeps the ends of the int32 range exactly', () => {
    expect(Array.from(tensor([INT32_MIN, -1, 0, INT32_MAX], { dtype: 'int32' }).toArray())).toEqual([INT32_MIN, -1, 0, INT32_MAX]);
  });

  it('rejects a nested-array value outside int32 instead of wrapping it', () => {
    expect(() => tensor([2 ** 32 + 3], { dtype: 'int32' }))
      .toThrow('tensor: dtype int32 needs integers in [-2147483648, 2147483647], got 4294967299 at index 0');
    expect(() => tensor([[0, 1], [2, INT32_MAX + 1]], { dtype: 'int32' }))
      .toThrow('tensor: dtype int32 needs integers in [-2147483648, 2147483647], got 2147483648 at index 3');
    expect(() => tensor([5, INT32_MIN - 1], { dtype: 'int32' }))
      .toThrow('tensor: dtype int32 needs integers in [-2147483648, 2147483647], got -2147483649 at index 1');
    expect(() => tensor(2 ** 40, { dtype: 'int32' }))
      .toThrow('tensor: dtype int32 needs integers in [-2147483648, 2147483647], got 1099511627776 at index 0');
  });

  it('rejects non-integers, NaN and infinities', () => {
    expect(() => tensor([0, 2.5], { dtype: 'int32' })).toThrow('tensor: dtype int32 needs integers in [-2147483648, 2147483647], got 2.5 at index 1');
    expect(() => tensor([NaN], { dtype: 'int32' })).toThrow('got NaN at index 0');
    expect(() => tensor([1, 2, -Infinity], { dtype: 'int32' })).toThrow('got -Infinity at index 2');
  });

  it('checks a Float32Array converted to int32 the same way', () => {
    const ok = tensor(new Float32Array([3, -4]), { dtype: 'int32' });
    expect(Array.from(ok.toArray())).toEqual([3, -4]);
    expect(() => tensor(new Float32Array([1, 1e10]), { dtype: 'int32' }))
      .toThrow('tensor: dtype int32 needs integers in [-2147483648, 2147483647], got 10000000000 at index 1');
    expect(() => tensor(new Float32Array([0.5]), { dtype: 'int32' })).toThrow('got 0.5 at index 0');
  });

  it('takes a Uint8Array as int32 unchanged (every byte fits)', () => {
    expect(Array.from(tensor(new Uint8Array([0, 255]), { dtype: 'int32' }).toArray())).toEqual([0, 255]);
  });

  it('names what it got for data that is not numbers, nested arrays or the three typed arrays', () => {
    const bad = (d: unknown) => () => tensor(d as number[], { dtype: 'int32' });
    expect(bad(new Uint32Array([2 ** 32 - 1]))).toThrow('tensor: data must be a number, a nested array of numbers, a Float32Array, an Int32Array or a Uint8Array; got a Uint32Array');
    expect(bad(new Float64Array([1]))).toThrow('got a Float64Array');
    expect(bad(null)).toThrow('tensor: data must be a number, a nested array of numbers, a Float32Array, an Int32Array or a Uint8Array; got null');
    expect(bad(undefined)).toThrow('got undefined');
    expect(bad(['3'])).toThrow('tensor: data[0] must be a number or a boolean, got a string');
    expect(bad([[1], [2n]])).toThrow('tensor: data[1][0] must be a number or a boolean, got a bigint');
    expect(bad([[1], 'a'])).toThrow('tensor: ragged nested array at data[1]: expected 1 elements, got a string');
    expect(bad([[1], [[2]]])).toThrow('tensor: ragged nested array at data[1][0]: expected a number, got an array');
  });

  it('a wrapped label can no longer slip past cross-entropy\'s range check', () => {
    const logits = zeros([1, 10]);
    expect(() => crossEntropy(logits, tensor([2 ** 32 + 3], { dtype: 'int32' }))).toThrow('tensor: dtype int32 needs integers');
  });

  it('rejects a dtype it does not have, naming the function', () => {
    const bad = 'int64' as unknown as DType;
    expect(() => tensor([1, 2], { dtype: bad })).toThrow("tensor: dtype must be 'float32', 'int32' or 'bool', got 'int64'");
    expect(() => full([2], 1, { dtype: bad })).toThrow("full: dtype must be 'float32', 'int32' or 'bool', got 'int64'");
    expect(() => arange(3, { dtype: bad })).toThrow("arange: dtype must be 'float32', 'int32' or 'bool', got 'int64'");
  });
});

describe('full / arange with dtype int32', () => {
  it('full rejects a fill value outside int32 or not an integer', () => {
    expect(Array.from(full([2], INT32_MIN, { dtype: 'int32' }).toArray())).toEqual([INT32_MIN, INT32_MIN]);
    expect(() => full([3], 2 ** 32 + 3, { dtype: 'int32' }))
      .toThrow('full: dtype int32 needs an integer in [-2147483648, 2147483647], got 4294967299');
    expect(() => full([3], -(2 ** 31) - 1, { dtype: 'int32' })).toThrow('got -2147483649');
    expect(() => full([3], 0.5, { dtype: 'int32' })).toThrow('full: dtype int32 needs an integer in [-2147483648, 2147483647], got 0.5');
    expect(Array.from(ones(2, { dtype: 'int32' }).toArray())).toEqual([1, 1]);
  });

  it('arange names itself and the first value outside int32', () => {
    expect(Array.from(arange(INT32_MAX - 2, INT32_MAX + 1, 1, { dtype: 'int32' }).toArray())).toEqual([INT32_MAX - 2, INT32_MAX - 1, INT32_MAX]);
    expect(() => arange(INT32_MAX - 1, INT32_MAX + 2, 1, { dtype: 'int32' }))
      .toThrow('arange: dtype int32 needs integers in [-2147483648, 2147483647], got 2147483648 at index 2');
    expect(() => arange(0, 2, 0.5, { dtype: 'int32' }))
      .toThrow('arange: dtype int32 needs integers in [-2147483648, 2147483647], got 0.5 at index 1');
  });

  it('integer pow is exact up to int32 and refuses negative exponents and overflow, as PyTorch refuses them', () => {
    const i32 = (v: number[]) => tensor(v, { dtype: 'int32' });
    expect(Array.from(i32([-2, 2, 46340]).pow(2).toArray())).toEqual([4, 4, 2147395600]);
    expect(Array.from(i32([-2]).pow(31).toArray())).toEqual([INT32_MIN]);
    expect(() => i32([1, 2]).pow(31)).toThrow(`pow: int32 overflow at element 1: 2 ** 31 is outside [${INT32_MIN}, ${INT32_MAX}]`);
    expect(() => i32([46341]).pow(2)).toThrow('pow: int32 overflow at element 0: 46341 ** 2');
    expect(() => i32([2]).pow(-1)).toThrow('pow: Integers to negative integer powers are not allowed.');
    expect(() => i32([2, 3]).pow(i32([1, -2]))).toThrow('pow: Integers to negative integer powers are not allowed.');
  });
});
