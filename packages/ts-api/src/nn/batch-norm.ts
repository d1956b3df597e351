// nn.BatchNorm1d / nn.BatchNorm2d: PyTorch's arguments, parameters (weight, bias) and buffers
// (running_mean, running_var, num_batches_tracked) under PyTorch's state-dict names, train / eval behaviour.

import { checkOptions } from '../options.js';
import { batchNorm } from '../tensor/ops/batch-norm.js';
import { empty, tensor } from '../tensor/ops/create.js';
import { add } from '../tensor/ops/elementwise.js';
import { copyInto } from '../tensor/ops/shape.js';
import { noGrad } from '../tensor/grad-mode.js';
import { keep } from '../tensor/scope.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { ones_, zeros_ } from './init.js';
import { describable, Module } from './module.js';
import { Parameter } from './parameter.js';

export interface BatchNormOptions {
  eps?: number;
  /** null: the running statistics are the cumulative average of every batch's. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Tensor | null;
  bias: Tensor | null;
  /** The buffers (null without trackRunningStats); loadStateDict writes into these tensors. */
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;

  constructor(numFeatures: number, options: BatchNormOptions) {
    super();
    const op = this.constructor.name;
    checkOptions(op, options, ['eps', 'momentum', 'affine', 'trackRunningStats']);
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`${op}: numFeatures must be a positive integer, got ${String(numFeatures)}`);
    const eps = options.eps ?? 1e-5;
    if (typeof eps !== 'number' || !(eps >= 0)) throw new Error(`${op}: eps must be a non-negative number, got ${String(eps)}`);
    const momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (momentum !== null && (typeof momentum !== 'number' || !Number.isFinite(momentum))) {
      throw new Error(`${op}: momentum must be a finite number or null, got ${String(momentum)}`);
    }
    for (const k of ['affine', 'trackRunningStats'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'boolean') throw new Error(`${op}: ${k} must be a boolean, got ${String(options[k])}`);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    this.weight = this.affine ? Parameter(ones_(empty([numFeatures]))) : null;
    this.bias = this.affine ? Parameter(zeros_(empty([numFeatures]))) : null;
    if (this.trackRunningStats) {
      this.runningMean = keep(zeros_(empty([numFeatures])));
      this.runningVar = keep(ones_(empty([numFeatures])));
      this.numBatchesTracked = keep(tensor(0, { dtype: 'int32' }));
    } else {
      this.runningMean = this.runningVar = this.numBatchesTracked = null;
    }
    this.registerBuffer('running_mean', this.runningMean);
    this.registerBuffer('running_var', this.runningVar);
    this.registerBuffer('num_batches_tracked', this.numBatchesTracked);
  }

  /** Throws unless the input has the dims this layer takes. */
  protected abstract checkInput(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    if (input.shape[1] !== this.numFeatures) {
      throw new Error(`${this.constructor.name}(${this.numFeatures}) got input of shape ${formatShape(input.shape)}: expected ${this.numFeatures} channels in dim 1, got ${input.shape[1]}`);
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked !== null) {
      const nbt = this.numBatchesTracked;
      noGrad(() => copyInto(nbt, add(nbt, 1)));
      if (this.momentum === null) factor = 1 / nbt.item();
    }
    const batchStats = this.training || this.runningMean === null;
    const track = !this.training || this.trackRunningStats;
    return batchNorm(input, track ? this.runningMean : null, track ? this.runningVar : null, {
      weight: this.weight, bias: this.bias, training: batchStats, momentum: factor, eps: this.eps,
    });
  }

  override extraRepr(): string {
    const momentum = this.momentum === null ? 'None' : String(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${this.affine ? 'True' : 'False'}, track_running_stats=${this.trackRunningStats ? 'True' : 'False'}`;
  }
}

/** Python's repr of a float for the common cases (1e-05, 0.001). */
function pyFloat(v: number): string {
  if (v !== 0 && Math.abs(v) < 1e-4) {
    const [m, e] = v.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

/** Batch norm over [N, C] or [N, C, L] per channel C. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }
  protected checkInput(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) throw new Error(`BatchNorm1d: expected 2D or 3D input (got ${input.ndim}D input)`);
  }
}

/** Batch norm over [N, C, H, W] per channel C. */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }
  protected checkInput(input: Tensor): void {
    if (input.ndim !== 4) throw new Error(`BatchNorm2d: expected 4D input (got ${input.ndim}D input)`);
  }
}

const fields = (m: BatchNormBase): Record<string, unknown> => ({
  numFeatures: m.numFeatures, eps: m.eps, momentum: m.momentum, affine: m.affine, trackRunningStats: m.trackRunningStats,
});
const options = (d: Record<string, unknown>): BatchNormOptions => ({
  eps: d.eps as number, momentum: d.momentum as number | null, affine: d.affine as boolean, trackRunningStats: d.trackRunningStats as boolean,
});
describable(BatchNorm1d, 'BatchNorm1d', fields, (d) => new BatchNorm1d(d.numFeatures as number, options(d)));
describable(BatchNorm2d, 'BatchNorm2d', fields, (d) => new BatchNorm2d(d.numFeatures as number, options(d)));
