//! The argument checks that abi.spec names — what is specific to one kernel (codes, probabilities,
//! lengths that must fit) — and how the kernels' bad labels / indices become status 4. Each takes the
//! position(s) of the parameter(s) it blames, so that the detail names them.

use super::{fail, mul, sat_i32, sat_u32, Fail, Region, Res};
use super::{INDEX_OUT_OF_RANGE, INVALID_ARGUMENT, MAX_NDIM, SIZE_OVERFLOW};

fn invalid(arg: u32, value: i32) -> Fail {
    fail(INVALID_ARGUMENT, arg, value)
}

/// Label smoothing ∈ [0, 1].
pub(super) fn smoothing(eps: f32, arg: u32) -> Res<()> {
    if (0.0..=1.0).contains(&eps) {
        Ok(())
    } else {
        Err(invalid(arg, 0))
    }
}

/// The loss buffer's length for reduction 0 none (a loss per row), 1 mean, 2 sum (one loss).
pub(super) fn ce_loss_len(reduction: u32, rows: usize, arg: u32) -> Res<usize> {
    match reduction {
        0 => Ok(rows),
        1 | 2 => Ok(1),
        _ => Err(invalid(arg, reduction as i32)),
    }
}

/// The gradient of a loss per row, or of one reduced loss.
pub(super) fn dloss_len_fits(dloss_len: usize, rows: usize, arg: u32) -> Res<()> {
    if dloss_len != 1 && dloss_len != rows {
        return Err(invalid(arg, sat_i32(dloss_len)));
    }
    Ok(())
}

/// A reduction code: 0 none, 1 mean, 2 sum.
pub(super) fn reduction_code(reduction: u32, arg: u32) -> Res<()> {
    if reduction > 2 {
        return Err(invalid(arg, reduction as i32));
    }
    Ok(())
}

/// Class weights: none (length 0) or one per class.
pub(super) fn weight_len_fits(weight_len: usize, classes: usize, arg: u32) -> Res<()> {
    if weight_len != 0 && weight_len != classes {
        return Err(invalid(arg, sat_i32(weight_len)));
    }
    Ok(())
}

/// 0 add, 1 sub, 2 mul, 3 div, 4 maximum, 5 minimum.
pub(super) fn binary_op(op: u32, arg: u32) -> Res<()> {
    if !crate::elementwise::binary_op_valid(op) {
        return Err(invalid(arg, op as i32));
    }
    Ok(())
}

/// A broadcast operand's length equals n or divides it (n == 0 accepts any length; 0 divides nothing
/// else).
pub(super) fn broadcast_len(len: usize, n: usize, arg: u32) -> Res<()> {
    if len != n && (len == 0 || n % len != 0) {
        return Err(invalid(arg, sat_i32(len)));
    }
    Ok(())
}

/// A convolution window along one axis: kernel, stride and dilation ≥ 1 and `out` the floor-mode
/// output size PyTorch gives (0 when the dilated kernel exceeds the padded input).
pub(super) fn conv_window(
    len: usize,
    k: usize,
    stride: usize,
    pad: usize,
    dil: usize,
    out: usize,
    arg: u32,
) -> Res<()> {
    pool_window(len, k, stride, pad, dil, 0, out, arg)
}

/// A pooling window along one axis: as [`conv_window`], and in ceil mode (`ceil` ≠ 0) PyTorch's
/// pooling_output_shape: rounded up, less one when the last window would start past the left padding.
#[allow(clippy::too_many_arguments)]
pub(super) fn pool_window(
    len: usize,
    k: usize,
    stride: usize,
    pad: usize,
    dil: usize,
    ceil: u32,
    out: usize,
    arg: u32,
) -> Res<()> {
    if k == 0 || stride == 0 || dil == 0 {
        return Err(invalid(arg, 0));
    }
    let span = (k - 1).checked_mul(dil).and_then(|s| s.checked_add(1));
    let round = if ceil != 0 { stride - 1 } else { 0 };
    let padded = pad
        .checked_mul(2)
        .and_then(|p| p.checked_add(len))
        .and_then(|p| p.checked_add(round));
    let mut expect = match (span, padded) {
        (Some(s), Some(p)) if p >= s => (p - s) / stride + 1,
        (Some(_), Some(_)) => 0,
        _ => return Err(invalid(arg, 0)),
    };
    // (expect - 1)·stride cannot overflow: it is at most len + 2·pad + stride - 1 - span
    if ceil != 0 && expect > 0 && (expect - 1) * stride >= len + pad {
        expect -= 1;
    }
    if out != expect {
        return Err(invalid(arg, sat_i32(out)));
    }
    Ok(())
}

