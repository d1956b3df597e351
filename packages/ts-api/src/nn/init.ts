// nn.init: in-place initialisers with PyTorch's argument order and formulas (torch/nn/init.py).
// Random ones draw from the core's seeded generator.

import { kernels, rng } from '../backend/index.js';
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

export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  if (!(a <= b)) throw new Error(`uniform_: expected a <= b, got a=${a}, b=${b}`);
  target(t, 'uniform_').writeWith('uniform_', (s) => rng.uniform(s, a, b));
  return t;
}

export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  if (!(std >= 0)) throw new Error(`normal_: std must be >= 0, got ${std}`);
  target(t, 'normal_').writeWith('normal_', (s) => rng.normal(s, mean, std));
  return t;
}

export function constant_(t: Tensor, value: number): Tensor {
  target(t, 'constant_').writeWith('constant_', (s) => kernels.fill(s, value));
  return t;
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(target(t, 'xavierUniform_'));
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound);
}

export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(target(t, 'xavierNormal_'));
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

function kaimingStd(t: Tensor, a: number, mode: FanMode, nonlinearity: Nonlinearity, where: string): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new Error(`${where}: mode must be 'fan_in' or 'fan_out', got ${String(mode)}`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(target(t, where));
  const fan = mode === 'fan_in' ? fanIn : fanOut;
  if (fan === 0) throw new Error(`${where}: cannot initialise a tensor with a zero dimension (shape ${formatShape(t.shape)})`);
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

export function kaimingUniform_(t: Tensor, a = 0, mode: FanMode = 'fan_in', nonlinearity: Nonlinearity = 'leaky_relu'): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, a, mode, nonlinearity, 'kaimingUniform_');
  return uniform_(t, -bound, bound);
}

export function kaimingNormal_(t: Tensor, a = 0, mode: FanMode = 'fan_in', nonlinearity: Nonlinearity = 'leaky_relu'): Tensor {
  return normal_(t, 0, kaimingStd(t, a, mode, nonlinearity, 'kaimingNormal_'));
}
