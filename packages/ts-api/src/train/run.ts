// The state one fit() call shares with its callbacks: the context they receive, the growing history,
// and why training stopped. Used by the single-thread fit and the data-parallel one alike.

import type { EpochLogs, Net, TrainContext, Updater } from './types.js';

export interface History {
  /** One entry per finished epoch. */
  epochs: EpochLogs[];
  trainLoss: number[];
  trainAcc: number[];
  testAcc: number[];
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

  constructor(net: Net, updater: Updater, numEpochs: number, trainIter: Iterable<unknown>, prior: readonly EpochLogs[] = []) {
    this.history = [...prior];
    const run = this;
    this.ctx = {
      net, updater, numEpochs, history: this.history, trainIter: trainIter as TrainContext['trainIter'],
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
      stopReason: this.#stopReason ?? 'completed',
    };
  }
}
