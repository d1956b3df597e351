// EarlyStopping: stop when a monitored metric has not improved for `patience` epochs (Keras'
// callback), optionally putting back the weights of the best epoch.

import { checkOptions } from '../options.js';
import { Module, type StateDict } from '../nn/module.js';
import { keep } from '../tensor/scope.js';
import type { Callback, EpochLogs, TrainContext } from './types.js';

export type Monitor = 'trainLoss' | 'trainAcc' | 'testAcc';

export interface EarlyStoppingOptions {
  /** The metric to watch (default 'testAcc'). */
  monitor?: Monitor;
  /** Epochs without improvement before stopping (default 3). */
  patience?: number;
  /** Put back the best epoch's weights when training ends (default false). */
  restoreBest?: boolean;
  /** The smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** 'max' for accuracies, 'min' for losses (default: from the monitor's name). */
  mode?: 'min' | 'max';
}

export class EarlyStopping implements Callback {
  readonly monitor: Monitor;
  readonly patience: number;
  readonly restoreBest: boolean;
  readonly minDelta: number;
  readonly mode: 'min' | 'max';
  /** Best value seen and the epoch it was seen in (null before the first epoch). */
  best: number | null = null;
  bestEpoch: number | null = null;
  /** The epoch at which training was stopped, if it was. */
  stoppedEpoch: number | null = null;
  #wait = 0;
  #snapshot: StateDict | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    checkOptions('EarlyStopping', options, ['monitor', 'patience', 'restoreBest', 'minDelta', 'mode']);
    this.monitor = options.monitor ?? 'testAcc';
    if (!['trainLoss', 'trainAcc', 'testAcc'].includes(this.monitor)) {
      throw new Error(`EarlyStopping: monitor must be 'trainLoss', 'trainAcc' or 'testAcc', got '${this.monitor}'`);
    }
    this.patience = options.patience ?? 3;
    if (!Number.isInteger(this.patience) || this.patience < 1) {
      throw new Error(`EarlyStopping: patience must be a positive integer, got ${this.patience}`);
    }
    this.restoreBest = options.restoreBest ?? false;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.mode = options.mode ?? (this.monitor === 'trainLoss' ? 'min' : 'max');
  }

  onTrainBegin(ctx: TrainContext): void {
    if (this.restoreBest && !(ctx.net instanceof Module)) {
      throw new Error('EarlyStopping: restoreBest needs the network to be an nn.Module');
    }
    this.best = null;
    this.bestEpoch = null;
    this.stoppedEpoch = null;
    this.#wait = 0;
    this.#dropSnapshot();
  }

  #improved(value: number): boolean {
    if (this.best === null) return true;
    return this.mode === 'max' ? value > this.best + this.minDelta : value < this.best - this.minDelta;
  }

  onEpochEnd(logs: EpochLogs, ctx: TrainContext): void {
    const value = logs[this.monitor];
    if (this.#improved(value)) {
      this.best = value;
      this.bestEpoch = logs.epoch;
      this.#wait = 0;
      if (this.restoreBest && ctx.net instanceof Module) {
        this.#dropSnapshot();
        const snapshot: StateDict = {};
        for (const [name, t] of Object.entries(ctx.net.stateDict())) snapshot[name] = keep(t.clone());
        this.#snapshot = snapshot;
      }
      return;
    }
    this.#wait++;
    if (this.#wait >= this.patience) {
      this.stoppedEpoch = logs.epoch;
      ctx.stop('early-stopping');
    }
  }

  onTrainEnd(ctx: TrainContext): void {
    if (this.#snapshot !== null && ctx.net instanceof Module) ctx.net.loadStateDict(this.#snapshot);
    this.#dropSnapshot();
  }

  #dropSnapshot(): void {
    if (this.#snapshot !== null) for (const t of Object.values(this.#snapshot)) t.dispose();
    this.#snapshot = null;
  }
}
