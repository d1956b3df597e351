// Gumbel-softmax samples of a small logits vector, next to softmax(logits): the argmax of logits + Gumbel
// noise is distributed as softmax(logits), so the hard samples' class frequencies converge to it.
// The core's random state is put back afterwards, so that sampling never changes a training run's bits.

import { getRngState, manualSeed, mean, nn, setRngState, softmax, tensor, tidy } from '../index.js';
import { checkBooleanOption, checkOptions, describeValue, showValue } from './describe.js';
import type { GumbelSamples, GumbelSampleOptions } from './types.js';

const WHERE = 'sampleGumbelSoftmax';
export const MAX_GUMBEL_CLASSES = 1000;
export const MAX_GUMBEL_SAMPLES = 100_000;

function checkLogits(logits: unknown): Float32Array {
  const isList = Array.isArray(logits) || logits instanceof Float32Array;
  const n = isList ? (logits as ArrayLike<unknown>).length : 0;
  if (!isList || n < 1 || n > MAX_GUMBEL_CLASSES) {
    const got = isList ? `${n} numbers` : describeValue(logits);
    throw new Error(`${WHERE}: expected the logits as an array of 1 to ${MAX_GUMBEL_CLASSES} finite numbers, got ${got}`);
  }
  const list = logits as ArrayLike<unknown>;
  for (let i = 0; i < n; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${WHERE}: logits[${i}] must be a finite number, got ${showValue(v)}`);
  }
  return Float32Array.from(list as ArrayLike<number>);
}

interface CheckedOptions {
  tau: number;
  count: number;
  hard: boolean;
  seed: number | undefined;
}

function checkSampleOptions(options: unknown): CheckedOptions {
  checkOptions(WHERE, options, '{ tau: 1, count: 1000, hard: true }');
  const o = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['tau', 'count', 'hard', 'seed'].includes(key)) throw new Error(`${WHERE}: unknown option '${key}'; expected tau, count, hard or seed`);
  }
  const { tau = 1, count = 1000, hard = true, seed } = o;
  if (typeof tau !== 'number' || !Number.isFinite(tau) || !(tau > 0)) throw new Error(`${WHERE}: tau must be a finite number > 0, got ${showValue(tau)}`);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_GUMBEL_SAMPLES) {
    throw new Error(`${WHERE}: count must be an integer from 1 to ${MAX_GUMBEL_SAMPLES}, got ${showValue(count)}`);
  }
  checkBooleanOption(WHERE, 'hard', hard);
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)) {
    throw new Error(`${WHERE}: seed must be a non-negative integer, got ${showValue(seed)}`);
  }
  return { tau, count, hard: hard as boolean, seed: seed as number | undefined };
}

/**
 * Draws `count` samples of nn.functional.gumbelSoftmax(logits, { tau, hard }) and returns their mean
 * (with `hard`, each class's frequency) and softmax(logits).
 */
export function sampleGumbelSoftmax(logits: unknown, options: unknown = {}): GumbelSamples {
  const values = checkLogits(logits);
  const { tau, count, hard, seed } = checkSampleOptions(options);
  const k = values.length;
  const saved = getRngState();
  try {
    if (seed !== undefined) manualSeed(seed);
    return tidy(() => {
      const rows = new Float32Array(count * k);
      for (let i = 0; i < count; i++) rows.set(values, i * k);
      const samples = nn.functional.gumbelSoftmax(tensor(rows, { shape: [count, k] }), { tau, hard, dim: 1 });
      return {
        probabilities: softmax(tensor(values), 0).toArray() as Float32Array,
        mean: mean(samples, 0).toArray() as Float32Array,
        count, tau, hard,
      };
    });
  } finally {
    setRngState(saved);
  }
}
