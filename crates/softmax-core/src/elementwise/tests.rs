use super::*;

fn data(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(12345);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 8) as f32 / (1u32 << 24) as f32 * 8.0 - 4.0
        })
        .collect()
}

const SIZES: [usize; 14] = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 255, 256, 257];

fn same_bits(a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len());
    for i in 0..a.len() {
        assert!(
            a[i].to_bits() == b[i].to_bits() || (a[i].is_nan() && b[i].is_nan()),
            "index {}: {} vs {}",
            i,
            a[i],
            b[i]
        );
    }
}

fn close(a: &[f32], b: &[f32], rtol: f32, atol: f32) {
    assert_eq!(a.len(), b.len());
    for i in 0..a.len() {
        let ok =
            (a[i] - b[i]).abs() <= atol + rtol * b[i].abs() || (a[i].is_nan() && b[i].is_nan());
        assert!(ok, "index {}: {} vs {}", i, a[i], b[i]);
    }
}

#[test]
fn hand_values() {
    let x = [-2.0f32, -0.0, 0.0, 0.5, 3.0, f32::NAN];
    let mut y = [9.0f32; 6];
    relu(&x, &mut y);
    assert_eq!(&y[..5], &[0.0, 0.0, 0.0, 0.5, 3.0]);
    assert!(y[5].is_nan());
    sign(&x, &mut y);
    assert_eq!(y, [-1.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
    assert_eq!(y[1].to_bits(), 0.0f32.to_bits());
    abs(&x, &mut y);
    assert_eq!(&y[..5], &[2.0, 0.0, 0.0, 0.5, 3.0]);
    neg(&x[..5], &mut y[..5]);
    assert_eq!(&y[..5], &[2.0, 0.0, -0.0, -0.5, -3.0]);
    let mut dx = [0.0f32; 6];
    relu_backward(&x, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &mut dx);
    assert_eq!(dx, [0.0, 0.0, 0.0, 4.0, 5.0, 0.0]);

    let mut s = [0.0f32; 3];
    sigmoid(&[0.0, 2.0, -2.0], &mut s);
    assert_eq!(s[0], 0.5);
    assert!((s[1] - 0.880_797_1).abs() < 1e-7);
    assert!((s[2] - 0.119_202_92).abs() < 1e-7);

    let mut e = [0.0f32; 3];
    exp(&[0.0, 1.0, -1.0], &mut e);
    assert_eq!(e, [1.0, core::f32::consts::E, 1.0 / core::f32::consts::E]);
    log(&[1.0, 0.0, -1.0], &mut e);
    assert_eq!(e[0], 0.0);
    assert_eq!(e[1], f32::NEG_INFINITY);
    assert!(e[2].is_nan());

    let mut p = [0.0f32; 3];
    pow_scalar(&[3.0, -2.0, 0.25], 2.0, &mut p);
    assert_eq!(p, [9.0, 4.0, 0.0625]);
    pow_scalar(&[4.0, 9.0, 0.25], 0.5, &mut p);
    assert_eq!(p, [2.0, 3.0, 0.5]);
    pow_scalar(&[2.0, 4.0, 8.0], 3.0, &mut p);
    assert_eq!(p, [8.0, 64.0, 512.0]);
    pow_scalar(&[2.0, 4.0, 8.0], -1.0, &mut p);
    assert_eq!(p, [0.5, 0.25, 0.125]);
    pow_scalar(&[2.0, 4.0, 8.0], 0.0, &mut p);
    assert_eq!(p, [1.0, 1.0, 1.0]);
    pow_scalar(&[8.0, 27.0, 4.0], 1.5, &mut p);
    assert!((p[0] - 22.627_417).abs() < 1e-5 && (p[2] - 8.0).abs() < 1e-6);
    // a tensor exponent: each element as pow_scalar with that exponent (negative base, integer power)
    let mut q = [0.0f32; 5];
    pow_tensor(
        &[3.0, -2.0, 4.0, 2.0, 0.0],
        &[2.0, 3.0, 0.5, -1.0, 0.0],
        &mut q,
    );
    assert_eq!(q, [9.0, -8.0, 2.0, 0.5, 1.0]);
    pow_tensor(&[-8.0], &[1.0 / 3.0], &mut q[..1]);
    assert!(q[0].is_nan());

    let mut v = [1.0f32, 2.0, 3.0];
    scale(&[1.0, 2.0, 3.0], -2.0, &mut p);
    assert_eq!(p, [-2.0, -4.0, -6.0]);
    add_scalar(&[1.0, 2.0, 3.0], 0.5, &mut p);
    assert_eq!(p, [1.5, 2.5, 3.5]);
    axpy(2.0, &[1.0, -1.0, 0.5], &mut v);
    assert_eq!(v, [3.0, 0.0, 4.0]);
    fill(&mut v, 7.0);
    assert_eq!(v, [7.0, 7.0, 7.0]);
}

#[test]
fn sigmoid_is_stable_for_large_inputs() {
    let x = [
        -1e4f32,
        -200.0,
        -100.0,
        -88.0,
        88.0,
        100.0,
        1e4,
        f32::INFINITY,
        f32::NEG_INFINITY,
    ];
    let mut y = [0.0f32; 9];
    sigmoid(&x, &mut y);
    for (i, v) in y.iter().enumerate() {
        assert!(
            v.is_finite() && (0.0..=1.0).contains(v),
            "{} -> {}",
            x[i],
            v
        );
    }
    assert_eq!(y[0], 0.0);
    // e^-100 ≈ 26.55 · 2^-149: the nearest denormal is 27 · 2^-149
    assert!((y[2].to_bits() as i32 - 27).abs() <= 1, "{:e}", y[2]);
    assert_eq!(y[6], 1.0);
    assert_eq!(y[7], 1.0);
    assert_eq!(y[8], 0.0);
    let mut z = [0.0f32; 1];
    sigmoid(&[f32::NAN], &mut z);
    assert!(z[0].is_nan());
}

#[test]
fn finite_differences_of_relu_and_sigmoid() {
    let x = data(64, 3);
    let w = data(64, 4); // loss = Σ w·f(x)
    let h = 1e-2f64;
    // sigmoid in f64 for the numerical derivative (the kernel's own f32 output is checked below)
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let mut y = vec![0.0f32; 64];
    sigmoid(&x, &mut y);
    let mut dx = vec![0.0f32; 64];
    sigmoid_backward(&y, &w, &mut dx);
    for i in 0..64 {
        let xi = x[i] as f64;
        let num = w[i] as f64 * (sig(xi + h) - sig(xi - h)) / (2.0 * h);
        assert!(
            (dx[i] as f64 - num).abs() < 1e-4,
            "{}: {} vs {}",
            i,
            dx[i],
            num
        );
        assert!((y[i] as f64 - sig(xi)).abs() < 1e-6);
    }
    // relu: f32 forward through the kernel, away from the kink
    let hf = 1e-2f32;
    relu_backward(&x, &w, &mut dx);
    for i in 0..64 {
        if x[i].abs() < 0.05 {
            continue;
        }
        let mut yp = [0.0f32];
        let mut ym = [0.0f32];
        relu(&[x[i] + hf], &mut yp);
        relu(&[x[i] - hf], &mut ym);
        let num = w[i] * (yp[0] - ym[0]) / (2.0 * hf);
        assert!((dx[i] - num).abs() < 1e-3, "{}: {} vs {}", i, dx[i], num);
    }
}

#[test]
fn fast_matches_ref_at_odd_sizes() {
    for &n in SIZES.iter() {
        let x = data(n, n as u32);
        let g = data(n, n as u32 + 99);
        let pos: Vec<f32> = x.iter().map(|v| v.abs() + 0.01).collect();
        let mut a = vec![0.0f32; n];
        let mut b = vec![0.0f32; n];
        macro_rules! un {
            ($f:ident, $r:ident, $x:expr) => {
                $f($x, &mut a);
                $r($x, &mut b);
                same_bits(&a, &b);
            };
        }
        un!(relu, relu_ref, &x);
        un!(exp, exp_ref, &x);
        un!(log, log_ref, &pos);
        un!(abs, abs_ref, &x);
        un!(neg, neg_ref, &x);
        un!(sign, sign_ref, &x);
        sigmoid(&x, &mut a);
        sigmoid_ref(&x, &mut b);
        close(&a, &b, 3e-7, 0.0);
        relu_backward(&x, &g, &mut a);
        relu_backward_ref(&x, &g, &mut b);
        same_bits(&a, &b);
        sigmoid_backward(&pos, &g, &mut a);
        sigmoid_backward_ref(&pos, &g, &mut b);
        same_bits(&a, &b);
        for &p in [0.0f32, 1.0, 2.0, 3.0, 0.5, -0.5, -1.0, -2.0, 1.7].iter() {
            pow_scalar(&pos, p, &mut a);
            pow_scalar_ref(&pos, p, &mut b);
            same_bits(&a, &b);
        }
        scale(&x, 0.3, &mut a);
        scale_ref(&x, 0.3, &mut b);
        same_bits(&a, &b);
        add_scalar(&x, 0.3, &mut a);
        add_scalar_ref(&x, 0.3, &mut b);
        same_bits(&a, &b);
        a.copy_from_slice(&g);
        b.copy_from_slice(&g);
        axpy(-0.7, &x, &mut a);
        axpy_ref(-0.7, &x, &mut b);
        same_bits(&a, &b);
        fill(&mut a, 1.25);
        fill_ref(&mut b, 1.25);
        same_bits(&a, &b);
        for op in 0..4 {
            binary(op, &x, &pos, &mut a);
            binary_ref(op, &x, &pos, &mut b);
            same_bits(&a, &b);
        }
    }
}

/// NaN, ±0, ±inf, subnormals and huge values at every offset of a vector and in the scalar tails.
#[test]
fn fast_matches_ref_on_special_values() {
    let sp = [
        f32::NAN,
        -0.0,
        0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        1e-40,
        -1e-40,
        3e38,
        -3e38,
        -105.0,
        88.5,
        -1.0,
        2.0,
    ];
    for n in 0..=2 * sp.len() + 3 {
        let x: Vec<f32> = (0..n).map(|i| sp[(i * 7 + n) % sp.len()]).collect();
        let g: Vec<f32> = (0..n).map(|i| sp[(i * 5 + 3) % sp.len()]).collect();
        let mut a = vec![0.0f32; n];
        let mut b = vec![0.0f32; n];
        for (f, r) in [
            (
                relu as fn(&[f32], &mut [f32]),
                relu_ref as fn(&[f32], &mut [f32]),
            ),
            (abs, abs_ref),
            (neg, neg_ref),
            (sign, sign_ref),
        ] {
            f(&x, &mut a);
            r(&x, &mut b);
            same_bits(&a, &b);
        }
        sigmoid(&x, &mut a);
        sigmoid_ref(&x, &mut b);
        close(&a, &b, 3e-7, 0.0);
        relu_backward(&x, &g, &mut a);
        relu_backward_ref(&x, &g, &mut b);
        same_bits(&a, &b);
        sigmoid_backward(&x, &g, &mut a);
        sigmoid_backward_ref(&x, &g, &mut b);
        same_bits(&a, &b);
        for p in [0.0f32, 1.0, 2.0, 3.0, 0.5, -0.5, -1.0, -2.0] {
            pow_scalar(&x, p, &mut a);
            pow_scalar_ref(&x, p, &mut b);
            same_bits(&a, &b);
        }
        for op in 0..4 {
            binary(op, &x, &g, &mut a);
            binary_ref(op, &x, &g, &mut b);
            same_bits(&a, &b);
            if n > 0 {
                binary(op, &x[..1], &g, &mut a);
                binary_ref(op, &x[..1], &g, &mut b);
                same_bits(&a, &b);
                binary(op, &x, &g[..1], &mut a);
                binary_ref(op, &x, &g[..1], &mut b);
                same_bits(&a, &b);
            }
        }
    }
}

#[test]
fn binary_broadcasting() {
    // same shape
    let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [6.0f32, 5.0, 4.0, 3.0, 2.0, 1.0];
    let mut y = [0.0f32; 6];
    binary(OP_SUB, &a, &b, &mut y);
    assert_eq!(y, [-5.0, -3.0, -1.0, 1.0, 3.0, 5.0]);
    // scalar on either side
    binary(OP_MUL, &a, &[2.0], &mut y);
    assert_eq!(y, [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]);
    binary(OP_DIV, &[12.0], &a, &mut y);
    assert_eq!(y, [12.0, 6.0, 4.0, 3.0, 2.4, 2.0]);
    // bias [cols] on a [2, 3]
    binary(OP_ADD, &a, &[10.0, 20.0, 30.0], &mut y);
    assert_eq!(y, [11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
    binary(OP_SUB, &[10.0, 20.0, 30.0], &a, &mut y);
    assert_eq!(y, [9.0, 18.0, 27.0, 6.0, 15.0, 24.0]);
    // both repeating
    binary(OP_ADD, &[1.0, 2.0], &[10.0, 20.0, 30.0], &mut y);
    assert_eq!(y, [11.0, 22.0, 31.0, 12.0, 21.0, 32.0]);
    // [rows, 1] column
    binary_rows(OP_SUB, &a, &[1.0, 4.0], &mut y, 3);
    assert_eq!(y, [0.0, 1.0, 2.0, 0.0, 1.0, 2.0]);
    binary_rows(OP_DIV, &a, &[1.0, 2.0], &mut y, 3);
    assert_eq!(y, [1.0, 2.0, 3.0, 2.0, 2.5, 3.0]);
    // bias helpers
    bias_add(&a, &[1.0, 0.0, -1.0], &mut y, 2, 3);
    assert_eq!(y, [2.0, 2.0, 2.0, 5.0, 5.0, 5.0]);
    let mut db = [9.0f32; 3];
    bias_grad(&a, &mut db, 2, 3);
    assert_eq!(db, [5.0, 7.0, 9.0]);

    // fast vs ref over many broadcast shapes
    for &(rows, cols) in [
        (1usize, 1usize),
        (3, 5),
        (7, 4),
        (17, 9),
        (256, 10),
        (2, 257),
    ]
    .iter()
    {
        let n = rows * cols;
        let x = data(n, 7);
        let bias = data(cols, 8);
        let col = data(rows, 9);
        let mut y1 = vec![0.0f32; n];
        let mut y2 = vec![0.0f32; n];
        for op in 0..4 {
            binary(op, &x, &bias, &mut y1);
            binary_ref(op, &x, &bias, &mut y2);
            same_bits(&y1, &y2);
            binary(op, &bias, &x, &mut y1);
            binary_ref(op, &bias, &x, &mut y2);
            same_bits(&y1, &y2);
            binary(op, &x[..1], &x, &mut y1);
            binary_ref(op, &x[..1], &x, &mut y2);
            same_bits(&y1, &y2);
            binary_rows(op, &x, &col, &mut y1, cols);
            binary_rows_ref(op, &x, &col, &mut y2, cols);
            same_bits(&y1, &y2);
        }
        bias_add(&x, &bias, &mut y1, rows, cols);
        bias_add_ref(&x, &bias, &mut y2, rows, cols);
        same_bits(&y1, &y2);
        binary(OP_ADD, &x, &bias, &mut y2);
        same_bits(&y1, &y2);
        let mut d1 = vec![0.0f32; cols];
        let mut d2 = vec![0.0f32; cols];
        bias_grad(&x, &mut d1, rows, cols);
        bias_grad_ref(&x, &mut d2, rows, cols);
        close(&d1, &d2, 1e-5, 1e-5);
    }
}
