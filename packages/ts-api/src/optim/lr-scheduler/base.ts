// The scheduler base (PyTorch's _LRScheduler) and the checks every scheduler shares.

import type { Optimizer } from '../optimizer.js';

export type AnyOptimizer = Optimizer<object>;
export type Group = Record<string, unknown>;

export function groups(opt: AnyOptimizer): Group[] {
  return opt.paramGroups.map((g) => g.options as unknown as Group);
}

export function lrOf(g: Group): number {
  return g.lr as number;
}

/** Python's % (the sign of the divisor), which CosineAnnealingLR's period test relies on. */
export function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function checkOptimizer(where: string, opt: unknown): AnyOptimizer {
  if (opt === null || typeof opt !== 'object' || !Array.isArray((opt as AnyOptimizer).paramGroups)) {
    throw new Error(`${where}: expected an optimiser (e.g. optim.SGD), got ${opt === null ? 'null' : typeof opt}`);
  }
  return opt as AnyOptimizer;
}

export function checkNumber(where: string, name: string, v: unknown, ok: (x: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !ok(v)) throw new Error(`${where}: ${name} must be ${what}, got ${String(v)}`);
  return v;
}

export const positiveInt = (x: number): boolean => Number.isInteger(x) && x > 0;

/** One value per parameter group: a number for all of them, or a list as long as the groups. */
export function perGroup(where: string, name: string, v: number | readonly number[], count: number): number[] {
  if (Array.isArray(v)) {
    if (v.length !== count) throw new Error(`${where}: expected ${count} values for ${name} (one per parameter group), got ${v.length}`);
    return v.map((x) => checkNumber(where, name, x, Number.isFinite, 'a finite number'));
  }
  return Array(count).fill(checkNumber(where, name, v, Number.isFinite, 'a finite number or a list of them')) as number[];
}

/** Python's '{:.4e}' (two-digit exponent), for verbose messages as PyTorch prints them. */
export function sci(x: number): string {
  return x.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** State of a scheduler, as stateDict() gives it and loadStateDict() takes it. */
export type SchedulerState = Record<string, number | number[] | null>;

export const BASE_KEYS = ['lastEpoch', 'verbose'];

export interface BaseOptions {
  /** Only -1 (a fresh schedule) is supported: resume with loadStateDict(). */
  lastEpoch?: number;
  /** Print each group's new learning rate at every step, as PyTorch does. */
  verbose?: boolean;
}

/** PyTorch's _LRScheduler: construction takes the first step (lastEpoch 0). */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  readonly baseLrs: number[];
  lastEpoch = -1;
  readonly verbose: boolean;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  protected constructor(where: string, optimizer: unknown, options: BaseOptions) {
    this.optimizer = checkOptimizer(where, optimizer);
    if (options.lastEpoch !== undefined && options.lastEpoch !== -1) {
      throw new Error(`${where}: lastEpoch other than -1 is not supported; resume a schedule with loadStateDict(stateDict)`);
    }
    if (options.verbose !== undefined && typeof options.verbose !== 'boolean') {
      throw new Error(`${where}: verbose must be true or false, got ${String(options.verbose)}`);
    }
    this.verbose = options.verbose ?? false;
    this.baseLrs = groups(this.optimizer).map(lrOf);
  }

  /** Subclasses call this at the end of their constructor (PyTorch's _initial_step). */
  protected initialStep(): void {
    this.step();
  }

  /** The learning rates for `lastEpoch`, from the groups' current ones. */
  protected abstract computeLr(): number[];

  /** Moves the schedule on by one step and sets every group's lr. */
  step(): void {
    this.stepCount += 1;
    this.lastEpoch += 1;
    const lrs = this.computeLr();
    groups(this.optimizer).forEach((g, i) => {
      g.lr = lrs[i];
      if (this.verbose) console.log(`Adjusting learning rate of group ${i} to ${sci(lrs[i])}.`);
    });
    this.lastLr = lrs;
  }

  /** The learning rates the last step set, one per parameter group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerState {
    return { lastEpoch: this.lastEpoch, stepCount: this.stepCount, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /** Restores what stateDict() gave (the optimiser's lrs come from the optimiser's own state dict). */
  loadStateDict(state: SchedulerState): void {
    const where = `${this.constructor.name}.loadStateDict`;
    if (state === null || typeof state !== 'object') throw new Error(`${where}: expected a state object, got ${String(state)}`);
    const own = this.stateDict();
    for (const key of Object.keys(own)) {
      if (!(key in state)) throw new Error(`${where}: the state has no '${key}'`);
      if (Array.isArray(own[key]) && (!Array.isArray(state[key]) || (state[key] as number[]).length !== (own[key] as number[]).length)) {
        throw new Error(`${where}: '${key}' must be a list of ${(own[key] as number[]).length} numbers`);
      }
    }
    this.lastEpoch = state.lastEpoch as number;
    this.stepCount = state.stepCount as number;
    this.baseLrs.splice(0, this.baseLrs.length, ...(state.baseLrs as number[]));
    this.lastLr = [...(state.lastLr as number[])];
  }
}
