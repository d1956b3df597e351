// The conv family in wasm: the fast kernels (im2col + GEMM, clamped windows) against the scalar
// references (direct loops) at odd sizes, and values worked by hand.
import { describe, expect, it } from 'vitest';
import { allocStorage, convKernels, convReference, KernelError, storageFrom, type Conv2dGeometry, type Storage } from '../../src/backend/index.js';

function data(n: number, seed: number): Storage {
  let s = seed * 2654435761 >>> 0;
  return storageFrom(Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  }));
}

function expectClose(a: Storage, b: Storage, tol: number): void {
  const x = a.f32();
  const y = b.f32();
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) {
    if (!(Math.abs(x[i] - y[i]) <= tol * (1 + Math.abs(y[i])))) expect.fail(`element ${i}: ${x[i]} vs ${y[i]}`);
  }
}

const out = (len: number, k: number, s: number, p: number, d: number): number => Math.floor((len + 2 * p - d * (k - 1) - 1) / s) + 1;

function geometry(n: number, groups: number, cg: number, og: number, h: number, w: number, kh: number, kw: number,
                  sh: number, sw: number, ph: number, pw: number, dh: number, dw: number): Conv2dGeometry {
  return { n, groups, cg, og, h, w, oh: out(h, kh, sh, ph, dh), ow: out(w, kw, sw, pw, dw), kh, kw, sh, sw, ph, pw, dh, dw };
}

