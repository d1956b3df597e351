//! Batch assembly for the DataLoader: gather rows of a dataset by index into a contiguous batch.
//!
//! Every function checks all indices first and returns `Err(r)` — r the position in `indices` of the first
//! index outside [0, rows of src) — before writing anything. `row_len == 0` accepts any index ≥ 0.

use crate::simd::{F32x4, U32x4, U8x16};

/// Position of the first index whose row [idx·row_len, (idx+1)·row_len) is not inside `src_len`.
fn check_indices(src_len: usize, row_len: usize, indices: &[i32]) -> Result<(), usize> {
    let rows = src_len.checked_div(row_len).unwrap_or(usize::MAX);
    for (r, &idx) in indices.iter().enumerate() {
        if idx < 0 || idx as usize >= rows {
            return Err(r);
        }
    }
    Ok(())
}

/// y[r·row_len + j] = src[indices[r]·row_len + j] as f32 · scale  (u8 images → f32 batch).
pub fn gather_u8_to_f32(
    src: &[u8],
    row_len: usize,
    indices: &[i32],
    scale: f32,
    y: &mut [f32],
) -> Result<(), usize> {
    check_indices(src.len(), row_len, indices)?;
    debug_assert!(y.len() >= indices.len() * row_len);
    if row_len == 0 {
        return Ok(());
    }
    let y = &mut y[..indices.len() * row_len];
    for (b, block) in y.chunks_mut(TOUCH_ROWS * row_len).enumerate() {
        gather_u8_rows(src, row_len, indices, scale, block, b * TOUCH_ROWS);
    }
    Ok(())
}

/// Rows touched at once, a block ahead of the copy (64 rows of 784 bytes: 50 KB, at home in L2).
const TOUCH_ROWS: usize = 64;

/// Rows r.. of [`gather_u8_to_f32`]'s batch into `y` (whole rows), for a consumer that uses them as soon
/// as they are made: the rows TOUCH_ROWS ahead are touched a few at a time, so that their misses overlap
/// the consumer's work. Called for r = 0 first, then in order; panics on an index outside `src`.
pub(crate) fn gather_u8_rows(
    src: &[u8],
    row_len: usize,
    indices: &[i32],
    scale: f32,
    y: &mut [f32],
    r: usize,
) {
    gather_rows(src, row_len, indices, y, r, |s, d| convert_row(s, scale, d));
}

/// Rows r.. of a gather into `y` by `copy`: rows r + TOUCH_ROWS.. are touched as many as are made (the
/// first block too when r = 0). A whole gather runs it block by block: one block touched ahead of the copy.
#[inline(always)]
fn gather_rows<T: Copy>(
    src: &[T],
    row_len: usize,
    indices: &[i32],
    y: &mut [f32],
    r: usize,
    copy: impl Fn(&[T], &mut [f32]),
) {
    if row_len == 0 {
        return;
    }
    let count = y.len() / row_len;
    let ahead = if r == 0 { 0 } else { r + TOUCH_ROWS };
    let end = r + TOUCH_ROWS + count;
    for &i in indices.iter().take(end).skip(ahead) {
        touch(src, i as usize * row_len, row_len);
    }
    for (yr, &i) in y.chunks_exact_mut(row_len).zip(&indices[r..r + count]) {
        let start = i as usize * row_len;
        copy(&src[start..start + row_len], yr);
    }
}

