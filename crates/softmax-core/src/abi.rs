//! The C ABI of softmax-core — the only `extern "C"` functions and the only raw pointers in the crate.
//!
//! Every export takes addresses (`usize`, i.e. `u32` on wasm32) and sizes, validates them, and only then
//! builds slices and calls the kernel module. Checks, in this order, per buffer argument:
//! null (1) → misaligned (7, f32/i32/u32 buffers need 4-byte alignment) → size overflow (3, element
//! count × element size, or a product of dimensions) → out of bounds (2, `ptr + bytes` beyond the wasm
//! memory; skipped natively, where the memory size is unknown). Then argument validity (5: reduction /
//! op codes, `p ∉ [0, 1)`, `ndim > 8`, lengths that must divide…) and aliasing (8: an output range
//! overlapping an input range or another output; empty ranges never overlap, so exact in-place calls are
//! refused too — Rust's `&mut` rules forbid them). Kernels report bad labels / indices as 4.
//!
//! Status codes (kernels.md): 0 OK, 1 NULL_POINTER, 2 OUT_OF_BOUNDS, 3 SIZE_OVERFLOW,
//! 4 INDEX_OUT_OF_RANGE (labels, gather indices), 5 INVALID_ARGUMENT, 6 OUT_OF_MEMORY, 7 MISALIGNED,
//! 8 ALIASING.
//!
//! After a failing call `status_detail_index()` / `status_detail_value()` describe the failure:
//! - 1, 2, 3, 7: index = 0-based position of the offending parameter in the export's parameter list;
//!   value = 0 (7: `ptr % align`).
//! - 5: index = position of the offending parameter; value = the bad value when it is an integer
//!   (op / reduction code, ndim, a length), else 0.
//! - 8: index = position of the output parameter, value = position of the parameter it overlaps.
//! - 4: index = position of the bad element (row of the bad label, position in `indices`),
//!   value = the bad label / index itself.
//!
//! Memory: `alloc(bytes)` returns a 16-byte aligned address, or 0 on failure. `alloc(0)` is *not* a
//! failure: it returns a valid, unique, non-null address (a 1-byte allocation), so that zero-length
//! buffers still have a real pointer and 0 always means "out of memory". `free(ptr, bytes)` must get the
//! same `bytes` as the `alloc` call; `free(0, _)` is a no-op. On wasm32 these are exported as `alloc` and
//! `free`; natively they are not `#[no_mangle]` (a native `free` symbol would replace libc's).
//!
//! Beyond kernels.md, the kernels the siblings added are exported the same way: `_ref` twins of the
//! gathers and of dropout, convert.rs (`copy_u32`, `cast_i32_to_f32`, `cast_f32_to_i32`, `equal_f32`,
//! `equal_i32`) and image.rs (`random_crop_f32`, `random_hflip_f32` — drawing from the global
//! generator — and `resize_bilinear_f32`). `rng_set_state` refuses the all-zero state (5) rather than
//! silently reseeding as `Rng::set_state` would. metrics.rs adds `confusion_i32` (+ `_ref`), whose bad
//! targets / predictions are reported as 4 like labels.
//!
//! Booleans are `u32` (0 = false, anything else = true). Bools, codes and sizes are passed as `u32` on
//! wasm32 (`usize` here); floats as `f32`.

use std::alloc::Layout;
use std::cell::{Cell, RefCell};

use crate::{
    convert, cross_entropy, data, elementwise, gemm, image, metrics, optim, reduce, rng, softmax,
    threads,
};

/// Success.
pub const OK: u32 = 0;
/// A buffer address is 0.
pub const NULL_POINTER: u32 = 1;
/// `ptr + bytes` lies beyond the wasm memory.
pub const OUT_OF_BOUNDS: u32 = 2;
/// A size (element count × element size, or a product of dimensions) overflows `usize`.
pub const SIZE_OVERFLOW: u32 = 3;
/// A label or gather index is outside its valid range.
pub const INDEX_OUT_OF_RANGE: u32 = 4;
/// A code, probability, shape or length is invalid.
pub const INVALID_ARGUMENT: u32 = 5;
/// `alloc` could not get memory (only reported by callers of `alloc`, which returns 0).
pub const OUT_OF_MEMORY: u32 = 6;
/// A 4-byte buffer has an address that is not a multiple of 4.
pub const MISALIGNED: u32 = 7;
/// An output buffer overlaps an input buffer (or another output).
pub const ALIASING: u32 = 8;

/// Maximum number of dimensions for `expand_f32` / `sum_to_f32`.
pub const MAX_NDIM: usize = 8;

const ALLOC_ALIGN: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fail {
    code: u32,
    index: u32,
    value: i32,
}

type Res<T> = Result<T, Fail>;

fn fail(code: u32, index: u32, value: i32) -> Fail {
    Fail { code, index, value }
}

fn sat_i32(v: usize) -> i32 {
    if v > i32::MAX as usize {
        i32::MAX
    } else {
        v as i32
    }
}

fn sat_u32(v: usize) -> u32 {
    if v > u32::MAX as usize {
        u32::MAX
    } else {
        v as u32
    }
}

crate::threads::per_thread! {
    // One per thread: natively (cargo test runs tests on several threads) and in the wasm threads
    // build (several instances on one memory; see threads.rs).
    static DETAIL: Cell<(u32, i32)> = const { Cell::new((0, 0)) };
    static RNG: RefCell<rng::Rng> = RefCell::new(rng::Rng::new(0));
}

fn run<F: FnOnce() -> Res<()>>(f: F) -> u32 {
    match f() {
        Ok(()) => OK,
        Err(e) => {
            DETAIL.with(|d| d.set((e.index, e.value)));
            e.code
        }
    }
}

fn with_rng<T, F: FnOnce(&mut rng::Rng) -> T>(f: F) -> T {
    RNG.with(|r| f(&mut r.borrow_mut()))
}

/// Bytes of linear memory the pointers may address.
#[cfg(target_arch = "wasm32")]
fn memory_bytes() -> u64 {
    core::arch::wasm32::memory_size::<0>() as u64 * 65536
}

#[cfg(not(target_arch = "wasm32"))]
fn memory_bytes() -> u64 {
    u64::MAX
}

/// A validated buffer: `len` elements at `ptr`, `bytes` long, passed as parameter number `arg`.
#[derive(Clone, Copy, Debug)]
struct Region {
    ptr: usize,
    len: usize,
    bytes: usize,
    arg: u32,
}

impl Region {
    fn overlaps(&self, o: &Region) -> bool {
        self.bytes > 0 && o.bytes > 0 && self.ptr < o.ptr + o.bytes && o.ptr < self.ptr + self.bytes
    }

    /// An empty region that is never dereferenced (optional buffers such as SGD's momentum buffer).
    fn empty(arg: u32) -> Region {
        Region {
            ptr: 0,
            len: 0,
            bytes: 0,
            arg,
        }
    }

    // SAFETY (all accessors): the region was validated by `region` (non-null, aligned, in bounds) and,
    // for the `_mut` ones, checked by `no_alias` not to overlap any other region of the same call.
    unsafe fn f32s<'a>(self) -> &'a [f32] {
        if self.len == 0 {
            return &[];
        }
        std::slice::from_raw_parts(self.ptr as *const f32, self.len)
    }
    unsafe fn f32s_mut<'a>(self) -> &'a mut [f32] {
        if self.len == 0 {
            return &mut [];
        }
        std::slice::from_raw_parts_mut(self.ptr as *mut f32, self.len)
    }
    unsafe fn i32s<'a>(self) -> &'a [i32] {
        if self.len == 0 {
            return &[];
        }
        std::slice::from_raw_parts(self.ptr as *const i32, self.len)
    }
    unsafe fn i32s_mut<'a>(self) -> &'a mut [i32] {
        if self.len == 0 {
            return &mut [];
        }
        std::slice::from_raw_parts_mut(self.ptr as *mut i32, self.len)
    }
    unsafe fn u32s<'a>(self) -> &'a [u32] {
        if self.len == 0 {
            return &[];
        }
        std::slice::from_raw_parts(self.ptr as *const u32, self.len)
    }
    unsafe fn u8s<'a>(self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        std::slice::from_raw_parts(self.ptr as *const u8, self.len)
    }
}

