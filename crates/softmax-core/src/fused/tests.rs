//! The fused step against the separate kernels on a gathered batch: the same bits (the point of the
//! fused path), and against the scalar reference within rounding.

use super::*;
use crate::data::gather_u8_to_f32;

/// Deterministic bytes and weights (a small LCG), so that sums are not trivially exact.
fn lcg(seed: u32) -> impl FnMut() -> u32 {
    let mut s = seed;
    move || {
        s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        s >> 8
    }
}

fn images(count: usize, len: usize, seed: u32) -> Vec<u8> {
    let mut r = lcg(seed);
    (0..count * len).map(|_| (r() % 256) as u8).collect()
}

fn floats(len: usize, seed: u32, amp: f32) -> Vec<f32> {
    let mut r = lcg(seed);
    (0..len)
        .map(|_| ((r() % 20001) as f32 / 10000.0 - 1.0) * amp)
        .collect()
}

fn indices(rows: usize, count: usize, seed: u32) -> Vec<i32> {
    let mut r = lcg(seed);
    (0..rows).map(|_| (r() as usize % count) as i32).collect()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

const SCALE: f32 = 1.0 / 255.0;

/// The step as today's path runs it: gather, expand bias, gemm, cross-entropy, sum, argmax, backward,
/// gemm for dW, bias_grad.
fn separate(
    px: &[u8],
    targets: &[i32],
    idx: &[i32],
    k: usize,
    c: usize,
    w: &[f32],
    b: Option<&[f32]>,
    eps: f32,
    red: u32,
) -> (Vec<f32>, Vec<f32>, [f32; 2]) {
    let rows = idx.len();
    let mut x = vec![0.0; rows * k];
    gather_u8_to_f32(px, k, idx, SCALE, &mut x).unwrap();
    let mut labels = vec![0; rows];
    crate::data::gather_i32(targets, idx, &mut labels).unwrap();
    let mut logits = vec![0.0; rows * c];
    let mut beta = 0.0;
    if let Some(b) = b {
        for row in logits.chunks_exact_mut(c) {
            row.copy_from_slice(b);
        }
        beta = 1.0;
    }
    gemm(false, true, rows, c, k, 1.0, &x, w, beta, &mut logits);
    let mut loss = vec![0.0; if red == 0 { rows } else { 1 }];
    cross_entropy(&logits, &labels, rows, c, eps, red, &mut loss).unwrap();
    let mut total = [0.0];
    if red == 0 {
        sum_axis(&loss, &mut total, 1, rows, 1);
    } else {
        total[0] = loss[0];
    }
    let mut pred = vec![0; rows];
    argmax_axis(&logits, &mut pred, rows, c, 1);
    let correct = pred.iter().zip(&labels).filter(|(p, l)| p == l).count() as f32;
    // fit: 'none' → mean(): the scalar's gradient 1 scaled by 1/rows and expanded to every row.
    let (dl, sc) = match red {
        0 => (vec![1.0f32 * (1.0f64 / rows as f64) as f32; rows], 1.0),
        1 => (vec![1.0], (1.0f64 / rows as f64) as f32),
        _ => (vec![1.0], 1.0),
    };
    let mut dlogits = vec![0.0; rows * c];
    cross_entropy_backward(&logits, &labels, rows, c, eps, &dl, sc, &mut dlogits).unwrap();
    let mut gw = vec![0.0; c * k];
    gemm(true, false, c, k, rows, 1.0, &dlogits, &x, 0.0, &mut gw);
    let mut gb = vec![0.0; c];
    crate::elementwise::bias_grad(&dlogits, &mut gb, rows, c);
    (gw, gb, [total[0], correct])
}

#[test]
fn step_gives_the_bits_of_the_separate_kernels() {
    for &(rows, k, c, count) in &[
        (256, 784, 10, 300),
        (37, 29, 10, 50),
        (5, 17, 3, 9),
        (96, 784, 10, 100),
        (300, 33, 21, 310),
        (1, 784, 10, 5),
        (3, 3, 16, 4),
        (2, 1, 17, 3),
    ] {
        let px = images(count, k, 11);
        let targets: Vec<i32> = indices(count, c, 12);
        let idx = indices(rows, count, 13);
        let w = floats(c * k, 14, 0.05);
        let b = floats(c, 15, 0.05);
        for &(has_bias, eps, red) in &[
            (true, 0.0, 0),
            (false, 0.0, 0),
            (true, 0.1, 1),
            (true, 0.0, 2),
        ] {
            let bias = if has_bias { Some(&b[..]) } else { None };
            let (want_w, want_b, want_s) = separate(&px, &targets, &idx, k, c, &w, bias, eps, red);
            let mut gw = vec![f32::NAN; c * k];
            let mut gb = vec![f32::NAN; c];
            let mut stats = [0.0; 2];
            let gbo = if has_bias { Some(&mut gb[..]) } else { None };
            linear_ce_step_u8(
                &px, &targets, &idx, k, c, SCALE, &w, bias, eps, red, &mut gw, gbo, &mut stats,
            )
            .unwrap();
            assert_eq!(
                bits(&gw),
                bits(&want_w),
                "rows={rows} k={k} c={c} red={red}"
            );
            if has_bias {
                assert_eq!(bits(&gb), bits(&want_b));
            }
            assert_eq!(bits(&stats), bits(&want_s));

            let mut rw = vec![0.0; c * k];
            let mut rb = vec![0.0; c];
            let mut rs = [0.0; 2];
            let rbo = if has_bias { Some(&mut rb[..]) } else { None };
            linear_ce_step_u8_ref(
                &px, &targets, &idx, k, c, SCALE, &w, bias, eps, red, &mut rw, rbo, &mut rs,
            )
            .unwrap();
            let close = |a: &[f32], b: &[f32]| {
                a.iter()
                    .zip(b)
                    .all(|(x, y)| (x - y).abs() <= 1e-5 * (1.0 + y.abs()))
            };
            assert!(close(&gw, &rw), "ref dW rows={rows}");
            assert!(!has_bias || close(&gb, &rb), "ref db rows={rows}");
            assert!((stats[0] - rs[0]).abs() <= 1e-4 * rs[0].abs().max(1.0) && stats[1] == rs[1]);
        }
    }
}

#[test]
fn bad_index_or_label_is_reported_before_writing() {
    let (k, c) = (5, 3);
    let px = images(4, k, 1);
    let w = floats(c * k, 2, 0.1);
    let mut gw = vec![7.0; c * k];
    let mut stats = [7.0; 2];
    let targets = [0, 1, 3, 2];
    let step = |idx: &[i32], gw: &mut [f32], stats: &mut [f32]| {
        linear_ce_step_u8(
            &px, &targets, idx, k, c, SCALE, &w, None, 0.0, 0, gw, None, stats,
        )
    };
    assert_eq!(step(&[0, 4], &mut gw, &mut stats), Err((1, 4)));
    assert_eq!(step(&[-1], &mut gw, &mut stats), Err((0, -1)));
    // Row 1 of the batch is image 2, whose label 3 is not one of the 3 classes.
    assert_eq!(step(&[0, 2], &mut gw, &mut stats), Err((1, 3)));
    assert!(gw.iter().all(|&v| v == 7.0) && stats == [7.0; 2]);
    assert_eq!(
        linear_ce_step_u8_ref(
            &px,
            &targets,
            &[0, 2],
            k,
            c,
            SCALE,
            &w,
            None,
            0.0,
            0,
            &mut gw,
            None,
            &mut stats
        ),
        Err((1, 3))
    );
}

/// The MLP step as the plain path runs it, kernel by kernel.
#[allow(clippy::type_complexity)]
fn mlp_separate(
    rng: &mut crate::rng::Rng,
    px: &[u8],
    targets: &[i32],
    idx: &[i32],
    dims: [usize; 3],
    w1: &[f32],
    b1: &[f32],
    w2: &[f32],
    b2: &[f32],
    p: f32,
) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, [f32; 2]) {
    let [k, h, c] = dims;
    let rows = idx.len();
    let mut x = vec![0.0; rows * k];
    gather_u8_to_f32(px, k, idx, SCALE, &mut x).unwrap();
    let mut labels = vec![0; rows];
    crate::data::gather_i32(targets, idx, &mut labels).unwrap();
    let mut pre = vec![0.0; rows * h];
    for row in pre.chunks_exact_mut(h) {
        row.copy_from_slice(b1);
    }
    gemm(false, true, rows, h, k, 1.0, &x, w1, 1.0, &mut pre);
    let mut act = vec![0.0; rows * h];
    crate::elementwise::relu(&pre, &mut act);
    let mut mask = vec![0.0; rows * h];
    let mut hd = act.clone();
    if p > 0.0 {
        crate::rng::dropout(rng, &act, &mut mask, &mut hd, p);
    }
    let mut logits = vec![0.0; rows * c];
    for row in logits.chunks_exact_mut(c) {
        row.copy_from_slice(b2);
    }
    gemm(false, true, rows, c, h, 1.0, &hd, w2, 1.0, &mut logits);
    let mut loss = vec![0.0; rows];
    cross_entropy(&logits, &labels, rows, c, 0.0, 0, &mut loss).unwrap();
    let mut total = [0.0];
    sum_axis(&loss, &mut total, 1, rows, 1);
    let mut pred = vec![0; rows];
    argmax_axis(&logits, &mut pred, rows, c, 1);
    let correct = pred.iter().zip(&labels).filter(|(p, l)| p == l).count() as f32;
    let dl = vec![(1.0f64 / rows as f64) as f32; rows];
    let mut dlogits = vec![0.0; rows * c];
    cross_entropy_backward(&logits, &labels, rows, c, 0.0, &dl, 1.0, &mut dlogits).unwrap();
    let mut dh = vec![0.0; rows * h];
    gemm(false, false, rows, h, c, 1.0, &dlogits, w2, 0.0, &mut dh);
    let mut gw2 = vec![0.0; c * h];
    gemm(true, false, c, h, rows, 1.0, &dlogits, &hd, 0.0, &mut gw2);
    let mut gb2 = vec![0.0; c];
    crate::elementwise::bias_grad(&dlogits, &mut gb2, rows, c);
    let mut dact = dh.clone();
    if p > 0.0 {
        crate::elementwise::binary(2, &dh, &mask, &mut dact);
    }
    let mut dpre = vec![0.0; rows * h];
    crate::elementwise::relu_backward(&pre, &dact, &mut dpre);
    let mut gw1 = vec![0.0; h * k];
    gemm(true, false, h, k, rows, 1.0, &dpre, &x, 0.0, &mut gw1);
    let mut gb1 = vec![0.0; h];
    crate::elementwise::bias_grad(&dpre, &mut gb1, rows, h);
    (gw1, gb1, gw2, gb2, [total[0], correct])
}

