// The worker's lab API on small data: the settings trainSubset, valSize, patience, l1, optimizer,
// momentum and augmentation lists against the same run composed in-thread from the library's public
// pieces (same seed, so the same bits); reconfigure, fine-tuning after loadStateDict, classify,
// testProbabilities, parameters and the richer evaluate, with values worked by hand.

import { afterAll, describe, expect, it } from 'vitest';
import { crossEntropy, data, DataLoader, io, manualSeed, nn, noGrad, optim, tensor, train } from '../../src/index.js';
import { createTrainer, type TrainerData, type TrainerProgress } from '../../src/worker/index.js';
import { addL1Gradient, linearWeights } from '../../src/worker/l1.js';
import { TrainerCore } from '../../src/worker/trainer.js';

const TRAIN = 64;
const TEST = 40;

/** A deterministic byte stream (an LCG), so that the data need no generator of the library. */
function bytes(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
}

/** Random pixels with random labels: nothing generalises, so the validation loss soon rises (over-fitting). */
function noiseData(): TrainerData {
  return {
    trainImages: bytes(TRAIN * 784, 1), trainLabels: bytes(TRAIN, 2).map((b) => b % 10),
    testImages: bytes(TEST * 784, 3), testLabels: bytes(TEST, 4).map((b) => b % 10),
  };
}

/** Learnable data: the label is the row (of 10 bands of the image) that is bright. */
function bandData(): TrainerData {
  const image = (label: number, k: number) => Uint8Array.from({ length: 784 }, (_, p) => {
    const row = Math.floor(p / 28);
    return Math.floor(row / 2.8) === label ? 200 + ((p + k) % 50) : (p * 7 + k * 13) % 60;
  });
  const make = (n: number, offset: number) => {
    const labels = Uint8Array.from({ length: n }, (_, i) => (i * 7 + offset) % 10);
    const images = new Uint8Array(n * 784);
    labels.forEach((l, i) => images.set(image(l, i + offset), i * 784));
    return { images, labels };
  };
  const tr = make(TRAIN, 0);
  const te = make(TEST, 3);
  return { trainImages: tr.images, trainLabels: tr.labels, testImages: te.images, testLabels: te.labels };
}

const cores: TrainerCore[] = [];
function core(d: TrainerData = noiseData()): TrainerCore {
  const c = new TrainerCore();
  c.setData(d);
  cores.push(c);
  return c;
}
afterAll(() => {
  for (const c of cores) c.dispose();
});

function weightsOf(c: TrainerCore): Record<string, Float32Array> {
  return Object.fromEntries(c.parameters().map((p) => [p.name, p.data]));
}

interface LibraryRecipe {
  seed: number; lr: number; batchSize: number; epochs: number; trainSubset?: number; valSize?: number; patience?: number;
  optimizer?: 'sgd' | 'adam'; momentum?: number;
}

/**
 * The run the trainer should make, composed from the library's public pieces: softmax regression
 * (Linear's default init, then weights from normal(0, 0.01)), a subset and a validation split by
 * data.randomSplit with the seed, a shuffled DataLoader seeded the same, train.fit with EarlyStopping.
 */
