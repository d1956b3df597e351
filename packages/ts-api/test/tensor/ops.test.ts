// Every tensor op: values against math worked in JavaScript (float64), gradients against finite differences.

import { describe, expect, it } from 'vitest';
import * as sm from '../../src/index.js';
import { tensor, type Tensor } from '../../src/index.js';
import { expectClose, gradcheck, values } from '../helpers/gradcheck.js';

const V = (n: number, seed: number, lo = -1, hi = 1) => values(n, seed, lo, hi);

describe('creation', () => {
  it('builds tensors from nested arrays and typed arrays', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(Array.from(t.toArray())).toEqual([1, 2, 3, 4, 5, 6]);
    const i = tensor(new Int32Array([3, 1]));
    expect(i.dtype).toBe('int32');
    expect(i.toArray()).toBeInstanceOf(Int32Array);
    expect(tensor(7).item()).toBe(7);
    expect(tensor(new Float32Array(6), { shape: [3, 2] }).shape).toEqual([3, 2]);
  });

  it('rejects ragged arrays, wrong shapes and non-integers for int32', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged nested array at data\[1\]: expected 2 elements, got 1/);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow('tensor: shape [2, 2] needs 4 values, got 3');
    expect(() => tensor([1.5], { dtype: 'int32' })).toThrow('tensor: dtype int32 needs integers in [-2147483648, 2147483647], got 1.5 at index 0');
    expect(() => tensor([1, 2]).item()).toThrow(/only a tensor with one element/);
  });

  it('zeros, ones, full, arange', () => {
    expect(Array.from(sm.zeros([2, 2]).toArray())).toEqual([0, 0, 0, 0]);
    expect(Array.from(sm.ones(3).toArray())).toEqual([1, 1, 1]);
    expect(Array.from(sm.full([2], 2.5).toArray())).toEqual([2.5, 2.5]);
    expect(Array.from(sm.arange(5).toArray())).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(sm.arange(1, 2, 0.25).toArray())).toEqual([1, 1.25, 1.5, 1.75]);
    expect(sm.arange(3, { dtype: 'int32' }).dtype).toBe('int32');
  });

  it('randn and rand follow the seed', () => {
    sm.manualSeed(42);
    const a = sm.randn([1000]).toArray() as Float32Array;
    const u = sm.rand([4]).toArray();
    sm.manualSeed(42);
    expect(sm.randn([1000]).toArray()).toEqual(a);
    expect(sm.rand([4]).toArray()).toEqual(u);
    const m = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(m)).toBeLessThan(0.15);
    for (const v of u) expect(v >= 0 && v < 1).toBe(true);
  });
});

