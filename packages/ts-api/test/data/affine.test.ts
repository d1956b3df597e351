// data.randomRotation and data.randomAffine (torchvision's RandomRotation / RandomAffine) on [N, C, H, W]
// batches: right-angle turns against hand-rotated images (exact: bilinear at grid points), identity,
// whole-pixel shifts with fill, a float64 reference of torchvision's inverse map + bilinear / nearest
// sampling at odd sizes, seeding through the DataLoader and compose, and the errors of bad options.
// Tolerance against the float64 reference: 1e-5 absolute on pixels in [0, 1] — the core rounds the map to
// float32 (relative 6e-8 on coordinates below 20 pixels: ~1e-6 of a pixel) and blends in float32.
import { describe, expect, it } from 'vitest';
import { data, manualSeed, tensor, type Tensor } from '../../src/index.js';
import { rng, storageFrom, type AffineDraw } from '../../src/backend/index.js';
import { expectClose } from '../helpers/gradcheck.js';

const { DataLoader, TensorDataset, transforms, randomRotation, randomAffine } = data;

function batch(values: ArrayLike<number>, shape: [number, number, number, number]): Tensor {
  return tensor(Float32Array.from(values), { shape });
}

const ramp = (k: number) => Array.from({ length: k }, (_, i) => i + 1);
/** Pseudo-random pixels in [0, 1) (no generator involved). */
const pixels = (k: number) => Array.from(Float32Array.from({ length: k }, (_, i) => Math.abs(Math.sin(i * 12.9898) * 43758.5453) % 1));

