// Cross-entropy where the kernels do not reach: probability targets, composed from logSoftmax and
// reductions as PyTorch 1.13 composes them (so values and gradients follow its formulas); and the
// message naming a label that is neither a class nor ignoreIndex.

import type { Reduction } from '../../backend/index.js';
import { noGrad } from '../grad-mode.js';
import type { Tensor } from '../tensor.js';
import { eq, ge, lt, ne } from './compare.js';
import { add, div, mul, neg } from './elementwise.js';
import { any, logicalAnd, logicalOr } from './logical.js';
import { sum } from './reduce.js';
import { logSoftmax } from './softmax.js';
import { reshape } from './view.js';
import { where } from './where.js';

export interface CrossEntropySettings {
  reduction: Reduction;
  labelSmoothing: number;
  /** [C] float32, already checked. */
  weight: Tensor | null;
  ignoreIndex: number;
}

/** The weight as [1, C, 1, …] so that it broadcasts along the class dim (1) of an input with `ndim` dims. */
function classWeight(weight: Tensor, ndim: number): Tensor {
  return reshape(weight, [1, weight.shape[0], ...Array<number>(ndim - 2).fill(1)]);
}

/** Row-major multi-index of flat position `i` in `shape`, for messages. */
function position(i: number, shape: readonly number[]): string {
  if (shape.length <= 1) return String(i);
  const at: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    at.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return `[${at.join(', ')}]`;
}

/** Throws naming the first label that is neither a class in [0, C) nor ignoreIndex (any int32 ignoreIndex). */
export function checkLabels(target: Tensor, classes: number, ignoreIndex: number, op: string): void {
  const matchable = ignoreIndex >= -(2 ** 31) && ignoreIndex < 2 ** 31;
  noGrad(() => {
    const kept = matchable ? ne(target, ignoreIndex) : eq(target, target);
    checkTargets(target, kept, where(kept, target, 0), classes, ignoreIndex, op);
  });
}

/** Throws naming the first target that is neither a class in [0, C) nor ignoreIndex. */
function checkTargets(target: Tensor, kept: Tensor, safe: Tensor, classes: number, ignoreIndex: number, op: string): void {
  noGrad(() => {
    const bad = logicalAnd(kept, logicalOr(lt(safe, 0), ge(safe, classes)));
    if (any(bad).item() === 0) return;
    const flags = bad.toArray();
    const i = flags.findIndex((f) => f !== 0);
    const value = target.contiguous().toArray()[i];
    throw new Error(`${op}: label ${value} at index ${position(i, target.shape)} is outside [0, ${classes}) and is not ignoreIndex (${ignoreIndex})`);
  });
}

/**
 * Probability targets of the input's shape: −Σ_c w_c·t_c·log_softmax(x)_c per row, with t smoothed to
 * t·(1 − ε) + ε/C; 'mean' divides by the number of rows (numel / C) even with weights, as PyTorch does.
 */
export function crossEntropyProbabilities(x: Tensor, target: Tensor, s: CrossEntropySettings): Tensor {
  const classes = x.shape[1];
  const eps = s.labelSmoothing;
  const t = eps > 0 ? add(mul(target, 1 - eps), eps / classes) : target;
  let prod = mul(logSoftmax(x, 1), t);
  if (s.weight !== null) prod = mul(prod, classWeight(s.weight, x.ndim));
  if (s.reduction === 'none') return neg(sum(prod, 1));
  if (s.reduction === 'sum') return neg(sum(prod));
  return div(neg(sum(prod)), x.numel() / classes);
}
