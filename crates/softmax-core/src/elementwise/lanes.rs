//! The loops and lane formulas of the element-wise fast paths, on `crate::simd::F32x4`.

use crate::simd::{F32x4, I32x4};

/// `*p..p+4 = v`, with the address computed before the value as in the loops below (keeps the order in
/// which LLVM emits the operands, and with it the NaN a two-NaN operation returns under V8).
///
/// # Safety
/// `p..p+4` must be writable.
#[inline(always)]
unsafe fn store(p: *mut f32, v: F32x4) {
    v.store_ptr(p)
}

/// y[i] = fv(x[i..i+4]) lane-wise, tail with the scalar `fs`.
#[inline(always)]
pub(super) fn map1(x: &[f32], y: &mut [f32], fv: impl Fn(F32x4) -> F32x4, fs: impl Fn(f32) -> f32) {
    let n = x.len().min(y.len());
    let xp = x.as_ptr();
    let yp = y.as_mut_ptr();
    let mut i = 0;
    // SAFETY: every access is at an index < n ≤ len of both slices.
    unsafe {
        while i + 16 <= n {
            let a0 = F32x4::load_ptr(xp.add(i));
            let a1 = F32x4::load_ptr(xp.add(i + 4));
            let a2 = F32x4::load_ptr(xp.add(i + 8));
            let a3 = F32x4::load_ptr(xp.add(i + 12));
            store(yp.add(i), fv(a0));
            store(yp.add(i + 4), fv(a1));
            store(yp.add(i + 8), fv(a2));
            store(yp.add(i + 12), fv(a3));
            i += 16;
        }
        while i + 4 <= n {
            let a = F32x4::load_ptr(xp.add(i));
            store(yp.add(i), fv(a));
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
pub(super) fn map2(
    a: &[f32],
    b: &[f32],
    y: &mut [f32],
    fv: impl Fn(F32x4, F32x4) -> F32x4,
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
            let a0 = F32x4::load_ptr(ap.add(i));
            let a1 = F32x4::load_ptr(ap.add(i + 4));
            let b0 = F32x4::load_ptr(bp.add(i));
            let b1 = F32x4::load_ptr(bp.add(i + 4));
            store(yp.add(i), fv(a0, b0));
            store(yp.add(i + 4), fv(a1, b1));
            i += 8;
        }
        while i + 4 <= n {
            let a0 = F32x4::load_ptr(ap.add(i));
            let b0 = F32x4::load_ptr(bp.add(i));
            store(yp.add(i), fv(a0, b0));
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
pub(super) fn update(
    x: &[f32],
    y: &mut [f32],
    fv: impl Fn(F32x4, F32x4) -> F32x4,
    fs: impl Fn(f32, f32) -> f32,
) {
    let n = x.len().min(y.len());
    let xp = x.as_ptr();
    let yp = y.as_mut_ptr();
    let mut i = 0;
    // SAFETY: every access is at an index < n ≤ len of both slices.
    unsafe {
        while i + 8 <= n {
            let x0 = F32x4::load_ptr(xp.add(i));
            let x1 = F32x4::load_ptr(xp.add(i + 4));
            let y0 = F32x4::load_ptr(yp.add(i));
            let y1 = F32x4::load_ptr(yp.add(i + 4));
            store(yp.add(i), fv(y0, x0));
            store(yp.add(i + 4), fv(y1, x1));
            i += 8;
        }
        while i + 4 <= n {
            let x0 = F32x4::load_ptr(xp.add(i));
            let y0 = F32x4::load_ptr(yp.add(i));
            store(yp.add(i), fv(y0, x0));
            i += 4;
        }
    }
    while i < n {
        y[i] = fs(y[i], x[i]);
        i += 1;
    }
}

#[inline(always)]
pub(super) fn binop(op: u32, a: F32x4, b: F32x4) -> F32x4 {
    match op {
        super::OP_ADD => a.add(b),
        super::OP_SUB => a.sub(b),
        super::OP_MUL => a.mul(b),
        super::OP_DIV => a.div(b),
        super::OP_MAX => maximum(a, b),
        _ => minimum(a, b),
    }
}

/// Lane-wise twin of `maximum1`: `b` where a < b or b is NaN, else `a`.
#[inline(always)]
pub(super) fn maximum(a: F32x4, b: F32x4) -> F32x4 {
    F32x4::select(a.lt(b).or(b.ne(b)), b, a)
}

/// Lane-wise twin of `minimum1`.
#[inline(always)]
pub(super) fn minimum(a: F32x4, b: F32x4) -> F32x4 {
    F32x4::select(a.gt(b).or(b.ne(b)), b, a)
}

/// e^x for x ≤ 0 (Cephes expf polynomial, ≈ 1 ulp; exact 0 below −104, denormal results handled by
/// scaling with two powers of two). NaN → NaN.
#[inline(always)]
pub(super) fn exp_nonpos(x: F32x4) -> F32x4 {
    let x = x.max(F32x4::splat(-104.0));
    let fx = x.mul(F32x4::splat(core::f32::consts::LOG2_E)).nearest();
    let r = x.sub(fx.mul(F32x4::splat(355.0 / 512.0)));
    let r = r.sub(fx.mul(F32x4::splat(-2.121_944_4e-4)));
    let mut p = F32x4::splat(1.987_569_1e-4);
    p = p.mul(r).add(F32x4::splat(1.398_199_9e-3));
    p = p.mul(r).add(F32x4::splat(8.333_452e-3));
    p = p.mul(r).add(F32x4::splat(4.166_579_6e-2));
    p = p.mul(r).add(F32x4::splat(1.666_666_5e-1));
    p = p.mul(r).add(F32x4::splat(0.5)); // Cephes 5.0000001201e-1 rounds to 0.5 in f32
    p = p.mul(r).mul(r).add(r.add(F32x4::splat(1.0)));
    let n = fx.trunc_sat_i32(); // in [-150, 0]
    let n1 = n.shr::<1>();
    let n2 = n.sub(n1);
    let bias = I32x4::splat(127);
    let s1 = n1.add(bias).shl::<23>().bits_to_f32();
    let s2 = n2.add(bias).shl::<23>().bits_to_f32();
    p.mul(s1).mul(s2)
}

#[inline(always)]
pub(super) fn sigmoid(x: F32x4) -> F32x4 {
    let one = F32x4::splat(1.0);
    let e = exp_nonpos(x.abs().neg());
    let d = one.add(e);
    let pos = one.div(d);
    let neg = e.div(d);
    F32x4::select(x.ge(F32x4::splat(0.0)), pos, neg)
}
