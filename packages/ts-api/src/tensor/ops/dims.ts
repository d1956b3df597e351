// The dim arguments of reductions (a number, an array, negative allowed) and how a reduction over any
// set of dims runs as one [outer, size, inner] kernel call: a contiguous block of dims directly, other
// sets after a copy that moves the reduced dims to the end.

import { kernels, type Storage } from '../../backend/index.js';
import { contiguousStrides, formatShape, numel } from '../shape.js';
import { Tensor, type DType } from '../tensor.js';
import { empty } from './create.js';
import { viewOf } from './util.js';

export type DimArg = number | readonly number[];

function describe(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((e) => describe(e)).join(', ')}]`;
  return typeof v === 'number' ? String(v) : v === null ? 'null' : typeof v;
}

/** One dim, normalised; the message names the op, the dim and the shape. */
export function oneDim(op: string, dim: unknown, shape: readonly number[]): number {
  const n = Math.max(shape.length, 1);
  if (typeof dim !== 'number' || !Number.isInteger(dim)) {
    throw new Error(`${op}: dim must be an integer, got ${describe(dim)} (tensor of shape ${formatShape(shape)})`);
  }
  if (dim < -n || dim >= n) {
    throw new Error(`${op}: dim ${dim} is out of range for a tensor of shape ${formatShape(shape)} (expected a dim in [${-n}, ${n - 1}])`);
  }
  return dim < 0 ? dim + n : dim;
}

/**
 * The dims a reduction runs over, sorted and normalised: all of them when `dim` is undefined or null
 * (or an empty array, as PyTorch 1.13's `sum(x, [])`). A 0-d tensor has none.
 */
export function reduceDims(op: string, dim: DimArg | undefined | null, shape: readonly number[]): number[] {
  if (dim === undefined || dim === null || (Array.isArray(dim) && dim.length === 0)) return shape.map((_, i) => i);
  const list: readonly unknown[] = Array.isArray(dim) ? dim : [dim];
  if (!Array.isArray(dim) && typeof dim !== 'number') {
    throw new Error(`${op}: dim must be a number or an array of numbers, got ${describe(dim)}`);
  }
  const seen = new Set<number>();
  for (const d of list) {
    const k = oneDim(op, d, shape);
    if (seen.has(k)) throw new Error(`${op}: dim ${k} appears multiple times in the list of dims ${describe(dim)}`);
    seen.add(k);
  }
  return shape.length === 0 ? [] : [...seen].sort((a, b) => a - b);
}

/** The result's shape: reduced dims become 1 with keepdim, else disappear. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (dims.includes(i) ? 1 : d)) : shape.filter((_, i) => !dims.includes(i));
}

/** A number of elements that a reduction over `dims` combines (1 for a 0-d tensor). */
export function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  return dims.reduce((p, d) => p * shape[d], 1);
}

/** True when `dims` (sorted) is one run d, d+1, …: the kernel then reads the tensor as it is. */
function isBlock(dims: readonly number[]): boolean {
  return dims.every((d, i) => i === 0 || d === dims[i - 1] + 1);
}

/** A float32 copy of `x` with its dims in `order` (a permutation). */
export function permuted(x: Tensor, order: readonly number[]): Tensor {
  const strides = contiguousStrides(x.shape);
  const out = empty(order.map((d) => x.shape[d]));
  if (out.numel() > 0) kernels.expand(x.storage('permute'), out.storage('permute'), out.shape, order.map((d) => strides[d]));
  return out;
}

/** The inverse of a permutation. */
export function inverse(order: readonly number[]): number[] {
  const inv = new Array<number>(order.length);
  order.forEach((d, i) => { inv[d] = i; });
  return inv;
}

export interface Layout {
  /** The data the kernel reads: `x` itself, or its permuted copy (owned; dispose after use). */
  src: Tensor;
  outer: number;
  size: number;
  inner: number;
  /** The permutation applied, or null when `src` is `x`. */
  order: number[] | null;
}

/** How `x` is read as [outer, size, inner] with `dims` in the middle. */
export function layoutFor(x: Tensor, dims: readonly number[]): Layout {
  const shape = x.shape;
  if (dims.length === 0) return { src: x, outer: numel(shape), size: 1, inner: 1, order: null };
  if (isBlock(dims)) {
    const a = dims[0];
    const b = dims[dims.length - 1];
    return {
      src: x, order: null,
      outer: numel(shape.slice(0, a)), size: numel(shape.slice(a, b + 1)), inner: numel(shape.slice(b + 1)),
    };
  }
  if (x.dtype !== 'float32') throw new Error(`reduce: dims ${JSON.stringify(dims)} that are not adjacent need a float32 tensor, got ${x.dtype}`);
  const kept = shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const order = [...kept, ...dims];
  return { src: permuted(x, order), outer: numel(kept.map((d) => shape[d])), size: reducedCount(shape, dims), inner: 1, order };
}

export type AxisKernel = (x: Storage, y: Storage, outer: number, size: number, inner: number) => void;

/**
 * Runs a [outer, size, inner] → [outer, inner] kernel over `dims` of `x`; the result has the reduced
 * shape (keepdim as asked). No autograd: callers record their own backward.
 */
export function reduceWith(op: string, x: Tensor, dims: readonly number[], keepdim: boolean, kernel: AxisKernel, dtype: DType = 'float32'): Tensor {
  const out = empty(reducedShape(x.shape, dims, keepdim), dtype);
  const l = layoutFor(x, dims);
  try {
    kernel(l.src.storage(op), out.storage(op), l.outer, l.size, l.inner);
  } finally {
    if (l.src !== x) l.src.dispose();
  }
  return out;
}

/** The gradient `g` of a reduction (shape reducedShape(…, keepdim)) as a view with the reduced dims kept as 1. */
export function keptView(g: Tensor, shape: readonly number[], dims: readonly number[]): Tensor {
  return viewOf(g, reducedShape(shape, dims, true));
}
