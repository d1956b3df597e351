// Tensor methods of the element-wise maths and the reductions (each also a function of the package root).

import type { Tensor } from '../tensor.js';
import type { DimArg } from '../ops/dims.js';
import * as ex from '../ops/extrema.js';
import { sort } from '../ops/sort.js';
import * as rd from '../ops/reduce.js';
import * as st from '../ops/stats.js';
import * as un from '../ops/unary.js';

declare module '../tensor.js' {
  interface Tensor {
    /** Hyperbolic tangent (`torch.tanh`). */
    tanh(): Tensor;
    /** −1, 0 or 1 (`torch.sign`); zero gradient. */
    sign(): Tensor;
    /** Round toward −∞ (`torch.floor`); zero gradient. */
    floor(): Tensor;
    /** Round toward +∞ (`torch.ceil`); zero gradient. */
    ceil(): Tensor;
    /** Round half to even (`torch.round`); zero gradient. */
    round(): Tensor;
    /** 1/x (`torch.reciprocal`). */
    reciprocal(): Tensor;
    /** 1/√x (`torch.rsqrt`). */
    rsqrt(): Tensor;
    /** ln(1 + x) (`torch.log1p`). */
    log1p(): Tensor;
    /** eˣ − 1 (`torch.expm1`). */
    expm1(): Tensor;
    /** Sine (`torch.sin`). */
    sin(): Tensor;
    /** Cosine (`torch.cos`). */
    cos(): Tensor;
    /** Limits to [min, max] (`torch.clamp`); either bound may be null / undefined, or a tensor. */
    clamp(min?: number | Tensor | null, max?: number | Tensor | null): Tensor;
    /** Element-wise larger with broadcasting (`torch.maximum`). */
    maximum(other: Tensor): Tensor;
    /** Element-wise smaller with broadcasting (`torch.minimum`). */
    minimum(other: Tensor): Tensor;
    /** `[values, indices]` sorted along `dim` (default the last), like `Tensor.sort`. */
    sort(dim?: number, descending?: boolean): ex.ValuesIndices;
    /** `x.max()` the largest element; `x.max(dim, keepdim?)` `[values, indices]`; `x.max(other)` element-wise. */
    max(): Tensor;
    max(dim: number, keepdim?: boolean): ex.ValuesIndices;
    max(other: Tensor): Tensor;
    /** The mirror of `max` (`torch.min`). */
    min(): Tensor;
    min(dim: number, keepdim?: boolean): ex.ValuesIndices;
    min(other: Tensor): Tensor;
    /** Largest value over dims (`torch.amax`). */
    amax(dim?: DimArg | null, keepdim?: boolean): Tensor;
    /** Smallest value over dims (`torch.amin`). */
    amin(dim?: DimArg | null, keepdim?: boolean): Tensor;
    /** Index of the smallest element (`torch.argmin`), int32. */
    argmin(dim?: number | null, keepdim?: boolean): Tensor;
    /** log Σ exp over dims, stably (`torch.logsumexp`). */
    logsumexp(dim: DimArg, keepdim?: boolean): Tensor;
    /** Product (`torch.prod`). */
    prod(dim?: DimArg | null, keepdim?: boolean): Tensor;
    /**
     * Variance (`torch.var`): PyTorch's positional `x.var(dim?, unbiased?, keepdim?)` — a boolean after the
     * dim is `unbiased`, as in PyTorch — or options `{ correction, unbiased, keepdim }` at any place.
     */
    var(dim?: DimArg | st.VarOptions | boolean | null, unbiased?: boolean | st.VarOptions, keepdim?: boolean | st.VarOptions, options?: st.VarOptions): Tensor;
    /** Standard deviation (`torch.std`), the arguments of `var`. */
    std(dim?: DimArg | st.VarOptions | boolean | null, unbiased?: boolean | st.VarOptions, keepdim?: boolean | st.VarOptions, options?: st.VarOptions): Tensor;
    /** p-norm (`torch.norm(x, p, dim, keepdim)`). */
    norm(p?: number | 'fro', dim?: DimArg | null, keepdim?: boolean): Tensor;
    /** Cumulative sum along dim (`torch.cumsum`). */
    cumsum(dim: number): Tensor;
  }
}

