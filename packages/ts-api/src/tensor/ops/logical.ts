// Logical ops on truth values (any dtype, non-zero = true) with broadcasting, and the all / any
// reductions; bool results, no gradient.

import { kernels, type LogicalOp } from '../../backend/index.js';
import { normalizeDim, splitAtDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty, full } from './create.js';
import { pairwise } from './pairwise.js';
import { toDType } from './shape.js';

function truth(op: string, v: unknown, name: string): Tensor {
  if (!(v instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${v === null ? 'null' : typeof v}`);
  return v.dtype === 'bool' ? v : toDType(v, 'bool', op);
}

function logical(name: string, op: LogicalOp, a: Tensor, b: Tensor): Tensor {
  const ta = truth(name, a, 'input');
  let tb: Tensor | null = null;
  try {
    tb = truth(name, b, 'other');
    return pairwise(name, ta, tb, 'bool', (x, y, out) => kernels.logical(op, x, y, out));
  } finally {
    if (ta !== a) ta.dispose();
    if (tb !== null && tb !== b) tb.dispose();
  }
}

/** Element-wise AND of the truth values (non-zero = true), like `torch.logical_and`. */
export function logicalAnd(a: Tensor, b: Tensor): Tensor {
  return logical('logicalAnd', 'and', a, b);
}

/** Element-wise OR, like `torch.logical_or`. */
export function logicalOr(a: Tensor, b: Tensor): Tensor {
  return logical('logicalOr', 'or', a, b);
}

/** Element-wise XOR, like `torch.logical_xor`. */
export function logicalXor(a: Tensor, b: Tensor): Tensor {
  return logical('logicalXor', 'xor', a, b);
}

/** Element-wise NOT (true where x is zero), like `torch.logical_not`. */
export function logicalNot(x: Tensor): Tensor {
  const t = full([], true);
  try {
    return logical('logicalNot', 'xor', x, t);
  } finally {
    t.dispose();
  }
}

function reduce(op: 'all' | 'any', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  const t = truth(op, x, 'input');
  try {
    const d = dim === undefined ? undefined : normalizeDim(dim, x.ndim, op);
    const [outer, size, inner] = d === undefined ? [1, x.numel(), 1] : splitAtDim(x.shape, d);
    const shape = d === undefined
      ? (keepdim ? x.shape.map(() => 1) : [])
      : keepdim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d);
    const out = empty(shape, 'bool');
    kernels.allAny(op, t.storage(op), out.storage(op), outer, size, inner);
    return out;
  } finally {
    if (t !== x) t.dispose();
  }
}

/** True where every element (over all, or along `dim`) is non-zero, like `torch.all`; true for none. */
export function all(x: Tensor, dim?: number, keepdim = false): Tensor {
  return reduce('all', x, dim, keepdim);
}

/** True where some element (over all, or along `dim`) is non-zero, like `torch.any`; false for none. */
export function any(x: Tensor, dim?: number, keepdim = false): Tensor {
  return reduce('any', x, dim, keepdim);
}