async function libraryRun(d: TrainerData, r: LibraryRecipe): Promise<{ history: train.History; weights: Record<string, Float32Array> }> {
  manualSeed(r.seed);
  const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
  nn.init.normal_((net[1] as nn.Linear).weight, 0, 0.01);
  const updater = r.optimizer === 'adam'
    ? new optim.Adam(net.parameters(), { lr: r.lr })
    : new optim.SGD(net.parameters(), { lr: r.lr, ...(r.momentum ? { momentum: r.momentum } : {}) });
  const all = new data.ImageDataset(d.trainImages, d.trainLabels, [1, 28, 28]);
  const testSet = new data.ImageDataset(d.testImages, d.testLabels, [1, 28, 28]);
  const sub = r.trainSubset ? data.randomSplit(all, [r.trainSubset, all.length - r.trainSubset], { seed: r.seed })[0] : all;
  const [trainPart, val] = r.valSize ? data.randomSplit(sub, [sub.length - r.valSize, r.valSize], { seed: r.seed }) : [sub, null];
  const callbacks = r.patience ? [new train.EarlyStopping({ monitor: 'valLoss', patience: r.patience, restoreBest: true })] : [];
  const history = await train.fit(
    net, new DataLoader(trainPart, { batchSize: r.batchSize, shuffle: true, seed: r.seed }), new DataLoader(testSet, { batchSize: 256 }),
    new nn.CrossEntropyLoss({ reduction: 'none' }), r.epochs, updater,
    { callbacks, ...(val === null ? {} : { valIter: new DataLoader(val, { batchSize: 256 }) }) },
  );
  const dict = net.stateDict();
  const weights = Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, t.toArray() as Float32Array]));
  for (const p of net.parameters()) p.dispose();
  all.dispose();
  testSet.dispose();
  return { history, weights };
}

describe('trainSubset and valSize', () => {
  it('train on the seeded subset less the validation examples, as the library run with the same seed', async () => {
    const d = noiseData();
    const recipe = { seed: 5, lr: 0.3, batchSize: 8, epochs: 3, trainSubset: 40, valSize: 10 };
    const c = core(d);
    const initial = (c.configure({ ...recipe, trainSubset: 0, valSize: 0 }), weightsOf(c));
    c.configure(recipe);
    // The subset draws from a generator of its own: the initial weights are those of a run without it.
    expect(weightsOf(c)).toEqual(initial);
    const events: TrainerProgress[] = [];
    const r = await c.fit((p) => { events.push(p); });
    expect(events.find((e) => e.type === 'batch')).toMatchObject({ batches: 4 }); // 30 examples in batches of 8
    const lib = await libraryRun(d, recipe);
    expect(r.history.map((h) => h.valLoss)).toEqual(lib.history.valLoss);
    expect(r.history.map((h) => h.valAcc)).toEqual(lib.history.valAcc);
    expect(r.history.map((h) => h.trainLoss)).toEqual(lib.history.trainLoss);
    expect(r.history.map((h) => h.testAcc)).toEqual(lib.history.testAcc);
    expect(weightsOf(c)).toEqual(lib.weights);
    // Each epoch's figures: valAcc a multiple of 1/10, the lr, a throughput.
    for (const h of r.history) {
      expect(Math.round(h.valAcc! * 10) / 10).toBeCloseTo(h.valAcc!, 12);
      expect(h.lr).toBe(0.3);
      expect(h.examplesPerSecond).toBeGreaterThan(0);
    }
    expect(events.filter((e) => e.type === 'epoch').map((e) => (e as { valLoss: number }).valLoss)).toEqual(lib.history.valLoss);
  });

  it('without valSize the records carry null', async () => {
    const c = core();
    c.configure({ epochs: 1, batchSize: 32 });
    const r = await c.fit();
    expect(r.history[0]).toMatchObject({ valLoss: null, valAcc: null, lr: 0.1 });
    expect(r.bestEpoch).toBeNull();
  });

  it('are checked against the data at fit() time, naming the field', async () => {
    const c = core();
    c.configure({ trainSubset: TRAIN + 1 });
    await expect(c.fit()).rejects.toThrow('fit: trainSubset must be at most the 64 training examples (0 = all), got 65');
    c.configure({ valSize: TRAIN });
    await expect(c.fit()).rejects.toThrow('fit: valSize must leave at least one training example: at most 63 of the 64, got 64');
    c.configure({ trainSubset: 20, valSize: 20 });
    await expect(c.fit()).rejects.toThrow('fit: valSize must leave at least one training example: at most 19 of the 20 (trainSubset), got 20');
    expect(c.status()).toMatchObject({ running: false, epochsDone: 0 });
  });
});

