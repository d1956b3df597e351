// batchNorm (PyTorch's F.batch_norm) over input [N, C, *]: batch statistics while training (updating
// the running ones in place), the running ones otherwise, with the gradients of input, weight and bias.

import { convKernels } from '../../backend/index.js';
import { checkOptions } from '../../options.js';
import { noGrad } from '../grad-mode.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { add, mul } from './elementwise.js';
import { copyInto } from './shape.js';
import { requireFloat, requireTensor } from './util.js';

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise with the batch's statistics (and update the running ones given); default false. */
  training?: boolean;
  /** Weight of the batch statistics in the running ones: running = (1 − momentum)·running + momentum·batch. */
  momentum?: number;
  eps?: number;
}

function perChannel(op: string, name: string, t: Tensor | null | undefined, c: number): Tensor | null {
  if (t === null || t === undefined) return null;
  requireTensor(t, op, name);
  requireFloat(t, op);
  if (t.ndim !== 1 || t.shape[0] !== c) throw new Error(`${op}: ${name} must have shape [${c}] (one per channel), got ${formatShape(t.shape)}`);
  return t;
}

/** Batch normalisation of input [N, C, *] per channel C. */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const op = 'batchNorm';
  checkOptions(op, options, ['weight', 'bias', 'training', 'momentum', 'eps']);
  requireTensor(input, op, 'input');
  requireFloat(input, op);
  if (input.ndim < 2) throw new Error(`${op}: expected input of at least 2 dims [N, C, *], got ${formatShape(input.shape)}`);
  const [n, c] = input.shape;
  const inner = input.shape.slice(2).reduce((a, b) => a * b, 1);
  const training = options.training ?? false;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  if (typeof training !== 'boolean') throw new Error(`${op}: training must be a boolean, got ${String(training)}`);
  if (typeof momentum !== 'number' || !Number.isFinite(momentum)) throw new Error(`${op}: momentum must be a finite number, got ${String(momentum)}`);
  if (typeof eps !== 'number' || !(eps >= 0)) throw new Error(`${op}: eps must be a non-negative number, got ${String(eps)}`);
  const rm = perChannel(op, 'runningMean', runningMean, c);
  const rv = perChannel(op, 'runningVar', runningVar, c);
  let weight = perChannel(op, 'weight', options.weight, c);
  let bias = perChannel(op, 'bias', options.bias, c);
  const count = n * inner;
  let mean: Tensor;
  let variance: Tensor;
  if (training) {
    if (count <= 1) throw new Error(`${op}: Expected more than 1 value per channel when training, got input size ${formatShape(input.shape)}`);
    mean = empty([c]);
    variance = empty([c]);
    convKernels.batchNormStats(input.storage(op), mean.storage(op), variance.storage(op), n, c, inner);
    noGrad(() => {
      if (rm !== null) copyInto(rm, add(mul(rm, 1 - momentum), mul(mean, momentum)));
      if (rv !== null) copyInto(rv, add(mul(rv, 1 - momentum), mul(variance, (momentum * count) / (count - 1))));
    });
  } else {
    if (rm === null || rv === null) throw new Error(`${op}: running_mean and running_var must be defined in evaluation mode (training false)`);
    // Copies: a later training step updates the running statistics in place, before this backward may run.
    mean = noGrad(() => rm.clone());
    variance = noGrad(() => rv.clone());
  }
  // One of weight / bias alone: the other is its identity (the kernel takes both or neither).
  if (weight !== null || bias !== null) {
    weight ??= noGrad(() => add(mul(bias as Tensor, 0), 1));
    bias ??= noGrad(() => mul(weight as Tensor, 0));
  }
  const w = weight;
  const b = bias;
  const y = empty(input.shape);
  convKernels.batchNormApply(input.storage(op), mean.storage(op), variance.storage(op), w === null ? null : w.storage(op),
    b === null ? null : b.storage(op), y.storage(op), n, c, inner, eps);
  const inputs = w === null || b === null ? [input] : [input, w, b];
  y.record(op, inputs, (gy) => {
    const dx = empty(input.shape);
    const dw = empty([c]);
    const db = empty([c]);
    convKernels.batchNormBackward(input.storage(op), gy.storage(op), mean.storage(op), variance.storage(op),
      w === null ? null : w.storage(op), dx.storage(op), dw.storage(op), db.storage(op), n, c, inner, eps, training);
    return w === null ? [dx] : [dx, dw, db];
  });
  if (!y.requiresGrad) {
    mean.dispose(); // not recorded: nobody will need the statistics
    variance.dispose();
  }
  return y;
}
