//! Each fast kernel against its scalar reference at odd sizes, strides, paddings, dilations and groups.

use super::*;

fn data(len: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(12345);
    (0..len)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
        })
        .collect()
}

fn close(a: &[f32], b: &[f32], tol: f32, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "{what}[{i}]: {x} vs {y}"
        );
    }
}

fn out_size(len: usize, k: usize, s: usize, p: usize, d: usize) -> usize {
    (len + 2 * p - d * (k - 1) - 1) / s + 1
}

/// (h, w, kh, kw, sh, sw, ph, pw, dh, dw)
const GEOMS: [[usize; 10]; 7] = [
    [7, 9, 3, 3, 1, 1, 1, 1, 1, 1],
    [11, 5, 5, 3, 2, 1, 2, 0, 1, 1],
    [9, 13, 3, 5, 3, 2, 1, 2, 2, 1],
    [6, 7, 1, 1, 1, 1, 0, 0, 1, 1],
    [5, 5, 5, 5, 1, 1, 0, 0, 1, 1],
    [8, 10, 3, 2, 2, 3, 3, 1, 1, 2],
    [13, 11, 4, 3, 1, 2, 2, 1, 2, 3],
];

fn window(g: &[usize; 10]) -> Window {
    let oh = out_size(g[0], g[2], g[4], g[6], g[8]);
    let ow = out_size(g[1], g[3], g[5], g[7], g[9]);
    Window::new(
        [g[0], g[1], oh, ow],
        [g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9]],
    )
}

#[test]
fn conv2d_matches_direct_loops() {
    for (t, g) in GEOMS.iter().enumerate() {
        for &(n, groups, cg, og, with_bias) in &[
            (3, 1, 3, 5, true),
            (2, 3, 1, 1, false),
            (1, 2, 3, 2, true),
            (2, 1, 1, 7, true),
        ] {
            let win = window(g);
            let c = Conv::new(n, groups, cg, og, win);
            let x = data(n * groups * cg * win.h * win.w, t as u32);
            let w = data(groups * og * cg * win.kh * win.kw, 7 + t as u32);
            let bias = if with_bias {
                data(groups * og, 3)
            } else {
                vec![]
            };
            let ylen = n * groups * og * win.oh * win.ow;
            let (mut y, mut yr) = (vec![f32::NAN; ylen], vec![f32::NAN; ylen]);
            conv2d(&x, &w, &bias, &mut y, &c);
            conv2d_ref(&x, &w, &bias, &mut yr, &c);
            close(&y, &yr, 1e-5, "y");
            let dy = data(ylen, 11);
            let (mut dx, mut dxr) = (vec![f32::NAN; x.len()], vec![f32::NAN; x.len()]);
            conv2d_backward_input(&dy, &w, &mut dx, &c);
            conv2d_backward_input_ref(&dy, &w, &mut dxr, &c);
            close(&dx, &dxr, 1e-5, "dx");
            let (mut dw, mut dwr) = (vec![f32::NAN; w.len()], vec![f32::NAN; w.len()]);
            conv2d_backward_weight(&x, &dy, &mut dw, &c);
            conv2d_backward_weight_ref(&x, &dy, &mut dwr, &c);
            close(&dw, &dwr, 1e-5, "dweight");
        }
    }
}

#[test]
fn conv2d_by_hand() {
    // 1×1×3×3 input 1..9, 2×2 kernel of ones, padding 1 on the columns only, stride 2 on the rows.
    let x: Vec<f32> = (1..=9).map(|v| v as f32).collect();
    let win = Window::new([3, 3, 1, 4], [2, 2, 2, 1, 0, 1, 1, 1]);
    let c = Conv::new(1, 1, 1, 1, win);
    let mut y = vec![0.0; 4];
    conv2d(&x, &[1.0; 4], &[0.5], &mut y, &c);
    assert_eq!(y, vec![5.5, 12.5, 16.5, 9.5]);
}

