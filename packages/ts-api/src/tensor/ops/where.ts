// where(cond, a, b) and maskedFill: an element-wise select by a bool condition, with broadcasting and
// gradients (the gradient goes to the branch each element came from).

import { allocStorage, kernels } from '../../backend/index.js';
import { storageDType } from '../dtype.js';
import { broadcastShapes, broadcastStrides, contiguousStrides, formatShape, numel, sameShape, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { full, tensor } from './create.js';
import { reduceTo, requireTensor } from './util.js';

/** `t` materialised with the (broadcast) shape `shape`, any dtype; `t` itself when it already has it. */
export function broadcastTo(t: Tensor, shape: Shape): Tensor {
  if (sameShape(t.shape, shape) && t.isContiguous()) return t;
  const s = allocStorage(storageDType(t.dtype), numel(shape));
  const out = new Tensor(s, shape, t.dtype);
  if (numel(shape) > 0) kernels.stridedCopy(t.storage('broadcast'), s, shape, broadcastStrides(t.shape, shape), contiguousStrides(shape));
  return out;
}

export function requireMask(mask: unknown, op: string, name: string): Tensor {
  requireTensor(mask, op, name);
  if (mask.dtype !== 'bool') {
    throw new Error(`${op}: ${name} must be a bool tensor, got ${mask.dtype} (shape ${formatShape(mask.shape)}); compare to make one, e.g. x.gt(0)`);
  }
  return mask;
}

function select(cond: Tensor, a: Tensor, b: Tensor, shape: Shape, op: string): Tensor {
  const c = broadcastTo(cond, shape);
  const ea = broadcastTo(a, shape);
  const eb = broadcastTo(b, shape);
  const out = new Tensor(allocStorage(storageDType(a.dtype), numel(shape)), shape, a.dtype);
  kernels.select(c.storage(op), ea.storage(op), eb.storage(op), out.storage(op));
  for (const [t, from] of [[c, cond], [ea, a], [eb, b]]) if (t !== from) t.dispose();
  return out;
}

/** `torch.where(cond, a, b)`: a where cond is true, else b; all three broadcast together. */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const c = requireMask(cond, 'where', 'cond');
  const dtypeOf = (v: Tensor | number, other: Tensor | number): Tensor =>
    v instanceof Tensor ? v : tensor(v, { dtype: other instanceof Tensor ? other.dtype : 'float32' });
  const ta = dtypeOf(a, b);
  const tb = dtypeOf(b, a);
  if (ta.dtype !== tb.dtype) {
    throw new Error(`where: a and b must have the same dtype, got ${ta.dtype} and ${tb.dtype} (cast one with .float() or .int())`);
  }
  const shape = broadcastShapes(broadcastShapes(c.shape, ta.shape, 'where'), tb.shape, 'where');
  const out = select(c, ta, tb, shape, 'where');
  return out.record('where', [ta, tb], (g) => {
    const zero = full([], 0);
    const ga = ta.requiresGrad ? reduced(select(c, g, zero, shape, 'where'), ta.shape) : null;
    const gb = tb.requiresGrad ? reduced(select(c, zero, g, shape, 'where'), tb.shape) : null;
    zero.dispose();
    return [ga, gb];
  }, [c]);
}

function reduced(g: Tensor, shape: Shape): Tensor {
  const r = reduceTo(g, shape);
  if (r !== g && !r.sharesStorageWith(g)) g.dispose();
  return r;
}

/** `x.masked_fill(mask, value)`: value where mask is true; mask broadcasts to x's shape. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  requireTensor(x, 'maskedFill', 'x');
  const m = requireMask(mask, 'maskedFill', 'mask');
  if (typeof value !== 'number') throw new Error(`maskedFill: value must be a number, got ${typeof value}`);
  const shape = broadcastShapes(x.shape, m.shape, 'maskedFill');
  if (!sameShape(shape, x.shape)) {
    throw new Error(`maskedFill: the mask ${formatShape(m.shape)} must broadcast to the tensor's shape ${formatShape(x.shape)}`);
  }
  const v = tensor(value, { dtype: x.dtype });
  const out = select(m, v, x, shape, 'maskedFill');
  v.dispose();
  return out.record('maskedFill', [x], (g) => {
    const zero = full([], 0);
    const gx = select(m, zero, g, shape, 'maskedFill');
    zero.dispose();
    return [gx];
  }, [m]);
}
