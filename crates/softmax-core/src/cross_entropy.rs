//! Fused cross-entropy on un-normalised logits `[rows, classes]` with int32 class labels: the loss
//! (reductions none / mean / sum, label smoothing) and its gradient w.r.t. the logits.
//!
//! Per row i with label y, maximum m and `s = Σ_j exp(o_ij − m)`:
//!   lse_i  = m + ln s                                     (log-sum-exp trick, never ln(softmax))
//!   nll_i  = lse_i − o_iy        computed as (m − o_iy) + ln s
//!   smooth = Σ_j (lse_i − o_ij)  computed as C·ln s + Σ_j (m − o_ij)      (only when ε ≠ 0)
//!   l_i    = (1 − ε)·nll_i + (ε / C)·smooth
//! which is PyTorch's `CrossEntropyLoss(reduction, label_smoothing=ε)`. The gradient is
//!   grad_ij = (softmax(o_i)_j − target_ij) · dloss[i or 0] · scale,  target = (1 − ε)·onehot(y) + ε/C.
//!
//! Stability: logits of ±1e4 never overflow (everything is relative to the row max); a −inf logit
//! contributes exp(−inf) = 0 and, with ε = 0, never enters a product, so a row whose label logit is
//! finite gives a finite loss and gradient. (With ε > 0 a −inf logit makes `smooth` +inf — so does
//! PyTorch.) A row that is all −inf gives NaN, as in PyTorch.
//!
//! Deliberate differences from PyTorch (the ABI and the TS layer rely on them):
//! - No `ignore_index`: every label must be in [0, classes) and the first one that is not is reported
//!   as `Err(row)` before any output is written. The TS layer then runs [`weighted`], which skips rows
//!   equal to ignore_index (PyTorch's default −100) and takes class weights, or names the bad label.
//! - Mean/sum over rows accumulate in f64 and round once (PyTorch: f32 cascade sum) — at most a few
//!   f32 ulp apart. Mean over 0 rows is 0/0 = NaN, like PyTorch.
//! - The label column of the gradient is computed as (p_y − t_y)·f (exact cancellation when p_y ≈ 1)
//!   where PyTorch's log_softmax backward computes p_y·f − f; the results agree to an ulp of f.

mod and_backward;
pub mod weighted;
pub use and_backward::cross_entropy_and_backward;
pub use weighted::{
    cross_entropy_weighted, cross_entropy_weighted_backward, cross_entropy_weighted_backward_ref,
    cross_entropy_weighted_ref,
};

use crate::simd::F32x4;
use crate::softmax::{exp_poly, exp_shift_store_sum, exp_shift_sum, row_max, ExpAcc, ExpSums};

/// Index of the first label outside `[0, classes)` among `labels[..rows]`.
#[inline]
fn first_bad_label(labels: &[i32], rows: usize, classes: usize) -> Option<usize> {
    labels[..rows]
        .iter()
        .position(|&l| l < 0 || l as usize >= classes)
}

#[inline]
fn check(logits: &[f32], labels: &[i32], rows: usize, classes: usize) -> Result<(), usize> {
    debug_assert!(matches!(rows.checked_mul(classes), Some(n) if n <= logits.len()));
    debug_assert!(labels.len() >= rows);
    match first_bad_label(labels, rows, classes) {
        Some(i) => Err(i),
        None => Ok(()),
    }
}

/// Writes the reduced loss: `none` → per-row values (already written by `per_row`), `mean`/`sum` → one.
#[inline]
fn reduce_into(
    rows: usize,
    reduction: u32,
    loss: &mut [f32],
    mut per_row: impl FnMut(usize) -> f32,
) {
    if reduction == 0 {
        debug_assert!(loss.len() >= rows);
        for (i, l) in loss.iter_mut().enumerate().take(rows) {
            *l = per_row(i);
        }
    } else {
        debug_assert!(!loss.is_empty());
        let mut acc = 0.0f64;
        for i in 0..rows {
            acc += per_row(i) as f64;
        }
        if reduction == 1 {
            acc /= rows as f64;
        }
        loss[0] = acc as f32;
    }
}

/// Combines the per-row pieces; `ls = ln s`, `dev = Σ_j (m − o_j)` (only read when ε ≠ 0).
#[inline(always)]
fn combine(m: f32, oy: f32, ls: f32, dev: f32, eps: f32, classes: usize) -> f32 {
    let nll = (m - oy) + ls;
    if eps == 0.0 {
        nll
    } else {
        let c = classes as f32;
        let smooth = c * ls + dev;
        (1.0 - eps) * nll + (eps / c) * smooth
    }
}

