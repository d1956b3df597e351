// The worker's sampleGumbelSoftmax: hard samples' class frequencies against softmax(logits) worked by hand,
// soft samples at a high temperature, seeded reproducibility, the random state left as it was (a run's
// bits do not change when sampling happens between configure and fit), and its errors, in-thread and
// through a real worker.

import { afterAll, describe, expect, it } from 'vitest';
import { getRngState } from '../../src/index.js';
import { createTrainer, type TrainerData } from '../../src/worker/index.js';
import { TrainerCore } from '../../src/worker/trainer.js';

/** softmax([1, 2, 3]) = e^k / (e + e² + e³). */
const P123 = [0.09003057, 0.24472847, 0.66524096];

/** A deterministic byte stream (an LCG). */
function bytes(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
}

const smallData = (): TrainerData => ({
  trainImages: bytes(48 * 784, 1), trainLabels: bytes(48, 2).map((b) => b % 10),
  testImages: bytes(16 * 784, 3), testLabels: bytes(16, 4).map((b) => b % 10),
});

const cores: TrainerCore[] = [];
function core(): TrainerCore {
  const c = new TrainerCore();
  cores.push(c);
  return c;
}
afterAll(() => {
  for (const c of cores) c.dispose();
});

describe('sampleGumbelSoftmax (in-thread)', () => {
  it('hard samples: one-hot frequencies within 5 standard errors of softmax(logits)', () => {
    const count = 20_000;
    const r = core().sampleGumbelSoftmax([1, 2, 3], { count, tau: 0.5, seed: 11 });
    expect(r).toMatchObject({ count, tau: 0.5, hard: true });
    for (let j = 0; j < 3; j++) expect(r.probabilities[j]).toBeCloseTo(P123[j], 6);
    // Each frequency is a whole number of samples out of `count`; they add up to 1.
    for (const f of r.mean) expect(Math.abs(f * count - Math.round(f * count))).toBeLessThan(1e-2);
    expect(r.mean.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // The argmax of logits + Gumbel noise is distributed as softmax(logits), whatever tau.
    P123.forEach((p, j) => expect(Math.abs(r.mean[j] - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / count)));
  });

  it('soft samples at tau = 100 average close to uniform (softmax of nearly equal numbers)', () => {
    const r = core().sampleGumbelSoftmax([1, 2, 3], { count: 2000, tau: 100, hard: false, seed: 3 });
    expect(r.hard).toBe(false);
    expect(r.mean.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    for (const m of r.mean) expect(Math.abs(m - 1 / 3)).toBeLessThan(0.01);
    // Not one-hot: every soft sample is strictly inside (0, 1).
    for (const m of r.mean) expect(m).toBeGreaterThan(0.3);
  });

  it('is reproducible with a seed and leaves the random state as it was', () => {
    const c = core();
    const before = getRngState();
    const a = c.sampleGumbelSoftmax([0.5, -1, 2, 0], { count: 500, seed: 42 });
    expect(getRngState()).toEqual(before);
    const b = c.sampleGumbelSoftmax([0.5, -1, 2, 0], { count: 500, seed: 42 });
    expect(b.mean).toEqual(a.mean);
    c.sampleGumbelSoftmax([0.5, -1, 2, 0], { count: 500 });
    expect(getRngState()).toEqual(before);
  });

  it('sampling between configure and fit does not change the run (MLP with dropout, which draws from the generator)', async () => {
    const config = { model: 'mlp', hidden: 16, dropout: 0.5, lr: 0.1, batchSize: 16, epochs: 1, seed: 4 } as const;
    const plain = core();
    plain.setData(smallData());
    plain.configure(config);
    await plain.fit();
    const sampled = core();
    sampled.setData(smallData());
    sampled.configure(config);
    sampled.sampleGumbelSoftmax([1, 2, 3], { count: 100 });
    await sampled.fit();
    expect(sampled.parameters()).toEqual(plain.parameters());
  });

  it('refuses bad logits and options with messages naming them', () => {
    const c = core();
    expect(() => c.sampleGumbelSoftmax([], {})).toThrow('sampleGumbelSoftmax: expected the logits as an array of 1 to 1000 finite numbers, got 0 numbers');
    expect(() => c.sampleGumbelSoftmax([1, Number.NaN])).toThrow('sampleGumbelSoftmax: logits[1] must be a finite number, got NaN');
    expect(() => c.sampleGumbelSoftmax([1, 2], { tau: 0 })).toThrow('sampleGumbelSoftmax: tau must be a finite number > 0, got 0');
    expect(() => c.sampleGumbelSoftmax([1, 2], { count: 1.5 })).toThrow('sampleGumbelSoftmax: count must be an integer from 1 to 100000, got 1.5');
    expect(() => c.sampleGumbelSoftmax([1, 2], { hard: 1 as unknown as boolean })).toThrow('sampleGumbelSoftmax: hard must be true or false, got 1');
    expect(() => c.sampleGumbelSoftmax([1, 2], { temperature: 1 } as never)).toThrow("sampleGumbelSoftmax: unknown option 'temperature'; expected tau, count, hard or seed");
  });
});

describe('sampleGumbelSoftmax (through the worker)', () => {
  it('returns the frequencies without data or a model, and rejects with the worker\'s message', async () => {
    const t = await createTrainer();
    try {
      const r = await t.sampleGumbelSoftmax([1, 2, 3], { count: 1000, seed: 1 });
      expect(r.probabilities).toBeInstanceOf(Float32Array);
      for (let j = 0; j < 3; j++) expect(r.probabilities[j]).toBeCloseTo(P123[j], 6);
      P123.forEach((p, j) => expect(Math.abs(r.mean[j] - p)).toBeLessThan(0.06));
      await expect(t.sampleGumbelSoftmax([1, 2], { tau: -1 })).rejects.toThrow('sampleGumbelSoftmax: tau must be a finite number > 0, got -1');
    } finally {
      await t.terminate();
    }
  });
});