describe('element-wise values', () => {
  const a = V(12, 1);
  const b = V(12, 2, 0.5, 2);
  const ta = () => tensor(a, { shape: [3, 4] });
  const tb = () => tensor(b, { shape: [3, 4] });
  const cases: [string, (x: Tensor, y: Tensor) => Tensor, (x: number, y: number) => number][] = [
    ['add', (x, y) => x.add(y), (x, y) => x + y],
    ['sub', (x, y) => sm.sub(x, y), (x, y) => x - y],
    ['mul', (x, y) => x.mul(y), (x, y) => x * y],
    ['div', (x, y) => sm.div(x, y), (x, y) => x / y],
  ];
  for (const [name, op, ref] of cases) {
    it(`${name} matches float math, same shape and broadcast bias, both argument orders`, () => {
      expectClose(op(ta(), tb()).toArray(), Array.from(a, (x, i) => ref(x, b[i])), 1e-6, 1e-7, name);
      const bias = tensor(b.slice(0, 4));
      expectClose(op(ta(), bias).toArray(), Array.from(a, (x, i) => ref(x, b[i % 4])), 1e-6, 1e-7, `${name} bias`);
      const col = tensor(b.slice(0, 3), { shape: [3, 1] });
      expectClose(op(ta(), col).toArray(), Array.from(a, (x, i) => ref(x, b[Math.floor(i / 4)])), 1e-6, 1e-7, `${name} column`);
      expectClose(op(bias, ta()).toArray(), Array.from(a, (x, i) => ref(b[i % 4], x)), 1e-6, 1e-7, `${name} bias first`);
      expectClose(op(ta(), tensor(2)).toArray(), Array.from(a, (x) => ref(x, 2)), 1e-6, 1e-7, `${name} scalar tensor`);
    });
  }

  it('scalar numbers work as operands', () => {
    expectClose(ta().add(3).toArray(), Array.from(a, (x) => x + 3), 1e-6, 0);
    expectClose(ta().mul(-2).toArray(), Array.from(a, (x) => x * -2), 1e-6, 0);
    expectClose(ta().sub(1).toArray(), Array.from(a, (x) => x - 1), 1e-6, 0);
    expectClose(ta().div(4).toArray(), Array.from(a, (x) => x / 4), 1e-6, 0);
  });

  it('broadcasts [2,1,3] with [4,1] to [2,4,3]', () => {
    const x = tensor(V(6, 3), { shape: [2, 1, 3] });
    const y = tensor(V(4, 4), { shape: [4, 1] });
    const out = x.add(y);
    expect(out.shape).toEqual([2, 4, 3]);
    const xv = x.toArray();
    const yv = y.toArray();
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) expected.push(xv[i * 3 + k] + yv[j]);
    expectClose(out.toArray(), expected, 1e-6, 0);
    expect(() => tensor(V(6, 1), { shape: [2, 3] }).add(tensor(V(2, 1)))).toThrow(
      'add: shapes [2, 3] and [2] cannot be broadcast together',
    );
  });

  const unary: [string, (x: Tensor) => Tensor, (x: number) => number, number, number][] = [
    ['neg', (x) => x.neg(), (x) => -x, -2, 2],
    ['exp', (x) => x.exp(), Math.exp, -3, 3],
    ['log', (x) => x.log(), Math.log, 0.1, 3],
    ['abs', (x) => x.abs(), Math.abs, -2, 2],
    ['relu', (x) => x.relu(), (x) => Math.max(0, x), -2, 2],
    ['sigmoid', (x) => x.sigmoid(), (x) => 1 / (1 + Math.exp(-x)), -6, 6],
    ['pow 3', (x) => x.pow(3), (x) => x ** 3, -2, 2],
    ['square', (x) => x.square(), (x) => x * x, -2, 2],
    ['sqrt', (x) => x.sqrt(), Math.sqrt, 0.1, 4],
  ];
  for (const [name, op, ref, lo, hi] of unary) {
    it(`${name} matches Math at 257 points`, () => {
      const x = V(257, 7, lo, hi);
      expectClose(op(tensor(x)).toArray(), Array.from(x, ref), 2e-6, 1e-7, name);
    });
  }
});

