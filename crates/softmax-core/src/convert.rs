//! Copies, dtype casts and element-wise comparison. Memory-bound one-liners: LLVM vectorises the
//! plain loops (simd128 on wasm), so there is no separate hand-written SIMD path or `_ref` twin.

/// y = x, 32-bit words (f32 or i32 storage alike).
pub fn copy_u32(x: &[u32], y: &mut [u32]) {
    y.copy_from_slice(x);
}

/// y = x as f32 (exact below 2^24, rounded to nearest above, like PyTorch's int → float cast).
pub fn cast_i32_to_f32(x: &[i32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    for (o, &v) in y.iter_mut().zip(x) {
        *o = v as f32;
    }
}

/// y = x truncated toward zero (PyTorch's float → int cast); NaN gives 0 and out-of-range values
/// saturate (Rust's `as`), where PyTorch leaves them undefined.
pub fn cast_f32_to_i32(x: &[f32], y: &mut [i32]) {
    debug_assert_eq!(x.len(), y.len());
    for (o, &v) in y.iter_mut().zip(x) {
        *o = v as i32;
    }
}

/// y = (a == b) as 0/1, IEEE equality (NaN ≠ NaN, 0 == -0).
pub fn equal_f32(a: &[f32], b: &[f32], y: &mut [i32]) {
    debug_assert!(a.len() == y.len() && b.len() == y.len());
    for ((o, &p), &q) in y.iter_mut().zip(a).zip(b) {
        *o = (p == q) as i32;
    }
}

/// y = (a == b) as 0/1.
pub fn equal_i32(a: &[i32], b: &[i32], y: &mut [i32]) {
    debug_assert!(a.len() == y.len() && b.len() == y.len());
    for ((o, &p), &q) in y.iter_mut().zip(a).zip(b) {
        *o = (p == q) as i32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_truncate_toward_zero_and_saturate() {
        let mut y = [0i32; 6];
        cast_f32_to_i32(&[1.9, -1.9, 0.0, f32::NAN, 3e9, -3e9], &mut y);
        assert_eq!(y, [1, -1, 0, 0, i32::MAX, i32::MIN]);
        let mut f = [0f32; 3];
        cast_i32_to_f32(&[-7, 0, 16_777_217], &mut f);
        assert_eq!(f, [-7.0, 0.0, 16_777_216.0]);
    }

    #[test]
    fn equality_follows_ieee() {
        let mut y = [9i32; 4];
        equal_f32(
            &[1.0, f32::NAN, 0.0, 2.0],
            &[1.0, f32::NAN, -0.0, 3.0],
            &mut y,
        );
        assert_eq!(y, [1, 0, 1, 0]);
        equal_i32(&[1, 2, 3, 4], &[1, 0, 3, 0], &mut y);
        assert_eq!(y, [1, 0, 1, 0]);
    }

    #[test]
    fn copy_moves_every_word() {
        let x: Vec<u32> = (0..17).collect();
        let mut y = vec![0u32; 17];
        copy_u32(&x, &mut y);
        assert_eq!(x, y);
    }
}