describe('patience (early stopping on the validation loss)', () => {
  const recipe = { seed: 3, lr: 0.5, batchSize: 16, epochs: 60, valSize: 16, patience: 2 };

  it('stops after `patience` epochs without a lower validation loss and puts back the best epoch\'s weights', async () => {
    const d = noiseData();
    const c = core(d);
    c.configure(recipe);
    const r = await c.fit();
    expect(r.stopReason).toBe('early-stopping');
    const losses = r.history.map((h) => h.valLoss!);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(r.bestEpoch).toBe(best);
    expect(r.history).toHaveLength(best + recipe.patience);
    expect(r.history.length).toBeLessThan(recipe.epochs);
    // The weights are those of a run that ended at the best epoch.
    const ref = core(d);
    ref.configure({ ...recipe, patience: 0, epochs: best });
    await ref.fit();
    expect(weightsOf(c)).toEqual(weightsOf(ref));
    // And those of the library's EarlyStopping with restoreBest.
    const lib = await libraryRun(d, recipe);
    expect(lib.history.stopReason).toBe('early-stopping');
    expect(losses).toEqual(lib.history.valLoss);
    expect(weightsOf(c)).toEqual(lib.weights);
    // The run is over: fit() again returns at once.
    const again = await c.fit();
    expect(again).toMatchObject({ stopReason: 'early-stopping', epochsDone: r.history.length, bestEpoch: best });
  });

  it('stop() and fit() again continue the count: the same epochs and weights as an uninterrupted run', async () => {
    const d = noiseData();
    const straight = core(d);
    straight.configure(recipe);
    const whole = await straight.fit();
    const c = core(d);
    c.configure(recipe);
    let stops = 0;
    // Stop twice at the end of epoch 1's last batch and mid-epoch 2.
    const onProgress = (p: TrainerProgress) => {
      if (p.type === 'batch' && ((p.epoch === 1 && p.batch === 2) || (p.epoch === 2 && p.batch === 0)) && stops < 2) {
        stops++;
        c.stop();
      }
    };
    let r = await c.fit(onProgress);
    while (r.stopReason === 'stopped') r = await c.fit(onProgress);
    expect(stops).toBe(2);
    expect(r.stopReason).toBe('early-stopping');
    expect(r.history.map((h) => h.valLoss)).toEqual(whole.history.map((h) => h.valLoss));
    expect(weightsOf(c)).toEqual(weightsOf(straight));
  });
});

