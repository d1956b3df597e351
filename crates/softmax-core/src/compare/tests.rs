use super::*;

fn words(n: usize, seed: u32) -> Vec<u32> {
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(12345);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            s
        })
        .collect()
}

/// Small values so that equal pairs occur, with NaN, ±0 and ±inf mixed in.
fn floats(n: usize, seed: u32) -> Vec<f32> {
    const SPECIAL: [f32; 5] = [f32::NAN, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY];
    words(n, seed)
        .iter()
        .map(|&w| match w % 11 {
            0..=4 => SPECIAL[(w % 5) as usize],
            _ => ((w >> 8) % 5) as f32 - 2.0,
        })
        .collect()
}

fn ints(n: usize, seed: u32) -> Vec<i32> {
    words(n, seed)
        .iter()
        .map(|&w| match w % 7 {
            0 => i32::MAX,
            1 => i32::MIN,
            _ => ((w >> 8) % 5) as i32 - 2,
        })
        .collect()
}

fn bytes(n: usize, seed: u32) -> Vec<u8> {
    words(n, seed).iter().map(|&w| (w % 2) as u8).collect()
}

const SIZES: [usize; 10] = [1, 2, 3, 5, 7, 15, 16, 17, 33, 257];

/// (a_len, b_len) for output length n: same, either side broadcast from a divisor, both divisors.
fn layouts(n: usize) -> Vec<(usize, usize)> {
    let mut out = vec![(n, n), (n, 1), (1, n), (1, 1)];
    for d in 2..n {
        if n % d == 0 {
            out.push((n, d));
            out.push((d, n));
            out.push((d, 1));
        }
    }
    out
}

#[test]
fn compare_fast_matches_reference_at_odd_sizes_and_broadcasts() {
    for &n in SIZES.iter().chain([6usize, 12].iter()) {
        for (la, lb) in layouts(n) {
            for op in CMP_EQ..=CMP_GE {
                let (a, b) = (floats(la, 1 + n as u32), floats(lb, 7 + op));
                let (mut y, mut r) = (vec![9u8; n], vec![7u8; n]);
                compare_f32(op, &a, &b, &mut y);
                compare_f32_ref(op, &a, &b, &mut r);
                assert_eq!(y, r, "f32 op {} n {} la {} lb {}", op, n, la, lb);
                let (a, b) = (ints(la, 3 + n as u32), ints(lb, 5 + op));
                compare_i32(op, &a, &b, &mut y);
                compare_i32_ref(op, &a, &b, &mut r);
                assert_eq!(y, r, "i32 op {} n {} la {} lb {}", op, n, la, lb);
            }
        }
    }
}

#[test]
fn compare_follows_ieee() {
    let a = [1.0, f32::NAN, 0.0, 2.0, f32::NEG_INFINITY];
    let b = [1.0, f32::NAN, -0.0, 3.0, -1.0];
    let mut y = [9u8; 5];
    let expect: [(u32, [u8; 5]); 6] = [
        (CMP_EQ, [1, 0, 1, 0, 0]),
        (CMP_NE, [0, 1, 0, 1, 1]),
        (CMP_LT, [0, 0, 0, 1, 1]),
        (CMP_LE, [1, 0, 1, 1, 1]),
        (CMP_GT, [0, 0, 0, 0, 0]),
        (CMP_GE, [1, 0, 1, 0, 0]),
    ];
    for (op, want) in expect.iter() {
        compare_f32(*op, &a, &b, &mut y);
        assert_eq!(&y, want, "op {}", op);
    }
    // b broadcast from one element
    compare_i32(CMP_GT, &[i32::MIN, -1, 0, 5], &[0], &mut y[..4]);
    assert_eq!(y[..4], [0, 0, 0, 1]);
}

#[test]
fn logical_fast_matches_reference_and_hand_values() {
    for &n in SIZES.iter().chain([6usize, 12].iter()) {
        for (la, lb) in layouts(n) {
            for op in LOGICAL_AND..=LOGICAL_XOR {
                let (a, b) = (bytes(la, 11 + n as u32), bytes(lb, 13 + op));
                let (mut y, mut r) = (vec![9u8; n], vec![7u8; n]);
                logical_u8(op, &a, &b, &mut y);
                logical_u8_ref(op, &a, &b, &mut r);
                assert_eq!(y, r, "op {} n {} la {} lb {}", op, n, la, lb);
            }
        }
    }
    let (a, b) = ([0u8, 0, 1, 1], [0u8, 1, 0, 1]);
    let mut y = [9u8; 4];
    logical_u8(LOGICAL_AND, &a, &b, &mut y);
    assert_eq!(y, [0, 0, 0, 1]);
    logical_u8(LOGICAL_OR, &a, &b, &mut y);
    assert_eq!(y, [0, 1, 1, 1]);
    logical_u8(LOGICAL_XOR, &a, &b, &mut y);
    assert_eq!(y, [0, 1, 1, 0]);
    logical_u8(LOGICAL_XOR, &a, &[1], &mut y);
    assert_eq!(y, [1, 1, 0, 0]);
}

