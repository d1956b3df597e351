// Test helpers: finite-difference gradient checks and element-wise comparison with a readable failure.

import { expect } from 'vitest';
import { noGrad, tensor, type Tensor } from '../../src/index.js';
import { xorshiftValues } from './values.js';

/** Deterministic pseudo-random values in [lo, hi) for test inputs (independent of the library's RNG). */
export function values(n: number, seed = 1, lo = -1, hi = 1): Float32Array {
  return xorshiftValues(n, seed, lo, hi);
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what = 'value'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new Error(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (diff ${Math.abs(actual[worst] - expected[worst])}, rtol ${rtol}, atol ${atol})`);
  }
}

/**
 * Checks the gradients that backward() gives for L = Σ f(inputs)·w (w fixed random weights) against
 * central finite differences of the same function evaluated in float32 by the library. Every input
 * must receive a gradient (pass only the inputs the check is about).
 */
export function gradcheck(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: { data: Float32Array; shape: number[] }[],
  opts: { h?: number; rtol?: number; atol?: number } = {},
): void {
  const h = opts.h ?? 1e-2;
  const rtol = opts.rtol ?? 2e-2;
  const atol = opts.atol ?? 2e-3;
  const leaves = inputs.map((i) => tensor(i.data, { shape: i.shape, requiresGrad: true }));
  const out = f(...leaves);
  const w = tensor(values(out.numel(), 99), { shape: [...out.shape] });
  out.mul(w).sum().backward();
  const lossAt = (k: number, j: number, delta: number): number =>
    noGrad(() => {
      const data = inputs.map((i) => i.data.slice());
      data[k][j] += delta;
      const ts = data.map((d, i) => tensor(d, { shape: inputs[i].shape }));
      const y = f(...ts);
      const wy = new Float64Array(y.numel());
      const yv = y.toArray();
      const wv = w.toArray();
      let s = 0;
      for (let i = 0; i < wy.length; i++) s += yv[i] * wv[i];
      return s;
    });
  inputs.forEach((input, k) => {
    // A missing gradient is a failure, never zeros: zeros would pass wherever the true gradient is 0.
    const grad = leaves[k].grad;
    if (grad === null) {
      throw new Error(`gradcheck: backward() gave no gradient (null) for input ${k} of shape [${input.shape.join(', ')}]; every input passed must get one`);
    }
    const analytic = grad.toArray();
    const numeric = new Float64Array(input.data.length);
    for (let j = 0; j < input.data.length; j++) {
      numeric[j] = (lossAt(k, j, h) - lossAt(k, j, -h)) / (2 * h);
    }
    expectClose(analytic, numeric, rtol, atol, `gradient of input ${k}`);
  });
}