/// Validates `len` elements of `elem` bytes at `ptr` (parameter number `arg`): null, alignment
/// (= `elem`), size overflow, bounds.
fn region(ptr: usize, len: usize, elem: usize, arg: u32) -> Res<Region> {
    if ptr == 0 {
        return Err(fail(NULL_POINTER, arg, 0));
    }
    if ptr % elem != 0 {
        return Err(fail(MISALIGNED, arg, (ptr % elem) as i32));
    }
    let bytes = match len.checked_mul(elem) {
        Some(b) => b,
        None => return Err(fail(SIZE_OVERFLOW, arg, 0)),
    };
    let end = match ptr.checked_add(bytes) {
        Some(e) => e,
        None => return Err(fail(OUT_OF_BOUNDS, arg, 0)),
    };
    if end as u64 > memory_bytes() {
        return Err(fail(OUT_OF_BOUNDS, arg, 0));
    }
    Ok(Region {
        ptr,
        len,
        bytes,
        arg,
    })
}

fn f32_buf(ptr: usize, len: usize, arg: u32) -> Res<Region> {
    region(ptr, len, 4, arg)
}
fn i32_buf(ptr: usize, len: usize, arg: u32) -> Res<Region> {
    region(ptr, len, 4, arg)
}
fn u8_buf(ptr: usize, len: usize, arg: u32) -> Res<Region> {
    region(ptr, len, 1, arg)
}

/// `a * b`, or SIZE_OVERFLOW blamed on parameter `arg`.
fn mul(a: usize, b: usize, arg: u32) -> Res<usize> {
    a.checked_mul(b).ok_or_else(|| fail(SIZE_OVERFLOW, arg, 0))
}

fn mul3(a: usize, b: usize, c: usize, arg: u32) -> Res<usize> {
    mul(mul(a, b, arg)?, c, arg)
}

/// Outputs must not overlap inputs nor each other.
fn no_alias(outs: &[Region], ins: &[Region]) -> Res<()> {
    for (i, o) in outs.iter().enumerate() {
        for x in ins.iter().chain(outs[i + 1..].iter()) {
            if o.overlaps(x) {
                return Err(fail(ALIASING, o.arg, x.arg as i32));
            }
        }
    }
    Ok(())
}

fn invalid(arg: u32, value: i32) -> Fail {
    fail(INVALID_ARGUMENT, arg, value)
}

// ---------------------------------------------------------------------------------------------------
// Memory and status details

/// Allocates `bytes` bytes aligned to 16; 0 on failure. `alloc(0)` returns a unique non-null address.
#[cfg_attr(target_arch = "wasm32", no_mangle)]
pub extern "C" fn alloc(bytes: usize) -> usize {
    match Layout::from_size_align(bytes.max(1), ALLOC_ALIGN) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { std::alloc::alloc(layout) as usize },
        Err(_) => 0,
    }
}

/// Frees an `alloc(bytes)` allocation (same `bytes`). `free(0, _)` is a no-op. Returns a status
/// (7 when `ptr` is not 16-byte aligned, 3 when `bytes` cannot be a valid allocation size).
#[cfg_attr(target_arch = "wasm32", no_mangle)]
pub extern "C" fn free(ptr: usize, bytes: usize) -> u32 {
    if ptr == 0 {
        return OK;
    }
    run(|| {
        if ptr % ALLOC_ALIGN != 0 {
            return Err(fail(MISALIGNED, 0, (ptr % ALLOC_ALIGN) as i32));
        }
        let layout = match Layout::from_size_align(bytes.max(1), ALLOC_ALIGN) {
            Ok(l) => l,
            Err(_) => return Err(fail(SIZE_OVERFLOW, 1, 0)),
        };
        // SAFETY: by contract `ptr` came from `alloc(bytes)`, which used this layout.
        unsafe { std::alloc::dealloc(ptr as *mut u8, layout) };
        Ok(())
    })
}

/// Index detail of the last failing call (see the module docs).
#[no_mangle]
pub extern "C" fn status_detail_index() -> u32 {
    DETAIL.with(|d| d.get().0)
}

/// Value detail of the last failing call (see the module docs).
#[no_mangle]
pub extern "C" fn status_detail_value() -> i32 {
    DETAIL.with(|d| d.get().1)
}

// ---------------------------------------------------------------------------------------------------
// gemm.rs

type GemmFn = fn(bool, bool, usize, usize, usize, f32, &[f32], &[f32], f32, &mut [f32]);

#[allow(clippy::too_many_arguments)]
fn gemm_impl(
    f: GemmFn,
    trans_a: u32,
    trans_b: u32,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: usize,
    b: usize,
    beta: f32,
    c: usize,
) -> u32 {
    run(|| {
        let ra = f32_buf(a, mul(m, k, 6)?, 6)?;
        let rb = f32_buf(b, mul(k, n, 7)?, 7)?;
        let rc = f32_buf(c, mul(m, n, 9)?, 9)?;
        no_alias(&[rc], &[ra, rb])?;
        // SAFETY: validated and non-aliasing (see `Region`).
        unsafe {
            f(
                trans_a != 0,
                trans_b != 0,
                m,
                n,
                k,
                alpha,
                ra.f32s(),
                rb.f32s(),
                beta,
                rc.f32s_mut(),
            )
        };
        Ok(())
    })
}

/// C[m×n] = alpha·op(A)·op(B) + beta·C. Parameters: 0 trans_a, 1 trans_b, 2 m, 3 n, 4 k, 5 alpha,
/// 6 a (m·k floats), 7 b (k·n), 8 beta, 9 c (m·n, in/out).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn gemm_f32(
    trans_a: u32,
    trans_b: u32,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: usize,
    b: usize,
    beta: f32,
    c: usize,
) -> u32 {
    gemm_impl(gemm::gemm, trans_a, trans_b, m, n, k, alpha, a, b, beta, c)
}

/// Scalar reference of `gemm_f32` (same parameters).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn gemm_f32_ref(
    trans_a: u32,
    trans_b: u32,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: usize,
    b: usize,
    beta: f32,
    c: usize,
) -> u32 {
    gemm_impl(
        gemm::gemm_ref,
        trans_a,
        trans_b,
        m,
        n,
        k,
        alpha,
        a,
        b,
        beta,
        c,
    )
}

// ---------------------------------------------------------------------------------------------------
// softmax.rs

type AxisFn = fn(&[f32], &mut [f32], usize, usize, usize);
type AxisBackFn = fn(&[f32], &[f32], &mut [f32], usize, usize, usize);

fn axis_same_impl(f: AxisFn, x: usize, y: usize, outer: usize, dim: usize, inner: usize) -> u32 {
    run(|| {
        let len = mul3(outer, dim, inner, 3)?;
        let rx = f32_buf(x, len, 0)?;
        let ry = f32_buf(y, len, 1)?;
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(rx.f32s(), ry.f32s_mut(), outer, dim, inner) };
        Ok(())
    })
}

fn axis_back_impl(
    f: AxisBackFn,
    y: usize,
    dy: usize,
    dx: usize,
    outer: usize,
    dim: usize,
    inner: usize,
) -> u32 {
    run(|| {
        let len = mul3(outer, dim, inner, 4)?;
        let ry = f32_buf(y, len, 0)?;
        let rdy = f32_buf(dy, len, 1)?;
        let rdx = f32_buf(dx, len, 2)?;
        no_alias(&[rdx], &[ry, rdy])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(ry.f32s(), rdy.f32s(), rdx.f32s_mut(), outer, dim, inner) };
        Ok(())
    })
}

macro_rules! axis_same_exports {
    ($( $name:ident => $kernel:path ),* $(,)?) => {$(
        /// Parameters: 0 x, 1 y (both outer·dim·inner floats), 2 outer, 3 dim, 4 inner.
        #[no_mangle]
        pub extern "C" fn $name(x: usize, y: usize, outer: usize, dim: usize, inner: usize) -> u32 {
            axis_same_impl($kernel, x, y, outer, dim, inner)
        }
    )*};
}

axis_same_exports! {
    softmax_f32 => softmax::softmax,
    softmax_f32_ref => softmax::softmax_ref,
    log_softmax_f32 => softmax::log_softmax,
    log_softmax_f32_ref => softmax::log_softmax_ref,
}

macro_rules! axis_back_exports {
    ($( $name:ident => $kernel:path ),* $(,)?) => {$(
        /// Parameters: 0 y (forward output), 1 dy, 2 dx (all outer·dim·inner floats), 3 outer, 4 dim,
        /// 5 inner.
        #[no_mangle]
        pub extern "C" fn $name(
            y: usize, dy: usize, dx: usize, outer: usize, dim: usize, inner: usize,
        ) -> u32 {
            axis_back_impl($kernel, y, dy, dx, outer, dim, inner)
        }
    )*};
}

axis_back_exports! {
    softmax_backward_f32 => softmax::softmax_backward,
    softmax_backward_f32_ref => softmax::softmax_backward_ref,
    log_softmax_backward_f32 => softmax::log_softmax_backward,
    log_softmax_backward_f32_ref => softmax::log_softmax_backward_ref,
}

