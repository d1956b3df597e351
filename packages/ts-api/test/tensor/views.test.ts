// Views, indexing and in-place ops: values worked by hand, sharing of storage, version counters,
// PyTorch's in-place rules and error messages, and memory accounting of cached copies.

import { describe, expect, it } from 'vitest';
import { arange, memory, noGrad, ones, slice, tensor, tidy, where, zeros, type Tensor } from '../../src/index.js';

const m34 = (): Tensor => arange(12, { dtype: 'float32' }).reshape(3, 4); // [[0..3],[4..7],[8..11]]
const list = (t: Tensor): unknown => t.tolist();

describe('basic indexing gives views', () => {
  it('numbers, slices, steps, negative indices, null and ellipsis', () => {
    const x = m34();
    expect(list(x.index(0))).toEqual([0, 1, 2, 3]);
    expect(list(x.index(-1, -2))).toEqual(10);
    expect(list(x.index(':', 1))).toEqual([1, 5, 9]);
    expect(list(x.index(slice(null, null, 2), slice(1, null, 2)))).toEqual([[1, 3], [9, 11]]);
    expect(list(x.index('1:', '::3'))).toEqual([[4, 7], [8, 11]]);
    expect(x.index(slice(5, 9)).shape).toEqual([0, 4]);
    expect(x.index(null, '...', 2).shape).toEqual([1, 3]);
    expect(list(x.index('...', 2))).toEqual([2, 6, 10]);
    expect(x.index(0).sharesStorageWith(x)).toBe(true);
    expect(x.index(':', 1).stride()).toEqual([4]);
    expect(x.index(':', 1).isContiguous()).toBe(false);
  });

  it('names the index, the dim and its size when out of bounds', () => {
    const x = m34();
    expect(() => x.index(5)).toThrow('index: index 5 is out of bounds for dimension 0 with size 3');
    expect(() => x.index(0, -5)).toThrow('index: index -5 is out of bounds for dimension 1 with size 4');
    expect(() => x.index(0, 0, 0)).toThrow('index: too many indices for tensor of dimension 2 (got 3)');
    expect(() => x.index(slice(0, 2, 0))).toThrow('index: slice step must be a positive integer, got 0');
    expect(() => x.index([0, 3])).toThrow('index: index 3 is out of bounds for dimension 0 with size 3');
  });

  it('T, t(), transpose, permute, select and narrow are views; view refuses a non-viewable layout', () => {
    const x = m34();
    expect(list(x.T)).toEqual([[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
    expect(x.T.stride()).toEqual([1, 4]);
    expect(x.t().sharesStorageWith(x)).toBe(true);
    expect(list(x.narrow(1, 1, 2))).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(list(x.select(1, -1))).toEqual([3, 7, 11]);
    expect(arange(24).reshape(2, 3, 4).permute(2, 0, 1).shape).toEqual([4, 2, 3]);
    expect(() => x.T.view(12)).toThrow(/view size is not compatible with input tensor's size and stride.*Use \.reshape\(\.\.\.\) instead\./);
    expect(list(x.T.reshape(12))).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(x.T.reshape(12).sharesStorageWith(x)).toBe(false);
    expect(x.narrow(0, 1, 2).view(8).sharesStorageWith(x)).toBe(true);
    expect(() => x.narrow(1, 3, 2)).toThrow('narrow: start (3) + length (2) exceeds dimension size (4) of dimension 1');
    expect(x.size()).toEqual([3, 4]);
    expect(x.size(-1)).toBe(4);
    expect(x.dim()).toBe(2);
  });

  it('ops read non-contiguous views correctly', () => {
    const x = m34();
    const y = x.T.matmul(tensor([[1], [0], [1]]));
    expect(list(y)).toEqual([[8], [10], [12], [14]]);
    expect(list(x.index(':', 1).mul(2))).toEqual([2, 10, 18]);
  });
});

describe('writes through views reach the base; cached copies are invalidated', () => {
  it('indexPut_ with numbers, slices, masks and index arrays', () => {
    const x = zeros([3, 4]);
    x.indexPut_([0, 0], 42);
    x.indexPut_([':', 1], tensor([1, 2, 3]));
    x.indexPut_([[2, 2], [3, 0]], tensor([7, 8]));
    expect(list(x)).toEqual([[42, 1, 0, 0], [0, 2, 0, 0], [8, 3, 0, 7]]);
    x.indexPut_([tensor([[true, false, false, false], [false, false, false, false], [true, false, false, true]])], 0);
    expect(list(x)).toEqual([[0, 1, 0, 0], [0, 2, 0, 0], [0, 3, 0, 0]]);
  });

  it('in-place ops on a transposed view write the base, and the view re-reads after the base changes', () => {
    const x = m34();
    const col = x.index(':', 1);
    expect(list(col.mul(2))).toEqual([2, 10, 18]);
    x.T.index(1).mul_(10);
    expect(list(x.index(':', 1))).toEqual([10, 50, 90]);
    expect(list(col)).toEqual([10, 50, 90]);
    x.fill_(1);
    expect(list(col)).toEqual([1, 1, 1]);
    x.data.index(0, 0).fill_(5);
    expect(list(x.index(0))).toEqual([5, 1, 1, 1]);
  });

  it('counts a view\'s cached copy in memory() and frees it with the view', () => {
    tidy(() => {
      const x = zeros([64, 64]);
      const before = memory().bytes;
      const v = x.T;
      expect(memory().bytes).toBe(before);
      v.sum();
      const withCache = memory().bytes;
      expect(withCache).toBeGreaterThanOrEqual(before + 64 * 64 * 4);
      v.dispose();
      expect(memory().bytes).toBeLessThan(withCache - 64 * 64 * 4 + 1);
    });
  });
});

describe('PyTorch\'s in-place rules', () => {
  it('a leaf that requires grad, or a view of one, cannot be written in place outside noGrad', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow('add_: a leaf Variable that requires grad is being used in an in-place operation.');
    expect(() => w.index(0).fill_(0)).toThrow('fill_: a view of a leaf Variable that requires grad is being used in an in-place operation.');
    noGrad(() => w.index(0).fill_(9));
    expect(list(w)).toEqual([9, 2, 3]);
    w.data.index(1).fill_(8);
    expect(list(w)).toEqual([9, 8, 3]);
  });

  it('backward throws when a saved tensor was modified in place', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const y = a.mul(2).exp();
    y.add_(1);
    expect(() => y.sum().backward()).toThrow(
      'backward: one of the variables needed for gradient computation has been modified by an inplace operation: [float32 [2, 3]] (saved by exp) is at version 1; expected version 0 instead',
    );
  });

  it('an in-place op on a non-leaf records history: the gradient is PyTorch\'s', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([4, 5, 6], { requiresGrad: true });
    const h = a.mul(1);
    h.mul_(b);
    h.add_(b);
    h.sum().backward();
    expect(list(a.grad!)).toEqual([4, 5, 6]);
    expect(list(b.grad!)).toEqual([2, 3, 4]);
  });

  it('x.grad.zero_() works and where / maskedFill route gradients', () => {
    const x = tensor([-1, 2, -3], { requiresGrad: true });
    where(tensor([false, true, false]), x, x.mul(3)).sum().backward();
    expect(list(x.grad!)).toEqual([3, 1, 3]);
    x.grad!.zero_();
    x.maskedFill(tensor([true, false, true]), 0).sum().backward();
    expect(list(x.grad!)).toEqual([0, 1, 0]);
  });
});

describe('more of PyTorch\'s rules and errors', () => {
  it('a bool mask of the wrong shape, a float index and two ellipses throw PyTorch\'s meaning', () => {
    const x = m34();
    expect(() => x.index(tensor([true, false]))).toThrow(
      'index: the shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0',
    );
    expect(() => x.index(tensor([0.5]))).toThrow('index: tensors used as indices must be int32 or bool, got float32 (shape [1])');
    expect(() => x.index('...', '...')).toThrow("index: an index can only have a single ellipsis ('...')");
    expect(() => x.index([0, 1], [0, 1, 2])).toThrow(/shape mismatch: indexing tensors could not be broadcast together with shapes \[2\], \[3\]/);
  });

  it('a write to the base invalidates a view\'s cached copy; .data writes are not tracked by autograd', () => {
    const x = m34();
    const v = x.T;
    expect(v.sum().item()).toBe(66);
    x.fill_(2);
    expect(v.sum().item()).toBe(24);
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const y = a.exp();
    y.data.fill_(1); // PyTorch: .data has its own version counter, so backward runs (with the new values)
    y.sum().backward();
    expect(list(a.grad!)).toEqual([1, 1, 1]);
  });

  it('detach() shares the version counter: writing through it is caught by backward', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const y = a.exp();
    y.detach().add_(1);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation: \[float32 \[3\]\] \(saved by exp\) is at version 1; expected version 0 instead/);
  });

  it('in-place ops that autograd cannot record yet throw instead of giving wrong gradients', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const h = a.mul(2);
    h.add(1);
    expect(() => h.add_(1)).toThrow('add_: in-place ops on a tensor that requires grad and was already used by another op are not supported yet (shape [3]); use the out-of-place op');
    const g = a.mul(2);
    const view = g.index(0);
    expect(() => g.add_(1)).toThrow(/add_: in-place ops on a tensor sharing its storage \(or on a view of a non-contiguous tensor\) are not supported yet/);
    view.dispose();
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    expect(() => w.indexPut_([0, 0], 42)).toThrow('indexPut_: a leaf Variable that requires grad is being used in an in-place operation.');
  });

  it('int32 and bool tensors are indexed and written as well', () => {
    const labels = tensor([3, 1, 4, 1, 5], { dtype: 'int32' });
    expect(list(labels.index(tensor([true, false, true, false, true])))).toEqual([3, 4, 5]);
    expect(list(labels.index('::2'))).toEqual([3, 4, 5]);
    labels.indexPut_([[0, 4]], -7);
    expect(list(labels)).toEqual([-7, 1, 4, 1, -7]);
    const mask = tensor([[true, false], [false, true]]);
    expect(list(mask.T.index(1))).toEqual([false, true]);
    expect(list(mask.T.contiguous())).toEqual([[true, false], [false, true]]);
  });

  it('an empty index array and an empty tensor give empty results', () => {
    const x = m34();
    expect(x.index([]).shape).toEqual([0, 4]);
    expect(x.index(':', []).shape).toEqual([3, 0]);
    expect(zeros([0, 4]).index(':', 1).shape).toEqual([0]);
  });
});

