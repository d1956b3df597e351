// Reductions: sum and mean (all, over a dim or a list of dims) with gradients; argmax and argmin
// without.

import { kernels } from '../../backend/index.js';
import { noGrad } from '../grad-mode.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { keptView, oneDim, reduceDims, reduceWith, reducedCount, reducedShape, type DimArg } from './dims.js';
import { scale } from './elementwise.js';
import { toDType } from './shape.js';
import { expandTo, requireFloat, viewOf } from './util.js';

function requireNumeric(x: Tensor, op: string): void {
  x.storage(op);
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`${op}: expected a float32 or int32 tensor, got ${x.dtype} (shape ${formatShape(x.shape)})`);
  }
}

/**
 * Sum of all elements, or over `dim` (a number or an array, negative allowed), keeping the reduced dims
 * as size 1 with `keepdim`, like `torch.sum`. An int32 or bool tensor sums to int32 (PyTorch: int64)
 * and throws when a result does not fit int32.
 */
export function sum(x: Tensor, dim?: DimArg | null, keepdim = false): Tensor {
  if (x.dtype === 'bool') {
    const counts = toDType(x, 'int32');
    const out = sum(counts, dim, keepdim);
    counts.dispose();
    return out;
  }
  requireNumeric(x, 'sum');
  const dims = reduceDims('sum', dim, x.shape);
  if (x.dtype === 'int32') return sumInt32(x, dims, keepdim);
  const out = reduceWith('sum', x, dims, keepdim, kernels.sumAxis);
  // Two ops, as PyTorch's two overloads: their nodes print as SumBackward0 and SumBackward1.
  const op = dim === undefined || dim === null ? 'sum' : 'sumDim';
  return out.record(op, [x], (g) => {
    const kept = keptView(g, x.shape, dims);
    const gx = expandTo(kept, x.shape);
    kept.dispose();
    return [gx];
  }, []);
}

function sumInt32(x: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  // Dims that are not adjacent are summed one at a time, from the last, each step exact in int64.
  const groups = dims.every((d, i) => i === 0 || d === dims[i - 1] + 1) ? [dims] : [...dims].reverse().map((d) => [d]);
  let cur = x;
  for (const group of groups) {
    const next = reduceWith('sum', cur, group, true, (a, y, outer, size, inner) => {
      const overflowed = kernels.sumAxisI32(a, y, outer, size, inner);
      if (overflowed > 0) {
        throw new Error(`sum: ${overflowed} element(s) of the result do not fit int32 (softmax-nn sums int32 tensors to int32, ` +
          `PyTorch to int64); sum x.float() instead (tensor of shape ${formatShape(x.shape)})`);
      }
    }, 'int32');
    if (cur !== x) cur.dispose();
    cur = next;
  }
  const shape = reducedShape(x.shape, dims, keepdim);
  if (cur === x) return viewOf(x, shape);
  const out = viewOf(cur, shape);
  cur.dispose();
  return out;
}

/** Mean of all elements, or over `dim` (a number or an array), like `torch.mean`; NaN over nothing. */
export function mean(x: Tensor, dim?: DimArg | null, keepdim = false): Tensor {
  x.storage('mean');
  if (x.dtype !== 'float32') {
    // PyTorch's names of the dtypes in this message
    const name = ({ int32: 'Int', bool: 'Bool' } as Record<string, string>)[x.dtype] ?? x.dtype;
    throw new Error(`mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${name}`);
  }
  const dims = reduceDims('mean', dim, x.shape);
  const k = 1 / reducedCount(x.shape, dims);
  // One node, as PyTorch's (MeanBackward0, or MeanBackward1 over dims); the same floats as scale ∘ sum.
  const out = noGrad(() => {
    const s = sum(x, dims, keepdim);
    const m = scale(s, k);
    s.dispose();
    return m;
  });
  return out.record(dim === undefined || dim === null ? 'mean' : 'meanDim', [x], (g) => {
    const gk = scale(g, k);
    const kept = keptView(gk, x.shape, dims);
    const gx = expandTo(kept, x.shape);
    kept.dispose();
    gk.dispose();
    return [gx];
  }, []);
}

/** PyTorch's checks before an arg/extreme reduction: something to reduce over. */
export function requireNonEmpty(op: string, x: Tensor, dims: readonly number[] | null): void {
  if (x.numel() > 0) return;
  if (dims === null) {
    throw new Error(`${op}(): Expected reduction dim to be specified for input.numel() == 0 (tensor of shape ${formatShape(x.shape)}). Specify the reduction dim with the 'dim' argument.`);
  }
  for (const d of dims) {
    if (x.shape[d] === 0) throw new Error(`${op}(): Expected reduction dim ${d} to have non-zero size (tensor of shape ${formatShape(x.shape)}).`);
  }
}

function argReduce(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined | null, keepdim: boolean): Tensor {
  requireFloat(x, op);
  if (dim !== undefined && dim !== null && typeof dim !== 'number') {
    throw new Error(`${op}: dim must be a single number (as in PyTorch), got ${JSON.stringify(dim)}`);
  }
  const whole = dim === undefined || dim === null;
  const dims = whole ? x.shape.map((_, i) => i) : [oneDim(op, dim, x.shape)];
  requireNonEmpty(op, x, whole ? null : dims);
  const kernel = op === 'argmax' ? kernels.argmaxAxis : kernels.argminAxis;
  if (whole) {
    const out = empty(keepdim ? x.shape.map(() => 1) : [], 'int32');
    kernel(x.storage(op), out.storage(op), 1, x.numel(), 1);
    return out;
  }
  return reduceWith(op, x, x.ndim === 0 ? [] : dims, keepdim, kernel, 'int32');
}

/** Index of the largest element (over all elements, or along `dim`), int32, first one on ties; NaN counts as largest. */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argReduce('argmax', x, dim, keepdim);
}

/** Index of the smallest element (over all elements, or along `dim`), int32, first one on ties; NaN counts as smallest. */
export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argReduce('argmin', x, dim, keepdim);
}
