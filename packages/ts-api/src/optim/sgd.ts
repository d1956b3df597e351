// optim.SGD with momentum, dampening, Nesterov and weight decay (torch/optim/sgd.py's order of operations).

import { kernels } from '../backend/index.js';
import { checkOptions } from '../options.js';
import { Optimizer, type ParamsArg } from './optimizer.js';

const KEYS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'] as const;

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

type Resolved = Required<SGDOptions>;

export class SGD extends Optimizer<Resolved> {
  constructor(params: ParamsArg<SGDOptions>, options: SGDOptions) {
    checkOptions('SGD', options, KEYS);
    if (options === undefined || typeof options.lr !== 'number') {
      throw new Error('SGD: options.lr (the learning rate) is required, e.g. new optim.SGD(net.parameters(), { lr: 0.1 })');
    }
    super(params as ParamsArg<Resolved>, {
      lr: options.lr,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
    }, 'SGD', KEYS);
  }

  protected validate(o: Resolved): void {
    if (!(o.lr >= 0)) throw new Error(`SGD: Invalid learning rate: ${o.lr}`);
    if (!(o.momentum >= 0)) throw new Error(`SGD: Invalid momentum value: ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new Error(`SGD: Invalid weight_decay value: ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new Error('SGD: Nesterov momentum requires a momentum and zero dampening');
    }
  }

  step(): void {
    for (const group of this.paramGroups) {
      const o = group.options;
      for (const p of group.params) {
        if (p.grad === null) continue;
        let buf = null;
        let firstStep = false;
        if (o.momentum !== 0) {
          const s = this.stateOf(p);
          if (s.tensors.momentumBuffer === undefined) {
            s.tensors.momentumBuffer = this.buffer(p);
            firstStep = true;
          }
          buf = s.tensors.momentumBuffer.mutableStorage('SGD.step');
        }
        kernels.sgdStep(p.mutableStorage('SGD.step'), p.grad.storage('SGD.step'), buf, {
          lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.weightDecay,
          nesterov: o.nesterov, firstStep,
        });
      }
    }
  }
}
