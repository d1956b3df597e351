// The Tensor: a shape, a dtype, storage in wasm memory (shared by views), and — when it was made by an
// op that autograd records — the node that pushes gradients back to its inputs.

import { type Storage } from '../backend/index.js';
import { isGradEnabled } from './grad-mode.js';
import { setTensorCheck, track } from './scope.js';
import { formatShape, numel, type Shape } from './shape.js';
import { runBackward, type BackwardOptions } from './autograd.js';
import { storageDType, type DType } from './dtype.js';
import * as ew from './ops/elementwise.js';
import * as la from './ops/linalg.js';
import * as rd from './ops/reduce.js';
import * as sm from './ops/softmax.js';
import * as sh from './ops/shape.js';
import type { DimArg } from './ops/dims.js';
import { installCreateMethods } from './methods/create.js';
import { installReduceMethods } from './methods/reduce.js';
import { installBoolMethods } from './methods/bool.js';
import { formatTensor } from './format.js';

export type { DType } from './dtype.js';

/** Pushes the gradient of a result back to the op's inputs (null where an input needs none). */
export type BackwardFn = (grad: Tensor) => readonly (Tensor | null)[];

export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly backward: BackwardFn;
}

/** One allocation shared by a tensor and its views (reshape, flatten, detach). */
class SharedStorage {
  refs = 1;
  constructor(readonly storage: Storage) {
    counters.bytes += storage.byteLength;
  }
  release(): void {
    this.refs--;
    if (this.refs === 0) {
      counters.bytes -= this.storage.byteLength;
      this.storage.dispose();
    }
  }
}

const counters = { tensors: 0, bytes: 0 };

/** Safety net: a tensor that is garbage-collected without dispose() still gives its memory back. */
const finalizer = new FinalizationRegistry<SharedStorage>((shared) => {
  counters.tensors--;
  shared.release();
});

export interface MemoryInfo {
  /** Tensors alive (not disposed and not yet garbage-collected). */
  tensors: number;
  /** Bytes of wasm memory held by those tensors' storage. */
  bytes: number;
}

/** Live tensors and the bytes they hold, like `tf.memory()`. */
export function memory(): MemoryInfo {
  return { tensors: counters.tensors, bytes: counters.bytes };
}

