//! Data movement for joins and indexed ops: block copies (cat, stack, split), a flip along one axis,
//! index_select / index_add, gather / scatter along a dim over a strided N-d walk, one_hot; and the
//! filled ranges (arange, linspace, eye). Bad indices are reported before anything is written.

/// y[y_off + r·y_stride + j] = x[x_off + r·x_stride + j] for r < rows, j < cols.
pub fn copy_block<T: Copy>(
    x: &[T],
    x_off: usize,
    x_stride: usize,
    y: &mut [T],
    y_off: usize,
    y_stride: usize,
    rows: usize,
    cols: usize,
) {
    if cols == 0 {
        return;
    }
    for r in 0..rows {
        let xs = x_off + r * x_stride;
        let ys = y_off + r * y_stride;
        y[ys..ys + cols].copy_from_slice(&x[xs..xs + cols]);
    }
}

/// Scalar reference of [`copy_block`].
pub fn copy_block_ref<T: Copy>(
    x: &[T],
    x_off: usize,
    x_stride: usize,
    y: &mut [T],
    y_off: usize,
    y_stride: usize,
    rows: usize,
    cols: usize,
) {
    for r in 0..rows {
        for j in 0..cols {
            y[y_off + r * y_stride + j] = x[x_off + r * x_stride + j];
        }
    }
}

/// y[o, dim−1−d, i] = x[o, d, i] over [outer, dim, inner].
pub fn flip_axis<T: Copy>(x: &[T], y: &mut [T], outer: usize, dim: usize, inner: usize) {
    if inner == 0 {
        return;
    }
    for o in 0..outer {
        let base = o * dim * inner;
        for d in 0..dim {
            let src = base + d * inner;
            let dst = base + (dim - 1 - d) * inner;
            y[dst..dst + inner].copy_from_slice(&x[src..src + inner]);
        }
    }
}

/// Scalar reference of [`flip_axis`].
pub fn flip_axis_ref<T: Copy>(x: &[T], y: &mut [T], outer: usize, dim: usize, inner: usize) {
    for o in 0..outer {
        for d in 0..dim {
            for i in 0..inner {
                y[(o * dim + (dim - 1 - d)) * inner + i] = x[(o * dim + d) * inner + i];
            }
        }
    }
}

/// The position of the first index outside [0, size).
fn check_range(index: &[i32], size: usize) -> Result<(), usize> {
    match index.iter().position(|&v| v < 0 || v as usize >= size) {
        Some(p) => Err(p),
        None => Ok(()),
    }
}

/// y[o, k, i] = x[o, index[k], i]: x is [outer, size, inner], y [outer, index.len(), inner].
pub fn index_select<T: Copy>(
    x: &[T],
    index: &[i32],
    y: &mut [T],
    outer: usize,
    size: usize,
    inner: usize,
) -> Result<(), usize> {
    check_range(index, size)?;
    if inner == 0 {
        return Ok(());
    }
    let n = index.len();
    for o in 0..outer {
        for (k, &v) in index.iter().enumerate() {
            let src = (o * size + v as usize) * inner;
            let dst = (o * n + k) * inner;
            y[dst..dst + inner].copy_from_slice(&x[src..src + inner]);
        }
    }
    Ok(())
}

/// Scalar reference of [`index_select`].
pub fn index_select_ref<T: Copy>(
    x: &[T],
    index: &[i32],
    y: &mut [T],
    outer: usize,
    size: usize,
    inner: usize,
) -> Result<(), usize> {
    check_range(index, size)?;
    let n = index.len();
    for o in 0..outer {
        for k in 0..n {
            for i in 0..inner {
                y[(o * n + k) * inner + i] = x[(o * size + index[k] as usize) * inner + i];
            }
        }
    }
    Ok(())
}

