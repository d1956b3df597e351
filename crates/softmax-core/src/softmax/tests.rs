use super::*;

/// Error of `got` against the exact value `want` (f64), in units of the f32 ulp at `want`.
fn ulps(got: f32, want: f64) -> f64 {
    if got.is_infinite() && want > f32::MAX as f64 {
        return 0.0;
    }
    let w = want as f32;
    let ulp = if w == 0.0 || w.is_subnormal() {
        f32::from_bits(1) as f64
    } else {
        let e = w.abs();
        (f32::from_bits(e.to_bits() + 1) - e) as f64
    };
    ((got as f64) - want).abs() / ulp
}

/// An exhaustive run over every f32 in [-104, 89] (done once while writing the polynomial) found
/// at most 1.004 ulp for normal results and 0.75 ulp for subnormal ones; this sample keeps it so.
#[test]
fn exp_poly_accuracy_sampled() {
    // Every 97th (debug: 997th) f32 bit pattern in [-104, 89], both signs, against exp in f64.
    let mut worst = 0.0f64;
    let mut worst_x = 0.0f32;
    let mut check = |x: f32| {
        let want = (x as f64).exp();
        let got = exp_poly(x);
        let u = ulps(got, want);
        // Subnormal results are measured in absolute subnormal ulps; fine too.
        if u > worst {
            worst = u;
            worst_x = x;
        }
        let v = exp_f32x4(F32x4::splat(x)).lane(2);
        assert_eq!(v.to_bits(), got.to_bits(), "lane twin differs at {x}");
    };
    let mut b = 0u32;
    while b <= 104.0f32.to_bits() {
        check(-f32::from_bits(b));
        if f32::from_bits(b) <= 89.0 {
            check(f32::from_bits(b));
        }
        // ≈ 23 M values in release, 2 M in debug builds
        b += if cfg!(debug_assertions) { 997 } else { 97 };
    }
    assert!(worst <= 2.0, "worst {worst} ulp at {worst_x}");
}

#[test]
fn exp_poly_vs_std_and_specials() {
    let mut x = -120.0f32;
    while x < 95.0 {
        let (a, b) = (exp_poly(x), x.exp());
        if b.is_infinite() || b == 0.0 {
            assert_eq!(a, b, "at {x}");
        } else if b.is_normal() {
            assert!(
                ((a - b) / b).abs() <= 3.0 * f32::EPSILON,
                "at {x}: {a} vs {b}"
            );
        } else {
            assert!(
                (a - b).abs() <= 2.0 * f32::from_bits(1),
                "at {x}: {a} vs {b}"
            );
        }
        x += 0.001_3;
    }
    assert_eq!(exp_poly(f32::NEG_INFINITY), 0.0);
    assert_eq!(exp_poly(f32::INFINITY), f32::INFINITY);
    assert!(exp_poly(f32::NAN).is_nan());
    assert_eq!(exp_poly(0.0), 1.0);
    assert_eq!(exp_poly(-0.0), 1.0);
    assert_eq!(exp_poly(88.8), f32::INFINITY);
    assert!(exp_poly(88.72).is_finite());
    assert_eq!(exp_poly(-1e4), 0.0);
    assert_eq!(exp_poly(1e4), f32::INFINITY);
    assert!(exp_poly(-87.5) > 0.0 && exp_poly(-87.5) < f32::MIN_POSITIVE);
    let v = exp_f32x4(F32x4::load(&[
        f32::NEG_INFINITY,
        f32::INFINITY,
        f32::NAN,
        1.0,
    ]));
    assert_eq!(v.lane(0), 0.0);
    assert_eq!(v.lane(1), f32::INFINITY);
    assert!(v.lane(2).is_nan());
    assert!((v.lane(3) - core::f32::consts::E).abs() <= f32::EPSILON * 3.0);
}

