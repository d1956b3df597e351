//! GEMM: `C = alpha · op(A) · op(B) + beta · C` on row-major, contiguous f32 matrices.
//!
//! `op(A)` is m×k, stored m×k (`trans_a == false`) or k×m (`trans_a == true`); `op(B)` is k×n, stored
//! k×n or n×k. `C` is m×n. As in BLAS, `beta == 0` overwrites `C` (NaN or garbage in `C` is ignored),
//! and `k == 0` or `alpha == 0` only scale `C` by `beta` (A and B are not read).
//!
//! Paths (all four transposition combinations stay on a fast path):
//! * [`gemm_ref`]: the scalar triple loop, the reference.
//! * blocked GEMM (n blocks of ≤ 2048, k blocks of ≤ 256, m blocks of ≤ 128) around a register-blocked
//!   4×8 micro-kernel, `gemm_f32_4x8_simd128` (8 four-lane accumulators: the largest tile that fits
//!   V8's ~15 vector registers without spilling, see PERF-NOTES). `op(A)` is always packed into 4-row
//!   panels (its four values per k step at constant offsets from one pointer: no address arithmetic in
//!   the inner loop); `op(B)` is packed into 8-column panels when its columns are not contiguous
//!   (`trans_b`) or when many rows reuse each panel (m ≥ 32), and read in place otherwise (dW = dYᵀ·x
//!   with 10 rows). Tails: 1–3-row and ≤ 7-column edge tiles (`gemm_f32_edge_simd128`, B's last
//!   panel zero-padded), and 1–2-row tails as 2×16 tiles (`gemm_f32_2x16_simd128`). A few rows that are a
//!   multiple of 5 but not of 4 (10 classes) run as 5×8 tiles (`gemm_f32_5x8_simd128`, 10 accumulators).
//!   Packing transposes 4×4 blocks with vector shuffles.
//! * a dot-product kernel for `A·op(B)` with few outputs (the softmax-regression forward `x·Wᵀ` with W
//!   10×784): A's rows are contiguous along `k` and read in place, the small op(B) is packed once, and
//!   2 rows × 4 outputs are reduced per step.
//!
//! The vector type `F4` maps to `core::arch::wasm32` simd128 when the crate is built for wasm32 with
//! `+simd128`, and to a portable `[f32; 4]` otherwise, so native tests run the very same blocking, packing
//! and tail logic as the wasm build.

