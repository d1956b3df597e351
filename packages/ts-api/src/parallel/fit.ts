// fit(..., { workers: N }): data-parallel training in N threads (issue #8).
//
// The caller's model and optimiser stay the source of truth in this thread — callbacks, checkpoints,
// exact resume and "after a failure the model is as after the last completed step" work as with one
// thread. Every batch is split into N fixed shards (shardOf; shard 0 a little smaller where this thread
// also fetches the next batch: firstShard). Shard 0 is computed here, on the caller's
// model; shards 1 … N − 1 by N − 1 workers (worker_threads / Web Workers), stateless gradient
// calculators that each hold a replica built from the model's description (describe.ts). Per step this
// thread writes the parameters for the workers and wakes them, computes shard 0's gradient into .grad,
// fetches the next batch from the caller's loader and stages it in the other batch slot (look-ahead),
// then adds the workers' gradients in the order 1 … N − 1 with the core's kernels and calls the caller's
// optimiser (or updater function). Each shard differentiates gradScale × (its summed loss), scaled by
// the FULL batch, so the shards add up to the batch gradient; the order of the sum is fixed, so a run
// is deterministic for a given N whatever the threads' timing. Test accuracy is evaluated here.
//
// Where this thread runs the threads build (Node; cross-origin isolated pages) the workers run on its
// wasm memory ("joined", protocol.ts): "writes the parameters" is then writing their addresses (the
// replicas compute on the caller's parameters), the workers' gradients are added from where their
// backward left them, and the batch is read where the loader put it. Elsewhere all three are copied
// through SharedArrayBuffers (or messages). The sums are the same either way, and so are the bits.
//
// Why N − 1 workers and not N: on N cores, N workers plus a coordinating thread are N + 1 busy threads
// (the coordinator's batch assembly and update then steal a worker's core), and this thread would
// copy one more gradient in and the parameters out once more. On 2 idle cores the MLP's speed-up over
// one thread went from ≈1.4× (2 workers) to ≈1.6× (this thread + 1 worker) (bench/parallel.ts).
//
// Why the batch travels per step instead of the dataset being copied into every worker once: any
// Dataset works (subset, TensorDataset, custom get()), DataLoader transforms (augmentation) run once
// and draw from the caller's generator as with one thread, the loader's shuffle/generator state (what
// checkpoints save) is untouched, and the data is not held N times. Joined, that costs nothing more
// than the loader's own gather; elsewhere one copy of the batch into shared memory per step (≈0.8 MB
// for 256 Fashion-MNIST images), done during the look-ahead while the workers compute. (The look-ahead
// fetches batch t + 1 before step t's callbacks; with random transforms, a stop() in the middle of an
// epoch therefore leaves the generator one batch on.)
//
// Differences from workers = 1, by design: the summation order of the gradient (the shards' partial
// sums are added), hence ≈1e-7 relative differences per step; and Dropout masks: shard 0 draws from the
// caller's generator, each worker from its own, seeded at every step from (a generator state the caller
// draws for that step, the worker number) — so masks differ from a one-thread run, but a run is
// reproducible for a given seed and N, and stop + resume or a checkpoint gives the same masks as an
// uninterrupted run.