/// Reads one byte of each 64-byte line of `src[start..start + len]`. Rows drawn at random from a large
/// dataset miss every cache: loads that nothing waits on put a row's misses in flight together, well
/// before the copy needs them (wasm has no prefetch instruction).
#[inline(always)]
fn touch<T: Copy>(src: &[T], start: usize, len: usize) {
    let row = &src[start..start + len];
    let bytes = core::mem::size_of::<T>().max(1);
    let step = (64 / bytes).max(1);
    let mut sink = 0u32;
    let mut j = 0;
    while j < len {
        // SAFETY: j < row.len().
        sink ^= unsafe { core::ptr::read_volatile(row.as_ptr().add(j).cast::<u8>()) } as u32;
        j += step;
    }
    if len > 0 {
        // The row's last line, when the row does not start on a line boundary.
        // SAFETY: len - 1 < row.len().
        sink ^= unsafe { core::ptr::read_volatile(row.as_ptr().add(len - 1).cast::<u8>()) } as u32;
    }
    // Volatile: the loads above stay, and so does this store of their (unused) result.
    let mut keep = 0u32;
    // SAFETY: a write to a local.
    unsafe { core::ptr::write_volatile(&mut keep, sink) };
}

#[inline(always)]
fn convert_row(s: &[u8], scale: f32, y: &mut [f32]) {
    let n = s.len().min(y.len());
    let sv = F32x4::splat(scale);
    let (sp, yp) = (s.as_ptr(), y.as_mut_ptr());
    let mut j = 0;
    // u8 → f32 without a conversion instruction: a byte b placed in the mantissa of 2^23
    // (bits 0x4B000000 | b) is the float 2^23 + b, exact, so subtracting 2^23 gives b. The
    // obvious convert_i32x4 of the zero-extended bytes is turned by LLVM 14 into sixteen scalar
    // lane conversions (it sees an i16 → f32 conversion, which wasm lacks), ~5× slower.
    let magic_bits = U32x4::splat(0x4B00_0000);
    let magic = F32x4::splat(8_388_608.0);
    let to_f32 = |w: U32x4| w.or(magic_bits).bits_to_f32().sub(magic).mul(sv);
    // SAFETY: j + 16 ≤ n ≤ both lengths; the result is exact before the multiply by `scale`,
    // as in the scalar code.
    unsafe {
        while j + 16 <= n {
            let [w0, w1, w2, w3] = U8x16::load_ptr(sp.add(j)).widen();
            to_f32(w0).store_ptr(yp.add(j));
            to_f32(w1).store_ptr(yp.add(j + 4));
            to_f32(w2).store_ptr(yp.add(j + 8));
            to_f32(w3).store_ptr(yp.add(j + 12));
            j += 16;
        }
    }
    while j < n {
        y[j] = s[j] as f32 * scale;
        j += 1;
    }
}

pub fn gather_u8_to_f32_ref(
    src: &[u8],
    row_len: usize,
    indices: &[i32],
    scale: f32,
    y: &mut [f32],
) -> Result<(), usize> {
    check_indices(src.len(), row_len, indices)?;
    for (r, &idx) in indices.iter().enumerate() {
        for j in 0..row_len {
            y[r * row_len + j] = src[idx as usize * row_len + j] as f32 * scale;
        }
    }
    Ok(())
}

/// y[r] = src[indices[r]]  (labels).
pub fn gather_i32(src: &[i32], indices: &[i32], y: &mut [i32]) -> Result<(), usize> {
    check_indices(src.len(), 1, indices)?;
    debug_assert!(y.len() >= indices.len());
    for (yv, &idx) in y.iter_mut().zip(indices.iter()) {
        *yv = src[idx as usize];
    }
    Ok(())
}

pub fn gather_i32_ref(src: &[i32], indices: &[i32], y: &mut [i32]) -> Result<(), usize> {
    gather_i32(src, indices, y)
}

/// y[r·row_len + j] = src[indices[r]·row_len + j].
pub fn gather_f32(
    src: &[f32],
    row_len: usize,
    indices: &[i32],
    y: &mut [f32],
) -> Result<(), usize> {
    check_indices(src.len(), row_len, indices)?;
    debug_assert!(y.len() >= indices.len() * row_len);
    if row_len == 0 {
        return Ok(());
    }
    let y = &mut y[..indices.len() * row_len];
    for (b, block) in y.chunks_mut(TOUCH_ROWS * row_len).enumerate() {
        gather_rows(src, row_len, indices, block, b * TOUCH_ROWS, |s, d| {
            d.copy_from_slice(s)
        });
    }
    Ok(())
}