describe('gradients by finite differences', () => {
  const inp = (shape: number[], seed: number, lo = -1, hi = 1) => ({ data: V(shape.reduce((p, d) => p * d, 1), seed, lo, hi), shape });
  it('add/sub/mul/div with broadcasting', () => {
    gradcheck((x, y) => x.add(y), [inp([3, 4], 1), inp([4], 2)]);
    gradcheck((x, y) => x.sub(y), [inp([3, 1], 1), inp([1, 4], 2)]);
    gradcheck((x, y) => x.mul(y), [inp([2, 3, 4], 3), inp([3, 1], 4)]);
    gradcheck((x, y) => x.div(y), [inp([3, 4], 5), inp([4], 6, 0.5, 2)]);
    gradcheck((x) => x.mul(x), [inp([5], 7)]);
  });
  it('unary functions', () => {
    gradcheck((x) => x.neg(), [inp([7], 1)]);
    gradcheck((x) => x.exp(), [inp([7], 1)]);
    gradcheck((x) => x.log(), [inp([7], 2, 0.5, 2)]);
    gradcheck((x) => x.abs(), [inp([7], 3)]);
    gradcheck((x) => x.relu(), [inp([7], 4)]);
    gradcheck((x) => x.sigmoid(), [inp([7], 5, -3, 3)]);
    gradcheck((x) => x.pow(3), [inp([7], 6)]);
    gradcheck((x) => x.square(), [inp([7], 7)]);
    gradcheck((x) => x.sqrt(), [inp([7], 8, 0.5, 2)]);
  });
  it('matmul, linear, transpose', () => {
    gradcheck((x, y) => x.matmul(y), [inp([3, 5], 1), inp([5, 2], 2)]);
    gradcheck((x, y) => x.matmul(y), [inp([5], 3), inp([5, 2], 4)]);
    gradcheck((x, w, b) => sm.linear(x, w, b), [inp([4, 5], 5), inp([3, 5], 6), inp([3], 7)]);
    gradcheck((x) => x.t(), [inp([3, 5], 8)]);
    gradcheck((x) => x.transpose(0, 2), [inp([2, 3, 4], 9)]);
  });
  it('sum, mean (all and over a dim), softmax, logSoftmax', () => {
    gradcheck((x) => x.sum(), [inp([3, 4], 1)]);
    gradcheck((x) => x.sum(1), [inp([3, 4], 2)]);
    gradcheck((x) => x.mean(0, true), [inp([3, 4], 3)]);
    gradcheck((x) => x.mean(), [inp([3, 4], 4)]);
    gradcheck((x) => x.softmax(1), [inp([3, 4], 5, -2, 2)]);
    gradcheck((x) => x.softmax(0), [inp([3, 4], 6, -2, 2)]);
    gradcheck((x) => x.logSoftmax(-1), [inp([2, 3, 4], 7, -2, 2)]);
  });
  it('reshape, flatten, expand, squeeze, unsqueeze, clone', () => {
    gradcheck((x) => x.reshape(4, 3).mul(x.reshape([4, 3])), [inp([3, 4], 1)]);
    gradcheck((x) => x.flatten(), [inp([2, 3, 2], 2)]);
    gradcheck((x) => x.expand(3, -1, 4), [inp([2, 1], 3)]);
    gradcheck((x) => x.unsqueeze(0).squeeze(0), [inp([2, 3], 4)]);
    gradcheck((x) => x.clone().exp(), [inp([4], 5)]);
  });
  it('crossEntropy fused, every reduction and label smoothing', () => {
    const y = tensor([2, 0, 1], { dtype: 'int32' });
    for (const reduction of ['none', 'mean', 'sum'] as const) {
      for (const labelSmoothing of [0, 0.1]) {
        gradcheck((x) => sm.crossEntropy(x, y, { reduction, labelSmoothing }), [inp([3, 4], 11, -2, 2)]);
      }
    }
  });
  it('mseLoss', () => {
    gradcheck((x, t) => sm.mseLoss(x, t), [inp([3, 4], 1), inp([3, 4], 2)]);
  });
});

describe('values of the composite ops', () => {
  it('matmul against a JavaScript triple loop', () => {
    const [m, k, n] = [5, 7, 3];
    const a = V(m * k, 1);
    const b = V(k * n, 2);
    const out = tensor(a, { shape: [m, k] }).matmul(tensor(b, { shape: [k, n] }));
    const ref: number[] = [];
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      ref.push(s);
    }
    expect(out.shape).toEqual([m, n]);
    expectClose(out.toArray(), ref, 1e-5, 1e-6);
    expect(() => tensor(a, { shape: [m, k] }).matmul(tensor(b, { shape: [n, k] }))).toThrow(
      'matmul: shapes [5, 7] and [3, 7] cannot be multiplied (7 ≠ 3)',
    );
  });

  it('softmax and logSoftmax rows, stable at ±1e4', () => {
    const x = tensor([[1, 2, 3], [1e4, -1e4, 0]]);
    const p = x.softmax(1).toArray();
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0] + e[1] + e[2];
    expectClose(p, [e[0] / s, e[1] / s, e[2] / s, 1, 0, 0], 1e-6, 1e-7);
    const lp = x.logSoftmax(1).toArray();
    expectClose(lp, [Math.log(e[0] / s), Math.log(e[1] / s), Math.log(e[2] / s), 0, -2e4, -1e4], 1e-6, 1e-6);
    // PyTorch's implicit dim is deprecated; here a missing or non-number dim is refused by name.
    expect(() => sm.nn.functional.softmax(x, undefined as never)).toThrow('softmax: dim must be an integer in -2..1 for a tensor with 2 dims, got none');
    expect(() => x.logSoftmax('1' as never)).toThrow('logSoftmax: dim must be an integer in -2..1 for a tensor with 2 dims, got string');
  });

  it('sum, mean over dims, argmax, eq', () => {
    const x = tensor([[1, 5, 3], [4, 2, 6]]);
    expect(Array.from(x.sum(0).toArray())).toEqual([5, 7, 9]);
    expect(Array.from(x.sum(1, true).toArray())).toEqual([9, 12]);
    expect(x.sum(1, true).shape).toEqual([2, 1]);
    expect(x.mean().item()).toBeCloseTo(3.5, 6);
    expect(Array.from(x.argmax(1).toArray())).toEqual([1, 2]);
    expect(x.argmax().item()).toBe(5);
    expect(Array.from(x.argmax(1).eq(tensor([1, 0], { dtype: 'int32' })).toArray())).toEqual([1, 0]);
  });

  it('crossEntropy equals logsumexp − o_y, mean and sum reductions', () => {
    const logits = [[2, 1, 0.1], [0.5, 2.5, -1]];
    const labels = [0, 2];
    const per = logits.map((r, i) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0)) - r[labels[i]]);
    const x = tensor(logits);
    const y = tensor(labels, { dtype: 'int32' });
    expectClose(sm.crossEntropy(x, y, { reduction: 'none' }).toArray(), per, 1e-6, 1e-6);
    expect(sm.crossEntropy(x, y).item()).toBeCloseTo((per[0] + per[1]) / 2, 5);
    expect(sm.crossEntropy(x, y, { reduction: 'sum' }).item()).toBeCloseTo(per[0] + per[1], 5);
  });
});

