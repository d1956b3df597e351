// fit: the notes' train_ch3 — train for numEpochs, evaluate on the test set after each epoch, and
// report through callbacks (progress, early stopping, checkpoints).

import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { batchCount, EpochTotals, evaluate, evaluateAccuracy, nonEmptyPasses, requireBatches } from './loop.js';
import { checkEpochs, TrainRun, type History } from './run.js';
import type { Callback, EpochLogs, Loss, Net, Scheduler, Updater } from './types.js';
import { LRScheduler } from '../optim/lr-scheduler/base.js';
import { OneCycleLR } from '../optim/lr-scheduler/one-cycle.js';
import { ReduceLROnPlateau } from '../optim/lr-scheduler/plateau.js';
import { Optimizer } from '../optim/optimizer.js';
import { makeYielder, nextTask } from '../runtime.js';
import { runnerFor } from './step-runner.js';
import { resumeScopes, scopeDepth, suspendScopes } from '../tensor/scope.js';

export interface FitOptions {
  callbacks?: Callback[];
  /** Epochs already done (a resumed run starts at initialEpoch + 1). */
  initialEpoch?: number;
  /** Their logs (a resumed run's history continues from them). */
  history?: EpochLogs[];
  /**
   * Train in this many threads: every batch is split into `workers` fixed shards, shard 0 computed in
   * this thread and the others by `workers − 1` worker threads (worker_threads in Node, Web Workers in
   * browsers); see src/parallel/runner.ts. Default 1: train in this thread only. Needs a model whose
   * layers describe themselves (nn.Sequential and the built-in layers) and CrossEntropyLoss / MSELoss.
   * Dropout masks differ from workers = 1.
   */
  workers?: number;
  /**
   * How workers exchange parameters and gradients: 'shared' (they run on this thread's wasm memory,
   * nothing is copied: the threads build, loaded in Node and cross-origin isolated pages, up to 16
   * threads, on a thread with Atomics.wait or Atomics.waitAsync; an error elsewhere) or 'message'
   * (transferred buffers, everywhere). Default: 'shared'
   * where it is possible, else 'message'. The result is the same bits either way.
   */
  transport?: 'shared' | 'message';
  /**
   * Run each step in one core call where that is possible (default true): Sequential(Flatten(), Linear)
   * or Sequential(Flatten(), Linear, ReLU, [Dropout], Linear) with CrossEntropyLoss (no class weight) and
   * SGD or Adam holding exactly the model's parameters, on a DataLoader without transform over an
   * ImageDataset (or a Subset of one), with workers = 1. The images are read as uint8 where the dataset
   * keeps them; the result is the same bits as the plain path. false always takes the plain path (a
   * trainStep per batch).
   */
  fused?: boolean;
  /**
   * Validation data: after each epoch, the mean loss and the accuracy on it are `valLoss` and `valAcc`
   * of the epoch's logs (evaluated in this thread, in eval mode). EarlyStopping can monitor them.
   */
  valIter?: Iterable<[Tensor, Tensor]>;
  /**
   * A scheduler of the updater (an optim.lrScheduler object made on it): stepped after every epoch's
   * evaluation, before the epoch-end callbacks (so checkpoints hold the next epoch's lr); OneCycleLR is
   * stepped after every batch instead; ReduceLROnPlateau.step gets valLoss when there is a valIter,
   * else trainLoss.
   */
  scheduler?: Scheduler;
}

/** Checks fit's scheduler: an optim.lrScheduler object made on fit's optimiser. */
function checkScheduler(scheduler: unknown, updater: Updater): Scheduler | undefined {
  if (scheduler === undefined) return undefined;
  if (!(scheduler instanceof LRScheduler) && !(scheduler instanceof ReduceLROnPlateau)) {
    throw new Error(`fit: scheduler must be an optim.lrScheduler scheduler (e.g. new optim.lrScheduler.StepLR(opt, { stepSize: 1 })), got ${scheduler === null ? 'null' : typeof scheduler}`);
  }
  if (!(updater instanceof Optimizer)) throw new Error('fit: a scheduler needs the updater to be an Optimizer (the one the scheduler was made on), not a function');
  if (scheduler.optimizer !== updater) throw new Error("fit: the scheduler was made on another optimiser than fit's updater");
  return scheduler;
}

/** The lr the next step will use (group 0), or undefined for an updater function. */
function currentLr(updater: Updater): number | undefined {
  return updater instanceof Optimizer ? (updater.paramGroups[0].options as { lr?: number }).lr : undefined;
}

export type { History } from './run.js';

/**
 * Trains `net` for `numEpochs` epochs over `trainIter`, evaluating test accuracy on `testIter` after
 * each (the notes' `train_ch3`). Returns the per-epoch history.
 */
