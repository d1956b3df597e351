//! The C ABI of softmax-core — the only `extern "C"` functions and the only raw pointers in the crate.
//!
//! The kernel exports are generated (`generated/`, by scripts/gen-abi.mjs) from one table,
//! crates/softmax-core/abi.spec; this file holds what they share — validated regions, the status and
//! its details — the memory and thread exports, and `checks.rs` the argument checks the table names.
//! docs/ABI.md states the contract and how to add a kernel.
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
//! Status codes: 0 OK, 1 NULL_POINTER, 2 OUT_OF_BOUNDS, 3 SIZE_OVERFLOW, 4 INDEX_OUT_OF_RANGE (labels,
//! gather indices, confusion classes), 5 INVALID_ARGUMENT, 6 OUT_OF_MEMORY, 7 MISALIGNED, 8 ALIASING.
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
//! `rng_set_state` refuses the all-zero state (5) rather than silently reseeding as `Rng::set_state`
//! would. Booleans are `u32` (0 = false, anything else = true). Bools, codes and sizes are passed as
//! `u32` on wasm32 (`usize` here); floats as `f32` (the optimisers' hyper-parameters as `f64`).

use std::alloc::Layout;
use std::cell::{Cell, RefCell};

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
use crate::gemm;
use crate::{rng, threads};

mod checks;
#[rustfmt::skip]
mod generated;
#[cfg(test)]
mod tests;

pub use self::generated::*;

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
    unsafe fn u32s_mut<'a>(self) -> &'a mut [u32] {
        if self.len == 0 {
            return &mut [];
        }
        std::slice::from_raw_parts_mut(self.ptr as *mut u32, self.len)
    }
    unsafe fn u8s<'a>(self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        std::slice::from_raw_parts(self.ptr as *const u8, self.len)
    }
    unsafe fn u8s_mut<'a>(self) -> &'a mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        std::slice::from_raw_parts_mut(self.ptr as *mut u8, self.len)
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

/// `a * b`, or SIZE_OVERFLOW blamed on parameter `arg`.
fn mul(a: usize, b: usize, arg: u32) -> Res<usize> {
    a.checked_mul(b).ok_or_else(|| fail(SIZE_OVERFLOW, arg, 0))
}

/// The product of `factors` (left to right), or SIZE_OVERFLOW blamed on parameter `arg`.
fn prod(factors: &[usize], arg: u32) -> Res<usize> {
    factors.iter().try_fold(1, |acc, &f| mul(acc, f, arg))
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
            crate::fused::release_thread(slot as usize);
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
