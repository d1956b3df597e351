//! Element-wise kernels: activations (ReLU, sigmoid) and their backward passes, unary maths, scalar
//! ops, `axpy`, `fill`, binary ops with modulo broadcasting, and the bias add / bias gradient of `Linear`.
//! The table of further unary maths (tanh, floor, sin …), clamp and the maximum / minimum gradient live
//! in `unary.rs`.
//!
//! Every kernel has a scalar `*_ref` twin. The fast paths are written on `crate::simd` (wasm `simd128`, or
//! its portable twin natively, so native tests run them too) and produce the same bits as the reference (the lane operations are the IEEE operations the scalar code does), except
//! `sigmoid`, whose SIMD path uses a polynomial `exp` (≤ 2 ulp from the reference) and `bias_grad`, which
//! sums in a pairwise order (see `reduce::sum_axis`).
//!
//! Conventions (PyTorch's): `relu(NaN) = NaN`; `sign(NaN) = 0` and `sign(±0) = +0` (PyTorch's CPU
//! `(0 < x) - (x < 0)`); `relu_backward` passes the gradient only where `x > 0`.
//! Lengths are validated by the ABI; kernels `debug_assert!` them and never read past the shortest slice.

mod lanes;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_unary;
mod unary;

use crate::simd::F32x4;

pub use unary::{
    clamp, clamp_backward, clamp_backward_ref, clamp_ref, clamp_tensor_backward,
    clamp_tensor_backward_ref, maxmin_backward, maxmin_backward_ref, unary, unary_backward,
    unary_backward_ref, unary_op_valid, unary_ref, UNARY_OPS,
};

/// Binary op codes shared with the ABI: 0 add, 1 sub, 2 mul, 3 div, 4 maximum, 5 minimum.
pub const OP_ADD: u32 = 0;
pub const OP_SUB: u32 = 1;
pub const OP_MUL: u32 = 2;
pub const OP_DIV: u32 = 3;
pub const OP_MAX: u32 = 4;
pub const OP_MIN: u32 = 5;

/// `true` if `op` is one of the binary op codes.
pub fn binary_op_valid(op: u32) -> bool {
    op <= OP_MIN
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
        OP_DIV => a / b,
        OP_MAX => maximum1(a, b),
        _ => minimum1(a, b),
    }
}

/// torch.maximum: NaN if either is NaN, else the larger; `a` on equality (so maximum(+0, −0) = +0 and
/// maximum(−0, +0) = −0, as torch 1.13's CPU kernel gives).
#[inline(always)]
fn maximum1(a: f32, b: f32) -> f32 {
    if a < b || b.is_nan() {
        b
    } else {
        a
    }
}

/// torch.minimum, the mirror of [`maximum1`].
#[inline(always)]
fn minimum1(a: f32, b: f32) -> f32 {
    if a > b || b.is_nan() {
        b
    } else {
        a
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

// ---------------------------------------------------------------------------------------------------------
// ReLU

/// y = max(x, 0) (NaN propagates).
pub fn relu(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    {
        // x where !(x <= 0) — keeps NaN, maps −0 to +0 — exactly like `relu1`; a compare and an and-not
        // (V8 lowers f32x4.max, with its NaN rules, to a much longer sequence on x86).
        let zero = F32x4::splat(0.0);
        lanes::map1(x, y, |v| v.andnot(v.le(zero)), relu1);
    }
}

pub fn relu_ref(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, relu1);
}

/// dx = dy where x > 0, else 0 (x is the forward input).
pub fn relu_backward(x: &[f32], dy: &[f32], dx: &mut [f32]) {
    debug_assert!(x.len() == dx.len() && dy.len() == dx.len());
    {
        let zero = F32x4::splat(0.0);
        lanes::map2(x, dy, dx, |xv, dv| dv.and(xv.gt(zero)), relu_bwd1);
    }
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
    {
        // The tail uses the SIMD formula too (one padded vector), so the result of an element does not
        // depend on its position.
        let n = x.len().min(y.len());
        let body = n - n % 4;
        lanes::map1(&x[..body], &mut y[..body], lanes::sigmoid, sigmoid1);
        if body < n {
            let mut buf = [0.0f32; 4];
            buf[..n - body].copy_from_slice(&x[body..n]);
            // SAFETY: buf is 16 bytes.
            let r = lanes::sigmoid(F32x4::load(&buf));
            // SAFETY: as above.
            r.store(&mut buf);
            y[body..n].copy_from_slice(&buf[..n - body]);
        }
    }
}

pub fn sigmoid_ref(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, sigmoid1);
}

/// dx = dy · (1 − y) · y, with y the forward output.
pub fn sigmoid_backward(y: &[f32], dy: &[f32], dx: &mut [f32]) {
    debug_assert!(y.len() == dx.len() && dy.len() == dx.len());
    {
        let one = F32x4::splat(1.0);
        lanes::map2(
            y,
            dy,
            dx,
            |yv, dv| dv.mul(one.sub(yv)).mul(yv),
            sigmoid_bwd1,
        );
    }
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
    lanes::map1(x, y, |v| v.abs(), f32::abs);
}

