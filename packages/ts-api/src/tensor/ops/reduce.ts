// Reductions: sum and mean (all, or over a dim) with gradients; argmax and eq without.

import { kernels } from '../../backend/index.js';
import { formatShape, normalizeDim, sameShape, splitAtDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { scale } from './elementwise.js';
import { expandTo, requireFloat, viewOf } from './util.js';

function reducedShape(shape: readonly number[], dim: number | undefined, keepdim: boolean): number[] {
  if (dim === undefined) return keepdim ? shape.map(() => 1) : [];
  return keepdim ? shape.map((d, i) => (i === dim ? 1 : d)) : shape.filter((_, i) => i !== dim);
}

/** Sum of all elements, or over `dim` (keeping it as size 1 with `keepdim`), like `torch.sum`. */
export function sum(x: Tensor, dim?: number, keepdim = false): Tensor {
  requireFloat(x, 'sum');
  const d = dim === undefined ? undefined : normalizeDim(dim, x.ndim, 'sum');
  const [outer, size, inner] = d === undefined ? [1, x.numel(), 1] : splitAtDim(x.shape, d);
  const out = empty(reducedShape(x.shape, d, keepdim));
  kernels.sumAxis(x.storage('sum'), out.storage('sum'), outer, size, inner);
  return out.record('sum', [x], (g) => {
    const kept = viewOf(g, reducedShape(x.shape, d, true));
    const gx = expandTo(kept, x.shape);
    kept.dispose();
    return [gx];
  }, []);
}

/** Mean of all elements, or over `dim`, like `torch.mean`. */
export function mean(x: Tensor, dim?: number, keepdim = false): Tensor {
  requireFloat(x, 'mean');
  const d = dim === undefined ? undefined : normalizeDim(dim, x.ndim, 'mean');
  const count = d === undefined ? x.numel() : x.shape[d];
  return scale(sum(x, d, keepdim), 1 / count);
}

/** Index of the largest element (over all elements, or along `dim`), int32, first one on ties. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  requireFloat(x, 'argmax');
  if (x.numel() === 0) throw new Error('argmax: the tensor is empty');
  const d = dim === undefined ? undefined : normalizeDim(dim, x.ndim, 'argmax');
  const [outer, size, inner] = d === undefined ? [1, x.numel(), 1] : splitAtDim(x.shape, d);
  const out = empty(reducedShape(x.shape, d, keepdim), 'int32');
  kernels.argmaxAxis(x.storage('argmax'), out.storage('argmax'), outer, size, inner);
  return out;
}

/** Element-wise equality of two tensors of the same shape and dtype, as int32 0/1 (no gradient). */
export function eq(a: Tensor, b: Tensor): Tensor {
  a.storage('eq');
  b.storage('eq');
  if (!sameShape(a.shape, b.shape)) {
    throw new Error(`eq: shapes must match, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  if (a.dtype !== b.dtype) throw new Error(`eq: dtypes must match, got ${a.dtype} and ${b.dtype}`);
  const out = empty(a.shape, 'int32');
  kernels.equal(a.storage('eq'), b.storage('eq'), out.storage('eq'));
  return out;
}