/// Deterministic pseudo-random floats in [-a, a).
pub(crate) fn rand_vec(n: usize, seed: u64, a: f32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * a
        })
        .collect()
}

fn close(a: &[f32], b: &[f32], rel: f32, abs: f32) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x.is_nan() || y.is_nan() {
            assert!(x.is_nan() && y.is_nan(), "[{i}] {x} vs {y}");
            continue;
        }
        if x == y {
            continue;
        }
        assert!(
            (x - y).abs() <= abs + rel * x.abs().max(y.abs()),
            "[{i}] {x} vs {y}"
        );
    }
}

type Fwd = fn(&[f32], &mut [f32], usize, usize, usize);
type Bwd = fn(&[f32], &[f32], &mut [f32], usize, usize, usize);

fn run(f: Fwd, x: &[f32], o: usize, d: usize, i: usize) -> Vec<f32> {
    let mut y = vec![f32::NAN; x.len()];
    f(x, &mut y, o, d, i);
    y
}
fn run_b(f: Bwd, y: &[f32], dy: &[f32], o: usize, d: usize, i: usize) -> Vec<f32> {
    let mut dx = vec![f32::NAN; y.len()];
    f(y, dy, &mut dx, o, d, i);
    dx
}

#[test]
fn softmax_by_hand() {
    // softmax([1,2,3]) = e^(k-3) / (e^-2 + e^-1 + 1)
    let z = (-2.0f64).exp() + (-1.0f64).exp() + 1.0;
    let want = [(-2.0f64).exp() / z, (-1.0f64).exp() / z, 1.0 / z];
    let x = [1.0f32, 2.0, 3.0];
    for f in [softmax as Fwd, softmax_ref] {
        let y = run(f, &x, 1, 3, 1);
        for k in 0..3 {
            assert!((y[k] as f64 - want[k]).abs() < 1e-7, "{y:?}");
        }
    }
    // 0.09003057, 0.24472847, 0.66524096
    assert!((want[0] - 0.090_030_57).abs() < 1e-8);
    assert!((want[2] - 0.665_240_96).abs() < 1e-8);
    for f in [log_softmax as Fwd, log_softmax_ref] {
        let y = run(f, &x, 1, 3, 1);
        for k in 0..3 {
            assert!((y[k] as f64 - want[k].ln()).abs() < 1e-6, "{y:?}");
        }
    }
}

#[test]
fn stability_large_and_neg_inf() {
    let ninf = f32::NEG_INFINITY;
    // ±1e4: e^(−2e4) underflows to exactly 0.
    let x = [1e4f32, -1e4, 1e4, 0.0];
    for f in [softmax as Fwd, softmax_ref] {
        assert_eq!(run(f, &x, 1, 4, 1), vec![0.5, 0.0, 0.5, 0.0]);
    }
    for f in [log_softmax as Fwd, log_softmax_ref] {
        let y = run(f, &x, 1, 4, 1);
        let l2 = -(2.0f32.ln());
        assert_eq!(y, vec![l2, -2e4 + l2, l2, -1e4 + l2]);
    }
    // some -inf → exact 0 / -inf, rest is the softmax of the finite part
    let x = [ninf, 0.0, ninf, 0.0, ninf, ninf, ninf];
    for f in [softmax as Fwd, softmax_ref] {
        assert_eq!(run(f, &x, 1, 7, 1), vec![0.0, 0.5, 0.0, 0.5, 0.0, 0.0, 0.0]);
    }
    for f in [log_softmax as Fwd, log_softmax_ref] {
        let l2 = -(2.0f32.ln());
        assert_eq!(
            run(f, &x, 1, 7, 1),
            vec![ninf, l2, ninf, l2, ninf, ninf, ninf]
        );
    }
    // all -inf → NaN (PyTorch too)
    let x = [ninf; 5];
    for f in [softmax as Fwd, softmax_ref, log_softmax, log_softmax_ref] {
        assert!(run(f, &x, 1, 5, 1).iter().all(|v| v.is_nan()));
    }
    // all equal → exactly 1/n (n a power of two) / ln(1/n)
    for n in [1usize, 2, 4, 8, 16, 32] {
        let x = vec![-3.25f32; n];
        for f in [softmax as Fwd, softmax_ref] {
            assert!(run(f, &x, 1, n, 1).iter().all(|&v| v == 1.0 / n as f32));
        }
        for f in [log_softmax as Fwd, log_softmax_ref] {
            let want = -(n as f32).ln();
            assert!(run(f, &x, 1, n, 1).iter().all(|&v| v == want));
        }
    }
    // all equal, n = 10: 0.1 up to rounding
    let y = run(softmax, &[7.0; 10], 1, 10, 1);
    assert!(y.iter().all(|&v| (v - 0.1).abs() <= 1e-8));
}

