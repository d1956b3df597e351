// The Tensor: a shape, a dtype, storage in wasm memory (shared by views), and — when it was made by an
// op that autograd records — the node that pushes gradients back to its inputs.

import { allocStorage, kernels, subStorage, type Storage } from '../backend/index.js';
import { isGradEnabled } from './grad-mode.js';
import { account, creationSite, memoryGroups, siteChanged, type MemoryGroup } from './leaks.js';
import { freedMessage, setTensorCheck, track } from './scope.js';
import { contiguousStrides, formatShape, numel, type Shape } from './shape.js';
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
import * as vw from './ops/view.js';
import * as ip from './ops/inplace.js';
import { installViewMethods } from './methods/views.js';

export type { DType } from './dtype.js';

/** Pushes the gradient of a result back to the op's inputs (null where an input needs none). */
export type BackwardFn = (grad: Tensor) => readonly (Tensor | null)[];

export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly backward: BackwardFn;
  /** The tensors the backward reads, and their versions when the node was recorded. */
  readonly saved?: readonly Tensor[];
  readonly versions?: readonly number[];
}

/** Where a view's elements are: element idx at offset + Σ idx_d·strides_d of the storage. */
export interface Layout {
  readonly strides: readonly number[];
  readonly offset: number;
}

/** One allocation shared by a tensor and its views; `writes` counts writes, invalidating views' cached copies. */
class SharedStorage {
  refs = 1;
  writes = 0;
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

/** The memory().groups entry of the contiguous copies that non-contiguous views read through. */
const VIEW_COPIES = 'view copies';

const counters = { tensors: 0, bytes: 0 };

/** What a tensor holds: its storage, and the contiguous copy a non-contiguous view reads through. */
interface Held {
  shared: SharedStorage;
  cache: Storage | null;
  cacheWrites: number;
}

function dropCache(h: Held): void {
  if (h.cache === null) return;
  counters.bytes -= h.cache.byteLength;
  account(VIEW_COPIES, 0, -h.cache.byteLength);
  h.cache.dispose();
  h.cache = null;
}

/** Safety net: a tensor that is garbage-collected without dispose() still gives its memory back. */
const finalizer = new FinalizationRegistry<Held>((held) => {
  counters.tensors--;
  dropCache(held);
  held.shared.release();
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

/** Nested arrays of numbers (booleans for a bool tensor, or as input: true = 1), like PyTorch's lists. */
export type NestedArray = number | boolean | readonly NestedArray[];

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The gradient accumulated by backward() for a leaf that requires one, as in PyTorch. */
  grad: Tensor | null = null;
  /** @internal */
  _node: GradNode | null = null;
  /** @internal The tensor this one is a view of (select, narrow, index…), for the in-place rules. */
  _base: Tensor | null = null;
  /** @internal True once a recorded op took this tensor as an input. */
  _used = false;
  #held: Held | null;
  #requiresGrad = false;
  /** null: the row-major strides of the shape (computed when asked; most tensors never are). */
  #strides: readonly number[] | null;
  #offset: number;
  #contiguous: boolean;
  /** Contiguous, from element 0, over the whole storage: storage() is the storage itself. */
  #plain: boolean;
  #sub: Storage | null = null;
  /** Shared by views (not by `.data`): in-place writes bump it, autograd compares it. */
  #version: { v: number };

  /**
   * Internal (kept in the public types, which would otherwise show a public no-argument constructor):
   * use `tensor()`, `zeros()`… to make tensors. Takes ownership of `storage`; given a tensor,
   * shares its storage as a view (contiguous from its offset unless `layout` says where the elements are).
   */
  constructor(storage: Storage | Tensor, shape: Shape, dtype: DType, layout?: Layout) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    let shared: SharedStorage;
    if (storage instanceof Tensor) {
      shared = storage.#live('view');
      if (layout === undefined && !storage.#contiguous) throw new Error('view: internal error, a contiguous view of a non-contiguous tensor');
      shared.addRef();
      this.#version = storage.#version;
    } else {
      if (storage.dtype !== storageDType(dtype)) {
        throw new Error(`Tensor: a ${dtype} tensor needs ${storageDType(dtype)} storage, got ${storage.dtype}`);
      }
      shared = new SharedStorage(storage);
      this.#version = { v: 0 };
    }
    this.#strides = layout ? Object.freeze([...layout.strides]) : null;
    this.#offset = layout ? layout.offset : storage instanceof Tensor ? storage.#offset : 0;
    this.#contiguous = layout === undefined || isContiguousLayout(shape, layout.strides);
    this.#plain = this.#contiguous && this.#offset === 0 && numel(shape) === shared.storage.length;
    this.#held = { shared, cache: null, cacheWrites: 0 };
    counters.tensors++;
    finalizer.register(this, this.#held, this);
    track(this);
  }

  #live(op: string): SharedStorage {
    if (this.#held === null) {
      throw new Error(freedMessage(op, this, formatShape(this.shape)));
    }
    return this.#held.shared;
  }

  /** @internal Names the op that made this tensor's data, unless an op already touched it. */
  labelOrigin(op: string): this {
    const shared = this.#live(op);
    if (shared.label === 'unused') shared.relabel(op);
    return this;
  }

  /**
   * @internal This tensor's elements as contiguous storage, for ops to read: the storage itself, a range
   * of it, or a copy cached until the storage is written. Never write into it: use mutableStorage().
   */
  storage(op: string): Storage {
    const shared = this.#live(op);
    // The first op to touch new data is, for every op's result, the op that made it.
    if (shared.label === 'unused') shared.relabel(op);
    if (this.#plain) return shared.storage;
    if (this.#contiguous) {
      const n = numel(this.shape);
      return (this.#sub ??= subStorage(shared.storage, n === 0 ? 0 : this.#offset, n));
    }
    const held = this.#held as Held;
    if (held.cache !== null && held.cacheWrites === shared.writes) return held.cache;
    dropCache(held);
    const copy = allocStorage(shared.storage.dtype, numel(this.shape));
    counters.bytes += copy.byteLength;
    account(VIEW_COPIES, 0, copy.byteLength);
    held.cache = copy;
    held.cacheWrites = shared.writes;
    this.#gatherInto(copy);
    return copy;
  }

  #gatherInto(dst: Storage): void {
    const s = (this.#held as Held).shared.storage;
    if (numel(this.shape) === 0) return;
    kernels.stridedCopy(subStorage(s, this.#offset, s.length - this.#offset), dst, this.shape, this.#stridesNow(), contiguousStrides(this.shape));
  }

  /** @internal The storage to write this (contiguous) tensor's elements into; counts as an in-place write. */
  mutableStorage(op: string): Storage {
    if (!this.#contiguous) {
      throw new Error(`${op}: cannot write into a non-contiguous tensor (strides [${this.#stridesNow().join(', ')}]) directly; call it on a contiguous tensor`);
    }
    const s = this.storage(op);
    this._bumpVersion();
    return s;
  }

  /** @internal Runs `fn` on contiguous storage holding this tensor's elements, then stores them back (views too). */
  writeWith(op: string, fn: (s: Storage) => void): void {
    if (this.#contiguous) {
      fn(this.mutableStorage(op));
      return;
    }
    const shared = this.#live(op);
    if (this.shape.some((d, i) => d > 1 && this.#stridesNow()[i] === 0)) {
      throw new Error(
        `${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location ` +
          `(an expanded tensor, strides [${this.#stridesNow().join(', ')}]). Please clone() the tensor before performing the operation.`,
      );
    }
    const tmp = allocStorage(shared.storage.dtype, numel(this.shape));
    try {
      this.#gatherInto(tmp);
      fn(tmp);
      this._bumpVersion();
      if (numel(this.shape) > 0) {
        const s = shared.storage;
        kernels.stridedCopy(tmp, subStorage(s, this.#offset, s.length - this.#offset), this.shape, contiguousStrides(this.shape), this.#stridesNow());
      }
    } finally {
      tmp.dispose();
    }
  }

  /** @internal Marks a write: the version autograd checks goes up and cached copies of views are stale. */
  _bumpVersion(): void {
    this.#live('write').writes++;
    this.#version.v++;
  }

  /** @internal How many in-place writes this tensor (and the views sharing its version) has seen. */
  get _version(): number {
    return this.#version.v;
  }

  /** @internal A view of this tensor's storage with `shape` and `layout` (strides and offset in elements). */
  _view(shape: Shape, layout: Layout): Tensor {
    return new Tensor(this, shape, this.dtype, layout);
  }

  #stridesNow(): readonly number[] {
    return this.#strides ?? contiguousStrides(this.shape);
  }

  /** The strides in elements (of one dim, negative counts from the end), like PyTorch's `stride()`. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    if (dim === undefined) return [...this.#stridesNow()];
    const n = this.shape.length;
    if (!Number.isInteger(dim) || dim < -n || dim >= n) throw new Error(`stride: dim ${dim} is out of range for a tensor with ${n} dims`);
    return this.#stridesNow()[dim < 0 ? dim + n : dim];
  }

  /** Offset of the first element in the storage, in elements (PyTorch's `storage_offset()`). */
  storageOffset(): number {
    return this.#offset;
  }

  /** True when the elements lie in row-major order without gaps (PyTorch's `is_contiguous()`). */
  isContiguous(): boolean {
    return this.#contiguous;
  }

  /** @internal Contiguous from element 0 over its whole storage. */
  isPlain(): boolean {
    return this.#plain;
  }

  /** An alias sharing the storage, cut from the graph, with its own version counter (PyTorch's `.data`). */
  get data(): Tensor {
    const t = new Tensor(this, this.shape, this.dtype, { strides: this.#stridesNow(), offset: this.#offset });
    t.#version = { v: 0 };
    return t;
  }

  /** @internal True when `other` is a view of the same storage. */
  sharesStorageWith(other: Tensor): boolean {
    return this.#held !== null && other.#held !== null && this.#held.shared === other.#held.shared;
  }

  /** @internal True when no view shares this tensor's storage. */
  ownsStorageAlone(): boolean {
    return this.#held !== null && this.#held.shared.refs === 1;
  }

  get isDisposed(): boolean {
    return this.#held === null;
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

  /**
   * @internal Marks this result as made by `op` from `inputs`, if autograd is on and an input needs it.
   * `saved` are the tensors `backward` reads (all inputs unless said): backward() refuses to run if one
   * was written in place since. `isView`: the result is a view of its input (see `_used`).
   */
  record(op: string, inputs: readonly Tensor[], backward: BackwardFn, saved: readonly Tensor[] = inputs, isView = false): this {
    if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
      this.#requiresGrad = true;
      // A view's use counts as its base's: an in-place op on the base would change what the view's node
      // reads. Making a view is no use: views read the storage when they are used.
      for (const t of isView ? [] : inputs) {
        for (let b: Tensor | null = t; b !== null && !b._used; b = b._base) b._used = true;
      }
      this._node = { op, inputs, backward, saved, versions: saved.map((t) => t.#version.v) };
    }
    return this;
  }

  /** @internal Takes over `from`'s graph node (the in-place ops: this tensor now holds their result). */
  _adoptNode(from: Tensor): void {
    this._node = from._node;
    this.#requiresGrad = from.#requiresGrad;
    this._used = false;
  }

  /** Frees the wasm memory now (views keep it alive until they are disposed too). Idempotent. */
  dispose(): void {
    const held = this.#held;
    if (held === null) return;
    this.#held = null;
    // The graph node stays: a later backward() through this tensor then fails with "was disposed"
    // instead of silently treating it as a leaf.
    finalizer.unregister(this);
    counters.tensors--;
    dropCache(held);
    this.#sub?.dispose();
    this.#sub = null;
    held.shared.release();
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
  pow(exponent: number | Tensor): Tensor { return ew.pow(this, exponent); }
  /** The dot product with another 1-D tensor (`torch.dot`). */
  dot(other: Tensor): Tensor { return la.dot(this, other); }
  /** Matrix × vector (`torch.mv`). */
  mv(vec: Tensor): Tensor { return la.mv(this, vec); }
  /** Matrix × matrix (`torch.mm`). */
  mm(other: Tensor): Tensor { return la.mm(this, other); }
  /** Batched matrix × matrix of 3-D tensors (`torch.bmm`). */
  bmm(other: Tensor): Tensor { return la.bmm(this, other); }
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
  view(...shape: (number | readonly number[])[]): Tensor { return vw.view(this, sh.shapeArg(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return sh.flatten(this, startDim, endDim); }
  squeeze(dim?: number): Tensor { return sh.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return sh.unsqueeze(this, dim); }
  expand(...shape: (number | readonly number[])[]): Tensor { return sh.expand(this, sh.shapeArg(shape)); }
  /** A tensor sharing this one's data, cut from the graph (no gradient flows through it). */
  detach(): Tensor { return sh.detach(this); }
  clone(): Tensor { return sh.clone(this); }
  /** In place: copies `src` (broadcast, dtype converted) into this tensor; the gradient flows to `src`. */
  copy_(src: Tensor): this { ip.copy_(this, src); return this; }
}

/** True when `strides` are the row-major strides of `shape` (dims of size 1 may have any stride). */
function isContiguousLayout(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 0) return true;
    if (shape[d] !== 1 && strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

installReduceMethods(Tensor.prototype);
installBoolMethods(Tensor.prototype);
setTensorCheck((v: unknown): v is Tensor => v instanceof Tensor);
installCreateMethods(Tensor.prototype);
installViewMethods(Tensor.prototype);
