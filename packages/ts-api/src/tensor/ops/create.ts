// Making tensors: from data, filled (zeros, ones, full, empty, eye), ranges (arange, linspace) and the
// *Like forms. Random tensors are in random.ts.

import { allocStorage, join, kernels, storageFrom } from '../../backend/index.js';
import { storageDType } from '../dtype.js';
import { checkShape, formatShape, numel, type Shape } from '../shape.js';
import { Tensor, type DType, type NestedArray } from '../tensor.js';
import {
  checkCount, checkDType, creationOptions, describeValue, INT32_MAX, INT32_MIN, INT32_RANGE,
  isOptionsObject, sizeAndOptions, type CreateOptions,
} from './args.js';

export interface TensorOptions {
  /** Shape of the result; required for flat typed arrays that are not 1-D. */
  shape?: readonly number[];
  /** float32 by default; int32 for an Int32Array or when asked (labels); bool for booleans or when asked. */
  dtype?: DType;
  requiresGrad?: boolean;
}

export type TensorData = NestedArray | Float32Array | Int32Array | Uint8Array;

/** The values (true = 1), the shape, and whether every value was a boolean (PyTorch then infers bool). */
function flattenNested(data: NestedArray): { values: number[]; shape: number[]; booleans: boolean } {
  if (typeof data === 'number') return { values: [data], shape: [], booleans: false };
  if (typeof data === 'boolean') return { values: [Number(data)], shape: [], booleans: true };
  if (!Array.isArray(data)) {
    throw new Error(`tensor: data must be a number, a nested array of numbers, a Float32Array, an Int32Array or a Uint8Array; got ${describeValue(data)}`);
  }
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = (probe as readonly NestedArray[])[0];
  }
  const values: number[] = [];
  let booleans = true;
  const walk = (node: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(node)) throw new Error(`tensor: ragged nested array at ${path}: expected a number, got an array`);
      if (typeof node === 'boolean') {
        values.push(Number(node));
        return;
      }
      if (typeof node !== 'number') throw new Error(`tensor: ${path} must be a number or a boolean, got ${describeValue(node)}`);
      booleans = false;
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[dim]) {
      throw new Error(`tensor: ragged nested array at ${path}: expected ${shape[dim]} elements, got ${Array.isArray(node) ? node.length : describeValue(node)}`);
    }
    (node as readonly NestedArray[]).forEach((child, i) => walk(child, dim + 1, `${path}[${i}]`));
  };
  walk(data, 0, 'data');
  return { values, shape, booleans: booleans && values.length > 0 };
}

function finish(t: Tensor, requiresGrad: boolean | undefined): Tensor {
  if (requiresGrad) t.requiresGrad = true;
  return t;
}

/** @internal An uninitialised tensor (every element is written by the op that asks for it). */
export function empty(shape: Shape, dtype: DType = 'float32'): Tensor {
  return new Tensor(allocStorage(storageDType(dtype), numel(shape)), shape, dtype);
}

/** Int32Array.from would wrap 2**32 + 3 to 3 and truncate 2.5 to 2; a label must never change silently. */
function checkInt32Values(values: ArrayLike<number>, where: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
      throw new Error(`${where}: dtype int32 needs integers in ${INT32_RANGE}, got ${v} at index ${i}`);
    }
  }
}

/** Bool from numbers is `!= 0` (NaN is true, as in PyTorch); a Uint8Array must already hold 0/1. */
function boolValues(values: ArrayLike<number>, where: string): Uint8Array {
  if (values instanceof Uint8Array) {
    const bad = values.findIndex((v) => v > 1);
    if (bad >= 0) throw new Error(`${where}: dtype bool from a Uint8Array needs 0 or 1, got ${values[bad]} at index ${bad}`);
    return values;
  }
  return Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
}

function fromValues(values: ArrayLike<number>, shape: number[], dtype: DType, requiresGrad: boolean | undefined, where: string): Tensor {
  checkShape(shape, where);
  if (numel(shape) !== values.length) {
    throw new Error(`${where}: shape ${formatShape(shape)} needs ${numel(shape)} values, got ${values.length}`);
  }
  if (dtype === 'bool') return finish(new Tensor(storageFrom(boolValues(values, where)), shape, dtype).labelOrigin('tensor'), requiresGrad);
  if (dtype === 'int32' && !(values instanceof Int32Array) && !(values instanceof Uint8Array)) checkInt32Values(values, where);
  const typed = dtype === 'float32'
    ? (values instanceof Float32Array ? values : Float32Array.from(values))
    : (values instanceof Int32Array ? values : Int32Array.from(values));
  return finish(new Tensor(storageFrom(typed), shape, dtype).labelOrigin('tensor'), requiresGrad);
}