use std::cell::RefCell;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::*;

    /// Four f32 lanes in one simd128 register.
    #[derive(Clone, Copy)]
    pub(super) struct F4(v128);

    impl F4 {
        #[inline(always)]
        pub(super) fn zero() -> F4 {
            F4(f32x4_splat(0.0))
        }
        #[inline(always)]
        pub(super) fn splat(x: f32) -> F4 {
            F4(f32x4_splat(x))
        }
        /// # Safety
        /// `p..p+4` must be readable.
        #[inline(always)]
        pub(super) unsafe fn load(p: *const f32) -> F4 {
            F4(v128_load(p as *const v128))
        }
        /// # Safety
        /// `p` must be readable.
        #[inline(always)]
        pub(super) unsafe fn load_splat(p: *const f32) -> F4 {
            F4(v128_load32_splat(p as *const u32))
        }
        /// # Safety
        /// `p..p+4` must be writable.
        #[inline(always)]
        pub(super) unsafe fn store(self, p: *mut f32) {
            v128_store(p as *mut v128, self.0)
        }
        #[inline(always)]
        pub(super) fn add(self, o: F4) -> F4 {
            F4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub(super) fn mul(self, o: F4) -> F4 {
            F4(f32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        pub(super) fn to_array(self) -> [f32; 4] {
            [
                f32x4_extract_lane::<0>(self.0),
                f32x4_extract_lane::<1>(self.0),
                f32x4_extract_lane::<2>(self.0),
                f32x4_extract_lane::<3>(self.0),
            ]
        }
    }

    /// Transposes the 4×4 block whose rows are `r`: returns its columns.
    #[inline(always)]
    pub(super) fn transpose4(r: [F4; 4]) -> [F4; 4] {
        let t0 = i32x4_shuffle::<0, 4, 1, 5>(r[0].0, r[1].0);
        let t1 = i32x4_shuffle::<2, 6, 3, 7>(r[0].0, r[1].0);
        let t2 = i32x4_shuffle::<0, 4, 1, 5>(r[2].0, r[3].0);
        let t3 = i32x4_shuffle::<2, 6, 3, 7>(r[2].0, r[3].0);
        [
            F4(i64x2_shuffle::<0, 2>(t0, t2)),
            F4(i64x2_shuffle::<1, 3>(t0, t2)),
            F4(i64x2_shuffle::<0, 2>(t1, t3)),
            F4(i64x2_shuffle::<1, 3>(t1, t3)),
        ]
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    /// Portable stand-in for a four-lane register (native builds and wasm without simd128).
    #[derive(Clone, Copy)]
    pub(super) struct F4([f32; 4]);

    impl F4 {
        #[inline(always)]
        pub(super) fn zero() -> F4 {
            F4([0.0; 4])
        }
        #[inline(always)]
        pub(super) fn splat(x: f32) -> F4 {
            F4([x; 4])
        }
        /// # Safety
        /// `p..p+4` must be readable.
        #[inline(always)]
        pub(super) unsafe fn load(p: *const f32) -> F4 {
            F4([*p, *p.add(1), *p.add(2), *p.add(3)])
        }
        /// # Safety
        /// `p` must be readable.
        #[inline(always)]
        pub(super) unsafe fn load_splat(p: *const f32) -> F4 {
            F4([*p; 4])
        }
        /// # Safety
        /// `p..p+4` must be writable.
        #[inline(always)]
        pub(super) unsafe fn store(self, p: *mut f32) {
            for (l, v) in self.0.iter().enumerate() {
                *p.add(l) = *v;
            }
        }
        #[inline(always)]
        pub(super) fn add(self, o: F4) -> F4 {
            F4([
                self.0[0] + o.0[0],
                self.0[1] + o.0[1],
                self.0[2] + o.0[2],
                self.0[3] + o.0[3],
            ])
        }
        #[inline(always)]
        pub(super) fn mul(self, o: F4) -> F4 {
            F4([
                self.0[0] * o.0[0],
                self.0[1] * o.0[1],
                self.0[2] * o.0[2],
                self.0[3] * o.0[3],
            ])
        }
        #[inline(always)]
        pub(super) fn to_array(self) -> [f32; 4] {
            self.0
        }
    }

    /// Transposes the 4×4 block whose rows are `r`: returns its columns.
    #[inline(always)]
    pub(super) fn transpose4(r: [F4; 4]) -> [F4; 4] {
        let mut o = [F4([0.0; 4]); 4];
        for (j, col) in o.iter_mut().enumerate() {
            for (i, row) in r.iter().enumerate() {
                col.0[i] = row.0[j];
            }
        }
        o
    }
}

use lanes::{transpose4, F4};

/// Rows of the register tile.
const MR: usize = 4;
/// Columns of the register tile (two F4 vectors).
const NR: usize = 8;
/// Largest k block (packed A panel 4×KC and B panel KC×8 stay in L1).
const KC: usize = 256;
/// Largest m block (packed A block MC×KC stays in L2).
const MC: usize = 128;
/// Largest n block (bounds the packed B block, KC×NC floats = 2 MiB, and so the scratch buffer).
const NC: usize = 2048;
/// `B` with contiguous columns is still packed when at least this many rows of C reuse each panel
/// (reading a panel in place strides over kc rows of B: TLB and prefetch misses on every reuse).
const PACK_B_MIN_M: usize = 32;
/// `A·op(B)` (A not transposed) with at most this many outputs per row uses the dot-product kernel.
const DOT_MAX_N: usize = 16;

/// Debug-build check of the slice lengths (the ABI validates them before any kernel runs).
#[inline]
fn debug_check(m: usize, n: usize, k: usize, a: &[f32], b: &[f32], c: &[f32]) {
    debug_assert!(
        matches!(m.checked_mul(k), Some(l) if a.len() >= l),
        "gemm: A too short"
    );
    debug_assert!(
        matches!(k.checked_mul(n), Some(l) if b.len() >= l),
        "gemm: B too short"
    );
    debug_assert!(
        matches!(m.checked_mul(n), Some(l) if c.len() >= l),
        "gemm: C too short"
    );
}

/// `C = beta · C` (`beta == 0` writes zeros, ignoring NaN in `C`).
fn scale_c(beta: f32, c: &mut [f32]) {
    if beta == 0.0 {
        c.iter_mut().for_each(|x| *x = 0.0);
    } else if beta != 1.0 {
        c.iter_mut().for_each(|x| *x *= beta);
    }
}

/// Scalar reference: a plain triple loop, `C = alpha · op(A) · op(B) + beta · C`.
///
/// Same contract as [`gemm`]; sums each dot product in order `p = 0..k` in one f32 accumulator.
#[allow(clippy::too_many_arguments)]
pub fn gemm_ref(
    trans_a: bool,
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
) {
    debug_check(m, n, k, a, b, c);
    if m == 0 || n == 0 {
        return;
    }
    let c = &mut c[..m * n];
    if k == 0 || alpha == 0.0 {
        scale_c(beta, c);
        return;
    }
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f32;
            for p in 0..k {
                let av = if trans_a { a[p * m + i] } else { a[i * k + p] };
                let bv = if trans_b { b[j * k + p] } else { b[p * n + j] };
                s += av * bv;
            }
            let cij = &mut c[i * n + j];
            *cij = if beta == 0.0 {
                alpha * s
            } else {
                alpha * s + beta * *cij
            };
        }
    }
}

/// Fast GEMM: `C = alpha · op(A) · op(B) + beta · C`, row-major, contiguous.
///
/// `a` holds m×k (`trans_a == false`) or k×m values, `b` k×n (`trans_b == false`) or n×k, `c` m×n.
/// `beta == 0` overwrites `C`; `k == 0` or `alpha == 0` only scale `C` by `beta`; `m == 0` or `n == 0`
/// is a no-op. Uses a reusable packing buffer (no allocation once it has grown); not reentrant, which is
/// fine: the buffer is thread-local and the kernel never calls back out.
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    trans_a: bool,
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
) {
    debug_check(m, n, k, a, b, c);
    if m == 0 || n == 0 {
        return;
    }
    let c = &mut c[..m * n];
    if k == 0 || alpha == 0.0 {
        scale_c(beta, c);
        return;
    }
    let a = &a[..m * k];
    let b = &b[..k * n];
    let mut run = |buf: &mut Vec<f32>| {
        if !trans_a && n <= DOT_MAX_N {
            gemm_dot(trans_b, m, n, k, alpha, a, b, beta, c, buf);
        } else if trans_a && !trans_b && n <= DOT_MAX_N && m >= TN_FLIP_MIN_M {
            gemm_tn_narrow(m, n, k, alpha, a, b, beta, c, buf);
        } else {
            gemm_blocked(trans_a, trans_b, m, n, k, alpha, a, b, beta, c, buf);
        }
    };
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut buf) => run(&mut buf),
        // Unreachable in practice (the kernel does not recurse); stay correct anyway.
        Err(_) => run(&mut Vec::new()),
    });
}

