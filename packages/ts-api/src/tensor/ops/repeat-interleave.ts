// repeatInterleave: each entry along a dim repeated in place (PyTorch's torch.repeat_interleave), as an
// indexSelect with the repeated positions, so its gradient sums each entry's copies.

import { formatShape, normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { tensor } from './create.js';
import { indexSelect } from './gather.js';

/**
 * `x` with entry i along `dim` repeated `repeats[i]` times (or `repeats` times each), like
 * `torch.repeat_interleave(x, repeats, dim)`; without `dim` the input is flattened first.
 */
export function repeatInterleave(x: Tensor, repeats: number | Tensor, dim?: number | null): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`repeatInterleave: input must be a Tensor, got ${typeof x}`);
  const src = dim === undefined || dim === null ? x.reshape(-1) : x;
  const d = dim === undefined || dim === null ? 0 : normalizeDim(dim, Math.max(x.ndim, 1), 'repeatInterleave');
  const n = src.ndim === 0 ? 1 : src.shape[d];
  let counts: number[];
  if (typeof repeats === 'number') {
    if (!Number.isInteger(repeats)) throw new Error(`repeatInterleave: repeats must be an integer or an int32 tensor, got ${repeats}`);
    counts = new Array<number>(n).fill(repeats);
  } else if (repeats instanceof Tensor) {
    if (repeats.dtype !== 'int32') throw new Error(`repeatInterleave: repeats must be an int32 tensor (PyTorch: int64), got ${repeats.dtype}`);
    if (repeats.ndim > 1) throw new Error(`repeatInterleave: repeats must be 0-dim or 1-dim tensor, got shape ${formatShape(repeats.shape)}`);
    const values = Array.from(repeats.toArray() as Int32Array);
    if (values.length === 1) counts = new Array<number>(n).fill(values[0]);
    else if (values.length === n) counts = values;
    else throw new Error(`repeatInterleave: repeats must have the same size as input along dim, but got repeats.size(0) = ${values.length} and input.size(${d}) = ${n}`);
  } else {
    throw new Error(`repeatInterleave: repeats must be an integer or an int32 tensor, got ${typeof repeats}`);
  }
  if (counts.some((c) => c < 0)) throw new Error('repeatInterleave: repeats can not be negative');
  const positions: number[] = [];
  counts.forEach((c, i) => {
    for (let k = 0; k < c; k++) positions.push(i);
  });
  // Not disposed here: indexSelect's backward reads the index, and the flattened view is in the graph.
  return indexSelect(src, d, tensor(positions, { dtype: 'int32' }));
}
