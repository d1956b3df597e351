// Comparisons, logical ops, all / any, casts and type promotion, with values worked by hand (the
// parity cases in parity/cases_bool.py check the same ops against live PyTorch).

import { describe, expect, it } from 'vitest';
import {
  add, all, any, div, eq, ge, gt, le, logicalAnd, logicalNot, logicalOr, logicalXor, lt, mul, ne, sub, tensor, zeros,
  type Tensor,
} from '../../src/index.js';

const vals = (t: Tensor): unknown => t.tolist();

describe('comparisons', () => {
  it('give bool tensors with IEEE semantics (NaN unequal, -0 == 0)', () => {
    const a = tensor([1, NaN, 0, 2, -Infinity]);
    const b = tensor([1, NaN, -0, 3, -1]);
    expect(eq(a, b).dtype).toBe('bool');
    expect(vals(eq(a, b))).toEqual([true, false, true, false, false]);
    expect(vals(ne(a, b))).toEqual([false, true, false, true, true]);
    expect(vals(lt(a, b))).toEqual([false, false, false, true, true]);
    expect(vals(le(a, b))).toEqual([true, false, true, true, true]);
    expect(vals(gt(a, b))).toEqual([false, false, false, false, false]);
    expect(vals(ge(a, b))).toEqual([true, false, true, false, false]);
  });

  it('broadcast, also where the operands must be materialised ([3, 1] against [1, 4])', () => {
    const col = tensor([[0], [1], [2]]);
    const row = tensor([[0, 1, 2, 3]], { dtype: 'int32' });
    const r = col.lt(row);
    expect(r.shape).toEqual([3, 4]);
    expect(vals(r)).toEqual([[false, true, true, true], [false, false, true, true], [false, false, false, true]]);
    expect(vals(tensor([[1, 2], [3, 4]]).ge(tensor([2, 2])))).toEqual([[false, true], [true, true]]);
    expect(() => tensor([1, 2, 3]).eq(tensor([1, 2]))).toThrow('eq: shapes [3] and [2] cannot be broadcast together');
  });

  it('take numbers with PyTorch promotion: an int tensor against a fraction compares as float', () => {
    const i = tensor([1, 2, 3], { dtype: 'int32' });
    expect(vals(i.gt(2))).toEqual([false, false, true]);
    expect(vals(i.gt(2.5))).toEqual([false, false, true]);
    expect(vals(i.le(1.5))).toEqual([true, false, false]);
    expect(vals(tensor([0.1]).eq(0.1))).toEqual([true]); // both float32(0.1)
    // int32 16777217 becomes float32 16777216 against a float tensor, as in PyTorch
    expect(vals(tensor([16777217], { dtype: 'int32' }).eq(tensor([16777216])))).toEqual([true]);
    expect(vals(tensor([16777217], { dtype: 'int32' }).eq(tensor([16777216], { dtype: 'int32' })))).toEqual([false]);
    expect(() => i.lt(2 ** 40)).toThrow('lt: the number 1099511627776 cannot be represented as int32');
  });

  it('compare bools as 0 < 1, and a bool mask against numbers', () => {
    const m = tensor([true, false]);
    expect(vals(m.gt(tensor([false, false])))).toEqual([true, false]);
    expect(vals(m.eq(1))).toEqual([true, false]);
    expect(vals(m.lt(0.5))).toEqual([false, true]);
  });

  it('have no gradient, and empty inputs give empty bool tensors', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const r = x.gt(1);
    expect(r.requiresGrad).toBe(false);
    expect(r.dtype).toBe('bool');
    const e = zeros([0, 3]).eq(zeros([3]));
    expect(e.shape).toEqual([0, 3]);
    expect(e.dtype).toBe('bool');
  });

  it('name bad operands', () => {
    expect(() => tensor([1]).eq('a' as unknown as number)).toThrow('eq: other must be a Tensor or a number, got string');
    expect(() => eq(1 as unknown as Tensor, 2)).toThrow('eq: input must be a Tensor, got two numbers');
  });

  it('argmax(1).eq(y).float().sum().item() counts correct predictions', () => {
    const logits = tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
    const y = tensor([1, 1, 1], { dtype: 'int32' });
    expect(logits.argmax(1).eq(y).float().sum().item()).toBe(2);
  });
});