describe('expand', () => {
  it('is a view with stride 0 that reads the base and refuses writes', () => {
    const x = tensor([[1], [2]]);
    const e = x.expand(2, 3);
    expect(e.stride()).toEqual([1, 0]);
    expect(e.sharesStorageWith(x)).toBe(true);
    expect(list(e)).toEqual([[1, 1, 1], [2, 2, 2]]);
    x.indexPut_([1, 0], 5);
    expect(list(e)).toEqual([[1, 1, 1], [5, 5, 5]]);
    expect(() => e.add_(1)).toThrow(/add_: unsupported operation: more than one element of the written-to tensor refers to a single memory location/);
    expect(list(tensor([1, 2, 3], { dtype: 'int32' }).expand(2, -1))).toEqual([[1, 2, 3], [1, 2, 3]]);
  });
});

describe('gradients of in-place writes on non-leaves', () => {
  it('indexPut_ sends the gradient of the written places to the value, the rest to the old tensor', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const v = tensor([10, 20], { requiresGrad: true });
    const h = a.mul(1);
    h.indexPut_([':', 1], v);
    h.mul(tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
    // d/da: the weights where a's value survived, 0 in column 1; d/dv: the weights of column 1
    expect(list(a.grad!)).toEqual([[1, 0, 3], [4, 0, 6]]);
    expect(list(v.grad!)).toEqual([2, 5]);
    expect(list(h)).toEqual([[1, 10, 3], [4, 20, 6]]);
  });

  it('maskedFill_ and fill_ on a non-leaf: zero gradient where overwritten', () => {
    const a = tensor([1, -2, 3], { requiresGrad: true });
    const h = a.mul(2);
    h.maskedFill_(tensor([false, true, false]), 0);
    h.sum().backward();
    expect(list(a.grad!)).toEqual([2, 0, 2]);
    const b = tensor([1, 2], { requiresGrad: true });
    const k = b.mul(3);
    k.fill_(7);
    k.sum().backward();
    expect(list(b.grad!)).toEqual([0, 0]);
  });
});

