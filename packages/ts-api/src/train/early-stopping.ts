// EarlyStopping: stop when a monitored metric has not improved for `patience` epochs (Keras'
// callback), optionally putting back the weights of the best epoch.

import { checkOptions } from '../options.js';
import { Module, type StateDict } from '../nn/module.js';
import { keep } from '../tensor/scope.js';
import type { Callback, EpochLogs, TrainContext } from './types.js';

export type Monitor = 'trainLoss' | 'trainAcc' | 'testAcc' | 'valLoss' | 'valAcc';

const MONITORS: readonly Monitor[] = ['trainLoss', 'trainAcc', 'testAcc', 'valLoss', 'valAcc'];

/** What a checkpoint keeps of an EarlyStopping, so that a resumed run stops where a straight one does. */
export interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number | null;
  stoppedEpoch: number | null;
  wait: number;
  /** The best epoch's weights (restoreBest), or null. */
  snapshot: StateDict | null;
}

export interface EarlyStoppingOptions {
  /** The metric to watch (default 'testAcc'); 'valLoss' / 'valAcc' need fit's valIter. */
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
  /** Set by loadStateDict: the next onTrainBegin continues from that state instead of resetting. */
  #restored = false;

  constructor(options: EarlyStoppingOptions = {}) {
    checkOptions('EarlyStopping', options, ['monitor', 'patience', 'restoreBest', 'minDelta', 'mode']);
    this.monitor = options.monitor ?? 'testAcc';
    if (!MONITORS.includes(this.monitor)) {
      throw new Error(`EarlyStopping: monitor must be ${MONITORS.map((m) => `'${m}'`).join(', ')}, got '${String(this.monitor)}'`);
    }
    this.patience = options.patience ?? 3;
    if (!Number.isInteger(this.patience) || this.patience < 1) {
      throw new Error(`EarlyStopping: patience must be a positive integer, got ${this.patience}`);
    }
    this.restoreBest = options.restoreBest ?? false;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.mode = options.mode ?? (this.monitor === 'trainLoss' || this.monitor === 'valLoss' ? 'min' : 'max');
  }

  onTrainBegin(ctx: TrainContext): void {
    if (this.restoreBest && !(ctx.net instanceof Module)) {
      throw new Error('EarlyStopping: restoreBest needs the network to be an nn.Module');
    }
    if ((this.monitor === 'valLoss' || this.monitor === 'valAcc') && ctx.valIter === undefined) {
      throw new Error(`EarlyStopping: monitor '${this.monitor}' needs validation data: pass fit(…, { valIter }) (e.g. a DataLoader over a data.randomSplit of the training set)`);
    }
    if (this.#restored) {
      // A checkpoint's state (loadCheckpoint): continue it; a run it had stopped stays stopped.
      this.#restored = false;
      if (this.stoppedEpoch !== null) ctx.stop('early-stopping');
      return;
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
    if (value === undefined) throw new Error(`EarlyStopping: epoch ${logs.epoch}'s logs have no '${this.monitor}' (fit was given no valIter)`);
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

  /** The state a checkpoint saves (the snapshot's tensors are the callback's own: do not dispose them). */
  stateDict(): EarlyStoppingState {
    return { best: this.best, bestEpoch: this.bestEpoch, stoppedEpoch: this.stoppedEpoch, wait: this.#wait, snapshot: this.#snapshot };
  }

  /**
   * Restores a stateDict() (copying the snapshot's tensors); the next fit's onTrainBegin continues from
   * it instead of starting afresh.
   */
  loadStateDict(state: EarlyStoppingState): void {
    const where = 'EarlyStopping.loadStateDict';
    const numOrNull = (v: unknown): boolean => v === null || typeof v === 'number';
    if (state === null || typeof state !== 'object' || !numOrNull(state.best) || !numOrNull(state.bestEpoch) || !numOrNull(state.stoppedEpoch)
      || !Number.isInteger(state.wait) || state.wait < 0) {
      throw new Error(`${where}: expected { best, bestEpoch, stoppedEpoch, wait, snapshot } from stateDict(), got ${JSON.stringify(state)}`);
    }
    if (this.restoreBest && state.bestEpoch !== null && state.snapshot === null) {
      throw new Error(`${where}: restoreBest is on but the state has no snapshot of the best epoch's weights`);
    }
    // Copied before the old snapshot is freed: the state may be this callback's own stateDict().
    let snapshot: StateDict | null = null;
    if (this.restoreBest && state.snapshot !== null) {
      snapshot = {};
      for (const [name, t] of Object.entries(state.snapshot)) snapshot[name] = keep(t.clone());
    }
    this.#dropSnapshot();
    this.#snapshot = snapshot;
    this.best = state.best;
    this.bestEpoch = state.bestEpoch;
    this.stoppedEpoch = state.stoppedEpoch;
    this.#wait = state.wait;
    this.#restored = true;
  }

  #dropSnapshot(): void {
    if (this.#snapshot !== null) for (const t of Object.values(this.#snapshot)) t.dispose();
    this.#snapshot = null;
  }
}
