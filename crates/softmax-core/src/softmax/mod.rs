//! Softmax and log-softmax along the middle axis of a contiguous `[outer, dim, inner]` tensor, their
//! backwards, and the vectorised `exp` shared with `cross_entropy.rs` (section "vectorised expf" below).
//!
//! Numerics: every row is shifted by its maximum before `exp`,
//! so logits of ±1e4 cannot overflow; log-softmax is `(x - max) - ln Σ exp(x - max)`, never `ln(softmax)`.
//! Special values, as in PyTorch:
//! - an element of -inf in a row with a finite maximum gives softmax 0 / log-softmax -inf;
//! - a row that is entirely -inf (or contains +inf or NaN) gives NaN for the whole row, because
//!   `max - max` is NaN there. PyTorch's CPU kernels do the same.
//!
//! The fast functions are written once against `crate::simd::F32x4` (wasm simd128, or its portable twin
//! natively), so native `cargo test` runs the very same algorithm (same blocking, same polynomial `exp`,
//! same tails) that the wasm build runs with SIMD. The `*_ref`
//! functions are the straightforward scalar loops with `f32::exp`.

mod exp;
#[cfg(test)]
pub(crate) mod tests;

use crate::simd::{pmax, F32x4};
pub(crate) use exp::{
    exp_f32x4, exp_poly, exp_shift_store_sum, exp_shift_sum, row_max, ExpAcc, ExpSums,
};

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
