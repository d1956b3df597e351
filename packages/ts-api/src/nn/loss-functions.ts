// nn.functional losses beyond cross-entropy and MSE: binary cross-entropy (on probabilities and on
// logits), negative log-likelihood, L1, smooth L1 and Huber — PyTorch's formulas, composed from tensor ops.

import type { Reduction } from '../backend/index.js';
import { isGradEnabled, noGrad } from '../tensor/grad-mode.js';
import { abs, add, div, exp, log, mul, neg, sigmoid, sub } from '../tensor/ops/elementwise.js';
import { gather, indexSelect } from '../tensor/ops/gather.js';
import { checkReduction } from '../tensor/ops/loss.js';
import { mean, sum } from '../tensor/ops/reduce.js';
import { clamp, log1p } from '../tensor/ops/unary.js';
import { permute, reshape, squeeze, unsqueeze } from '../tensor/ops/view.js';
import { all, any, logicalAnd, logicalOr } from '../tensor/ops/logical.js';
import { ge, gt, le, lt, ne } from '../tensor/ops/compare.js';
import { where as whereOp } from '../tensor/ops/where.js';
import { broadcastShapes, formatShape, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../options.js';

export interface BCEOptions {
  weight?: Tensor | null;
  reduction?: Reduction;
}
export interface BCEWithLogitsOptions extends BCEOptions {
  posWeight?: Tensor | null;
}
export interface NLLLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}
export interface SmoothL1LossOptions {
  reduction?: Reduction;
  beta?: number;
}
export interface HuberLossOptions {
  reduction?: Reduction;
  delta?: number;
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'mean' ? mean(loss) : sum(loss);
}

function requireFloatTensor(t: unknown, where: string, name: string): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${where}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t.dtype !== 'float32') throw new Error(`${where}: ${name} must be a float32 tensor, got ${t.dtype}`);
  return t;
}

/** input and target of the same shape, as PyTorch requires for the binary cross-entropies. */
function pair(input: Tensor, target: Tensor, where: string): void {
  requireFloatTensor(input, where, 'input');
  requireFloatTensor(target, where, 'target');
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${where}: target size ${formatShape(target.shape)} must be the same as input size ${formatShape(input.shape)}`);
  }
}

/** An optional per-element weight that broadcasts to the input's shape without enlarging it. */
function optionalWeight(w: Tensor | null | undefined, input: Tensor, where: string, name: string): Tensor | null {
  if (w === undefined || w === null) return null;
  requireFloatTensor(w, where, name);
  if (!sameShape(broadcastShapes(input.shape, w.shape, where), input.shape)) {
    throw new Error(`${where}: ${name} of shape ${formatShape(w.shape)} must broadcast to the input's shape ${formatShape(input.shape)}`);
  }
  return w;
}

/** Gradients flow to the input only; PyTorch's target and weight gradients are not implemented here. */
function inputGradOnly(where: string, others: readonly (Tensor | null)[]): void {
  if (isGradEnabled() && others.some((t) => t !== null && t.requiresGrad)) {
    throw new Error(`${where}: gradients with respect to target, weight or posWeight are not supported (only the input's)`);
  }
}

