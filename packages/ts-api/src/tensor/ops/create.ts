// Making tensors: from data, filled, random (from the core's seeded generator), ranges.

import { allocStorage, kernels, rng, storageFrom } from '../../backend/index.js';
import { checkShape, formatShape, numel, type Shape } from '../shape.js';
import { Tensor, type DType, type NestedArray } from '../tensor.js';

export interface TensorOptions {
  /** Shape of the result; required for flat typed arrays that are not 1-D. */
  shape?: readonly number[];
  /** float32 by default; int32 for an Int32Array or when asked (labels). */
  dtype?: DType;
  requiresGrad?: boolean;
}

export type TensorData = NestedArray | Float32Array | Int32Array | Uint8Array;

/** What a non-number value is, for error messages: `a string`, `null`, `a Uint32Array`. */
function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

function flattenNested(data: NestedArray): { values: number[]; shape: number[] } {
  if (typeof data === 'number') return { values: [data], shape: [] };
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
  const walk = (node: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(node)) throw new Error(`tensor: ragged nested array at ${path}: expected a number, got an array`);
      if (typeof node !== 'number') throw new Error(`tensor: ${path} must be a number, got ${describeValue(node)}`);
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[dim]) {
      throw new Error(`tensor: ragged nested array at ${path}: expected ${shape[dim]} elements, got ${Array.isArray(node) ? node.length : describeValue(node)}`);
    }
    (node as readonly NestedArray[]).forEach((child, i) => walk(child, dim + 1, `${path}[${i}]`));
  };
  walk(data, 0, 'data');
  return { values, shape };
}

function finish(t: Tensor, requiresGrad: boolean | undefined): Tensor {
  if (requiresGrad) t.requiresGrad = true;
  return t;
}

/** @internal An uninitialised tensor (every element is written by the op that asks for it). */
export function empty(shape: Shape, dtype: DType = 'float32'): Tensor {
  return new Tensor(allocStorage(dtype, numel(shape)), shape, dtype);
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT32_RANGE = `[${INT32_MIN}, ${INT32_MAX}]`;

function checkDType(dtype: unknown, where: string): asserts dtype is DType {
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw new Error(`${where}: dtype must be 'float32' or 'int32', got ${typeof dtype === 'string' ? `'${dtype}'` : String(dtype)}`);
  }
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

function fromValues(values: ArrayLike<number>, shape: number[], dtype: DType, requiresGrad: boolean | undefined, where: string): Tensor {
  checkShape(shape, where);
  if (numel(shape) !== values.length) {
    throw new Error(`${where}: shape ${formatShape(shape)} needs ${numel(shape)} values, got ${values.length}`);
  }
  if (dtype === 'int32' && !(values instanceof Int32Array) && !(values instanceof Uint8Array)) checkInt32Values(values, where);
  const typed = dtype === 'float32'
    ? (values instanceof Float32Array ? values : Float32Array.from(values))
    : (values instanceof Int32Array ? values : Int32Array.from(values));
  return finish(new Tensor(storageFrom(typed), shape, dtype).labelOrigin('tensor'), requiresGrad);
}

/** A tensor from nested arrays, a number, or a typed array (copied into wasm memory), like `torch.tensor`. */
export function tensor(data: TensorData, options: TensorOptions = {}): Tensor {
  const dtype: DType = options.dtype ?? (data instanceof Int32Array ? 'int32' : 'float32');
  checkDType(dtype, 'tensor');
  if (data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint8Array) {
    return fromValues(data, options.shape ? [...options.shape] : [data.length], dtype, options.requiresGrad, 'tensor');
  }
  const flat = flattenNested(data);
  return fromValues(flat.values, options.shape ? [...options.shape] : flat.shape, dtype, options.requiresGrad, 'tensor');
}

function shapeOf(shape: readonly number[] | number, where: string): number[] {
  const s = typeof shape === 'number' ? [shape] : [...shape];
  checkShape(s, where);
  return s;
}

export interface FillOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export function full(shape: readonly number[] | number, value: number, options: FillOptions = {}): Tensor {
  const s = shapeOf(shape, 'full');
  const dtype = options.dtype ?? 'float32';
  checkDType(dtype, 'full');
  if (dtype === 'int32') {
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
      throw new Error(`full: dtype int32 needs an integer in ${INT32_RANGE}, got ${value}`);
    }
    const data = new Int32Array(numel(s)).fill(value);
    return finish(new Tensor(storageFrom(data), s, 'int32').labelOrigin('full'), options.requiresGrad);
  }
  const t = empty(s);
  kernels.fill(t.storage('full'), value);
  return finish(t, options.requiresGrad);
}

export function zeros(shape: readonly number[] | number, options: FillOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: readonly number[] | number, options: FillOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function zerosLike(t: Tensor): Tensor {
  return full(t.shape, 0, { dtype: t.dtype });
}

export function onesLike(t: Tensor): Tensor {
  return full(t.shape, 1, { dtype: t.dtype });
}

export interface RandomOptions {
  requiresGrad?: boolean;
}

/** Standard normal samples from the seeded generator (`manualSeed`), like `torch.randn`. */
export function randn(shape: readonly number[] | number, options: RandomOptions = {}): Tensor {
  const t = empty(shapeOf(shape, 'randn'));
  rng.normal(t.storage('randn'), 0, 1);
  return finish(t, options.requiresGrad);
}

/** Uniform samples in [0, 1) from the seeded generator, like `torch.rand`. */
export function rand(shape: readonly number[] | number, options: RandomOptions = {}): Tensor {
  const t = empty(shapeOf(shape, 'rand'));
  rng.uniform(t.storage('rand'), 0, 1);
  return finish(t, options.requiresGrad);
}

/** `arange(end)` or `arange(start, end, step)`, float32 unless `dtype: 'int32'`. */
export function arange(start: number, end?: number, step = 1, options: FillOptions = {}): Tensor {
  const dtype = options.dtype ?? 'float32';
  checkDType(dtype, 'arange');
  const [from, to] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a finite non-zero number, got ${step}`);
  const count = Math.max(0, Math.ceil((to - from) / step));
  const values = new Array<number>(count);
  for (let i = 0; i < count; i++) values[i] = from + i * step;
  return fromValues(values, [count], dtype, options.requiresGrad, 'arange');
}
