// fit(..., { workers: 2 }) on a Sequential whose layers were changed after construction (append, insert,
// addModule with a name): the workers rebuild what forward runs, and a tied layer is refused clearly.

import { beforeAll, describe, expect, it } from 'vitest';
import { data, nn, optim, manualSeed, train } from '../../src/index.js';

let trainSet: data.Dataset;
let testSet: data.Dataset;

beforeAll(async () => {
  const { train: full, test } = await data.fashionMnist({ download: false });
  trainSet = data.subset(full, Array.from({ length: 1024 }, (_, i) => i));
  testSet = data.subset(test, Array.from({ length: 256 }, (_, i) => i));
});

/** Flatten, Linear(784, 32), ReLU, Linear(32, 10) — built by append, insert and a named addModule. */
function changedNet(seed: number): nn.Sequential {
  manualSeed(seed);
  const net = new nn.Sequential(new nn.Linear(784, 32));
  net.insert(0, new nn.Flatten());
  net.append(new nn.ReLU());
  net.addModule('head', new nn.Linear(32, 10));
  return net;
}

async function fitOnce(workers: number): Promise<{ net: nn.Sequential; history: train.History }> {
  const net = changedNet(5);
  const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const trainIter = new data.DataLoader(trainSet, { batchSize: 128, shuffle: false });
  const testIter = new data.DataLoader(testSet, { batchSize: 128 });
  const history = await train.fit(net, trainIter, testIter, loss, 1, opt, workers > 1 ? { workers } : {});
  return { net, history };
}

describe('fit with workers on a changed Sequential', () => {
  it('append/insert/addModule: N = 2 gives the weights of N = 1 within 1e-5', async () => {
    const one = await fitOnce(1);
    const two = await fitOnce(2);
    expect(two.net.namedParameters().map(([n]) => n)).toEqual(['1.weight', '1.bias', 'head.weight', 'head.bias']);
    const a = one.net.parameters().map((p) => p.toArray() as Float32Array);
    const b = two.net.parameters().map((p) => p.toArray() as Float32Array);
    let worst = 0;
    a.forEach((t, k) => t.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - (b[k] as Float32Array)[i]!)); }));
    expect(worst).toBeLessThan(1e-5);
    expect(two.history.trainLoss[0]).toBeCloseTo(one.history.trainLoss[0]!, 5);
  });

  it('a layer used twice (tied weights) is refused with a message naming it', async () => {
    const shared = new nn.Linear(784, 784);
    const net = new nn.Sequential(new nn.Flatten(), shared, new nn.ReLU(), shared, new nn.Linear(784, 10));
    const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
    const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
    const trainIter = new data.DataLoader(trainSet, { batchSize: 128 });
    await expect(train.fit(net, trainIter, trainIter, loss, 1, opt, { workers: 2 }))
      .rejects.toThrow('layer 3 is the same module as layer 1 (tied weights)');
  });
});
