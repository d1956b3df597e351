// Shape ops: copies (expand, clone, dtype casts, copy_); the views (reshape, flatten, squeeze,
// unsqueeze, detach) live in view.ts.

import { kernels, KernelError, Status, type Storage } from '../../backend/index.js';
import { checkDType } from '../dtype.js';
import { formatShape, sameShape } from '../shape.js';
import { Tensor, type DType } from '../tensor.js';
import { empty } from './create.js';
import { reduceTo, viewOf } from './util.js';

/** Accepts `reshape(2, 3)` and `reshape([2, 3])`. */
export function shapeArg(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  return args.map((a) => {
    if (typeof a !== 'number') throw new Error(`reshape: expected the shape as numbers or one array, got ${JSON.stringify(args)}`);
    return a;
  });
}

export { reshape, flatten, squeeze, unsqueeze, detach } from './view.js';

/** Broadcasts to `shape` (-1 keeps a dim) as a view; the gradient is summed back. */
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
  // A view with stride 0 on the broadcast dims, as PyTorch's (writing into it throws, see writeWith).
  const xs = x.stride();
  const strides = target.map((d, i) => (i < offset || (x.shape[i - offset] === 1 && d !== 1) ? 0 : xs[i - offset]));
  const out = x._view(target, { strides, offset: x.storageOffset() });
  out.record('expand', [x], (g) => [reduceTo(g, x.shape)], [], true);
  out._base = x;
  return out;
}

export function clone(x: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  kernels.copy(x.storage('clone'), out.storage('clone'));
  return out.record('clone', [x], (g) => [viewOf(g)], []);
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

/** Copies `src` into `dst` in place (same shape; dtypes converted), outside autograd (loadStateDict). */
export function copyInto(dst: Tensor, src: Tensor): void {
  dst.storage('copy_');
  src.storage('copy_');
  if (!sameShape(dst.shape, src.shape)) {
    throw new Error(`copy_: shapes must match, got ${formatShape(src.shape)} into ${formatShape(dst.shape)}`);
  }
  const from = dst.sharesStorageWith(src) ? clone(src) : src;
  const s = from.storage('copy_');
  dst.writeWith('copy_', (d) => kernels.cast(s, d));
  if (from !== src) from.dispose();
}