/// Below this many rows of C, Aᵀ·B with a narrow B stays on the blocked path.
const TN_FLIP_MIN_M: usize = 32;

/// Aᵀ·B with few columns (xᵀ·dY into a 784×10 C): the blocked path would run almost only its edge
/// kernel on the narrow n. The transposed product Cᵀ = Bᵀ·A has the n rows and long m columns the 5×8
/// / 4×8 tiles are made for; it is computed into a scratch buffer and transposed into C.
fn gemm_tn_narrow(
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
    buf: &mut Vec<f32>,
) {
    TRANSPOSED.with(|t| {
        let mut t = t.borrow_mut();
        t.clear();
        t.resize(n * m, 0.0);
        gemm_blocked(true, false, n, m, k, alpha, b, a, 0.0, &mut t, buf);
        for (i, row) in c.chunks_exact_mut(n).enumerate() {
            for (j, out) in row.iter_mut().enumerate() {
                let v = t[j * m + i];
                *out = if beta == 0.0 { v } else { v + beta * *out };
            }
        }
    });
}

crate::threads::per_thread! {
    /// Packing buffer, grown on demand and kept (one per thread).
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// The transposed result of `gemm_tn_narrow`.
    static TRANSPOSED: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Frees the packing buffers of a thread slot whose thread has ended (threads build).
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub(crate) fn release_thread(slot: usize) {
    SCRATCH.clear(slot);
    TRANSPOSED.clear(slot);
}

/// How a tile's result is combined with C.
#[derive(Clone, Copy)]
struct Store {
    alpha: f32,
    /// Multiplier of the old C; only used when `overwrite` is set.
    beta: f32,
    /// First k block: `C = alpha·acc + beta·C` (or `alpha·acc` when beta == 0). Later: `C += alpha·acc`.
    overwrite: bool,
}

impl Store {
    #[inline(always)]
    fn scalar(self, acc: f32, old: f32) -> f32 {
        if !self.overwrite {
            old + self.alpha * acc
        } else if self.beta == 0.0 {
            self.alpha * acc
        } else {
            self.alpha * acc + self.beta * old
        }
    }

    /// Writes one vector of results to `p..p+4`.
    ///
    /// # Safety
    /// `p..p+4` must be valid for reads and writes.
    #[inline(always)]
    unsafe fn vector(self, acc: F4, p: *mut f32) {
        let r = if self.alpha == 1.0 {
            acc
        } else {
            acc.mul(F4::splat(self.alpha))
        };
        let v = if !self.overwrite {
            F4::load(p).add(r)
        } else if self.beta == 0.0 {
            r
        } else {
            r.add(F4::load(p).mul(F4::splat(self.beta)))
        };
        v.store(p);
    }
}

/// The register-blocked micro-kernel: `tiles` full 4×8 tiles stacked down one column strip of C, each
/// summed over `kc`, with the 8 accumulators in named locals (an accumulator array is not reliably kept in
/// registers once the tile loop is around it).
///
/// Tile t reads packed A at `a + t·4·kc` (`[p][4]`: the four values of one step sit at constant offsets
/// from one pointer) and the 8 columns of B(p, ·) at `b + p·b_ps` (a packed panel: `b_ps = 8`, or B in
/// place); it writes rows `c + (4t + i)·ldc .. + 8`. Looping over the tiles here (not in the caller) keeps
/// the per-tile overhead small when kc is short (dY·W with k = 10).
///
/// # Safety
/// `a .. a + 4·kc·tiles` and `b + p·b_ps .. + 8` (p < kc) must be readable, and every written row
/// `c + (4t + i)·ldc .. + 8` valid for reads and writes, not overlapping A or B.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn gemm_f32_4x8_simd128(
    tiles: usize,
    kc: usize,
    a: *const f32,
    b: *const f32,
    b_ps: usize,
    c: *mut f32,
    ldc: usize,
    st: Store,
) {
    let mut ap = a;
    let mut ct = c;
    for _ in 0..tiles {
        let (mut c00, mut c01, mut c10, mut c11) = (F4::zero(), F4::zero(), F4::zero(), F4::zero());
        let (mut c20, mut c21, mut c30, mut c31) = (F4::zero(), F4::zero(), F4::zero(), F4::zero());
        let mut bp = b;
        for _ in 0..kc {
            let b0 = F4::load(bp);
            let b1 = F4::load(bp.add(4));
            let a0 = F4::load_splat(ap);
            c00 = c00.add(a0.mul(b0));
            c01 = c01.add(a0.mul(b1));
            let a1 = F4::load_splat(ap.add(1));
            c10 = c10.add(a1.mul(b0));
            c11 = c11.add(a1.mul(b1));
            let a2 = F4::load_splat(ap.add(2));
            c20 = c20.add(a2.mul(b0));
            c21 = c21.add(a2.mul(b1));
            let a3 = F4::load_splat(ap.add(3));
            c30 = c30.add(a3.mul(b0));
            c31 = c31.add(a3.mul(b1));
            ap = ap.add(MR);
            bp = bp.add(b_ps);
        }
        st.vector(c00, ct);
        st.vector(c01, ct.add(4));
        st.vector(c10, ct.add(ldc));
        st.vector(c11, ct.add(ldc + 4));
        st.vector(c20, ct.add(2 * ldc));
        st.vector(c21, ct.add(2 * ldc + 4));
        st.vector(c30, ct.add(3 * ldc));
        st.vector(c31, ct.add(3 * ldc + 4));
        ct = ct.add(MR * ldc);
    }
}