/// The adjoint of [`index_select`]: dx[o, index[k], i] += dy[o, k, i], k in order (duplicates add up in
/// a fixed order, so the bits never depend on the machine).
pub fn index_add(
    dy: &[f32],
    index: &[i32],
    dx: &mut [f32],
    outer: usize,
    size: usize,
    inner: usize,
) -> Result<(), usize> {
    check_range(index, size)?;
    let n = index.len();
    for o in 0..outer {
        for (k, &v) in index.iter().enumerate() {
            let src = (o * n + k) * inner;
            let dst = (o * size + v as usize) * inner;
            for (d, &s) in dx[dst..dst + inner].iter_mut().zip(&dy[src..src + inner]) {
                *d += s;
            }
        }
    }
    Ok(())
}

/// Scalar reference of [`index_add`].
pub fn index_add_ref(
    dy: &[f32],
    index: &[i32],
    dx: &mut [f32],
    outer: usize,
    size: usize,
    inner: usize,
) -> Result<(), usize> {
    check_range(index, size)?;
    let n = index.len();
    for o in 0..outer {
        for k in 0..n {
            for i in 0..inner {
                dx[(o * size + index[k] as usize) * inner + i] += dy[(o * n + k) * inner + i];
            }
        }
    }
    Ok(())
}

/// Calls `f(p, a, b)` for every position p of `shape` in row-major order, with a = Σ idx_d·sa_d over
/// every d and b = Σ_{d≠dim} idx_d·sb_d (the caller adds the index along `dim`).
fn walk(shape: &[u32], sa: &[u32], sb: &[u32], dim: usize, mut f: impl FnMut(usize, usize, usize)) {
    let count: usize = shape.iter().map(|&d| d as usize).product();
    if count == 0 {
        return;
    }
    let nd = shape.len();
    let mut idx = [0usize; 8];
    let (mut a, mut b) = (0usize, 0usize);
    for p in 0..count {
        f(p, a, b);
        // odometer: bump the last dim, carrying into earlier ones
        let mut d = nd;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            a += sa[d] as usize;
            if d != dim {
                b += sb[d] as usize;
            }
            if idx[d] < shape[d] as usize {
                break;
            }
            a -= idx[d] * sa[d] as usize;
            if d != dim {
                b -= idx[d] * sb[d] as usize;
            }
            idx[d] = 0;
        }
    }
}

/// The offsets of position p of `shape` from scratch (the reference of [`walk`]).
fn offsets_ref(shape: &[u32], sa: &[u32], sb: &[u32], dim: usize, p: usize) -> (usize, usize) {
    let (mut rest, mut a, mut b) = (p, 0usize, 0usize);
    for d in (0..shape.len()).rev() {
        let i = rest % shape[d] as usize;
        rest /= shape[d] as usize;
        a += i * sa[d] as usize;
        if d != dim {
            b += i * sb[d] as usize;
        }
    }
    (a, b)
}

/// Gather along `dim`: for each position of the index (dense, of shape `shape`),
/// y[p] = x[Σ_{d≠dim} idx_d·x_strides_d + index[p]·x_strides_dim]; index values in [0, dim_size).
pub fn gather_dim<T: Copy>(
    x: &[T],
    index: &[i32],
    y: &mut [T],
    shape: &[u32],
    x_strides: &[u32],
    dim: usize,
    dim_size: usize,
) -> Result<(), usize> {
    check_range(index, dim_size)?;
    let sd = x_strides[dim] as usize;
    walk(shape, shape, x_strides, dim, |p, _, b| {
        y[p] = x[b + index[p] as usize * sd];
    });
    Ok(())
}

/// Scalar reference of [`gather_dim`].
pub fn gather_dim_ref<T: Copy>(
    x: &[T],
    index: &[i32],
    y: &mut [T],
    shape: &[u32],
    x_strides: &[u32],
    dim: usize,
    dim_size: usize,
) -> Result<(), usize> {
    check_range(index, dim_size)?;
    for (p, &v) in index.iter().enumerate() {
        let (_, b) = offsets_ref(shape, shape, x_strides, dim, p);
        y[p] = x[b + v as usize * x_strides[dim] as usize];
    }
    Ok(())
}

