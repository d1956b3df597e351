// Per-batch metrics, computed in the core: the notes' `accuracy(y_hat, y)` (number of correct
// predictions; in nn/, as data-parallel workers count hits too) and the summed loss.

import { noGrad } from '../tensor/grad-mode.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';

export { accuracy } from '../nn/metrics.js';

/** Sum of a loss over the batch, from a per-sample loss [N] (reduction 'none') or a mean scalar. */
export function lossSum(l: Tensor, batchSize: number): number {
  return noGrad(() => tidy(() => (l.ndim === 0 ? l.item() * batchSize : l.sum().item())));
}
