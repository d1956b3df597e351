// fit's fused step (train/fused-step.ts) against its plain path (fused: false): whole epochs of softmax
// regression on uint8 images, weights compared bit for bit, for the optimisers and losses it takes.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { data, manualSeed, nn, optim, train } from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const COUNT = 1000;
const SHAPE = [1, 28, 28] as const;

/** Uint8 images with a learnable signal: class c brightens rows 2c and 2c + 1. */
function images(count: number, seed: number, labelOf: (i: number) => number = (i) => (i * 7 + seed) % 10): data.ImageDataset {
  const px = new Uint8Array(count * 784);
  const labels = new Int32Array(count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    labels[i] = labelOf(i);
    const c = ((labels[i] % 10) + 10) % 10;
    for (let j = 0; j < 784; j++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const row = Math.floor(j / 28);
      px[i * 784 + j] = ((s >>> 16) % 160) + (row === 2 * c || row === 2 * c + 1 ? 95 : 0);
    }
  }
  return new data.ImageDataset(px, labels, SHAPE);
}

const trainSet = images(COUNT, 1);
const testSet = images(200, 2);
afterAll(() => {
  trainSet.dispose();
  testSet.dispose();
});

interface Setup {
  /** Softmax regression (default), or the MLP with `hidden` units and an optional Dropout(p). */
  mlp?: { hidden: number; dropout?: number };
  bias?: boolean;
  reduction?: 'none' | 'mean' | 'sum';
  labelSmoothing?: number;
  optimizer: (params: Tensor[]) => optim.SGD | optim.Adam;
  dataset?: data.Dataset<[Tensor, Tensor]>;
  epochs?: number;
}

const bytesOf = (t: Tensor): number[] => Array.from(new Uint8Array(new Float32Array(t.toArray() as Float32Array).buffer));

