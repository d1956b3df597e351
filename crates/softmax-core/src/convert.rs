//! Copies and dtype casts (float32, int32, and bool as u8 0/1). Memory-bound one-liners: LLVM vectorises the
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

/// True when `v` truncated toward zero is an int32 (false for NaN and ±inf).
#[inline(always)]
fn fits_i32(v: f32) -> bool {
    // -2^31 and 2^31 are exact in f32; the f32 below -2^31 is -2^31 - 256.
    (-2_147_483_648.0..2_147_483_648.0).contains(&v)
}

/// y = x truncated toward zero (PyTorch's float → int cast). A NaN, ±inf or a value outside int32 —
/// undefined in PyTorch — is an error: `Err(i)` names the first one, and nothing is written.
pub fn cast_f32_to_i32(x: &[f32], y: &mut [i32]) -> Result<(), usize> {
    debug_assert_eq!(x.len(), y.len());
    if let Some(i) = x.iter().position(|&v| !fits_i32(v)) {
        return Err(i);
    }
    for (o, &v) in y.iter_mut().zip(x) {
        *o = v as i32;
    }
    Ok(())
}

/// y = (x != 0) as 0/1: PyTorch's cast to bool (NaN is true, ±0 false).
pub fn cast_f32_to_u8(x: &[f32], y: &mut [u8]) {
    debug_assert_eq!(x.len(), y.len());
    for (o, &v) in y.iter_mut().zip(x) {
        *o = (v != 0.0) as u8;
    }
}

/// y = (x != 0) as 0/1.
pub fn cast_i32_to_u8(x: &[i32], y: &mut [u8]) {
    debug_assert_eq!(x.len(), y.len());
    for (o, &v) in y.iter_mut().zip(x) {
        *o = (v != 0) as u8;
    }
}

/// y = x (a bool's 0/1) as f32.
pub fn cast_u8_to_f32(x: &[u8], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    for (o, &v) in y.iter_mut().zip(x) {
        *o = v as f32;
    }
}

/// y = x (a bool's 0/1) as i32.
pub fn cast_u8_to_i32(x: &[u8], y: &mut [i32]) {
    debug_assert_eq!(x.len(), y.len());
    for (o, &v) in y.iter_mut().zip(x) {
        *o = v as i32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_truncate_toward_zero_and_refuse_what_int32_cannot_hold() {
        let mut y = [0i32; 6];
        cast_f32_to_i32(
            &[1.9, -1.9, 0.0, -0.5, 2_147_483_520.0, -2_147_483_648.0],
            &mut y,
        )
        .unwrap();
        assert_eq!(y, [1, -1, 0, 0, 2_147_483_520, i32::MIN]);
        let mut z = [7i32; 3];
        for (bad, at) in [
            ([1.0, f32::NAN, 2.0], 1),
            ([f32::INFINITY, 0.0, 0.0], 0),
            ([0.0, 0.0, f32::NEG_INFINITY], 2),
            ([0.0, 2_147_483_648.0, 0.0], 1),
            ([-2_147_483_904.0, 0.0, 0.0], 0),
        ] {
            assert_eq!(cast_f32_to_i32(&bad, &mut z), Err(at));
            assert_eq!(z, [7; 3], "nothing written");
        }
        let mut b = [9u8; 5];
        cast_f32_to_u8(&[0.0, -0.0, f32::NAN, -2.5, f32::INFINITY], &mut b);
        assert_eq!(b, [0, 0, 1, 1, 1]);
        cast_i32_to_u8(&[0, 1, -1, i32::MIN, i32::MAX], &mut b);
        assert_eq!(b, [0, 1, 1, 1, 1]);
        let mut g = [9f32; 2];
        cast_u8_to_f32(&[1, 0], &mut g);
        assert_eq!(g, [1.0, 0.0]);
        let mut h = [9i32; 2];
        cast_u8_to_i32(&[0, 1], &mut h);
        assert_eq!(h, [0, 1]);
        let mut f = [0f32; 3];
        cast_i32_to_f32(&[-7, 0, 16_777_217], &mut f);
        assert_eq!(f, [-7.0, 0.0, 16_777_216.0]);
    }

    #[test]
    fn copy_moves_every_word() {
        let x: Vec<u32> = (0..17).collect();
        let mut y = vec![0u32; 17];
        copy_u32(&x, &mut y);
        assert_eq!(x, y);
    }
}
