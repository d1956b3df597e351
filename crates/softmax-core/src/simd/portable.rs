//! The vector types on plain arrays, for native builds and as the fallback: every operation is the
//! per-lane IEEE operation of the wasm instruction it stands for, so results are bit-identical to the
//! simd128 build (NaN payloads aside, which wasm leaves unspecified).

#[derive(Clone, Copy)]
pub(crate) struct F32x4([f32; 4]);

#[derive(Clone, Copy)]
pub(crate) struct I32x4([i32; 4]);

#[derive(Clone, Copy)]
pub(crate) struct U32x4([u32; 4]);

#[derive(Clone, Copy)]
pub(crate) struct U8x16([u8; 16]);

/// Scalar twin of `F32x4::max` (wasm `f32x4.max`): NaN if either operand is NaN, and +0 > −0.
#[inline(always)]
pub(super) fn wasm_max(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else if a == b {
        // only ±0 compare equal with different bits: the max has the sign bit clear if either has
        f32::from_bits(a.to_bits() & b.to_bits())
    } else if a > b {
        a
    } else {
        b
    }
}

/// Scalar twin of `F32x4::nearest` (wasm `f32x4.nearest`): round to the nearest integer, ties to even,
/// keeping the sign of zero. Rust 1.63 has no `round_ties_even`.
#[inline(always)]
pub(super) fn nearest(x: f32) -> f32 {
    const TWO23: f32 = 8_388_608.0;
    let t = x.abs();
    if t < TWO23 {
        // t + 2^23 rounds t to an integer (ties to even) in the default rounding mode
        ((t + TWO23) - TWO23).copysign(x)
    } else {
        x
    }
}