/// Pooling pads at most half the kernel (PyTorch's rule), so that every window holds an element.
pub(super) fn pool_pad(pad: usize, k: usize, arg: u32) -> Res<()> {
    if pad > k / 2 {
        return Err(invalid(arg, sat_i32(pad)));
    }
    Ok(())
}

/// Max and argmax need something to reduce over unless the output is empty.
pub(super) fn nonempty_dim(dim: usize, out_len: usize, arg: u32) -> Res<()> {
    if dim == 0 && out_len > 0 {
        return Err(invalid(arg, 0));
    }
    Ok(())
}

pub(super) fn max_ndim(ndim: usize, arg: u32) -> Res<()> {
    if ndim > MAX_NDIM {
        return Err(invalid(arg, sat_i32(ndim)));
    }
    Ok(())
}

/// Reads a validated shape and its strides (ndim ≤ 8 u32 each) and returns the element count of the
/// shape (overflow blamed on `shape_arg`) and the largest offset the strides reach + 1, 0 for an empty
/// shape (overflow blamed on `strides_arg`).
pub(super) fn shape_extent(
    shape: Region,
    strides: Region,
    shape_arg: u32,
    strides_arg: u32,
) -> Res<(usize, usize)> {
    // SAFETY: both regions were validated; they are only read, before any output is built.
    let (sh, st) = unsafe { (shape.u32s(), strides.u32s()) };
    let mut count: usize = 1;
    for &d in sh {
        count = mul(count, d as usize, shape_arg)?;
    }
    if count == 0 {
        return Ok((0, 0));
    }
    let mut max_off: usize = 0;
    for (&d, &s) in sh.iter().zip(st) {
        let step = mul(d as usize - 1, s as usize, strides_arg)?;
        max_off = max_off
            .checked_add(step)
            .ok_or_else(|| fail(SIZE_OVERFLOW, strides_arg, 0))?;
    }
    Ok((count, max_off + 1))
}

/// The strides reach no further than the `len` elements of the strided buffer (detail value = the
/// elements needed).
pub(super) fn strides_reach(span: usize, len: usize, arg: u32) -> Res<()> {
    if span > len {
        return Err(invalid(arg, sat_i32(span)));
    }
    Ok(())
}

/// Adam's step counts from 1.
pub(super) fn step_from_one(step: u32, arg: u32) -> Res<()> {
    if step == 0 {
        return Err(invalid(arg, 0));
    }
    Ok(())
}

/// 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge.
pub(super) fn compare_op(op: u32, arg: u32) -> Res<()> {
    if op > crate::compare::CMP_GE {
        return Err(invalid(arg, op as i32));
    }
    Ok(())
}

/// 0 and, 1 or, 2 xor.
pub(super) fn logical_op(op: u32, arg: u32) -> Res<()> {
    if op > crate::compare::LOGICAL_XOR {
        return Err(invalid(arg, op as i32));
    }
    Ok(())
}

/// 0 add, 1 sub, 2 mul (int32 division gives floats, so it is not an int32 kernel).
pub(super) fn int_op(op: u32, arg: u32) -> Res<()> {
    if op > crate::compare::INT_MUL {
        return Err(invalid(arg, op as i32));
    }
    Ok(())
}

/// 0 all, 1 any.
pub(super) fn all_any_op(op: u32, arg: u32) -> Res<()> {
    if op > crate::compare::REDUCE_ANY {
        return Err(invalid(arg, op as i32));
    }
    Ok(())
}

/// Status 4 for element `i` that has no representable result (an int32 overflow, a float with no
/// int32 value); the detail value is the position of the buffer it belongs to.
pub(super) fn bad_element(i: usize, buffer_arg: u32) -> Fail {
    fail(INDEX_OUT_OF_RANGE, sat_u32(i), buffer_arg as i32)
}

