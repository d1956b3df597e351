// Element-wise ops with gradients: arithmetic with broadcasting, and the unary functions.

import { kernels, type BinaryOp, type Storage } from '../../backend/index.js';
import { broadcastShapes, isTrailingBroadcast, numel, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty, tensor, zerosLike } from './create.js';
import { expandTo, reduceTo, requireFloat } from './util.js';
import { promoted } from './promote.js';
import { toDType } from './shape.js';
import { maskedFill } from './where.js';
import { logicalAnd } from './logical.js';
import { intPow } from './int-pow.js';

function asTensor(v: Tensor | number): Tensor {
  return v instanceof Tensor ? v : tensor(v);
}

/** a op b with broadcasting, without autograd (the ops below and in unary.ts record their own). */
export function binaryForward(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  requireFloat(a, op);
  requireFloat(b, op);
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = empty(shape);
  if (numel(shape) === 0) return out;
  const y = out.storage(op);
  const aFits = sameShape(a.shape, shape) || isTrailingBroadcast(a.shape, shape);
  const bFits = sameShape(b.shape, shape) || isTrailingBroadcast(b.shape, shape);
  if (aFits && bFits) {
    kernels.binary(op, a.storage(op), b.storage(op), y);
    return out;
  }
  const ea = aFits ? null : expandTo(a, shape);
  const eb = bFits ? null : expandTo(b, shape);
  kernels.binary(op, (ea ?? a).storage(op), (eb ?? b).storage(op), y);
  ea?.dispose();
  eb?.dispose();
  return out;
}

export function add(a: Tensor | number, b: Tensor | number): Tensor {
  const p = promoted('add', a, b, add);
  if (p !== null) return p;
  if (a instanceof Tensor && typeof b === 'number') return addScalar(a, b);
  if (typeof a === 'number' && b instanceof Tensor) return addScalar(b, a);
  const ta = asTensor(a);
  const tb = asTensor(b);
  return binaryForward('add', ta, tb).record('add', [ta, tb], (g) => [reduceTo(g, ta.shape), reduceTo(g, tb.shape)], []);
}

export function sub(a: Tensor | number, b: Tensor | number): Tensor {
  const p = promoted('sub', a, b, sub);
  if (p !== null) return p;
  if (a instanceof Tensor && typeof b === 'number') return addScalar(a, -b);
  const ta = asTensor(a);
  const tb = asTensor(b);
  return binaryForward('sub', ta, tb).record('sub', [ta, tb], (g) => {
    const ng = neg(g);
    const gb = reduceTo(ng, tb.shape);
    ng.dispose();
    return [reduceTo(g, ta.shape), gb];
  }, []);
}

export function mul(a: Tensor | number, b: Tensor | number): Tensor {
  const p = promoted('mul', a, b, mul);
  if (p !== null) return p;
  if (a instanceof Tensor && typeof b === 'number') return scale(a, b);
  if (typeof a === 'number' && b instanceof Tensor) return scale(b, a);
  const ta = asTensor(a);
  const tb = asTensor(b);
  return binaryForward('mul', ta, tb).record('mul', [ta, tb], (g) => [
    ta.requiresGrad ? productReducedTo(g, tb, ta) : null,
    tb.requiresGrad ? productReducedTo(g, ta, tb) : null,
  ]);
}

/** d(a·b)/da = g·b, summed down to a's shape. */
function productReducedTo(g: Tensor, other: Tensor, target: Tensor): Tensor {
  const p = binaryForward('mul', g, other);
  const r = reduceTo(p, target.shape);
  p.dispose();
  return r;
}

export function div(a: Tensor | number, b: Tensor | number): Tensor {
  const p = promoted('div', a, b, div);
  if (p !== null) return p;
  const ta = asTensor(a);
  const tb = asTensor(b);
  const out = binaryForward('div', ta, tb);
  return out.record('div', [ta, tb], (g) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (ta.requiresGrad) {
      const q = binaryForward('div', g, tb);
      ga = reduceTo(q, ta.shape);
      q.dispose();
    }
    if (tb.requiresGrad) {
      // d(a/b)/db = -a/b² = -(a/b)/b
      const p = binaryForward('mul', g, out);
      const q = binaryForward('div', p, tb);
      const nq = neg(q);
      gb = reduceTo(nq, tb.shape);
      p.dispose();
      q.dispose();
      nq.dispose();
    }
    return [ga, gb];
  }, [tb, out]);
}

function unary(op: string, x: Tensor, kernel: (x: Storage, y: Storage) => void): Tensor {
  requireFloat(x, op);
  const out = empty(x.shape);
  kernel(x.storage(op), out.storage(op));
  return out;
}

export function addScalar(x: Tensor, s: number): Tensor {
  return unary('add', x, (a, y) => kernels.addScalar(a, s, y)).record('add', [x], (g) => [reduceTo(g, x.shape)], []);
}

export function scale(x: Tensor, alpha: number): Tensor {
  return unary('mul', x, (a, y) => kernels.scale(a, alpha, y)).record('mul', [x], (g) => [scale(g, alpha)], []);
}

export function neg(x: Tensor): Tensor {
  return unary('neg', x, kernels.neg).record('neg', [x], (g) => [neg(g)], []);
}

export function exp(x: Tensor): Tensor {
  const y = unary('exp', x, kernels.exp);
  return y.record('exp', [x], (g) => [binaryForward('mul', g, y)], [y]);
}

export function log(x: Tensor): Tensor {
  return unary('log', x, kernels.log).record('log', [x], (g) => [binaryForward('div', g, x)]);
}

