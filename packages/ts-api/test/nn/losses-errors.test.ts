// What the new losses and activations refuse, and how they say it.

import { describe, expect, it } from 'vitest';
import { nn, tensor, zeros } from '../../src/index.js';

const F = nn.functional;

describe('loss and activation errors', () => {
  it('binary cross-entropies: shapes, ranges, weights, reductions, target gradients', () => {
    const x = zeros([3, 5]);
    expect(() => F.binaryCrossEntropyWithLogits(x, zeros([5, 3]))).toThrow('binaryCrossEntropyWithLogits: target size [5, 3] must be the same as input size [3, 5]');
    expect(() => F.binaryCrossEntropyWithLogits(x, zeros([3, 5]), { posWeight: zeros([4]) }))
      .toThrow('broadcast');
    expect(() => new nn.BCEWithLogitsLoss({ reduction: 'avg' as 'mean' })).toThrow("reduction must be 'none', 'mean' or 'sum', got 'avg'");
    expect(() => F.binaryCrossEntropy(tensor([0.5, 1.5]), zeros([2]))).toThrow('all elements of input should be between 0 and 1');
    expect(() => F.binaryCrossEntropy(tensor([0.5, 0.5]), zeros([2]), { weight: zeros([3]) })).toThrow('broadcast');
    const t = zeros([3, 5]).requiresGrad_(true);
    expect(() => F.binaryCrossEntropyWithLogits(x, t)).toThrow('gradients with respect to target, weight or posWeight are not supported');
    expect(() => F.binaryCrossEntropyWithLogits(x, tensor([[1, 0, 1, 0, 1]], { dtype: 'int32' }).expand(3, 5))).toThrow('target must be a float32 tensor, got int32');
  });

  it('nllLoss: shapes, dtypes, classes out of range', () => {
    const x = zeros([3, 5]);
    expect(() => F.nllLoss(x, tensor([0, 1, 2]))).toThrow('target must be int32 class indices, got a float32 tensor');
    expect(() => F.nllLoss(x, tensor([0, 1], { dtype: 'int32' }))).toThrow('target must have shape [3] to match input [3, 5], got [2]');
    expect(() => F.nllLoss(x, tensor([0, 7, 1], { dtype: 'int32' }))).toThrow('target 7 is out of bounds for 5 classes');
    expect(() => F.nllLoss(zeros([2, 3, 4]), tensor([0, 1], { dtype: 'int32' }))).toThrow('nllLoss: target must have shape [2, 4] to match input [2, 3, 4], got [2]');
    expect(() => F.nllLoss(x, tensor([0, 1, 2], { dtype: 'int32' }), { weight: zeros([4]) })).toThrow('weight must have shape [5] (one per class), got [4]');
    // an ignored target may be out of range
    expect(F.nllLoss(x, tensor([0, -100, 1], { dtype: 'int32' })).item()).toBe(0);
  });

  it('regression losses and activations: options', () => {
    expect(() => F.l1Loss(zeros([3]), zeros([4]))).toThrow('l1Loss: input [3] and target [4] must have the same shape');
    expect(() => new nn.SmoothL1Loss({ beta: -1 })).toThrow('beta must be a number >= 0, got -1');
    expect(() => new nn.HuberLoss({ delta: 0 })).toThrow('delta must be a number > 0, got 0');
    expect(() => new nn.LeakyReLU(Number.NaN)).toThrow('negativeSlope must be a number');
    expect(() => new nn.GELU({ approximate: 'fast' as 'tanh' })).toThrow("approximate must be 'none' or 'tanh', got 'fast'");
    expect(() => new nn.Softplus({ beta: 0 })).toThrow('beta must be a finite non-zero number, got 0');
    expect(() => F.tanh(tensor([1, 2], { dtype: 'int32' }))).toThrow('tanh: input must be a float32 tensor, got int32');
  });
});

describe('options of the new losses and layers are checked', () => {
  it('an unknown or snake_case key throws, naming the known ones', () => {
    expect(() => new nn.BCEWithLogitsLoss({ pos_weight: null } as never)).toThrow("BCEWithLogitsLoss: unknown option 'pos_weight' (did you mean posWeight?)");
    expect(() => new nn.NLLLoss({ ignore_index: 3 } as never)).toThrow("NLLLoss: unknown option 'ignore_index' (did you mean ignoreIndex?)");
    expect(() => new nn.HuberLoss({ delt: 1 } as never)).toThrow("HuberLoss: unknown option 'delt'");
    expect(() => new nn.GELU({ approx: 'tanh' } as never)).toThrow("GELU: unknown option 'approx'");
    expect(() => nn.functional.smoothL1Loss(tensor([1]), tensor([2]), { Beta: 1 } as never)).toThrow("smoothL1Loss: unknown option 'Beta'");
    expect(() => nn.functional.gumbelSoftmax(tensor([1, 2]), { temperature: 1 } as never)).toThrow("gumbelSoftmax: unknown option 'temperature'");
  });
});
