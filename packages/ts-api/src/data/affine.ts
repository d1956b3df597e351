// Random affine warps of [N, C, H, W] float32 batches — torchvision's RandomRotation and RandomAffine —
// with the parameters drawn per image from the core's seeded generator (as randomCrop's offsets are)
// and the warp computed in the core (crates/softmax-core/src/image/affine.rs).

import { kernels, rng, type AffineDraw } from '../backend/index.js';
import { checkOptions } from '../options.js';
import { empty } from '../tensor/ops/create.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { BatchTransform } from './dataloader.js';

/** How a warped pixel is read from the source: 'bilinear' blends the four neighbours. */
export type Interpolation = 'bilinear' | 'nearest';

export interface RandomRotationOptions {
  /** 'bilinear' (the default here; torchvision's default is 'nearest') or 'nearest'. */
  interpolation?: Interpolation;
  /** The value of the pixels that come from outside the image (default 0, one value for all channels). */
  fill?: number;
}

export interface RandomAffineOptions extends RandomRotationOptions {
  /** A number d means [−d, d]; or [min, max]. 0 turns rotation off. */
  degrees: number | readonly [number, number];
  /** [a, b]: |tx| ≤ a·width and |ty| ≤ b·height, fractions in [0, 1]; tx, ty are whole pixels. */
  translate?: readonly [number, number];
  /** [lo, hi]: the scale is drawn uniformly in it; both > 0. */
  scale?: readonly [number, number];
  /** Degrees in (−90, 90): s means x shear in [−s, s]; [min, max] the x shear; [xmin, xmax, ymin, ymax] both. */
  shear?: number | readonly [number, number] | readonly [number, number, number, number];
}

const ROTATION_KEYS = ['interpolation', 'fill'];
const AFFINE_KEYS = ['degrees', 'translate', 'scale', 'shear', ...ROTATION_KEYS];

