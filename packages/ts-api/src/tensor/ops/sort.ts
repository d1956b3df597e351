// sort: the values along a dim in order and where they came from (torch.sort). The order is found in
// JavaScript per line; the values are a gather by it, so the gradient goes back to where each came from.

import { normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { tensor } from './create.js';
import { valuesIndices, type ValuesIndices } from './extrema.js';
import { gather } from './gather.js';
import { requireFloat } from './util.js';

/**
 * `[values, indices]` of `x` sorted along `dim` (ascending unless `descending`), like `torch.sort`.
 * NaN sorts as the largest value, as in PyTorch; equal values keep their order (PyTorch's stable=True).
 */
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  requireFloat(x, 'sort');
  if (typeof descending !== 'boolean') throw new Error(`sort: descending must be a boolean, got ${typeof descending}`);
  if (x.ndim === 0) {
    const [v, i] = sort(x.reshape(1), 0, descending);
    return valuesIndices(v.reshape([]), i.reshape([]));
  }
  const d = normalizeDim(dim, x.ndim, 'sort');
  const shape = x.shape;
  const n = shape[d];
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
  const data = x.contiguous().toArray() as Float32Array;
  const order = new Int32Array(data.length);
  const key = (v: number): number => (Number.isNaN(v) ? Infinity : v);
  const line = Array.from({ length: n }, (_, k) => k);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number): number => data[(o * n + k) * inner + i];
      const sorted = [...line].sort((a, b) => {
        const va = at(a);
        const vb = at(b);
        // NaN above +Infinity; ties by position (stable)
        const c = Number.isNaN(va) || Number.isNaN(vb)
          ? Number(Number.isNaN(va)) - Number(Number.isNaN(vb))
          : key(va) - key(vb);
        return (descending ? -c : c) || a - b;
      });
      sorted.forEach((k, j) => { order[(o * n + j) * inner + i] = k; });
    }
  }
  const indices = tensor(Array.from(order), { dtype: 'int32' }).reshape(shape);
  return valuesIndices(gather(x, d, indices), indices);
}