/// `p_y − t_y` for the label column. When the label is the unique maximum, `1 − p_y = t/s` exactly
/// (t = the sum of the other exps), so `p_y − t_y = (ε − ε/C) − t/s` keeps full relative precision as
/// p_y → 1, where `e_y/s − 1` would be left with the rounding of `s` (≈ 1.2e-7 absolute).
#[inline(always)]
fn label_column(
    e_y: f32,
    inv: f32,
    s: ExpSums,
    label_is_max: bool,
    eps: f32,
    off: f32,
    t_y: f32,
) -> f32 {
    if label_is_max {
        (eps - off) - s.t * inv
    } else {
        e_y * inv - t_y
    }
}

// ======================================================================================================
// fast paths (F32x4: wasm simd128, or its portable twin natively — see simd/mod.rs)
// ======================================================================================================

/// The split sum of `exp(x_j − m)` and `Σ_j (m − x_j)` in one pass.
#[inline]
pub(crate) fn exp_shift_sum_and_dev(x: &[f32], m: f32) -> (ExpSums, f32) {
    let mv = F32x4::splat(m);
    let mut acc = ExpAcc::new();
    let mut dev = F32x4::splat(0.0);
    let mut xc = x.chunks_exact(4);
    for xs in &mut xc {
        let d = F32x4::load(xs).sub(mv);
        acc.push(d);
        dev = dev.sub(d);
    }
    let mut s = acc.merge(ExpAcc::new());
    let mut ds = dev.reduce_sum();
    for &v in xc.remainder() {
        let d = v - m;
        s.push(d, exp_poly(d));
        ds -= d;
    }
    (s, ds)
}

/// Cross-entropy loss. `loss.len()` is `rows` (reduction 0 = none) or 1 (1 = mean, 2 = sum).
/// `Err(i)`: `labels[i]` is outside `[0, classes)` (nothing written).
pub fn cross_entropy(
    logits: &[f32],
    labels: &[i32],
    rows: usize,
    classes: usize,
    label_smoothing: f32,
    reduction: u32,
    loss: &mut [f32],
) -> Result<(), usize> {
    check(logits, labels, rows, classes)?;
    let eps = label_smoothing;
    reduce_into(rows, reduction, loss, |i| {
        let row = &logits[i * classes..(i + 1) * classes];
        let oy = row[labels[i] as usize];
        let m = row_max(row);
        if eps == 0.0 {
            combine(m, oy, exp_shift_sum(row, m).ln(), 0.0, eps, classes)
        } else {
            let (s, dev) = exp_shift_sum_and_dev(row, m);
            combine(m, oy, s.ln(), dev, eps, classes)
        }
    });
    Ok(())
}

/// Gradient of the cross-entropy w.r.t. the logits, written to `grad` (`rows × classes`).
/// `dloss` has length 1 (mean/sum: the same upstream gradient for every row) or `rows` (none);
/// `scale` multiplies everything (the TS side passes 1/rows for mean).
/// `Err(i)`: `labels[i]` is outside `[0, classes)` (nothing written).
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_backward(
    logits: &[f32],
    labels: &[i32],
    rows: usize,
    classes: usize,
    label_smoothing: f32,
    dloss: &[f32],
    scale: f32,
    grad: &mut [f32],
) -> Result<(), usize> {
    check(logits, labels, rows, classes)?;
    debug_assert!(dloss.len() == 1 || dloss.len() >= rows);
    debug_assert!(grad.len() >= rows * classes);
    if classes == 0 {
        return Ok(());
    }
    let eps = label_smoothing;
    let off = eps / classes as f32;
    let t_y = (1.0 - eps) + off;
    let rows_it = logits
        .chunks_exact(classes)
        .zip(grad.chunks_exact_mut(classes))
        .take(rows)
        .enumerate();
    for (i, (row, g)) in rows_it {
        let y = labels[i] as usize;
        let f = dloss[if dloss.len() == 1 { 0 } else { i }] * scale;
        let m = row_max(row);
        let s = exp_shift_store_sum(row, m, g);
        let inv = 1.0 / s.total();
        let e_y = g[y];
        let label_is_max = row[y] - m == 0.0 && s.cnt == 1.0;
        let (iv, ov, fv) = (F32x4::splat(inv), F32x4::splat(off), F32x4::splat(f));
        let mut gc = g.chunks_exact_mut(4);
        for gs in &mut gc {
            F32x4::load(gs).mul(iv).sub(ov).mul(fv).store(gs);
        }
        for v in gc.into_remainder() {
            *v = (*v * inv - off) * f;
        }
        g[y] = label_column(e_y, inv, s, label_is_max, eps, off, t_y) * f;
    }
    Ok(())
}

