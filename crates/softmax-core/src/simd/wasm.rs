//! The vector types on wasm simd128: one instruction (or a fixed few) per operation, always inlined so
//! that the kernels keep their values in registers.

use core::arch::wasm32::*;

/// Four f32 lanes in one simd128 register.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct F32x4(v128);

/// Four i32 lanes; also the lane mask (0 or −1) the comparisons return.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct I32x4(v128);

/// Four u32 lanes.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U32x4(v128);

/// Sixteen u8 lanes.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub(crate) struct U8x16(v128);

impl F32x4 {
    #[inline(always)]
    pub(crate) fn zero() -> Self {
        F32x4(f32x4_splat(0.0))
    }
    #[inline(always)]
    pub(crate) fn splat(v: f32) -> Self {
        F32x4(f32x4_splat(v))
    }
    /// Loads `s[0..4]` (unaligned). Panics if `s` is shorter than 4 (the check folds away for
    /// `chunks_exact` chunks).
    #[inline(always)]
    pub(crate) fn load(s: &[f32]) -> Self {
        assert!(s.len() >= 4);
        // SAFETY: 4 f32 are in bounds (checked above); v128_load has no alignment requirement.
        F32x4(unsafe { v128_load(s.as_ptr() as *const v128) })
    }
    #[inline(always)]
    pub(crate) fn store(self, s: &mut [f32]) {
        assert!(s.len() >= 4);
        // SAFETY: as in `load`.
        unsafe { v128_store(s.as_mut_ptr() as *mut v128, self.0) }
    }
    /// # Safety
    /// `p..p+4` must be readable.
    #[inline(always)]
    pub(crate) unsafe fn load_ptr(p: *const f32) -> Self {
        F32x4(v128_load(p as *const v128))
    }
    /// # Safety
    /// `p..p+4` must be writable.
    #[inline(always)]
    pub(crate) unsafe fn store_ptr(self, p: *mut f32) {
        v128_store(p as *mut v128, self.0)
    }
    /// `*p` in every lane.
    ///
    /// # Safety
    /// `p` must be readable.
    #[inline(always)]
    pub(crate) unsafe fn load_splat(p: *const f32) -> Self {
        F32x4(v128_load32_splat(p as *const u32))
    }
    #[inline(always)]
    pub(crate) fn add(self, o: Self) -> Self {
        F32x4(f32x4_add(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn sub(self, o: Self) -> Self {
        F32x4(f32x4_sub(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn mul(self, o: Self) -> Self {
        F32x4(f32x4_mul(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn div(self, o: Self) -> Self {
        F32x4(f32x4_div(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn sqrt(self) -> Self {
        F32x4(f32x4_sqrt(self.0))
    }
    #[inline(always)]
    pub(crate) fn neg(self) -> Self {
        F32x4(f32x4_neg(self.0))
    }
    #[inline(always)]
    pub(crate) fn abs(self) -> Self {
        F32x4(f32x4_abs(self.0))
    }
    /// wasm `f32x4.max`: NaN if either lane is NaN, +0 > −0 (V8 expands it into several instructions).
    #[inline(always)]
    pub(crate) fn max(self, o: Self) -> Self {
        F32x4(f32x4_max(self.0, o.0))
    }
    /// Round to nearest, ties to even.
    #[inline(always)]
    pub(crate) fn nearest(self) -> Self {
        F32x4(f32x4_nearest(self.0))
    }
    /// Round toward −∞.
    #[inline(always)]
    pub(crate) fn floor(self) -> Self {
        F32x4(f32x4_floor(self.0))
    }
    /// Round toward +∞.
    #[inline(always)]
    pub(crate) fn ceil(self) -> Self {
        F32x4(f32x4_ceil(self.0))
    }
    /// Pseudo-max `if self < o { o } else { self }` (wasm `f32x4.pmax`, one `maxps` on x86).
    #[inline(always)]
    pub(crate) fn pmax(self, o: Self) -> Self {
        F32x4(f32x4_pmax(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn eq(self, o: Self) -> I32x4 {
        I32x4(f32x4_eq(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn ne(self, o: Self) -> I32x4 {
        I32x4(f32x4_ne(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn lt(self, o: Self) -> I32x4 {
        I32x4(f32x4_lt(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn gt(self, o: Self) -> I32x4 {
        I32x4(f32x4_gt(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn le(self, o: Self) -> I32x4 {
        I32x4(f32x4_le(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn ge(self, o: Self) -> I32x4 {
        I32x4(f32x4_ge(self.0, o.0))
    }
    /// Bitwise `self & m`: the lanes where the mask is set, +0 elsewhere.
    #[inline(always)]
    pub(crate) fn and(self, m: I32x4) -> Self {
        F32x4(v128_and(self.0, m.0))
    }
    /// Bitwise `self & !m`: +0 where the mask is set.
    #[inline(always)]
    pub(crate) fn andnot(self, m: I32x4) -> Self {
        F32x4(v128_andnot(self.0, m.0))
    }
    /// `a` where the mask is set, else `b` (bitwise select).
    #[inline(always)]
    pub(crate) fn select(m: I32x4, a: Self, b: Self) -> Self {
        F32x4(v128_bitselect(a.0, b.0, m.0))
    }
    /// Lanes where `d == 0.0` become 0, the others keep `self` (`d` is NaN-safe: NaN ≠ 0).
    #[inline(always)]
    pub(crate) fn zero_where_zero(self, d: Self) -> Self {
        F32x4(v128_andnot(self.0, f32x4_eq(d.0, f32x4_splat(0.0))))
    }
    /// 1.0 where `d == 0.0`, else 0.0.
    #[inline(always)]
    pub(crate) fn one_where_zero(d: Self) -> Self {
        F32x4(v128_and(f32x4_eq(d.0, f32x4_splat(0.0)), f32x4_splat(1.0)))
    }
    /// `self` where `lo <= x <= hi` (or x is NaN), +0 where `x < lo`, +inf where `x > hi`. Written as
    /// one op: composed from the mask ops above, LLVM 14 turns it into two v128.bitselect, which V8
    /// runs ~5 % slower in log_softmax (docs/PERFORMANCE.md).
    #[inline(always)]
    pub(crate) fn fix_range(self, x: Self, lo: f32, hi: f32) -> Self {
        let under = f32x4_lt(x.0, f32x4_splat(lo));
        let over = f32x4_gt(x.0, f32x4_splat(hi));
        F32x4(v128_or(
            v128_andnot(self.0, v128_or(under, over)),
            v128_and(over, f32x4_splat(f32::INFINITY)),
        ))
    }
    #[inline(always)]
    pub(crate) fn lane(self, i: usize) -> f32 {
        match i {
            0 => f32x4_extract_lane::<0>(self.0),
            1 => f32x4_extract_lane::<1>(self.0),
            2 => f32x4_extract_lane::<2>(self.0),
            _ => f32x4_extract_lane::<3>(self.0),
        }
    }
    #[inline(always)]
    pub(crate) fn to_array(self) -> [f32; 4] {
        [
            f32x4_extract_lane::<0>(self.0),
            f32x4_extract_lane::<1>(self.0),
            f32x4_extract_lane::<2>(self.0),
            f32x4_extract_lane::<3>(self.0),
        ]
    }
    /// The bits, reinterpreted (no instruction).
    #[inline(always)]
    pub(crate) fn to_bits(self) -> I32x4 {
        I32x4(self.0)
    }
    /// Truncation toward zero, saturating, NaN → 0.
    #[inline(always)]
    pub(crate) fn trunc_sat_i32(self) -> I32x4 {
        I32x4(i32x4_trunc_sat_f32x4(self.0))
    }
    /// `([a0, b0, a1, b1], [a2, b2, a3, b3])`.
    #[inline(always)]
    pub(crate) fn interleave(a: Self, b: Self) -> (Self, Self) {
        (
            F32x4(i32x4_shuffle::<0, 4, 1, 5>(a.0, b.0)),
            F32x4(i32x4_shuffle::<2, 6, 3, 7>(a.0, b.0)),
        )
    }
    /// `([a0, a2, b0, b2], [a1, a3, b1, b3])`: the even and the odd lanes of `a` then `b`.
    #[inline(always)]
    pub(crate) fn deinterleave(a: Self, b: Self) -> (Self, Self) {
        (
            F32x4(i32x4_shuffle::<0, 2, 4, 6>(a.0, b.0)),
            F32x4(i32x4_shuffle::<1, 3, 5, 7>(a.0, b.0)),
        )
    }
    /// `[a0, a1, b0, b1]`.
    #[inline(always)]
    pub(crate) fn concat_lo(a: Self, b: Self) -> Self {
        F32x4(i64x2_shuffle::<0, 2>(a.0, b.0))
    }
    /// `[a2, a3, b2, b3]`.
    #[inline(always)]
    pub(crate) fn concat_hi(a: Self, b: Self) -> Self {
        F32x4(i64x2_shuffle::<1, 3>(a.0, b.0))
    }
}

impl I32x4 {
    #[inline(always)]
    pub(crate) fn new(l: [i32; 4]) -> Self {
        I32x4(i32x4(l[0], l[1], l[2], l[3]))
    }
    #[inline(always)]
    pub(crate) fn splat(v: i32) -> Self {
        I32x4(i32x4_splat(v))
    }
    #[inline(always)]
    pub(crate) fn add(self, o: Self) -> Self {
        I32x4(i32x4_add(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn sub(self, o: Self) -> Self {
        I32x4(i32x4_sub(self.0, o.0))
    }
    /// Arithmetic shift right.
    #[inline(always)]
    pub(crate) fn shr<const N: u32>(self) -> Self {
        I32x4(i32x4_shr(self.0, N))
    }
    #[inline(always)]
    pub(crate) fn shl<const N: u32>(self) -> Self {
        I32x4(i32x4_shl(self.0, N))
    }
    #[inline(always)]
    pub(crate) fn and(self, o: Self) -> Self {
        I32x4(v128_and(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn or(self, o: Self) -> Self {
        I32x4(v128_or(self.0, o.0))
    }
    /// `a` where the mask is set, else `b` (bitwise select).
    #[inline(always)]
    pub(crate) fn select(m: I32x4, a: Self, b: Self) -> Self {
        I32x4(v128_bitselect(a.0, b.0, m.0))
    }
    /// # Safety
    /// `p..p+4` must be writable.
    #[inline(always)]
    pub(crate) unsafe fn store_ptr(self, p: *mut i32) {
        v128_store(p as *mut v128, self.0)
    }
    /// The bits, reinterpreted (no instruction).
    #[inline(always)]
    pub(crate) fn bits_to_f32(self) -> F32x4 {
        F32x4(self.0)
    }
}

impl U32x4 {
    #[inline(always)]
    pub(crate) fn splat(v: u32) -> Self {
        U32x4(u32x4_splat(v))
    }
    /// # Safety
    /// `p..p+4` must be readable.
    #[inline(always)]
    pub(crate) unsafe fn load_ptr(p: *const u32) -> Self {
        U32x4(v128_load(p as *const v128))
    }
    /// Logical shift right.
    #[inline(always)]
    pub(crate) fn shr<const N: u32>(self) -> Self {
        U32x4(u32x4_shr(self.0, N))
    }
    /// Unsigned `self >= o`.
    #[inline(always)]
    pub(crate) fn ge(self, o: Self) -> I32x4 {
        I32x4(u32x4_ge(self.0, o.0))
    }
    #[inline(always)]
    pub(crate) fn or(self, o: Self) -> Self {
        U32x4(v128_or(self.0, o.0))
    }
    /// The bits, reinterpreted (no instruction).
    #[inline(always)]
    pub(crate) fn bits_to_f32(self) -> F32x4 {
        F32x4(self.0)
    }
}

impl U8x16 {
    /// # Safety
    /// `p..p+16` must be readable.
    #[inline(always)]
    pub(crate) unsafe fn load_ptr(p: *const u8) -> Self {
        U8x16(v128_load(p as *const v128))
    }
    /// Lanes 0–3, 4–7, 8–11, 12–15 zero-extended to u32 (two widening steps through u16).
    #[inline(always)]
    pub(crate) fn widen(self) -> [U32x4; 4] {
        let lo = u16x8_extend_low_u8x16(self.0);
        let hi = u16x8_extend_high_u8x16(self.0);
        [
            U32x4(u32x4_extend_low_u16x8(lo)),
            U32x4(u32x4_extend_high_u16x8(lo)),
            U32x4(u32x4_extend_low_u16x8(hi)),
            U32x4(u32x4_extend_high_u16x8(hi)),
        ]
    }
}
