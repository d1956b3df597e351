//! Native tests of the export checks: statuses, details, and that valid calls reach the kernels.

use super::*;

fn addr<T>(v: &[T]) -> usize {
    v.as_ptr() as usize
}

/// Address of a buffer the callee writes to (derived from a unique borrow).
fn out<T>(v: &mut [T]) -> usize {
    v.as_mut_ptr() as usize
}

#[test]
fn alloc_zero_is_non_null_and_aligned() {
    let p = alloc(0);
    assert_ne!(p, 0);
    assert_eq!(p % 16, 0);
    let q = alloc(0);
    assert_ne!(p, q, "zero-size allocations are unique");
    assert_eq!(free(p, 0), OK);
    assert_eq!(free(q, 0), OK);
    assert_eq!(free(0, 123), OK);
    let big = alloc(1000);
    assert_eq!(big % 16, 0);
    assert_eq!(free(big, 1000), OK);
    assert_eq!(alloc(usize::MAX), 0, "impossible size → 0");
    assert_eq!(free(17, 4), MISALIGNED);
}

#[test]
fn null_pointers_are_refused() {
    let mut y = vec![0f32; 4];
    assert_eq!(relu_f32(0, out(&mut y), 4), NULL_POINTER);
    assert_eq!(status_detail_index(), 0);
    let x = vec![1f32; 4];
    assert_eq!(relu_f32(addr(&x), 0, 4), NULL_POINTER);
    assert_eq!(status_detail_index(), 1);
    // zero length does not make null acceptable
    assert_eq!(relu_f32(0, out(&mut y), 0), NULL_POINTER);
    assert_eq!(rng_get_state(0), NULL_POINTER);
    assert_eq!(rng_set_state(0), NULL_POINTER);
    assert_eq!(sum_f32(addr(&x), 4, 0), NULL_POINTER);
    assert_eq!(status_detail_index(), 2);
}

#[test]
fn misaligned_pointers_are_refused() {
    let x = vec![0f32; 8];
    let mut y = vec![0f32; 8];
    assert_eq!(relu_f32(addr(&x) + 1, out(&mut y), 4), MISALIGNED);
    assert_eq!(status_detail_index(), 0);
    assert_eq!(status_detail_value(), 1);
    assert_eq!(relu_f32(addr(&x), out(&mut y) + 2, 4), MISALIGNED);
    assert_eq!(status_detail_index(), 1);
    // u8 sources may be anywhere
    let src = vec![1u8; 9];
    let idx = vec![0i32; 2];
    let mut dst = vec![0f32; 8];
    assert_eq!(
        gather_u8_to_f32(addr(&src) + 1, 8, 4, addr(&idx), 2, 1.0, out(&mut dst)),
        OK
    );
    assert_eq!(dst, vec![1.0; 8]);
}

#[test]
fn size_overflow_is_refused() {
    let x = vec![0f32; 4];
    let mut y = vec![0f32; 4];
    // element count × 4 overflows
    assert_eq!(
        relu_f32(addr(&x), out(&mut y), usize::MAX / 2),
        SIZE_OVERFLOW
    );
    assert_eq!(status_detail_index(), 0);
    // m·k overflows
    assert_eq!(
        gemm_f32(
            0,
            0,
            usize::MAX,
            2,
            2,
            1.0,
            addr(&x),
            addr(&x),
            0.0,
            out(&mut y)
        ),
        SIZE_OVERFLOW
    );
    assert_eq!(status_detail_index(), 6);
    // outer·dim·inner overflows
    assert_eq!(
        softmax_f32(addr(&x), out(&mut y), usize::MAX, usize::MAX, 1),
        SIZE_OVERFLOW
    );
    // shape product overflows
    let shape = [u32::MAX; 8];
    let strides = [0u32; 8];
    assert_eq!(
        expand_f32(addr(&x), 1, out(&mut y), addr(&shape), addr(&strides), 8),
        SIZE_OVERFLOW
    );
    // ptr + bytes wraps the address space
    assert_eq!(
        relu_f32(usize::MAX - 3, out(&mut y), usize::MAX / 8),
        OUT_OF_BOUNDS
    );
}

