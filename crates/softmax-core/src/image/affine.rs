//! Affine warps of [n, c, h, w] batches: torchvision's RandomAffine and RandomRotation. One kernel draws
//! each image's parameters from the generator and turns them into an inverse map; the other applies
//! one 2×3 inverse map per image, sampling bilinearly (or the nearest pixel) with a constant fill outside.
//! Branchy gathers with four taps per pixel: one scalar implementation each.

use crate::rng::Rng;

/// `mode` of [`affine_warp`]: bilinear interpolation of the four neighbours.
pub const BILINEAR: u32 = 0;
/// `mode` of [`affine_warp`]: the nearest pixel (ties to even, as `grid_sample` rounds).
pub const NEAREST: u32 = 1;

/// `flags` of [`random_affine_params`]: draw a translation (two draws).
pub const TRANSLATE: u32 = 1;
/// Draw a scale.
pub const SCALE: u32 = 2;
/// Draw a shear parallel to the x axis.
pub const SHEAR_X: u32 = 4;
/// Draw a shear parallel to the y axis.
pub const SHEAR_Y: u32 = 8;
/// RandomRotation's sign: a positive angle turns the image counter-clockwise (RandomAffine's, like
/// torchvision's `F.affine`, turns it clockwise).
pub const COUNTER_CLOCKWISE: u32 = 16;
/// Every flag.
pub const ALL_FLAGS: u32 = 31;

