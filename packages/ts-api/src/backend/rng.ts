/**
 * The core's global generator (xoshiro128 in rng.rs, seeded through splitmix64): the same stream in
 * Node and in browsers. `seed` takes any integer (negative numbers wrap modulo 2^64, like
 * `torch.manual_seed`).
 */
import { KernelError, Status } from './errors.js';
import { dim, lengthOf } from './call.js';
import * as abi from './generated/index.js';
import { wasmMemory } from './load.js';
import { scratchPtr, type Storage } from './memory.js';

export interface Rng {
  seed(seed: number | bigint): void;
  getState(): Uint32Array;
  setState(state: Uint32Array): void;
  uniform(y: Storage, low: number, high: number): void;
  normal(y: Storage, mean: number, std: number): void;
  permutation(y: Storage /* int32 */): void;
  /** y (int32) ~ uniform integers in [low, high): integers with low < high, both inside int32 (high may be 2³¹), high − low < 2³². */
  randint(y: Storage, low: number, high: number): void;
  dropout(x: Storage, mask: Storage, y: Storage, p: number): void;
  // image.rs: torchvision-style augmentation of [n, c, h, w] float32 batches.
  /** RandomCrop(h×w, padding = pad): zero-pad, then cut an h×w window at a random offset per image. */
  randomCrop(x: Storage, y: Storage, n: number, c: number, h: number, w: number, pad: number): void;
  /** RandomHorizontalFlip(p): mirror each image left–right with probability p. */
  randomHflip(x: Storage, y: Storage, n: number, c: number, h: number, w: number, p: number): void;
  /**
   * RandomAffine.get_params for n images of h×w, in torchvision's order of draws (the angle; tx, ty when
   * `maxTranslate` is given; the scale; the x shear; the y shear): params[6i..6i+6] = (angle, tx, ty,
   * scale, shear x, shear y) and matrices[6i..6i+6] = the inverse map of image i for `affineWarp`.
   */
  randomAffineParams(params: Storage, matrices: Storage, n: number, h: number, w: number, draw: AffineDraw): void;
}

/** The ranges of `randomAffineParams`, in degrees and pixels; null = not drawn (0, or 1 for the scale). */
export interface AffineDraw {
  degrees: readonly [number, number];
  /** [max |tx|, max |ty|] in pixels: tx = round(U(−max, max)), an integer. */
  maxTranslate: readonly [number, number] | null;
  scale: readonly [number, number] | null;
  shearX: readonly [number, number] | null;
  shearY: readonly [number, number] | null;
  /** RandomRotation's sign (a positive angle turns counter-clockwise); RandomAffine's turns clockwise. */
  counterClockwise: boolean;
}

export const rng: Rng = {
  seed(seed) {
    let s: bigint;
    if (typeof seed === 'bigint') s = seed;
    else if (typeof seed === 'number' && Number.isSafeInteger(seed)) s = BigInt(seed);
    else throw new KernelError('rng_seed', Status.INVALID_ARGUMENT, `seed must be an integer (number or bigint), got ${String(seed)}`);
    const u = BigInt.asUintN(64, s);
    abi.rng_seed(Number(u & 0xffff_ffffn), Number(u >> 32n));
  },
  getState() {
    const p = scratchPtr();
    abi.rng_get_state(p);
    return new Uint32Array(wasmMemory().buffer, p, 4).slice();
  },
  setState(state) {
    if (!(state instanceof Uint32Array) || state.length !== 4) {
      throw new KernelError('rng_set_state', Status.INVALID_ARGUMENT, `state must be a Uint32Array of 4 words (from getState()), got ${String(state?.length)} values`);
    }
    if (state.every((w) => w === 0)) {
      throw new KernelError('rng_set_state', Status.INVALID_ARGUMENT, 'an all-zero state is not a valid generator state');
    }
    const p = scratchPtr();
    new Uint32Array(wasmMemory().buffer, p, 4).set(state);
    abi.rng_set_state(p);
  },
  uniform: (y, low, high) => abi.rng_uniform_f32(y, lengthOf(y), low, high),
  normal(y, mean, std) {
    const before = (): void => {
      if (typeof std !== 'number' || !(std >= 0)) throw new KernelError('rng_normal_f32', Status.INVALID_ARGUMENT, `std must be ≥ 0, got ${String(std)}`);
    };
    abi.rng_normal_f32(y, lengthOf(y), mean, std, { before });
  },
  permutation: (y) => abi.rng_permutation_i32(y, lengthOf(y)),
  randint(y, low, high) {
    const k = 'rng_randint_i32';
    if (!Number.isInteger(low) || !Number.isInteger(high) || low < -0x8000_0000 || high > 0x8000_0000 || !(low < high)) {
      throw new KernelError(k, Status.INVALID_ARGUMENT, `low and high must be integers with -2^31 ≤ low < high ≤ 2^31, got ${String(low)} and ${String(high)}`);
    }
    if (high - low >= 2 ** 32) throw new KernelError(k, Status.INVALID_ARGUMENT, `high − low must be below 2^32, got ${high - low}`);
    abi.rng_randint_i32(y, lengthOf(y), low, high - low);
  },
  dropout(x, mask, y, p) {
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new KernelError('dropout_f32', Status.INVALID_ARGUMENT, `p must be in [0, 1), got ${String(p)}`);
    const n = lengthOf(x);
    abi.dropout_f32(false, x, mask, y, n, p, { how: { mask: `x has ${n}`, y: `x has ${n}` } });
  },
  randomCrop(x, y, n, c, h, w, pad) {
    const k = 'random_crop_f32';
    for (const [name, v] of [['n', n], ['c', c], ['h', h], ['w', w], ['pad', pad]] as const) dim(k, name, v);
    if (pad > 0x7fff_ffff) throw new KernelError(k, Status.INVALID_ARGUMENT, `pad must be below 2^31, got ${pad}`);
    abi.random_crop_f32(x, y, n, c, h, w, pad);
  },
  randomHflip(x, y, n, c, h, w, p) {
    const k = 'random_hflip_f32';
    for (const [name, v] of [['n', n], ['c', c], ['h', h], ['w', w]] as const) dim(k, name, v);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new KernelError(k, Status.INVALID_ARGUMENT, `p must be in [0, 1], got ${String(p)}`);
    abi.random_hflip_f32(x, y, n, c, h, w, p);
  },
  randomAffineParams(params, matrices, n, h, w, d) {
    const [tx, ty] = d.maxTranslate ?? [0, 0];
    const [s0, s1] = d.scale ?? [1, 1];
    const [x0, x1] = d.shearX ?? [0, 0];
    const [y0, y1] = d.shearY ?? [0, 0];
    const flags = (d.maxTranslate ? 1 : 0) | (d.scale ? 2 : 0) | (d.shearX ? 4 : 0) | (d.shearY ? 8 : 0) | (d.counterClockwise ? 16 : 0);
    abi.random_affine_params_f32(params, matrices, n, h, w, d.degrees[0], d.degrees[1], tx, ty, s0, s1, x0, x1, y0, y1, flags);
  },
};
