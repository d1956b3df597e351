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

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use core::arch::wasm32::*;

const SUM_BLOCK: usize = 256;
const LANES: usize = 16;
const COL_LEAF: usize = 64;

/// Maximum number of dimensions of `expand` / `sum_to`.
pub const MAX_DIMS: usize = 8;

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

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn block_sum_fast(x: &[f32]) -> f32 {
    let n = x.len();
    let p = x.as_ptr();
    let mut v0 = f32x4_splat(0.0);
    let mut v1 = v0;
    let mut v2 = v0;
    let mut v3 = v0;
    let mut i = 0;
    // SAFETY: i + 16 ≤ n.
    unsafe {
        while i + LANES <= n {
            v0 = f32x4_add(v0, v128_load(p.add(i) as *const v128));
            v1 = f32x4_add(v1, v128_load(p.add(i + 4) as *const v128));
            v2 = f32x4_add(v2, v128_load(p.add(i + 8) as *const v128));
            v3 = f32x4_add(v3, v128_load(p.add(i + 12) as *const v128));
            i += LANES;
        }
    }
    let mut acc = [0.0f32; LANES];
    // SAFETY: acc holds 16 f32 = 4 vectors.
    unsafe {
        let a = acc.as_mut_ptr();
        v128_store(a as *mut v128, v0);
        v128_store(a.add(4) as *mut v128, v1);
        v128_store(a.add(8) as *mut v128, v2);
        v128_store(a.add(12) as *mut v128, v3);
    }
    for (j, &v) in x[i..].iter().enumerate() {
        acc[j] += v;
    }
    fold_lanes(&mut acc)
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn block_sum_fast(x: &[f32]) -> f32 {
    block_sum_ref(x)
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
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn col_sum4(x: &[f32], start: usize, stride: usize, len: usize) -> v128 {
    if len <= COL_LEAF {
        debug_assert!(len == 0 || start + (len - 1) * stride + 4 <= x.len());
        let p = x.as_ptr();
        let mut s = f32x4_splat(0.0);
        // SAFETY: the caller guarantees start + (len-1)·stride + 4 ≤ x.len().
        unsafe {
            for d in 0..len {
                s = f32x4_add(s, v128_load(p.add(start + d * stride) as *const v128));
            }
        }
        s
    } else {
        let h = len / 2;
        f32x4_add(
            col_sum4(x, start, stride, h),
            col_sum4(x, start + h * stride, stride, len - h),
        )
    }
}

/// Sixteen neighbouring columns at once (four vectors).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn col_sum16(x: &[f32], start: usize, stride: usize, len: usize) -> [v128; 4] {
    if len <= COL_LEAF {
        debug_assert!(len == 0 || start + (len - 1) * stride + 16 <= x.len());
        let p = x.as_ptr();
        let z = f32x4_splat(0.0);
        let (mut s0, mut s1, mut s2, mut s3) = (z, z, z, z);
        // SAFETY: the caller guarantees start + (len-1)·stride + 16 ≤ x.len().
        unsafe {
            for d in 0..len {
                let q = p.add(start + d * stride);
                s0 = f32x4_add(s0, v128_load(q as *const v128));
                s1 = f32x4_add(s1, v128_load(q.add(4) as *const v128));
                s2 = f32x4_add(s2, v128_load(q.add(8) as *const v128));
                s3 = f32x4_add(s3, v128_load(q.add(12) as *const v128));
            }
        }
        [s0, s1, s2, s3]
    } else {
        let h = len / 2;
        let a = col_sum16(x, start, stride, h);
        let b = col_sum16(x, start + h * stride, stride, len - h);
        [
            f32x4_add(a[0], b[0]),
            f32x4_add(a[1], b[1]),
            f32x4_add(a[2], b[2]),
            f32x4_add(a[3], b[3]),
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
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
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
                    v128_store(yp.add(i) as *mut v128, s[0]);
                    v128_store(yp.add(i + 4) as *mut v128, s[1]);
                    v128_store(yp.add(i + 8) as *mut v128, s[2]);
                    v128_store(yp.add(i + 12) as *mut v128, s[3]);
                }
                i += 16;
            }
            while i + 4 <= inner {
                let s = col_sum4(x, base + i, inner, dim);
                // SAFETY: i + 4 ≤ inner.
                unsafe { v128_store(yp.add(i) as *mut v128, s) };
                i += 4;
            }
            while i < inner {
                yo[i] = col_sum_ref(x, base + i, inner, dim);
                i += 1;
            }
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    sum_axis_ref(x, y, outer, dim, inner);
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
// max / argmax

/// The running-max update both paths use: take v if it is larger, or if it is the first NaN.
#[inline(always)]
fn takes_over(v: f32, m: f32) -> bool {
    v > m || (v.is_nan() && !m.is_nan())
}

/// y[o, i] = max_d x[o, d, i] (NaN propagates).
pub fn max_axis(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        if dim > 0 && inner >= 4 {
            let p = x.as_ptr();
            for o in 0..outer {
                let base = o * dim * inner;
                let mut i = 0;
                while i + 4 <= inner {
                    // SAFETY: base + d·inner + i + 4 ≤ (o+1)·dim·inner ≤ x.len(), likewise for y.
                    unsafe {
                        let mut m = v128_load(p.add(base + i) as *const v128);
                        for d in 1..dim {
                            let v = v128_load(p.add(base + d * inner + i) as *const v128);
                            let take =
                                v128_and(v128_or(f32x4_gt(v, m), f32x4_ne(v, v)), f32x4_eq(m, m));
                            m = v128_bitselect(v, m, take);
                        }
                        v128_store(y.as_mut_ptr().add(o * inner + i) as *mut v128, m);
                    }
                    i += 4;
                }
                for i in i..inner {
                    y[o * inner + i] = max_col(x, base + i, inner, dim);
                }
            }
            return;
        }
    }
    max_axis_ref(x, y, outer, dim, inner);
}

fn max_col(x: &[f32], start: usize, stride: usize, dim: usize) -> f32 {
    if dim == 0 {
        return f32::NEG_INFINITY;
    }
    let mut m = x[start];
    for d in 1..dim {
        let v = x[start + d * stride];
        if takes_over(v, m) {
            m = v;
        }
    }
    m
}

fn argmax_col(x: &[f32], start: usize, stride: usize, dim: usize) -> i32 {
    if dim == 0 {
        return 0;
    }
    let mut m = x[start];
    let mut best = 0usize;
    for d in 1..dim {
        let v = x[start + d * stride];
        if takes_over(v, m) {
            m = v;
            best = d;
        }
    }
    best as i32
}

pub fn max_axis_ref(x: &[f32], y: &mut [f32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    for o in 0..outer {
        for i in 0..inner {
            y[o * inner + i] = max_col(x, o * dim * inner + i, inner, dim);
        }
    }
}

/// y[o, i] = the first d where x[o, d, i] is maximal (the first NaN if there is one).
pub fn argmax_axis(x: &[f32], y: &mut [i32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        if dim > 0 && inner >= 4 {
            let p = x.as_ptr();
            for o in 0..outer {
                let base = o * dim * inner;
                let mut i = 0;
                while i + 4 <= inner {
                    // SAFETY: as in max_axis.
                    unsafe {
                        let mut m = v128_load(p.add(base + i) as *const v128);
                        let mut best = i32x4_splat(0);
                        for d in 1..dim {
                            let v = v128_load(p.add(base + d * inner + i) as *const v128);
                            let take =
                                v128_and(v128_or(f32x4_gt(v, m), f32x4_ne(v, v)), f32x4_eq(m, m));
                            m = v128_bitselect(v, m, take);
                            best = v128_bitselect(i32x4_splat(d as i32), best, take);
                        }
                        v128_store(y.as_mut_ptr().add(o * inner + i) as *mut v128, best);
                    }
                    i += 4;
                }
                for i in i..inner {
                    y[o * inner + i] = argmax_col(x, base + i, inner, dim);
                }
            }
            return;
        }
    }
    argmax_axis_ref(x, y, outer, dim, inner);
}

pub fn argmax_axis_ref(x: &[f32], y: &mut [i32], outer: usize, dim: usize, inner: usize) {
    debug_assert!(x.len() >= outer * dim * inner && y.len() >= outer * inner);
    for o in 0..outer {
        for i in 0..inner {
            y[o * inner + i] = argmax_col(x, o * dim * inner + i, inner, dim);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// expand / sum_to

/// Number of elements of `shape` (1 for a scalar shape).
pub fn shape_numel(shape: &[u32]) -> usize {
    shape.iter().map(|&d| d as usize).product()
}

/// Shape and strides with size-1 dimensions dropped and chained dimensions merged (d, d+1 merge when
/// stride[d] == stride[d+1]·shape[d+1], which covers two broadcast dims and two contiguous dims).
fn collapse(shape: &[u32], strides: &[u32]) -> (usize, [usize; MAX_DIMS], [usize; MAX_DIMS]) {
    let mut dims = [0usize; MAX_DIMS];
    let mut st = [0usize; MAX_DIMS];
    let mut nd = 0usize;
    for (&d, &s) in shape.iter().zip(strides.iter()) {
        let (d, s) = (d as usize, s as usize);
        if d == 1 {
            continue;
        }
        if nd > 0 && st[nd - 1] == s * d {
            dims[nd - 1] *= d;
            st[nd - 1] = s;
        } else {
            dims[nd] = d;
            st[nd] = s;
            nd += 1;
        }
    }
    (nd, dims, st)
}

/// Calls f(out_offset, in_offset) for every row of the innermost collapsed dimension.
#[inline(always)]
fn for_each_row(
    nd: usize,
    dims: &[usize; MAX_DIMS],
    st: &[usize; MAX_DIMS],
    mut f: impl FnMut(usize, usize),
) {
    let len = dims[nd - 1];
    let rows: usize = dims[..nd - 1].iter().product();
    let mut idx = [0usize; MAX_DIMS];
    let mut off = 0usize;
    for r in 0..rows {
        f(r * len, off);
        let mut d = nd - 1;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            off += st[d];
            if idx[d] < dims[d] {
                break;
            }
            off -= st[d] * dims[d];
            idx[d] = 0;
        }
    }
}

/// y (of `shape`, ndim ≤ 8) [idx] = x[Σ idx_d · x_strides[d]]; stride 0 broadcasts a dimension.
pub fn expand(x: &[f32], y: &mut [f32], shape: &[u32], x_strides: &[u32]) {
    debug_assert!(shape.len() <= MAX_DIMS && shape.len() == x_strides.len());
    let total = shape_numel(shape);
    debug_assert!(y.len() >= total);
    if total == 0 {
        return;
    }
    let (nd, dims, st) = collapse(shape, x_strides);
    if nd == 0 {
        y[0] = x[0];
        return;
    }
    let len = dims[nd - 1];
    let s = st[nd - 1];
    for_each_row(nd, &dims, &st, |out, inp| {
        let yr = &mut y[out..out + len];
        if s == 1 {
            yr.copy_from_slice(&x[inp..inp + len]);
        } else if s == 0 {
            crate::elementwise::fill(yr, x[inp]);
        } else {
            for (j, v) in yr.iter_mut().enumerate() {
                *v = x[inp + j * s];
            }
        }
    });
}

pub fn expand_ref(x: &[f32], y: &mut [f32], shape: &[u32], x_strides: &[u32]) {
    debug_assert!(shape.len() <= MAX_DIMS && shape.len() == x_strides.len());
    let total = shape_numel(shape);
    let nd = shape.len();
    let mut idx = [0usize; MAX_DIMS];
    for v in y[..total].iter_mut() {
        let mut off = 0usize;
        for d in 0..nd {
            off += idx[d] * x_strides[d] as usize;
        }
        *v = x[off];
        let mut d = nd;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            if idx[d] < shape[d] as usize {
                break;
            }
            idx[d] = 0;
        }
    }
}

/// The adjoint of `expand`: dx is zeroed, then dx[Σ idx_d · x_strides[d]] += dy[idx] for every idx of
/// `shape`. The common patterns (sum over leading / trailing / middle broadcast dims) go through
/// `sum_axis`, so they are summed pairwise.
pub fn sum_to(dy: &[f32], dx: &mut [f32], shape: &[u32], x_strides: &[u32]) {
    debug_assert!(shape.len() <= MAX_DIMS && shape.len() == x_strides.len());
    let total = shape_numel(shape);
    debug_assert!(dy.len() >= total);
    crate::elementwise::fill(dx, 0.0);
    if total == 0 {
        return;
    }
    let dy = &dy[..total];
    let (nd, dims, st) = collapse(shape, x_strides);
    match nd {
        0 => {
            dx[0] = dy[0];
            return;
        }
        1 if st[0] == 0 => {
            dx[0] = sum(dy);
            return;
        }
        2 if st[0] == 0 && st[1] == 1 => {
            sum_axis(dy, &mut dx[..dims[1]], 1, dims[0], dims[1]);
            return;
        }
        2 if st[0] == 1 && st[1] == 0 => {
            sum_axis(dy, &mut dx[..dims[0]], dims[0], dims[1], 1);
            return;
        }
        3 if st[0] == dims[2] && st[1] == 0 && st[2] == 1 => {
            sum_axis(dy, &mut dx[..dims[0] * dims[2]], dims[0], dims[1], dims[2]);
            return;
        }
        _ => {}
    }
    let len = dims[nd - 1];
    let s = st[nd - 1];
    for_each_row(nd, &dims, &st, |out, inp| {
        let g = &dy[out..out + len];
        if s == 1 {
            crate::elementwise::axpy(1.0, g, &mut dx[inp..inp + len]);
        } else if s == 0 {
            dx[inp] += sum(g);
        } else {
            for (j, &v) in g.iter().enumerate() {
                dx[inp + j * s] += v;
            }
        }
    });
}

pub fn sum_to_ref(dy: &[f32], dx: &mut [f32], shape: &[u32], x_strides: &[u32]) {
    debug_assert!(shape.len() <= MAX_DIMS && shape.len() == x_strides.len());
    for v in dx.iter_mut() {
        *v = 0.0;
    }
    let total = shape_numel(shape);
    let nd = shape.len();
    let mut idx = [0usize; MAX_DIMS];
    for &g in dy[..total].iter() {
        let mut off = 0usize;
        for d in 0..nd {
            off += idx[d] * x_strides[d] as usize;
        }
        dx[off] += g;
        let mut d = nd;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            if idx[d] < shape[d] as usize {
                break;
            }
            idx[d] = 0;
        }
    }
}

// ---------------------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(777);
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
            })
            .collect()
    }

    const SIZES: [usize; 14] = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 255, 256, 257];

    #[test]
    fn sum_hand_values_and_accuracy() {
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[1.0, 2.0, 3.5]), 6.5);
        let x: Vec<f32> = (1..=1000).map(|v| v as f32).collect();
        assert_eq!(sum(&x), 500_500.0);
        // 1e7 copies of 0.1: naive f32 summation drifts to ~1.09e6; pairwise stays within ~1e-6 relative
        let x = vec![0.1f32; 10_000_000];
        let exact = 0.1f32 as f64 * 1e7;
        let s = sum(&x) as f64;
        assert!((s - exact).abs() / exact < 2e-6, "{} vs {}", s, exact);
        // random data vs f64
        for &n in SIZES.iter().chain([1000usize, 4097, 100_003].iter()) {
            let x = data(n, n as u32);
            let exact: f64 = x.iter().map(|&v| v as f64).sum();
            let abs: f64 = x.iter().map(|&v| (v as f64).abs()).sum();
            let s = sum(&x);
            assert_eq!(s.to_bits(), sum_ref(&x).to_bits());
            assert!((s as f64 - exact).abs() <= 1e-6 * abs + 1e-7, "n={}", n);
        }
    }

    #[test]
    fn sum_axis_hand_and_fast_vs_ref() {
        // x [2, 3, 2]
        let x = [
            1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0,
        ];
        let mut y = [0.0f32; 4];
        sum_axis(&x, &mut y, 2, 3, 2);
        assert_eq!(y, [9.0, 12.0, 27.0, 30.0]);
        let mut y = [0.0f32; 6];
        sum_axis(&x, &mut y, 6, 2, 1);
        assert_eq!(y, [3.0, 7.0, 11.0, 15.0, 19.0, 23.0]);
        sum_axis(&x, &mut y[..2], 1, 6, 2);
        assert_eq!(&y[..2], &[36.0, 42.0]);
        for &(o, d, i) in [
            (1usize, 1usize, 1usize),
            (3, 5, 7),
            (2, 257, 17),
            (1, 300, 33),
            (4, 1, 4),
            (2, 129, 1),
            (0, 3, 3),
        ]
        .iter()
        {
            let x = data(o * d * i, (o + d + i) as u32);
            let mut a = vec![0.0f32; o * i];
            let mut b = vec![1.0f32; o * i];
            sum_axis(&x, &mut a, o, d, i);
            sum_axis_ref(&x, &mut b, o, d, i);
            for k in 0..a.len() {
                assert_eq!(a[k].to_bits(), b[k].to_bits());
                let exact: f64 = (0..d)
                    .map(|dd| x[(k / i) * d * i + dd * i + k % i] as f64)
                    .sum();
                assert!((a[k] as f64 - exact).abs() < 1e-5 * d as f64);
            }
        }
    }

    #[test]
    fn max_and_argmax() {
        // x [2, 3]: rows
        let x = [1.0f32, 5.0, 5.0, -1.0, -3.0, -2.0];
        let mut m = [0.0f32; 2];
        let mut a = [9i32; 2];
        max_axis(&x, &mut m, 2, 3, 1);
        argmax_axis(&x, &mut a, 2, 3, 1);
        assert_eq!(m, [5.0, -1.0]);
        assert_eq!(a, [1, 0]);
        // over columns (inner = 3)
        let mut m = [0.0f32; 3];
        let mut a = [9i32; 3];
        max_axis(&x, &mut m, 1, 2, 3);
        argmax_axis(&x, &mut a, 1, 2, 3);
        assert_eq!(m, [1.0, 5.0, 5.0]);
        assert_eq!(a, [0, 0, 0]);
        // NaN is the max, the first NaN wins
        let x = [1.0f32, f32::NAN, 7.0, f32::NAN];
        let mut m = [0.0f32];
        let mut a = [9i32];
        max_axis(&x, &mut m, 1, 4, 1);
        argmax_axis(&x, &mut a, 1, 4, 1);
        assert!(m[0].is_nan());
        assert_eq!(a[0], 1);
        // fast vs ref, with ties and NaNs in the data
        for &(o, d, i) in [
            (3usize, 5usize, 7usize),
            (2, 17, 16),
            (1, 4, 4),
            (5, 3, 1),
            (2, 1, 9),
        ]
        .iter()
        {
            let mut x: Vec<f32> = data(o * d * i, 5)
                .iter()
                .map(|v| (v * 4.0).round())
                .collect();
            if x.len() > 10 {
                x[7] = f32::NAN;
                x[10] = f32::NAN;
            }
            let (mut m1, mut m2) = (vec![0.0f32; o * i], vec![0.0f32; o * i]);
            let (mut a1, mut a2) = (vec![0i32; o * i], vec![0i32; o * i]);
            max_axis(&x, &mut m1, o, d, i);
            max_axis_ref(&x, &mut m2, o, d, i);
            argmax_axis(&x, &mut a1, o, d, i);
            argmax_axis_ref(&x, &mut a2, o, d, i);
            assert_eq!(a1, a2);
            for k in 0..m1.len() {
                assert!(m1[k] == m2[k] || (m1[k].is_nan() && m2[k].is_nan()));
                let idx = (k / i) * d * i + a1[k] as usize * i + k % i;
                assert!(x[idx] == m1[k] || (x[idx].is_nan() && m1[k].is_nan()));
            }
        }
    }

    #[test]
    fn expand_and_sum_to_by_hand() {
        // x [2,1,3] → [2,4,3]; x strides (3, 0, 1)
        let x = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let shape = [2u32, 4, 3];
        let strides = [3u32, 0, 1];
        let mut y = vec![0.0f32; 24];
        expand(&x, &mut y, &shape, &strides);
        let want: Vec<f32> = [[1.0f32, 2.0, 3.0]; 4]
            .iter()
            .flatten()
            .chain([[4.0f32, 5.0, 6.0]; 4].iter().flatten())
            .copied()
            .collect();
        assert_eq!(y, want);
        let mut y2 = vec![0.0f32; 24];
        expand_ref(&x, &mut y2, &shape, &strides);
        assert_eq!(y2, want);

        let dy: Vec<f32> = (0..24).map(|v| v as f32).collect();
        let mut dx = [9.0f32; 6];
        sum_to(&dy, &mut dx, &shape, &strides);
        // dx[0, 0, j] = Σ_k dy[0, k, j] = j + (3+j) + (6+j) + (9+j) = 18 + 4j; second block + 48
        assert_eq!(dx, [18.0, 22.0, 26.0, 66.0, 70.0, 74.0]);
        let mut dx2 = [9.0f32; 6];
        sum_to_ref(&dy, &mut dx2, &shape, &strides);
        assert_eq!(dx2, dx);

        // bias: [3] → [2,3] (strides 0,1); column [2,1] → [2,3] (strides 1,0); scalar → [2,3]
        let mut y = [0.0f32; 6];
        expand(&[1.0, 2.0, 3.0], &mut y, &[2, 3], &[0, 1]);
        assert_eq!(y, [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
        expand(&[1.0, 2.0], &mut y, &[2, 3], &[1, 0]);
        assert_eq!(y, [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
        expand(&[7.0], &mut y, &[2, 3], &[0, 0]);
        assert_eq!(y, [7.0; 6]);
        let g = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut d = [0.0f32; 3];
        sum_to(&g, &mut d, &[2, 3], &[0, 1]);
        assert_eq!(d, [5.0, 7.0, 9.0]);
        sum_to(&g, &mut d[..2], &[2, 3], &[1, 0]);
        assert_eq!(&d[..2], &[6.0, 15.0]);
        sum_to(&g, &mut d[..1], &[2, 3], &[0, 0]);
        assert_eq!(d[0], 21.0);
        // ndim 0
        let mut s = [0.0f32];
        expand(&[3.0], &mut s, &[], &[]);
        assert_eq!(s[0], 3.0);
        sum_to(&[4.0], &mut s, &[], &[]);
        assert_eq!(s[0], 4.0);
    }

    #[test]
    fn expand_and_sum_to_are_adjoint() {
        let cases: Vec<(Vec<u32>, Vec<u32>, usize)> = vec![
            (vec![2, 4, 3], vec![3, 0, 1], 6),
            (vec![5, 7], vec![0, 1], 7),
            (vec![5, 7], vec![1, 0], 5),
            (vec![3, 1, 5, 2], vec![0, 0, 2, 1], 10),
            (vec![4, 3], vec![1, 4], 12), // transposed view
            (vec![2, 3, 4, 5], vec![0, 5, 0, 1], 15),
            (vec![3, 3, 17], vec![0, 0, 0], 1),
            (vec![257], vec![1], 257),
            (
                vec![2, 2, 2, 2, 2, 2, 2, 3],
                vec![0, 1, 0, 2, 0, 4, 0, 8],
                24,
            ),
            (vec![256, 10], vec![0, 1], 10),
        ];
        for (shape, strides, xn) in cases {
            let n = shape_numel(&shape);
            let x = data(xn, xn as u32);
            let yv = data(n, n as u32 + 1);
            let mut ex = vec![0.0f32; n];
            let mut ex2 = vec![0.0f32; n];
            expand(&x, &mut ex, &shape, &strides);
            expand_ref(&x, &mut ex2, &shape, &strides);
            assert_eq!(ex, ex2);
            let mut st = vec![0.0f32; xn];
            let mut st2 = vec![0.0f32; xn];
            sum_to(&yv, &mut st, &shape, &strides);
            sum_to_ref(&yv, &mut st2, &shape, &strides);
            for k in 0..xn {
                assert!(
                    (st[k] - st2[k]).abs() < 1e-4,
                    "{:?}: {} vs {}",
                    shape,
                    st[k],
                    st2[k]
                );
            }
            let lhs: f64 = ex
                .iter()
                .zip(yv.iter())
                .map(|(&a, &b)| a as f64 * b as f64)
                .sum();
            let rhs: f64 = x
                .iter()
                .zip(st.iter())
                .map(|(&a, &b)| a as f64 * b as f64)
                .sum();
            assert!(
                (lhs - rhs).abs() < 1e-4 * (1.0 + lhs.abs()),
                "{:?}: {} vs {}",
                shape,
                lhs,
                rhs
            );
        }
    }
}