describe('logical ops and all / any', () => {
  it('and, or, xor, not on truth values of any dtype, broadcasting', () => {
    const a = tensor([true, true, false, false]);
    const b = tensor([true, false, true, false]);
    expect(vals(logicalAnd(a, b))).toEqual([true, false, false, false]);
    expect(vals(logicalOr(a, b))).toEqual([true, true, true, false]);
    expect(vals(logicalXor(a, b))).toEqual([false, true, true, false]);
    expect(vals(logicalNot(a))).toEqual([false, false, true, true]);
    expect(vals(logicalNot(tensor([0, -0, NaN, 2])))).toEqual([true, true, false, false]);
    expect(vals(tensor([[0, 3]], { dtype: 'int32' }).logicalOr(tensor([[0], [1]])))).toEqual([[false, true], [true, true]]);
    expect(() => logicalAnd(a, 1 as unknown as Tensor)).toThrow('logicalAnd: other must be a Tensor, got number');
  });

  it('all / any over everything, along a dim (negative too) and with keepdim', () => {
    const x = tensor([[1, 0, 2], [3, 4, 5]]);
    expect(vals(all(x))).toBe(false);
    expect(vals(any(x))).toBe(true);
    expect(vals(x.all(1))).toEqual([false, true]);
    expect(vals(x.any(0))).toEqual([true, true, true]);
    expect(vals(x.all(-2, true))).toEqual([[true, false, true]]);
    expect(x.all(undefined, true).shape).toEqual([1, 1]);
    expect(vals(all(zeros([0])))).toBe(true);
    expect(vals(any(zeros([0])))).toBe(false);
    expect(vals(zeros([2, 0]).all(1))).toEqual([true, true]);
    expect(() => x.any(2)).toThrow('any: dim 2 is out of range for a tensor with 2 dims (expected -2..1)');
  });
});

describe('casts', () => {
  it('float → int32 truncates toward zero and throws for what int32 cannot hold', () => {
    expect(vals(tensor([2.7, -2.7, -0.5, 2147483520, -2147483648]).int())).toEqual([2, -2, 0, 2147483520, -2147483648]);
    expect(() => tensor([1, NaN]).int()).toThrow('int: float32 value NaN at index 1 cannot be represented as int32');
    expect(() => tensor([Infinity]).int()).toThrow('int: float32 value Infinity at index 0');
    expect(() => tensor([0, 0, 2147483648]).to('int32')).toThrow('to: float32 value 2147483648 at index 2');
    expect(() => tensor([-3e9]).type('int32')).toThrow('type: float32 value -3000000000 at index 0');
    const t = zeros([2], { dtype: 'int32' });
    expect(() => t.copy_(tensor([1, NaN]))).toThrow('copy_: float32 value NaN at index 1');
    expect(vals(t)).toEqual([0, 0]);
  });

  it('any → bool is != 0; bool → numbers is 0/1', () => {
    expect(vals(tensor([0, -0, 0.5, NaN, -Infinity]).bool())).toEqual([false, false, true, true, true]);
    expect(vals(tensor([0, -7], { dtype: 'int32' }).to('bool'))).toEqual([false, true]);
    const m = tensor([true, false]);
    expect(m.float().dtype).toBe('float32');
    expect(vals(m.float())).toEqual([1, 0]);
    expect(vals(m.int())).toEqual([1, 0]);
    expect(vals(m.bool())).toEqual([true, false]);
    expect(m.type()).toBe('torch.BoolTensor');
    expect(tensor([1]).type()).toBe('torch.FloatTensor');
    expect(m.to('cpu')).toBe(m);
    expect(vals(tensor([1.5, 0]).type('torch.IntTensor'))).toEqual([1, 0]);
    expect(tensor([2], { dtype: 'int32' }).type('torch.BoolTensor').dtype).toBe('bool');
    expect(() => m.type('torch.DoubleTensor' as never)).toThrow("type: dtype must be 'float32', 'int32' or 'bool', got 'torch.DoubleTensor'");
    expect(() => m.to('float64' as never)).toThrow("to: dtype must be 'float32', 'int32' or 'bool', got 'float64'");
  });

  it('float() of a float keeps the gradient; int() and bool() cut the graph', () => {
    const x = tensor([1.5, -2], { requiresGrad: true });
    const f = x.float();
    expect(f.requiresGrad).toBe(true);
    f.mul(tensor([3, 4])).sum().backward();
    expect(vals(x.grad!)).toEqual([3, 4]);
    expect(x.int().requiresGrad).toBe(false);
    expect(x.bool().requiresGrad).toBe(false);
  });
});