#[test]
fn confident_rows_keep_relative_precision() {
    // log_softmax of the maximum = −ln(1 + t) with t ≪ ulp(1): ln_1p keeps it (ln(1 + t) would be 0).
    let x = [0.0f32, -20.0, -25.0, -18.0, -30.0];
    let t: f64 = x[1..].iter().map(|&v| (v as f64).exp()).sum();
    for f in [log_softmax as Fwd, log_softmax_ref] {
        let y = run(f, &x, 1, 5, 1);
        assert!(
            ((y[0] as f64) + t.ln_1p()).abs() <= 1e-6 * t,
            "{} vs {}",
            y[0],
            -t
        );
    }
    // strided: the same column through the 4-lane path and the scalar tail
    let mut xs = vec![0.0f32; 5 * 5];
    for d in 0..5 {
        for c in 0..5 {
            xs[d * 5 + c] = x[d];
        }
    }
    let y = run(log_softmax, &xs, 1, 5, 5);
    for v in &y[..5] {
        assert!(((*v as f64) + t.ln_1p()).abs() <= 1e-6 * t);
    }
}

#[test]
fn backward_stability() {
    // log_softmax backward at a row with -inf outputs: exp(-inf) = 0 → dx = dy there, finite.
    let ninf = f32::NEG_INFINITY;
    let x = [ninf, 1e4, -1e4, 1e4];
    for (fw, bw) in [
        (log_softmax as Fwd, log_softmax_backward as Bwd),
        (log_softmax_ref, log_softmax_backward_ref),
    ] {
        let y = run(fw, &x, 1, 4, 1);
        let dx = run_b(bw, &y, &[1.0, 2.0, 3.0, 4.0], 1, 4, 1);
        // Σdy = 10; p = [0, .5, 0, .5]
        assert_eq!(dx, vec![1.0, -3.0, 3.0, -1.0]);
    }
    for (fw, bw) in [
        (softmax as Fwd, softmax_backward as Bwd),
        (softmax_ref, softmax_backward_ref),
    ] {
        let y = run(fw, &x, 1, 4, 1);
        let dx = run_b(bw, &y, &[1.0, 2.0, 3.0, 4.0], 1, 4, 1);
        // s = .5*2 + .5*4 = 3; dx = p*(dy - 3)
        assert_eq!(dx, vec![0.0, -0.5, 0.0, 0.5]);
    }
}

