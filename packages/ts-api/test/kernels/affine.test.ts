// The affine warp and RandomAffine's parameter draws inside the wasm (image/affine.rs), by hand:
// identity, integer shifts with fill, half-pixel bilinear means, right-angle turns; the draws' order,
// bounds and statistics; the errors of bad arguments. Hand values are exact in float32 (small integers
// and halves), so they are compared exactly; the statistics use 6 standard errors.
import { describe, expect, it } from 'vitest';
import { kernels, rng, type AffineDraw } from '../../src/backend/index.js';
import { storageScope } from '../helpers/kernels.js';

const { from, zeros } = storageScope();

/** One map per image, all the same. */
const maps = (n: number, m: number[]) => from(Array.from({ length: n }, () => m).flat());

function warp(x: number[], shape: [number, number, number, number], m: number[], fill = 0, mode: 'bilinear' | 'nearest' = 'bilinear'): number[] {
  const [n, c, h, w] = shape;
  const y = zeros(n * c * h * w);
  kernels.affineWarp(from(x), y, maps(n, m), n, c, h, w, fill, mode);
  return Array.from(y.f32());
}

const ramp = (k: number) => Array.from({ length: k }, (_, i) => i + 1);
/** −0 as 0 (the maps hold −0 where a product of 0 by a negative number lands). */
const plain = (a: ArrayLike<number>) => Array.from(a, (v) => v + 0);

describe('affineWarp', () => {
  it('the identity map gives every image back, both modes, at odd sizes', () => {
    const x = Array.from({ length: 2 * 3 * 5 * 7 }, (_, i) => Math.fround(Math.sin(i) * 3));
    for (const mode of ['bilinear', 'nearest'] as const) {
      expect(warp(x, [2, 3, 5, 7], [1, 0, 0, 0, 1, 0], 9, mode)).toEqual(x);
    }
  });

  it('an integer shift moves pixels and fills what comes from outside', () => {
    // 3 rows × 4 columns; output (col, row) reads (col − 2, row + 1): right by 2, up by 1.
    const x = ramp(12);
    const want = [
      -1, -1, 5, 6,
      -1, -1, 9, 10,
      -1, -1, -1, -1,
    ];
    expect(warp(x, [1, 1, 3, 4], [1, 0, -2, 0, 1, 1], -1)).toEqual(want);
    expect(warp(x, [1, 1, 3, 4], [1, 0, -2, 0, 1, 1], -1, 'nearest')).toEqual(want);
  });

  it('a sample half a pixel off is the mean of its neighbours; past the edge the fill is a neighbour', () => {
    // 2 rows × 3 columns [[1, 2, 4], [8, 16, 32]], read half a pixel to the right.
    const x = [1, 2, 4, 8, 16, 32];
    expect(warp(x, [1, 1, 2, 3], [1, 0, 0.5, 0, 1, 0], 10)).toEqual([1.5, 3, 7, 12, 24, 21]);
    // Half a pixel right and down: the mean of four; the bottom row blends with the fill below.
    expect(warp(x, [1, 1, 2, 3], [1, 0, 0.5, 0, 1, 0.5], 10)).toEqual([
      (1 + 2 + 8 + 16) / 4, (2 + 4 + 16 + 32) / 4, (4 + 10 + 32 + 10) / 4,
      (8 + 16 + 10 + 10) / 4, (16 + 32 + 10 + 10) / 4, (32 + 10 + 10 + 10) / 4,
    ]);
    // Nearest: a tie goes to the even index (column 0.5 → 0, 1.5 → 2, 2.5 → 2).
    expect(warp(x, [1, 1, 2, 3], [1, 0, 0.5, 0, 1, 0], 10, 'nearest')).toEqual([1, 4, 4, 8, 32, 32]);
  });

  it('the channels of an image share its map; each image has its own', () => {
    // 2 images × 2 channels of 1×2: image 0 unchanged, image 1 mirrored (col → 1 − col).
    const y = zeros(8);
    kernels.affineWarp(from([1, 2, 3, 4, 5, 6, 7, 8]), y, from([1, 0, 0, 0, 1, 0, -1, 0, 1, 0, 1, 0]), 2, 2, 1, 2, 0, 'bilinear');
    expect(Array.from(y.f32())).toEqual([1, 2, 3, 4, 6, 5, 8, 7]);
  });

  it('refuses a bad mode or fill, naming what it expected', () => {
    const y = zeros(4);
    expect(() => kernels.affineWarp(from([1, 2, 3, 4]), y, maps(1, [1, 0, 0, 0, 1, 0]), 1, 1, 2, 2, 0, 'bicubic' as 'nearest'))
      .toThrow("affine_warp_f32: mode must be 'bilinear' or 'nearest', got bicubic");
    expect(() => kernels.affineWarp(from([1, 2, 3, 4]), y, maps(1, [1, 0, 0, 0, 1, 0]), 1, 1, 2, 2, NaN, 'nearest'))
      .toThrow('affine_warp_f32: fill must be a finite float32 number, got NaN');
    expect(() => kernels.affineWarp(from([1, 2, 3, 4]), y, from([1, 0, 0]), 1, 1, 2, 2, 0, 'nearest'))
      .toThrow('affine_warp_f32: matrices needs 6 floats');
  });
});

const NONE: AffineDraw = { degrees: [0, 0], maxTranslate: null, scale: null, shearX: null, shearY: null, counterClockwise: false };

function draw(n: number, h: number, w: number, d: Partial<AffineDraw>): { params: Float32Array; matrices: Float32Array } {
  const params = zeros(n * 6);
  const matrices = zeros(n * 6);
  rng.randomAffineParams(params, matrices, n, h, w, { ...NONE, ...d });
  return { params: params.f32().slice(), matrices: matrices.f32().slice() };
}

