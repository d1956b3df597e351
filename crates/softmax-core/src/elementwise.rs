//! Element-wise kernels: activations (ReLU, sigmoid) and their backward passes, unary maths, scalar
//! ops, `axpy`, `fill`, binary ops with modulo broadcasting, and the bias add / bias gradient of `Linear`.
//!
//! Every kernel has a scalar `*_ref` twin. The fast paths use wasm `simd128` when available and produce the
//! same bits as the reference (the lane operations are the IEEE operations the scalar code does), except
//! `sigmoid`, whose SIMD path uses a polynomial `exp` (≤ 2 ulp from the reference) and `bias_grad`, which
//! sums in a pairwise order (see `reduce::sum_axis`).
//!
//! Conventions (PyTorch's): `relu(NaN) = NaN`; `sign(NaN) = 0` and `sign(±0) = +0` (PyTorch's CPU
//! `(0 < x) - (x < 0)`); `relu_backward` passes the gradient only where `x > 0`.
//! Lengths are validated by the ABI; kernels `debug_assert!` them and never read past the shortest slice.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use core::arch::wasm32::*;

/// Binary op codes shared with the ABI: 0 add, 1 sub, 2 mul, 3 div.
pub const OP_ADD: u32 = 0;
pub const OP_SUB: u32 = 1;
pub const OP_MUL: u32 = 2;
pub const OP_DIV: u32 = 3;

/// `true` if `op` is one of the binary op codes.
pub fn binary_op_valid(op: u32) -> bool {
    op <= OP_DIV
}

// ---------------------------------------------------------------------------------------------------------
// scalar element functions (the definitions; the reference kernels and the SIMD tails use them)

#[inline(always)]
fn relu1(x: f32) -> f32 {
    if x > 0.0 || x.is_nan() {
        x
    } else {
        0.0
    }
}

#[inline(always)]
fn relu_bwd1(x: f32, dy: f32) -> f32 {
    if x > 0.0 {
        dy
    } else {
        0.0
    }
}