/**
 * `F.binary_cross_entropy_with_logits`: PyTorch's stable form (1 − t)·x + m + log(e^(−m) + e^(−x−m)),
 * m = max(−x, 0), and its backward (σ(x)·(pw·t + 1 − t) − pw·t)·w.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}): Tensor {
  checkOptions('binaryCrossEntropyWithLogits', options, ['weight', 'posWeight', 'reduction']);
  const where = 'binaryCrossEntropyWithLogits';
  pair(input, target, where);
  const reduction = checkReduction(options.reduction ?? 'mean', where);
  const weight = optionalWeight(options.weight, input, where, 'weight');
  const posWeight = optionalWeight(options.posWeight, input, where, 'posWeight');
  inputGradOnly(where, [target, weight, posWeight]);
  const loss = noGrad(() => {
    const m = clamp(neg(input), 0);
    const soft = add(log(add(exp(neg(m)), exp(sub(neg(input), m)))), m);
    const logWeight = posWeight === null ? null : add(mul(sub(posWeight, 1), target), 1);
    const l = add(mul(sub(1, target), input), logWeight === null ? soft : mul(logWeight, soft));
    return weight === null ? l : mul(l, weight);
  });
  loss.record('binaryCrossEntropyWithLogits', [input], (g) => noGrad(() => {
    const s = sigmoid(input);
    let d: Tensor;
    if (posWeight === null) d = sub(s, target);
    else {
      const t = mul(posWeight, target);
      d = sub(mul(sub(add(t, 1), target), s), t);
    }
    if (weight !== null) d = mul(d, weight);
    return [mul(d, g)];
  }), [input, target]);
  return reduce(loss, reduction);
}

/**
 * `F.binary_cross_entropy` on probabilities: each log is clamped at −100 as PyTorch does, and the
 * backward is PyTorch's (x − t) / max(x(1 − x), 1e-12), so x = 0 or 1 gives large but finite gradients.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  checkOptions('binaryCrossEntropy', options, ['weight', 'reduction']);
  const where = 'binaryCrossEntropy';
  pair(input, target, where);
  const reduction = checkReduction(options.reduction ?? 'mean', where);
  const weight = optionalWeight(options.weight, input, where, 'weight');
  inputGradOnly(where, [target, weight]);
  const loss = noGrad(() => {
    if (input.numel() > 0 && all(logicalAnd(ge(input, 0), le(input, 1))).item() === 0) {
      throw new Error(`${where}: all elements of input should be between 0 and 1 (probabilities; for logits use binaryCrossEntropyWithLogits)`);
    }
    const logX = clamp(log(input), -100);
    const log1mX = clamp(log1p(neg(input)), -100);
    const l = sub(mul(sub(target, 1), log1mX), mul(target, logX));
    return weight === null ? l : mul(l, weight);
  });
  loss.record('binaryCrossEntropy', [input], (g) => noGrad(() => {
    let d = div(sub(input, target), clamp(mul(sub(1, input), input), 1e-12));
    if (weight !== null) d = mul(d, weight);
    return [mul(d, g)];
  }), [input, target]);
  return reduce(loss, reduction);
}

/**
 * `F.nll_loss` on log-probabilities [N, C] (or [C], or [N, C, d1, …]) and int32 targets of the input's
 * shape without C: −weight[y]·x[i, y]; rows whose target is ignoreIndex give 0 and, with 'mean', do not
 * count in the weighted mean's denominator.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  checkOptions('nllLoss', options, ['weight', 'ignoreIndex', 'reduction']);
  const where = 'nllLoss';
  requireFloatTensor(input, where, 'input');
  const reduction = checkReduction(options.reduction ?? 'mean', where);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new Error(`${where}: ignoreIndex must be an integer, got ${ignoreIndex}`);
  if (!(target instanceof Tensor) || target.dtype !== 'int32') {
    throw new Error(`${where}: target must be int32 class indices, got ${target instanceof Tensor ? `a ${target.dtype} tensor` : typeof target}`);
  }
  if (input.ndim === 0) {
    throw new Error(`${where}: input must be [batch, classes] log-probabilities (or [classes], or [batch, classes, d1, ...]), got shape []`);
  }
  const nd = input.ndim;
  const classes = input.shape[nd === 1 ? 0 : 1];
  const expected = nd === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  if (!sameShape(target.shape, expected)) {
    throw new Error(`${where}: target must have shape ${formatShape(expected)} to match input ${formatShape(input.shape)}, got ${formatShape(target.shape)}`);
  }
  if (nd !== 2) {
    // As rows of classes ([C] → [1, C]; [N, C, d1, …] → [N·d1·…, C], the class dim moved last).
    const rows = target.numel();
    const order = [0, ...Array.from({ length: nd - 2 }, (_, i) => i + 2), 1];
    const x = nd === 1 ? unsqueeze(input, 0) : reshape(permute(input, order), [rows, classes]);
    const l = nllLoss(x, reshape(target, [rows]), options);
    return reduction === 'none' ? reshape(l, target.shape) : l;
  }
  const weight = options.weight ?? null;
  if (weight !== null) {
    requireFloatTensor(weight, where, 'weight');
    if (weight.ndim !== 1 || weight.shape[0] !== classes) {
      throw new Error(`${where}: weight must have shape [${classes}] (one per class), got ${formatShape(weight.shape)}`);
    }
    inputGradOnly(where, [weight]);
  }
  const kept = ne(target, ignoreIndex);
  const safe = whereOp(kept, target, 0);
  noGrad(() => {
    const bad = logicalAnd(kept, logicalOr(lt(safe, 0), ge(safe, classes)));
    if (any(bad).item() !== 0) {
      const flags = bad.toArray();
      const first = target.toArray().find((_, i) => flags[i] !== 0);
      throw new Error(`${where}: target ${first} is out of bounds for ${classes} classes (ignoreIndex is ${ignoreIndex})`);
    }
  });
  const picked = squeeze(gather(input, 1, unsqueeze(safe, 1)), 1);
  // The per-row weight is a constant: weight[y], 0 on ignored rows.
  const w = noGrad(() => (weight === null ? whereOp(kept, 1, 0) : mul(indexSelect(weight, 0, safe), kept)));
  const loss = neg(mul(picked, w));
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return sum(loss);
  // Every row ignored: PyTorch's mean is 0/0 = NaN, but its gradient is 0 (no row is touched).
  const total = sum(w);
  return total.item() === 0 ? add(sum(loss), NaN) : div(sum(loss), total);
}

function differences(input: Tensor, target: Tensor, where: string): Tensor {
  requireFloatTensor(input, where, 'input');
  requireFloatTensor(target, where, 'target');
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${where}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
  return sub(input, target);
}

/** `F.l1_loss`: |input − target|. */
export function l1Loss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkOptions('l1Loss', options, ['reduction']);
  const reduction = checkReduction(options.reduction ?? 'mean', 'l1Loss');
  return reduce(abs(differences(input, target, 'l1Loss')), reduction);
}

