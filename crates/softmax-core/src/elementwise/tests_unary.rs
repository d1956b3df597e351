use super::*;

fn data(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(999);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 8) as f32 / (1u32 << 24) as f32 * 8.0 - 4.0
        })
        .collect()
}

/// Odd sizes around the 4- and 16-lane loops, with specials mixed in.
fn inputs(n: usize, seed: u32) -> Vec<f32> {
    let mut x = data(n, seed);
    let specials = [
        0.0f32,
        -0.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
    ];
    for (i, v) in x.iter_mut().enumerate() {
        if i % 3 == 0 {
            *v = specials[(i / 3) % specials.len()];
        }
    }
    x
}

const SIZES: [usize; 12] = [0, 1, 3, 4, 5, 7, 15, 16, 17, 31, 33, 257];

fn same_bits(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len());
    for i in 0..a.len() {
        assert!(
            a[i].to_bits() == b[i].to_bits() || (a[i].is_nan() && b[i].is_nan()),
            "{} index {}: {} vs {}",
            what,
            i,
            a[i],
            b[i]
        );
    }
}

#[test]
fn unary_table_hand_values() {
    let x = [-2.5f32, -1.5, -0.5, 0.5, 1.5, 2.5, -0.0, 3.7, -3.7];
    let mut y = [0.0f32; 9];
    unary(3, &x, &mut y);
    assert_eq!(y, [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, -0.0, 4.0, -4.0]);
    assert_eq!(y[2].to_bits(), (-0.0f32).to_bits());
    unary(1, &x, &mut y);
    assert_eq!(y, [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, -0.0, 3.0, -4.0]);
    unary(2, &x, &mut y);
    assert_eq!(y, [-2.0, -1.0, -0.0, 1.0, 2.0, 3.0, -0.0, 4.0, -3.0]);
    let x = [4.0f32, 0.0, -0.25, f32::INFINITY, f32::NEG_INFINITY, 2.0];
    let mut y = [0.0f32; 6];
    unary(4, &x, &mut y);
    assert_eq!(y, [0.25, f32::INFINITY, -4.0, 0.0, -0.0, 0.5]);
    unary(5, &x[..1], &mut y[..1]);
    assert_eq!(y[0], 0.5);
    unary(10, &x, &mut y);
    assert_eq!(y, [4.0, 0.0, -0.25, 0.0, 0.0, 2.0]);
    unary(11, &x, &mut y);
    assert_eq!(y, [0.25, 0.0, -4.0, 0.0, -0.0, 0.5]);
    let mut t = [0.0f32; 3];
    unary(0, &[0.0, 20.0, -20.0], &mut t);
    assert_eq!(t, [0.0, 1.0, -1.0]);
    unary(6, &[0.0, 1e-10, -1.0], &mut t);
    assert_eq!(t[..2], [0.0, 1e-10]);
    assert_eq!(t[2], f32::NEG_INFINITY);
    unary(7, &[0.0, 1e-10, -100.0], &mut t);
    assert_eq!(t, [0.0, 1e-10, -1.0]);
    unary(8, &[0.0], &mut t[..1]);
    assert_eq!(t[0], 0.0);
    unary(9, &[0.0], &mut t[..1]);
    assert_eq!(t[0], 1.0);
    // an unknown code writes nothing
    let mut u = [7.0f32; 2];
    unary(12, &[1.0, 2.0], &mut u);
    assert_eq!(u, [7.0, 7.0]);
}

#[test]
fn unary_fast_matches_ref_at_odd_sizes() {
    for op in 0..UNARY_OPS.len() as u32 {
        for &n in SIZES.iter() {
            let x = inputs(n, n as u32 + op);
            let dy = data(n, 7 * n as u32 + 1);
            let (mut a, mut b) = (vec![0.0f32; n], vec![0.0f32; n]);
            unary(op, &x, &mut a);
            unary_ref(op, &x, &mut b);
            same_bits(&a, &b, UNARY_OPS[op as usize]);
            let (mut da, mut db) = (vec![0.0f32; n], vec![0.0f32; n]);
            unary_backward(op, &x, &a, &dy, &mut da);
            unary_backward_ref(op, &x, &a, &dy, &mut db);
            same_bits(&da, &db, UNARY_OPS[op as usize]);
        }
    }
}

