//! The vectorised `exp` (`exp_f32x4` and its scalar twin `exp_poly`) and the row helpers built on it,
//! shared by softmax and cross-entropy.

use crate::simd::{fix_range, pmax, F32x4, I32x4};

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
