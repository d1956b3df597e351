// The notes' `accuracy(y_hat, y)` (number of correct predictions), computed in the core. Here, below
// train/ and parallel/, because both count hits: the epoch loop and the data-parallel workers.

import { noGrad } from '../tensor/grad-mode.js';
import { tidy } from '../tensor/scope.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** Number of rows of `yHat` [N, C] whose argmax equals the label in `y` [N] (d2l's `accuracy`). */
export function accuracy(yHat: Tensor, y: Tensor): number {
  if (yHat.ndim !== 2 || y.ndim !== 1 || yHat.shape[0] !== y.shape[0]) {
    throw new Error(`accuracy: expected predictions [N, C] and labels [N], got ${formatShape(yHat.shape)} and ${formatShape(y.shape)}`);
  }
  return noGrad(() => tidy(() => {
    const labels = y.dtype === 'int32' ? y : y.int();
    return yHat.argmax(1).eq(labels).float().sum().item();
  }));
}
