// Joins and their inverses: cat / stack (block copies into one result), split / chunk (copies of each
// piece; PyTorch returns views), repeat (tiles by block copies), flip. All have gradients.

import { join, kernels } from '../../backend/index.js';
import { formatShape, normalizeDim, numel, splitAtDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { describeValue } from './args.js';
import { empty } from './create.js';
import { reduceTo, viewOf } from './util.js';
import { narrow } from './view.js';

function tensorList(op: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors)) throw new Error(`${op}: expected an array of tensors, got ${describeValue(tensors)}`);
  if (tensors.length === 0) throw new Error(`${op}: expected a non-empty list of tensors`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`${op}: element ${i} of the list is ${describeValue(t)}, not a Tensor`);
    t.storage(op);
    if (t.dtype !== tensors[0].dtype) {
      throw new Error(`${op}: expected all tensors to have dtype ${tensors[0].dtype}, got ${t.dtype} at position ${i}`);
    }
  });
}

/** A fresh copy (PyTorch's joins never return a view of an input). */
function copyOf(t: Tensor, shape: readonly number[], op: string): Tensor {
  const out = empty(shape, t.dtype);
  const n = t.numel();
  join.copyBlock(t.storage(op), 0, n, out.storage(op), 0, n, 1, n);
  return out;
}

/** The slab [outer, size·inner] of `g` at `offset` along a dim of total `total`, copied out as `shape`. */
function slab(g: Tensor, shape: readonly number[], outer: number, offset: number, size: number, total: number, inner: number): Tensor {
  const out = empty(shape, g.dtype);
  join.copyBlock(g.storage('backward'), offset * inner, total * inner, out.storage('backward'), 0, size * inner, outer, size * inner);
  return out;
}

/** Concatenates tensors along `dim` (every other size must match), like `torch.cat`. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  tensorList('cat', tensors);
  // PyTorch skips 1-D empty tensors, so that a growing list can start from torch.tensor([]).
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (parts.length === 0) return copyOf(tensors[0], [0], 'cat').record('cat', [tensors[0]], (g) => [viewOf(g)]);
  const ref = parts[0];
  if (ref.ndim === 0) throw new Error('cat: zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normalizeDim(dim, ref.ndim, 'cat');
  parts.forEach((t, i) => {
    if (t.ndim !== ref.ndim) {
      throw new Error(`cat: tensors must have the same number of dimensions: got ${ref.ndim} and ${t.ndim} (shapes ${formatShape(ref.shape)} and ${formatShape(t.shape)})`);
    }
    t.shape.forEach((s, k) => {
      if (k !== d && s !== ref.shape[k]) {
        throw new Error(`cat: sizes of tensors must match except in dimension ${d}; expected size ${ref.shape[k]} but got size ${s} for tensor number ${i} in the list (shape ${formatShape(t.shape)}, dim ${k})`);
      }
    });
  });
  const sizes = parts.map((t) => t.shape[d]);
  const total = sizes.reduce((a, b) => a + b, 0);
  const [outer, , inner] = splitAtDim(ref.shape, d);
  const shape = ref.shape.map((s, k) => (k === d ? total : s));
  const out = empty(shape, ref.dtype);
  let offset = 0;
  parts.forEach((t, i) => {
    join.copyBlock(t.storage('cat'), 0, sizes[i] * inner, out.storage('cat'), offset * inner, total * inner, outer, sizes[i] * inner);
    offset += sizes[i];
  });
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  return out.record('cat', parts, (g) => parts.map((t, i) => (t.requiresGrad ? slab(g, t.shape, outer, starts[i], sizes[i], total, inner) : null)));
}

/** `torch.concat`: the same as {@link cat}. */
export function concat(tensors: readonly Tensor[], dim = 0): Tensor {
  return cat(tensors, dim);
}

/** Stacks tensors of one shape along a new dim, like `torch.stack`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  tensorList('stack', tensors);
  const ref = tensors[0];
  tensors.forEach((t, i) => {
    if (t.shape.length !== ref.ndim || t.shape.some((s, k) => s !== ref.shape[k])) {
      throw new Error(`stack: expects each tensor to be equal size, but got ${formatShape(ref.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`);
    }
  });
  const d = normalizeDim(dim, ref.ndim + 1, 'stack');
  const n = tensors.length;
  const outer = numel(ref.shape.slice(0, d));
  const inner = numel(ref.shape.slice(d));
  const shape = [...ref.shape.slice(0, d), n, ...ref.shape.slice(d)];
  const out = empty(shape, ref.dtype);
  tensors.forEach((t, i) => join.copyBlock(t.storage('stack'), 0, inner, out.storage('stack'), i * inner, n * inner, outer, inner));
  return out.record('stack', tensors, (g) => tensors.map((t, i) => (t.requiresGrad ? slab(g, t.shape, outer, i, 1, n, inner) : null)));
}

/** The pieces of `x` along `d` with the given sizes (copies), each with its own gradient. */
/** The pieces as views of `x` (narrow), as PyTorch's split and chunk give: writes reach `x`. */
function pieces(x: Tensor, d: number, sizes: readonly number[]): Tensor[] {
  let offset = 0;
  return sizes.map((size) => {
    const start = offset;
    offset += size;
    return narrow(x, d, start, size);
  });
}

