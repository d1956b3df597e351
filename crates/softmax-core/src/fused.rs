//! Fused training steps: a whole forward, loss and backward of a small model in one call, reading the
//! batch's uint8 images by index from the dataset.
//!
//! Every number is the one the separate kernels give (`data::gather_u8_to_f32`, `gemm::gemm`,
//! `cross_entropy`, `reduce`, `elementwise::bias_grad`): the batch is gathered into a kept float32
//! buffer and goes through the plain path's kernels in its order. The native tests check the bits.

use std::cell::RefCell;

use crate::cross_entropy::{cross_entropy, cross_entropy_and_backward, cross_entropy_backward};
use crate::gemm::{gemm, gemm_dot_filled, DOT_MAX_N};
use crate::reduce::{argmax_axis, sum_axis};

/// A row or label out of range: (its position in `indices` / the batch, the bad value).
pub type StepFail = (usize, i32);

/// Checks every index against the rows of the images and of the targets.
fn check_indices(
    pixels: &[u8],
    targets: &[i32],
    row_len: usize,
    indices: &[i32],
) -> Result<(), StepFail> {
    let rows = pixels
        .len()
        .checked_div(row_len)
        .unwrap_or(usize::MAX)
        .min(targets.len());
    for (r, &i) in indices.iter().enumerate() {
        if i < 0 || i as usize >= rows {
            return Err((r, i));
        }
    }
    Ok(())
}

/// Per-thread buffers of a step, grown on demand and kept: a step allocates nothing once they fit.
#[derive(Default)]
struct Scratch {
    logits: Vec<f32>,
    dlogits: Vec<f32>,
    loss: Vec<f32>,
    labels: Vec<i32>,
    pred: Vec<i32>,
    /// The batch's images as float32, `rows × in_f`.
    x: Vec<f32>,
}

crate::threads::per_thread! {
    static SCRATCH: RefCell<Option<Scratch>> = const { RefCell::new(None) };
}

/// Frees the buffers of a thread slot whose thread has ended (threads build).
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub(crate) fn release_thread(slot: usize) {
    SCRATCH.clear(slot);
    mlp::release_thread(slot);
}

fn grow<T: Copy + Default>(v: &mut Vec<T>, len: usize) {
    if v.len() < len {
        v.resize(len, T::default());
    }
}

/// The steps' loss head, with the plain path's kernels in its order: the loss (into `loss`), the batch's
/// summed loss and correct predictions (argmax into `pred`), and the gradient of fit's loss with respect
/// to the logits into `dlogits`. `logits` is [rows, classes], `labels` [rows]. Without label smoothing
/// the loss and its gradient come from one pass over the rows, with the same bits.
#[allow(clippy::too_many_arguments)]
pub(crate) fn loss_head(
    logits: &[f32],
    labels: &[i32],
    classes: usize,
    label_smoothing: f32,
    reduction: u32,
    loss: &mut [f32],
    pred: &mut [i32],
    dlogits: &mut [f32],
) -> Result<(f32, usize), StepFail> {
    let rows = labels.len();
    let loss = &mut loss[..if reduction == 0 { rows } else { 1 }];
    let (d, sc) = dloss_of(reduction, rows);
    if label_smoothing == 0.0 {
        cross_entropy_and_backward(
            logits, labels, rows, classes, reduction, loss, d, sc, dlogits,
        )
        .map_err(|r| (r, labels[r]))?;
    } else {
        cross_entropy(
            logits,
            labels,
            rows,
            classes,
            label_smoothing,
            reduction,
            loss,
        )
        .map_err(|r| (r, labels[r]))?;
        cross_entropy_backward(
            logits,
            labels,
            rows,
            classes,
            label_smoothing,
            &[d],
            sc,
            dlogits,
        )
        .map_err(|r| (r, labels[r]))?;
    }
    let mut total = [0.0f32];
    if reduction == 0 {
        sum_axis(loss, &mut total, 1, rows, 1);
    } else {
        total[0] = loss[0];
    }
    let pred = &mut pred[..rows];
    argmax_axis(logits, pred, rows, classes, 1);
    let correct = pred.iter().zip(labels).filter(|(p, l)| p == l).count();
    Ok((total[0], correct))
}