describe('a view used by an op blocks in-place ops on its base', () => {
  it('even after the view was disposed', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const h = a.mul(1);
    const s = h.index(0);
    const z = s.mul(1);
    s.dispose();
    expect(() => h.mul_(2)).toThrow(/mul_: in-place ops on a tensor that requires grad and was already used by another op are not supported yet/);
    z.backward();
    expect(list(a.grad!)).toEqual([1, 0, 0]);
  });
});

describe('in-place ops on views of tensors that require grad (PyTorch\'s CopySlices)', () => {
  it('a column scaled in place: the base\'s gradient and the other operand\'s are PyTorch\'s', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const v = tensor([10, 20], { requiresGrad: true });
    const h = a.mul(1);
    const col = h.index(':', 1);
    col.mul_(v);
    expect(list(h)).toEqual([[1, 20, 3], [4, 100, 6]]);
    h.mul(tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
    // h[:,1] = a[:,1]·v: d/da[:,1] = w[:,1]·v = (20, 100); d/dv = w[:,1]·a[:,1] = (2·2, 5·5)
    expect(list(a.grad!)).toEqual([[1, 20, 3], [4, 100, 6]]);
    expect(list(v.grad!)).toEqual([4, 25]);
  });

  it('writing a row to 0 stops its gradient; the view itself keeps a gradient path', () => {
    const a = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const h = a.mul(3);
    const row = h.index(0);
    row.zero_();
    row.add(h.index(1)).sum().backward();
    expect(list(a.grad!)).toEqual([[0, 0], [3, 3]]);
  });
});

