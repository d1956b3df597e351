//! Reductions: `sum`, `sum_axis`, `max_axis`, `argmax_axis`, and broadcasting `expand` with its adjoint
//! `sum_to` (the backward of every broadcast).
//!
//! Summation order (both the fast path and `*_ref` follow it, so they give the same bits):
//! * `sum` (and `sum_axis` with inner == 1) adds 16 interleaved f32 lanes (element i goes to lane i % 16)
//!   over blocks of 256 elements, folds the lanes as a tree, and combines the blocks pairwise. The error
//!   grows like log₂(n/256) + 16 roundings instead of n — comparable to PyTorch's cascade sum.
//! * `sum_axis` with inner > 1 sums every column pairwise over `dim` (leaves of ≤ 64 rows added in order).
//!   SIMD runs across the contiguous `inner` axis, four columns per vector.
//!
//! `max_axis` / `argmax_axis` follow torch: NaN counts as the maximum (it propagates; argmax returns the
//! first NaN's index); otherwise the first maximum wins. `dim == 0` gives −inf / 0 (the ABI rejects it).
//! `min_axis` / `argmin_axis` are their mirror. Products, cumulative sums, the int32 sum and the scatter
//! of `max(dim)`'s gradient are in `axis.rs`.

mod axis;
mod expand;
#[cfg(test)]
mod tests;

pub use axis::{
    cumsum_axis, cumsum_axis_ref, prod_axis, prod_axis_ref, prod_others_axis, prod_others_axis_ref,
    scatter_axis, scatter_axis_ref, sum_axis_i32, sum_axis_i32_ref,
};
pub use expand::{expand, expand_ref, shape_numel, sum_to, sum_to_ref, MAX_DIMS};

use crate::simd::{F32x4, I32x4};

const SUM_BLOCK: usize = 256;
const LANES: usize = 16;
const COL_LEAF: usize = 64;

// ---------------------------------------------------------------------------------------------------------
// sum

#[inline(always)]
fn fold_lanes(acc: &mut [f32; LANES]) -> f32 {
    for j in 0..8 {
        acc[j] += acc[j + 8];
    }
    for j in 0..4 {
        acc[j] += acc[j + 4];
    }
    for j in 0..2 {
        acc[j] += acc[j + 2];
    }
    acc[0] + acc[1]
}

fn block_sum_ref(x: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    for (i, &v) in x.iter().enumerate() {
        acc[i % LANES] += v;
    }
    fold_lanes(&mut acc)
}

fn block_sum_fast(x: &[f32]) -> f32 {
    let n = x.len();
    let p = x.as_ptr();
    let mut v0 = F32x4::splat(0.0);
    let mut v1 = v0;
    let mut v2 = v0;
    let mut v3 = v0;
    let mut i = 0;
    // SAFETY: i + 16 ≤ n.
    unsafe {
        while i + LANES <= n {
            v0 = v0.add(F32x4::load_ptr(p.add(i)));
            v1 = v1.add(F32x4::load_ptr(p.add(i + 4)));
            v2 = v2.add(F32x4::load_ptr(p.add(i + 8)));
            v3 = v3.add(F32x4::load_ptr(p.add(i + 12)));
            i += LANES;
        }
    }
    let mut acc = [0.0f32; LANES];
    // SAFETY: acc holds 16 f32 = 4 vectors.
    unsafe {
        let a = acc.as_mut_ptr();
        v0.store_ptr(a);
        v1.store_ptr(a.add(4));
        v2.store_ptr(a.add(8));
        v3.store_ptr(a.add(12));
    }
    for (j, &v) in x[i..].iter().enumerate() {
        acc[j] += v;
    }
    fold_lanes(&mut acc)
}

fn pairwise_sum(x: &[f32], block: fn(&[f32]) -> f32) -> f32 {
    let n = x.len();
    if n <= SUM_BLOCK {
        return block(x);
    }
    let blocks = (n + SUM_BLOCK - 1) / SUM_BLOCK;
    let h = (blocks / 2) * SUM_BLOCK;
    pairwise_sum(&x[..h], block) + pairwise_sum(&x[h..], block)
}

/// Σ x (0 for an empty slice).
pub fn sum(x: &[f32]) -> f32 {
    pairwise_sum(x, block_sum_fast)
}

pub fn sum_ref(x: &[f32]) -> f32 {
    pairwise_sum(x, block_sum_ref)
}

// ---------------------------------------------------------------------------------------------------------
// sum_axis

/// Σ_d x[start + d·stride] for d < len, pairwise with leaves of COL_LEAF.
fn col_sum_ref(x: &[f32], start: usize, stride: usize, len: usize) -> f32 {
    if len <= COL_LEAF {
        let mut s = 0.0f32;
        for d in 0..len {
            s += x[start + d * stride];
        }
        s
    } else {
        let h = len / 2;
        col_sum_ref(x, start, stride, h) + col_sum_ref(x, start + h * stride, stride, len - h)
    }
}

