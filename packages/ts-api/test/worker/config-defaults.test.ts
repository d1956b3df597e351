// The worker's settings fill in the same defaults as the CLI: the optimiser by model (Adam for LeNet),
// then the learning rate by optimiser; what the caller sets wins.

import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/worker/config.js';

describe('worker settings defaults', () => {
  it('softmax regression and the MLP: SGD at lr 0.1', () => {
    expect(resolveConfig({})).toMatchObject({ model: 'softmax', optimizer: 'sgd', lr: 0.1 });
    expect(resolveConfig({ model: 'mlp' })).toMatchObject({ optimizer: 'sgd', lr: 0.1 });
    expect(resolveConfig({ model: 'lenet-bn' })).toMatchObject({ optimizer: 'sgd', lr: 0.1 });
  });

  it('LeNet: Adam at lr 0.001 unless an optimiser or lr is given', () => {
    expect(resolveConfig({ model: 'lenet' })).toMatchObject({ optimizer: 'adam', lr: 0.001, momentum: 0 });
    expect(resolveConfig({ model: 'lenet', lr: 0.003 })).toMatchObject({ optimizer: 'adam', lr: 0.003 });
    expect(resolveConfig({ model: 'lenet', optimizer: 'sgd' })).toMatchObject({ optimizer: 'sgd', lr: 0.1 });
    expect(() => resolveConfig({ model: 'lenet', momentum: 0.9 })).toThrow("configure: momentum must be 0 with optimizer 'adam'");
  });

  it('checks the model before choosing its optimiser', () => {
    expect(() => resolveConfig({ model: 'cnn' as never })).toThrow(`configure: model must be 'softmax', 'mlp', 'lenet', 'lenet-bn', got "cnn"`);
  });
});
