// nn.functional.gumbelSoftmax: a sample from the Gumbel-softmax distribution, drawing its noise from the
// core's seeded generator (so not PyTorch's values; its statistics and straight-through gradient are).

import { randLike } from '../tensor/ops/random.js';
import { add, div, log, neg, sub } from '../tensor/ops/elementwise.js';
import { argmax } from '../tensor/ops/reduce.js';
import { scatter } from '../tensor/ops/gather.js';
import { zerosLike } from '../tensor/ops/create.js';
import { softmax } from '../tensor/ops/softmax.js';
import { detach } from '../tensor/ops/shape.js';
import { clamp, log1p } from '../tensor/ops/unary.js';
import { formatShape } from '../tensor/shape.js';
import { noGrad } from '../tensor/grad-mode.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../options.js';

export interface GumbelSoftmaxOptions {
  tau?: number;
  hard?: boolean;
  dim?: number;
}

/**
 * softmax((logits + g) / tau) along dim, g ~ Gumbel(0, 1) i.i.d. With `hard`, the forward is the one-hot
 * of that sample's argmax and the gradient is the soft sample's (y_hard − y_soft.detach() + y_soft).
 */
export function gumbelSoftmax(logits: Tensor, options: GumbelSoftmaxOptions = {}): Tensor {
  const where = 'gumbelSoftmax';
  if (!(logits instanceof Tensor)) throw new Error(`${where}: logits must be a Tensor, got ${logits === null ? 'null' : typeof logits}`);
  if (logits.dtype !== 'float32') throw new Error(`${where}: logits must be a float32 tensor, got ${logits.dtype}`);
  checkOptions(where, options, ['tau', 'hard', 'dim']);
  const tau = options.tau ?? 1;
  const hard = options.hard ?? false;
  const dim = options.dim ?? -1;
  if (typeof tau !== 'number' || !(tau > 0) || !Number.isFinite(tau)) throw new Error(`${where}: tau must be a finite number > 0, got ${String(tau)}`);
  if (typeof hard !== 'boolean') throw new Error(`${where}: hard must be a boolean, got ${String(hard)}`);
  if (!Number.isInteger(dim) || logits.ndim === 0 || dim < -logits.ndim || dim >= logits.ndim) {
    throw new Error(`${where}: dim must be an integer in [${-logits.ndim}, ${logits.ndim - 1}] for logits of shape ${formatShape(logits.shape)}, got ${String(dim)}`);
  }
  // g = −log(E), E = −log(1 − U) ~ Exp(1) as PyTorch's exponential_; E is kept ≥ the smallest normal
  // float so that a draw of U = 0 gives a large finite g, not +inf (and a NaN softmax).
  const gumbels = noGrad(() => {
    const e = clamp(neg(log1p(neg(randLike(logits)))), 1.1754944e-38);
    return neg(log(e));
  });
  const ySoft = softmax(div(add(logits, gumbels), tau), dim);
  if (!hard) return ySoft;
  const d = dim < 0 ? dim + logits.ndim : dim;
  const yHard = noGrad(() => scatter(zerosLike(logits), d, argmax(ySoft, d, true), 1));
  return add(sub(yHard, detach(ySoft)), ySoft);
}
