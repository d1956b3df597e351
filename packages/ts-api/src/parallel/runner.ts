// Data-parallel training, fit()'s StepRunner for `workers` > 1: each batch is split into N fixed shards,
// shard 0 computed here on the caller's model, shards 1 … N − 1 by workers' replicas (pool.ts); the
// gradients are added in worker order, so a run is deterministic for a given N.

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
import { numel } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { RunnerRequest, StepOutcome, StepRunner } from '../train/step-runner.js';
import type { Updater } from '../train/types.js';
import { describeLoss, describeModel, hasDropout, lookAheadCost, type ParamSpec } from './replica.js';
import { buildSumLoss, shardGradient, shardTensor } from './shard.js';
import { BatchSlots, plannedBatches } from './batches.js';
import { GradientPool, WorkerFailure, mainWait, type MainWait, type StepInput } from './pool.js';
import type { ElemType, FaultInjection, Layout, ShardResult } from './protocol.js';

/** The batch buffers hold 4-byte elements: a bool batch is refused by name. */
function elemType(t: Tensor): ElemType {
  if (t.dtype === 'bool') throw new Error(`fit: workers > 1 cannot train on a bool batch tensor (shape [${t.shape.join(', ')}]); convert it with .float() or .int()`);
  return t.dtype;
}

/**
 * What a parallel fit did (bench/parallel.ts, tests): how it waited for joined workers (null: messages),
 * whether worker 1 gathered, and ms summed over the steps: start-up, shard 0, waiting after it.
 */
export interface ParallelProfile {
  steps: number;
  mainWait: MainWait | null;
  joined: boolean;
  workerGathers: boolean;
  startMs: number;
  mainMs: number;
  idleMs: number;
}

/** What tests and benchmarks inject (fitObserved's `observer`); a frozen `deadlineClock` makes close() wait for every worker. */
export interface ParallelObserver {
  faultInjection?: FaultInjection;
  profile?: ParallelProfile;
  mainWait?: MainWait;
  deadlineClock?: () => number;
}

export function newProfile(): ParallelProfile {
  return { steps: 0, mainWait: null, joined: false, workerGathers: false, startMs: 0, mainMs: 0, idleMs: 0 };
}

