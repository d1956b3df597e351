// logsumexp, prod, var, std, norm and cumsum, with PyTorch 1.13's gradients (prod exact with zeros,
// std and norm zero where the result is zero).

import { kernels } from '../../backend/index.js';
import { noGrad } from '../grad-mode.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { empty, full, zerosLike } from './create.js';
import { inverse, keptView, layoutFor, oneDim, permuted, reduceDims, reduceWith, reducedCount, reducedShape, type DimArg } from './dims.js';
import { abs, add, binaryForward, div, exp, log, mul, pow, scale, sub } from './elementwise.js';
import { amax, amin } from './extrema.js';
import { mean, sum } from './reduce.js';
import { sign, unaryForward } from './unary.js';
import { requireFloat, viewOf } from './util.js';

/**
 * log Σ exp(x) over `dim` (required, a number or an array), computed stably as PyTorch does: the max is
 * subtracted first (0 instead when it is ±inf), so large inputs do not overflow; −inf over nothing.
 */
export function logsumexp(x: Tensor, dim: DimArg, keepdim = false): Tensor {
  requireFloat(x, 'logsumexp');
  if (dim === undefined || dim === null) throw new Error('logsumexp: dim is required (as in PyTorch): pass a dim or an array of dims');
  const dims = reduceDims('logsumexp', dim, x.shape);
  const kept = reducedShape(x.shape, dims, true);
  if (reducedCount(x.shape, dims) === 0 || x.numel() === 0) {
    return full(reducedShape(x.shape, dims, keepdim), -Infinity).record('logsumexp', [x], () => [zerosLike(x)]);
  }
  const outKept = noGrad(() => {
    const m = amax(x, dims, true);
    const shift = unaryForward('zeroInf', m, 'logsumexp');
    m.dispose();
    const d = sub(x, shift);
    const e = exp(d);
    d.dispose();
    const s = sum(e, dims, true);
    e.dispose();
    const l = log(s);
    s.dispose();
    const out = add(l, shift);
    l.dispose();
    shift.dispose();
    return out;
  });
  const out = viewOf(outKept, reducedShape(x.shape, dims, keepdim));
  outKept.dispose();
  return out.record('logsumexp', [x], (g) => {
    // PyTorch's backward, g · exp(x − result): finite even where the shifted exp overflowed
    const r = viewOf(out, kept);
    const d = sub(x, r);
    r.dispose();
    const e = exp(d);
    d.dispose();
    const gk = viewOf(g, kept);
    const gx = binaryForward('mul', gk, e);
    gk.dispose();
    e.dispose();
    return [gx];
  });
}

/** Product of all elements, or over `dim`, like `torch.prod`; the gradient is exact when elements are zero. */
export function prod(x: Tensor, dim?: DimArg | null, keepdim = false): Tensor {
  requireFloat(x, 'prod');
  const dims = reduceDims('prod', dim, x.shape);
  const out = reduceWith('prod', x, dims, keepdim, kernels.prodAxis);
  return out.record('prod', [x], (g) => {
    const l = layoutFor(x, dims);
    const others = empty(l.src.shape);
    if (others.numel() > 0) kernels.prodOthersAxis(l.src.storage('backward'), others.storage('backward'), l.outer, l.size, l.inner);
    let inX = others;
    if (l.order !== null) {
      l.src.dispose();
      inX = permuted(others, inverse(l.order));
      others.dispose();
    }
    const gk = keptView(g, x.shape, dims);
    const gx = binaryForward('mul', gk, inX);
    gk.dispose();
    inX.dispose();
    return [gx];
  });
}