// ---------------------------------------------------------------------------------------------------
// cross_entropy.rs

type CeFn = fn(&[f32], &[i32], usize, usize, f32, u32, &mut [f32]) -> Result<(), usize>;
type CeBackFn = fn(&[f32], &[i32], usize, usize, f32, &[f32], f32, &mut [f32]) -> Result<(), usize>;

fn check_smoothing(eps: f32, arg: u32) -> Res<()> {
    if (0.0..=1.0).contains(&eps) {
        Ok(())
    } else {
        Err(invalid(arg, 0))
    }
}

fn label_fail(labels: &[i32], i: usize) -> Fail {
    fail(
        INDEX_OUT_OF_RANGE,
        sat_u32(i),
        labels.get(i).copied().unwrap_or(0),
    )
}

#[allow(clippy::too_many_arguments)]
fn ce_impl(
    f: CeFn,
    logits: usize,
    labels: usize,
    rows: usize,
    classes: usize,
    label_smoothing: f32,
    reduction: u32,
    loss: usize,
) -> u32 {
    run(|| {
        let rl = f32_buf(logits, mul(rows, classes, 3)?, 0)?;
        let rlab = i32_buf(labels, rows, 1)?;
        if reduction > 2 {
            return Err(invalid(5, reduction as i32));
        }
        let loss_len = if reduction == 0 { rows } else { 1 };
        let rloss = f32_buf(loss, loss_len, 6)?;
        check_smoothing(label_smoothing, 4)?;
        no_alias(&[rloss], &[rl, rlab])?;
        // SAFETY: validated and non-aliasing.
        let lab = unsafe { rlab.i32s() };
        let r = unsafe {
            f(
                rl.f32s(),
                lab,
                rows,
                classes,
                label_smoothing,
                reduction,
                rloss.f32s_mut(),
            )
        };
        r.map_err(|i| label_fail(lab, i))
    })
}

/// Cross-entropy on logits. Parameters: 0 logits (rows·classes floats), 1 labels (rows int32),
/// 2 rows, 3 classes, 4 label_smoothing ∈ [0, 1], 5 reduction (0 none, 1 mean, 2 sum),
/// 6 loss (rows floats for none, 1 for mean/sum). A label outside [0, classes) → 4 with
/// detail index = its row, value = the label.
#[no_mangle]
pub extern "C" fn cross_entropy_f32(
    logits: usize,
    labels: usize,
    rows: usize,
    classes: usize,
    label_smoothing: f32,
    reduction: u32,
    loss: usize,
) -> u32 {
    ce_impl(
        cross_entropy::cross_entropy,
        logits,
        labels,
        rows,
        classes,
        label_smoothing,
        reduction,
        loss,
    )
}

/// Scalar reference of `cross_entropy_f32` (same parameters).
#[no_mangle]
pub extern "C" fn cross_entropy_f32_ref(
    logits: usize,
    labels: usize,
    rows: usize,
    classes: usize,
    label_smoothing: f32,
    reduction: u32,
    loss: usize,
) -> u32 {
    ce_impl(
        cross_entropy::cross_entropy_ref,
        logits,
        labels,
        rows,
        classes,
        label_smoothing,
        reduction,
        loss,
    )
}

#[allow(clippy::too_many_arguments)]
fn ce_back_impl(
    f: CeBackFn,
    logits: usize,
    labels: usize,
    rows: usize,
    classes: usize,
    label_smoothing: f32,
    dloss: usize,
    dloss_len: usize,
    scale: f32,
    grad: usize,
) -> u32 {
    run(|| {
        let len = mul(rows, classes, 3)?;
        let rl = f32_buf(logits, len, 0)?;
        let rlab = i32_buf(labels, rows, 1)?;
        let rdl = f32_buf(dloss, dloss_len, 5)?;
        let rg = f32_buf(grad, len, 8)?;
        check_smoothing(label_smoothing, 4)?;
        if dloss_len != 1 && dloss_len != rows {
            return Err(invalid(6, sat_i32(dloss_len)));
        }
        no_alias(&[rg], &[rl, rlab, rdl])?;
        // SAFETY: validated and non-aliasing.
        let lab = unsafe { rlab.i32s() };
        let r = unsafe {
            f(
                rl.f32s(),
                lab,
                rows,
                classes,
                label_smoothing,
                rdl.f32s(),
                scale,
                rg.f32s_mut(),
            )
        };
        r.map_err(|i| label_fail(lab, i))
    })
}

/// Gradient of cross-entropy w.r.t. the logits. Parameters: 0 logits (rows·classes), 1 labels (rows
/// int32), 2 rows, 3 classes, 4 label_smoothing, 5 dloss, 6 dloss_len (1 or rows), 7 scale,
/// 8 grad (rows·classes, output).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn cross_entropy_backward_f32(
    logits: usize,
    labels: usize,
    rows: usize,
    classes: usize,
    label_smoothing: f32,
    dloss: usize,
    dloss_len: usize,
    scale: f32,
    grad: usize,
) -> u32 {
    ce_back_impl(
        cross_entropy::cross_entropy_backward,
        logits,
        labels,
        rows,
        classes,
        label_smoothing,
        dloss,
        dloss_len,
        scale,
        grad,
    )
}

/// Scalar reference of `cross_entropy_backward_f32` (same parameters).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn cross_entropy_backward_f32_ref(
    logits: usize,
    labels: usize,
    rows: usize,
    classes: usize,
    label_smoothing: f32,
    dloss: usize,
    dloss_len: usize,
    scale: f32,
    grad: usize,
) -> u32 {
    ce_back_impl(
        cross_entropy::cross_entropy_backward_ref,
        logits,
        labels,
        rows,
        classes,
        label_smoothing,
        dloss,
        dloss_len,
        scale,
        grad,
    )
}

// ---------------------------------------------------------------------------------------------------
// elementwise.rs

type UnaryFn = fn(&[f32], &mut [f32]);
type BinFn = fn(&[f32], &[f32], &mut [f32]);
type ScalarFn = fn(&[f32], f32, &mut [f32]);

fn unary_impl(f: UnaryFn, x: usize, y: usize, n: usize) -> u32 {
    run(|| {
        let rx = f32_buf(x, n, 0)?;
        let ry = f32_buf(y, n, 1)?;
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(rx.f32s(), ry.f32s_mut()) };
        Ok(())
    })
}

fn bin_impl(f: BinFn, a: usize, b: usize, out: usize, n: usize) -> u32 {
    run(|| {
        let ra = f32_buf(a, n, 0)?;
        let rb = f32_buf(b, n, 1)?;
        let ro = f32_buf(out, n, 2)?;
        no_alias(&[ro], &[ra, rb])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(ra.f32s(), rb.f32s(), ro.f32s_mut()) };
        Ok(())
    })
}

fn scalar_impl(f: ScalarFn, x: usize, s: f32, y: usize, n: usize) -> u32 {
    run(|| {
        let rx = f32_buf(x, n, 0)?;
        let ry = f32_buf(y, n, 2)?;
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(rx.f32s(), s, ry.f32s_mut()) };
        Ok(())
    })
}

macro_rules! unary_exports {
    ($( $name:ident => $kernel:path ),* $(,)?) => {$(
        /// Parameters: 0 x, 1 y (n floats each), 2 n.
        #[no_mangle]
        pub extern "C" fn $name(x: usize, y: usize, n: usize) -> u32 {
            unary_impl($kernel, x, y, n)
        }
    )*};
}

unary_exports! {
    relu_f32 => elementwise::relu,
    relu_f32_ref => elementwise::relu_ref,
    sigmoid_f32 => elementwise::sigmoid,
    sigmoid_f32_ref => elementwise::sigmoid_ref,
    exp_f32 => elementwise::exp,
    exp_f32_ref => elementwise::exp_ref,
    log_f32 => elementwise::log,
    log_f32_ref => elementwise::log_ref,
    abs_f32 => elementwise::abs,
    abs_f32_ref => elementwise::abs_ref,
    neg_f32 => elementwise::neg,
    neg_f32_ref => elementwise::neg_ref,
    sign_f32 => elementwise::sign,
    sign_f32_ref => elementwise::sign_ref,
}

macro_rules! bin_exports {
    ($( $name:ident => $kernel:path ),* $(,)?) => {$(
        /// Parameters: 0 first input, 1 dy, 2 dx (n floats each), 3 n.
        #[no_mangle]
        pub extern "C" fn $name(a: usize, dy: usize, dx: usize, n: usize) -> u32 {
            bin_impl($kernel, a, dy, dx, n)
        }
    )*};
}