#[test]
fn mlp_step_gives_the_bits_of_the_separate_kernels() {
    for &(rows, k, h, c) in &[
        (256, 784, 256, 10),
        (37, 29, 33, 10),
        (5, 17, 3, 7),
        (130, 51, 64, 10),
    ] {
        let count = rows + 9;
        let px = images(count, k, 21);
        let targets = indices(count, c, 22);
        let idx = indices(rows, count, 23);
        let (w1, b1) = (floats(h * k, 24, 0.05), floats(h, 25, 0.05));
        let (w2, b2) = (floats(c * h, 26, 0.1), floats(c, 27, 0.05));
        for &p in &[0.0f32, 0.3] {
            let mut rng_a = crate::rng::Rng::new(5);
            let mut rng_b = rng_a.clone();
            let (ew1, eb1, ew2, eb2, es) = mlp_separate(
                &mut rng_a,
                &px,
                &targets,
                &idx,
                [k, h, c],
                &w1,
                &b1,
                &w2,
                &b2,
                p,
            );
            let (mut gw1, mut gb1, mut gw2, mut gb2, mut stats) = (
                vec![0.0; h * k],
                vec![0.0; h],
                vec![0.0; c * h],
                vec![0.0; c],
                [0.0; 2],
            );
            let params = MlpParams {
                w1: &w1,
                b1: Some(&b1),
                w2: &w2,
                b2: Some(&b2),
            };
            let grads = MlpGrads {
                w1: &mut gw1,
                b1: Some(&mut gb1),
                w2: &mut gw2,
                b2: Some(&mut gb2),
            };
            mlp_ce_step_u8(
                &mut rng_b,
                &px,
                &targets,
                &idx,
                [k, h, c],
                SCALE,
                params,
                p,
                0.0,
                0,
                grads,
                &mut stats,
            )
            .unwrap();
            assert_eq!(rng_a, rng_b, "the same draws");
            assert_eq!(bits(&gw1), bits(&ew1), "rows={rows} k={k} h={h} p={p}");
            assert_eq!(bits(&gb1), bits(&eb1));
            assert_eq!(bits(&gw2), bits(&ew2));
            assert_eq!(bits(&gb2), bits(&eb2));
            assert_eq!(bits(&stats), bits(&es));

            let mut rng_c = crate::rng::Rng::new(5);
            let (mut rw1, mut rw2, mut rs) = (vec![0.0; h * k], vec![0.0; c * h], [0.0; 2]);
            let params = MlpParams {
                w1: &w1,
                b1: Some(&b1),
                w2: &w2,
                b2: Some(&b2),
            };
            let grads = MlpGrads {
                w1: &mut rw1,
                b1: None,
                w2: &mut rw2,
                b2: None,
            };
            mlp_ce_step_u8_ref(
                &mut rng_c,
                &px,
                &targets,
                &idx,
                [k, h, c],
                SCALE,
                params,
                p,
                0.0,
                0,
                grads,
                &mut rs,
            )
            .unwrap();
            let close = |a: &[f32], b: &[f32]| {
                a.iter()
                    .zip(b)
                    .all(|(x, y)| (x - y).abs() <= 1e-4 * (1e-3 + y.abs()))
            };
            assert!(
                close(&rw1, &gw1) && close(&rw2, &gw2),
                "ref rows={rows} p={p}"
            );
            assert_eq!(rs[1], stats[1]);
        }
    }
}