describe('l1', () => {
  it('adds λ·sign(w) to the Linear weights\' gradients, not to the biases\' (worked by hand)', () => {
    const net = new nn.Sequential(new nn.Linear(2, 2));
    const lin = net[0] as nn.Linear;
    noGrad(() => {
      lin.weight.copy_(tensor([[0.5, -0.25], [0, 1]]));
      lin.bias!.copy_(tensor([3, -3]));
    });
    lin.weight.grad = tensor([[0.1, 0.1], [0.1, -0.2]]);
    lin.bias!.grad = tensor([0.5, 0.5]);
    const weights = linearWeights(net);
    expect(weights).toEqual([lin.weight]);
    addL1Gradient(weights, 0.01);
    // d/dw 0.01·|w| = 0.01·sign(w): +0.01, −0.01, 0 (at w = 0), +0.01.
    expect(Array.from(lin.weight.grad.toArray() as Float32Array)).toEqual(Array.from(new Float32Array([0.11, 0.09, 0.1, -0.19])));
    expect(Array.from(lin.bias!.grad!.toArray() as Float32Array)).toEqual([0.5, 0.5]);
  });

  it('one SGD step with l1 moves each weight by lr·λ·sign(w) more than without, biases alike', async () => {
    const d = bandData();
    const settings = { seed: 4, lr: 0.2, batchSize: TRAIN, epochs: 1 };
    const plain = core(d);
    plain.configure(settings);
    const w0 = weightsOf(plain);
    await plain.fit();
    const withL1 = core(d);
    withL1.configure({ ...settings, l1: 0.01 });
    expect(weightsOf(withL1)).toEqual(w0);
    const r = await withL1.fit();
    const a = weightsOf(plain);
    const b = weightsOf(withL1);
    expect(b['1.bias']).toEqual(a['1.bias']);
    let moved = 0;
    w0['1.weight'].forEach((w, i) => {
      const expected = a['1.weight'][i] - 0.2 * 0.01 * Math.sign(w);
      expect(Math.abs(b['1.weight'][i] - expected)).toBeLessThan(1e-8);
      if (w !== 0) moved++;
    });
    expect(moved).toBe(7840);
    // The reported loss is the cross-entropy alone: the same as without the penalty.
    expect(r.history[0].trainLoss).toBe((await plain.history())[0].trainLoss);
  });

  it('works with data-parallel workers too', async () => {
    const d = bandData();
    const settings = { seed: 4, lr: 0.2, batchSize: TRAIN, epochs: 1, workers: 2 };
    const plain = core(d);
    plain.configure(settings);
    const w0 = weightsOf(plain);
    await plain.fit();
    const withL1 = core(d);
    withL1.configure({ ...settings, l1: 0.01 });
    await withL1.fit();
    const a = weightsOf(plain);
    const b = weightsOf(withL1);
    w0['1.weight'].forEach((w, i) => {
      expect(Math.abs(b['1.weight'][i] - (a['1.weight'][i] - 0.002 * Math.sign(w)))).toBeLessThan(1e-8);
    });
  });
});

describe('optimizer, momentum and augmentation lists', () => {
  it('adam and SGD with momentum give the weights of the library run with the same optimiser', async () => {
    const d = bandData();
    for (const recipe of [
      { seed: 6, lr: 0.01, batchSize: 16, epochs: 2, optimizer: 'adam' as const },
      { seed: 6, lr: 0.1, batchSize: 16, epochs: 2, momentum: 0.9 },
    ]) {
      const c = core(d);
      c.configure(recipe);
      await c.fit();
      const lib = await libraryRun(d, recipe);
      expect(weightsOf(c), JSON.stringify(recipe)).toEqual(lib.weights);
    }
  });

  it('augment: true is crop then flip; a list is applied as given', async () => {
    const hash = async (augment: boolean | ('crop' | 'flip' | 'affine')[]) => {
      const c = core(bandData());
      c.configure({ seed: 2, batchSize: 16, epochs: 1, augment });
      await c.fit();
      return JSON.stringify(Array.from(weightsOf(c)['1.weight'].subarray(0, 50)));
    };
    const none = await hash(false);
    expect(await hash(['crop', 'flip'])).toBe(await hash(true));
    expect(await hash(['flip'])).not.toBe(none);
    expect(await hash(['affine'])).not.toBe(none);
    expect(await hash([])).toBe(none);
  });
});