/** `F.smooth_l1_loss`: 0.5·d²/β where |d| < β, else |d| − 0.5·β. */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  checkOptions('smoothL1Loss', options, ['reduction', 'beta']);
  const where = 'smoothL1Loss';
  const reduction = checkReduction(options.reduction ?? 'mean', where);
  const beta = options.beta ?? 1;
  if (!(beta >= 0)) throw new Error(`${where}: beta must be a number >= 0, got ${beta}`);
  const d = differences(input, target, where);
  if (beta === 0) return reduce(smoothL1Beta0(input, target, d), reduction);
  const z = abs(d);
  const quadratic = div(mul(mul(z, z), 0.5), beta);
  return reduce(whereOp(lt(z, beta), quadratic, sub(z, 0.5 * beta)), reduction);
}

/**
 * |d| with PyTorch's β = 0 backward: it tests d ≤ −β first, so at d = 0 both the input's and the
 * target's gradient are −g (the target's is computed with the two swapped), where L1's are 0.
 */
function smoothL1Beta0(input: Tensor, target: Tensor, d: Tensor): Tensor {
  const z = noGrad(() => abs(d));
  return z.record('smoothL1Loss', [input, target], (g) => noGrad(() => [
    whereOp(gt(d, 0), g, neg(g)),
    whereOp(lt(d, 0), g, neg(g)),
  ]), [input, target]);
}

/** `F.huber_loss`: 0.5·d² where |d| < δ, else δ·(|d| − 0.5·δ). */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  checkOptions('huberLoss', options, ['reduction', 'delta']);
  const where = 'huberLoss';
  const reduction = checkReduction(options.reduction ?? 'mean', where);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new Error(`${where}: delta must be a number > 0, got ${delta}`);
  const z = abs(differences(input, target, where));
  return reduce(whereOp(lt(z, delta), mul(mul(z, z), 0.5), mul(sub(z, 0.5 * delta), delta)), reduction);
}