import { kernels, rng } from '../backend/index.js';
import { sharedBackend, threadSlots } from '../backend/load.js';
import { borrowStorage, ptrOf, type Storage } from '../backend/memory.js';
import { Module } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import { getRngState } from '../random.js';
import { DataLoader } from '../data/dataloader.js';
import { gatherSourceOf } from '../data/dataset.js';
import { noGrad } from '../tensor/grad-mode.js';
import { empty } from '../tensor/ops/create.js';
import { keep, tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import type { FitOptions } from '../train/fit.js';
import { checkEpochs, TrainRun, type History } from '../train/run.js';
import { batchCount, EpochTotals, evaluateAccuracy } from '../train/loop.js';
import type { Callback, EpochLogs, Loss, Net, Updater } from '../train/types.js';
import { buildSumLoss, describeLoss, describeModel, hasDropout, lookAheadCost, type ParamSpec } from './describe.js';
import { shardGradient, shardTensor } from './shard.js';
import { BatchSlots, plannedBatches } from './batches.js';
import { GradientPool, sharedMemoryAvailable, WorkerFailure, type Layout, type MainWait, type StepInput } from './pool.js';
import type { FaultInjection, TransportKind } from './protocol.js';
import { makeYielder, nextTask } from '../train/yield.js';

export { WorkerFailure, sharedMemoryAvailable } from './pool.js';
export type { TransportKind, FaultInjection } from './protocol.js';

/** Where the time of a parallel fit went, in milliseconds, summed over its steps (bench/parallel.ts). */
export interface ParallelProfile {
  steps: number;
  /** How this thread waited for the workers (shared transport; null before the workers start). */
  mainWait: MainWait | null;
  /** The workers ran on this thread's wasm memory (no copies of parameters and gradients; protocol.ts). */
  joined: boolean;
  /** Worker 1 gathered the batches (joined, a DataLoader of plain gathers; gather.ts). */
  workerGathers: boolean;
  /** Getting the next batch from the loader (its gather / transform; planned: its indices). */
  batchMs: number;
  /** Planned (worker 1 gathers the batches): waiting for the batch before shard 0. */
  gatherWaitMs: number;
  /** Starting the workers (the first step). */
  startMs: number;
  /** Writing the parameters (and, message transport, the shards) for the workers. */
  copyMs: number;
  /** Shard 0's gradient, in this thread. */
  mainMs: number;
  /** Waiting for the workers after this thread's own shard and the look-ahead. */
  idleMs: number;
  /** From waking the workers to having every gradient (includes mainMs, part of batchMs and idleMs). */
  waitMs: number;
  /** Inside each worker's steps. */
  workerMs: number[];
  /** Waking the workers until the first / the last of them starts the step. */
  wakeFirstMs: number;
  wakeLastMs: number;
  /** The last worker's end of the step until this thread runs again. */
  returnMs: number;
  /** Summing the gradients into .grad and the optimiser's update. */
  applyMs: number;
  /** onBatchEnd callbacks and yields to the event loop. */
  callbackMs: number;
  /** Test accuracy after each epoch. */
  evalMs: number;
}

/** Test / benchmark options (not part of FitOptions' public surface). */
export interface ParallelTestOptions {
  /** Makes worker `worker` throw ('throw'), exit ('exit') or be terminated by this thread ('terminate') at step `step`. */
  faultInjection?: FaultInjection;
  /** Filled with where the time went. */
  profile?: ParallelProfile;
  /** How this thread waits for the workers (default: the fastest this thread allows). */
  mainWait?: MainWait;
  /** The clock of the workers' start-up and close deadlines; a frozen one (`() => 0`) makes the pool wait for every worker. */
  deadlineClock?: () => number;
}

/** An empty profile to pass as `profile`. */
export function newProfile(): ParallelProfile {
  return { steps: 0, mainWait: null, joined: false, workerGathers: false, batchMs: 0, gatherWaitMs: 0, startMs: 0, copyMs: 0, mainMs: 0, idleMs: 0, waitMs: 0, workerMs: [], wakeFirstMs: 0, wakeLastMs: 0, returnMs: 0, applyMs: 0, callbackMs: 0, evalMs: 0 };
}

/** fit() with `options.workers` gradient workers; see the file's header. Called by fit() when workers ≠ 1. */
export async function fitParallel(
  net: Net,
  trainIter: Iterable<[Tensor, Tensor]>,
  testIter: Iterable<[Tensor, Tensor]>,
  loss: Loss,
  numEpochs: number,
  updater: Updater,
  options: FitOptions & ParallelTestOptions = {},
): Promise<History> {
  const N = options.workers ?? 1;
  if (!Number.isInteger(N) || N < 1) throw new Error(`fit: workers must be a positive integer, got ${N}`);
  const initialEpoch = checkEpochs(numEpochs, options.initialEpoch);
  const transport: TransportKind = options.transport ?? (sharedMemoryAvailable() ? 'shared' : 'message');
  if (transport !== 'shared' && transport !== 'message') throw new Error(`fit: transport must be 'shared' or 'message', got ${String(transport)}`);
  if (transport === 'shared' && !sharedMemoryAvailable()) {
    throw new Error("fit: transport 'shared' needs SharedArrayBuffer, which this page does not have (it is not cross-origin isolated: serve it with COOP: same-origin and COEP: require-corp); use transport 'message' or leave transport unset");
  }
  const { model, params: specs, paramLength } = describeModel(net);
  const lossSpec = describeLoss(loss);
  if (!(updater instanceof Optimizer) && typeof updater !== 'function') throw new Error('fit: updater must be an Optimizer or a function of the batch size');
  const fault = options.faultInjection ?? null;
  if (fault !== null && (!Number.isInteger(fault.worker) || fault.worker < 1 || fault.worker >= N || !Number.isInteger(fault.step) || fault.step < 0)) {
    throw new Error(`fit: faultInjection needs a worker in 1 … ${N - 1} and a step ≥ 1 (0: at start), got ${JSON.stringify(fault)}`);
  }
  const prof = options.profile;
  const mode = updater instanceof Optimizer ? 'optimizer' : 'function';
  const sumLoss = buildSumLoss(lossSpec);
  const module = net as Module;
  const params = module.parameters();

  const callbacks: Callback[] = options.callbacks ?? [];
  const run = new TrainRun(net, updater, numEpochs, trainIter, options.history);
  const { ctx, history } = run;

  let pool: GradientPool | null = null;
  // One scratch tensor per parameter for adding gradient slots 1..N−1 (allocated once, freed at the end).
  const scratch: Tensor[] = [];
  const writeParams = (dst: Float32Array): void => {
    specs.forEach((s, k) => dst.set(params[k].storage('fit').f32(), s.offset));
  };
  const writePointers = (dst: Int32Array): void => {
    params.forEach((p, k) => { dst[k] = ptrOf(p.storage('fit')); });
  };
  const failed = (e: unknown, epoch: number, batch: number, batches: number | undefined): unknown => {
    if (!(e instanceof WorkerFailure)) return e;
    const where = e.step === 0 ? 'failed to start' : `failed at step ${e.step} (epoch ${epoch}, batch ${batch}${batches === undefined ? '' : ` of ${batches}`})`;
    const err = new Error(`fit (workers: ${N}): worker ${e.worker} ${where}: ${e.reason}`, { cause: e });
    return err;
  };

  // With dropout, every step draws once from the caller's generator: the state before the draw seeds
  // the workers' masks (workerSeed). Stopping and resuming, or a checkpoint, keep that stream, so
  // the masks are those of an uninterrupted run. Without dropout the caller's stream is left alone.
  const random = hasDropout(model);
  const NO_DRAW = new Uint32Array(4);
  const draw = random ? keep(empty([1])) : null;
  const drawStepState = (): Uint32Array => {
    const state = getRngState();
    rng.uniform(draw!.storage('fit'), 0, 1);
    return state;
  };

  // Joined, a batch is not copied (batches.ts). And where the loader's batches are plain gathers (a
  // DataLoader without transform over an ImageDataset, a TensorDataset or a subset of them), this thread
  // takes only the indices from the loader: worker 1 gathers batch t + 1 after its shard of step t, while
  // this thread adds the gradients and updates the model (gather.ts) — the same kernels as the loader's,
  // so the same bits. (More threads than the threads build tells apart — 16 — copy instead, same bits.)
  const joinedFit = transport === 'shared' && sharedBackend() !== null && N > 1 && N <= threadSlots();
  const gatherable = trainIter instanceof DataLoader && trainIter.transform === undefined ? gatherSourceOf(trainIter.dataset) : null;
  const source = joinedFit ? gatherable : null;
  const slots = new BatchSlots(source);

  const yielder = makeYielder();
  let step = 0;
  try {
    for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
    for (let epoch = initialEpoch + 1; epoch <= numEpochs && !run.stopped; epoch++) {
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
      const start = performance.now();
      module.train();
      const totals = new EpochTotals();
      const batches = batchCount(trainIter);
      // The loop of fit(), with one batch of look-ahead: while the workers compute step t, this
      // thread fetches batch t + 1 and stages it in the other slot (planned: worker 1 gathers it after
      // its shard). Callbacks still run after step t's update, before step t + 1.
      const it: Iterator<Tensor[]> = source !== null ? plannedBatches(trainIter as DataLoader, source) : trainIter[Symbol.iterator]();
      try {
        const tBatch = performance.now();
        let cur = it.next();
        let slot: 0 | 1 = 0;
        if (source !== null && !cur.done) slots.hold(slot, cur.value);
        let staged = false;
        if (prof) prof.batchMs += performance.now() - tBatch;
        while (!cur.done) {
          const [X, y] = cur.value;
          step++;
          if (prof) prof.steps++;
          const rows = y.shape[0];
          if (X.shape[0] !== rows) throw new Error(`fit: a batch has ${X.shape[0]} examples and ${rows} targets`);
          let r: { lossSum: number; correct: number };
          let next: IteratorResult<Tensor[]> | null = null;
          try {
            if (pool === null) {
              const t = performance.now();
              pool = await GradientPool.start({
                workers: N, transport, wait: options.mainWait, deadlineClock: options.deadlineClock, joined: joinedFit ? sharedBackend() : null,
                init: { model, params: specs, paramLength, loss: lossSpec, mode: { updater: mode }, fault },
              });
              if (pool.joined !== joinedFit) throw new Error(`fit: internal error: the workers ${pool.joined ? 'joined' : 'did not join'} this thread's memory`);
              if (prof) {
                prof.startMs += performance.now() - t;
                prof.mainWait = pool.wait;
                prof.joined = pool.joined;
                prof.workerGathers = source !== null;
              }
            }
            if (!staged) {
              if (!pool.fits(X.shape, y.shape, X.dtype, y.dtype)) {
                const l = pool.layout;
                const capacity = Math.max(rows, l?.capacity ?? 0, trainIter instanceof DataLoader ? trainIter.batchSize : 0);
                const xRow = X.shape.slice(1);
                // Shard 0 is smaller to make up for this thread's look-ahead — except for batches worker 1
                // can gather (joined), where there is none. The shards follow the data, not the transport:
                // every transport sums the same shards, so they give the same bits.
                const lookAhead = gatherable !== null ? 0 : lookAheadCost(model, xRow.reduce((a, b) => a * b, 1));
                const layout: Layout = { xRow, yRow: y.shape.slice(1), xType: X.dtype, yType: y.dtype, capacity, lookAhead, gather: slots.gather };
                await pool.setLayout(layout);
              }
              slots.stage(pool, slot, X, y, cur.value[2]);
            }
            const other = slot === 0 ? 1 : 0;
            let request: StepInput['next'] = null;
            if (source !== null) {
              const t = performance.now();
              next = it.next();
              // A DataLoader's batches all fit the layout made from its first (capacity ≥ batchSize).
              staged = !next.done;
              if (!next.done) request = slots.plan(other, next.value);
              if (prof) prof.batchMs += performance.now() - t;
              // Before the step starts (its wait for the workers would then run first): worker 1 starts
              // its shard only after this gather anyway.
              const tGather = performance.now();
              await pool.gathered(slot);
              if (prof) prof.gatherWaitMs += performance.now() - tGather;
              slots.checkSource();
            }
            const pending = pool.step({ step, rng: random ? drawStepState() : NO_DRAW, slot, writeParams, writePointers, next: request }, prof);
            pending.catch(() => undefined); // awaited below, after this thread's shard and the look-ahead
            // Shard 0, here, on the caller's model: its gradient goes straight into .grad.
            const tMain = prof ? performance.now() : 0;
            if (updater instanceof Optimizer) updater.zeroGrad();
            const layout = pool.layout!;
            const own = pool.joined ? pool.shardAt(slot, 0) : pool.shard(slot, 0);
            const r0 = own.count === 0 ? { lossSum: 0, correct: 0 } : tidy(() => shardGradient(
              module, sumLoss, lossSpec, mode,
              shardTensor(own.x, own.count, layout.xRow, layout.xType), shardTensor(own.y, own.count, layout.yRow, layout.yType), own.rows,
            ));
            if (prof) prof.mainMs += performance.now() - tMain;
            if (source === null) {
              const t = performance.now();
              next = it.next();
              staged = !next.done && pool.fits(next.value[0].shape, next.value[1].shape, next.value[0].dtype, next.value[1].dtype);
              if (staged) slots.stage(pool, other, next.value[0], next.value[1]);
              if (prof) prof.batchMs += performance.now() - t;
            }
            const tIdle = prof ? performance.now() : 0;
            const rw = await pending;
            if (prof) prof.idleMs += performance.now() - tIdle;
            slots.release(slot);
            // The loss and hits in shard order, as the gradients are summed.
            r = { lossSum: r0.lossSum, correct: r0.correct };
            rw.lossSums.forEach((l, k) => { r.lossSum += l; r.correct += rw.corrects[k]; });
            if (pool.waitedInTask) yielder.ran();
          } catch (e) {
            throw failed(e, epoch, totals.batch + 1, batches);
          }
          const tApply = prof ? performance.now() : 0;
          tidy(() => applyGradient(pool!, params, specs, scratch, updater, rows));
          const tCallbacks = prof ? performance.now() : 0;
          const logs = totals.add(r, rows, epoch, batches);
          for (const cb of callbacks) cb.onBatchEnd?.(logs, ctx);
          const pause = yielder();
          if (pause !== null) await pause;
          if (prof) {
            prof.applyMs += tCallbacks - tApply;
            prof.callbackMs += performance.now() - tCallbacks;
          }
          if (run.stopped) break;
          cur = next!;
          slot = slot === 0 ? 1 : 0;
        }
      } finally {
        it.return?.();
      }
      if (run.stopped) break;
      const tEval = performance.now();
      const testAcc = evaluateAccuracy(net, testIter);
      if (prof) prof.evalMs += performance.now() - tEval;
      const logs: EpochLogs = { epoch, trainLoss: totals.loss, trainAcc: totals.acc, testAcc, seconds: (performance.now() - start) / 1000 };
      history.push(logs);
      for (const cb of callbacks) await cb.onEpochEnd?.(logs, ctx);
      if (pool?.failure) throw failed(pool.failure, epoch, totals.batch, batches);
      await nextTask();
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(ctx);
  } finally {
    await pool?.close();
    slots.release(0);
    slots.release(1);
    scratch.forEach((t) => t.dispose());
    draw?.dispose();
  }
  return run.result();
}

/**
 * Adds the workers' gradients, in worker order 1 … N − 1, to what shard 0's backward left in each
 * parameter's .grad (or starts it, where shard 0 left none), then runs the update as trainStep does.
 * Joined, the gradients are added from where the workers' backward put them; else from the shared
 * buffers, through a scratch tensor. A worker without a gradient for a parameter counts as zeros.
 */
function applyGradient(pool: GradientPool, params: Tensor[], specs: ParamSpec[], scratch: Tensor[], updater: Updater, rows: number): void {
  params.forEach((p, k) => {
    const s = specs[k];
    if (!s.requiresGrad || pool.workers === 1) return;
    const scratchOf = (): Storage => (scratch[k] ??= keep(empty(p.shape))).storage('fit');
    const gradient = (i: number): Storage => {
      if (!pool.joined) {
        const ts = scratchOf();
        ts.f32().set(pool.gradient(i).subarray(s.offset, s.offset + s.length));
        return ts;
      }
      const at = pool.gradientPointers(i)[k] >>> 0;
      if (at !== 0) return borrowStorage('float32', at, s.length);
      const ts = scratchOf();
      kernels.fill(ts, 0);
      return ts;
    };
    let from = 1;
    if (p.grad === null || p.grad.isDisposed) {
      p.grad = keep(empty(p.shape));
      kernels.copy(gradient(1), p.grad.storage('fit'));
      from = 2;
    }
    const gs = p.grad.storage('fit');
    for (let i = from; i < pool.workers; i++) kernels.axpy(1, gradient(i), gs);
  });
  if (updater instanceof Optimizer) updater.step();
  else noGrad(() => updater(rows));
}