/// Scatter along `dim`, in position order: y[Σ_{d≠dim} idx_d·y_strides_d + index[p]·y_strides_dim]
/// = src[Σ idx_d·src_strides_d] (mode 0), or += (mode 1). With mode 0 the last duplicate wins.
pub fn scatter_dim<T: Copy + core::ops::AddAssign>(
    mode: u32,
    src: &[T],
    index: &[i32],
    y: &mut [T],
    shape: &[u32],
    src_strides: &[u32],
    y_strides: &[u32],
    dim: usize,
    dim_size: usize,
) -> Result<(), usize> {
    check_range(index, dim_size)?;
    let sd = y_strides[dim] as usize;
    walk(shape, src_strides, y_strides, dim, |p, a, b| {
        let dst = b + index[p] as usize * sd;
        if mode == 0 {
            y[dst] = src[a];
        } else {
            y[dst] += src[a];
        }
    });
    Ok(())
}

/// Scalar reference of [`scatter_dim`].
pub fn scatter_dim_ref<T: Copy + core::ops::AddAssign>(
    mode: u32,
    src: &[T],
    index: &[i32],
    y: &mut [T],
    shape: &[u32],
    src_strides: &[u32],
    y_strides: &[u32],
    dim: usize,
    dim_size: usize,
) -> Result<(), usize> {
    check_range(index, dim_size)?;
    for (p, &v) in index.iter().enumerate() {
        let (a, b) = offsets_ref(shape, src_strides, y_strides, dim, p);
        let dst = b + v as usize * y_strides[dim] as usize;
        if mode == 0 {
            y[dst] = src[a];
        } else {
            y[dst] += src[a];
        }
    }
    Ok(())
}

/// y[r, c] = 1 where c == labels[r], else 0 (y is [labels.len(), classes]).
pub fn one_hot(labels: &[i32], classes: usize, y: &mut [i32]) -> Result<(), usize> {
    check_range(labels, classes)?;
    for v in y.iter_mut() {
        *v = 0;
    }
    for (r, &l) in labels.iter().enumerate() {
        y[r * classes + l as usize] = 1;
    }
    Ok(())
}

/// Scalar reference of [`one_hot`].
pub fn one_hot_ref(labels: &[i32], classes: usize, y: &mut [i32]) -> Result<(), usize> {
    check_range(labels, classes)?;
    for r in 0..labels.len() {
        for c in 0..classes {
            y[r * classes + c] = (c == labels[r] as usize) as i32;
        }
    }
    Ok(())
}

/// The largest value of x (i32::MIN when empty).
pub fn max_i32(x: &[i32]) -> i32 {
    x.iter().copied().fold(i32::MIN, i32::max)
}

/// y[i] = start + i·step, in f64 then rounded to f32 (PyTorch's arange accumulates in double).
pub fn arange_f32(y: &mut [f32], start: f64, step: f64) {
    for (i, v) in y.iter_mut().enumerate() {
        *v = (start + step * i as f64) as f32;
    }
}

/// y[i] = start + i·step for integers (the caller checked every value fits in i32).
pub fn arange_i32(y: &mut [i32], start: f64, step: f64) {
    for (i, v) in y.iter_mut().enumerate() {
        *v = (start + step * i as f64) as i32;
    }
}

/// PyTorch's linspace in f32: step = (end − start)/(n − 1); the first half counts up from start, the
/// second half down from end, so both ends are exact.
pub fn linspace_f32(y: &mut [f32], start: f32, end: f32) {
    let n = y.len();
    if n == 0 {
        return;
    }
    if n == 1 {
        y[0] = start;
        return;
    }
    let step = (end - start) / (n - 1) as f32;
    let half = n / 2;
    for (i, v) in y.iter_mut().enumerate() {
        *v = if i < half {
            start + step * i as f32
        } else {
            end - step * (n - i - 1) as f32
        };
    }
}

/// y = the n×m identity (ones on the main diagonal).
pub fn eye_f32(y: &mut [f32], n: usize, m: usize) {
    for v in y.iter_mut() {
        *v = 0.0;
    }
    for i in 0..n.min(m) {
        y[i * m + i] = 1.0;
    }
}

#[cfg(test)]
mod tests;