type Range = readonly [number, number];

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((e) => show(e)).join(', ')}]`;
  return String(v);
}

/** A number that stays finite as a float32 (the core computes in float32). */
function isFinite32(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(Math.fround(v));
}

/** [min, max] from a pair of finite numbers with min ≤ max. */
function pair(where: string, name: string, v: unknown, length = 2): number[] {
  if (!Array.isArray(v) || v.length !== length || !v.every(isFinite32)) {
    throw new Error(`${where}: ${name} must be ${length === 2 ? '[min, max]' : '[xmin, xmax, ymin, ymax]'} of finite numbers, got ${show(v)}`);
  }
  for (let k = 0; k < length; k += 2) {
    if (v[k] > v[k + 1]) throw new Error(`${where}: ${name} needs min ≤ max, got ${show(v)}`);
  }
  return v as number[];
}

/** torchvision's `_setup_angle`: a number d ≥ 0 means [−d, d]; else [min, max]. */
function symmetric(where: string, name: string, v: unknown): Range {
  if (typeof v === 'number') {
    if (!isFinite32(v) || v < 0) {
      throw new Error(`${where}: ${name} as a single number must be finite and ≥ 0 (it means [−${name}, ${name}]), got ${v}`);
    }
    return [-v, v];
  }
  const [lo, hi] = pair(where, name, v);
  return [lo, hi];
}

function shearRanges(where: string, v: unknown): [Range, Range | null] {
  if (Array.isArray(v) && v.length !== 2 && v.length !== 4) {
    throw new Error(`${where}: shear must be a number, [min, max] or [xmin, xmax, ymin, ymax], got ${show(v)}`);
  }
  const four = Array.isArray(v) && v.length === 4;
  const r = four ? pair(where, 'shear', v, 4) : symmetric(where, 'shear', v);
  // As float32, what the core draws in: 89.999999999 would round to 90.
  if (!r.every((s) => Math.fround(s) > -90 && Math.fround(s) < 90)) {
    throw new Error(`${where}: shear angles must be in (−90, 90) degrees, got ${show(v)}`);
  }
  return [[r[0], r[1]], four ? [r[2], r[3]] : null];
}

function translateFractions(where: string, v: unknown): Range {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((f) => typeof f === 'number' && f >= 0 && f <= 1)) {
    throw new Error(`${where}: translate must be [a, b], fractions of the width and height in [0, 1], got ${show(v)}`);
  }
  return [v[0] as number, v[1] as number];
}

function scaleRange(where: string, v: unknown): Range {
  const [lo, hi] = pair(where, 'scale', v);
  if (!(Math.fround(lo) > 0)) throw new Error(`${where}: scale values must be > 0, got ${show(v)}`);
  return [lo, hi];
}

function sampling(where: string, options: RandomRotationOptions): [Interpolation, number] {
  const interpolation = options.interpolation ?? 'bilinear';
  if (interpolation !== 'bilinear' && interpolation !== 'nearest') {
    throw new Error(`${where}: interpolation must be 'bilinear' or 'nearest', got ${show(interpolation)}`);
  }
  const fill = options.fill ?? 0;
  if (!isFinite32(fill)) throw new Error(`${where}: fill must be a finite number, got ${show(fill)}`);
  return [interpolation, fill];
}

function nchw(x: Tensor, where: string): [number, number, number, number] {
  if (x.ndim !== 4 || x.dtype !== 'float32') {
    throw new Error(`${where}: expected a float32 batch of shape [N, C, H, W], got ${x.dtype} ${formatShape(x.shape)}`);
  }
  return x.shape as unknown as [number, number, number, number];
}

/** The transform: per image, draw the parameters (one generator stream), then warp the batch. */
function warp(where: string, draw: Omit<AffineDraw, 'maxTranslate'>, translate: Range | null,
  interpolation: Interpolation, fill: number): BatchTransform {
  return (x) => {
    const [n, c, h, w] = nchw(x, where);
    const params = empty([n, 6]);
    const matrices = empty([n, 6]);
    try {
      // torchvision: max_dx = translate[0] · width, max_dy = translate[1] · height, in pixels.
      const maxTranslate: Range | null = translate === null ? null : [translate[0] * w, translate[1] * h];
      rng.randomAffineParams(params.storage(where), matrices.storage(where), n, h, w, { ...draw, maxTranslate });
      const y = empty(x.shape);
      kernels.affineWarp(x.storage(where), y.storage(where), matrices.storage(where), n, c, h, w, fill, interpolation);
      return y;
    } finally {
      params.dispose();
      matrices.dispose();
    }
  };
}

/**
 * torchvision's RandomRotation(degrees): each image turns about its centre by an angle drawn uniformly
 * in [−degrees, degrees] (or [min, max]); a positive angle turns it counter-clockwise. Pixels from
 * outside the image take `fill` (bilinear sampling blends the edge with it). Interpolation defaults to
 * 'bilinear' (torchvision's default is 'nearest'). Output size = input size (no `expand`).
 */
export function randomRotation(degrees: number | readonly [number, number], options: RandomRotationOptions = {}): BatchTransform {
  const where = 'randomRotation';
  checkOptions(where, options, ROTATION_KEYS);
  const range = symmetric(where, 'degrees', degrees);
  const [interpolation, fill] = sampling(where, options);
  return warp(where, { degrees: range, scale: null, shearX: null, shearY: null, counterClockwise: true }, null, interpolation, fill);
}

/**
 * torchvision's RandomAffine(degrees, translate, scale, shear): per image, an angle, a translation in
 * whole pixels, a scale and shears are drawn (those not given stay 0, or 1 for the scale) and the image
 * is warped about its centre. As in torchvision's `F.affine`, a positive angle turns the image clockwise
 * (randomRotation's turns it counter-clockwise; symmetric ranges make no difference). Pixels from
 * outside the image take `fill` (bilinear sampling blends the edge with it). Interpolation defaults to
 * 'bilinear' (torchvision's default is 'nearest').
 */
export function randomAffine(options: RandomAffineOptions): BatchTransform {
  const where = 'randomAffine';
  if (options === undefined) throw new Error(`${where}: expected an options object with degrees (0 for no rotation), got undefined`);
  checkOptions(where, options, AFFINE_KEYS);
  if (options.degrees === undefined) throw new Error(`${where}: degrees is required (0 for no rotation)`);
  const degrees = symmetric(where, 'degrees', options.degrees);
  const translate = options.translate === undefined ? null : translateFractions(where, options.translate);
  const scale = options.scale === undefined ? null : scaleRange(where, options.scale);
  const [shearX, shearY] = options.shear === undefined ? [null, null] : shearRanges(where, options.shear);
  const [interpolation, fill] = sampling(where, options);
  return warp(where, { degrees, scale, shearX, shearY, counterClockwise: false }, translate, interpolation, fill);
}
