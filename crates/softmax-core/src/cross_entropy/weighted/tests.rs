//! The weighted, ignore-aware cross-entropy against its f64 definition, finite differences, the
//! unweighted kernel, and its scalar reference at odd sizes.

use super::*;
use crate::cross_entropy::{cross_entropy, cross_entropy_backward};
use crate::softmax::tests::rand_vec;

type Fwd = fn(&[f32], &[i32], &[f32], usize, usize, f64, f32, u32, &mut [f32]) -> Result<(), usize>;
type Bwd = fn(
    &[f32],
    &[i32],
    &[f32],
    usize,
    usize,
    f64,
    f32,
    u32,
    &[f32],
    &mut [f32],
) -> Result<(), usize>;
const FWD: [Fwd; 2] = [cross_entropy_weighted, cross_entropy_weighted_ref];
const BWD: [Bwd; 2] = [
    cross_entropy_weighted_backward,
    cross_entropy_weighted_backward_ref,
];
const IGNORE: f64 = -100.0;

struct Case<'a> {
    o: &'a [f32],
    labels: &'a [i32],
    w: &'a [f32],
    c: usize,
    eps: f32,
}

fn loss(f: Fwd, k: &Case, red: u32) -> Vec<f32> {
    let rows = k.labels.len();
    let mut out = vec![f32::NAN; if red == 0 { rows } else { 1 }];
    f(k.o, k.labels, k.w, rows, k.c, IGNORE, k.eps, red, &mut out).unwrap();
    out
}
fn grad(b: Bwd, k: &Case, red: u32, dl: &[f32]) -> Vec<f32> {
    let mut g = vec![f32::NAN; k.o.len()];
    b(
        k.o,
        k.labels,
        k.w,
        k.labels.len(),
        k.c,
        IGNORE,
        k.eps,
        red,
        dl,
        &mut g,
    )
    .unwrap();
    g
}

/// Σ_i l_i (and Σ w_y) in f64 from the definition; `coef[i]` multiplies row i's loss.
fn total64(x: &[f64], k: &Case, coef: &[f64]) -> (f64, f64) {
    let c = k.c;
    let w = |j: usize| if k.w.is_empty() { 1.0 } else { k.w[j] as f64 };
    let (mut sum, mut wsum) = (0.0, 0.0);
    for (i, &l) in k.labels.iter().enumerate() {
        if l as f64 == IGNORE {
            continue;
        }
        let row = &x[i * c..(i + 1) * c];
        let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        let y = l as usize;
        let eps = k.eps as f64;
        let smooth: f64 = (0..c).map(|j| w(j) * (lse - row[j])).sum();
        sum += coef[i] * ((1.0 - eps) * w(y) * (lse - row[y]) + eps / c as f64 * smooth);
        wsum += w(y);
    }
    (sum, wsum)
}

#[test]
fn by_hand() {
    // rows ln[1, 2, 3] and ln[3, 2, 1]: log-softmax ln([1, 2, 3] / 6) and ln([3, 2, 1] / 6)
    let (l2, l3) = (2.0f32.ln(), 3.0f32.ln());
    let o = [0.0, l2, l3, l3, l2, 0.0, 0.0, 0.0, 0.0];
    let w = [0.5f32, 2.0, 1.5];
    let k = Case {
        o: &o,
        labels: &[2, 0, -100],
        w: &w,
        c: 3,
        eps: 0.0,
    };
    let ln2 = 2.0f64.ln();
    for f in FWD {
        let n = loss(f, &k, 0);
        for (got, want) in n.iter().zip([1.5 * ln2, 0.5 * ln2, 0.0]) {
            assert!((*got as f64 - want).abs() < 1e-6, "{n:?}");
        }
        assert!((loss(f, &k, 2)[0] as f64 - 2.0 * ln2).abs() < 1e-6);
        assert!((loss(f, &k, 1)[0] as f64 - ln2).abs() < 1e-6);
    }
    // mean gradient: w_y·(p − onehot) / Σ w_y, Σ w_y = 2; the ignored row 0
    let want = [
        1.5 / 6.0 / 2.0,
        1.5 * 2.0 / 6.0 / 2.0,
        1.5 * (0.5 - 1.0) / 2.0,
        0.5 * (0.5 - 1.0) / 2.0,
        0.5 * 2.0 / 6.0 / 2.0,
        0.5 / 6.0 / 2.0,
        0.0,
        0.0,
        0.0,
    ];
    for b in BWD {
        let g = grad(b, &k, 1, &[1.0]);
        for (x, y) in g.iter().zip(want) {
            assert!((*x as f64 - y).abs() < 1e-7, "{g:?}");
        }
    }
}

