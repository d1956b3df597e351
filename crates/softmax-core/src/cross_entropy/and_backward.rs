//! The loss and its gradient in one pass over the rows, for the fused training steps: each row's
//! exponentials are computed once and serve both, with the bits of the two separate kernels.

use super::{check, combine, label_column};
use crate::simd::F32x4;
use crate::softmax::{exp_shift_store_sum, row_max};

/// [`cross_entropy`] and then [`cross_entropy_backward`] with one upstream gradient `dloss`, without
/// label smoothing, in one pass: each row's exponentials are computed once and serve both. The same
/// bits as the two calls (the same row kernels, and the reduction's sum in row order).
/// `Err(i)`: `labels[i]` is outside `[0, classes)` (nothing written).
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_and_backward(
    logits: &[f32],
    labels: &[i32],
    rows: usize,
    classes: usize,
    reduction: u32,
    loss: &mut [f32],
    dloss: f32,
    scale: f32,
    grad: &mut [f32],
) -> Result<(), usize> {
    check(logits, labels, rows, classes)?;
    debug_assert!(grad.len() >= rows * classes);
    debug_assert!(loss.len() >= if reduction == 0 { rows } else { 1 });
    let mut acc = 0.0f64;
    if classes > 0 {
        let f = dloss * scale;
        let fv = F32x4::splat(f);
        let rows_it = logits
            .chunks_exact(classes)
            .zip(grad.chunks_exact_mut(classes))
            .take(rows)
            .enumerate();
        for (i, (row, g)) in rows_it {
            let y = labels[i] as usize;
            let m = row_max(row);
            let s = exp_shift_store_sum(row, m, g);
            let l = combine(m, row[y], s.ln(), 0.0, 0.0, classes);
            if reduction == 0 {
                loss[i] = l;
            } else {
                acc += l as f64;
            }
            let inv = 1.0 / s.total();
            let e_y = g[y];
            let label_is_max = row[y] - m == 0.0 && s.cnt == 1.0;
            // The backward's `(e · inv − ε/C) · f` with ε = 0 (x − 0 is x for every float, −0 included).
            let iv = F32x4::splat(inv);
            let mut gc = g.chunks_exact_mut(4);
            for gs in &mut gc {
                F32x4::load(gs).mul(iv).mul(fv).store(gs);
            }
            for v in gc.into_remainder() {
                *v = (*v * inv) * f;
            }
            g[y] = label_column(e_y, inv, s, label_is_max, 0.0, 0.0, 1.0) * f;
        }
    }
    if reduction != 0 {
        if reduction == 1 {
            acc /= rows as f64;
        }
        loss[0] = acc as f32;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{cross_entropy, cross_entropy_backward};
    use super::*;
    use crate::softmax::tests::rand_vec;

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Loss and gradient from the two kernels, then from the one pass: the same bits.
    fn same_as_two_calls(o: &[f32], labels: &[i32], classes: usize, red: u32, dl: f32, sc: f32) {
        let rows = labels.len();
        let n = if red == 0 { rows } else { 1 };
        let (mut l0, mut g0) = (vec![f32::NAN; n], vec![f32::NAN; rows * classes]);
        cross_entropy(o, labels, rows, classes, 0.0, red, &mut l0).unwrap();
        cross_entropy_backward(o, labels, rows, classes, 0.0, &[dl], sc, &mut g0).unwrap();
        let (mut l1, mut g1) = (vec![f32::NAN; n], vec![f32::NAN; rows * classes]);
        cross_entropy_and_backward(o, labels, rows, classes, red, &mut l1, dl, sc, &mut g1)
            .unwrap();
        let at = format!("rows={rows} classes={classes} reduction={red}");
        assert_eq!(bits(&l1), bits(&l0), "loss, {at}");
        assert_eq!(bits(&g1), bits(&g0), "gradient, {at}");
    }

    #[test]
    fn gives_the_bits_of_the_two_kernels() {
        for &(rows, classes) in &[
            (1, 1),
            (3, 2),
            (7, 10),
            (5, 3),
            (256, 10),
            (9, 17),
            (4, 8),
            (2, 33),
        ] {
            let o = rand_vec(rows * classes, 11, 6.0);
            let labels: Vec<i32> = (0..rows).map(|i| ((i * 7 + 3) % classes) as i32).collect();
            for red in 0..3 {
                same_as_two_calls(&o, &labels, classes, red, 1.0 / rows as f32, 1.0);
                same_as_two_calls(&o, &labels, classes, red, 1.0, 0.37);
            }
        }
    }

    #[test]
    fn extreme_rows_give_the_bits_of_the_two_kernels() {
        let (inf, nan) = (f32::INFINITY, f32::NAN);
        // Ties for the maximum, the label as the unique maximum, ±1e4, −inf, an all −inf row, +inf, NaN.
        let o = [
            2.0, 2.0, 1.0, 0.0, 0.0, //
            9.0, 1.0, 2.0, 3.0, 4.0, //
            1e4, -1e4, 0.0, 1e4, -1e4, //
            -inf, 0.0, -inf, 1.0, -inf, //
            -inf, -inf, -inf, -inf, -inf, //
            inf, 0.0, 1.0, 2.0, 3.0, //
            nan, 0.0, 1.0, 2.0, 3.0,
        ];
        let labels = [0, 0, 1, 3, 2, 1, 4];
        for red in 0..3 {
            same_as_two_calls(&o, &labels, 5, red, 1.0 / 7.0, 1.0);
        }
    }

    #[test]
    fn bad_label_is_reported_before_writing() {
        let o = [1.0f32, 2.0, 3.0, 4.0];
        let (mut loss, mut g) = ([7.0f32; 2], [7.0f32; 4]);
        let r = cross_entropy_and_backward(&o, &[1, 2], 2, 2, 0, &mut loss, 1.0, 1.0, &mut g);
        assert_eq!(r, Err(1));
        assert_eq!((loss, g), ([7.0; 2], [7.0; 4]));
    }

    #[test]
    fn no_rows_mean_is_nan_as_in_the_kernel() {
        let mut loss = [0.0f32];
        cross_entropy_and_backward(&[], &[], 0, 3, 1, &mut loss, 1.0, 1.0, &mut []).unwrap();
        assert!(loss[0].is_nan());
    }
}
