// The state one fit() call shares with its callbacks: the context they receive, the growing history,
// and why training stopped. Used by the single-thread fit and the data-parallel one alike.

import type { Tensor } from '../tensor/tensor.js';
import type { Callback, EpochLogs, Net, Scheduler, TrainContext, Updater } from './types.js';

export interface History {
  /** One entry per finished epoch. */
  epochs: EpochLogs[];
  trainLoss: number[];
  trainAcc: number[];
  testAcc: number[];
  /** Per epoch, when fit had a valIter (NaN for an epoch of a resumed run that had none). */
  valLoss?: number[];
  valAcc?: number[];
  /** The lr each epoch began with, when the updater is an Optimizer (see EpochLogs.lr). */
  lr?: number[];
  /** Why training ended: all epochs ran, or a callback (early stopping, a user's stop()) ended it. */
  stopReason: 'completed' | string;
}

/** Checks fit()'s epoch arguments; returns the first epoch's predecessor (initialEpoch, default 0). */
export function checkEpochs(numEpochs: number, initialEpoch: number | undefined): number {
  if (!Number.isInteger(numEpochs) || numEpochs < 0) throw new Error(`fit: numEpochs must be a non-negative integer, got ${numEpochs}`);
  const first = initialEpoch ?? 0;
  if (!Number.isInteger(first) || first < 0) throw new Error(`fit: initialEpoch must be a non-negative integer, got ${first}`);
  return first;
}

export class TrainRun {
  readonly history: EpochLogs[];
  readonly ctx: TrainContext;
  #stopReason: string | null = null;

  constructor(
    net: Net, updater: Updater, numEpochs: number, trainIter: Iterable<unknown>, prior: readonly EpochLogs[] = [],
    extras: { valIter?: Iterable<[Tensor, Tensor]>; scheduler?: Scheduler; callbacks?: readonly Callback[] } = {},
  ) {
    this.history = [...prior];
    const run = this;
    this.ctx = {
      net, updater, numEpochs, history: this.history, trainIter: trainIter as TrainContext['trainIter'],
      valIter: extras.valIter, scheduler: extras.scheduler, callbacks: extras.callbacks,
      stop(reason = 'stopped') {
        run.#stopReason ??= reason;
      },
      get stopRequested() {
        return run.#stopReason !== null;
      },
    };
  }

  get stopped(): boolean {
    return this.#stopReason !== null;
  }

  result(): History {
    const epochs = this.history;
    return {
      epochs,
      trainLoss: epochs.map((e) => e.trainLoss),
      trainAcc: epochs.map((e) => e.trainAcc),
      testAcc: epochs.map((e) => e.testAcc),
      ...optionalSeries(epochs, 'valLoss'),
      ...optionalSeries(epochs, 'valAcc'),
      ...optionalSeries(epochs, 'lr'),
      stopReason: this.#stopReason ?? 'completed',
    };
  }
}

/** `{ [key]: values }` when some epoch has the key (NaN for those without), else nothing. */
function optionalSeries(epochs: readonly EpochLogs[], key: 'valLoss' | 'valAcc' | 'lr'): Partial<Record<typeof key, number[]>> {
  if (!epochs.some((e) => e[key] !== undefined)) return {};
  return { [key]: epochs.map((e) => e[key] ?? NaN) };
}