/// PyTorch's pooling_output_shape: floor or ceil, and in ceil mode the last window starts inside the
/// input or its left padding.
fn pool_out(len: usize, k: usize, s: usize, p: usize, d: usize, ceil: bool) -> usize {
    let round = if ceil { s - 1 } else { 0 };
    let mut out = (len + 2 * p + round - d * (k - 1) - 1) / s + 1;
    if ceil && (out - 1) * s >= len + p {
        out -= 1;
    }
    out
}

/// Pooling geometries whose ceil mode adds a partial last window, or (stride above the kernel) would
/// add one starting past the input that the rule removes: (h, w, kh, kw, sh, sw, ph, pw, dh, dw).
const CEIL_GEOMS: [[usize; 10]; 6] = [
    [5, 7, 2, 2, 2, 2, 0, 0, 1, 1],
    [8, 10, 3, 3, 3, 3, 1, 0, 1, 1],
    [10, 13, 3, 2, 2, 3, 1, 0, 2, 1],
    [10, 6, 2, 1, 5, 4, 0, 0, 1, 1],
    [11, 13, 4, 3, 3, 2, 2, 1, 2, 2],
    [2, 3, 3, 3, 2, 2, 1, 0, 1, 1],
];

/// Fast against reference kernels (values, argmax, both backwards) at one window (oh, ow set by mode).
fn check_pools(g: &[usize; 10], ceil: bool, seed: u32) {
    let mut win = window_unchecked(g);
    // PyTorch's rule: padding at most half the kernel.
    win.ph = win.ph.min(win.kh / 2);
    win.pw = win.pw.min(win.kw / 2);
    win.oh = pool_out(win.h, win.kh, win.sh, win.ph, win.dh, ceil);
    win.ow = pool_out(win.w, win.kw, win.sw, win.pw, win.dw, ceil);
    let what = format!("{g:?} ceil {ceil}");
    let planes = 5;
    let mut x = data(planes * win.h * win.w, 20 + seed);
    x[3] = f32::NAN;
    x[4] = x[5];
    let ylen = planes * win.oh * win.ow;
    let (mut y, mut yr) = (vec![0.0; ylen], vec![0.0; ylen]);
    let (mut ix, mut ixr) = (vec![-1; ylen], vec![-1; ylen]);
    max_pool2d(&x, &mut y, &mut ix, planes, &win);
    max_pool2d_ref(&x, &mut yr, &mut ixr, planes, &win);
    assert_eq!(ix, ixr, "argmax {what}");
    assert_eq!(format!("{y:?}"), format!("{yr:?}"), "max {what}");
    assert!(
        y.iter().all(|v| *v != f32::NEG_INFINITY),
        "an empty max window {what}"
    );
    let dy = data(ylen, 30);
    let (ip, op) = (win.h * win.w, win.oh * win.ow);
    let (mut dx, mut dxr) = (vec![9.0; x.len()], vec![9.0; x.len()]);
    max_pool2d_backward(&dy, &ix, &mut dx, planes, ip, op).unwrap();
    max_pool2d_backward_ref(&dy, &ix, &mut dxr, planes, ip, op).unwrap();
    close(&dx, &dxr, 1e-6, "max dx");
    let mut bad = ix.clone();
    bad[ylen - 1] = ip as i32;
    assert_eq!(
        max_pool2d_backward(&dy, &bad, &mut dx, planes, ip, op),
        Err(ylen - 1)
    );
    assert_eq!(
        max_pool2d_backward_ref(&dy, &bad, &mut dx, planes, ip, op),
        Err(ylen - 1)
    );

    let mut avg = win;
    avg.dh = 1;
    avg.dw = 1;
    avg.oh = pool_out(avg.h, avg.kh, avg.sh, avg.ph, 1, ceil);
    avg.ow = pool_out(avg.w, avg.kw, avg.sw, avg.pw, 1, ceil);
    let alen = planes * avg.oh * avg.ow;
    let xa = data(planes * avg.h * avg.w, 40 + seed);
    let dya = data(alen, 41);
    for &(include, divisor) in &[(true, 0), (false, 0), (true, 3), (false, 7)] {
        let (mut y, mut yr) = (vec![0.0; alen], vec![0.0; alen]);
        avg_pool2d(&xa, &mut y, planes, &avg, include, divisor);
        avg_pool2d_ref(&xa, &mut yr, planes, &avg, include, divisor);
        close(&y, &yr, 1e-6, &format!("avg {what}"));
        let (mut dx, mut dxr) = (vec![9.0; xa.len()], vec![9.0; xa.len()]);
        avg_pool2d_backward(&dya, &mut dx, planes, &avg, include, divisor);
        avg_pool2d_backward_ref(&dya, &mut dxr, planes, &avg, include, divisor);
        close(&dx, &dxr, 1e-6, &format!("avg dx {what}"));
    }
}

