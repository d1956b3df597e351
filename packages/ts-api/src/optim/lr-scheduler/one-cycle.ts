// OneCycleLR: torch 1.13's 1cycle policy, with momentum (or Adam's beta1) cycling against the lr.

import { checkOptions } from '../../options.js';
import { BASE_KEYS, checkNumber, groups, LRScheduler, perGroup, type AnyOptimizer, type BaseOptions } from './base.js';

export interface OneCycleLROptions extends BaseOptions {
  maxLr: number | number[];
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

type Key = 'initial' | 'max' | 'min' | 'maxMomentum' | 'baseMomentum';
interface Phase { endStep: number; startLr: Key; endLr: Key; startMomentum: Key; endMomentum: Key }

const W = 'OneCycleLR';

export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  readonly annealStrategy: 'cos' | 'linear';
  readonly #phases: Phase[];
  /** Per group: PyTorch's initial_lr, max_lr, min_lr, max_momentum and base_momentum. */
  readonly #values: Record<Key, number>[];
  readonly #useBeta1: boolean;

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    checkOptions(W, options, ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum',
      'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase', ...BASE_KEYS]);
    super(W, optimizer, options ?? {});
    const o = options ?? ({} as OneCycleLROptions);
    const posInt = (x: number): boolean => Number.isInteger(x) && x > 0;
    if (o.totalSteps !== undefined) {
      this.totalSteps = checkNumber(W, 'totalSteps', o.totalSteps, posInt, 'a positive integer');
    } else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      this.totalSteps = checkNumber(W, 'epochs', o.epochs, posInt, 'a positive integer') * checkNumber(W, 'stepsPerEpoch', o.stepsPerEpoch, posInt, 'a positive integer');
    } else {
      throw new Error(`${W}: You must define either totalSteps OR (epochs AND stepsPerEpoch)`);
    }
    const pct = checkNumber(W, 'pctStart', o.pctStart ?? 0.3, (x) => x >= 0 && x <= 1, 'a number between 0 and 1');
    const n = this.totalSteps;
    this.#phases = o.threePhase === true
      ? [
          { endStep: pct * n - 1, startLr: 'initial', endLr: 'max', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pct * n - 2, startLr: 'max', endLr: 'initial', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: n - 1, startLr: 'initial', endLr: 'min', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pct * n - 1, startLr: 'initial', endLr: 'max', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: n - 1, startLr: 'max', endLr: 'min', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    if (o.threePhase !== undefined && typeof o.threePhase !== 'boolean') throw new Error(`${W}: threePhase must be true or false, got ${String(o.threePhase)}`);
    const strategy = o.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') throw new Error(`${W}: annealStrategy must be 'cos' or 'linear', got ${String(strategy)}`);
    this.annealStrategy = strategy;
    const gs = groups(this.optimizer);
    const maxLrs = perGroup(W, 'maxLr', o.maxLr, gs.length);
    const div = checkNumber(W, 'divFactor', o.divFactor ?? 25, (x) => x > 0, 'a positive number');
    const finalDiv = checkNumber(W, 'finalDivFactor', o.finalDivFactor ?? 1e4, (x) => x > 0, 'a positive number');
    if (o.cycleMomentum !== undefined && typeof o.cycleMomentum !== 'boolean') throw new Error(`${W}: cycleMomentum must be true or false, got ${String(o.cycleMomentum)}`);
    this.cycleMomentum = o.cycleMomentum ?? true;
    this.#useBeta1 = 'betas' in gs[0];
    if (this.cycleMomentum && !('momentum' in gs[0]) && !this.#useBeta1) {
      throw new Error(`${W}: the optimiser must support momentum (momentum or betas) with cycleMomentum enabled; pass cycleMomentum: false`);
    }
    const maxMom = perGroup(W, 'maxMomentum', o.maxMomentum ?? 0.95, gs.length);
    const baseMom = perGroup(W, 'baseMomentum', o.baseMomentum ?? 0.85, gs.length);
    this.#values = maxLrs.map((m, i) => ({ initial: m / div, max: m, min: m / div / finalDiv, maxMomentum: maxMom[i], baseMomentum: baseMom[i] }));
    gs.forEach((g, i) => {
      // PyTorch's base_lrs are the initial lrs, and the momentum starts at its maximum.
      this.baseLrs[i] = this.#values[i].initial;
      if (this.cycleMomentum) this.#setMomentum(g, maxMom[i]);
    });
    this.initialStep();
  }

  #setMomentum(g: Record<string, unknown>, m: number): void {
    if (this.#useBeta1) g.betas = [m, (g.betas as number[])[1]];
    else g.momentum = m;
  }

  #anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected computeLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) throw new Error(`${W}: Tried to step ${step} times. The specified number of total steps is ${this.totalSteps}`);
    return groups(this.optimizer).map((g, gi) => {
      const v = this.#values[gi];
      let start = 0;
      for (let i = 0; i < this.#phases.length; i++) {
        const p = this.#phases[i];
        if (step <= p.endStep || i === this.#phases.length - 1) {
          const pct = (step - start) / (p.endStep - start);
          if (this.cycleMomentum) this.#setMomentum(g, this.#anneal(v[p.startMomentum], v[p.endMomentum], pct));
          return this.#anneal(v[p.startLr], v[p.endLr], pct);
        }
        start = p.endStep;
      }
      throw new Error(`${W}: no phase for step ${step}`);
    });
  }
}
