// max / min (whole tensor, along a dim with indices, or element-wise with a second tensor) and
// amax / amin over any dims, with PyTorch 1.13's gradients: to the returned index for max(dim), split
// evenly among the tied elements otherwise.

import { kernels } from '../../backend/index.js';
import { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { keptView, oneDim, reduceDims, reduceWith, reducedShape, layoutFor, type AxisKernel, type DimArg } from './dims.js';
import { binaryForward } from './elementwise.js';
import { requireNonEmpty } from './reduce.js';
import { maximum, minimum } from './unary.js';
import { expandTo, requireFloat, viewOf } from './util.js';

/**
 * `[values, indices]` with the fields `values` and `indices`, like PyTorch's named tuple
 * `torch.return_types.max`: `const [v, i] = x.max(1)` or `x.max(1).values`. At run time an array of two
 * tensors whose own `values` property (the tensor) hides Array.prototype.values.
 */
export interface ValuesIndices extends Iterable<Tensor> {
  readonly 0: Tensor;
  readonly 1: Tensor;
  readonly length: 2;
  readonly values: Tensor;
  readonly indices: Tensor;
}

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  const r = [values, indices];
  Object.defineProperties(r, { values: { value: values, enumerable: false }, indices: { value: indices, enumerable: false } });
  return r as unknown as ValuesIndices;
}

/**
 * The gradient of an extreme over `dims` that spreads g evenly over the elements equal to the result:
 * g · (x == r) / count(x == r), as PyTorch's amax / amin / max() backward.
 */
function evenBackward(x: Tensor, result: Tensor, dims: readonly number[], g: Tensor): Tensor {
  const kept = reducedShape(x.shape, dims, true);
  const r = viewOf(result, kept);
  const re = expandTo(r, x.shape);
  r.dispose();
  const isMax = empty(x.shape, 'bool');
  const mask = empty(x.shape);
  if (x.numel() > 0) {
    kernels.compare('eq', x.storage('backward'), re.storage('backward'), isMax.storage('backward'));
    kernels.cast(isMax.storage('backward'), mask.storage('backward'));
  }
  re.dispose();
  isMax.dispose();
  const count = reduceWith('backward', mask, dims, true, kernels.sumAxis);
  const gk = keptView(g, x.shape, dims);
  const share = binaryForward('div', gk, count);
  gk.dispose();
  count.dispose();
  const gx = binaryForward('mul', share, mask);
  share.dispose();
  mask.dispose();
  return gx;
}

function extreme(op: 'amax' | 'amin' | 'max' | 'min', x: Tensor, dims: readonly number[], keepdim: boolean, kernel: AxisKernel): Tensor {
  const out = reduceWith(op, x, dims, keepdim, kernel);
  return out.record(op, [x], (g) => [evenBackward(x, out, dims, g)]);
}

function amaxmin(op: 'amax' | 'amin', x: Tensor, dim: DimArg | undefined | null, keepdim: boolean): Tensor {
  requireFloat(x, op);
  const dims = reduceDims(op, dim, x.shape);
  const whole = dim === undefined || dim === null || (Array.isArray(dim) && dim.length === 0);
  requireNonEmpty(op, x, whole ? null : dims);
  return extreme(op, x, dims, keepdim, op === 'amax' ? kernels.maxAxis : kernels.minAxis);
}

/** Largest value over `dim` (a number or an array; all dims when omitted), like `torch.amax`; ties share the gradient evenly. */
export function amax(x: Tensor, dim?: DimArg | null, keepdim = false): Tensor {
  return amaxmin('amax', x, dim, keepdim);
}

/** Smallest value over `dim` (a number or an array; all dims when omitted), like `torch.amin`. */
export function amin(x: Tensor, dim?: DimArg | null, keepdim = false): Tensor {
  return amaxmin('amin', x, dim, keepdim);
}

function maxminDim(op: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  requireFloat(x, op);
  const d = oneDim(op, dim, x.shape);
  const dims = x.ndim === 0 ? [] : [d];
  requireNonEmpty(op, x, dims);
  const values = reduceWith(op, x, dims, keepdim, op === 'max' ? kernels.maxAxis : kernels.minAxis);
  const indices = reduceWith(op, x, dims, keepdim, op === 'max' ? kernels.argmaxAxis : kernels.argminAxis, 'int32');
  values.record(op, [x], (g) => {
    const gx = empty(x.shape);
    const l = layoutFor(x, dims);
    kernels.scatterAxis(g.storage('backward'), indices.storage('backward'), gx.storage('backward'), l.outer, l.size, l.inner);
    return [gx];
  });
  return valuesIndices(values, indices);
}

type Other = Tensor | number | null | undefined;

function maxOrMin(op: 'max' | 'min', x: Tensor, other: Other, keepdim: boolean): Tensor | ValuesIndices {
  if (other instanceof Tensor) {
    if (keepdim) throw new Error(`${op}: keepdim has no meaning with a second tensor (element-wise ${op === 'max' ? 'maximum' : 'minimum'})`);
    return op === 'max' ? maximum(x, other) : minimum(x, other);
  }
  if (other !== undefined && other !== null) return maxminDim(op, x, other, keepdim);
  requireFloat(x, op);
  if (keepdim) throw new Error(`${op}: keepdim needs a dim (PyTorch's ${op}() over all elements has none)`);
  const dims = reduceDims(op, undefined, x.shape);
  requireNonEmpty(op, x, null);
  return extreme(op, x, dims, false, op === 'max' ? kernels.maxAxis : kernels.minAxis);
}

/**
 * `torch.max`: `max(x)` the largest element (a 0-d tensor; ties share the gradient evenly);
 * `max(x, dim, keepdim?)` `[values, indices]` along `dim` (also `.values` / `.indices`; the gradient goes
 * to the returned index, the first maximum); `max(x, other)` the element-wise `maximum`.
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, other?: Other, keepdim = false): Tensor | ValuesIndices {
  return maxOrMin('max', x, other, keepdim);
}

/** `torch.min`: the mirror of {@link max}. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, other?: Other, keepdim = false): Tensor | ValuesIndices {
  return maxOrMin('min', x, other, keepdim);
}