export function abs(x: Tensor): Tensor {
  return unary('abs', x, kernels.abs).record('abs', [x], (g) => {
    const s = unary('sign', x, kernels.sign);
    const r = binaryForward('mul', g, s);
    s.dispose();
    return [r];
  });
}

export function relu(x: Tensor): Tensor {
  return unary('relu', x, kernels.relu).record('relu', [x], (g) => {
    const dx = empty(x.shape);
    kernels.reluBackward(x.storage('relu'), g.storage('relu'), dx.storage('relu'));
    return [dx];
  });
}

export function sigmoid(x: Tensor): Tensor {
  const y = unary('sigmoid', x, kernels.sigmoid);
  return y.record('sigmoid', [x], (g) => {
    const dx = empty(x.shape);
    kernels.sigmoidBackward(y.storage('sigmoid'), g.storage('sigmoid'), dx.storage('sigmoid'));
    return [dx];
  }, [y]);
}

/**
 * x to the power `exponent`: a number, or a tensor broadcast against x (PyTorch's `x ** y`). A number x
 * with a tensor exponent is PyTorch's `torch.pow(self: Number, exponent: Tensor)`: int32 when both are integral.
 */
export function pow(x: Tensor | number, exponent: number | Tensor): Tensor {
  if (typeof x === 'number') {
    if (!(exponent instanceof Tensor)) throw new Error(`pow: with a number base the exponent must be a tensor, got ${String(exponent)}; use Math.pow for two numbers`);
    if (exponent.dtype === 'bool') throw new Error('pow: a number base with a bool exponent is not supported; convert the exponent to int32 or float32');
    return pow(tensor(x, { dtype: exponent.dtype === 'int32' && Number.isInteger(x) ? 'int32' : 'float32' }), exponent);
  }
  if (!(x instanceof Tensor)) throw new Error(`pow: the base must be a tensor or a number, got ${String(x)}`);
  if (exponent instanceof Tensor) {
    return x.dtype === 'int32' && exponent.dtype === 'int32' ? intPow(x, exponent) : powTensor(x, exponent);
  }
  if (typeof exponent !== 'number' || Number.isNaN(exponent)) {
    throw new Error(`pow: the exponent must be a number or a tensor, got ${String(exponent)}`);
  }
  // An int tensor stays integral under an integer exponent; a fractional one promotes it to float32.
  if (x.dtype === 'int32') return Number.isInteger(exponent) ? intPow(x, exponent) : pow(toDType(x, 'float32', 'pow'), exponent);
  return unary('pow', x, (a, y) => kernels.powScalar(a, exponent, y)).record('pow', [x], (g) => {
    // x^0 is constant: zero gradient, also at x = 0 where p·x^(p−1) would be 0·∞ = NaN (as PyTorch).
    if (exponent === 0) return [zerosLike(x)];
    // d(x^p)/dx = p·x^(p−1)
    const d = unary('pow', x, (a, y) => kernels.powScalar(a, exponent - 1, y));
    const pd = unary('mul', d, (a, y) => kernels.scale(a, exponent, y));
    const r = binaryForward('mul', g, pd);
    d.dispose();
    pd.dispose();
    return [r];
  });
}

/** pow(a, b) elementwise over the broadcast shape, float32 (an int or bool operand is cast, as PyTorch promotes). */
function powTensor(a: Tensor, b: Tensor): Tensor {
  const fa = a.dtype === 'float32' ? a : toDType(a, 'float32', 'pow');
  const fb = b.dtype === 'float32' ? b : toDType(b, 'float32', 'pow');
  const shape = broadcastShapes(fa.shape, fb.shape, 'pow');
  const out = empty(shape);
  const ea = expandTo(fa, shape);
  const eb = expandTo(fb, shape);
  if (numel(shape) > 0) kernels.powTensor(ea.storage('pow'), eb.storage('pow'), out.storage('pow'));
  ea.dispose();
  eb.dispose();
  if (fa !== a) fa.dispose();
  if (fb !== b) fb.dispose();
  return out.record('pow', [a, b], (g) => [
    a.requiresGrad ? reducedTo(powGradBase(g, a, b), a.shape) : null,
    b.requiresGrad ? reducedTo(powGradExponent(g, a, b, out), b.shape) : null,
  ], [a, b, out]);
}

function reducedTo(grad: Tensor, shape: readonly number[]): Tensor {
  const r = reduceTo(grad, shape);
  grad.dispose();
  return r;
}

/** d(a^b)/da = b·a^(b−1), and 0 where b = 0 (PyTorch's convention: no 0·∞ at a = 0). */
function powGradBase(g: Tensor, a: Tensor, b: Tensor): Tensor {
  const bm1 = addScalar(b, -1);
  const p = powTensor(a, bm1);
  const pb = mul(p, b);
  const d = mul(pb, g);
  const zeroExp = b.eq(0);
  const fixed = maskedFill(d, zeroExp, 0);
  for (const t of [bm1, p, pb, d, zeroExp]) t.dispose();
  return fixed;
}

/** d(a^b)/db = a^b·ln a, and 0 where a = 0 and b ≥ 0 (PyTorch's convention). */
function powGradExponent(g: Tensor, a: Tensor, b: Tensor, result: Tensor): Tensor {
  const lnA = log(a);
  const rl = mul(result, lnA);
  const d = mul(rl, g);
  const zeroBase = a.eq(0);
  const nonNegative = b.ge(0);
  const mask = logicalAnd(zeroBase, nonNegative);
  const fixed = maskedFill(d, mask, 0);
  for (const t of [lnA, rl, d, zeroBase, nonNegative, mask]) t.dispose();
  return fixed;
}

export function square(x: Tensor): Tensor {
  return pow(x, 2);
}

export function sqrt(x: Tensor): Tensor {
  return pow(x, 0.5);
}
