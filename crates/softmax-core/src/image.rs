//! Image kernels for the data pipeline: seeded augmentation (random crop with zero padding, random
//! horizontal flip; random affine warps in `affine`) and bilinear resizing, on batches laid out
//! [n, c, h, w].
//! Memory-bound and branchy: one scalar implementation each (LLVM vectorises the row copies).

use crate::rng::Rng;

mod affine;
pub use affine::{affine_warp, inverse_affine_matrix, random_affine_params};
pub use affine::{
    ALL_FLAGS, BILINEAR, COUNTER_CLOCKWISE, NEAREST, SCALE, SHEAR_X, SHEAR_Y, TRANSLATE,
};

/// An integer uniform in [0, m) from one draw (multiply-shift, as in Lemire's method without the
/// rejection step: the bias is below m / 2^32).
fn below(rng: &mut Rng, m: u32) -> u32 {
    ((rng.next_u32() as u64 * m as u64) >> 32) as u32
}

/// torchvision's `RandomCrop(size=(h, w), padding=pad)`: each image is padded with zeros on every
/// side, then an h×w window is cut at an offset drawn uniformly in [0, 2·pad]² (one offset per image,
/// shared by its channels; two draws per image, row offset first).
pub fn random_crop(
    rng: &mut Rng,
    x: &[f32],
    y: &mut [f32],
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    pad: usize,
) {
    let plane = h * w;
    debug_assert!(x.len() == n * c * plane && y.len() == x.len());
    for img in 0..n {
        let dy = below(rng, (2 * pad + 1) as u32) as isize - pad as isize;
        let dx = below(rng, (2 * pad + 1) as u32) as isize - pad as isize;
        for ch in 0..c {
            let base = (img * c + ch) * plane;
            let src = &x[base..base + plane];
            let dst = &mut y[base..base + plane];
            for r in 0..h {
                let sr = r as isize + dy;
                let out_row = &mut dst[r * w..(r + 1) * w];
                if sr < 0 || sr >= h as isize {
                    out_row.fill(0.0);
                    continue;
                }
                let in_row = &src[sr as usize * w..(sr as usize + 1) * w];
                // Columns whose source col + dx falls inside the image.
                let lo = (-dx).max(0) as usize;
                let hi = ((w as isize - dx).min(w as isize)).max(0) as usize;
                if lo >= hi {
                    out_row.fill(0.0);
                    continue;
                }
                out_row[..lo].fill(0.0);
                let s0 = (lo as isize + dx) as usize;
                out_row[lo..hi].copy_from_slice(&in_row[s0..s0 + (hi - lo)]);
                out_row[hi..].fill(0.0);
            }
        }
    }
}

/// torchvision's `RandomHorizontalFlip(p)`: each image is mirrored left–right when a uniform draw is
/// below `p` (one draw per image).
pub fn random_hflip(
    rng: &mut Rng,
    x: &[f32],
    y: &mut [f32],
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    p: f32,
) {
    let plane = h * w;
    debug_assert!(x.len() == n * c * plane && y.len() == x.len());
    for img in 0..n {
        let flip = rng.next_f32() < p;
        let start = img * c * plane;
        let end = start + c * plane;
        if !flip {
            y[start..end].copy_from_slice(&x[start..end]);
            continue;
        }
        for row in 0..c * h {
            let s = start + row * w;
            for col in 0..w {
                y[s + col] = x[s + w - 1 - col];
            }
        }
    }
}

/// One output coordinate's two source indices and the weight of the second, as PyTorch's
/// `F.interpolate(mode='bilinear', align_corners=False)` computes them.
fn source_index(out: usize, in_size: usize, out_size: usize) -> (usize, usize, f32) {
    let scale = in_size as f32 / out_size as f32;
    let real = ((out as f32 + 0.5) * scale - 0.5).max(0.0);
    let i0 = (real as usize).min(in_size - 1);
    let i1 = (i0 + 1).min(in_size - 1);
    (i0, i1, real - i0 as f32)
}

