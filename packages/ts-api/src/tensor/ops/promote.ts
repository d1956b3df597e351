// PyTorch's type promotion for our three dtypes (bool < int32 < float32), and the arithmetic that is
// not float32 on both sides: int32 kernels that refuse to overflow, bool +/* as or/and, and casts to
// float32 for mixed operands and true division.

import { kernels, KernelError, Status, type Storage } from '../../backend/index.js';
import { INT32_MAX, INT32_MIN, type DType } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { full } from './create.js';
import { pairwise } from './pairwise.js';
import { toDType } from './shape.js';

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2 };

/** The dtype a JavaScript number counts as: an integer is PyTorch's Python int, anything else a float. */
function numberDType(v: number): DType {
  return Number.isInteger(v) ? 'int32' : 'float32';
}

function checkNumber(op: string, v: unknown, name: string): void {
  if (typeof v !== 'number' && !(v instanceof Tensor)) {
    throw new Error(`${op}: ${name} must be a Tensor or a number, got ${v === null ? 'null' : typeof v}`);
  }
}

/**
 * The dtype `op(a, b)` computes in, as `torch.result_type`: the higher of bool < int32 < float32, where a
 * number only raises a tensor's dtype to its own kind (an integer makes a bool tensor int32, a
 * non-integer makes any tensor float32). Two numbers give float32.
 */
export function resultType(a: Tensor | number, b: Tensor | number): DType {
  if (a instanceof Tensor && b instanceof Tensor) return RANK[a.dtype] >= RANK[b.dtype] ? a.dtype : b.dtype;
  if (a instanceof Tensor || b instanceof Tensor) {
    const t = (a instanceof Tensor ? a : b) as Tensor;
    const n = numberDType((a instanceof Tensor ? b : a) as number);
    return RANK[n] > RANK[t.dtype] ? n : t.dtype;
  }
  return 'float32';
}

/** `v` as a `dtype` tensor: a tensor cast (a view-free copy) when its dtype differs, a number as one element. */
export function operand(op: string, v: Tensor | number, dtype: DType): Tensor {
  if (v instanceof Tensor) return v.dtype === dtype ? v : toDType(v, dtype, op);
  if (dtype === 'int32' && (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX)) {
    throw new Error(`${op}: the number ${v} cannot be represented as int32 (an int32 operation needs integers in [${INT32_MIN}, ${INT32_MAX}])`);
  }
  return full([], v, { dtype });
}

type Arith = 'add' | 'sub' | 'mul' | 'div';

/**
 * `op(a, b)` when it is not float32 on both sides (null: the float32 path, which has the gradients,
 * takes it as it is). Mixed operands and true division go through float32 by `floatOp`, which records
 * the gradient of the float operand; int32 and bool results have none.
 */
export function promoted(op: Arith, a: Tensor | number, b: Tensor | number, floatOp: (a: Tensor | number, b: Tensor | number) => Tensor): Tensor | null {
  checkNumber(op, a, 'the first operand');
  checkNumber(op, b, 'the second operand');
  const isFloat = (v: Tensor | number): boolean => !(v instanceof Tensor) || v.dtype === 'float32';
  if (isFloat(a) && isFloat(b)) return null;
  const isBool = (v: Tensor | number): boolean => v instanceof Tensor && v.dtype === 'bool';
  if (op === 'sub' && (isBool(a) || isBool(b))) {
    throw new Error('sub: subtraction with a bool tensor is not supported (as in PyTorch); to invert a mask use logicalNot()');
  }
  const dtype = resultType(a, b);
  if (dtype === 'float32' || op === 'div') {
    const f = (v: Tensor | number): Tensor | number => (v instanceof Tensor && v.dtype !== 'float32' ? toDType(v, 'float32', op) : v);
    return floatOp(f(a), f(b));
  }
  const ta = operand(op, a, dtype);
  const tb = operand(op, b, dtype);
  if (dtype === 'bool') {
    // PyTorch: True + True is True (or), True * False is False (and).
    return pairwise(op, ta, tb, 'bool', (x, y, out) => kernels.logical(op === 'add' ? 'or' : 'and', x, y, out));
  }
  return pairwise(op, ta, tb, 'int32', (x, y, out) => intOp(op, x, y, out));
}

function intOp(op: 'add' | 'sub' | 'mul', a: Storage, b: Storage, y: Storage): void {
  try {
    kernels.binaryInt(op, a, b, y);
  } catch (e) {
    if (e instanceof KernelError && e.code === Status.INDEX_OUT_OF_RANGE) throw new Error(`${op}: ${e.message.slice(e.kernel.length + 2)}`);
    throw e;
  }
}