#[inline(always)]
fn map<T: Copy, U>(a: [T; 4], f: impl Fn(T) -> U) -> [U; 4] {
    [f(a[0]), f(a[1]), f(a[2]), f(a[3])]
}
#[inline(always)]
fn zip<T: Copy, U: Copy, V>(a: [T; 4], b: [U; 4], f: impl Fn(T, U) -> V) -> [V; 4] {
    [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
}
#[inline(always)]
fn mask(b: bool) -> i32 {
    if b {
        -1
    } else {
        0
    }
}
#[inline(always)]
fn bits(v: [f32; 4]) -> [u32; 4] {
    map(v, f32::to_bits)
}
#[inline(always)]
fn from_bits(v: [u32; 4]) -> [f32; 4] {
    map(v, f32::from_bits)
}

impl F32x4 {
    #[inline(always)]
    pub(crate) fn zero() -> Self {
        F32x4([0.0; 4])
    }
    #[inline(always)]
    pub(crate) fn splat(v: f32) -> Self {
        F32x4([v; 4])
    }
    #[inline(always)]
    pub(crate) fn load(s: &[f32]) -> Self {
        F32x4([s[0], s[1], s[2], s[3]])
    }
    #[inline(always)]
    pub(crate) fn store(self, s: &mut [f32]) {
        s[..4].copy_from_slice(&self.0);
    }
    /// # Safety
    /// `p..p+4` must be readable.
    #[inline(always)]
    pub(crate) unsafe fn load_ptr(p: *const f32) -> Self {
        F32x4([*p, *p.add(1), *p.add(2), *p.add(3)])
    }
    /// # Safety
    /// `p..p+4` must be writable.
    #[inline(always)]
    pub(crate) unsafe fn store_ptr(self, p: *mut f32) {
        for (l, v) in self.0.iter().enumerate() {
            *p.add(l) = *v;
        }
    }
    /// # Safety
    /// `p` must be readable.
    #[inline(always)]
    pub(crate) unsafe fn load_splat(p: *const f32) -> Self {
        F32x4([*p; 4])
    }
    #[inline(always)]
    pub(crate) fn add(self, o: Self) -> Self {
        F32x4(zip(self.0, o.0, |a, b| a + b))
    }
    #[inline(always)]
    pub(crate) fn sub(self, o: Self) -> Self {
        F32x4(zip(self.0, o.0, |a, b| a - b))
    }
    #[inline(always)]
    pub(crate) fn mul(self, o: Self) -> Self {
        F32x4(zip(self.0, o.0, |a, b| a * b))
    }
    #[inline(always)]
    pub(crate) fn div(self, o: Self) -> Self {
        F32x4(zip(self.0, o.0, |a, b| a / b))
    }
    #[inline(always)]
    pub(crate) fn sqrt(self) -> Self {
        F32x4(map(self.0, f32::sqrt))
    }
    /// Flips the sign bit (NaN included), as `f32x4.neg`.
    #[inline(always)]
    pub(crate) fn neg(self) -> Self {
        F32x4(map(self.0, |a| -a))
    }
    /// Clears the sign bit (NaN included), as `f32x4.abs`.
    #[inline(always)]
    pub(crate) fn abs(self) -> Self {
        F32x4(map(self.0, f32::abs))
    }
    #[inline(always)]
    pub(crate) fn max(self, o: Self) -> Self {
        F32x4(zip(self.0, o.0, wasm_max))
    }
    #[inline(always)]
    pub(crate) fn nearest(self) -> Self {
        F32x4(map(self.0, nearest))
    }
    #[inline(always)]
    pub(crate) fn floor(self) -> Self {
        F32x4(map(self.0, f32::floor))
    }
    #[inline(always)]
    pub(crate) fn ceil(self) -> Self {
        F32x4(map(self.0, f32::ceil))
    }
    #[inline(always)]
    pub(crate) fn pmax(self, o: Self) -> Self {
        F32x4(zip(self.0, o.0, super::pmax))
    }
    #[inline(always)]
    pub(crate) fn eq(self, o: Self) -> I32x4 {
        I32x4(zip(self.0, o.0, |a, b| mask(a == b)))
    }
    #[inline(always)]
    pub(crate) fn ne(self, o: Self) -> I32x4 {
        I32x4(zip(self.0, o.0, |a, b| mask(a != b)))
    }
    #[inline(always)]
    pub(crate) fn lt(self, o: Self) -> I32x4 {
        I32x4(zip(self.0, o.0, |a, b| mask(a < b)))
    }
    #[inline(always)]
    pub(crate) fn gt(self, o: Self) -> I32x4 {
        I32x4(zip(self.0, o.0, |a, b| mask(a > b)))
    }
    #[inline(always)]
    pub(crate) fn le(self, o: Self) -> I32x4 {
        I32x4(zip(self.0, o.0, |a, b| mask(a <= b)))
    }
    #[inline(always)]
    pub(crate) fn ge(self, o: Self) -> I32x4 {
        I32x4(zip(self.0, o.0, |a, b| mask(a >= b)))
    }
    #[inline(always)]
    pub(crate) fn and(self, m: I32x4) -> Self {
        F32x4(from_bits(zip(bits(self.0), m.0, |a, b| a & b as u32)))
    }
    #[inline(always)]
    pub(crate) fn andnot(self, m: I32x4) -> Self {
        F32x4(from_bits(zip(bits(self.0), m.0, |a, b| a & !(b as u32))))
    }
    #[inline(always)]
    pub(crate) fn select(m: I32x4, a: Self, b: Self) -> Self {
        let ab = zip(bits(a.0), bits(b.0), |x, y| (x, y));
        F32x4(from_bits(zip(ab, m.0, |(x, y), m| {
            (x & m as u32) | (y & !(m as u32))
        })))
    }
    #[inline(always)]
    pub(crate) fn zero_where_zero(self, d: Self) -> Self {
        F32x4(zip(self.0, d.0, |a, b| if b == 0.0 { 0.0 } else { a }))
    }
    #[inline(always)]
    pub(crate) fn one_where_zero(d: Self) -> Self {
        F32x4(map(d.0, |b| if b == 0.0 { 1.0 } else { 0.0 }))
    }
    #[inline(always)]
    pub(crate) fn fix_range(self, x: Self, lo: f32, hi: f32) -> Self {
        F32x4(zip(self.0, x.0, |r, v| super::fix_range(r, v, lo, hi)))
    }
    #[inline(always)]
    pub(crate) fn lane(self, i: usize) -> f32 {
        self.0[i]
    }
    #[inline(always)]
    pub(crate) fn to_array(self) -> [f32; 4] {
        self.0
    }
    #[inline(always)]
    pub(crate) fn to_bits(self) -> I32x4 {
        I32x4(map(self.0, |a| a.to_bits() as i32))
    }
    /// Rust's `as` saturates and maps NaN to 0, as `i32x4.trunc_sat_f32x4_s`.
    #[inline(always)]
    pub(crate) fn trunc_sat_i32(self) -> I32x4 {
        I32x4(map(self.0, |a| a as i32))
    }
    #[inline(always)]
    pub(crate) fn interleave(a: Self, b: Self) -> (Self, Self) {
        let (a, b) = (a.0, b.0);
        (
            F32x4([a[0], b[0], a[1], b[1]]),
            F32x4([a[2], b[2], a[3], b[3]]),
        )
    }
    #[inline(always)]
    pub(crate) fn deinterleave(a: Self, b: Self) -> (Self, Self) {
        let (a, b) = (a.0, b.0);
        (
            F32x4([a[0], a[2], b[0], b[2]]),
            F32x4([a[1], a[3], b[1], b[3]]),
        )
    }
    #[inline(always)]
    pub(crate) fn concat_lo(a: Self, b: Self) -> Self {
        F32x4([a.0[0], a.0[1], b.0[0], b.0[1]])
    }
    #[inline(always)]
    pub(crate) fn concat_hi(a: Self, b: Self) -> Self {
        F32x4([a.0[2], a.0[3], b.0[2], b.0[3]])
    }
}

impl I32x4 {
    #[inline(always)]
    pub(crate) fn new(l: [i32; 4]) -> Self {
        I32x4(l)
    }
    #[inline(always)]
    pub(crate) fn splat(v: i32) -> Self {
        I32x4([v; 4])
    }
    #[inline(always)]
    pub(crate) fn add(self, o: Self) -> Self {
        I32x4(zip(self.0, o.0, i32::wrapping_add))
    }
    #[inline(always)]
    pub(crate) fn sub(self, o: Self) -> Self {
        I32x4(zip(self.0, o.0, i32::wrapping_sub))
    }
    #[inline(always)]
    pub(crate) fn shr<const N: u32>(self) -> Self {
        I32x4(map(self.0, |a| a.wrapping_shr(N)))
    }
    #[inline(always)]
    pub(crate) fn shl<const N: u32>(self) -> Self {
        I32x4(map(self.0, |a| a.wrapping_shl(N)))
    }
    #[inline(always)]
    pub(crate) fn and(self, o: Self) -> Self {
        I32x4(zip(self.0, o.0, |a, b| a & b))
    }
    #[inline(always)]
    pub(crate) fn or(self, o: Self) -> Self {
        I32x4(zip(self.0, o.0, |a, b| a | b))
    }
    #[inline(always)]
    pub(crate) fn select(m: I32x4, a: Self, b: Self) -> Self {
        let ab = zip(a.0, b.0, |x, y| (x, y));
        I32x4(zip(ab, m.0, |(x, y), m| (x & m) | (y & !m)))
    }
    /// # Safety
    /// `p..p+4` must be writable.
    #[inline(always)]
    pub(crate) unsafe fn store_ptr(self, p: *mut i32) {
        for (l, v) in self.0.iter().enumerate() {
            *p.add(l) = *v;
        }
    }
    #[inline(always)]
    pub(crate) fn bits_to_f32(self) -> F32x4 {
        F32x4(map(self.0, |a| f32::from_bits(a as u32)))
    }
}

impl U32x4 {
    #[inline(always)]
    pub(crate) fn splat(v: u32) -> Self {
        U32x4([v; 4])
    }
    /// # Safety
    /// `p..p+4` must be readable.
    #[inline(always)]
    pub(crate) unsafe fn load_ptr(p: *const u32) -> Self {
        U32x4([*p, *p.add(1), *p.add(2), *p.add(3)])
    }
    #[inline(always)]
    pub(crate) fn shr<const N: u32>(self) -> Self {
        U32x4(map(self.0, |a| a.wrapping_shr(N)))
    }
    #[inline(always)]
    pub(crate) fn ge(self, o: Self) -> I32x4 {
        I32x4(zip(self.0, o.0, |a, b| mask(a >= b)))
    }
    #[inline(always)]
    pub(crate) fn or(self, o: Self) -> Self {
        U32x4(zip(self.0, o.0, |a, b| a | b))
    }
    #[inline(always)]
    pub(crate) fn bits_to_f32(self) -> F32x4 {
        F32x4(from_bits(self.0))
    }
}

impl U8x16 {
    /// # Safety
    /// `p..p+16` must be readable.
    #[inline(always)]
    pub(crate) unsafe fn load_ptr(p: *const u8) -> Self {
        let mut a = [0u8; 16];
        for (l, v) in a.iter_mut().enumerate() {
            *v = *p.add(l);
        }
        U8x16(a)
    }
    #[inline(always)]
    pub(crate) fn widen(self) -> [U32x4; 4] {
        let w = |q: usize| {
            let b = &self.0[4 * q..4 * q + 4];
            U32x4([b[0] as u32, b[1] as u32, b[2] as u32, b[3] as u32])
        };
        [w(0), w(1), w(2), w(3)]
    }
}