/** Weights and history after `epochs` of fit from seed 0, fused or not; and whether the train set's getBatch ran. */
async function run(s: Setup, fused: boolean) {
  manualSeed(0);
  const bias = s.bias ?? true;
  const net = s.mlp === undefined
    ? new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10, { bias }))
    : new nn.Sequential(new nn.Flatten(), new nn.Linear(784, s.mlp.hidden, { bias }), new nn.ReLU(),
      ...(s.mlp.dropout === undefined ? [] : [new nn.Dropout(s.mlp.dropout)]), new nn.Linear(s.mlp.hidden, 10));
  const dataset = s.dataset ?? trainSet;
  const spy = vi.spyOn(trainSet, 'getBatch');
  try {
    const loader = new data.DataLoader(dataset, { batchSize: 256, shuffle: true });
    const testLoader = new data.DataLoader(testSet, { batchSize: 256 });
    const loss = new nn.CrossEntropyLoss({ reduction: s.reduction ?? 'none', labelSmoothing: s.labelSmoothing ?? 0 });
    const opt = s.optimizer(net.parameters());
    const history = await train.fit(net, loader, testLoader, loss, s.epochs ?? 2, opt, { fused });
    const state = net.stateDict();
    const weights = Object.fromEntries(Object.entries(state).map(([k, v]) => [k, bytesOf(v)]));
    const grads = net.parameters().map((p) => (p.grad === null ? null : bytesOf(p.grad)));
    return { weights, grads, history: history.epochs.map(({ seconds: _, ...h }) => h), gathered: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

async function expectSameBits(s: Setup): Promise<void> {
  const fused = await run(s, true);
  const plain = await run(s, false);
  expect(fused.gathered).toBe(0);
  expect(plain.gathered).toBeGreaterThan(0);
  expect(fused.weights).toEqual(plain.weights);
  expect(fused.grads).toEqual(plain.grads);
  expect(fused.history).toEqual(plain.history);
  // It learned something (the comparison is not between two untouched models).
  expect(fused.history[fused.history.length - 1].trainAcc).toBeGreaterThan(0.3);
}

describe('fit: the fused step gives the bits of the plain path', () => {
  it("the notes' recipe: reduction 'none', SGD lr 0.1", async () => {
    await expectSameBits({ optimizer: (p) => new optim.SGD(p, { lr: 0.1 }) });
  });

  it('SGD with momentum, dampening and weight decay; no bias', async () => {
    await expectSameBits({ bias: false, optimizer: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3 }) });
  });

  it('SGD with Nesterov momentum, reduction mean', async () => {
    await expectSameBits({ reduction: 'mean', optimizer: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true }) });
  });

  it("Adam with weight decay, reduction 'sum' and label smoothing", async () => {
    await expectSameBits({ reduction: 'sum', labelSmoothing: 0.1, optimizer: (p) => new optim.Adam(p, { lr: 1e-2, weightDecay: 1e-4 }) });
  });

  it("the MLP (784 → 256 → 10): reduction 'none', SGD lr 0.1", async () => {
    await expectSameBits({ mlp: { hidden: 256 }, optimizer: (p) => new optim.SGD(p, { lr: 0.1 }) });
  });

  it('the MLP with Dropout(0.2): the same masks; SGD with momentum and weight decay', async () => {
    await expectSameBits({ mlp: { hidden: 64, dropout: 0.2 }, optimizer: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 }) });
  });

  it('the MLP with Dropout(0.5) and Adam; no bias in the first layer', async () => {
    await expectSameBits({ mlp: { hidden: 48, dropout: 0.5 }, bias: false, optimizer: (p) => new optim.Adam(p, { lr: 1e-2 }) });
  });

  it('the MLP with Dropout(0): no draws, as the plain path', async () => {
    await expectSameBits({ mlp: { hidden: 32, dropout: 0 }, reduction: 'mean', optimizer: (p) => new optim.SGD(p, { lr: 0.5 }) });
  });

  it('a Subset of the images', async () => {
    const sub = new data.Subset(trainSet, Array.from({ length: 601 }, (_, i) => (i * 13) % COUNT));
    await expectSameBits({ dataset: sub, optimizer: (p) => new optim.SGD(p, { lr: 0.1 }) });
  });

  it('an ignored label (-100) takes the plain step for its batch: same bits', async () => {
    const withIgnored = images(COUNT, 1, (i) => (i === 517 ? -100 : (i * 7 + 1) % 10));
    try {
      const fused = await run({ dataset: withIgnored, reduction: 'mean', optimizer: (p) => new optim.SGD(p, { lr: 0.1 }) }, true);
      const plain = await run({ dataset: withIgnored, reduction: 'mean', optimizer: (p) => new optim.SGD(p, { lr: 0.1 }) }, false);
      expect(fused.weights).toEqual(plain.weights);
      expect(fused.history).toEqual(plain.history);
    } finally {
      withIgnored.dispose();
    }
  });

  it('a label outside the classes: the plain path\'s error', async () => {
    const bad = images(300, 1, (i) => (i === 100 ? 12 : i % 10));
    try {
      const message = async (fused: boolean): Promise<string> => {
        try {
          await run({ dataset: bad, optimizer: (p) => new optim.SGD(p, { lr: 0.1 }), epochs: 1 }, fused);
        } catch (e) {
          return (e as Error).message;
        }
        return 'no error';
      };
      const plain = await message(false);
      expect(plain).toMatch(/12/);
      expect(await message(true)).toBe(plain);
    } finally {
      bad.dispose();
    }
  });

  it('fused must be a boolean', async () => {
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    const loader = new data.DataLoader(trainSet, { batchSize: 256 });
    await expect(train.fit(net, loader, loader, new nn.CrossEntropyLoss(), 1, new optim.SGD(net.parameters(), { lr: 0.1 }), { fused: 1 as unknown as boolean }))
      .rejects.toThrow('fit: fused must be true or false, got 1');
  });
});