export interface VarOptions {
  /** Subtracted from the count in the divisor (Bessel's correction); 1 by default, as PyTorch. */
  correction?: number;
  /** PyTorch's older flag: true is correction 1, false correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

type DimOrOptions = DimArg | VarOptions | boolean | null | undefined;
type FlagOrOptions = boolean | VarOptions | undefined;

/**
 * PyTorch's positional forms: `var(dim, unbiased, keepdim)` and `var(unbiased)` — a boolean after the
 * dim is `unbiased`, as in PyTorch, never `keepdim`; options objects (`{ correction, unbiased, keepdim }`)
 * may follow at any place.
 */
function varArgs(op: string, dim: DimOrOptions, rest: readonly FlagOrOptions[]):
  { dim: DimArg | null; keepdim: boolean; correction: number } {
  let o: VarOptions = {};
  let d: DimArg | null = null;
  const flags: boolean[] = [];
  const isOpts = (v: unknown): v is VarOptions => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isOpts(dim)) o = dim;
  else if (typeof dim === 'boolean') flags.push(dim);
  else d = dim ?? null;
  for (const a of rest) {
    if (isOpts(a)) o = { ...o, ...a };
    else if (typeof a === 'boolean') flags.push(a);
    else if (a !== undefined) throw new Error(`${op}: expected a boolean (unbiased, keepdim) or an options object, got ${String(a)}`);
  }
  for (const key of Object.keys(o)) {
    if (key !== 'correction' && key !== 'unbiased' && key !== 'keepdim') {
      throw new Error(`${op}: unknown option '${key}' (expected correction, unbiased or keepdim)`);
    }
  }
  if (flags.length > (typeof dim === 'boolean' ? 1 : 2)) throw new Error(`${op}: too many boolean arguments (PyTorch's order: dim, unbiased, keepdim)`);
  const [unbiased, keepdim] = flags;
  if (unbiased !== undefined && o.unbiased !== undefined && unbiased !== o.unbiased) throw new Error(`${op}: unbiased given twice with different values`);
  if (keepdim !== undefined && o.keepdim !== undefined && keepdim !== o.keepdim) throw new Error(`${op}: keepdim given twice with different values`);
  const unb = unbiased ?? o.unbiased;
  if ((o.correction !== undefined) && unb !== undefined) throw new Error(`${op}: give correction or unbiased, not both`);
  if (o.correction !== undefined && (typeof o.correction !== 'number' || !Number.isInteger(o.correction) || o.correction < 0)) {
    throw new Error(`${op}: correction must be a non-negative integer, got ${String(o.correction)}`);
  }
  if (unb !== undefined && typeof unb !== 'boolean') throw new Error(`${op}: unbiased must be a boolean, got ${String(unb)}`);
  const correction = o.correction ?? (unb === false ? 0 : 1);
  return { dim: d, keepdim: keepdim ?? o.keepdim ?? false, correction };
}

/** The variance and the centred input, without autograd. */
function varianceOf(x: Tensor, dims: readonly number[], correction: number): { v: Tensor; centred: Tensor } {
  return noGrad(() => {
    const mu = mean(x, dims, true);
    const centred = sub(x, mu);
    mu.dispose();
    const sq = mul(centred, centred);
    const s = sum(sq, dims, true);
    sq.dispose();
    // divided, not multiplied by the reciprocal: the rounding of PyTorch's (double) var cast to float
    const v = div(s, Math.max(0, reducedCount(x.shape, dims) - correction));
    s.dispose();
    return { v, centred };
  });
}

/** d var / dx · gv = (2 / (N − correction)) · gv · (x − mean), PyTorch's var_backward. */
function varBackward(x: Tensor, dims: readonly number[], correction: number, gvKept: Tensor): Tensor {
  const { centred } = varianceOf(x, dims, correction);
  const g2 = scale(gvKept, 2 / (reducedCount(x.shape, dims) - correction));
  const gx = binaryForward('mul', g2, centred);
  g2.dispose();
  centred.dispose();
  return gx;
}

/**
 * Variance over `dim` (all dims when omitted), like `torch.var`, dividing by N − correction (1 by
 * default; NaN or inf when that is ≤ 0, as PyTorch). Ports: `x.var()`, `x.var(dim, unbiased, keepdim)`,
 * `x.var(0, { correction: 0 })`, `x.var({ unbiased: false })`, `x.var([0, 1], { keepdim: true, correction: 0 })`.
 */
export function variance(x: Tensor, dim?: DimOrOptions, unbiased?: FlagOrOptions, keepdim?: FlagOrOptions, options?: VarOptions): Tensor {
  return varStd('var', x, dim, [unbiased, keepdim, options]);
}

/** Standard deviation, `√var` with the arguments of {@link variance} (`torch.std`); zero gradient where it is 0. */
export function std(x: Tensor, dim?: DimOrOptions, unbiased?: FlagOrOptions, keepdim?: FlagOrOptions, options?: VarOptions): Tensor {
  return varStd('std', x, dim, [unbiased, keepdim, options]);
}