#[test]
fn unary_backward_hand_values() {
    let mut dx = [0.0f32; 2];
    // tanh: dy·(1 − y²); reciprocal: −dy·y²; rsqrt: −0.5·dy·y³; log1p: dy/(x+1); expm1: dy·(y+1)
    unary_backward(0, &[0.0, 0.0], &[0.5, 0.0], &[2.0, 3.0], &mut dx);
    assert_eq!(dx, [1.5, 3.0]);
    unary_backward(4, &[2.0, 0.0], &[0.5, 0.0], &[2.0, 3.0], &mut dx);
    assert_eq!(dx, [-0.5, -0.0]);
    unary_backward(5, &[4.0, 0.0], &[0.5, 0.0], &[2.0, 3.0], &mut dx);
    assert_eq!(dx, [-0.125, -0.0]);
    unary_backward(6, &[1.0, 3.0], &[0.0, 0.0], &[2.0, 3.0], &mut dx);
    assert_eq!(dx, [1.0, 0.75]);
    unary_backward(7, &[0.0, 0.0], &[1.0, -1.0], &[2.0, 3.0], &mut dx);
    assert_eq!(dx, [4.0, 0.0]);
    unary_backward(8, &[0.0, 0.0], &[0.0, 0.0], &[2.0, 3.0], &mut dx);
    assert_eq!(dx, [2.0, 3.0]);
    unary_backward(9, &[0.0, 0.0], &[0.0, 0.0], &[2.0, 3.0], &mut dx);
    assert_eq!(dx, [-0.0, -0.0]);
    for op in [1u32, 2, 3, 10, 11] {
        unary_backward(op, &[1.5, 2.0], &[1.0, 2.0], &[2.0, 3.0], &mut dx);
        assert_eq!(dx, [0.0, 0.0]);
    }
}

