// fit(..., { workers: N }) on real Fashion-MNIST (a 6 000-example subset): N = 2 against one thread,
// determinism, joined memory and messages, faults (a throwing and an exiting worker), resume from a
// checkpoint after a fault, flat memory, and the errors for what a worker cannot rebuild.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, nn, optim, manualSeed, memory, keep, full, ones, randn, tensor, tidy, train, type Tensor } from '../../src/index.js';
import { newProfile, type ParallelObserver } from '../../src/parallel/runner.js';
import { fitObserved } from '../../src/train/fit.js';
import type { MainWait } from '../../src/parallel/pool.js';
import { rawExports, sharedBackend } from '../../src/backend/load.js';
import { settleGarbage } from '../helpers/settle-garbage.js';

let trainSet: data.Dataset;
let testSet: data.Dataset;
let dir: string;

beforeAll(async () => {
  const { train: full, test } = await data.fashionMnist({ download: false });
  trainSet = data.subset(full, Array.from({ length: 6000 }, (_, i) => i));
  testSet = data.subset(test, Array.from({ length: 1000 }, (_, i) => i));
  dir = mkdtempSync(join(tmpdir(), 'softmax-parallel-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Options = train.FitOptions & ParallelObserver;

/** train.fit with the observer's hooks (profile, faults, clocks) split off the public options. */
function fitWith(
  net: train.Net, trainIter: Iterable<[Tensor, Tensor]>, testIter: Iterable<[Tensor, Tensor]>, loss: train.Loss,
  epochs: number, updater: train.Updater, options: Options = {},
): ReturnType<typeof train.fit> {
  const { faultInjection, profile, mainWait, deadlineClock, ...rest } = options;
  return fitObserved(net, trainIter, testIter, loss, epochs, updater, rest, { observer: { faultInjection, profile, mainWait, deadlineClock } });
}

/**
 * A clock that stands still, for the pool's close deadline: close() then waits for every
 * worker's acknowledgement that it freed its memory, however long a busy machine makes that take.
 */
const FROZEN = (): number => 0;

/** The notes' recipe (or an MLP, with optional dropout), seeded. */
function setup(seed: number, kind: 'softmax' | 'mlp' = 'softmax', dropout = 0) {
  manualSeed(seed);
  const net = kind === 'softmax'
    ? new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10))
    : new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 64), new nn.ReLU(), ...(dropout > 0 ? [new nn.Dropout(dropout)] : []), new nn.Linear(64, 10));
  net.apply((m) => { if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01); });
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const opt = new optim.SGD(net.parameters(), { lr: 0.1, momentum: kind === 'mlp' ? 0.9 : 0 });
  const trainIter = new data.DataLoader(trainSet, { batchSize: 256, shuffle: true });
  const testIter = new data.DataLoader(testSet, { batchSize: 256 });
  return { net, loss, opt, trainIter, testIter };
}

function weights(net: nn.Module): Float32Array[] {
  return net.parameters().map((p) => p.toArray() as Float32Array);
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((t, k) => t.forEach((v, i) => { m = Math.max(m, Math.abs(v - b[k][i])); }));
  return m;
}

function bits(w: Float32Array[]): Buffer {
  return Buffer.concat(w.map((t) => Buffer.from(t.buffer, t.byteOffset, t.byteLength)));
}

async function run(seed: number, epochs: number, options: Options, kind: 'softmax' | 'mlp' = 'softmax', dropout = 0) {
  const s = setup(seed, kind, dropout);
  const history = await fitWith(s.net, s.trainIter, s.testIter, s.loss, epochs, s.opt, options);
  return { history, w: weights(s.net), ...s };
}

/** A callback that stops fit after `n` batches (fit checks stop() after each batch). */
function stopAfter(n: number): train.Callback {
  let seen = 0;
  return { onBatchEnd: (_l, ctx) => { if (++seen >= n) ctx.stop('test'); } };
}