describe('randomAffineParams', () => {
  it('right angles give exact maps: 90° turns a 3×3 image clockwise (counter-clockwise for RandomRotation)', () => {
    const x = ramp(9); // [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    const cw = draw(1, 3, 3, { degrees: [90, 90] }).matrices;
    expect(plain(cw)).toEqual([0, 1, 0, -1, 0, 2]);
    expect(warp(x, [1, 1, 3, 3], Array.from(cw))).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
    const ccw = Array.from(draw(1, 3, 3, { degrees: [90, 90], counterClockwise: true }).matrices);
    expect(warp(x, [1, 1, 3, 3], ccw)).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
  });

  it('the identity parameters give the identity map at odd sizes', () => {
    const { params, matrices } = draw(3, 5, 7, { maxTranslate: [0, 0], scale: [1, 1], shearX: [0, 0], shearY: [0, 0] });
    expect(plain(params)).toEqual([0, 0, 0, 1, 0, 0].concat([0, 0, 0, 1, 0, 0], [0, 0, 0, 1, 0, 0]));
    expect(plain(matrices)).toEqual([1, 0, 0, 0, 1, 0].concat([1, 0, 0, 0, 1, 0], [1, 0, 0, 0, 1, 0]));
  });

  it('a fixed scale of 2 and a shift: the map is the hand-computed inverse about the centre', () => {
    // 5×5, centre (2, 2), scale 2, tx = ty = 0: src = (p − 2)/2 + 2 = p/2 + 1.
    const { matrices } = draw(1, 5, 5, { scale: [2, 2] });
    expect(plain(matrices)).toEqual([0.5, 0, 1, 0, 0.5, 1]);
  });

  it('draws per image: angles, whole-pixel translations, scales and shears stay in their ranges', () => {
    rng.seed(11);
    const n = 2000;
    const { params } = draw(n, 28, 28, { degrees: [-30, 50], maxTranslate: [2.8, 5.6], scale: [0.8, 1.2], shearX: [-10, 10], shearY: [3, 4] });
    for (let i = 0; i < n; i++) {
      const [a, tx, ty, s, sx, sy] = params.subarray(6 * i, 6 * i + 6);
      expect(a >= -30 && a <= 50 && s >= Math.fround(0.8) && s <= Math.fround(1.2), `image ${i}`).toBe(true);
      expect(Number.isInteger(tx) && Math.abs(tx) <= 3 && Number.isInteger(ty) && Math.abs(ty) <= 6, `image ${i}`).toBe(true);
      expect(sx >= -10 && sx <= 10 && sy >= 3 && sy <= 4, `image ${i}`).toBe(true);
    }
    // Every whole-pixel shift in [−3, 3] occurs (round(U(−2.8, 2.8))).
    expect(new Set(Array.from({ length: n }, (_, i) => params[6 * i + 1])).size).toBe(7);
  });

  it('at a fixed seed the angles are uniform on [min, max]: mean and std within 6 standard errors', () => {
    rng.seed(2024);
    const n = 20000;
    const [lo, hi] = [-30, 50];
    const { params } = draw(n, 28, 28, { degrees: [lo, hi], counterClockwise: true });
    const angles = Array.from({ length: n }, (_, i) => params[6 * i]);
    const mean = angles.reduce((s, v) => s + v, 0) / n;
    const variance = angles.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    const width = hi - lo;
    const sigma = width / Math.sqrt(12);
    // Var(s²) = (μ4 − σ⁴)/n with μ4 = width⁴/80 for a uniform; SE(s) ≈ SE(s²)/(2σ).
    const seVar = Math.sqrt((width ** 4 / 80 - sigma ** 4) / n);
    expect(Math.abs(mean - (lo + hi) / 2)).toBeLessThan((6 * sigma) / Math.sqrt(n));
    expect(Math.abs(Math.sqrt(variance) - sigma)).toBeLessThan((6 * seVar) / (2 * sigma));
    // Each tenth of the range holds n/10 angles within 6 binomial standard errors.
    const bins = new Array<number>(10).fill(0);
    for (const a of angles) bins[Math.min(9, Math.floor(((a - lo) / width) * 10))]++;
    for (const b of bins) expect(Math.abs(b - n / 10)).toBeLessThan(6 * Math.sqrt(n * 0.1 * 0.9));
  });

  it('the same seed draws the same parameters; another seed others', () => {
    const d: Partial<AffineDraw> = { degrees: [-15, 15], maxTranslate: [3, 3], scale: [0.9, 1.1] };
    rng.seed(1);
    const a = draw(8, 28, 28, d).params;
    rng.seed(1);
    expect(draw(8, 28, 28, d).params).toEqual(a);
    rng.seed(2);
    expect(draw(8, 28, 28, d).params).not.toEqual(a);
  });

  it('refuses ranges the core cannot use, naming the parameter', () => {
    expect(() => draw(1, 2, 2, { degrees: [10, -10] })).toThrow(/random_affine_params_f32: .*degHi/);
    expect(() => draw(1, 2, 2, { scale: [0, 1] })).toThrow(/random_affine_params_f32: .*scaleLo/);
    expect(() => draw(1, 2, 2, { shearY: [-90, 0] })).toThrow(/random_affine_params_f32: .*shearYLo/);
    expect(() => draw(1, 2, 2, { maxTranslate: [-1, 0] })).toThrow(/random_affine_params_f32: .*maxDx/);
  });
});