pub fn abs_ref(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, f32::abs);
}

/// y = −x.
pub fn neg(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    lanes::map1(x, y, |v| v.neg(), |v| -v);
}

pub fn neg_ref(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, |v| -v);
}

/// y = sign(x) ∈ {−1, 0, 1}; sign(±0) = +0 and sign(NaN) = 0 as PyTorch's CPU kernel.
pub fn sign(x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    {
        let zero = F32x4::splat(0.0);
        let one = F32x4::splat(1.0);
        lanes::map1(
            x,
            y,
            |v| one.and(v.gt(zero)).sub(one.and(v.lt(zero))),
            sign1,
        );
    }
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
    {
        let one = F32x4::splat(1.0);
        let f = |v: f32| pow1(kind, v, p);
        match kind {
            PowKind::Zero => lanes::map1(x, y, |_| one, f),
            PowKind::One => lanes::map1(x, y, |v| v, f),
            PowKind::Two => lanes::map1(x, y, |v| v.mul(v), f),
            PowKind::Three => lanes::map1(x, y, |v| v.mul(v).mul(v), f),
            PowKind::Half => lanes::map1(x, y, |v| v.sqrt(), f),
            PowKind::MinusHalf => lanes::map1(x, y, |v| one.div(v.sqrt()), f),
            PowKind::MinusOne => lanes::map1(x, y, |v| one.div(v), f),
            PowKind::MinusTwo => lanes::map1(x, y, |v| one.div(v.mul(v)), f),
            PowKind::General => map1_scalar(x, y, f),
        }
    }
}

/// y[i] = a[i]^b[i], each element as `pow_scalar` computes it for that exponent (the same special
/// cases), so a tensor exponent and a number give the same bits.
pub fn pow_tensor(a: &[f32], b: &[f32], y: &mut [f32]) {
    debug_assert!(a.len() == y.len() && b.len() == y.len());
    for ((yi, &x), &p) in y.iter_mut().zip(a).zip(b) {
        *yi = pow1(pow_kind(p), x, p);
    }
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
    {
        let a = F32x4::splat(alpha);
        lanes::map1(x, y, |v| a.mul(v), |v| alpha * v);
    }
}

pub fn scale_ref(x: &[f32], alpha: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, |v| alpha * v);
}

/// y = x + s.
pub fn add_scalar(x: &[f32], s: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    {
        let sv = F32x4::splat(s);
        lanes::map1(x, y, |v| v.add(sv), |v| v + s);
    }
}

pub fn add_scalar_ref(x: &[f32], s: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, |v| v + s);
}

/// y += alpha · x (no fused multiply-add, so the same bits as the reference).
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    {
        let a = F32x4::splat(alpha);
        lanes::update(x, y, |yv, xv| yv.add(a.mul(xv)), |yv, xv| yv + alpha * xv);
    }
}

pub fn axpy_ref(alpha: f32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, &xi) in y.iter_mut().zip(x.iter()) {
        *yi += alpha * xi;
    }
}

/// y[i] = value.
pub fn fill(y: &mut [f32], value: f32) {
    {
        let v = F32x4::splat(value);
        let n = y.len();
        let p = y.as_mut_ptr();
        let mut i = 0;
        // SAFETY: i + 4 ≤ n.
        unsafe {
            while i + 4 <= n {
                v.store_ptr(p.add(i));
                i += 4;
            }
        }
        for yi in &mut y[i..] {
            *yi = value;
        }
    }
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
    match op {
        OP_ADD => lanes::map2(a, b, y, |p, q| p.add(q), |p, q| p + q),
        OP_SUB => lanes::map2(a, b, y, |p, q| p.sub(q), |p, q| p - q),
        OP_MUL => lanes::map2(a, b, y, |p, q| p.mul(q), |p, q| p * q),
        OP_DIV => lanes::map2(a, b, y, |p, q| p.div(q), |p, q| p / q),
        OP_MAX => lanes::map2(a, b, y, lanes::maximum, maximum1),
        _ => lanes::map2(a, b, y, lanes::minimum, minimum1),
    }
}

#[inline(always)]
fn binary_scalar_b(op: u32, a: &[f32], s: f32, y: &mut [f32]) {
    {
        let sv = F32x4::splat(s);
        lanes::map1(a, y, |v| lanes::binop(op, v, sv), |v| binop1(op, v, s));
    }
}

#[inline(always)]
fn binary_scalar_a(op: u32, s: f32, b: &[f32], y: &mut [f32]) {
    {
        let sv = F32x4::splat(s);
        lanes::map1(b, y, |v| lanes::binop(op, sv, v), |v| binop1(op, s, v));
    }
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
