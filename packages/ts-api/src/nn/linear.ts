// nn.Linear: y = x·Wᵀ + b, weight [out, in], PyTorch's default init (torch/nn/modules/linear.py).

import { checkOptions } from '../options.js';
import { empty } from '../tensor/ops/create.js';
import { linear } from '../tensor/ops/linalg.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { kaimingUniform_, uniform_, calculateFanInAndFanOut } from './init.js';
import { describable, Module } from './module.js';
import { Parameter } from './parameter.js';

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    checkOptions('Linear', options, ['bias']);
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = Parameter(empty([outFeatures, inFeatures]));
    this.bias = options.bias === false ? null : Parameter(empty([outFeatures]));
    this.resetParameters();
  }

  /** Kaiming-uniform weight with a = √5 and bias U(±1/√fan_in), exactly as PyTorch. */
  resetParameters(): void {
    kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    if (input.ndim < 1 || input.shape[input.ndim - 1] !== this.inFeatures) {
      throw new Error(
        `Linear(${this.inFeatures}→${this.outFeatures}) got input of shape ${formatShape(input.shape)}; expected [..., ${this.inFeatures}]`,
      );
    }
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}

describable(Linear, 'Linear', (m) => ({ inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias !== null }),
  (d) => new Linear(d.inFeatures as number, d.outFeatures as number, { bias: d.bias as boolean }));