fn window_unchecked(g: &[usize; 10]) -> Window {
    Window::new(
        [g[0], g[1], 0, 0],
        [g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9]],
    )
}

#[test]
fn pooling_matches_references() {
    for (t, g) in GEOMS.iter().enumerate() {
        check_pools(g, false, t as u32);
        check_pools(g, true, t as u32);
    }
    let mut partial = 0;
    for (t, g) in CEIL_GEOMS.iter().enumerate() {
        check_pools(g, false, 10 + t as u32);
        check_pools(g, true, 10 + t as u32);
        let (ph, pw) = (g[6].min(g[2] / 2), g[7].min(g[3] / 2));
        let more =
            |len, k, s, p, d| pool_out(len, k, s, p, d, true) > pool_out(len, k, s, p, d, false);
        partial +=
            more(g[0], g[2], g[4], ph, g[8]) as usize + more(g[1], g[3], g[5], pw, g[9]) as usize;
    }
    assert!(
        partial >= 6,
        "the ceil geometries must add partial windows ({partial})"
    );
}

#[test]
fn pool_output_sizes_by_hand() {
    // 5 of kernel 2 stride 2: floor 2, ceil 3 (the last window holds element 4 only)
    assert_eq!(
        (
            pool_out(5, 2, 2, 0, 1, false),
            pool_out(5, 2, 2, 0, 1, true)
        ),
        (2, 3)
    );
    // 5 of kernel 1 stride 5: ceil would start a second window at 5, past the input: still 1
    assert_eq!(pool_out(5, 1, 5, 0, 1, true), 1);
    // 6 of kernel 2 stride 5: the second window starts at 5, inside: 2
    assert_eq!(pool_out(6, 2, 5, 0, 1, true), 2);
    // 2 of kernel 3 stride 2 padding 1: windows at -1 and 1 (1 < 2 + 1)
    assert_eq!(pool_out(2, 3, 2, 1, 1, true), 2);
}

#[test]
fn ceil_mode_by_hand() {
    // PyTorch: F.avg_pool2d(arange(25.).view(1, 1, 5, 5), 2, 2, ceil_mode=True); the last column's
    // windows hold one column and divide by 2 (their size cut at the input, no padding)
    let x: Vec<f32> = (0..25).map(|v| v as f32).collect();
    let win = Window::new([5, 5, 3, 3], [2, 2, 2, 2, 0, 0, 1, 1]);
    let mut y = vec![0.0; 9];
    avg_pool2d(&x, &mut y, 1, &win, true, 0);
    assert_eq!(y, vec![3.0, 5.0, 6.5, 13.0, 15.0, 16.5, 20.5, 22.5, 24.0]);
    let mut ix = vec![0; 9];
    max_pool2d(&x, &mut y, &mut ix, 1, &win);
    assert_eq!(y, vec![6.0, 8.0, 9.0, 16.0, 18.0, 19.0, 21.0, 23.0, 24.0]);
    assert_eq!(ix, vec![6, 8, 9, 16, 18, 19, 21, 23, 24]);
    // PyTorch: F.avg_pool2d(arange(4.).view(1, 1, 2, 2), 3, 2, 1, ceil_mode=True) = [[6/9, 6/9], [5/6, 3/4]]:
    // the windows at 1 span [1, 3), cut at the end of the padding, so divide by 2 along that axis
    let x = [0.0, 1.0, 2.0, 3.0];
    let win = Window::new([2, 2, 2, 2], [3, 3, 2, 2, 1, 1, 1, 1]);
    let mut y = vec![0.0; 4];
    avg_pool2d(&x, &mut y, 1, &win, true, 0);
    close(
        &y,
        &[6.0 / 9.0, 6.0 / 9.0, 5.0 / 6.0, 0.75],
        1e-7,
        "avg pad ceil",
    );
    avg_pool2d(&x, &mut y, 1, &win, false, 0);
    close(&y, &[1.5, 2.0, 2.5, 3.0], 1e-7, "avg exclude ceil");
    // PyTorch: F.max_pool2d(arange(10.).view(1, 1, 1, 10), (1, 3), (1, 2), 0, (1, 4), ceil_mode=True)
    // = [8, 6]: the second window's taps 2, 6, 10 skip 10
    let x: Vec<f32> = (0..10).map(|v| v as f32).collect();
    let win = Window::new([1, 10, 1, 2], [1, 3, 1, 2, 0, 0, 1, 4]);
    let (mut y, mut ix) = (vec![0.0; 2], vec![0; 2]);
    max_pool2d(&x, &mut y, &mut ix, 1, &win);
    assert_eq!((y, ix), (vec![8.0, 6.0], vec![8, 6]));
}