/// Central finite differences in f64 of L = Σ w ⊙ f(x) against the analytic backward.
#[test]
fn finite_difference_gradients() {
    fn softmax64(x: &[f64], log: bool) -> Vec<f64> {
        let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = x.iter().map(|v| (v - m).exp()).sum();
        x.iter()
            .map(|v| {
                if log {
                    v - m - s.ln()
                } else {
                    (v - m).exp() / s
                }
            })
            .collect()
    }
    for (dim, seed) in [(1usize, 1u64), (3, 2), (5, 3), (10, 4), (17, 5)] {
        let x = rand_vec(dim, seed, 3.0);
        let w = rand_vec(dim, seed + 100, 1.0);
        for log in [false, true] {
            let (fw, bw): (Fwd, Bwd) = if log {
                (log_softmax, log_softmax_backward)
            } else {
                (softmax, softmax_backward)
            };
            let y = run(fw, &x, 1, dim, 1);
            let dx = run_b(bw, &y, &w, 1, dim, 1);
            let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
            let loss = |xs: &[f64]| -> f64 {
                softmax64(xs, log)
                    .iter()
                    .zip(&w)
                    .map(|(a, b)| a * *b as f64)
                    .sum()
            };
            for k in 0..dim {
                let h = 1e-6;
                let (mut xp, mut xm) = (x64.clone(), x64.clone());
                xp[k] += h;
                xm[k] -= h;
                let fd = (loss(&xp) - loss(&xm)) / (2.0 * h);
                assert!(
                    (fd - dx[k] as f64).abs() < 2e-6 * (1.0 + fd.abs()),
                    "dim {dim} log {log} k {k}: fd {fd} vs {}",
                    dx[k]
                );
            }
        }
    }
}

#[test]
fn fast_matches_ref_odd_sizes() {
    let sizes = [1usize, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 255, 256, 257];
    let mut seed = 10;
    for &outer in &[1usize, 3] {
        for &dim in &sizes {
            for &inner in &[1usize, 2, 3, 4, 5, 7, 9] {
                if dim > 31 && inner > 3 {
                    continue;
                }
                seed += 1;
                let n = outer * dim * inner;
                let x = rand_vec(n, seed, 20.0);
                let dy = rand_vec(n, seed + 7, 2.0);
                for (f, r) in [
                    (softmax as Fwd, softmax_ref as Fwd),
                    (log_softmax, log_softmax_ref),
                ] {
                    let (a, b) = (run(f, &x, outer, dim, inner), run(r, &x, outer, dim, inner));
                    close(&a, &b, 4e-6, 1e-6);
                }
                let y = run(softmax_ref, &x, outer, dim, inner);
                let a = run_b(softmax_backward, &y, &dy, outer, dim, inner);
                let b = run_b(softmax_backward_ref, &y, &dy, outer, dim, inner);
                close(&a, &b, 1e-5, 1e-6);
                let y = run(log_softmax_ref, &x, outer, dim, inner);
                let a = run_b(log_softmax_backward, &y, &dy, outer, dim, inner);
                let b = run_b(log_softmax_backward_ref, &y, &dy, outer, dim, inner);
                close(&a, &b, 1e-5, 1e-5);
            }
        }
    }
}

#[test]
fn strided_layout_matches_transposed_rows() {
    // [outer, dim, inner] along dim == rows of the transposed block.
    let (outer, dim, inner) = (2usize, 5usize, 6usize);
    let x = rand_vec(outer * dim * inner, 99, 5.0);
    let y = run(softmax, &x, outer, dim, inner);
    let yl = run(log_softmax, &x, outer, dim, inner);
    for o in 0..outer {
        for i in 0..inner {
            let row: Vec<f32> = (0..dim).map(|d| x[(o * dim + d) * inner + i]).collect();
            let r = run(softmax_ref, &row, 1, dim, 1);
            let rl = run(log_softmax_ref, &row, 1, dim, 1);
            for d in 0..dim {
                let k = (o * dim + d) * inner + i;
                assert!((y[k] - r[d]).abs() <= 1e-6);
                assert!((yl[k] - rl[d]).abs() <= 1e-5);
            }
        }
    }
}

#[test]
fn empty_sizes_are_noops() {
    let mut y = [5.0f32; 3];
    softmax(&[], &mut y, 0, 3, 1);
    softmax(&[], &mut y, 3, 0, 1);
    log_softmax(&[], &mut y, 1, 3, 0);
    softmax_backward(&[], &[], &mut y, 0, 3, 1);
    assert_eq!(y, [5.0; 3]);
}
