// Creation ops: sizes as numbers or one array, checked options, int32 limits, the seeded random ops,
// and the errors of the joins and indexed ops that the parity cases do not reach.
import { describe, expect, it } from 'vitest';
import * as sm from '../../src/index.js';

const i32 = (v: sm.NestedArray): sm.Tensor => sm.tensor(v, { dtype: 'int32' });

describe('sizes and options', () => {
  it('variadic and array sizes give the same shape; an options object is recognised', () => {
    for (const f of [sm.zeros, sm.ones, sm.empty, sm.rand, sm.randn]) {
      expect(f(5, 3).shape).toEqual([5, 3]);
      expect(f([5, 3]).shape).toEqual([5, 3]);
      expect(f().shape).toEqual([]);
      expect(f(5, 3, { requiresGrad: true }).requiresGrad).toBe(true);
    }
    expect(sm.zeros(2, 3, { dtype: 'int32' }).dtype).toBe('int32');
    expect(sm.empty([4], { dtype: 'int32' }).dtype).toBe('int32');
    expect(sm.full(2, 3, 7).tolist()).toEqual([[7, 7, 7], [7, 7, 7]]);
    expect(sm.full([2], 7, { dtype: 'int32' }).dtype).toBe('int32');
  });

  it('anything that is not a number or an options object throws instead of being ignored', () => {
    expect(() => sm.randn(5, '3' as never)).toThrow('randn: expected the size as numbers or one array of numbers, got a string at position 1');
    expect(() => sm.zeros([2, 3], [4] as never)).toThrow('zeros: expected the size as numbers or one array of numbers, got an array at position 0');
    expect(() => sm.ones(2, null as never)).toThrow('ones: expected the size as numbers or one array of numbers, got null at position 1');
    expect(() => sm.rand(sm.zeros(2) as never)).toThrow('rand: expected the size as numbers or one array of numbers, got a Tensor at position 0');
    expect(() => sm.zeros(2.5)).toThrow('zeros: shape must be a list of non-negative integers, got [2.5]');
  });

  it('unknown option keys throw naming the known ones; option values are checked', () => {
    expect(() => sm.zeros(2, { dtyp: 'int32' } as never)).toThrow("zeros: unknown option 'dtyp'; the known options are 'dtype', 'requiresGrad'");
    expect(() => sm.tensor([1], { requires_grad: true } as never)).toThrow("tensor: unknown option 'requires_grad'; the known options are 'shape', 'dtype', 'requiresGrad'");
    expect(() => sm.randn(2, { requiresGrad: 1 } as never)).toThrow('randn: requiresGrad must be a boolean, got a number');
    expect(() => sm.arange(3, { dtype: 'int64' } as never)).toThrow("arange: dtype must be 'float32', 'int32' or 'bool', got 'int64'");
    expect(() => sm.zeros(2, { dtype: 'int32', requiresGrad: true })).toThrow('only float32 tensors can require gradients');
    expect(() => sm.randn(2, { dtype: 'int32' })).toThrow("randn: dtype 'int32' is not supported");
  });

  it('*Like ops keep shape and dtype unless told otherwise', () => {
    const labels = i32([1, 2, 3]);
    expect(sm.zerosLike(labels).dtype).toBe('int32');
    expect(sm.onesLike(labels, { dtype: 'float32' }).tolist()).toEqual([1, 1, 1]);
    expect(sm.fullLike(sm.zeros(2, 2), 3).tolist()).toEqual([[3, 3], [3, 3]]);
    expect(sm.randnLike(sm.zeros(4, 5)).shape).toEqual([4, 5]);
    expect(sm.randLike(sm.zeros(3), { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => sm.randnLike(labels)).toThrow("randnLike: dtype 'int32' is not supported");
    expect(() => sm.fullLike(labels, 2.5)).toThrow('fullLike: dtype int32 needs an integer in');
  });
});

describe('ranges', () => {
  it('arange infers int32 from integer arguments, float32 otherwise, with PyTorch lengths', () => {
    expect(sm.arange(5).dtype).toBe('int32');
    expect(sm.arange(1, 4).tolist()).toEqual([1, 2, 3]);
    expect(sm.arange(0, 1, 0.1).shape).toEqual([10]); // ⌈1 / 0.1⌉ in double = 10, as torch
    expect(sm.arange(0, 1, 0.1).dtype).toBe('float32');
    expect(sm.arange(0, 0).shape).toEqual([0]);
    expect(sm.arange(5, { dtype: 'float32' }).dtype).toBe('float32');
    expect(() => sm.arange(0, 1, 0.5, { dtype: 'int32' })).toThrow('arange: dtype int32 needs integers in [-2147483648, 2147483647], got 0.5 at index 1');
    expect(() => sm.arange(Infinity)).toThrow('arange: argument 0 must be a finite number, got Infinity');
    expect(() => sm.arange(2 ** 31, 2 ** 31 + 2)).toThrow('got 2147483648 at index 0');
    expect(() => sm.arange(2 ** 31 - 2, 2 ** 31 + 1)).toThrow('got 2147483648 at index 2');
  });

  it('eye and linspace', () => {
    expect(sm.eye(2).tolist()).toEqual([[1, 0], [0, 1]]);
    expect(sm.eye(2, { dtype: 'int32' }).dtype).toBe('int32');
    expect(sm.eye(0, 3).shape).toEqual([0, 3]);
    expect(sm.linspace(3, 3, 1).tolist()).toEqual([3]);
    expect(() => sm.linspace(0, 1, 2.5)).toThrow('linspace: steps must be a non-negative integer, got 2.5');
    expect(() => sm.linspace(0, 1, 3, { dtype: 'int32' })).toThrow("linspace: dtype 'int32' is not supported");
  });
});

describe('random ops', () => {
  it('the same seed gives the same values; randint stays in [low, high); randperm is a permutation', () => {
    sm.manualSeed(3);
    const a = [sm.randint(-2, 3, [1000]).toArray(), sm.randperm(37).toArray(), sm.normal(1, 2, [5]).toArray()];
    sm.manualSeed(3);
    const b = [sm.randint(-2, 3, [1000]).toArray(), sm.randperm(37).toArray(), sm.normal(1, 2, [5]).toArray()];
    expect(a.map((t) => Array.from(t))).toEqual(b.map((t) => Array.from(t)));
    const r = Array.from(a[0]);
    expect(new Set(r)).toEqual(new Set([-2, -1, 0, 1, 2]));
    expect(Array.from(a[1]).sort((x, y) => x - y)).toEqual(Array.from({ length: 37 }, (_, i) => i));
    expect(sm.randint(4, [3]).dtype).toBe('int32');
    expect(sm.randint(4, [3], { dtype: 'float32' }).dtype).toBe('float32');
    expect(sm.randperm(0).shape).toEqual([0]);
  });

  it('the full int32 range and its limits', () => {
    const t = sm.randint(-(2 ** 31), 2 ** 31 - 1, [64]).toArray();
    expect(() => sm.randint(-(2 ** 31), 2 ** 31, [2])).toThrow('randint: high − low must be below 2^32');
    expect(t.some((v) => v < 0) && t.some((v) => v > 0)).toBe(true);
    expect(() => sm.randint(0, 2 ** 31 + 1, [2])).toThrow('randint: low and high must stay inside int32');
    expect(() => sm.randint(0, 2.5, [2])).toThrow('randint: high must be an integer, got 2.5');
    expect(() => sm.randint(0, 3, 4 as never)).toThrow('randint: the size must be an array of numbers, got a number');
    expect(() => sm.normal(0, -1, [2])).toThrow('normal: std must be a finite number ≥ 0');
  });
});

describe('joins and indexed ops: what the parity cases do not reach', () => {
  it('cat refuses mixed dtypes, 0-d tensors and an empty list', () => {
    expect(() => sm.cat([sm.zeros(2), i32([1])])).toThrow('cat: expected all tensors to have dtype float32, got int32 at position 1');
    expect(() => sm.cat([sm.tensor(1), sm.tensor(2)])).toThrow('cat: zero-dimensional tensor (at position 0) cannot be concatenated');
    expect(() => sm.cat([])).toThrow('cat: expected a non-empty list of tensors');
    expect(() => sm.stack([sm.zeros(2), 3 as never])).toThrow('stack: element 1 of the list is a number, not a Tensor');
  });

  it('cat, repeat and flip give copies; split and chunk give views, as in PyTorch', () => {
    const x = sm.tensor([1, 2, 3]);
    for (const y of [sm.cat([x]), x.repeat(1), x.flip([])]) {
      expect(y.sharesStorageWith(x)).toBe(false);
      expect(y.tolist()).toEqual([1, 2, 3]);
    }
    const m = sm.tensor([[1, 2, 3], [4, 5, 6]]);
    const [a, b] = m.split(2, 1);
    expect(a.sharesStorageWith(m) && b.sharesStorageWith(m)).toBe(true);
    b.zero_(); // a write through a piece reaches the tensor it came from
    expect(m.tolist()).toEqual([[1, 2, 0], [4, 5, 0]]);
    const [top] = m.chunk(2, 0);
    top.fill_(9);
    expect(m.tolist()).toEqual([[9, 9, 9], [4, 5, 0]]);
  });

  it('index tensors must be int32; oneHot needs int32 labels and a class count it can infer', () => {
    const x = sm.zeros(3, 4);
    expect(() => x.gather(1, sm.tensor([[0]]))).toThrow('gather: index must be an int32 tensor, got float32 (shape [1, 1])');
    expect(() => x.indexSelect(0, i32([0]).reshape(1, 1))).toThrow('indexSelect: index must be a vector (0-d or 1-d), got shape [1, 1]');
    expect(() => sm.oneHot(sm.tensor([1, 2]))).toThrow('oneHot: one_hot is only applicable to index tensors (int32), got float32');
    expect(() => sm.oneHot(i32([]))).toThrow('oneHot: can not infer the total number of classes from an empty tensor');
    expect(() => sm.oneHot(i32([-3, -2]))).toThrow('oneHot: class values must be non-negative, got -2');
    expect(() => sm.oneHot(i32([-1, 1]))).toThrow('oneHot: class values must be non-negative, got -1');
    expect(sm.nn.functional.oneHot(i32([1]), 0 + 2).tolist()).toEqual([[0, 1]]);
    expect(() => sm.scatterAdd(i32([0, 0]), 0, i32([0]), i32([1]))).toThrow('scatterAdd: int32 tensors are not supported');
    expect(() => x.scatter(0, i32([[0]]), sm.zeros(1, 1, { dtype: 'int32' }))).toThrow('scatter: expected self and src to have the same dtype, got float32 and int32');
  });

  it('a src larger than the index gets no gradient, as in PyTorch, with an error naming the shapes', () => {
    const x = sm.zeros(3, 4);
    const src = sm.ones(4, 5, { requiresGrad: true });
    const y = x.scatter(0, i32([[0, 1], [2, 0]]), src);
    expect(y.tolist()).toEqual([[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]]);
    expect(() => y.sum().backward()).toThrow("scatter: a gradient for src needs src of the index's shape [2, 2], got [4, 5]");
  });
});
