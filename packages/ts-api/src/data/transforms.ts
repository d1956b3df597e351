// Batch transforms for the notes' over-fitting exercise (data augmentation), seeded from the core's
// generator: random crop with padding, random horizontal flip, random rotation and affine warps
// (affine.ts), normalise, resize. Each takes and returns a [N, C, H, W] float32 batch.

import { kernels, rng } from '../backend/index.js';
import { empty } from '../tensor/ops/create.js';
import { addScalar, scale } from '../tensor/ops/elementwise.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { BatchTransform } from './dataloader.js';

export {
  randomRotation, randomAffine, type RandomRotationOptions, type RandomAffineOptions, type Interpolation,
} from './affine.js';

function nchw(x: Tensor, where: string): [number, number, number, number] {
  if (x.ndim !== 4 || x.dtype !== 'float32') {
    throw new Error(`${where}: expected a float32 batch of shape [N, C, H, W], got ${x.dtype} ${formatShape(x.shape)}`);
  }
  return x.shape as unknown as [number, number, number, number];
}

/** torchvision's RandomCrop(size = the image size, padding): zero-pad, cut at a random offset per image. */
export function randomCrop(padding: number): BatchTransform {
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`randomCrop: padding must be a non-negative integer, got ${padding}`);
  return (x) => {
    const [n, c, h, w] = nchw(x, 'randomCrop');
    const y = empty(x.shape);
    rng.randomCrop(x.storage('randomCrop'), y.storage('randomCrop'), n, c, h, w, padding);
    return y;
  };
}

/** torchvision's RandomHorizontalFlip(p): mirror each image with probability p. */
export function randomHorizontalFlip(p = 0.5): BatchTransform {
  if (!(p >= 0 && p <= 1)) throw new Error(`randomHorizontalFlip: p must be in [0, 1], got ${p}`);
  return (x) => {
    const [n, c, h, w] = nchw(x, 'randomHorizontalFlip');
    const y = empty(x.shape);
    rng.randomHflip(x.storage('randomHorizontalFlip'), y.storage('randomHorizontalFlip'), n, c, h, w, p);
    return y;
  };
}

/** (x − mean) / std with one mean and std for all channels (Fashion-MNIST has one). */
export function normalize(mean: number, std: number): BatchTransform {
  if (!(std > 0)) throw new Error(`normalize: std must be > 0, got ${std}`);
  return (x) => {
    const shifted = addScalar(x, -mean);
    const y = scale(shifted, 1 / std);
    shifted.dispose();
    return y;
  };
}

/**
 * Bilinear resize to size×size (or [h, w]): PyTorch's F.interpolate(mode='bilinear', align_corners=False,
 * antialias=False). Enlarging matches torchvision's Resize; shrinking does not antialias, unlike
 * torchvision ≥ 0.17's Resize on tensors and PIL's (28 → 14 differs by up to 0.27 in a [0, 1] pixel).
 */
export function resize(size: number | readonly [number, number]): BatchTransform {
  const [oh, ow] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) {
    throw new Error(`resize: size must be positive integers, got ${JSON.stringify(size)}`);
  }
  return (x) => {
    const [n, c, h, w] = nchw(x, 'resize');
    if (h === oh && w === ow) return x;
    const y = empty([n, c, oh, ow]);
    kernels.resizeBilinear(x.storage('resize'), y.storage('resize'), n * c, h, w, oh, ow);
    return y;
  };
}

/** Applies transforms in order, freeing the intermediate batches. */
export function compose(transforms: readonly BatchTransform[]): BatchTransform {
  return (x) => {
    let current = x;
    for (const t of transforms) {
      const next = t(current);
      if (current !== x && next !== current) current.dispose();
      current = next;
    }
    return current;
  };
}
