// optim.Adam and optim.AdamW (torch 1.13's _single_tensor_adam; AdamW decays the weights directly).

import { kernels } from '../backend/index.js';
import { checkOptions } from '../options.js';
import { Optimizer, type ParamsArg } from './optimizer.js';

const KEYS = ['lr', 'betas', 'eps', 'weightDecay'] as const;

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

type Resolved = Required<AdamOptions>;

abstract class AdamBase extends Optimizer<Resolved> {
  protected abstract readonly decoupled: boolean;

  protected validate(o: Resolved): void {
    const name = this.constructor.name;
    if (!(o.lr >= 0)) throw new Error(`${name}: Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new Error(`${name}: Invalid epsilon value: ${o.eps}`);
    if (!(o.betas[0] >= 0 && o.betas[0] < 1)) throw new Error(`${name}: Invalid beta parameter at index 0: ${o.betas[0]}`);
    if (!(o.betas[1] >= 0 && o.betas[1] < 1)) throw new Error(`${name}: Invalid beta parameter at index 1: ${o.betas[1]}`);
    if (!(o.weightDecay >= 0)) throw new Error(`${name}: Invalid weight_decay value: ${o.weightDecay}`);
  }

  step(): void {
    for (const group of this.paramGroups) {
      const o = group.options;
      for (const p of group.params) {
        if (p.grad === null) continue;
        const s = this.stateOf(p);
        if (s.tensors.expAvg === undefined) {
          s.tensors.expAvg = this.buffer(p);
          s.tensors.expAvgSq = this.buffer(p);
          s.numbers.step = 0;
        }
        s.numbers.step += 1;
        kernels.adamStep(
          p.mutableStorage('Adam.step'), p.grad.storage('Adam.step'),
          s.tensors.expAvg.mutableStorage('Adam.step'), s.tensors.expAvgSq.mutableStorage('Adam.step'),
          { lr: o.lr, beta1: o.betas[0], beta2: o.betas[1], eps: o.eps, weightDecay: o.weightDecay, step: s.numbers.step, decoupled: this.decoupled },
        );
      }
    }
  }
}

export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: ParamsArg<AdamOptions>, options: AdamOptions = {}) {
    checkOptions('Adam', options, KEYS);
    super(params as ParamsArg<Resolved>, {
      lr: options.lr ?? 1e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8, weightDecay: options.weightDecay ?? 0,
    }, 'Adam', KEYS);
  }
}

export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: ParamsArg<AdamOptions>, options: AdamOptions = {}) {
    checkOptions('AdamW', options, KEYS);
    super(params as ParamsArg<Resolved>, {
      lr: options.lr ?? 1e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8, weightDecay: options.weightDecay ?? 1e-2,
    }, 'AdamW', KEYS);
  }
}
