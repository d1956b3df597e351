// Indexed reads and writes along a dim: gather / scatter / scatterAdd, indexSelect, oneHot. Index tensors
// are int32; an index outside its dim throws naming the op, the value and the size, before any write.

import { join, kernels, KernelError, Status } from '../../backend/index.js';
import { contiguousStrides, formatShape, normalizeDim, splitAtDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { describeValue } from './args.js';
import { empty, full } from './create.js';

/** Runs a kernel whose status 4 (a bad index) becomes PyTorch's message, prefixed by the op. */
function indexed(op: string, what: string, dim: number, size: number, run: (hint4: (i: number, v: number) => string) => void): void {
  const bad: [number, number][] = [];
  try {
    run((i, v) => {
      bad.push([i, v]);
      return `index ${v} at position ${i} is out of range`;
    });
  } catch (e) {
    if (e instanceof KernelError && e.code === Status.INDEX_OUT_OF_RANGE && bad.length > 0) {
      const [i, v] = bad[0];
      throw new Error(`${op}: ${what} ${v} is out of bounds for dimension ${dim} with size ${size} (element ${i} of the index)`);
    }
    throw e;
  }
}

function requireIndex(op: string, index: unknown): asserts index is Tensor {
  if (!(index instanceof Tensor)) throw new Error(`${op}: index must be an int32 Tensor, got ${describeValue(index)}`);
  index.storage(op);
  if (index.dtype !== 'int32') throw new Error(`${op}: index must be an int32 tensor, got ${index.dtype} (shape ${formatShape(index.shape)})`);
}

function requireTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${describeValue(t)}`);
  t.storage(op);
}

/** Shapes treated as 1-D when 0-d, as PyTorch does for gather / scatter on scalars. */
const atLeast1 = (s: readonly number[]): number[] => (s.length === 0 ? [1] : [...s]);

/** index and x have the same number of dims, and index is no larger than x except along `dim`. */
function checkAlongDim(op: string, x: Tensor, index: Tensor, d: number, name: string): void {
  if (index.ndim !== x.ndim && !(Math.max(index.ndim, x.ndim) <= 1)) {
    throw new Error(`${op}: index tensor must have the same number of dimensions as ${name} tensor (index ${formatShape(index.shape)}, ${name} ${formatShape(x.shape)})`);
  }
  const xs = atLeast1(x.shape);
  atLeast1(index.shape).forEach((s, k) => {
    if (k !== d && s > xs[k]) {
      throw new Error(`${op}: size does not match at dimension ${k}: expected index ${formatShape(index.shape)} to be smaller than ${name} ${formatShape(x.shape)} apart from dimension ${d}`);
    }
  });
}

function gatherRaw(op: string, x: Tensor, d: number, index: Tensor): Tensor {
  const out = empty(index.shape, x.dtype);
  const xs = atLeast1(x.shape);
  indexed(op, 'index', d, xs[d], (hint4) =>
    join.gatherDim(x.storage(op), index.storage(op), out.storage(op), atLeast1(index.shape), contiguousStrides(xs), d, xs[d], hint4));
  return out;
}

/**
 * `dst` (in place, outside autograd) gets `src` at the positions `index` names along `dim`:
 * dst[…, index[p], …] = src[p] ('set'; the last duplicate wins) or += ('add', float32 only). The shapes
 * must already be checked as {@link scatter} checks them. For `scatter_` and the gradients here.
 */
export function scatterInto(op: string, dst: Tensor, dim: number, index: Tensor, src: Tensor, mode: 'set' | 'add'): void {
  const ds = atLeast1(dst.shape);
  indexed(op, 'index', dim, ds[dim], (hint4) =>
    join.scatterDim(mode, src.storage(op), contiguousStrides(atLeast1(src.shape)), index.storage(op), dst.storage(op),
      atLeast1(index.shape), contiguousStrides(ds), dim, ds[dim], hint4));
}

function zerosOf(shape: readonly number[]): Tensor {
  const t = empty(shape);
  kernels.fill(t.storage('backward'), 0);
  return t;
}

/** out[…, i, …] = x[…, index[…, i, …], …] along `dim` (out has index's shape), like `torch.gather`. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  requireTensor('gather', 'input', x);
  requireIndex('gather', index);
  const d = normalizeDim(dim, x.ndim, 'gather');
  checkAlongDim('gather', x, index, d, 'input');
  const out = gatherRaw('gather', x, d, index);
  return out.record('gather', [x], (g) => {
    const dx = zerosOf(x.shape);
    scatterInto('gather backward', dx, d, index, g, 'add');
    return [dx];
  });
}

/** The checks scatter / scatter_ / scatterAdd share; returns the normalised dim. */
export function checkScatter(op: string, x: Tensor, dim: number, index: Tensor, src: Tensor): number {
  requireIndex(op, index);
  const d = normalizeDim(dim, x.ndim, op);
  checkAlongDim(op, x, index, d, 'self');
  if (src.dtype !== x.dtype) throw new Error(`${op}: expected self and src to have the same dtype, got ${x.dtype} and ${src.dtype}`);
  if (src.ndim !== index.ndim && !(Math.max(src.ndim, index.ndim) <= 1)) {
    throw new Error(`${op}: index tensor must have the same number of dimensions as src tensor (index ${formatShape(index.shape)}, src ${formatShape(src.shape)})`);
  }
  const ss = atLeast1(src.shape);
  atLeast1(index.shape).forEach((s, k) => {
    if (s > ss[k]) throw new Error(`${op}: size does not match at dimension ${k}: expected index ${formatShape(index.shape)} to be smaller than src ${formatShape(src.shape)}`);
  });
  return d;
}

function srcTensor(op: string, x: Tensor, index: Tensor, src: Tensor | number): Tensor {
  if (typeof src === 'number') return full(index.shape, src, { dtype: x.dtype });
  requireTensor(op, 'src', src);
  return src;
}

/** The gradient of src: g gathered at index (PyTorch fails too when src is larger than the index). */
function srcGrad(op: string, g: Tensor, d: number, index: Tensor, src: Tensor): Tensor {
  if (src.shape.length !== index.shape.length || src.shape.some((s, k) => s !== index.shape[k])) {
    throw new Error(`${op}: a gradient for src needs src of the index's shape ${formatShape(index.shape)}, got ${formatShape(src.shape)}`);
  }
  return gatherRaw(`${op} backward`, g, d, index);
}