#[inline(always)]
fn sigmoid1(x: f32) -> f32 {
    // Never evaluates exp of a positive number, so nothing overflows: for x ≥ 0, 1/(1+e^-x); for x < 0,
    // e^x/(1+e^x). NaN stays NaN.
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[inline(always)]
fn sigmoid_bwd1(y: f32, dy: f32) -> f32 {
    // PyTorch's order: dy * (1 - y) * y
    dy * (1.0 - y) * y
}

#[inline(always)]
fn sign1(x: f32) -> f32 {
    (if x > 0.0 { 1.0 } else { 0.0 }) - (if x < 0.0 { 1.0 } else { 0.0 })
}

#[inline(always)]
fn binop1(op: u32, a: f32, b: f32) -> f32 {
    match op {
        OP_ADD => a + b,
        OP_SUB => a - b,
        OP_MUL => a * b,
        _ => a / b,
    }
}

/// The special exponents PyTorch evaluates without `pow` (same formulas, so the same bits).
#[derive(Clone, Copy, PartialEq, Debug)]
enum PowKind {
    Zero,
    One,
    Two,
    Three,
    Half,
    MinusHalf,
    MinusOne,
    MinusTwo,
    General,
}

fn pow_kind(p: f32) -> PowKind {
    if p == 0.0 {
        PowKind::Zero
    } else if p == 1.0 {
        PowKind::One
    } else if p == 2.0 {
        PowKind::Two
    } else if p == 3.0 {
        PowKind::Three
    } else if p == 0.5 {
        PowKind::Half
    } else if p == -0.5 {
        PowKind::MinusHalf
    } else if p == -1.0 {
        PowKind::MinusOne
    } else if p == -2.0 {
        PowKind::MinusTwo
    } else {
        PowKind::General
    }
}

#[inline(always)]
fn pow1(kind: PowKind, x: f32, p: f32) -> f32 {
    match kind {
        PowKind::Zero => 1.0,
        PowKind::One => x,
        PowKind::Two => x * x,
        PowKind::Three => x * x * x,
        PowKind::Half => x.sqrt(),
        PowKind::MinusHalf => 1.0 / x.sqrt(),
        PowKind::MinusOne => 1.0 / x,
        PowKind::MinusTwo => 1.0 / (x * x),
        PowKind::General => x.powf(p),
    }
}

#[inline(always)]
fn map1_scalar(x: &[f32], y: &mut [f32], f: impl Fn(f32) -> f32) {
    for (yi, &xi) in y.iter_mut().zip(x.iter()) {
        *yi = f(xi);
    }
}

#[inline(always)]
fn map2_scalar(a: &[f32], b: &[f32], y: &mut [f32], f: impl Fn(f32, f32) -> f32) {
    for ((yi, &ai), &bi) in y.iter_mut().zip(a.iter()).zip(b.iter()) {
        *yi = f(ai, bi);
    }
}

// ---------------------------------------------------------------------------------------------------------
// SIMD helpers

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    /// y[i] = fv(x[i..i+4]) lane-wise, tail with the scalar `fs`.
    #[inline(always)]
    pub fn map1(x: &[f32], y: &mut [f32], fv: impl Fn(v128) -> v128, fs: impl Fn(f32) -> f32) {
        let n = x.len().min(y.len());
        let xp = x.as_ptr();
        let yp = y.as_mut_ptr();
        let mut i = 0;
        // SAFETY: every access is at an index < n ≤ len of both slices.
        unsafe {
            while i + 16 <= n {
                let a0 = v128_load(xp.add(i) as *const v128);
                let a1 = v128_load(xp.add(i + 4) as *const v128);
                let a2 = v128_load(xp.add(i + 8) as *const v128);
                let a3 = v128_load(xp.add(i + 12) as *const v128);
                v128_store(yp.add(i) as *mut v128, fv(a0));
                v128_store(yp.add(i + 4) as *mut v128, fv(a1));
                v128_store(yp.add(i + 8) as *mut v128, fv(a2));
                v128_store(yp.add(i + 12) as *mut v128, fv(a3));
                i += 16;
            }
            while i + 4 <= n {
                let a = v128_load(xp.add(i) as *const v128);
                v128_store(yp.add(i) as *mut v128, fv(a));
                i += 4;
            }
        }
        while i < n {
            y[i] = fs(x[i]);
            i += 1;
        }
    }

    /// y[i] = fv(a[i], b[i]) lane-wise, tail with the scalar `fs`.
    #[inline(always)]
    pub fn map2(
        a: &[f32],
        b: &[f32],
        y: &mut [f32],
        fv: impl Fn(v128, v128) -> v128,
        fs: impl Fn(f32, f32) -> f32,
    ) {
        let n = a.len().min(b.len()).min(y.len());
        let ap = a.as_ptr();
        let bp = b.as_ptr();
        let yp = y.as_mut_ptr();
        let mut i = 0;
        // SAFETY: every access is at an index < n ≤ len of all three slices.
        unsafe {
            while i + 8 <= n {
                let a0 = v128_load(ap.add(i) as *const v128);
                let a1 = v128_load(ap.add(i + 4) as *const v128);
                let b0 = v128_load(bp.add(i) as *const v128);
                let b1 = v128_load(bp.add(i + 4) as *const v128);
                v128_store(yp.add(i) as *mut v128, fv(a0, b0));
                v128_store(yp.add(i + 4) as *mut v128, fv(a1, b1));
                i += 8;
            }
            while i + 4 <= n {
                let a0 = v128_load(ap.add(i) as *const v128);
                let b0 = v128_load(bp.add(i) as *const v128);
                v128_store(yp.add(i) as *mut v128, fv(a0, b0));
                i += 4;
            }
        }
        while i < n {
            y[i] = fs(a[i], b[i]);
            i += 1;
        }
    }

    /// In place: y[i] = fv(y[i], x[i]).
    #[inline(always)]
    pub fn update(
        x: &[f32],
        y: &mut [f32],
        fv: impl Fn(v128, v128) -> v128,
        fs: impl Fn(f32, f32) -> f32,
    ) {
        let n = x.len().min(y.len());
        let xp = x.as_ptr();
        let yp = y.as_mut_ptr();
        let mut i = 0;
        // SAFETY: every access is at an index < n ≤ len of both slices.
        unsafe {
            while i + 8 <= n {
                let x0 = v128_load(xp.add(i) as *const v128);
                let x1 = v128_load(xp.add(i + 4) as *const v128);
                let y0 = v128_load(yp.add(i) as *const v128);
                let y1 = v128_load(yp.add(i + 4) as *const v128);
                v128_store(yp.add(i) as *mut v128, fv(y0, x0));
                v128_store(yp.add(i + 4) as *mut v128, fv(y1, x1));
                i += 8;
            }
            while i + 4 <= n {
                let x0 = v128_load(xp.add(i) as *const v128);
                let y0 = v128_load(yp.add(i) as *const v128);
                v128_store(yp.add(i) as *mut v128, fv(y0, x0));
                i += 4;
            }
        }
        while i < n {
            y[i] = fs(y[i], x[i]);
            i += 1;
        }
    }

    #[inline(always)]
    pub fn binop(op: u32, a: v128, b: v128) -> v128 {
        match op {
            super::OP_ADD => f32x4_add(a, b),
            super::OP_SUB => f32x4_sub(a, b),
            super::OP_MUL => f32x4_mul(a, b),
            _ => f32x4_div(a, b),
        }
    }

    /// e^x for x ≤ 0 (Cephes expf polynomial, ≈ 1 ulp; exact 0 below −104, denormal results handled by
    /// scaling with two powers of two). NaN → NaN.
    #[inline(always)]
    pub fn exp_nonpos(x: v128) -> v128 {
        let x = f32x4_max(x, f32x4_splat(-104.0));
        let fx = f32x4_nearest(f32x4_mul(x, f32x4_splat(core::f32::consts::LOG2_E)));
        let r = f32x4_sub(x, f32x4_mul(fx, f32x4_splat(0.693_359_375)));
        let r = f32x4_sub(r, f32x4_mul(fx, f32x4_splat(-2.121_944_4e-4)));
        let mut p = f32x4_splat(1.987_569_1e-4);
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(1.398_199_9e-3));
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(8.333_452e-3));
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(4.166_579_6e-2));
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(1.666_666_5e-1));
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(5.000_000_1e-1));
        p = f32x4_add(
            f32x4_mul(f32x4_mul(p, r), r),
            f32x4_add(r, f32x4_splat(1.0)),
        );
        let n = i32x4_trunc_sat_f32x4(fx); // in [-150, 0]
        let n1 = i32x4_shr(n, 1);
        let n2 = i32x4_sub(n, n1);
        let bias = i32x4_splat(127);
        let s1 = i32x4_shl(i32x4_add(n1, bias), 23);
        let s2 = i32x4_shl(i32x4_add(n2, bias), 23);
        f32x4_mul(f32x4_mul(p, s1), s2)
    }

    #[inline(always)]
    pub fn sigmoid(x: v128) -> v128 {
        let one = f32x4_splat(1.0);
        let e = exp_nonpos(f32x4_neg(f32x4_abs(x)));
        let d = f32x4_add(one, e);
        let pos = f32x4_div(one, d);
        let neg = f32x4_div(e, d);
        v128_bitselect(pos, neg, f32x4_ge(x, f32x4_splat(0.0)))
    }
}