bin_exports! {
    relu_backward_f32 => elementwise::relu_backward,
    relu_backward_f32_ref => elementwise::relu_backward_ref,
    sigmoid_backward_f32 => elementwise::sigmoid_backward,
    sigmoid_backward_f32_ref => elementwise::sigmoid_backward_ref,
}

macro_rules! scalar_exports {
    ($( $name:ident => $kernel:path ),* $(,)?) => {$(
        /// Parameters: 0 x, 1 the scalar, 2 y (n floats each), 3 n.
        #[no_mangle]
        pub extern "C" fn $name(x: usize, s: f32, y: usize, n: usize) -> u32 {
            scalar_impl($kernel, x, s, y, n)
        }
    )*};
}

scalar_exports! {
    pow_scalar_f32 => elementwise::pow_scalar,
    pow_scalar_f32_ref => elementwise::pow_scalar_ref,
    scale_f32 => elementwise::scale,
    scale_f32_ref => elementwise::scale_ref,
    add_scalar_f32 => elementwise::add_scalar,
    add_scalar_f32_ref => elementwise::add_scalar_ref,
}

fn axpy_impl(f: fn(f32, &[f32], &mut [f32]), alpha: f32, x: usize, y: usize, n: usize) -> u32 {
    run(|| {
        let rx = f32_buf(x, n, 1)?;
        let ry = f32_buf(y, n, 2)?;
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(alpha, rx.f32s(), ry.f32s_mut()) };
        Ok(())
    })
}

/// y += alpha·x. Parameters: 0 alpha, 1 x, 2 y (in/out), 3 n.
#[no_mangle]
pub extern "C" fn axpy_f32(alpha: f32, x: usize, y: usize, n: usize) -> u32 {
    axpy_impl(elementwise::axpy, alpha, x, y, n)
}

/// Scalar reference of `axpy_f32`.
#[no_mangle]
pub extern "C" fn axpy_f32_ref(alpha: f32, x: usize, y: usize, n: usize) -> u32 {
    axpy_impl(elementwise::axpy_ref, alpha, x, y, n)
}

fn fill_impl(f: fn(&mut [f32], f32), y: usize, value: f32, n: usize) -> u32 {
    run(|| {
        let ry = f32_buf(y, n, 0)?;
        // SAFETY: validated; the only buffer.
        unsafe { f(ry.f32s_mut(), value) };
        Ok(())
    })
}

/// y[..n] = value. Parameters: 0 y, 1 value, 2 n.
#[no_mangle]
pub extern "C" fn fill_f32(y: usize, value: f32, n: usize) -> u32 {
    fill_impl(elementwise::fill, y, value, n)
}

/// Scalar reference of `fill_f32`.
#[no_mangle]
pub extern "C" fn fill_f32_ref(y: usize, value: f32, n: usize) -> u32 {
    fill_impl(elementwise::fill_ref, y, value, n)
}

type BinaryOpFn = fn(u32, &[f32], &[f32], &mut [f32]);

#[allow(clippy::too_many_arguments)]
fn binary_impl(
    f: BinaryOpFn,
    op: u32,
    a: usize,
    a_len: usize,
    b: usize,
    b_len: usize,
    y: usize,
    n: usize,
) -> u32 {
    run(|| {
        let ra = f32_buf(a, a_len, 1)?;
        let rb = f32_buf(b, b_len, 3)?;
        let ry = f32_buf(y, n, 5)?;
        if op > 3 {
            return Err(invalid(0, op as i32));
        }
        // a_len / b_len must equal n or divide it (n == 0 accepts any length; 0 divides nothing else).
        if a_len != n && (a_len == 0 || n % a_len != 0) {
            return Err(invalid(2, sat_i32(a_len)));
        }
        if b_len != n && (b_len == 0 || n % b_len != 0) {
            return Err(invalid(4, sat_i32(b_len)));
        }
        no_alias(&[ry], &[ra, rb])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(op, ra.f32s(), rb.f32s(), ry.f32s_mut()) };
        Ok(())
    })
}

/// y[i] = a[i % a_len] op b[i % b_len]. Parameters: 0 op (0 add, 1 sub, 2 mul, 3 div), 1 a, 2 a_len,
/// 3 b, 4 b_len, 5 y, 6 n. a_len and b_len must equal n or divide it.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn binary_f32(
    op: u32,
    a: usize,
    a_len: usize,
    b: usize,
    b_len: usize,
    y: usize,
    n: usize,
) -> u32 {
    binary_impl(elementwise::binary, op, a, a_len, b, b_len, y, n)
}

/// Scalar reference of `binary_f32`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn binary_f32_ref(
    op: u32,
    a: usize,
    a_len: usize,
    b: usize,
    b_len: usize,
    y: usize,
    n: usize,
) -> u32 {
    binary_impl(elementwise::binary_ref, op, a, a_len, b, b_len, y, n)
}

type BinaryRowsFn = fn(u32, &[f32], &[f32], &mut [f32], usize);

#[allow(clippy::too_many_arguments)]
fn binary_rows_impl(
    f: BinaryRowsFn,
    op: u32,
    a: usize,
    col: usize,
    y: usize,
    rows: usize,
    cols: usize,
) -> u32 {
    run(|| {
        let len = mul(rows, cols, 4)?;
        let ra = f32_buf(a, len, 1)?;
        let rc = f32_buf(col, rows, 2)?;
        let ry = f32_buf(y, len, 3)?;
        if op > 3 {
            return Err(invalid(0, op as i32));
        }
        no_alias(&[ry], &[ra, rc])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(op, ra.f32s(), rc.f32s(), ry.f32s_mut(), cols) };
        Ok(())
    })
}

/// y[r·cols + j] = a[r·cols + j] op col[r]. Parameters: 0 op, 1 a (rows·cols), 2 col (rows), 3 y
/// (rows·cols), 4 rows, 5 cols.
#[no_mangle]
pub extern "C" fn binary_rows_f32(
    op: u32,
    a: usize,
    col: usize,
    y: usize,
    rows: usize,
    cols: usize,
) -> u32 {
    binary_rows_impl(elementwise::binary_rows, op, a, col, y, rows, cols)
}

/// Scalar reference of `binary_rows_f32`.
#[no_mangle]
pub extern "C" fn binary_rows_f32_ref(
    op: u32,
    a: usize,
    col: usize,
    y: usize,
    rows: usize,
    cols: usize,
) -> u32 {
    binary_rows_impl(elementwise::binary_rows_ref, op, a, col, y, rows, cols)
}

type BiasAddFn = fn(&[f32], &[f32], &mut [f32], usize, usize);

fn bias_add_impl(f: BiasAddFn, x: usize, bias: usize, y: usize, rows: usize, cols: usize) -> u32 {
    run(|| {
        let len = mul(rows, cols, 3)?;
        let rx = f32_buf(x, len, 0)?;
        let rb = f32_buf(bias, cols, 1)?;
        let ry = f32_buf(y, len, 2)?;
        no_alias(&[ry], &[rx, rb])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(rx.f32s(), rb.f32s(), ry.f32s_mut(), rows, cols) };
        Ok(())
    })
}

/// y[r, j] = x[r, j] + bias[j]. Parameters: 0 x (rows·cols), 1 bias (cols), 2 y (rows·cols), 3 rows,
/// 4 cols.
#[no_mangle]
pub extern "C" fn bias_add_f32(x: usize, bias: usize, y: usize, rows: usize, cols: usize) -> u32 {
    bias_add_impl(elementwise::bias_add, x, bias, y, rows, cols)
}

/// Scalar reference of `bias_add_f32`.
#[no_mangle]
pub extern "C" fn bias_add_f32_ref(
    x: usize,
    bias: usize,
    y: usize,
    rows: usize,
    cols: usize,
) -> u32 {
    bias_add_impl(elementwise::bias_add_ref, x, bias, y, rows, cols)
}

type BiasGradFn = fn(&[f32], &mut [f32], usize, usize);

fn bias_grad_impl(f: BiasGradFn, dy: usize, db: usize, rows: usize, cols: usize) -> u32 {
    run(|| {
        let rdy = f32_buf(dy, mul(rows, cols, 2)?, 0)?;
        let rdb = f32_buf(db, cols, 1)?;
        no_alias(&[rdb], &[rdy])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(rdy.f32s(), rdb.f32s_mut(), rows, cols) };
        Ok(())
    })
}

/// db[j] = Σ_r dy[r, j]. Parameters: 0 dy (rows·cols), 1 db (cols), 2 rows, 3 cols.
#[no_mangle]
pub extern "C" fn bias_grad_f32(dy: usize, db: usize, rows: usize, cols: usize) -> u32 {
    bias_grad_impl(elementwise::bias_grad, dy, db, rows, cols)
}

