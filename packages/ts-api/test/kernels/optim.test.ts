// Optimiser kernels inside the wasm: SGD (momentum, dampening, Nesterov, weight decay) and Adam / AdamW.
// The SIMD exports run the same per-element formula as the scalar `*_ref` twins, so they must agree bit for
// bit at every size; both are checked against steps worked by hand and an f64 model of PyTorch 1.13's
// update rules over several steps.
import { describe, expect, it } from 'vitest';
import { kernels, reference, type Kernels } from '../../src/backend/index.js';
import { IMPLEMENTATIONS, SIZES, read, storageScope } from '../helpers/kernels.js';
import { closeCheck, expectSameBits, seededValues as values } from '../helpers/values.js';

const { from, zeros } = storageScope();
/** Strict: a NaN, or an infinity on both sides, fails too (every optimiser output here is finite). */
const expectClose = closeCheck({ relativeTo: 'larger', nanMatchesNan: false, equalMatches: false });

interface SgdOpts { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean }
interface AdamOpts { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean }

/** Runs `steps` SGD steps with the given gradients; returns the final param and momentum buffer. */
function sgd(k: Kernels, p0: ArrayLike<number>, grads: ArrayLike<number>[], o: SgdOpts): [Float32Array, Float32Array] {
  const p = from(p0);
  const buf = o.momentum !== 0 ? from(new Array<number>(p0.length).fill(123)) : null; // ignored on step 1
  grads.forEach((g, s) => k.sgdStep(p, from(g), buf, { ...o, firstStep: s === 0 }));
  return [read(p), buf === null ? new Float32Array(0) : read(buf)];
}

function adam(k: Kernels, p0: ArrayLike<number>, grads: ArrayLike<number>[], o: AdamOpts): [Float32Array, Float32Array, Float32Array] {
  const p = from(p0);
  const m = zeros(p0.length);
  const v = zeros(p0.length);
  grads.forEach((g, s) => k.adamStep(p, from(g), m, v, { ...o, step: s + 1 }));
  return [read(p), read(m), read(v)];
}

/** f64 model of torch/optim/sgd.py. */
function sgd64(p0: ArrayLike<number>, grads: ArrayLike<number>[], o: SgdOpts): number[] {
  const p = Array.from(p0);
  const b = new Array<number>(p.length).fill(0);
  grads.forEach((g, s) => {
    for (let i = 0; i < p.length; i++) {
      let d = g[i] + o.weightDecay * p[i];
      if (o.momentum !== 0) {
        b[i] = s === 0 ? d : o.momentum * b[i] + (1 - o.dampening) * d;
        d = o.nesterov ? d + o.momentum * b[i] : b[i];
      }
      p[i] -= o.lr * d;
    }
  });
  return p;
}

