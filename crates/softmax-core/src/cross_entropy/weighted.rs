//! Cross-entropy on logits `[rows, classes]` with PyTorch's class weights and ignored label: the loss
//! (reductions none / mean / sum, label smoothing ε) and its gradient w.r.t. the logits.
//!
//! `weight` is empty (every class weighs 1) or has one value per class. A row whose label equals
//! `ignore_index` gives 0 and weighs 0; any other label must be in [0, classes). Per other row i with
//! label y, w_y = weight[y], lse = m + ln Σ_j exp(o_j − m), W = Σ_j w_j:
//!   l_i = (1 − ε)·w_y·(lse − o_y) + (ε/C)·Σ_j w_j·(lse − o_j)
//!       with Σ_j w_j·(lse − o_j) computed as W·ln s + Σ_j w_j·(m − o_j),
//! mean = Σ_i l_i / Σ_i w_y (0/0 = NaN when every row is ignored), which is PyTorch's
//! `cross_entropy(weight, ignore_index, label_smoothing)`: both of its terms divide by Σ w_y. The gradient:
//!   grad_ij = (p_ij·a_i − (ε/C)·w_j − [j = y]·(1 − ε)·w_y)·f,  a_i = (1 − ε)·w_y + (ε/C)·W,
//! f = dloss[i or 0], divided by Σ w_y for 'mean'; ignored rows get 0. Sums over rows are in f64.

use super::exp_shift_sum_and_dev;
use crate::simd::F32x4;
use crate::softmax::{exp_shift_store_sum, exp_shift_sum, row_max, ExpSums};

/// First row whose label is neither `ignore_index` nor in `[0, classes)`.
fn first_bad_label(
    labels: &[i32],
    rows: usize,
    classes: usize,
    ignore_index: f64,
) -> Option<usize> {
    labels[..rows]
        .iter()
        .position(|&l| l as f64 != ignore_index && (l < 0 || l as usize >= classes))
}

/// The weight of row `i`'s label, or `None` when the row is ignored.
#[inline(always)]
fn label_weight(
    labels: &[i32],
    i: usize,
    weight: &[f32],
    ignore_index: f64,
) -> Option<(usize, f32)> {
    let l = labels[i];
    if l as f64 == ignore_index {
        return None;
    }
    let y = l as usize;
    Some((y, if weight.is_empty() { 1.0 } else { weight[y] }))
}

/// `Σ_i w_y` over the rows kept, in f64.
fn weight_total(labels: &[i32], rows: usize, weight: &[f32], ignore_index: f64) -> f64 {
    (0..rows)
        .filter_map(|i| label_weight(labels, i, weight, ignore_index))
        .map(|(_, w)| w as f64)
        .sum()
}

/// `W = Σ_j w_j` (C without weights), summed in order.
fn class_total(weight: &[f32], classes: usize) -> f32 {
    if weight.is_empty() {
        classes as f32
    } else {
        weight.iter().sum()
    }
}

/// Loss of each row (0 for ignored rows) reduced into `loss`: none → per row, mean / sum → one.
fn reduce_rows(
    labels: &[i32],
    rows: usize,
    weight: &[f32],
    ignore_index: f64,
    reduction: u32,
    loss: &mut [f32],
    mut per_row: impl FnMut(usize, usize, f32) -> f32,
) {
    let mut row = |i: usize| match label_weight(labels, i, weight, ignore_index) {
        None => 0.0,
        Some((y, wy)) => per_row(i, y, wy),
    };
    if reduction == 0 {
        for (i, l) in loss.iter_mut().enumerate().take(rows) {
            *l = row(i);
        }
    } else {
        let mut acc = 0.0f64;
        for i in 0..rows {
            acc += row(i) as f64;
        }
        if reduction == 1 {
            acc /= weight_total(labels, rows, weight, ignore_index);
        }
        loss[0] = acc as f32;
    }
}

