//! Indexing by rows: gather (advanced indexing), put and add (its write and its gradient), and the
//! element-wise select behind `where` / `masked_fill`. Rows are `row_len` contiguous elements.

/// y[r] = src[indices[r]] row by row; Err(r) for the first index outside the rows of src (nothing written).
pub fn gather_rows<T: Copy>(
    src: &[T],
    row_len: usize,
    indices: &[i32],
    y: &mut [T],
) -> Result<(), usize> {
    check(src.len(), row_len, indices)?;
    for (r, &i) in indices.iter().enumerate() {
        let at = i as usize * row_len;
        y[r * row_len..(r + 1) * row_len].copy_from_slice(&src[at..at + row_len]);
    }
    Ok(())
}

/// Scalar reference of [`gather_rows`].
pub fn gather_rows_ref<T: Copy>(
    src: &[T],
    row_len: usize,
    indices: &[i32],
    y: &mut [T],
) -> Result<(), usize> {
    check(src.len(), row_len, indices)?;
    for r in 0..indices.len() {
        for j in 0..row_len {
            y[r * row_len + j] = src[indices[r] as usize * row_len + j];
        }
    }
    Ok(())
}

/// y[indices[r]] = src[r] row by row (a later row wins on a repeated index); Err(r) as gather_rows.
pub fn put_rows<T: Copy>(
    src: &[T],
    row_len: usize,
    indices: &[i32],
    y: &mut [T],
) -> Result<(), usize> {
    check(y.len(), row_len, indices)?;
    for (r, &i) in indices.iter().enumerate() {
        let at = i as usize * row_len;
        y[at..at + row_len].copy_from_slice(&src[r * row_len..(r + 1) * row_len]);
    }
    Ok(())
}

/// Scalar reference of [`put_rows`].
pub fn put_rows_ref<T: Copy>(
    src: &[T],
    row_len: usize,
    indices: &[i32],
    y: &mut [T],
) -> Result<(), usize> {
    check(y.len(), row_len, indices)?;
    for r in 0..indices.len() {
        for j in 0..row_len {
            y[indices[r] as usize * row_len + j] = src[r * row_len + j];
        }
    }
    Ok(())
}

/// y[indices[r]] += src[r] row by row, in row order (repeated indices accumulate); Err(r) as gather_rows.
pub fn add_rows(src: &[f32], row_len: usize, indices: &[i32], y: &mut [f32]) -> Result<(), usize> {
    check(y.len(), row_len, indices)?;
    for (r, &i) in indices.iter().enumerate() {
        let at = i as usize * row_len;
        for (d, &s) in y[at..at + row_len]
            .iter_mut()
            .zip(&src[r * row_len..(r + 1) * row_len])
        {
            *d += s;
        }
    }
    Ok(())
}

/// Scalar reference of [`add_rows`].
pub fn add_rows_ref(
    src: &[f32],
    row_len: usize,
    indices: &[i32],
    y: &mut [f32],
) -> Result<(), usize> {
    check(y.len(), row_len, indices)?;
    for r in 0..indices.len() {
        for j in 0..row_len {
            y[indices[r] as usize * row_len + j] += src[r * row_len + j];
        }
    }
    Ok(())
}

/// The number of rows of a buffer of `len` elements, or Err(r) for the first index outside them.
fn check(len: usize, row_len: usize, indices: &[i32]) -> Result<usize, usize> {
    let rows = len.checked_div(row_len).unwrap_or(usize::MAX);
    match indices.iter().position(|&i| i < 0 || i as usize >= rows) {
        Some(r) => Err(r),
        None => Ok(rows),
    }
}

/// y[i] = cond[i] != 0 ? a[i] : b[i].
pub fn select<T: Copy>(cond: &[u8], a: &[T], b: &[T], y: &mut [T]) {
    for (((y, &c), &a), &b) in y.iter_mut().zip(cond).zip(a).zip(b) {
        *y = if c != 0 { a } else { b };
    }
}

/// Scalar reference of [`select`].
pub fn select_ref<T: Copy>(cond: &[u8], a: &[T], b: &[T], y: &mut [T]) {
    for i in 0..y.len() {
        y[i] = if cond[i] != 0 { a[i] } else { b[i] };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_by_hand_and_against_the_reference() {
        let src: Vec<f32> = (0..15).map(|v| v as f32).collect(); // 5 rows of 3
        let idx = [4, 0, 4, 2];
        let mut y = vec![0.0f32; 12];
        let mut y2 = y.clone();
        gather_rows(&src, 3, &idx, &mut y).unwrap();
        gather_rows_ref(&src, 3, &idx, &mut y2).unwrap();
        assert_eq!(
            y,
            [12.0, 13.0, 14.0, 0.0, 1.0, 2.0, 12.0, 13.0, 14.0, 6.0, 7.0, 8.0]
        );
        assert_eq!(y, y2);
        let mut acc = vec![1.0f32; 15];
        let mut acc2 = acc.clone();
        add_rows(&y, 3, &idx, &mut acc).unwrap();
        add_rows_ref(&y, 3, &idx, &mut acc2).unwrap();
        assert_eq!(&acc[12..15], &[25.0, 27.0, 29.0]); // 1 + 2·(12, 13, 14)
        assert_eq!(acc, acc2);
        let mut put = vec![0u32; 15];
        let mut put2 = put.clone();
        let rows: Vec<u32> = (100..112).collect();
        put_rows(&rows, 3, &idx, &mut put).unwrap();
        put_rows_ref(&rows, 3, &idx, &mut put2).unwrap();
        assert_eq!(&put[12..15], &[106, 107, 108]); // the later row wins
        assert_eq!(put, put2);
        assert_eq!(gather_rows(&src, 3, &[1, 5], &mut y), Err(1));
        assert_eq!(put_rows(&rows, 3, &[-1], &mut put), Err(0));
    }

    #[test]
    fn select_matches_the_reference_at_odd_sizes() {
        for n in [0usize, 1, 7, 33] {
            let cond: Vec<u8> = (0..n).map(|i| (i % 3 == 0) as u8).collect();
            let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
            let b: Vec<f32> = (0..n).map(|i| -(i as f32)).collect();
            let (mut y, mut y2) = (vec![0.0f32; n], vec![0.0f32; n]);
            select(&cond, &a, &b, &mut y);
            select_ref(&cond, &a, &b, &mut y2);
            assert_eq!(y, y2);
        }
    }
}
