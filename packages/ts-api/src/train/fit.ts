// fit: the notes' train_ch3 — train for numEpochs, evaluate on the test set after each epoch, and
// report through callbacks (progress, early stopping, checkpoints).

import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { batchCount, EpochTotals, evaluateAccuracy, nonEmptyPasses, requireBatches } from './loop.js';
import { checkEpochs, TrainRun, type History } from './run.js';
import type { Callback, EpochLogs, Loss, Net, Updater } from './types.js';
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
   * threads; an error elsewhere) or 'message' (transferred buffers, everywhere). Default: 'shared'
   * where it is possible, else 'message'. The result is the same bits either way.
   */
  transport?: 'shared' | 'message';
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
  checkOptions('fit', options, ['callbacks', 'initialEpoch', 'history', 'workers', 'transport']);
  const initialEpoch = checkEpochs(numEpochs, options.initialEpoch);
  requireBatches(trainIter, 'fit', 'trainIter');
  requireBatches(testIter, 'fit', 'testIter');
  // Loaders that know their length were checked above; others are checked as each epoch ends.
  const trainData = batchCount(trainIter) === undefined ? nonEmptyPasses(trainIter, 'fit', 'trainIter') : trainIter;
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`fit: workers must be a positive integer, got ${workers}`);
  const runner = await runnerFor(
    { net, loss, updater, trainIter: trainData, workers, transport: options.transport, observer: internals.observer },
    internals.forceParallel,
  );
  const callbacks = options.callbacks ?? [];
  const run = new TrainRun(net, updater, numEpochs, trainIter, options.history);
  const { ctx, history } = run;
  const yielder = makeYielder();
  try {
    for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
    for (let epoch = initialEpoch + 1; epoch <= numEpochs && !run.stopped; epoch++) {
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
      const start = performance.now();
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
          if (step.waitedInTask === true) yielder.ran();
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
      const logs: EpochLogs = { epoch, trainLoss: totals.loss, trainAcc: totals.acc, testAcc, seconds: (performance.now() - start) / 1000 };
      history.push(logs);
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
