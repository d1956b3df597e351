// Integer powers of int32 tensors (PyTorch keeps integer pow integral): exact, negative exponents refused
// as PyTorch refuses them, and a result outside int32 throws instead of wrapping.

import { broadcastShapes, numel } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { expandTo } from './util.js';

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

/** a^p for p ≥ 0, or null when it leaves int32 (|a| ≥ 2 overflows within 31 factors). */
function power(a: number, p: number): number | null {
  if (a === 0) return p === 0 ? 1 : 0;
  if (a === 1) return 1;
  if (a === -1) return p % 2 === 0 ? 1 : -1;
  let r = 1;
  for (let i = 0; i < p; i++) {
    r *= a;
    if (r > INT_MAX || r < INT_MIN) return null;
  }
  return r;
}

/** `x ** exponent` with x int32 and an int32 tensor or an integer exponent. */
export function intPow(x: Tensor, exponent: Tensor | number): Tensor {
  const shape = typeof exponent === 'number' ? [...x.shape] : broadcastShapes(x.shape, exponent.shape, 'pow');
  const out = empty(shape, 'int32');
  if (numel(shape) === 0) return out;
  const ex = expandTo(x, shape);
  const ee = typeof exponent === 'number' ? null : expandTo(exponent, shape);
  try {
    const [a, b, y] = [ex.storage('pow').i32(), ee?.storage('pow').i32(), out.storage('pow').i32()];
    for (let i = 0; i < y.length; i++) {
      const p = b === undefined ? (exponent as number) : b[i];
      if (p < 0) throw new Error('pow: Integers to negative integer powers are not allowed.');
      const v = power(a[i], p);
      if (v === null) {
        throw new Error(`pow: int32 overflow at element ${i}: ${a[i]} ** ${p} is outside [${INT_MIN}, ${INT_MAX}]`);
      }
      y[i] = v;
    }
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    ex.dispose();
    ee?.dispose();
  }
  return out;
}
