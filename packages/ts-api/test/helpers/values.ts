// Test helpers with no library import: deterministic input values (xorshift32, independent of the library's
// generator) and element-wise comparisons of kernel outputs.

import { expect } from 'vitest';

/**
 * n float32 values in [lo, hi) from the xorshift32 stream whose state starts at `state >>> 0` (1 if that is
 * 0). The value is lo + (top 24 bits / 2^24)·(hi − lo).
 */
export function xorshiftValues(n: number, state: number, lo: number, hi: number): Float32Array {
  let s = state >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return out;
}

/**
 * The kernel tests' inputs: n values in [lo, hi) with the seed spread over the state as
 * seed·2654435761 + offset (so that neighbouring seeds give unrelated streams).
 */
export function seededValues(n: number, seed: number, lo = -1, hi = 1, offset = 12345): Float32Array {
  return xorshiftValues(n, seed * 2654435761 + offset, lo, hi);
}

/** How `closeCheck` judges a pair of elements a (actual) and b (expected). */
export interface CloseRule {
  /** rtol scales |b| ('expected') or max(|a|, |b|) ('larger'). */
  relativeTo: 'expected' | 'larger';
  /** Two NaNs match (default true; if false a NaN always fails). */
  nanMatchesNan?: boolean;
  /** a === b matches without the tolerance test, which is what lets equal infinities pass (default true). */
  equalMatches?: boolean;
}

/**
 * An `expectClose(a, b, rtol, atol, what)` that checks the lengths, then throws at the first element with
 * !(|a − b| ≤ atol + rtol·scale), scale as `rule.relativeTo` says.
 */
export function closeCheck(rule: CloseRule): (a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, atol: number, what: string) => void {
  const larger = rule.relativeTo === 'larger';
  const nanMatchesNan = rule.nanMatchesNan ?? true;
  const equalMatches = rule.equalMatches ?? true;
  return (a, b, rtol, atol, what) => {
    expect(a.length, what).toBe(b.length);
    for (let i = 0; i < a.length; i++) {
      if (nanMatchesNan && Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
      if (equalMatches && a[i] === b[i]) continue;
      const tol = atol + rtol * (larger ? Math.max(Math.abs(a[i]), Math.abs(b[i])) : Math.abs(b[i]));
      if (!(Math.abs(a[i] - b[i]) <= tol)) {
        throw new Error(`${what}: element ${i} is ${a[i]}, expected ${b[i]} (tolerance ${tol})`);
      }
    }
  };
}

/** Bitwise equality of two float32 arrays; with `anyNaN`, any NaN equals any NaN whatever its bits. */
export function expectSameBits(a: Float32Array, b: Float32Array, what: string, opts: { anyNaN?: boolean } = {}): void {
  expect(a.length, what).toBe(b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i] && !(opts.anyNaN === true && Number.isNaN(a[i]) && Number.isNaN(b[i]))) {
      throw new Error(`${what}: element ${i} is ${a[i]} (fast) vs ${b[i]} (reference)`);
    }
  }
}
