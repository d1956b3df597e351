// unbind (what iterating a PyTorch tensor gives): the views, their gradient, the node name PyTorch
// prints, its errors, and PyTorch's refusal to rewrite in place one of several views from one call.
// Expected values are PyTorch 1.13's for the same calls (and small enough to check by hand).

import { describe, expect, it } from 'vitest';
import { arange, noGrad, ones, tensor, unbind, zeros, type Tensor } from '../../src/index.js';

const list = (t: Tensor): unknown => t.tolist();

describe('unbind', () => {
  it('gives every slice along a dim, that dim removed, as views', () => {
    const z = arange(6, { dtype: 'float32' }).reshape(2, 3);
    expect(z.unbind().map(list)).toEqual([[0, 1, 2], [3, 4, 5]]);
    const cols = unbind(z, 1);
    expect(cols.map(list)).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(cols.map((c) => c.isContiguous())).toEqual([false, false, false]);
    expect(z.unbind(-1).map(list)).toEqual([[0, 3], [1, 4], [2, 5]]);
    // Views: writing one (no autograd involved) writes the tensor, as in PyTorch.
    cols[0].add_(1);
    expect(list(z)).toEqual([[1, 1, 2], [4, 4, 5]]);
    expect(zeros([0, 2]).unbind()).toEqual([]);
    expect(zeros([2, 0]).unbind(1)).toEqual([]);
  });

  it('passes each slice\'s gradient back to its place, and prints UnbindBackward0', () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const [a, b] = w.unbind(1);
    a.mul(10).add(b.mul(100)).sum().backward();
    expect(list(w.grad!)).toEqual([[10, 100], [10, 100]]);
    expect(String(ones([2, 3], { requiresGrad: true }).unbind()[0])).toBe('tensor([1., 1., 1.], grad_fn=<UnbindBackward0>)');
  });

  it('throws PyTorch\'s errors for a 0-d tensor and a dim out of range', () => {
    expect(() => tensor(1).unbind()).toThrow('unbind: Dimension specified as 0 but tensor has no dimensions');
    expect(() => zeros([2]).unbind(1)).toThrow('unbind: dim 1 is out of range for a tensor with 1 dims (expected -1..0)');
  });

  it('its outputs may not be rewritten in place when autograd records it, as in PyTorch', () => {
    const rule = 'is being modified inplace. This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one.';
    const y = zeros([2, 3], { requiresGrad: true }).mul(1);
    expect(() => y.unbind()[1].mul_(2)).toThrow(`mul_: Output 1 of UnbindBackward0 is a view and ${rule}`);
    // A view cut from an output: PyTorch names that view's own node.
    expect(() => y.unbind()[0].index(0).mul_(2)).toThrow(`mul_: Output 0 of SelectBackward0 is a view and ${rule}`);
    // Before the leaf's own error, as PyTorch checks.
    expect(() => ones([2, 3], { requiresGrad: true }).unbind()[0].mul_(2)).toThrow(`mul_: Output 0 of UnbindBackward0 is a view and ${rule}`);
    // Outputs of a tensor that needs no gradient, given a gradient's operand.
    const x = zeros([2, 3]);
    expect(() => x.unbind()[0].index('1:').copy_(ones([2], { requiresGrad: true })))
      .toThrow(`copy_: A view was created in no_grad mode and is being modified inplace with grad mode enabled. This view is the output of a function that returns multiple views.`);
    expect(list(x)).toEqual([[0, 0, 0], [0, 0, 0]]);
    // Without autograd recording it, PyTorch allows it.
    noGrad(() => y.unbind()[0].fill_(2));
    expect(list(y)).toEqual([[2, 2, 2], [0, 0, 0]]);
  });
});