/// `(1 − ε)·w_y·nll + (ε/C)·(W·ln s + dev)`; `dev = Σ_j w_j·(m − o_j)`, only read when ε ≠ 0.
#[inline(always)]
fn combine(nll: f32, wy: f32, ls: f32, dev: f32, eps: f32, total_w: f32, classes: usize) -> f32 {
    if eps == 0.0 {
        wy * nll
    } else {
        (1.0 - eps) * (wy * nll) + (eps / classes as f32) * (total_w * ls + dev)
    }
}

/// `Σ_j w_j·(m − x_j)`.
#[inline]
fn weighted_dev(x: &[f32], w: &[f32], m: f32) -> f32 {
    let mv = F32x4::splat(m);
    let mut acc = F32x4::splat(0.0);
    let mut xc = x.chunks_exact(4);
    let mut wc = w.chunks_exact(4);
    for (xs, ws) in (&mut xc).zip(&mut wc) {
        acc = acc.add(F32x4::load(ws).mul(mv.sub(F32x4::load(xs))));
    }
    let mut s = acc.reduce_sum();
    for (&v, &wj) in xc.remainder().iter().zip(wc.remainder()) {
        s += wj * (m - v);
    }
    s
}

/// Weighted, ignore-aware cross-entropy. `weight.len()` is 0 or `classes`; `loss.len()` is `rows`
/// (reduction 0 = none) or 1 (1 = mean, 2 = sum). `Err(i)`: `labels[i]` is neither `ignore_index`
/// nor in `[0, classes)` (nothing written).
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_weighted(
    logits: &[f32],
    labels: &[i32],
    weight: &[f32],
    rows: usize,
    classes: usize,
    ignore_index: f64,
    label_smoothing: f32,
    reduction: u32,
    loss: &mut [f32],
) -> Result<(), usize> {
    if let Some(i) = first_bad_label(labels, rows, classes, ignore_index) {
        return Err(i);
    }
    let eps = label_smoothing;
    let total_w = class_total(weight, classes);
    reduce_rows(
        labels,
        rows,
        weight,
        ignore_index,
        reduction,
        loss,
        |i, y, wy| {
            let row = &logits[i * classes..(i + 1) * classes];
            let m = row_max(row);
            let (s, dev) = if eps == 0.0 {
                (exp_shift_sum(row, m), 0.0)
            } else if weight.is_empty() {
                exp_shift_sum_and_dev(row, m)
            } else {
                (exp_shift_sum(row, m), weighted_dev(row, weight, m))
            };
            let ls = s.ln();
            combine((m - row[y]) + ls, wy, ls, dev, eps, total_w, classes)
        },
    );
    Ok(())
}

/// Gradient of [`cross_entropy_weighted`] w.r.t. the logits, written to `grad` (`rows × classes`).
/// `dloss` has length 1 (mean / sum) or `rows` (none); `reduction` 1 divides by `Σ w_y`.
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_weighted_backward(
    logits: &[f32],
    labels: &[i32],
    weight: &[f32],
    rows: usize,
    classes: usize,
    ignore_index: f64,
    label_smoothing: f32,
    reduction: u32,
    dloss: &[f32],
    grad: &mut [f32],
) -> Result<(), usize> {
    if let Some(i) = first_bad_label(labels, rows, classes, ignore_index) {
        return Err(i);
    }
    if classes == 0 {
        return Ok(());
    }
    let eps = label_smoothing;
    let off = eps / classes as f32;
    let total_w = class_total(weight, classes);
    let scale = if reduction == 1 {
        (1.0 / weight_total(labels, rows, weight, ignore_index)) as f32
    } else {
        1.0
    };
    let rows_it = logits
        .chunks_exact(classes)
        .zip(grad.chunks_exact_mut(classes))
        .take(rows)
        .enumerate();
    for (i, (row, g)) in rows_it {
        let (y, wy) = match label_weight(labels, i, weight, ignore_index) {
            None => {
                g.iter_mut().for_each(|v| *v = 0.0);
                continue;
            }
            Some(k) => k,
        };
        let f = dloss[if dloss.len() == 1 { 0 } else { i }] * scale;
        let m = row_max(row);
        let s = exp_shift_store_sum(row, m, g);
        let a = (1.0 - eps) * wy + off * total_w;
        let ai = a / s.total();
        let (iv, ov, fv) = (F32x4::splat(ai), F32x4::splat(off), F32x4::splat(f));
        let e_y = g[y];
        if weight.is_empty() {
            let mut gc = g.chunks_exact_mut(4);
            for gs in &mut gc {
                F32x4::load(gs).mul(iv).sub(ov).mul(fv).store(gs);
            }
            for v in gc.into_remainder() {
                *v = (*v * ai - off) * f;
            }
        } else {
            let mut gc = g.chunks_exact_mut(4);
            let mut wc = weight.chunks_exact(4);
            for (gs, ws) in (&mut gc).zip(&mut wc) {
                let t = ov.mul(F32x4::load(ws));
                F32x4::load(gs).mul(iv).sub(t).mul(fv).store(gs);
            }
            for (v, &wj) in gc.into_remainder().iter_mut().zip(wc.remainder()) {
                *v = (*v * ai - off * wj) * f;
            }
        }
        g[y] = (e_y * ai - (off * wy + (1.0 - eps) * wy)) * f;
    }
    Ok(())
}