/// 5×8 tile for few rows (10 rows = two 5-row panels: dW = dYᵀ·x of softmax regression), 10
/// accumulators in named locals (10 + 2 B + 1 A = 13 of V8's ~15 vector registers). A is packed as
/// `[p][5]`; B as for `gemm_f32_4x8_simd128`.
///
/// # Safety
/// `a .. a + 5·kc` and `b + p·b_ps .. + 8` (p < kc) readable; rows `c + i·ldc .. + 8` (i < 5) valid for
/// reads and writes, not overlapping A or B.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn gemm_f32_5x8_simd128(
    kc: usize,
    a: *const f32,
    b: *const f32,
    b_ps: usize,
    c: *mut f32,
    ldc: usize,
    st: Store,
) {
    let (mut c00, mut c01, mut c10, mut c11) = (F4::zero(), F4::zero(), F4::zero(), F4::zero());
    let (mut c20, mut c21, mut c30, mut c31) = (F4::zero(), F4::zero(), F4::zero(), F4::zero());
    let (mut c40, mut c41) = (F4::zero(), F4::zero());
    let mut ap = a;
    let mut bp = b;
    for _ in 0..kc {
        let b0 = F4::load(bp);
        let b1 = F4::load(bp.add(4));
        let a0 = F4::load_splat(ap);
        c00 = c00.add(a0.mul(b0));
        c01 = c01.add(a0.mul(b1));
        let a1 = F4::load_splat(ap.add(1));
        c10 = c10.add(a1.mul(b0));
        c11 = c11.add(a1.mul(b1));
        let a2 = F4::load_splat(ap.add(2));
        c20 = c20.add(a2.mul(b0));
        c21 = c21.add(a2.mul(b1));
        let a3 = F4::load_splat(ap.add(3));
        c30 = c30.add(a3.mul(b0));
        c31 = c31.add(a3.mul(b1));
        let a4 = F4::load_splat(ap.add(4));
        c40 = c40.add(a4.mul(b0));
        c41 = c41.add(a4.mul(b1));
        ap = ap.add(5);
        bp = bp.add(b_ps);
    }
    st.vector(c00, c);
    st.vector(c01, c.add(4));
    st.vector(c10, c.add(ldc));
    st.vector(c11, c.add(ldc + 4));
    st.vector(c20, c.add(2 * ldc));
    st.vector(c21, c.add(2 * ldc + 4));
    st.vector(c30, c.add(3 * ldc));
    st.vector(c31, c.add(3 * ldc + 4));
    st.vector(c40, c.add(4 * ldc));
    st.vector(c41, c.add(4 * ldc + 4));
}

/// Edge tiles: one `R`×`4·V` tile (R ≤ 4 rows, V ≤ 2 vectors, only `cols` columns written), same
/// layout as `gemm_f32_4x8_simd128` (packed A advancing by `a_step` = 4, or 5 for 5-row panels); used for
/// the 1–3-row tail and the ≤ 7-column tail.
///
/// # Safety
/// `a + p·a_step .. + R` and `b + p·b_ps .. + 4·V` (p < kc) readable; `c + i·ldc .. + cols` (i < R) valid for
/// reads and writes, not overlapping A or B.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn gemm_f32_edge_simd128<const R: usize, const V: usize>(
    kc: usize,
    a: *const f32,
    a_step: usize,
    b: *const f32,
    b_ps: usize,
    c: *mut f32,
    ldc: usize,
    cols: usize,
    st: Store,
) {
    let mut acc = [[F4::zero(); V]; R];
    let mut ap = a;
    let mut bp = b;
    for _ in 0..kc {
        step::<R, V>(&mut acc, ap, bp);
        ap = ap.add(a_step);
        bp = bp.add(b_ps);
    }
    store_tile::<R, V>(&acc, c, ldc, cols, st);
}

/// Row-tail tiles: `R` ≤ 2 rows × 16 columns (two B panels), so that a 1–2-row tail (m = 10 in dW = dYᵀ·x)
/// still has 4·R accumulators per step instead of 2·R. B's second panel is at `b + b2` (packed panels:
/// `b2 = 8·kc`; B in place: `b2 = 8`). A is packed as for `gemm_f32_4x8_simd128`.
///
/// # Safety
/// `a .. a + 4·kc` readable; `b + p·b_ps .. + 8` and `b + b2 + p·b_ps .. + 8` (p < kc) readable;
/// `c + i·ldc .. + 16` (i < R) valid for reads and writes, not overlapping A or B.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn gemm_f32_2x16_simd128<const R: usize>(
    kc: usize,
    a: *const f32,
    b: *const f32,
    b2: usize,
    b_ps: usize,
    c: *mut f32,
    ldc: usize,
    st: Store,
) {
    let mut acc = [[F4::zero(); 4]; R];
    let mut ap = a;
    let mut bp = b;
    for _ in 0..kc {
        let bv = [
            F4::load(bp),
            F4::load(bp.add(4)),
            F4::load(bp.add(b2)),
            F4::load(bp.add(b2 + 4)),
        ];
        for (i, row) in acc.iter_mut().enumerate() {
            let av = F4::load_splat(ap.add(i));
            for (x, bx) in row.iter_mut().zip(bv.iter()) {
                *x = x.add(av.mul(*bx));
            }
        }
        ap = ap.add(MR);
        bp = bp.add(b_ps);
    }
    let [r0, r1] = [acc[0], if R > 1 { acc[R - 1] } else { acc[0] }];
    store_tile::<1, 2>(&[[r0[0], r0[1]]], c, ldc, NR, st);
    store_tile::<1, 2>(&[[r0[2], r0[3]]], c.add(NR), ldc, NR, st);
    if R > 1 {
        store_tile::<1, 2>(&[[r1[0], r1[1]]], c.add(ldc), ldc, NR, st);
        store_tile::<1, 2>(&[[r1[2], r1[3]]], c.add(ldc + NR), ldc, NR, st);
    }
}