/// Status 4 for the bad label / index at position `i` of `values` (detail: i, the value).
pub(super) fn bad_index(values: &[i32], i: usize) -> Fail {
    fail(
        INDEX_OUT_OF_RANGE,
        sat_u32(i),
        values.get(i).copied().unwrap_or(0),
    )
}

/// Status 4 for position `i` of a confusion matrix's inputs: the target is checked before the
/// prediction at the same position, so a bad target is the one reported.
pub(super) fn confusion_fail(pred: &[i32], target: &[i32], classes: usize, i: usize) -> Fail {
    let t = target[i];
    let bad_target = t < 0 || t as usize >= classes;
    fail(
        INDEX_OUT_OF_RANGE,
        sat_u32(i),
        if bad_target { t } else { pred[i] },
    )
}

/// The all-zero state is not a state of the generator (it would stay zero).
pub(super) fn nonzero_state(state: Region, arg: u32) -> Res<()> {
    // SAFETY: a validated region of 4 u32 words, only read.
    if unsafe { state.u32s() }.iter().all(|&w| w == 0) {
        return Err(invalid(arg, 0));
    }
    Ok(())
}

pub(super) fn std_nonnegative(std: f32, arg: u32) -> Res<()> {
    if std.is_nan() || std < 0.0 {
        return Err(invalid(arg, 0));
    }
    Ok(())
}

/// A permutation of 0..n in int32 needs n ≤ 2³¹.
pub(super) fn permutation_len(n: usize, arg: u32) -> Res<()> {
    if n > (i32::MAX as usize) + 1 {
        return Err(invalid(arg, sat_i32(n)));
    }
    Ok(())
}

/// Dropout's p ∈ [0, 1) (1 would divide by zero).
pub(super) fn dropout_p(p: f32, arg: u32) -> Res<()> {
    if !(0.0..1.0).contains(&p) {
        return Err(invalid(arg, 0));
    }
    Ok(())
}

pub(super) fn crop_pad(pad: usize, arg: u32) -> Res<()> {
    if pad > (i32::MAX as usize) {
        return Err(invalid(arg, sat_i32(pad)));
    }
    Ok(())
}

/// A flip probability ∈ [0, 1].
pub(super) fn flip_p(p: f32, arg: u32) -> Res<()> {
    if !(0.0..=1.0).contains(&p) {
        return Err(invalid(arg, 0));
    }
    Ok(())
}

/// Resizing to a non-empty output needs a non-empty source (h blamed before w).
pub(super) fn resize_source(out_len: usize, h: usize, w: usize, h_arg: u32, w_arg: u32) -> Res<()> {
    if out_len > 0 && (h == 0 || w == 0) {
        return Err(invalid(if h == 0 { h_arg } else { w_arg }, 0));
    }
    Ok(())
}

/// A block of rows × cols elements at `off`, rows `stride` apart, lies inside the `len` elements of its
/// buffer (detail value = the elements needed).
pub(super) fn block_reach(
    off: usize,
    stride: usize,
    rows: usize,
    cols: usize,
    len: usize,
    arg: u32,
) -> Res<()> {
    if rows == 0 || cols == 0 {
        return Ok(());
    }
    let need = mul(rows - 1, stride, arg)?
        .checked_add(off)
        .and_then(|v| v.checked_add(cols))
        .ok_or_else(|| fail(SIZE_OVERFLOW, arg, 0))?;
    if need > len {
        return Err(invalid(arg, sat_i32(need)));
    }
    Ok(())
}

/// `dim` names one of the `ndim` (≥ 1) dimensions.
pub(super) fn dim_below(dim: usize, ndim: usize, arg: u32) -> Res<()> {
    if dim >= ndim {
        return Err(invalid(arg, sat_i32(dim)));
    }
    Ok(())
}

/// A scatter's mode: 0 assigns, 1 adds; at most `max`.
pub(super) fn scatter_mode(mode: u32, max: u32, arg: u32) -> Res<()> {
    if mode > max {
        return Err(invalid(arg, mode as i32));
    }
    Ok(())
}

/// The shape's element count is the index's length `n`.
pub(super) fn count_is(count: usize, n: usize, arg: u32) -> Res<()> {
    if count != n {
        return Err(invalid(arg, sat_i32(count)));
    }
    Ok(())
}

