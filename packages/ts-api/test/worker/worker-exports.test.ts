// What softmax-nn/worker exports for a page's settings form besides createTrainer: the model kinds, the
// optimisers' default learning rates and default optimiser, the same values the worker's configure()
// uses; and the module they come from imports nothing (a page that only trains in the worker loads no
// part of the library on its main thread).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LR, defaultOptimizer, MODEL_KINDS } from '../../src/worker/index.js';
import { TrainerCore } from '../../src/worker/trainer.js';

describe('softmax-nn/worker: the recipe names', () => {
  it('exports the model kinds, the default learning rates and the default optimiser', () => {
    expect(MODEL_KINDS).toEqual(['softmax', 'mlp', 'lenet', 'lenet-bn']);
    expect(DEFAULT_LR).toEqual({ sgd: 0.1, adam: 0.001, rmsprop: 0.01 });
    expect(MODEL_KINDS.map(defaultOptimizer)).toEqual(['sgd', 'sgd', 'adam', 'sgd']);
  });

  it('are the defaults configure() applies', () => {
    const c = new TrainerCore();
    try {
      for (const model of MODEL_KINDS) {
        const config = c.configure({ model, hidden: 8 });
        expect(config.optimizer, model).toBe(defaultOptimizer(model));
        expect(config.lr, model).toBe(DEFAULT_LR[defaultOptimizer(model)]);
      }
    } finally {
      c.dispose();
    }
  });

  it('come from a module without imports', () => {
    const source = readFileSync(new URL('../../src/recipe-names.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/^\s*(import|export\s.*\sfrom)\s/m);
  });
});
