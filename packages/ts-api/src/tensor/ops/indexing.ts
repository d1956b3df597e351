// x.index(...) and x.indexPut_(...): PyTorch/NumPy indexing. Numbers, slices, null (new axis) and '...'
// give a view; int32 tensors / number arrays and bool masks (advanced indexing) gather a copy, their
// dims placed as NumPy does (where they stood when adjacent, else first).

import { kernels, storageFrom } from '../../backend/index.js';
import { noGrad } from '../grad-mode.js';
import { formatShape, numel, sameShape, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { tensor, zeros } from './create.js';
import { clone, toDType } from './shape.js';
import { applyInPlace } from './inplace.js';
import { reduceTo } from './util.js';
import { contiguous, permute, stridedView, type ViewDim } from './view.js';
import { broadcastTo } from './where.js';

/** A Python slice `start:end:step` (open ends as null / undefined). */
export class Slice {
  constructor(readonly start: number | null = null, readonly end: number | null = null, readonly step: number | null = null) {}
  toString(): string {
    return `${this.start ?? ''}:${this.end ?? ''}${this.step === null ? '' : `:${this.step}`}`;
  }
}

/** Python's `start:end:step` for `index`: `x.index(slice(1, null, 2))` is `x[1::2]`. */
export function slice(start?: number | null, end?: number | null, step?: number | null): Slice {
  return new Slice(start ?? null, end ?? null, step ?? null);
}

/** One index: a number, a slice (or a string like ':' or '1:-1:2'), null (new axis), '...', an int tensor / array, or a bool mask. */
export type Index = number | Slice | string | null | Tensor | readonly number[];

interface Advanced {
  pos: number;
  values: Int32Array;
  shape: number[];
}

interface Parsed {
  dims: ViewDim[];
  starts: number[];
  advanced: Advanced[];
}

function parseSliceString(s: string, op: string): Slice {
  const m = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/.exec(s);
  if (m === null) throw new Error(`${op}: cannot read the index '${s}'; use a number, ':', 'start:end:step', '...', null, slice(), an int tensor or a bool mask`);
  const n = (v: string | undefined): number | null => (v === undefined ? null : Number(v));
  return new Slice(n(m[1]), n(m[2]), n(m[3]));
}

function describe(v: unknown): string {
  if (v instanceof Tensor) return `a ${v.dtype} tensor of shape ${formatShape(v.shape)}`;
  return Array.isArray(v) ? 'an array' : typeof v === 'string' ? `'${v}'` : String(v);
}

function checkIndexValue(i: number, dim: number, size: number, op: string): number {
  if (!Number.isInteger(i)) throw new Error(`${op}: indices must be integers, got ${i}`);
  if (i < -size || i >= size) throw new Error(`${op}: index ${i} is out of bounds for dimension ${dim} with size ${size}`);
  return i < 0 ? i + size : i;
}

function parse(x: Tensor, items: readonly Index[], op: string): Parsed {
  const normalized = items.map((it) => (typeof it === 'string' && it !== '...' ? parseSliceString(it, op) : it));
  const consumes = (it: Index): number =>
    it === null || it === '...' ? 0 : it instanceof Tensor && it.dtype === 'bool' ? Math.max(it.ndim, 1) : 1;
  const used = normalized.reduce<number>((n, it) => n + consumes(it), 0);
  const ellipses = normalized.filter((it) => it === '...').length;
  if (ellipses > 1) throw new Error(`${op}: an index can only have a single ellipsis ('...')`);
  if (used > x.ndim) throw new Error(`${op}: too many indices for tensor of dimension ${x.ndim} (got ${used})`);
  const expanded: (Index | Slice)[] = [];
  for (const it of normalized) {
    if (it === '...') for (let k = 0; k < x.ndim - used; k++) expanded.push(new Slice());
    else expanded.push(it);
  }
  while (expanded.reduce<number>((n, it) => n + consumes(it as Index), 0) < x.ndim) expanded.push(new Slice());
  const out: Parsed = { dims: [], starts: x.shape.map(() => 0), advanced: [] };
  let d = 0;
  for (const it of expanded) {
    if (it === null) {
      out.dims.push({ size: 1, src: -1, step: 1 });
    } else if (typeof it === 'number') {
      out.starts[d] = checkIndexValue(it, d, x.shape[d], op);
      d++;
    } else if (it instanceof Slice) {
      const size = x.shape[d];
      const step = it.step ?? 1;
      if (!Number.isInteger(step) || step <= 0) throw new Error(`${op}: slice step must be a positive integer, got ${step} (in slice ${it.toString()})`);
      for (const b of [it.start, it.end]) if (b !== null && !Number.isInteger(b)) throw new Error(`${op}: slice bounds must be integers, got ${b}`);
      const clampBound = (b: number | null, dflt: number): number => (b === null ? dflt : Math.min(Math.max(b < 0 ? b + size : b, 0), size));
      const start = clampBound(it.start, 0);
      const end = clampBound(it.end, size);
      const length = end > start ? Math.ceil((end - start) / step) : 0;
      out.starts[d] = length > 0 ? start : 0;
      out.dims.push({ size: length, src: d, step });
      d++;
    } else if (it instanceof Tensor && it.dtype === 'bool') {
      d = pushMask(x, it, d, out, op);
    } else if (it instanceof Tensor || Array.isArray(it)) {
      const values = indexValues(it, op);
      const size = x.shape[d];
      for (let k = 0; k < values.data.length; k++) values.data[k] = checkIndexValue(values.data[k], d, size, op);
      out.advanced.push({ pos: out.dims.length, values: values.data, shape: values.shape });
      out.dims.push({ size, src: d, step: 1 });
      d++;
    } else {
      throw new Error(`${op}: unsupported index ${describe(it)}; use a number, a slice, null, '...', an int32 tensor, a number[] or a bool tensor`);
    }
  }
  return out;
}

function indexValues(it: Tensor | readonly number[], op: string): { data: Int32Array; shape: number[] } {
  if (it instanceof Tensor) {
    if (it.dtype !== 'int32') throw new Error(`${op}: tensors used as indices must be int32 or bool, got ${it.dtype} (shape ${formatShape(it.shape)})`);
    return { data: it.toArray() as Int32Array, shape: [...it.shape] };
  }
  for (const v of it) if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${op}: an index array must hold integers, got ${String(v)}`);
  return { data: Int32Array.from(it), shape: [it.length] };
}

/** A bool mask over dims d… becomes one index array per dim: the positions of its true elements. */
function pushMask(x: Tensor, mask: Tensor, d: number, out: Parsed, op: string): number {
  if (mask.ndim === 0) throw new Error(`${op}: a 0-dim bool index is not supported`);
  mask.shape.forEach((s, k) => {
    if (s !== x.shape[d + k]) {
      throw new Error(`${op}: the shape of the mask ${formatShape(mask.shape)} at index ${k} does not match the shape of the indexed tensor ${formatShape(x.shape)} at index ${d + k}`);
    }
  });
  const bits = mask.toArray();
  let count = 0;
  for (const b of bits) if (b !== 0) count++;
  const cols = mask.shape.map(() => new Int32Array(count));
  let n = 0;
  for (let flat = 0; flat < bits.length; flat++) {
    if (bits[flat] === 0) continue;
    let rest = flat;
    for (let k = mask.ndim - 1; k >= 0; k--) {
      cols[k][n] = rest % mask.shape[k];
      rest = Math.floor(rest / mask.shape[k]);
    }
    n++;
  }
  cols.forEach((values, k) => {
    out.advanced.push({ pos: out.dims.length, values, shape: [count] });
    out.dims.push({ size: x.shape[d + k], src: d + k, step: 1 });
  });
  return d + mask.ndim;
}

/** The broadcast shape of the index arrays and, per result position, the row of the permuted view. */
interface Plan {
  order: number[];
  bshape: number[];
  flat: Int32Array;
  rowLen: number;
  /** Where the broadcast dims go in the result (NumPy: in place when adjacent, else first). */
  at: number;
}

function plan(v: Shape, adv: readonly Advanced[], op: string): Plan {
  let bshape: number[] = [];
  for (const a of adv) {
    const n = Math.max(bshape.length, a.shape.length);
    const next: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = i - (n - bshape.length) >= 0 ? bshape[i - (n - bshape.length)] : 1;
      const q = i - (n - a.shape.length) >= 0 ? a.shape[i - (n - a.shape.length)] : 1;
      if (p !== q && p !== 1 && q !== 1) {
        throw new Error(`${op}: shape mismatch: indexing tensors could not be broadcast together with shapes ${adv.map((b) => formatShape(b.shape)).join(', ')}`);
      }
      next.push(p === 1 ? q : p);
    }
    bshape = next;
  }
  const positions = adv.map((a) => a.pos);
  const rest = v.map((_, i) => i).filter((i) => !positions.includes(i));
  const adjacent = positions.every((p, i) => i === 0 || p === positions[i - 1] + 1);
  const total = numel(bshape);
  const flat = new Int32Array(total);
  const bstrides = bshape.map((_, i) => numel(bshape.slice(i + 1)));
  let mult = 1;
  for (let j = adv.length - 1; j >= 0; j--) {
    const a = adv[j];
    const off = bshape.length - a.shape.length;
    const astr = a.shape.map((s, i) => (s === 1 ? 0 : numel(a.shape.slice(i + 1))));
    for (let b = 0; b < total; b++) {
      let src = 0;
      for (let i = 0; i < a.shape.length; i++) src += (Math.floor(b / bstrides[i + off]) % bshape[i + off]) * astr[i];
      flat[b] += a.values[src] * mult;
    }
    mult *= v[a.pos];
  }
  return { order: [...positions, ...rest], bshape, flat, rowLen: numel(rest.map((i) => v[i])), at: adjacent ? positions[0] : 0 };
}

/** Rows `flat` of `x` seen as [rows, rowLen] (x contiguous in the permuted order), with the gradient that adds them back. */
function gatherRows(x: Tensor, p: Plan, shape: Shape): Tensor {
  const idx = new Tensor(storageFrom(p.flat), [p.flat.length], 'int32');
  const y = zerosOf(shape, x.dtype);
  kernels.gatherRows(x.storage('index'), p.rowLen, idx.storage('index'), y.storage('index'));
  return y.record('index', [x], (g) => {
    const gx = zeros(x.shape);
    kernels.addRows(g.storage('index'), p.rowLen, idx.storage('index'), gx.mutableStorage('index'));
    return [gx];
  }, []);
}

function zerosOf(shape: Shape, dtype: Tensor['dtype']): Tensor {
  return zeros([...shape], { dtype });
}

/** Moves the broadcast dims (first `nb` dims of t) to position `at`. */
function placeBroadcastDims(t: Tensor, nb: number, at: number): Tensor {
  if (at === 0) return t;
  const n = t.ndim;
  const order = [...Array.from({ length: at }, (_, i) => nb + i), ...Array.from({ length: nb }, (_, i) => i), ...Array.from({ length: n - nb - at }, (_, i) => nb + at + i)];
  return contiguous(permute(t, order));
}

/**
 * PyTorch's node for basic indexing is that of its last explicit item (x[0, :2] selects, then slices):
 * SelectBackward0, SliceBackward0 or UnsqueezeBackward0.
 */
function basicIndexOp(items: readonly Index[]): string {
  const last = items.filter((it) => it !== '...').at(-1);
  if (typeof last === 'number') return 'select';
  if (last instanceof Slice || typeof last === 'string') return 'slice';
  return last === null ? 'unsqueeze' : 'index';
}

/** `x[...items]` as PyTorch: a view for basic indexing, a copy with advanced indices. */
export function index(x: Tensor, ...items: Index[]): Tensor {
  x.storage('index');
  const p = parse(x, items, 'index');
  const v = stridedView(x, p.advanced.length === 0 ? basicIndexOp(items) : 'index', p.dims, p.starts);
  if (p.advanced.length === 0) return v;
  const pl = plan(v.shape, p.advanced, 'index');
  const vp = permute(v, pl.order);
  const rest = pl.order.slice(p.advanced.length).map((i) => v.shape[i]);
  const rows = gatherRows(contiguous(vp), pl, [...pl.bshape, ...rest]);
  return placeBroadcastDims(rows, pl.bshape.length, pl.at);
}

/** `x[...indices] = value` (PyTorch's index_put_): value a number or a tensor broadcast to the indexed shape. */
export function indexPut_(x: Tensor, indices: readonly Index[], value: Tensor | number, accumulate = false): Tensor {
  // PyTorch's accumulate=True adds at repeated indices; refusing it beats a silent plain assignment.
  if (accumulate !== false) throw new Error('indexPut_: accumulate=true is not supported yet; use scatterAdd, or read with x.index(…), add, and write back with indexPut_ (repeated indices then count once)');
  if (!Array.isArray(indices)) throw new Error(`indexPut_: indices must be an array of indices (e.g. [0, slice(1)]), got ${describe(indices)}`);
  const v = value instanceof Tensor ? value : tensor(value, { dtype: x.dtype === 'bool' ? 'bool' : x.dtype });
  return applyInPlace(x, 'indexPut_', [v], (cur) => indexPut(cur, indices, v));
}

function indexPut(x: Tensor, items: readonly Index[], value: Tensor): Tensor {
  let advanced = false;
  const out = noGrad(() => {
    const o = clone(x);
    const p = parse(o, items, 'indexPut_');
    advanced = p.advanced.length > 0;
    const view = stridedView(o, 'indexPut_', p.dims, p.starts);
    const val = value.dtype === o.dtype ? value : toDType(value, o.dtype);
    if (p.advanced.length === 0) {
      const b = broadcastTo(val, view.shape);
      const src = b.storage('indexPut_');
      view.writeWith('indexPut_', (s) => kernels.copy(src, s));
      return o;
    }
    const pl = plan(view.shape, p.advanced, 'indexPut_');
    const rest = pl.order.slice(p.advanced.length).map((i) => view.shape[i]);
    const resultShape = [...rest.slice(0, pl.at), ...pl.bshape, ...rest.slice(pl.at)];
    let rows = broadcastTo(val, resultShape);
    if (pl.at > 0) {
      const nb = pl.bshape.length;
      const order = [...Array.from({ length: nb }, (_, i) => pl.at + i), ...Array.from({ length: pl.at }, (_, i) => i), ...Array.from({ length: rest.length - pl.at }, (_, i) => pl.at + nb + i)];
      rows = contiguous(permute(rows, order));
    }
    const idx = new Tensor(storageFrom(pl.flat), [pl.flat.length], 'int32');
    const src = rows.storage('indexPut_');
    permute(view, pl.order).writeWith('indexPut_', (s) => kernels.putRows(src, pl.rowLen, idx.storage('indexPut_'), s));
    return o;
  });
  // PyTorch writes basic indices through a view (its node CopySlices), advanced ones with index_put_.
  return out.record(advanced ? 'indexPut_' : 'copySlices', [x, value], (g) => {
    const gx = x.requiresGrad ? noGrad(() => indexPut(g, items, tensor(0))) : null;
    let gv: Tensor | null = null;
    if (value.requiresGrad) {
      const picked = index(g, ...items);
      gv = sameShape(picked.shape, value.shape) ? picked : reduceTo(picked, value.shape);
    }
    return [gx, gv];
  }, []);
}
