// optim.lrScheduler's chained schedules: torch 1.13's torch/optim/lr_scheduler.py, formula for
// formula (each step scales the group's current lr), so the numbers agree with PyTorch's in float64.

import { checkOptions } from '../../options.js';
import { BASE_KEYS, checkNumber, groups, LRScheduler, lrOf, positiveInt, pyMod, type AnyOptimizer, type BaseOptions } from './base.js';

export interface StepLROptions extends BaseOptions {
  stepSize: number;
  gamma?: number;
}

/** Multiplies the lr by gamma every stepSize steps. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    checkOptions('StepLR', options, ['stepSize', 'gamma', ...BASE_KEYS]);
    super('StepLR', optimizer, options ?? {});
    this.stepSize = checkNumber('StepLR', 'stepSize', options?.stepSize, positiveInt, 'a positive integer');
    this.gamma = checkNumber('StepLR', 'gamma', options.gamma ?? 0.1, Number.isFinite, 'a finite number');
    this.initialStep();
  }

  protected computeLr(): number[] {
    const gs = groups(this.optimizer);
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return gs.map(lrOf);
    return gs.map((g) => lrOf(g) * this.gamma);
  }
}

export interface MultiStepLROptions extends BaseOptions {
  milestones: number[];
  gamma?: number;
}

/** Multiplies the lr by gamma at each milestone (by gamma^k when a milestone is listed k times). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: MultiStepLROptions) {
    checkOptions('MultiStepLR', options, ['milestones', 'gamma', ...BASE_KEYS]);
    super('MultiStepLR', optimizer, options ?? {});
    if (!Array.isArray(options?.milestones) || !options.milestones.every((m) => Number.isInteger(m))) {
      throw new Error(`MultiStepLR: milestones must be a list of integers, got ${JSON.stringify(options?.milestones)}`);
    }
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = checkNumber('MultiStepLR', 'gamma', options.gamma ?? 0.1, Number.isFinite, 'a finite number');
    this.initialStep();
  }

  protected computeLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    const gs = groups(this.optimizer);
    if (count === 0) return gs.map(lrOf);
    return gs.map((g) => lrOf(g) * this.gamma ** count);
  }
}

export interface ExponentialLROptions extends BaseOptions {
  gamma: number;
}

/** Multiplies the lr by gamma every step. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: ExponentialLROptions) {
    checkOptions('ExponentialLR', options, ['gamma', ...BASE_KEYS]);
    super('ExponentialLR', optimizer, options ?? {});
    this.gamma = checkNumber('ExponentialLR', 'gamma', options?.gamma, Number.isFinite, 'a finite number');
    this.initialStep();
  }

  protected computeLr(): number[] {
    const gs = groups(this.optimizer);
    if (this.lastEpoch === 0) return gs.map(lrOf);
    return gs.map((g) => lrOf(g) * this.gamma);
  }
}

export interface CosineAnnealingLROptions extends BaseOptions {
  tMax: number;
  etaMin?: number;
}

/** Cosine annealing from the base lr to etaMin over tMax steps (and back, periodically), chained as PyTorch. */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingLROptions) {
    checkOptions('CosineAnnealingLR', options, ['tMax', 'etaMin', ...BASE_KEYS]);
    super('CosineAnnealingLR', optimizer, options ?? {});
    this.tMax = checkNumber('CosineAnnealingLR', 'tMax', options?.tMax, positiveInt, 'a positive integer');
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, Number.isFinite, 'a finite number');
    this.initialStep();
  }

  protected computeLr(): number[] {
    const gs = groups(this.optimizer);
    const e = this.lastEpoch;
    const T = this.tMax;
    if (e === 0) return gs.map(lrOf);
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if (pyMod(e - 1 - T, 2 * T) === 0) {
      return gs.map((g, i) => lrOf(g) + ((this.baseLrs[i] - this.etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return gs.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lrOf(g) - this.etaMin) + this.etaMin);
  }
}

export interface LinearLROptions extends BaseOptions {
  startFactor?: number;
  endFactor?: number;
  totalIters?: number;
}

/** Scales the lr linearly from startFactor to endFactor over totalIters steps. */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: AnyOptimizer, options: LinearLROptions = {}) {
    checkOptions('LinearLR', options, ['startFactor', 'endFactor', 'totalIters', ...BASE_KEYS]);
    super('LinearLR', optimizer, options ?? {});
    const inUnit = (x: number): boolean => x > 0 && x <= 1;
    this.startFactor = checkNumber('LinearLR', 'startFactor', options.startFactor ?? 1 / 3, inUnit, 'greater than 0 and at most 1');
    this.endFactor = checkNumber('LinearLR', 'endFactor', options.endFactor ?? 1, (x) => x >= 0 && x <= 1, 'between 0 and 1');
    this.totalIters = checkNumber('LinearLR', 'totalIters', options.totalIters ?? 5, (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer');
    this.initialStep();
  }

  protected computeLr(): number[] {
    const gs = groups(this.optimizer);
    const e = this.lastEpoch;
    if (e === 0) return gs.map((g) => lrOf(g) * this.startFactor);
    if (e > this.totalIters) return gs.map(lrOf);
    const d = this.endFactor - this.startFactor;
    return gs.map((g) => lrOf(g) * (1 + d / (this.totalIters * this.startFactor + (e - 1) * d)));
  }
}

export interface LambdaLROptions extends BaseOptions {
  /** lr = base lr × lrLambda(step): one function for every group or one per group. */
  lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[];
}

/** lr = base lr × lrLambda(step). The functions are not part of stateDict(), as in PyTorch. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: ((epoch: number) => number)[];

  constructor(optimizer: AnyOptimizer, options: LambdaLROptions) {
    checkOptions('LambdaLR', options, ['lrLambda', ...BASE_KEYS]);
    super('LambdaLR', optimizer, options ?? {});
    const count = this.optimizer.paramGroups.length;
    const f = options?.lrLambda;
    const list = Array.isArray(f) ? f : Array(count).fill(f) as unknown[];
    if (list.length !== count) throw new Error(`LambdaLR: Expected ${count} lr_lambdas, but got ${list.length}`);
    if (!list.every((x) => typeof x === 'function')) throw new Error(`LambdaLR: lrLambda must be a function or a list of functions, got ${typeof f}`);
    this.lrLambdas = list as ((epoch: number) => number)[];
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((b, i) => {
      const factor = this.lrLambdas[i](this.lastEpoch);
      if (typeof factor !== 'number') throw new Error(`LambdaLR: lrLambda must return a number, got ${typeof factor}`);
      return b * factor;
    });
  }
}