#[test]
fn aliasing_is_refused() {
    let mut buf = vec![0f32; 16];
    let p = out(&mut buf);
    // exact in-place
    assert_eq!(relu_f32(p, p, 8), ALIASING);
    assert_eq!(status_detail_index(), 1);
    assert_eq!(status_detail_value(), 0);
    // partial overlap
    assert_eq!(relu_f32(p, p + 4 * 7, 8), ALIASING);
    // adjacent is fine
    assert_eq!(relu_f32(p, p + 4 * 8, 8), OK);
    // empty ranges never overlap
    assert_eq!(relu_f32(p, p, 0), OK);
    // gemm: C overlaps B
    assert_eq!(
        gemm_f32(0, 0, 2, 2, 2, 1.0, p, p + 16, 0.0, p + 20),
        ALIASING
    );
    assert_eq!(status_detail_index(), 9);
    assert_eq!(status_detail_value(), 7);
    // two outputs overlapping each other (dropout mask / y)
    assert_eq!(dropout_f32(p, p + 16, p + 20, 4, 0.5), ALIASING);
    // sgd with momentum: buf overlapping param
    let g = vec![0f32; 4];
    assert_eq!(
        sgd_step_f32(p, addr(&g), p + 8, 4, 0.1, 0.9, 0.0, 0.0, 0, 1),
        ALIASING
    );
}

#[test]
fn invalid_arguments_are_refused() {
    let a = vec![1f32; 6];
    let b = vec![1f32; 6];
    let mut y = vec![0f32; 6];
    assert_eq!(
        binary_f32(6, addr(&a), 6, addr(&b), 6, out(&mut y), 6),
        INVALID_ARGUMENT
    );
    assert_eq!((status_detail_index(), status_detail_value()), (0, 6));
    assert_eq!(binary_f32(5, addr(&a), 6, addr(&b), 6, out(&mut y), 6), OK);
    assert_eq!(unary_f32(12, addr(&a), out(&mut y), 6), INVALID_ARGUMENT);
    assert_eq!((status_detail_index(), status_detail_value()), (0, 12));
    let mut z = vec![0f32; 6];
    assert_eq!(
        maxmin_backward_f32(0, addr(&a), addr(&b), addr(&a), out(&mut y), out(&mut z), 6),
        INVALID_ARGUMENT
    );
    assert_eq!((status_detail_index(), status_detail_value()), (0, 0));
    let idx = vec![0i32, 3];
    assert_eq!(
        scatter_axis_f32(addr(&a), addr(&idx), out(&mut y), 1, 3, 2),
        INDEX_OUT_OF_RANGE
    );
    assert_eq!((status_detail_index(), status_detail_value()), (1, 3));
    assert_eq!(
        binary_f32(0, addr(&a), 4, addr(&b), 6, out(&mut y), 6),
        INVALID_ARGUMENT
    );
    assert_eq!((status_detail_index(), status_detail_value()), (2, 4));
    assert_eq!(binary_f32(0, addr(&a), 3, addr(&b), 2, out(&mut y), 6), OK);
    let labels = vec![0i32; 2];
    assert_eq!(
        cross_entropy_f32(addr(&a), addr(&labels), 2, 3, 0.0, 3, out(&mut y)),
        INVALID_ARGUMENT
    );
    assert_eq!(
        cross_entropy_f32(addr(&a), addr(&labels), 2, 3, 1.5, 1, out(&mut y)),
        INVALID_ARGUMENT
    );
    assert_eq!(
        dropout_f32(addr(&a), addr(&b), out(&mut y), 6, 1.0),
        INVALID_ARGUMENT
    );
    assert_eq!(
        dropout_f32(addr(&a), addr(&b), out(&mut y), 6, -0.1),
        INVALID_ARGUMENT
    );
    assert_eq!(
        dropout_f32(addr(&a), addr(&b), out(&mut y), 6, f32::NAN),
        INVALID_ARGUMENT
    );
    let shape = [1u32; 9];
    assert_eq!(
        expand_f32(addr(&a), 6, out(&mut y), addr(&shape), addr(&shape), 9),
        INVALID_ARGUMENT
    );
    // strides reaching past x
    let shape2 = [2u32, 3];
    let strides2 = [3u32, 2];
    assert_eq!(
        expand_f32(addr(&a), 6, out(&mut y), addr(&shape2), addr(&strides2), 2),
        INVALID_ARGUMENT
    );
    assert_eq!(status_detail_value(), 8);
    let zero_state = [0u32; 4];
    assert_eq!(rng_set_state(addr(&zero_state)), INVALID_ARGUMENT);
}

