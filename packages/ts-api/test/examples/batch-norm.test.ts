// examples/d2l/batch-norm.ts (d2l 8.5). The from-scratch batchNorm is checked against nn.BatchNorm2d /
// nn.BatchNorm1d (themselves checked against PyTorch in parity/) and against statistics worked by hand;
// the chapter's two LeNets train on a part of the real Fashion-MNIST (the full
// run, 2 × 10 epochs on 60 000 images, is far too long for the suite): 4 000 images for 2 epochs, 32 steps,
// enough for the moving statistics (momentum 0.9) to leave their initial 0 and 1.

import './no-download.js';
import { describe, expect, it } from 'vitest';
import { nn, noGrad, tensor, tidy } from '../../src/index.js';
import { BatchNorm, batchNorm, lenetWithBatchNorm, run } from '../../examples/d2l/batch-norm.js';

describe('examples/d2l/batch-norm.ts', () => {
  it('batchNorm normalises per feature with the batch statistics and moves the averages by 1 − momentum', () => {
    tidy(() => {
      // Feature 0: [1, 3] → mean 2, biased variance 1; feature 1: [2, 6] → mean 4, variance 4.
      const X = tensor([[1, 2], [3, 6]]);
      const [Y, mm, mv] = batchNorm(X, tensor([[1, 2]]), tensor([[0, 1]]), tensor([[0, 0]]), tensor([[1, 1]]), 0, 0.9);
      expect(Array.from(Y.toArray())).toEqual([-1, -1, 1, 3]);
      expect(Array.from(mm.toArray())).toEqual([0.2, 0.4].map(Math.fround));
      expect(mv.toArray()[0]).toBeCloseTo(1, 6); // 0.9·1 + 0.1·1
      expect(mv.toArray()[1]).toBeCloseTo(1.3, 6); // 0.9·1 + 0.1·4
      // prediction mode uses the moving statistics
      const P = noGrad(() => batchNorm(X, tensor([[1, 1]]), tensor([[0, 0]]), tensor([[2, 4]]), tensor([[1, 4]]), 0, 0.9)[0]);
      expect(Array.from(P.toArray())).toEqual([-1, -1, 1, 1]);
    });
  });

  it('the scratch layer computes what nn.BatchNorm2d / nn.BatchNorm1d compute in training', () => {
    tidy(() => {
      const X4 = tensor(Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => Math.sin(i) * 3)).reshape([2, 3, 2, 2]);
      const mine = new BatchNorm(3, 4);
      const theirs = new nn.BatchNorm2d(3);
      const a = mine.forward(X4).toArray();
      const b = theirs.forward(X4).toArray();
      a.forEach((v: number, i: number) => expect(v).toBeCloseTo(b[i], 5));
      // the moving mean: momentum 0.9 of the old here is PyTorch's momentum 0.1 of the new
      mine.movingMean.reshape([-1]).toArray().forEach((v: number, i: number) => expect(v).toBeCloseTo(theirs.runningMean!.toArray()[i], 6));
      const X2 = tensor([[0.5, -1, 2], [1.5, 3, -2], [4, 0, 1]]);
      const m2 = new BatchNorm(3, 2).forward(X2).toArray();
      const t2 = new nn.BatchNorm1d(3).forward(X2).toArray();
      m2.forEach((v: number, i: number) => expect(v).toBeCloseTo(t2[i], 5));
    });
  });

  it('trains both LeNets of the chapter and prints the first layer\'s gamma and beta', async () => {
    expect(lenetWithBatchNorm().namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`).slice(0, 4)).toEqual([
      '0.weight:6x1x5x5', '0.bias:6', '1.gamma:1x6x1x1', '1.beta:1x6x1x1',
    ]);
    const lines: string[] = [];
    const r = await run({ trainLimit: 4000, testLimit: 500, epochs: 2, log: (l) => lines.push(l) });
    for (const { figures } of [r.scratch, r.concise]) {
      expect(figures).toHaveLength(2);
      // batch normalisation lets sigmoid LeNet learn in its first epoch (without it, it stays at chance)
      expect(figures[1].trainAcc).toBeGreaterThan(0.4);
      expect(figures[1].testAcc).toBeGreaterThan(0.4);
    }
    expect(lines.find((l) => l.startsWith('(tensor(['))).toMatch(/^\(tensor\(\[[^\]]+\],\s+grad_fn=<ReshapeAliasBackward0>\), tensor\(\[[^\]]+\],\s+grad_fn=<ReshapeAliasBackward0>\)\)$/);
    expect(r.concise.net.stateDict()['1.running_mean'].shape).toEqual([6]);
  }, 300_000);
});