/// Scalar reference of `bias_grad_f32`.
#[no_mangle]
pub extern "C" fn bias_grad_f32_ref(dy: usize, db: usize, rows: usize, cols: usize) -> u32 {
    bias_grad_impl(elementwise::bias_grad_ref, dy, db, rows, cols)
}

// ---------------------------------------------------------------------------------------------------
// reduce.rs

fn sum_impl(f: fn(&[f32]) -> f32, x: usize, n: usize, out: usize) -> u32 {
    run(|| {
        let rx = f32_buf(x, n, 0)?;
        let ro = f32_buf(out, 1, 2)?;
        no_alias(&[ro], &[rx])?;
        // SAFETY: validated and non-aliasing.
        unsafe { ro.f32s_mut()[0] = f(rx.f32s()) };
        Ok(())
    })
}

/// *out = Σ x[..n]. Parameters: 0 x, 1 n, 2 out (1 float).
#[no_mangle]
pub extern "C" fn sum_f32(x: usize, n: usize, out: usize) -> u32 {
    sum_impl(reduce::sum, x, n, out)
}

/// Scalar reference of `sum_f32`.
#[no_mangle]
pub extern "C" fn sum_f32_ref(x: usize, n: usize, out: usize) -> u32 {
    sum_impl(reduce::sum_ref, x, n, out)
}

fn reduce_axis_impl(
    f: AxisFn,
    x: usize,
    y: usize,
    outer: usize,
    dim: usize,
    inner: usize,
    need_dim: bool,
) -> u32 {
    run(|| {
        let rx = f32_buf(x, mul3(outer, dim, inner, 3)?, 0)?;
        let out_len = mul(outer, inner, 2)?;
        let ry = f32_buf(y, out_len, 1)?;
        if need_dim && dim == 0 && out_len > 0 {
            return Err(invalid(3, 0));
        }
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(rx.f32s(), ry.f32s_mut(), outer, dim, inner) };
        Ok(())
    })
}

fn argmax_impl(
    f: fn(&[f32], &mut [i32], usize, usize, usize),
    x: usize,
    y: usize,
    outer: usize,
    dim: usize,
    inner: usize,
) -> u32 {
    run(|| {
        let rx = f32_buf(x, mul3(outer, dim, inner, 3)?, 0)?;
        let out_len = mul(outer, inner, 2)?;
        let ry = i32_buf(y, out_len, 1)?;
        if dim == 0 && out_len > 0 {
            return Err(invalid(3, 0));
        }
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(rx.f32s(), ry.i32s_mut(), outer, dim, inner) };
        Ok(())
    })
}

/// y[o, i] = Σ_d x[o, d, i]. Parameters: 0 x (outer·dim·inner), 1 y (outer·inner), 2 outer, 3 dim,
/// 4 inner.
#[no_mangle]
pub extern "C" fn sum_axis_f32(x: usize, y: usize, outer: usize, dim: usize, inner: usize) -> u32 {
    reduce_axis_impl(reduce::sum_axis, x, y, outer, dim, inner, false)
}

/// Scalar reference of `sum_axis_f32`.
#[no_mangle]
pub extern "C" fn sum_axis_f32_ref(
    x: usize,
    y: usize,
    outer: usize,
    dim: usize,
    inner: usize,
) -> u32 {
    reduce_axis_impl(reduce::sum_axis_ref, x, y, outer, dim, inner, false)
}

/// y[o, i] = max_d x[o, d, i] (dim must be > 0 unless the output is empty). Parameters as `sum_axis_f32`.
#[no_mangle]
pub extern "C" fn max_axis_f32(x: usize, y: usize, outer: usize, dim: usize, inner: usize) -> u32 {
    reduce_axis_impl(reduce::max_axis, x, y, outer, dim, inner, true)
}

/// Scalar reference of `max_axis_f32`.
#[no_mangle]
pub extern "C" fn max_axis_f32_ref(
    x: usize,
    y: usize,
    outer: usize,
    dim: usize,
    inner: usize,
) -> u32 {
    reduce_axis_impl(reduce::max_axis_ref, x, y, outer, dim, inner, true)
}

/// y[o, i] = argmax_d x[o, d, i] as int32 (first max wins; NaN counts as max). Parameters as
/// `sum_axis_f32`, y is int32.
#[no_mangle]
pub extern "C" fn argmax_axis_f32(
    x: usize,
    y: usize,
    outer: usize,
    dim: usize,
    inner: usize,
) -> u32 {
    argmax_impl(reduce::argmax_axis, x, y, outer, dim, inner)
}

/// Scalar reference of `argmax_axis_f32`.
#[no_mangle]
pub extern "C" fn argmax_axis_f32_ref(
    x: usize,
    y: usize,
    outer: usize,
    dim: usize,
    inner: usize,
) -> u32 {
    argmax_impl(reduce::argmax_axis_ref, x, y, outer, dim, inner)
}

/// Reads `shape` and `strides` (ndim u32 each, parameters `shape_arg` / `shape_arg + 1`), checks
/// ndim ≤ 8 (parameter `shape_arg + 2`) and returns (shape, strides, ndim, element count of the
/// shape, largest offset reached through the strides + 1 — 0 when the shape is empty).
#[allow(clippy::type_complexity)]
fn read_shape(
    shape: usize,
    strides: usize,
    ndim: usize,
    shape_arg: u32,
) -> Res<(
    [u32; MAX_NDIM],
    [u32; MAX_NDIM],
    Region,
    Region,
    usize,
    usize,
)> {
    if ndim > MAX_NDIM {
        return Err(invalid(shape_arg + 2, sat_i32(ndim)));
    }
    let rs = region(shape, ndim, 4, shape_arg)?;
    let rt = region(strides, ndim, 4, shape_arg + 1)?;
    let mut sh = [0u32; MAX_NDIM];
    let mut st = [0u32; MAX_NDIM];
    // SAFETY: validated regions, read only, copied out before any output is written.
    unsafe {
        sh[..ndim].copy_from_slice(rs.u32s());
        st[..ndim].copy_from_slice(rt.u32s());
    }
    let mut count: usize = 1;
    for &d in &sh[..ndim] {
        count = mul(count, d as usize, shape_arg)?;
    }
    let mut span: usize = 0;
    if count > 0 {
        let mut max_off: usize = 0;
        for d in 0..ndim {
            let step = mul(sh[d] as usize - 1, st[d] as usize, shape_arg + 1)?;
            max_off = max_off
                .checked_add(step)
                .ok_or_else(|| fail(SIZE_OVERFLOW, shape_arg + 1, 0))?;
        }
        span = max_off + 1;
    }
    Ok((sh, st, rs, rt, count, span))
}

type ShapeFn = fn(&[f32], &mut [f32], &[u32], &[u32]);

fn expand_impl(
    f: ShapeFn,
    x: usize,
    x_len: usize,
    y: usize,
    shape: usize,
    strides: usize,
    ndim: usize,
) -> u32 {
    run(|| {
        let rx = f32_buf(x, x_len, 0)?;
        let (sh, st, rs, rt, count, span) = read_shape(shape, strides, ndim, 3)?;
        let ry = f32_buf(y, count, 2)?;
        if span > x_len {
            return Err(invalid(4, sat_i32(span)));
        }
        no_alias(&[ry], &[rx, rs, rt])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(rx.f32s(), ry.f32s_mut(), &sh[..ndim], &st[..ndim]) };
        Ok(())
    })
}

/// y (shape) [idx] = x[Σ idx_d·strides_d]. Parameters: 0 x, 1 x_len, 2 y (Π shape floats),
/// 3 shape (ndim u32), 4 strides (ndim u32), 5 ndim ≤ 8. Strides reaching past x_len → 5
/// (detail value = floats needed).
#[no_mangle]
pub extern "C" fn expand_f32(
    x: usize,
    x_len: usize,
    y: usize,
    shape: usize,
    strides: usize,
    ndim: usize,
) -> u32 {
    expand_impl(reduce::expand, x, x_len, y, shape, strides, ndim)
}

/// Scalar reference of `expand_f32`.
#[no_mangle]
pub extern "C" fn expand_f32_ref(
    x: usize,
    x_len: usize,
    y: usize,
    shape: usize,
    strides: usize,
    ndim: usize,
) -> u32 {
    expand_impl(reduce::expand_ref, x, x_len, y, shape, strides, ndim)
}

