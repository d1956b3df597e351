// nn.init: in-place initialisers with PyTorch's argument order and formulas (torch/nn/init.py).
// Random ones draw from the core's seeded generator.

import { kernels, rng } from '../backend/index.js';
import { checkOptions } from '../options.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

function target(t: Tensor, where: string): Tensor {
  t.storage(where);
  if (t.dtype !== 'float32') throw new Error(`${where}: expected a float32 tensor, got ${t.dtype}`);
  return t;
}

/** PyTorch's calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.sqrt(2);
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

/** [fanIn, fanOut] as PyTorch's _calculate_fan_in_and_fan_out. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) {
    throw new Error(`Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape ${formatShape(t.shape)})`);
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** A finite number, or the error that names the argument. */
function finite(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: ${name} must be a finite number, got ${typeof v === 'number' ? v : typeof v}`);
  return v;
}

/**
 * PyTorch's keyword arguments (`normal_(w, std=0.01)`) as an options object in place of the positional
 * ones: `normal_(w, { std: 0.01 })`. Unknown keys throw; what is not given keeps its default.
 */
function keywords<T extends object>(where: string, first: unknown, defaults: T, rest: unknown[] = []): T | null {
  if (typeof first !== 'object' || first === null) return null;
  checkOptions(where, first, Object.keys(defaults));
  if (rest.some((r) => r !== undefined)) throw new Error(`${where}: give the arguments either as an options object or by position, not both`);
  return { ...defaults, ...Object.fromEntries(Object.entries(first).filter(([, v]) => v !== undefined)) };
}

export function uniform_(t: Tensor, a?: number | { a?: number; b?: number }, b?: number): Tensor {
  const o = keywords('uniform_', a, { a: 0, b: 1 }, [b]) ?? { a: a ?? 0, b: b ?? 1 };
  const [lo, hi] = [finite('uniform_', 'a', o.a), finite('uniform_', 'b', o.b)];
  if (!(lo <= hi)) throw new Error(`uniform_: expected a <= b, got a=${lo}, b=${hi}`);
  target(t, 'uniform_').writeWith('uniform_', (s) => rng.uniform(s, lo, hi));
  return t;
}

export function normal_(t: Tensor, mean?: number | { mean?: number; std?: number }, std?: number): Tensor {
  const o = keywords('normal_', mean, { mean: 0, std: 1 }, [std]) ?? { mean: mean ?? 0, std: std ?? 1 };
  const [m, sd] = [finite('normal_', 'mean', o.mean), finite('normal_', 'std', o.std)];
  if (!(sd >= 0)) throw new Error(`normal_: std must be >= 0, got ${sd}`);
  target(t, 'normal_').writeWith('normal_', (s) => rng.normal(s, m, sd));
  return t;
}

export function constant_(t: Tensor, value: number | { val: number }): Tensor {
  if (typeof value === 'object' && value !== null) checkOptions('constant_', value, ['val']);
  const v = typeof value === 'object' && value !== null ? value.val : value;
  if (typeof v !== 'number') throw new Error(`constant_: val must be a number, got ${typeof v}`);
  target(t, 'constant_').writeWith('constant_', (s) => kernels.fill(s, v));
  return t;
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

export function xavierUniform_(t: Tensor, gain: number | { gain?: number } = 1): Tensor {
  const g = finite('xavierUniform_', 'gain', keywords('xavierUniform_', gain, { gain: 1 })?.gain ?? gain);
  const [fanIn, fanOut] = calculateFanInAndFanOut(target(t, 'xavierUniform_'));
  const bound = g * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound);
}

export function xavierNormal_(t: Tensor, gain: number | { gain?: number } = 1): Tensor {
  const g = finite('xavierNormal_', 'gain', keywords('xavierNormal_', gain, { gain: 1 })?.gain ?? gain);
  const [fanIn, fanOut] = calculateFanInAndFanOut(target(t, 'xavierNormal_'));
  return normal_(t, 0, g * Math.sqrt(2 / (fanIn + fanOut)));
}

type KaimingOptions = { a?: number; mode?: FanMode; nonlinearity?: Nonlinearity };

function kaimingStd(t: Tensor, args: [number | KaimingOptions | undefined, FanMode | undefined, Nonlinearity | undefined], where: string): number {
  const o = keywords(where, args[0], { a: 0, mode: 'fan_in' as FanMode, nonlinearity: 'leaky_relu' as Nonlinearity }, args.slice(1));
  const [a, mode, nonlinearity] = o === null ? [args[0] ?? 0, args[1] ?? 'fan_in', args[2] ?? 'leaky_relu'] : [o.a, o.mode, o.nonlinearity];
  finite(where, 'a', a);
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new Error(`${where}: mode must be 'fan_in' or 'fan_out', got ${String(mode)}`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(target(t, where));
  const fan = mode === 'fan_in' ? fanIn : fanOut;
  if (fan === 0) throw new Error(`${where}: cannot initialise a tensor with a zero dimension (shape ${formatShape(t.shape)})`);
  return calculateGain(nonlinearity, a as number) / Math.sqrt(fan);
}

export function kaimingUniform_(t: Tensor, a?: number | KaimingOptions, mode?: FanMode, nonlinearity?: Nonlinearity): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, [a, mode, nonlinearity], 'kaimingUniform_');
  return uniform_(t, -bound, bound);
}

export function kaimingNormal_(t: Tensor, a?: number | KaimingOptions, mode?: FanMode, nonlinearity?: Nonlinearity): Tensor {
  return normal_(t, 0, kaimingStd(t, [a, mode, nonlinearity], 'kaimingNormal_'));
}
