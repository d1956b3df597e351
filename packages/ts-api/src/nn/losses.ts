// Loss modules over nn/loss-functions.ts: BCEWithLogitsLoss, BCELoss, NLLLoss, L1Loss, SmoothL1Loss,
// HuberLoss, with PyTorch's options as an options object.

import type { Reduction } from '../backend/index.js';
import { checkReduction } from '../tensor/ops/loss.js';
import { tensor } from '../tensor/ops/create.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, huberLoss, l1Loss, nllLoss, smoothL1Loss,
  type BCEOptions, type BCEWithLogitsOptions, type HuberLossOptions, type NLLLossOptions, type SmoothL1LossOptions,
} from './loss-functions.js';
import { describable, Module, type ModuleDescription } from './module.js';
import { checkOptions } from '../options.js';

/** A weight tensor as plain data, so that a data-parallel replica can rebuild the loss. */
interface TensorData { shape: number[]; values: number[] }
export const toData = (t: Tensor | null): TensorData | null => (t === null ? null : { shape: [...t.shape], values: Array.from(t.toArray()) });
export const fromData = (d: unknown): Tensor | null => {
  if (d === null || d === undefined) return null;
  const { shape, values } = d as TensorData;
  return tensor(new Float32Array(values), { shape });
};

export class BCEWithLogitsLoss extends Module {
  readonly reduction: Reduction;
  readonly weight: Tensor | null;
  readonly posWeight: Tensor | null;
  constructor(options: BCEWithLogitsOptions = {}) {
    super();
    checkOptions('BCEWithLogitsLoss', options, ['weight', 'posWeight', 'reduction']);
    this.reduction = checkReduction(options.reduction ?? 'mean', 'BCEWithLogitsLoss');
    this.weight = options.weight ?? null;
    this.posWeight = options.posWeight ?? null;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

export class BCELoss extends Module {
  readonly reduction: Reduction;
  readonly weight: Tensor | null;
  constructor(options: BCEOptions = {}) {
    super();
    checkOptions('BCELoss', options, ['weight', 'reduction']);
    this.reduction = checkReduction(options.reduction ?? 'mean', 'BCELoss');
    this.weight = options.weight ?? null;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class NLLLoss extends Module {
  readonly reduction: Reduction;
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  constructor(options: NLLLossOptions = {}) {
    super();
    checkOptions('NLLLoss', options, ['weight', 'ignoreIndex', 'reduction']);
    this.reduction = checkReduction(options.reduction ?? 'mean', 'NLLLoss');
    this.weight = options.weight ?? null;
    this.ignoreIndex = options.ignoreIndex ?? -100;
    if (!Number.isInteger(this.ignoreIndex)) throw new Error(`NLLLoss: ignoreIndex must be an integer, got ${this.ignoreIndex}`);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class L1Loss extends Module {
  readonly reduction: Reduction;
  constructor(options: { reduction?: Reduction } = {}) {
    super();
    checkOptions('L1Loss', options, ['reduction']);
    this.reduction = checkReduction(options.reduction ?? 'mean', 'L1Loss');
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

export class SmoothL1Loss extends Module {
  readonly reduction: Reduction;
  readonly beta: number;
  constructor(options: SmoothL1LossOptions = {}) {
    super();
    checkOptions('SmoothL1Loss', options, ['reduction', 'beta']);
    this.reduction = checkReduction(options.reduction ?? 'mean', 'SmoothL1Loss');
    this.beta = options.beta ?? 1;
    if (!(this.beta >= 0)) throw new Error(`SmoothL1Loss: beta must be a number >= 0, got ${this.beta}`);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class HuberLoss extends Module {
  readonly reduction: Reduction;
  readonly delta: number;
  constructor(options: HuberLossOptions = {}) {
    super();
    checkOptions('HuberLoss', options, ['reduction', 'delta']);
    this.reduction = checkReduction(options.reduction ?? 'mean', 'HuberLoss');
    this.delta = options.delta ?? 1;
    if (!(this.delta > 0)) throw new Error(`HuberLoss: delta must be a number > 0, got ${this.delta}`);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

const red = (d: ModuleDescription): Reduction => d.reduction as Reduction;
describable(BCEWithLogitsLoss, 'BCEWithLogitsLoss', (m) => ({ reduction: m.reduction, weight: toData(m.weight), posWeight: toData(m.posWeight) }),
  (d) => new BCEWithLogitsLoss({ reduction: red(d), weight: fromData(d.weight), posWeight: fromData(d.posWeight) }));
describable(BCELoss, 'BCELoss', (m) => ({ reduction: m.reduction, weight: toData(m.weight) }),
  (d) => new BCELoss({ reduction: red(d), weight: fromData(d.weight) }));
// A weighted mean, or a mean that an ignoreIndex ≥ 0 may shrink, divides by what only the whole batch
// knows: data-parallel shards (which scale by the element count) cannot reproduce it, so no description.
const shardable = (m: NLLLoss): boolean => m.reduction !== 'mean' || (m.weight === null && m.ignoreIndex < 0);
describable(NLLLoss, 'NLLLoss', (m) => (shardable(m) ? { reduction: m.reduction, weight: toData(m.weight), ignoreIndex: m.ignoreIndex } : null),
  (d) => new NLLLoss({ reduction: red(d), weight: fromData(d.weight), ignoreIndex: d.ignoreIndex as number }));
describable(L1Loss, 'L1Loss', (m) => ({ reduction: m.reduction }), (d) => new L1Loss({ reduction: red(d) }));
describable(SmoothL1Loss, 'SmoothL1Loss', (m) => ({ reduction: m.reduction, beta: m.beta }),
  (d) => new SmoothL1Loss({ reduction: red(d), beta: d.beta as number }));
describable(HuberLoss, 'HuberLoss', (m) => ({ reduction: m.reduction, delta: m.delta }),
  (d) => new HuberLoss({ reduction: red(d), delta: d.delta as number }));
