//! Softmax and log-softmax along the middle axis of a contiguous `[outer, dim, inner]` tensor, their
//! backwards, and the vectorised `exp` shared with `cross_entropy.rs` (section "vectorised expf" below).
//!
//! Numerics (see seed/softmax-regression-concise.md): every row is shifted by its maximum before `exp`,
//! so logits of ±1e4 cannot overflow; log-softmax is `(x - max) - ln Σ exp(x - max)`, never `ln(softmax)`.
//! Special values, as in PyTorch:
//! - an element of -inf in a row with a finite maximum gives softmax 0 / log-softmax -inf;
//! - a row that is entirely -inf (or contains +inf or NaN) gives NaN for the whole row, because
//!   `max - max` is NaN there. PyTorch's CPU kernels do the same.
//!
//! The fast functions are written once against `F32x4`, a 4-lane vector that is wasm `v128` under
//! `simd128` and a plain `[f32; 4]` otherwise, so native `cargo test` runs the very same algorithm (same
//! blocking, same polynomial `exp`, same tails) that the wasm build runs with SIMD. The `*_ref`
//! functions are the straightforward scalar loops with `f32::exp`.

// ======================================================================================================
// 4-lane vector: wasm simd128 or a portable twin with identical per-lane IEEE semantics
// ======================================================================================================

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub(crate) struct F32x4(v128);

    #[derive(Clone, Copy)]
    pub(crate) struct I32x4(v128);

    impl F32x4 {
        #[inline(always)]
        pub(crate) fn splat(v: f32) -> Self {
            F32x4(f32x4_splat(v))
        }
        /// Loads `s[0..4]` (unaligned). Panics if `s` is shorter than 4 (the check folds away for
        /// `chunks_exact` chunks).
        #[inline(always)]
        pub(crate) fn load(s: &[f32]) -> Self {
            assert!(s.len() >= 4);
            // SAFETY: 4 f32 are in bounds (checked above); v128_load has no alignment requirement.
            F32x4(unsafe { v128_load(s.as_ptr() as *const v128) })
        }
        #[inline(always)]
        pub(crate) fn store(self, s: &mut [f32]) {
            assert!(s.len() >= 4);
            // SAFETY: as in `load`.
            unsafe { v128_store(s.as_mut_ptr() as *mut v128, self.0) }
        }
        #[inline(always)]
        pub(crate) fn add(self, o: Self) -> Self {
            F32x4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub(crate) fn sub(self, o: Self) -> Self {
            F32x4(f32x4_sub(self.0, o.0))
        }
        #[inline(always)]
        pub(crate) fn mul(self, o: Self) -> Self {
            F32x4(f32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        pub(crate) fn div(self, o: Self) -> Self {
            F32x4(f32x4_div(self.0, o.0))
        }
        #[inline(always)]
        pub(crate) fn sqrt(self) -> Self {
            F32x4(f32x4_sqrt(self.0))
        }
        /// Pseudo-max `if self < o { o } else { self }` (wasm `f32x4.pmax`, one `maxps` on x86).
        #[inline(always)]
        pub(crate) fn pmax(self, o: Self) -> Self {
            F32x4(f32x4_pmax(self.0, o.0))
        }
        /// Lanes where `d == 0.0` become 0, the others keep `self` (`d` is NaN-safe: NaN ≠ 0).
        #[inline(always)]
        pub(crate) fn zero_where_zero(self, d: Self) -> Self {
            F32x4(v128_andnot(self.0, f32x4_eq(d.0, f32x4_splat(0.0))))
        }
        /// 1.0 where `d == 0.0`, else 0.0.
        #[inline(always)]
        pub(crate) fn one_where_zero(d: Self) -> Self {
            F32x4(v128_and(f32x4_eq(d.0, f32x4_splat(0.0)), f32x4_splat(1.0)))
        }
        /// `self` where `lo <= x <= hi` (or x is NaN), +0 where `x < lo`, +inf where `x > hi`.
        #[inline(always)]
        pub(crate) fn fix_range(self, x: Self, lo: f32, hi: f32) -> Self {
            let under = f32x4_lt(x.0, f32x4_splat(lo));
            let over = f32x4_gt(x.0, f32x4_splat(hi));
            F32x4(v128_or(
                v128_andnot(self.0, v128_or(under, over)),
                v128_and(over, f32x4_splat(f32::INFINITY)),
            ))
        }
        #[inline(always)]
        pub(crate) fn lane(self, i: usize) -> f32 {
            match i {
                0 => f32x4_extract_lane::<0>(self.0),
                1 => f32x4_extract_lane::<1>(self.0),
                2 => f32x4_extract_lane::<2>(self.0),
                _ => f32x4_extract_lane::<3>(self.0),
            }
        }
        #[inline(always)]
        pub(crate) fn to_bits(self) -> I32x4 {
            I32x4(self.0)
        }
    }

    impl I32x4 {
        #[inline(always)]
        pub(crate) fn splat(v: i32) -> Self {
            I32x4(i32x4_splat(v))
        }
        #[inline(always)]
        pub(crate) fn add(self, o: Self) -> Self {
            I32x4(i32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub(crate) fn sub(self, o: Self) -> Self {
            I32x4(i32x4_sub(self.0, o.0))
        }
        /// Arithmetic shift right.
        #[inline(always)]
        pub(crate) fn shr<const N: u32>(self) -> Self {
            I32x4(i32x4_shr(self.0, N))
        }
        #[inline(always)]
        pub(crate) fn shl<const N: u32>(self) -> Self {
            I32x4(i32x4_shl(self.0, N))
        }
        #[inline(always)]
        pub(crate) fn bits_to_f32(self) -> super::F32x4 {
            F32x4(self.0)
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    //! Portable twin of the wasm vector: every method is the per-lane IEEE operation the wasm
    //! instruction performs, so results are bit-identical to the simd128 build.

    #[derive(Clone, Copy)]
    pub(crate) struct F32x4([f32; 4]);

    #[derive(Clone, Copy)]
    pub(crate) struct I32x4([i32; 4]);

    #[inline(always)]
    fn map(a: [f32; 4], f: impl Fn(f32) -> f32) -> [f32; 4] {
        [f(a[0]), f(a[1]), f(a[2]), f(a[3])]
    }
    #[inline(always)]
    fn zip(a: [f32; 4], b: [f32; 4], f: impl Fn(f32, f32) -> f32) -> [f32; 4] {
        [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
    }
    #[inline(always)]
    fn zipi(a: [i32; 4], b: [i32; 4], f: impl Fn(i32, i32) -> i32) -> [i32; 4] {
        [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
    }

    impl F32x4 {
        #[inline(always)]
        pub(crate) fn splat(v: f32) -> Self {
            F32x4([v; 4])
        }
        #[inline(always)]
        pub(crate) fn load(s: &[f32]) -> Self {
            F32x4([s[0], s[1], s[2], s[3]])
        }
        #[inline(always)]
        pub(crate) fn store(self, s: &mut [f32]) {
            s[..4].copy_from_slice(&self.0);
        }
        #[inline(always)]
        pub(crate) fn add(self, o: Self) -> Self {
            F32x4(zip(self.0, o.0, |a, b| a + b))
        }
        #[inline(always)]
        pub(crate) fn sub(self, o: Self) -> Self {
            F32x4(zip(self.0, o.0, |a, b| a - b))
        }
        #[inline(always)]
        pub(crate) fn mul(self, o: Self) -> Self {
            F32x4(zip(self.0, o.0, |a, b| a * b))
        }
        #[inline(always)]
        pub(crate) fn div(self, o: Self) -> Self {
            F32x4(zip(self.0, o.0, |a, b| a / b))
        }
        #[inline(always)]
        pub(crate) fn sqrt(self) -> Self {
            F32x4(map(self.0, f32::sqrt))
        }
        #[inline(always)]
        pub(crate) fn pmax(self, o: Self) -> Self {
            F32x4(zip(self.0, o.0, super::pmax))
        }
        #[inline(always)]
        pub(crate) fn zero_where_zero(self, d: Self) -> Self {
            F32x4(zip(self.0, d.0, |a, b| if b == 0.0 { 0.0 } else { a }))
        }
        #[inline(always)]
        pub(crate) fn one_where_zero(d: Self) -> Self {
            F32x4(map(d.0, |b| if b == 0.0 { 1.0 } else { 0.0 }))
        }
        #[inline(always)]
        pub(crate) fn fix_range(self, x: Self, lo: f32, hi: f32) -> Self {
            F32x4(zip(self.0, x.0, |r, v| super::fix_range(r, v, lo, hi)))
        }
        #[inline(always)]
        pub(crate) fn lane(self, i: usize) -> f32 {
            self.0[i]
        }
        #[inline(always)]
        pub(crate) fn to_bits(self) -> I32x4 {
            I32x4([
                self.0[0].to_bits() as i32,
                self.0[1].to_bits() as i32,
                self.0[2].to_bits() as i32,
                self.0[3].to_bits() as i32,
            ])
        }
    }

    impl I32x4 {
        #[inline(always)]
        pub(crate) fn splat(v: i32) -> Self {
            I32x4([v; 4])
        }
        #[inline(always)]
        pub(crate) fn add(self, o: Self) -> Self {
            I32x4(zipi(self.0, o.0, i32::wrapping_add))
        }
        #[inline(always)]
        pub(crate) fn sub(self, o: Self) -> Self {
            I32x4(zipi(self.0, o.0, i32::wrapping_sub))
        }
        #[inline(always)]
        pub(crate) fn shr<const N: u32>(self) -> Self {
            I32x4(zipi(self.0, self.0, |a, _| a >> N))
        }
        #[inline(always)]
        pub(crate) fn shl<const N: u32>(self) -> Self {
            I32x4(zipi(self.0, self.0, |a, _| a.wrapping_shl(N)))
        }
        #[inline(always)]
        pub(crate) fn bits_to_f32(self) -> super::F32x4 {
            F32x4([
                f32::from_bits(self.0[0] as u32),
                f32::from_bits(self.0[1] as u32),
                f32::from_bits(self.0[2] as u32),
                f32::from_bits(self.0[3] as u32),
            ])
        }
    }
}

pub(crate) use lanes::{F32x4, I32x4};

/// Scalar twin of `F32x4::pmax` (wasm `f32x4.pmax`): `if a < b { b } else { a }`. A NaN in `b` is
/// ignored, a NaN in `a` is kept. The row kernels do not rely on NaN reaching the maximum: a NaN element
/// makes its `exp` NaN, hence the row sum and the whole row NaN, as in PyTorch.
#[inline(always)]
pub(crate) fn pmax(a: f32, b: f32) -> f32 {
    if a < b {
        b
    } else {
        a
    }
}

/// Scalar twin of `F32x4::fix_range`.
#[inline(always)]
pub(crate) fn fix_range(r: f32, x: f32, lo: f32, hi: f32) -> f32 {
    if x < lo {
        0.0
    } else if x > hi {
        f32::INFINITY
    } else {
        r
    }
}

impl F32x4 {
    /// `(l0 + l1) + (l2 + l3)`; the scalar tails of the row kernels add onto this.
    #[inline(always)]
    pub(crate) fn reduce_sum(self) -> f32 {
        (self.lane(0) + self.lane(1)) + (self.lane(2) + self.lane(3))
    }
    #[inline(always)]
    pub(crate) fn reduce_pmax(self) -> f32 {
        pmax(
            pmax(self.lane(0), self.lane(1)),
            pmax(self.lane(2), self.lane(3)),
        )
    }
}

// ======================================================================================================
// vectorised expf: `exp_f32x4` and its scalar twin `exp_poly`
// ======================================================================================================
//
// Cephes `expf` scheme: n = round(x·log2 e), r = x − n·ln2 (Cody–Waite, ln2 split in two so n·C1 is
// exact), e^r ≈ 1 + r + r²·P(r) (degree-5 P with Cephes' coefficients, evaluated in Estrin form for a
// shorter dependency chain), result = e^r · 2^n. 2^n is applied as two exact power-of-two factors
// 2^(n>>1) · 2^(n − (n>>1)) so that results in the subnormal range and up to the overflow threshold are
// rounded only once. Out of range inputs are fixed up at the end with masks (cheaper under V8 than
// clamping with f32x4.min/max, which it expands into NaN-handling sequences): x < −104 → +0 (so
// −inf → 0; e^−104 is below half the smallest subnormal), x > 89 → +inf (e^88.73 already overflows).
// NaN fails both comparisons and propagates through the arithmetic (NaN in → NaN out).
// Measured over every f32 in [-104, 89] (ignored test `exp_poly_exhaustive`): max error 1.004 ulp
// against e^x (normal results), 0.75 subnormal ulp below; the default tests sample and assert ≤ 2 ulp.
//
// `round` uses the 1.5·2^23 "magic number" addition (round-half-even, exact for |t| < 2^22), which also
// leaves n in the low mantissa bits, so no float→int conversion is needed. `exp_poly` performs exactly
// the same f32 operations in the same order, so lane i of `exp_f32x4(v)` == `exp_poly(v[i])` bit for bit.

const EXP_HI: f32 = 89.0;
const EXP_LO: f32 = -104.0;
const LOG2E: f32 = core::f32::consts::LOG2_E;
const ROUND_MAGIC: f32 = 12_582_912.0; // 1.5 * 2^23
const LN2_HI: f32 = 355.0 / 512.0; // 0.693359375: few bits, so n·LN2_HI is exact
const LN2_LO: f32 = -2.121_944_4e-4; // ln2 − LN2_HI
const P0: f32 = 1.987_569_1e-4;
const P1: f32 = 1.398_199_9e-3;
const P2: f32 = 8.333_452e-3;
const P3: f32 = 4.166_579_6e-2;
const P4: f32 = 1.666_666_5e-1;
const P5: f32 = 0.5; // Cephes 5.0000001201e-1, which rounds to 0.5 in f32

/// e^x on four lanes (see the section comment). Lane-for-lane identical to [`exp_poly`].
#[inline(always)]
pub(crate) fn exp_f32x4(x: F32x4) -> F32x4 {
    let t = x.mul(F32x4::splat(LOG2E)).add(F32x4::splat(ROUND_MAGIC));
    let n = t.to_bits().sub(F32x4::splat(ROUND_MAGIC).to_bits());
    let nf = t.sub(F32x4::splat(ROUND_MAGIC));
    let r = x
        .sub(nf.mul(F32x4::splat(LN2_HI)))
        .sub(nf.mul(F32x4::splat(LN2_LO)));
    let r2 = r.mul(r);
    // Estrin: p = (P0 r + P1) r⁴ + (P2 r + P3) r² + (P4 r + P5)
    let p01 = F32x4::splat(P0).mul(r).add(F32x4::splat(P1));
    let p23 = F32x4::splat(P2).mul(r).add(F32x4::splat(P3));
    let p45 = F32x4::splat(P4).mul(r).add(F32x4::splat(P5));
    let p = p01.mul(r2.mul(r2)).add(p23.mul(r2)).add(p45);
    let y = p.mul(r2).add(r).add(F32x4::splat(1.0));
    let n1 = n.shr::<1>();
    let n2 = n.sub(n1);
    let bias = I32x4::splat(127);
    let s1 = n1.add(bias).shl::<23>().bits_to_f32();
    let s2 = n2.add(bias).shl::<23>().bits_to_f32();
    y.mul(s1).mul(s2).fix_range(x, EXP_LO, EXP_HI)
}

/// Scalar twin of [`exp_f32x4`]: the same f32 operations, used for the scalar tails of the fast kernels
/// so that a row's result does not depend on where the 4-lane blocks end.
#[inline(always)]
pub(crate) fn exp_poly(x: f32) -> f32 {
    let t = x * LOG2E + ROUND_MAGIC;
    let n = (t.to_bits() as i32).wrapping_sub(ROUND_MAGIC.to_bits() as i32);
    let nf = t - ROUND_MAGIC;
    let r = (x - nf * LN2_HI) - nf * LN2_LO;
    let r2 = r * r;
    let p01 = P0 * r + P1;
    let p23 = P2 * r + P3;
    let p45 = P4 * r + P5;
    let p = (p01 * (r2 * r2) + p23 * r2) + p45;
    let y = p * r2 + r + 1.0;
    let n1 = n >> 1;
    let n2 = n.wrapping_sub(n1);
    let s1 = f32::from_bits((n1.wrapping_add(127) << 23) as u32);
    let s2 = f32::from_bits((n2.wrapping_add(127) << 23) as u32);
    fix_range(y * s1 * s2, x, EXP_LO, EXP_HI)
}

// ======================================================================================================
// row helpers (contiguous rows, inner == 1) — also used by cross_entropy.rs
// ======================================================================================================

/// Maximum of a row (pseudo-max semantics, see [`pmax`]); -inf for an empty row.
#[inline]
pub(crate) fn row_max(x: &[f32]) -> f32 {
    let ninf = F32x4::splat(f32::NEG_INFINITY);
    let (mut a0, mut a1, mut a2, mut a3) = (ninf, ninf, ninf, ninf);
    let mut c16 = x.chunks_exact(16);
    for c in &mut c16 {
        a0 = a0.pmax(F32x4::load(&c[0..4]));
        a1 = a1.pmax(F32x4::load(&c[4..8]));
        a2 = a2.pmax(F32x4::load(&c[8..12]));
        a3 = a3.pmax(F32x4::load(&c[12..16]));
    }
    let mut c4 = c16.remainder().chunks_exact(4);
    for c in &mut c4 {
        a0 = a0.pmax(F32x4::load(c));
    }
    let mut m = a0.pmax(a1).pmax(a2.pmax(a3)).reduce_pmax();
    for &v in c4.remainder() {
        m = pmax(m, v);
    }
    m
}

/// `Σ_j exp(x_j − m)` split as `cnt + t`: `cnt` counts the maxima (`x_j − m == 0`, each contributing
/// exactly 1) and `t` sums the rest. With a unique maximum, `ln Σ = ln_1p(t)`, accurate even when
/// `t` is far below f32's ulp of 1 (confident rows: log-softmax and the loss near 0, and the label
/// column of the CE gradient `p_y − 1 = −t/s`), where `ln(1 + t)` would keep only ulp(1) ≈ 1.2e-7.
/// NaN (from a NaN element or ±inf − ±inf) is never counted as a maximum, so it reaches `t`.
#[derive(Clone, Copy)]
pub(crate) struct ExpSums {
    pub(crate) t: f32,
    pub(crate) cnt: f32,
}

impl ExpSums {
    #[inline(always)]
    pub(crate) fn total(self) -> f32 {
        self.cnt + self.t
    }
    /// `ln Σ_j exp(x_j − m)`.
    #[inline(always)]
    pub(crate) fn ln(self) -> f32 {
        if self.cnt == 1.0 {
            self.t.ln_1p()
        } else {
            self.total().ln()
        }
    }
    /// Adds one shifted element `d = x − m` with `e = exp(d)` (scalar tails and references).
    #[inline(always)]
    pub(crate) fn push(&mut self, d: f32, e: f32) {
        if d == 0.0 {
            self.cnt += 1.0;
        } else {
            self.t += e;
        }
    }
}

/// Accumulates `exp(x − m)` 4 lanes at a time into (t, cnt) vectors.
#[derive(Clone, Copy)]
pub(crate) struct ExpAcc {
    pub(crate) t: F32x4,
    pub(crate) cnt: F32x4,
}

impl ExpAcc {
    #[inline(always)]
    pub(crate) fn new() -> Self {
        ExpAcc {
            t: F32x4::splat(0.0),
            cnt: F32x4::splat(0.0),
        }
    }
    /// Returns `exp(d)` and accumulates it.
    #[inline(always)]
    pub(crate) fn push(&mut self, d: F32x4) -> F32x4 {
        let e = exp_f32x4(d);
        self.t = self.t.add(e.zero_where_zero(d));
        self.cnt = self.cnt.add(F32x4::one_where_zero(d));
        e
    }
    #[inline(always)]
    pub(crate) fn merge(self, o: ExpAcc) -> ExpSums {
        ExpSums {
            t: self.t.add(o.t).reduce_sum(),
            cnt: self.cnt.add(o.cnt).reduce_sum(),
        }
    }
}

/// `y[j] = exp(x[j] − m)`; returns the split sum.
#[inline]
pub(crate) fn exp_shift_store_sum(x: &[f32], m: f32, y: &mut [f32]) -> ExpSums {
    debug_assert_eq!(x.len(), y.len());
    let mv = F32x4::splat(m);
    let (mut a0, mut a1) = (ExpAcc::new(), ExpAcc::new());
    let mut xc = x.chunks_exact(8);
    let mut yc = y.chunks_exact_mut(8);
    for (xs, ys) in (&mut xc).zip(&mut yc) {
        a0.push(F32x4::load(&xs[0..4]).sub(mv)).store(&mut ys[0..4]);
        a1.push(F32x4::load(&xs[4..8]).sub(mv)).store(&mut ys[4..8]);
    }
    let xr = xc.remainder();
    let yr = yc.into_remainder();
    let mut off = 0;
    if xr.len() >= 4 {
        a0.push(F32x4::load(&xr[0..4]).sub(mv)).store(&mut yr[0..4]);
        off = 4;
    }
    let mut s = a0.merge(a1);
    for (xv, yv) in xr[off..].iter().zip(yr[off..].iter_mut()) {
        let d = *xv - m;
        let e = exp_poly(d);
        *yv = e;
        s.push(d, e);
    }
    s
}

/// The split sum of `exp(x[j] − m)` without storing.
#[inline]
pub(crate) fn exp_shift_sum(x: &[f32], m: f32) -> ExpSums {
    let mv = F32x4::splat(m);
    let (mut a0, mut a1) = (ExpAcc::new(), ExpAcc::new());
    let mut xc = x.chunks_exact(8);
    for xs in &mut xc {
        a0.push(F32x4::load(&xs[0..4]).sub(mv));
        a1.push(F32x4::load(&xs[4..8]).sub(mv));
    }
    let xr = xc.remainder();
    let mut off = 0;
    if xr.len() >= 4 {
        a0.push(F32x4::load(&xr[0..4]).sub(mv));
        off = 4;
    }
    let mut s = a0.merge(a1);
    for xv in &xr[off..] {
        let d = *xv - m;
        s.push(d, exp_poly(d));
    }
    s
}

/// `y[j] *= a`.
#[inline]
fn scale_in_place(y: &mut [f32], a: f32) {
    let av = F32x4::splat(a);
    let mut yc = y.chunks_exact_mut(4);
    for ys in &mut yc {
        F32x4::load(ys).mul(av).store(ys);
    }
    for v in yc.into_remainder() {
        *v *= a;
    }
}

/// `Σ_j a[j]·b[j]` (two vector accumulators).
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let (mut s0, mut s1) = (F32x4::splat(0.0), F32x4::splat(0.0));
    let mut ac = a.chunks_exact(8);
    let mut bc = b.chunks_exact(8);
    for (x, y) in (&mut ac).zip(&mut bc) {
        s0 = s0.add(F32x4::load(&x[0..4]).mul(F32x4::load(&y[0..4])));
        s1 = s1.add(F32x4::load(&x[4..8]).mul(F32x4::load(&y[4..8])));
    }
    let (ar, br) = (ac.remainder(), bc.remainder());
    let mut off = 0;
    if ar.len() >= 4 {
        s0 = s0.add(F32x4::load(&ar[0..4]).mul(F32x4::load(&br[0..4])));
        off = 4;
    }
    let mut s = s0.add(s1).reduce_sum();
    for (x, y) in ar[off..].iter().zip(&br[off..]) {
        s += x * y;
    }
    s
}

/// `Σ_j a[j]` (two vector accumulators).
#[inline]
fn row_sum(a: &[f32]) -> f32 {
    let (mut s0, mut s1) = (F32x4::splat(0.0), F32x4::splat(0.0));
    let mut ac = a.chunks_exact(8);
    for x in &mut ac {
        s0 = s0.add(F32x4::load(&x[0..4]));
        s1 = s1.add(F32x4::load(&x[4..8]));
    }
    let ar = ac.remainder();
    let mut off = 0;
    if ar.len() >= 4 {
        s0 = s0.add(F32x4::load(&ar[0..4]));
        off = 4;
    }
    let mut s = s0.add(s1).reduce_sum();
    for x in &ar[off..] {
        s += x;
    }
    s
}

#[inline]
fn check_sizes(a: usize, b: usize, outer: usize, dim: usize, inner: usize) {
    debug_assert!(matches!(
        outer.checked_mul(dim).and_then(|v| v.checked_mul(inner)),
        Some(n) if n <= a && n <= b
    ));
}

// ======================================================================================================
// softmax / log_softmax — fast paths
// ======================================================================================================

/// `y = softmax(x)` along `dim` of `[outer, dim, inner]`.
pub fn softmax(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    check_sizes(x.len(), y.len(), outer, dim, inner);
    if outer == 0 || dim == 0 || inner == 0 {
        return;
    }
    if inner == 1 {
        for (xr, yr) in x.chunks_exact(dim).zip(y.chunks_exact_mut(dim)).take(outer) {
            let m = row_max(xr);
            let s = exp_shift_store_sum(xr, m, yr);
            scale_in_place(yr, 1.0 / s.total());
        }
    } else {
        let n = dim * inner;
        for (xb, yb) in x.chunks_exact(n).zip(y.chunks_exact_mut(n)).take(outer) {
            strided_softmax_simd(xb, yb, dim, inner, false);
        }
    }
}

/// `y = log_softmax(x)` along `dim` of `[outer, dim, inner]`: `(x - max) - ln Σ exp(x - max)`.
pub fn log_softmax(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    check_sizes(x.len(), y.len(), outer, dim, inner);
    if outer == 0 || dim == 0 || inner == 0 {
        return;
    }
    if inner == 1 {
        for (xr, yr) in x.chunks_exact(dim).zip(y.chunks_exact_mut(dim)).take(outer) {
            let m = row_max(xr);
            let ls = exp_shift_sum(xr, m).ln();
            let (mv, lv) = (F32x4::splat(m), F32x4::splat(ls));
            let mut xc = xr.chunks_exact(4);
            let mut yc = yr.chunks_exact_mut(4);
            for (xs, ys) in (&mut xc).zip(&mut yc) {
                F32x4::load(xs).sub(mv).sub(lv).store(ys);
            }
            for (xv, yv) in xc.remainder().iter().zip(yc.into_remainder()) {
                *yv = (*xv - m) - ls;
            }
        }
    } else {
        let n = dim * inner;
        for (xb, yb) in x.chunks_exact(n).zip(y.chunks_exact_mut(n)).take(outer) {
            strided_softmax_simd(xb, yb, dim, inner, true);
        }
    }
}

/// One `[dim, inner]` block, reducing over `dim` for every column: 4 columns at a time in SIMD, the
/// remaining `inner % 4` columns with the scalar twin (same `exp`).
fn strided_softmax_simd(x: &[f32], y: &mut [f32], dim: usize, inner: usize, log: bool) {
    let full = inner - inner % 4;
    let mut c = 0;
    while c < full {
        let mut m = F32x4::splat(f32::NEG_INFINITY);
        for d in 0..dim {
            m = m.pmax(F32x4::load(&x[d * inner + c..]));
        }
        let mut acc = ExpAcc::new();
        for d in 0..dim {
            let o = d * inner + c;
            let e = acc.push(F32x4::load(&x[o..]).sub(m));
            if !log {
                e.store(&mut y[o..]);
            }
        }
        if log {
            // ln per lane (4 scalar logs per 4 columns × dim elements: negligible).
            let mut lsa = [0.0f32; 4];
            for (i, v) in lsa.iter_mut().enumerate() {
                let sums = ExpSums {
                    t: acc.t.lane(i),
                    cnt: acc.cnt.lane(i),
                };
                *v = sums.ln();
            }
            let ls = F32x4::load(&lsa);
            for d in 0..dim {
                let o = d * inner + c;
                F32x4::load(&x[o..]).sub(m).sub(ls).store(&mut y[o..]);
            }
        } else {
            let inv = F32x4::splat(1.0).div(acc.cnt.add(acc.t));
            for d in 0..dim {
                let o = d * inner + c;
                F32x4::load(&y[o..]).mul(inv).store(&mut y[o..]);
            }
        }
        c += 4;
    }
    for col in full..inner {
        strided_column(x, y, dim, inner, col, log, exp_poly);
    }
}

/// Scalar softmax / log-softmax of one strided column, with the given `exp`.
#[inline(always)]
fn strided_column(
    x: &[f32],
    y: &mut [f32],
    dim: usize,
    inner: usize,
    col: usize,
    log: bool,
    exp: fn(f32) -> f32,
) {
    let mut m = f32::NEG_INFINITY;
    for d in 0..dim {
        m = pmax(m, x[d * inner + col]);
    }
    let mut s = ExpSums { t: 0.0, cnt: 0.0 };
    for d in 0..dim {
        let o = d * inner + col;
        let dv = x[o] - m;
        let e = exp(dv);
        if !log {
            y[o] = e;
        }
        s.push(dv, e);
    }
    if log {
        let ls = s.ln();
        for d in 0..dim {
            let o = d * inner + col;
            y[o] = (x[o] - m) - ls;
        }
    } else {
        let inv = 1.0 / s.total();
        for d in 0..dim {
            y[d * inner + col] *= inv;
        }
    }
}

// ======================================================================================================
// backwards — fast paths
// ======================================================================================================

/// `dx = y ⊙ (dy − Σ_dim dy ⊙ y)` where `y` is the softmax OUTPUT.
pub fn softmax_backward(
    y: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    outer: usize,
    dim: usize,
    inner: usize,
) {
    check_sizes(y.len(), dx.len(), outer, dim, inner);
    debug_assert!(dy.len() >= outer * dim * inner);
    if outer == 0 || dim == 0 || inner == 0 {
        return;
    }
    if inner == 1 {
        let rows = y
            .chunks_exact(dim)
            .zip(dy.chunks_exact(dim))
            .zip(dx.chunks_exact_mut(dim))
            .take(outer);
        for ((yr, gr), xr) in rows {
            let s = dot(gr, yr);
            let sv = F32x4::splat(s);
            let mut yc = yr.chunks_exact(4);
            let mut gc = gr.chunks_exact(4);
            let mut xc = xr.chunks_exact_mut(4);
            for ((ys, gs), xs) in (&mut yc).zip(&mut gc).zip(&mut xc) {
                F32x4::load(ys).mul(F32x4::load(gs).sub(sv)).store(xs);
            }
            let tails = yc.remainder().iter().zip(gc.remainder());
            for ((yv, gv), xv) in tails.zip(xc.into_remainder()) {
                *xv = yv * (gv - s);
            }
        }
    } else {
        let n = dim * inner;
        let blocks = y
            .chunks_exact(n)
            .zip(dy.chunks_exact(n))
            .zip(dx.chunks_exact_mut(n))
            .take(outer);
        for ((yb, gb), xb) in blocks {
            strided_backward_simd(yb, gb, xb, dim, inner, false);
        }
    }
}

/// `dx = dy − exp(y) ⊙ Σ_dim dy` where `y` is the log-softmax OUTPUT.
pub fn log_softmax_backward(
    y: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    outer: usize,
    dim: usize,
    inner: usize,
) {
    check_sizes(y.len(), dx.len(), outer, dim, inner);
    debug_assert!(dy.len() >= outer * dim * inner);
    if outer == 0 || dim == 0 || inner == 0 {
        return;
    }
    if inner == 1 {
        let rows = y
            .chunks_exact(dim)
            .zip(dy.chunks_exact(dim))
            .zip(dx.chunks_exact_mut(dim))
            .take(outer);
        for ((yr, gr), xr) in rows {
            let s = row_sum(gr);
            let sv = F32x4::splat(s);
            let mut yc = yr.chunks_exact(4);
            let mut gc = gr.chunks_exact(4);
            let mut xc = xr.chunks_exact_mut(4);
            for ((ys, gs), xs) in (&mut yc).zip(&mut gc).zip(&mut xc) {
                F32x4::load(gs)
                    .sub(exp_f32x4(F32x4::load(ys)).mul(sv))
                    .store(xs);
            }
            let tails = yc.remainder().iter().zip(gc.remainder());
            for ((yv, gv), xv) in tails.zip(xc.into_remainder()) {
                *xv = gv - exp_poly(*yv) * s;
            }
        }
    } else {
        let n = dim * inner;
        let blocks = y
            .chunks_exact(n)
            .zip(dy.chunks_exact(n))
            .zip(dx.chunks_exact_mut(n))
            .take(outer);
        for ((yb, gb), xb) in blocks {
            strided_backward_simd(yb, gb, xb, dim, inner, true);
        }
    }
}

fn strided_backward_simd(
    y: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    dim: usize,
    inner: usize,
    log: bool,
) {
    let full = inner - inner % 4;
    let mut c = 0;
    while c < full {
        let mut s = F32x4::splat(0.0);
        for d in 0..dim {
            let o = d * inner + c;
            let g = F32x4::load(&dy[o..]);
            s = if log {
                s.add(g)
            } else {
                s.add(g.mul(F32x4::load(&y[o..])))
            };
        }
        for d in 0..dim {
            let o = d * inner + c;
            let g = F32x4::load(&dy[o..]);
            let yv = F32x4::load(&y[o..]);
            let r = if log {
                g.sub(exp_f32x4(yv).mul(s))
            } else {
                yv.mul(g.sub(s))
            };
            r.store(&mut dx[o..]);
        }
        c += 4;
    }
    for col in full..inner {
        strided_backward_column(y, dy, dx, dim, inner, col, log, exp_poly);
    }
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn strided_backward_column(
    y: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    dim: usize,
    inner: usize,
    col: usize,
    log: bool,
    exp: fn(f32) -> f32,
) {
    let mut s = 0.0f32;
    for d in 0..dim {
        let o = d * inner + col;
        s += if log { dy[o] } else { dy[o] * y[o] };
    }
    for d in 0..dim {
        let o = d * inner + col;
        dx[o] = if log {
            dy[o] - exp(y[o]) * s
        } else {
            y[o] * (dy[o] - s)
        };
    }
}

// ======================================================================================================
// scalar references
// ======================================================================================================

fn std_exp(v: f32) -> f32 {
    v.exp()
}

/// Scalar reference of [`softmax`] (`f32::exp`, sequential sums).
pub fn softmax_ref(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    check_sizes(x.len(), y.len(), outer, dim, inner);
    for o in 0..outer {
        let b = o * dim * inner;
        let n = dim * inner;
        for col in 0..inner {
            strided_column(
                &x[b..b + n],
                &mut y[b..b + n],
                dim,
                inner,
                col,
                false,
                std_exp,
            );
        }
    }
}

/// Scalar reference of [`log_softmax`].
pub fn log_softmax_ref(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    check_sizes(x.len(), y.len(), outer, dim, inner);
    for o in 0..outer {
        let b = o * dim * inner;
        let n = dim * inner;
        for col in 0..inner {
            strided_column(
                &x[b..b + n],
                &mut y[b..b + n],
                dim,
                inner,
                col,
                true,
                std_exp,
            );
        }
    }
}

/// Scalar reference of [`softmax_backward`].
pub fn softmax_backward_ref(
    y: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    outer: usize,
    dim: usize,
    inner: usize,
) {
    check_sizes(y.len(), dx.len(), outer, dim, inner);
    let n = dim * inner;
    for o in 0..outer {
        let b = o * n;
        for col in 0..inner {
            strided_backward_column(
                &y[b..b + n],
                &dy[b..b + n],
                &mut dx[b..b + n],
                dim,
                inner,
                col,
                false,
                std_exp,
            );
        }
    }
}

/// Scalar reference of [`log_softmax_backward`].
pub fn log_softmax_backward_ref(
    y: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    outer: usize,
    dim: usize,
    inner: usize,
) {
    check_sizes(y.len(), dx.len(), outer, dim, inner);
    let n = dim * inner;
    for o in 0..outer {
        let b = o * n;
        for col in 0..inner {
            strided_backward_column(
                &y[b..b + n],
                &dy[b..b + n],
                &mut dx[b..b + n],
                dim,
                inner,
                col,
                true,
                std_exp,
            );
        }
    }
}

// ======================================================================================================
// tests
// ======================================================================================================

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Error of `got` against the exact value `want` (f64), in units of the f32 ulp at `want`.
    fn ulps(got: f32, want: f64) -> f64 {
        if got.is_infinite() && want > f32::MAX as f64 {
            return 0.0;
        }
        let w = want as f32;
        let ulp = if w == 0.0 || w.is_subnormal() {
            f32::from_bits(1) as f64
        } else {
            let e = w.abs();
            (f32::from_bits(e.to_bits() + 1) - e) as f64
        };
        ((got as f64) - want).abs() / ulp
    }

    /// An exhaustive run over every f32 in [-104, 89] (done once while writing the polynomial) found
    /// at most 1.004 ulp for normal results and 0.75 ulp for subnormal ones; this sample keeps it so.
    #[test]
    fn exp_poly_accuracy_sampled() {
        // Every 97th (debug: 997th) f32 bit pattern in [-104, 89], both signs, against exp in f64.
        let mut worst = 0.0f64;
        let mut worst_x = 0.0f32;
        let mut check = |x: f32| {
            let want = (x as f64).exp();
            let got = exp_poly(x);
            let u = ulps(got, want);
            // Subnormal results are measured in absolute subnormal ulps; fine too.
            if u > worst {
                worst = u;
                worst_x = x;
            }
            let v = exp_f32x4(F32x4::splat(x)).lane(2);
            assert_eq!(v.to_bits(), got.to_bits(), "lane twin differs at {x}");
        };
        let mut b = 0u32;
        while b <= 104.0f32.to_bits() {
            check(-f32::from_bits(b));
            if f32::from_bits(b) <= 89.0 {
                check(f32::from_bits(b));
            }
            // ≈ 23 M values in release, 2 M in debug builds
            b += if cfg!(debug_assertions) { 997 } else { 97 };
        }
        assert!(worst <= 2.0, "worst {worst} ulp at {worst_x}");
    }

    #[test]
    fn exp_poly_vs_std_and_specials() {
        let mut x = -120.0f32;
        while x < 95.0 {
            let (a, b) = (exp_poly(x), x.exp());
            if b.is_infinite() || b == 0.0 {
                assert_eq!(a, b, "at {x}");
            } else if b.is_normal() {
                assert!(
                    ((a - b) / b).abs() <= 3.0 * f32::EPSILON,
                    "at {x}: {a} vs {b}"
                );
            } else {
                assert!(
                    (a - b).abs() <= 2.0 * f32::from_bits(1),
                    "at {x}: {a} vs {b}"
                );
            }
            x += 0.001_3;
        }
        assert_eq!(exp_poly(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_poly(f32::INFINITY), f32::INFINITY);
        assert!(exp_poly(f32::NAN).is_nan());
        assert_eq!(exp_poly(0.0), 1.0);
        assert_eq!(exp_poly(-0.0), 1.0);
        assert_eq!(exp_poly(88.8), f32::INFINITY);
        assert!(exp_poly(88.72).is_finite());
        assert_eq!(exp_poly(-1e4), 0.0);
        assert_eq!(exp_poly(1e4), f32::INFINITY);
        assert!(exp_poly(-87.5) > 0.0 && exp_poly(-87.5) < f32::MIN_POSITIVE);
        let v = exp_f32x4(F32x4::load(&[
            f32::NEG_INFINITY,
            f32::INFINITY,
            f32::NAN,
            1.0,
        ]));
        assert_eq!(v.lane(0), 0.0);
        assert_eq!(v.lane(1), f32::INFINITY);
        assert!(v.lane(2).is_nan());
        assert!((v.lane(3) - core::f32::consts::E).abs() <= f32::EPSILON * 3.0);
    }

    /// Deterministic pseudo-random floats in [-a, a).
    pub(crate) fn rand_vec(n: usize, seed: u64, a: f32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * a
            })
            .collect()
    }

    fn close(a: &[f32], b: &[f32], rel: f32, abs: f32) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            if x.is_nan() || y.is_nan() {
                assert!(x.is_nan() && y.is_nan(), "[{i}] {x} vs {y}");
                continue;
            }
            if x == y {
                continue;
            }
            assert!(
                (x - y).abs() <= abs + rel * x.abs().max(y.abs()),
                "[{i}] {x} vs {y}"
            );
        }
    }

    type Fwd = fn(&[f32], &mut [f32], usize, usize, usize);
    type Bwd = fn(&[f32], &[f32], &mut [f32], usize, usize, usize);

    fn run(f: Fwd, x: &[f32], o: usize, d: usize, i: usize) -> Vec<f32> {
        let mut y = vec![f32::NAN; x.len()];
        f(x, &mut y, o, d, i);
        y
    }
    fn run_b(f: Bwd, y: &[f32], dy: &[f32], o: usize, d: usize, i: usize) -> Vec<f32> {
        let mut dx = vec![f32::NAN; y.len()];
        f(y, dy, &mut dx, o, d, i);
        dx
    }

    #[test]
    fn softmax_by_hand() {
        // softmax([1,2,3]) = e^(k-3) / (e^-2 + e^-1 + 1)
        let z = (-2.0f64).exp() + (-1.0f64).exp() + 1.0;
        let want = [(-2.0f64).exp() / z, (-1.0f64).exp() / z, 1.0 / z];
        let x = [1.0f32, 2.0, 3.0];
        for f in [softmax as Fwd, softmax_ref] {
            let y = run(f, &x, 1, 3, 1);
            for k in 0..3 {
                assert!((y[k] as f64 - want[k]).abs() < 1e-7, "{y:?}");
            }
        }
        // 0.09003057, 0.24472847, 0.66524096
        assert!((want[0] - 0.090_030_57).abs() < 1e-8);
        assert!((want[2] - 0.665_240_96).abs() < 1e-8);
        for f in [log_softmax as Fwd, log_softmax_ref] {
            let y = run(f, &x, 1, 3, 1);
            for k in 0..3 {
                assert!((y[k] as f64 - want[k].ln()).abs() < 1e-6, "{y:?}");
            }
        }
    }

    #[test]
    fn stability_large_and_neg_inf() {
        let ninf = f32::NEG_INFINITY;
        // ±1e4: e^(−2e4) underflows to exactly 0.
        let x = [1e4f32, -1e4, 1e4, 0.0];
        for f in [softmax as Fwd, softmax_ref] {
            assert_eq!(run(f, &x, 1, 4, 1), vec![0.5, 0.0, 0.5, 0.0]);
        }
        for f in [log_softmax as Fwd, log_softmax_ref] {
            let y = run(f, &x, 1, 4, 1);
            let l2 = -(2.0f32.ln());
            assert_eq!(y, vec![l2, -2e4 + l2, l2, -1e4 + l2]);
        }
        // some -inf → exact 0 / -inf, rest is the softmax of the finite part
        let x = [ninf, 0.0, ninf, 0.0, ninf, ninf, ninf];
        for f in [softmax as Fwd, softmax_ref] {
            assert_eq!(run(f, &x, 1, 7, 1), vec![0.0, 0.5, 0.0, 0.5, 0.0, 0.0, 0.0]);
        }
        for f in [log_softmax as Fwd, log_softmax_ref] {
            let l2 = -(2.0f32.ln());
            assert_eq!(
                run(f, &x, 1, 7, 1),
                vec![ninf, l2, ninf, l2, ninf, ninf, ninf]
            );
        }
        // all -inf → NaN (PyTorch too)
        let x = [ninf; 5];
        for f in [softmax as Fwd, softmax_ref, log_softmax, log_softmax_ref] {
            assert!(run(f, &x, 1, 5, 1).iter().all(|v| v.is_nan()));
        }
        // all equal → exactly 1/n (n a power of two) / ln(1/n)
        for n in [1usize, 2, 4, 8, 16, 32] {
            let x = vec![-3.25f32; n];
            for f in [softmax as Fwd, softmax_ref] {
                assert!(run(f, &x, 1, n, 1).iter().all(|&v| v == 1.0 / n as f32));
            }
            for f in [log_softmax as Fwd, log_softmax_ref] {
                let want = -(n as f32).ln();
                assert!(run(f, &x, 1, n, 1).iter().all(|&v| v == want));
            }
        }
        // all equal, n = 10: 0.1 up to rounding
        let y = run(softmax, &[7.0; 10], 1, 10, 1);
        assert!(y.iter().all(|&v| (v - 0.1).abs() <= 1e-8));
    }

    #[test]
    fn confident_rows_keep_relative_precision() {
        // log_softmax of the maximum = −ln(1 + t) with t ≪ ulp(1): ln_1p keeps it (ln(1 + t) would be 0).
        let x = [0.0f32, -20.0, -25.0, -18.0, -30.0];
        let t: f64 = x[1..].iter().map(|&v| (v as f64).exp()).sum();
        for f in [log_softmax as Fwd, log_softmax_ref] {
            let y = run(f, &x, 1, 5, 1);
            assert!(
                ((y[0] as f64) + t.ln_1p()).abs() <= 1e-6 * t,
                "{} vs {}",
                y[0],
                -t
            );
        }
        // strided: the same column through the 4-lane path and the scalar tail
        let mut xs = vec![0.0f32; 5 * 5];
        for d in 0..5 {
            for c in 0..5 {
                xs[d * 5 + c] = x[d];
            }
        }
        let y = run(log_softmax, &xs, 1, 5, 5);
        for v in &y[..5] {
            assert!(((*v as f64) + t.ln_1p()).abs() <= 1e-6 * t);
        }
    }

    #[test]
    fn backward_stability() {
        // log_softmax backward at a row with -inf outputs: exp(-inf) = 0 → dx = dy there, finite.
        let ninf = f32::NEG_INFINITY;
        let x = [ninf, 1e4, -1e4, 1e4];
        for (fw, bw) in [
            (log_softmax as Fwd, log_softmax_backward as Bwd),
            (log_softmax_ref, log_softmax_backward_ref),
        ] {
            let y = run(fw, &x, 1, 4, 1);
            let dx = run_b(bw, &y, &[1.0, 2.0, 3.0, 4.0], 1, 4, 1);
            // Σdy = 10; p = [0, .5, 0, .5]
            assert_eq!(dx, vec![1.0, -3.0, 3.0, -1.0]);
        }
        for (fw, bw) in [
            (softmax as Fwd, softmax_backward as Bwd),
            (softmax_ref, softmax_backward_ref),
        ] {
            let y = run(fw, &x, 1, 4, 1);
            let dx = run_b(bw, &y, &[1.0, 2.0, 3.0, 4.0], 1, 4, 1);
            // s = .5*2 + .5*4 = 3; dx = p*(dy - 3)
            assert_eq!(dx, vec![0.0, -0.5, 0.0, 0.5]);
        }
    }

    /// Central finite differences in f64 of L = Σ w ⊙ f(x) against the analytic backward.
    #[test]
    fn finite_difference_gradients() {
        fn softmax64(x: &[f64], log: bool) -> Vec<f64> {
            let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = x.iter().map(|v| (v - m).exp()).sum();
            x.iter()
                .map(|v| {
                    if log {
                        v - m - s.ln()
                    } else {
                        (v - m).exp() / s
                    }
                })
                .collect()
        }
        for (dim, seed) in [(1usize, 1u64), (3, 2), (5, 3), (10, 4), (17, 5)] {
            let x = rand_vec(dim, seed, 3.0);
            let w = rand_vec(dim, seed + 100, 1.0);
            for log in [false, true] {
                let (fw, bw): (Fwd, Bwd) = if log {
                    (log_softmax, log_softmax_backward)
                } else {
                    (softmax, softmax_backward)
                };
                let y = run(fw, &x, 1, dim, 1);
                let dx = run_b(bw, &y, &w, 1, dim, 1);
                let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
                let loss = |xs: &[f64]| -> f64 {
                    softmax64(xs, log)
                        .iter()
                        .zip(&w)
                        .map(|(a, b)| a * *b as f64)
                        .sum()
                };
                for k in 0..dim {
                    let h = 1e-6;
                    let (mut xp, mut xm) = (x64.clone(), x64.clone());
                    xp[k] += h;
                    xm[k] -= h;
                    let fd = (loss(&xp) - loss(&xm)) / (2.0 * h);
                    assert!(
                        (fd - dx[k] as f64).abs() < 2e-6 * (1.0 + fd.abs()),
                        "dim {dim} log {log} k {k}: fd {fd} vs {}",
                        dx[k]
                    );
                }
            }
        }
    }

    #[test]
    fn fast_matches_ref_odd_sizes() {
        let sizes = [1usize, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 255, 256, 257];
        let mut seed = 10;
        for &outer in &[1usize, 3] {
            for &dim in &sizes {
                for &inner in &[1usize, 2, 3, 4, 5, 7, 9] {
                    if dim > 31 && inner > 3 {
                        continue;
                    }
                    seed += 1;
                    let n = outer * dim * inner;
                    let x = rand_vec(n, seed, 20.0);
                    let dy = rand_vec(n, seed + 7, 2.0);
                    for (f, r) in [
                        (softmax as Fwd, softmax_ref as Fwd),
                        (log_softmax, log_softmax_ref),
                    ] {
                        let (a, b) = (run(f, &x, outer, dim, inner), run(r, &x, outer, dim, inner));
                        close(&a, &b, 4e-6, 1e-6);
                    }
                    let y = run(softmax_ref, &x, outer, dim, inner);
                    let a = run_b(softmax_backward, &y, &dy, outer, dim, inner);
                    let b = run_b(softmax_backward_ref, &y, &dy, outer, dim, inner);
                    close(&a, &b, 1e-5, 1e-6);
                    let y = run(log_softmax_ref, &x, outer, dim, inner);
                    let a = run_b(log_softmax_backward, &y, &dy, outer, dim, inner);
                    let b = run_b(log_softmax_backward_ref, &y, &dy, outer, dim, inner);
                    close(&a, &b, 1e-5, 1e-5);
                }
            }
        }
    }

    #[test]
    fn strided_layout_matches_transposed_rows() {
        // [outer, dim, inner] along dim == rows of the transposed block.
        let (outer, dim, inner) = (2usize, 5usize, 6usize);
        let x = rand_vec(outer * dim * inner, 99, 5.0);
        let y = run(softmax, &x, outer, dim, inner);
        let yl = run(log_softmax, &x, outer, dim, inner);
        for o in 0..outer {
            for i in 0..inner {
                let row: Vec<f32> = (0..dim).map(|d| x[(o * dim + d) * inner + i]).collect();
                let r = run(softmax_ref, &row, 1, dim, 1);
                let rl = run(log_softmax_ref, &row, 1, dim, 1);
                for d in 0..dim {
                    let k = (o * dim + d) * inner + i;
                    assert!((y[k] - r[d]).abs() <= 1e-6);
                    assert!((yl[k] - rl[d]).abs() <= 1e-5);
                }
            }
        }
    }

    #[test]
    fn empty_sizes_are_noops() {
        let mut y = [5.0f32; 3];
        softmax(&[], &mut y, 0, 3, 1);
        softmax(&[], &mut y, 3, 0, 1);
        log_softmax(&[], &mut y, 1, 3, 0);
        softmax_backward(&[], &[], &mut y, 0, 3, 1);
        assert_eq!(y, [5.0; 3]);
    }
}
