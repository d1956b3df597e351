// Losses: cross-entropy fused on logits (the core computes logsumexp(o) − o_y, never log(softmax)), in a
// weighted, ignore-aware kernel, or for probability targets composed (cross-entropy-options.ts); mean
// squared error.

import { checkOptions } from '../../options.js';
import { KernelError, kernels, Status, type Reduction } from '../../backend/index.js';
import { isGradEnabled } from '../grad-mode.js';
import { formatShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { checkLabels, crossEntropyProbabilities, type CrossEntropySettings } from './cross-entropy-options.js';
import { square, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { requireFloat, requireTensor } from './util.js';
import { permute, reshape, squeeze, unsqueeze } from './view.js';

export interface CrossEntropyOptions {
  reduction?: Reduction;
  labelSmoothing?: number;
  /** One float32 weight per class ([C]), like PyTorch's `weight`. */
  weight?: Tensor | null;
  /** Class-index targets equal to it count for nothing (PyTorch's `ignore_index`, default −100). */
  ignoreIndex?: number;
}

export function checkReduction(reduction: string, where: string): Reduction {
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') {
    throw new Error(`${where}: reduction must be 'none', 'mean' or 'sum', got '${reduction}'`);
  }
  return reduction;
}

/** labelSmoothing in [0, 1], as PyTorch's `label_smoothing`. */
export function checkLabelSmoothing(eps: number, where: string): number {
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) throw new Error(`${where}: labelSmoothing must be in [0, 1], got ${String(eps)}`);
  return eps;
}

/** ignoreIndex is an integer (any: one outside int32 never equals an int32 target, as in PyTorch). */
export function checkIgnoreIndex(ignoreIndex: number, where: string): number {
  if (!Number.isInteger(ignoreIndex)) throw new Error(`${where}: ignoreIndex must be an integer, got ${String(ignoreIndex)}`);
  return ignoreIndex;
}

/** The class weights: null, or a float32 tensor of shape [classes] (classes < 0: any length) not requiring grad. */
export function checkClassWeight(weight: Tensor | null | undefined, classes: number, where: string): Tensor | null {
  if (weight === undefined || weight === null) return null;
  requireTensor(weight, where, 'weight');
  if (weight.dtype !== 'float32') throw new Error(`${where}: weight must be a float32 tensor, got ${weight.dtype}`);
  if (weight.ndim !== 1 || (classes >= 0 && weight.shape[0] !== classes)) {
    if (classes < 0) throw new Error(`${where}: weight must be 1-D (one value per class), got shape ${formatShape(weight.shape)}`);
    throw new Error(`${where}: weight must have shape [${classes}] (one per class), got ${formatShape(weight.shape)}`);
  }
  if (isGradEnabled() && weight.requiresGrad) {
    throw new Error(`${where}: gradients with respect to weight are not supported (only the input's); pass weight.detach()`);
  }
  return weight;
}

/**
 * `F.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)`. input: logits
 * [N, C], [C] or [N, C, d1, …]; target: int32 class indices of the input's shape without C, or float32
 * class probabilities of the input's shape. Indices run a kernel: the fused one without weight or
 * ignored rows, else the weighted one; probabilities are composed (cross-entropy-options.ts).
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const where = 'CrossEntropyLoss';
  checkOptions(where, options, ['reduction', 'labelSmoothing', 'weight', 'ignoreIndex']);
  requireTensor(logits, where, 'input');
  requireTensor(target, where, 'target');
  requireFloat(logits, where);
  const reduction = checkReduction(options.reduction ?? 'mean', where);
  const eps = checkLabelSmoothing(options.labelSmoothing ?? 0, where);
  const ignoreIndex = checkIgnoreIndex(options.ignoreIndex ?? -100, where);
  if (logits.ndim === 0) {
    throw new Error(`${where}: input must be [batch, classes] logits (or [classes], or [batch, classes, d1, ...]), got shape []`);
  }
  const classes = logits.shape[logits.ndim === 1 ? 0 : 1];
  const weight = checkClassWeight(options.weight, classes, where);
  const probabilities = target.dtype === 'float32';
  if (probabilities) {
    if (!sameShape(target.shape, logits.shape)) {
      throw new Error(`${where}: target must be int32 class indices, got a float32 tensor of shape ${formatShape(target.shape)} (use tensor(labels, { dtype: 'int32' })); `
        + `a float32 target holds class probabilities and must have the input's shape ${formatShape(logits.shape)}`);
    }
    if (ignoreIndex >= 0) {
      throw new Error(`${where}: ignoreIndex is not supported with probability targets (float32, the input's shape), got ignoreIndex ${ignoreIndex}; `
        + 'as in PyTorch only a negative one (which ignores nothing) is accepted');
    }
  } else {
    if (target.dtype !== 'int32') {
      throw new Error(`${where}: target must be int32 class indices or float32 class probabilities, got a ${target.dtype} tensor`);
    }
    const expected = logits.ndim === 1 ? [] : [logits.shape[0], ...logits.shape.slice(2)];
    if (!sameShape(target.shape, expected)) {
      throw new Error(`${where}: target must have shape ${formatShape(expected)} to match input ${formatShape(logits.shape)}, got ${formatShape(target.shape)}`);
    }
  }
  const settings = { reduction, labelSmoothing: eps, weight, ignoreIndex };
  if (!probabilities) return crossEntropyLabels(logits, target, settings);
  if (logits.ndim === 1) {
    const l = crossEntropyProbabilities(unsqueeze(logits, 0), unsqueeze(target, 0), settings);
    return reduction === 'none' ? squeeze(l, 0) : l;
  }
  return crossEntropyProbabilities(logits, target, settings);
}

/**
 * Class indices: the logits as rows of classes ([C] → [1, C]; [N, C, d1, …] → [N·d1·…, C], the class dim
 * moved last) through the fused kernel when no weight or ignored label needs the weighted one.
 */