#[test]
fn clamp_hand_values_and_fast_vs_ref() {
    let x = [-3.0f32, -1.0, 0.0, 1.0, 3.0, f32::NAN, 2.0];
    let mut y = [0.0f32; 7];
    clamp(&x, -1.0, 1.0, &mut y);
    assert_eq!(&y[..5], &[-1.0, -1.0, 0.0, 1.0, 1.0]);
    assert!(y[5].is_nan());
    // lo > hi: every element is hi
    clamp(&x, 2.0, -2.0, &mut y);
    assert_eq!(&y[..5], &[-2.0; 5]);
    let mut dx = [9.0f32; 7];
    clamp_backward(&x, &[1.0; 7], -1.0, 1.0, &mut dx);
    assert_eq!(dx, [0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    clamp_backward(&x, &[1.0; 7], f32::NEG_INFINITY, 1.0, &mut dx);
    assert_eq!(dx, [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    for &n in SIZES.iter() {
        let x = inputs(n, 3 * n as u32);
        let dy = data(n, n as u32);
        for &(lo, hi) in &[
            (-1.0f32, 1.5f32),
            (f32::NEG_INFINITY, 0.0),
            (0.5, f32::INFINITY),
            (2.0, -2.0),
        ] {
            let (mut a, mut b) = (vec![0.0f32; n], vec![0.0f32; n]);
            clamp(&x, lo, hi, &mut a);
            clamp_ref(&x, lo, hi, &mut b);
            same_bits(&a, &b, "clamp");
            clamp_backward(&x, &dy, lo, hi, &mut a);
            clamp_backward_ref(&x, &dy, lo, hi, &mut b);
            same_bits(&a, &b, "clamp_backward");
        }
    }
}

#[test]
fn maximum_minimum_values_and_gradients() {
    let a = [1.0f32, 2.0, 3.0, f32::NAN, 1.0];
    let b = [2.0f32, 2.0, 1.0, 0.0, f32::NAN];
    let mut y = [0.0f32; 5];
    binary(OP_MAX, &a, &b, &mut y);
    assert_eq!(&y[..3], &[2.0, 2.0, 3.0]);
    assert!(y[3].is_nan() && y[4].is_nan());
    binary(OP_MIN, &a, &b, &mut y);
    assert_eq!(&y[..3], &[1.0, 2.0, 1.0]);
    assert!(y[3].is_nan() && y[4].is_nan());
    // ±0 ties keep the first operand, as torch
    let mut z = [9.0f32; 2];
    binary(OP_MAX, &[0.0, -0.0], &[-0.0, 0.0], &mut z);
    assert_eq!(
        (z[0].to_bits(), z[1].to_bits()),
        (0.0f32.to_bits(), (-0.0f32).to_bits())
    );
    let dy = [4.0f32; 5];
    let (mut da, mut db) = ([0.0f32; 5], [0.0f32; 5]);
    maxmin_backward(OP_MAX, &a, &b, &dy, &mut da, &mut db);
    assert_eq!(da, [0.0, 2.0, 4.0, 4.0, 4.0]);
    assert_eq!(db, [4.0, 2.0, 0.0, 4.0, 4.0]);
    maxmin_backward(OP_MIN, &a, &b, &dy, &mut da, &mut db);
    assert_eq!(da, [4.0, 2.0, 0.0, 4.0, 4.0]);
    assert_eq!(db, [0.0, 2.0, 4.0, 4.0, 4.0]);
    for &n in SIZES.iter() {
        let a = inputs(n, n as u32 + 11);
        let mut b = inputs(n, n as u32 + 12);
        if n > 2 {
            b[1] = a[1]; // a tie
        }
        for op in [OP_MAX, OP_MIN] {
            let (mut p, mut q) = (vec![0.0f32; n], vec![0.0f32; n]);
            binary(op, &a, &b, &mut p);
            binary_ref(op, &a, &b, &mut q);
            same_bits(&p, &q, "maximum/minimum");
            // the scalar-broadcast paths too
            if n > 0 {
                binary(op, &a, &b[..1], &mut p);
                binary_ref(op, &a, &b[..1], &mut q);
                same_bits(&p, &q, "maximum/minimum with a scalar b");
                binary(op, &a[..1], &b, &mut p);
                binary_ref(op, &a[..1], &b, &mut q);
                same_bits(&p, &q, "maximum/minimum with a scalar a");
            }
        }
    }
}

#[test]
fn clamp_tensor_backward_as_torch() {
    // torch.clamp(a, lo, hi) with a = [1, 2, 3], lo = [2, 2, 0], hi = [2.5, 1, 3], gradient of ones
    let (x, lo, hi, dy) = (
        [1.0f32, 2.0, 3.0],
        [2.0f32, 2.0, 0.0],
        [2.5f32, 1.0, 3.0],
        [1.0f32; 3],
    );
    let (mut dx, mut dlo, mut dhi) = ([9.0f32; 3], [9.0f32; 3], [9.0f32; 3]);
    clamp_tensor_backward(&x, &lo, &hi, &dy, &mut dx, &mut dlo, &mut dhi);
    assert_eq!(
        (dx, dlo, dhi),
        ([0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
    );
    // one bound only
    clamp_tensor_backward(&x, &lo, &[], &dy, &mut dx, &mut dlo, &mut []);
    assert_eq!((dx, dlo), ([0.0, 1.0, 1.0], [1.0, 0.0, 0.0]));
    clamp_tensor_backward(&x, &[], &hi, &dy, &mut dx, &mut [], &mut dhi);
    assert_eq!((dx, dhi), ([1.0, 0.0, 1.0], [0.0, 1.0, 0.0]));
    let (mut rx, mut rlo, mut rhi) = ([0.0f32; 3], [0.0f32; 3], [0.0f32; 3]);
    clamp_tensor_backward_ref(&x, &lo, &hi, &dy, &mut rx, &mut rlo, &mut rhi);
    clamp_tensor_backward(&x, &lo, &hi, &dy, &mut dx, &mut dlo, &mut dhi);
    assert_eq!((rx, rlo, rhi), (dx, dlo, dhi));
}
