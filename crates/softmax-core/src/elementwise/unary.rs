//! The table of unary maths (one export, an op code per function) with its backward, `clamp` with its
//! backward, and the gradient of `maximum` / `minimum`.
//!
//! Rounding, reciprocals and the two helpers run on `crate::simd` (IEEE operations, the same bits as the
//! scalar twins); the transcendental functions call Rust's `f32` functions (libm's software
//! implementations on wasm, so the bits do not depend on the machine) in both paths.

use super::{lanes, map1_scalar, OP_MAX};
use crate::simd::F32x4;

/// The op codes of [`unary`], in order: code i is `UNARY_OPS[i]`. `zero_inf` is x with ±inf replaced by 0
/// (the shift of a stable logsumexp); `reciprocal_or_zero` is 1/x with 0 where x == 0 (the masked
/// divisions of the std and norm gradients).
pub const UNARY_OPS: [&str; 12] = [
    "tanh",
    "floor",
    "ceil",
    "round",
    "reciprocal",
    "rsqrt",
    "log1p",
    "expm1",
    "sin",
    "cos",
    "zero_inf",
    "reciprocal_or_zero",
];

const TANH: u32 = 0;
const FLOOR: u32 = 1;
const CEIL: u32 = 2;
const ROUND: u32 = 3;
const RECIPROCAL: u32 = 4;
const RSQRT: u32 = 5;
const LOG1P: u32 = 6;
const EXPM1: u32 = 7;
const SIN: u32 = 8;
const COS: u32 = 9;
const ZERO_INF: u32 = 10;
const RECIPROCAL_OR_ZERO: u32 = 11;

/// `true` if `op` is a code of [`UNARY_OPS`].
pub fn unary_op_valid(op: u32) -> bool {
    (op as usize) < UNARY_OPS.len()
}

/// Round half to even keeping the sign of zero (torch.round); Rust 1.63 has no `round_ties_even`.
#[inline(always)]
fn round_half_even(x: f32) -> f32 {
    const TWO23: f32 = 8_388_608.0;
    let t = x.abs();
    if t < TWO23 {
        ((t + TWO23) - TWO23).copysign(x)
    } else {
        x
    }
}

#[inline(always)]
fn unary1(op: u32, x: f32) -> f32 {
    match op {
        TANH => x.tanh(),
        FLOOR => x.floor(),
        CEIL => x.ceil(),
        ROUND => round_half_even(x),
        RECIPROCAL => 1.0 / x,
        RSQRT => 1.0 / x.sqrt(),
        LOG1P => x.ln_1p(),
        EXPM1 => x.exp_m1(),
        SIN => x.sin(),
        COS => x.cos(),
        ZERO_INF => {
            if x.is_infinite() {
                0.0
            } else {
                x
            }
        }
        _ => {
            if x == 0.0 {
                0.0
            } else {
                1.0 / x
            }
        }
    }
}

/// y = UNARY_OPS[op](x). An unknown code leaves y untouched (the ABI rejects it).
pub fn unary(op: u32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    let one = F32x4::splat(1.0);
    let zero = F32x4::splat(0.0);
    let inf = F32x4::splat(f32::INFINITY);
    let f = |v: f32| unary1(op, v);
    match op {
        FLOOR => lanes::map1(x, y, |v| v.floor(), f),
        CEIL => lanes::map1(x, y, |v| v.ceil(), f),
        ROUND => lanes::map1(x, y, |v| v.nearest(), f),
        RECIPROCAL => lanes::map1(x, y, |v| one.div(v), f),
        RSQRT => lanes::map1(x, y, |v| one.div(v.sqrt()), f),
        ZERO_INF => lanes::map1(x, y, |v| v.andnot(v.abs().eq(inf)), f),
        RECIPROCAL_OR_ZERO => lanes::map1(x, y, |v| one.div(v).andnot(v.eq(zero)), f),
        _ if unary_op_valid(op) => map1_scalar(x, y, f),
        _ => {}
    }
}

pub fn unary_ref(op: u32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    if unary_op_valid(op) {
        map1_scalar(x, y, |v| unary1(op, v));
    }
}