#[test]
fn max_pool_with_windows_inside_matches_reference_on_ties_nan_and_infinity() {
    // [h, w, kh, kw, sh, sw]: LeNet's 2×2 stride 2 (odd sizes leave a row and a column out), others.
    for &[h, w, kh, kw, sh, sw] in &[
        [7, 9, 2, 2, 2, 2],
        [10, 10, 2, 2, 2, 2],
        [9, 8, 3, 2, 2, 3],
        [5, 6, 1, 3, 1, 1],
    ] {
        let win = Window::new(
            [h, w, out_size(h, kh, sh, 0, 1), out_size(w, kw, sw, 0, 1)],
            [kh, kw, sh, sw, 0, 0, 1, 1],
        );
        let planes = 3;
        let mut x: Vec<f32> = data(planes * h * w, 7).iter().map(|v| v.round()).collect();
        let (nan, inf) = (f32::NAN, f32::INFINITY);
        // Two NaNs in one window (the later one wins), a window of -inf, an +inf, and ties everywhere.
        x[0] = nan;
        x[w + 1] = -nan;
        for v in &mut x[2 * w..2 * w + 2] {
            *v = -inf;
        }
        x[h * w + 3] = inf;
        let ylen = planes * win.oh * win.ow;
        let (mut y, mut yr) = (vec![0.0; ylen], vec![0.0; ylen]);
        let (mut ix, mut ixr) = (vec![-1; ylen], vec![-1; ylen]);
        max_pool2d(&x, &mut y, &mut ix, planes, &win);
        max_pool2d_ref(&x, &mut yr, &mut ixr, planes, &win);
        let at = format!("{h}×{w} k{kh}×{kw} s{sh}×{sw}");
        assert_eq!(ix, ixr, "argmax {at}");
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&y), bits(&yr), "max {at}");
    }
}

#[test]
fn avg_pool_by_hand() {
    // 1×3×3 of 1..9, kernel 2, stride 2, padding 1: windows hold 1 / 2,3 / 4,7 / 5,6,8,9 of 4 taps.
    let x: Vec<f32> = (1..=9).map(|v| v as f32).collect();
    let win = Window::new([3, 3, 2, 2], [2, 2, 2, 2, 1, 1, 1, 1]);
    let mut y = vec![0.0; 4];
    avg_pool2d(&x, &mut y, 1, &win, true, 0);
    assert_eq!(y, vec![0.25, 1.25, 2.75, 7.0]);
    avg_pool2d(&x, &mut y, 1, &win, false, 0);
    assert_eq!(y, vec![1.0, 2.5, 5.5, 7.0]);
}

