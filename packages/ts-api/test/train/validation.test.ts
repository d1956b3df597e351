// fit's valIter (valLoss / valAcc), scheduler (per epoch, per batch for OneCycleLR, the metric of
// ReduceLROnPlateau) and lr record; EarlyStopping on validation metrics; checkpoints that carry the
// scheduler and early-stopping state (bit-exact resume); the same with workers: 2. Hand-worked values
// on a tiny net; real Fashion-MNIST subsets elsewhere, compared bit for bit with a loop written by hand.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, nn, optim, manualSeed, noGrad, tensor, train, type Tensor } from '../../src/index.js';

let trainSet: data.Dataset;
let valSet: data.Dataset;
let testSet: data.Dataset;
let dir: string;

beforeAll(async () => {
  const { train: full, test } = await data.fashionMnist({ download: false });
  [trainSet, valSet] = data.randomSplit(data.subset(full, Array.from({ length: 2500 }, (_, i) => i)), [2000, 500], { seed: 1 });
  testSet = data.subset(test, Array.from({ length: 500 }, (_, i) => i));
  dir = mkdtempSync(join(tmpdir(), 'softmax-val-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setup(seed: number, lr = 0.1, dropout = 0.1) {
  manualSeed(seed);
  const drop = dropout > 0 ? [new nn.Dropout(dropout)] : [];
  const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 32), new nn.ReLU(), ...drop, new nn.Linear(32, 10));
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const opt = new optim.SGD(net.parameters(), { lr, momentum: 0.9 });
  const trainIter = new data.DataLoader(trainSet, { batchSize: 128, shuffle: true, seed });
  const valIter = new data.DataLoader(valSet, { batchSize: 250 });
  const testIter = new data.DataLoader(testSet, { batchSize: 250 });
  return { net, loss, opt, trainIter, valIter, testIter };
}

function bytes(net: nn.Module): Buffer {
  return Buffer.concat(net.parameters().map((p) => Buffer.from((p.toArray() as Float32Array).buffer)));
}

const withoutSeconds = (h: train.History) => h.epochs.map(({ seconds: _s, ...rest }) => rest);

describe('fit valIter', () => {
  it('reports the mean loss and accuracy on the validation data (worked by hand)', async () => {
    // logits = x (identity weights, lr 0): rows [1, 0], [0, 2], [3, 0] with labels 0, 0, 1
    const lin = new nn.Linear(2, 2);
    noGrad(() => { lin.weight.copy_(tensor([[1, 0], [0, 1]])); lin.bias!.zero_(); });
    const ds = new data.TensorDataset(tensor([[1, 0], [0, 2], [3, 0]]), tensor([0, 0, 1], { dtype: 'int32' }));
    const it3 = new data.DataLoader(ds, { batchSize: 2 });
    const frozen = new optim.SGD(lin.parameters(), { lr: 0 });
    const h = await train.fit(lin, it3, it3, new nn.CrossEntropyLoss(), 1, frozen, { valIter: it3 });
    // ln(1 + e^-1), 2 + ln(1 + e^-2), 3 + ln(1 + e^-3); argmax 0, 1, 0 → one of three right
    const expected = (Math.log1p(Math.exp(-1)) + 2 + Math.log1p(Math.exp(-2)) + 3 + Math.log1p(Math.exp(-3))) / 3;
    expect(h.epochs[0].valLoss).toBeCloseTo(expected, 6);
    expect(h.epochs[0].valAcc).toBe(1 / 3);
    expect(h.valLoss).toEqual([h.epochs[0].valLoss]);
    expect(h.valAcc).toEqual([1 / 3]);
    expect(h.lr).toEqual([0]);
    await expect(train.fit(lin, it3, it3, new nn.CrossEntropyLoss(), 1, frozen, { valIter: 3 as never }))
      .rejects.toThrow('fit: valIter must be an iterable of [X, y] batches (e.g. a DataLoader), got number');
    const empty = new data.DataLoader(data.subset(ds, []), { batchSize: 2 });
    await expect(train.fit(lin, it3, it3, new nn.CrossEntropyLoss(), 1, frozen, { valIter: empty }))
      .rejects.toThrow('fit: valIter has no batches (length 0)');
  });

  it('the same data as valIter and testIter gives valAcc = testAcc', async () => {
    const s = setup(0);
    const h = await train.fit(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { valIter: s.testIter });
    expect(h.epochs[0].valAcc).toBe(h.epochs[0].testAcc);
  });
});

describe('EarlyStopping on validation metrics', () => {
  it('a val monitor without valIter throws when training begins, before any step', async () => {
    const s = setup(0);
    const before = bytes(s.net);
    const es = new train.EarlyStopping({ monitor: 'valAcc' });
    await expect(train.fit(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { callbacks: [es] })).rejects.toThrow(
      "EarlyStopping: monitor 'valAcc' needs validation data: pass fit(…, { valIter }) (e.g. a DataLoader over a data.randomSplit of the training set)",
    );
    expect(bytes(s.net).equals(before)).toBe(true);
    expect(new train.EarlyStopping({ monitor: 'valLoss' }).mode).toBe('min');
    expect(new train.EarlyStopping({ monitor: 'valAcc' }).mode).toBe('max');
    expect(() => new train.EarlyStopping({ monitor: 'val_acc' as never })).toThrow(
      "EarlyStopping: monitor must be 'trainLoss', 'trainAcc', 'testAcc', 'valLoss', 'valAcc', got 'val_acc'",
    );
  });

  it('loadStateDict of its own stateDict() keeps the snapshot of the best weights', async () => {
    const s = setup(1);
    const es = new train.EarlyStopping({ monitor: 'valLoss', patience: 2, minDelta: 10, restoreBest: true });
    let epoch1: Buffer | null = null;
    const grab: train.Callback = { onEpochEnd: (l) => { if (l.epoch === 1) epoch1 = bytes(s.net); } };
    // After es's own onEpochEnd: the state handed back is the callback's own (its snapshot included).
    const reload: train.Callback = { onEpochEnd: () => es.loadStateDict(es.stateDict()) };
    const h = await train.fit(s.net, s.trainIter, s.testIter, s.loss, 10, s.opt, { valIter: s.valIter, callbacks: [grab, es, reload] });
    expect(h.stopReason).toBe('early-stopping');
    expect(bytes(s.net).equals(epoch1!)).toBe(true);
  });

  it('stops on valLoss and restores the weights of the best validation epoch', async () => {
    const s = setup(1);
    // minDelta 10: only the first epoch counts as an improvement
    const es = new train.EarlyStopping({ monitor: 'valLoss', patience: 2, minDelta: 10, restoreBest: true });
    let epoch1: Buffer | null = null;
    const grab: train.Callback = { onEpochEnd: (l) => { if (l.epoch === 1) epoch1 = bytes(s.net); } };
    const h = await train.fit(s.net, s.trainIter, s.testIter, s.loss, 10, s.opt, { valIter: s.valIter, callbacks: [grab, es] });
    expect(h.epochs.length).toBe(3);
    expect(h.stopReason).toBe('early-stopping');
    expect(es.bestEpoch).toBe(1);
    expect(es.best).toBe(h.epochs[0].valLoss);
    expect(bytes(s.net).equals(epoch1!)).toBe(true);
  });
});

describe('fit scheduler', () => {
  it('steps an epoch scheduler after each epoch: the same bits as the loop by hand, and the lr of each epoch', async () => {
    const a = setup(2);
    const stepA = new optim.lrScheduler.StepLR(a.opt, { stepSize: 1, gamma: 0.5 });
    const h = await train.fit(a.net, a.trainIter, a.testIter, a.loss, 3, a.opt, { scheduler: stepA });
    expect(h.lr).toEqual([0.1, 0.05, 0.025]);
    const b = setup(2);
    const stepB = new optim.lrScheduler.StepLR(b.opt, { stepSize: 1, gamma: 0.5 });
    for (let e = 0; e < 3; e++) {
      train.trainEpoch(b.net, b.trainIter, b.loss, b.opt);
      stepB.step();
    }
    expect(bytes(a.net).equals(bytes(b.net))).toBe(true);
    expect(stepA.getLastLr()).toEqual([0.0125]);
  });

  it('steps OneCycleLR after every batch', async () => {
    const a = setup(3);
    const batches = a.trainIter.length;
    const oneA = new optim.lrScheduler.OneCycleLR(a.opt, { maxLr: 0.2, epochs: 2, stepsPerEpoch: batches });
    const h = await train.fit(a.net, a.trainIter, a.testIter, a.loss, 2, a.opt, { scheduler: oneA });
    const b = setup(3);
    const oneB = new optim.lrScheduler.OneCycleLR(b.opt, { maxLr: 0.2, epochs: 2, stepsPerEpoch: batches });
    const lrs: number[] = [];
    for (let e = 0; e < 2; e++) {
      lrs.push(oneB.getLastLr()[0]);
      train.trainEpoch(b.net, b.trainIter, b.loss, b.opt, { onBatch: () => oneB.step() });
    }
    expect(bytes(a.net).equals(bytes(b.net))).toBe(true);
    expect(h.lr).toEqual(lrs);
    expect(h.lr![0]).toBeCloseTo(0.2 / 25, 12); // OneCycleLR starts at maxLr / divFactor
    expect(oneA.lastEpoch).toBe(2 * batches);
  });

  it('gives ReduceLROnPlateau valLoss when there is a valIter, else trainLoss', async () => {
    for (const withVal of [true, false]) {
      const s = setup(4);
      const plateau = new optim.lrScheduler.ReduceLROnPlateau(s.opt, { patience: 0 });
      const seen: number[] = [];
      const step = plateau.step.bind(plateau);
      plateau.step = (m) => { seen.push(m as number); step(m); };
      const h = await train.fit(s.net, s.trainIter, s.testIter, s.loss, 2, s.opt, { scheduler: plateau, ...(withVal ? { valIter: s.valIter } : {}) });
      expect(seen).toEqual(withVal ? h.valLoss : h.trainLoss);
    }
  });

  it('rejects a scheduler it cannot step', async () => {
    const s = setup(5);
    const other = new optim.SGD(s.net.parameters(), { lr: 0.1 });
    const fit = (scheduler: unknown, updater: train.Updater = s.opt) =>
      train.fit(s.net, s.trainIter, s.testIter, s.loss, 1, updater, { scheduler: scheduler as train.Scheduler });
    await expect(fit(new optim.lrScheduler.StepLR(other, { stepSize: 1 }))).rejects.toThrow("fit: the scheduler was made on another optimiser than fit's updater");
    await expect(fit({ step() {} })).rejects.toThrow('fit: scheduler must be an optim.lrScheduler scheduler');
    await expect(fit(new optim.lrScheduler.StepLR(s.opt, { stepSize: 1 }), () => undefined)).rejects.toThrow(
      'fit: a scheduler needs the updater to be an Optimizer (the one the scheduler was made on), not a function',
    );
  });
});

describe('checkpoints with a scheduler and early stopping', () => {
  const parts = (seed: number, es: train.EarlyStoppingOptions = { monitor: 'valAcc', patience: 2, minDelta: 0.03, restoreBest: true }) => {
    const s = setup(seed, 0.3);
    const scheduler = new optim.lrScheduler.StepLR(s.opt, { stepSize: 2, gamma: 0.5 });
    return { ...s, scheduler, es: new train.EarlyStopping(es) };
  };

  /** A straight run of up to 10 epochs, and runs stopped after each of `ks` and resumed: the same bits. */
  async function resumeEqualsStraight(ks: number[], es?: train.EarlyStoppingOptions) {
    const straight = parts(6, es);
    const hs = await train.fit(straight.net, straight.trainIter, straight.testIter, straight.loss, 10, straight.opt, {
      valIter: straight.valIter, scheduler: straight.scheduler, callbacks: [straight.es],
    });
    for (const k of ks) {
      const path = join(dir, `resume-${k}.safetensors`);
      const first = parts(6, es);
      await train.fit(first.net, first.trainIter, first.testIter, first.loss, k, first.opt, {
        valIter: first.valIter, scheduler: first.scheduler, callbacks: [first.es, new train.Checkpoint(path)],
      });
      manualSeed(999);
      const second = parts(7, es);
      const state = await train.loadCheckpoint(path, { net: second.net, optimizer: second.opt, loader: second.trainIter, scheduler: second.scheduler, earlyStopping: second.es });
      expect(state.epoch).toBe(k);
      expect(second.scheduler.stateDict()).toEqual(first.scheduler.stateDict());
      const hr = await train.fit(second.net, second.trainIter, second.testIter, second.loss, 10, second.opt, {
        valIter: second.valIter, scheduler: second.scheduler, callbacks: [second.es, new train.Checkpoint(path)], initialEpoch: state.epoch, history: state.history,
      });
      expect(withoutSeconds(hr)).toEqual(withoutSeconds(hs));
      expect(hr.stopReason).toBe(hs.stopReason);
      expect([second.es.best, second.es.bestEpoch, second.es.stoppedEpoch]).toEqual([straight.es.best, straight.es.bestEpoch, straight.es.stoppedEpoch]);
      expect(bytes(second.net).equals(bytes(straight.net))).toBe(true);
    }
    return { hs, es: straight.es };
  }

  it('a run stopped after epoch k and resumed equals a straight run, bit for bit', async () => {
    const { hs, es } = await resumeEqualsStraight([2, 3]);
    // What the runs went through: the lr halved every 2 epochs, and early stopping ended the run and
    // restored an epoch before the last.
    expect(hs.lr!.slice(0, 3)).toEqual([0.3, 0.3, 0.15]);
    expect(hs.stopReason).toBe('early-stopping');
    expect(hs.epochs.length).toBeLessThan(10);
    expect(es.bestEpoch).toBeLessThan(hs.epochs.length);
  });

  it('resumes the patience count and the best weights of the first session', async () => {
    // minDelta 10: only epoch 1 improves, so the run stops after epoch 4 with epoch 1's weights — which
    // after a resume from epoch 2 exist only in the checkpoint (a fresh EarlyStopping would go on to 6).
    const { hs, es } = await resumeEqualsStraight([2], { monitor: 'valLoss', patience: 3, minDelta: 10, restoreBest: true });
    expect(hs.epochs.length).toBe(4);
    expect([es.bestEpoch, es.stoppedEpoch]).toEqual([1, 4]);
  });

  it('refuses a checkpoint whose scheduler or early-stopping state does not match the parts given', async () => {
    const path = join(dir, 'parts.safetensors');
    const a = parts(8);
    await train.fit(a.net, a.trainIter, a.testIter, a.loss, 1, a.opt, { valIter: a.valIter, scheduler: a.scheduler, callbacks: [a.es, new train.Checkpoint(path)] });
    const b = parts(8);
    await expect(train.loadCheckpoint(path, { net: b.net, optimizer: b.opt, earlyStopping: b.es })).rejects.toThrow(
      `loadCheckpoint: ${path} has scheduler state, but no scheduler was given`,
    );
    await expect(train.loadCheckpoint(path, { net: b.net, optimizer: b.opt, scheduler: b.scheduler })).rejects.toThrow(
      `loadCheckpoint: ${path} has the state of 1 EarlyStopping callback(s), but 0 were given`,
    );
  });
});

describe('fit with workers: 2, a valIter and a scheduler', () => {
  it('matches one thread within 1e-5, with the same lr per epoch (the optimiser steps in this thread)', async () => {
    const run = async (workers: number) => {
      const s = setup(9, 0.1, 0); // no Dropout: its masks differ with workers by design
      const scheduler = new optim.lrScheduler.StepLR(s.opt, { stepSize: 1, gamma: 0.5 });
      const h = await train.fit(s.net, s.trainIter, s.testIter, s.loss, 2, s.opt, { valIter: s.valIter, scheduler, workers });
      return { h, w: s.net.parameters().map((p) => p.toArray() as Float32Array) };
    };
    const one = await run(1);
    const two = await run(2);
    let diff = 0;
    one.w.forEach((t, k) => t.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - two.w[k][i])); }));
    expect(diff).toBeLessThan(1e-5);
    expect(two.h.lr).toEqual([0.1, 0.05]);
    expect(two.h.valLoss![1]).toBeCloseTo(one.h.valLoss![1], 4);
    expect(two.h.valAcc!.length).toBe(2);
  });
});
