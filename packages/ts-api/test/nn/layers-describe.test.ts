// The new layers and losses describe themselves for data-parallel replicas: a rebuilt module computes the
// same, and fit(…, { workers: 2 }) trains with them as with one thread.

import { describe, expect, it } from 'vitest';
import { data, manualSeed, nn, optim, randn, randint, tensor, train, type Tensor } from '../../src/index.js';

function same(a: nn.Module, x: Tensor, t?: Tensor): void {
  const d = a.describe();
  expect(d).not.toBeNull();
  const b = nn.Module.fromDescription(JSON.parse(JSON.stringify(d)) as nn.ModuleDescription);
  expect(b.constructor).toBe(a.constructor);
  const ya = t === undefined ? a.forward(x) : a.forward(x, t);
  const yb = t === undefined ? b.forward(x) : b.forward(x, t);
  expect(Array.from(yb.toArray())).toEqual(Array.from(ya.toArray()));
}

describe('describe / fromDescription', () => {
  it('rebuilds the activations', () => {
    manualSeed(1);
    const x = randn([7, 5]).mul(4);
    same(new nn.Tanh(), x);
    same(new nn.LeakyReLU(0.3), x);
    same(new nn.GELU(), x);
    same(new nn.GELU({ approximate: 'tanh' }), x);
    same(new nn.Softplus({ beta: 2, threshold: 3 }), x);
  });

  it('rebuilds the losses, weights included', () => {
    manualSeed(2);
    const x = randn([7, 5]);
    const p = x.sigmoid();
    const t = randn([7, 5]).sigmoid();
    const w = tensor([0.5, 1, 2, 3, 0.25]);
    same(new nn.BCEWithLogitsLoss({ weight: w, posWeight: tensor([1, 2, 3, 4, 5]), reduction: 'sum' }), x, t);
    same(new nn.BCELoss({ weight: w }), p, t);
    same(new nn.NLLLoss({ weight: w, reduction: 'none' }), x.logSoftmax(1), randint(0, 5, [7], { dtype: 'int32' }));
    same(new nn.L1Loss(), x, t);
    same(new nn.SmoothL1Loss({ beta: 0.5 }), x, t);
    same(new nn.HuberLoss({ delta: 0.5, reduction: 'none' }), x, t);
  });

  it("a weighted NLLLoss mean is not describable (shards cannot know the batch's weight sum)", () => {
    expect(new nn.NLLLoss({ weight: tensor([1, 2]) }).describe()).toBeNull();
    expect(new nn.NLLLoss({ ignoreIndex: 0 }).describe()).toBeNull();
    expect(new nn.NLLLoss().describe()).not.toBeNull();
  });
});

describe('fit with workers: 2', () => {
  it('an MLP with GELU, LeakyReLU, Softplus, Tanh and NLLLoss trains as with one thread', async () => {
    const run = async (workers: number): Promise<Float32Array[]> => {
      manualSeed(5);
      const x = randn([300, 6]);
      const y = randint(0, 3, [300], { dtype: 'int32' });
      const net = new nn.Sequential(new nn.Linear(6, 16), new nn.GELU(), new nn.Linear(16, 16), new nn.LeakyReLU(0.1),
        new nn.Softplus(), new nn.Tanh(), new nn.Linear(16, 3), new nn.LogSoftmax(1));
      const set = new data.TensorDataset(x, y);
      const loader = new data.DataLoader(set, { batchSize: 50, shuffle: true });
      const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
      await train.fit(net, loader, new data.DataLoader(set, { batchSize: 100 }), new nn.NLLLoss(), 2, opt, { workers });
      return net.parameters().map((q) => q.toArray() as Float32Array);
    };
    const one = await run(1);
    const two = await run(2);
    let diff = 0;
    one.forEach((a, k) => a.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - two[k][i])); }));
    expect(diff).toBeLessThan(1e-5);
  });

  it('refuses a weighted NLLLoss mean by name rather than computing another mean', async () => {
    manualSeed(6);
    const set = new data.TensorDataset(randn([20, 4]), randint(0, 2, [20], { dtype: 'int32' }));
    const net = new nn.Sequential(new nn.Linear(4, 2), new nn.LogSoftmax(1));
    const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
    await expect(train.fit(net, new data.DataLoader(set, { batchSize: 10 }), new data.DataLoader(set, { batchSize: 10 }),
      new nn.NLLLoss({ weight: tensor([1, 2]) }), 1, opt, { workers: 2 })).rejects.toThrow("a CrossEntropyLoss or NLLLoss with reduction 'mean' only without weight");
  });
});