/** Nested arrays of numbers (booleans for a bool tensor, or as input: true = 1), like PyTorch's lists. */
export type NestedArray = number | boolean | readonly NestedArray[];

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The gradient accumulated by backward() for a leaf that requires one, as in PyTorch. */
  grad: Tensor | null = null;
  /** @internal */
  _node: GradNode | null = null;
  #shared: SharedStorage | null;
  #requiresGrad = false;

  /** @internal Use `tensor()`, `zeros()`… to make tensors. Takes ownership of `storage`. */
  constructor(storage: Storage | Tensor, shape: Shape, dtype: DType) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    if (storage instanceof Tensor) {
      const shared = storage.#live('view');
      shared.refs++;
      this.#shared = shared;
    } else {
      if (storage.dtype !== storageDType(dtype)) {
        throw new Error(`Tensor: a ${dtype} tensor needs ${storageDType(dtype)} storage, got ${storage.dtype}`);
      }
      this.#shared = new SharedStorage(storage);
    }
    counters.tensors++;
    finalizer.register(this, this.#shared, this);
    track(this);
  }

  #live(op: string): SharedStorage {
    if (this.#shared === null) {
      throw new Error(`${op}: this tensor (shape ${formatShape(this.shape)}) was disposed; it can no longer be used`);
    }
    return this.#shared;
  }

  /** @internal The wasm storage, for ops. Throws if disposed. */
  storage(op: string): Storage {
    return this.#live(op).storage;
  }

  /** @internal True when `other` is a view of the same storage. */
  sharesStorageWith(other: Tensor): boolean {
    return this.#shared !== null && this.#shared === other.#shared;
  }

  /** @internal True when no view shares this tensor's storage. */
  ownsStorageAlone(): boolean {
    return this.#shared !== null && this.#shared.refs === 1;
  }

  get isDisposed(): boolean {
    return this.#shared === null;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements (PyTorch's `numel()`). */
  numel(): number {
    return numel(this.shape);
  }

  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (value && this.dtype !== 'float32') {
      throw new Error(`requiresGrad: only float32 tensors can require gradients, this one is ${this.dtype}`);
    }
    if (!value && this._node !== null) {
      throw new Error('requiresGrad: cannot turn off gradients of a tensor computed by an op; use detach()');
    }
    this.#requiresGrad = value;
  }

  /** PyTorch's `requires_grad_()`: sets the flag in place and returns this tensor. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** True for tensors not made by a recorded op (user-made tensors and parameters). */
  get isLeaf(): boolean {
    return this._node === null;
  }

  /** @internal Marks this result as made by `op` from `inputs`, if autograd is on and an input needs it. */
  record(op: string, inputs: readonly Tensor[], backward: BackwardFn): this {
    if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
      this.#requiresGrad = true;
      this._node = { op, inputs, backward };
    }
    return this;
  }

  /** Frees the wasm memory now (views keep it alive until they are disposed too). Idempotent. */
  dispose(): void {
    const shared = this.#shared;
    if (shared === null) return;
    this.#shared = null;
    // The graph node stays: a later backward() through this tensor then fails with "was disposed"
    // instead of silently treating it as a leaf.
    finalizer.unregister(this);
    counters.tensors--;
    shared.release();
  }

  /** A flat copy of the data: Float32Array for float32, Int32Array for int32, Uint8Array of 0/1 for bool. */
  toArray(): Float32Array | Int32Array | Uint8Array {
    const s = this.storage('toArray');
    if (this.dtype === 'float32') return s.f32().slice();
    return this.dtype === 'int32' ? s.i32().slice() : s.u8().slice();
  }

  /** The data as nested arrays, like PyTorch's `tolist()` (booleans for a bool tensor). */
  tolist(): NestedArray {
    const data = this.toArray();
    const flat: (number | boolean)[] = this.dtype === 'bool' ? Array.from(data, (v) => v !== 0) : Array.from(data);
    if (this.shape.length === 0) return flat[0];
    const build = (dim: number, offset: number): NestedArray[] => {
      const size = this.shape[dim];
      const stride = numel(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < size; i++) {
        out.push(dim === this.shape.length - 1 ? flat[offset + i] : build(dim + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor (0 or 1 for a bool tensor). */
  item(): number {
    if (this.numel() !== 1) {
      throw new Error(`item: only a tensor with one element can be converted to a number, this one has shape ${formatShape(this.shape)}`);
    }
    return this.toArray()[0];
  }

  /**
   * Computes gradients of this tensor with respect to every leaf that requires them, accumulating into
   * `.grad` (PyTorch's backward). A non-scalar tensor needs `gradient` (of its shape); the graph is freed
   * unless `{ retainGraph: true }`: `y.backward(g, { retainGraph: true })` or `y.backward({ retainGraph: true })`.
   */
  backward(gradient?: Tensor | BackwardOptions, options?: BackwardOptions): void {
    runBackward(this, gradient, options);
  }

  /** The values as PyTorch prints them: `tensor([[ 0.1000, -1.2000]], requires_grad=True)`. */
  toString(): string {
    return formatTensor(this);
  }

  // ---- ops as methods, as in PyTorch (each also exists as a function) ----
  add(other: Tensor | number): Tensor { return ew.add(this, other); }
  sub(other: Tensor | number): Tensor { return ew.sub(this, other); }
  mul(other: Tensor | number): Tensor { return ew.mul(this, other); }
  div(other: Tensor | number): Tensor { return ew.div(this, other); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  abs(): Tensor { return ew.abs(this); }
  relu(): Tensor { return ew.relu(this); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  pow(exponent: number): Tensor { return ew.pow(this, exponent); }
  square(): Tensor { return ew.square(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  matmul(other: Tensor): Tensor { return la.matmul(this, other); }
  t(): Tensor { return la.t(this); }
  transpose(dim0: number, dim1: number): Tensor { return la.transpose(this, dim0, dim1); }
  sum(dim?: DimArg | null, keepdim = false): Tensor { return rd.sum(this, dim, keepdim); }
  mean(dim?: DimArg | null, keepdim = false): Tensor { return rd.mean(this, dim, keepdim); }
  argmax(dim?: number | null, keepdim = false): Tensor { return rd.argmax(this, dim, keepdim); }
  softmax(dim: number): Tensor { return sm.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return sm.logSoftmax(this, dim); }
  reshape(...shape: (number | readonly number[])[]): Tensor { return sh.reshape(this, sh.shapeArg(shape)); }
  view(...shape: (number | readonly number[])[]): Tensor { return sh.reshape(this, sh.shapeArg(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return sh.flatten(this, startDim, endDim); }
  squeeze(dim?: number): Tensor { return sh.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return sh.unsqueeze(this, dim); }
  expand(...shape: (number | readonly number[])[]): Tensor { return sh.expand(this, sh.shapeArg(shape)); }
  /** A tensor sharing this one's data, cut from the graph (no gradient flows through it). */
  detach(): Tensor { return sh.detach(this); }
  clone(): Tensor { return sh.clone(this); }
  /** In place: copies `src` (same shape) into this tensor, outside autograd. Returns this. */
  copy_(src: Tensor): this { sh.copyInto(this, src); return this; }
}

installReduceMethods(Tensor.prototype);
installBoolMethods(Tensor.prototype);
setTensorCheck((v: unknown): v is Tensor => v instanceof Tensor);
installCreateMethods(Tensor.prototype);
