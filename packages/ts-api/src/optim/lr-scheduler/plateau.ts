// ReduceLROnPlateau: torch 1.13's — divide the lr by `factor` once a metric stops improving.

import { checkOptions } from '../../options.js';
import { checkNumber, groups, perGroup, sci, type AnyOptimizer, type SchedulerState } from './base.js';

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
  verbose?: boolean;
}

const W = 'ReduceLROnPlateau';

export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  readonly verbose: boolean;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  #lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    checkOptions(W, options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps', 'verbose']);
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
      throw new Error(`${W}: expected an optimiser (e.g. optim.SGD), got ${optimizer === null ? 'null' : typeof optimizer}`);
    }
    this.optimizer = optimizer;
    const o = options ?? {};
    this.factor = checkNumber(W, 'factor', o.factor ?? 0.1, (x) => x < 1 && x >= 0, 'less than 1 (Factor should be < 1.0.)');
    const count = (x: number): boolean => Number.isInteger(x) && x >= 0;
    this.patience = checkNumber(W, 'patience', o.patience ?? 10, count, 'a non-negative integer');
    this.cooldown = checkNumber(W, 'cooldown', o.cooldown ?? 0, count, 'a non-negative integer');
    this.threshold = checkNumber(W, 'threshold', o.threshold ?? 1e-4, Number.isFinite, 'a finite number');
    this.eps = checkNumber(W, 'eps', o.eps ?? 1e-8, Number.isFinite, 'a finite number');
    this.minLrs = perGroup(W, 'minLr', o.minLr ?? 0, optimizer.paramGroups.length);
    const mode = o.mode ?? 'min';
    if (mode !== 'min' && mode !== 'max') throw new Error(`${W}: mode must be 'min' or 'max', got ${String(mode)}`);
    this.mode = mode;
    const tm = o.thresholdMode ?? 'rel';
    if (tm !== 'rel' && tm !== 'abs') throw new Error(`${W}: thresholdMode must be 'rel' or 'abs', got ${String(tm)}`);
    this.thresholdMode = tm;
    if (o.verbose !== undefined && typeof o.verbose !== 'boolean') throw new Error(`${W}: verbose must be true or false, got ${String(o.verbose)}`);
    this.verbose = o.verbose ?? false;
    this.best = this.#worse();
    this.#lastLr = groups(optimizer).map((g) => g.lr as number);
  }

  #worse(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  #isBetter(a: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < this.best * (1 - t) : a < this.best - t;
    return this.thresholdMode === 'rel' ? a > this.best * (t + 1) : a > this.best + t;
  }

  /** One epoch's metric (a number, or a one-element tensor's value). */
  step(metric: number | { item(): number }): void {
    const current = typeof metric === 'number' ? metric : (metric !== null && typeof metric === 'object' && typeof metric.item === 'function' ? metric.item() : NaN);
    if (typeof metric !== 'number' && Number.isNaN(current)) throw new Error(`${W}.step: expected the metric as a number or a one-element Tensor, got ${String(metric)}`);
    this.lastEpoch += 1;
    if (this.#isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.#reduce();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.#lastLr = groups(this.optimizer).map((g) => g.lr as number);
  }

  #reduce(): void {
    groups(this.optimizer).forEach((g, i) => {
      const old = g.lr as number;
      const next = Math.max(old * this.factor, this.minLrs[i]);
      if (old - next > this.eps) {
        g.lr = next;
        if (this.verbose) console.log(`Epoch ${this.lastEpoch}: reducing learning rate of group ${i} to ${sci(next)}.`);
      }
    });
  }

  /** The learning rates after the last step, one per parameter group. */
  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  stateDict(): SchedulerState {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch, lastLr: [...this.#lastLr] };
  }

  loadStateDict(state: SchedulerState): void {
    for (const key of ['best', 'numBadEpochs', 'cooldownCounter', 'lastEpoch']) {
      if (typeof state?.[key] !== 'number') throw new Error(`${W}.loadStateDict: '${key}' must be a number, got ${String(state?.[key])}`);
    }
    this.best = state.best as number;
    this.numBadEpochs = state.numBadEpochs as number;
    this.cooldownCounter = state.cooldownCounter as number;
    this.lastEpoch = state.lastEpoch as number;
    if (Array.isArray(state.lastLr)) this.#lastLr = [...state.lastLr];
  }
}
