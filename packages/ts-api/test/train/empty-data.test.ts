// fit, trainEpoch and evaluateAccuracy on data with no examples: an error that says so, not an
// accuracy of 0 and a run "completed". Where the loader knows it is empty (a DataLoader, an array),
// nothing is trained and no callback runs.

import { describe, expect, it } from 'vitest';
import { data, evaluateAccuracy, fit, manualSeed, nn, optim, tensor, trainEpoch, zeros, type Tensor } from '../../src/index.js';

function model() {
  manualSeed(0);
  const net = new nn.Sequential(new nn.Linear(4, 3));
  const opt = new optim.SGD(net.parameters(), { lr: 0.5 });
  return { net, opt, loss: new nn.CrossEntropyLoss() };
}

function loader(n: number): data.DataLoader {
  const X = tensor(Array.from({ length: n * 4 }, (_, i) => (i % 7) / 7), { shape: [n, 4] });
  const y = tensor(Array.from({ length: n }, (_, i) => i % 3), { dtype: 'int32' });
  return new data.DataLoader(new data.TensorDataset(X, y), { batchSize: 2 });
}

/** An iterable that does not know its length and yields nothing (or batches of zero rows). */
function* noBatches(): Generator<[Tensor, Tensor]> {}
function* emptyBatches(): Generator<[Tensor, Tensor]> {
  yield [zeros([0, 4]), tensor(new Int32Array(0))];
}

const weights = (net: nn.Module) => net.parameters().map((p) => Array.from(p.toArray()));

describe('evaluateAccuracy', () => {
  it('throws on an empty DataLoader, an empty generator and batches of zero rows', () => {
    const { net } = model();
    expect(loader(0).length).toBe(0);
    const msg = 'evaluateAccuracy: dataIter gave no examples; an accuracy needs at least one (an empty dataset, or an iterator used up by an earlier pass?)';
    expect(() => evaluateAccuracy(net, loader(0))).toThrow(msg);
    expect(() => evaluateAccuracy(net, noBatches())).toThrow(msg);
    expect(() => evaluateAccuracy(net, emptyBatches())).toThrow(msg);
    expect(net.training).toBe(true);
    expect(evaluateAccuracy(net, loader(5))).toBeGreaterThanOrEqual(0);
  });
});

describe('trainEpoch', () => {
  it('throws on an empty loader before touching the model', () => {
    const { net, opt, loss } = model();
    const before = weights(net);
    expect(() => trainEpoch(net, loader(0), loss, opt)).toThrow('trainEpoch: trainIter has no batches (length 0); expected at least one example (an empty dataset?)');
    expect(() => trainEpoch(net, noBatches(), loss, opt)).toThrow('trainEpoch: trainIter gave no examples; expected at least one (an empty dataset, or an iterator used up by an earlier pass?)');
    expect(weights(net)).toEqual(before);
  });
});

describe('fit', () => {
  it('rejects an empty training or test loader before training, calling no callback', async () => {
    for (const workers of [1, 2]) {
      const { net, opt, loss } = model();
      const before = weights(net);
      const events: string[] = [];
      const cb = { onTrainBegin: () => { events.push('begin'); }, onEpochEnd: () => { events.push('epoch'); } };
      await expect(fit(net, loader(0), loader(4), loss, 2, opt, { workers, callbacks: [cb] }))
        .rejects.toThrow('fit: trainIter has no batches (length 0); expected at least one example (an empty dataset?)');
      await expect(fit(net, loader(4), loader(0), loss, 2, opt, { workers, callbacks: [cb] }))
        .rejects.toThrow('fit: testIter has no batches (length 0); expected at least one example (an empty dataset?)');
      await expect(fit(net, [], loader(4), loss, 2, opt, { workers, callbacks: [cb] })).rejects.toThrow('fit: trainIter has no batches (length 0)');
      expect(events).toEqual([]);
      expect(weights(net)).toEqual(before);
    }
  });

  it('rejects training data that turns out empty (no length to check first), in both fits', async () => {
    for (const workers of [1, 2]) {
      const { net, opt, loss } = model();
      const ended: number[] = [];
      await expect(fit(net, noBatches(), loader(4), loss, 1, opt, { workers, callbacks: [{ onEpochEnd: (l) => { ended.push(l.epoch); } }] }))
        .rejects.toThrow('fit: trainIter gave no examples; expected at least one (an empty dataset, or an iterator used up by an earlier pass?)');
      expect(ended).toEqual([]);
    }
  });

  it('rejects a one-shot iterator in the epoch after it was used up (was: epochs of accuracy 0)', async () => {
    for (const workers of [1, 2]) {
      const { net, opt, loss } = model();
      function* once(): Generator<[Tensor, Tensor]> {
        yield* loader(4);
      }
      const ended: number[] = [];
      await expect(fit(net, once(), loader(4), loss, 3, opt, { workers, callbacks: [{ onEpochEnd: (l) => { ended.push(l.epoch); } }] }))
        .rejects.toThrow('fit: trainIter gave no examples; expected at least one (an empty dataset, or an iterator used up by an earlier pass?)');
      expect(ended).toEqual([1]);
    }
  });

  it('rejects test data that turns out empty', async () => {
    const { net, opt, loss } = model();
    await expect(fit(net, loader(4), noBatches(), loss, 1, opt))
      .rejects.toThrow('evaluateAccuracy: dataIter gave no examples; an accuracy needs at least one (an empty dataset, or an iterator used up by an earlier pass?)');
  });
});
