// The core's generator inside the wasm: determinism, state save/restore, pinned first values (verified
// against an independent xoshiro128** written here from the reference C code), and the samplers' statistics.
import { describe, expect, it } from 'vitest';
import { KernelError, rng, type Storage } from '../../src/backend/index.js';
import { storageScope } from '../helpers/kernels.js';

const { from, zeros } = storageScope();
const f32 = (n: number): Storage => zeros(n);
const i32 = (n: number): Storage => zeros(n, 'int32');

/** splitmix64 + xoshiro128** transcribed from prng.di.unimi.it, with BigInt / Math.imul. */
class Xoshiro128ss {
  s = new Uint32Array(4);
  constructor(seed: bigint) {
    let x = BigInt.asUintN(64, seed);
    const next = (): bigint => {
      x = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
      let z = x;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      return z ^ (z >> 31n);
    };
    const a = next();
    const b = next();
    this.s.set([Number(a & 0xffffffffn), Number(a >> 32n), Number(b & 0xffffffffn), Number(b >> 32n)]);
  }
  nextU32(): number {
    const s = this.s;
    const rotl = (v: number, k: number): number => ((v << k) | (v >>> (32 - k))) >>> 0;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }
  nextF32(): number {
    return (this.nextU32() >>> 8) / 2 ** 24;
  }
}

const uniform = (n: number, low = 0, high = 1): Float32Array => {
  const y = f32(n);
  rng.uniform(y, low, high);
  return y.f32().slice();
};

describe('generator', () => {
  it('same seed ⇒ same values; different seeds differ', () => {
    rng.seed(1234);
    const a = uniform(1000);
    rng.seed(1234);
    const b = uniform(1000);
    rng.seed(1235);
    const c = uniform(1000);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    rng.seed(1234n);
    expect(Array.from(uniform(1000))).toEqual(Array.from(a));
  });

  it('matches an independent xoshiro128** + splitmix64 (pinned first values)', () => {
    for (const seed of [0n, 1n, 42n, 0xdeadbeefcafebaben, 2n ** 64n - 1n]) {
      rng.seed(seed);
      const ref = new Xoshiro128ss(seed);
      expect(Array.from(rng.getState())).toEqual(Array.from(ref.s));
      const got = uniform(257);
      const want = Float32Array.from({ length: 257 }, () => ref.nextF32());
      expect(Array.from(got)).toEqual(Array.from(want));
      expect(Array.from(rng.getState())).toEqual(Array.from(ref.s));
    }
    rng.seed(0);
    expect(Array.from(rng.getState())).toEqual([0x7b1dcdaf, 0xe220a839, 0xa1b965f4, 0x6e789e6a]);
    expect(Array.from(uniform(4, -1, 1))).toEqual(Array.from(new Float32Array([0.7405095, 0.20338786, 0.33959424, 0.5303159])));
    rng.seed(42);
    expect(Array.from(uniform(3))).toEqual(Array.from(new Float32Array([0.41370165, 0.96978724, 0.0039839745])));
    // negative seeds wrap modulo 2^64 like torch.manual_seed
    rng.seed(-1);
    const m1 = uniform(5);
    rng.seed(2n ** 64n - 1n);
    expect(Array.from(uniform(5))).toEqual(Array.from(m1));
  });

  it('getState / setState resume the stream exactly', () => {
    rng.seed(7);
    uniform(13);
    const state = rng.getState();
    const next = uniform(100);
    const nextN = f32(11);
    rng.normal(nextN, 0, 1);
    rng.seed(99);
    uniform(5);
    rng.setState(state);
    expect(Array.from(uniform(100))).toEqual(Array.from(next));
    const againN = f32(11);
    rng.normal(againN, 0, 1);
    expect(Array.from(againN.f32())).toEqual(Array.from(nextN.f32()));
    expect(() => rng.setState(new Uint32Array(4))).toThrow(KernelError);
    expect(() => rng.setState(new Uint32Array(3))).toThrow(/4 words/);
  });
});