describe('type promotion in arithmetic', () => {
  const i = (v: number[]): Tensor => tensor(v, { dtype: 'int32' });

  it('int32 with int32 stays int32 for add, sub, mul; div is true division in float32', () => {
    const s = add(i([1, -2]), i([3, 4]));
    expect(s.dtype).toBe('int32');
    expect(vals(s)).toEqual([4, 2]);
    expect(vals(sub(i([1, -2]), i([3, 4])))).toEqual([-2, -6]);
    expect(vals(mul(tensor([[1], [2]], { dtype: 'int32' }), i([3, 4])))).toEqual([[3, 4], [6, 8]]);
    const q = div(i([7, -7]), i([2, 2]));
    expect(q.dtype).toBe('float32');
    expect(vals(q)).toEqual([3.5, -3.5]);
  });

  it('int32 overflow throws instead of wrapping', () => {
    expect(() => i([1, 2147483647]).add(1)).toThrow('add: int32 overflow at element 1: 2147483647 + 1 = 2147483648 is outside [-2147483648, 2147483647]');
    expect(() => i([-2147483648]).sub(i([1]))).toThrow('sub: int32 overflow at element 0: -2147483648 - 1 = -2147483649');
    expect(() => i([65536]).mul(65536)).toThrow('mul: int32 overflow at element 0: 65536 * 65536 = 4294967296');
    expect(() => i([1]).add(2 ** 31)).toThrow('add: the number 2147483648 cannot be represented as int32');
  });

  it('int or bool with float32 → float32, the float operand keeping its gradient', () => {
    const x = tensor([0.5, 1.5], { requiresGrad: true });
    const y = mul(x, i([2, 3]));
    expect(y.dtype).toBe('float32');
    expect(vals(y)).toEqual([1, 4.5]);
    y.sum().backward();
    expect(vals(x.grad!)).toEqual([2, 3]);
    expect(vals(add(tensor([true, false]), tensor([0.25, 0.25])))).toEqual([1.25, 0.25]);
  });

  it('an int tensor with a non-integer number gives float32; with an integer stays int32', () => {
    const a = i([1, 2]).add(0.5);
    expect(a.dtype).toBe('float32');
    expect(vals(a)).toEqual([1.5, 2.5]);
    expect(i([1, 2]).mul(3).dtype).toBe('int32');
    expect(vals(sub(10, i([1, 2])))).toEqual([9, 8]);
    expect(vals(div(i([3]), 2))).toEqual([1.5]);
  });

  it('bool with bool: add is or, mul is and, sub throws; bool with an integer is int32', () => {
    const a = tensor([true, true, false]);
    const b = tensor([true, false, false]);
    expect(add(a, b).dtype).toBe('bool');
    expect(vals(add(a, b))).toEqual([true, true, false]);
    expect(vals(mul(a, b))).toEqual([true, false, false]);
    expect(() => sub(a, b)).toThrow('sub: subtraction with a bool tensor is not supported (as in PyTorch); to invert a mask use logicalNot()');
    expect(() => sub(tensor([1.5, 2]), b.reshape(3, 1))).toThrow('sub: subtraction with a bool tensor is not supported');
    expect(() => sub(1, a)).toThrow('sub: subtraction with a bool tensor is not supported');
    const c = a.add(1);
    expect(c.dtype).toBe('int32');
    expect(vals(c)).toEqual([2, 2, 1]);
    expect(vals(div(a, b))).toEqual([1, Infinity, NaN]);
  });
});