fn sum_to_impl(
    f: ShapeFn,
    dy: usize,
    dx: usize,
    dx_len: usize,
    shape: usize,
    strides: usize,
    ndim: usize,
) -> u32 {
    run(|| {
        let (sh, st, rs, rt, count, span) = read_shape(shape, strides, ndim, 3)?;
        let rdy = f32_buf(dy, count, 0)?;
        let rdx = f32_buf(dx, dx_len, 1)?;
        if span > dx_len {
            return Err(invalid(4, sat_i32(span)));
        }
        no_alias(&[rdx], &[rdy, rs, rt])?;
        // SAFETY: validated and non-aliasing.
        unsafe { f(rdy.f32s(), rdx.f32s_mut(), &sh[..ndim], &st[..ndim]) };
        Ok(())
    })
}

/// The adjoint of `expand_f32`: dx zeroed, then dx[Σ idx_d·strides_d] += dy[idx]. Parameters: 0 dy
/// (Π shape floats), 1 dx, 2 dx_len, 3 shape, 4 strides, 5 ndim ≤ 8.
#[no_mangle]
pub extern "C" fn sum_to_f32(
    dy: usize,
    dx: usize,
    dx_len: usize,
    shape: usize,
    strides: usize,
    ndim: usize,
) -> u32 {
    sum_to_impl(reduce::sum_to, dy, dx, dx_len, shape, strides, ndim)
}

/// Scalar reference of `sum_to_f32`.
#[no_mangle]
pub extern "C" fn sum_to_f32_ref(
    dy: usize,
    dx: usize,
    dx_len: usize,
    shape: usize,
    strides: usize,
    ndim: usize,
) -> u32 {
    sum_to_impl(reduce::sum_to_ref, dy, dx, dx_len, shape, strides, ndim)
}

// ---------------------------------------------------------------------------------------------------
// optim.rs

type SgdFn = fn(&mut [f32], &[f32], &mut [f32], f64, f64, f64, f64, bool, bool);

#[allow(clippy::too_many_arguments)]
fn sgd_impl(
    f: SgdFn,
    param: usize,
    grad: usize,
    buf: usize,
    n: usize,
    lr: f64,
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: u32,
    first_step: u32,
) -> u32 {
    run(|| {
        let rp = f32_buf(param, n, 0)?;
        let rg = f32_buf(grad, n, 1)?;
        let rb = if momentum != 0.0 {
            f32_buf(buf, n, 2)?
        } else {
            Region::empty(2)
        };
        no_alias(&[rp, rb], &[rg])?;
        // SAFETY: validated and non-aliasing.
        unsafe {
            f(
                rp.f32s_mut(),
                rg.f32s(),
                rb.f32s_mut(),
                lr,
                momentum,
                dampening,
                weight_decay,
                nesterov != 0,
                first_step != 0,
            )
        };
        Ok(())
    })
}

/// PyTorch SGD step. Parameters: 0 param (n, in/out), 1 grad (n), 2 buf (n momentum floats, in/out;
/// ignored — may be 0 — when momentum == 0), 3 n, 4 lr, 5 momentum, 6 dampening, 7 weight_decay,
/// 8 nesterov, 9 first_step.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn sgd_step_f32(
    param: usize,
    grad: usize,
    buf: usize,
    n: usize,
    lr: f64,
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: u32,
    first_step: u32,
) -> u32 {
    sgd_impl(
        optim::sgd_step,
        param,
        grad,
        buf,
        n,
        lr,
        momentum,
        dampening,
        weight_decay,
        nesterov,
        first_step,
    )
}

/// Scalar reference of `sgd_step_f32`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn sgd_step_f32_ref(
    param: usize,
    grad: usize,
    buf: usize,
    n: usize,
    lr: f64,
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: u32,
    first_step: u32,
) -> u32 {
    sgd_impl(
        optim::sgd_step_ref,
        param,
        grad,
        buf,
        n,
        lr,
        momentum,
        dampening,
        weight_decay,
        nesterov,
        first_step,
    )
}

type AdamFn = fn(&mut [f32], &[f32], &mut [f32], &mut [f32], f64, f64, f64, f64, f64, u32, bool);

#[allow(clippy::too_many_arguments)]
fn adam_impl(
    f: AdamFn,
    param: usize,
    grad: usize,
    m: usize,
    v: usize,
    n: usize,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    step: u32,
    decoupled: u32,
) -> u32 {
    run(|| {
        let rp = f32_buf(param, n, 0)?;
        let rg = f32_buf(grad, n, 1)?;
        let rm = f32_buf(m, n, 2)?;
        let rv = f32_buf(v, n, 3)?;
        if step == 0 {
            return Err(invalid(10, 0));
        }
        no_alias(&[rp, rm, rv], &[rg])?;
        // SAFETY: validated and non-aliasing.
        unsafe {
            f(
                rp.f32s_mut(),
                rg.f32s(),
                rm.f32s_mut(),
                rv.f32s_mut(),
                lr,
                beta1,
                beta2,
                eps,
                weight_decay,
                step,
                decoupled != 0,
            )
        };
        Ok(())
    })
}

/// PyTorch Adam / AdamW step. Parameters: 0 param (in/out), 1 grad, 2 m, 3 v (in/out), 4 n, 5 lr,
/// 6 beta1, 7 beta2, 8 eps, 9 weight_decay, 10 step (≥ 1, 1-based), 11 decoupled (AdamW).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn adam_step_f32(
    param: usize,
    grad: usize,
    m: usize,
    v: usize,
    n: usize,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    step: u32,
    decoupled: u32,
) -> u32 {
    adam_impl(
        optim::adam_step,
        param,
        grad,
        m,
        v,
        n,
        lr,
        beta1,
        beta2,
        eps,
        weight_decay,
        step,
        decoupled,
    )
}

/// Scalar reference of `adam_step_f32`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn adam_step_f32_ref(
    param: usize,
    grad: usize,
    m: usize,
    v: usize,
    n: usize,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    step: u32,
    decoupled: u32,
) -> u32 {
    adam_impl(
        optim::adam_step_ref,
        param,
        grad,
        m,
        v,
        n,
        lr,
        beta1,
        beta2,
        eps,
        weight_decay,
        step,
        decoupled,
    )
}

// ---------------------------------------------------------------------------------------------------
// data.rs

fn index_fail(indices: &[i32], r: usize) -> Fail {
    label_fail(indices, r)
}

type GatherU8Fn = fn(&[u8], usize, &[i32], f32, &mut [f32]) -> Result<(), usize>;
type GatherI32Fn = fn(&[i32], &[i32], &mut [i32]) -> Result<(), usize>;
type GatherF32Fn = fn(&[f32], usize, &[i32], &mut [f32]) -> Result<(), usize>;

#[allow(clippy::too_many_arguments)]
fn gather_u8_impl(
    f: GatherU8Fn,
    src: usize,
    src_len: usize,
    row_len: usize,
    indices: usize,
    rows: usize,
    scale: f32,
    y: usize,
) -> u32 {
    run(|| {
        let rs = u8_buf(src, src_len, 0)?;
        let ri = i32_buf(indices, rows, 3)?;
        let ry = f32_buf(y, mul(rows, row_len, 4)?, 6)?;
        no_alias(&[ry], &[rs, ri])?;
        // SAFETY: validated and non-aliasing.
        let idx = unsafe { ri.i32s() };
        let r = unsafe { f(rs.u8s(), row_len, idx, scale, ry.f32s_mut()) };
        r.map_err(|i| index_fail(idx, i))
    })
}

/// y[r·row_len + j] = src[indices[r]·row_len + j] as f32 · scale. Parameters: 0 src (src_len bytes),
/// 1 src_len, 2 row_len, 3 indices (rows int32), 4 rows, 5 scale, 6 y (rows·row_len floats).
/// An index outside the rows of src → 4 (detail index = r, value = indices[r]).
#[no_mangle]
pub extern "C" fn gather_u8_to_f32(
    src: usize,
    src_len: usize,
    row_len: usize,
    indices: usize,
    rows: usize,
    scale: f32,
    y: usize,
) -> u32 {
    gather_u8_impl(
        data::gather_u8_to_f32,
        src,
        src_len,
        row_len,
        indices,
        rows,
        scale,
        y,
    )
}

/// Scalar reference of `gather_u8_to_f32`.
#[no_mangle]
pub extern "C" fn gather_u8_to_f32_ref(
    src: usize,
    src_len: usize,
    row_len: usize,
    indices: usize,
    rows: usize,
    scale: f32,
    y: usize,
) -> u32 {
    gather_u8_impl(
        data::gather_u8_to_f32_ref,
        src,
        src_len,
        row_len,
        indices,
        rows,
        scale,
        y,
    )
}

