// Helpers shared by the ops: dtype checks, views, and reducing a broadcast gradient back to its input's shape.

import { allocStorage, kernels } from '../../backend/index.js';
import { broadcastStrides, formatShape, numel, sameShape, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty } from './create.js';

export function requireFloat(t: Tensor, op: string): void {
  t.storage(op);
  if (t.dtype !== 'float32') {
    throw new Error(`${op}: expected a float32 tensor, got ${t.dtype} (shape ${formatShape(t.shape)})`);
  }
}

export function requireTensor(value: unknown, op: string, name: string): asserts value is Tensor {
  if (!(value instanceof Tensor)) {
    throw new Error(`${op}: ${name} must be a Tensor, got ${value === null ? 'null' : typeof value}`);
  }
}

/**
 * A new tensor object reading `t`'s elements in row-major order with `shape`: a view over the same storage
 * when `t` is contiguous, else over a contiguous copy. Never hands out the same object twice.
 */
export function viewOf(t: Tensor, shape: Shape = t.shape): Tensor {
  if (t.isContiguous()) return new Tensor(t, shape, t.dtype);
  const copy = allocStorage(t.storage('view').dtype, t.numel());
  kernels.copy(t.storage('view'), copy);
  return new Tensor(copy, shape, t.dtype);
}

/** The adjoint of broadcasting: sums `grad` (of the broadcast shape) down to `shape`. */
export function reduceTo(grad: Tensor, shape: Shape): Tensor {
  if (sameShape(grad.shape, shape)) return viewOf(grad);
  if (numel(shape) === numel(grad.shape)) return viewOf(grad, shape);
  const out = empty(shape);
  kernels.sumTo(grad.storage('backward'), out.storage('backward'), grad.shape, broadcastStrides(shape, grad.shape));
  return out;
}

/** `t` materialised with the (broadcast) shape `shape` (any dtype). */
export function expandTo(t: Tensor, shape: Shape): Tensor {
  if (sameShape(t.shape, shape)) return viewOf(t);
  const out = empty(shape, t.dtype);
  kernels.expand(t.storage('expand'), out.storage('expand'), shape, broadcastStrides(t.shape, shape));
  return out;
}