describe('samplers', () => {
  it('uniform: range, mean and variance over 1e6 draws', () => {
    rng.seed(1);
    const y = uniform(1_000_000, -1, 3);
    let mean = 0;
    for (const v of y) mean += v;
    mean /= y.length;
    let v2 = 0;
    let inRange = true;
    for (const v of y) {
      v2 += (v - mean) ** 2;
      if (!(v >= -1 && v < 3)) inRange = false;
    }
    expect(inRange).toBe(true);
    expect(Math.abs(mean - 1)).toBeLessThan(5 * 1.155e-3);
    expect(Math.abs(v2 / y.length - 16 / 12)).toBeLessThan(0.01);
  });

  it('normal: Box–Muller values pinned, mean and std over 1e6 draws', () => {
    rng.seed(0);
    const y5 = f32(5);
    rng.normal(y5, 0, 1);
    const want = [-1.6222726, -1.2052372, 0.14156553, -1.4819093, -0.684133];
    y5.f32().forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    // by hand from the independent generator: u1 = 1 − f, u2 = f', r = √(−2 ln u1)
    const ref = new Xoshiro128ss(0n);
    const u1 = 1 - ref.nextF32();
    const u2 = ref.nextF32();
    expect(y5.f32()[0]).toBeCloseTo(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2), 6);

    rng.seed(2);
    const n = 1_000_001;
    const s = f32(n);
    rng.normal(s, 0.5, 2);
    const y = s.f32();
    let mean = 0;
    for (const v of y) mean += v;
    mean /= n;
    let v2 = 0;
    let finite = true;
    for (const v of y) {
      v2 += (v - mean) ** 2;
      if (!Number.isFinite(v)) finite = false;
    }
    expect(finite).toBe(true);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * 2e-3);
    expect(Math.abs(Math.sqrt(v2 / n) - 2)).toBeLessThan(0.01);
  });

  it('permutation is a permutation, pinned for seed 0', () => {
    rng.seed(0);
    const p10 = i32(10);
    rng.permutation(p10);
    expect(Array.from(p10.i32())).toEqual([0, 6, 4, 3, 1, 2, 7, 9, 5, 8]);
    for (const n of [0, 1, 2, 3, 17, 256, 60_000]) {
      const p = i32(n);
      rng.permutation(p);
      const sorted = Array.from(p.i32()).sort((a, b) => a - b);
      expect(sorted).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('dropout: kept fraction ≈ 1 − p, kept values scaled by 1/(1 − p), draws in element order', () => {
    const n = 100_000;
    const x = Float32Array.from({ length: n }, (_, i) => (i % 13) - 6);
    for (const p of [0.1, 0.5, 0.9]) {
      rng.seed(9);
      const mask = f32(n);
      const y = f32(n);
      rng.dropout(from(x), mask, y, p);
      const m = mask.f32().slice();
      const yy = y.f32().slice();
      const keep = Math.fround(1 / Math.fround(1 - Math.fround(p)));
      let dropped = 0;
      for (let i = 0; i < n; i++) {
        if (m[i] === 0) dropped++;
        else if (m[i] !== keep) throw new Error(`mask[${i}] = ${m[i]}, expected 0 or ${keep}`);
        if (yy[i] !== Math.fround(x[i] * m[i])) throw new Error(`y[${i}] = ${yy[i]}, x·mask = ${x[i] * m[i]}`);
      }
      const sd = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(dropped / n - p)).toBeLessThan(5 * sd);
      const ref = new Xoshiro128ss(9n);
      for (let i = 0; i < 1000; i++) {
        if ((m[i] === 0) !== ref.nextF32() < Math.fround(p)) throw new Error(`mask[${i}] does not follow the generator's draw ${i}`);
      }
    }
    // p = 0: identity, no draws
    rng.seed(4);
    const before = rng.getState();
    const mask = f32(5);
    const y = f32(5);
    rng.dropout(from(x.subarray(0, 5)), mask, y, 0);
    expect(Array.from(mask.f32())).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(y.f32())).toEqual(Array.from(x.subarray(0, 5)));
    expect(Array.from(rng.getState())).toEqual(Array.from(before));
    expect(() => rng.dropout(from(x.subarray(0, 5)), mask, y, 1)).toThrow(/p must be in \[0, 1\)/);
  });

  it('dropout at every size: mask = the independent generator\'s draws in element order, state advanced by n', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 63, 64, 65, 255, 256, 257]) {
      for (const p of [0.25, 0.5, 1e-7, 0.9999]) {
        rng.seed(n);
        const x = Float32Array.from({ length: n }, (_, i) => i - n / 2);
        const mask = f32(n);
        const y = f32(n);
        rng.dropout(from(x), mask, y, p);
        const ref = new Xoshiro128ss(BigInt(n));
        const keep = Math.fround(1 / Math.fround(1 - Math.fround(p)));
        const want = Float32Array.from({ length: n }, () => (ref.nextF32() >= Math.fround(p) ? keep : 0));
        expect(Array.from(mask.f32()), `mask n=${n} p=${p}`).toEqual(Array.from(want));
        expect(Array.from(y.f32())).toEqual(Array.from(x, (v, i) => Math.fround(v * want[i])));
        expect(Array.from(rng.getState())).toEqual(Array.from(ref.s));
      }
    }
  });

  it('odd sizes give the same prefix as even ones (pairs are drawn whole)', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 255, 256, 257]) {
      rng.seed(n);
      const a = f32(n);
      rng.normal(a, 1, 3);
      rng.seed(n);
      const b = f32(n + 1);
      rng.normal(b, 1, 3);
      expect(Array.from(a.f32())).toEqual(Array.from(b.f32().subarray(0, n)));
    }
  });
});