/** A tensor from nested arrays, a number, or a typed array (copied into wasm memory), like `torch.tensor`. */
export function tensor(data: TensorData, options: TensorOptions = {}): Tensor {
  const o = creationOptions('tensor', options, ['shape', 'dtype', 'requiresGrad']) as TensorOptions;
  if (data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint8Array) {
    const dtype: DType = o.dtype ?? (data instanceof Int32Array ? 'int32' : 'float32');
    checkDType(dtype, 'tensor');
    return fromValues(data, o.shape ? [...o.shape] : [data.length], dtype, o.requiresGrad, 'tensor');
  }
  const flat = flattenNested(data);
  const dtype: DType = o.dtype ?? (flat.booleans ? 'bool' : 'float32');
  checkDType(dtype, 'tensor');
  return fromValues(flat.values, o.shape ? [...o.shape] : flat.shape, dtype, o.requiresGrad, 'tensor');
}

export type FillOptions = CreateOptions;

/** A size as numbers or one array, optionally followed by options: `zeros(2, 3)`, `zeros([2, 3], { dtype })`. */
export type SizeArgs = readonly (number | readonly number[] | FillOptions)[];

/** A tensor filled with `fill`; a boolean fill makes a bool tensor unless `dtype` says otherwise (as PyTorch). */
function filled(op: string, shape: number[], fill: number | boolean, options: unknown): Tensor {
  const o = creationOptions(op, options);
  const dtype = o.dtype ?? (typeof fill === 'boolean' ? 'bool' : 'float32');
  if (typeof fill !== 'number' && typeof fill !== 'boolean') throw new Error(`${op}: the fill value must be a number or a boolean, got ${describeValue(fill)}`);
  const value = Number(fill);
  if (dtype === 'bool') {
    const t = empty(shape, 'bool');
    t.storage(op).u8().fill(value !== 0 ? 1 : 0);
    return finish(t, o.requiresGrad);
  }
  if (dtype === 'int32') {
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
      throw new Error(`${op}: dtype int32 needs an integer in ${INT32_RANGE}, got ${value}`);
    }
    const t = empty(shape, 'int32');
    t.storage(op).i32().fill(value);
    return finish(t, o.requiresGrad);
  }
  const t = empty(shape);
  kernels.fill(t.storage(op), value);
  return finish(t, o.requiresGrad);
}

/**
 * A tensor of `size` filled with `value`, like `torch.full`: `full([2, 3], 7)`, `full(2, 3, 7)` (the
 * last number is the value), `full([2, 3], 7, { dtype: 'int32' })`.
 */
export function full(...args: readonly (number | boolean | readonly number[] | FillOptions)[]): Tensor {
  let rest = args;
  let options: unknown;
  if (rest.length > 0 && isOptionsObject(rest[rest.length - 1])) {
    options = rest[rest.length - 1];
    rest = rest.slice(0, -1);
  }
  if (rest.length < 2) throw new Error(`full: expected a size and a fill value, got ${rest.length} argument(s)`);
  const value = rest[rest.length - 1];
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`full: the fill value must be a number or a boolean, got ${describeValue(value)}`);
  const { shape } = sizeAndOptions('full', rest.slice(0, -1));
  return filled('full', shape, value, options);
}

/** Zeros of the given size, like `torch.zeros`: `zeros(2, 3)` or `zeros([2, 3], { dtype: 'int32' })`. */
export function zeros(...args: SizeArgs): Tensor {
  const { shape, options } = sizeAndOptions('zeros', args);
  return filled('zeros', shape, 0, options);
}

/** Ones of the given size, like `torch.ones`. */
export function ones(...args: SizeArgs): Tensor {
  const { shape, options } = sizeAndOptions('ones', args);
  return filled('ones', shape, 1, options);
}

/**
 * An uninitialised tensor of the given size, like `torch.empty` (its values are whatever the memory
 * held: write every element before reading one).
 */
export function emptyTensor(...args: SizeArgs): Tensor {
  const { shape, options } = sizeAndOptions('empty', args);
  const o = creationOptions('empty', options);
  return finish(empty(shape, o.dtype ?? 'float32'), o.requiresGrad);
}

