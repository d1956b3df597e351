// optim.RMSprop and optim.Adagrad (torch 1.13's _single_tensor_rmsprop / _single_tensor_adagrad; the
// arithmetic runs in the core's rmsprop_step_f32 / adagrad_step_f32).

import { kernels } from '../backend/index.js';
import { checkOptions } from '../options.js';
import { fullLike } from '../tensor/ops/create.js';
import { keep } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type ParamsArg, type ParamState } from './optimizer.js';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
}

type RmsResolved = Required<RMSpropOptions>;
const RMS_KEYS = ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered'] as const;

export class RMSprop extends Optimizer<RmsResolved> {
  constructor(params: ParamsArg<RMSpropOptions>, options: RMSpropOptions = {}) {
    checkOptions('RMSprop', options, RMS_KEYS);
    super(params as ParamsArg<RmsResolved>, {
      lr: options.lr ?? 1e-2, alpha: options.alpha ?? 0.99, eps: options.eps ?? 1e-8, weightDecay: options.weightDecay ?? 0,
      momentum: options.momentum ?? 0, centered: options.centered ?? false,
    }, 'RMSprop', RMS_KEYS);
  }

  protected validate(o: RmsResolved): void {
    if (!(o.lr >= 0)) throw new Error(`RMSprop: Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new Error(`RMSprop: Invalid epsilon value: ${o.eps}`);
    if (!(o.momentum >= 0)) throw new Error(`RMSprop: Invalid momentum value: ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new Error(`RMSprop: Invalid weight_decay value: ${o.weightDecay}`);
    if (!(o.alpha >= 0)) throw new Error(`RMSprop: Invalid alpha value: ${o.alpha}`);
    if (typeof o.centered !== 'boolean') throw new Error(`RMSprop: centered must be true or false, got ${String(o.centered)}`);
  }

  step(): void {
    for (const group of this.paramGroups) {
      const o = group.options;
      for (const p of group.params) {
        if (p.grad === null) continue;
        const s = this.stateOf(p);
        if (s.tensors.squareAvg === undefined) {
          s.numbers.step = 0;
          s.tensors.squareAvg = this.buffer(p);
          if (o.momentum > 0) s.tensors.momentumBuffer = this.buffer(p);
          if (o.centered) s.tensors.gradAvg = this.buffer(p);
        }
        s.numbers.step += 1;
        // A group whose momentum or centering is switched on later gets its buffer then.
        if (o.momentum > 0 && s.tensors.momentumBuffer === undefined) s.tensors.momentumBuffer = this.buffer(p);
        if (o.centered && s.tensors.gradAvg === undefined) s.tensors.gradAvg = this.buffer(p);
        const w = 'RMSprop.step';
        kernels.rmspropStep(
          p.mutableStorage(w), p.grad.storage(w), s.tensors.squareAvg.mutableStorage(w),
          o.centered ? s.tensors.gradAvg.mutableStorage(w) : null, o.momentum > 0 ? s.tensors.momentumBuffer.mutableStorage(w) : null,
          { lr: o.lr, alpha: o.alpha, eps: o.eps, weightDecay: o.weightDecay, momentum: o.momentum, centered: o.centered },
        );
      }
    }
  }
}

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
}

type AdagradResolved = Required<AdagradOptions>;
const ADAGRAD_KEYS = ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'] as const;

export class Adagrad extends Optimizer<AdagradResolved> {
  constructor(params: ParamsArg<AdagradOptions>, options: AdagradOptions = {}) {
    checkOptions('Adagrad', options, ADAGRAD_KEYS);
    super(params as ParamsArg<AdagradResolved>, {
      lr: options.lr ?? 1e-2, lrDecay: options.lrDecay ?? 0, weightDecay: options.weightDecay ?? 0,
      initialAccumulatorValue: options.initialAccumulatorValue ?? 0, eps: options.eps ?? 1e-10,
    }, 'Adagrad', ADAGRAD_KEYS);
    // PyTorch fills the accumulators when the optimiser is made, not at the first step.
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        this.#init(p, g.options.initialAccumulatorValue);
      }
    }
  }

  #init(p: Tensor, value: number): ParamState {
    const s = this.stateOf(p);
    s.numbers.step = 0;
    s.tensors.sum = keep(fullLike(p, value));
    return s;
  }

  protected validate(o: AdagradResolved): void {
    if (!(o.lr >= 0)) throw new Error(`Adagrad: Invalid learning rate: ${o.lr}`);
    if (!(o.lrDecay >= 0)) throw new Error(`Adagrad: Invalid lr_decay value: ${o.lrDecay}`);
    if (!(o.weightDecay >= 0)) throw new Error(`Adagrad: Invalid weight_decay value: ${o.weightDecay}`);
    if (!(o.initialAccumulatorValue >= 0)) throw new Error(`Adagrad: Invalid initial_accumulator_value value: ${o.initialAccumulatorValue}`);
    if (!(o.eps >= 0)) throw new Error(`Adagrad: Invalid epsilon value: ${o.eps}`);
  }

  step(): void {
    for (const group of this.paramGroups) {
      const o = group.options;
      for (const p of group.params) {
        if (p.grad === null) continue;
        // A state dict without this parameter's state (loadStateDict) starts it afresh.
        const s = this.stateOf(p).tensors.sum === undefined ? this.#init(p, o.initialAccumulatorValue) : this.stateOf(p);
        s.numbers.step += 1;
        const w = 'Adagrad.step';
        kernels.adagradStep(p.mutableStorage(w), p.grad.storage(w), s.tensors.sum.mutableStorage(w), {
          lr: o.lr, lrDecay: o.lrDecay, weightDecay: o.weightDecay, eps: o.eps, step: s.numbers.step,
        });
      }
    }
  }
}