#[test]
fn ignored_rows_and_bad_labels() {
    let o = vec![0.5f32; 12];
    for (f, b) in FWD.iter().zip(BWD) {
        // every row ignored: mean 0/0 = NaN, sum 0, gradient 0
        let k = Case {
            o: &o,
            labels: &[-100; 4],
            w: &[],
            c: 3,
            eps: 0.2,
        };
        assert!(loss(*f, &k, 1)[0].is_nan());
        assert_eq!(loss(*f, &k, 2), vec![0.0]);
        assert_eq!(grad(b, &k, 1, &[1.0]), vec![0.0; 12]);
        // a label that is neither ignored nor a class: Err(row) before anything is written
        for (labels, ignore, want) in [
            (vec![0, 1, 3, -100], IGNORE, 2usize),
            (vec![-1, 0, 0, 0], IGNORE, 0),
            (vec![0, -100, 0, 1], -1.0, 1),
            (vec![0, 1, 2, 7], 1e10, 3),
        ] {
            for red in 0..3u32 {
                let mut out = vec![7.0f32; 4];
                assert_eq!(
                    f(&o, &labels, &[], 4, 3, ignore, 0.0, red, &mut out),
                    Err(want)
                );
                assert_eq!(out, vec![7.0; 4]);
                let mut g = vec![7.0f32; 12];
                assert_eq!(
                    b(&o, &labels, &[], 4, 3, ignore, 0.0, red, &[1.0], &mut g),
                    Err(want)
                );
                assert_eq!(g, vec![7.0; 12]);
            }
        }
        // an ignore_index that is a class
        let mut out = [0.0f32];
        f(&o, &[1, 2, 1, 0], &[], 4, 3, 1.0, 0.0, 2, &mut out).unwrap();
        assert!((out[0] - 2.0 * 3.0f32.ln()).abs() < 1e-6);
    }
}

#[test]
fn unweighted_matches_the_fused_kernel() {
    // weight empty and no row ignored: the forward is the fused kernel's formula, bit for bit
    for (rows, classes, seed) in [(5usize, 7usize, 1u64), (17, 10, 2), (3, 257, 3)] {
        let o = rand_vec(rows * classes, seed, 6.0);
        let labels: Vec<i32> = (0..rows).map(|i| ((i * 5 + 1) % classes) as i32).collect();
        let dl = rand_vec(rows, seed + 9, 2.0);
        for eps in [0.0f32, 0.1] {
            let k = Case {
                o: &o,
                labels: &labels,
                w: &[],
                c: classes,
                eps,
            };
            for red in 0..3u32 {
                let mut want = vec![0.0f32; if red == 0 { rows } else { 1 }];
                cross_entropy(&o, &labels, rows, classes, eps, red, &mut want).unwrap();
                assert_eq!(loss(cross_entropy_weighted, &k, red), want);
            }
            let mut want = vec![0.0f32; o.len()];
            cross_entropy_backward(&o, &labels, rows, classes, eps, &dl, 1.0, &mut want).unwrap();
            let g = grad(cross_entropy_weighted_backward, &k, 0, &dl);
            for (x, y) in g.iter().zip(&want) {
                assert!((x - y).abs() <= 1e-6 * (1.0 + y.abs()), "{x} vs {y}");
            }
        }
    }
}