pub fn gather_f32_ref(
    src: &[f32],
    row_len: usize,
    indices: &[i32],
    y: &mut [f32],
) -> Result<(), usize> {
    check_indices(src.len(), row_len, indices)?;
    for (r, &idx) in indices.iter().enumerate() {
        for j in 0..row_len {
            y[r * row_len + j] = src[idx as usize * row_len + j];
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_rows() {
        // 3 "images" of 5 pixels
        let src: Vec<u8> = vec![0, 1, 2, 3, 255, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24];
        let mut y = vec![0.0f32; 10];
        gather_u8_to_f32(&src, 5, &[2, 0], 0.5, &mut y).unwrap();
        assert_eq!(y, [10.0, 10.5, 11.0, 11.5, 12.0, 0.0, 0.5, 1.0, 1.5, 127.5]);
        let mut yi = [0i32; 3];
        gather_i32(&[7, 8, 9], &[1, 1, 2], &mut yi).unwrap();
        assert_eq!(yi, [8, 8, 9]);
        let fsrc = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut yf = [0.0f32; 4];
        gather_f32(&fsrc, 2, &[2, 0], &mut yf).unwrap();
        assert_eq!(yf, [5.0, 6.0, 1.0, 2.0]);
    }

    #[test]
    fn bad_index_is_reported_before_writing() {
        let src = vec![1u8; 12]; // 3 rows of 4
        let mut y = vec![-1.0f32; 12];
        assert_eq!(gather_u8_to_f32(&src, 4, &[0, 1, 3], 1.0, &mut y), Err(2));
        assert_eq!(gather_u8_to_f32(&src, 4, &[0, -1, 2], 1.0, &mut y), Err(1));
        assert_eq!(
            gather_u8_to_f32_ref(&src, 4, &[0, 1, 3], 1.0, &mut y),
            Err(2)
        );
        assert!(y.iter().all(|&v| v == -1.0));
        let mut yi = [0i32; 2];
        assert_eq!(gather_i32(&[1, 2], &[0, 2], &mut yi), Err(1));
        assert_eq!(gather_i32(&[1, 2], &[i32::MIN, 0], &mut yi), Err(0));
        let mut yf = [0.0f32; 4];
        assert_eq!(gather_f32(&[0.0; 6], 2, &[0, 3], &mut yf), Err(1));
        assert_eq!(gather_f32(&[0.0; 6], 2, &[2, 2], &mut yf), Ok(()));
        // row_len 0: nothing to copy, any non-negative index is fine
        assert_eq!(gather_f32(&[], 0, &[5], &mut []), Ok(()));
    }

    #[test]
    fn fast_matches_ref() {
        for &row_len in [1usize, 3, 4, 15, 16, 17, 31, 784].iter() {
            let rows = 9;
            let src: Vec<u8> = (0..rows * row_len).map(|i| (i * 37 % 256) as u8).collect();
            let fsrc: Vec<f32> = src.iter().map(|&b| b as f32 - 100.0).collect();
            let idx = [8, 0, 3, 3, 7];
            let mut a = vec![0.0f32; idx.len() * row_len];
            let mut b = vec![0.0f32; idx.len() * row_len];
            gather_u8_to_f32(&src, row_len, &idx, 1.0 / 255.0, &mut a).unwrap();
            gather_u8_to_f32_ref(&src, row_len, &idx, 1.0 / 255.0, &mut b).unwrap();
            assert_eq!(a, b);
            gather_f32(&fsrc, row_len, &idx, &mut a).unwrap();
            gather_f32_ref(&fsrc, row_len, &idx, &mut b).unwrap();
            assert_eq!(a, b);
        }
    }
}
