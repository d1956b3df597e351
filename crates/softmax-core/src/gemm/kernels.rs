//! The register-blocked micro-kernels (4×8, 5×8, edge tiles, 2×16, the 2×4 dot tile) and `Store`, how
//! a tile's result is combined with C. Each keeps its accumulators in vector registers: the tile sizes
//! fit V8's ~15 simd128 registers, and the kernels are `#[inline(never)]` so that their register
//! allocation does not depend on the caller.

use super::{MR, NR};
use crate::simd::F32x4;

/// How a tile's result is combined with C.
#[derive(Clone, Copy)]
pub(super) struct Store {
    pub(super) alpha: f32,
    /// Multiplier of the old C; only used when `overwrite` is set.
    pub(super) beta: f32,
    /// First k block: `C = alpha·acc + beta·C` (or `alpha·acc` when beta == 0). Later: `C += alpha·acc`.
    pub(super) overwrite: bool,
}

impl Store {
    #[inline(always)]
    pub(super) fn scalar(self, acc: f32, old: f32) -> f32 {
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
    pub(super) unsafe fn vector(self, acc: F32x4, p: *mut f32) {
        let r = if self.alpha == 1.0 {
            acc
        } else {
            acc.mul(F32x4::splat(self.alpha))
        };
        let v = if !self.overwrite {
            F32x4::load_ptr(p).add(r)
        } else if self.beta == 0.0 {
            r
        } else {
            r.add(F32x4::load_ptr(p).mul(F32x4::splat(self.beta)))
        };
        v.store_ptr(p);
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
pub(super) unsafe fn gemm_f32_4x8_simd128(
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
        let (mut c00, mut c01, mut c10, mut c11) =
            (F32x4::zero(), F32x4::zero(), F32x4::zero(), F32x4::zero());
        let (mut c20, mut c21, mut c30, mut c31) =
            (F32x4::zero(), F32x4::zero(), F32x4::zero(), F32x4::zero());
        let mut bp = b;
        for _ in 0..kc {
            let b0 = F32x4::load_ptr(bp);
            let b1 = F32x4::load_ptr(bp.add(4));
            let a0 = F32x4::load_splat(ap);
            c00 = c00.add(a0.mul(b0));
            c01 = c01.add(a0.mul(b1));
            let a1 = F32x4::load_splat(ap.add(1));
            c10 = c10.add(a1.mul(b0));
            c11 = c11.add(a1.mul(b1));
            let a2 = F32x4::load_splat(ap.add(2));
            c20 = c20.add(a2.mul(b0));
            c21 = c21.add(a2.mul(b1));
            let a3 = F32x4::load_splat(ap.add(3));
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
pub(super) unsafe fn gemm_f32_5x8_simd128(
    kc: usize,
    a: *const f32,
    b: *const f32,
    b_ps: usize,
    c: *mut f32,
    ldc: usize,
    st: Store,
) {
    let (mut c00, mut c01, mut c10, mut c11) =
        (F32x4::zero(), F32x4::zero(), F32x4::zero(), F32x4::zero());
    let (mut c20, mut c21, mut c30, mut c31) =
        (F32x4::zero(), F32x4::zero(), F32x4::zero(), F32x4::zero());
    let (mut c40, mut c41) = (F32x4::zero(), F32x4::zero());
    let mut ap = a;
    let mut bp = b;
    for _ in 0..kc {
        let b0 = F32x4::load_ptr(bp);
        let b1 = F32x4::load_ptr(bp.add(4));
        let a0 = F32x4::load_splat(ap);
        c00 = c00.add(a0.mul(b0));
        c01 = c01.add(a0.mul(b1));
        let a1 = F32x4::load_splat(ap.add(1));
        c10 = c10.add(a1.mul(b0));
        c11 = c11.add(a1.mul(b1));
        let a2 = F32x4::load_splat(ap.add(2));
        c20 = c20.add(a2.mul(b0));
        c21 = c21.add(a2.mul(b1));
        let a3 = F32x4::load_splat(ap.add(3));
        c30 = c30.add(a3.mul(b0));
        c31 = c31.add(a3.mul(b1));
        let a4 = F32x4::load_splat(ap.add(4));
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
pub(super) unsafe fn gemm_f32_edge_simd128<const R: usize, const V: usize>(
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
    let mut acc = [[F32x4::zero(); V]; R];
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
pub(super) unsafe fn gemm_f32_2x16_simd128<const R: usize>(
    kc: usize,
    a: *const f32,
    b: *const f32,
    b2: usize,
    b_ps: usize,
    c: *mut f32,
    ldc: usize,
    st: Store,
) {
    let mut acc = [[F32x4::zero(); 4]; R];
    let mut ap = a;
    let mut bp = b;
    for _ in 0..kc {
        let bv = [
            F32x4::load_ptr(bp),
            F32x4::load_ptr(bp.add(4)),
            F32x4::load_ptr(bp.add(b2)),
            F32x4::load_ptr(bp.add(b2 + 4)),
        ];
        for (i, row) in acc.iter_mut().enumerate() {
            let av = F32x4::load_splat(ap.add(i));
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
pub(super) unsafe fn step<const R: usize, const V: usize>(
    acc: &mut [[F32x4; V]; R],
    ap: *const f32,
    bp: *const f32,
) {
    let mut bv = [F32x4::zero(); V];
    for (v, x) in bv.iter_mut().enumerate() {
        *x = F32x4::load_ptr(bp.add(4 * v));
    }
    for (i, row) in acc.iter_mut().enumerate() {
        let av = F32x4::load_splat(ap.add(i));
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
pub(super) unsafe fn store_tile<const R: usize, const V: usize>(
    acc: &[[F32x4; V]; R],
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
pub(super) unsafe fn strip(
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
pub(super) unsafe fn gemm_f32_dot_2x4_simd128<const R: usize, const J: usize>(
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
    let mut acc = [[F32x4::zero(); J]; R];
    let k4 = k / 4 * 4;
    let mut rowp = [a; R];
    for (i, r) in rowp.iter_mut().enumerate() {
        *r = a.add(i * k);
    }
    let mut b = bp;
    for _ in 0..k4 / 4 {
        let mut av = [F32x4::zero(); R];
        for (x, r) in av.iter_mut().zip(rowp.iter_mut()) {
            *x = F32x4::load_ptr(*r);
            *r = r.add(4);
        }
        // Index loops on purpose: one B vector live at a time (8 accumulators + 2 A + 1 B registers).
        #[allow(clippy::needless_range_loop)]
        for j in 0..J {
            let bv = F32x4::load_ptr(b.add(4 * j));
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
