//! Pooling over [planes, h, w] images: max (with the argmax kept for backward, as a flat index into
//! the plane like PyTorch's return_indices), average (count_include_pad, divisor_override) and adaptive
//! average. Windows follow PyTorch's CPU kernels exactly, including which element wins a tie (the first)
//! and that a NaN wins. The output size (floor or ceil mode) comes in the Window: a ceil-mode last window
//! that runs past the input is cut where the kernels cut every window, so no kernel needs the mode.

use super::Window;
use crate::simd::{F32x4, I32x4};

/// A window's first and one-past-last index along one axis, clamped to [0, len), and its first tap.
#[inline]
fn clamp_span(
    o: usize,
    k: usize,
    stride: usize,
    pad: usize,
    dil: usize,
    len: usize,
) -> (usize, usize) {
    let start = (o * stride) as isize - pad as isize;
    let end = (start + ((k as isize - 1) * dil as isize + 1)).min(len as isize);
    let mut s = start;
    while s < 0 {
        s += dil as isize;
    }
    (s as usize, end.max(s) as usize)
}

/// y = max over each window (padding never wins), idx = the flat index in its plane of the winner.
pub fn max_pool2d(x: &[f32], y: &mut [f32], idx: &mut [i32], planes: usize, g: &Window) {
    if windows_inside(g) {
        return max_pool2d_inside(x, y, idx, planes, g);
    }
    let (ip, op) = (g.h * g.w, g.oh * g.ow);
    for p in 0..planes {
        let xp = &x[p * ip..(p + 1) * ip];
        for i in 0..g.oh {
            let (r0, r1) = clamp_span(i, g.kh, g.sh, g.ph, g.dh, g.h);
            for j in 0..g.ow {
                let (c0, c1) = clamp_span(j, g.kw, g.sw, g.pw, g.dw, g.w);
                let mut best = f32::NEG_INFINITY;
                let mut at = r0 * g.w + c0;
                for r in (r0..r1).step_by(g.dh) {
                    for c in (c0..c1).step_by(g.dw) {
                        let v = xp[r * g.w + c];
                        if v > best || v.is_nan() {
                            best = v;
                            at = r * g.w + c;
                        }
                    }
                }
                y[p * op + i * g.ow + j] = best;
                idx[p * op + i * g.ow + j] = at as i32;
            }
        }
    }
}

/// Whether every window lies inside the image with unit dilation (LeNet's 2×2 stride-2 pooling, say):
/// no tap needs clamping.
fn windows_inside(g: &Window) -> bool {
    g.kh > 0
        && g.kw > 0
        && g.ph == 0
        && g.pw == 0
        && g.dh == 1
        && g.dw == 1
        && (g.oh == 0 || (g.oh - 1) * g.sh + g.kh <= g.h)
        && (g.ow == 0 || (g.ow - 1) * g.sw + g.kw <= g.w)
}

/// [`max_pool2d`] when [`windows_inside`]: the same scan order and comparisons, on whole window rows
/// (the general loop spends most of its time clamping each window).
fn max_pool2d_inside(x: &[f32], y: &mut [f32], idx: &mut [i32], planes: usize, g: &Window) {
    let (ip, op) = (g.h * g.w, g.oh * g.ow);
    let two_by_two = [g.kh, g.kw, g.sh, g.sw] == [2, 2, 2, 2];
    for p in 0..planes {
        let xp = &x[p * ip..(p + 1) * ip];
        let yp = &mut y[p * op..(p + 1) * op];
        let ixp = &mut idx[p * op..(p + 1) * op];
        for i in 0..g.oh {
            let mut j = 0;
            if two_by_two {
                j = max_pool_2x2_row(
                    xp,
                    g.w,
                    i,
                    &mut yp[i * g.ow..(i + 1) * g.ow],
                    &mut ixp[i * g.ow..(i + 1) * g.ow],
                );
            }
            for j in j..g.ow {
                max_pool_window(xp, g, i, j, &mut yp[i * g.ow + j], &mut ixp[i * g.ow + j]);
            }
        }
    }
}

/// One window of [`max_pool2d_inside`], in the scan order of the general loop.
#[inline(always)]
fn max_pool_window(xp: &[f32], g: &Window, i: usize, j: usize, y: &mut f32, idx: &mut i32) {
    let first = i * g.sh * g.w + j * g.sw;
    let mut best = xp[first];
    let mut at = first;
    for r in 0..g.kh {
        let row = first + r * g.w;
        for (c, &v) in xp[row..row + g.kw].iter().enumerate() {
            if v > best || v.is_nan() {
                best = v;
                at = row + c;
            }
        }
    }
    *y = best;
    *idx = at as i32;
}

