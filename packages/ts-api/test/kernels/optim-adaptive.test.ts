// RMSprop and Adagrad kernels inside the wasm: the SIMD exports agree with their `_ref` twins bit for bit
// at every size, and both follow an f64 model of PyTorch 1.13's update rules.
import { describe, expect, it } from 'vitest';
import { kernels, reference, type Kernels } from '../../src/backend/index.js';
import { SIZES, read, storageScope } from '../helpers/kernels.js';
import { closeCheck, expectSameBits, seededValues as values } from '../helpers/values.js';

const { from, zeros } = storageScope();
const expectClose = closeCheck({ relativeTo: 'larger', nanMatchesNan: false, equalMatches: false });

interface RmsOpts { lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean }
interface AdagradOpts { lr: number; lrDecay: number; weightDecay: number; eps: number; init: number }

function rms(k: Kernels, p0: ArrayLike<number>, grads: ArrayLike<number>[], o: RmsOpts): Float32Array[] {
  const p = from(p0);
  const s = zeros(p0.length);
  const a = o.centered ? zeros(p0.length) : null;
  const b = o.momentum > 0 ? zeros(p0.length) : null;
  grads.forEach((g) => k.rmspropStep(p, from(g), s, a, b, o));
  return [read(p), read(s), a === null ? new Float32Array(0) : read(a), b === null ? new Float32Array(0) : read(b)];
}

function adagrad(k: Kernels, p0: ArrayLike<number>, grads: ArrayLike<number>[], o: AdagradOpts): Float32Array[] {
  const p = from(p0);
  const s = from(new Array<number>(p0.length).fill(o.init));
  grads.forEach((g, i) => k.adagradStep(p, from(g), s, { ...o, step: i + 1 }));
  return [read(p), read(s)];
}

/** f64 model of torch 1.13 _single_tensor_rmsprop. */
function rms64(p0: ArrayLike<number>, grads: ArrayLike<number>[], o: RmsOpts): number[] {
  const p = Array.from(p0);
  const s = p.map(() => 0);
  const a = p.map(() => 0);
  const b = p.map(() => 0);
  for (const g of grads) {
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + o.weightDecay * p[i];
      s[i] = o.alpha * s[i] + (1 - o.alpha) * gi * gi;
      let avg = Math.sqrt(s[i]);
      if (o.centered) {
        a[i] = o.alpha * a[i] + (1 - o.alpha) * gi;
        avg = Math.sqrt(s[i] - a[i] * a[i]);
      }
      avg += o.eps;
      if (o.momentum > 0) {
        b[i] = o.momentum * b[i] + gi / avg;
        p[i] -= o.lr * b[i];
      } else {
        p[i] -= (o.lr * gi) / avg;
      }
    }
  }
  return p;
}

/** f64 model of torch 1.13 _single_tensor_adagrad. */
function adagrad64(p0: ArrayLike<number>, grads: ArrayLike<number>[], o: AdagradOpts): number[] {
  const p = Array.from(p0);
  const s = p.map(() => o.init);
  grads.forEach((g, k) => {
    const clr = o.lr / (1 + k * o.lrDecay);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + o.weightDecay * p[i];
      s[i] += gi * gi;
      p[i] -= (clr * gi) / (Math.sqrt(s[i]) + o.eps);
    }
  });
  return p;
}

const RMS_CASES: RmsOpts[] = [
  { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false },
  { lr: 1e-3, alpha: 0.9, eps: 1e-6, weightDecay: 0.1, momentum: 0.9, centered: false },
  { lr: 1e-3, alpha: 0.95, eps: 1e-8, weightDecay: 0.01, momentum: 0.5, centered: true },
];
const ADAGRAD_CASES: AdagradOpts[] = [
  { lr: 1e-2, lrDecay: 0, weightDecay: 0, eps: 1e-10, init: 0 },
  { lr: 0.1, lrDecay: 0.01, weightDecay: 0.1, eps: 1e-6, init: 0.5 },
];

describe('rmsprop_step / adagrad_step: fast == reference bit for bit, and the f64 model of PyTorch', () => {
  it.each(SIZES)('n = %i', (n) => {
    const p0 = values(n, n);
    const grads = [1, 2, 3, 4, 5].map((s) => values(n, n * 10 + s, -2, 2));
    for (const o of RMS_CASES) {
      const fast = rms(kernels, p0, grads, o);
      const ref = rms(reference, p0, grads, o);
      fast.forEach((t, i) => expectSameBits(t, ref[i], `rmsprop ${JSON.stringify(o)} output ${i}`));
      expectClose(fast[0], rms64(p0, grads, o), 0, 1e-5, `rmsprop ${JSON.stringify(o)} vs f64`);
    }
    for (const o of ADAGRAD_CASES) {
      const fast = adagrad(kernels, p0, grads, o);
      const ref = adagrad(reference, p0, grads, o);
      fast.forEach((t, i) => expectSameBits(t, ref[i], `adagrad ${JSON.stringify(o)} output ${i}`));
      expectClose(fast[0], adagrad64(p0, grads, o), 0, 1e-5, `adagrad ${JSON.stringify(o)} vs f64`);
    }
  });

  it('refuse a missing buffer and step 0', () => {
    const p = from([1]);
    expect(() => kernels.rmspropStep(p, from([1]), zeros(1), null, null, { ...RMS_CASES[0], centered: true })).toThrow(/centered needs a gradient average buffer/);
    expect(() => kernels.rmspropStep(p, from([1]), zeros(1), null, null, { ...RMS_CASES[0], momentum: 0.9 })).toThrow(/needs a momentum buffer/);
    expect(() => kernels.adagradStep(p, from([1]), zeros(1), { ...ADAGRAD_CASES[0], step: 0 })).toThrow(/step counts from 1/);
  });
});
