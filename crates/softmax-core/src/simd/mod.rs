//! The crate's one SIMD layer: four-lane vectors and the operations the kernels use, declared once.
//!
//! `wasm.rs` maps every operation to one (or a fixed few) wasm simd128 instructions; `portable.rs`
//! implements the same operations on plain arrays, lane by lane, with exactly the IEEE semantics of that
//! instruction (no fused multiply-add, wasm's NaN and ±0 rules for min/max, saturating conversions). The
//! portable twin is what native builds (and wasm builds without `+simd128`) run, so native `cargo test`
//! exercises every kernel's fast path, bit for bit as the wasm build computes it (NaN payloads aside,
//! which wasm leaves to the engine).
//!
//! Types (both files define them with the same methods):
//! * `F32x4` — four f32 lanes: `zero splat load store load_ptr store_ptr load_splat add sub mul div sqrt
//!   neg abs max nearest floor ceil pmax eq ne lt gt le ge and andnot select lane to_array to_bits
//!   trunc_sat_i32 interleave deinterleave concat_lo concat_hi`, and the mask idioms of the softmax kernels
//!   `zero_where_zero one_where_zero fix_range`.
//! * `I32x4` — four i32 lanes, also the mask type (every comparison returns lanes of 0 or −1):
//!   `new splat add sub shl shr and or select store_ptr bits_to_f32`.
//! * `U32x4` — four u32 lanes: `splat load_ptr shr ge or bits_to_f32`.
//! * `U8x16` — sixteen u8 lanes: `load_ptr widen` (to four `U32x4`, zero-extended).
//!
//! Written once on top of them (here): `transpose4`, the horizontal `reduce_sum` / `reduce_pmax`, and
//! `pmax` and `fix_range`, the scalar twins that the kernels' tails use.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) use wasm::{F32x4, I32x4, U32x4, U8x16};

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod portable;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(crate) use portable::{F32x4, I32x4, U32x4, U8x16};

#[cfg(test)]
mod tests;

/// Scalar twin of `F32x4::pmax` (wasm `f32x4.pmax`): `if a < b { b } else { a }`. A NaN in `b` is
/// ignored, a NaN in `a` is kept.
#[inline(always)]
pub(crate) fn pmax(a: f32, b: f32) -> f32 {
    if a < b {
        b
    } else {
        a
    }
}

/// Scalar twin of `F32x4::fix_range`.
#[inline(always)]
pub(crate) fn fix_range(r: f32, x: f32, lo: f32, hi: f32) -> f32 {
    if x < lo {
        0.0
    } else if x > hi {
        f32::INFINITY
    } else {
        r
    }
}

impl F32x4 {
    /// `(l0 + l1) + (l2 + l3)`.
    #[inline(always)]
    pub(crate) fn reduce_sum(self) -> f32 {
        (self.lane(0) + self.lane(1)) + (self.lane(2) + self.lane(3))
    }
    /// `pmax(pmax(l0, l1), pmax(l2, l3))`.
    #[inline(always)]
    pub(crate) fn reduce_pmax(self) -> f32 {
        pmax(
            pmax(self.lane(0), self.lane(1)),
            pmax(self.lane(2), self.lane(3)),
        )
    }
}

/// Transposes the 4×4 block whose rows are `r`: returns its columns.
#[inline(always)]
pub(crate) fn transpose4(r: [F32x4; 4]) -> [F32x4; 4] {
    let (t0, t1) = F32x4::interleave(r[0], r[1]);
    let (t2, t3) = F32x4::interleave(r[2], r[3]);
    [
        F32x4::concat_lo(t0, t2),
        F32x4::concat_hi(t0, t2),
        F32x4::concat_lo(t1, t3),
        F32x4::concat_hi(t1, t3),
    ]
}
