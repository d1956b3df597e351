// Loss modules: CrossEntropyLoss (fused on logits in the core when it can be) and MSELoss.

import { checkOptions } from '../options.js';
import type { Reduction } from '../backend/index.js';
import { checkClassWeight, checkIgnoreIndex, checkLabelSmoothing, checkReduction, crossEntropy, mseLoss } from '../tensor/ops/loss.js';
import { noGrad } from '../tensor/grad-mode.js';
import { eq } from '../tensor/ops/compare.js';
import { any } from '../tensor/ops/logical.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { fromData, toData } from './losses.js';
import { describable, Module, type ModuleDescription } from './module.js';

const SHARE_OF_MEAN = Symbol('shareOfMean');

/**
 * A worker's share of a data-parallel 'mean' is scaled by its rows over the batch's rows, which is the
 * mean only when no row is ignored: a label equal to ignoreIndex throws there rather than skew the loss.
 */
function refuseIgnored(target: Tensor, ignoreIndex: number): void {
  if (!(target instanceof Tensor) || target.dtype !== 'int32') return;
  const hit = noGrad(() => tidy(() => {
    const flags = eq(target, ignoreIndex);
    return any(flags).item() === 0 ? -1 : Array.from(flags.toArray()).indexOf(1);
  }));
  if (hit >= 0) {
    throw new Error(`CrossEntropyLoss: label ${ignoreIndex} (ignoreIndex) at index ${hit}: with workers > 1 a 'mean' divides each worker's share `
      + "by the batch's rows, which would count the ignored ones; use reduction 'sum' or 'none', or one worker");
  }
}

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
  /** Rebuilt for one worker's share of a batch whose loss is the batch's mean (see the description below). */
  [SHARE_OF_MEAN] = false;

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
    if (this[SHARE_OF_MEAN]) refuseIgnored(target, this.ignoreIndex);
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
// meanOfBatch: a copy rebuilt with another reduction is a worker's share of a mean (refuseIgnored).
describable(CrossEntropyLoss, 'CrossEntropyLoss', (m) => (shardable(m)
  ? { reduction: m.reduction, labelSmoothing: m.labelSmoothing, weight: toData(m.weight), ignoreIndex: m.ignoreIndex, meanOfBatch: m.reduction === 'mean' }
  : null),
(d: ModuleDescription) => {
  const m = new CrossEntropyLoss({
    reduction: d.reduction as Reduction, labelSmoothing: d.labelSmoothing as number,
    weight: fromData(d.weight), ignoreIndex: (d.ignoreIndex as number | undefined) ?? -100,
  });
  m[SHARE_OF_MEAN] = d.meanOfBatch === true && d.reduction !== 'mean';
  return m;
});
describable(MSELoss, 'MSELoss', (m) => ({ reduction: m.reduction }), (d) => new MSELoss({ reduction: d.reduction as Reduction }));
