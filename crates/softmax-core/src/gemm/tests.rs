use super::*;

/// Deterministic pseudo-random values in [-1, 1).
fn fill(len: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(12345);
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect()
}

fn at(trans: bool, rows: usize, cols: usize, x: &[f32], r: usize, c: usize) -> f32 {
    if trans {
        x[c * rows + r]
    } else {
        x[r * cols + c]
    }
}

#[allow(clippy::too_many_arguments)]
fn check(ta: bool, tb: bool, m: usize, n: usize, k: usize, alpha: f32, beta: f32, seed: u32) {
    let a = fill(m * k, seed);
    let b = fill(k * n, seed + 1);
    let c0 = fill(m * n, seed + 2);
    let mut c_ref = c0.clone();
    let mut c_fast = c0.clone();
    gemm_ref(ta, tb, m, n, k, alpha, &a, &b, beta, &mut c_ref);
    gemm(ta, tb, m, n, k, alpha, &a, &b, beta, &mut c_fast);
    for i in 0..m {
        for j in 0..n {
            // Error bound for float32 sums in any order: a few ulp of Σ|a||b|.
            let mut mag = 0.0f64;
            for p in 0..k {
                let x = at(ta, m, k, &a, i, p) as f64;
                let y = at(tb, k, n, &b, p, j) as f64;
                mag += (x * y).abs();
            }
            let tol = 1e-5
                * (alpha.abs() as f64 * mag + beta.abs() as f64 * c0[i * n + j].abs() as f64)
                + 1e-30;
            let d = (c_ref[i * n + j] as f64 - c_fast[i * n + j] as f64).abs();
            assert!(
                d <= tol,
                "ta={ta} tb={tb} m={m} n={n} k={k} alpha={alpha} beta={beta}: C[{i},{j}] ref {} fast {} (tol {tol})",
                c_ref[i * n + j],
                c_fast[i * n + j]
            );
        }
    }
}

#[test]
fn ref_hand_worked() {
    // A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]]: A·B = [[58, 64], [139, 154]].
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [7.0, 8.0, 9.0, 10.0, 11.0, 12.0];
    let mut c = [f32::NAN; 4];
    gemm_ref(false, false, 2, 2, 3, 1.0, &a, &b, 0.0, &mut c);
    assert_eq!(c, [58.0, 64.0, 139.0, 154.0]);
    // Aᵀ stored (3×2) and Bᵀ stored (2×3) give the same product.
    let at = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
    let bt = [7.0, 9.0, 11.0, 8.0, 10.0, 12.0];
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let mut c = [1.0, 1.0, 1.0, 1.0];
        gemm_ref(
            ta,
            tb,
            2,
            2,
            3,
            2.0,
            if ta { &at } else { &a },
            if tb { &bt } else { &b },
            0.5,
            &mut c,
        );
        assert_eq!(c, [116.5, 128.5, 278.5, 308.5], "ta={ta} tb={tb}");
        let mut c = [1.0, 1.0, 1.0, 1.0];
        gemm(
            ta,
            tb,
            2,
            2,
            3,
            2.0,
            if ta { &at } else { &a },
            if tb { &bt } else { &b },
            0.5,
            &mut c,
        );
        assert_eq!(c, [116.5, 128.5, 278.5, 308.5], "fast ta={ta} tb={tb}");
    }
    // 1×3 · 3×1 inner product, and 3×1 · 1×2 outer product.
    let mut c = [0.0];
    gemm_ref(
        false,
        false,
        1,
        1,
        3,
        1.0,
        &[1.0, -2.0, 3.0],
        &[4.0, 5.0, 6.0],
        0.0,
        &mut c,
    );
    assert_eq!(c, [12.0]);
    let mut c = [0.0; 6];
    gemm_ref(
        false,
        false,
        3,
        2,
        1,
        1.0,
        &[1.0, 2.0, 3.0],
        &[10.0, 20.0],
        0.0,
        &mut c,
    );
    assert_eq!(c, [10.0, 20.0, 20.0, 40.0, 30.0, 60.0]);
}

#[test]
fn degenerate_sizes() {
    for f in [
        gemm as fn(bool, bool, usize, usize, usize, f32, &[f32], &[f32], f32, &mut [f32]),
        gemm_ref,
    ] {
        // k == 0: C = beta·C; beta == 0 clears NaN.
        let mut c = [1.0, 2.0, f32::NAN];
        f(false, false, 1, 3, 0, 1.0, &[], &[], 0.0, &mut c);
        assert_eq!(c, [0.0, 0.0, 0.0]);
        let mut c = [1.0, 2.0, 3.0];
        f(true, true, 3, 1, 0, 1.0, &[], &[], 2.0, &mut c);
        assert_eq!(c, [2.0, 4.0, 6.0]);
        // m == 0 or n == 0: nothing is touched.
        let mut c = [5.0];
        f(
            false,
            false,
            0,
            1,
            3,
            1.0,
            &[],
            &[1.0, 2.0, 3.0],
            0.0,
            &mut c,
        );
        assert_eq!(c, [5.0]);
        f(
            false,
            false,
            1,
            0,
            3,
            1.0,
            &[1.0, 2.0, 3.0],
            &[],
            0.0,
            &mut c,
        );
        assert_eq!(c, [5.0]);
        // alpha == 0: A and B are not read (NaN there does not leak).
        let mut c = [1.0, 2.0];
        f(
            false,
            false,
            1,
            2,
            1,
            0.0,
            &[f32::NAN],
            &[1.0, 1.0],
            3.0,
            &mut c,
        );
        assert_eq!(c, [3.0, 6.0]);
    }
}