function varStd(op: 'var' | 'std', x: Tensor, dim: DimOrOptions, rest: readonly FlagOrOptions[]): Tensor {
  requireFloat(x, op);
  const a = varArgs(op, dim, rest);
  const dims = reduceDims(op, a.dim, x.shape);
  const { v, centred } = varianceOf(x, dims, a.correction);
  centred.dispose();
  const kept = reducedShape(x.shape, dims, true);
  let outKept = v;
  if (op === 'std') {
    outKept = noGrad(() => pow(v, 0.5));
    v.dispose();
  }
  const out = viewOf(outKept, reducedShape(x.shape, dims, a.keepdim));
  outKept.dispose();
  return out.record(op, [x], (g) => {
    const gk = viewOf(g, kept);
    let gv = gk;
    if (op === 'std') {
      // grad / (2·std), 0 where std == 0
      const o = viewOf(out, kept);
      const r = unaryForward('reciprocalOrZero', o, 'backward');
      o.dispose();
      const half = binaryForward('mul', gk, r);
      r.dispose();
      gv = scale(half, 0.5);
      half.dispose();
      gk.dispose();
    }
    const gx = varBackward(x, dims, a.correction, gv);
    gv.dispose();
    return [gx];
  });
}

/**
 * The p-norm over `dim` (all elements when omitted), like `torch.norm(x, p, dim, keepdim)`: p a positive
 * number, Infinity (max |x|) or −Infinity (min |x|); 'fro' is p = 2. The gradient is 0 where the norm is
 * 0, as PyTorch's.
 */
export function norm(x: Tensor, p: number | 'fro' = 2, dim?: DimArg | null, keepdim = false): Tensor {
  requireFloat(x, 'norm');
  const q = p === 'fro' ? 2 : p;
  if (typeof q !== 'number' || Number.isNaN(q)) throw new Error(`norm: p must be a number or 'fro', got ${String(p)}`);
  if (q === 0 || (q < 0 && q !== -Infinity)) {
    throw new Error(`norm: p = ${q} is not supported (supported: p > 0, Infinity, -Infinity, 'fro')`);
  }
  const dims = reduceDims('norm', dim, x.shape);
  if (q === Infinity || q === -Infinity) {
    const op = q === Infinity ? amax : amin;
    if (x.numel() === 0 && reducedCount(x.shape, dims) === 0) {
      return full(reducedShape(x.shape, dims, keepdim), 0);
    }
    return op(abs(x), dims, keepdim);
  }
  const kept = reducedShape(x.shape, dims, true);
  const outKept = noGrad(() => {
    const a = abs(x);
    const ap = pow(a, q);
    a.dispose();
    const s = sum(ap, dims, true);
    ap.dispose();
    const r = pow(s, 1 / q);
    s.dispose();
    return r;
  });
  const out = viewOf(outKept, reducedShape(x.shape, dims, keepdim));
  outKept.dispose();
  return out.record('norm', [x], (g) => {
    // PyTorch's norm_backward: sgn(x)·|x|^(p−1) · g / norm^(p−1), with 0 where x = 0 (p < 1) and where
    // the norm is 0; |x|^(p−1) is written 1/|x|^(1−p) so that the masked division covers every p.
    const gk = viewOf(g, kept);
    const nk = viewOf(out, kept);
    const np = pow(nk, q - 1);
    nk.dispose();
    const inv = unaryForward('reciprocalOrZero', np, 'backward');
    np.dispose();
    const scaleV = binaryForward('mul', gk, inv);
    gk.dispose();
    inv.dispose();
    const a = abs(x);
    const a1 = pow(a, 1 - q);
    a.dispose();
    const t = unaryForward('reciprocalOrZero', a1, 'backward');
    a1.dispose();
    const sg = sign(x);
    const selfScaled = binaryForward('mul', sg, t);
    sg.dispose();
    t.dispose();
    const gx = binaryForward('mul', selfScaled, scaleV);
    selfScaled.dispose();
    scaleV.dispose();
    return [gx];
  });
}

/** Cumulative sum along `dim`, like `torch.cumsum` (float32, accumulated in float64 as PyTorch's CPU kernel). */
export function cumsum(x: Tensor, dim: number): Tensor {
  requireFloat(x, 'cumsum');
  if (dim === undefined || dim === null) throw new Error(`cumsum: dim is required (tensor of shape ${formatShape(x.shape)})`);
  const d = oneDim('cumsum', dim, x.shape);
  const l = layoutFor(x, x.ndim === 0 ? [] : [d]);
  const out = empty(x.shape);
  if (out.numel() > 0) kernels.cumsumAxis(x.storage('cumsum'), out.storage('cumsum'), l.outer, l.size, l.inner, false);
  return out.record('cumsum', [x], (g) => {
    const gx = empty(x.shape);
    if (gx.numel() > 0) kernels.cumsumAxis(g.storage('backward'), gx.storage('backward'), l.outer, l.size, l.inner, true);
    return [gx];
  });
}
