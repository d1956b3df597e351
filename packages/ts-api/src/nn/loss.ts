// Loss modules: CrossEntropyLoss (fused on logits in the core when it can be) and MSELoss.

import { checkOptions } from '../options.js';
import type { Reduction } from '../backend/index.js';
import { checkClassWeight, checkIgnoreIndex, checkLabelSmoothing, checkReduction, crossEntropy, mseLoss } from '../tensor/ops/loss.js';
import { Tensor } from '../tensor/tensor.js';
import { fromData, toData } from './losses.js';
import { describable, Module, type ModuleDescription } from './module.js';

export interface CrossEntropyLossOptions {
  reduction?: Reduction;
  labelSmoothing?: number;
  /** One float32 weight per class ([C]); registered as the buffer `weight`, as in PyTorch. */
  weight?: Tensor | null;
  /** Class-index targets equal to it count for nothing (default −100, as PyTorch). */
  ignoreIndex?: number;
}

/**
 * Cross-entropy on un-normalised logits, like `nn.CrossEntropyLoss`: logits [N, C] (or [C], or
 * [N, C, d1, …]) against int32 class indices or float32 class probabilities of the input's shape.
 */
export class CrossEntropyLoss extends Module {
  readonly reduction: Reduction;
  readonly labelSmoothing: number;
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;

  constructor(options: CrossEntropyLossOptions = {}) {
    super();
    const where = 'CrossEntropyLoss';
    checkOptions(where, options, ['reduction', 'labelSmoothing', 'weight', 'ignoreIndex']);
    this.reduction = checkReduction(options.reduction ?? 'mean', where);
    this.labelSmoothing = checkLabelSmoothing(options.labelSmoothing ?? 0, where);
    this.ignoreIndex = checkIgnoreIndex(options.ignoreIndex ?? -100, where);
    const weight = options.weight ?? null;
    // Its length is checked against the input's classes at forward.
    if (weight !== null) checkClassWeight(weight, weight instanceof Tensor && weight.ndim === 1 ? weight.shape[0] : -1, where);
    this.weight = weight;
    this.registerBuffer('weight', weight);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      reduction: this.reduction, labelSmoothing: this.labelSmoothing, weight: this.weight, ignoreIndex: this.ignoreIndex,
    });
  }
}

export class MSELoss extends Module {
  readonly reduction: Reduction;

  constructor(options: { reduction?: Reduction } = {}) {
    super();
    checkOptions('MSELoss', options, ['reduction']);
    this.reduction = checkReduction(options.reduction ?? 'mean', 'MSELoss');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

// As NLLLoss (nn/losses.ts): a 'mean' with weights or an ignoreIndex that a label can hit divides by what
// only the whole batch knows, which data-parallel shards cannot reproduce: no description then.
const shardable = (m: CrossEntropyLoss): boolean => m.reduction !== 'mean' || (m.weight === null && m.ignoreIndex < 0);
describable(CrossEntropyLoss, 'CrossEntropyLoss', (m) => (shardable(m)
  ? { reduction: m.reduction, labelSmoothing: m.labelSmoothing, weight: toData(m.weight), ignoreIndex: m.ignoreIndex }
  : null),
(d: ModuleDescription) => new CrossEntropyLoss({
  reduction: d.reduction as Reduction, labelSmoothing: d.labelSmoothing as number,
  weight: fromData(d.weight), ignoreIndex: (d.ignoreIndex as number | undefined) ?? -100,
}));
describable(MSELoss, 'MSELoss', (m) => ({ reduction: m.reduction }), (d) => new MSELoss({ reduction: d.reduction as Reduction }));
