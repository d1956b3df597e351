// examples/remedies.ts on the over-fitting setup, made small: 300 training and 500 validation images (a
// random split of the training file), 1 000 test images, 60 epochs. Each remedy is measured against the
// same baseline.

import './no-download.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { REMEDIES, run, type RemediesResult, type RemedyResult } from '../../examples/remedies.js';

const EPOCHS = 60;
const PATIENCE = 5; // the validation accuracy of this split plateaus late: a patience of 10 would not stop within 60 epochs
let r: RemediesResult;

beforeAll(async () => {
  r = await run({
    trainLimit: 300, valLimit: 500, testLimit: 1000, epochs: EPOCHS, batchSize: 16, lr: 0.1,
    patience: PATIENCE, ensembleSize: 3, log: () => {},
  });
}, 60_000);

const remedy = (name: (typeof REMEDIES)[number]): RemedyResult => {
  const x = r.remedies[name];
  if (x === undefined) throw new Error(`no result for ${name}`);
  return x;
};

describe('examples/remedies.ts', () => {
  it('returns measured numbers for the baseline and every remedy', () => {
    expect(Object.keys(r.remedies).sort()).toEqual([...REMEDIES].sort());
    for (const x of [r.baseline, ...REMEDIES.map(remedy)]) {
      for (const v of [x.trainAcc, x.testAcc]) {
        expect(v).toBeGreaterThan(0.1);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(x.gap).toBeCloseTo(x.trainAcc - x.testAcc, 12);
    }
    expect(r.table.split('\n')).toHaveLength(2 + 1 + REMEDIES.length);
  });

  it('the baseline over-fits', () => {
    expect(r.baseline.trainAcc).toBeGreaterThanOrEqual(0.99);
    expect(r.baseline.gap).toBeGreaterThan(0.15);
  });

  it('trains on a random split of the training file: disjoint training and validation images', () => {
    expect(r.split.train.length).toBe(300);
    expect(r.split.val.length).toBe(500);
    const all = new Set([...r.split.train, ...r.split.val]);
    expect(all.size).toBe(800);
    // not the first 800 images: a random draw from the 60 000
    expect(Math.max(...all)).toBeGreaterThan(10_000);
  });

  it('early stopping stops, and puts back the weights of its best validation epoch', () => {
    const es = r.earlyStopping!;
    // fit's valAcc per epoch, through the epoch that stopped it: patience epochs past the best one
    expect(es.valAcc).toHaveLength(es.stoppedEpoch!);
    expect(es.valAcc[es.bestEpoch - 1]).toBe(es.bestValAcc);
    for (const v of es.valAcc.slice(es.bestEpoch)) expect(v).toBeLessThanOrEqual(es.bestValAcc);
    expect(es.stoppedEpoch).not.toBeNull();
    expect(es.stoppedEpoch!).toBeLessThan(EPOCHS);
    expect(es.bestEpoch).toBe(es.stoppedEpoch! - PATIENCE);
    expect(remedy('early stopping').epochs).toBe(es.stoppedEpoch);
    // The restored network's validation accuracy is exactly the best epoch's.
    expect(es.restoredValAcc).toBe(es.bestValAcc);
    expect(es.restoredValAcc).toBeGreaterThanOrEqual(es.lastEpochValAcc);
  });

  it('L2 (weight decay) shrinks the weights\' L2 norm, L1 their sum of magnitudes', () => {
    expect(remedy('L2').weightL2!).toBeLessThan(r.baseline.weightL2!);
    expect(remedy('L1').weightL1!).toBeLessThan(r.baseline.weightL1!);
  });

  it('dropout and augmentation change training: lower accuracy while training than the baseline', () => {
    expect(remedy('dropout').trainingAcc!).toBeLessThan(r.baseline.trainingAcc!);
    expect(remedy('augmentation').trainingAcc!).toBeLessThan(r.baseline.trainingAcc!);
    // Dropout is off in eval(): measured on the clean training images the network still fits them.
    expect(remedy('dropout').trainAcc).toBeGreaterThan(remedy('dropout').trainingAcc!);
  });

  it('the ensemble is at least as accurate as its worst member; the baseline is member 0', () => {
    const e = r.ensemble!;
    expect(e.memberTestAccs).toHaveLength(3);
    expect(e.memberTestAccs[0]).toBe(r.baseline.testAcc);
    expect(remedy('ensemble').testAcc).toBeGreaterThanOrEqual(Math.min(...e.memberTestAccs));
  });
});
