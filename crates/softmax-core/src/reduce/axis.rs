//! Reductions and scans along the middle axis of [outer, dim, inner]: product, the product of the
//! others (prod's gradient), cumulative sum, the int32 sum that reports overflow, and the scatter that
//! routes `max(dim)`'s gradient to the returned indices.

use crate::simd::F32x4;

/// y[o, i] = Π_d x[o, d, i], multiplied in order of d (1 for dim == 0).
pub fn prod_axis(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    if inner < 4 {
        return prod_axis_ref(x, y, outer, dim, inner);
    }
    let p = x.as_ptr();
    for o in 0..outer {
        let base = o * dim * inner;
        let mut i = 0;
        while i + 4 <= inner {
            // SAFETY: base + d·inner + i + 4 ≤ (o+1)·dim·inner ≤ x.len(); o·inner + i + 4 ≤ y.len().
            unsafe {
                let mut m = F32x4::splat(1.0);
                for d in 0..dim {
                    m = m.mul(F32x4::load_ptr(p.add(base + d * inner + i)));
                }
                m.store_ptr(y.as_mut_ptr().add(o * inner + i));
            }
            i += 4;
        }
        for i in i..inner {
            y[o * inner + i] = prod_col(x, base + i, inner, dim);
        }
    }
}

fn prod_col(x: &[f32], start: usize, stride: usize, dim: usize) -> f32 {
    let mut m = 1.0f32;
    for d in 0..dim {
        m *= x[start + d * stride];
    }
    m
}

pub fn prod_axis_ref(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    for o in 0..outer {
        for i in 0..inner {
            y[o * inner + i] = prod_col(x, o * dim * inner + i, inner, dim);
        }
    }
}

/// dx[o, d, i] = (Π_{j<d} x[o, j, i]) · (Π_{j>d} x[o, j, i]): the gradient of a product, exact when
/// elements are zero (PyTorch's exclusive cumulative products). Scalar only.
pub fn prod_others_axis(x: &[f32], dx: &mut [f32], outer: usize, dim: usize, inner: usize) {
    prod_others_axis_ref(x, dx, outer, dim, inner);
}

pub fn prod_others_axis_ref(x: &[f32], dx: &mut [f32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && dx.len() >= outer * dim * inner);
    for o in 0..outer {
        for i in 0..inner {
            let at = |d: usize| o * dim * inner + d * inner + i;
            let mut pre = 1.0f32;
            for d in 0..dim {
                dx[at(d)] = pre;
                pre *= x[at(d)];
            }
            let mut suf = 1.0f32;
            for d in (0..dim).rev() {
                dx[at(d)] *= suf;
                suf *= x[at(d)];
            }
        }
    }
}

/// y[o, d, i] = Σ_{j≤d} x[o, j, i] (Σ_{j≥d} when `reverse`, the adjoint), accumulated in f64 and
/// rounded once per output, as PyTorch's CPU cumsum accumulates float in double. Scalar only.
pub fn cumsum_axis(
    x: &[f32],
    y: &mut [f32],
    outer: usize,
    dim: usize,
    inner: usize,
    reverse: bool,
) {
    cumsum_axis_ref(x, y, outer, dim, inner, reverse);
}

pub fn cumsum_axis_ref(
    x: &[f32],
    y: &mut [f32],
    outer: usize,
    dim: usize,
    inner: usize,
    reverse: bool,
) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * dim * inner);
    for o in 0..outer {
        for i in 0..inner {
            let mut acc = 0.0f64;
            for k in 0..dim {
                let d = if reverse { dim - 1 - k } else { k };
                let at = o * dim * inner + d * inner + i;
                acc += x[at] as f64;
                y[at] = acc as f32;
            }
        }
    }
}

/// y[o, i] = Σ_d x[o, d, i] over int32, exact (i64 accumulator). Returns how many outputs do not fit
/// int32; those are saturated (the caller throws). Scalar only.
pub fn sum_axis_i32(x: &[i32], y: &mut [i32], outer: usize, dim: usize, inner: usize) -> u32 {
    sum_axis_i32_ref(x, y, outer, dim, inner)
}

pub fn sum_axis_i32_ref(x: &[i32], y: &mut [i32], outer: usize, dim: usize, inner: usize) -> u32 {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    let mut overflowed = 0u32;
    for o in 0..outer {
        for i in 0..inner {
            let mut s = 0i64;
            for d in 0..dim {
                s += x[o * dim * inner + d * inner + i] as i64;
            }
            let fits = s >= i32::MIN as i64 && s <= i32::MAX as i64;
            if !fits {
                overflowed = overflowed.saturating_add(1);
            }
            y[o * inner + i] = s.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
        }
    }
    overflowed
}

/// dx zeroed, then dx[o, idx[o, i], i] = g[o, i]. An index outside [0, dim) → Err(its position), before
/// anything is written. Scalar only.
pub fn scatter_axis(
    g: &[f32],
    idx: &[i32],
    dx: &mut [f32],
    outer: usize,
    dim: usize,
    inner: usize,
) -> Result<(), usize> {
    scatter_axis_ref(g, idx, dx, outer, dim, inner)
}

pub fn scatter_axis_ref(
    g: &[f32],
    idx: &[i32],
    dx: &mut [f32],
    outer: usize,
    dim: usize,
    inner: usize,
) -> Result<(), usize> {
    debug_assert!(g.len() >= outer * inner && idx.len() >= outer * inner);
    debug_assert!(dx.len() >= outer * dim * inner);
    if let Some(bad) = idx[..outer * inner]
        .iter()
        .position(|&k| k < 0 || k as usize >= dim)
    {
        return Err(bad);
    }
    for v in dx[..outer * dim * inner].iter_mut() {
        *v = 0.0;
    }
    for o in 0..outer {
        for i in 0..inner {
            let d = idx[o * inner + i] as usize;
            dx[o * dim * inner + d * inner + i] = g[o * inner + i];
        }
    }
    Ok(())
}
