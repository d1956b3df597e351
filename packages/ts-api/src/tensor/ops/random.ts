// Random tensors from the core's seeded generator (`manualSeed`): the same seed gives the same bits on
// every machine, but not PyTorch's values (its generator is a different algorithm).

import { kernels, rng } from '../../backend/index.js';
import type { Tensor } from '../tensor.js';
import { checkCount, creationOptions, describeValue, isOptionsObject, sizeAndOptions } from './args.js';
import { empty, likeArgs, type FillOptions, type SizeArgs } from './create.js';

export type RandomOptions = FillOptions;

function floatOnly(op: string, options: unknown): boolean | undefined {
  const o = creationOptions(op, options);
  if (o.dtype === 'int32') throw new Error(`${op}: dtype 'int32' is not supported (the samples are real numbers); use randint for integers`);
  return o.requiresGrad;
}

function finish(t: Tensor, requiresGrad: boolean | undefined): Tensor {
  if (requiresGrad) t.requiresGrad = true;
  return t;
}

function normalSample(op: string, shape: number[], mean: number, std: number, requiresGrad: boolean | undefined): Tensor {
  const t = empty(shape);
  rng.normal(t.storage(op), mean, std);
  return finish(t, requiresGrad);
}

function uniformSample(op: string, shape: number[], requiresGrad: boolean | undefined): Tensor {
  const t = empty(shape);
  rng.uniform(t.storage(op), 0, 1);
  return finish(t, requiresGrad);
}

/** Standard normal samples, like `torch.randn`: `randn(5, 3)` or `randn([5, 3], { requiresGrad: true })`. */
export function randn(...args: SizeArgs): Tensor {
  const { shape, options } = sizeAndOptions('randn', args);
  return normalSample('randn', shape, 0, 1, floatOnly('randn', options));
}

/** Uniform samples in [0, 1), like `torch.rand`. */
export function rand(...args: SizeArgs): Tensor {
  const { shape, options } = sizeAndOptions('rand', args);
  return uniformSample('rand', shape, floatOnly('rand', options));
}

/** Normal samples N(mean, std²) of the given size, like `torch.normal(mean, std, size)` with numbers. */
export function normal(mean: number, std: number, size: number | readonly number[], options?: RandomOptions): Tensor {
  if (typeof mean !== 'number' || !Number.isFinite(mean)) throw new Error(`normal: mean must be a finite number (tensor means are not supported), got ${typeof mean === 'number' ? mean : describeValue(mean)}`);
  if (typeof std !== 'number' || !(std >= 0) || !Number.isFinite(std)) throw new Error(`normal: std must be a finite number ≥ 0 (tensor stds are not supported), got ${typeof std === 'number' ? std : describeValue(std)}`);
  const { shape } = sizeAndOptions('normal', [size]);
  return normalSample('normal', shape, mean, std, floatOnly('normal', options));
}

/**
 * Uniform integers in [low, high), like `torch.randint`: `randint(high, size)` or `randint(low, high,
 * size)`; int32 (PyTorch: int64) unless `dtype: 'float32'`.
 */
export function randint(...args: readonly (number | readonly number[] | FillOptions)[]): Tensor {
  let rest = args;
  let options: unknown;
  if (rest.length > 0 && isOptionsObject(rest[rest.length - 1])) {
    options = rest[rest.length - 1];
    rest = rest.slice(0, -1);
  }
  if (rest.length !== 2 && rest.length !== 3) throw new Error(`randint: expected (high, size) or (low, high, size), got ${rest.length} arguments`);
  const [low, high] = rest.length === 2 ? [0, rest[0]] : [rest[0], rest[1]];
  for (const [name, v] of [['low', low], ['high', high]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`randint: ${name} must be an integer, got ${typeof v === 'number' ? v : describeValue(v)}`);
  }
  const lo = low as number;
  const hi = high as number;
  if (lo < -(2 ** 31) || hi > 2 ** 31) throw new Error(`randint: low and high must stay inside int32 (values in [${-(2 ** 31)}, ${2 ** 31 - 1}]), got low ${lo}, high ${hi}`);
  if (!(lo < hi)) throw new Error(`randint: random_ expects 'from' to be less than 'to', but got from=${lo} >= to=${hi}`);
  if (hi - lo >= 2 ** 32) throw new Error(`randint: high − low must be below 2^32 (the generator draws 32 bits), got ${hi - lo}`);
  const size = rest[rest.length - 1];
  if (typeof size === 'number' || !Array.isArray(size)) throw new Error(`randint: the size must be an array of numbers, got ${describeValue(size)}`);
  const { shape } = sizeAndOptions('randint', [size]);
  const o = creationOptions('randint', options);
  const t = empty(shape, 'int32');
  rng.randint(t.storage('randint'), lo, hi);
  if (o.dtype === 'float32') {
    const f = empty(shape);
    kernels.cast(t.storage('randint'), f.storage('randint'));
    t.dispose();
    return finish(f, o.requiresGrad);
  }
  return finish(t, o.requiresGrad);
}

/** A random permutation of 0..n−1, like `torch.randperm` (int32; PyTorch: int64). */
export function randperm(n: number, options?: FillOptions): Tensor {
  checkCount(n, 'randperm', 'n');
  if (n > 2 ** 31) throw new Error(`randperm: n must be at most 2^31 (int32 values), got ${n}`);
  const o = creationOptions('randperm', options);
  const t = empty([n], 'int32');
  rng.permutation(t.storage('randperm'));
  if (o.dtype === 'float32') {
    const f = empty([n]);
    kernels.cast(t.storage('randperm'), f.storage('randperm'));
    t.dispose();
    return finish(f, o.requiresGrad);
  }
  return finish(t, o.requiresGrad);
}

/** Standard normal samples of `t`'s shape, like `torch.randn_like` (float32 only). */
export function randnLike(t: Tensor, options?: RandomOptions): Tensor {
  const [shape, o] = likeArgs('randnLike', t, options);
  return normalSample('randnLike', shape, 0, 1, floatOnly('randnLike', o));
}

/** Uniform samples in [0, 1) of `t`'s shape, like `torch.rand_like` (float32 only). */
export function randLike(t: Tensor, options?: RandomOptions): Tensor {
  const [shape, o] = likeArgs('randLike', t, options);
  return uniformSample('randLike', shape, floatOnly('randLike', o));
}