export function installReduceMethods(proto: Tensor): void {
  proto.tanh = function (this: Tensor): Tensor { return un.tanh(this); };
  proto.sign = function (this: Tensor): Tensor { return un.sign(this); };
  proto.floor = function (this: Tensor): Tensor { return un.floor(this); };
  proto.ceil = function (this: Tensor): Tensor { return un.ceil(this); };
  proto.round = function (this: Tensor): Tensor { return un.round(this); };
  proto.reciprocal = function (this: Tensor): Tensor { return un.reciprocal(this); };
  proto.rsqrt = function (this: Tensor): Tensor { return un.rsqrt(this); };
  proto.log1p = function (this: Tensor): Tensor { return un.log1p(this); };
  proto.expm1 = function (this: Tensor): Tensor { return un.expm1(this); };
  proto.sin = function (this: Tensor): Tensor { return un.sin(this); };
  proto.cos = function (this: Tensor): Tensor { return un.cos(this); };
  proto.clamp = function (this: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor { return un.clamp(this, min, max); };
  proto.maximum = function (this: Tensor, other: Tensor): Tensor { return un.maximum(this, other); };
  proto.minimum = function (this: Tensor, other: Tensor): Tensor { return un.minimum(this, other); };
  proto.sort = function (this: Tensor, dim = -1, descending = false): ex.ValuesIndices { return sort(this, dim, descending); };
  proto.max = function (this: Tensor, other?: Tensor | number, keepdim?: boolean): Tensor & ex.ValuesIndices {
    return (ex.max as (x: Tensor, o?: Tensor | number, k?: boolean) => Tensor & ex.ValuesIndices)(this, other, keepdim);
  } as Tensor['max'];
  proto.min = function (this: Tensor, other?: Tensor | number, keepdim?: boolean): Tensor & ex.ValuesIndices {
    return (ex.min as (x: Tensor, o?: Tensor | number, k?: boolean) => Tensor & ex.ValuesIndices)(this, other, keepdim);
  } as Tensor['min'];
  proto.amax = function (this: Tensor, dim?: DimArg | null, keepdim = false): Tensor { return ex.amax(this, dim, keepdim); };
  proto.amin = function (this: Tensor, dim?: DimArg | null, keepdim = false): Tensor { return ex.amin(this, dim, keepdim); };
  proto.argmin = function (this: Tensor, dim?: number | null, keepdim = false): Tensor { return rd.argmin(this, dim, keepdim); };
  proto.logsumexp = function (this: Tensor, dim: DimArg, keepdim = false): Tensor { return st.logsumexp(this, dim, keepdim); };
  proto.prod = function (this: Tensor, dim?: DimArg | null, keepdim = false): Tensor { return st.prod(this, dim, keepdim); };
  proto.var = function (this: Tensor, dim?: DimArg | st.VarOptions | boolean | null, unbiased?: boolean | st.VarOptions, keepdim?: boolean | st.VarOptions, options?: st.VarOptions): Tensor {
    return st.variance(this, dim, unbiased, keepdim, options);
  };
  proto.std = function (this: Tensor, dim?: DimArg | st.VarOptions | boolean | null, unbiased?: boolean | st.VarOptions, keepdim?: boolean | st.VarOptions, options?: st.VarOptions): Tensor {
    return st.std(this, dim, unbiased, keepdim, options);
  };
  proto.norm = function (this: Tensor, p: number | 'fro' = 2, dim?: DimArg | null, keepdim = false): Tensor { return st.norm(this, p, dim, keepdim); };
  proto.cumsum = function (this: Tensor, dim: number): Tensor { return st.cumsum(this, dim); };
}