#[test]
fn bad_labels_report_row_and_value() {
    let logits = vec![0f32; 6];
    let labels = vec![0i32, 1, 7];
    let mut loss = vec![0f32; 3];
    assert_eq!(
        cross_entropy_f32(addr(&logits), addr(&labels), 3, 2, 0.0, 0, out(&mut loss)),
        INDEX_OUT_OF_RANGE
    );
    assert_eq!((status_detail_index(), status_detail_value()), (2, 7));
    let ok = vec![0i32, 1, 1];
    assert_eq!(
        cross_entropy_f32(addr(&logits), addr(&ok), 3, 2, 0.0, 0, out(&mut loss)),
        OK
    );
    let l2 = std::f32::consts::LN_2;
    assert!(loss.iter().all(|&l| (l - l2).abs() < 1e-6));
}

#[test]
fn confusion_is_validated_like_the_label_kernels() {
    let pred = vec![0i32, 1, 1, 2];
    let target = vec![0i32, 0, 2, 2];
    for f in [confusion_i32, confusion_i32_ref].iter() {
        let mut m = vec![0i32; 9];
        assert_eq!(f(addr(&pred), addr(&target), 4, 3, out(&mut m)), OK);
        assert_eq!(m, [1, 1, 0, 0, 0, 0, 0, 1, 1]);
        // null, misaligned, overflowing classes², aliasing out / target
        assert_eq!(f(0, addr(&target), 4, 3, out(&mut m)), NULL_POINTER);
        assert_eq!(status_detail_index(), 0);
        assert_eq!(f(addr(&pred), addr(&target), 4, 3, 0), NULL_POINTER);
        assert_eq!(status_detail_index(), 4);
        assert_eq!(
            f(addr(&pred), addr(&target) + 2, 4, 3, out(&mut m)),
            MISALIGNED
        );
        assert_eq!((status_detail_index(), status_detail_value()), (1, 2));
        assert_eq!(
            f(addr(&pred), addr(&target), 4, usize::MAX, out(&mut m)),
            SIZE_OVERFLOW
        );
        assert_eq!(status_detail_index(), 3);
        assert_eq!(
            f(addr(&pred), addr(&target), usize::MAX / 2, 3, out(&mut m)),
            SIZE_OVERFLOW
        );
        assert_eq!(status_detail_index(), 0);
        let mut both = vec![0i32; 13];
        let p = out(&mut both);
        assert_eq!(f(addr(&pred), p, 4, 3, p + 4), ALIASING);
        assert_eq!((status_detail_index(), status_detail_value()), (4, 1));
        // pred and target may be the same buffer (both inputs)
        let mut m2 = vec![0i32; 9];
        assert_eq!(f(addr(&pred), addr(&pred), 4, 3, out(&mut m2)), OK);
        assert_eq!(m2, [1, 0, 0, 0, 2, 0, 0, 0, 1]);
        // bad target at 2, bad prediction at 1: position and value; nothing written
        let before = m.clone();
        let bad_t = vec![0i32, 0, 3, 0];
        assert_eq!(
            f(addr(&pred), addr(&bad_t), 4, 3, out(&mut m)),
            INDEX_OUT_OF_RANGE
        );
        assert_eq!((status_detail_index(), status_detail_value()), (2, 3));
        let bad_p = vec![0i32, -5, 9, 0];
        assert_eq!(
            f(addr(&bad_p), addr(&target), 4, 3, out(&mut m)),
            INDEX_OUT_OF_RANGE
        );
        assert_eq!((status_detail_index(), status_detail_value()), (1, -5));
        assert_eq!(m, before);
    }
}