/** f64 model of torch 1.13 _single_tensor_adam / _single_tensor_adamw. */
function adam64(p0: ArrayLike<number>, grads: ArrayLike<number>[], o: AdamOpts): number[] {
  const p = Array.from(p0);
  const m = new Array<number>(p.length).fill(0);
  const v = new Array<number>(p.length).fill(0);
  grads.forEach((g, s) => {
    const step = s + 1;
    const bc1 = 1 - o.beta1 ** step;
    const bc2 = 1 - o.beta2 ** step;
    for (let i = 0; i < p.length; i++) {
      let gi = g[i];
      if (o.decoupled) p[i] *= 1 - o.lr * o.weightDecay;
      else gi += o.weightDecay * p[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * gi;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi;
      p[i] -= (o.lr / bc1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + o.eps);
    }
  });
  return p;
}

const SGD_CASES: SgdOpts[] = [
  { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
  { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 1e-2, nesterov: false },
  { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
  { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-2, nesterov: false },
  { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 1e-3, nesterov: true },
];
const ADAM_CASES: AdamOpts[] = [
  { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
  { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, decoupled: false },
  { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05, decoupled: true },
];

describe('sgd_step / adam_step: fast == reference bit for bit, and the f64 model of PyTorch', () => {
  it.each(SIZES)('n = %i', (n) => {
    const p0 = values(n, n);
    const grads = [1, 2, 3, 4, 5].map((s) => values(n, n * 10 + s, -2, 2));
    for (const o of SGD_CASES) {
      const [pa, ba] = sgd(kernels, p0, grads, o);
      const [pb, bb] = sgd(reference, p0, grads, o);
      expectSameBits(pa, pb, `sgd ${JSON.stringify(o)} param`);
      expectSameBits(ba, bb, `sgd ${JSON.stringify(o)} buf`);
      expectClose(pa, sgd64(p0, grads, o), 0, 2e-6, `sgd ${JSON.stringify(o)} vs f64`);
    }
    for (const o of ADAM_CASES) {
      const [pa, ma, va] = adam(kernels, p0, grads, o);
      const [pb, mb, vb] = adam(reference, p0, grads, o);
      expectSameBits(pa, pb, `adam ${JSON.stringify(o)} param`);
      expectSameBits(ma, mb, `adam ${JSON.stringify(o)} m`);
      expectSameBits(va, vb, `adam ${JSON.stringify(o)} v`);
      expectClose(pa, adam64(p0, grads, o), 0, 1e-6, `adam ${JSON.stringify(o)} vs f64`);
    }
  });
});

describe.each(IMPLEMENTATIONS)('updates worked by hand (%s)', (_name, k) => {
  const none = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false };

  it('plain SGD: p − lr·g, and weight decay', () => {
    expectClose(sgd(k, [1, -2], [[0.5, -1]], { lr: 0.1, ...none })[0], [0.95, -1.9], 1e-7, 0, 'sgd');
    // g = 0, wd 0.1, lr 0.1: p·0.99 per step → 0.9801
    expectClose(sgd(k, [1], [[0], [0]], { lr: 0.1, ...none, weightDecay: 0.1 })[0], [0.9801], 1e-6, 0, 'wd');
  });

  it('momentum 0.9 on a constant gradient: buf 1, 1.9, 2.71', () => {
    const g = [[1], [1], [1]];
    const [p, b] = sgd(k, [0], g, { lr: 0.1, ...none, momentum: 0.9 });
    expectClose(b, [2.71], 1e-6, 0, 'buf');
    expectClose(p, [-0.561], 1e-6, 0, 'p'); // −0.1·(1 + 1.9 + 2.71)
    // nesterov: d = g + 0.9·buf = 1.9, 2.71, 3.439
    expectClose(sgd(k, [0], g, { lr: 0.1, ...none, momentum: 0.9, nesterov: true })[0], [-0.8049], 1e-6, 0, 'nesterov');
    // dampening 0.5: buf = 1, 1.4, 1.76
    const [pd, bd] = sgd(k, [0], g, { lr: 0.1, ...none, momentum: 0.9, dampening: 0.5 });
    expectClose(bd, [1.76], 1e-6, 0, 'dampened buf');
    expectClose(pd, [-0.416], 1e-6, 0, 'dampened p');
  });

  it('Adam: the first step moves by ≈ lr·sign(g); AdamW decays first', () => {
    const o = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false };
    const g = [0.5, -2, 1e-3, -1e-3, 0];
    const [p, m, v] = adam(k, [1, 1, 1, 1, 1], [g], o);
    expectClose(m, g.map((x) => 0.1 * x), 1e-6, 0, 'm = 0.1 g');
    expectClose(v, g.map((x) => 1e-3 * x * x), 1e-6, 0, 'v = 0.001 g²');
    expectClose(p, g.map((x) => 1 - (0.01 * x) / (Math.abs(x) + 1e-8)), 1e-6, 0, 'p');
    // AdamW wd 0.1: 1·(1 − 0.001) − 0.01
    expectClose(adam(k, [1], [[0.5]], { ...o, weightDecay: 0.1, decoupled: true })[0], [0.989], 1e-6, 0, 'adamw');
    // Adam wd 0.1 (L2 into the gradient): m = 0.1·(0.5 + 0.1) = 0.06
    const [pc, mc] = adam(k, [1], [[0.5]], { ...o, weightDecay: 0.1 });
    expectClose(mc, [0.06], 1e-6, 0, 'coupled m');
    expectClose(pc, [0.99], 1e-6, 0, 'coupled p');
    // g = 1 then −1, lr 0.1, eps 0: p = −0.1, then m = −0.01, v = 0.001999, m̂ = −0.01/0.19, v̂ = 1
    const [p2, m2, v2] = adam(k, [0], [[1], [-1]], { ...o, lr: 0.1, eps: 0 });
    expectClose(m2, [-0.01], 1e-5, 0, 'm2');
    expectClose(v2, [0.001999], 1e-6, 0, 'v2');
    expectClose(p2, [-0.1 + 0.1 * (0.01 / 0.19)], 1e-5, 0, 'p2');
  });

  it('momentum 0 needs no buffer (null)', () => {
    const p = from([1, 2, 3]);
    k.sgdStep(p, from([1, 1, 1]), null, { lr: 0.5, ...none, firstStep: true });
    expect(Array.from(read(p))).toEqual([0.5, 1.5, 2.5]);
  });
});
