// Batched matmul and bmm: values and gradients are parity cases (parity/cases_ops.py); here the
// refusals with PyTorch's wording and that a batched product with its backward leaves no tensor behind.

import { describe, expect, it } from 'vitest';
import { bmm, matmul, memory, ones, tensor, tidy } from '../../src/index.js';

describe('batched matmul', () => {
  it('broadcasts batch dims: 2·(ones [2, 1, 2, 3] · ones [4, 3, 1]) sums 3 ones per output', () => {
    const y = matmul(ones(2, 1, 2, 3), ones(4, 3, 1).mul(2));
    expect(y.shape).toEqual([2, 4, 2, 1]);
    expect(new Set(y.toArray())).toEqual(new Set([6]));
  });

  it('refuses what PyTorch refuses, naming the shapes', () => {
    expect(() => matmul(ones(2, 2, 3), ones(2, 4, 2))).toThrow('matmul: shapes [2, 2, 3] and [2, 4, 2] cannot be multiplied (3 ≠ 4)');
    expect(() => matmul(ones(2, 2, 3), ones(3, 3, 2))).toThrow('matmul: shapes [2] and [3] cannot be broadcast together');
    expect(() => matmul(tensor(2), ones(2, 2, 2))).toThrow('matmul: both arguments need at least 1 dimension, got shapes [] and [2, 2, 2]');
    expect(() => bmm(ones(2, 2, 3), ones(3, 3, 1))).toThrow('bmm: batch1 and batch2 must have same number of batches, got 2 and 3');
    expect(() => bmm(ones(2, 2, 3), ones(2, 4, 1))).toThrow('bmm: Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].');
    expect(() => bmm(ones(2, 3), ones(3, 2))).toThrow('bmm: batch1 must be 3-D, got shape [2, 3]');
  });

  it('frees its broadcast copies and batched gradients', () => {
    const a = ones(3, 2, 4).requiresGrad_();
    const b = ones(4, 5).requiresGrad_();
    const before = memory().tensors;
    for (let i = 0; i < 3; i++) {
      tidy(() => {
        a.grad?.dispose();
        b.grad?.dispose();
        a.grad = null;
        b.grad = null;
        a.matmul(b).sum().backward();
      });
    }
    // a.grad and b.grad remain; nothing else.
    expect(memory().tensors).toBe(before + 2);
    expect(new Set(b.grad!.toArray())).toEqual(new Set([6])); // each weight meets 3 batches × 2 rows of ones
    expect(new Set(a.grad!.toArray())).toEqual(new Set([5]));
  });
});
