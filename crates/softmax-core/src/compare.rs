//! Comparisons and logical ops with bool (u8 0/1) results, int32 arithmetic that refuses to overflow,
//! and the `all` / `any` reductions. Binary kernels broadcast by modulo like `elementwise::binary`:
//! `y[i] = f(a[i % a.len()], b[i % b.len()])`, each length equal to y's or dividing it.
//!
//! The fast paths are plain loops over whole slices and chunks (LLVM vectorises them with simd128);
//! each has a scalar `*_ref` twin indexing element by element, and the two give the same bytes.

/// Comparison codes shared with the ABI.
pub const CMP_EQ: u32 = 0;
pub const CMP_NE: u32 = 1;
pub const CMP_LT: u32 = 2;
pub const CMP_LE: u32 = 3;
pub const CMP_GT: u32 = 4;
pub const CMP_GE: u32 = 5;

/// Logical op codes: 0 and, 1 or, 2 xor.
pub const LOGICAL_AND: u32 = 0;
pub const LOGICAL_OR: u32 = 1;
pub const LOGICAL_XOR: u32 = 2;

/// int32 arithmetic codes (those of `elementwise::binary` that stay in int32): 0 add, 1 sub, 2 mul.
pub const INT_ADD: u32 = 0;
pub const INT_SUB: u32 = 1;
pub const INT_MUL: u32 = 2;

/// `all` / `any` codes.
pub const REDUCE_ALL: u32 = 0;
pub const REDUCE_ANY: u32 = 1;

/// y[i] = f(a[i % a.len()], b[i % b.len()]): whole-slice and chunked loops for the common layouts.
#[inline(always)]
fn broadcast_map<A: Copy, B: Copy, Y>(a: &[A], b: &[B], y: &mut [Y], f: impl Fn(A, B) -> Y) {
    let n = y.len();
    if n == 0 || a.is_empty() || b.is_empty() {
        return;
    }
    let (la, lb) = (a.len(), b.len());
    if la == n && lb == n {
        for ((o, &p), &q) in y.iter_mut().zip(a).zip(b) {
            *o = f(p, q);
        }
    } else if la == n {
        for (yc, ac) in y.chunks_mut(lb).zip(a.chunks(lb)) {
            for ((o, &p), &q) in yc.iter_mut().zip(ac).zip(b) {
                *o = f(p, q);
            }
        }
    } else if lb == n {
        for (yc, bc) in y.chunks_mut(la).zip(b.chunks(la)) {
            for ((o, &p), &q) in yc.iter_mut().zip(a).zip(bc) {
                *o = f(p, q);
            }
        }
    } else {
        for (i, o) in y.iter_mut().enumerate() {
            *o = f(a[i % la], b[i % lb]);
        }
    }
}

#[inline(always)]
fn broadcast_map_ref<A: Copy, B: Copy, Y>(a: &[A], b: &[B], y: &mut [Y], f: impl Fn(A, B) -> Y) {
    if a.is_empty() || b.is_empty() {
        return;
    }
    for i in 0..y.len() {
        y[i] = f(a[i % a.len()], b[i % b.len()]);
    }
}

macro_rules! compare_kernel {
    ($name:ident, $map:ident, $t:ty) => {
        pub fn $name(op: u32, a: &[$t], b: &[$t], y: &mut [u8]) {
            match op {
                CMP_EQ => $map(a, b, y, |p, q| (p == q) as u8),
                CMP_NE => $map(a, b, y, |p, q| (p != q) as u8),
                CMP_LT => $map(a, b, y, |p, q| (p < q) as u8),
                CMP_LE => $map(a, b, y, |p, q| (p <= q) as u8),
                CMP_GT => $map(a, b, y, |p, q| (p > q) as u8),
                _ => $map(a, b, y, |p, q| (p >= q) as u8),
            }
        }
    };
}

compare_kernel!(compare_f32, broadcast_map, f32);
compare_kernel!(compare_f32_ref, broadcast_map_ref, f32);
compare_kernel!(compare_i32, broadcast_map, i32);
compare_kernel!(compare_i32_ref, broadcast_map_ref, i32);

