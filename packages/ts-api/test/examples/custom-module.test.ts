// examples/custom-module.ts: a user-written nn.Module with a residual block and two summed heads.
// Gradients through the user's forward are checked against finite differences, for the input and
// for every parameter of both branches; then the network trains on real Fashion-MNIST.

import './no-download.js';
import { describe, expect, it } from 'vitest';
import { manualSeed, noGrad, tensor, tidy, type Tensor } from '../../src/index.js';
import { ResidualMlp, run } from '../../examples/custom-module.js';
import { expectClose, gradcheck, values } from '../helpers/gradcheck.js';

const quiet = (): void => {};

describe('examples/custom-module.ts', () => {
  it('backward through the user\'s forward matches finite differences (input)', () => {
    manualSeed(3);
    const net = new ResidualMlp(6, 5, 3);
    gradcheck((x) => net.forward(x), [{ data: values(4 * 6, 7), shape: [4, 6] }]);
  });

  it('every parameter of both branches gets the finite-difference gradient', () => {
    manualSeed(4);
    const net = new ResidualMlp(6, 5, 3);
    const x = tensor(values(4 * 6, 11), { shape: [4, 6] });
    const w = tensor(values(4 * 3, 12), { shape: [4, 3] });
    const objective = (): Tensor => net.forward(x).mul(w).sum();
    net.zeroGrad();
    tidy(() => objective().backward());
    const h = 1e-2;
    for (const [name, p] of net.namedParameters()) {
      expect(p.grad, `${name} has a gradient`).not.toBeNull();
      const analytic = p.grad!.toArray();
      const original = p.toArray().slice();
      const numeric = new Float64Array(original.length);
      const at = (j: number, delta: number): number => noGrad(() => tidy(() => {
        const data = original.slice();
        data[j] += delta;
        p.copy_(tensor(data, { shape: [...p.shape] }));
        return objective().item();
      }));
      for (let j = 0; j < original.length; j++) numeric[j] = (at(j, h) - at(j, -h)) / (2 * h);
      noGrad(() => p.copy_(tensor(original, { shape: [...p.shape] })));
      expect(analytic.some((g) => g !== 0), `${name}: some gradient is non-zero`).toBe(true);
      expectClose(analytic, numeric, 2e-2, 2e-3, `gradient of ${name}`);
    }
  });

  it('trains on Fashion-MNIST well above chance, with PyTorch-style parameter names', async () => {
    const r = await run({ trainLimit: 2000, testLimit: 1000, epochs: 3, batchSize: 64, log: quiet });
    expect(r.parameterNames).toEqual([
      'hidden.weight', 'hidden.bias', 'block.weight', 'block.bias', 'head.weight', 'head.bias', 'linearHead.weight', 'linearHead.bias',
    ]);
    expect(Object.keys(r.net.stateDict())).toEqual(r.parameterNames);
    expect(r.history.trainLoss[2]).toBeLessThan(r.history.trainLoss[0]);
    expect(r.trainAcc).toBeGreaterThan(0.6);
    expect(r.testAcc).toBeGreaterThan(0.6);
  });
});