/// Output row `i` of 2×2 stride-2 max pooling, four windows at a time: their taps in the scan order
/// (top left, top right, bottom left, bottom right), each taken when greater or NaN, as in the scalar
/// loop. Returns how many outputs it wrote (a multiple of 4; the caller does the rest).
fn max_pool_2x2_row(xp: &[f32], w: usize, i: usize, y: &mut [f32], idx: &mut [i32]) -> usize {
    let top = 2 * i * w;
    assert!(top + w + 2 * y.len() <= xp.len() && idx.len() >= y.len());
    let lanes = I32x4::new([0, 2, 4, 6]);
    let mut j = 0;
    while j + 4 <= y.len() {
        let t = top + 2 * j;
        // SAFETY: t + w + 8 ≤ top + w + 2·y.len() ≤ xp.len() (asserted above); j + 4 ≤ y.len() ≤ idx.len().
        unsafe {
            let p = xp.as_ptr();
            let (tl, tr) =
                F32x4::deinterleave(F32x4::load_ptr(p.add(t)), F32x4::load_ptr(p.add(t + 4)));
            let (bl, br) = F32x4::deinterleave(
                F32x4::load_ptr(p.add(t + w)),
                F32x4::load_ptr(p.add(t + w + 4)),
            );
            let at0 = lanes.add(I32x4::splat(t as i32));
            let (mut best, mut at) = (tl, at0);
            for (v, off) in [(tr, 1), (bl, w as i32), (br, w as i32 + 1)] {
                let take = v.gt(best).or(v.ne(v));
                best = F32x4::select(take, v, best);
                at = I32x4::select(take, at0.add(I32x4::splat(off)), at);
            }
            best.store_ptr(y.as_mut_ptr().add(j));
            at.store_ptr(idx.as_mut_ptr().add(j));
        }
        j += 4;
    }
    j
}

/// Scalar reference of [`max_pool2d`]: every tap of the raw window, tested against the image.
pub fn max_pool2d_ref(x: &[f32], y: &mut [f32], idx: &mut [i32], planes: usize, g: &Window) {
    for p in 0..planes {
        for i in 0..g.oh {
            for j in 0..g.ow {
                let mut best = f32::NEG_INFINITY;
                let mut at: Option<usize> = None;
                for ki in 0..g.kh {
                    for kj in 0..g.kw {
                        let r = (i * g.sh + ki * g.dh) as isize - g.ph as isize;
                        let c = (j * g.sw + kj * g.dw) as isize - g.pw as isize;
                        if r < 0 || c < 0 || r >= g.h as isize || c >= g.w as isize {
                            continue;
                        }
                        let k = r as usize * g.w + c as usize;
                        let v = x[p * g.h * g.w + k];
                        if at.is_none() {
                            at = Some(k);
                        }
                        if v > best || v.is_nan() {
                            best = v;
                            at = Some(k);
                        }
                    }
                }
                let o = (p * g.oh + i) * g.ow + j;
                y[o] = best;
                idx[o] = at.unwrap_or(0) as i32;
            }
        }
    }
}

/// dx = dy added at each window's argmax (overwrites dx). Err(position) for an index outside the plane.
pub fn max_pool2d_backward(
    dy: &[f32],
    idx: &[i32],
    dx: &mut [f32],
    planes: usize,
    ip: usize,
    op: usize,
) -> Result<(), usize> {
    if let Some(bad) = idx.iter().position(|&k| k < 0 || k as usize >= ip) {
        return Err(bad);
    }
    dx.fill(0.0);
    for p in 0..planes {
        let dxp = &mut dx[p * ip..(p + 1) * ip];
        for (&d, &k) in dy[p * op..(p + 1) * op]
            .iter()
            .zip(&idx[p * op..(p + 1) * op])
        {
            dxp[k as usize] += d;
        }
    }
    Ok(())
}

/// Scalar reference of [`max_pool2d_backward`].
pub fn max_pool2d_backward_ref(
    dy: &[f32],
    idx: &[i32],
    dx: &mut [f32],
    planes: usize,
    ip: usize,
    op: usize,
) -> Result<(), usize> {
    for (i, &k) in idx.iter().enumerate() {
        if k < 0 || k as usize >= ip {
            return Err(i);
        }
    }
    dx.fill(0.0);
    for o in 0..planes * op {
        dx[(o / op.max(1)) * ip + idx[o] as usize] += dy[o];
    }
    Ok(())
}

/// PyTorch's avg_pool2d window along one axis: (start, end) clamped to the input, and its length cut
/// at the end of the padding (count_include_pad's divisor, also for a ceil-mode window past the edge).
#[inline]
fn avg_span(o: usize, k: usize, stride: usize, pad: usize, len: usize) -> (usize, usize, usize) {
    let start = (o * stride) as isize - pad as isize;
    let end = (start + k as isize).min((len + pad) as isize);
    let padded = (end - start).max(0) as usize;
    let s = start.max(0);
    let e = end.min(len as isize).max(s);
    (s as usize, e as usize, padded)
}