/// (sin, cos) of an angle in degrees, reduced to [−45°, 45°] first so that multiples of 90° give
/// exactly 0 and ±1 (a rotation by 90° then moves pixels onto pixels, with no rounding).
pub fn sin_cos_deg(deg: f64) -> (f64, f64) {
    let q = (deg / 90.0).round();
    let (s, c) = (deg - q * 90.0).to_radians().sin_cos();
    // q is an integer-valued float; fmod is exact, so the quadrant is right even beyond 2^63.
    match (((q % 4.0) + 4.0) % 4.0) as u8 {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

/// Rounds half-way cases to the even integer (Python's `round`, torch's `nearbyint`).
pub fn round_half_even(v: f64) -> f64 {
    let r = v.round();
    if (r - v).abs() == 0.5 && r % 2.0 != 0.0 {
        r - (r - v).signum()
    } else {
        r
    }
}

/// [`round_half_even`] in f32 from `floor` alone (wasm's `round` and `%` are library calls).
fn round_half_even_f32(v: f32) -> f32 {
    let f = v.floor();
    let d = v - f;
    if d > 0.5 || (d == 0.5 && (f * 0.5).floor() != f * 0.5) {
        f + 1.0
    } else {
        f
    }
}

/// torchvision's `_get_inverse_affine_matrix(center = image centre, angle, (tx, ty), scale, (shear_x,
/// shear_y))`, in pixel indices: output pixel (col, row) samples the input at (m0·col + m1·row + m2,
/// m3·col + m4·row + m5), the centre being ((w − 1)/2, (h − 1)/2) as in `affine_grid` + `grid_sample`
/// with align_corners = False. A positive angle turns the image clockwise (y points down).
pub fn inverse_affine_matrix(
    angle: f64,
    translate: (f64, f64),
    scale: f64,
    shear: (f64, f64),
    h: usize,
    w: usize,
) -> [f64; 6] {
    let (sin_r, cos_r) = sin_cos_deg(angle);
    let (sin_rs, cos_rs) = sin_cos_deg(angle - shear.1);
    let (_, cos_sy) = sin_cos_deg(shear.1);
    let (sin_sx, cos_sx) = sin_cos_deg(shear.0);
    let tan_sx = sin_sx / cos_sx;
    // The forward map R(angle)·S(scale)·SHy·SHx (determinant scale²) …
    let a = cos_rs / cos_sy;
    let b = -cos_rs * tan_sx / cos_sy - sin_r;
    let c = sin_rs / cos_sy;
    let d = -sin_rs * tan_sx / cos_sy + cos_r;
    // … and its inverse, applied as src = L·(p − centre − t) + centre.
    let (l0, l1, l2, l3) = (d / scale, -b / scale, -c / scale, a / scale);
    let (cx, cy) = ((w as f64 - 1.0) / 2.0, (h as f64 - 1.0) / 2.0);
    let (ox, oy) = (-cx - translate.0, -cy - translate.1);
    [
        l0,
        l1,
        l0 * ox + l1 * oy + cx,
        l2,
        l3,
        l2 * ox + l3 * oy + cy,
    ]
}

/// u·(high − low) + low with u = next_f32() ∈ [0, 1) (PyTorch's `uniform_`), in f64.
fn uniform(rng: &mut Rng, low: f64, high: f64) -> f64 {
    rng.next_f32() as f64 * (high - low) + low
}

/// torchvision's `RandomAffine.get_params`, per image, in its order of draws: the angle in
/// [deg_lo, deg_hi); with TRANSLATE tx = round(U(−max_dx, max_dx)), then ty likewise (integers, ties to
/// even); with SCALE the scale; with SHEAR_X the x shear, with SHEAR_Y the y shear. `ranges` =
/// [deg_lo, deg_hi, max_dx, max_dy, scale_lo, scale_hi, shear_x_lo, shear_x_hi, shear_y_lo, shear_y_hi].
/// Writes params[6i..6i+6] = (angle, tx, ty, scale, shear_x, shear_y) rounded to f32, and
/// matrices[6i..6i+6] = [`inverse_affine_matrix`] of those f32 values (the angle negated with
/// COUNTER_CLOCKWISE).
pub fn random_affine_params(
    rng: &mut Rng,
    params: &mut [f32],
    matrices: &mut [f32],
    h: usize,
    w: usize,
    ranges: [f64; 10],
    flags: u32,
) {
    let [deg_lo, deg_hi, max_dx, max_dy, scale_lo, scale_hi, sx_lo, sx_hi, sy_lo, sy_hi] = ranges;
    debug_assert!(params.len() == matrices.len() && params.len() % 6 == 0);
    for (p, m) in params.chunks_exact_mut(6).zip(matrices.chunks_exact_mut(6)) {
        let angle = uniform(rng, deg_lo, deg_hi) as f32;
        let (mut tx, mut ty) = (0.0f32, 0.0f32);
        if flags & TRANSLATE != 0 {
            tx = round_half_even(uniform(rng, -max_dx, max_dx)) as f32;
            ty = round_half_even(uniform(rng, -max_dy, max_dy)) as f32;
        }
        let mut scale = 1.0f32;
        if flags & SCALE != 0 {
            scale = uniform(rng, scale_lo, scale_hi) as f32;
        }
        let (mut shear_x, mut shear_y) = (0.0f32, 0.0f32);
        if flags & SHEAR_X != 0 {
            shear_x = uniform(rng, sx_lo, sx_hi) as f32;
        }
        if flags & SHEAR_Y != 0 {
            shear_y = uniform(rng, sy_lo, sy_hi) as f32;
        }
        p.copy_from_slice(&[angle, tx, ty, scale, shear_x, shear_y]);
        let rot = if flags & COUNTER_CLOCKWISE != 0 {
            -(angle as f64)
        } else {
            angle as f64
        };
        let inv = inverse_affine_matrix(
            rot,
            (tx as f64, ty as f64),
            scale as f64,
            (shear_x as f64, shear_y as f64),
            h,
            w,
        );
        for (d, s) in m.iter_mut().zip(inv.iter()) {
            *d = *s as f32;
        }
    }
}

/// Each image of x (n × c planes of h×w) warped by its inverse map `matrices[6i..6i+6]` (see
/// [`inverse_affine_matrix`]): output pixel (col, row) samples the input at (m0·col + m1·row + m2,
/// m3·col + m4·row + m5), in f32 in that order. BILINEAR blends the four pixels around the sample with
/// `fill` standing for those outside the image; NEAREST takes the nearest pixel, or `fill`.
pub fn affine_warp(
    x: &[f32],
    y: &mut [f32],
    matrices: &[f32],
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    fill: f32,
    mode: u32,
) {
    let plane = h * w;
    debug_assert!(x.len() == n * c * plane && y.len() == x.len() && matrices.len() == n * 6);
    if plane == 0 {
        return;
    }
    for img in 0..n {
        let m = &matrices[img * 6..img * 6 + 6];
        let m = [m[0], m[1], m[2], m[3], m[4], m[5]];
        // One plane at a time (the map is recomputed per channel: cheaper than strided writes).
        for ch in 0..c {
            let base = (img * c + ch) * plane;
            let (src, dst) = (&x[base..base + plane], &mut y[base..base + plane]);
            if mode == NEAREST {
                warp_plane_nearest(src, dst, &m, h, w, fill);
            } else {
                warp_plane_bilinear(src, dst, &m, h, w, fill);
            }
        }
    }
}

fn warp_plane_bilinear(src: &[f32], dst: &mut [f32], m: &[f32; 6], h: usize, w: usize, fill: f32) {
    let (wf, hf) = (w as f32, h as f32);
    for (row, out_row) in dst.chunks_exact_mut(w).enumerate() {
        let yf = row as f32;
        for (col, out) in out_row.iter_mut().enumerate() {
            let xf = col as f32;
            let sx = m[0] * xf + m[1] * yf + m[2];
            let sy = m[3] * xf + m[4] * yf + m[5];
            // NaN fails the test too: a degenerate map gives the fill, never a read.
            if !(sx > -1.0 && sx < wf && sy > -1.0 && sy < hf) {
                *out = fill;
                continue;
            }
            let (fx0, fy0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - fx0, sy - fy0);
            // fx0 ∈ [−1, w − 1], fy0 ∈ [−1, h − 1].
            let (x0, y0) = (fx0 as isize, fy0 as isize);
            let [v00, v01, v10, v11] =
                if x0 >= 0 && y0 >= 0 && x0 + 1 < w as isize && y0 + 1 < h as isize {
                    let i = y0 as usize * w + x0 as usize;
                    [src[i], src[i + 1], src[i + w], src[i + w + 1]]
                } else {
                    let v = |r: isize, k: isize| {
                        if r >= 0 && r < h as isize && k >= 0 && k < w as isize {
                            src[r as usize * w + k as usize]
                        } else {
                            fill
                        }
                    };
                    [v(y0, x0), v(y0, x0 + 1), v(y0 + 1, x0), v(y0 + 1, x0 + 1)]
                };
            let top = v00 * (1.0 - fx) + v01 * fx;
            let bottom = v10 * (1.0 - fx) + v11 * fx;
            *out = top * (1.0 - fy) + bottom * fy;
        }
    }
}

fn warp_plane_nearest(src: &[f32], dst: &mut [f32], m: &[f32; 6], h: usize, w: usize, fill: f32) {
    let (wf, hf) = (w as f32, h as f32);
    for (row, out_row) in dst.chunks_exact_mut(w).enumerate() {
        let yf = row as f32;
        for (col, out) in out_row.iter_mut().enumerate() {
            let xf = col as f32;
            let sx = m[0] * xf + m[1] * yf + m[2];
            let sy = m[3] * xf + m[4] * yf + m[5];
            let (ix, iy) = (round_half_even_f32(sx), round_half_even_f32(sy));
            *out = if ix >= 0.0 && ix < wf && iy >= 0.0 && iy < hf {
                src[iy as usize * w + ix as usize]
            } else {
                fill
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(n: usize) -> Vec<f32> {
        (0..n).map(|i| i as f32 + 1.0).collect()
    }

    fn f32s(m: [f64; 6]) -> Vec<f32> {
        m.iter().map(|&v| v as f32).collect()
    }

    const IDENTITY: [f32; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

    #[test]
    fn sin_cos_deg_is_exact_at_right_angles() {
        assert_eq!(sin_cos_deg(0.0), (0.0, 1.0));
        for (deg, s, c) in [
            (90.0, 1.0, 0.0),
            (180.0, 0.0, -1.0),
            (270.0, -1.0, 0.0),
            (-90.0, -1.0, 0.0),
            (450.0, 1.0, 0.0),
            (-360.0, 0.0, 1.0),
        ] {
            let (gs, gc) = sin_cos_deg(deg);
            assert!(gs == s && gc == c, "{deg}: {gs} {gc}");
        }
        for deg in [1.0f64, 30.0, 44.9, 45.0, 46.0, 100.0, -135.5, 721.25] {
            let (s, c) = sin_cos_deg(deg);
            let r = deg.to_radians();
            assert!(
                (s - r.sin()).abs() < 1e-15 && (c - r.cos()).abs() < 1e-15,
                "{deg}"
            );
        }
    }

    #[test]
    fn round_half_even_matches_python() {
        for (v, r) in [
            (0.5, 0.0),
            (1.5, 2.0),
            (2.5, 2.0),
            (-0.5, 0.0),
            (-1.5, -2.0),
            (-2.5, -2.0),
            (2.4, 2.0),
            (2.6, 3.0),
            (-2.6, -3.0),
        ] {
            assert_eq!(round_half_even(v), r, "{v}");
            assert_eq!(round_half_even_f32(v as f32), r as f32, "{v}");
        }
    }

    #[test]
    fn identity_map_gives_the_input_back() {
        let (n, c, h, w) = (2, 3, 5, 7);
        let x = ramp(n * c * h * w);
        let mats: Vec<f32> = IDENTITY.iter().chain(IDENTITY.iter()).copied().collect();
        for mode in [BILINEAR, NEAREST] {
            let mut y = vec![-1.0; x.len()];
            affine_warp(&x, &mut y, &mats, n, c, h, w, 9.0, mode);
            assert_eq!(x, y);
        }
        let m = inverse_affine_matrix(0.0, (0.0, 0.0), 1.0, (0.0, 0.0), 5, 7);
        assert_eq!(m, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn rotations_by_right_angles_move_pixels_exactly() {
        // One 3×3 plane 1..9. Clockwise by 90° (F.affine's positive angle): the first column read
        // upwards becomes the first row.
        let x = ramp(9);
        let mut y = vec![0.0; 9];
        let m = f32s(inverse_affine_matrix(
            90.0,
            (0.0, 0.0),
            1.0,
            (0.0, 0.0),
            3,
            3,
        ));
        affine_warp(&x, &mut y, &m, 1, 1, 3, 3, 0.0, BILINEAR);
        assert_eq!(y, [7.0, 4.0, 1.0, 8.0, 5.0, 2.0, 9.0, 6.0, 3.0]);
        let m = f32s(inverse_affine_matrix(
            -90.0,
            (0.0, 0.0),
            1.0,
            (0.0, 0.0),
            3,
            3,
        ));
        affine_warp(&x, &mut y, &m, 1, 1, 3, 3, 0.0, BILINEAR);
        assert_eq!(y, [3.0, 6.0, 9.0, 2.0, 5.0, 8.0, 1.0, 4.0, 7.0]);
        let m = f32s(inverse_affine_matrix(
            180.0,
            (0.0, 0.0),
            1.0,
            (0.0, 0.0),
            3,
            3,
        ));
        affine_warp(&x, &mut y, &m, 1, 1, 3, 3, 0.0, NEAREST);
        assert_eq!(y, [9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]);
        // 2 rows × 4 columns, 90° clockwise about (1.5, 0.5): columns 1 and 2 land in the frame, the
        // rest is fill.
        let x = ramp(8);
        let mut y = vec![0.0; 8];
        let m = f32s(inverse_affine_matrix(
            90.0,
            (0.0, 0.0),
            1.0,
            (0.0, 0.0),
            2,
            4,
        ));
        affine_warp(&x, &mut y, &m, 1, 1, 2, 4, -1.0, BILINEAR);
        // output (col, row) reads (row + 1, 2 − col): col 0 → row 2 (outside), col 3 → row −1.
        assert_eq!(y, [-1.0, 6.0, 2.0, -1.0, -1.0, 7.0, 3.0, -1.0]);
    }

    #[test]
    fn integer_translation_shifts_with_fill() {
        // F.affine(translate=(1, −1)) on 3 rows × 4 columns: output (col, row) reads (col − 1, row + 1).
        let x = ramp(12);
        let mut y = vec![0.0; 12];
        let m = f32s(inverse_affine_matrix(
            0.0,
            (1.0, -1.0),
            1.0,
            (0.0, 0.0),
            3,
            4,
        ));
        assert_eq!(m, [1.0, 0.0, -1.0, 0.0, 1.0, 1.0]);
        for mode in [BILINEAR, NEAREST] {
            affine_warp(&x, &mut y, &m, 1, 1, 3, 4, 0.5, mode);
            let want = [0.5, 5.0, 6.0, 7.0, 0.5, 9.0, 10.0, 11.0, 0.5, 0.5, 0.5, 0.5];
            assert_eq!(y, want);
        }
    }

    #[test]
    fn half_pixel_samples_are_means_and_the_border_blends_with_fill() {
        // The 2×2 plane [[1, 2], [3, 5]]; every output pixel samples the same point (sx, sy).
        let x = [1.0, 2.0, 3.0, 5.0];
        let mut y = [0.0; 4];
        let mut sample = |sx: f32, sy: f32, mode: u32| {
            affine_warp(
                &x,
                &mut y,
                &[0.0, 0.0, sx, 0.0, 0.0, sy],
                1,
                1,
                2,
                2,
                7.0,
                mode,
            );
            y[3]
        };
        assert_eq!(sample(0.5, 0.5, BILINEAR), (1.0 + 2.0 + 3.0 + 5.0) / 4.0);
        assert_eq!(sample(0.5, 0.0, BILINEAR), 1.5);
        assert_eq!(sample(0.0, 0.5, BILINEAR), 2.0);
        // Half a pixel beyond the right edge: the mean of the edge pixel and the fill.
        assert_eq!(sample(1.5, 0.0, BILINEAR), (2.0 + 7.0) / 2.0);
        assert_eq!(sample(-1.0, 0.0, BILINEAR), 7.0);
        assert_eq!(sample(f32::NAN, 0.0, BILINEAR), 7.0);
        // Nearest: ties go to the even index.
        assert_eq!(sample(0.5, 0.0, NEAREST), 1.0);
        assert_eq!(sample(1.0, 0.5, NEAREST), 2.0);
        assert_eq!(sample(0.5, 1.0, NEAREST), 3.0);
        assert_eq!(sample(1.5, 0.0, NEAREST), 7.0);
        assert_eq!(sample(-0.5, 0.0, NEAREST), 1.0);
        assert_eq!(sample(f32::NAN, 0.0, NEAREST), 7.0);
    }

    #[test]
    fn draws_follow_torchvisions_order_and_count() {
        let ranges = [-30.0, 30.0, 2.0, 3.0, 0.5, 1.5, -10.0, 10.0, 5.0, 6.0];
        for flags in 0..=ALL_FLAGS {
            let draws = 1
                + 2 * (flags & TRANSLATE != 0) as usize
                + (flags & SCALE != 0) as usize
                + (flags & SHEAR_X != 0) as usize
                + (flags & SHEAR_Y != 0) as usize;
            let mut rng = Rng::new(7);
            let mut probe = Rng::new(7);
            let (mut p, mut m) = (vec![0.0; 18], vec![0.0; 18]);
            random_affine_params(&mut rng, &mut p, &mut m, 5, 7, ranges, flags);
            for img in 0..3 {
                let mut u = || probe.next_f32() as f64;
                let q = &p[img * 6..img * 6 + 6];
                assert_eq!(q[0], (u() * 60.0 - 30.0) as f32);
                if flags & TRANSLATE != 0 {
                    assert_eq!(q[1], round_half_even(u() * 4.0 - 2.0) as f32);
                    assert_eq!(q[2], round_half_even(u() * 6.0 - 3.0) as f32);
                } else {
                    assert_eq!((q[1], q[2]), (0.0, 0.0));
                }
                let scale = if flags & SCALE != 0 {
                    (u() + 0.5) as f32
                } else {
                    1.0
                };
                assert_eq!(q[3], scale);
                let sx = if flags & SHEAR_X != 0 {
                    (u() * 20.0 - 10.0) as f32
                } else {
                    0.0
                };
                let sy = if flags & SHEAR_Y != 0 {
                    (u() + 5.0) as f32
                } else {
                    0.0
                };
                assert_eq!((q[4], q[5]), (sx, sy));
                let sign = if flags & COUNTER_CLOCKWISE != 0 {
                    -1.0
                } else {
                    1.0
                };
                let want = f32s(inverse_affine_matrix(
                    sign * q[0] as f64,
                    (q[1] as f64, q[2] as f64),
                    q[3] as f64,
                    (q[4] as f64, q[5] as f64),
                    5,
                    7,
                ));
                assert_eq!(&m[img * 6..img * 6 + 6], &want[..], "flags {flags}");
            }
            assert_eq!(rng, probe, "flags {flags}: {draws} draws per image");
        }
    }

    #[test]
    fn the_inverse_undoes_the_forward_map() {
        // Forward map of the pixel p: centre + t + A·(p − centre), A = R·S·SHy·SHx as torchvision writes
        // it; the inverse must send it back to p.
        let (h, w) = (5usize, 7usize);
        let (angle, t, s, sh): (f64, (f64, f64), f64, (f64, f64)) =
            (23.0, (2.0, -1.0), 1.3, (12.0, -7.0));
        let m = inverse_affine_matrix(angle, t, s, sh, h, w);
        let (rot, sx, sy) = (angle.to_radians(), sh.0.to_radians(), sh.1.to_radians());
        let r = [[rot.cos(), -rot.sin()], [rot.sin(), rot.cos()]];
        let shx = [[1.0, -sx.tan()], [0.0, 1.0]];
        let shy = [[1.0, 0.0], [-sy.tan(), 1.0]];
        let mul = |a: [[f64; 2]; 2], b: [[f64; 2]; 2]| {
            let mut c = [[0.0; 2]; 2];
            for i in 0..2 {
                for j in 0..2 {
                    c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j];
                }
            }
            c
        };
        let a = mul(mul(r, shy), shx);
        let (cx, cy) = (3.0, 2.0);
        for (px, py) in [(0.0, 0.0), (6.0, 4.0), (2.5, 1.0)] {
            let fx = cx + t.0 + s * (a[0][0] * (px - cx) + a[0][1] * (py - cy));
            let fy = cy + t.1 + s * (a[1][0] * (px - cx) + a[1][1] * (py - cy));
            let bx = m[0] * fx + m[1] * fy + m[2];
            let by = m[3] * fx + m[4] * fy + m[5];
            assert!(
                (bx - px).abs() < 1e-12 && (by - py).abs() < 1e-12,
                "{bx} {by}"
            );
        }
    }
}