// ======================================================================================================
// scalar references
// ======================================================================================================

/// Scalar reference of [`cross_entropy`] (`f32::exp`, sequential sums).
pub fn cross_entropy_ref(
    logits: &[f32],
    labels: &[i32],
    rows: usize,
    classes: usize,
    label_smoothing: f32,
    reduction: u32,
    loss: &mut [f32],
) -> Result<(), usize> {
    check(logits, labels, rows, classes)?;
    let eps = label_smoothing;
    reduce_into(rows, reduction, loss, |i| {
        let row = &logits[i * classes..(i + 1) * classes];
        let mut m = f32::NEG_INFINITY;
        for &v in row {
            if m < v {
                m = v;
            }
        }
        let mut s = ExpSums { t: 0.0, cnt: 0.0 };
        let mut dev = 0.0f32;
        for &v in row {
            let d = v - m;
            s.push(d, d.exp());
            if eps != 0.0 {
                dev -= d;
            }
        }
        combine(m, row[labels[i] as usize], s.ln(), dev, eps, classes)
    });
    Ok(())
}

/// Scalar reference of [`cross_entropy_backward`].
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_backward_ref(
    logits: &[f32],
    labels: &[i32],
    rows: usize,
    classes: usize,
    label_smoothing: f32,
    dloss: &[f32],
    scale: f32,
    grad: &mut [f32],
) -> Result<(), usize> {
    check(logits, labels, rows, classes)?;
    let eps = label_smoothing;
    let off = eps / classes as f32;
    let t_y = (1.0 - eps) + off;
    for i in 0..rows {
        let row = &logits[i * classes..(i + 1) * classes];
        let g = &mut grad[i * classes..(i + 1) * classes];
        let y = labels[i] as usize;
        let f = dloss[if dloss.len() == 1 { 0 } else { i }] * scale;
        let mut m = f32::NEG_INFINITY;
        for &v in row {
            if m < v {
                m = v;
            }
        }
        let mut s = ExpSums { t: 0.0, cnt: 0.0 };
        for &v in row {
            let d = v - m;
            s.push(d, d.exp());
        }
        let inv = 1.0 / s.total();
        let label_is_max = row[y] - m == 0.0 && s.cnt == 1.0;
        for (j, (gv, &v)) in g.iter_mut().zip(row).enumerate() {
            let e = (v - m).exp();
            *gv = if j == y {
                label_column(e, inv, s, label_is_max, eps, off, t_y)
            } else {
                e * inv - off
            } * f;
        }
    }
    Ok(())
}

// ======================================================================================================
// tests
// ======================================================================================================

#[cfg(test)]
mod tests {
    use super::*;
    use crate::softmax::tests::rand_vec;

    type Fwd = fn(&[f32], &[i32], usize, usize, f32, u32, &mut [f32]) -> Result<(), usize>;
    type Bwd = fn(&[f32], &[i32], usize, usize, f32, &[f32], f32, &mut [f32]) -> Result<(), usize>;
    const FWD: [Fwd; 2] = [cross_entropy, cross_entropy_ref];
    const BWD: [Bwd; 2] = [cross_entropy_backward, cross_entropy_backward_ref];

    fn loss(f: Fwd, o: &[f32], l: &[i32], c: usize, eps: f32, red: u32) -> Vec<f32> {
        let rows = l.len();
        let mut out = vec![f32::NAN; if red == 0 { rows } else { 1 }];
        f(o, l, rows, c, eps, red, &mut out).unwrap();
        out
    }
    fn grad(f: Bwd, o: &[f32], l: &[i32], c: usize, eps: f32, dl: &[f32], sc: f32) -> Vec<f32> {
        let mut g = vec![f32::NAN; o.len()];
        f(o, l, l.len(), c, eps, dl, sc, &mut g).unwrap();
        g
    }

    /// Per-row loss in f64, straight from the definition.
    fn ce64(row: &[f64], y: usize, eps: f64) -> f64 {
        let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        let c = row.len() as f64;
        (1.0 - eps) * (lse - row[y]) + eps / c * row.iter().map(|v| lse - v).sum::<f64>()
    }