describe('the nodes of in-place writes print PyTorch\'s names', () => {
  // PyTorch 1.13's str() of the same tensors: writes through a view are CopySlices on the base and
  // AsStridedBackward0 on the view; x[i, j] = v is such a write, x[int tensor] = v is IndexPutBackward0.
  it('CopySlices, AsStridedBackward0, IndexPutBackward0', () => {
    const v = tensor([10, 20], { requiresGrad: true });
    const h = ones([2, 3], { requiresGrad: true }).mul(1);
    const col = h.index(':', 1);
    col.mul_(v);
    expect(String(col)).toBe('tensor([10., 20.], grad_fn=<AsStridedBackward0>)');
    expect(String(h)).toBe('tensor([[ 1., 10.,  1.],\n        [ 1., 20.,  1.]], grad_fn=<CopySlices>)');
    const y = zeros([2, 2]);
    y.indexPut_([0, 1], v.sum());
    expect(String(y)).toBe('tensor([[ 0., 30.],\n        [ 0.,  0.]], grad_fn=<CopySlices>)');
    const z = zeros([2, 2]);
    z.indexPut_([tensor([0, 1], { dtype: 'int32' })], v.sum());
    expect(String(z)).toBe('tensor([[30., 30.],\n        [30., 30.]], grad_fn=<IndexPutBackward0>)');
    const w = zeros([2, 3]);
    const row = w.index(0);
    row.indexPut_([slice(1)], v);
    expect(String(w)).toBe('tensor([[ 0., 10., 20.],\n        [ 0.,  0.,  0.]], grad_fn=<CopySlices>)');
    expect(String(row)).toBe('tensor([ 0., 10., 20.], grad_fn=<AsStridedBackward0>)');
  });
});

describe('indexPut_ accumulate', () => {
  it('throws instead of assigning when PyTorch would add', () => {
    const x = zeros([3]);
    expect(() => x.indexPut_([tensor([0, 0], { dtype: 'int32' })], 1, true)).toThrow('indexPut_: accumulate=true is not supported yet');
    expect(list(x)).toEqual([0, 0, 0]);
    x.indexPut_([tensor([0, 2], { dtype: 'int32' })], 1, false);
    expect(list(x)).toEqual([1, 0, 1]);
  });
});
