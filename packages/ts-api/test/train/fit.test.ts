// The training loop on real Fashion-MNIST (a subset): fit's history, callbacks, early stopping,
// checkpoints with bit-exact resume, ensembles.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, nn, optim, manualSeed, train, tensor } from '../../src/index.js';

let trainSet: data.Dataset;
let testSet: data.Dataset;
let dir: string;

beforeAll(async () => {
  const { train: full, test } = await data.fashionMnist({ download: false });
  trainSet = data.subset(full, Array.from({ length: 3000 }, (_, i) => i));
  testSet = data.subset(test, Array.from({ length: 1000 }, (_, i) => i));
  dir = mkdtempSync(join(tmpdir(), 'softmax-fit-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setup(seed: number, dropout = 0) {
  manualSeed(seed);
  const layers = [new nn.Flatten(), new nn.Linear(784, 64), new nn.ReLU()];
  if (dropout > 0) layers.push(new nn.Dropout(dropout));
  const net = new nn.Sequential(...layers, new nn.Linear(64, 10));
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const opt = new optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
  const trainIter = new data.DataLoader(trainSet, { batchSize: 128, shuffle: true });
  const testIter = new data.DataLoader(testSet, { batchSize: 256 });
  return { net, loss, opt, trainIter, testIter };
}

function weightBytes(net: nn.Module): Buffer[] {
  return net.parameters().map((p) => Buffer.from((p.toArray() as Float32Array).buffer));
}

describe('fit', () => {
  it('trains and reports history, batch progress and epoch ends in order', async () => {
    const { net, loss, opt, trainIter, testIter } = setup(0);
    const events: string[] = [];
    let batches = 0;
    const history = await train.fit(net, trainIter, testIter, loss, 3, opt, {
      callbacks: [{
        onTrainBegin: () => { events.push('begin'); },
        onEpochBegin: (e) => { events.push(`epoch ${e}`); },
        onBatchEnd: (b) => {
          batches++;
          expect(b.batches).toBe(24);
          expect(b.loss).toBeGreaterThan(0);
        },
        onEpochEnd: (l) => { events.push(`end ${l.epoch}`); },
        onTrainEnd: () => { events.push('done'); },
      }],
    });
    expect(events).toEqual(['begin', 'epoch 1', 'end 1', 'epoch 2', 'end 2', 'epoch 3', 'end 3', 'done']);
    expect(batches).toBe(3 * 24);
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(history.stopReason).toBe('completed');
    expect(history.trainLoss[2]).toBeLessThan(history.trainLoss[0]);
    expect(history.testAcc[2]).toBeGreaterThan(0.7);
    // No valIter: no valLoss / valAcc; an Optimizer: the lr each epoch began with.
    for (const e of history.epochs) expect(Object.keys(e).sort()).toEqual(['epoch', 'lr', 'seconds', 'testAcc', 'trainAcc', 'trainLoss']);
    expect(history.lr).toEqual([0.1, 0.1, 0.1]);
    expect(history.valLoss).toBeUndefined();
  });

  it('evaluateAccuracy counts argmax hits and restores train mode', () => {
    const { net, testIter } = setup(1);
    const acc = train.evaluateAccuracy(net, testIter);
    expect(acc).toBeGreaterThanOrEqual(0);
    expect(acc).toBeLessThan(0.3);
    expect(net.training).toBe(true);
    const yHat = tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
    expect(train.accuracy(yHat, tensor([1, 1, 1], { dtype: 'int32' }))).toBe(2);
  });

  it('EarlyStopping stops after `patience` epochs without improvement and can restore the best weights', async () => {
    const { net, loss, trainIter, testIter } = setup(2);
    const frozen = new optim.SGD(net.parameters(), { lr: 0 });
    const stopper = new train.EarlyStopping({ monitor: 'testAcc', patience: 2, restoreBest: true });
    const history = await train.fit(net, trainIter, testIter, loss, 10, frozen, { callbacks: [stopper] });
    expect(history.epochs.length).toBe(3);
    expect(history.stopReason).toBe('early-stopping');
    expect(stopper.bestEpoch).toBe(1);
    expect(stopper.stoppedEpoch).toBe(3);
    expect(() => new train.EarlyStopping({ patience: 0 })).toThrow('EarlyStopping: patience must be a positive integer, got 0');
  });

  it('a run stopped after epoch 2 and resumed from its checkpoint equals a straight run, bit for bit', async () => {
    const straight = setup(3, 0.2);
    await train.fit(straight.net, straight.trainIter, straight.testIter, straight.loss, 3, straight.opt);

    const path = join(dir, 'resume.safetensors');
    const first = setup(3, 0.2);
    await train.fit(first.net, first.trainIter, first.testIter, first.loss, 2, first.opt, { callbacks: [new train.Checkpoint(path)] });
    manualSeed(999); // whatever happens in between must not matter
    const second = setup(4, 0.2);
    const state = await train.loadCheckpoint(path, { net: second.net, optimizer: second.opt, loader: second.trainIter });
    expect(state.epoch).toBe(2);
    const resumed = await train.fit(second.net, second.trainIter, second.testIter, second.loss, 3, second.opt, {
      initialEpoch: state.epoch, history: state.history,
    });
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    const a = weightBytes(straight.net);
    const b = weightBytes(second.net);
    a.forEach((bytes, i) => expect(Buffer.compare(bytes, b[i])).toBe(0));
  });

  it('loading a checkpoint that does not fit leaves the model and optimiser as they were', async () => {
    const path = join(dir, 'mismatch.safetensors');
    const small = setup(5);
    await train.saveCheckpoint(path, { net: small.net, optimizer: small.opt }, { epoch: 1, history: [] });
    manualSeed(6);
    const other = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 32), new nn.ReLU(), new nn.Linear(32, 10));
    const before = weightBytes(other);
    const opt = new optim.SGD(other.parameters(), { lr: 0.1, momentum: 0.9 });
    await expect(train.loadCheckpoint(path, { net: other, optimizer: opt })).rejects.toThrow(/size mismatch for 1.weight/);
    weightBytes(other).forEach((bytes, i) => expect(Buffer.compare(bytes, before[i])).toBe(0));
    const notCheckpoint = join(dir, 'plain.safetensors');
    const { save } = await import('../../src/io/index.js');
    await save(notCheckpoint, small.net.stateDict());
    await expect(train.loadCheckpoint(notCheckpoint, { net: small.net })).rejects.toThrow(/is not a softmax-nn checkpoint/);
    writeFileSync(join(dir, 'junk.safetensors'), 'junk');
    await expect(train.loadCheckpoint(join(dir, 'junk.safetensors'), { net: small.net })).rejects.toThrow();
  });

  it('an Ensemble averages its members\' softmax outputs', () => {
    manualSeed(7);
    const a = new nn.Sequential(new nn.Linear(3, 4));
    const b = new nn.Sequential(new nn.Linear(3, 4));
    const x = tensor([[1, 2, 3], [-1, 0, 1]]);
    const pa = a.forward(x).softmax(1).toArray();
    const pb = b.forward(x).softmax(1).toArray();
    const pe = new train.Ensemble([a, b]).forward(x).toArray();
    pe.forEach((v, i) => expect(v).toBeCloseTo((pa[i] + pb[i]) / 2, 6));
    expect(() => new train.Ensemble([])).toThrow('Ensemble: needs at least one model');
  });
});