// ---------------------------------------------------------------------------------------------------------
// ReLU

/// y = max(x, 0) (NaN propagates).
pub fn relu(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // x where !(x <= 0) — keeps NaN, maps −0 to +0 — exactly like `relu1`; a compare and an and-not
        // (V8 lowers f32x4.max, with its NaN rules, to a much longer sequence on x86).
        let zero = f32x4_splat(0.0);
        simd::map1(x, y, |v| v128_andnot(v, f32x4_le(v, zero)), relu1);
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    relu_ref(x, y);
}

pub fn relu_ref(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, relu1);
}

/// dx = dy where x > 0, else 0 (x is the forward input).
pub fn relu_backward(x: &[f32], dy: &[f32], dx: &mut [f32]) {
    debug_assert!(x.len() == dx.len() && dy.len() == dx.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let zero = f32x4_splat(0.0);
        simd::map2(
            x,
            dy,
            dx,
            |xv, dv| v128_and(dv, f32x4_gt(xv, zero)),
            relu_bwd1,
        );
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    relu_backward_ref(x, dy, dx);
}

pub fn relu_backward_ref(x: &[f32], dy: &[f32], dx: &mut [f32]) {
    debug_assert!(x.len() == dx.len() && dy.len() == dx.len());
    map2_scalar(x, dy, dx, relu_bwd1);
}

// ---------------------------------------------------------------------------------------------------------
// sigmoid

/// y = 1/(1+e^-x), evaluated without overflow for any x.
pub fn sigmoid(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // The tail uses the SIMD formula too (one padded vector), so the result of an element does not
        // depend on its position.
        let n = x.len().min(y.len());
        let body = n - n % 4;
        simd::map1(&x[..body], &mut y[..body], simd::sigmoid, sigmoid1);
        if body < n {
            let mut buf = [0.0f32; 4];
            buf[..n - body].copy_from_slice(&x[body..n]);
            // SAFETY: buf is 16 bytes.
            let r = unsafe { simd::sigmoid(v128_load(buf.as_ptr() as *const v128)) };
            // SAFETY: as above.
            unsafe { v128_store(buf.as_mut_ptr() as *mut v128, r) };
            y[body..n].copy_from_slice(&buf[..n - body]);
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    sigmoid_ref(x, y);
}

pub fn sigmoid_ref(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, sigmoid1);
}

/// dx = dy · (1 − y) · y, with y the forward output.
pub fn sigmoid_backward(y: &[f32], dy: &[f32], dx: &mut [f32]) {
    debug_assert!(y.len() == dx.len() && dy.len() == dx.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let one = f32x4_splat(1.0);
        simd::map2(
            y,
            dy,
            dx,
            |yv, dv| f32x4_mul(f32x4_mul(dv, f32x4_sub(one, yv)), yv),
            sigmoid_bwd1,
        );
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    sigmoid_backward_ref(y, dy, dx);
}

pub fn sigmoid_backward_ref(y: &[f32], dy: &[f32], dx: &mut [f32]) {
    debug_assert!(y.len() == dx.len() && dy.len() == dx.len());
    map2_scalar(y, dy, dx, sigmoid_bwd1);
}

// ---------------------------------------------------------------------------------------------------------
// unary maths (exp / log go through std's deterministic libm in both paths)

/// y = e^x.
pub fn exp(x: &[f32], y: &mut [f32]) {
    exp_ref(x, y);
}

pub fn exp_ref(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, f32::exp);
}

/// y = ln x (ln 0 = −inf, ln of a negative = NaN).
pub fn log(x: &[f32], y: &mut [f32]) {
    log_ref(x, y);
}

pub fn log_ref(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, f32::ln);
}