fn gather_i32_impl(
    f: GatherI32Fn,
    src: usize,
    src_len: usize,
    indices: usize,
    n: usize,
    y: usize,
) -> u32 {
    run(|| {
        let rs = i32_buf(src, src_len, 0)?;
        let ri = i32_buf(indices, n, 2)?;
        let ry = i32_buf(y, n, 4)?;
        no_alias(&[ry], &[rs, ri])?;
        // SAFETY: validated and non-aliasing.
        let idx = unsafe { ri.i32s() };
        let r = unsafe { f(rs.i32s(), idx, ry.i32s_mut()) };
        r.map_err(|i| index_fail(idx, i))
    })
}

/// y[i] = src[indices[i]]. Parameters: 0 src (src_len int32), 1 src_len, 2 indices (n int32), 3 n,
/// 4 y (n int32).
#[no_mangle]
pub extern "C" fn gather_i32(
    src: usize,
    src_len: usize,
    indices: usize,
    n: usize,
    y: usize,
) -> u32 {
    gather_i32_impl(data::gather_i32, src, src_len, indices, n, y)
}

/// Scalar reference of `gather_i32`.
#[no_mangle]
pub extern "C" fn gather_i32_ref(
    src: usize,
    src_len: usize,
    indices: usize,
    n: usize,
    y: usize,
) -> u32 {
    gather_i32_impl(data::gather_i32_ref, src, src_len, indices, n, y)
}

#[allow(clippy::too_many_arguments)]
fn gather_f32_impl(
    f: GatherF32Fn,
    src: usize,
    src_len: usize,
    row_len: usize,
    indices: usize,
    rows: usize,
    y: usize,
) -> u32 {
    run(|| {
        let rs = f32_buf(src, src_len, 0)?;
        let ri = i32_buf(indices, rows, 3)?;
        let ry = f32_buf(y, mul(rows, row_len, 4)?, 5)?;
        no_alias(&[ry], &[rs, ri])?;
        // SAFETY: validated and non-aliasing.
        let idx = unsafe { ri.i32s() };
        let r = unsafe { f(rs.f32s(), row_len, idx, ry.f32s_mut()) };
        r.map_err(|i| index_fail(idx, i))
    })
}

/// y[r·row_len + j] = src[indices[r]·row_len + j]. Parameters: 0 src (src_len floats), 1 src_len,
/// 2 row_len, 3 indices (rows int32), 4 rows, 5 y (rows·row_len floats).
#[no_mangle]
pub extern "C" fn gather_f32(
    src: usize,
    src_len: usize,
    row_len: usize,
    indices: usize,
    rows: usize,
    y: usize,
) -> u32 {
    gather_f32_impl(data::gather_f32, src, src_len, row_len, indices, rows, y)
}

/// Scalar reference of `gather_f32`.
#[no_mangle]
pub extern "C" fn gather_f32_ref(
    src: usize,
    src_len: usize,
    row_len: usize,
    indices: usize,
    rows: usize,
    y: usize,
) -> u32 {
    gather_f32_impl(
        data::gather_f32_ref,
        src,
        src_len,
        row_len,
        indices,
        rows,
        y,
    )
}

// ---------------------------------------------------------------------------------------------------
// rng.rs — one global generator, seeded with 0 until `rng_seed` is called.

/// Seeds the global generator with the u64 `hi << 32 | lo`. Parameters: 0 lo, 1 hi.
#[no_mangle]
pub extern "C" fn rng_seed(lo: u32, hi: u32) -> u32 {
    let seed = ((hi as u64) << 32) | lo as u64;
    with_rng(|r| *r = rng::Rng::new(seed));
    OK
}

/// Writes the generator's 4 u32 state words to `out`. Parameters: 0 out (4 u32).
#[no_mangle]
pub extern "C" fn rng_get_state(out: usize) -> u32 {
    run(|| {
        let ro = region(out, 4, 4, 0)?;
        let s = with_rng(|r| r.state());
        // SAFETY: validated, 4 u32 words.
        unsafe { std::slice::from_raw_parts_mut(ro.ptr as *mut u32, 4).copy_from_slice(&s) };
        Ok(())
    })
}

/// Restores a state written by `rng_get_state`. Parameters: 0 state (4 u32, not all zero).
#[no_mangle]
pub extern "C" fn rng_set_state(state: usize) -> u32 {
    run(|| {
        let rs = region(state, 4, 4, 0)?;
        let mut s = [0u32; 4];
        // SAFETY: validated, 4 u32 words.
        unsafe { s.copy_from_slice(rs.u32s()) };
        if s == [0; 4] {
            return Err(invalid(0, 0));
        }
        with_rng(|r| r.set_state(s));
        Ok(())
    })
}

/// y[..n] ~ U[low, high). Parameters: 0 y, 1 n, 2 low, 3 high.
#[no_mangle]
pub extern "C" fn rng_uniform_f32(y: usize, n: usize, low: f32, high: f32) -> u32 {
    run(|| {
        let ry = f32_buf(y, n, 0)?;
        // SAFETY: validated; the only buffer.
        with_rng(|r| rng::uniform(r, unsafe { ry.f32s_mut() }, low, high));
        Ok(())
    })
}

/// y[..n] ~ N(mean, std²). Parameters: 0 y, 1 n, 2 mean, 3 std (≥ 0, else 5).
#[no_mangle]
pub extern "C" fn rng_normal_f32(y: usize, n: usize, mean: f32, std: f32) -> u32 {
    run(|| {
        let ry = f32_buf(y, n, 0)?;
        if std.is_nan() || std < 0.0 {
            return Err(invalid(3, 0));
        }
        // SAFETY: validated; the only buffer.
        with_rng(|r| rng::normal(r, unsafe { ry.f32s_mut() }, mean, std));
        Ok(())
    })
}

/// y[..n] = a random permutation of 0..n (int32). Parameters: 0 y, 1 n (≤ 2³¹).
#[no_mangle]
pub extern "C" fn rng_permutation_i32(y: usize, n: usize) -> u32 {
    run(|| {
        let ry = i32_buf(y, n, 0)?;
        if n > (i32::MAX as usize) + 1 {
            return Err(invalid(1, sat_i32(n)));
        }
        // SAFETY: validated; the only buffer.
        with_rng(|r| rng::permutation(r, unsafe { ry.i32s_mut() }));
        Ok(())
    })
}

type DropoutFn = fn(&mut rng::Rng, &[f32], &mut [f32], &mut [f32], f32);

