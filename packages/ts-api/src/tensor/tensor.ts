// The Tensor: a shape, a dtype, storage in wasm memory (shared by views), and — when it was made by an
// op that autograd records — the node that pushes gradients back to its inputs.

import { type Storage } from '../backend/index.js';
import { isGradEnabled } from './grad-mode.js';
import { account, creationSite, memoryGroups, siteChanged, type MemoryGroup } from './leaks.js';
import { freedMessage, setTensorCheck, track } from './scope.js';
import { formatShape, numel, type Shape } from './shape.js';
import { runBackward } from './autograd.js';
import * as ew from './ops/elementwise.js';
import * as la from './ops/linalg.js';
import * as rd from './ops/reduce.js';
import * as sm from './ops/softmax.js';
import * as sh from './ops/shape.js';

export type DType = 'float32' | 'int32';

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
  /** The op that made the data (memory().groups); 'unused' until an op first reads or writes it. */
  label = 'unused';
  /** Where user code made it, outside any scope, when debugging leaks. */
  readonly site = creationSite();
  constructor(readonly storage: Storage) {
    counters.bytes += storage.byteLength;
    account(this.label, 1, storage.byteLength);
    if (this.site !== null) siteChanged(this.site, 1, storage.byteLength);
  }
  addRef(): void {
    this.refs++;
    account(this.label, 1, 0);
  }
  relabel(op: string): void {
    account(this.label, -this.refs, -this.storage.byteLength);
    this.label = op;
    account(op, this.refs, this.storage.byteLength);
  }
  release(): void {
    this.refs--;
    account(this.label, -1, this.refs === 0 ? -this.storage.byteLength : 0);
    if (this.refs === 0) {
      counters.bytes -= this.storage.byteLength;
      if (this.site !== null) siteChanged(this.site, -1, -this.storage.byteLength);
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
  /** The same by the op that made the data, largest first: where a leak comes from. */
  groups: MemoryGroup[];
}

/** Live tensors and the bytes they hold, like `tf.memory()`, and the ops that made them. */
export function memory(): MemoryInfo {
  return { tensors: counters.tensors, bytes: counters.bytes, groups: memoryGroups() };
}

export type NestedArray = number | readonly NestedArray[];

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
      shared.addRef();
      this.#shared = shared;
    } else {
      this.#shared = new SharedStorage(storage);
    }
    counters.tensors++;
    finalizer.register(this, this.#shared, this);
    track(this);
  }

  #live(op: string): SharedStorage {
    if (this.#shared === null) {
      throw new Error(freedMessage(op, this, formatShape(this.shape)));
    }
    return this.#shared;
  }

  /** @internal Names the op that made this tensor's data, unless an op already touched it. */
  labelOrigin(op: string): this {
    const shared = this.#live(op);
    if (shared.label === 'unused') shared.relabel(op);
    return this;
  }

  /** @internal The wasm storage, for ops. Throws if disposed. */
  storage(op: string): Storage {
    const shared = this.#live(op);
    // The first op to touch new data is, for every op's result, the op that made it.
    if (shared.label === 'unused') shared.relabel(op);
    return shared.storage;
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

  /** A flat copy of the data: Float32Array for float32, Int32Array for int32. */
  toArray(): Float32Array | Int32Array {
    const s = this.storage('toArray');
    return this.dtype === 'float32' ? s.f32().slice() : s.i32().slice();
  }

  /** The data as nested arrays, like PyTorch's `tolist()`. */
  tolist(): NestedArray {
    const flat = Array.from(this.toArray());
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

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1) {
      throw new Error(`item: only a tensor with one element can be converted to a number, this one has shape ${formatShape(this.shape)}`);
    }
    return this.toArray()[0];
  }

  /** Computes gradients of this tensor with respect to every leaf that requires them (PyTorch's backward). */
  backward(gradient?: Tensor): void {
    runBackward(this, gradient);
  }

  toString(): string {
    return `Tensor(shape=${formatShape(this.shape)}, dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
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
  sum(dim?: number, keepdim = false): Tensor { return rd.sum(this, dim, keepdim); }
  mean(dim?: number, keepdim = false): Tensor { return rd.mean(this, dim, keepdim); }
  argmax(dim?: number, keepdim = false): Tensor { return rd.argmax(this, dim, keepdim); }
  /** Element-wise equality as an int32 tensor of 0/1 (no gradient). */
  eq(other: Tensor): Tensor { return rd.eq(this, other); }
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
  float(): Tensor { return sh.toDType(this, 'float32'); }
  int(): Tensor { return sh.toDType(this, 'int32'); }
  /** In place: copies `src` (same shape) into this tensor, outside autograd. Returns this. */
  copy_(src: Tensor): this { sh.copyInto(this, src); return this; }
}

setTensorCheck((v: unknown): v is Tensor => v instanceof Tensor);