/// The divisor of one window: divisor (when non-zero), else the padded or the clamped window size.
#[inline]
fn divisor_of(divisor: usize, include_pad: bool, padded: usize, clamped: usize) -> f32 {
    if divisor != 0 {
        divisor as f32
    } else if include_pad {
        padded as f32
    } else {
        clamped as f32
    }
}

/// y = the mean of each window (PyTorch's avg_pool2d); divisor 0: no divisor_override.
pub fn avg_pool2d(
    x: &[f32],
    y: &mut [f32],
    planes: usize,
    g: &Window,
    include_pad: bool,
    divisor: usize,
) {
    let (ip, op) = (g.h * g.w, g.oh * g.ow);
    for p in 0..planes {
        let xp = &x[p * ip..(p + 1) * ip];
        for i in 0..g.oh {
            let (r0, r1, ph) = avg_span(i, g.kh, g.sh, g.ph, g.h);
            for j in 0..g.ow {
                let (c0, c1, pw) = avg_span(j, g.kw, g.sw, g.pw, g.w);
                let o = p * op + i * g.ow + j;
                if r0 >= r1 || c0 >= c1 {
                    y[o] = 0.0;
                    continue;
                }
                let mut sum = 0.0f32;
                for r in r0..r1 {
                    for &v in &xp[r * g.w + c0..r * g.w + c1] {
                        sum += v;
                    }
                }
                y[o] = sum / divisor_of(divisor, include_pad, ph * pw, (r1 - r0) * (c1 - c0));
            }
        }
    }
}

/// Scalar reference of [`avg_pool2d`]: the taps tested one by one.
pub fn avg_pool2d_ref(
    x: &[f32],
    y: &mut [f32],
    planes: usize,
    g: &Window,
    include_pad: bool,
    divisor: usize,
) {
    for p in 0..planes {
        for i in 0..g.oh {
            for j in 0..g.ow {
                let (mut sum, mut inside, mut padded) = (0.0f32, 0usize, 0usize);
                for ki in 0..g.kh {
                    let r = (i * g.sh + ki) as isize - g.ph as isize;
                    if r >= (g.h + g.ph) as isize {
                        continue;
                    }
                    for kj in 0..g.kw {
                        let c = (j * g.sw + kj) as isize - g.pw as isize;
                        if c >= (g.w + g.pw) as isize {
                            continue;
                        }
                        padded += 1;
                        if r >= 0 && c >= 0 && r < g.h as isize && c < g.w as isize {
                            inside += 1;
                            sum += x[(p * g.h + r as usize) * g.w + c as usize];
                        }
                    }
                }
                let o = (p * g.oh + i) * g.ow + j;
                y[o] = if inside == 0 {
                    0.0
                } else {
                    sum / divisor_of(divisor, include_pad, padded, inside)
                };
            }
        }
    }
}

/// dx = each dy spread evenly over its window (overwrites dx).
pub fn avg_pool2d_backward(
    dy: &[f32],
    dx: &mut [f32],
    planes: usize,
    g: &Window,
    include_pad: bool,
    divisor: usize,
) {
    let (ip, op) = (g.h * g.w, g.oh * g.ow);
    dx.fill(0.0);
    for p in 0..planes {
        let dxp = &mut dx[p * ip..(p + 1) * ip];
        for i in 0..g.oh {
            let (r0, r1, ph) = avg_span(i, g.kh, g.sh, g.ph, g.h);
            for j in 0..g.ow {
                let (c0, c1, pw) = avg_span(j, g.kw, g.sw, g.pw, g.w);
                if r0 >= r1 || c0 >= c1 {
                    continue;
                }
                let d = dy[p * op + i * g.ow + j]
                    / divisor_of(divisor, include_pad, ph * pw, (r1 - r0) * (c1 - c0));
                for r in r0..r1 {
                    for v in &mut dxp[r * g.w + c0..r * g.w + c1] {
                        *v += d;
                    }
                }
            }
        }
    }
}