/// One k step of an edge tile: `acc[i][v] += A(i) · B(v)` with A packed at `ap`, B's 4·V values at `bp`.
///
/// # Safety
/// `ap .. + R` and `bp .. + 4·V` readable.
#[inline(always)]
unsafe fn step<const R: usize, const V: usize>(
    acc: &mut [[F4; V]; R],
    ap: *const f32,
    bp: *const f32,
) {
    let mut bv = [F4::zero(); V];
    for (v, x) in bv.iter_mut().enumerate() {
        *x = F4::load(bp.add(4 * v));
    }
    for (i, row) in acc.iter_mut().enumerate() {
        let av = F4::load_splat(ap.add(i));
        for (x, bx) in row.iter_mut().zip(bv.iter()) {
            *x = x.add(av.mul(*bx));
        }
    }
}

/// Writes an accumulator tile to C (full vectors where possible, scalars on a column tail).
///
/// # Safety
/// `c + i·ldc .. + cols` (i < R) must be valid for reads and writes, `cols ≤ 4·V`.
#[inline(always)]
unsafe fn store_tile<const R: usize, const V: usize>(
    acc: &[[F4; V]; R],
    c: *mut f32,
    ldc: usize,
    cols: usize,
    st: Store,
) {
    if cols == 4 * V {
        for (i, row) in acc.iter().enumerate() {
            let cr = c.add(i * ldc);
            for (v, x) in row.iter().enumerate() {
                st.vector(*x, cr.add(4 * v));
            }
        }
    } else {
        for (i, row) in acc.iter().enumerate() {
            let cr = c.add(i * ldc);
            for (v, x) in row.iter().enumerate() {
                let vals = x.to_array();
                for (l, val) in vals.iter().enumerate() {
                    let j = 4 * v + l;
                    if j < cols {
                        *cr.add(j) = st.scalar(*val, *cr.add(j));
                    }
                }
            }
        }
    }
}

/// Runs one column strip of C: rows `0..rows` (packed A panels, 4 rows each) × `cols` ≤ 8 columns: the
/// full 4×8 tiles in one kernel call, edge tiles one by one.
///
/// # Safety
/// As `gemm_f32_4x8_simd128`: `a` holds ⌈rows/4⌉ packed panels of 4·kc values, B's panel is readable
/// for kc steps of 8 values, C's rows `0..rows` × `cols` columns are valid.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn strip(
    rows: usize,
    cols: usize,
    kc: usize,
    a: *const f32,
    b: *const f32,
    b_ps: usize,
    c: *mut f32,
    ldc: usize,
    st: Store,
) {
    let full = rows / MR;
    let wide = cols > 4;
    if cols == NR {
        if full > 0 {
            gemm_f32_4x8_simd128(full, kc, a, b, b_ps, c, ldc, st);
        }
    } else {
        for t in 0..full {
            let (at, ct) = (a.add(t * MR * kc), c.add(t * MR * ldc));
            if wide {
                gemm_f32_edge_simd128::<4, 2>(kc, at, MR, b, b_ps, ct, ldc, cols, st);
            } else {
                gemm_f32_edge_simd128::<4, 1>(kc, at, MR, b, b_ps, ct, ldc, cols, st);
            }
        }
    }
    let a = a.add(full * MR * kc);
    let c = c.add(full * MR * ldc);
    macro_rules! k {
        ($r:literal, $v:literal) => {
            gemm_f32_edge_simd128::<$r, $v>(kc, a, MR, b, b_ps, c, ldc, cols, st)
        };
    }
    match (rows % MR, wide) {
        (3, true) => k!(3, 2),
        (2, true) => k!(2, 2),
        (1, true) => k!(1, 2),
        (3, false) => k!(3, 1),
        (2, false) => k!(2, 1),
        (1, false) => k!(1, 1),
        _ => {}
    }
}

/// ⌈a / b⌉ (`usize::div_ceil` needs Rust 1.73; the crate builds with 1.63).
fn div_up(a: usize, b: usize) -> usize {
    let q = a / b;
    if q * b < a {
        q + 1
    } else {
        q
    }
}

/// Splits `total` into equal blocks of at most `max` (so that the last block is not tiny).
fn block_len(total: usize, max: usize, align: usize) -> usize {
    let len = div_up(total, div_up(total, max));
    div_up(len, align) * align
}