function crossEntropyLabels(logits: Tensor, target: Tensor, s: CrossEntropySettings): Tensor {
  const nd = logits.ndim;
  const classes = logits.shape[nd === 1 ? 0 : 1];
  const rows = target.numel();
  const classLast = (): number[] => [0, ...Array.from({ length: nd - 2 }, (_, i) => i + 2), 1];
  const x = nd === 1 ? unsqueeze(logits, 0) : nd === 2 ? logits : reshape(permute(logits, classLast()), [rows, classes]);
  const t = nd === 2 ? target : reshape(target, [rows]);
  let l: Tensor | null = null;
  if (s.weight === null && !(s.ignoreIndex >= 0 && s.ignoreIndex < classes)) l = fusedCrossEntropy(x, t, s.reduction, s.labelSmoothing);
  l ??= weightedCrossEntropy(x, t, s, target);
  return s.reduction === 'none' && nd !== 2 ? reshape(l, target.shape) : l;
}

/**
 * The weighted, ignore-aware kernel on [N, C] logits and int32 labels (PyTorch's weight, ignore_index and
 * label_smoothing together); a label neither ignored nor a class is named at its place in `named`.
 */
function weightedCrossEntropy(logits: Tensor, target: Tensor, s: CrossEntropySettings, named: Tensor): Tensor {
  const where = 'CrossEntropyLoss';
  const [rows, classes] = logits.shape;
  const { reduction, labelSmoothing: eps, ignoreIndex } = s;
  const weight = s.weight ?? empty([0]);
  const out = empty(reduction === 'none' ? [rows] : []);
  try {
    kernels.crossEntropyWeighted(logits.storage(where), target.storage(where), weight.storage(where), rows, classes, ignoreIndex, eps, reduction, out.storage(where));
  } catch (e) {
    if (!(e instanceof KernelError && e.code === Status.INDEX_OUT_OF_RANGE)) throw e;
    out.dispose();
    checkLabels(named, classes, ignoreIndex, where);
    throw e;
  }
  return out.record('crossEntropy', [logits], (g) => {
    const dx = empty(logits.shape);
    kernels.crossEntropyWeightedBackward(logits.storage(where), target.storage(where), weight.storage(where), rows, classes, ignoreIndex, eps,
      reduction, g.storage(where), dx.storage(where));
    return [dx];
  }, [logits, target, weight]);
}

/**
 * The fused kernel on [N, C] logits and int32 labels; null when a label is outside [0, C) (it may be
 * ignoreIndex: the weighted kernel then ignores it or the bad label is named), checked before anything is written.
 */
function fusedCrossEntropy(logits: Tensor, target: Tensor, reduction: Reduction, eps: number): Tensor | null {
  const where = 'CrossEntropyLoss';
  const [rows, classes] = logits.shape;
  const out = empty(reduction === 'none' ? [rows] : []);
  try {
    kernels.crossEntropy(logits.storage(where), target.storage(where), rows, classes, eps, reduction, out.storage(where));
  } catch (e) {
    if (!(e instanceof KernelError && e.code === Status.INDEX_OUT_OF_RANGE)) throw e;
    out.dispose();
    return null;
  }
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