export async function fit(
  net: Net,
  trainIter: Iterable<[Tensor, Tensor]>,
  testIter: Iterable<[Tensor, Tensor]>,
  loss: Loss,
  numEpochs: number,
  updater: Updater,
  options: FitOptions = {},
): Promise<History> {
  return fitObserved(net, trainIter, testIter, loss, numEpochs, updater, options);
}

/** Not public: what tests and benchmarks add to a fit() (see fitObserved). */
export interface FitInternals {
  /** Handed to the data-parallel runner: profiling, fault injection, clocks (parallel/runner.ts). */
  observer?: object;
  /** Use the data-parallel runner even for workers = 1 (one thread, through its code path). */
  forceParallel?: boolean;
}

/** fit() with the hooks of tests and benchmarks; the one training loop. */
export async function fitObserved(
  net: Net,
  trainIter: Iterable<[Tensor, Tensor]>,
  testIter: Iterable<[Tensor, Tensor]>,
  loss: Loss,
  numEpochs: number,
  updater: Updater,
  options: FitOptions = {},
  internals: FitInternals = {},
): Promise<History> {
  checkOptions('fit', options, ['callbacks', 'initialEpoch', 'history', 'workers', 'transport', 'valIter', 'scheduler', 'fused']);
  if (options.fused !== undefined && typeof options.fused !== 'boolean') throw new Error(`fit: fused must be true or false, got ${String(options.fused)}`);
  const initialEpoch = checkEpochs(numEpochs, options.initialEpoch);
  requireBatches(trainIter, 'fit', 'trainIter');
  requireBatches(testIter, 'fit', 'testIter');
  const valIter = options.valIter;
  if (valIter !== undefined) {
    if (valIter === null || typeof (valIter as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
      throw new Error(`fit: valIter must be an iterable of [X, y] batches (e.g. a DataLoader), got ${valIter === null ? 'null' : typeof valIter}`);
    }
    requireBatches(valIter, 'fit', 'valIter');
  }
  const scheduler = checkScheduler(options.scheduler, updater);
  const perBatch = scheduler instanceof OneCycleLR;
  // Loaders that know their length were checked above; others are checked as each epoch ends.
  const trainData = batchCount(trainIter) === undefined ? nonEmptyPasses(trainIter, 'fit', 'trainIter') : trainIter;
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`fit: workers must be a positive integer, got ${workers}`);
  const runner = await runnerFor(
    { net, loss, updater, trainIter: trainData, workers, fused: options.fused, transport: options.transport, observer: internals.observer },
    internals.forceParallel,
  );
  const callbacks = options.callbacks ?? [];
  const run = new TrainRun(net, updater, numEpochs, trainIter, options.history, { valIter, scheduler, callbacks });
  const { ctx, history } = run;
  const yielder = makeYielder();
  try {
    for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
    for (let epoch = initialEpoch + 1; epoch <= numEpochs && !run.stopped; epoch++) {
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
      const start = performance.now();
      const lr = currentLr(updater);
      if (net instanceof Module) net.train();
      const totals = new EpochTotals();
      const batches = batchCount(trainIter);
      const depth = scopeDepth();
      const steps = runner.epoch(trainData, epoch);
      try {
        for (;;) {
          const next = steps.next();
          const r = next instanceof Promise ? await next : next;
          if (r.done === true) break;
          const step = r.value;
          if (perBatch) scheduler.step();
          const logs = totals.add(step, step.rows, epoch, batches);
          for (const cb of callbacks) cb.onBatchEnd?.(logs, ctx);
          const pause = yielder();
          if (pause !== null) {
            // The loop's iteration scope must not collect what other code makes while fit waits.
            const open = suspendScopes(depth);
            await pause;
            resumeScopes(open);
          }
          if (run.stopped) break;
        }
      } finally {
        await steps.return?.();
      }
      if (run.stopped) break;
      const testAcc = evaluateAccuracy(net, testIter);
      const val = valIter === undefined ? null : evaluate(net, valIter, loss);
      const logs: EpochLogs = {
        epoch, trainLoss: totals.loss, trainAcc: totals.acc, testAcc,
        ...(val === null ? {} : { valLoss: val.loss, valAcc: val.acc }),
        ...(lr === undefined ? {} : { lr }),
        seconds: (performance.now() - start) / 1000,
      };
      history.push(logs);
      if (scheduler instanceof ReduceLROnPlateau) scheduler.step(val?.loss ?? totals.loss);
      else if (scheduler !== undefined && !perBatch) scheduler.step();
      for (const cb of callbacks) await cb.onEpochEnd?.(logs, ctx);
      runner.epochEnd?.();
      await nextTask();
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(ctx);
  } finally {
    await runner.close?.();
  }
  return run.result();
}
