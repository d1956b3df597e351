// Shape ops: views that share storage (reshape, flatten, squeeze, unsqueeze, detach), and copies
// (expand, clone, dtype casts, copy_).

import { kernels, KernelError, Status, type Storage } from '../../backend/index.js';
import { checkDType } from '../dtype.js';
import { formatShape, inferShape, normalizeDim, sameShape } from '../shape.js';
import { Tensor, type DType } from '../tensor.js';
import { empty } from './create.js';
import { expandTo, reduceTo, viewOf } from './util.js';

/** Accepts `reshape(2, 3)` and `reshape([2, 3])`. */
export function shapeArg(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  return args.map((a) => {
    if (typeof a !== 'number') throw new Error(`reshape: expected the shape as numbers or one array, got ${JSON.stringify(args)}`);
    return a;
  });
}

function viewWithGrad(x: Tensor, shape: readonly number[], op: string): Tensor {
  return viewOf(x, shape).record(op, [x], (g) => [viewOf(g, x.shape)]);
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  x.storage('reshape');
  return viewWithGrad(x, inferShape(shape, x.numel(), x.shape), 'reshape');
}

/** Flattens dims startDim..endDim into one, like `torch.flatten`. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  x.storage('flatten');
  if (x.ndim === 0) return viewWithGrad(x, [1], 'flatten');
  const s = normalizeDim(startDim, x.ndim, 'flatten');
  const e = normalizeDim(endDim, x.ndim, 'flatten');
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${formatShape(x.shape)}`);
  const merged = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return viewWithGrad(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)], 'flatten');
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  x.storage('squeeze');
  if (dim === undefined) return viewWithGrad(x, x.shape.filter((d) => d !== 1), 'squeeze');
  const d = normalizeDim(dim, x.ndim, 'squeeze');
  return viewWithGrad(x, x.shape[d] === 1 ? x.shape.filter((_, i) => i !== d) : x.shape, 'squeeze');
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  x.storage('unsqueeze');
  const d = normalizeDim(dim, x.ndim + 1, 'unsqueeze');
  return viewWithGrad(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)], 'unsqueeze');
}

/** Broadcasts to `shape` (-1 keeps a dim), copying the data; the gradient is summed back. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  x.storage('expand');
  if (shape.length < x.ndim) {
    throw new Error(`expand: the target shape ${formatShape(shape)} has fewer dims than the tensor ${formatShape(x.shape)}`);
  }
  const offset = shape.length - x.ndim;
  const target = shape.map((d, i) => (d === -1 && i >= offset ? x.shape[i - offset] : d));
  target.forEach((d, i) => {
    const own = i >= offset ? x.shape[i - offset] : 1;
    if (own !== d && own !== 1) {
      throw new Error(`expand: the size ${own} of dim ${i - offset} must match ${d} or be 1 (expanding ${formatShape(x.shape)} to ${formatShape(shape)})`);
    }
  });
  if (x.dtype !== 'float32') throw new Error(`expand: expected a float32 tensor, got ${x.dtype}`);
  return expandTo(x, target).record('expand', [x], (g) => [reduceTo(g, x.shape)]);
}

export function detach(x: Tensor): Tensor {
  x.storage('detach');
  return viewOf(x);
}

export function clone(x: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  kernels.copy(x.storage('clone'), out.storage('clone'));
  return out.record('clone', [x], (g) => [viewOf(g)]);
}

/** kernels.cast with the op's name on the error for a float that int32 cannot hold. */
function castStorage(op: string, src: Storage, dst: Storage): void {
  try {
    kernels.cast(src, dst);
  } catch (e) {
    if (e instanceof KernelError && e.code === Status.INDEX_OUT_OF_RANGE) {
      throw new Error(`${op}: ${e.message.slice(e.kernel.length + 2)}`);
    }
    throw e;
  }
}

/**
 * A copy converted to `dtype`, like PyTorch's `x.to(dtype)`: float → int32 truncates toward zero and
 * throws for NaN, ±Infinity or a value outside int32 (undefined in PyTorch); any → bool is `!= 0`.
 * Only a float32 → float32 copy keeps the graph (identity gradient); the other casts cut it.
 */
export function toDType(x: Tensor, dtype: DType, op = 'to'): Tensor {
  checkDType(dtype, op);
  x.storage(op);
  if (x.dtype === dtype) return clone(x);
  const out = empty(x.shape, dtype);
  try {
    castStorage(op, x.storage(op), out.storage(op));
  } catch (e) {
    out.dispose();
    throw e;
  }
  return out;
}

/** Copies `src` into `dst` in place (same shape; dtypes converted), outside autograd. */
export function copyInto(dst: Tensor, src: Tensor): void {
  dst.storage('copy_');
  src.storage('copy_');
  if (!sameShape(dst.shape, src.shape)) {
    throw new Error(`copy_: shapes must match, got ${formatShape(src.shape)} into ${formatShape(dst.shape)}`);
  }
  if (dst.sharesStorageWith(src)) return;
  if (dst.dtype === src.dtype) kernels.copy(src.storage('copy_'), dst.storage('copy_'));
  else castStorage('copy_', src.storage('copy_'), dst.storage('copy_'));
}