/// Transposing copy: `dst[p·stride + lane + i] = rows[i][p]` for the 4 source rows `rows[i]` (each at
/// least `len` long) and p < len, 4×4 blocks at a time with vector shuffles.
fn transpose_rows4(rows: [&[f32]; 4], len: usize, dst: &mut [f32], stride: usize, lane: usize) {
    assert!(rows.iter().all(|r| r.len() >= len));
    assert!(len == 0 || dst.len() >= (len - 1) * stride + lane + 4);
    let len4 = len / 4 * 4;
    let mut p = 0;
    while p < len4 {
        // SAFETY: p + 4 ≤ len ≤ each row's length; the four stores end at
        // (p + 3)·stride + lane + 4 ≤ (len − 1)·stride + lane + 4 ≤ dst.len() (checked above).
        unsafe {
            let cols = transpose4([
                F4::load(rows[0].as_ptr().add(p)),
                F4::load(rows[1].as_ptr().add(p)),
                F4::load(rows[2].as_ptr().add(p)),
                F4::load(rows[3].as_ptr().add(p)),
            ]);
            for (q, col) in cols.iter().enumerate() {
                col.store(dst.as_mut_ptr().add((p + q) * stride + lane));
            }
        }
        p += 4;
    }
    for p in len4..len {
        for (i, r) in rows.iter().enumerate() {
            dst[p * stride + lane + i] = r[p];
        }
    }
}

/// Packs B(pc..pc+kc, 0..n) into 8-column panels `[panel][p][8]`, zero-padding the last panel.
#[allow(clippy::too_many_arguments)]
fn pack_b(
    b: &[f32],
    b_rs: usize,
    b_cs: usize,
    pc: usize,
    kc: usize,
    j0: usize,
    j1: usize,
    out: &mut [f32],
) {
    let mut panel = 0;
    let mut j = j0;
    while j < j1 {
        let w = NR.min(j1 - j);
        let dst = &mut out[panel * kc * NR..(panel + 1) * kc * NR];
        if b_cs == 1 {
            for p in 0..kc {
                let src = &b[(pc + p) * b_rs + j..(pc + p) * b_rs + j + w];
                let d = &mut dst[p * NR..p * NR + NR];
                d[..w].copy_from_slice(src);
                d[w..].iter_mut().for_each(|x| *x = 0.0);
            }
        } else if w == NR {
            // B(p, j) = b[j·b_cs + p]: 8 runs along k, transposed 4 at a time into lanes 0–3 and 4–7.
            let run = |jj: usize| &b[(j + jj) * b_cs + pc..(j + jj) * b_cs + pc + kc];
            transpose_rows4([run(0), run(1), run(2), run(3)], kc, dst, NR, 0);
            transpose_rows4([run(4), run(5), run(6), run(7)], kc, dst, NR, 4);
        } else {
            // Last, partial panel: scatter each column's run with stride 8, zero the rest.
            for jj in 0..NR {
                if jj < w {
                    let src = &b[(j + jj) * b_cs + pc..(j + jj) * b_cs + pc + kc];
                    for (p, v) in src.iter().enumerate() {
                        dst[p * NR + jj] = *v;
                    }
                } else {
                    for p in 0..kc {
                        dst[p * NR + jj] = 0.0;
                    }
                }
            }
        }
        panel += 1;
        j += NR;
    }
}

/// Packs A(ic..ic+mc, pc..pc+kc) into 4-row panels `[panel][p][4]` (a short last panel keeps stride 4).
#[allow(clippy::too_many_arguments)]
fn pack_a(
    a: &[f32],
    a_rs: usize,
    a_cs: usize,
    ic: usize,
    mc: usize,
    pc: usize,
    kc: usize,
    out: &mut [f32],
) {
    let mut panel = 0;
    let mut i = 0;
    while i < mc {
        let h = MR.min(mc - i);
        let dst = &mut out[panel * kc * MR..(panel + 1) * kc * MR];
        if a_cs == 1 && h == MR {
            // Four rows, contiguous along k: transposed 4×4 at a time.
            let row = |ii: usize| {
                let r = (ic + i + ii) * a_rs + pc;
                &a[r..r + kc]
            };
            transpose_rows4([row(0), row(1), row(2), row(3)], kc, dst, MR, 0);
        } else if a_cs == 1 {
            for ii in 0..h {
                let r = (ic + i + ii) * a_rs + pc;
                for (p, v) in a[r..r + kc].iter().enumerate() {
                    dst[p * MR + ii] = *v;
                }
            }
        } else {
            for p in 0..kc {
                let r = (pc + p) * a_cs + ic + i;
                dst[p * MR..p * MR + h].copy_from_slice(&a[r..r + h]);
            }
        }
        panel += 1;
        i += MR;
    }
}

