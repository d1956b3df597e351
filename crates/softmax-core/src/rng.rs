//! The one random generator of softmax-nn: xoshiro128** (Blackman & Vigna) seeded from a u64 through
//! splitmix64, and the samplers built on it (uniform, normal, permutation, dropout).
//!
//! The u32 stream is integer arithmetic only, so it is the same on every platform. Floats:
//! * `next_f32` = (next_u32 >> 8) · 2⁻²⁴ ∈ [0, 1), exact.
//! * `uniform` = u · (high − low) + low in f32 (PyTorch's formula).
//! * `normal` = Box–Muller on pairs, computed in f64 and rounded once to f32. `ln`, `sin`, `cos` come
//!   from Rust's libm port inside the wasm (identical in every engine); natively they come from the
//!   system libm, which is correctly rounded in practice — a 1-ulp f64 difference changes the f32
//!   result with probability ≈ 2⁻²⁸.
//! * `permutation` = Fisher–Yates with unbiased bounded integers (Lemire's multiply-and-reject).
//! * `dropout` draws exactly one `next_f32` per element, in element order (none when p == 0).

use crate::simd::{F32x4, U32x4};

/// xoshiro128** state. All-zero is the one invalid state (the generator would output zeros forever).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    s: [u32; 4],
}

/// One step of splitmix64 (Vigna's reference `next()`): advances `x` and returns the mixed output.
#[inline]
pub fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// State from two splitmix64 outputs: s = [lo(a), hi(a), lo(b), hi(b)].
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let a = splitmix64(&mut x);
        let b = splitmix64(&mut x);
        let s = [a as u32, (a >> 32) as u32, b as u32, (b >> 32) as u32];
        // splitmix64 is a bijection of its counter, so two consecutive outputs are never both zero.
        debug_assert!(s != [0; 4]);
        Rng { s }
    }

    /// The next 32 bits of xoshiro128**.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(11);
        result
    }

    /// Uniform in [0, 1) with 24 random bits (every value a multiple of 2⁻²⁴).
    #[inline]
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
    }

    /// Uniform integer in [0, bound) (bound > 0), unbiased (Lemire 2019).
    #[inline]
    pub fn below(&mut self, bound: u32) -> u32 {
        debug_assert!(bound > 0);
        let mut m = self.next_u32() as u64 * bound as u64;
        let mut low = m as u32;
        if low < bound {
            let threshold = bound.wrapping_neg() % bound;
            while low < threshold {
                m = self.next_u32() as u64 * bound as u64;
                low = m as u32;
            }
        }
        (m >> 32) as u32
    }

    pub fn state(&self) -> [u32; 4] {
        self.s
    }

    /// Restores a state from `state()`. The all-zero state (never produced by `new` or `state`) is
    /// replaced by `Rng::new(0)`'s state, so the generator can never get stuck at zero.
    pub fn set_state(&mut self, state: [u32; 4]) {
        if state == [0; 4] {
            *self = Rng::new(0);
        } else {
            self.s = state;
        }
    }
}

impl Default for Rng {
    fn default() -> Rng {
        Rng::new(0)
    }
}

/// y[i] = u·(high − low) + low, u = next_f32() ∈ [0, 1).
pub fn uniform(rng: &mut Rng, y: &mut [f32], low: f32, high: f32) {
    let range = high - low;
    for v in y.iter_mut() {
        *v = rng.next_f32() * range + low;
    }
}

/// y ~ N(mean, std²) by Box–Muller: per pair, u1 = 1 − next_f32() ∈ (0, 1], u2 = next_f32(),
/// r = √(−2 ln u1), y[2k] = mean + std·r·cos(2πu2), y[2k+1] = mean + std·r·sin(2πu2). An odd last
/// element uses the cosine and still consumes both draws.
pub fn normal(rng: &mut Rng, y: &mut [f32], mean: f32, std: f32) {
    let (mean, std) = (mean as f64, std as f64);
    for pair in y.chunks_mut(2) {
        let u1 = 1.0 - rng.next_f32() as f64;
        let u2 = rng.next_f32() as f64;
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (2.0 * core::f64::consts::PI * u2).sin_cos();
        pair[0] = (mean + std * (r * c)) as f32;
        if pair.len() > 1 {
            pair[1] = (mean + std * (r * s)) as f32;
        }
    }
}

