use super::*;

fn data(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(777);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
        })
        .collect()
}

const SIZES: [usize; 14] = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 255, 256, 257];

#[test]
fn sum_hand_values_and_accuracy() {
    assert_eq!(sum(&[]), 0.0);
    assert_eq!(sum(&[1.0, 2.0, 3.5]), 6.5);
    let x: Vec<f32> = (1..=1000).map(|v| v as f32).collect();
    assert_eq!(sum(&x), 500_500.0);
    // 1e7 copies of 0.1: naive f32 summation drifts to ~1.09e6; pairwise stays within ~1e-6 relative
    let x = vec![0.1f32; 10_000_000];
    let exact = 0.1f32 as f64 * 1e7;
    let s = sum(&x) as f64;
    assert!((s - exact).abs() / exact < 2e-6, "{} vs {}", s, exact);
    // random data vs f64
    for &n in SIZES.iter().chain([1000usize, 4097, 100_003].iter()) {
        let x = data(n, n as u32);
        let exact: f64 = x.iter().map(|&v| v as f64).sum();
        let abs: f64 = x.iter().map(|&v| (v as f64).abs()).sum();
        let s = sum(&x);
        assert_eq!(s.to_bits(), sum_ref(&x).to_bits());
        assert!((s as f64 - exact).abs() <= 1e-6 * abs + 1e-7, "n={}", n);
    }
}

#[test]
fn sum_axis_hand_and_fast_vs_ref() {
    // x [2, 3, 2]
    let x = [
        1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0,
    ];
    let mut y = [0.0f32; 4];
    sum_axis(&x, &mut y, 2, 3, 2);
    assert_eq!(y, [9.0, 12.0, 27.0, 30.0]);
    let mut y = [0.0f32; 6];
    sum_axis(&x, &mut y, 6, 2, 1);
    assert_eq!(y, [3.0, 7.0, 11.0, 15.0, 19.0, 23.0]);
    sum_axis(&x, &mut y[..2], 1, 6, 2);
    assert_eq!(&y[..2], &[36.0, 42.0]);
    for &(o, d, i) in [
        (1usize, 1usize, 1usize),
        (3, 5, 7),
        (2, 257, 17),
        (1, 300, 33),
        (4, 1, 4),
        (2, 129, 1),
        (0, 3, 3),
    ]
    .iter()
    {
        let x = data(o * d * i, (o + d + i) as u32);
        let mut a = vec![0.0f32; o * i];
        let mut b = vec![1.0f32; o * i];
        sum_axis(&x, &mut a, o, d, i);
        sum_axis_ref(&x, &mut b, o, d, i);
        for k in 0..a.len() {
            assert_eq!(a[k].to_bits(), b[k].to_bits());
            let exact: f64 = (0..d)
                .map(|dd| x[(k / i) * d * i + dd * i + k % i] as f64)
                .sum();
            assert!((a[k] as f64 - exact).abs() < 1e-5 * d as f64);
        }
    }
}