describe('autograd semantics', () => {
  it('accumulates gradients until zeroed, through branches', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const branch = (t: Tensor) => t.mul(2).add(t.square()).sum();
    branch(w).backward();
    expect(Array.from(w.grad!.toArray())).toEqual([4, 6, 8]);
    branch(w).backward();
    expect(Array.from(w.grad!.toArray())).toEqual([8, 12, 16]);
  });

  it('noGrad records nothing; detach cuts the graph', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const y = sm.noGrad(() => w.mul(3));
    expect(y.requiresGrad).toBe(false);
    const d = w.mul(3).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
  });

  it('backward on a non-scalar needs a gradient; with one it works', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.mul(2).backward()).toThrow(/grad can be implicitly created only for scalar outputs; this tensor has shape \[2\]/);
    w.mul(2).backward(tensor([1, 10]));
    expect(Array.from(w.grad!.toArray())).toEqual([2, 20]);
  });

  it('backward twice through the same graph is an error; without any grad input too', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const l = w.exp().sum();
    l.backward();
    expect(() => l.backward()).toThrow(/backward through the graph a second time/);
    expect(() => tensor([1]).sum().backward()).toThrow(/does not require grad/);
  });

  it('disposed tensors and dtype mismatches say so', () => {
    const x = tensor([1, 2]);
    x.dispose();
    expect(() => x.add(1)).toThrow('add: this tensor (shape [2]) was disposed; it can no longer be used');
    expect(() => x.toArray()).toThrow(/was disposed/);
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(() => i.exp()).toThrow('exp: expected a float32 tensor, got int32 (shape [2])');
    expect(() => i.matmul(tensor([1, 2]))).toThrow('matmul: expected a float32 tensor, got int32 (shape [2])');
  });
});

describe('pow with a number base (torch.pow(self: Number, exponent: Tensor))', () => {
  it('is int32 when both are integral, float32 otherwise, with PyTorch\'s values', () => {
    // torch.pow(2, torch.arange(4)) → tensor([1, 2, 4, 8]) (int64 in PyTorch, int32 here)
    const i = sm.pow(2, sm.arange(4));
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.toArray())).toEqual([1, 2, 4, 8]);
    // torch.pow(2.5, torch.arange(3)) → tensor([1.0000, 2.5000, 6.2500])
    const f = sm.pow(2.5, sm.arange(3));
    expect(f.dtype).toBe('float32');
    expect(Array.from(f.toArray())).toEqual([1, 2.5, 6.25]);
    // torch.pow(10000, torch.arange(0, 8, 2.) / 8) → tensor([1., 10., 100., 1000.])
    expectClose(sm.pow(10000, sm.arange(0, 8, 2, { dtype: 'float32' }).div(8)).toArray(), [1, 10, 100, 1000], 1e-6, 0);
  });

  it('gives the exponent its gradient 3^e · ln 3', () => {
    const e = tensor([1, 2], { requiresGrad: true });
    sm.pow(3, e).sum().backward();
    expectClose(e.grad!.toArray(), [3 * Math.log(3), 9 * Math.log(3)], 1e-6, 0);
  });

  it('refuses a number exponent and a bool exponent, naming them', () => {
    expect(() => sm.pow(2, 3 as unknown as sm.Tensor)).toThrow('pow: with a number base the exponent must be a tensor, got 3; use Math.pow for two numbers');
    expect(() => sm.pow(2, tensor([true]))).toThrow('pow: a number base with a bool exponent is not supported');
  });
});
