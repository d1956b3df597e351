// nn.utils.clipGradNorm_: torch 1.13's clip_grad_norm_, scaling every gradient in place so that their
// combined norm is at most maxNorm, and returning that norm (before clipping) as a 0-d tensor.

import { checkOptions } from '../options.js';
import { noGrad } from '../tensor/grad-mode.js';
import { tensor } from '../tensor/ops/create.js';
import { stack } from '../tensor/ops/join.js';
import { norm } from '../tensor/ops/stats.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false). */
  errorIfNonfinite?: boolean;
}

export function clipGradNorm_(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): Tensor {
  const w = 'clipGradNorm_';
  checkOptions(w, options, ['errorIfNonfinite']);
  if (params === null || typeof params !== 'object' || (!(params instanceof Tensor) && !(Symbol.iterator in params))) {
    throw new Error(`${w}: expected a Tensor or a list of Tensors, got ${params === null ? 'null' : typeof params}`);
  }
  const list = params instanceof Tensor ? [params] : [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new Error(`${w}: parameter ${i} is not a Tensor (got ${typeof p})`);
  });
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new Error(`${w}: maxNorm must be a number, got ${String(maxNorm)}`);
  if (typeof normType !== 'number' || Number.isNaN(normType)) throw new Error(`${w}: normType must be a number (or Infinity), got ${String(normType)}`);
  const grads = list.flatMap((p) => (p.grad === null ? [] : [p.grad]));
  if (grads.length === 0) return tensor(0);
  return noGrad(() => {
    const total = tidy(() => {
      const norms = grads.map((g) => norm(g, normType));
      // PyTorch: the max of the per-gradient maxima for Infinity, else the norm of the norms.
      return norms.length === 1 ? norms[0] : norm(stack(norms), normType);
    });
    const t = total.item();
    if (options.errorIfNonfinite === true && !Number.isFinite(t)) {
      total.dispose();
      throw new Error(`${w}: The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped.`);
    }
    // float32 as PyTorch computes it: max_norm / (total + 1e-6) is reciprocal(total + 1e-6) · max_norm.
    const coef = Math.min(Math.fround(Math.fround(1 / Math.fround(t + Math.fround(1e-6))) * Math.fround(maxNorm)), 1);
    for (const g of grads) g.mul_(coef);
    return total;
  });
}