/// Four neighbouring columns at once: lanes are x[start + d·stride + 0..4].
fn col_sum4(x: &[f32], start: usize, stride: usize, len: usize) -> F32x4 {
    if len <= COL_LEAF {
        debug_assert!(len == 0 || start + (len - 1) * stride + 4 <= x.len());
        let p = x.as_ptr();
        let mut s = F32x4::splat(0.0);
        // SAFETY: the caller guarantees start + (len-1)·stride + 4 ≤ x.len().
        unsafe {
            for d in 0..len {
                s = s.add(F32x4::load_ptr(p.add(start + d * stride)));
            }
        }
        s
    } else {
        let h = len / 2;
        col_sum4(x, start, stride, h).add(col_sum4(x, start + h * stride, stride, len - h))
    }
}

/// Sixteen neighbouring columns at once (four vectors).
fn col_sum16(x: &[f32], start: usize, stride: usize, len: usize) -> [F32x4; 4] {
    if len <= COL_LEAF {
        debug_assert!(len == 0 || start + (len - 1) * stride + 16 <= x.len());
        let p = x.as_ptr();
        let z = F32x4::splat(0.0);
        let (mut s0, mut s1, mut s2, mut s3) = (z, z, z, z);
        // SAFETY: the caller guarantees start + (len-1)·stride + 16 ≤ x.len().
        unsafe {
            for d in 0..len {
                let q = p.add(start + d * stride);
                s0 = s0.add(F32x4::load_ptr(q));
                s1 = s1.add(F32x4::load_ptr(q.add(4)));
                s2 = s2.add(F32x4::load_ptr(q.add(8)));
                s3 = s3.add(F32x4::load_ptr(q.add(12)));
            }
        }
        [s0, s1, s2, s3]
    } else {
        let h = len / 2;
        let a = col_sum16(x, start, stride, h);
        let b = col_sum16(x, start + h * stride, stride, len - h);
        [
            a[0].add(b[0]),
            a[1].add(b[1]),
            a[2].add(b[2]),
            a[3].add(b[3]),
        ]
    }
}

/// y[o, i] = Σ_d x[o, d, i]   (x: outer × dim × inner, y: outer × inner; overwrites y).
pub fn sum_axis(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    if inner == 1 {
        for o in 0..outer {
            y[o] = sum(&x[o * dim..(o + 1) * dim]);
        }
        return;
    }
    {
        for o in 0..outer {
            let base = o * dim * inner;
            let yo = &mut y[o * inner..(o + 1) * inner];
            let yp = yo.as_mut_ptr();
            let mut i = 0;
            while i + 16 <= inner {
                let s = col_sum16(x, base + i, inner, dim);
                // SAFETY: i + 16 ≤ inner = yo.len().
                unsafe {
                    s[0].store_ptr(yp.add(i));
                    s[1].store_ptr(yp.add(i + 4));
                    s[2].store_ptr(yp.add(i + 8));
                    s[3].store_ptr(yp.add(i + 12));
                }
                i += 16;
            }
            while i + 4 <= inner {
                let s = col_sum4(x, base + i, inner, dim);
                // SAFETY: i + 4 ≤ inner.
                unsafe { s.store_ptr(yp.add(i)) };
                i += 4;
            }
            while i < inner {
                yo[i] = col_sum_ref(x, base + i, inner, dim);
                i += 1;
            }
        }
    }
}