/// y = |x|.
pub fn abs(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd::map1(x, y, |v| f32x4_abs(v), f32::abs);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    abs_ref(x, y);
}

pub fn abs_ref(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, f32::abs);
}

/// y = −x.
pub fn neg(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd::map1(x, y, |v| f32x4_neg(v), |v| -v);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    neg_ref(x, y);
}

pub fn neg_ref(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, |v| -v);
}

/// y = sign(x) ∈ {−1, 0, 1}; sign(±0) = +0 and sign(NaN) = 0 as PyTorch's CPU kernel.
pub fn sign(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let zero = f32x4_splat(0.0);
        let one = f32x4_splat(1.0);
        simd::map1(
            x,
            y,
            |v| {
                f32x4_sub(
                    v128_and(f32x4_gt(v, zero), one),
                    v128_and(f32x4_lt(v, zero), one),
                )
            },
            sign1,
        );
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    sign_ref(x, y);
}

pub fn sign_ref(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, sign1);
}

/// y = x^p. p ∈ {0, 1, 2, 3, ½, −½, −1, −2} use PyTorch's closed forms (x·x, sqrt, 1/x …) — so `p == 2`
/// is exactly `x*x` — any other p calls `powf`.
pub fn pow_scalar(x: &[f32], p: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    let kind = pow_kind(p);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let one = f32x4_splat(1.0);
        let f = |v: f32| pow1(kind, v, p);
        match kind {
            PowKind::Zero => simd::map1(x, y, |_| one, f),
            PowKind::One => simd::map1(x, y, |v| v, f),
            PowKind::Two => simd::map1(x, y, |v| f32x4_mul(v, v), f),
            PowKind::Three => simd::map1(x, y, |v| f32x4_mul(f32x4_mul(v, v), v), f),
            PowKind::Half => simd::map1(x, y, |v| f32x4_sqrt(v), f),
            PowKind::MinusHalf => simd::map1(x, y, |v| f32x4_div(one, f32x4_sqrt(v)), f),
            PowKind::MinusOne => simd::map1(x, y, |v| f32x4_div(one, v), f),
            PowKind::MinusTwo => simd::map1(x, y, |v| f32x4_div(one, f32x4_mul(v, v)), f),
            PowKind::General => map1_scalar(x, y, f),
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    map1_scalar(x, y, |v| pow1(kind, v, p));
}

pub fn pow_scalar_ref(x: &[f32], p: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    let kind = pow_kind(p);
    map1_scalar(x, y, |v| pow1(kind, v, p));
}

// ---------------------------------------------------------------------------------------------------------
// scalar ops, axpy, fill

/// y = alpha · x.
pub fn scale(x: &[f32], alpha: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let a = f32x4_splat(alpha);
        simd::map1(x, y, |v| f32x4_mul(a, v), |v| alpha * v);
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    scale_ref(x, alpha, y);
}

pub fn scale_ref(x: &[f32], alpha: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, |v| alpha * v);
}

/// y = x + s.
pub fn add_scalar(x: &[f32], s: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let sv = f32x4_splat(s);
        simd::map1(x, y, |v| f32x4_add(v, sv), |v| v + s);
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    add_scalar_ref(x, s, y);
}

pub fn add_scalar_ref(x: &[f32], s: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, |v| v + s);
}

/// y += alpha · x (no fused multiply-add, so the same bits as the reference).
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let a = f32x4_splat(alpha);
        simd::update(
            x,
            y,
            |yv, xv| f32x4_add(yv, f32x4_mul(a, xv)),
            |yv, xv| yv + alpha * xv,
        );
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    axpy_ref(alpha, x, y);
}

pub fn axpy_ref(alpha: f32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, &xi) in y.iter_mut().zip(x.iter()) {
        *yi += alpha * xi;
    }
}

/// y[i] = value.
pub fn fill(y: &mut [f32], value: f32) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let v = f32x4_splat(value);
        let n = y.len();
        let p = y.as_mut_ptr();
        let mut i = 0;
        // SAFETY: i + 4 ≤ n.
        unsafe {
            while i + 4 <= n {
                v128_store(p.add(i) as *mut v128, v);
                i += 4;
            }
        }
        for yi in &mut y[i..] {
            *yi = value;
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fill_ref(y, value);
}

pub fn fill_ref(y: &mut [f32], value: f32) {
    for yi in y.iter_mut() {
        *yi = value;
    }
}

// ---------------------------------------------------------------------------------------------------------
// binary ops