/// Bilinear resize of `planes` images h×w → oh×ow (PyTorch's `F.interpolate(mode='bilinear',
/// align_corners=False)`, without antialiasing).
pub fn resize_bilinear(
    x: &[f32],
    y: &mut [f32],
    planes: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
) {
    debug_assert!(x.len() == planes * h * w && y.len() == planes * oh * ow);
    if planes == 0 || oh == 0 || ow == 0 {
        return;
    }
    for p in 0..planes {
        let src = &x[p * h * w..(p + 1) * h * w];
        let dst = &mut y[p * oh * ow..(p + 1) * oh * ow];
        for r in 0..oh {
            let (r0, r1, fr) = source_index(r, h, oh);
            for c in 0..ow {
                let (c0, c1, fc) = source_index(c, w, ow);
                let top = src[r0 * w + c0] * (1.0 - fc) + src[r0 * w + c1] * fc;
                let bottom = src[r1 * w + c0] * (1.0 - fc) + src[r1 * w + c1] * fc;
                dst[r * ow + c] = top * (1.0 - fr) + bottom * fr;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(n: usize) -> Vec<f32> {
        (0..n).map(|i| i as f32 + 1.0).collect()
    }

    #[test]
    fn crop_without_padding_is_the_identity() {
        let x = ramp(2 * 3 * 4);
        let mut y = vec![0.0; x.len()];
        random_crop(&mut Rng::new(1), &x, &mut y, 2, 1, 3, 4, 0);
        assert_eq!(x, y);
    }

    #[test]
    fn crop_shifts_with_zero_fill() {
        // Find a seed whose first two offsets are known, by replaying the same draws.
        let x = ramp(9); // one 3×3 image: 1..9
        for seed in 0..50u64 {
            let mut probe = Rng::new(seed);
            let dy = below(&mut probe, 3) as isize - 1;
            let dx = below(&mut probe, 3) as isize - 1;
            let mut y = vec![-1.0; 9];
            random_crop(&mut Rng::new(seed), &x, &mut y, 1, 1, 3, 3, 1);
            for r in 0..3isize {
                for c in 0..3isize {
                    let (sr, sc) = (r + dy, c + dx);
                    let expected = if (0..3).contains(&sr) && (0..3).contains(&sc) {
                        x[(sr * 3 + sc) as usize]
                    } else {
                        0.0
                    };
                    assert_eq!(
                        y[(r * 3 + c) as usize],
                        expected,
                        "seed {seed} dy {dy} dx {dx}"
                    );
                }
            }
        }
    }

    #[test]
    fn hflip_with_p_one_mirrors_and_p_zero_copies() {
        let x = ramp(2 * 2 * 3); // 2 channels of 2×3
        let mut y = vec![0.0; x.len()];
        random_hflip(&mut Rng::new(0), &x, &mut y, 1, 2, 2, 3, 1.0);
        assert_eq!(
            y,
            vec![3.0, 2.0, 1.0, 6.0, 5.0, 4.0, 9.0, 8.0, 7.0, 12.0, 11.0, 10.0]
        );
        random_hflip(&mut Rng::new(0), &x, &mut y, 1, 2, 2, 3, 0.0);
        assert_eq!(x, y);
    }

    #[test]
    fn resize_matches_pytorch_half_pixel_bilinear() {
        // F.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode='bilinear')
        let x = [1.0, 2.0, 3.0, 4.0];
        let mut y = vec![0.0; 16];
        resize_bilinear(&x, &mut y, 1, 2, 2, 4, 4);
        let expected = [
            1.0, 1.25, 1.75, 2.0, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3.0, 3.25, 3.75, 4.0,
        ];
        for (a, e) in y.iter().zip(expected.iter()) {
            assert!((a - e).abs() < 1e-6, "{y:?}");
        }
        // Same size: identity.
        let x = ramp(12);
        let mut y = vec![0.0; 12];
        resize_bilinear(&x, &mut y, 1, 3, 4, 3, 4);
        assert_eq!(x, y);
    }
}