describe('reconfigure', () => {
  it('a resumed fit trains with the new lr (in the optimiser) and runs to the new epoch total', async () => {
    const d = bandData();
    const c = core(d);
    c.configure({ seed: 8, lr: 0.1, batchSize: TRAIN, epochs: 1 });
    await c.fit();
    const w1 = c.stateDict();
    expect(c.reconfigure({ lr: 0.05, epochs: 3 })).toMatchObject({ lr: 0.05, epochs: 3 });
    const r = await c.fit();
    expect(r).toMatchObject({ epochs: 3, epochsDone: 3, stopReason: 'completed' });
    expect(r.history.map((h) => h.lr)).toEqual([0.1, 0.05, 0.05]);
    // The same as fine-tuning the epoch-1 weights at lr 0.05 for two epochs (one batch each: the
    // shuffled order only changes the rounding of the batch sums).
    const tuned = core(d);
    tuned.configure({ seed: 8, lr: 0.05, batchSize: TRAIN, epochs: 2 });
    tuned.loadStateDict(w1);
    await tuned.fit();
    const a = weightsOf(c)['1.weight'];
    const b = weightsOf(tuned)['1.weight'];
    let maxDiff = 0;
    a.forEach((v, i) => { maxDiff = Math.max(maxDiff, Math.abs(v - b[i])); });
    expect(maxDiff).toBeLessThan(1e-6);
    // At the old lr the weights would be elsewhere.
    const old = core(d);
    old.configure({ seed: 8, lr: 0.1, batchSize: TRAIN, epochs: 3 });
    await old.fit();
    let oldDiff = 0;
    weightsOf(old)['1.weight'].forEach((v, i) => { oldDiff = Math.max(oldDiff, Math.abs(v - a[i])); });
    expect(oldDiff).toBeGreaterThan(1e-4);
  });

  it('changes momentum, weightDecay, l1 and patience; refuses the rest, bad values and a running fit', async () => {
    const c = core();
    expect(() => c.reconfigure({ lr: 0.5 })).toThrow('reconfigure: there is no model yet; call configure() (or loadStateDict()) first');
    c.configure({ seed: 1, batchSize: 16, epochs: 2, valSize: 8 });
    expect(c.reconfigure({ momentum: 0.9, weightDecay: 0.001, l1: 0.002, patience: 3 }))
      .toMatchObject({ momentum: 0.9, weightDecay: 0.001, l1: 0.002, patience: 3, lr: 0.1, epochs: 2 });
    expect(() => c.reconfigure({ hidden: 64 })).toThrow('reconfigure: hidden cannot change within a run; configure() starts a new one');
    expect(() => c.reconfigure({ seed: 2 })).toThrow('reconfigure: seed cannot change within a run; configure() starts a new one');
    expect(() => c.reconfigure({ lr: -1 })).toThrow('reconfigure: lr must be a positive number, got -1');
    expect(() => c.reconfigure({ epochs: 0 })).toThrow('reconfigure: epochs must be an integer from 1 to 10000, got 0');
    expect(() => c.reconfigure({ momentum: 1.5 })).toThrow('reconfigure: momentum must be in [0, 1), got 1.5');
    expect(() => c.reconfigure({ bogus: 1 } as object)).toThrow("reconfigure: unknown setting 'bogus'");
    expect(c.status().config).toMatchObject({ momentum: 0.9, l1: 0.002, patience: 3 });
    await c.fit();
    expect(() => c.reconfigure({ epochs: 1 })).toThrow('reconfigure: epochs must be at least the 2 epochs already done, got 1');
    c.reconfigure({ epochs: 4 });
    const fitting = c.fit();
    expect(() => c.reconfigure({ lr: 0.5 })).toThrow('reconfigure: not possible while training runs; stop() first');
    c.stop();
    await fitting;
    const noVal = core();
    noVal.configure({ epochs: 1 });
    expect(() => noVal.reconfigure({ patience: 2 })).toThrow('reconfigure: patience 2 needs valSize > 0');
    noVal.configure({ optimizer: 'adam' });
    expect(() => noVal.reconfigure({ momentum: 0.5 })).toThrow("reconfigure: momentum must be 0 with optimizer 'adam'");
  });

  it('momentum set by reconfigure takes effect: the library run with momentum from the second epoch on', async () => {
    const d = bandData();
    const c = core(d);
    c.configure({ seed: 6, lr: 0.1, batchSize: 16, epochs: 1 });
    await c.fit();
    c.reconfigure({ momentum: 0.9, epochs: 2 });
    await c.fit();
    // Library: the same first epoch, then momentum switched on in the parameter group.
    manualSeed(6);
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    nn.init.normal_((net[1] as nn.Linear).weight, 0, 0.01);
    const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
    const trainSet = new data.ImageDataset(d.trainImages, d.trainLabels, [1, 28, 28]);
    const loader = new DataLoader(trainSet, { batchSize: 16, shuffle: true, seed: 6 });
    const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
    train.trainEpoch(net, loader, loss, opt);
    opt.paramGroups[0].options.momentum = 0.9;
    train.trainEpoch(net, loader, loss, opt);
    expect(weightsOf(c)['1.weight']).toEqual((net[1] as nn.Linear).weight.toArray());
    trainSet.dispose();
  });
});