/// Scalar reference of [`avg_pool2d_backward`].
pub fn avg_pool2d_backward_ref(
    dy: &[f32],
    dx: &mut [f32],
    planes: usize,
    g: &Window,
    include_pad: bool,
    divisor: usize,
) {
    dx.fill(0.0);
    for p in 0..planes {
        for i in 0..g.oh {
            for j in 0..g.ow {
                let (mut inside, mut padded) = (0usize, 0usize);
                let tap = |ki: usize, kj: usize| -> (bool, bool, usize) {
                    let r = (i * g.sh + ki) as isize - g.ph as isize;
                    let c = (j * g.sw + kj) as isize - g.pw as isize;
                    let counted = r < (g.h + g.ph) as isize && c < (g.w + g.pw) as isize;
                    let ins = r >= 0 && c >= 0 && r < g.h as isize && c < g.w as isize;
                    (
                        counted,
                        ins,
                        if ins {
                            (p * g.h + r as usize) * g.w + c as usize
                        } else {
                            0
                        },
                    )
                };
                for ki in 0..g.kh {
                    for kj in 0..g.kw {
                        let (counted, ins, _) = tap(ki, kj);
                        padded += counted as usize;
                        inside += ins as usize;
                    }
                }
                if inside == 0 {
                    continue;
                }
                let d = dy[(p * g.oh + i) * g.ow + j]
                    / divisor_of(divisor, include_pad, padded, inside);
                for ki in 0..g.kh {
                    for kj in 0..g.kw {
                        let (_, ins, at) = tap(ki, kj);
                        if ins {
                            dx[at] += d;
                        }
                    }
                }
            }
        }
    }
}

/// PyTorch's adaptive window of output o along an axis of `len` into `out`: [⌊o·len/out⌋, ⌈(o+1)·len/out⌉).
#[inline]
fn adaptive_span(o: usize, len: usize, out: usize) -> (usize, usize) {
    (o * len / out, ((o + 1) * len + out - 1) / out)
}

/// y [planes, oh, ow] = the mean of each adaptive window of x [planes, h, w].
pub fn adaptive_avg_pool2d(
    x: &[f32],
    y: &mut [f32],
    planes: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
) {
    for p in 0..planes {
        let xp = &x[p * h * w..(p + 1) * h * w];
        for i in 0..oh {
            let (r0, r1) = adaptive_span(i, h, oh);
            for j in 0..ow {
                let (c0, c1) = adaptive_span(j, w, ow);
                let mut sum = 0.0f32;
                for r in r0..r1 {
                    for &v in &xp[r * w + c0..r * w + c1] {
                        sum += v;
                    }
                }
                y[(p * oh + i) * ow + j] = sum / ((r1 - r0) * (c1 - c0)) as f32;
            }
        }
    }
}

/// Scalar reference of [`adaptive_avg_pool2d`].
pub fn adaptive_avg_pool2d_ref(
    x: &[f32],
    y: &mut [f32],
    planes: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
) {
    for (o, out) in y.iter_mut().enumerate().take(planes * oh * ow) {
        let (p, i, j) = (o / (oh * ow), o / ow % oh, o % ow);
        let (r0, r1) = ((i * h) / oh, ((i + 1) * h + oh - 1) / oh);
        let (c0, c1) = ((j * w) / ow, ((j + 1) * w + ow - 1) / ow);
        let mut sum = 0.0f32;
        for r in r0..r1 {
            for c in c0..c1 {
                sum += x[(p * h + r) * w + c];
            }
        }
        *out = sum / ((r1 - r0) * (c1 - c0)) as f32;
    }
}

/// dx = each dy spread evenly over its adaptive window (overwrites dx).
pub fn adaptive_avg_pool2d_backward(
    dy: &[f32],
    dx: &mut [f32],
    planes: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
) {
    dx.fill(0.0);
    for p in 0..planes {
        let dxp = &mut dx[p * h * w..(p + 1) * h * w];
        for i in 0..oh {
            let (r0, r1) = adaptive_span(i, h, oh);
            for j in 0..ow {
                let (c0, c1) = adaptive_span(j, w, ow);
                let d = dy[(p * oh + i) * ow + j] / ((r1 - r0) * (c1 - c0)) as f32;
                for r in r0..r1 {
                    for v in &mut dxp[r * w + c0..r * w + c1] {
                        *v += d;
                    }
                }
            }
        }
    }
}

/// Scalar reference of [`adaptive_avg_pool2d_backward`].
pub fn adaptive_avg_pool2d_backward_ref(
    dy: &[f32],
    dx: &mut [f32],
    planes: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
) {
    dx.fill(0.0);
    for (o, &g) in dy.iter().enumerate().take(planes * oh * ow) {
        let (p, i, j) = (o / (oh * ow), o / ow % oh, o % ow);
        let (r0, r1) = ((i * h) / oh, ((i + 1) * h + oh - 1) / oh);
        let (c0, c1) = ((j * w) / ow, ((j + 1) * w + ow - 1) / ow);
        let d = g / ((r1 - r0) * (c1 - c0)) as f32;
        for r in r0..r1 {
            for c in c0..c1 {
                dx[(p * h + r) * w + c] += d;
            }
        }
    }
}