/// The reference twins' loss head: the batch's summed loss, its correct predictions and the gradient of
/// fit's loss with respect to the logits, from the separate reference kernels in the plain path's order.
fn loss_head_ref(
    logits: &[f32],
    labels: &[i32],
    rows: usize,
    classes: usize,
    label_smoothing: f32,
    reduction: u32,
) -> Result<(f32, usize, Vec<f32>), StepFail> {
    let mut loss = vec![0.0f32; if reduction == 0 { rows } else { 1 }];
    crate::cross_entropy::cross_entropy_ref(
        logits,
        labels,
        rows,
        classes,
        label_smoothing,
        reduction,
        &mut loss,
    )
    .map_err(|r| (r, labels[r]))?;
    let total = if reduction == 0 {
        crate::reduce::sum_ref(&loss)
    } else {
        loss[0]
    };
    let mut pred = vec![0i32; rows];
    crate::reduce::argmax_axis_ref(logits, &mut pred, rows, classes, 1);
    let correct = pred.iter().zip(labels).filter(|(p, l)| p == l).count();
    let (d, sc) = dloss_of(reduction, rows);
    let mut dlogits = vec![0.0f32; rows * classes];
    crate::cross_entropy::cross_entropy_backward_ref(
        logits,
        labels,
        rows,
        classes,
        label_smoothing,
        &[d],
        sc,
        &mut dlogits,
    )
    .map_err(|r| (r, labels[r]))?;
    Ok((total, correct, dlogits))
}

/// The gradient of the loss fit() differentiates, per row, and the scale the backward applies: reduction
/// 0 'none' is followed by fit's mean (its backward gives each row 1/rows), 1 'mean' scales the one
/// loss's gradient 1 by 1/rows, 2 'sum' by 1.
fn dloss_of(reduction: u32, rows: usize) -> (f32, f32) {
    let inv = (1.0f64 / rows as f64) as f32;
    match reduction {
        0 => (inv, 1.0),
        1 => (1.0, inv),
        _ => (1.0, 1.0),
    }
}

/// One training step of softmax regression `Flatten → Linear(in_f, classes)` with cross-entropy, on the
/// images `indices` of `pixels` (in_f bytes each, times `scale`) and their `targets`: writes the
/// gradients of fit's loss (the mean of a 'none' loss, else the loss itself) into `grad_w` / `grad_b`
/// and `stats` = [the batch's summed loss (for 'mean' / 'sum' the loss itself), correct predictions].
/// A bad index or label is reported before anything is written.
pub fn linear_ce_step_u8(
    pixels: &[u8],
    targets: &[i32],
    indices: &[i32],
    in_f: usize,
    classes: usize,
    scale: f32,
    weight: &[f32],
    bias: Option<&[f32]>,
    label_smoothing: f32,
    reduction: u32,
    grad_w: &mut [f32],
    grad_b: Option<&mut [f32]>,
    stats: &mut [f32],
) -> Result<(), StepFail> {
    check_indices(pixels, targets, in_f, indices)?;
    SCRATCH.with(|cell| {
        let mut guard = cell.borrow_mut();
        let s = guard.get_or_insert_with(Scratch::default);
        step_with(
            s,
            pixels,
            targets,
            indices,
            in_f,
            classes,
            scale,
            weight,
            bias,
            label_smoothing,
            reduction,
            grad_w,
            grad_b,
            stats,
        )
    })
}

