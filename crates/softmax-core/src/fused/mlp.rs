//! The fused step of the MLP `Flatten → Linear(in_f, hidden) → ReLU → [Dropout(p)] → Linear(hidden,
//! classes)` with cross-entropy: the kernels of fit's plain path in its order (the dropout mask from the
//! same generator draws). The images are gathered once into a kept buffer: with a wide first layer,
//! converting them piecewise (as the softmax-regression step does) would repack W1 and the hidden
//! gradient for every piece, which measured slower than the one gather.

use super::{check_indices, grow, loss_head, loss_head_ref, StepFail};
use crate::elementwise::{bias_grad, binary, relu, relu_backward};
use crate::gemm::gemm;
use crate::rng::{dropout, Rng};
use std::cell::RefCell;

/// The layers' parameters and gradients (biases optional).
pub struct MlpParams<'a> {
    pub w1: &'a [f32],
    pub b1: Option<&'a [f32]>,
    pub w2: &'a [f32],
    pub b2: Option<&'a [f32]>,
}

pub struct MlpGrads<'a> {
    pub w1: &'a mut [f32],
    pub b1: Option<&'a mut [f32]>,
    pub w2: &'a mut [f32],
    pub b2: Option<&'a mut [f32]>,
}

#[derive(Default)]
struct Scratch {
    pre: Vec<f32>,
    act: Vec<f32>,
    mask: Vec<f32>,
    dropped: Vec<f32>,
    logits: Vec<f32>,
    dlogits: Vec<f32>,
    dhidden: Vec<f32>,
    dmasked: Vec<f32>,
    loss: Vec<f32>,
    labels: Vec<i32>,
    pred: Vec<i32>,
    x: Vec<f32>,
}

crate::threads::per_thread! {
    static SCRATCH: RefCell<Option<Scratch>> = const { RefCell::new(None) };
}

/// Frees the buffers of a thread slot whose thread has ended (threads build).
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub(crate) fn release_thread(slot: usize) {
    SCRATCH.clear(slot);
}

/// `y = expand(bias) + x·Wᵀ` as linear() computes it (beta 1 over the expanded bias, else 0).
fn bias_rows(bias: Option<&[f32]>, out: &mut [f32], cols: usize) -> f32 {
    match bias {
        Some(b) if cols > 0 => {
            for row in out.chunks_exact_mut(cols) {
                row.copy_from_slice(&b[..cols]);
            }
            1.0
        }
        _ => 0.0,
    }
}

/// One training step of the MLP on the images `indices` of `pixels` (see `linear_ce_step_u8`); `p` the
/// dropout probability (0: no Dropout layer, or p = 0), drawn from `rng` as the plain path draws.
pub fn mlp_ce_step_u8(
    rng: &mut Rng,
    pixels: &[u8],
    targets: &[i32],
    indices: &[i32],
    dims: [usize; 3],
    scale: f32,
    params: MlpParams,
    p: f32,
    label_smoothing: f32,
    reduction: u32,
    grads: MlpGrads,
    stats: &mut [f32],
) -> Result<(), StepFail> {
    let [in_f, hidden, classes] = dims;
    check_indices(pixels, targets, in_f, indices)?;
    SCRATCH.with(|cell| {
        let mut guard = cell.borrow_mut();
        let s = guard.get_or_insert_with(Scratch::default);
        let rows = indices.len();
        grow(&mut s.labels, rows);
        let labels = &mut s.labels[..rows];
        for (l, &i) in labels.iter_mut().zip(indices) {
            *l = targets[i as usize];
        }
        if let Some(r) = labels.iter().position(|&l| l < 0 || l as usize >= classes) {
            return Err((r, labels[r]));
        }
        let (nh, nc) = (rows * hidden, rows * classes);
        for v in [
            &mut s.pre,
            &mut s.act,
            &mut s.mask,
            &mut s.dropped,
            &mut s.dhidden,
            &mut s.dmasked,
        ] {
            grow(v, nh);
        }
        grow(&mut s.logits, nc);
        grow(&mut s.dlogits, nc);
        grow(&mut s.loss, rows.max(1));
        grow(&mut s.pred, rows);
        grow(&mut s.x, rows * in_f);
        let x = &mut s.x[..rows * in_f];
        crate::data::gather_u8_to_f32(pixels, in_f, indices, scale, x)
            .map_err(|r| (r, indices[r]))?;
        let x: &[f32] = x;
        let pre = &mut s.pre[..nh];
        let beta = bias_rows(params.b1, pre, hidden);
        gemm(
            false, true, rows, hidden, in_f, 1.0, x, params.w1, beta, pre,
        );
        let act = &mut s.act[..nh];
        relu(pre, act);
        let dropping = p > 0.0;
        let mask = &mut s.mask[..nh];
        if dropping {
            dropout(rng, act, mask, &mut s.dropped[..nh], p);
        }
        let h: &[f32] = if dropping { &s.dropped[..nh] } else { act };
        let logits = &mut s.logits[..nc];
        let beta = bias_rows(params.b2, logits, classes);
        gemm(
            false, true, rows, classes, hidden, 1.0, h, params.w2, beta, logits,
        );
        let dlogits = &mut s.dlogits[..nc];
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
        // The second layer: dX (its input needs a gradient), dW, db — as linear()'s backward.
        let dh = &mut s.dhidden[..nh];
        gemm(
            false, false, rows, hidden, classes, 1.0, dlogits, params.w2, 0.0, dh,
        );
        gemm(
            true, false, classes, hidden, rows, 1.0, dlogits, h, 0.0, grads.w2,
        );
        if let Some(gb) = grads.b2 {
            bias_grad(dlogits, gb, rows, classes);
        }
        let dact: &[f32] = if dropping {
            binary(2, dh, mask, &mut s.dmasked[..nh]);
            &s.dmasked[..nh]
        } else {
            dh
        };
        // relu's backward into the buffer of the activations (no longer needed).
        let dpre = &mut s.act[..nh];
        relu_backward(pre, dact, dpre);
        gemm(true, false, hidden, in_f, rows, 1.0, dpre, x, 0.0, grads.w1);
        if let Some(gb) = grads.b1 {
            bias_grad(dpre, gb, rows, hidden);
        }
        stats[0] = total;
        stats[1] = correct as f32;
        Ok(())
    })
}

