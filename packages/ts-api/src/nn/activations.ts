// Activations with options: Tanh, LeakyReLU, GELU, Softplus (modules and nn.functional forms), composed
// from tensor ops in PyTorch's formulas.

import { abs, add, div, exp, mul, neg, sub } from '../tensor/ops/elementwise.js';
import { noGrad } from '../tensor/grad-mode.js';
import { gt } from '../tensor/ops/compare.js';
import { tanh as tanhOp, clamp, log1p, reciprocal, sign } from '../tensor/ops/unary.js';
import { where } from '../tensor/ops/where.js';
import { Tensor } from '../tensor/tensor.js';
import { describable, Module } from './module.js';
import { checkOptions } from '../options.js';

function requireFloatInput(x: unknown, where: string): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${where}: input must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  if (x.dtype !== 'float32') throw new Error(`${where}: input must be a float32 tensor, got ${x.dtype}`);
  return x;
}

/** Hyperbolic tangent, like `F.tanh`. */
export function tanh(input: Tensor): Tensor {
  return tanhOp(requireFloatInput(input, 'tanh'));
}

/** `F.leaky_relu`: x where x > 0, else negativeSlope·x (the gradient likewise, slope at 0). */
export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  requireFloatInput(input, 'leakyRelu');
  if (typeof negativeSlope !== 'number' || Number.isNaN(negativeSlope)) {
    throw new Error(`leakyRelu: negativeSlope must be a number, got ${String(negativeSlope)}`);
  }
  return where(gt(input, 0), input, mul(input, negativeSlope));
}

export type GeluApproximate = 'none' | 'tanh';

/**
 * erf(x) by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7, at float32's own rounding): there is no erf
 * kernel in the core yet, and composing one keeps GELU's default form available.
 */
function erf(x: Tensor): Tensor {
  const a = abs(x);
  const t = reciprocal(add(mul(a, 0.3275911), 1));
  let poly = mul(t, 1.061405429);
  for (const c of [-1.453152027, 1.421413741, -0.284496736, 0.254829592]) poly = mul(add(poly, c), t);
  return mul(sign(x), sub(1, mul(poly, exp(neg(mul(a, a))))));
}

/**
 * `F.gelu`. 'none': x·Φ(x) = 0.5·x·(1 + erf(x/√2)), with PyTorch's backward Φ(x) + x·φ(x);
 * 'tanh': 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), differentiated through its ops.
 */
export function gelu(input: Tensor, options: { approximate?: GeluApproximate } = {}): Tensor {
  requireFloatInput(input, 'gelu');
  const approximate = options.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  if (approximate === 'none') {
    const cdf = noGrad(() => mul(add(erf(mul(input, Math.SQRT1_2)), 1), 0.5));
    const out = noGrad(() => mul(input, cdf));
    return out.record('gelu', [input], (g) => noGrad(() => {
      const pdf = mul(exp(mul(mul(input, input), -0.5)), (2 / Math.sqrt(Math.PI)) * Math.SQRT1_2 * 0.5);
      return [mul(g, add(cdf, mul(input, pdf)))];
    }), [input]);
  }
  // PyTorch's constants: kBeta = √2 · (2/√π) · 0.5, kKappa = 0.044715.
  const kBeta = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5;
  const inner = mul(add(input, mul(mul(mul(input, input), input), 0.044715)), kBeta);
  return mul(mul(input, 0.5), add(tanhOp(inner), 1));
}

/**
 * `F.softplus`: log(1 + e^(β·x)) / β, and x itself where β·x > threshold (PyTorch's switch to linear).
 * The soft branch is evaluated on min(β·x, threshold) so the branch not taken never overflows to inf.
 */
export function softplus(input: Tensor, options: { beta?: number; threshold?: number } = {}): Tensor {
  requireFloatInput(input, 'softplus');
  const beta = options.beta ?? 1;
  const threshold = options.threshold ?? 20;
  checkSoftplusOptions('softplus', beta, threshold);
  const xb = mul(input, beta);
  const soft = div(log1p(exp(clamp(xb, null, threshold))), beta);
  return where(gt(xb, threshold), input, soft);
}

function checkSoftplusOptions(where: string, beta: number, threshold: number): void {
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta === 0) throw new Error(`${where}: beta must be a finite non-zero number, got ${String(beta)}`);
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new Error(`${where}: threshold must be a number, got ${String(threshold)}`);
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== 'number' || Number.isNaN(negativeSlope)) {
      throw new Error(`LeakyReLU: negativeSlope must be a number, got ${String(negativeSlope)}`);
    }
  }
  forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

export class GELU extends Module {
  readonly approximate: GeluApproximate;
  constructor(options: { approximate?: GeluApproximate } = {}) {
    super();
    checkOptions('GELU', options, ['approximate']);
    this.approximate = options.approximate ?? 'none';
    if (this.approximate !== 'none' && this.approximate !== 'tanh') {
      throw new Error(`GELU: approximate must be 'none' or 'tanh', got '${String(this.approximate)}'`);
    }
  }
  forward(input: Tensor): Tensor {
    return gelu(input, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(options: { beta?: number; threshold?: number } = {}) {
    super();
    checkOptions('Softplus', options, ['beta', 'threshold']);
    this.beta = options.beta ?? 1;
    this.threshold = options.threshold ?? 20;
    checkSoftplusOptions('Softplus', this.beta, this.threshold);
  }
  forward(input: Tensor): Tensor {
    return softplus(input, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

describable(Tanh, 'Tanh', () => ({}), () => new Tanh());
describable(LeakyReLU, 'LeakyReLU', (m) => ({ negativeSlope: m.negativeSlope }), (d) => new LeakyReLU(d.negativeSlope as number));
describable(GELU, 'GELU', (m) => ({ approximate: m.approximate }), (d) => new GELU({ approximate: d.approximate as GeluApproximate }));
describable(Softplus, 'Softplus', (m) => ({ beta: m.beta, threshold: m.threshold }),
  (d) => new Softplus({ beta: d.beta as number, threshold: d.threshold as number }));