/// y = a uniformly random permutation of 0..n (Fisher–Yates from the top: for i = n−1 … 1 swap y[i] with
/// y[below(i + 1)]). n must fit in i32.
pub fn permutation(rng: &mut Rng, y: &mut [i32]) {
    debug_assert!(y.len() <= i32::MAX as usize + 1);
    for (i, v) in y.iter_mut().enumerate() {
        *v = i as i32;
    }
    let mut i = y.len();
    while i > 1 {
        i -= 1;
        let j = rng.below(i as u32 + 1) as usize;
        y.swap(i, j);
    }
}

/// y = low + below(span): uniform integers in [low, low + span) (the caller keeps them inside i32).
pub fn randint(rng: &mut Rng, y: &mut [i32], low: f64, span: u32) {
    let low = low as i64;
    for v in y.iter_mut() {
        *v = (low + rng.below(span) as i64) as i32;
    }
}

/// Inverted dropout: mask_i = 1/(1−p) with probability 1−p (next_f32() ≥ p) else 0; y = x·mask.
/// p == 0 → mask of ones, y = x, no draws. p ≥ 1 → zeros, no draws (the ABI only allows p ∈ [0, 1)).
///
/// The SIMD path draws 64 u32 at a time into a buffer (the same draws, in element order) and builds the
/// mask with an integer compare: next_f32() ≥ p ⇔ (u >> 8) ≥ ⌈p·2²⁴⌉, exact because both sides are
/// scaled by a power of two. No per-element branch or float select (V8 lowers those to branches).
pub fn dropout(rng: &mut Rng, x: &[f32], mask: &mut [f32], y: &mut [f32], p: f32) {
    debug_assert!(x.len() == mask.len() && y.len() == mask.len());
    if p > 0.0 && p < 1.0 {
        dropout_simd(rng, x, mask, y, p);
        return;
    }
    dropout_ref(rng, x, mask, y, p);
}

fn dropout_simd(rng: &mut Rng, x: &[f32], mask: &mut [f32], y: &mut [f32], p: f32) {
    const CHUNK: usize = 64;
    let n = x.len().min(mask.len()).min(y.len());
    let keep = 1.0 / (1.0 - p);
    let threshold = (p * 16_777_216.0).ceil() as u32; // ≤ 2^24 since p < 1
    let keep_v = F32x4::splat(keep);
    let thr_v = U32x4::splat(threshold);
    let mut local = rng.clone();
    let mut draws = [0u32; CHUNK];
    let mut i = 0;
    while i < n {
        let len = CHUNK.min(n - i);
        for d in draws[..len].iter_mut() {
            *d = local.next_u32();
        }
        let mut j = 0;
        // SAFETY: i + j + 4 ≤ i + len ≤ n ≤ every slice's length; j + 4 ≤ len ≤ CHUNK.
        unsafe {
            while j + 4 <= len {
                let u = U32x4::load_ptr(draws.as_ptr().add(j));
                let kept = u.shr::<8>().ge(thr_v);
                let m = keep_v.and(kept);
                let xv = F32x4::load_ptr(x.as_ptr().add(i + j));
                m.store_ptr(mask.as_mut_ptr().add(i + j));
                xv.mul(m).store_ptr(y.as_mut_ptr().add(i + j));
                j += 4;
            }
        }
        while j < len {
            let m = if draws[j] >> 8 >= threshold {
                keep
            } else {
                0.0
            };
            mask[i + j] = m;
            y[i + j] = x[i + j] * m;
            j += 1;
        }
        i += len;
    }
    *rng = local;
}

/// Scalar reference of `dropout`: the same draws and the same products, one element at a time.
pub fn dropout_ref(rng: &mut Rng, x: &[f32], mask: &mut [f32], y: &mut [f32], p: f32) {
    debug_assert!(x.len() == mask.len() && y.len() == mask.len());
    if p <= 0.0 || p >= 1.0 {
        let m = if p <= 0.0 { 1.0 } else { 0.0 };
        for i in 0..mask.len() {
            mask[i] = m;
            y[i] = x[i] * m;
        }
        return;
    }
    let keep = 1.0 / (1.0 - p);
    for i in 0..mask.len() {
        mask[i] = if rng.next_f32() >= p { keep } else { 0.0 };
        y[i] = x[i] * mask[i];
    }
}

