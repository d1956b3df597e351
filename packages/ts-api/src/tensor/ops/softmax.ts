// softmax / logSoftmax along a dim, max-subtracted in the core, with their gradients.

import { kernels } from '../../backend/index.js';
import { normalizeDim, splitAtDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { requireFloat } from './util.js';

export function softmax(x: Tensor, dim: number): Tensor {
  requireFloat(x, 'softmax');
  const [outer, size, inner] = splitAtDim(x.shape, normalizeDim(dim, x.ndim, 'softmax'));
  const y = empty(x.shape);
  kernels.softmax(x.storage('softmax'), y.storage('softmax'), outer, size, inner);
  return y.record('softmax', [x], (g) => {
    const dx = empty(x.shape);
    kernels.softmaxBackward(y.storage('softmax'), g.storage('softmax'), dx.storage('softmax'), outer, size, inner);
    return [dx];
  }, [y]);
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  requireFloat(x, 'logSoftmax');
  const [outer, size, inner] = splitAtDim(x.shape, normalizeDim(dim, x.ndim, 'logSoftmax'));
  const y = empty(x.shape);
  kernels.logSoftmax(x.storage('logSoftmax'), y.storage('logSoftmax'), outer, size, inner);
  return y.record('logSoftmax', [x], (g) => {
    const dx = empty(x.shape);
    kernels.logSoftmaxBackward(y.storage('logSoftmax'), g.storage('logSoftmax'), dx.storage('logSoftmax'), outer, size, inner);
    return [dx];
  }, [y]);
}
