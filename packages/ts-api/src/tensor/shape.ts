// Shape arithmetic: numel, strides, broadcasting, dim normalisation. Pure functions on small integer
// arrays (shapes), never on tensor data.

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function checkShape(shape: Shape, where: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${where}: shape must be a list of non-negative integers, got ${formatShape(shape)}`);
    }
  }
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** A dim given as in PyTorch (negative counts from the end), checked against `ndim`. */
export function normalizeDim(dim: number, ndim: number, where: string): number {
  const n = Math.max(ndim, 1);
  if (typeof dim !== 'number') {
    throw new Error(`${where}: dim must be an integer in ${-n}..${n - 1} for a tensor with ${ndim} dims, got ${dim === undefined ? 'none' : typeof dim}`);
  }
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new Error(`${where}: dim ${dim} is out of range for a tensor with ${ndim} dims (expected ${-n}..${n - 1})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** [outer, size, inner] around `dim`, the layout the row kernels take. */
export function splitAtDim(shape: Shape, dim: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape.length === 0 ? 1 : shape[dim], inner];
}

/** NumPy/PyTorch broadcasting of two shapes, or an error naming both. */
export function broadcastShapes(a: Shape, b: Shape, where: string): number[] {
  const ndim = Math.max(a.length, b.length);
  const out = new Array<number>(ndim);
  for (let i = 0; i < ndim; i++) {
    const da = i < ndim - a.length ? 1 : a[i - (ndim - a.length)];
    const db = i < ndim - b.length ? 1 : b[i - (ndim - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${where}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a tensor of shape `from` as if it had the (broadcast) shape `to`: 0 on broadcast dims. */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const fromStrides = contiguousStrides(from);
  const offset = to.length - from.length;
  const strides = new Array<number>(to.length).fill(0);
  for (let i = 0; i < from.length; i++) {
    strides[i + offset] = from[i] === 1 && to[i + offset] !== 1 ? 0 : fromStrides[i];
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** True when `small`, without its leading 1s, is a suffix of `big`: element i of big then uses small[i % n]. */
export function isTrailingBroadcast(small: Shape, big: Shape): boolean {
  let start = 0;
  while (start < small.length && small[start] === 1) start++;
  const core = small.slice(start);
  return core.length <= big.length && sameShape(core, big.slice(big.length - core.length));
}

/** The shape a `reshape`/`view` asks for, with one -1 inferred. */
export function inferShape(requested: Shape, total: number, from: Shape): number[] {
  const out = [...requested];
  const minus = out.indexOf(-1);
  if (minus !== out.lastIndexOf(-1)) {
    throw new Error(`reshape: only one dimension can be -1, got ${formatShape(requested)}`);
  }
  if (minus >= 0) {
    const rest = numel(out.filter((_, i) => i !== minus));
    if (rest === 0 || total % rest !== 0) {
      throw new Error(`reshape: shape ${formatShape(requested)} is invalid for input of shape ${formatShape(from)} (${total} elements)`);
    }
    out[minus] = total / rest;
  }
  checkShape(out, 'reshape');
  if (numel(out) !== total) {
    throw new Error(`reshape: shape ${formatShape(requested)} is invalid for input of shape ${formatShape(from)} (${total} elements)`);
  }
  return out;
}