describe('fine-tuning after loadStateDict', () => {
  it('fit() starts from the loaded weights with a fresh optimiser, history and epochs from 0', async () => {
    const d = bandData();
    const a = core(d);
    a.configure({ model: 'mlp', hidden: 16, seed: 1, batchSize: 16, epochs: 1, momentum: 0.9 });
    await a.fit();
    const saved = a.stateDict();
    const b = core(d);
    b.configure({ seed: 9, batchSize: TRAIN, epochs: 2, lr: 0.05, momentum: 0.9 });
    await b.fit();
    expect(b.loadStateDict(saved)).toMatchObject({ model: 'mlp', hidden: 16 });
    expect(b.status()).toMatchObject({ epochsDone: 0, midEpoch: false, model: 'mlp (784 → 16 → 10)' });
    expect(b.status().config).toMatchObject({ lr: 0.05, batchSize: TRAIN, epochs: 2, momentum: 0.9 });
    expect(weightsOf(b)).toEqual(weightsOf(a));
    const events: TrainerProgress[] = [];
    const r = await b.fit((p) => { events.push(p); });
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2]);
    // The first batch (all 64 examples) is scored by the loaded model: its mean cross-entropy, computed here.
    const io2 = io.deserialize(saved, 'test').tensors;
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 16), new nn.ReLU(), new nn.Linear(16, 10));
    net.loadStateDict(io2);
    const trainSet = new data.ImageDataset(d.trainImages, d.trainLabels, [1, 28, 28]);
    const [X, y] = trainSet.getBatch(Int32Array.from({ length: TRAIN }, (_, i) => i));
    const expected = noGrad(() => crossEntropy(net.forward(X), y).item());
    expect((events[0] as { loss: number }).loss).toBeCloseTo(expected, 5);
    // A fresh optimiser: the library's first two full-batch steps from the loaded weights.
    const opt = new optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
    const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
    for (let i = 0; i < 2; i++) train.trainStep(net, X, y, loss, opt);
    const got = weightsOf(b)['3.weight'];
    const want = (net[3] as nn.Linear).weight.toArray() as Float32Array;
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-6));
    trainSet.dispose();
  });
});

