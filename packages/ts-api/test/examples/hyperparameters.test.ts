// examples/hyperparameters.ts on 2 000 training / 1 000 test images, with a small grid.

import './no-download.js';
import { describe, expect, it } from 'vitest';
import { run, trainSoftmaxRegression } from '../../examples/hyperparameters.js';

const quiet = (): void => {};
const small = { trainLimit: 2000, testLimit: 1000, log: quiet };

describe('examples/hyperparameters.ts', () => {
  it('sweeps lr, batch size and epochs one at a time and tabulates them', async () => {
    const r = await run({
      ...small,
      base: { lr: 0.1, batchSize: 256, epochs: 4 },
      learningRates: [0.001, 0.1],
      batchSizes: [64, 256],
      epochCounts: [1, 2, 4],
    });
    const key = (row: { sweep: string; lr: number; batchSize: number; epochs: number }) => `${row.sweep} ${row.lr} ${row.batchSize} ${row.epochs}`;
    expect(r.rows.map(key)).toEqual([
      'lr 0.001 256 4', 'lr 0.1 256 4', 'batchSize 0.1 64 4', 'batchSize 0.1 256 4', 'epochs 0.1 256 1', 'epochs 0.1 256 2', 'epochs 0.1 256 4',
    ]);
    for (const row of r.rows) {
      expect(row.testAcc).toBeGreaterThanOrEqual(0);
      expect(row.testAcc).toBeLessThanOrEqual(1);
      expect(Number.isFinite(row.trainLoss)).toBe(true);
    }
    expect(r.table.split('\n')).toHaveLength(2 + r.rows.length);
    const find = (sweep: string, lr: number, batchSize: number, epochs: number) => r.rows.find((x) => key(x) === `${sweep} ${lr} ${batchSize} ${epochs}`)!;
    // The notes' setting learns; a learning rate 100× smaller barely moves in the same 4 epochs.
    expect(find('lr', 0.1, 256, 4).testAcc).toBeGreaterThan(0.6);
    expect(find('lr', 0.001, 256, 4).testAcc).toBeLessThan(find('lr', 0.1, 256, 4).testAcc - 0.1);
    // The same setting appears in every sweep and is the same run.
    expect(find('batchSize', 0.1, 256, 4).testAcc).toBe(find('lr', 0.1, 256, 4).testAcc);
    expect(find('epochs', 0.1, 256, 4).testAcc).toBe(find('lr', 0.1, 256, 4).testAcc);
    // Batch 64 takes 4× the steps of batch 256 per epoch: lower training loss after the same epochs.
    expect(find('batchSize', 0.1, 64, 4).trainLoss).toBeLessThan(find('batchSize', 0.1, 256, 4).trainLoss);
    // More epochs: lower training loss.
    expect(find('epochs', 0.1, 256, 4).trainLoss).toBeLessThan(find('epochs', 0.1, 256, 2).trainLoss);
    expect(find('epochs', 0.1, 256, 2).trainLoss).toBeLessThan(find('epochs', 0.1, 256, 1).trainLoss);
  });

  it('the epochs sweep is sound: a 2-epoch run ends exactly where epoch 2 of a longer run is', async () => {
    const short = await trainSoftmaxRegression(0.1, 256, 2, small);
    const long = await trainSoftmaxRegression(0.1, 256, 4, small);
    expect(short.epochs).toHaveLength(2);
    expect(short.trainLoss[1]).toBe(long.trainLoss[1]);
    expect(short.testAcc[1]).toBe(long.testAcc[1]);
  });
});