fn step_with(
    s: &mut Scratch,
    pixels: &[u8],
    targets: &[i32],
    indices: &[i32],
    in_f: usize,
    classes: usize,
    scale: f32,
    weight: &[f32],
    bias: Option<&[f32]>,
    label_smoothing: f32,
    reduction: u32,
    grad_w: &mut [f32],
    grad_b: Option<&mut [f32]>,
    stats: &mut [f32],
) -> Result<(), StepFail> {
    let rows = indices.len();
    grow(&mut s.labels, rows);
    let labels = &mut s.labels[..rows];
    for (l, &i) in labels.iter_mut().zip(indices) {
        *l = targets[i as usize];
    }
    if let Some(r) = labels.iter().position(|&l| l < 0 || l as usize >= classes) {
        return Err((r, labels[r]));
    }
    grow(&mut s.logits, rows * classes);
    grow(&mut s.dlogits, rows * classes);
    grow(&mut s.loss, rows.max(1));
    grow(&mut s.pred, rows);
    grow(&mut s.x, rows * in_f);
    let x = &mut s.x[..rows * in_f];
    let logits = &mut s.logits[..rows * classes];
    // linear(): the bias expanded into the output, then the product added with beta 1.
    let beta = match bias {
        Some(b) if classes > 0 => {
            for row in logits.chunks_exact_mut(classes) {
                row.copy_from_slice(&b[..classes]);
            }
            1.0
        }
        _ => 0.0,
    };
    if classes <= DOT_MAX_N {
        // Each row pair of the batch is gathered right before its dot products (check_indices vetted them).
        let gather = |xr: &mut [f32], r: usize| {
            crate::data::gather_u8_rows(pixels, in_f, indices, scale, xr, r)
        };
        gemm_dot_filled(
            true, rows, classes, in_f, 1.0, x, weight, beta, logits, gather,
        );
    } else {
        crate::data::gather_u8_to_f32(pixels, in_f, indices, scale, x)
            .map_err(|r| (r, indices[r]))?;
        gemm(
            false, true, rows, classes, in_f, 1.0, x, weight, beta, logits,
        );
    }
    let x: &[f32] = x;
    let dlogits = &mut s.dlogits[..rows * classes];
    let (total, correct) = loss_head(
        logits,
        labels,
        classes,
        label_smoothing,
        reduction,
        &mut s.loss,
        &mut s.pred,
        dlogits,
    )?;
    gemm(
        true, false, classes, in_f, rows, 1.0, dlogits, x, 0.0, grad_w,
    );
    if let Some(gb) = grad_b {
        crate::elementwise::bias_grad(dlogits, gb, rows, classes);
    }
    stats[0] = total;
    stats[1] = correct as f32;
    Ok(())
}

/// Scalar reference of [`linear_ce_step_u8`]: the batch gathered, then the reference kernels.
pub fn linear_ce_step_u8_ref(
    pixels: &[u8],
    targets: &[i32],
    indices: &[i32],
    in_f: usize,
    classes: usize,
    scale: f32,
    weight: &[f32],
    bias: Option<&[f32]>,
    label_smoothing: f32,
    reduction: u32,
    grad_w: &mut [f32],
    grad_b: Option<&mut [f32]>,
    stats: &mut [f32],
) -> Result<(), StepFail> {
    check_indices(pixels, targets, in_f, indices)?;
    let rows = indices.len();
    let labels: Vec<i32> = indices.iter().map(|&i| targets[i as usize]).collect();
    if let Some(r) = labels.iter().position(|&l| l < 0 || l as usize >= classes) {
        return Err((r, labels[r]));
    }
    let mut x = vec![0.0f32; rows * in_f];
    crate::data::gather_u8_to_f32_ref(pixels, in_f, indices, scale, &mut x)
        .map_err(|r| (r, indices[r]))?;
    let mut logits = vec![0.0f32; rows * classes];
    let mut beta = 0.0;
    if let (Some(b), true) = (bias, classes > 0) {
        for row in logits.chunks_exact_mut(classes) {
            row.copy_from_slice(&b[..classes]);
        }
        beta = 1.0;
    }
    crate::gemm::gemm_ref(
        false,
        true,
        rows,
        classes,
        in_f,
        1.0,
        &x,
        weight,
        beta,
        &mut logits,
    );
    let (total, correct, dlogits) =
        loss_head_ref(&logits, &labels, rows, classes, label_smoothing, reduction)?;
    crate::gemm::gemm_ref(
        true, false, classes, in_f, rows, 1.0, &dlogits, &x, 0.0, grad_w,
    );
    if let Some(gb) = grad_b {
        crate::elementwise::bias_grad_ref(&dlogits, gb, rows, classes);
    }
    stats[0] = total;
    stats[1] = correct as f32;
    Ok(())
}

mod mlp;
pub use mlp::{mlp_ce_step_u8, mlp_ce_step_u8_ref, MlpGrads, MlpParams};

#[cfg(test)]
mod tests;