#[test]
fn valid_calls_reach_the_kernels() {
    let x = vec![-1f32, 2.0, -3.0, 4.0, 5.0];
    let mut y = vec![0f32; 5];
    assert_eq!(relu_f32(addr(&x), out(&mut y), 5), OK);
    assert_eq!(y, vec![0.0, 2.0, 0.0, 4.0, 5.0]);
    let mut s = [0f32; 1];
    assert_eq!(sum_f32(addr(&x), 5, out(&mut s)), OK);
    assert_eq!(s[0], 7.0);
    // gemm 2×2: [[1,2],[3,4]]·I
    let a = vec![1f32, 2.0, 3.0, 4.0];
    let i = vec![1f32, 0.0, 0.0, 1.0];
    let mut c = vec![f32::NAN; 4];
    assert_eq!(
        gemm_f32(0, 0, 2, 2, 2, 1.0, addr(&a), addr(&i), 0.0, out(&mut c)),
        OK
    );
    assert_eq!(c, a);
    // rng round trip
    assert_eq!(rng_seed(42, 0), OK);
    let mut st = [0u32; 4];
    assert_eq!(rng_get_state(out(&mut st)), OK);
    let mut u1 = vec![0f32; 8];
    assert_eq!(rng_uniform_f32(out(&mut u1), 8, 0.0, 1.0), OK);
    assert_eq!(rng_set_state(out(&mut st)), OK);
    let mut u2 = vec![0f32; 8];
    assert_eq!(rng_uniform_f32(out(&mut u2), 8, 0.0, 1.0), OK);
    assert_eq!(u1, u2);
    let mut perm = vec![0i32; 10];
    assert_eq!(rng_permutation_i32(out(&mut perm), 10), OK);
    perm.sort_unstable();
    assert_eq!(perm, (0..10).collect::<Vec<i32>>());
    // zero-length buffers are fine with a real pointer
    let empty: Vec<f32> = Vec::with_capacity(0);
    let p = alloc(0);
    assert_eq!(relu_f32(p, out(&mut y), 0), OK);
    assert_eq!(free(p, 0), OK);
    assert_eq!(empty.len(), 0);
}

#[test]
fn affine_exports_refuse_bad_ranges_flags_fill_and_mode() {
    let (mut p, mut m) = (vec![0f32; 12], vec![0f32; 12]);
    let ok = [-10.0, 10.0, 1.0, 2.0, 0.5, 2.0, -5.0, 5.0, 0.0, 0.0];
    let call = |p: &mut [f32], m: &mut [f32], r: [f64; 10], flags: u32| {
        random_affine_params_f32(
            out(p),
            out(m),
            2,
            3,
            4,
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            flags,
        )
    };
    assert_eq!(call(&mut p, &mut m, ok, 31), OK);
    // (position in ranges, bad value): blamed parameter = 5 + position.
    for (k, v) in [
        (1, -11.0),
        (0, f64::NAN),
        (1, 1e39),
        (2, -0.5),
        (3, f64::INFINITY),
        (4, 0.0),
        (4, 1e-46),
        (5, 0.4),
        (6, -90.0),
        (7, 90.0),
        (7, 89.999_999_999),
        (9, -1.0),
    ] {
        let mut r = ok;
        r[k] = v;
        assert_eq!(call(&mut p, &mut m, r, 0), INVALID_ARGUMENT, "{k} {v}");
        assert_eq!(status_detail_index(), 5 + k as u32, "{k} {v}");
    }
    assert_eq!(call(&mut p, &mut m, ok, 32), INVALID_ARGUMENT);
    assert_eq!((status_detail_index(), status_detail_value()), (15, 32));
    let x = vec![1f32; 24];
    let mut y = vec![0f32; 24];
    let warp = |y: &mut [f32], fill: f32, mode: u32| {
        affine_warp_f32(addr(&x), out(y), addr(&m), 2, 1, 3, 4, fill, mode)
    };
    assert_eq!(warp(&mut y, 0.0, 1), OK);
    assert_eq!(warp(&mut y, f32::NAN, 0), INVALID_ARGUMENT);
    assert_eq!(status_detail_index(), 7);
    assert_eq!(warp(&mut y, 0.0, 2), INVALID_ARGUMENT);
    assert_eq!((status_detail_index(), status_detail_value()), (8, 2));
}