#[test]
fn beta_zero_ignores_nan_in_c() {
    for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
        for &(m, n, k) in &[(5, 10, 7), (17, 9, 300), (4, 8, 3), (33, 19, 40), (1, 1, 1)] {
            let a = fill(m * k, 3);
            let b = fill(k * n, 4);
            let mut c1 = vec![f32::NAN; m * n];
            let mut c2 = vec![f32::INFINITY; m * n];
            gemm(ta, tb, m, n, k, 1.5, &a, &b, 0.0, &mut c1);
            gemm_ref(ta, tb, m, n, k, 1.5, &a, &b, 0.0, &mut c2);
            assert!(
                c1.iter().all(|x| x.is_finite()),
                "fast ta={ta} tb={tb} {m}x{n}x{k}"
            );
            assert!(
                c2.iter().all(|x| x.is_finite()),
                "ref ta={ta} tb={tb} {m}x{n}x{k}"
            );
        }
    }
}

#[test]
fn fast_matches_ref_odd_sizes_all_transpositions() {
    let sizes = [1usize, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33];
    let mut seed = 0;
    for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
        for &m in &sizes {
            for &n in &sizes {
                for &k in &[1usize, 3, 4, 8, 17, 31, 40] {
                    seed += 1;
                    check(ta, tb, m, n, k, 1.0, 0.0, seed);
                }
            }
        }
    }
}

#[test]
fn fast_matches_ref_blocked_sizes() {
    // Sizes that cross the k (256), m (128) block boundaries and the packing threshold.
    let shapes = [
        (255, 17, 257),
        (257, 255, 3),
        (130, 65, 513),
        (129, 10, 784),
        (64, 257, 255),
        (10, 784, 256),
        (256, 784, 10),
        (3, 300, 600),
        // Across the n block (2048): packed B (m ≥ 32) and B read in place (m < 32).
        (33, 2051, 7),
        (6, 2061, 5),
        // 5-row panels (m a multiple of 5, B read in place), with column tails.
        (25, 37, 300),
        (30, 13, 9),
    ];
    let mut seed = 100;
    for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
        for &(m, n, k) in &shapes {
            seed += 1;
            check(ta, tb, m, n, k, 1.0, 0.0, seed);
        }
    }
}

#[test]
fn alpha_beta_variants() {
    let mut seed = 500;
    for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
        for &(alpha, beta) in &[
            (1.0, 1.0),
            (0.5, -2.0),
            (-1.0, 0.0),
            (2.0, 0.25),
            (1.0, 0.0),
        ] {
            for &(m, n, k) in &[(7, 10, 13), (9, 23, 300), (33, 8, 64), (1, 17, 5)] {
                seed += 1;
                check(ta, tb, m, n, k, alpha, beta, seed);
            }
        }
    }
}

#[test]
fn linear_layer_shapes() {
    // y = x·Wᵀ, dX = dY·W, dW = dYᵀ·x for Linear(784 → 10) at batch 37.
    check(false, true, 37, 10, 784, 1.0, 0.0, 900);
    check(false, false, 37, 784, 10, 1.0, 0.0, 901);
    check(true, false, 10, 784, 37, 1.0, 0.0, 902);
    // Accumulating a gradient (beta = 1).
    check(true, false, 10, 784, 37, 1.0, 1.0, 903);
}

#[test]
fn dot_filled_gives_the_bits_of_gemm_and_fills_each_row_pair_once_in_order() {
    for &(m, n, k, alpha, beta) in &[
        (7, 10, 29, 1.0, 0.0),
        (1, 3, 5, 0.5, 1.0),
        (6, 16, 3, 1.0, 0.25),
        (5, 10, 0, 1.0, 0.5),
        (4, 7, 9, 0.0, 2.0),
    ] {
        for &tb in &[false, true] {
            let a = fill(m * k, 3);
            let b = fill(k * n, 4);
            let c0 = fill(m * n, 5);
            let mut want = c0.clone();
            gemm(false, tb, m, n, k, alpha, &a, &b, beta, &mut want);
            let mut made = vec![f32::NAN; m * k];
            let mut got = c0.clone();
            let mut calls = Vec::new();
            gemm_dot_filled(
                tb,
                m,
                n,
                k,
                alpha,
                &mut made,
                &b,
                beta,
                &mut got,
                |rows, i| {
                    calls.push(i);
                    rows.copy_from_slice(&a[i * k..i * k + rows.len()]);
                },
            );
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let at = format!("m={m} n={n} k={k} alpha={alpha} trans_b={tb}");
            assert_eq!(bits(&got), bits(&want), "{at}");
            assert_eq!(bits(&made), bits(&a), "A made, {at}");
            assert_eq!(calls, (0..m).step_by(2).collect::<Vec<_>>(), "{at}");
        }
    }
}
