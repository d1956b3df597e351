// Loss modules: CrossEntropyLoss (fused on logits in the core) and MSELoss.

import { checkOptions } from '../options.js';
import type { Reduction } from '../backend/index.js';
import { checkReduction, crossEntropy, mseLoss } from '../tensor/ops/loss.js';
import type { Tensor } from '../tensor/tensor.js';
import { describable, Module, type ModuleDescription } from './module.js';

export interface CrossEntropyLossOptions {
  reduction?: Reduction;
  labelSmoothing?: number;
}

/** Cross-entropy on un-normalised logits [N, C] and int32 class indices [N], like `nn.CrossEntropyLoss`. */
export class CrossEntropyLoss extends Module {
  readonly reduction: Reduction;
  readonly labelSmoothing: number;

  constructor(options: CrossEntropyLossOptions = {}) {
    super();
    checkOptions('CrossEntropyLoss', options, ['reduction', 'labelSmoothing']);
    this.reduction = checkReduction(options.reduction ?? 'mean', 'CrossEntropyLoss');
    this.labelSmoothing = options.labelSmoothing ?? 0;
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1)) {
      throw new Error(`CrossEntropyLoss: labelSmoothing must be in [0, 1], got ${this.labelSmoothing}`);
    }
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, { reduction: this.reduction, labelSmoothing: this.labelSmoothing });
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

describable(CrossEntropyLoss, 'CrossEntropyLoss', (m) => ({ reduction: m.reduction, labelSmoothing: m.labelSmoothing }),
  (d: ModuleDescription) => new CrossEntropyLoss({ reduction: d.reduction as Reduction, labelSmoothing: d.labelSmoothing as number }));
describable(MSELoss, 'MSELoss', (m) => ({ reduction: m.reduction }), (d) => new MSELoss({ reduction: d.reduction as Reduction }));