/// y[i] = a[i % a.len()] op b[i % b.len()], op ∈ {0 add, 1 sub, 2 mul, 3 div}. `a.len()` and `b.len()`
/// must each divide `y.len()` (same shape, a scalar, or a trailing-dims block such as a bias row).
/// An unknown op code or an empty operand (with y non-empty) leaves y untouched (the ABI rejects both).
pub fn binary(op: u32, a: &[f32], b: &[f32], y: &mut [f32]) {
    let n = y.len();
    debug_assert!(binary_op_valid(op));
    if !binary_op_valid(op) || n == 0 || a.is_empty() || b.is_empty() {
        return;
    }
    debug_assert!(n % a.len() == 0 && n % b.len() == 0);
    let (la, lb) = (a.len(), b.len());
    if la == n && lb == n {
        binary_same(op, a, b, y);
    } else if la == n && n % lb == 0 {
        // b repeats every lb elements (scalar or bias-like)
        if lb == 1 {
            binary_scalar_b(op, a, b[0], y);
        } else {
            for (ya, aa) in y.chunks_exact_mut(lb).zip(a.chunks_exact(lb)) {
                binary_same(op, aa, b, ya);
            }
        }
    } else if lb == n && n % la == 0 {
        if la == 1 {
            binary_scalar_a(op, a[0], b, y);
        } else {
            for (yb, bb) in y.chunks_exact_mut(la).zip(b.chunks_exact(la)) {
                binary_same(op, a, bb, yb);
            }
        }
    } else {
        // both operands repeat: wrap-around counters, no division per element
        let (mut ia, mut ib) = (0usize, 0usize);
        for yi in y.iter_mut() {
            *yi = binop1(op, a[ia], b[ib]);
            ia += 1;
            if ia == la {
                ia = 0;
            }
            ib += 1;
            if ib == lb {
                ib = 0;
            }
        }
    }
}

pub fn binary_ref(op: u32, a: &[f32], b: &[f32], y: &mut [f32]) {
    debug_assert!(binary_op_valid(op));
    if !binary_op_valid(op) || a.is_empty() || b.is_empty() {
        return;
    }
    for (i, yi) in y.iter_mut().enumerate() {
        *yi = binop1(op, a[i % a.len()], b[i % b.len()]);
    }
}