describe('right-angle turns are exact', () => {
  // [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
  const X = batch(ramp(9), [1, 1, 3, 3]);

  it('randomRotation: a positive angle turns counter-clockwise (torchvision RandomRotation)', () => {
    expect(Array.from(randomRotation([90, 90])(X).toArray())).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    expect(Array.from(randomRotation([-90, -90])(X).toArray())).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
    expect(Array.from(randomRotation([180, 180])(X).toArray())).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(Array.from(randomRotation([180, 180], { interpolation: 'nearest' })(X).toArray())).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it("randomAffine: a positive angle turns clockwise (torchvision's F.affine)", () => {
    expect(Array.from(randomAffine({ degrees: [90, 90] })(X).toArray())).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
    expect(Array.from(randomAffine({ degrees: [180, 180] })(X).toArray())).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('a 5-row × 7-column image turned 90° counter-clockwise about its centre, the uncovered columns filled', () => {
    // Centre (3, 2): output (col, row) reads column 5 − row of input row col − 1; columns 0 and 6 read
    // rows −1 and 5, outside the image.
    const x = ramp(35);
    const want = Array.from({ length: 35 }, (_, i) => {
      const [row, col] = [Math.floor(i / 7), i % 7];
      return col >= 1 && col <= 5 ? x[(col - 1) * 7 + (5 - row)] : -1;
    });
    // Hand-checked corner: output row 0 = [-1, 6, 13, 20, 27, 34, -1] (the last column, read downwards).
    expect(want.slice(0, 7)).toEqual([-1, 6, 13, 20, 27, 34, -1]);
    expect(Array.from(randomRotation([90, 90], { fill: -1 })(batch(x, [1, 1, 5, 7])).toArray())).toEqual(want);
  });
});

describe('identity and shifts', () => {
  it('identity parameters give the input back, bit for bit, at odd sizes', () => {
    const X = batch(pixels(2 * 3 * 7 * 5), [2, 3, 7, 5]);
    const x = Array.from(X.toArray());
    expect(Array.from(randomRotation(0)(X).toArray())).toEqual(x);
    expect(Array.from(randomAffine({ degrees: 0, translate: [0, 0], scale: [1, 1], shear: 0 })(X).toArray())).toEqual(x);
    expect(Array.from(randomAffine({ degrees: [0, 0], shear: [0, 0, 0, 0], interpolation: 'nearest' })(X).toArray())).toEqual(x);
  });

  it('a drawn translation shifts each image by whole pixels with fill at the border', () => {
    const [n, c, h, w] = [6, 2, 5, 7];
    const x = ramp(n * c * h * w);
    const T = randomAffine({ degrees: 0, translate: [0.3, 0.4], fill: -1 });
    manualSeed(9);
    const y = Array.from(T(batch(x, [n, c, h, w])).toArray());
    // The same draws again: (angle, tx, ty, …) per image.
    manualSeed(9);
    const params = replay(n, h, w, { degrees: [0, 0], maxTranslate: [0.3 * w, 0.4 * h] });
    const shifts = new Set<string>();
    for (let i = 0; i < n; i++) {
      const [tx, ty] = [params[6 * i + 1], params[6 * i + 2]];
      shifts.add(`${tx},${ty}`);
      for (let ch = 0; ch < c; ch++) {
        for (let r = 0; r < h; r++) {
          for (let col = 0; col < w; col++) {
            const [sr, sc] = [r - ty, col - tx];
            const inside = sr >= 0 && sr < h && sc >= 0 && sc < w;
            const want = inside ? x[((i * c + ch) * h + sr) * w + sc] : -1;
            expect(y[((i * c + ch) * h + r) * w + col], `image ${i} (${tx}, ${ty}) at ${r}, ${col}`).toBe(want);
          }
        }
      }
    }
    expect(shifts.size).toBeGreaterThan(1);
  });
});

/** The parameters the transforms draw, drawn again from the current generator state. */
function replay(n: number, h: number, w: number, d: Partial<AffineDraw>): Float32Array {
  const params = storageFrom(new Float32Array(n * 6));
  const matrices = storageFrom(new Float32Array(n * 6));
  rng.randomAffineParams(params, matrices, n, h, w, { degrees: [0, 0], maxTranslate: null, scale: null, shearX: null, shearY: null, counterClockwise: false, ...d });
  const out = params.f32().slice();
  params.dispose();
  matrices.dispose();
  return out;
}

/** torchvision's `_get_inverse_affine_matrix(center=(0, 0), angle, translate, scale, shear)`, in float64. */
function inverseMatrix(angle: number, tx: number, ty: number, scale: number, shx: number, shy: number): number[] {
  const rad = Math.PI / 180;
  const [rot, sx, sy] = [angle * rad, shx * rad, shy * rad];
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2] += m[0] * -tx + m[1] * -ty;
  m[5] += m[3] * -tx + m[4] * -ty;
  return m;
}

/**
 * affine_grid + grid_sample (align_corners=False) in pixel indices: output pixel (col, row) reads the
 * input at m·(col − cx, row − cy, 1) + (cx, cy), centre (cx, cy) = ((w − 1)/2, (h − 1)/2); outside
 * pixels count as `fill`. Returns the value and, for nearest, how close the sample is to a rounding tie.
 */
function sample64(img: ArrayLike<number>, h: number, w: number, m: number[], col: number, row: number,
  fill: number, mode: 'bilinear' | 'nearest'): [number, number] {
  const [cx, cy] = [(w - 1) / 2, (h - 1) / 2];
  const sx = m[0] * (col - cx) + m[1] * (row - cy) + m[2] + cx;
  const sy = m[3] * (col - cx) + m[4] * (row - cy) + m[5] + cy;
  const at = (r: number, k: number) => (r >= 0 && r < h && k >= 0 && k < w ? img[r * w + k] : fill);
  if (mode === 'nearest') {
    const tie = Math.min(Math.abs((sx % 1 + 1) % 1 - 0.5), Math.abs((sy % 1 + 1) % 1 - 0.5));
    const round = (v: number) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));
    return [at(round(sy), round(sx)), tie];
  }
  const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
  const [fx, fy] = [sx - x0, sy - y0];
  const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
  const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
  return [top * (1 - fy) + bottom * fy, 1];
}

describe('against a float64 reference of torchvision', () => {
  const cases = [
    { h: 5, w: 7, mode: 'bilinear' as const },
    { h: 7, w: 5, mode: 'bilinear' as const },
    { h: 5, w: 7, mode: 'nearest' as const },
  ];
  for (const { h, w, mode } of cases) {
    it(`randomAffine with every parameter, ${h}×${w}, ${mode}`, () => {
      const [n, c, fill] = [6, 2, 0.25];
      const x = pixels(n * c * h * w);
      const options = { degrees: 40, translate: [0.2, 0.3] as const, scale: [0.7, 1.3] as const, shear: [-10, 10, -5, 5] as const };
      manualSeed(31);
      const y = randomAffine({ ...options, fill, interpolation: mode })(batch(x, [n, c, h, w])).toArray();
      manualSeed(31);
      const p = replay(n, h, w, { degrees: [-40, 40], maxTranslate: [0.2 * w, 0.3 * h], scale: [0.7, 1.3], shearX: [-10, 10], shearY: [-5, 5] });
      const want: number[] = [];
      const got: number[] = [];
      let ties = 0;
      for (let i = 0; i < n; i++) {
        const m = inverseMatrix(p[6 * i], p[6 * i + 1], p[6 * i + 2], p[6 * i + 3], p[6 * i + 4], p[6 * i + 5]);
        for (let ch = 0; ch < c; ch++) {
          const plane = x.slice((i * c + ch) * h * w, (i * c + ch + 1) * h * w);
          for (let k = 0; k < h * w; k++) {
            const [v, tie] = sample64(plane, h, w, m, k % w, Math.floor(k / w), fill, mode);
            // Nearest: a sample within 1e-4 of a half pixel may round either way in float32.
            if (tie < 1e-4) { ties++; continue; }
            want.push(v);
            got.push(y[(i * c + ch) * h * w + k]);
          }
        }
      }
      expect(ties).toBeLessThan(4);
      expectClose(got, want, 0, 1e-5);
      // The warp really moved pixels: not the identity.
      expect(Array.from(y)).not.toEqual(x);
    });
  }

  it('randomRotation is the same warp with the angle negated', () => {
    const [n, c, h, w] = [4, 1, 7, 5];
    const x = pixels(n * c * h * w);
    manualSeed(5);
    const y = randomRotation([-25, 60])(batch(x, [n, c, h, w])).toArray();
    manualSeed(5);
    const p = replay(n, h, w, { degrees: [-25, 60], counterClockwise: true });
    const want: number[] = [];
    for (let i = 0; i < n; i++) {
      const m = inverseMatrix(-p[6 * i], 0, 0, 1, 0, 0);
      const plane = x.slice(i * h * w, (i + 1) * h * w);
      for (let k = 0; k < h * w; k++) want.push(sample64(plane, h, w, m, k % w, Math.floor(k / w), 0, 'bilinear')[0]);
    }
    expectClose(y, want, 0, 1e-5);
  });
});

describe('seeding and composition', () => {
  const N = 12;
  const images = batch(pixels(N * 28 * 28), [N, 1, 28, 28]);
  const ds = new TensorDataset(images, tensor(Int32Array.from({ length: N }, (_, i) => i % 10)));
  const augment = transforms.compose([
    transforms.randomCrop(2),
    randomAffine({ degrees: 15, translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 5 }),
    randomRotation(10),
    transforms.randomHorizontalFlip(),
  ]);
  const epoch = (seed: number): number[] => {
    manualSeed(seed);
    const out: number[] = [];
    for (const [X] of new DataLoader(ds, { batchSize: 5, shuffle: true, transform: augment })) out.push(...X.toArray());
    return out;
  };

  it('the same seed gives the same batches, bit for bit; another seed other batches', () => {
    const a = epoch(3);
    expect(epoch(3)).toEqual(a);
    expect(epoch(4)).not.toEqual(a);
  });

  it('compose draws in order from the one generator: compose([crop, rotation]) = rotation(crop(x))', () => {
    const crop = transforms.randomCrop(1);
    const rot = randomRotation(30, { fill: 0.5 });
    manualSeed(8);
    const a = transforms.compose([crop, rot])(images).toArray();
    manualSeed(8);
    expect(rot(crop(images)).toArray()).toEqual(a);
  });

  it('each image draws its own parameters', () => {
    const same = batch(Array.from({ length: 4 }, () => pixels(9 * 9)).flat(), [4, 1, 9, 9]);
    manualSeed(1);
    const y = randomRotation(45)(same).toArray();
    const imgs = [0, 1, 2, 3].map((i) => Array.from(y.subarray(i * 81, (i + 1) * 81)));
    for (let i = 1; i < 4; i++) expect(imgs[i]).not.toEqual(imgs[0]);
  });
});

describe('bad arguments throw, saying what was expected', () => {
  const cases: [string, () => unknown, string][] = [
    ['negative degrees', () => randomRotation(-5), 'randomRotation: degrees as a single number must be finite and ≥ 0 (it means [−degrees, degrees]), got -5'],
    ['NaN degrees', () => randomRotation(NaN), 'randomRotation: degrees as a single number must be finite and ≥ 0'],
    ['min > max', () => randomRotation([10, -10]), 'randomRotation: degrees needs min ≤ max, got [10, -10]'],
    ['three degrees', () => randomRotation([1, 2, 3] as unknown as [number, number]), 'randomRotation: degrees must be [min, max] of finite numbers, got [1, 2, 3]'],
    ['unknown rotation option', () => randomRotation(10, { expand: true } as never), "randomRotation: unknown option 'expand'; known options: interpolation, fill"],
    ['bicubic', () => randomRotation(10, { interpolation: 'bicubic' as 'nearest' }), 'randomRotation: interpolation must be \'bilinear\' or \'nearest\', got "bicubic"'],
    ['fill NaN', () => randomAffine({ degrees: 0, fill: NaN }), 'randomAffine: fill must be a finite number, got NaN'],
    ['fill string', () => randomAffine({ degrees: 0, fill: '0' as unknown as number }), 'randomAffine: fill must be a finite number, got "0"'],
    ['no options', () => randomAffine(undefined as never), 'randomAffine: expected an options object with degrees (0 for no rotation), got undefined'],
    ['no degrees', () => randomAffine({} as never), 'randomAffine: degrees is required (0 for no rotation)'],
    ['misspelt key', () => randomAffine({ degree: 10 } as never), "randomAffine: unknown option 'degree'; known options: degrees, translate, scale, shear, interpolation, fill"],
    ['affine min > max', () => randomAffine({ degrees: [5, 1] }), 'randomAffine: degrees needs min ≤ max, got [5, 1]'],
    ['translate > 1', () => randomAffine({ degrees: 0, translate: [1.5, 0] }), 'randomAffine: translate must be [a, b], fractions of the width and height in [0, 1], got [1.5, 0]'],
    ['translate < 0', () => randomAffine({ degrees: 0, translate: [0.1, -0.1] }), 'translate must be [a, b], fractions of the width and height in [0, 1], got [0.1, -0.1]'],
    ['scale 0', () => randomAffine({ degrees: 0, scale: [0, 1] }), 'randomAffine: scale values must be > 0, got [0, 1]'],
    ['scale negative', () => randomAffine({ degrees: 0, scale: [-1, 1] }), 'randomAffine: scale values must be > 0, got [-1, 1]'],
    ['scale reversed', () => randomAffine({ degrees: 0, scale: [1.2, 0.8] }), 'randomAffine: scale needs min ≤ max, got [1.2, 0.8]'],
    ['scale infinite', () => randomAffine({ degrees: 0, scale: [1, Infinity] }), 'randomAffine: scale must be [min, max] of finite numbers, got [1, Infinity]'],
    ['negative shear', () => randomAffine({ degrees: 0, shear: -3 }), 'randomAffine: shear as a single number must be finite and ≥ 0 (it means [−shear, shear]), got -3'],
    ['shear 90', () => randomAffine({ degrees: 0, shear: [0, 90] }), 'randomAffine: shear angles must be in (−90, 90) degrees, got [0, 90]'],
    ['shear 90 as float32', () => randomAffine({ degrees: 0, shear: 89.999999999 }), 'randomAffine: shear angles must be in (−90, 90) degrees, got 89.999999999'],
    ['shear y reversed', () => randomAffine({ degrees: 0, shear: [0, 1, 5, 2] }), 'randomAffine: shear needs min ≤ max, got [0, 1, 5, 2]'],
    ['three shears', () => randomAffine({ degrees: 0, shear: [1, 2, 3] as never }), 'randomAffine: shear must be a number, [min, max] or [xmin, xmax, ymin, ymax], got [1, 2, 3]'],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => expect(make).toThrow(message));
  }

  it('a batch that is not float32 [N, C, H, W]', () => {
    expect(() => randomRotation(5)(tensor([1, 2, 3]))).toThrow('randomRotation: expected a float32 batch of shape [N, C, H, W], got float32 [3]');
    const ints = tensor(new Int32Array(4), { shape: [1, 1, 2, 2], dtype: 'int32' });
    expect(() => randomAffine({ degrees: 5 })(ints)).toThrow('randomAffine: expected a float32 batch of shape [N, C, H, W], got int32 [1, 1, 2, 2]');
  });
});
