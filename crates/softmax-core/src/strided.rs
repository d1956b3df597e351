//! Strided copies: the layout change behind tensor views (reading a non-contiguous view into contiguous
//! memory, and writing contiguous values back into a view). Strides count elements and are ≥ 0.

use crate::reduce::MAX_DIMS;

/// Shape and both strides with size-1 dims dropped and dims merged where both layouts chain.
fn collapse2(
    shape: &[u32],
    xs: &[u32],
    ys: &[u32],
) -> (
    usize,
    [usize; MAX_DIMS],
    [usize; MAX_DIMS],
    [usize; MAX_DIMS],
) {
    let mut dims = [0usize; MAX_DIMS];
    let mut sx = [0usize; MAX_DIMS];
    let mut sy = [0usize; MAX_DIMS];
    let mut nd = 0usize;
    for ((&d, &a), &b) in shape.iter().zip(xs).zip(ys) {
        let (d, a, b) = (d as usize, a as usize, b as usize);
        if d == 1 {
            continue;
        }
        if nd > 0 && sx[nd - 1] == a * d && sy[nd - 1] == b * d {
            dims[nd - 1] *= d;
            sx[nd - 1] = a;
            sy[nd - 1] = b;
        } else {
            dims[nd] = d;
            sx[nd] = a;
            sy[nd] = b;
            nd += 1;
        }
    }
    (nd, dims, sx, sy)
}

/// y[Σ idx_d·y_strides_d] = x[Σ idx_d·x_strides_d] for every idx of `shape` (ndim ≤ 8). Elements of y
/// that no idx reaches keep their values.
pub fn copy<T: Copy>(x: &[T], y: &mut [T], shape: &[u32], x_strides: &[u32], y_strides: &[u32]) {
    debug_assert!(shape.len() <= MAX_DIMS);
    if shape.contains(&0) {
        return;
    }
    let (nd, dims, sx, sy) = collapse2(shape, x_strides, y_strides);
    if nd == 0 {
        y[0] = x[0];
        return;
    }
    let len = dims[nd - 1];
    let (a, b) = (sx[nd - 1], sy[nd - 1]);
    let rows: usize = dims[..nd - 1].iter().product();
    let mut idx = [0usize; MAX_DIMS];
    let (mut ox, mut oy) = (0usize, 0usize);
    for _ in 0..rows {
        if a == 1 && b == 1 {
            y[oy..oy + len].copy_from_slice(&x[ox..ox + len]);
        } else {
            for j in 0..len {
                y[oy + j * b] = x[ox + j * a];
            }
        }
        let mut d = nd - 1;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            ox += sx[d];
            oy += sy[d];
            if idx[d] < dims[d] {
                break;
            }
            ox -= sx[d] * dims[d];
            oy -= sy[d] * dims[d];
            idx[d] = 0;
        }
    }
}

/// Scalar reference of [`copy`]: one element at a time, odometer order.
pub fn copy_ref<T: Copy>(
    x: &[T],
    y: &mut [T],
    shape: &[u32],
    x_strides: &[u32],
    y_strides: &[u32],
) {
    let total: usize = shape.iter().map(|&d| d as usize).product();
    let nd = shape.len();
    let mut idx = [0usize; MAX_DIMS];
    for _ in 0..total {
        let (mut ox, mut oy) = (0usize, 0usize);
        for d in 0..nd {
            ox += idx[d] * x_strides[d] as usize;
            oy += idx[d] * y_strides[d] as usize;
        }
        y[oy] = x[ox];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_by_hand() {
        // x = [[0,1,2],[3,4,5]] read transposed: shape [3,2], x strides (1,3)
        let x: Vec<u32> = (0..6).collect();
        let mut y = vec![9u32; 6];
        copy(&x, &mut y, &[3, 2], &[1, 3], &[2, 1]);
        assert_eq!(y, [0, 3, 1, 4, 2, 5]);
    }

    #[test]
    fn scatter_into_a_view_leaves_the_rest() {
        // write [7,8] into column 1 of a 2×3 matrix (y strides (3), y offset 1 by slicing)
        let mut y = vec![0u32; 6];
        copy(&[7u32, 8], &mut y[1..], &[2], &[1], &[3]);
        assert_eq!(y, [0, 7, 0, 0, 8, 0]);
    }

    #[test]
    fn fast_path_matches_reference_at_odd_sizes() {
        let cases: Vec<(Vec<u32>, Vec<u32>, Vec<u32>)> = vec![
            (vec![3, 5, 7], vec![1, 3, 15], vec![35, 7, 1]),
            (vec![3, 5, 7], vec![35, 7, 1], vec![1, 3, 15]),
            (vec![2, 1, 5, 3], vec![30, 99, 6, 2], vec![15, 15, 3, 1]),
            (vec![4, 6], vec![12, 2], vec![6, 1]),
            (vec![1], vec![0], vec![0]),
            (vec![], vec![], vec![]),
            (vec![3, 0, 2], vec![1, 1, 1], vec![0, 2, 1]),
            (vec![5, 1, 9], vec![1, 0, 5], vec![9, 9, 1]),
        ];
        for (shape, xs, ys) in cases {
            let span = |st: &[u32]| -> usize {
                shape
                    .iter()
                    .zip(st)
                    .map(|(&d, &s)| (d.max(1) as usize - 1) * s as usize)
                    .sum::<usize>()
                    + 1
            };
            let x: Vec<f32> = (0..span(&xs)).map(|v| v as f32 * 0.5 - 3.0).collect();
            let mut y1 = vec![-1.0f32; span(&ys)];
            let mut y2 = y1.clone();
            copy(&x, &mut y1, &shape, &xs, &ys);
            copy_ref(&x, &mut y2, &shape, &xs, &ys);
            assert_eq!(y1, y2, "shape {shape:?} xs {xs:?} ys {ys:?}");
            let xb: Vec<u8> = (0..span(&xs)).map(|v| (v * 7 % 251) as u8).collect();
            let mut b1 = vec![0u8; span(&ys)];
            let mut b2 = b1.clone();
            copy(&xb, &mut b1, &shape, &xs, &ys);
            copy_ref(&xb, &mut b2, &shape, &xs, &ys);
            assert_eq!(b1, b2);
        }
    }
}