describe('evaluate, classify, testProbabilities, parameters', () => {
  it('per-class accuracy and the misclassified indices agree with predict over the test set (NaN for an absent class)', async () => {
    const d = bandData();
    d.testLabels = d.testLabels.map((l) => (l === 9 ? 8 : l)); // no test image of class 9
    const c = core(d);
    c.configure({ seed: 3, batchSize: 16, epochs: 1, lr: 0.05 });
    await c.fit();
    const ev = c.evaluate();
    const p = c.predict(Array.from({ length: TEST }, (_, i) => i));
    const wrong = Array.from({ length: TEST }, (_, i) => i).filter((i) => p.labels[i] !== p.trueLabels[i]);
    expect(ev.mistakes).toBeInstanceOf(Int32Array);
    expect(Array.from(ev.mistakes)).toEqual(wrong);
    expect(wrong.length).toBeGreaterThan(0);
    expect(wrong.length).toBeLessThan(TEST);
    for (let k = 0; k < 9; k++) {
      const of = Array.from(p.trueLabels).map((l, i) => [l, i]).filter(([l]) => l === k).map(([, i]) => i);
      expect(ev.perClassAccuracy[k], `class ${k}`).toBe(of.filter((i) => !wrong.includes(i)).length / of.length);
    }
    expect(ev.perClassAccuracy).toHaveLength(10);
    expect(ev.perClassAccuracy[9]).toBeNaN();
    expect(ev.accuracy).toBe(1 - wrong.length / TEST);
  });

  it('classify gives predict\'s answer for the same pixels; testProbabilities predict\'s for all; bad input throws', async () => {
    const d = bandData();
    const c = core(d);
    expect(() => c.classify(new Uint8Array(784))).toThrow('classify: there is no model yet');
    c.configure({ seed: 3, batchSize: 16, epochs: 1 });
    await c.fit();
    const idx = [5, 0, 39];
    const p = c.predict(idx);
    const got = c.classify(p.images);
    expect(got.count).toBe(3);
    expect(got.labels).toEqual(p.labels);
    expect(got.probabilities).toEqual(p.probabilities);
    const all = c.testProbabilities();
    expect(all).toBeInstanceOf(Float32Array);
    expect(all).toEqual(c.predict(Array.from({ length: TEST }, (_, i) => i)).probabilities);
    expect(() => c.classify(new Uint8Array(0))).toThrow('classify: expected n × 784 pixels for n ≥ 1 images of 28×28, got 0 bytes (none)');
    expect(() => c.classify(new Uint8Array(785))).toThrow('classify: expected n × 784 pixels for n ≥ 1 images of 28×28, got 785 bytes (not a multiple of 784)');
    expect(() => c.classify([1, 2] as unknown as Uint8Array)).toThrow('classify: expected the pixels as a Uint8Array (n × 784 bytes of 28×28 images, row-major), got an Array');
  });

  it('parameters() lists the state dict in order, with the values of the safetensors bytes', () => {
    const c = core();
    c.configure({ model: 'mlp', hidden: 8, dropout: 0.2, seed: 1 });
    const params = c.parameters();
    expect(params.map((q) => [q.name, q.shape])).toEqual([['1.weight', [8, 784]], ['1.bias', [8]], ['4.weight', [10, 8]], ['4.bias', [10]]]);
    const { tensors } = io.deserialize(c.stateDict(), 'test');
    for (const q of params) expect(q.data).toEqual(tensors[q.name].toArray());
  });
});

describe('the lab API through the worker', () => {
  it('reconfigure, classify, testProbabilities, parameters and evaluate cross the boundary', async () => {
    const t = await createTrainer();
    try {
      const d = bandData();
      const pixels = d.testImages.slice(0, 2 * 784);
      await t.setData(d);
      await t.configure({ seed: 3, batchSize: 16, epochs: 1, valSize: 8, patience: 2 });
      const r1 = await t.fit();
      expect(r1.history[0].valLoss).toEqual(expect.any(Number));
      await expect(t.reconfigure({ model: 'mlp' })).rejects.toThrow('reconfigure: model cannot change within a run; configure() starts a new one');
      expect(await t.reconfigure({ epochs: 2, lr: 0.01 })).toMatchObject({ epochs: 2, lr: 0.01 });
      const r2 = await t.fit();
      expect(r2.history.map((h) => h.lr)).toEqual([0.1, 0.01]);
      const cls = await t.classify(pixels);
      expect(cls.labels).toBeInstanceOf(Int32Array);
      expect(cls.probabilities).toBeInstanceOf(Float32Array);
      const probs = await t.testProbabilities();
      expect(probs).toHaveLength(TEST * 10);
      expect(Array.from(cls.probabilities)).toEqual(Array.from(probs.subarray(0, 20)));
      const params = await t.parameters();
      expect(params.map((q) => q.name)).toEqual(['1.weight', '1.bias']);
      expect(params[0].data).toBeInstanceOf(Float32Array);
      const ev = await t.evaluate();
      expect(ev.mistakes).toBeInstanceOf(Int32Array);
      expect(ev.perClassAccuracy).toHaveLength(10);
      await expect(t.classify(new Uint8Array(100))).rejects.toThrow('classify: expected n × 784 pixels for n ≥ 1 images of 28×28, got 100 bytes (not a multiple of 784)');
    } finally {
      await t.terminate();
    }
  });
});