/// Blocked GEMM over k blocks (KC) and m blocks (MC), 4×8 register tiles.
#[allow(clippy::too_many_arguments)]
fn gemm_blocked(
    trans_a: bool,
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
    buf: &mut Vec<f32>,
) {
    // A(i, p) = a[i·a_rs + p·a_cs]; B(p, j) = b[p·b_rs + j·b_cs].
    let (a_rs, a_cs) = if trans_a { (1, m) } else { (k, 1) };
    let (b_rs, b_cs) = if trans_b { (1, k) } else { (n, 1) };
    let kc_max = block_len(k, KC, 1);
    let mc_max = block_len(m, MC, MR);
    let nc_max = block_len(n, NC, NR);
    let pack_b_all = b_cs != 1 || m >= PACK_B_MIN_M;
    // Few rows in panels of 5 (m = 10: dW = dYᵀ·x with 10 classes) instead of 4 + 4 + 2.
    let five = !pack_b_all && m / 5 * 5 == m && m / MR * MR != m;
    let n_full = n / NR * NR;
    let b_len = if pack_b_all {
        nc_max * kc_max
    } else {
        NR * kc_max
    };
    let a_len = mc_max.max(m.min(PACK_B_MIN_M)) * kc_max;
    if buf.len() < a_len + b_len {
        buf.resize(a_len + b_len, 0.0);
    }
    let (abuf, rest) = buf.split_at_mut(a_len);
    let bbuf = &mut rest[..b_len];
    let cp = c.as_mut_ptr();

    // Column blocks j0..j1 (j0 a multiple of 8), k blocks pc..pc+kc, row blocks ic..ic+mc.
    let mut j0 = 0;
    while j0 < n {
        let j1 = (j0 + nc_max).min(n);
        // Full 8-column panels end here; 2×16 tiles need two of them.
        let full_end = j1.min(n_full);
        let mut pc = 0;
        while pc < k {
            let kc = kc_max.min(k - pc);
            let st = Store {
                alpha,
                beta,
                overwrite: pc == 0,
            };
            if pack_b_all {
                pack_b(b, b_rs, b_cs, pc, kc, j0, j1, bbuf);
            } else if full_end < j1 {
                pack_b(b, b_rs, b_cs, pc, kc, full_end, j1, bbuf);
            }
            // The 8-column panel of op(B) at column jr (cols ≤ 8 of them valid) and its row stride.
            let b_panel = |jr: usize, cols: usize| -> (*const f32, usize) {
                if pack_b_all {
                    (bbuf[(jr - j0) / NR * kc * NR..].as_ptr(), NR)
                } else if cols == NR {
                    (b[pc * b_rs + jr..].as_ptr(), b_rs)
                } else {
                    (bbuf.as_ptr(), NR)
                }
            };
            if five {
                // SAFETY (whole block): A is packed as m/5 panels of kc×5 values into `abuf`
                // (a_len ≥ m·kc); B panels as in the general path; C rows < m, columns < j1 ≤ n.
                for r in 0..m / 5 {
                    let dst = &mut abuf[r * kc * 5..(r + 1) * kc * 5];
                    for p in 0..kc {
                        for ii in 0..5 {
                            dst[p * 5 + ii] = a[(r * 5 + ii) * a_rs + (pc + p) * a_cs];
                        }
                    }
                }
                let mut jr = j0;
                while jr < j1 {
                    let cols = NR.min(j1 - jr);
                    let (bp, b_ps) = b_panel(jr, cols);
                    for r in 0..m / 5 {
                        let at = abuf[r * kc * 5..].as_ptr();
                        unsafe {
                            let ct = cp.add(r * 5 * n + jr);
                            if cols == NR {
                                gemm_f32_5x8_simd128(kc, at, bp, b_ps, ct, n, st);
                            } else {
                                let (a4, c4) = (at.add(4), ct.add(4 * n));
                                if cols > 4 {
                                    gemm_f32_edge_simd128::<4, 2>(
                                        kc, at, 5, bp, b_ps, ct, n, cols, st,
                                    );
                                    gemm_f32_edge_simd128::<1, 2>(
                                        kc, a4, 5, bp, b_ps, c4, n, cols, st,
                                    );
                                } else {
                                    gemm_f32_edge_simd128::<4, 1>(
                                        kc, at, 5, bp, b_ps, ct, n, cols, st,
                                    );
                                    gemm_f32_edge_simd128::<1, 1>(
                                        kc, a4, 5, bp, b_ps, c4, n, cols, st,
                                    );
                                }
                            }
                        }
                    }
                    jr += NR;
                }
                pc += kc;
                continue;
            }
            let mut ic = 0;
            while ic < m {
                let mc = mc_max.min(m - ic);
                pack_a(a, a_rs, a_cs, ic, mc, pc, kc, abuf);
                // A 1–2-row tail of the block runs as 2×16 tiles after the strips (where 16 columns
                // fit).
                let tail = mc % MR;
                let body = if tail == 1 || tail == 2 {
                    mc - tail
                } else {
                    mc
                };
                let mut jr = j0;
                while jr < j1 {
                    let cols = NR.min(j1 - jr);
                    let (bp, b_ps) = b_panel(jr, cols);
                    // SAFETY: the packed A block holds ⌈mc/4⌉ panels of kc×4 values, a packed B panel
                    // kc×8; unpacked B is only used for full 8-column panels (jr + 8 ≤ n, rows
                    // pc..pc+kc ≤ k); C rows ic..ic+body, columns jr..jr+cols are inside the m×n slice
                    // `c`, which does not alias `a`, `b` or `buf`.
                    unsafe {
                        let ct = cp.add(ic * n + jr);
                        strip(body, cols, kc, abuf.as_ptr(), bp, b_ps, ct, n, st);
                    }
                    jr += NR;
                }
                if body < mc {
                    let at = abuf[body * kc..].as_ptr();
                    let mut jr = j0;
                    while jr < j1 {
                        let cols = NR.min(j1 - jr);
                        let (bp, b_ps) = b_panel(jr, cols);
                        // SAFETY: as above, for rows ic+body..ic+mc; the 2×16 kernel is only used when
                        // both 8-column panels jr.. and jr+8.. are full and in this column block.
                        unsafe {
                            let ct = cp.add((ic + body) * n + jr);
                            if jr + 2 * NR <= full_end {
                                let b2 = if pack_b_all { kc * NR } else { NR };
                                if tail == 2 {
                                    gemm_f32_2x16_simd128::<2>(kc, at, bp, b2, b_ps, ct, n, st);
                                } else {
                                    gemm_f32_2x16_simd128::<1>(kc, at, bp, b2, b_ps, ct, n, st);
                                }
                                jr += 2 * NR;
                            } else {
                                strip(tail, cols, kc, at, bp, b_ps, ct, n, st);
                                jr += NR;
                            }
                        }
                    }
                }
                ic += mc;
            }
            pc += kc;
        }
        j0 = j1;
    }
}

