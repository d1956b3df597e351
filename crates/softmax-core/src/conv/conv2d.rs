//! 2-D convolution (PyTorch's conv2d: NCHW, stride, padding, dilation, groups): forward, and the
//! gradients of the input and the weight. x is [n, groups·cg, h, w], weight [groups·og, cg, kh, kw],
//! y [n, groups·og, oh, ow]. The bias gradient is a plain sum over n and the plane (reduce kernels).

use super::Window;
use crate::gemm::gemm;

/// The sizes of one convolution: batch, groups, input and output channels per group, the window.
#[derive(Clone, Copy, Debug)]
pub struct Conv {
    pub n: usize,
    pub groups: usize,
    pub cg: usize,
    pub og: usize,
    pub win: Window,
}

impl Conv {
    pub fn new(n: usize, groups: usize, cg: usize, og: usize, win: Window) -> Conv {
        Conv {
            n,
            groups,
            cg,
            og,
            win,
        }
    }
    /// Rows of one group's column matrix: cg·kh·kw.
    fn k(&self) -> usize {
        self.cg * self.win.kh * self.win.kw
    }
    fn in_plane(&self) -> usize {
        self.win.h * self.win.w
    }
    fn out_plane(&self) -> usize {
        self.win.oh * self.win.ow
    }
}

/// col [cg·kh·kw, oh·ow] = the windows of x [cg, h, w] (zeros in the padding).
fn im2col(x: &[f32], c: &Conv, col: &mut [f32]) {
    let g = &c.win;
    let l = c.out_plane();
    let mut row = 0;
    for ci in 0..c.cg {
        let plane = &x[ci * c.in_plane()..(ci + 1) * c.in_plane()];
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                let dst = &mut col[row * l..(row + 1) * l];
                row += 1;
                let (j0, j1) = Window::valid(g.ow, kj, g.sw, g.pw, g.dw, g.w);
                for i in 0..g.oh {
                    let out = &mut dst[i * g.ow..(i + 1) * g.ow];
                    let r = match Window::src(i, ki, g.sh, g.ph, g.dh, g.h) {
                        Some(r) => r,
                        None => {
                            out.fill(0.0);
                            continue;
                        }
                    };
                    let src = &plane[r * g.w..(r + 1) * g.w];
                    out[..j0].fill(0.0);
                    out[j1..].fill(0.0);
                    if j0 == j1 {
                        continue;
                    }
                    let c0 = j0 * g.sw + kj * g.dw - g.pw;
                    if g.sw == 1 {
                        out[j0..j1].copy_from_slice(&src[c0..c0 + (j1 - j0)]);
                    } else {
                        for (o, j) in out[j0..j1].iter_mut().zip(0..) {
                            *o = src[c0 + j * g.sw];
                        }
                    }
                }
            }
        }
    }
}

/// dx [cg, h, w] += the columns col [cg·kh·kw, oh·ow] put back where im2col took them.
fn col2im(col: &[f32], c: &Conv, dx: &mut [f32]) {
    let g = &c.win;
    let l = c.out_plane();
    let mut row = 0;
    for ci in 0..c.cg {
        let plane = &mut dx[ci * c.in_plane()..(ci + 1) * c.in_plane()];
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                let src = &col[row * l..(row + 1) * l];
                row += 1;
                let (j0, j1) = Window::valid(g.ow, kj, g.sw, g.pw, g.dw, g.w);
                for i in 0..g.oh {
                    let r = match Window::src(i, ki, g.sh, g.ph, g.dh, g.h) {
                        Some(r) => r,
                        None => continue,
                    };
                    if j0 == j1 {
                        continue;
                    }
                    let dst = &mut plane[r * g.w..(r + 1) * g.w];
                    let c0 = j0 * g.sw + kj * g.dw - g.pw;
                    for (j, &v) in src[i * g.ow + j0..i * g.ow + j1].iter().enumerate() {
                        dst[c0 + j * g.sw] += v;
                    }
                }
            }
        }
    }
}

/// y = conv2d(x, weight) + bias (bias empty: none).
pub fn conv2d(x: &[f32], weight: &[f32], bias: &[f32], y: &mut [f32], c: &Conv) {
    let (k, l) = (c.k(), c.out_plane());
    let mut col = vec![0.0f32; k * l];
    for b in 0..c.n {
        for g in 0..c.groups {
            let xg = &x[(b * c.groups + g) * c.cg * c.in_plane()..][..c.cg * c.in_plane()];
            let yg = &mut y[(b * c.groups + g) * c.og * l..][..c.og * l];
            let wg = &weight[g * c.og * k..(g + 1) * c.og * k];
            let beta = if bias.is_empty() {
                0.0
            } else {
                for (o, row) in yg.chunks_exact_mut(l.max(1)).enumerate() {
                    row.fill(bias[g * c.og + o]);
                }
                1.0
            };
            im2col(xg, c, &mut col);
            gemm(false, false, c.og, l, k, 1.0, wg, &col, beta, yg);
        }
    }
}