/// Scalar reference of [`mlp_ce_step_u8`]: the batch gathered, then the reference kernels.
pub fn mlp_ce_step_u8_ref(
    rng: &mut Rng,
    pixels: &[u8],
    targets: &[i32],
    indices: &[i32],
    dims: [usize; 3],
    scale: f32,
    params: MlpParams,
    p: f32,
    label_smoothing: f32,
    reduction: u32,
    grads: MlpGrads,
    stats: &mut [f32],
) -> Result<(), StepFail> {
    use crate::gemm::gemm_ref;
    let [in_f, hidden, classes] = dims;
    check_indices(pixels, targets, in_f, indices)?;
    let rows = indices.len();
    let labels: Vec<i32> = indices.iter().map(|&i| targets[i as usize]).collect();
    if let Some(r) = labels.iter().position(|&l| l < 0 || l as usize >= classes) {
        return Err((r, labels[r]));
    }
    let mut x = vec![0.0f32; rows * in_f];
    crate::data::gather_u8_to_f32_ref(pixels, in_f, indices, scale, &mut x)
        .map_err(|r| (r, indices[r]))?;
    let (nh, nc) = (rows * hidden, rows * classes);
    let mut pre = vec![0.0f32; nh];
    let beta = bias_rows(params.b1, &mut pre, hidden);
    gemm_ref(
        false, true, rows, hidden, in_f, 1.0, &x, params.w1, beta, &mut pre,
    );
    let mut act = vec![0.0f32; nh];
    crate::elementwise::relu_ref(&pre, &mut act);
    let mut mask = vec![1.0f32; nh];
    let mut h = act.clone();
    if p > 0.0 {
        crate::rng::dropout_ref(rng, &act, &mut mask, &mut h, p);
    }
    let mut logits = vec![0.0f32; nc];
    let beta = bias_rows(params.b2, &mut logits, classes);
    gemm_ref(
        false,
        true,
        rows,
        classes,
        hidden,
        1.0,
        &h,
        params.w2,
        beta,
        &mut logits,
    );
    let (total, correct, dlogits) =
        loss_head_ref(&logits, &labels, rows, classes, label_smoothing, reduction)?;
    let mut dh = vec![0.0f32; nh];
    gemm_ref(
        false, false, rows, hidden, classes, 1.0, &dlogits, params.w2, 0.0, &mut dh,
    );
    gemm_ref(
        true, false, classes, hidden, rows, 1.0, &dlogits, &h, 0.0, grads.w2,
    );
    if let Some(gb) = grads.b2 {
        crate::elementwise::bias_grad_ref(&dlogits, gb, rows, classes);
    }
    let dact: Vec<f32> = dh.iter().zip(&mask).map(|(g, m)| g * m).collect();
    let mut dpre = vec![0.0f32; nh];
    crate::elementwise::relu_backward_ref(&pre, &dact, &mut dpre);
    gemm_ref(
        true, false, hidden, in_f, rows, 1.0, &dpre, &x, 0.0, grads.w1,
    );
    if let Some(gb) = grads.b1 {
        crate::elementwise::bias_grad_ref(&dpre, gb, rows, hidden);
    }
    stats[0] = total;
    stats[1] = correct as f32;
    Ok(())
}