#[test]
fn definition_and_finite_differences() {
    for (rows, classes, eps, weighted, seed) in [
        (1usize, 1usize, 0.0f32, false, 11u64),
        (3, 5, 0.0, true, 12),
        (7, 5, 0.2, true, 13),
        (4, 10, 0.1, false, 14),
        (5, 17, 0.3, true, 15),
    ] {
        let o = rand_vec(rows * classes, seed, 4.0);
        let w: Vec<f32> = if weighted {
            rand_vec(classes, seed + 1, 1.0)
                .iter()
                .map(|v| v + 1.5)
                .collect()
        } else {
            vec![]
        };
        let mut labels: Vec<i32> = (0..rows).map(|i| ((i * 7 + 3) % classes) as i32).collect();
        if rows > 2 {
            labels[1] = -100;
        }
        let k = Case {
            o: &o,
            labels: &labels,
            w: &w,
            c: classes,
            eps,
        };
        let o64: Vec<f64> = o.iter().map(|&v| v as f64).collect();
        let dl = rand_vec(rows, seed + 50, 1.0);
        let dl64: Vec<f64> = dl.iter().map(|&v| v as f64).collect();
        let ones = vec![1.0; rows];
        let (sum, wsum) = total64(&o64, &k, &ones);
        for f in FWD {
            assert!((loss(f, &k, 2)[0] as f64 - sum).abs() < 2e-6 * (1.0 + sum.abs()));
            assert!(
                (loss(f, &k, 1)[0] as f64 - sum / wsum).abs() < 2e-6 * (1.0 + (sum / wsum).abs())
            );
        }
        // L = Σ_i dl_i·l_i (none) and L = mean
        for (red, dlv, coef) in [
            (0u32, dl.clone(), dl64.clone()),
            (1, vec![1.0f32], ones.clone()),
        ] {
            let total = |x: &[f64]| {
                let (s, ws) = total64(x, &k, &coef);
                if red == 1 {
                    s / ws
                } else {
                    s
                }
            };
            for b in BWD {
                let g = grad(b, &k, red, &dlv);
                for j in 0..o.len() {
                    let h = 1e-6;
                    let (mut xp, mut xm) = (o64.clone(), o64.clone());
                    xp[j] += h;
                    xm[j] -= h;
                    let fd = (total(&xp) - total(&xm)) / (2.0 * h);
                    assert!(
                        (fd - g[j] as f64).abs()
                            < 1e-6
                                * (1.0 + fd.abs())
                                * (1.0 + w.iter().fold(0.0f32, |a, &v| a.max(v)) as f64),
                        "{rows}x{classes} eps {eps} j {j}: fd {fd} vs {}",
                        g[j]
                    );
                }
            }
        }
    }
}

#[test]
fn fast_matches_ref_odd_sizes() {
    let sizes = [1usize, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 255, 256, 257];
    let mut seed = 2000;
    for &rows in &[1usize, 3, 17] {
        for &classes in &sizes {
            seed += 1;
            let o = rand_vec(rows * classes, seed, 15.0);
            let mut labels: Vec<i32> = (0..rows).map(|i| ((i * 31 + 7) % classes) as i32).collect();
            labels[rows / 2] = -100;
            let w: Vec<f32> = rand_vec(classes, seed + 5, 1.0)
                .iter()
                .map(|v| v + 1.25)
                .collect();
            let dl = rand_vec(rows, seed + 3, 2.0);
            for weight in [&w[..], &[][..]] {
                for eps in [0.0f32, 0.1] {
                    let k = Case {
                        o: &o,
                        labels: &labels,
                        w: weight,
                        c: classes,
                        eps,
                    };
                    for red in 0..3 {
                        let a = loss(cross_entropy_weighted, &k, red);
                        let b = loss(cross_entropy_weighted_ref, &k, red);
                        for (x, y) in a.iter().zip(&b) {
                            assert!(
                                (x - y).abs() <= 1e-5 * (1.0 + y.abs())
                                    || (x.is_nan() && y.is_nan()),
                                "{rows}x{classes}: {x} vs {y}"
                            );
                        }
                        let d: &[f32] = if red == 0 { &dl } else { &[1.0] };
                        let a = grad(cross_entropy_weighted_backward, &k, red, d);
                        let b = grad(cross_entropy_weighted_backward_ref, &k, red, d);
                        for (x, y) in a.iter().zip(&b) {
                            assert!(
                                (x - y).abs() <= 1e-5 * y.abs() + 1e-7,
                                "{rows}x{classes}: {x} vs {y}"
                            );
                        }
                    }
                }
            }
        }
    }
}
