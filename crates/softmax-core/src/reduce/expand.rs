//! Broadcasting by strides (`expand`) and its adjoint (`sum_to`, the backward of every broadcast).

/// Maximum number of dimensions of `expand` / `sum_to`.
pub const MAX_DIMS: usize = 8;

use super::{sum, sum_axis};

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

pub fn expand_ref<T: Copy>(x: &[T], y: &mut [T], shape: &[u32], x_strides: &[u32]) {
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
