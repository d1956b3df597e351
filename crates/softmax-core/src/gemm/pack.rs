//! Packing of A and B into the panels the micro-kernels read, and block sizes.

use super::{MR, NR};
use crate::simd::{transpose4, F32x4};

/// ⌈a / b⌉ (`usize::div_ceil` needs Rust 1.73; the crate builds with 1.63).
pub(super) fn div_up(a: usize, b: usize) -> usize {
    let q = a / b;
    if q * b < a {
        q + 1
    } else {
        q
    }
}

/// Splits `total` into equal blocks of at most `max` (so that the last block is not tiny).
pub(super) fn block_len(total: usize, max: usize, align: usize) -> usize {
    let len = div_up(total, div_up(total, max));
    div_up(len, align) * align
}

/// Transposing copy: `dst[p·stride + lane + i] = rows[i][p]` for the 4 source rows `rows[i]` (each at
/// least `len` long) and p < len, 4×4 blocks at a time with vector shuffles.
pub(super) fn transpose_rows4(
    rows: [&[f32]; 4],
    len: usize,
    dst: &mut [f32],
    stride: usize,
    lane: usize,
) {
    assert!(rows.iter().all(|r| r.len() >= len));
    assert!(len == 0 || dst.len() >= (len - 1) * stride + lane + 4);
    let len4 = len / 4 * 4;
    let mut p = 0;
    while p < len4 {
        // SAFETY: p + 4 ≤ len ≤ each row's length; the four stores end at
        // (p + 3)·stride + lane + 4 ≤ (len − 1)·stride + lane + 4 ≤ dst.len() (checked above).
        unsafe {
            let cols = transpose4([
                F32x4::load_ptr(rows[0].as_ptr().add(p)),
                F32x4::load_ptr(rows[1].as_ptr().add(p)),
                F32x4::load_ptr(rows[2].as_ptr().add(p)),
                F32x4::load_ptr(rows[3].as_ptr().add(p)),
            ]);
            for (q, col) in cols.iter().enumerate() {
                col.store_ptr(dst.as_mut_ptr().add((p + q) * stride + lane));
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
pub(super) fn pack_b(
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
pub(super) fn pack_a(
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