function likeArgs(op: string, t: Tensor, options: unknown): [number[], FillOptions] {
  if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${describeValue(t)}`);
  t.storage(op);
  const o = creationOptions(op, options);
  return [[...t.shape], { dtype: o.dtype ?? t.dtype, requiresGrad: o.requiresGrad }];
}

/** Zeros of `t`'s shape and dtype (unless options say otherwise), like `torch.zeros_like`. */
export function zerosLike(t: Tensor, options?: FillOptions): Tensor {
  const [shape, o] = likeArgs('zerosLike', t, options);
  return filled('zerosLike', shape, 0, o);
}

export function onesLike(t: Tensor, options?: FillOptions): Tensor {
  const [shape, o] = likeArgs('onesLike', t, options);
  return filled('onesLike', shape, 1, o);
}

export function fullLike(t: Tensor, value: number | boolean, options?: FillOptions): Tensor {
  const [shape, o] = likeArgs('fullLike', t, options);
  return filled('fullLike', shape, value, o);
}

/** @internal `[shape, options]` of a *Like op, for random.ts. */
export { likeArgs };

/** The n×m identity (m defaults to n), like `torch.eye`. */
export function eye(n: number, m?: number | FillOptions, options?: FillOptions): Tensor {
  if (isOptionsObject(m)) [m, options] = [undefined, m];
  checkCount(n, 'eye', 'n');
  const cols = m === undefined ? n : checkCount(m, 'eye', 'm');
  const o = creationOptions('eye', options);
  const t = empty([n, cols]);
  join.eye(t.storage('eye'), n, cols);
  const out = o.dtype === 'int32' ? castTo(t, 'int32') : t;
  return finish(out, o.requiresGrad);
}

function castTo(t: Tensor, dtype: DType): Tensor {
  const out = empty(t.shape, dtype);
  kernels.cast(t.storage('cast'), out.storage('cast'));
  t.dispose();
  return out;
}

/**
 * `steps` values from start to end inclusive, evenly spaced, like `torch.linspace` (float32; the first
 * half counts up from start and the second down from end, as PyTorch does).
 */
export function linspace(start: number, end: number, steps: number, options?: FillOptions): Tensor {
  for (const [name, v] of [['start', start], ['end', end]] as const) {
    if (typeof v !== 'number') throw new Error(`linspace: ${name} must be a number, got ${describeValue(v)}`);
  }
  checkCount(steps, 'linspace', 'steps');
  const o = creationOptions('linspace', options);
  if (o.dtype === 'int32') throw new Error("linspace: dtype 'int32' is not supported; make a float32 linspace and cast it with .int()");
  const t = empty([steps]);
  join.linspace(t.storage('linspace'), start, end);
  return finish(t, o.requiresGrad);
}

/**
 * `arange(end)`, `arange(start, end)` or `arange(start, end, step)`, optionally followed by options, like
 * `torch.arange`: the length is ⌈(end − start) / step⌉; the dtype is int32 when start, end and step are
 * all integers (PyTorch infers int64), float32 otherwise, unless `dtype` is given.
 */
export function arange(...args: readonly (number | FillOptions)[]): Tensor {
  let rest = args;
  let options: unknown;
  if (rest.length > 0 && isOptionsObject(rest[rest.length - 1])) {
    options = rest[rest.length - 1];
    rest = rest.slice(0, -1);
  }
  if (rest.length < 1 || rest.length > 3) throw new Error(`arange: expected end, start and end, or start, end and step, got ${rest.length} numbers`);
  rest.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`arange: argument ${i} must be a finite number, got ${typeof v === 'number' ? v : describeValue(v)}`);
  });
  const nums = rest as number[];
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  const o = creationOptions('arange', options);
  if (step === 0) throw new Error('arange: step must be nonzero');
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    throw new Error(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  }
  if (o.dtype === 'bool') throw new Error("arange: dtype 'bool' is not supported (as in PyTorch); use 'float32' or 'int32'");
  const allInt = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype = o.dtype ?? (allInt ? 'int32' : 'float32');
  const count = Math.ceil((end - start) / step);
  if (!(count <= 2 ** 31)) throw new Error(`arange: ${count} elements are too many`);
  if (dtype === 'int32' && count > 0) {
    // the first value int32 cannot hold, named as tensor() names it
    let bad: number | null = null;
    if (!Number.isInteger(start) || start < INT32_MIN || start > INT32_MAX) bad = 0;
    else if (count > 1 && !Number.isInteger(step)) bad = 1;
    else if (start + (count - 1) * step > INT32_MAX || start + (count - 1) * step < INT32_MIN) {
      bad = Math.floor(((step > 0 ? INT32_MAX : INT32_MIN) - start) / step) + 1;
    }
    if (bad !== null) throw new Error(`arange: dtype int32 needs integers in ${INT32_RANGE}, got ${start + bad * step} at index ${bad}`);
  }
  const t = empty([count], dtype);
  join.arange(t.storage('arange'), start, step);
  return finish(t, o.requiresGrad);
}