#[test]
fn binary_i32_refuses_overflow_and_writes_nothing() {
    let mut y = [7i32; 4];
    assert_eq!(
        binary_i32(INT_ADD, &[1, i32::MAX, 3, 4], &[1], &mut y),
        Err(1)
    );
    assert_eq!(y, [7; 4]);
    assert_eq!(
        binary_i32_ref(INT_ADD, &[1, i32::MAX, 3, 4], &[1], &mut y),
        Err(1)
    );
    assert_eq!(
        binary_i32(INT_SUB, &[0, i32::MIN], &[1, 1], &mut y[..2]),
        Err(1)
    );
    assert_eq!(
        binary_i32(INT_MUL, &[65536, 3], &[65536, 3], &mut y[..2]),
        Err(0)
    );
    assert_eq!(
        binary_i32(INT_MUL, &[-1, 46341], &[i32::MIN, 46341], &mut y[..2]),
        Err(0)
    );
    assert_eq!(y, [7; 4]);
    binary_i32(INT_ADD, &[i32::MAX - 1, -5, 0, 3], &[1], &mut y).unwrap();
    assert_eq!(y, [i32::MAX, -4, 1, 4]);
    binary_i32(INT_SUB, &[5], &[i32::MAX, 6, 7, -2], &mut y).unwrap();
    assert_eq!(y, [5 - i32::MAX, -1, -2, 7]);
    binary_i32(
        INT_MUL,
        &[46340, -3, 0, 7],
        &[46340, 5, i32::MIN, -1],
        &mut y,
    )
    .unwrap();
    assert_eq!(y, [2_147_395_600, -15, 0, -7]);
}

#[test]
fn binary_i32_fast_matches_reference() {
    for &n in SIZES.iter().chain([6usize, 12].iter()) {
        for (la, lb) in layouts(n) {
            for op in INT_ADD..=INT_MUL {
                // small values (never overflow) and values that may
                let small = |v: Vec<i32>| v.iter().map(|&x| x % 1000).collect::<Vec<_>>();
                for (a, b) in [
                    (small(ints(la, 17 + n as u32)), small(ints(lb, 19 + op))),
                    (ints(la, 23 + n as u32), ints(lb, 29 + op)),
                ] {
                    let (mut y, mut r) = (vec![9i32; n], vec![9i32; n]);
                    let fy = binary_i32(op, &a, &b, &mut y);
                    let fr = binary_i32_ref(op, &a, &b, &mut r);
                    assert_eq!(fy, fr, "op {} n {} la {} lb {}", op, n, la, lb);
                    assert_eq!(y, r, "op {} n {} la {} lb {}", op, n, la, lb);
                }
            }
        }
    }
}

#[test]
fn all_any_fast_matches_reference_and_hand_values() {
    for &outer in &[1usize, 2, 3] {
        for &dim in &[0usize, 1, 2, 5, 17] {
            for &inner in &[1usize, 3, 4] {
                for op in REDUCE_ALL..=REDUCE_ANY {
                    let x: Vec<u8> = words(outer * dim * inner, 31 + dim as u32)
                        .iter()
                        .map(|&w| (w % 8 != 0) as u8)
                        .collect();
                    let (mut y, mut r) = (vec![9u8; outer * inner], vec![7u8; outer * inner]);
                    all_any_axis(op, &x, &mut y, outer, dim, inner);
                    all_any_axis_ref(op, &x, &mut r, outer, dim, inner);
                    assert_eq!(y, r, "op {} {}x{}x{}", op, outer, dim, inner);
                }
            }
        }
    }
    // [2, 3]: rows [1, 1, 0], [1, 1, 1]
    let x = [1u8, 1, 0, 1, 1, 1];
    let mut y = [9u8; 3];
    all_any_axis(REDUCE_ALL, &x, &mut y[..2], 2, 3, 1);
    assert_eq!(y[..2], [0, 1]);
    all_any_axis(REDUCE_ALL, &x, &mut y, 1, 2, 3);
    assert_eq!(y, [1, 1, 0]);
    all_any_axis(REDUCE_ANY, &[0, 0, 0, 0, 1, 0], &mut y, 1, 2, 3);
    assert_eq!(y, [0, 1, 0]);
    all_any_axis(REDUCE_ALL, &[], &mut y[..1], 1, 0, 1);
    all_any_axis(REDUCE_ANY, &[], &mut y[1..2], 1, 0, 1);
    assert_eq!(y[..2], [1, 0]);
}
