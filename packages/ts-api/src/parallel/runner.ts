// Data-parallel training: the StepRunner fit() uses when `workers` > 1. Every batch is split into N
// fixed shards; shard 0 is computed in this thread on the caller's model, shards 1 … N − 1 by N − 1
// workers (pool.ts) holding replicas built from the model's description. Each shard's gradient is
// scaled by the full batch and they are added in worker order, so a run is deterministic for a given N.
// The caller's model and optimiser stay the source of truth: callbacks, checkpoints and resume work as
// with one thread. Why this design and what it measured: docs/PERFORMANCE.md, "Multi-core".

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
import type { RunnerRequest, StepOutcome, StepRunner } from '../train/step-runner.js';
import type { Updater } from '../train/types.js';
import { describeLoss, describeModel, hasDropout, lookAheadCost, type ParamSpec } from './replica.js';
import { buildSumLoss, shardGradient, shardTensor } from './shard.js';
import { BatchSlots, plannedBatches } from './batches.js';
import { GradientPool, WorkerFailure, type MainWait, type StepInput } from './pool.js';
import type { FaultInjection, Layout } from './protocol.js';

export { WorkerFailure } from './pool.js';
export type { FaultInjection } from './protocol.js';

/** Where the time of a parallel fit went, in milliseconds, summed over its steps (bench/parallel.ts). */
export interface ParallelProfile {
  steps: number;
  /** How this thread waited for joined workers (null before the workers start). */
  mainWait: MainWait | null;
  /** The workers ran on this thread's wasm memory (nothing copied; protocol.ts). */
  joined: boolean;
  /** Worker 1 gathered the batches (joined, a DataLoader of plain gathers; gather.ts). */
  workerGathers: boolean;
  /** Getting the next batch from the loader (its gather / transform; planned: its indices). */
  batchMs: number;
  /** Planned (worker 1 gathers the batches): waiting for the batch before shard 0. */
  gatherWaitMs: number;
  /** Starting the workers (the first step). */
  startMs: number;
  /** Handing the step out (messages: copying the parameters and the shards). */
  copyMs: number;
  /** Shard 0's gradient, in this thread. */
  mainMs: number;
  /** Waiting for the workers after this thread's own shard and the look-ahead. */
  idleMs: number;
  /** Summing the gradients into .grad and the optimiser's update. */
  applyMs: number;
  /** onBatchEnd callbacks and yields to the event loop. */
  callbackMs: number;
}

/** What tests and benchmarks inject into a data-parallel fit (fitObserved's `observer`); not public. */
export interface ParallelObserver {
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
  return { steps: 0, mainWait: null, joined: false, workerGathers: false, batchMs: 0, gatherWaitMs: 0, startMs: 0, copyMs: 0, mainMs: 0, idleMs: 0, applyMs: 0, callbackMs: 0 };
}

