// examples/overfitting.ts on 300 training / 1 000 test images: the MLP learns the training images
// by heart while test accuracy stays far below and test loss climbs back up.

import './no-download.js';
import { describe, expect, it } from 'vitest';
import { run } from '../../examples/overfitting.js';

describe('examples/overfitting.ts', () => {
  it('shows a train–test gap: train acc → 1, test acc far below, test loss rising', async () => {
    const r = await run({ trainLimit: 300, testLimit: 1000, epochs: 60, batchSize: 16, lr: 0.1, evalEvery: 5, log: () => {} });
    expect(r.curve.map((p) => p.epoch)).toEqual([1, ...Array.from({ length: 12 }, (_, i) => 5 * (i + 1))]);
    expect(r.final.epoch).toBe(60);
    expect(r.final.trainAcc).toBeGreaterThanOrEqual(0.99);
    expect(r.final.testAcc).toBeGreaterThan(0.5); // it did learn something general (chance is 0.1)
    expect(r.final.gap).toBeCloseTo(r.final.trainAcc - r.final.testAcc, 12);
    expect(r.final.gap).toBeGreaterThan(0.15);
    // The training loss keeps falling after the test loss has passed its minimum.
    expect(r.bestTestLoss.epoch).toBeLessThan(60);
    expect(r.final.testLoss).toBeGreaterThan(r.bestTestLoss.testLoss);
    expect(r.final.trainLoss).toBeLessThan(r.bestTestLoss.trainLoss);
    expect(r.table).toContain('final');
  });
});
