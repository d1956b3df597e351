//! Convolution, pooling and batch-norm kernels on NCHW batches (PyTorch's `conv2d`, `max_pool2d`,
//! `avg_pool2d`, `adaptive_avg_pool2d`, `batch_norm`), forward and backward.
//!
//! 2-D convolution runs as im2col + the crate's GEMM per (sample, group): the columns of one sample's
//! group are a [cg·kh·kw, oh·ow] matrix, so the product with the group's [og, cg·kh·kw] weights is one
//! GEMM. Its `_ref` twins are the direct loops. Pooling and batch norm are memory-bound: their fast
//! paths clamp each window once and run bounds-free loops; the references test every element.
//! Files: `conv2d.rs`, `pool.rs`, `batch_norm.rs`, `tests.rs`.

mod batch_norm;
mod conv2d;
mod pool;
#[cfg(test)]
mod tests;

pub use batch_norm::*;
pub use conv2d::*;
pub use pool::*;

/// The geometry of a 2-D window over [planes, h, w] images: output size, kernel, stride, padding and
/// dilation along the rows (`.0`) and columns (`.1`).
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub h: usize,
    pub w: usize,
    pub oh: usize,
    pub ow: usize,
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
    pub ph: usize,
    pub pw: usize,
    pub dh: usize,
    pub dw: usize,
}

impl Window {
    /// From [h, w, oh, ow] and [kh, kw, sh, sw, ph, pw, dh, dw], in the order the ABI passes them.
    pub fn new(size: [usize; 4], k: [usize; 8]) -> Window {
        Window {
            h: size[0],
            w: size[1],
            oh: size[2],
            ow: size[3],
            kh: k[0],
            kw: k[1],
            sh: k[2],
            sw: k[3],
            ph: k[4],
            pw: k[5],
            dh: k[6],
            dw: k[7],
        }
    }

    /// Input row (or column) under output position `o` and kernel tap `t`, or None in the padding.
    #[inline]
    fn src(o: usize, t: usize, stride: usize, pad: usize, dil: usize, len: usize) -> Option<usize> {
        let r = (o * stride + t * dil) as isize - pad as isize;
        if r >= 0 && (r as usize) < len {
            Some(r as usize)
        } else {
            None
        }
    }

    /// The output positions [lo, hi) whose input index o·stride + t·dil − pad lies in [0, len).
    #[inline]
    fn valid(
        out: usize,
        t: usize,
        stride: usize,
        pad: usize,
        dil: usize,
        len: usize,
    ) -> (usize, usize) {
        let off = t * dil;
        // o·stride ≥ pad − off and o·stride < len + pad − off.
        let lo = if pad > off {
            (pad - off + stride - 1) / stride
        } else {
            0
        };
        let hi = if len + pad > off {
            (len + pad - off + stride - 1) / stride
        } else {
            0
        };
        (lo.min(out), hi.min(out).max(lo.min(out)))
    }
}
