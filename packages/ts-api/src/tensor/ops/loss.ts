// Losses: cross-entropy fused on logits (the core computes logsumexp(o) − o_y, never log(softmax)),
// and mean squared error composed from element-wise ops.

import { checkOptions } from '../../options.js';
import { kernels, type Reduction } from '../../backend/index.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { square, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { requireFloat, requireTensor } from './util.js';

export interface CrossEntropyOptions {
  reduction?: Reduction;
  labelSmoothing?: number;
}

export function checkReduction(reduction: string, where: string): Reduction {
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') {
    throw new Error(`${where}: reduction must be 'none', 'mean' or 'sum', got '${reduction}'`);
  }
  return reduction;
}

/** `F.cross_entropy(logits [N, C], target [N] int32)` with reduction and label smoothing. */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const where = 'CrossEntropyLoss';
  checkOptions(where, options, ['reduction', 'labelSmoothing']);
  requireTensor(logits, where, 'input');
  requireTensor(target, where, 'target');
  requireFloat(logits, where);
  const reduction = checkReduction(options.reduction ?? 'mean', where);
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`${where}: labelSmoothing must be in [0, 1], got ${eps}`);
  if (target.dtype !== 'int32') {
    throw new Error(`${where}: target must be int32 class indices, got a ${target.dtype} tensor (use tensor(labels, { dtype: 'int32' }))`);
  }
  if (logits.ndim !== 2) {
    throw new Error(`${where}: input must be [batch, classes] logits, got shape ${formatShape(logits.shape)}`);
  }
  const [rows, classes] = logits.shape;
  if (target.ndim !== 1 || target.shape[0] !== rows) {
    throw new Error(`${where}: target must have shape [${rows}] to match input ${formatShape(logits.shape)}, got ${formatShape(target.shape)}`);
  }
  const out = empty(reduction === 'none' ? [rows] : []);
  kernels.crossEntropy(logits.storage(where), target.storage(where), rows, classes, eps, reduction, out.storage(where));
  return out.record('crossEntropy', [logits], (g) => {
    const dx = empty(logits.shape);
    const scale = reduction === 'mean' ? 1 / rows : 1;
    kernels.crossEntropyBackward(logits.storage(where), target.storage(where), rows, classes, eps, g.storage(where), scale, dx.storage(where));
    return [dx];
  });
}

/** `F.mse_loss(input, target)`: mean (or sum, or none) of squared differences. */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkOptions('MSELoss', options, ['reduction']);
  const reduction = checkReduction(options.reduction ?? 'mean', 'MSELoss');
  requireFloat(input, 'MSELoss');
  requireFloat(target, 'MSELoss');
  if (formatShape(input.shape) !== formatShape(target.shape)) {
    throw new Error(`MSELoss: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
  const diff = sub(input, target);
  const sq = square(diff);
  if (reduction === 'none') return sq;
  return reduction === 'mean' ? mean(sq) : sum(sq);
}
