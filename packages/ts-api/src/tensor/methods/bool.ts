// Tensor methods of comparisons, logical ops, all / any, casts and the conversions to JavaScript values
// (printing, Symbol.toPrimitive, Symbol.dispose), installed on Tensor.prototype by tensor.ts.

import type { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import * as cmp from '../ops/compare.js';
import * as lg from '../ops/logical.js';
import { toDType } from '../ops/shape.js';
import { formatTensor } from '../format.js';
import { formatShape } from '../shape.js';

declare module '../tensor.js' {
  interface Tensor {
    /** `this == other` element-wise, as a bool tensor (no gradient), like PyTorch's `eq`. */
    eq(other: Tensor | number): Tensor;
    /** `this != other` element-wise, as a bool tensor. */
    ne(other: Tensor | number): Tensor;
    /** `this < other` element-wise, as a bool tensor. */
    lt(other: Tensor | number): Tensor;
    /** `this <= other` element-wise, as a bool tensor. */
    le(other: Tensor | number): Tensor;
    /** `this > other` element-wise, as a bool tensor. */
    gt(other: Tensor | number): Tensor;
    /** `this >= other` element-wise, as a bool tensor. */
    ge(other: Tensor | number): Tensor;
    /** Element-wise AND of the truth values (non-zero = true), as a bool tensor. */
    logicalAnd(other: Tensor): Tensor;
    /** Element-wise OR of the truth values. */
    logicalOr(other: Tensor): Tensor;
    /** Element-wise XOR of the truth values. */
    logicalXor(other: Tensor): Tensor;
    /** Element-wise NOT of the truth values. */
    logicalNot(): Tensor;
    /** True where every element (over all, or along `dim`) is non-zero. */
    all(dim?: number, keepdim?: boolean): Tensor;
    /** True where some element (over all, or along `dim`) is non-zero. */
    any(dim?: number, keepdim?: boolean): Tensor;
    /** A float32 copy (a float32 input keeps its gradient: identity). */
    float(): Tensor;
    /** An int32 copy: floats truncate toward zero; NaN, ±Infinity or a value outside int32 throws. */
    int(): Tensor;
    /** A bool copy: `this != 0`. */
    bool(): Tensor;
    /** A copy converted to `dtype` (see `float`, `int`, `bool`); `'cpu'` returns this tensor. */
    to(dtype: DType | 'cpu'): Tensor;
    /**
     * With a dtype (ours, or PyTorch's type name): `to(dtype)`. Without: PyTorch's type name
     * (`torch.FloatTensor`, `torch.IntTensor`, `torch.BoolTensor`).
     */
    type(): string;
    type(dtype: DType | 'torch.FloatTensor' | 'torch.IntTensor' | 'torch.BoolTensor'): Tensor;
    /**
     * A one-element tensor becomes its number (0/1 for bool), so `loss < best` and
     * `while (x.abs().sum() > 1)` work as in PyTorch; more elements throw; the `string` hint prints it.
     */
    [Symbol.toPrimitive](hint: string): number | string;
    /** `using t = …` disposes the tensor at the end of the block. */
    [Symbol.dispose](): void;
  }
}

/** TypeScript's downlevel `using` helper looks the method up under this key when the engine has none. */
export const DISPOSE: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Symbol.toPrimitive: numbers only from one element, with PyTorch's message for a tensor used as a truth value. */
function toPrimitive(t: Tensor, hint: string): number | string {
  if (hint === 'string') return formatTensor(t);
  if (t.numel() === 1) return t.item();
  const shape = formatShape(t.shape);
  if (hint === 'number') {
    throw new Error(
      `Boolean value of Tensor with more than one value is ambiguous: a tensor of shape ${shape} was used as a number ` +
      '(a comparison such as x > 1 or a condition); only one-element tensors convert. Use .item(), or .gt()/.lt()/.all()/.any() for element-wise comparisons',
    );
  }
  throw new Error(
    `only one element tensors can be converted to JavaScript scalars, this one has shape ${shape}: JavaScript operators such as + and == ` +
    'do not work element-wise on tensors; use .add()/.sub()/.mul()/.div() and .eq()',
  );
}

const TYPE_NAMES: Record<DType, string> = { float32: 'torch.FloatTensor', int32: 'torch.IntTensor', bool: 'torch.BoolTensor' };

export function installBoolMethods(proto: Tensor): void {
  proto.eq = function (this: Tensor, other: Tensor | number): Tensor { return cmp.eq(this, other); };
  proto.ne = function (this: Tensor, other: Tensor | number): Tensor { return cmp.ne(this, other); };
  proto.lt = function (this: Tensor, other: Tensor | number): Tensor { return cmp.lt(this, other); };
  proto.le = function (this: Tensor, other: Tensor | number): Tensor { return cmp.le(this, other); };
  proto.gt = function (this: Tensor, other: Tensor | number): Tensor { return cmp.gt(this, other); };
  proto.ge = function (this: Tensor, other: Tensor | number): Tensor { return cmp.ge(this, other); };
  proto.logicalAnd = function (this: Tensor, other: Tensor): Tensor { return lg.logicalAnd(this, other); };
  proto.logicalOr = function (this: Tensor, other: Tensor): Tensor { return lg.logicalOr(this, other); };
  proto.logicalXor = function (this: Tensor, other: Tensor): Tensor { return lg.logicalXor(this, other); };
  proto.logicalNot = function (this: Tensor): Tensor { return lg.logicalNot(this); };
  proto.all = function (this: Tensor, dim?: number, keepdim = false): Tensor { return lg.all(this, dim, keepdim); };
  proto.any = function (this: Tensor, dim?: number, keepdim = false): Tensor { return lg.any(this, dim, keepdim); };
  proto.float = function (this: Tensor): Tensor { return toDType(this, 'float32', 'float'); };
  proto.int = function (this: Tensor): Tensor { return toDType(this, 'int32', 'int'); };
  proto.bool = function (this: Tensor): Tensor { return toDType(this, 'bool', 'bool'); };
  proto.to = function (this: Tensor, dtype: DType | 'cpu'): Tensor {
    if (dtype === 'cpu') return this;
    return toDType(this, dtype, 'to');
  };
  proto.type = function (this: Tensor, dtype?: string): Tensor | string {
    if (dtype === undefined) return TYPE_NAMES[this.dtype];
    const named = (Object.keys(TYPE_NAMES) as DType[]).find((d) => TYPE_NAMES[d] === dtype);
    return toDType(this, named ?? (dtype as DType), 'type');
  } as Tensor['type'];
  proto[Symbol.toPrimitive] = function (this: Tensor, hint: string): number | string { return toPrimitive(this, hint); };
  const extra = proto as unknown as Record<symbol, unknown>;
  extra[DISPOSE] = function (this: Tensor): void { this.dispose(); };
  extra[INSPECT] = function (this: Tensor): string { return formatTensor(this); };
}