#[inline(always)]
fn binary_same(op: u32, a: &[f32], b: &[f32], y: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    match op {
        OP_ADD => simd::map2(a, b, y, |p, q| f32x4_add(p, q), |p, q| p + q),
        OP_SUB => simd::map2(a, b, y, |p, q| f32x4_sub(p, q), |p, q| p - q),
        OP_MUL => simd::map2(a, b, y, |p, q| f32x4_mul(p, q), |p, q| p * q),
        _ => simd::map2(a, b, y, |p, q| f32x4_div(p, q), |p, q| p / q),
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    map2_scalar(a, b, y, |p, q| binop1(op, p, q));
}

#[inline(always)]
fn binary_scalar_b(op: u32, a: &[f32], s: f32, y: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let sv = f32x4_splat(s);
        simd::map1(a, y, |v| simd::binop(op, v, sv), |v| binop1(op, v, s));
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    map1_scalar(a, y, |v| binop1(op, v, s));
}

#[inline(always)]
fn binary_scalar_a(op: u32, s: f32, b: &[f32], y: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let sv = f32x4_splat(s);
        simd::map1(b, y, |v| simd::binop(op, sv, v), |v| binop1(op, s, v));
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    map1_scalar(b, y, |v| binop1(op, s, v));
}

/// y[r·cols + j] = a[(r·cols + j) % a.len()] op col[r] — a `[rows, 1]` column broadcast along each row
/// (rows = y.len() / cols). `a` normally has y's length.
pub fn binary_rows(op: u32, a: &[f32], col: &[f32], y: &mut [f32], cols: usize) {
    debug_assert!(binary_op_valid(op));
    if !binary_op_valid(op) || cols == 0 || y.is_empty() || a.is_empty() {
        return;
    }
    let n = y.len();
    debug_assert!(n % cols == 0 && col.len() >= n / cols);
    if a.len() == n {
        for ((yr, ar), &c) in y
            .chunks_exact_mut(cols)
            .zip(a.chunks_exact(cols))
            .zip(col.iter())
        {
            binary_scalar_b(op, ar, c, yr);
        }
    } else {
        binary_rows_ref(op, a, col, y, cols);
    }
}

pub fn binary_rows_ref(op: u32, a: &[f32], col: &[f32], y: &mut [f32], cols: usize) {
    debug_assert!(binary_op_valid(op));
    if !binary_op_valid(op) || cols == 0 || a.is_empty() {
        return;
    }
    for (i, yi) in y.iter_mut().enumerate() {
        *yi = binop1(op, a[i % a.len()], col[i / cols]);
    }
}

// ---------------------------------------------------------------------------------------------------------
// bias

/// y[r, j] = x[r, j] + bias[j]  (x, y: rows × cols; bias: cols).
pub fn bias_add(x: &[f32], bias: &[f32], y: &mut [f32], rows: usize, cols: usize) {
    debug_assert!(x.len() >= rows * cols && y.len() >= rows * cols && bias.len() >= cols);
    if cols == 0 {
        return;
    }
    let n = rows * cols;
    for (yr, xr) in y[..n].chunks_exact_mut(cols).zip(x[..n].chunks_exact(cols)) {
        binary_same(OP_ADD, xr, &bias[..cols], yr);
    }
}

pub fn bias_add_ref(x: &[f32], bias: &[f32], y: &mut [f32], rows: usize, cols: usize) {
    debug_assert!(x.len() >= rows * cols && y.len() >= rows * cols && bias.len() >= cols);
    for r in 0..rows {
        for j in 0..cols {
            y[r * cols + j] = x[r * cols + j] + bias[j];
        }
    }
}

/// db[j] = Σ_r dy[r, j] (overwrites db). Sums the rows pairwise (see `reduce::sum_axis`), so the error
/// grows with log(rows), not rows.
pub fn bias_grad(dy: &[f32], db: &mut [f32], rows: usize, cols: usize) {
    debug_assert!(dy.len() >= rows * cols && db.len() >= cols);
    crate::reduce::sum_axis(&dy[..rows * cols], &mut db[..cols], 1, rows, cols);
}

pub fn bias_grad_ref(dy: &[f32], db: &mut [f32], rows: usize, cols: usize) {
    debug_assert!(dy.len() >= rows * cols && db.len() >= cols);
    for j in 0..cols {
        let mut s = 0.0f32;
        for r in 0..rows {
            s += dy[r * cols + j];
        }
        db[j] = s;
    }
}

// ---------------------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(12345);
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s >> 8) as f32 / (1u32 << 24) as f32 * 8.0 - 4.0
            })
            .collect()
    }

    const SIZES: [usize; 14] = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 255, 256, 257];

    fn same_bits(a: &[f32], b: &[f32]) {
        assert_eq!(a.len(), b.len());
        for i in 0..a.len() {
            assert!(
                a[i].to_bits() == b[i].to_bits() || (a[i].is_nan() && b[i].is_nan()),
                "index {}: {} vs {}",
                i,
                a[i],
                b[i]
            );
        }
    }

    fn close(a: &[f32], b: &[f32], rtol: f32, atol: f32) {
        assert_eq!(a.len(), b.len());
        for i in 0..a.len() {
            let ok =
                (a[i] - b[i]).abs() <= atol + rtol * b[i].abs() || (a[i].is_nan() && b[i].is_nan());
            assert!(ok, "index {}: {} vs {}", i, a[i], b[i]);
        }
    }

    #[test]
    fn hand_values() {
        let x = [-2.0f32, -0.0, 0.0, 0.5, 3.0, f32::NAN];
        let mut y = [9.0f32; 6];
        relu(&x, &mut y);
        assert_eq!(&y[..5], &[0.0, 0.0, 0.0, 0.5, 3.0]);
        assert!(y[5].is_nan());
        sign(&x, &mut y);
        assert_eq!(y, [-1.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
        assert_eq!(y[1].to_bits(), 0.0f32.to_bits());
        abs(&x, &mut y);
        assert_eq!(&y[..5], &[2.0, 0.0, 0.0, 0.5, 3.0]);
        neg(&x[..5], &mut y[..5]);
        assert_eq!(&y[..5], &[2.0, 0.0, -0.0, -0.5, -3.0]);
        let mut dx = [0.0f32; 6];
        relu_backward(&x, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &mut dx);
        assert_eq!(dx, [0.0, 0.0, 0.0, 4.0, 5.0, 0.0]);

        let mut s = [0.0f32; 3];
        sigmoid(&[0.0, 2.0, -2.0], &mut s);
        assert_eq!(s[0], 0.5);
        assert!((s[1] - 0.880_797_1).abs() < 1e-7);
        assert!((s[2] - 0.119_202_92).abs() < 1e-7);

        let mut e = [0.0f32; 3];
        exp(&[0.0, 1.0, -1.0], &mut e);
        assert_eq!(e, [1.0, core::f32::consts::E, 1.0 / core::f32::consts::E]);
        log(&[1.0, 0.0, -1.0], &mut e);
        assert_eq!(e[0], 0.0);
        assert_eq!(e[1], f32::NEG_INFINITY);
        assert!(e[2].is_nan());

        let mut p = [0.0f32; 3];
        pow_scalar(&[3.0, -2.0, 0.25], 2.0, &mut p);
        assert_eq!(p, [9.0, 4.0, 0.0625]);
        pow_scalar(&[4.0, 9.0, 0.25], 0.5, &mut p);
        assert_eq!(p, [2.0, 3.0, 0.5]);
        pow_scalar(&[2.0, 4.0, 8.0], 3.0, &mut p);
        assert_eq!(p, [8.0, 64.0, 512.0]);
        pow_scalar(&[2.0, 4.0, 8.0], -1.0, &mut p);
        assert_eq!(p, [0.5, 0.25, 0.125]);
        pow_scalar(&[2.0, 4.0, 8.0], 0.0, &mut p);
        assert_eq!(p, [1.0, 1.0, 1.0]);
        pow_scalar(&[8.0, 27.0, 4.0], 1.5, &mut p);
        assert!((p[0] - 22.627_417).abs() < 1e-5 && (p[2] - 8.0).abs() < 1e-6);

        let mut v = [1.0f32, 2.0, 3.0];
        scale(&[1.0, 2.0, 3.0], -2.0, &mut p);
        assert_eq!(p, [-2.0, -4.0, -6.0]);
        add_scalar(&[1.0, 2.0, 3.0], 0.5, &mut p);
        assert_eq!(p, [1.5, 2.5, 3.5]);
        axpy(2.0, &[1.0, -1.0, 0.5], &mut v);
        assert_eq!(v, [3.0, 0.0, 4.0]);
        fill(&mut v, 7.0);
        assert_eq!(v, [7.0, 7.0, 7.0]);
    }

    #[test]
    fn sigmoid_is_stable_for_large_inputs() {
        let x = [
            -1e4f32,
            -200.0,
            -100.0,
            -88.0,
            88.0,
            100.0,
            1e4,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ];
        let mut y = [0.0f32; 9];
        sigmoid(&x, &mut y);
        for (i, v) in y.iter().enumerate() {
            assert!(
                v.is_finite() && (0.0..=1.0).contains(v),
                "{} -> {}",
                x[i],
                v
            );
        }
        assert_eq!(y[0], 0.0);
        // e^-100 ≈ 26.55 · 2^-149: the nearest denormal is 27 · 2^-149
        assert!((y[2].to_bits() as i32 - 27).abs() <= 1, "{:e}", y[2]);
        assert_eq!(y[6], 1.0);
        assert_eq!(y[7], 1.0);
        assert_eq!(y[8], 0.0);
        let mut z = [0.0f32; 1];
        sigmoid(&[f32::NAN], &mut z);
        assert!(z[0].is_nan());
    }

    #[test]
    fn finite_differences_of_relu_and_sigmoid() {
        let x = data(64, 3);
        let w = data(64, 4); // loss = Σ w·f(x)
        let h = 1e-2f64;
        // sigmoid in f64 for the numerical derivative (the kernel's own f32 output is checked below)
        let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
        let mut y = vec![0.0f32; 64];
        sigmoid(&x, &mut y);
        let mut dx = vec![0.0f32; 64];
        sigmoid_backward(&y, &w, &mut dx);
        for i in 0..64 {
            let xi = x[i] as f64;
            let num = w[i] as f64 * (sig(xi + h) - sig(xi - h)) / (2.0 * h);
            assert!(
                (dx[i] as f64 - num).abs() < 1e-4,
                "{}: {} vs {}",
                i,
                dx[i],
                num
            );
            assert!((y[i] as f64 - sig(xi)).abs() < 1e-6);
        }
        // relu: f32 forward through the kernel, away from the kink
        let hf = 1e-2f32;
        relu_backward(&x, &w, &mut dx);
        for i in 0..64 {
            if x[i].abs() < 0.05 {
                continue;
            }
            let mut yp = [0.0f32];
            let mut ym = [0.0f32];
            relu(&[x[i] + hf], &mut yp);
            relu(&[x[i] - hf], &mut ym);
            let num = w[i] * (yp[0] - ym[0]) / (2.0 * hf);
            assert!((dx[i] - num).abs() < 1e-3, "{}: {} vs {}", i, dx[i], num);
        }
    }

    #[test]
    fn fast_matches_ref_at_odd_sizes() {
        for &n in SIZES.iter() {
            let x = data(n, n as u32);
            let g = data(n, n as u32 + 99);
            let pos: Vec<f32> = x.iter().map(|v| v.abs() + 0.01).collect();
            let mut a = vec![0.0f32; n];
            let mut b = vec![0.0f32; n];
            macro_rules! un {
                ($f:ident, $r:ident, $x:expr) => {
                    $f($x, &mut a);
                    $r($x, &mut b);
                    same_bits(&a, &b);
                };
            }
            un!(relu, relu_ref, &x);
            un!(exp, exp_ref, &x);
            un!(log, log_ref, &pos);
            un!(abs, abs_ref, &x);
            un!(neg, neg_ref, &x);
            un!(sign, sign_ref, &x);
            sigmoid(&x, &mut a);
            sigmoid_ref(&x, &mut b);
            close(&a, &b, 3e-7, 0.0);
            relu_backward(&x, &g, &mut a);
            relu_backward_ref(&x, &g, &mut b);
            same_bits(&a, &b);
            sigmoid_backward(&pos, &g, &mut a);
            sigmoid_backward_ref(&pos, &g, &mut b);
            same_bits(&a, &b);
            for &p in [0.0f32, 1.0, 2.0, 3.0, 0.5, -0.5, -1.0, -2.0, 1.7].iter() {
                pow_scalar(&pos, p, &mut a);
                pow_scalar_ref(&pos, p, &mut b);
                same_bits(&a, &b);
            }
            scale(&x, 0.3, &mut a);
            scale_ref(&x, 0.3, &mut b);
            same_bits(&a, &b);
            add_scalar(&x, 0.3, &mut a);
            add_scalar_ref(&x, 0.3, &mut b);
            same_bits(&a, &b);
            a.copy_from_slice(&g);
            b.copy_from_slice(&g);
            axpy(-0.7, &x, &mut a);
            axpy_ref(-0.7, &x, &mut b);
            same_bits(&a, &b);
            fill(&mut a, 1.25);
            fill_ref(&mut b, 1.25);
            same_bits(&a, &b);
            for op in 0..4 {
                binary(op, &x, &pos, &mut a);
                binary_ref(op, &x, &pos, &mut b);
                same_bits(&a, &b);
            }
        }
    }

    #[test]
    fn binary_broadcasting() {
        // same shape
        let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [6.0f32, 5.0, 4.0, 3.0, 2.0, 1.0];
        let mut y = [0.0f32; 6];
        binary(OP_SUB, &a, &b, &mut y);
        assert_eq!(y, [-5.0, -3.0, -1.0, 1.0, 3.0, 5.0]);
        // scalar on either side
        binary(OP_MUL, &a, &[2.0], &mut y);
        assert_eq!(y, [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]);
        binary(OP_DIV, &[12.0], &a, &mut y);
        assert_eq!(y, [12.0, 6.0, 4.0, 3.0, 2.4, 2.0]);
        // bias [cols] on a [2, 3]
        binary(OP_ADD, &a, &[10.0, 20.0, 30.0], &mut y);
        assert_eq!(y, [11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
        binary(OP_SUB, &[10.0, 20.0, 30.0], &a, &mut y);
        assert_eq!(y, [9.0, 18.0, 27.0, 6.0, 15.0, 24.0]);
        // both repeating
        binary(OP_ADD, &[1.0, 2.0], &[10.0, 20.0, 30.0], &mut y);
        assert_eq!(y, [11.0, 22.0, 31.0, 12.0, 21.0, 32.0]);
        // [rows, 1] column
        binary_rows(OP_SUB, &a, &[1.0, 4.0], &mut y, 3);
        assert_eq!(y, [0.0, 1.0, 2.0, 0.0, 1.0, 2.0]);
        binary_rows(OP_DIV, &a, &[1.0, 2.0], &mut y, 3);
        assert_eq!(y, [1.0, 2.0, 3.0, 2.0, 2.5, 3.0]);
        // bias helpers
        bias_add(&a, &[1.0, 0.0, -1.0], &mut y, 2, 3);
        assert_eq!(y, [2.0, 2.0, 2.0, 5.0, 5.0, 5.0]);
        let mut db = [9.0f32; 3];
        bias_grad(&a, &mut db, 2, 3);
        assert_eq!(db, [5.0, 7.0, 9.0]);

        // fast vs ref over many broadcast shapes
        for &(rows, cols) in [
            (1usize, 1usize),
            (3, 5),
            (7, 4),
            (17, 9),
            (256, 10),
            (2, 257),
        ]
        .iter()
        {
            let n = rows * cols;
            let x = data(n, 7);
            let bias = data(cols, 8);
            let col = data(rows, 9);
            let mut y1 = vec![0.0f32; n];
            let mut y2 = vec![0.0f32; n];
            for op in 0..4 {
                binary(op, &x, &bias, &mut y1);
                binary_ref(op, &x, &bias, &mut y2);
                same_bits(&y1, &y2);
                binary(op, &bias, &x, &mut y1);
                binary_ref(op, &bias, &x, &mut y2);
                same_bits(&y1, &y2);
                binary(op, &x[..1], &x, &mut y1);
                binary_ref(op, &x[..1], &x, &mut y2);
                same_bits(&y1, &y2);
                binary_rows(op, &x, &col, &mut y1, cols);
                binary_rows_ref(op, &x, &col, &mut y2, cols);
                same_bits(&y1, &y2);
            }
            bias_add(&x, &bias, &mut y1, rows, cols);
            bias_add_ref(&x, &bias, &mut y2, rows, cols);
            same_bits(&y1, &y2);
            binary(OP_ADD, &x, &bias, &mut y2);
            same_bits(&y1, &y2);
            let mut d1 = vec![0.0f32; cols];
            let mut d2 = vec![0.0f32; cols];
            bias_grad(&x, &mut d1, rows, cols);
            bias_grad_ref(&x, &mut d2, rows, cols);
            close(&d1, &d2, 1e-5, 1e-5);
        }
    }
}
