// A tensor where JavaScript wants a primitive (Symbol.toPrimitive), in Node's console (inspect), and
// with `using` (Symbol.dispose).

import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { memory, tensor, zeros, type Tensor } from '../../src/index.js';

/** For the compiler only: TypeScript lets numbers, not objects, meet `>` and `+` (a Tensor with a Tensor is fine). */
const asNumber = (t: Tensor): number => t as unknown as number;

describe('Symbol.toPrimitive', () => {
  it('a one-element tensor compares and adds as its number', () => {
    const loss = tensor(0.25);
    const best = tensor([0.5]);
    expect(loss < best).toBe(true);
    expect(asNumber(loss) > 0.3).toBe(false);
    expect(asNumber(loss) >= 0.25).toBe(true);
    expect(+loss).toBe(0.25);
    expect(asNumber(loss) + 1).toBe(1.25);
    expect(Number(tensor([[7]], { dtype: 'int32' }))).toBe(7);
    expect(Math.max(asNumber(tensor(3)), 2)).toBe(3);
    expect(asNumber(tensor(true)) > 0).toBe(true);
  });

  it('drives a while loop the way PyTorch\'s __bool__ does', () => {
    let x = tensor([4, -4]);
    let steps = 0;
    while (asNumber(x.abs().sum()) > 1) {
      x = x.div(2);
      steps++;
    }
    expect(steps).toBe(3); // |4| + |4| = 8 → 4 → 2 → 1
  });

  it('throws for more than one element instead of turning into a string', () => {
    const x = tensor([1, 2]);
    expect(() => asNumber(x) > 1).toThrow('Boolean value of Tensor with more than one value is ambiguous: a tensor of shape [2] was used as a number');
    expect(() => +zeros([0])).toThrow('Boolean value of Tensor with more than one value is ambiguous: a tensor of shape [0]');
    expect(() => asNumber(x) + 1).toThrow('only one element tensors can be converted to JavaScript scalars, this one has shape [2]');
    expect(() => asNumber(x) == 1).toThrow('only one element tensors can be converted to JavaScript scalars');
  });

  it('the string hint (template literals, String) prints the tensor', () => {
    const x = tensor([[0.1, -1.2]], { requiresGrad: true });
    expect(`${x}`).toBe('tensor([[ 0.1000, -1.2000]], requires_grad=True)');
    expect(String(tensor([1, 2], { dtype: 'int32' }))).toBe('tensor([1, 2])'); // int32 prints as PyTorch's default integer type
    expect(`${tensor([true, false])}`).toBe('tensor([ True, False])');
  });

  it('`if (t)` is always true: JavaScript never asks an object for a primitive there', () => {
    let taken = false;
    if (tensor(0)) taken = true;
    expect(taken).toBe(true);
  });

  it('a computed tensor shows its op, and a disposed one says so', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(String(x.mul(2))).toBe('tensor([2., 4.], grad_fn=<MulBackward0>)');
    const y = x.mul(1);
    y.mul_(3); // an in-place op's node is named as its out-of-place twin's, as in PyTorch
    expect(String(y)).toBe('tensor([3., 6.], grad_fn=<MulBackward0>)');
    expect(String(x.pow(tensor([2, 3])))).toBe('tensor([1., 8.], grad_fn=<PowBackward>)');
    // torch 1.13: x.mean() → MeanBackward0, x.mean(0) → MeanBackward1 (one node, not Mul over Sum)
    expect(String(x.mean())).toBe('tensor(1.5000, grad_fn=<MeanBackward0>)');
    expect(String(x.mean(0))).toBe('tensor(1.5000, grad_fn=<MeanBackward1>)');
    // torch 1.13: reshape as a view, view, and reshape of a non-contiguous tensor (a copy)
    const m = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    expect(String(m.reshape([-1]))).toBe('tensor([1., 2., 3., 4.], grad_fn=<ReshapeAliasBackward0>)');
    expect(String(m.view([-1]))).toBe('tensor([1., 2., 3., 4.], grad_fn=<ViewBackward0>)');
    expect(String(m.t().reshape([-1]))).toBe('tensor([1., 3., 2., 4.], grad_fn=<UnsafeViewBackward0>)');
    const d = tensor([1]);
    d.dispose();
    expect(String(d)).toBe('tensor(<disposed>, size=(1,))');
  });
});

describe("Node's console", () => {
  it('console.log / util.inspect print the values', () => {
    expect(inspect(tensor([[1, 2], [3, 4]]))).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(inspect({ w: tensor([0.5]) })).toBe('{ w: tensor([0.5000]) }');
  });
});

describe('Symbol.dispose', () => {
  it('`using` frees the tensor at the end of the block', () => {
    const before = memory().tensors;
    let seen: Tensor | null = null;
    {
      using t = tensor([1, 2, 3]);
      seen = t;
      expect(memory().tensors).toBe(before + 1);
    }
    expect(seen.isDisposed).toBe(true);
    expect(memory().tensors).toBe(before);
  });

  it('is keyed by Symbol.dispose (or Symbol.for("Symbol.dispose") where the engine has none)', () => {
    const key = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose');
    const t = tensor([1]);
    (t as unknown as Record<symbol, () => void>)[key]();
    expect(t.isDisposed).toBe(true);
  });
});
