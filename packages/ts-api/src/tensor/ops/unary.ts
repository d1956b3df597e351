// The unary maths of one kernel table (tanh, floor, … cos) with PyTorch's gradients, sign, clamp, and
// maximum / minimum with broadcasting and PyTorch 1.13's split of tied gradients.

import { kernels, type UnaryOp } from '../../backend/index.js';
import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty, tensor, zerosLike } from './create.js';
import { binaryForward } from './elementwise.js';
import { expandTo, reduceTo, requireFloat, requireTensor, viewOf } from './util.js';

/** How each op of the table differentiates: through the unaryBackward kernel, or not at all (zero). */
const GRADIENT: Record<Exclude<UnaryOp, 'zeroInf' | 'reciprocalOrZero'>, 'kernel' | 'zero'> = {
  tanh: 'kernel', floor: 'zero', ceil: 'zero', round: 'zero', reciprocal: 'kernel', rsqrt: 'kernel',
  log1p: 'kernel', expm1: 'kernel', sin: 'kernel', cos: 'kernel',
};

type TableOp = keyof typeof GRADIENT;

/** y = op(x) through the core's unary table, without autograd. */
export function unaryForward(op: UnaryOp, x: Tensor, name: string = op): Tensor {
  requireFloat(x, name);
  const out = empty(x.shape);
  if (out.numel() > 0) kernels.unary(op, x.storage(name), out.storage(name));
  return out;
}

function tableOp(op: TableOp, x: Tensor): Tensor {
  const y = unaryForward(op, x);
  return y.record(op, [x], (g) => {
    if (GRADIENT[op] === 'zero') return [zerosLike(x)];
    const dx = empty(x.shape);
    if (dx.numel() > 0) kernels.unaryBackward(op, x.storage(op), y.storage(op), g.storage(op), dx.storage(op));
    return [dx];
  });
}

/** Hyperbolic tangent, like `torch.tanh`. */
export function tanh(x: Tensor): Tensor { return tableOp('tanh', x); }
/** Largest integer ≤ x, like `torch.floor` (zero gradient). */
export function floor(x: Tensor): Tensor { return tableOp('floor', x); }
/** Smallest integer ≥ x, like `torch.ceil` (zero gradient). */
export function ceil(x: Tensor): Tensor { return tableOp('ceil', x); }
/** Nearest integer, halves to even (`torch.round`: round(0.5) = 0, round(1.5) = 2); zero gradient. */
export function round(x: Tensor): Tensor { return tableOp('round', x); }
/** 1/x, like `torch.reciprocal`. */
export function reciprocal(x: Tensor): Tensor { return tableOp('reciprocal', x); }
/** 1/√x, like `torch.rsqrt`. */
export function rsqrt(x: Tensor): Tensor { return tableOp('rsqrt', x); }
/** ln(1 + x), accurate near 0, like `torch.log1p`. */
export function log1p(x: Tensor): Tensor { return tableOp('log1p', x); }
/** eˣ − 1, accurate near 0, like `torch.expm1`. */
export function expm1(x: Tensor): Tensor { return tableOp('expm1', x); }
/** Sine, like `torch.sin`. */
export function sin(x: Tensor): Tensor { return tableOp('sin', x); }
/** Cosine, like `torch.cos`. */
export function cos(x: Tensor): Tensor { return tableOp('cos', x); }

/** −1, 0 or 1 (0 for ±0 and NaN), like `torch.sign`; zero gradient. */
export function sign(x: Tensor): Tensor {
  requireFloat(x, 'sign');
  const out = empty(x.shape);
  if (out.numel() > 0) kernels.sign(x.storage('sign'), out.storage('sign'));
  return out.record('sign', [x], () => [zerosLike(x)]);
}

function bound(v: unknown, name: 'min' | 'max'): number | Tensor | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Tensor) {
    requireFloat(v, `clamp (${name})`);
    return v;
  }
  if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`clamp: ${name} must be a number, a Tensor, null or undefined, got ${String(v)}`);
  return v;
}