/** The data-parallel StepRunner for `request.workers` shards per batch; registered by the package's index. */
export function createParallelRunner(request: RunnerRequest): StepRunner {
  const { net, loss, updater, trainIter } = request;
  const N = request.workers;
  const observer = (request.observer ?? {}) as ParallelObserver;
  const transport = request.transport;
  if (transport !== undefined && transport !== 'shared' && transport !== 'message') throw new Error(`fit: transport must be 'shared' or 'message', got ${String(transport)}`);
  // Joined: the workers run on this thread's wasm memory (the threads build; at most threadSlots() threads).
  const joinable = sharedBackend() !== null && N <= threadSlots();
  if (transport === 'shared' && !joinable) {
    throw new Error(`fit: transport 'shared' needs the workers to join this thread's wasm memory, which ${sharedBackend() === null ? 'is not the threads build here (SOFTMAX_THREADS=0, or a page that is not cross-origin isolated)' : `holds at most ${threadSlots()} threads, not ${N}`}; copying through SharedArrayBuffers was removed: leave transport unset (messages are used where memory cannot be joined) or pass 'message'`);
  }
  // (With one shard there are no workers to join.)
  const joinedFit = joinable && transport !== 'message' && N > 1;
  const { model, params: specs, paramLength } = describeModel(net);
  const lossSpec = describeLoss(loss);
  if (!(updater instanceof Optimizer) && typeof updater !== 'function') throw new Error('fit: updater must be an Optimizer or a function of the batch size');
  const fault = observer.faultInjection ?? null;
  if (fault !== null && (!Number.isInteger(fault.worker) || fault.worker < 1 || fault.worker >= N || !Number.isInteger(fault.step) || fault.step < 0)) {
    throw new Error(`fit: faultInjection needs a worker in 1 … ${N - 1} and a step ≥ 1 (0: at start), got ${JSON.stringify(fault)}`);
  }
  const prof = observer.profile;
  const mode = updater instanceof Optimizer ? 'optimizer' : 'function';
  const sumLoss = buildSumLoss(lossSpec);
  const module = net as Module;
  const params = module.parameters();

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
  const gatherable = trainIter instanceof DataLoader && trainIter.transform === undefined ? gatherSourceOf(trainIter.dataset) : null;
  const source = joinedFit ? gatherable : null;
  const slots = new BatchSlots(source);

  let step = 0;
  // Where the last epoch ended, for a failure noticed after it (epochEnd).
  let last = { epoch: 0, batch: 0, batches: undefined as number | undefined };

  // One epoch with one batch of look-ahead: while the workers compute step t, this thread fetches
  // batch t + 1 and stages it in the other slot (planned: worker 1 gathers it after its shard). fit()
  // runs step t's callbacks (between the yield and the next call) before step t + 1.
  async function* epochSteps(epoch: number): AsyncGenerator<StepOutcome> {
    const batches = batchCount(trainIter);
    let batch = 0;
    last = { epoch, batch, batches };
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
        let waitedInTask = false;
        try {
          if (pool === null) {
            const t = performance.now();
            pool = await GradientPool.start({
              workers: N, wait: observer.mainWait, deadlineClock: observer.deadlineClock, joined: joinedFit ? sharedBackend() : null,
              init: { model, params: specs, paramLength, loss: lossSpec, updater: mode, fault },
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
          const tCopy = prof ? performance.now() : 0;
          const pending = pool.step({ step, rng: random ? drawStepState() : NO_DRAW, slot, writeParams, writePointers, next: request });
          if (prof) prof.copyMs += performance.now() - tCopy;
          pending.catch(() => undefined); // awaited below, after this thread's shard and the look-ahead
          // Shard 0, here, on the caller's model: its gradient goes straight into .grad.
          const tMain = prof ? performance.now() : 0;
          if (updater instanceof Optimizer) updater.zeroGrad();
          const layout = pool.layout!;
          const own = pool.shardAt(slot, 0);
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
          waitedInTask = pool.waitedInTask;
        } catch (e) {
          throw failed(e, epoch, batch + 1, batches);
        }
        const tApply = prof ? performance.now() : 0;
        tidy(() => applyGradient(pool!, params, specs, scratch, updater, rows));
        const tCallbacks = prof ? performance.now() : 0;
        batch++;
        last = { epoch, batch, batches };
        yield { rows, lossSum: r.lossSum, correct: r.correct, waitedInTask };
        if (prof) {
          prof.applyMs += tCallbacks - tApply;
          prof.callbackMs += performance.now() - tCallbacks;
        }
        cur = next!;
        slot = slot === 0 ? 1 : 0;
      }
    } finally {
      it.return?.();
    }
  }

  return {
    epoch: (_batches, epoch) => epochSteps(epoch),
    epochEnd() {
      if (pool?.failure) throw failed(pool.failure, last.epoch, last.batch, last.batches);
    },
    async close() {
      await pool?.close();
      slots.release(0);
      slots.release(1);
      scratch.forEach((t) => t.dispose());
      draw?.dispose();
    },
  };
}

/** Batches per epoch, when the iterable knows it (a DataLoader does). */
function batchCount(iter: Iterable<unknown>): number | undefined {
  const n = (iter as { length?: unknown }).length;
  return typeof n === 'number' ? n : undefined;
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