describe('conv2d kernels', () => {
  const cases: Conv2dGeometry[] = [
    geometry(3, 1, 3, 5, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1),
    geometry(2, 3, 2, 3, 7, 9, 3, 5, 2, 3, 1, 2, 1, 1),
    geometry(1, 5, 1, 1, 13, 10, 3, 3, 2, 1, 1, 1, 2, 3),
    geometry(2, 1, 1, 6, 28, 28, 5, 5, 1, 1, 2, 2, 1, 1),
  ];
  it.each(cases.map((g, i) => [i, g] as const))('fast equals the direct loops (%i)', (i, g) => {
    const x = data(g.n * g.groups * g.cg * g.h * g.w, i + 1);
    const wt = data(g.groups * g.og * g.cg * g.kh * g.kw, i + 7);
    const b = data(g.groups * g.og, i + 3);
    const ylen = g.n * g.groups * g.og * g.oh * g.ow;
    const [y, yr, dy] = [allocStorage('float32', ylen), allocStorage('float32', ylen), data(ylen, 11)];
    convKernels.conv2d(x, wt, b, y, g);
    convReference.conv2d(x, wt, b, yr, g);
    expectClose(y, yr, 1e-5);
    const [dx, dxr] = [allocStorage('float32', x.length), allocStorage('float32', x.length)];
    convKernels.conv2dBackwardInput(dy, wt, dx, g);
    convReference.conv2dBackwardInput(dy, wt, dxr, g);
    expectClose(dx, dxr, 1e-5);
    const [dw, dwr] = [allocStorage('float32', wt.length), allocStorage('float32', wt.length)];
    convKernels.conv2dBackwardWeight(x, dy, dw, g);
    convReference.conv2dBackwardWeight(x, dy, dwr, g);
    expectClose(dw, dwr, 1e-5);
  });

  it('a 2×2 kernel of ones over 1..9 with column padding 1 and row stride 2, by hand', () => {
    const x = storageFrom(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const y = allocStorage('float32', 4);
    const g = geometry(1, 1, 1, 1, 3, 3, 2, 2, 2, 1, 0, 1, 1, 1);
    convKernels.conv2d(x, storageFrom(new Float32Array([1, 1, 1, 1])), storageFrom(new Float32Array([0.5])), y, g);
    expect([...y.f32()]).toEqual([5.5, 12.5, 16.5, 9.5]);
  });

  it('refuses an output size that does not follow from the window', () => {
    const g = { ...geometry(1, 1, 1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1), oh: 3 };
    const x = data(9, 1);
    expect(() => convKernels.conv2d(x, data(4, 2), null, allocStorage('float32', 6), g)).toThrow(KernelError);
  });
});

describe('pooling and batch-norm kernels', () => {
  const win = { h: 9, w: 11, oh: out(9, 3, 2, 1, 2), ow: out(11, 2, 3, 1, 1), kh: 3, kw: 2, sh: 2, sw: 3, ph: 1, pw: 1, dh: 2, dw: 1 };
  it('max pooling: values and argmax equal the reference; backward too', () => {
    const planes = 5;
    const x = data(planes * win.h * win.w, 4);
    const n = planes * win.oh * win.ow;
    const [y, yr] = [allocStorage('float32', n), allocStorage('float32', n)];
    const [ix, ixr] = [allocStorage('int32', n), allocStorage('int32', n)];
    convKernels.maxPool2d(x, y, ix, planes, win);
    convReference.maxPool2d(x, yr, ixr, planes, win);
    expect([...ix.i32()]).toEqual([...ixr.i32()]);
    expect([...y.f32()]).toEqual([...yr.f32()]);
    const dy = data(n, 5);
    const [dx, dxr] = [allocStorage('float32', x.length), allocStorage('float32', x.length)];
    convKernels.maxPool2dBackward(dy, ix, dx, planes, win);
    convReference.maxPool2dBackward(dy, ix, dxr, planes, win);
    expectClose(dx, dxr, 1e-6);
  });

  it('max pooling 2×2 with stride 2 (four windows per SIMD step, the rest one by one): bit for bit the reference, NaNs, ties and infinities included', () => {
    const planes = 3;
    const g = { h: 10, w: 13, oh: 5, ow: 6, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1 };
    const values = Float32Array.from(data(planes * g.h * g.w, 6).f32(), (v) => Math.round(v * 3));
    // Window (0, 0) holds two NaNs (the later wins: its sign bit tells them apart); window (0, 1) is all -inf.
    values[0] = NaN;
    values[g.w + 1] = -NaN;
    values.fill(-Infinity, 2, 4);
    values.fill(-Infinity, g.w + 2, g.w + 4);
    values[g.w * g.h + 5] = Infinity;
    const x = storageFrom(values);
    const n = planes * g.oh * g.ow;
    const [y, yr] = [allocStorage('float32', n), allocStorage('float32', n)];
    const [ix, ixr] = [allocStorage('int32', n), allocStorage('int32', n)];
    convKernels.maxPool2d(x, y, ix, planes, g);
    convReference.maxPool2d(x, yr, ixr, planes, g);
    expect([...ix.i32()]).toEqual([...ixr.i32()]);
    expect([...new Uint32Array(y.f32().slice().buffer)]).toEqual([...new Uint32Array(yr.f32().slice().buffer)]);
    expect(ix.i32()[0]).toBe(g.w + 1);
    expect(ix.i32()[1]).toBe(2);
    expect(y.f32()[1]).toBe(-Infinity);
  });

  it('average pooling of 1..9, kernel 2, stride 2, padding 1, with and without the padding counted, by hand', () => {
    const x = storageFrom(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const y = allocStorage('float32', 4);
    const g = { h: 3, w: 3, oh: 2, ow: 2, kh: 2, kw: 2, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1 };
    convKernels.avgPool2d(x, y, 1, g, true, 0);
    expect([...y.f32()]).toEqual([0.25, 1.25, 2.75, 7]);
    convReference.avgPool2d(x, y, 1, g, false, 0);
    expect([...y.f32()]).toEqual([1, 2.5, 5.5, 7]);
    convKernels.avgPool2d(x, y, 1, g, true, 2);
    expect([...y.f32()]).toEqual([0.5, 2.5, 5.5, 14]);
  });

  it('ceil mode: a 5×5 plane of kernel 2 stride 2 gives 3×3; the floor size 2×2 is refused naming oh', () => {
    const g = { h: 5, w: 5, oh: 3, ow: 3, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, ceilMode: true };
    const x = storageFrom(Float32Array.from({ length: 25 }, (_, i) => i));
    const y = allocStorage('float32', 9);
    convKernels.avgPool2d(x, y, 1, g, true, 0);
    // PyTorch's F.avg_pool2d(arange(25.).view(1, 1, 5, 5), 2, ceil_mode=True)
    expect([...y.f32()]).toEqual([3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24]);
    expect(() => convReference.avgPool2d(x, allocStorage('float32', 4), 1, { ...g, oh: 2, ow: 2 }, true, 0)).toThrow(/'oh' \(2\)/);
    expect(() => convKernels.maxPool2d(x, y, allocStorage('int32', 9), 1, { ...g, ceilMode: false })).toThrow(/'oh' \(3\)/);
  });

  it('adaptive average pooling of 1..5 to 3: windows [0, 2), [1, 4), [3, 5)', () => {
    const y = allocStorage('float32', 3);
    convKernels.adaptiveAvgPool2d(storageFrom(Float32Array.from([1, 2, 3, 4, 5])), y, 1, 1, 5, 1, 3);
    expect([...y.f32()]).toEqual([1.5, 3, 4.5]);
  });

  it('batch-norm statistics of [1, 2, 3, 4]: mean 2.5, biased variance 1.25; apply and backward equal the reference', () => {
    const [m, v] = [allocStorage('float32', 1), allocStorage('float32', 1)];
    convKernels.batchNormStats(storageFrom(Float32Array.from([1, 2, 3, 4])), m, v, 4, 1, 1);
    expect([m.f32()[0], v.f32()[0]]).toEqual([2.5, 1.25]);
    const [n, c, inner] = [5, 3, 7];
    const x = data(n * c * inner, 9);
    const [mean, variance] = [allocStorage('float32', c), allocStorage('float32', c)];
    convKernels.batchNormStats(x, mean, variance, n, c, inner);
    const [wt, b, dy] = [data(c, 1), data(c, 2), data(x.length, 3)];
    const [y, yr] = [allocStorage('float32', x.length), allocStorage('float32', x.length)];
    convKernels.batchNormApply(x, mean, variance, wt, b, y, n, c, inner, 1e-5);
    convReference.batchNormApply(x, mean, variance, wt, b, yr, n, c, inner, 1e-5);
    expectClose(y, yr, 1e-6);
    for (const batchStats of [true, false]) {
      const fast = [x.length, c, c].map((l) => allocStorage('float32', l));
      const ref = [x.length, c, c].map((l) => allocStorage('float32', l));
      convKernels.batchNormBackward(x, dy, mean, variance, wt, fast[0], fast[1], fast[2], n, c, inner, 1e-5, batchStats);
      convReference.batchNormBackward(x, dy, mean, variance, wt, ref[0], ref[1], ref[2], n, c, inner, 1e-5, batchStats);
      fast.forEach((s, i) => expectClose(s, ref[i], 1e-5));
    }
  });
});
