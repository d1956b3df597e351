// Element-wise kernels on two tensors of one storage dtype with broadcasting: the modulo layouts the
// kernels take directly, else both operands materialised at the broadcast shape.

import type { Storage } from '../../backend/index.js';
import type { DType } from '../dtype.js';
import { broadcastShapes, isTrailingBroadcast, numel, sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { expandTo } from './util.js';

/** A new `dtype` tensor of the broadcast shape of a and b, written by `run(a, b, y)` on storages. */
export function pairwise(op: string, a: Tensor, b: Tensor, dtype: DType, run: (a: Storage, b: Storage, y: Storage) => void): Tensor {
  a.storage(op);
  b.storage(op);
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = empty(shape, dtype);
  if (numel(shape) === 0) return out;
  const fits = (t: Tensor): boolean => sameShape(t.shape, shape) || isTrailingBroadcast(t.shape, shape);
  const ea = fits(a) ? null : expandTo(a, shape);
  const eb = fits(b) ? null : expandTo(b, shape);
  try {
    run((ea ?? a).storage(op), (eb ?? b).storage(op), out.storage(op));
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    ea?.dispose();
    eb?.dispose();
  }
  return out;
}
