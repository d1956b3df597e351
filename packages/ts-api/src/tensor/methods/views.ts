// Tensor methods of the views area: indexing, views, in-place ops, where / maskedFill (each also a
// function of the package, like torch.x), installed on the prototype from the bottom of tensor.ts.

import type { Tensor } from '../tensor.js';
import * as ip from '../ops/inplace.js';
import * as ix from '../ops/indexing.js';
import * as vw from '../ops/view.js';
import * as wh from '../ops/where.js';

declare module '../tensor.js' {
  interface Tensor {
    /** `x[...idx]`: numbers, `slice()`s or ':'-strings, null (new axis), '...' give a view; int32 tensors, number[] and bool masks a copy. */
    index(...idx: ix.Index[]): Tensor;
    /** `x[...indices] = value` (PyTorch's index_put_): `x.indexPut_([0, 0], 42)`, `x.indexPut_([mask], 0)`. */
    indexPut_(indices: readonly ix.Index[], value: Tensor | number, accumulate?: boolean): this;
    /** `x.select(dim, i)`: the slice at index i of dim, that dim removed (a view). */
    select(dim: number, index: number): Tensor;
    /** Every slice along `dim` (default 0), that dim removed (views): `for x in X` is `for (const x of X.unbind())`. */
    unbind(dim?: number): Tensor[];
    /** `length` elements of `dim` from `start` (a view). */
    narrow(dim: number, start: number, length: number): Tensor;
    /** The dims reordered (a view): `x.permute(2, 0, 1)` or `x.permute([2, 0, 1])`. */
    permute(...dims: (number | readonly number[])[]): Tensor;
    /** All dims reversed (a view), PyTorch's `.T`. */
    readonly T: Tensor;
    /** This tensor if contiguous, else a contiguous copy. */
    contiguous(): Tensor;
    /** The shape (as PyTorch's `size()`), or the size of one dim (negative counts from the end). */
    size(): number[];
    size(dim: number): number;
    /** Number of dims, PyTorch's `dim()`. */
    dim(): number;
    /** value where mask is true (mask broadcasts to this shape). */
    maskedFill(mask: Tensor, value: number): Tensor;
    /** `x.where(cond, other)`: this where cond is true, else other (PyTorch's Tensor.where). */
    where(cond: Tensor, other: Tensor | number): Tensor;
    /** In place: clamps into [min, max] (either may be omitted or null). */
    clamp_(min?: number | Tensor | null, max?: number | Tensor | null): this;
    /** In place: writes src at `index` along `dim` (the last duplicate index wins). */
    scatter_(dim: number, index: Tensor, src: Tensor | number): this;
    /** In place: this += other. */
    add_(other: Tensor | number): this;
    /** In place: this -= other. */
    sub_(other: Tensor | number): this;
    /** In place: this *= other. */
    mul_(other: Tensor | number): this;
    /** In place: this /= other. */
    div_(other: Tensor | number): this;
    /** In place: every element = value. */
    fill_(value: number | boolean): this;
    /** In place: every element = 0. */
    zero_(): this;
    /** In place: value where mask is true. */
    maskedFill_(mask: Tensor, value: number): this;
    /** In place: samples of N(mean, std²). */
    normal_(mean?: number, std?: number): this;
    /** In place: samples of U[from, to). */
    uniform_(from?: number, to?: number): this;
  }
}

function dimsArg(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  return args.map((a) => {
    if (typeof a !== 'number') throw new Error(`permute: expected dims as numbers or one array, got ${JSON.stringify(args)}`);
    return a;
  });
}

export function installViewMethods(proto: Tensor): void {
  proto.index = function (this: Tensor, ...idx: ix.Index[]): Tensor { return ix.index(this, ...idx); };
  proto.indexPut_ = function <T extends Tensor>(this: T, indices: readonly ix.Index[], value: Tensor | number, accumulate?: boolean): T { ix.indexPut_(this, indices, value, accumulate); return this; };
  proto.select = function (this: Tensor, dim: number, index: number): Tensor { return vw.select(this, dim, index); };
  proto.unbind = function (this: Tensor, dim?: number): Tensor[] { return vw.unbind(this, dim); };
  proto.narrow = function (this: Tensor, dim: number, start: number, length: number): Tensor { return vw.narrow(this, dim, start, length); };
  proto.permute = function (this: Tensor, ...dims: (number | readonly number[])[]): Tensor { return vw.permute(this, dimsArg(dims)); };
  Object.defineProperty(proto, 'T', { get(this: Tensor): Tensor { return vw.reversedDims(this); }, configurable: true });
  proto.contiguous = function (this: Tensor): Tensor { return vw.contiguous(this); };
  proto.size = function (this: Tensor, dim?: number): number & number[] {
    if (dim === undefined) return [...this.shape] as number & number[];
    const n = this.ndim;
    if (!Number.isInteger(dim) || dim < -n || dim >= n) throw new Error(`size: dim ${dim} is out of range for a tensor with ${n} dims (expected ${-n}..${n - 1})`);
    return this.shape[dim < 0 ? dim + n : dim] as number & number[];
  } as Tensor['size'];
  proto.dim = function (this: Tensor): number { return this.ndim; };
  proto.maskedFill = function (this: Tensor, mask: Tensor, value: number): Tensor { return wh.maskedFill(this, mask, value); };
  proto.where = function (this: Tensor, cond: Tensor, other: Tensor | number): Tensor { return wh.where(cond, this, other); };
  proto.add_ = function <T extends Tensor>(this: T, other: Tensor | number): T { ip.add_(this, other); return this; };
  proto.clamp_ = function <T extends Tensor>(this: T, min?: number | Tensor | null, max?: number | Tensor | null): T { ip.clamp_(this, min, max); return this; };
  proto.scatter_ = function <T extends Tensor>(this: T, dim: number, index: Tensor, src: Tensor | number): T { ip.scatter_(this, dim, index, src); return this; };
  proto.sub_ = function <T extends Tensor>(this: T, other: Tensor | number): T { ip.sub_(this, other); return this; };
  proto.mul_ = function <T extends Tensor>(this: T, other: Tensor | number): T { ip.mul_(this, other); return this; };
  proto.div_ = function <T extends Tensor>(this: T, other: Tensor | number): T { ip.div_(this, other); return this; };
  proto.fill_ = function <T extends Tensor>(this: T, value: number | boolean): T { ip.fill_(this, value); return this; };
  proto.zero_ = function <T extends Tensor>(this: T): T { ip.zero_(this); return this; };
  proto.maskedFill_ = function <T extends Tensor>(this: T, mask: Tensor, value: number): T { ip.maskedFill_(this, mask, value); return this; };
  proto.normal_ = function <T extends Tensor>(this: T, mean?: number, std?: number): T { ip.normal_(this, mean, std); return this; };
  proto.uniform_ = function <T extends Tensor>(this: T, from?: number, to?: number): T { ip.uniform_(this, from, to); return this; };
}
