// Views: tensors that share their input's storage with other strides and offset (select, narrow, permute,
// transpose, view, squeeze…), with gradients, and the copies reshape/contiguous fall back to.

import { kernels, subStorage } from '../../backend/index.js';
import { contiguousStrides, formatShape, inferShape, normalizeDim, numel, sameShape, type Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { zeros } from './create.js';
import { viewOf } from './util.js';

/** One dim of a view: which dim of the input it walks (-1: a new axis of size 1), with what step. */
export interface ViewDim {
  readonly size: number;
  readonly src: number;
  readonly step: number;
}

/**
 * The view of `x` whose dim k walks input dim `dims[k].src` by `dims[k].step` from `starts` (one per input
 * dim). Its gradient scatters into zeros of x's shape at the same places.
 */
export function stridedView(x: Tensor, op: string, dims: readonly ViewDim[], starts: readonly number[]): Tensor {
  x.storage(op);
  const shape = dims.map((d) => d.size);
  const xs = x.stride();
  const logical = contiguousStrides(x.shape);
  const place = (st: readonly number[], base: number): { strides: number[]; offset: number } => {
    let offset = base;
    starts.forEach((s, d) => { offset += s * st[d]; });
    const strides = dims.map((d) => (d.src >= 0 ? d.step * st[d.src] : 1));
    return { strides, offset };
  };
  const at = place(logical, 0);
  return viewAt(x, op, shape, at.strides, at.offset, place(xs, x.storageOffset()));
}

/**
 * The view of `x` at `strides` / `offset` of x's row-major layout (`actual`: where that is in the
 * storage, when x itself is a view), recorded with the gradient that scatters back.
 */
export function viewAt(x: Tensor, op: string, shape: Shape, strides: readonly number[], offset: number,
  actual: { strides: readonly number[]; offset: number } = { strides, offset: x.storageOffset() + offset }): Tensor {
  const out = x._view(shape, actual);
  out.record(op, [x], (g) => [scatterInto(g, x.shape, shape, strides, offset)], [], true);
  out._base = x;
  return out;
}

/** zeros(full), with `g` (of `shape`) written at offset + Σ idx·strides: the adjoint of a view. */
function scatterInto(g: Tensor, full: Shape, shape: Shape, strides: readonly number[], offset: number): Tensor {
  const gx = zeros(full);
  if (numel(shape) === 0) return gx;
  const s = gx.mutableStorage('backward');
  kernels.stridedCopy(g.storage('backward'), subStorage(s, offset, s.length - offset), shape, contiguousStrides(shape), strides);
  return gx;
}

const identity = (x: Tensor): ViewDim[] => x.shape.map((size, src) => ({ size, src, step: 1 }));

function checkIndex(i: number, dim: number, size: number, op: string): number {
  if (!Number.isInteger(i)) throw new Error(`${op}: an index must be an integer, got ${String(i)}`);
  if (i < -size || i >= size) throw new Error(`${op}: index ${i} is out of bounds for dimension ${dim} with size ${size}`);
  return i < 0 ? i + size : i;
}

/** x[..., i, ...] along `dim`, dropping the dim (a view), like `torch.select`. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.ndim === 0) throw new Error('select: cannot select from a 0-dim tensor');
  const d = normalizeDim(dim, x.ndim, 'select');
  const i = checkIndex(index, d, x.shape[d], 'select');
  const starts = x.shape.map((_, k) => (k === d ? i : 0));
  return stridedView(x, 'select', identity(x).filter((_, k) => k !== d), starts);
}

/** Which output of a function returning several views (unbind) a tensor is: PyTorch forbids rewriting those in place. */
const multiOutputViews = new WeakMap<Tensor, number>();

/** Set when `t` (direct) or a view it was cut from is one of several views one call returned: which one. */
export function multiOutputView(t: Tensor): { output: number; direct: boolean } | null {
  for (let v: Tensor | null = t; v !== null; v = v._base) {
    const output = multiOutputViews.get(v);
    if (output !== undefined) return { output, direct: v === t };
  }
  return null;
}

/** Every slice along `dim`, that dim removed (views), like `torch.unbind`: what iterating a tensor gives. */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  if (x.ndim === 0) throw new Error(`unbind: Dimension specified as ${String(dim)} but tensor has no dimensions`);
  const d = normalizeDim(dim, x.ndim, 'unbind');
  const dims = identity(x).filter((_, k) => k !== d);
  return Array.from({ length: x.shape[d] }, (_, i) => {
    const out = stridedView(x, 'unbind', dims, x.shape.map((_, k) => (k === d ? i : 0)));
    multiOutputViews.set(out, i);
    return out;
  });
}

