// fit: the notes' train_ch3 — train for numEpochs, evaluate on the test set after each epoch, and
// report through callbacks (progress, early stopping, checkpoints).

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { batchCount, EpochTotals, evaluateAccuracy, nonEmptyPasses, requireBatches, trainStep } from './loop.js';
import { checkEpochs, TrainRun, type History } from './run.js';
import type { Callback, EpochLogs, Loss, Net, Updater } from './types.js';
import { makeYielder, nextTask } from './yield.js';

export interface FitOptions {
  callbacks?: Callback[];
  /** Epochs already done (a resumed run starts at initialEpoch + 1). */
  initialEpoch?: number;
  /** Their logs (a resumed run's history continues from them). */
  history?: EpochLogs[];
  /**
   * Train in this many threads: every batch is split into `workers` fixed shards, shard 0 computed in
   * this thread and the others by `workers − 1` worker threads (worker_threads in Node, Web Workers in
   * browsers); see src/parallel/fit.ts. Default 1: train in this thread only. Needs an nn.Sequential of
   * built-in layers and CrossEntropyLoss / MSELoss. Dropout masks differ from workers = 1.
   */
  workers?: number;
  /**
   * How workers exchange parameters and gradients: 'shared' (SharedArrayBuffer: always in Node, in
   * browsers when the page is cross-origin isolated) or 'message' (transferred buffers). Default: 'shared'
   * where it exists.
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
  const initialEpoch = checkEpochs(numEpochs, options.initialEpoch);
  requireBatches(trainIter, 'fit', 'trainIter');
  requireBatches(testIter, 'fit', 'testIter');
  // Loaders that know their length were checked above; others are checked as each epoch ends.
  const trainData = batchCount(trainIter) === undefined ? nonEmptyPasses(trainIter, 'fit', 'trainIter') : trainIter;
  if (options.workers !== undefined && options.workers !== 1) {
    const { fitParallel } = await import('../parallel/fit.js');
    return fitParallel(net, trainData, testIter, loss, numEpochs, updater, options);
  }
  const callbacks = options.callbacks ?? [];
  const run = new TrainRun(net, updater, numEpochs, trainIter, options.history);
  const { ctx, history } = run;
  const yielder = makeYielder();
  for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
  for (let epoch = initialEpoch + 1; epoch <= numEpochs && !run.stopped; epoch++) {
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
    const start = performance.now();
    if (net instanceof Module) net.train();
    const totals = new EpochTotals();
    const batches = batchCount(trainIter);
    for (const [X, y] of trainData) {
      const logs = totals.add(trainStep(net, X, y, loss, updater), y.shape[0], epoch, batches);
      for (const cb of callbacks) cb.onBatchEnd?.(logs, ctx);
      const pause = yielder();
      if (pause !== null) await pause;
      if (run.stopped) break;
    }
    if (run.stopped) break;
    const testAcc = evaluateAccuracy(net, testIter);
    const logs: EpochLogs = { epoch, trainLoss: totals.loss, trainAcc: totals.acc, testAcc, seconds: (performance.now() - start) / 1000 };
    history.push(logs);
    for (const cb of callbacks) await cb.onEpochEnd?.(logs, ctx);
    await nextTask();
  }
  for (const cb of callbacks) await cb.onTrainEnd?.(ctx);
  return run.result();
}