    #[test]
    fn by_hand() {
        // o = [1, 2, 3]: lse = 3 + ln(1 + e^-1 + e^-2) = 3.4076059644443806
        let lse = 3.0 + (1.0f64 + (-1.0f64).exp() + (-2.0f64).exp()).ln();
        assert!((lse - 3.407_605_964_444_380_6).abs() < 1e-12);
        let o = [1.0f32, 2.0, 3.0];
        for f in FWD {
            // label 2: 0.40760596, label 0: 2.40760596
            assert!((loss(f, &o, &[2], 3, 0.0, 0)[0] - 0.407_605_96).abs() < 1e-6);
            assert!((loss(f, &o, &[0], 3, 0.0, 0)[0] - 2.407_606).abs() < 1e-6);
            // ε = 0.1: 0.9·0.40760596 + (0.1/3)·(3·lse − 6) = 0.36684537 + 0.14076060 = 0.50760596
            let want = 0.9 * (lse - 3.0) + 0.1 / 3.0 * (3.0 * lse - 6.0);
            assert!((want - 0.507_605_96).abs() < 1e-8);
            assert!((loss(f, &o, &[2], 3, 0.1, 0)[0] as f64 - want).abs() < 1e-6);
        }
        // two rows, mean and sum
        let o = [1.0f32, 2.0, 3.0, 1.0, 2.0, 3.0];
        for f in FWD {
            let (a, b) = (lse - 3.0, lse - 1.0);
            assert!((loss(f, &o, &[2, 0], 3, 0.0, 1)[0] as f64 - (a + b) / 2.0).abs() < 1e-6);
            assert!((loss(f, &o, &[2, 0], 3, 0.0, 2)[0] as f64 - (a + b)).abs() < 1e-6);
            let n = loss(f, &o, &[2, 0], 3, 0.0, 0);
            assert!((n[0] as f64 - a).abs() < 1e-6 && (n[1] as f64 - b).abs() < 1e-6);
        }
        // gradient of row [1,2,3], label 2: softmax − onehot
        let z = 1.0 + (-1.0f64).exp() + (-2.0f64).exp();
        let p = [(-2.0f64).exp() / z, (-1.0f64).exp() / z, 1.0 / z];
        for f in BWD {
            let g = grad(f, &[1.0, 2.0, 3.0], &[2], 3, 0.0, &[1.0], 1.0);
            let want = [p[0], p[1], p[2] - 1.0];
            for k in 0..3 {
                assert!((g[k] as f64 - want[k]).abs() < 1e-7, "{g:?}");
            }
            // ε = 0.3: target = 0.1 everywhere + 0.7 on the label; dloss 2, scale 0.5 → ×1
            let g = grad(f, &[1.0, 2.0, 3.0], &[0], 3, 0.3, &[2.0], 0.5);
            let want = [p[0] - 0.8, p[1] - 0.1, p[2] - 0.1];
            for k in 0..3 {
                assert!((g[k] as f64 - want[k]).abs() < 1e-7, "{g:?}");
            }
        }
    }

