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
//!   V8's ~15 vector registers without spilling). `op(A)` is always packed into 4-row
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
//! The vector type is `crate::simd::F32x4` (wasm simd128, or its portable twin natively), so native tests
//! run the very same blocking, packing and tail logic as the wasm build. Files: `kernels.rs` (the
//! micro-kernels), `pack.rs` (packing), `tests.rs`.

use std::cell::RefCell;

mod kernels;
mod pack;
#[cfg(test)]
mod tests;

use kernels::*;
use pack::*;

/// Rows of the register tile.
const MR: usize = 4;
/// Columns of the register tile (two F32x4 vectors).
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
pub(crate) const DOT_MAX_N: usize = 16;

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
    let run = |buf: &mut Vec<f32>| {
        if !trans_a && n <= DOT_MAX_N {
            gemm_dot(trans_b, m, n, k, alpha, a, b, beta, c, buf);
        } else if trans_a && !trans_b && n <= DOT_MAX_N && m >= TN_FLIP_MIN_M {
            gemm_tn_narrow(m, n, k, alpha, a, b, beta, c, buf);
        } else {
            gemm_blocked(trans_a, trans_b, m, n, k, alpha, a, b, beta, c, buf);
        }
    };
    with_scratch(run);
}

/// Runs `run` with this thread's packing buffer.
fn with_scratch(run: impl FnOnce(&mut Vec<f32>)) {
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
    // SAFETY: A is m×k (the caller's slice, as `gemm` checked) and nothing writes it.
    unsafe {
        gemm_dot_rows(
            trans_b,
            m,
            n,
            k,
            alpha,
            a.as_ptr(),
            b,
            beta,
            c,
            buf,
            |_, _| {},
        )
    }
}

/// [`gemm`] of `A·op(B)` with few outputs (`n ≤ 16`) whose rows of A are written just before they are
/// used: `fill(rows, i)` writes rows i.. of `a` (two at most, the slice given) before the kernel reads
/// them, so a row made from memory that missed the caches is used while it is still in L1.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm_dot_filled(
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: &mut [f32],
    b: &[f32],
    beta: f32,
    c: &mut [f32],
    mut fill: impl FnMut(&mut [f32], usize),
) {
    assert!(n <= DOT_MAX_N && a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    if n == 0 || k == 0 || alpha == 0.0 {
        // No product to interleave with: A is still made, all of it, as the caller expects.
        let mut i = 0;
        while i < m {
            let rows = 2.min(m - i);
            fill(&mut a[i * k..(i + rows) * k], i);
            i += rows;
        }
        return gemm(false, trans_b, m, n, k, alpha, a, b, beta, c);
    }
    let ap = a.as_mut_ptr();
    let run = |buf: &mut Vec<f32>| {
        // SAFETY: `fill` gets rows i..i+rows of A (inside its m×k values) while no other reference to
        // them is live; the kernel reads them after it returns.
        let fill_rows = |i: usize, rows: usize| {
            fill(
                unsafe { std::slice::from_raw_parts_mut(ap.add(i * k), rows * k) },
                i,
            )
        };
        unsafe { gemm_dot_rows(trans_b, m, n, k, alpha, ap, b, beta, c, buf, fill_rows) }
    };
    with_scratch(run);
}

/// The body of [`gemm_dot`], calling `before(i, rows)` before it reads rows i..i+rows of A.
///
/// # Safety
/// `a` must point to m×k readable values, readable after each `before` call.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_dot_rows(
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: *const f32,
    b: &[f32],
    beta: f32,
    c: &mut [f32],
    buf: &mut Vec<f32>,
    mut before: impl FnMut(usize, usize),
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
        before(i, rows);
        let mut j = 0;
        while j < n {
            let outs = DJ.min(n - j);
            let ap = a.add(i * k);
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
            // SAFETY (of this unsafe fn's body): rows i..i+rows < m of A and j..j+outs ≤ n of B hold k
            // values each; the packed group holds outs·k4 values; C's rows i..i+rows hold columns j..j+outs.
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
            j += DJ;
        }
        i += 2;
    }
}
