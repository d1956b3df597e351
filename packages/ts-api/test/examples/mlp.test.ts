// examples/mlp.ts on 2 000 training / 1 000 test images of the real Fashion-MNIST.

import './no-download.js';
import { describe, expect, it } from 'vitest';
import { run } from '../../examples/mlp.js';

const quiet = (): void => {};

describe('examples/mlp.ts', () => {
  it('trains the MLP (784 → 256 → ReLU → 10) well above chance', async () => {
    const r = await run({ trainLimit: 2000, testLimit: 1000, epochs: 5, batchSize: 32, log: quiet });
    expect(r.net.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      '1.weight:256x784', '1.bias:256', '3.weight:10x256', '3.bias:10',
    ]);
    expect(r.history.epochs).toHaveLength(5);
    expect(r.history.trainLoss[4]).toBeLessThan(r.history.trainLoss[0]);
    // chance is 0.1 on ten balanced classes
    expect(r.trainAcc).toBeGreaterThan(0.6);
    expect(r.testAcc).toBeGreaterThan(0.6);
  });
});