/** `length` elements of `dim` from `start` (a view), like `torch.narrow`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  if (x.ndim === 0) throw new Error('narrow: cannot narrow a 0-dim tensor');
  const d = normalizeDim(dim, x.ndim, 'narrow');
  const size = x.shape[d];
  if (!Number.isInteger(start) || !Number.isInteger(length)) throw new Error(`narrow: start and length must be integers, got ${start} and ${length}`);
  if (start < -size || start > size) throw new Error(`narrow: start ${start} is out of range for dimension ${d} with size ${size} (expected ${-size}..${size})`);
  const s = start < 0 ? start + size : start;
  if (length < 0 || s + length > size) throw new Error(`narrow: start (${s}) + length (${length}) exceeds dimension size (${size}) of dimension ${d}`);
  const dims = identity(x).map((v, k) => (k === d ? { ...v, size: length } : v));
  return stridedView(x, 'narrow', dims, x.shape.map((_, k) => (k === d ? s : 0)));
}

/** The dims of `x` reordered (a view), like `torch.permute`. */
export function permute(x: Tensor, order: readonly number[]): Tensor {
  if (order.length !== x.ndim) {
    throw new Error(`permute: the number of dims (${order.length}) must equal the tensor's (${x.ndim}), got [${order.join(', ')}] for shape ${formatShape(x.shape)}`);
  }
  const ds = order.map((d) => normalizeDim(d, x.ndim, 'permute'));
  if (new Set(ds).size !== ds.length) throw new Error(`permute: repeated dim in [${order.join(', ')}]`);
  return stridedView(x, 'permute', ds.map((src) => ({ size: x.shape[src], src, step: 1 })), x.shape.map(() => 0));
}

/** Swaps two dims (a view), like `torch.transpose`. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  x.storage('transpose');
  if (x.ndim === 0) return permute(x, []);
  const order = x.shape.map((_, i) => i);
  const d0 = normalizeDim(dim0, x.ndim, 'transpose');
  const d1 = normalizeDim(dim1, x.ndim, 'transpose');
  [order[d0], order[d1]] = [order[d1], order[d0]];
  return permute(x, order);
}

/** The transpose of a tensor with at most 2 dims, like PyTorch's `t()`. */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new Error(`t: expects a tensor with <= 2 dimensions, got shape ${formatShape(x.shape)}; use transpose(dim0, dim1)`);
  return x.ndim < 2 ? permute(x, x.shape.map((_, i) => i)) : transpose(x, 0, 1);
}

/** All dims reversed (PyTorch's `.T`). */
export function reversedDims(x: Tensor): Tensor {
  return permute(x, x.shape.map((_, i) => x.ndim - 1 - i));
}

/** Inserts a dim of size 1 at `dim` (a view). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, 'unsqueeze');
  const dims: ViewDim[] = identity(x);
  dims.splice(d, 0, { size: 1, src: -1, step: 1 });
  return stridedView(x, 'unsqueeze', dims, x.shape.map(() => 0));
}

/** Drops dims of size 1 (all, or `dim` if it has size 1) (a view). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  const d = dim === undefined ? -1 : normalizeDim(dim, x.ndim, 'squeeze');
  const dims = identity(x).filter((v, k) => !(v.size === 1 && (d === -1 || k === d)));
  return stridedView(x, 'squeeze', dims, x.shape.map(() => 0));
}

/** PyTorch's computeStride: the strides viewing (shape, strides) as `target` without copying, or null. */
function viewStrides(shape: Shape, strides: readonly number[], target: Shape): number[] | null {
  if (shape.length === 0 || numel(shape) === 0) return contiguousStrides(target);
  const out = new Array<number>(target.length).fill(1);
  let viewD = target.length - 1;
  let chunkBase = strides[strides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= target[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

function viewAs(x: Tensor, shape: Shape, strides: readonly number[], op: string): Tensor {
  const out = x._view(shape, { strides, offset: x.storageOffset() });
  out.record(op, [x], (g) => [viewOf(g, x.shape)], [], true);
  out._base = x;
  return out;
}

/** The same elements with another shape (one -1 inferred), sharing storage; throws when the layout cannot. */
export function view(x: Tensor, requested: readonly number[]): Tensor {
  x.storage('view');
  const shape = inferShape(requested, x.numel(), x.shape);
  const strides = viewStrides(x.shape, x.stride(), shape);
  if (strides === null) {
    throw new Error(
      `view: view size is not compatible with input tensor's size and stride (shape ${formatShape(x.shape)}, strides ` +
        `[${x.stride().join(', ')}]; at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.`,
    );
  }
  return viewAs(x, shape, strides, 'view');
}

/** A view with the new shape when the layout allows, else a contiguous copy (like `torch.reshape`). */
export function reshape(x: Tensor, requested: readonly number[]): Tensor {
  x.storage('reshape');
  const shape = inferShape(requested, x.numel(), x.shape);
  const strides = viewStrides(x.shape, x.stride(), shape);
  // Recorded under PyTorch's two node names: a view (ReshapeAliasBackward0) or over a copy (UnsafeViewBackward0).
  if (strides !== null) return viewAs(x, shape, strides, 'reshapeAlias');
  const c = contiguous(x);
  const out = viewAs(c, shape, contiguousStrides(shape), 'unsafeView');
  return out;
}

/** This tensor if it is contiguous, else a contiguous copy (with gradient), like `contiguous()`. */
export function contiguous(x: Tensor): Tensor {
  x.storage('contiguous');
  if (x.isContiguous()) return x;
  const out = viewOf(x);
  return out.record('contiguous', [x], (g) => [viewOf(g, x.shape)], []);
}

/** `torch.flatten`: dims startDim..endDim merged into one (a view when the layout allows). */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  x.storage('flatten');
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim, 'flatten');
  const e = normalizeDim(endDim, x.ndim, 'flatten');
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${formatShape(x.shape)}`);
  const merged = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  const shape = [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)];
  return sameShape(shape, x.shape) ? viewAs(x, shape, x.stride(), 'flatten') : reshape(x, shape);
}

/** A tensor sharing `x`'s storage and version, cut from the graph. */
export function detach(x: Tensor): Tensor {
  x.storage('detach');
  return x._view(x.shape, { strides: x.stride(), offset: x.storageOffset() });
}