    #[test]
    fn stability() {
        let ninf = f32::NEG_INFINITY;
        for (f, b) in FWD.iter().zip(BWD) {
            // ±1e4: exact values
            let o = [1e4f32, -1e4, 0.0];
            assert_eq!(loss(*f, &o, &[0], 3, 0.0, 0), vec![0.0]);
            assert_eq!(loss(*f, &o, &[1], 3, 0.0, 0), vec![2e4]);
            assert_eq!(loss(*f, &o, &[2], 3, 0.0, 0), vec![1e4]);
            assert_eq!(grad(b, &o, &[0], 3, 0.0, &[1.0], 1.0), vec![0.0, 0.0, 0.0]);
            assert_eq!(grad(b, &o, &[1], 3, 0.0, &[1.0], 1.0), vec![1.0, -1.0, 0.0]);
            // label smoothing with ±1e4: lse = 1e4; smooth = 0 + 2e4 + 1e4
            let l = loss(*f, &o, &[0], 3, 0.1, 0)[0];
            assert!((l - 0.1 / 3.0 * 3e4).abs() <= 1e-3 * 1e3, "{l}");
            // −inf logits, label logit finite, ε = 0: ln 2 and [0, −.5, .5, 0]
            let o = [ninf, 0.0, 0.0, ninf];
            let l = loss(*f, &o, &[1], 4, 0.0, 0)[0];
            assert!((l - 2.0f32.ln()).abs() <= 1e-7, "{l}");
            assert_eq!(
                grad(b, &o, &[1], 4, 0.0, &[1.0], 1.0),
                vec![0.0, -0.5, 0.5, 0.0]
            );
            // mixed: −inf next to ±1e4, 9 classes (tail path)
            let o = [ninf, 1e4, ninf, -1e4, ninf, ninf, ninf, 1e4, ninf];
            let l = loss(*f, &o, &[3], 9, 0.0, 0);
            assert!((l[0] - (2e4 + 2.0f32.ln())).abs() <= 2e-3);
            assert_eq!(loss(*f, &o, &[1], 9, 0.0, 0)[0], 2.0f32.ln());
            let g = grad(b, &o, &[3], 9, 0.0, &[1.0], 1.0);
            assert_eq!(g, vec![0.0, 0.5, 0.0, -1.0, 0.0, 0.0, 0.0, 0.5, 0.0]);
            assert!(g.iter().all(|v| v.is_finite()));
            // −inf with ε > 0: +inf loss (as PyTorch), gradient still finite
            let o = [ninf, 0.0, 0.0, ninf];
            assert_eq!(loss(*f, &o, &[1], 4, 0.1, 0)[0], f32::INFINITY);
            assert!(grad(b, &o, &[1], 4, 0.1, &[1.0], 1.0)
                .iter()
                .all(|v| v.is_finite()));
            // all equal: ln C, with and without smoothing; gradient 1/C − target
            for c in [1usize, 3, 4, 10, 17] {
                let o = vec![5.5f32; c];
                for eps in [0.0f32, 0.2] {
                    let l = loss(*f, &o, &[0], c, eps, 0)[0];
                    assert!((l - (c as f32).ln()).abs() <= 1e-6, "c {c} eps {eps}: {l}");
                    let g = grad(b, &o, &[0], c, eps, &[1.0], 1.0);
                    let base = 1.0 / c as f32 - eps / c as f32;
                    assert!((g[0] - (base - (1.0 - eps))).abs() <= 1e-7);
                    assert!(g[1..].iter().all(|v| (v - base).abs() <= 1e-7));
                }
            }
            // all −inf row: NaN like PyTorch
            assert!(loss(*f, &[ninf; 3], &[0], 3, 0.0, 0)[0].is_nan());
        }
    }

    #[test]
    fn confident_rows_keep_relative_precision() {
        // label = the unique max: loss = ln(1 + t), gradient of the label = −t/(1 + t), t ≈ 2.3e-8
        let o = [
            5.0f32, -13.0, -15.0, -20.0, -12.5, -30.0, -40.0, -14.0, -16.0,
        ];
        let t: f64 = o[1..].iter().map(|&v| ((v - 5.0) as f64).exp()).sum();
        for (f, b) in FWD.iter().zip(BWD) {
            let l = loss(*f, &o, &[0], 9, 0.0, 0)[0] as f64;
            assert!((l - t.ln_1p()).abs() <= 1e-6 * t, "{l} vs {t}");
            let g = grad(b, &o, &[0], 9, 0.0, &[1.0], 1.0)[0] as f64;
            assert!((g + t / (1.0 + t)).abs() <= 1e-6 * t, "{g} vs {}", -t);
        }
    }

    #[test]
    fn bad_labels_err_before_writing() {
        let o = vec![0.5f32; 12];
        for (f, b) in FWD.iter().zip(BWD) {
            for (labels, want) in [
                (vec![0, 1, 3, -1], 2usize),
                (vec![-1, 5, 0, 0], 0),
                (vec![0, 0, 0, i32::MIN], 3),
                (vec![0, i32::MAX, 0, 0], 1),
            ] {
                for red in 0..3u32 {
                    let mut out = vec![7.0f32; 4];
                    assert_eq!(f(&o, &labels, 4, 3, 0.0, red, &mut out), Err(want));
                    assert_eq!(out, vec![7.0; 4]);
                }
                let mut g = vec![7.0f32; 12];
                assert_eq!(b(&o, &labels, 4, 3, 0.0, &[1.0], 1.0, &mut g), Err(want));
                assert_eq!(g, vec![7.0; 12]);
            }
            // classes == 0 with rows > 0: every label is out of range
            let mut out = [7.0f32];
            assert_eq!(f(&[], &[0], 1, 0, 0.0, 1, &mut out), Err(0));
            // rows == 0: mean = NaN (0/0, as PyTorch), sum = 0
            let mut out = [7.0f32];
            f(&[], &[], 0, 3, 0.0, 1, &mut out).unwrap();
            assert!(out[0].is_nan());
            f(&[], &[], 0, 3, 0.0, 2, &mut out).unwrap();
            assert_eq!(out[0], 0.0);
        }
    }