/// PyTorch's derivative formulas (derivatives.yaml, 1.13), in its order of operations; 0 for the
/// rounding functions and the helpers.
#[inline(always)]
fn unary_bwd1(op: u32, x: f32, y: f32, dy: f32) -> f32 {
    match op {
        TANH => dy * (1.0 - y * y),
        RECIPROCAL => -dy * (y * y),
        RSQRT => (-0.5 * dy) * (y * y * y),
        LOG1P => dy / (x + 1.0),
        EXPM1 => dy * (y + 1.0),
        SIN => dy * x.cos(),
        COS => dy * -x.sin(),
        _ => 0.0,
    }
}

/// dx from the forward input x, output y and dy, for the op of [`unary`].
pub fn unary_backward(op: u32, x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    debug_assert!(x.len() == dx.len() && y.len() == dx.len() && dy.len() == dx.len());
    let one = F32x4::splat(1.0);
    let half = F32x4::splat(-0.5);
    match op {
        TANH => lanes::map2(
            y,
            dy,
            dx,
            |y, d| d.mul(one.sub(y.mul(y))),
            |y, d| unary_bwd1(TANH, 0.0, y, d),
        ),
        RECIPROCAL => lanes::map2(
            y,
            dy,
            dx,
            |y, d| d.neg().mul(y.mul(y)),
            |y, d| unary_bwd1(RECIPROCAL, 0.0, y, d),
        ),
        RSQRT => lanes::map2(
            y,
            dy,
            dx,
            |y, d| half.mul(d).mul(y.mul(y).mul(y)),
            |y, d| unary_bwd1(RSQRT, 0.0, y, d),
        ),
        LOG1P => lanes::map2(
            x,
            dy,
            dx,
            |x, d| d.div(x.add(one)),
            |x, d| unary_bwd1(LOG1P, x, 0.0, d),
        ),
        EXPM1 => lanes::map2(
            y,
            dy,
            dx,
            |y, d| d.mul(y.add(one)),
            |y, d| unary_bwd1(EXPM1, 0.0, y, d),
        ),
        _ => unary_backward_ref(op, x, y, dy, dx),
    }
}

pub fn unary_backward_ref(op: u32, x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    debug_assert!(x.len() == dx.len() && y.len() == dx.len() && dy.len() == dx.len());
    if !unary_op_valid(op) {
        return;
    }
    for i in 0..dx.len() {
        dx[i] = unary_bwd1(op, x[i], y[i], dy[i]);
    }
}

// ---------------------------------------------------------------------------------------------------------
// clamp

#[inline(always)]
fn clamp1(x: f32, lo: f32, hi: f32) -> f32 {
    let v = if x < lo { lo } else { x };
    if v > hi {
        hi
    } else {
        v
    }
}

/// y = min(max(x, lo), hi): NaN stays NaN, and every element is hi when lo > hi (torch.clamp). A bound
/// that is not given is −inf / +inf.
pub fn clamp(x: &[f32], lo: f32, hi: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    let (l, h) = (F32x4::splat(lo), F32x4::splat(hi));
    lanes::map1(
        x,
        y,
        |v| {
            let v = F32x4::select(v.lt(l), l, v);
            F32x4::select(v.gt(h), h, v)
        },
        |v| clamp1(v, lo, hi),
    );
}

pub fn clamp_ref(x: &[f32], lo: f32, hi: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    map1_scalar(x, y, |v| clamp1(v, lo, hi));
}

#[inline(always)]
fn clamp_bwd1(x: f32, dy: f32, lo: f32, hi: f32) -> f32 {
    if x >= lo && x <= hi {
        dy
    } else {
        0.0
    }
}

/// dx = dy where lo ≤ x ≤ hi (bounds included, as PyTorch), else 0; 0 where x is NaN.
pub fn clamp_backward(x: &[f32], dy: &[f32], lo: f32, hi: f32, dx: &mut [f32]) {
    debug_assert!(x.len() == dx.len() && dy.len() == dx.len());
    let (l, h) = (F32x4::splat(lo), F32x4::splat(hi));
    lanes::map2(
        x,
        dy,
        dx,
        |x, d| d.and(x.ge(l)).and(x.le(h)),
        |x, d| clamp_bwd1(x, d, lo, hi),
    );
}

