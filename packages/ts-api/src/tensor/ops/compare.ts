// Comparisons eq ne lt le gt ge: broadcasting, PyTorch's type promotion between the operands, a bool
// result and no gradient.

import { kernels, type CompareOp } from '../../backend/index.js';
import { Tensor } from '../tensor.js';
import { pairwise } from './pairwise.js';
import { operand, resultType } from './promote.js';

function compare(op: CompareOp, a: Tensor | number, b: Tensor | number): Tensor {
  for (const [v, name] of [[a, 'input'], [b, 'other']] as const) {
    if (typeof v !== 'number' && !(v instanceof Tensor)) {
      throw new Error(`${op}: ${name} must be a Tensor or a number, got ${v === null ? 'null' : typeof v}`);
    }
  }
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) throw new Error(`${op}: input must be a Tensor, got two numbers`);
  // Two bools compare as the integers 0 and 1 (False < True, as in PyTorch).
  const common = resultType(a, b);
  const dtype = common === 'bool' ? 'int32' : common;
  const ta = operand(op, a, dtype);
  let tb: Tensor | null = null;
  try {
    tb = operand(op, b, dtype);
    return pairwise(op, ta, tb, 'bool', (x, y, out) => kernels.compare(op, x, y, out));
  } finally {
    if (ta !== a) ta.dispose();
    if (tb !== null && tb !== b) tb.dispose();
  }
}

/** `a == b` element-wise as a bool tensor, like `torch.eq` (NaN is unequal to everything). */
export function eq(a: Tensor, b: Tensor | number): Tensor {
  return compare('eq', a, b);
}

/** `a != b` element-wise as a bool tensor, like `torch.ne`. */
export function ne(a: Tensor, b: Tensor | number): Tensor {
  return compare('ne', a, b);
}

/** `a < b` element-wise as a bool tensor, like `torch.lt`. */
export function lt(a: Tensor, b: Tensor | number): Tensor {
  return compare('lt', a, b);
}

/** `a <= b` element-wise as a bool tensor, like `torch.le`. */
export function le(a: Tensor, b: Tensor | number): Tensor {
  return compare('le', a, b);
}

/** `a > b` element-wise as a bool tensor, like `torch.gt`. */
export function gt(a: Tensor, b: Tensor | number): Tensor {
  return compare('gt', a, b);
}

/** `a >= b` element-wise as a bool tensor, like `torch.ge`. */
export function ge(a: Tensor, b: Tensor | number): Tensor {
  return compare('ge', a, b);
}