describe('fit with workers', () => {
  it('N = 2 gives the weights of N = 1 within 1e-5 after one epoch, joined (the default where possible) and with messages', async () => {
    const one = await run(7, 1, {});
    const shared = await run(7, 1, { workers: 2 });
    const message = await run(7, 1, { workers: 2, transport: 'message' });
    expect(maxAbsDiff(one.w, shared.w)).toBeLessThan(1e-5);
    expect(maxAbsDiff(one.w, message.w)).toBeLessThan(1e-5);
    // Both transports sum the same shards in the same order: the same bits.
    expect(bits(message.w).equals(bits(shared.w))).toBe(true);
    expect(shared.history.trainLoss[0]).toBeCloseTo(one.history.trainLoss[0], 5);
    expect(shared.history.trainAcc[0]).toBe(one.history.trainAcc[0]);
    expect(shared.history.testAcc[0]).toBe(one.history.testAcc[0]);
    expect(shared.history.testAcc[0]).toBeGreaterThan(0.6);
  });

  it('the same N and seed give identical bits twice (an MLP with momentum and dropout, 3 workers)', async () => {
    const a = await run(11, 1, { workers: 3 }, 'mlp', 0.2);
    const b = await run(11, 1, { workers: 3 }, 'mlp', 0.2);
    expect(bits(a.w).equals(bits(b.w))).toBe(true);
    expect(a.history.trainLoss).toEqual(b.history.trainLoss);
  });

  it('the main thread waits for joined workers in Atomics.wait or with Atomics.waitAsync; with neither, the workers exchange messages — the same result', async () => {
    const threads = process.env.SOFTMAX_THREADS !== '0';
    const waited = async (mainWait: MainWait): Promise<{ how: MainWait | null; joined: boolean; w: Float32Array[] }> => {
      const profile = newProfile();
      const r = await run(8, 1, { workers: 2, mainWait, profile });
      return { how: profile.mainWait, joined: profile.joined, w: r.w };
    };
    const block = await waited('block');
    expect(block.how).toBe(threads ? 'block' : null);
    const async = await waited('async');
    expect(async.how).toBe(threads ? 'async' : null);
    expect(bits(async.w).equals(bits(block.w))).toBe(true);
    // A page's main thread without Atomics.waitAsync (it cannot block either): messages.
    const atomics = Atomics as unknown as { waitAsync?: unknown };
    const saved = atomics.waitAsync;
    delete atomics.waitAsync;
    try {
      const noWaitAsync = await waited('async');
      expect([noWaitAsync.how, noWaitAsync.joined]).toEqual([null, false]);
      expect(bits(noWaitAsync.w).equals(bits(block.w))).toBe(true);
    } finally {
      atomics.waitAsync = saved;
    }
  });

  it('callbacks see every batch; memory stays flat across epochs in the main thread', async () => {
    const s = setup(3);
    const seen: number[] = [];
    let batches = 0;
    await settleGarbage();
    const history = await fitWith(s.net, s.trainIter, s.testIter, s.loss, 4, s.opt, {
      workers: 2,
      callbacks: [{
        onBatchEnd: (l) => { batches++; expect(l.size).toBeGreaterThan(0); expect(l.loss).toBeGreaterThan(0); },
        onEpochEnd: () => { const m = memory(); seen.push(m.tensors, m.bytes); },
      }],
    });
    expect(batches).toBe(4 * 24);
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(history.trainLoss[3]).toBeLessThan(history.trainLoss[0]);
    // [tensors, bytes] after epochs 2, 3 and 4 equal those after epoch 1.
    for (let e = 1; e < 4; e++) expect([seen[2 * e], seen[2 * e + 1]]).toEqual([seen[0], seen[1]]);
  });

  it('joined (the threads build, Node\'s default): the workers read and write the caller\'s wasm memory, and give back all they allocated in it', async () => {
    // SOFTMAX_THREADS=0 (CI runs the suite on the plain build too): the workers copy instead.
    const threads = process.env.SOFTMAX_THREADS !== '0';
    expect(sharedBackend() !== null).toBe(threads);
    const live = (): number => rawExports().heap_live_bytes() >>> 0;
    const s = setup(4, 'mlp');
    const profile = newProfile();
    const fitOnce = async (): Promise<number> => {
      await fitWith(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { workers: 3, profile, deadlineClock: FROZEN });
      s.opt.zeroGrad();
      await settleGarbage(); // what this file's tests dropped is freed by finalizers at any await
      return live();
    };
    // The first fit leaves SGD's momentum buffers, and the gemm packing buffers of the workers'
    // thread slots (kept for the next threads there); later fits leave nothing more.
    const first = await fitOnce();
    expect(profile.joined).toBe(threads);
    expect(profile.workerGathers).toBe(threads); // a DataLoader over a subset of an ImageDataset
    expect(await fitOnce()).toBe(first);
    expect(await fitOnce()).toBe(first);
    // The message transport copies instead (the workers have memories of their own).
    const m = setup(4, 'mlp');
    const mProfile = newProfile();
    for (let e = 0; e < 3; e++) await fitWith(m.net, m.trainIter, m.testIter, m.loss, 1, m.opt, { workers: 3, transport: 'message', profile: mProfile });
    expect(mProfile.joined).toBe(false);
    expect(bits(weights(m.net)).equals(bits(weights(s.net)))).toBe(true);
  });

  it('the batch a worker reads stays valid after the iterable frees it (joined: the workers read it in place)', async () => {
    // Like DataLoader, this iterable frees a batch when asked for the next one — which fit does while the
    // workers still compute on it — and then fills the freed memory with NaN (a same-sized allocation
    // reuses the block). A worker reading a freed batch would end with NaN weights or other bits.
    const clobbering = (loader: data.DataLoader): Iterable<[Tensor, Tensor]> => ({
      *[Symbol.iterator]() {
        const garbage: Tensor[] = [];
        try {
          for (const [X, y] of loader) {
            const batch = [keep(X.clone()), keep(y.clone())] as [Tensor, Tensor];
            yield batch;
            batch.forEach((t) => t.dispose());
            garbage.push(keep(full(X.shape, Number.NaN)), keep(full(y.shape, -1, { dtype: 'int32' })));
          }
        } finally {
          garbage.forEach((t) => t.dispose());
        }
      },
    });
    const runWith = async (transport?: 'message') => {
      const s = setup(12, 'mlp');
      await fitWith(s.net, clobbering(s.trainIter), s.testIter, s.loss, 1, s.opt, { workers: 2, transport });
      return weights(s.net);
    };
    const shared = await runWith();
    const message = await runWith('message');
    expect(shared.every((w) => w.every(Number.isFinite))).toBe(true);
    expect(bits(shared).equals(bits(message))).toBe(true);
  });

  it('batches worker 1 gathers (float rows of a TensorDataset) and batches with a transform, which this thread fetches: as with one thread, the same bits on both transports', async () => {
    const threads = process.env.SOFTMAX_THREADS !== '0';
    manualSeed(8);
    const features = keep(randn([1000, 12]));
    const labels = keep(tensor(Int32Array.from({ length: 1000 }, (_, i) => (i * 7) % 3), { dtype: 'int32' }));
    const rows = new data.TensorDataset(features, labels);
    const runWith = async (kind: 'rows' | 'transform', options: Options) => {
      manualSeed(9);
      const net = kind === 'rows'
        ? new nn.Sequential(new nn.Linear(12, 16), new nn.Sigmoid(), new nn.Linear(16, 3))
        : new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
      const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
      const flip = (x: Tensor): Tensor => x.mul(-1).add(1); // a deterministic transform
      const loader = kind === 'rows'
        ? new data.DataLoader(rows, { batchSize: 100, shuffle: true })
        : new data.DataLoader(trainSet, { batchSize: 256, shuffle: true, transform: flip });
      const profile = newProfile();
      const history = await fitWith(net, loader, loader, loss, 1, new optim.SGD(net.parameters(), { lr: 0.05 }), { ...options, profile });
      return { w: weights(net), history, profile };
    };
    for (const kind of ['rows', 'transform'] as const) {
      const one = await runWith(kind, {});
      const shared = await runWith(kind, { workers: 2 });
      const message = await runWith(kind, { workers: 2, transport: 'message' });
      expect(shared.profile.joined).toBe(threads);
      expect(shared.profile.workerGathers).toBe(kind === 'rows' && threads);
      expect(message.profile.workerGathers).toBe(false);
      expect(maxAbsDiff(one.w, shared.w)).toBeLessThan(1e-5);
      expect(shared.history.trainLoss[0]).toBeCloseTo(one.history.trainLoss[0], 5);
      expect(bits(shared.w).equals(bits(message.w))).toBe(true);
    }
    rows.dispose();
    features.dispose();
    labels.dispose();
  });

  it('a dataset disposed by a callback mid-epoch: fit throws what the loader throws, at the next step, with the model as after the last completed step (every transport)', async () => {
    // Joined, worker 1 gathers the next batch from the dataset's memory while callbacks run: without a
    // check it would go on training on freed memory.
    const make = (kind: 'rows' | 'images') => {
      manualSeed(21);
      const labels = Int32Array.from({ length: 1200 }, (_, i) => (i * 7) % 3);
      if (kind === 'rows') {
        const ds = new data.TensorDataset(randn([1200, 12]), tensor(labels, { dtype: 'int32' }));
        return { ds, loaded: ds as data.Dataset, message: /^TensorDataset: this tensor \(shape \[1200, 12\]\) was disposed; it can no longer be used$/ };
      }
      const pixels = Uint8Array.from({ length: 1300 * 12 }, (_, i) => (i * 2654435761) % 251);
      const ds = new data.ImageDataset(pixels, Int32Array.from({ length: 1300 }, (_, i) => (i * 7) % 3), [1, 3, 4]);
      return { ds, loaded: data.subset(ds, Array.from({ length: 1200 }, (_, i) => i + 100)), message: /^ImageDataset: this dataset was disposed; it can no longer be used$/ };
    };
    const runWith = async (kind: 'rows' | 'images', options: Options, disposeAt: number | null) => {
      const { ds, loaded, message } = make(kind);
      manualSeed(22);
      const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(12, 8), new nn.ReLU(), new nn.Linear(8, 3));
      const loader = new data.DataLoader(loaded, { batchSize: 100, shuffle: true });
      let batches = 0;
      const counter: train.Callback = { onBatchEnd: () => { if (++batches === disposeAt) ds.dispose(); } };
      const fitting = fitWith(net, loader, loader, new nn.CrossEntropyLoss({ reduction: 'none' }), 1, new optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 }), {
        ...options, callbacks: disposeAt === null ? [counter, stopAfter(5)] : [counter],
      });
      if (disposeAt === null) await fitting;
      else await expect(fitting).rejects.toThrow(message);
      ds.dispose();
      return { w: weights(net), batches };
    };
    for (const kind of ['rows', 'images'] as const) {
      const one = await runWith(kind, {}, 5);
      const shared = await runWith(kind, { workers: 2 }, 5);
      const message = await runWith(kind, { workers: 2, transport: 'message' }, 5);
      const stopped = await runWith(kind, { workers: 2 }, null);
      expect([one.batches, shared.batches, message.batches, stopped.batches]).toEqual([5, 5, 5, 5]);
      expect(bits(shared.w).equals(bits(stopped.w))).toBe(true);
      expect(bits(shared.w).equals(bits(message.w))).toBe(true);
      expect(maxAbsDiff(one.w, shared.w)).toBeLessThan(1e-5);
    }
  });

  it('more workers than the threads build tells apart (16 threads): they exchange messages instead of joining, with the same result', async () => {
    const profile = newProfile();
    const many = await run(14, 1, { workers: 17, profile });
    expect(profile.joined).toBe(false);
    expect(profile.workerGathers).toBe(false);
    const few = await run(14, 1, { workers: 17, transport: 'message' });
    expect(bits(many.w).equals(bits(few.w))).toBe(true);
    const one = await run(14, 1, {});
    expect(maxAbsDiff(one.w, many.w)).toBeLessThan(1e-5);
  });

  it("transport 'shared' where the workers cannot join this thread's memory: an error saying the SharedArrayBuffer copy was removed and what replaces it", async () => {
    const threads = process.env.SOFTMAX_THREADS !== '0';
    const s = setup(15);
    const before = bits(weights(s.net));
    const removed = "copying through SharedArrayBuffers was removed: leave transport unset (messages are used where memory cannot be joined) or pass 'message'";
    await expect(fitWith(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { workers: 17, transport: 'shared' })).rejects.toThrow(
      `fit: transport 'shared' needs the workers to join this thread's wasm memory, which ${threads ? 'holds at most 16 threads, not 17' : 'is not the threads build here (SOFTMAX_THREADS=0, or a page that is not cross-origin isolated)'}; ${removed}`,
    );
    if (!threads) await expect(fitWith(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { workers: 2, transport: 'shared' })).rejects.toThrow(removed);
    await expect(fitWith(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { workers: 2, transport: 'copy' as 'message' }))
      .rejects.toThrow("fit: transport must be 'shared' or 'message', got copy");
    expect(bits(weights(s.net)).equals(before)).toBe(true);
  });

  it('a callback that changes the weights mid-epoch is seen by the workers at the next step (both transports)', async () => {
    // At batch 5 the weights are halved through loadStateDict: the workers must compute the next
    // gradients at the halved weights, as the caller does.
    const halveAt = (n: number, net: nn.Module): train.Callback => {
      let seen = 0;
      return {
        onBatchEnd: () => {
          if (++seen !== n) return;
          const dict = Object.fromEntries(Object.entries(net.stateDict()).map(([k, t]) => [k, t.mul(0.5)]));
          net.loadStateDict(dict);
          for (const t of Object.values(dict)) t.dispose();
        },
      };
    };
    const runHalved = async (options: Options): Promise<Float32Array[]> => {
      const s = setup(11);
      await fitWith(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { ...options, callbacks: [halveAt(5, s.net)] });
      return weights(s.net);
    };
    const one = await runHalved({});
    const joined = await runHalved({ workers: 2 });
    const message = await runHalved({ workers: 2, transport: 'message' });
    expect(maxAbsDiff(one, joined)).toBeLessThan(1e-5);
    expect(bits(joined).equals(bits(message))).toBe(true);
    // and the halving mattered: without it the weights differ by far more than 1e-5
    const plain = await run(11, 1, {});
    expect(maxAbsDiff(one, plain.w)).toBeGreaterThan(1e-3);
  });

  it('a worker that throws ends fit with an error naming it and the step; the model is as after the last completed step', async () => {
    for (const transport of [undefined, 'message'] as const) {
      const s = setup(5);
      const failing = fitWith(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { workers: 2, transport, faultInjection: { worker: 1, step: 3 } });
      await expect(failing).rejects.toThrow(/worker 1 failed at step 3 \(epoch 1, batch 3 of 24\): injected fault/);
      const twoSteps = await run(5, 1, { workers: 2, transport, callbacks: [stopAfter(2)] });
      expect(twoSteps.history.stopReason).toBe('test');
      expect(bits(weights(s.net)).equals(bits(twoSteps.w))).toBe(true);
      // …and within float32 rounding of two steps in one thread.
      const oneThread = await run(5, 1, { callbacks: [stopAfter(2)] });
      expect(maxAbsDiff(weights(s.net), oneThread.w)).toBeLessThan(1e-6);
    }
  });

  it('joined: after a worker throws, every worker gives back what it allocated in the caller\'s memory (the one that threw and the others)', async () => {
    const live = (): number => rawExports().heap_live_bytes() >>> 0;
    const s = setup(5, 'mlp');
    // A first fit leaves the momentum buffers and the gemm packing buffers of the thread slots (kept for the next threads there).
    await fitWith(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { workers: 3, deadlineClock: FROZEN });
    s.opt.zeroGrad();
    await settleGarbage(); // what this file's tests dropped is freed by finalizers at any await
    const before = live();
    for (const worker of [1, 2]) {
      const failing = fitWith(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { workers: 3, faultInjection: { worker, step: 3 }, deadlineClock: FROZEN });
      await expect(failing).rejects.toThrow(new RegExp(`worker ${worker} failed at step 3 \\(epoch 1, batch 3 of 24\\): injected fault`));
      s.opt.zeroGrad();
      await settleGarbage();
      expect(live()).toBe(before);
    }
  });

  it('a worker that fails while it starts ends fit with its error, the model untouched and every tensor freed (the first batch too)', async () => {
    for (const transport of [undefined, 'message'] as const) {
      const s = setup(6);
      const untouched = bits(weights(s.net));
      await settleGarbage();
      const before = memory();
      const failing = fitWith(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { workers: 2, transport, faultInjection: { worker: 1, step: 0 } });
      await expect(failing).rejects.toThrow(/^fit \(workers: 2\): worker 1 failed to start: .*injected fault \(faultInjection: worker 1, at start\)/);
      expect(bits(weights(s.net)).equals(untouched)).toBe(true);
      // Joined, the first batch is planned (tensors worker 1 would gather into): freed with the rest.
      const after = memory();
      expect([after.tensors, after.bytes]).toEqual([before.tensors, before.bytes]);
    }
  });

  it('a dead worker (its thread exits) ends fit with its error instead of leaving it waiting, joined and with messages', async () => {
    // Noticed from the worker's 'exit' event, which the waits let in every BLOCK_SLICE_MS (20 ms); the
    // bound only tells noticing from hanging (or from a health check on a long timer), with room for a busy machine.
    const BOUND_MS = 20_000;
    for (const transport of [undefined, 'message'] as const) {
      const s = setup(6);
      let timer: ReturnType<typeof setTimeout> | undefined;
      let hangs!: (e: Error) => void;
      const hung = new Promise<Error>((resolve) => { hangs = resolve; });
      const started = fitWith(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, {
        workers: 2, transport,
        faultInjection: { worker: 1, step: 3, kind: 'exit' },
        // Timed from the end of step 2, the last before the worker dies (the workers' start-up is not counted).
        callbacks: [{ onBatchEnd: (l) => {
          if (l.batch === 1) timer = setTimeout(() => hangs(new Error(`fit still running ${BOUND_MS / 1000} s after step 2`)), BOUND_MS);
        } }],
      });
      const err = await Promise.race([started.then(() => new Error('fit resolved'), (e: Error) => e), hung]);
      clearTimeout(timer);
      expect(err.message).toMatch(/worker 1 failed at step 3 \(epoch 1, batch 3 of 24\): it exited/);
    }
  });

  it('after a fault, training resumes from the last checkpoint and ends with the weights of an uninterrupted run', async () => {
    const path = join(dir, 'resume.safetensors');
    const straight = await run(9, 2, { workers: 2 }, 'mlp', 0.1);

    const s = setup(9, 'mlp', 0.1);
    const checkpoint = new train.Checkpoint(path);
    await expect(fitWith(s.net, s.trainIter, s.testIter, s.loss, 2, s.opt, {
      workers: 2, callbacks: [checkpoint], faultInjection: { worker: 1, step: 24 + 5 },
    })).rejects.toThrow(/worker 1 failed at step 29 \(epoch 2, batch 5 of 24\)/);

    const r = setup(1234, 'mlp', 0.1); // fresh objects; everything comes from the checkpoint
    const state = await train.loadCheckpoint(path, { net: r.net, optimizer: r.opt, loader: r.trainIter });
    expect(state.epoch).toBe(1);
    const resumed = await fitWith(r.net, r.trainIter, r.testIter, r.loss, 2, r.opt, { workers: 2, initialEpoch: state.epoch, history: state.history });
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(bits(weights(r.net)).equals(bits(straight.w))).toBe(true);
  });

  it('odd batches: a plain iterable whose batches grow (new buffers mid-run), a batch smaller than N, a from-scratch updater function', async () => {
    const sizes = [64, 200, 2, 256, 7];
    const makeBatches = (): [Tensor, Tensor][] => {
      const ds = trainSet as data.BatchDataset;
      let at = 0;
      return sizes.map((n) => {
        const idx = Int32Array.from({ length: n }, (_, i) => at + i);
        at += n;
        return ds.getBatch(idx).map((t) => keep(t)) as [Tensor, Tensor];
      });
    };
    const runWith = async (workers: number) => {
      manualSeed(21);
      const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 32), new nn.Sigmoid(), new nn.Linear(32, 10));
      const params = net.parameters();
      // The notes' from-scratch sgd: param -= lr * param.grad / batch_size, then clear the gradient.
      const sgd = (batchSize: number): void => {
        for (const p of params) {
          p.copy_(p.sub(p.grad!.mul(0.5 / batchSize)));
          p.grad!.dispose();
          p.grad = null;
        }
      };
      const batches = makeBatches();
      const h = await fitWith(net, batches, batches.slice(0, 1), new nn.CrossEntropyLoss({ reduction: 'none', labelSmoothing: 0.1 }), 2, sgd, { workers });
      batches.forEach(([x, y]) => { x.dispose(); y.dispose(); });
      return { w: weights(net), h };
    };
    const one = await runWith(1);
    const three = await runWith(3);
    expect(maxAbsDiff(one.w, three.w)).toBeLessThan(1e-5);
    expect(three.h.trainLoss[1]).toBeCloseTo(one.h.trainLoss[1], 5);
    expect(three.h.trainAcc).toEqual(one.h.trainAcc);
  });

  it('a plain iterable whose row shape changes mid-fit ([28, 28] rows, then [784]): new workers for it, as with one thread, the same bits on both transports', async () => {
    const makeBatches = (): [Tensor, Tensor][] => {
      const ds = trainSet as data.BatchDataset;
      return [0, 1, 2, 3].map((b) => {
        const [X, y] = ds.getBatch(Int32Array.from({ length: 100 }, (_, i) => b * 100 + i)).map((t) => keep(t));
        const rows = keep(tidy(() => X.reshape(b < 2 ? [100, 28, 28] : [100, 784]).clone()));
        X.dispose();
        return [rows, y] as [Tensor, Tensor];
      });
    };
    const runWith = async (options: Options) => {
      const s = setup(16);
      const batches = makeBatches();
      await fitWith(s.net, batches, batches.slice(0, 1), s.loss, 2, s.opt, options);
      batches.forEach(([x, y]) => { x.dispose(); y.dispose(); });
      return weights(s.net);
    };
    const one = await runWith({});
    const shared = await runWith({ workers: 2 });
    const message = await runWith({ workers: 2, transport: 'message' });
    expect(maxAbsDiff(one, shared)).toBeLessThan(1e-5);
    expect(bits(shared).equals(bits(message))).toBe(true);
  });

  it('refuses what a worker cannot rebuild, with a message that says what is needed', async () => {
    class MyNet extends nn.Module {
      lin = new nn.Linear(784, 10);
      forward(x: Tensor): Tensor { return this.lin.forward(x.flatten(1)); }
    }
    const s = setup(1);
    await expect(fitWith(new MyNet(), s.trainIter, s.testIter, s.loss, 1, s.opt, { workers: 2 }))
      .rejects.toThrow('workers > 1 needs a model whose layers describe themselves (Module.describe(): nn.Sequential and the built-in layers do); got MyNet');
    class Twice extends nn.Module { forward(x: Tensor): Tensor { return x.mul(2); } }
    await expect(fitWith(new nn.Sequential(new nn.Flatten(), new Twice(), new nn.Linear(784, 10)), s.trainIter, s.testIter, s.loss, 1, s.opt, { workers: 2 }))
      .rejects.toThrow(/layer 1 is Twice/);
    await expect(fitWith(s.net, s.trainIter, s.testIter, (a: Tensor, b: Tensor) => a.sub(b), 1, s.opt, { workers: 2 }))
      .rejects.toThrow(/needs a built-in loss module \(nn.CrossEntropyLoss, nn.MSELoss, .*\) as the loss; got a function/);
    for (const loss of [new nn.CrossEntropyLoss({ ignoreIndex: 3 }), new nn.NLLLoss({ weight: ones([10]) })]) {
      await expect(fitWith(s.net, s.trainIter, s.testIter, loss, 1, s.opt, { workers: 2 }))
        .rejects.toThrow(/a CrossEntropyLoss or NLLLoss with reduction 'mean' only without weight and without a non-negative ignoreIndex, .*; got (CrossEntropyLoss|NLLLoss)$/);
    }
    await expect(fitWith(s.net, s.trainIter, s.testIter, s.loss, 1, s.opt, { workers: 0 })).rejects.toThrow(/workers must be a positive integer, got 0/);
  });
});