// ======================================================================================================
// scalar references
// ======================================================================================================

/// The row's max and split exp sum with `f32::exp`, sequentially.
fn row_sums_ref(row: &[f32]) -> (f32, ExpSums) {
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
    (m, s)
}

/// Scalar reference of [`cross_entropy_weighted`].
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_weighted_ref(
    logits: &[f32],
    labels: &[i32],
    weight: &[f32],
    rows: usize,
    classes: usize,
    ignore_index: f64,
    label_smoothing: f32,
    reduction: u32,
    loss: &mut [f32],
) -> Result<(), usize> {
    if let Some(i) = first_bad_label(labels, rows, classes, ignore_index) {
        return Err(i);
    }
    let eps = label_smoothing;
    let total_w = class_total(weight, classes);
    reduce_rows(
        labels,
        rows,
        weight,
        ignore_index,
        reduction,
        loss,
        |i, y, wy| {
            let row = &logits[i * classes..(i + 1) * classes];
            let (m, s) = row_sums_ref(row);
            let mut dev = 0.0f32;
            if eps != 0.0 {
                for (j, &v) in row.iter().enumerate() {
                    dev += if weight.is_empty() { 1.0 } else { weight[j] } * (m - v);
                }
            }
            let ls = s.ln();
            combine((m - row[y]) + ls, wy, ls, dev, eps, total_w, classes)
        },
    );
    Ok(())
}

/// Scalar reference of [`cross_entropy_weighted_backward`].
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_weighted_backward_ref(
    logits: &[f32],
    labels: &[i32],
    weight: &[f32],
    rows: usize,
    classes: usize,
    ignore_index: f64,
    label_smoothing: f32,
    reduction: u32,
    dloss: &[f32],
    grad: &mut [f32],
) -> Result<(), usize> {
    if let Some(i) = first_bad_label(labels, rows, classes, ignore_index) {
        return Err(i);
    }
    let eps = label_smoothing;
    let off = eps / classes as f32;
    let total_w = class_total(weight, classes);
    let scale = if reduction == 1 {
        (1.0 / weight_total(labels, rows, weight, ignore_index)) as f32
    } else {
        1.0
    };
    for i in 0..rows {
        let row = &logits[i * classes..(i + 1) * classes];
        let g = &mut grad[i * classes..(i + 1) * classes];
        let (y, wy) = match label_weight(labels, i, weight, ignore_index) {
            None => {
                for v in g.iter_mut() {
                    *v = 0.0;
                }
                continue;
            }
            Some(k) => k,
        };
        let f = dloss[if dloss.len() == 1 { 0 } else { i }] * scale;
        let (m, s) = row_sums_ref(row);
        let ai = ((1.0 - eps) * wy + off * total_w) / s.total();
        for (j, (gv, &v)) in g.iter_mut().zip(row).enumerate() {
            let wj = if weight.is_empty() { 1.0 } else { weight[j] };
            let t = if j == y {
                off * wy + (1.0 - eps) * wy
            } else {
                off * wj
            };
            *gv = ((v - m).exp() * ai - t) * f;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