pub fn clamp_backward_ref(x: &[f32], dy: &[f32], lo: f32, hi: f32, dx: &mut [f32]) {
    debug_assert!(x.len() == dx.len() && dy.len() == dx.len());
    for i in 0..dx.len() {
        dx[i] = clamp_bwd1(x[i], dy[i], lo, hi);
    }
}

// ---------------------------------------------------------------------------------------------------------
// maximum / minimum backward

/// PyTorch 1.13's gradient of maximum (op 4) / minimum (op 5) for one element: half of dy to each side
/// on a tie, all of it to the winner, and all of it to both when a NaN makes every comparison false.
#[inline(always)]
fn maxmin_bwd1(op: u32, a: f32, b: f32, dy: f32) -> (f32, f32) {
    let g = if a == b { dy / 2.0 } else { dy };
    let (a_loses, b_loses) = if op == OP_MAX {
        (a < b, a > b)
    } else {
        (a > b, a < b)
    };
    (if a_loses { 0.0 } else { g }, if b_loses { 0.0 } else { g })
}

/// da, db of y = maximum(a, b) (op 4) or minimum(a, b) (op 5), all of one length (the broadcast shape).
pub fn maxmin_backward(op: u32, a: &[f32], b: &[f32], dy: &[f32], da: &mut [f32], db: &mut [f32]) {
    maxmin_backward_ref(op, a, b, dy, da, db);
}

pub fn maxmin_backward_ref(
    op: u32,
    a: &[f32],
    b: &[f32],
    dy: &[f32],
    da: &mut [f32],
    db: &mut [f32],
) {
    let n = da.len();
    debug_assert!(a.len() == n && b.len() == n && dy.len() == n && db.len() == n);
    for i in 0..n {
        let (ga, gb) = maxmin_bwd1(op, a[i], b[i], dy[i]);
        da[i] = ga;
        db[i] = gb;
    }
}

// ---------------------------------------------------------------------------------------------------------
// clamp with tensor bounds: backward

/// dx, dlo, dhi of y = clamp(x, lo, hi) with tensor bounds, all of one length (the broadcast shape); an
/// empty `lo` / `hi` is a bound not given (its gradient slice is empty too). PyTorch 1.13's rules: x gets
/// dy where lo ≤ x ≤ hi; lo where x < lo (and lo < hi when hi is given); hi where x > hi (or hi < lo).
pub fn clamp_tensor_backward(
    x: &[f32],
    lo: &[f32],
    hi: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    dlo: &mut [f32],
    dhi: &mut [f32],
) {
    clamp_tensor_backward_ref(x, lo, hi, dy, dx, dlo, dhi);
}

pub fn clamp_tensor_backward_ref(
    x: &[f32],
    lo: &[f32],
    hi: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    dlo: &mut [f32],
    dhi: &mut [f32],
) {
    let n = dx.len();
    let (has_lo, has_hi) = (!lo.is_empty(), !hi.is_empty());
    debug_assert!(x.len() == n && dy.len() == n);
    debug_assert!(
        (!has_lo || (lo.len() == n && dlo.len() == n))
            && (!has_hi || (hi.len() == n && dhi.len() == n))
    );
    for i in 0..n {
        let v = x[i];
        let above_lo = !has_lo || v >= lo[i];
        let below_hi = !has_hi || v <= hi[i];
        dx[i] = if above_lo && below_hi { dy[i] } else { 0.0 };
        if has_lo {
            let take = v < lo[i] && (!has_hi || lo[i] < hi[i]);
            dlo[i] = if take { dy[i] } else { 0.0 };
        }
        if has_hi {
            let take = v > hi[i] || (has_lo && hi[i] < lo[i]);
            dhi[i] = if take { dy[i] } else { 0.0 };
        }
    }
}
