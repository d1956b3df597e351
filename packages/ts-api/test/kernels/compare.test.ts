// The bool kernels inside the wasm (comparisons, logical ops, int32 arithmetic, all / any, byte and word
// expands): the fast exports against their scalar `*_ref` twins at sizes that exercise every tail and
// every modulo layout, the same bytes.
import { describe, expect, it } from 'vitest';
import { allocStorage, kernels, reference, storageFrom, type CompareOp, type Storage } from '../../src/backend/index.js';
import { SIZES } from '../helpers/kernels.js';
import { seededValues } from '../helpers/values.js';

const live: Storage[] = [];
const keep = (s: Storage): Storage => {
  live.push(s);
  return s;
};
const release = (): void => {
  while (live.length > 0) live.pop()!.dispose();
};

/** Halves in [-2, 2] (so that ties occur), with NaN, ±0 and ±inf mixed in. */
function floats(n: number, seed: number): Float32Array {
  const x = seededValues(n, seed, -2, 2).map((v) => Math.round(v * 2) / 2);
  [NaN, -0, Infinity, -Infinity].forEach((v, k) => {
    if (n > 4 * k) x[4 * k] = v;
  });
  return x;
}

function ints(n: number, seed: number, big = false): Int32Array {
  const v = Int32Array.from(seededValues(n, seed, -3, 3), (x) => Math.round(x));
  if (big) v.forEach((_, i) => { if (i % 5 === 1) v[i] = i % 2 === 0 ? 2147483647 : -2147483648; });
  return v;
}

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from(seededValues(n, seed, 0, 1), (x) => (x < 0.5 ? 1 : 0));

/** (a length, b length) for y of n elements: same, one side of 1, a divisor on either side. */
function layouts(n: number): [number, number][] {
  const out: [number, number][] = [[n, n], [n, 1], [1, n]];
  for (let d = 2; d < n; d++) if (n % d === 0) out.push([n, d], [d, n]);
  return out;
}

const u8 = (n: number): Storage => keep(allocStorage('uint8', n, { zero: true }));

describe('compare, logical, binaryInt: fast vs reference', () => {
  for (const n of [...SIZES, 12]) {
    it(`n = ${n}`, () => {
      try {
        for (const [la, lb] of layouts(n)) {
          for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as CompareOp[]) {
            for (const [a, b] of [[floats(la, n), floats(lb, n + 1)], [ints(la, n), ints(lb, n + 2)]] as const) {
              const [sa, sb] = [keep(storageFrom(a)), keep(storageFrom(b))];
              const [y, r] = [u8(n), u8(n)];
              kernels.compare(op, sa, sb, y);
              reference.compare(op, sa, sb, r);
              expect(y.u8(), `${op} ${a.constructor.name} ${la}/${lb}`).toEqual(r.u8());
            }
          }
          for (const op of ['and', 'or', 'xor'] as const) {
            const [sa, sb] = [keep(storageFrom(bytes(la, n))), keep(storageFrom(bytes(lb, n + 3)))];
            const [y, r] = [u8(n), u8(n)];
            kernels.logical(op, sa, sb, y);
            reference.logical(op, sa, sb, r);
            expect(y.u8(), `${op} ${la}/${lb}`).toEqual(r.u8());
          }
          for (const op of ['add', 'sub', 'mul'] as const) {
            const [sa, sb] = [keep(storageFrom(ints(la, n + 4))), keep(storageFrom(ints(lb, n + 5)))];
            const [y, r] = [keep(allocStorage('int32', n)), keep(allocStorage('int32', n))];
            kernels.binaryInt(op, sa, sb, y);
            reference.binaryInt(op, sa, sb, r);
            expect(y.i32(), `${op} ${la}/${lb}`).toEqual(r.i32());
            const [ba, bb] = [keep(storageFrom(ints(la, n + 6, true))), keep(storageFrom(ints(lb, n + 7, true)))];
            const fail = (k: typeof kernels): string => {
              try {
                k.binaryInt(op, ba, bb, y);
                return 'ok';
              } catch (e) {
                return (e as Error).message.replace('binary_i32_ref', 'binary_i32');
              }
            };
            expect(fail(kernels), `${op} with extremes ${la}/${lb}`).toBe(fail(reference));
          }
        }
      } finally {
        release();
      }
    });
  }
});

describe('allAny and the dtype-generic expand', () => {
  it('allAny: fast vs reference over outer × dim × inner, empty dims included', () => {
    try {
      for (const [outer, dim, inner] of [[1, 17, 1], [3, 5, 1], [2, 7, 3], [4, 0, 2], [1, 1, 9], [5, 33, 4]]) {
        const x = keep(storageFrom(Uint8Array.from(seededValues(outer * dim * inner, dim + inner, 0, 1), (v) => (v < 0.85 ? 1 : 0))));
        for (const op of ['all', 'any'] as const) {
          const [y, r] = [u8(outer * inner), u8(outer * inner)];
          kernels.allAny(op, x, y, outer, dim, inner);
          reference.allAny(op, x, r, outer, dim, inner);
          expect(y.u8(), `${op} ${outer}x${dim}x${inner}`).toEqual(r.u8());
          if (dim === 0) expect(Array.from(y.u8())).toEqual(new Array(outer * inner).fill(op === 'all' ? 1 : 0));
        }
      }
    } finally {
      release();
    }
  });

  it('expand copies int32 words and bytes by strides (a [3, 1] column to [3, 4])', () => {
    try {
      const xi = keep(storageFrom(new Int32Array([-1, 2147483647, 7])));
      const yi = keep(allocStorage('int32', 12));
      kernels.expand(xi, yi, [3, 4], [1, 0]);
      expect(Array.from(yi.i32())).toEqual([-1, -1, -1, -1, 2147483647, 2147483647, 2147483647, 2147483647, 7, 7, 7, 7]);
      const xb = keep(storageFrom(new Uint8Array([1, 0, 1, 1])));
      const yb = u8(8);
      kernels.expand(xb, yb, [2, 4], [0, 1]);
      expect(Array.from(yb.u8())).toEqual([1, 0, 1, 1, 1, 0, 1, 1]);
    } finally {
      release();
    }
  });
});