#[test]
fn pooling_checks_take_ceil_mode_output_sizes() {
    // 5×7 images, kernel 2, stride 2: floor 2×3, ceil 3×4 (a partial last window on each axis)
    let x = vec![1f32; 35];
    let (mut y, mut ix) = (vec![0f32; 12], vec![0i32; 12]);
    let max = |y: &mut [f32], ix: &mut [i32], oh, ow, ceil| {
        max_pool2d_f32(
            addr(&x),
            out(y),
            out(ix),
            1,
            5,
            7,
            oh,
            ow,
            2,
            2,
            2,
            2,
            0,
            0,
            1,
            1,
            ceil,
        )
    };
    assert_eq!(max(&mut y, &mut ix, 3, 4, 1), OK);
    assert_eq!(max(&mut y, &mut ix, 2, 3, 0), OK);
    // the sizes of the other mode are refused, naming oh (6) or ow (7) and the size given
    assert_eq!(max(&mut y, &mut ix, 2, 4, 1), INVALID_ARGUMENT);
    assert_eq!((status_detail_index(), status_detail_value()), (6, 2));
    assert_eq!(max(&mut y, &mut ix, 3, 3, 1), INVALID_ARGUMENT);
    assert_eq!((status_detail_index(), status_detail_value()), (7, 3));
    assert_eq!(max(&mut y, &mut ix, 3, 4, 0), INVALID_ARGUMENT);
    assert_eq!((status_detail_index(), status_detail_value()), (6, 3));
    let avg = |y: &mut [f32], oh, ow, ceil| {
        avg_pool2d_f32(
            addr(&x),
            out(y),
            1,
            5,
            7,
            oh,
            ow,
            2,
            2,
            2,
            2,
            0,
            0,
            ceil,
            1,
            0,
        )
    };
    assert_eq!(avg(&mut y, 3, 4, 1), OK);
    assert_eq!(
        y,
        vec![1f32; 12],
        "partial windows divide by their size within the input"
    );
    assert_eq!(avg(&mut y, 3, 3, 1), INVALID_ARGUMENT);
    assert_eq!((status_detail_index(), status_detail_value()), (6, 3));
    let mut dx = vec![0f32; 35];
    let back = |dx: &mut [f32], oh, ceil| {
        avg_pool2d_backward_f32(
            addr(&y),
            out(dx),
            1,
            5,
            7,
            oh,
            4,
            2,
            2,
            2,
            2,
            0,
            0,
            ceil,
            1,
            0,
        )
    };
    assert_eq!(back(&mut dx, 3, 1), OK);
    assert_eq!(back(&mut dx, 4, 1), INVALID_ARGUMENT);
    assert_eq!((status_detail_index(), status_detail_value()), (5, 4));
    // stride 5 over 10 rows: ceil would start a third window at row 10, past the input, so it stays 2
    let x = vec![1f32; 10];
    let (mut y, mut ix) = (vec![0f32; 3], vec![0i32; 3]);
    let tall = |y: &mut [f32], ix: &mut [i32], oh| {
        max_pool2d_f32(
            addr(&x),
            out(y),
            out(ix),
            1,
            10,
            1,
            oh,
            1,
            2,
            1,
            5,
            1,
            0,
            0,
            1,
            1,
            1,
        )
    };
    assert_eq!(tall(&mut y, &mut ix, 2), OK);
    assert_eq!(tall(&mut y, &mut ix, 3), INVALID_ARGUMENT);
    assert_eq!((status_detail_index(), status_detail_value()), (6, 3));
}