/** The data-parallel StepRunner for `request.workers` shards per batch; registered by the package's index. */
export function createParallelRunner(request: RunnerRequest): StepRunner {
  const { net, loss, updater, trainIter } = request;
  const N = request.workers;
  const observer = (request.observer ?? {}) as ParallelObserver;
  const transport = request.transport;
  if (transport !== undefined && transport !== 'shared' && transport !== 'message') throw new Error(`fit: transport must be 'shared' or 'message', got ${String(transport)}`);
  const wait = mainWait(observer.mainWait);
  const why = sharedBackend() === null ? 'is not the threads build here (SOFTMAX_THREADS=0, or a page that is not cross-origin isolated)'
    : N > threadSlots() ? `holds at most ${threadSlots()} threads, not ${N}`
      : wait === null ? 'this thread cannot wait on (neither Atomics.wait nor Atomics.waitAsync)' : null;
  if (transport === 'shared' && why !== null) {
    throw new Error(`fit: transport 'shared' needs the workers to join this thread's wasm memory, which ${why}; copying through SharedArrayBuffers was removed: leave transport unset (messages are used where memory cannot be joined) or pass 'message'`);
  }
  const joined = why === null && transport !== 'message' && N > 1; // one shard: no workers to join
  const { model, params: specs } = describeModel(net);
  const lossSpec = describeLoss(loss);
  if (!(updater instanceof Optimizer) && typeof updater !== 'function') throw new Error('fit: updater must be an Optimizer or a function of the batch size');
  const fault = observer.faultInjection ?? null;
  const prof = observer.profile;
  const mode = updater instanceof Optimizer ? 'optimizer' : 'function';
  const sumLoss = buildSumLoss(lossSpec);
  const module = net as Module;
  const params = module.parameters();

  let pool: GradientPool | null = null;
  // One scratch tensor per parameter for adding the workers' gradients (allocated once, freed at the end).
  const scratch: Tensor[] = [];
  const writeParams = (dst: Float32Array): void => specs.forEach((s, k) => dst.set(params[k].storage('fit').f32(), s.offset));
  const writePointers = (dst: Int32Array): void => params.forEach((p, k) => { dst[k] = ptrOf(p.storage('fit')); });
  const failed = (e: unknown, epoch: number, batch: number, batches: number | undefined): unknown => {
    if (!(e instanceof WorkerFailure)) return e;
    const where = e.step === 0 ? 'failed to start' : `failed at step ${e.step} (epoch ${epoch}, batch ${batch}${batches === undefined ? '' : ` of ${batches}`})`;
    return new Error(`fit (workers: ${N}): worker ${e.worker} ${where}: ${e.message}`, { cause: e });
  };

  // With dropout, every step draws once from the caller's generator; the state before the draw seeds the
  // workers' masks (workerSeed), so resume keeps them.
  const NO_DRAW = new Uint32Array(4);
  const draw = hasDropout(module) ? keep(empty([1])) : null;
  const stepState = (): Uint32Array => {
    if (draw === null) return NO_DRAW;
    const state = getRngState();
    rng.uniform(draw.storage('fit'), 0, 1);
    return state;
  };

  // Joined, where the loader's batches are plain gathers (no transform; an ImageDataset, TensorDataset or
  // subset), this thread takes only the indices and worker 1 gathers batch t + 1 after its shard of step t.
  const gatherable = trainIter instanceof DataLoader && trainIter.transform === undefined ? gatherSourceOf(trainIter.dataset) : null;
  const source = joined ? gatherable : null;
  const slots = new BatchSlots(source);
  // The batch shapes and types the workers' layout was made for.
  let layoutKey = '';
  const keyOf = (X: Tensor, y: Tensor): string => JSON.stringify([X.shape.slice(1), y.shape.slice(1), elemType(X), elemType(y)]);
  let step = 0;
  // Where the last epoch ended, for a failure noticed after it (epochEnd).
  let last = { epoch: 0, batch: 0, batches: undefined as number | undefined };

  async function startPool(layout: Layout): Promise<GradientPool> {
    const t = performance.now();
    const p = await GradientPool.start({
      workers: N, wait: wait ?? 'block', deadlineClock: observer.deadlineClock, joined: joined ? sharedBackend() : null,
      init: { model, params: specs, loss: lossSpec, updater: mode, fault, layout },
    });
    if (prof) Object.assign(prof, { startMs: prof.startMs + performance.now() - t, mainWait: p.joined ? p.wait : null, joined: p.joined, workerGathers: source !== null });
    return p;
  }

  // One epoch with one batch of look-ahead: while the workers compute step t, batch t + 1 is fetched (or
  // planned for worker 1) into the other slot; fit() runs step t's callbacks before step t + 1.
  async function* epochSteps(epoch: number): AsyncGenerator<StepOutcome> {
    const n = (trainIter as { length?: unknown }).length;
    const batches = typeof n === 'number' ? n : undefined;
    let batch = 0;
    last = { epoch, batch, batches };
    const it: Iterator<Tensor[]> = source !== null ? plannedBatches(trainIter as DataLoader, source) : trainIter[Symbol.iterator]();
    try {
      let cur = it.next();
      let slot: 0 | 1 = 0;
      if (source !== null && !cur.done) slots.hold(slot, cur.value);
      let staged = false;
      while (!cur.done) {
        const [X, y] = cur.value;
        step++;
        if (prof) prof.steps++;
        const rows = y.shape[0];
        if (X.shape[0] !== rows) throw new Error(`fit: a batch has ${X.shape[0]} examples and ${rows} targets`);
        let r: ShardResult;
        let next: IteratorResult<Tensor[]> | null = null;
        try {
          if (!staged && keyOf(X, y) !== layoutKey) {
            // New workers for a new row shape (a plain iterable can change it). Shard 0 is smaller by this
            // thread's look-ahead unless worker 1 gathers; not by transport, so both give the same bits.
            const xRow = X.shape.slice(1);
            const lookAhead = gatherable !== null ? 0 : lookAheadCost(module, numel(xRow));
            await pool?.close();
            pool = await startPool({ xRow, yRow: y.shape.slice(1), xType: elemType(X), yType: elemType(y), lookAhead, gather: slots.gather });
            layoutKey = keyOf(X, y);
          }
          const p = pool!;
          if (!staged) slots.stage(p, slot, X, y, cur.value[2]);
          const other = slot === 0 ? 1 : 0;
          let request: StepInput['next'] = null;
          if (source !== null) {
            next = it.next();
            staged = !next.done; // a DataLoader's batches all fit the layout made from its first
            if (!next.done) request = slots.plan(other, next.value);
            await p.gathered(slot); // worker 1 starts its shard only after this gather anyway
            slots.checkSource();
          }
          const pending = p.step({ step, rng: stepState(), slot, writeParams, writePointers, next: request });
          pending.catch(() => undefined); // awaited below, after this thread's shard and the look-ahead
          // Shard 0, here, on the caller's model: its gradient goes straight into .grad.
          const tMain = performance.now();
          if (updater instanceof Optimizer) updater.zeroGrad();
          const l = p.layout;
          const own = p.shardAt(slot, 0);
          const r0: ShardResult = own.count === 0 ? { lossSum: 0, correct: 0 } : tidy(() => shardGradient(
            module, sumLoss, lossSpec, mode, shardTensor(own.x, own.count, l.xRow, l.xType), shardTensor(own.y, own.count, l.yRow, l.yType), own.rows,
          ));
          if (source === null) {
            next = it.next();
            staged = !next.done && keyOf(next.value[0], next.value[1]) === layoutKey;
            if (staged) slots.stage(p, other, next.value[0], next.value[1]);
          }
          const tIdle = performance.now();
          const rw = await pending;
          if (prof) Object.assign(prof, { mainMs: prof.mainMs + tIdle - tMain, idleMs: prof.idleMs + performance.now() - tIdle });
          slots.release(slot);
          // The loss and hits in shard order, as the gradients are summed.
          r = rw.reduce((a, w) => ({ lossSum: a.lossSum + w.lossSum, correct: a.correct + w.correct }), r0);
        } catch (e) {
          throw failed(e, epoch, batch + 1, batches);
        }
        tidy(() => applyGradient(pool!, params, specs, scratch, updater, rows));
        batch++;
        last = { epoch, batch, batches };
        yield { rows, lossSum: r.lossSum, correct: r.correct };
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

/**
 * Adds the workers' gradients in worker order to shard 0's in .grad, then updates as trainStep does.
 * Joined, from where their backward put them (none: zeros); else from their messages, through `scratch`.
 */
function applyGradient(pool: GradientPool, params: Tensor[], specs: ParamSpec[], scratch: Tensor[], updater: Updater, rows: number): void {
  params.forEach((p, k) => {
    const s = specs[k];
    if (!s.requiresGrad || pool.workers === 1) return;
    const gradient = (i: number): Storage => {
      const at = pool.joined ? pool.gradientPointers(i)[k] >>> 0 : 0;
      if (at !== 0) return borrowStorage('float32', at, s.length);
      const ts = (scratch[k] ??= keep(empty(p.shape))).storage('fit');
      if (pool.joined) kernels.fill(ts, 0);
      else ts.f32().set(pool.gradient(i).subarray(s.offset, s.offset + s.length));
      return ts;
    };
    let from = 1;
    if (p.grad === null || p.grad.isDisposed) {
      p.grad = keep(empty(p.shape));
      kernels.copy(gradient(1), p.grad.mutableStorage('fit'));
      from = 2;
    }
    const gs = p.grad.mutableStorage('fit');
    for (let i = from; i < pool.workers; i++) kernels.axpy(1, gradient(i), gs);
  });
  if (updater instanceof Optimizer) updater.step();
  else noGrad(() => updater(rows));
}