/// `C = alpha · A · op(B) + beta · C` for few outputs (n ≤ 16) with A m×k stored row-major (contiguous
/// along k), by dot products: a 2-row × 4-output register tile (8 accumulators) per step of 4 along k.
/// op(B) (small: n×k values) is packed once, whatever its storage order, so that the 4 outputs' values
/// of one step are one run: `[group][p/4][output][lane]`.
#[allow(clippy::too_many_arguments)]
fn gemm_dot(
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
    buf: &mut Vec<f32>,
) {
    const DJ: usize = 4;
    // B(p, j) = b[p·b_rs + j·b_cs].
    let (b_rs, b_cs) = if trans_b { (1, k) } else { (n, 1) };
    let k4 = k / 4 * 4;
    if buf.len() < n * k4 {
        buf.resize(n * k4, 0.0);
    }
    // Pack: group g holds outputs g·4 .. g·4+w (w ≤ 4), laid out [p/4][w][4].
    let mut j = 0;
    while j < n {
        let w = DJ.min(n - j);
        let dst = &mut buf[j * k4..(j + w) * k4];
        if trans_b {
            for jj in 0..w {
                let src = &b[(j + jj) * k..(j + jj) * k + k4];
                for (q, chunk) in src.chunks_exact(4).enumerate() {
                    let o = (q * w + jj) * 4;
                    dst[o..o + 4].copy_from_slice(chunk);
                }
            }
        } else {
            for p in 0..k4 {
                let src = &b[p * n + j..p * n + j + w];
                for (jj, v) in src.iter().enumerate() {
                    dst[(p / 4 * w + jj) * 4 + p % 4] = *v;
                }
            }
        }
        j += DJ;
    }
    let st = Store {
        alpha,
        beta,
        overwrite: true,
    };
    let cp = c.as_mut_ptr();
    let mut i = 0;
    while i < m {
        let rows = 2.min(m - i);
        let mut j = 0;
        while j < n {
            let outs = DJ.min(n - j);
            let ap = a[i * k..].as_ptr();
            let bp = buf[j * k4..].as_ptr();
            let bt = b[j * b_cs..].as_ptr();
            macro_rules! d {
                ($r:literal, $j:literal) => {
                    gemm_f32_dot_2x4_simd128::<$r, $j>(
                        k,
                        ap,
                        bp,
                        bt,
                        b_rs,
                        b_cs,
                        cp.add(i * n + j),
                        n,
                        st,
                    )
                };
            }
            // SAFETY: rows i..i+rows < m of A and j..j+outs ≤ n of B hold k values each; the packed
            // group holds outs·k4 values; C's rows i..i+rows hold columns j..j+outs.
            unsafe {
                match (rows, outs) {
                    (2, 4) => d!(2, 4),
                    (2, 3) => d!(2, 3),
                    (2, 2) => d!(2, 2),
                    (2, _) => d!(2, 1),
                    (_, 4) => d!(1, 4),
                    (_, 3) => d!(1, 3),
                    (_, 2) => d!(1, 2),
                    _ => d!(1, 1),
                }
            }
            j += DJ;
        }
        i += 2;
    }
}

/// Dot-product tile: C(i, j) for R ≤ 2 rows of A and J ≤ 4 outputs, contiguous along k.
///
/// `bp` is the packed group (`[p/4][J][4]`, the first k/4·4 values of each output); B(p, j) of the
/// k % 4 tail is read unpacked at `bt + p·b_rs + j·b_cs`.
///
/// # Safety
/// `a + i·k .. + k` (i < R) and `bt + p·b_rs + j·b_cs` (p < k, j < J) readable, `bp .. + J·(k/4·4)`
/// readable, `c + i·ldc .. + J` (i < R) valid for reads and writes.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn gemm_f32_dot_2x4_simd128<const R: usize, const J: usize>(
    k: usize,
    a: *const f32,
    bp: *const f32,
    bt: *const f32,
    b_rs: usize,
    b_cs: usize,
    c: *mut f32,
    ldc: usize,
    st: Store,
) {
    let mut acc = [[F4::zero(); J]; R];
    let k4 = k / 4 * 4;
    let mut rowp = [a; R];
    for (i, r) in rowp.iter_mut().enumerate() {
        *r = a.add(i * k);
    }
    let mut b = bp;
    for _ in 0..k4 / 4 {
        let mut av = [F4::zero(); R];
        for (x, r) in av.iter_mut().zip(rowp.iter_mut()) {
            *x = F4::load(*r);
            *r = r.add(4);
        }
        // Index loops on purpose: one B vector live at a time (8 accumulators + 2 A + 1 B registers).
        #[allow(clippy::needless_range_loop)]
        for j in 0..J {
            let bv = F4::load(b.add(4 * j));
            for i in 0..R {
                acc[i][j] = acc[i][j].add(av[i].mul(bv));
            }
        }
        b = b.add(4 * J);
    }
    for (i, row) in acc.iter().enumerate() {
        for (j, x) in row.iter().enumerate() {
            let l = x.to_array();
            let mut s = (l[0] + l[1]) + (l[2] + l[3]);
            for q in k4..k {
                s += *a.add(i * k + q) * *bt.add(q * b_rs + j * b_cs);
            }
            let cij = c.add(i * ldc + j);
            *cij = st.scalar(s, *cij);
        }
    }
}

#[cfg(test)]
mod tests {
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
}