fn dropout_impl(f: DropoutFn, x: usize, mask: usize, y: usize, n: usize, p: f32) -> u32 {
    run(|| {
        let rx = f32_buf(x, n, 0)?;
        let rm = f32_buf(mask, n, 1)?;
        let ry = f32_buf(y, n, 2)?;
        if !(0.0..1.0).contains(&p) {
            return Err(invalid(4, 0));
        }
        no_alias(&[rm, ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        with_rng(|r| unsafe { f(r, rx.f32s(), rm.f32s_mut(), ry.f32s_mut(), p) });
        Ok(())
    })
}

/// Inverted dropout: mask_i = 1/(1-p) with probability 1-p else 0, y = x·mask. Parameters: 0 x,
/// 1 mask, 2 y (n floats each), 3 n, 4 p ∈ [0, 1) (else 5).
#[no_mangle]
pub extern "C" fn dropout_f32(x: usize, mask: usize, y: usize, n: usize, p: f32) -> u32 {
    dropout_impl(rng::dropout, x, mask, y, n, p)
}

/// Scalar reference of `dropout_f32` (the same draws).
#[no_mangle]
pub extern "C" fn dropout_f32_ref(x: usize, mask: usize, y: usize, n: usize, p: f32) -> u32 {
    dropout_impl(rng::dropout_ref, x, mask, y, n, p)
}

// ---------------------------------------------------------------------------------------------------
// convert.rs — copies, casts, comparisons (no `_ref` twins: plain loops LLVM vectorises)

/// y = x, n 32-bit words (f32 or i32 storage alike). Parameters: 0 x, 1 y, 2 n.
#[no_mangle]
pub extern "C" fn copy_u32(x: usize, y: usize, n: usize) -> u32 {
    run(|| {
        let rx = region(x, n, 4, 0)?;
        let ry = region(y, n, 4, 1)?;
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        unsafe {
            let yy: &mut [u32] = if n == 0 {
                &mut []
            } else {
                std::slice::from_raw_parts_mut(ry.ptr as *mut u32, n)
            };
            convert::copy_u32(rx.u32s(), yy)
        };
        Ok(())
    })
}

/// y = x as f32. Parameters: 0 x (n int32), 1 y (n floats), 2 n.
#[no_mangle]
pub extern "C" fn cast_i32_to_f32(x: usize, y: usize, n: usize) -> u32 {
    run(|| {
        let rx = i32_buf(x, n, 0)?;
        let ry = f32_buf(y, n, 1)?;
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        unsafe { convert::cast_i32_to_f32(rx.i32s(), ry.f32s_mut()) };
        Ok(())
    })
}

/// y = x truncated toward zero (saturating; NaN → 0). Parameters: 0 x (n floats), 1 y (n int32), 2 n.
#[no_mangle]
pub extern "C" fn cast_f32_to_i32(x: usize, y: usize, n: usize) -> u32 {
    run(|| {
        let rx = f32_buf(x, n, 0)?;
        let ry = i32_buf(y, n, 1)?;
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        unsafe { convert::cast_f32_to_i32(rx.f32s(), ry.i32s_mut()) };
        Ok(())
    })
}

/// y = (a == b) as 0/1 int32, IEEE equality. Parameters: 0 a, 1 b (n floats), 2 y (n int32), 3 n.
#[no_mangle]
pub extern "C" fn equal_f32(a: usize, b: usize, y: usize, n: usize) -> u32 {
    run(|| {
        let ra = f32_buf(a, n, 0)?;
        let rb = f32_buf(b, n, 1)?;
        let ry = i32_buf(y, n, 2)?;
        no_alias(&[ry], &[ra, rb])?;
        // SAFETY: validated and non-aliasing.
        unsafe { convert::equal_f32(ra.f32s(), rb.f32s(), ry.i32s_mut()) };
        Ok(())
    })
}

/// y = (a == b) as 0/1 int32. Parameters: 0 a, 1 b (n int32), 2 y (n int32), 3 n.
#[no_mangle]
pub extern "C" fn equal_i32(a: usize, b: usize, y: usize, n: usize) -> u32 {
    run(|| {
        let ra = i32_buf(a, n, 0)?;
        let rb = i32_buf(b, n, 1)?;
        let ry = i32_buf(y, n, 2)?;
        no_alias(&[ry], &[ra, rb])?;
        // SAFETY: validated and non-aliasing.
        unsafe { convert::equal_i32(ra.i32s(), rb.i32s(), ry.i32s_mut()) };
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------------
// metrics.rs — confusion matrix

type ConfusionFn = fn(&[i32], &[i32], usize, &mut [i32]) -> Result<(), usize>;

fn confusion_impl(
    f: ConfusionFn,
    pred: usize,
    target: usize,
    n: usize,
    classes: usize,
    out: usize,
) -> u32 {
    run(|| {
        let rp = i32_buf(pred, n, 0)?;
        let rt = i32_buf(target, n, 1)?;
        let ro = i32_buf(out, mul(classes, classes, 3)?, 4)?;
        no_alias(&[ro], &[rp, rt])?;
        // SAFETY: validated and non-aliasing (`pred` and `target` may overlap: both are read-only).
        let (p, t) = unsafe { (rp.i32s(), rt.i32s()) };
        let r = unsafe { f(p, t, classes, ro.i32s_mut()) };
        r.map_err(|i| {
            // the target is checked before the prediction at the same position
            let tv = t[i];
            let bad_t = tv < 0 || tv as usize >= classes;
            fail(
                INDEX_OUT_OF_RANGE,
                sat_u32(i),
                if bad_t { tv } else { p[i] },
            )
        })
    })
}

/// Confusion matrix: out[target[i]·classes + pred[i]] += 1 (row = true class, column = predicted; counts
/// are added to out). Parameters: 0 pred (n int32), 1 target (n int32), 2 n, 3 classes, 4 out
/// (classes·classes int32, in/out). A target or prediction outside [0, classes) → 4 before anything is
/// written, detail index = its position i, value = the bad value (target[i] when both are bad).
#[no_mangle]
pub extern "C" fn confusion_i32(
    pred: usize,
    target: usize,
    n: usize,
    classes: usize,
    out: usize,
) -> u32 {
    confusion_impl(metrics::confusion, pred, target, n, classes, out)
}

/// Scalar reference of `confusion_i32`.
#[no_mangle]
pub extern "C" fn confusion_i32_ref(
    pred: usize,
    target: usize,
    n: usize,
    classes: usize,
    out: usize,
) -> u32 {
    confusion_impl(metrics::confusion_ref, pred, target, n, classes, out)
}

// ---------------------------------------------------------------------------------------------------
// image.rs — augmentation (draws from the global generator) and resizing, batches [n, c, h, w]

/// torchvision RandomCrop(h×w, padding = pad) per image. Parameters: 0 x, 1 y (n·c·h·w floats each),
/// 2 n, 3 c, 4 h, 5 w, 6 pad (≤ 2³¹ − 1).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn random_crop_f32(
    x: usize,
    y: usize,
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    pad: usize,
) -> u32 {
    run(|| {
        let len = mul(mul3(n, c, h, 2)?, w, 2)?;
        let rx = f32_buf(x, len, 0)?;
        let ry = f32_buf(y, len, 1)?;
        if pad > (i32::MAX as usize) {
            return Err(invalid(6, sat_i32(pad)));
        }
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        with_rng(|r| unsafe { image::random_crop(r, rx.f32s(), ry.f32s_mut(), n, c, h, w, pad) });
        Ok(())
    })
}

/// torchvision RandomHorizontalFlip(p) per image. Parameters: 0 x, 1 y (n·c·h·w floats each), 2 n,
/// 3 c, 4 h, 5 w, 6 p ∈ [0, 1].
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn random_hflip_f32(
    x: usize,
    y: usize,
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    p: f32,
) -> u32 {
    run(|| {
        let len = mul(mul3(n, c, h, 2)?, w, 2)?;
        let rx = f32_buf(x, len, 0)?;
        let ry = f32_buf(y, len, 1)?;
        if !(0.0..=1.0).contains(&p) {
            return Err(invalid(6, 0));
        }
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        with_rng(|r| unsafe { image::random_hflip(r, rx.f32s(), ry.f32s_mut(), n, c, h, w, p) });
        Ok(())
    })
}

/// Bilinear resize (align_corners = false) of `planes` images h×w → oh×ow. Parameters: 0 x
/// (planes·h·w), 1 y (planes·oh·ow), 2 planes, 3 h, 4 w, 5 oh, 6 ow. h and w must be > 0 when the
/// output is not empty.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn resize_bilinear_f32(
    x: usize,
    y: usize,
    planes: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
) -> u32 {
    run(|| {
        let rx = f32_buf(x, mul3(planes, h, w, 3)?, 0)?;
        let out_len = mul3(planes, oh, ow, 5)?;
        let ry = f32_buf(y, out_len, 1)?;
        if out_len > 0 && (h == 0 || w == 0) {
            return Err(invalid(if h == 0 { 3 } else { 4 }, 0));
        }
        no_alias(&[ry], &[rx])?;
        // SAFETY: validated and non-aliasing.
        unsafe { image::resize_bilinear(rx.f32s(), ry.f32s_mut(), planes, h, w, oh, ow) };
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------
// threads.rs

/// Registers the calling thread's stack [low, high) (an `alloc` region; the host points the instance's
/// `__stack_pointer` at `high` first): its slot (1 … 15), or 0 in the plain build, for an empty range
/// or low = 0, or when every slot is taken. Only the threads build has per-thread state; see threads.rs.
#[no_mangle]
pub extern "C" fn thread_register(low: usize, high: usize) -> u32 {
    if low == 0 || low >= high {
        return 0;
    }
    threads::register(low, high) as u32
}

/// Frees slot `slot` and its per-thread state once its thread has ended: OK, or INVALID_ARGUMENT (5) for a slot that is not
/// registered (or in the plain build; status 5).
#[no_mangle]
pub extern "C" fn thread_unregister(slot: u32) -> u32 {
    if threads::unregister(slot as usize) {
        #[cfg(all(target_arch = "wasm32", feature = "threads"))]
        {
            // Its per-thread state goes too (gemm's packing buffers are the big part).
            gemm::release_thread(slot as usize);
            DETAIL.clear(slot as usize);
            RNG.clear(slot as usize);
        }
        OK
    } else {
        INVALID_ARGUMENT
    }
}

/// Threads that can run on one memory: the first instance and the registered ones (MAX_THREADS, 16, in
/// the threads build; 1 in the plain build).
#[no_mangle]
pub extern "C" fn thread_slots() -> u32 {
    threads::slots() as u32
}

/// Bytes the allocator has handed out and not taken back, over every thread (the threads build; 0 in
/// the plain build).
#[no_mangle]
pub extern "C" fn heap_live_bytes() -> usize {
    threads::live_bytes()
}

#[cfg(test)]
mod tests {
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
            binary_f32(4, addr(&a), 6, addr(&b), 6, out(&mut y), 6),
            INVALID_ARGUMENT
        );
        assert_eq!((status_detail_index(), status_detail_value()), (0, 4));
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
}