/// y = a op b on bools (0/1 bytes; any non-zero byte counts as true).
pub fn logical_u8(op: u32, a: &[u8], b: &[u8], y: &mut [u8]) {
    match op {
        LOGICAL_AND => broadcast_map(a, b, y, |p, q| (p != 0 && q != 0) as u8),
        LOGICAL_OR => broadcast_map(a, b, y, |p, q| (p != 0 || q != 0) as u8),
        _ => broadcast_map(a, b, y, |p, q| ((p != 0) != (q != 0)) as u8),
    }
}

/// Scalar reference of [`logical_u8`].
pub fn logical_u8_ref(op: u32, a: &[u8], b: &[u8], y: &mut [u8]) {
    match op {
        LOGICAL_AND => broadcast_map_ref(a, b, y, |p, q| (p != 0 && q != 0) as u8),
        LOGICAL_OR => broadcast_map_ref(a, b, y, |p, q| (p != 0 || q != 0) as u8),
        _ => broadcast_map_ref(a, b, y, |p, q| ((p != 0) != (q != 0)) as u8),
    }
}

#[inline(always)]
fn int_op(op: u32) -> fn(i32, i32) -> Option<i32> {
    match op {
        INT_ADD => i32::checked_add,
        INT_SUB => i32::checked_sub,
        _ => i32::checked_mul,
    }
}

/// y = a op b in int32. An overflowing element is an error, not a wrapped value: `Err(i)` names the
/// first one, and then nothing is written.
pub fn binary_i32(op: u32, a: &[i32], b: &[i32], y: &mut [i32]) -> Result<(), usize> {
    let f = int_op(op);
    let mut ok = vec![0u8; y.len()];
    broadcast_map(a, b, &mut ok, |p, q| f(p, q).is_some() as u8);
    if let Some(i) = ok.iter().position(|&v| v == 0) {
        return Err(i);
    }
    match op {
        INT_ADD => broadcast_map(a, b, y, i32::wrapping_add),
        INT_SUB => broadcast_map(a, b, y, i32::wrapping_sub),
        _ => broadcast_map(a, b, y, i32::wrapping_mul),
    }
    Ok(())
}

/// Scalar reference of [`binary_i32`].
pub fn binary_i32_ref(op: u32, a: &[i32], b: &[i32], y: &mut [i32]) -> Result<(), usize> {
    let f = int_op(op);
    if a.is_empty() || b.is_empty() {
        return Ok(());
    }
    for i in 0..y.len() {
        if f(a[i % a.len()], b[i % b.len()]).is_none() {
            return Err(i);
        }
    }
    for i in 0..y.len() {
        y[i] = f(a[i % a.len()], b[i % b.len()]).unwrap_or(0);
    }
    Ok(())
}

/// y[o, i] = all / any of x[o, ·, i] != 0 (all of nothing is true, any of nothing false, as PyTorch).
pub fn all_any_axis(op: u32, x: &[u8], y: &mut [u8], outer: usize, dim: usize, inner: usize) {
    let want_all = op == REDUCE_ALL;
    if inner == 1 {
        for (o, out) in y.iter_mut().enumerate().take(outer) {
            let row = &x[o * dim..(o + 1) * dim];
            *out = if want_all {
                row.iter().all(|&v| v != 0)
            } else {
                row.iter().any(|&v| v != 0)
            } as u8;
        }
        return;
    }
    for o in 0..outer {
        let yr = &mut y[o * inner..(o + 1) * inner];
        yr.fill(want_all as u8);
        for d in 0..dim {
            let xr = &x[(o * dim + d) * inner..(o * dim + d + 1) * inner];
            if want_all {
                for (v, &t) in yr.iter_mut().zip(xr) {
                    *v &= (t != 0) as u8;
                }
            } else {
                for (v, &t) in yr.iter_mut().zip(xr) {
                    *v |= (t != 0) as u8;
                }
            }
        }
    }
}

/// Scalar reference of [`all_any_axis`].
pub fn all_any_axis_ref(op: u32, x: &[u8], y: &mut [u8], outer: usize, dim: usize, inner: usize) {
    for o in 0..outer {
        for i in 0..inner {
            let mut acc = op == REDUCE_ALL;
            for d in 0..dim {
                let t = x[(o * dim + d) * inner + i] != 0;
                acc = if op == REDUCE_ALL { acc && t } else { acc || t };
            }
            y[o * inner + i] = acc as u8;
        }
    }
}

#[cfg(test)]
mod tests;
