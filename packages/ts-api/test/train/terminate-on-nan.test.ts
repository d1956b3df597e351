// train.TerminateOnNaN: fit stops at the first non-finite loss (or weights) before the diverged epoch
// reaches the epoch-end callbacks; faults are injected by a callback that poisons a weight at a chosen
// batch, so the NaN comes out of the real forward pass.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { data, manualSeed, nn, optim, randn, tensor, train, type Tensor } from '../../src/index.js';
import { TrainerCore } from '../../src/worker/trainer.js';

const dir = mkdtempSync(join(tmpdir(), 'softmax-nan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 40 examples of 4 features, 3 classes; batches of 10 (4 per epoch). */
function setup() {
  manualSeed(1);
  const X = randn([40, 4]);
  const y = tensor(Array.from({ length: 40 }, (_, i) => i % 3), { dtype: 'int32' });
  const ds = new data.TensorDataset(X, y);
  const net = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
  const trainIter = new data.DataLoader(ds, { batchSize: 10, shuffle: true, seed: 2 });
  const testIter = new data.DataLoader(ds, { batchSize: 40 });
  return { net, loss, opt, trainIter, testIter, first: net.children()[0] as nn.Linear };
}

/** A callback that sets a weight to NaN after batch `batch` (0-based) of epoch `epoch` has been trained. */
function poisonAt(epoch: number, batch: number, weight: Tensor): train.Callback {
  return {
    onBatchEnd(logs) {
      if (logs.epoch === epoch && logs.batch === batch) nn.init.constant_(weight, Number.NaN);
    },
  };
}

function finite(net: nn.Module): boolean {
  return net.parameters().every((p) => Array.from(p.toArray()).every(Number.isFinite));
}

describe('train.TerminateOnNaN', () => {
  it('stops at the first NaN batch loss; the diverged epoch reaches no epoch-end callback', async () => {
    const { net, loss, opt, trainIter, testIter, first } = setup();
    const guard = new train.TerminateOnNaN();
    const ends: number[] = [];
    const losses: number[] = [];
    const ckpt = join(dir, 'batch.safetensors');
    const history = await train.fit(net, trainIter, testIter, loss, 5, opt, {
      callbacks: [
        poisonAt(2, 1, first.weight), { onBatchEnd: (l) => { losses.push(l.loss); } }, guard,
        { onEpochEnd: (l) => { ends.push(l.epoch); } }, new train.Checkpoint(ckpt),
      ],
    });
    // Epoch 1: 4 finite batches; epoch 2: batches 0 and 1 finite, batch 2 NaN (the poisoned weight), then stop.
    expect(losses).toHaveLength(7);
    expect(losses.slice(0, 6).every(Number.isFinite)).toBe(true);
    expect(losses[6]).toBeNaN();
    expect(history.stopReason).toBe('non-finite-loss');
    expect(history.stopReason).toBe(train.NON_FINITE_STOP);
    expect(history.epochs.map((e) => e.epoch)).toEqual([1]);
    expect(ends).toEqual([1]);
    expect(guard.diverged).toEqual({ epoch: 2, batch: 2, loss: Number.NaN, message: 'training diverged in epoch 2: the loss of batch 3 is NaN' });
    // The checkpoint holds epoch 1, with finite weights.
    const restored = setup();
    const state = await train.loadCheckpoint(ckpt, { net: restored.net, optimizer: restored.opt, loader: restored.trainIter });
    expect(state.epoch).toBe(1);
    expect(finite(restored.net)).toBe(true);
  });

  it('stops when the last step of an epoch makes the weights non-finite, though its loss was finite', async () => {
    const { net, loss, opt, trainIter, testIter, first } = setup();
    const guard = new train.TerminateOnNaN();
    const ckpt = join(dir, 'weights.safetensors');
    const history = await train.fit(net, trainIter, testIter, loss, 3, opt, {
      callbacks: [poisonAt(1, 3, first.bias!), guard, new train.Checkpoint(ckpt)],
    });
    expect(history.stopReason).toBe('non-finite-loss');
    expect(history.epochs).toEqual([]);
    expect(guard.diverged).toEqual({ epoch: 1, batch: 3, loss: null, message: 'training diverged in epoch 1: the weights are not finite after batch 4' });
    expect(existsSync(ckpt)).toBe(false);
  });

  it('without a known batch count, finds non-finite weights at the epoch end and rejects before later callbacks', async () => {
    const { net, loss, opt, trainIter, testIter, first } = setup();
    // An iterable without `length`: fit cannot tell the epoch's last batch.
    const unsized: Iterable<[Tensor, Tensor]> = { [Symbol.iterator]: () => trainIter[Symbol.iterator]() };
    const ckpt = join(dir, 'unsized.safetensors');
    const after: number[] = [];
    const run = train.fit(net, unsized, testIter, loss, 3, opt, {
      callbacks: [poisonAt(1, 3, first.bias!), new train.TerminateOnNaN(), { onEpochEnd: (l) => { after.push(l.epoch); } }, new train.Checkpoint(ckpt)],
    });
    await expect(run).rejects.toThrow('TerminateOnNaN: training diverged in epoch 1: the weights are not finite at its end');
    expect(after).toEqual([]);
    expect(existsSync(ckpt)).toBe(false);
  });

  it('stops a data-parallel fit too (workers: 2)', async () => {
    const { net, loss, opt, trainIter, testIter, first } = setup();
    const guard = new train.TerminateOnNaN();
    const history = await train.fit(net, trainIter, testIter, loss, 4, opt, {
      callbacks: [poisonAt(2, 0, first.weight), guard], workers: 2,
    });
    expect(history.stopReason).toBe('non-finite-loss');
    expect(history.epochs.map((e) => e.epoch)).toEqual([1]);
    expect(guard.diverged).toMatchObject({ epoch: 2, batch: 1, loss: Number.NaN });
  });

  it('leaves a finite run alone', async () => {
    const { net, loss, opt, trainIter, testIter } = setup();
    const guard = new train.TerminateOnNaN({});
    const history = await train.fit(net, trainIter, testIter, loss, 3, opt, { callbacks: [guard] });
    expect(history.stopReason).toBe('completed');
    expect(history.epochs).toHaveLength(3);
    expect(guard.diverged).toBeNull();
  });

  it('rejects options it does not have', () => {
    expect(() => new train.TerminateOnNaN({ patience: 1 } as never)).toThrow("TerminateOnNaN: unknown option 'patience'; it has no options");
    expect(() => new train.TerminateOnNaN({ a: 1, b: 2 } as never)).toThrow("TerminateOnNaN: unknown options 'a', 'b'; it has no options");
    expect(() => new train.TerminateOnNaN([] as never)).toThrow('TerminateOnNaN: expected an options object, got an array');
    expect(() => new train.TerminateOnNaN(null as never)).toThrow('TerminateOnNaN: expected an options object, got null');
  });
});

describe("the worker's trainer", () => {
  it('rejects fit with the reason when the loss becomes NaN', async () => {
    // 200 training and 50 test images of 28×28 (a fixed pattern), labels 0…9.
    const images = (n: number) => Uint8Array.from({ length: n * 784 }, (_, i) => (i * 37) % 256);
    const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 10);
    const core = new TrainerCore();
    core.setData({ trainImages: images(200), trainLabels: labels(200), testImages: images(50), testLabels: labels(50) });
    core.configure({ model: 'softmax', lr: 1e38, batchSize: 50, epochs: 2, seed: 0 });
    await expect(core.fit()).rejects.toThrow(
      /^fit: training diverged in epoch 1: the loss of batch \d is NaN; the weights are no longer usable: lower the learning rate and configure\(\) again$/,
    );
  });
});