/// Scalar reference of [`conv2d`]: the direct seven loops.
pub fn conv2d_ref(x: &[f32], weight: &[f32], bias: &[f32], y: &mut [f32], c: &Conv) {
    let g = &c.win;
    for b in 0..c.n {
        for gr in 0..c.groups {
            for o in 0..c.og {
                let oc = gr * c.og + o;
                for i in 0..g.oh {
                    for j in 0..g.ow {
                        let mut acc = 0.0f32;
                        for ci in 0..c.cg {
                            let xc = (b * c.groups + gr) * c.cg + ci;
                            for ki in 0..g.kh {
                                let r = match Window::src(i, ki, g.sh, g.ph, g.dh, g.h) {
                                    Some(r) => r,
                                    None => continue,
                                };
                                for kj in 0..g.kw {
                                    if let Some(s) = Window::src(j, kj, g.sw, g.pw, g.dw, g.w) {
                                        acc += x[(xc * g.h + r) * g.w + s]
                                            * weight[((oc * c.cg + ci) * g.kh + ki) * g.kw + kj];
                                    }
                                }
                            }
                        }
                        let bias = if bias.is_empty() { 0.0 } else { bias[oc] };
                        y[((b * c.groups * c.og + oc) * g.oh + i) * g.ow + j] = acc + bias;
                    }
                }
            }
        }
    }
}

/// dx = the gradient of conv2d w.r.t. x, from dy (overwrites dx).
pub fn conv2d_backward_input(dy: &[f32], weight: &[f32], dx: &mut [f32], c: &Conv) {
    let (k, l) = (c.k(), c.out_plane());
    dx.fill(0.0);
    let mut col = vec![0.0f32; k * l];
    for b in 0..c.n {
        for g in 0..c.groups {
            let dyg = &dy[(b * c.groups + g) * c.og * l..][..c.og * l];
            let wg = &weight[g * c.og * k..(g + 1) * c.og * k];
            // dcol [k, l] = Wgᵀ · dYg
            gemm(true, false, k, l, c.og, 1.0, wg, dyg, 0.0, &mut col);
            let dxg = &mut dx[(b * c.groups + g) * c.cg * c.in_plane()..][..c.cg * c.in_plane()];
            col2im(&col, c, dxg);
        }
    }
}

/// Scalar reference of [`conv2d_backward_input`].
pub fn conv2d_backward_input_ref(dy: &[f32], weight: &[f32], dx: &mut [f32], c: &Conv) {
    let g = &c.win;
    dx.fill(0.0);
    for b in 0..c.n {
        for gr in 0..c.groups {
            for o in 0..c.og {
                let oc = gr * c.og + o;
                for i in 0..g.oh {
                    for j in 0..g.ow {
                        let d = dy[((b * c.groups * c.og + oc) * g.oh + i) * g.ow + j];
                        for ci in 0..c.cg {
                            let xc = (b * c.groups + gr) * c.cg + ci;
                            for ki in 0..g.kh {
                                let r = match Window::src(i, ki, g.sh, g.ph, g.dh, g.h) {
                                    Some(r) => r,
                                    None => continue,
                                };
                                for kj in 0..g.kw {
                                    if let Some(s) = Window::src(j, kj, g.sw, g.pw, g.dw, g.w) {
                                        dx[(xc * g.h + r) * g.w + s] +=
                                            d * weight[((oc * c.cg + ci) * g.kh + ki) * g.kw + kj];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// dweight = the gradient of conv2d w.r.t. the weight, from x and dy (overwrites dweight).
pub fn conv2d_backward_weight(x: &[f32], dy: &[f32], dweight: &mut [f32], c: &Conv) {
    let (k, l) = (c.k(), c.out_plane());
    dweight.fill(0.0);
    let mut col = vec![0.0f32; k * l];
    for b in 0..c.n {
        for g in 0..c.groups {
            let xg = &x[(b * c.groups + g) * c.cg * c.in_plane()..][..c.cg * c.in_plane()];
            let dyg = &dy[(b * c.groups + g) * c.og * l..][..c.og * l];
            let dwg = &mut dweight[g * c.og * k..(g + 1) * c.og * k];
            im2col(xg, c, &mut col);
            // dWg [og, k] += dYg · colᵀ
            gemm(false, true, c.og, k, l, 1.0, dyg, &col, 1.0, dwg);
        }
    }
}

/// Scalar reference of [`conv2d_backward_weight`].
pub fn conv2d_backward_weight_ref(x: &[f32], dy: &[f32], dweight: &mut [f32], c: &Conv) {
    let g = &c.win;
    for gr in 0..c.groups {
        for o in 0..c.og {
            let oc = gr * c.og + o;
            for ci in 0..c.cg {
                for ki in 0..g.kh {
                    for kj in 0..g.kw {
                        let mut acc = 0.0f32;
                        for b in 0..c.n {
                            let xc = (b * c.groups + gr) * c.cg + ci;
                            for i in 0..g.oh {
                                let r = match Window::src(i, ki, g.sh, g.ph, g.dh, g.h) {
                                    Some(r) => r,
                                    None => continue,
                                };
                                for j in 0..g.ow {
                                    if let Some(s) = Window::src(j, kj, g.sw, g.pw, g.dw, g.w) {
                                        acc += dy
                                            [((b * c.groups * c.og + oc) * g.oh + i) * g.ow + j]
                                            * x[(xc * g.h + r) * g.w + s];
                                    }
                                }
                            }
                        }
                        dweight[((oc * c.cg + ci) * g.kh + ki) * g.kw + kj] = acc;
                    }
                }
            }
        }
    }
}