/// For a walk over `shape` (n elements) whose position along `dim` is an index in [0, dim_size): the
/// elements the strides reach (Σ_{d≠dim} (shape_d − 1)·s_d + (dim_size − 1)·s_dim + 1; 0 when empty).
pub(super) fn dim_extent(
    shape: Region,
    strides: Region,
    dim: usize,
    dim_size: usize,
    n: usize,
    shape_arg: u32,
    strides_arg: u32,
) -> Res<usize> {
    // SAFETY: both regions were validated; they are only read, before any output is built.
    let (sh, st) = unsafe { (shape.u32s(), strides.u32s()) };
    let mut count: usize = 1;
    for &d in sh {
        count = mul(count, d as usize, shape_arg)?;
    }
    count_is(count, n, shape_arg)?;
    if count == 0 || dim_size == 0 {
        return Ok(0);
    }
    let mut max_off: usize = 0;
    for (d, (&len, &s)) in sh.iter().zip(st).enumerate() {
        let extent = if d == dim { dim_size } else { len as usize };
        let step = mul(extent - 1, s as usize, strides_arg)?;
        max_off = max_off
            .checked_add(step)
            .ok_or_else(|| fail(SIZE_OVERFLOW, strides_arg, 0))?;
    }
    Ok(max_off + 1)
}

/// randint's span high − low is at least 1.
pub(super) fn span_positive(span: u32, arg: u32) -> Res<()> {
    if span == 0 {
        return Err(invalid(arg, 0));
    }
    Ok(())
}

/// A code of the unary table (`elementwise::UNARY_OPS`).
pub(super) fn unary_op(op: u32, arg: u32) -> Res<()> {
    if !crate::elementwise::unary_op_valid(op) {
        return Err(invalid(arg, op as i32));
    }
    Ok(())
}

/// 4 maximum or 5 minimum.
pub(super) fn maxmin_op(op: u32, arg: u32) -> Res<()> {
    if op != crate::elementwise::OP_MAX && op != crate::elementwise::OP_MIN {
        return Err(invalid(arg, op as i32));
    }
    Ok(())
}

/// RandomAffine's ranges [deg_lo, deg_hi, max_dx, max_dy, scale_lo, scale_hi, shear x lo, hi, shear y
/// lo, hi], parameters `first` … `first + 9`: finite as f32, lo ≤ hi, max_d ≥ 0, and as f32 (what is
/// drawn) a scale > 0 and shears in (−90, 90). The first bad bound is blamed.
pub(super) fn affine_ranges(r: &[f64; 10], first: u32) -> Res<()> {
    for (k, &v) in r.iter().enumerate() {
        let f = v as f32;
        let ok = f.is_finite()
            && match k {
                2 | 3 => v >= 0.0,
                4 | 5 => f > 0.0,
                6..=9 => f > -90.0 && f < 90.0,
                _ => true,
            }
            && (k % 2 == 0 || k == 3 || r[k - 1] <= v);
        if !ok {
            return Err(invalid(first + k as u32, 0));
        }
    }
    Ok(())
}

/// RandomAffine's flags: 1 translate, 2 scale, 4 shear x, 8 shear y, 16 counter-clockwise.
pub(super) fn affine_flags(flags: u32, arg: u32) -> Res<()> {
    if flags > crate::image::ALL_FLAGS {
        return Err(invalid(arg, sat_i32(flags as usize)));
    }
    Ok(())
}

/// A finite fill value.
pub(super) fn finite_fill(fill: f32, arg: u32) -> Res<()> {
    if !fill.is_finite() {
        return Err(invalid(arg, 0));
    }
    Ok(())
}

/// 0 bilinear, 1 nearest.
pub(super) fn warp_mode(mode: u32, arg: u32) -> Res<()> {
    if mode > crate::image::NEAREST {
        return Err(invalid(arg, sat_i32(mode as usize)));
    }
    Ok(())
}

/// Status 4 for row `row` of a batch whose index or label `value` is out of range.
pub(super) fn bad_row(row: usize, value: i32) -> Fail {
    fail(INDEX_OUT_OF_RANGE, sat_u32(row), value)
}

/// A position within a buffer of `len` elements (it may be the end).
pub(super) fn at_most(at: usize, len: usize, arg: u32) -> Res<()> {
    if at > len {
        return Err(invalid(arg, sat_i32(at)));
    }
    Ok(())
}
