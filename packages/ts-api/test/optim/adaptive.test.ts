// RMSprop, Adagrad and clipGradNorm_ beyond the parity cases: options, PyTorch's errors, steps by hand.

import { describe, expect, it } from 'vitest';
import { nn, optim, tensor, type Tensor } from '../../src/index.js';

function param(values: number[], grad?: number[]): Tensor {
  const p = tensor(values, { requiresGrad: true });
  if (grad !== undefined) p.grad = tensor(grad);
  return p;
}

describe('RMSprop and Adagrad', () => {
  it('check options and hyper-parameters with PyTorch messages', () => {
    expect(() => new optim.RMSprop([param([1])], { weight_decay: 1 } as never)).toThrow(/RMSprop: unknown option 'weight_decay' \(did you mean weightDecay\?\)/);
    expect(() => new optim.RMSprop([param([1])], { alpha: -1 })).toThrow('RMSprop: Invalid alpha value: -1');
    expect(() => new optim.Adagrad([param([1])], { lr_decay: 0.1 } as never)).toThrow(/did you mean lrDecay\?/);
    expect(() => new optim.Adagrad([param([1])], { initialAccumulatorValue: -1 })).toThrow('Adagrad: Invalid initial_accumulator_value value: -1');
  });

  it('Adagrad first step by hand: s = g², p − lr·g/|g|; its accumulators exist from construction', () => {
    const p = param([1, 1], [-2, 0.5]);
    const opt = new optim.Adagrad([p], { lr: 0.1 });
    expect(Object.keys(opt.stateDict().state)).toEqual(['0']);
    opt.step();
    expect([...p.toArray()].map((x) => Number(x.toFixed(6)))).toEqual([1.1, 0.9]);
  });

  it('RMSprop momentum buffers appear when a group turns momentum on later', () => {
    const p = param([1], [1]);
    const opt = new optim.RMSprop([p], { lr: 0.01 });
    opt.step();
    opt.paramGroups[0].options.momentum = 0.9;
    opt.step();
    expect(Object.keys(opt.stateDict().state[0].tensors).sort()).toEqual(['momentumBuffer', 'squareAvg']);
  });
});

describe('nn.utils.clipGradNorm_', () => {
  it('scales by maxNorm / (norm + 1e-6) and returns the norm before clipping', () => {
    const a = param([0, 0], [3, 0]);
    const b = param([0], [4]);
    const total = nn.utils.clipGradNorm_([a, b], 1);
    expect(total.item()).toBe(5);
    // 3·(1/5.000001) and 4·(1/5.000001), to float32
    expect(a.grad?.toArray()[0]).toBeCloseTo(0.6, 6);
    expect(b.grad?.toArray()[0]).toBeCloseTo(0.8, 6);
  });

  it('takes one tensor, Infinity, and leaves small gradients alone', () => {
    const a = param([0, 0], [-3, 1]);
    expect(nn.utils.clipGradNorm_(a, 10, Infinity).item()).toBe(3);
    expect([...(a.grad as Tensor).toArray()]).toEqual([-3, 1]);
  });

  it('returns 0 with no gradients, and errors as PyTorch', () => {
    expect(nn.utils.clipGradNorm_([param([1])], 1).item()).toBe(0);
    expect(() => nn.utils.clipGradNorm_([param([1], [NaN])], 1, 2, { errorIfNonfinite: true })).toThrow(/non-finite, so it cannot be clipped/);
    expect(() => nn.utils.clipGradNorm_([param([1], [1])], 1, 2, { error_if_nonfinite: true } as never)).toThrow(/did you mean errorIfNonfinite\?/);
    expect(() => nn.utils.clipGradNorm_([param([1], [1])], 1, 0)).toThrow(/norm: p = 0 is not supported/);
    expect(() => nn.utils.clipGradNorm_(3 as never, 1)).toThrow('clipGradNorm_: expected a Tensor or a list of Tensors, got number');
  });
});
