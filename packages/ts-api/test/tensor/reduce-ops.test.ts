// Element-wise maths and reductions: values and gradients worked by hand, gradients of the smooth ops
// against finite differences, and every error (op, argument, what was expected, what was given).
// Values against PyTorch are in parity/cases_reduce.py.

import { describe, expect, it } from 'vitest';
import * as sm from '../../src/index.js';
import { tensor, zeros, type Tensor } from '../../src/index.js';
import { gradcheck, values } from '../helpers/gradcheck.js';

const inp = (shape: number[], seed: number, lo = -1, hi = 1) => ({ data: values(shape.reduce((p, d) => p * d, 1), seed, lo, hi), shape });
const leaf = (data: number[] | number[][], shape?: number[]): Tensor =>
  tensor(data as number[], shape ? { shape, requiresGrad: true } : { requiresGrad: true });
const grad = (t: Tensor): number[] => Array.from(t.grad?.toArray() ?? []);

describe('element-wise maths', () => {
  it('rounds half to even, floors and ceils with zero gradients', () => {
    const x = leaf([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.7]);
    expect(Array.from(x.round().toArray())).toEqual([-2, -2, -0, 0, 2, 2, 4]);
    expect(Array.from(sm.floor(x).toArray())).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(Array.from(x.ceil().toArray())).toEqual([-2, -1, -0, 1, 2, 3, 4]);
    x.round().add(x.floor()).add(x.ceil()).add(x.sign()).sum().backward();
    expect(grad(x)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('has PyTorch\'s derivatives', () => {
    gradcheck((x) => x.tanh(), [inp([3, 5], 1, -2, 2)]);
    gradcheck((x) => x.reciprocal(), [inp([7], 2, 0.5, 2)]);
    gradcheck((x) => x.rsqrt(), [inp([7], 3, 0.5, 3)]);
    gradcheck((x) => x.log1p(), [inp([2, 3], 4, -0.5, 3)]);
    gradcheck((x) => x.expm1(), [inp([2, 3], 5)]);
    gradcheck((x) => x.sin(), [inp([5], 6, -3, 3)]);
    gradcheck((x) => x.cos(), [inp([5], 7, -3, 3)]);
  });

  it('clamps with the bounds included in the gradient, either bound optional', () => {
    const x = leaf([-2, -1, 0, 1, 2, NaN]);
    const y = x.clamp(-1, 1);
    expect(Array.from(y.toArray())).toEqual([-1, -1, 0, 1, 1, NaN]);
    y.sum().backward();
    expect(grad(x)).toEqual([0, 1, 1, 1, 0, 0]);
    expect(Array.from(sm.clamp(x, null, 0).toArray()).slice(0, 5)).toEqual([-2, -1, 0, 0, 0]);
    expect(Array.from(sm.clamp(x, 0.5).toArray()).slice(0, 5)).toEqual([0.5, 0.5, 0.5, 1, 2]);
    expect(Array.from(sm.clamp(x, 3, -3).toArray()).slice(0, 5)).toEqual([-3, -3, -3, -3, -3]);
  });

  it('refuses clamp calls it cannot honour', () => {
    const x = zeros([2, 3]);
    expect(() => x.clamp()).toThrow("clamp: At least one of 'min' or 'max' must not be None (both are null or undefined)");
    expect(() => x.clamp(zeros([4]))).toThrow(/clamp/);
    expect(() => x.clamp(tensor([1], { dtype: 'int32' }))).toThrow('clamp (min): expected a float32 tensor, got int32 (shape [1])');
    expect(() => x.clamp(0, NaN)).toThrow('clamp: max must be a number, a Tensor, null or undefined, got NaN');
    expect(() => tensor([1, 2], { dtype: 'int32' }).clamp(0)).toThrow('clamp: expected a float32 tensor, got int32 (shape [2])');
  });

  it('clamps to tensor bounds with PyTorch\'s gradients for the bounds', () => {
    const a = leaf([1, 2, 3]);
    const lo = leaf([2, 2, 0]);
    const hi = leaf([2.5, 1, 3]);
    const y = sm.clamp(a, lo, hi);
    expect(y.tolist()).toEqual([2, 1, 3]);
    y.backward(tensor([1, 1, 1]));
    expect([grad(a), grad(lo), grad(hi)]).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    const b = leaf([[-1, 0.5], [2, 3]]);
    const top = leaf([1]);
    b.clamp(null, top).sum().backward();
    expect(grad(b)).toEqual([1, 1, 0, 0]);
    expect(grad(top)).toEqual([2]);
  });

  it('maximum / minimum broadcast and split tied gradients half / half', () => {
    const a = leaf([1, 2, 3]);
    const b = leaf([2, 2, 1]);
    sm.maximum(a, b).backward(tensor([4, 4, 4]));
    expect(grad(a)).toEqual([0, 2, 4]);
    expect(grad(b)).toEqual([4, 2, 0]);
    const c = leaf([[1, 5], [3, 0]]);
    const d = leaf([2, 2]);
    const m = c.minimum(d);
    expect(m.tolist()).toEqual([[1, 2], [2, 0]]);
    m.sum().backward();
    expect(grad(c)).toEqual([1, 0, 0, 1]);
    expect(grad(d)).toEqual([1, 1]);
    expect(() => sm.maximum(zeros([3]), zeros([4]))).toThrow(/maximum/);
    expect(() => sm.maximum(zeros([3]), 2 as unknown as Tensor)).toThrow('maximum: other must be a Tensor, got number');
  });
});

describe('reductions over dims', () => {
  it('sums over a dim list, negative dims, keepdim, and an empty list as all dims', () => {
    const x = tensor(Array.from({ length: 24 }, (_, i) => i), { shape: [2, 3, 4] });
    expect(x.sum([0, 2]).tolist()).toEqual([60, 92, 124]);
    expect(x.sum([-1, 0], true).shape).toEqual([1, 3, 1]);
    expect(x.sum([]).item()).toBe(276);
    expect(sm.mean(x, [0, 1]).tolist()).toEqual([10, 11, 12, 13]);
    expect(zeros([0, 3]).sum().item()).toBe(0);
    expect(Number.isNaN(zeros([0, 3]).mean().item())).toBe(true);
  });

  it('sums int32 to int32 exactly and throws when the result does not fit', () => {
    const i = tensor([[2147483647, -10], [1, 10]], { dtype: 'int32' });
    const s = i.sum(1);
    expect(s.dtype).toBe('int32');
    expect(s.tolist()).toEqual([2147483637, 11]);
    expect(() => i.sum(0)).toThrow('sum: 1 element(s) of the result do not fit int32 (softmax-nn sums int32 tensors to int32, PyTorch to int64)');
    expect(() => i.sum()).toThrow('sum: 1 element(s) of the result do not fit int32');
    // a partial sum beyond int32 that comes back is fine (exact in int64)
    expect(tensor([2147483647, 10, -20], { dtype: 'int32' }).sum().item()).toBe(2147483637);
    const j = tensor(Array.from({ length: 24 }, (_, k) => k - 7), { shape: [2, 3, 4], dtype: 'int32' });
    expect(j.sum([0, 2]).tolist()).toEqual([4, 36, 68]); // Σ over i, k of 12i + 4j + k − 7 = 32j + 4
    expect(() => tensor([1, 2], { dtype: 'int32' }).mean()).toThrow(
      'mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Int',
    );
  });

  it('names the op, the dim and the shape in dim errors', () => {
    const x = zeros([2, 3]);
    expect(() => x.amax(3)).toThrow('amax: dim 3 is out of range for a tensor of shape [2, 3] (expected a dim in [-2, 1])');
    expect(() => x.sum([0, -2])).toThrow('sum: dim 0 appears multiple times in the list of dims [0, -2]');
    expect(() => x.sum(0.5)).toThrow('sum: dim must be an integer, got 0.5 (tensor of shape [2, 3])');
    expect(() => x.argmax([0, 1] as unknown as number)).toThrow('argmax: dim must be a single number (as in PyTorch), got [0,1]');
    expect(() => x.cumsum(2)).toThrow('cumsum: dim 2 is out of range for a tensor of shape [2, 3]');
    expect(() => x.logsumexp(undefined as unknown as number)).toThrow('logsumexp: dim is required');
  });

  it('max / min: a scalar, [values, indices] along a dim, or element-wise with a tensor', () => {
    const x = leaf([[1, 3, 3], [2, 2, 2]]);
    const [values, indices] = x.max(1);
    const r = x.max(1);
    expect(r.values.tolist()).toEqual([3, 2]);
    expect(r.indices.tolist()).toEqual([1, 0]);
    expect(values.tolist()).toEqual([3, 2]);
    expect(indices.dtype).toBe('int32');
    values.sum().backward();
    expect(grad(x)).toEqual([0, 1, 0, 1, 0, 0]);
    const y = leaf([[1, 3, 3], [2, 2, 2]]);
    y.max().backward();
    expect(grad(y)).toEqual([0, 0.5, 0.5, 0, 0, 0]);
    const z = leaf([[1, 3, 3], [2, 2, 2]]);
    z.amax(1).sum().backward();
    expect(grad(z).map((v) => Math.fround(v))).toEqual([0, 0.5, 0.5, 1 / 3, 1 / 3, 1 / 3].map(Math.fround));
    expect(sm.min(x, 0, true).indices.tolist()).toEqual([[0, 1, 1]]);
    expect(sm.max(tensor([1, 5]), tensor([3, 2])).tolist()).toEqual([3, 5]);
    expect(() => x.max(undefined as unknown as number, true)).toThrow('max: keepdim needs a dim');
    expect(() => zeros([0, 3]).max()).toThrow("max(): Expected reduction dim to be specified for input.numel() == 0 (tensor of shape [0, 3]). Specify the reduction dim with the 'dim' argument.");
    expect(() => zeros([0, 3]).min(0)).toThrow('min(): Expected reduction dim 0 to have non-zero size (tensor of shape [0, 3]).');
    expect(zeros([0, 3]).amax(1).shape).toEqual([0]);
  });

  it('prod has the exact gradient with zeros', () => {
    const x = leaf([3, 0, 2]);
    expect(x.prod().item()).toBe(0);
    x.prod().backward();
    expect(grad(x)).toEqual([0, 6, 0]);
    const y = leaf([[2, 0, 0], [1, 2, 3]]);
    y.prod(1).sum().backward();
    expect(grad(y)).toEqual([0, 0, 0, 6, 3, 2]);
    gradcheck((t) => t.prod([0, 2]), [inp([2, 3, 2], 8, 0.5, 1.5)]);
    expect(zeros([0, 3]).prod().item()).toBe(1);
  });

  it('var / std: correction, unbiased, keepdim and their ports', () => {
    const x = tensor([[1, 2, 3, 4], [2, 2, 2, 2]]);
    expect(x.var(1).tolist()).toEqual([5 / 3, 0].map(Math.fround));
    expect(x.var(1, { keepdim: true }).shape).toEqual([2, 1]);
    // PyTorch's positional order is (dim, unbiased, keepdim): a boolean after the dim is never keepdim
    expect(x.var(1, false).tolist()).toEqual([1.25, 0]);
    expect(x.var(1, false, true).shape).toEqual([2, 1]);
    expect(x.var(false).item()).toBeCloseTo(5.5 / 8, 6);
    expect(() => x.var(1, true, { correction: 0 })).toThrow('var: give correction or unbiased, not both');
    expect(x.var(1, { correction: 0 }).tolist()).toEqual([1.25, 0]);
    expect(sm.var(x, 1, { unbiased: false }).tolist()).toEqual([1.25, 0]);
    expect(x.var({ unbiased: false, keepdim: true }).shape).toEqual([1, 1]);
    expect(x.std(1, { keepdim: false, correction: 0 }).tolist()).toEqual([Math.fround(Math.sqrt(1.25)), 0]);
    expect(Number.isNaN(tensor([1]).var().item())).toBe(true);
    const s = leaf([[1, 2, 3, 4], [2, 2, 2, 2]]);
    s.std(1).sum().backward();
    expect(grad(s).slice(4)).toEqual([0, 0, 0, 0]);
    gradcheck((t) => t.var([0, 2], { keepdim: true }), [inp([2, 3, 4], 9)]);
    gradcheck((t) => t.std(1, { correction: 0 }), [inp([3, 5], 10)]);
    expect(() => x.var(0, { ddof: 1 } as unknown as sm.VarOptions)).toThrow("var: unknown option 'ddof' (expected correction, unbiased or keepdim)");
    expect(() => x.std({ correction: 1, unbiased: true })).toThrow('std: give correction or unbiased, not both');
    expect(() => x.var(0, { correction: -1 })).toThrow('var: correction must be a non-negative integer, got -1');
  });

  it('norm for p = 1, 2, ∞, other p; zero gradient where the norm is zero', () => {
    const x = leaf([[3, -4], [0, 0]]);
    expect(x.norm(2, 1).tolist()).toEqual([5, 0]);
    expect(x.norm(1).item()).toBe(7);
    expect(x.norm(Infinity).item()).toBe(4);
    expect(x.norm('fro').item()).toBe(5);
    x.norm(2, 1).sum().backward();
    expect(grad(x).map((v) => Math.fround(v))).toEqual([0.6, -0.8, 0, 0].map(Math.fround));
    gradcheck((t) => t.norm(3, 1), [inp([3, 4], 11, 0.5, 2)]);
    gradcheck((t) => t.norm(0.5, [0, 1], true), [inp([2, 3], 12, 0.5, 2)]);
    expect(() => x.norm(0)).toThrow("norm: p = 0 is not supported (supported: p > 0, Infinity, -Infinity, 'fro')");
  });

  it('logsumexp is stable and cumsum accumulates in float64', () => {
    const x = leaf([[1000, 1000], [-Infinity, -Infinity]]);
    const l = x.logsumexp(1);
    expect(l.toArray()[0]).toBeCloseTo(1000 + Math.log(2), 3);
    expect(l.toArray()[1]).toBe(-Infinity);
    gradcheck((t) => t.logsumexp([0, 1], true), [inp([2, 3], 13, -3, 3)]);
    expect(Array.from(tensor([1e8, 1, -1e8]).cumsum(0).toArray())).toEqual([1e8, 1e8, 1]);
    const c = leaf([[1, 2, 3], [4, 5, 6]]);
    c.cumsum(1).sum().backward();
    expect(grad(c)).toEqual([3, 2, 1, 3, 2, 1]);
    expect(() => tensor([1, 2], { dtype: 'int32' }).cumsum(0)).toThrow('cumsum: expected a float32 tensor, got int32 (shape [2])');
  });
});