#[test]
fn max_and_argmax() {
    // x [2, 3]: rows
    let x = [1.0f32, 5.0, 5.0, -1.0, -3.0, -2.0];
    let mut m = [0.0f32; 2];
    let mut a = [9i32; 2];
    max_axis(&x, &mut m, 2, 3, 1);
    argmax_axis(&x, &mut a, 2, 3, 1);
    assert_eq!(m, [5.0, -1.0]);
    assert_eq!(a, [1, 0]);
    // over columns (inner = 3)
    let mut m = [0.0f32; 3];
    let mut a = [9i32; 3];
    max_axis(&x, &mut m, 1, 2, 3);
    argmax_axis(&x, &mut a, 1, 2, 3);
    assert_eq!(m, [1.0, 5.0, 5.0]);
    assert_eq!(a, [0, 0, 0]);
    // NaN is the max, the first NaN wins
    let x = [1.0f32, f32::NAN, 7.0, f32::NAN];
    let mut m = [0.0f32];
    let mut a = [9i32];
    max_axis(&x, &mut m, 1, 4, 1);
    argmax_axis(&x, &mut a, 1, 4, 1);
    assert!(m[0].is_nan());
    assert_eq!(a[0], 1);
    // fast vs ref, with ties and NaNs in the data
    for &(o, d, i) in [
        (3usize, 5usize, 7usize),
        (2, 17, 16),
        (1, 4, 4),
        (5, 3, 1),
        (2, 1, 9),
    ]
    .iter()
    {
        let mut x: Vec<f32> = data(o * d * i, 5)
            .iter()
            .map(|v| (v * 4.0).round())
            .collect();
        if x.len() > 10 {
            x[7] = f32::NAN;
            x[10] = f32::NAN;
        }
        let (mut m1, mut m2) = (vec![0.0f32; o * i], vec![0.0f32; o * i]);
        let (mut a1, mut a2) = (vec![0i32; o * i], vec![0i32; o * i]);
        max_axis(&x, &mut m1, o, d, i);
        max_axis_ref(&x, &mut m2, o, d, i);
        argmax_axis(&x, &mut a1, o, d, i);
        argmax_axis_ref(&x, &mut a2, o, d, i);
        assert_eq!(a1, a2);
        for k in 0..m1.len() {
            assert!(m1[k] == m2[k] || (m1[k].is_nan() && m2[k].is_nan()));
            let idx = (k / i) * d * i + a1[k] as usize * i + k % i;
            assert!(x[idx] == m1[k] || (x[idx].is_nan() && m1[k].is_nan()));
        }
    }
}

