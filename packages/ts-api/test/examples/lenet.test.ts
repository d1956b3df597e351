// examples/d2l/lenet.ts (d2l 6.6) on 2 000 training / 500 test images of the real Fashion-MNIST for 2
// epochs at the book's batch 256 and lr 0.9. The full run (10 epochs on 60 000 images) takes about ten
// minutes on 2 cores, too long for the suite; and sigmoid LeNet stays near chance for its first ~250
// steps (the book's first epoch ends at train acc ≈ 0.1), so a shortened run shows the loss going down,
// not accuracy. docs/PERFORMANCE.md has the full run's figures.

import './no-download.js';
import { describe, expect, it } from 'vitest';
import { run } from '../../examples/d2l/lenet.js';

describe('examples/d2l/lenet.ts', () => {
  it('prints the book\'s output shapes, has LeNet\'s parameters and lowers the loss', async () => {
    const lines: string[] = [];
    const r = await run({ trainLimit: 2000, testLimit: 500, epochs: 2, log: (l) => lines.push(l) });
    expect(lines.slice(0, 12)).toEqual([
      'Conv2d output shape: \t[1, 6, 28, 28]',
      'Sigmoid output shape: \t[1, 6, 28, 28]',
      'AvgPool2d output shape: \t[1, 6, 14, 14]',
      'Conv2d output shape: \t[1, 16, 10, 10]',
      'Sigmoid output shape: \t[1, 16, 10, 10]',
      'AvgPool2d output shape: \t[1, 16, 5, 5]',
      'Flatten output shape: \t[1, 400]',
      'Linear output shape: \t[1, 120]',
      'Sigmoid output shape: \t[1, 120]',
      'Linear output shape: \t[1, 84]',
      'Sigmoid output shape: \t[1, 84]',
      'Linear output shape: \t[1, 10]',
    ]);
    expect(r.net.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      '0.weight:6x1x5x5', '0.bias:6', '3.weight:16x6x5x5', '3.bias:16', '7.weight:120x400', '7.bias:120',
      '9.weight:84x120', '9.bias:84', '11.weight:10x84', '11.bias:10',
    ]);
    expect(r.figures).toHaveLength(2);
    for (const f of r.figures) {
      expect(Number.isFinite(f.trainLoss)).toBe(true);
      for (const acc of [f.trainAcc, f.testAcc]) expect(acc >= 0 && acc <= 1).toBe(true);
    }
    expect(r.figures[1].trainLoss).toBeLessThan(r.figures[0].trainLoss);
    expect(lines.at(-2)).toMatch(/^loss \d\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}$/);
    expect(lines.at(-1)).toMatch(/^\d+\.\d examples\/sec on wasm \(one thread\)$/);
  }, 300_000);
});
