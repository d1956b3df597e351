//! The portable lanes against the wasm instruction semantics they stand for (the wasm build runs the
//! kernels' fast paths against their `_ref` twins in the TypeScript tests).

use super::portable::{nearest, wasm_max};
use super::*;

#[test]
fn nearest_rounds_ties_to_even_and_keeps_signed_zero() {
    let cases: [(f32, f32); 12] = [
        (0.5, 0.0),
        (1.5, 2.0),
        (2.5, 2.0),
        (-0.5, -0.0),
        (-2.5, -2.0),
        (-3.5, -4.0),
        (0.49999997, 0.0),
        (-0.0, -0.0),
        (8_388_607.5, 8_388_608.0),
        (1e30, 1e30),
        (f32::INFINITY, f32::INFINITY),
        (-1.25, -1.0),
    ];
    for (x, want) in cases {
        assert_eq!(nearest(x).to_bits(), want.to_bits(), "nearest({x})");
    }
    assert!(nearest(f32::NAN).is_nan());
}

#[test]
fn max_follows_wasm_nan_and_zero_rules() {
    assert!(wasm_max(f32::NAN, 1.0).is_nan());
    assert!(wasm_max(1.0, f32::NAN).is_nan());
    assert_eq!(wasm_max(-0.0, 0.0).to_bits(), 0.0f32.to_bits());
    assert_eq!(wasm_max(0.0, -0.0).to_bits(), 0.0f32.to_bits());
    assert_eq!(wasm_max(-0.0, -0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(wasm_max(-3.0, 2.0), 2.0);
    // pmax is the asymmetric one
    assert!(pmax(f32::NAN, 1.0).is_nan());
    assert_eq!(pmax(1.0, f32::NAN), 1.0);
    assert_eq!(pmax(-0.0, 0.0).to_bits(), (-0.0f32).to_bits());
}

#[test]
fn conversions_saturate_and_masks_select() {
    let v = F32x4::load(&[f32::NAN, 3e9, -3e9, -2.7]);
    let t = v.trunc_sat_i32();
    let mut out = [0i32; 4];
    // SAFETY: out has 4 lanes.
    unsafe { t.store_ptr(out.as_mut_ptr()) };
    assert_eq!(out, [0, i32::MAX, i32::MIN, -2]);
    let a = F32x4::load(&[1.0, 2.0, 3.0, 4.0]);
    let b = F32x4::splat(-1.0);
    let m = a.gt(F32x4::splat(2.0));
    assert_eq!(F32x4::select(m, a, b).to_array(), [-1.0, -1.0, 3.0, 4.0]);
    assert_eq!(a.and(m).to_array(), [0.0, 0.0, 3.0, 4.0]);
    assert_eq!(a.andnot(m).to_array(), [1.0, 2.0, 0.0, 0.0]);
    let u = U32x4::splat(0xFFFF_FF00).shr::<8>();
    let ge = u.ge(U32x4::splat(0x00FF_FFFF));
    assert_eq!(F32x4::splat(1.0).and(ge).to_array(), [1.0; 4]);
    assert_eq!(
        I32x4::splat(-8)
            .shr::<1>()
            .bits_to_f32()
            .to_bits()
            .bits_to_f32()
            .to_array()[0]
            .to_bits(),
        (-4i32) as u32
    );
}

#[test]
fn transpose_and_widen_move_lanes() {
    let r = [0, 1, 2, 3].map(|i| {
        F32x4::load(&[
            4.0 * i as f32,
            4.0 * i as f32 + 1.0,
            4.0 * i as f32 + 2.0,
            4.0 * i as f32 + 3.0,
        ])
    });
    let c = transpose4(r);
    for (j, col) in c.iter().enumerate() {
        assert_eq!(
            col.to_array(),
            [j as f32, 4.0 + j as f32, 8.0 + j as f32, 12.0 + j as f32]
        );
    }
    let bytes: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 251, 252, 253, 254, 255];
    // SAFETY: 16 readable bytes.
    let w = unsafe { U8x16::load_ptr(bytes.as_ptr()) }.widen();
    let magic = U32x4::splat(0x4B00_0000);
    for (q, v) in w.iter().enumerate() {
        let f = v
            .or(magic)
            .bits_to_f32()
            .sub(F32x4::splat(8_388_608.0))
            .to_array();
        for l in 0..4 {
            assert_eq!(f[l], bytes[4 * q + l] as f32);
        }
    }
}
