// The notes' program, ported line by line, trains: the loss falls on a learnable
// synthetic task shaped like Fashion-MNIST batches.

import { describe, expect, it } from 'vitest';
import { nn, optim, manualSeed, tensor, noGrad, tidy, memory, type Tensor } from '../../src/index.js';
import { values } from '../helpers/gradcheck.js';

/** 10 classes whose images are noisy copies of 10 random prototypes. */
function syntheticBatch(seed: number, n = 256): { X: Tensor; y: Tensor } {
  const protos = values(10 * 784, 12345, 0, 1);
  const noise = values(n * 784, seed, -0.3, 0.3);
  const labels = Int32Array.from(values(n, seed + 1, 0, 10), (v) => Math.floor(v));
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) for (let j = 0; j < 784; j++) pixels[i * 784 + j] = protos[labels[i] * 784 + j] + noise[i * 784 + j];
  return { X: tensor(pixels, { shape: [n, 1, 28, 28] }), y: tensor(labels) };
}

describe('the notes\' softmax regression, line for line', () => {
  it('runs and trains', () => {
    manualSeed(0);
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    net.apply((m) => { if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01); });
    const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
    const trainer = new optim.SGD(net.parameters(), { lr: 0.1 });
    const batches = [1, 2, 3, 4].map((s) => syntheticBatch(s * 10));
    const losses: number[] = [];
    for (let epoch = 0; epoch < 5; epoch++) {
      for (const { X, y } of batches) {
        tidy(() => {
          const l = loss.forward(net.forward(X), y);
          trainer.zeroGrad();
          l.mean().backward();
          trainer.step();
          losses.push(l.mean().item());
        });
      }
    }
    expect(losses[0]).toBeGreaterThan(2.0);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
    const test = syntheticBatch(999);
    const acc = noGrad(() => tidy(() => net.forward(test.X).argmax(1).eq(test.y).float().mean().item()));
    expect(acc).toBeGreaterThan(0.9);
    expect(memory().tensors).toBeGreaterThan(0);
  });

  it('the MLP of the notes (784 → 128 → ReLU → 10) trains too', () => {
    manualSeed(1);
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
    const loss = new nn.CrossEntropyLoss();
    const trainer = new optim.SGD(net.parameters(), { lr: 0.1 });
    const batches = [1, 2, 3, 4].map((s) => syntheticBatch(s * 7));
    let first = 0;
    let last = 0;
    for (let epoch = 0; epoch < 5; epoch++) {
      for (const { X, y } of batches) {
        tidy(() => {
          const l = loss.forward(net.forward(X), y);
          trainer.zeroGrad();
          l.backward();
          trainer.step();
          if (first === 0) first = l.item();
          last = l.item();
        });
      }
    }
    expect(last).toBeLessThan(first * 0.5);
  });
});