#[test]
fn adaptive_avg_pool_matches_reference() {
    for &(h, w, oh, ow) in &[
        (7, 9, 3, 4),
        (5, 5, 5, 5),
        (4, 6, 7, 1),
        (13, 3, 2, 3),
        (1, 1, 1, 1),
    ] {
        let planes = 3;
        let x = data(planes * h * w, (h * w) as u32);
        let (mut y, mut yr) = (vec![0.0; planes * oh * ow], vec![0.0; planes * oh * ow]);
        adaptive_avg_pool2d(&x, &mut y, planes, h, w, oh, ow);
        adaptive_avg_pool2d_ref(&x, &mut yr, planes, h, w, oh, ow);
        close(&y, &yr, 1e-6, "adaptive");
        let dy = data(y.len(), 5);
        let (mut dx, mut dxr) = (vec![9.0; x.len()], vec![9.0; x.len()]);
        adaptive_avg_pool2d_backward(&dy, &mut dx, planes, h, w, oh, ow);
        adaptive_avg_pool2d_backward_ref(&dy, &mut dxr, planes, h, w, oh, ow);
        close(&dx, &dxr, 1e-6, "adaptive dx");
    }
    // 1×5 → 1×3: windows [0,2) [1,4) [3,5).
    let mut y = vec![0.0; 3];
    adaptive_avg_pool2d(&[1.0, 2.0, 3.0, 4.0, 5.0], &mut y, 1, 1, 5, 1, 3);
    assert_eq!(y, vec![1.5, 3.0, 4.5]);
}

#[test]
fn batch_norm_matches_reference() {
    for &(n, c, inner) in &[(3, 5, 7), (17, 3, 1), (2, 1, 33), (5, 4, 9)] {
        let x: Vec<f32> = data(n * c * inner, (n + c) as u32)
            .iter()
            .map(|v| v * 3.0 + 1.5)
            .collect();
        let (mut m, mut v, mut mr, mut vr) =
            (vec![0.0; c], vec![0.0; c], vec![0.0; c], vec![0.0; c]);
        batch_norm_stats(&x, &mut m, &mut v, n, c, inner);
        batch_norm_stats_ref(&x, &mut mr, &mut vr, n, c, inner);
        close(&m, &mr, 1e-6, "mean");
        close(&v, &vr, 1e-6, "var");
        let (w, b) = (data(c, 1), data(c, 2));
        for affine in [true, false] {
            let (wt, bs) = if affine {
                (&w[..], &b[..])
            } else {
                (&[][..], &[][..])
            };
            let (mut y, mut yr) = (vec![0.0; x.len()], vec![0.0; x.len()]);
            batch_norm_apply(&x, &m, &v, wt, bs, &mut y, n, c, inner, 1e-5);
            batch_norm_apply_ref(&x, &m, &v, wt, bs, &mut yr, n, c, inner, 1e-5);
            close(&y, &yr, 1e-6, "y");
            let dy = data(x.len(), 9);
            for batch_stats in [true, false] {
                let (mut dx, mut dxr) = (vec![0.0; x.len()], vec![0.0; x.len()]);
                let (mut dw, mut dwr, mut db, mut dbr) =
                    (vec![0.0; c], vec![0.0; c], vec![0.0; c], vec![0.0; c]);
                batch_norm_backward(
                    &x,
                    &dy,
                    &m,
                    &v,
                    wt,
                    &mut dx,
                    &mut dw,
                    &mut db,
                    n,
                    c,
                    inner,
                    1e-5,
                    batch_stats,
                );
                batch_norm_backward_ref(
                    &x,
                    &dy,
                    &m,
                    &v,
                    wt,
                    &mut dxr,
                    &mut dwr,
                    &mut dbr,
                    n,
                    c,
                    inner,
                    1e-5,
                    batch_stats,
                );
                close(&dx, &dxr, 1e-5, "dx");
                close(&dw, &dwr, 1e-5, "dw");
                close(&db, &dbr, 1e-5, "db");
            }
        }
    }
    // By hand: one channel [1, 2, 3, 4] → mean 2.5, biased var 1.25.
    let (mut m, mut v) = ([0.0], [0.0]);
    batch_norm_stats(&[1.0, 2.0, 3.0, 4.0], &mut m, &mut v, 4, 1, 1);
    assert_eq!((m[0], v[0]), (2.5, 1.25));
}
