// The notes' training loop: evaluateAccuracy, trainEpoch (train_epoch_ch3).

import { Module } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import { noGrad } from '../tensor/grad-mode.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { accuracy, lossSum } from './metrics.js';
import type { BatchLogs, Loss, Net, Updater } from './types.js';

export function forward(net: Net, x: Tensor): Tensor {
  return net instanceof Module ? net.forward(x) : net(x);
}

function lossOf(loss: Loss, yHat: Tensor, y: Tensor): Tensor {
  return loss instanceof Module ? loss.forward(yHat, y) : loss(yHat, y);
}

/** Throws when `iter` knows its length (a DataLoader, an array) and it is 0: nothing to train or measure on. */
export function requireBatches(iter: Iterable<unknown>, where: string, name: string): void {
  if (batchCount(iter) === 0) {
    throw new Error(`${where}: ${name} has no batches (length 0); expected at least one example (an empty dataset?)`);
  }
}

function noExamples(where: string, name: string, needs: string): Error {
  return new Error(`${where}: ${name} gave no examples; ${needs} (an empty dataset, or an iterator used up by an earlier pass?)`);
}

/**
 * `iter` (one without a length, e.g. a generator), each pass of which throws at its end if it gave no
 * example — so an empty or used-up iterator is an error in every fit, not an epoch of accuracy 0.
 */
export function nonEmptyPasses(iter: Iterable<[Tensor, Tensor]>, where: string, name: string): Iterable<[Tensor, Tensor]> {
  return {
    [Symbol.iterator]() {
      const it = iter[Symbol.iterator]();
      let examples = false;
      return {
        next() {
          const r = it.next();
          if (!r.done) examples ||= r.value[1].shape[0] !== 0;
          else if (!examples) throw noExamples(where, name, 'expected at least one');
          return r;
        },
        return(value?: unknown) {
          it.return?.(value);
          return { done: true, value: value as [Tensor, Tensor] };
        },
      };
    },
  };
}

/** Accuracy of `net` over every batch of `dataIter`, in eval mode and without gradients (evaluate_accuracy). */
export function evaluateAccuracy(net: Net, dataIter: Iterable<[Tensor, Tensor]>): number {
  const wasTraining = net instanceof Module ? net.training : false;
  if (net instanceof Module) net.eval();
  let correct = 0;
  let total = 0;
  try {
    for (const [X, y] of dataIter) {
      if (y.shape[0] === 0) continue; // adds no example (and argmax refuses an empty tensor)
      correct += noGrad(() => tidy(() => accuracy(forward(net, X), y)));
      total += y.shape[0];
    }
  } finally {
    if (net instanceof Module) net.train(wasTraining);
  }
  if (total === 0) throw noExamples('evaluateAccuracy', 'dataIter', 'an accuracy needs at least one');
  return correct / total;
}

/**
 * Mean loss and accuracy of `net` over every batch of `dataIter`, in eval mode and without gradients
 * (what fit reports as valLoss / valAcc); `loss` as in fit (reduction 'none' or 'mean').
 */
export function evaluate(net: Net, dataIter: Iterable<[Tensor, Tensor]>, loss: Loss): { loss: number; acc: number } {
  const wasTraining = net instanceof Module ? net.training : false;
  if (net instanceof Module) net.eval();
  let sum = 0;
  let correct = 0;
  let total = 0;
  try {
    for (const [X, y] of dataIter) {
      const size = y.shape[0];
      if (size === 0) continue;
      const r = noGrad(() => tidy(() => {
        const yHat = forward(net, X);
        return { lossSum: lossSum(lossOf(loss, yHat, y), size), correct: accuracy(yHat, y) };
      }));
      sum += r.lossSum;
      correct += r.correct;
      total += size;
    }
  } finally {
    if (net instanceof Module) net.train(wasTraining);
  }
  if (total === 0) throw noExamples('evaluate', 'dataIter', 'a loss and an accuracy need at least one');
  return { loss: sum / total, acc: correct / total };
}

/** One optimisation step on one batch; returns the summed loss and the number of correct predictions. */
export function trainStep(net: Net, X: Tensor, y: Tensor, loss: Loss, updater: Updater): { lossSum: number; correct: number } {
  const size = y.shape[0];
  return tidy(() => {
    const yHat = forward(net, X);
    const l = lossOf(loss, yHat, y);
    if (updater instanceof Optimizer) {
      updater.zeroGrad();
      (l.ndim === 0 ? l : l.mean()).backward();
      updater.step();
    } else {
      (l.ndim === 0 ? l.mul(size) : l.sum()).backward();
      noGrad(() => updater(size));
    }
    return { lossSum: lossSum(l, size), correct: accuracy(yHat, y) };
  });
}

/** Sums of one epoch, updated batch by batch. */
export class EpochTotals {
  lossSum = 0;
  correct = 0;
  count = 0;
  batch = 0;

  add(step: { lossSum: number; correct: number }, size: number, epoch: number, batches: number | undefined): BatchLogs {
    this.lossSum += step.lossSum;
    this.correct += step.correct;
    this.count += size;
    const logs = { epoch, batch: this.batch, batches, loss: step.lossSum / size, acc: step.correct / size, size };
    this.batch++;
    return logs;
  }

  /** The epoch's means; 0 for an epoch of no batches (the rest of a pass resumed at its end). */
  get loss(): number {
    return this.count === 0 ? 0 : this.lossSum / this.count;
  }

  get acc(): number {
    return this.count === 0 ? 0 : this.correct / this.count;
  }
}

/** Batches per epoch, when the iterable knows it (a DataLoader does). */
export function batchCount(iter: Iterable<unknown>): number | undefined {
  const n = (iter as { length?: unknown }).length;
  return typeof n === 'number' ? n : undefined;
}

/** One pass over `trainIter` (train_epoch_ch3): the mean loss and accuracy over the examples. */
export function trainEpoch(
  net: Net,
  trainIter: Iterable<[Tensor, Tensor]>,
  loss: Loss,
  updater: Updater,
  options: { onBatch?: (logs: BatchLogs) => void; epoch?: number } = {},
): { loss: number; acc: number } {
  requireBatches(trainIter, 'trainEpoch', 'trainIter');
  if (net instanceof Module) net.train();
  const totals = new EpochTotals();
  const batches = batchCount(trainIter);
  for (const [X, y] of trainIter) {
    const logs = totals.add(trainStep(net, X, y, loss, updater), y.shape[0], options.epoch ?? 1, batches);
    options.onBatch?.(logs);
  }
  if (totals.count === 0) throw noExamples('trainEpoch', 'trainIter', 'expected at least one');
  return { loss: totals.loss, acc: totals.acc };
}