function scatterOp(op: string, mode: 'set' | 'add', x: Tensor, dim: number, index: Tensor, value: Tensor | number): Tensor {
  requireTensor(op, 'input', x);
  const src = srcTensor(op, x, index, value);
  const d = checkScatter(op, x, dim, index, src);
  if (mode === 'add' && x.dtype !== 'float32') throw new Error(`${op}: int32 tensors are not supported (an integer sum could overflow); cast to float32 first`);
  const out = empty(x.shape, x.dtype);
  kernels.copy(x.storage(op), out.storage(op));
  scatterInto(op, out, d, index, src, mode);
  if (typeof value === 'number') src.dispose();
  const inputs = typeof value === 'number' ? [x] : [x, src];
  return out.record(op, inputs, (g) => {
    let gx: Tensor | null = null;
    if (x.requiresGrad) {
      gx = empty(g.shape);
      kernels.copy(g.storage('backward'), gx.storage('backward'));
      if (mode === 'set') {
        // the overwritten positions get no gradient
        const z = zerosOf(index.shape);
        scatterInto(`${op} backward`, gx, d, index, z, 'set');
        z.dispose();
      }
    }
    const gs = inputs.length > 1 && src.requiresGrad ? srcGrad(op, g, d, index, src) : null;
    return inputs.length > 1 ? [gx, gs] : [gx];
  });
}

/** Out of place: a copy of `x` with `src` (or a number) written at `index` along `dim`, like `Tensor.scatter`. */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  return scatterOp('scatter', 'set', x, dim, index, src);
}

/** Out of place: a copy of `x` with `src` added at `index` along `dim` (duplicates add up), like `Tensor.scatter_add`. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterOp('scatterAdd', 'add', x, dim, index, src);
}

/** The entries of `x` at the positions of the 1-D `index` along `dim`, like `torch.index_select`. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  requireTensor('indexSelect', 'input', x);
  requireIndex('indexSelect', index);
  if (index.ndim > 1) throw new Error(`indexSelect: index must be a vector (0-d or 1-d), got shape ${formatShape(index.shape)}`);
  const d = normalizeDim(dim, x.ndim, 'indexSelect');
  const xs = atLeast1(x.shape);
  const [outer, size, inner] = splitAtDim(xs, d);
  const n = index.numel();
  const shape = x.ndim === 0 ? [] : xs.map((s, k) => (k === d ? n : s));
  if (x.ndim === 0 && n !== 1) throw new Error(`indexSelect: a zero-dimensional input needs an index of one element, got ${n}`);
  const out = empty(shape, x.dtype);
  indexed('indexSelect', 'index', d, size, (hint4) => join.indexSelect(x.storage('indexSelect'), index.storage('indexSelect'), out.storage('indexSelect'), outer, size, inner, hint4));
  return out.record('indexSelect', [x], (g) => {
    const dx = zerosOf(x.shape);
    join.indexAdd(g.storage('backward'), index.storage('backward'), dx.storage('backward'), outer, size, inner);
    return [dx];
  });
}

/**
 * One-hot rows of int32 labels, like `F.one_hot`: shape [...labels.shape, numClasses], int32 (PyTorch:
 * int64). numClasses −1 takes max(labels) + 1.
 */
export function oneHot(labels: Tensor, numClasses = -1): Tensor {
  requireTensor('oneHot', 'labels', labels);
  if (labels.dtype !== 'int32') throw new Error(`oneHot: one_hot is only applicable to index tensors (int32), got ${labels.dtype}`);
  if (!Number.isInteger(numClasses) || numClasses < -1) throw new Error(`oneHot: numClasses must be -1 or a non-negative integer, got ${numClasses}`);
  let classes = numClasses;
  if (classes === -1) {
    if (labels.numel() === 0) throw new Error('oneHot: can not infer the total number of classes from an empty tensor; pass numClasses');
    const max = join.maxI32(labels.storage('oneHot'));
    if (max < 0) throw new Error(`oneHot: class values must be non-negative, got ${max}`);
    classes = max + 1;
  }
  const out = empty([...labels.shape, classes], 'int32');
  const bad: number[] = [];
  try {
    join.oneHot(labels.storage('oneHot'), classes, out.storage('oneHot'), (i, v) => {
      bad.push(v);
      return `label ${v} at position ${i} is outside [0, ${classes})`;
    });
  } catch (e) {
    out.dispose();
    if (e instanceof KernelError && e.code === Status.INDEX_OUT_OF_RANGE && bad.length > 0) {
      const v = bad[0];
      throw new Error(v < 0 ? `oneHot: class values must be non-negative, got ${v}` : `oneHot: class values must be smaller than numClasses (${classes}), got ${v}`);
    }
    throw e;
  }
  return out;
}
