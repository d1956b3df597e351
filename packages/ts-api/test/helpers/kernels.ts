// Test helpers for the wasm kernel tests (test/kernels): the sizes that exercise every SIMD tail, both
// implementations, and Storage buffers that are freed after each test.

import { afterEach } from 'vitest';
import { allocStorage, kernels, reference, storageFrom, type Storage } from '../../src/backend/index.js';

/** Sizes across the 4- and 8-wide blocks and their tails, and past 255. */
export const SIZES = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 255, 256, 257];

/** For `describe.each(IMPLEMENTATIONS)('… (%s)', (_name, k) => …)`: the SIMD kernels and the scalar reference. */
export const IMPLEMENTATIONS = [
  ['kernels', kernels],
  ['reference', reference],
] as const;

type Typed = Float32Array | Int32Array | Uint8Array;

/**
 * Storage makers for one test file; every Storage they make is disposed after each test. Call once at the
 * top level of the file (it registers the afterEach hook there).
 */
export function storageScope(): {
  /** A copy of a typed array (same dtype), or of plain numbers as float32. */
  from: (a: Typed | ArrayLike<number>) => Storage;
  /** A copy of the numbers as int32. */
  ints: (a: ArrayLike<number>) => Storage;
  zeros: (n: number, dtype?: 'float32' | 'int32') => Storage;
  /** n float32 elements set to v. */
  filled: (n: number, v: number) => Storage;
} {
  const live: Storage[] = [];
  afterEach(() => {
    while (live.length > 0) live.pop()!.dispose();
  });
  const keep = (s: Storage): Storage => {
    live.push(s);
    return s;
  };
  const typed = (a: Typed | ArrayLike<number>): a is Typed =>
    a instanceof Float32Array || a instanceof Int32Array || a instanceof Uint8Array;
  return {
    from: (a) => keep(storageFrom(typed(a) ? a : Float32Array.from(a))),
    ints: (a) => keep(storageFrom(Int32Array.from(a))),
    zeros: (n, dtype = 'float32') => keep(allocStorage(dtype, n, { zero: true })),
    filled: (n, v) => {
      const s = keep(allocStorage('float32', n));
      s.f32().fill(v);
      return s;
    },
  };
}

/** A float32 Storage's contents, copied out of wasm memory. */
export const read = (s: Storage): Float32Array => s.f32().slice();

/** Plain array with -0 turned into 0 (toEqual tells them apart). */
export const list = (a: Float32Array): number[] => Array.from(a, (v) => v + 0);