#[test]
fn expand_and_sum_to_by_hand() {
    // x [2,1,3] → [2,4,3]; x strides (3, 0, 1)
    let x = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let shape = [2u32, 4, 3];
    let strides = [3u32, 0, 1];
    let mut y = vec![0.0f32; 24];
    expand(&x, &mut y, &shape, &strides);
    let want: Vec<f32> = [[1.0f32, 2.0, 3.0]; 4]
        .iter()
        .flatten()
        .chain([[4.0f32, 5.0, 6.0]; 4].iter().flatten())
        .copied()
        .collect();
    assert_eq!(y, want);
    let mut y2 = vec![0.0f32; 24];
    expand_ref(&x, &mut y2, &shape, &strides);
    assert_eq!(y2, want);

    let dy: Vec<f32> = (0..24).map(|v| v as f32).collect();
    let mut dx = [9.0f32; 6];
    sum_to(&dy, &mut dx, &shape, &strides);
    // dx[0, 0, j] = Σ_k dy[0, k, j] = j + (3+j) + (6+j) + (9+j) = 18 + 4j; second block + 48
    assert_eq!(dx, [18.0, 22.0, 26.0, 66.0, 70.0, 74.0]);
    let mut dx2 = [9.0f32; 6];
    sum_to_ref(&dy, &mut dx2, &shape, &strides);
    assert_eq!(dx2, dx);

    // bias: [3] → [2,3] (strides 0,1); column [2,1] → [2,3] (strides 1,0); scalar → [2,3]
    let mut y = [0.0f32; 6];
    expand(&[1.0, 2.0, 3.0], &mut y, &[2, 3], &[0, 1]);
    assert_eq!(y, [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
    expand(&[1.0, 2.0], &mut y, &[2, 3], &[1, 0]);
    assert_eq!(y, [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
    expand(&[7.0], &mut y, &[2, 3], &[0, 0]);
    assert_eq!(y, [7.0; 6]);
    let g = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let mut d = [0.0f32; 3];
    sum_to(&g, &mut d, &[2, 3], &[0, 1]);
    assert_eq!(d, [5.0, 7.0, 9.0]);
    sum_to(&g, &mut d[..2], &[2, 3], &[1, 0]);
    assert_eq!(&d[..2], &[6.0, 15.0]);
    sum_to(&g, &mut d[..1], &[2, 3], &[0, 0]);
    assert_eq!(d[0], 21.0);
    // ndim 0
    let mut s = [0.0f32];
    expand(&[3.0], &mut s, &[], &[]);
    assert_eq!(s[0], 3.0);
    sum_to(&[4.0], &mut s, &[], &[]);
    assert_eq!(s[0], 4.0);
}

#[test]
fn expand_and_sum_to_are_adjoint() {
    let cases: Vec<(Vec<u32>, Vec<u32>, usize)> = vec![
        (vec![2, 4, 3], vec![3, 0, 1], 6),
        (vec![5, 7], vec![0, 1], 7),
        (vec![5, 7], vec![1, 0], 5),
        (vec![3, 1, 5, 2], vec![0, 0, 2, 1], 10),
        (vec![4, 3], vec![1, 4], 12), // transposed view
        (vec![2, 3, 4, 5], vec![0, 5, 0, 1], 15),
        (vec![3, 3, 17], vec![0, 0, 0], 1),
        (vec![257], vec![1], 257),
        (
            vec![2, 2, 2, 2, 2, 2, 2, 3],
            vec![0, 1, 0, 2, 0, 4, 0, 8],
            24,
        ),
        (vec![256, 10], vec![0, 1], 10),
    ];
    for (shape, strides, xn) in cases {
        let n = shape_numel(&shape);
        let x = data(xn, xn as u32);
        let yv = data(n, n as u32 + 1);
        let mut ex = vec![0.0f32; n];
        let mut ex2 = vec![0.0f32; n];
        expand(&x, &mut ex, &shape, &strides);
        expand_ref(&x, &mut ex2, &shape, &strides);
        assert_eq!(ex, ex2);
        let mut st = vec![0.0f32; xn];
        let mut st2 = vec![0.0f32; xn];
        sum_to(&yv, &mut st, &shape, &strides);
        sum_to_ref(&yv, &mut st2, &shape, &strides);
        for k in 0..xn {
            assert!(
                (st[k] - st2[k]).abs() < 1e-4,
                "{:?}: {} vs {}",
                shape,
                st[k],
                st2[k]
            );
        }
        let lhs: f64 = ex
            .iter()
            .zip(yv.iter())
            .map(|(&a, &b)| a as f64 * b as f64)
            .sum();
        let rhs: f64 = x
            .iter()
            .zip(st.iter())
            .map(|(&a, &b)| a as f64 * b as f64)
            .sum();
        assert!(
            (lhs - rhs).abs() < 1e-4 * (1.0 + lhs.abs()),
            "{:?}: {} vs {}",
            shape,
            lhs,
            rhs
        );
    }
}

/// The vector paths (4 and 16 columns, 16-lane blocks) against the references at odd shapes, with
/// NaN, ±0 and ±inf in the data: same bits for sums, maxima and indices.
#[test]
fn fast_matches_ref_at_odd_shapes_with_specials() {
    let sp = [f32::NAN, -0.0, 0.0, f32::INFINITY, f32::NEG_INFINITY, 1e-40];
    for &(o, d, i) in [
        (1usize, 1usize, 4usize),
        (2, 3, 5),
        (3, 7, 17),
        (1, 65, 19),
        (2, 130, 33),
        (1, 5, 1),
        (3, 300, 1),
        (2, 2, 36),
    ]
    .iter()
    {
        for with_specials in [false, true] {
            let mut x = data(o * d * i, (o * 31 + d * 7 + i) as u32);
            if with_specials {
                for (k, v) in x.iter_mut().enumerate() {
                    if k % 5 == 3 {
                        *v = sp[(k / 5) % sp.len()];
                    }
                }
            }
            let (mut a, mut b) = (vec![0.0f32; o * i], vec![1.0f32; o * i]);
            sum_axis(&x, &mut a, o, d, i);
            sum_axis_ref(&x, &mut b, o, d, i);
            for k in 0..a.len() {
                assert!(a[k].to_bits() == b[k].to_bits() || (a[k].is_nan() && b[k].is_nan()));
            }
            max_axis(&x, &mut a, o, d, i);
            max_axis_ref(&x, &mut b, o, d, i);
            for k in 0..a.len() {
                assert!(a[k].to_bits() == b[k].to_bits() || (a[k].is_nan() && b[k].is_nan()));
            }
            let (mut ia, mut ib) = (vec![0i32; o * i], vec![1i32; o * i]);
            argmax_axis(&x, &mut ia, o, d, i);
            argmax_axis_ref(&x, &mut ib, o, d, i);
            assert_eq!(ia, ib, "argmax {o}×{d}×{i}");
            let s = sum(&x);
            let r = sum_ref(&x);
            assert!(s.to_bits() == r.to_bits() || (s.is_nan() && r.is_nan()));
        }
    }
}

#[test]
fn min_and_argmin_mirror_max() {
    // x [2, 3, 5]: columns with ties and NaN
    let mut x = data(30, 77);
    x[5] = x[0]; // tie in column (0, 0)
    x[21] = f32::NAN;
    let (mut a, mut b) = (vec![0.0f32; 30], vec![0.0f32; 30]);
    let (mut ia, mut ib) = (vec![0i32; 30], vec![0i32; 30]);
    for &(o, d, i) in &[(2usize, 3usize, 5usize), (1, 6, 5), (5, 2, 3), (10, 3, 1)] {
        min_axis(&x, &mut a[..o * i], o, d, i);
        min_axis_ref(&x, &mut b[..o * i], o, d, i);
        argmin_axis(&x, &mut ia[..o * i], o, d, i);
        argmin_axis_ref(&x, &mut ib[..o * i], o, d, i);
        for k in 0..o * i {
            assert!(a[k].to_bits() == b[k].to_bits() || (a[k].is_nan() && b[k].is_nan()));
            // min(x) = −max(−x) and the first index wins on ties, as for max
            let neg: Vec<f32> = x.iter().map(|v| -v).collect();
            let mut m = vec![0.0f32; o * i];
            let mut im = vec![0i32; o * i];
            max_axis(&neg, &mut m, o, d, i);
            argmax_axis(&neg, &mut im, o, d, i);
            assert!(a[k] == -m[k] || (a[k].is_nan() && m[k].is_nan()));
            assert_eq!(ia[k], im[k]);
        }
        assert_eq!(ia[..o * i], ib[..o * i]);
    }
    let mut y = [0.0f32; 2];
    min_axis(&[3.0, 1.0, 1.0, 2.0], &mut y, 2, 2, 1);
    assert_eq!(y, [1.0, 1.0]);
    let mut iy = [9i32; 2];
    argmin_axis(&[3.0, 1.0, 1.0, 1.0], &mut iy, 2, 2, 1);
    assert_eq!(iy, [1, 0]);
}

#[test]
fn prod_by_hand_and_fast_vs_ref() {
    let x = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let mut y = [0.0f32; 3];
    prod_axis(&x, &mut y, 1, 2, 3);
    assert_eq!(y, [4.0, 10.0, 18.0]);
    prod_axis(&x, &mut y[..2], 2, 3, 1);
    assert_eq!(y[..2], [6.0, 120.0]);
    prod_axis(&x, &mut y[..1], 1, 0, 1);
    assert_eq!(y[0], 1.0);
    for &(o, d, i) in &[
        (1usize, 1usize, 1usize),
        (3, 5, 7),
        (2, 9, 17),
        (1, 4, 33),
        (4, 1, 4),
        (2, 13, 1),
    ] {
        let x: Vec<f32> = data(o * d * i, (o * d * i) as u32)
            .iter()
            .map(|v| v + 1.0)
            .collect();
        let (mut a, mut b) = (vec![0.0f32; o * i], vec![0.0f32; o * i]);
        prod_axis(&x, &mut a, o, d, i);
        prod_axis_ref(&x, &mut b, o, d, i);
        for k in 0..o * i {
            assert_eq!(
                a[k].to_bits(),
                b[k].to_bits(),
                "({}, {}, {}) at {}",
                o,
                d,
                i,
                k
            );
        }
    }
}

#[test]
fn prod_others_is_exact_with_zeros() {
    let x = [2.0f32, 0.0, 3.0, 4.0];
    let mut dx = [9.0f32; 4];
    prod_others_axis(&x, &mut dx, 1, 4, 1);
    assert_eq!(dx, [0.0, 24.0, 0.0, 0.0]);
    let x = [2.0f32, 0.0, 3.0, 0.0];
    prod_others_axis(&x, &mut dx, 1, 4, 1);
    assert_eq!(dx, [0.0, 0.0, 0.0, 0.0]);
    // [2, 2, 1] along the middle axis of size 2
    let x = [1.0f32, 2.0, 3.0, 4.0];
    prod_others_axis(&x, &mut dx, 2, 2, 1);
    assert_eq!(dx, [2.0, 1.0, 4.0, 3.0]);
    prod_others_axis(&x, &mut dx, 1, 2, 2);
    assert_eq!(dx, [3.0, 4.0, 1.0, 2.0]);
    let mut r = [0.0f32; 4];
    prod_others_axis_ref(&x, &mut r, 1, 2, 2);
    assert_eq!(r, dx);
}

#[test]
fn cumsum_forward_and_reverse() {
    let x = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let mut y = [0.0f32; 6];
    cumsum_axis(&x, &mut y, 1, 6, 1, false);
    assert_eq!(y, [1.0, 3.0, 6.0, 10.0, 15.0, 21.0]);
    cumsum_axis(&x, &mut y, 1, 6, 1, true);
    assert_eq!(y, [21.0, 20.0, 18.0, 15.0, 11.0, 6.0]);
    // [2, 3] along dim 0 (inner 3) and dim 1
    cumsum_axis(&x, &mut y, 1, 2, 3, false);
    assert_eq!(y, [1.0, 2.0, 3.0, 5.0, 7.0, 9.0]);
    cumsum_axis(&x, &mut y, 2, 3, 1, false);
    assert_eq!(y, [1.0, 3.0, 6.0, 4.0, 9.0, 15.0]);
    // accumulated in f64: 1e8 + 1 − 1e8 keeps the 1 that an f32 accumulator loses
    let mut z = [0.0f32; 3];
    cumsum_axis(&[1e8, 1.0, -1e8], &mut z, 1, 3, 1, false);
    assert_eq!(z[2], 1.0);
    let mut r = [0.0f32; 3];
    cumsum_axis_ref(&[1e8, 1.0, -1e8], &mut r, 1, 3, 1, false);
    assert_eq!(r, z);
}

#[test]
fn sum_i32_is_exact_and_reports_overflow() {
    let x = [1i32, 2, 3, 4, 5, 6];
    let mut y = [0i32; 3];
    assert_eq!(sum_axis_i32(&x, &mut y, 1, 2, 3), 0);
    assert_eq!(y, [5, 7, 9]);
    let big = [i32::MAX, 1, i32::MIN, -1, i32::MAX, -5];
    let mut y = [0i32; 3];
    assert_eq!(sum_axis_i32(&big, &mut y, 3, 2, 1), 2);
    assert_eq!(y, [i32::MAX, i32::MIN, i32::MAX - 5]);
    let mut r = [0i32; 3];
    assert_eq!(sum_axis_i32_ref(&big, &mut r, 3, 2, 1), 2);
    assert_eq!(r, y);
    // an intermediate beyond int32 that comes back is fine
    let mut one = [0i32; 1];
    assert_eq!(sum_axis_i32(&[i32::MAX, 10, -20], &mut one, 1, 3, 1), 0);
    assert_eq!(one[0], i32::MAX - 10);
}

#[test]
fn scatter_routes_to_the_index() {
    let g = [1.0f32, 2.0, 3.0];
    let mut dx = [9.0f32; 6];
    assert_eq!(scatter_axis(&g, &[1, 0, 1], &mut dx, 1, 2, 3), Ok(()));
    assert_eq!(dx, [0.0, 2.0, 0.0, 1.0, 0.0, 3.0]);
    let mut dx = [9.0f32; 6];
    assert_eq!(scatter_axis(&g, &[1, 2, 0], &mut dx, 1, 2, 3), Err(1));
    assert_eq!(dx, [9.0; 6]);
    assert_eq!(scatter_axis(&g, &[0, -1, 0], &mut dx, 1, 2, 3), Err(1));
    let mut r = [0.0f32; 6];
    scatter_axis_ref(&g[..2], &[2, 0], &mut r, 2, 3, 1).unwrap();
    assert_eq!(r, [0.0, 0.0, 1.0, 2.0, 0.0, 0.0]);
}