    #[test]
    fn finite_difference_gradient() {
        for (rows, classes, eps, seed) in [
            (1usize, 1usize, 0.0f32, 1u64),
            (2, 3, 0.0, 2),
            (3, 5, 0.1, 3),
            (4, 10, 0.0, 4),
            (2, 17, 0.25, 5),
        ] {
            let o = rand_vec(rows * classes, seed, 4.0);
            let labels: Vec<i32> = (0..rows).map(|i| ((i * 7 + 3) % classes) as i32).collect();
            let w = rand_vec(rows, seed + 50, 1.0);
            let o64: Vec<f64> = o.iter().map(|&v| v as f64).collect();
            // L = Σ_i w_i l_i (reduction none, dloss = w) and L = mean (dloss = [1], scale = 1/rows)
            for (dl, sc, mean) in [
                (w.clone(), 1.0f32, false),
                (vec![1.0], 1.0 / rows as f32, true),
            ] {
                let total = |x: &[f64]| -> f64 {
                    (0..rows)
                        .map(|i| {
                            let l = ce64(
                                &x[i * classes..(i + 1) * classes],
                                labels[i] as usize,
                                eps as f64,
                            );
                            if mean {
                                l / rows as f64
                            } else {
                                l * w[i] as f64
                            }
                        })
                        .sum()
                };
                for b in BWD {
                    let g = grad(b, &o, &labels, classes, eps, &dl, sc);
                    for k in 0..o.len() {
                        let h = 1e-6;
                        let (mut xp, mut xm) = (o64.clone(), o64.clone());
                        xp[k] += h;
                        xm[k] -= h;
                        let fd = (total(&xp) - total(&xm)) / (2.0 * h);
                        assert!(
                            (fd - g[k] as f64).abs() < 1e-6 * (1.0 + fd.abs()),
                            "{rows}x{classes} eps {eps} k {k}: fd {fd} vs {}",
                            g[k]
                        );
                    }
                }
            }
            // the forward agrees with the f64 definition
            for f in FWD {
                let l = loss(f, &o, &labels, classes, eps, 0);
                for i in 0..rows {
                    let want = ce64(
                        &o64[i * classes..(i + 1) * classes],
                        labels[i] as usize,
                        eps as f64,
                    );
                    assert!((l[i] as f64 - want).abs() < 2e-6 * (1.0 + want.abs()));
                }
            }
        }
    }

    #[test]
    fn fast_matches_ref_odd_sizes() {
        let sizes = [1usize, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 255, 256, 257];
        let mut seed = 1000;
        let mut shapes: Vec<(usize, usize)> = Vec::new();
        for &r in &[1usize, 3, 17] {
            for &c in &sizes {
                shapes.push((r, c));
            }
        }
        for &c in &sizes {
            shapes.push((c, 10));
        }
        shapes.push((256, 10));
        for (rows, classes) in shapes {
            seed += 1;
            let o = rand_vec(rows * classes, seed, 15.0);
            let labels: Vec<i32> = (0..rows).map(|i| ((i * 31 + 7) % classes) as i32).collect();
            let dl = rand_vec(rows, seed + 3, 2.0);
            for eps in [0.0f32, 0.1] {
                for red in 0..3 {
                    let a = loss(cross_entropy, &o, &labels, classes, eps, red);
                    let b = loss(cross_entropy_ref, &o, &labels, classes, eps, red);
                    for (x, y) in a.iter().zip(&b) {
                        assert!(
                            (x - y).abs() <= 1e-5 * (1.0 + y.abs()),
                            "{rows}x{classes}: {x} vs {y}"
                        );
                    }
                }
                for (d, sc) in [(&dl[..], 1.0f32), (&[1.0f32][..], 1.0 / rows as f32)] {
                    let a = grad(cross_entropy_backward, &o, &labels, classes, eps, d, sc);
                    let b = grad(cross_entropy_backward_ref, &o, &labels, classes, eps, d, sc);
                    for (x, y) in a.iter().zip(&b) {
                        assert!(
                            (x - y).abs() <= 1e-5 * y.abs() + if eps == 0.0 { 1e-9 } else { 3e-8 },
                            "{rows}x{classes}: {x} vs {y}"
                        );
                    }
                }
            }
        }
    }
}