/** clamp with a tensor bound: min(max(x, lo), hi) with broadcasting, and PyTorch's gradients for all three. */
function clampTensor(x: Tensor, lo: Tensor | number | null, hi: Tensor | number | null): Tensor {
  const lt = typeof lo === 'number' ? tensor(lo) : lo;
  const ht = typeof hi === 'number' ? tensor(hi) : hi;
  let shape: readonly number[] = x.shape;
  if (lt !== null) shape = broadcastShapes(shape, lt.shape, 'clamp');
  if (ht !== null) shape = broadcastShapes(shape, ht.shape, 'clamp');
  const ex = expandTo(x, shape);
  const el = lt === null ? null : expandTo(lt, shape);
  const eh = ht === null ? null : expandTo(ht, shape);
  const m = el === null ? ex : binaryForward('maximum', ex, el);
  const out = eh === null ? m : binaryForward('minimum', m, eh);
  if (m !== ex && m !== out) m.dispose();
  const inputs = [x, ...(lt === null ? [] : [lt]), ...(ht === null ? [] : [ht])];
  return (out === ex ? viewOf(ex) : out).record('clamp', inputs, (g) => {
    const dx = empty(shape);
    const dl = el === null ? null : empty(shape);
    const dh = eh === null ? null : empty(shape);
    if (dx.numel() > 0) {
      const s = (t: Tensor | null) => (t === null ? null : t.storage('backward'));
      kernels.clampTensorBackward(ex.storage('backward'), s(el), s(eh), g.storage('backward'), dx.storage('backward'), s(dl), s(dh));
    }
    const grads: (Tensor | null)[] = [reduceTo(dx, x.shape)];
    if (lt !== null && dl !== null) grads.push(lt.requiresGrad ? reduceTo(dl, lt.shape) : null);
    if (ht !== null && dh !== null) grads.push(ht.requiresGrad ? reduceTo(dh, ht.shape) : null);
    dx.dispose();
    dl?.dispose();
    dh?.dispose();
    return grads;
  });
}

/**
 * Limits x to [min, max], like `torch.clamp` (either bound may be null or undefined, not both; NaN stays
 * NaN; every element is max when min > max). The gradient passes where min ≤ x ≤ max, bounds included.
 * A bound may be a tensor (broadcast with x; it gets PyTorch's gradient: where x < min, resp. x > max).
 */
export function clamp(x: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
  requireTensor(x, 'clamp', 'input');
  requireFloat(x, 'clamp');
  const lo = bound(min, 'min');
  const hi = bound(max, 'max');
  if (lo === null && hi === null) throw new Error("clamp: At least one of 'min' or 'max' must not be None (both are null or undefined)");
  if (lo instanceof Tensor || hi instanceof Tensor) return clampTensor(x, lo, hi);
  const l = lo ?? -Infinity;
  const h = hi ?? Infinity;
  const out = empty(x.shape);
  if (out.numel() > 0) kernels.clamp(x.storage('clamp'), l, h, out.storage('clamp'));
  return out.record('clamp', [x], (g) => {
    const dx = empty(x.shape);
    if (dx.numel() > 0) kernels.clampBackward(x.storage('clamp'), g.storage('clamp'), l, h, dx.storage('clamp'));
    return [dx];
  });
}

function maxmin(op: 'maximum' | 'minimum', a: Tensor, b: Tensor): Tensor {
  requireTensor(a, op, 'input');
  requireTensor(b, op, 'other');
  requireFloat(a, op);
  requireFloat(b, op);
  const out = binaryForward(op, a, b);
  return out.record(op, [a, b], (g) => {
    const shape = broadcastShapes(a.shape, b.shape, op);
    const ea = expandTo(a, shape);
    const eb = expandTo(b, shape);
    const da = empty(shape);
    const db = empty(shape);
    if (da.numel() > 0) kernels.maxminBackward(op, ea.storage(op), eb.storage(op), g.storage(op), da.storage(op), db.storage(op));
    ea.dispose();
    eb.dispose();
    const ga = a.requiresGrad ? reduceTo(da, a.shape) : null;
    const gb = b.requiresGrad ? reduceTo(db, b.shape) : null;
    da.dispose();
    db.dispose();
    return [ga, gb];
  });
}

/**
 * Element-wise larger of two tensors with broadcasting, like `torch.maximum` (NaN if either is NaN).
 * The gradient goes to the larger; on a tie each side gets half (PyTorch 1.13).
 */
export function maximum(a: Tensor, b: Tensor): Tensor { return maxmin('maximum', a, b); }

/** Element-wise smaller of two tensors, like `torch.minimum`; ties split the gradient half / half. */
export function minimum(a: Tensor, b: Tensor): Tensor { return maxmin('minimum', a, b); }