pub fn sum_axis_ref(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    for o in 0..outer {
        if inner == 1 {
            y[o] = sum_ref(&x[o * dim..(o + 1) * dim]);
        } else {
            for i in 0..inner {
                y[o * inner + i] = col_sum_ref(x, o * dim * inner + i, inner, dim);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// max / argmax, min / argmin (one implementation; MIN flips the comparison)

/// The running update both paths use: take v if it is larger (smaller for MIN), or if it is the first NaN.
#[inline(always)]
fn takes_over<const MIN: bool>(v: f32, m: f32) -> bool {
    let better = if MIN { v < m } else { v > m };
    better || (v.is_nan() && !m.is_nan())
}

#[inline(always)]
fn takes_over4<const MIN: bool>(v: F32x4, m: F32x4) -> I32x4 {
    let better = if MIN { v.lt(m) } else { v.gt(m) };
    better.or(v.ne(v)).and(m.eq(m))
}

fn extreme_axis<const MIN: bool>(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    if dim > 0 && inner >= 4 {
        let p = x.as_ptr();
        for o in 0..outer {
            let base = o * dim * inner;
            let mut i = 0;
            while i + 4 <= inner {
                // SAFETY: base + d·inner + i + 4 ≤ (o+1)·dim·inner ≤ x.len(), likewise for y.
                unsafe {
                    let mut m = F32x4::load_ptr(p.add(base + i));
                    for d in 1..dim {
                        let v = F32x4::load_ptr(p.add(base + d * inner + i));
                        m = F32x4::select(takes_over4::<MIN>(v, m), v, m);
                    }
                    m.store_ptr(y.as_mut_ptr().add(o * inner + i));
                }
                i += 4;
            }
            for i in i..inner {
                y[o * inner + i] = extreme_col::<MIN>(x, base + i, inner, dim);
            }
        }
        return;
    }
    extreme_axis_ref::<MIN>(x, y, outer, dim, inner);
}

fn extreme_col<const MIN: bool>(x: &[f32], start: usize, stride: usize, dim: usize) -> f32 {
    if dim == 0 {
        return if MIN {
            f32::INFINITY
        } else {
            f32::NEG_INFINITY
        };
    }
    let mut m = x[start];
    for d in 1..dim {
        let v = x[start + d * stride];
        if takes_over::<MIN>(v, m) {
            m = v;
        }
    }
    m
}

fn arg_col<const MIN: bool>(x: &[f32], start: usize, stride: usize, dim: usize) -> i32 {
    if dim == 0 {
        return 0;
    }
    let mut m = x[start];
    let mut best = 0usize;
    for d in 1..dim {
        let v = x[start + d * stride];
        if takes_over::<MIN>(v, m) {
            m = v;
            best = d;
        }
    }
    best as i32
}

fn extreme_axis_ref<const MIN: bool>(
    x: &[f32],
    y: &mut [f32],
    outer: usize,
    dim: usize,
    inner: usize,
) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    for o in 0..outer {
        for i in 0..inner {
            y[o * inner + i] = extreme_col::<MIN>(x, o * dim * inner + i, inner, dim);
        }
    }
}

fn arg_axis<const MIN: bool>(x: &[f32], y: &mut [i32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    if dim > 0 && inner >= 4 {
        let p = x.as_ptr();
        for o in 0..outer {
            let base = o * dim * inner;
            let mut i = 0;
            while i + 4 <= inner {
                // SAFETY: as in extreme_axis.
                unsafe {
                    let mut m = F32x4::load_ptr(p.add(base + i));
                    let mut best = I32x4::splat(0);
                    for d in 1..dim {
                        let v = F32x4::load_ptr(p.add(base + d * inner + i));
                        let take = takes_over4::<MIN>(v, m);
                        m = F32x4::select(take, v, m);
                        best = I32x4::select(take, I32x4::splat(d as i32), best);
                    }
                    best.store_ptr(y.as_mut_ptr().add(o * inner + i));
                }
                i += 4;
            }
            for i in i..inner {
                y[o * inner + i] = arg_col::<MIN>(x, base + i, inner, dim);
            }
        }
        return;
    }
    arg_axis_ref::<MIN>(x, y, outer, dim, inner);
}

fn arg_axis_ref<const MIN: bool>(x: &[f32], y: &mut [i32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    for o in 0..outer {
        for i in 0..inner {
            y[o * inner + i] = arg_col::<MIN>(x, o * dim * inner + i, inner, dim);
        }
    }
}

/// y[o, i] = max_d x[o, d, i] (NaN propagates).
pub fn max_axis(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    extreme_axis::<false>(x, y, outer, dim, inner);
}

pub fn max_axis_ref(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    extreme_axis_ref::<false>(x, y, outer, dim, inner);
}

/// y[o, i] = min_d x[o, d, i] (NaN propagates).
pub fn min_axis(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    extreme_axis::<true>(x, y, outer, dim, inner);
}

pub fn min_axis_ref(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    extreme_axis_ref::<true>(x, y, outer, dim, inner);
}

/// y[o, i] = the first d where x[o, d, i] is maximal (the first NaN if there is one).
pub fn argmax_axis(x: &[f32], y: &mut [i32], outer: usize, dim: usize, inner: usize) {
    arg_axis::<false>(x, y, outer, dim, inner);
}

pub fn argmax_axis_ref(x: &[f32], y: &mut [i32], outer: usize, dim: usize, inner: usize) {
    arg_axis_ref::<false>(x, y, outer, dim, inner);
}

/// y[o, i] = the first d where x[o, d, i] is minimal (the first NaN if there is one).
pub fn argmin_axis(x: &[f32], y: &mut [i32], outer: usize, dim: usize, inner: usize) {
    arg_axis::<true>(x, y, outer, dim, inner);
}

pub fn argmin_axis_ref(x: &[f32], y: &mut [i32], outer: usize, dim: usize, inner: usize) {
    arg_axis_ref::<true>(x, y, outer, dim, inner);
}