/**
 * Splits `x` along `dim` into pieces of `sizeOrSizes` elements (the last may be smaller) or of the
 * listed sizes (summing to the dim's size), like `torch.split`. The pieces are views of `x`.
 */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  x.storage('split');
  if (x.ndim === 0) throw new Error('split: cannot split a zero-dimensional tensor');
  const d = normalizeDim(dim, x.ndim, 'split');
  const n = x.shape[d];
  if (Array.isArray(sizeOrSizes)) {
    const sizes = sizeOrSizes as readonly number[];
    sizes.forEach((s, i) => {
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) throw new Error(`split: split sizes must be non-negative integers, got ${String(s)} at position ${i}`);
    });
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sum !== n) {
      throw new Error(`split: split sizes [${sizes.join(', ')}] must sum exactly to the size of dimension ${d} (${n}) of the input tensor ${formatShape(x.shape)}, but they sum to ${sum}`);
    }
    return pieces(x, d, sizes);
  }
  const size = sizeOrSizes;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new Error(`split: split size must be a non-negative integer or an array of them, got ${typeof size === 'number' ? size : describeValue(size)}`);
  if (size === 0 && n !== 0) throw new Error(`split: split size can only be 0 if dimension size is 0, but got dimension ${d} of size ${n}`);
  const count = size === 0 ? 1 : Math.max(Math.ceil(n / size), 1);
  const sizes = Array.from({ length: count }, (_, i) => Math.min(size, n - i * size));
  return pieces(x, d, sizes);
}

/** Splits `x` into `chunks` pieces along `dim` as `torch.chunk` does (each ⌈size/chunks⌉, fewer when they run out). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  x.storage('chunk');
  if (typeof chunks !== 'number' || !Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk: chunks must be a positive integer, got ${typeof chunks === 'number' ? chunks : describeValue(chunks)}`);
  if (x.ndim === 0) throw new Error('chunk: chunk expects at least a 1-dimensional tensor');
  const d = normalizeDim(dim, x.ndim, 'chunk');
  const n = x.shape[d];
  const size = Math.ceil(n / chunks);
  if (n === 0) return pieces(x, d, new Array<number>(chunks).fill(0));
  const count = Math.ceil(n / size);
  return pieces(x, d, Array.from({ length: count }, (_, i) => Math.min(size, n - i * size)));
}

/** Tiles `x` `sizes[d]` times along each dim (sizes may add leading dims), like `Tensor.repeat`. */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  x.storage('repeat');
  sizes.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) throw new Error(`repeat: repeats must be non-negative integers, got ${String(s)} at position ${i}`);
  });
  if (sizes.length < x.ndim) {
    throw new Error(`repeat: number of dimensions of repeat dims (${sizes.length}) can not be smaller than number of dimensions of tensor (${x.ndim})`);
  }
  const padded = [...new Array<number>(sizes.length - x.ndim).fill(1), ...x.shape];
  // One pass per repeated dim, from the last: [outer, size·inner] rows copied r times side by side.
  let cur = copyOf(x, padded, 'repeat');
  for (let d = padded.length - 1; d >= 0; d--) {
    const r = sizes[d];
    if (r === 1) continue;
    const [outer, size, inner] = splitAtDim(cur.shape, d);
    const next = empty(cur.shape.map((s, k) => (k === d ? s * r : s)), x.dtype);
    for (let k = 0; k < r; k++) join.copyBlock(cur.storage('repeat'), 0, size * inner, next.storage('repeat'), k * size * inner, r * size * inner, outer, size * inner);
    cur.dispose();
    cur = next;
  }
  const out = cur;
  // The gradient: view g as [r0, s0, r1, s1, …] and sum over the r's.
  const big = sizes.flatMap((r, k) => [r, padded[k]]);
  const small = sizes.flatMap((_, k) => [1, padded[k]]);
  return out.record('repeat', [x], (g) => {
    const wide = viewOf(g, big);
    const summed = reduceTo(wide, small);
    wide.dispose();
    const dx = viewOf(summed, x.shape);
    summed.dispose();
    return [dx];
  });
}

/** Reverses `x` along each of `dims`, like `torch.flip`. */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  x.storage('flip');
  const list = typeof dims === 'number' ? [dims] : dims;
  if (!Array.isArray(list)) throw new Error(`flip: dims must be a number or an array of numbers, got ${describeValue(dims)}`);
  const norm = list.map((d) => normalizeDim(d, x.ndim, 'flip'));
  norm.forEach((d, i) => {
    if (norm.indexOf(d) !== i) throw new Error(`flip: dim ${d} appears multiple times in the list of dims`);
  });
  const run = (t: Tensor, op: string): Tensor => {
    if (norm.length === 0) return copyOf(t, t.shape, op);
    let cur = t;
    for (const d of norm) {
      const [outer, size, inner] = splitAtDim(t.shape, d);
      const next = empty(t.shape, t.dtype);
      join.flipAxis(cur.storage(op), next.storage(op), outer, size, inner);
      if (cur !== t) cur.dispose();
      cur = next;
    }
    return cur;
  };
  return run(x, 'flip').record('flip', [x], (g) => [run(g, 'backward')]);
}