// ---------------------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// An independent transcription of the reference C code (prng.di.unimi.it: splitmix64.c and
    /// xoshiro128starstar.c), written with plain u64 masking instead of wrapping ops / rotate_left.
    struct Paper {
        s: [u64; 4], // each holds a u32
        x: u64,
    }
    const M32: u64 = 0xffff_ffff;
    fn rotl(x: u64, k: u32) -> u64 {
        ((x << k) | (x >> (32 - k))) & M32
    }
    impl Paper {
        fn sm_next(&mut self) -> u64 {
            self.x = ((self.x as u128 + 0x9e3779b97f4a7c15u128) & u64::MAX as u128) as u64;
            let mut z = self.x as u128;
            let m = u64::MAX as u128;
            z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u128) & m;
            z = ((z ^ (z >> 27)) * 0x94d049bb133111ebu128) & m;
            (z ^ (z >> 31)) as u64
        }
        fn new(seed: u64) -> Paper {
            let mut p = Paper { s: [0; 4], x: seed };
            let a = p.sm_next();
            let b = p.sm_next();
            p.s = [a & M32, a >> 32, b & M32, b >> 32];
            p
        }
        fn next(&mut self) -> u32 {
            let s = &mut self.s;
            let result = (rotl((s[1] * 5) & M32, 7) * 9) & M32;
            let t = (s[1] << 9) & M32;
            s[2] ^= s[0];
            s[3] ^= s[1];
            s[1] ^= s[2];
            s[0] ^= s[3];
            s[2] ^= t;
            s[3] = rotl(s[3], 11);
            result as u32
        }
    }

    #[test]
    fn splitmix64_known_values() {
        // First outputs of splitmix64 seeded with 0 (widely published test vector).
        let mut x = 0u64;
        assert_eq!(splitmix64(&mut x), 0xe220_a839_7b1d_cdaf);
        assert_eq!(splitmix64(&mut x), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(splitmix64(&mut x), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn matches_an_independent_implementation() {
        for &seed in [0u64, 1, 42, 0xdead_beef_cafe_babe, u64::MAX].iter() {
            let mut a = Rng::new(seed);
            let mut b = Paper::new(seed);
            for _ in 0..10_000 {
                assert_eq!(a.next_u32(), b.next());
            }
        }
    }

    #[test]
    fn pinned_first_values() {
        // Verified against `Paper` above (an independent transcription of the reference code).
        let mut r = Rng::new(0);
        assert_eq!(
            r.state(),
            [0x7b1d_cdaf, 0xe220_a839, 0xa1b9_65f4, 0x6e78_9e6a]
        );
        let got: Vec<u32> = (0..4).map(|_| r.next_u32()).collect();
        let mut p = Paper::new(0);
        let want: Vec<u32> = (0..4).map(|_| p.next()).collect();
        assert_eq!(got, want);
        assert_eq!(got, PINNED_SEED0.to_vec());
        let mut r = Rng::new(42);
        let f: Vec<f32> = (0..3).map(|_| r.next_f32()).collect();
        let mut p = Paper::new(42);
        let want: Vec<f32> = (0..3)
            .map(|_| (p.next() >> 8) as f32 / 16_777_216.0)
            .collect();
        assert_eq!(f, want);
        assert_eq!(f, [0.413_701_65, 0.969_787_24, 0.003_983_974_5]);
        // Box–Muller by hand for the first pair of seed 0: u1 = 1 − (3737715805 >> 8)/2²⁴ ≈ 0.129 743,
        // u2 = (2584255861 >> 8)/2²⁴ ≈ 0.601 69: r = √(−2 ln u1) ≈ 2.0211, z = r·(cos, sin)(2πu2).
        let mut r = Rng::new(0);
        let mut y = [0.0f32; 5];
        normal(&mut r, &mut y, 0.0, 1.0);
        let u1 = 1.0 - (PINNED_SEED0[0] >> 8) as f64 / 16_777_216.0;
        let u2 = (PINNED_SEED0[1] >> 8) as f64 / 16_777_216.0;
        let rr = (-2.0 * u1.ln()).sqrt();
        assert!((y[0] as f64 - rr * (2.0 * core::f64::consts::PI * u2).cos()).abs() < 1e-6);
        assert!((y[1] as f64 - rr * (2.0 * core::f64::consts::PI * u2).sin()).abs() < 1e-6);
        assert_eq!(
            y,
            [
                -1.622_272_6,
                -1.205_237_2,
                0.141_565_53,
                -1.481_909_3,
                -0.684_133
            ]
        );
        let mut r = Rng::new(0);
        let mut u = [0.0f32; 4];
        uniform(&mut r, &mut u, -1.0, 1.0);
        assert_eq!(u, [0.740_509_5, 0.203_387_86, 0.339_594_24, 0.530_315_9]);
        let mut r = Rng::new(0);
        let mut p = [0i32; 10];
        permutation(&mut r, &mut p);
        assert_eq!(p, [0, 6, 4, 3, 1, 2, 7, 9, 5, 8]);
    }

    const PINNED_SEED0: [u32; 4] = [3_737_715_805, 2_584_255_861, 2_876_756_834, 3_286_328_325];

    #[test]
    fn same_seed_same_stream_and_state_roundtrip() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let mut c = Rng::new(8);
        let va: Vec<u32> = (0..100).map(|_| a.next_u32()).collect();
        let vb: Vec<u32> = (0..100).map(|_| b.next_u32()).collect();
        let vc: Vec<u32> = (0..100).map(|_| c.next_u32()).collect();
        assert_eq!(va, vb);
        assert_ne!(va, vc);
        let st = a.state();
        let next: Vec<u32> = (0..10).map(|_| a.next_u32()).collect();
        let mut d = Rng::new(1234);
        d.set_state(st);
        let again: Vec<u32> = (0..10).map(|_| d.next_u32()).collect();
        assert_eq!(next, again);
        d.set_state([0; 4]);
        assert_eq!(d, Rng::new(0));
    }

    #[test]
    fn uniform_moments() {
        let mut r = Rng::new(1);
        let n = 1_000_000;
        let mut y = vec![0.0f32; n];
        uniform(&mut r, &mut y, -1.0, 3.0);
        let mean = y.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
        let var = y.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n as f64;
        // mean 1, var 16/12; std error of the mean = 1.155/1000
        assert!((mean - 1.0).abs() < 5.0 * 1.155e-3, "{}", mean);
        assert!((var - 16.0 / 12.0).abs() < 0.01, "{}", var);
        assert!(y.iter().all(|&v| (-1.0..3.0).contains(&v)));
        let mut u = vec![0.0f32; 1000];
        uniform(&mut r, &mut u, 0.0, 1.0);
        assert!(u.iter().all(|&v| (0.0..1.0).contains(&v)));
    }

    #[test]
    fn normal_moments() {
        let mut r = Rng::new(2);
        let n = 1_000_001; // odd on purpose
        let mut y = vec![0.0f32; n];
        normal(&mut r, &mut y, 0.5, 2.0);
        assert!(y.iter().all(|v| v.is_finite()));
        let mean = y.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
        let var = y.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n as f64;
        let m4 = y.iter().map(|&v| (v as f64 - mean).powi(4)).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 5.0 * 2.0e-3, "{}", mean);
        assert!((var.sqrt() - 2.0).abs() < 0.01, "{}", var.sqrt());
        assert!(
            (m4 / (var * var) - 3.0).abs() < 0.05,
            "kurtosis {}",
            m4 / (var * var)
        );
        // the fraction within one std ≈ 0.6827
        let within = y.iter().filter(|&&v| (v - 0.5).abs() < 2.0).count() as f64 / n as f64;
        assert!((within - 0.6827).abs() < 0.003, "{}", within);
        // an odd length consumes a whole pair for the last element
        let mut a = Rng::new(3);
        let mut b = Rng::new(3);
        let mut ya = [0.0f32; 3];
        let mut yb = [0.0f32; 4];
        normal(&mut a, &mut ya, 0.0, 1.0);
        normal(&mut b, &mut yb, 0.0, 1.0);
        assert_eq!(ya[..], yb[..3]);
        assert_eq!(a, b);
    }

    #[test]
    fn permutation_is_a_permutation() {
        let mut r = Rng::new(5);
        for &n in [0usize, 1, 2, 3, 10, 257, 60_000].iter() {
            let mut y = vec![-1i32; n];
            permutation(&mut r, &mut y);
            let mut seen = vec![false; n];
            for &v in &y {
                assert!(v >= 0 && (v as usize) < n && !seen[v as usize]);
                seen[v as usize] = true;
            }
        }
        // every position is roughly uniform: P(y[0] == k) = 1/4 over many shuffles of 4
        let mut counts = [[0u32; 4]; 4];
        let mut y = [0i32; 4];
        for _ in 0..40_000 {
            permutation(&mut r, &mut y);
            for (pos, &v) in y.iter().enumerate() {
                counts[pos][v as usize] += 1;
            }
        }
        for row in counts.iter() {
            for &c in row.iter() {
                assert!((c as f64 - 10_000.0).abs() < 400.0, "{:?}", counts);
            }
        }
        // bounded ints are unbiased: below(3) over many draws
        let mut c3 = [0u32; 3];
        for _ in 0..300_000 {
            c3[r.below(3) as usize] += 1;
        }
        assert!(
            c3.iter().all(|&c| (c as f64 - 100_000.0).abs() < 1_200.0),
            "{:?}",
            c3
        );
    }

    #[test]
    fn dropout_fraction_and_scale() {
        let n = 100_000;
        let x: Vec<f32> = (0..n).map(|i| (i % 13) as f32 - 6.0).collect();
        for &p in [0.1f32, 0.5, 0.9].iter() {
            let mut r = Rng::new(9);
            let mut mask = vec![0.0f32; n];
            let mut y = vec![0.0f32; n];
            dropout(&mut r, &x, &mut mask, &mut y, p);
            let dropped = mask.iter().filter(|&&m| m == 0.0).count() as f64 / n as f64;
            let sd = (p as f64 * (1.0 - p as f64) / n as f64).sqrt();
            assert!(
                (dropped - p as f64).abs() < 5.0 * sd,
                "p={} dropped {}",
                p,
                dropped
            );
            let keep = 1.0 / (1.0 - p);
            assert!(mask.iter().all(|&m| m == 0.0 || m == keep));
            for i in 0..n {
                assert_eq!(y[i], x[i] * mask[i]);
            }
            // the ref gives the same mask and the same generator state afterwards
            let mut r2 = Rng::new(9);
            let mut mask2 = vec![0.0f32; n];
            let mut y2 = vec![0.0f32; n];
            dropout_ref(&mut r2, &x, &mut mask2, &mut y2, p);
            assert_eq!(mask, mask2);
            assert_eq!(y, y2);
            assert_eq!(r, r2);
            // mask draws are the generator's next_f32 in element order
            let mut r3 = Rng::new(9);
            for &m in mask.iter().take(100) {
                assert_eq!(m == 0.0, r3.next_f32() < p);
            }
        }
        // p == 0: identity, no draws
        let mut r = Rng::new(4);
        let mut mask = vec![0.0f32; 5];
        let mut y = vec![0.0f32; 5];
        dropout(&mut r, &x[..5], &mut mask, &mut y, 0.0);
        assert_eq!(mask, vec![1.0; 5]);
        assert_eq!(&y[..], &x[..5]);
        assert_eq!(r, Rng::new(4));
    }

    /// The vector path (64-draw chunks, 4 lanes, scalar tail) against the reference at odd lengths,
    /// with NaN, ±0 and ±inf in x: same mask, same bits in y, same generator state afterwards.
    #[test]
    fn dropout_fast_matches_ref_at_odd_sizes() {
        let sp = [
            f32::NAN,
            -0.0,
            0.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            -2.5,
            1e-40,
        ];
        for n in [0usize, 1, 3, 4, 5, 63, 64, 65, 67, 129, 131] {
            let x: Vec<f32> = (0..n)
                .map(|i| sp[i % sp.len()] * (1.0 + i as f32))
                .collect();
            for &p in [1e-7f32, 1.0 / 3.0, 0.5, 0.75, 0.999_999].iter() {
                let (mut r1, mut r2) = (Rng::new(n as u64 + 1), Rng::new(n as u64 + 1));
                let (mut m1, mut m2) = (vec![9.0f32; n], vec![8.0f32; n]);
                let (mut y1, mut y2) = (vec![9.0f32; n], vec![8.0f32; n]);
                dropout(&mut r1, &x, &mut m1, &mut y1, p);
                dropout_ref(&mut r2, &x, &mut m2, &mut y2, p);
                assert_eq!(r1, r2);
                for i in 0..n {
                    assert_eq!(m1[i].to_bits(), m2[i].to_bits(), "mask n={n} p={p} i={i}");
                    assert!(
                        y1[i].to_bits() == y2[i].to_bits() || (y1[i].is_nan() && y2[i].is_nan()),
                        "y n={n} p={p} i={i}"
                    );
                }
            }
        }
    }
}
