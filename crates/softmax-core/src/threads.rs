//! Several threads on one wasm memory: the `threads` build (cargo feature `threads` with `+atomics` and
//! an imported shared memory; scripts/build-wasm.sh builds it beside the plain one). rustc 1.63 has
//! no `target_feature = "atomics"` cfg, hence the cargo feature. Each thread runs its own instance of the
//! module on the one memory, so that threads can read each other's tensors instead of copying them.
//!
//! The std this crate links on wasm32 was compiled without atomics (Debian's rustc 1.63 has no
//! `-Z build-std`): its allocator takes no lock and `thread_local!` is a plain static there. So, in the
//! threads build only, this module puts a lock around the allocator and keeps per-thread state in
//! `PerThread` slots, found by the stack the caller runs on: every instance but the first runs on a
//! stack region of its own, which its host registers with `thread_register` before anything else.
//! Everywhere else (the plain wasm build, native tests) `per_thread!` is `thread_local!`.

/// Declares per-thread statics: `thread_local!` except in the wasm threads build (see the module).
macro_rules! per_thread {
    ($(#[$attr:meta])* static $name:ident: $t:ty = const { $init:expr }; $($rest:tt)*) => {
        $crate::threads::per_thread!($(#[$attr])* static $name: $t = $init; $($rest)*);
    };
    ($(#[$attr:meta])* static $name:ident: $t:ty = $init:expr; $($rest:tt)*) => {
        #[cfg(not(all(target_arch = "wasm32", feature = "threads")))]
        thread_local! { $(#[$attr])* static $name: $t = $init; }
        #[cfg(all(target_arch = "wasm32", feature = "threads"))]
        $(#[$attr])* static $name: $crate::threads::PerThread<$t> = $crate::threads::PerThread::new(|| $init);
        $crate::threads::per_thread!($($rest)*);
    };
    () => {};
}
pub(crate) use per_thread;

/// Threads the threads build can tell apart: the first instance (slot 0) and 15 registered ones (a fit
/// with more workers copies instead of sharing the memory). 16, not 64: a 64-slot build measured
/// slower per MLP step (docs/PERFORMANCE.md).
pub const MAX_THREADS: usize = 16;

/// Threads this build can run on one memory: MAX_THREADS in the threads build, 1 elsewhere.
pub fn slots() -> usize {
    if cfg!(all(target_arch = "wasm32", feature = "threads")) {
        MAX_THREADS
    } else {
        1
    }
}

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
mod shared {
    use super::MAX_THREADS;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::UnsafeCell;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// [low, high) of each registered thread's stack; slot 0 (the first instance, on the linker's
    /// stack) is never registered. low = 0: free; high = 0: matches no address.
    static STACKS: [[AtomicUsize; 2]; MAX_THREADS] = {
        #[allow(clippy::declare_interior_mutable_const)]
        const FREE: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];
        [FREE; MAX_THREADS]
    };

    /// The calling thread's slot: the registered stack that holds one of its locals, else 0.
    pub fn slot() -> usize {
        let probe = 0u8;
        let here = core::ptr::addr_of!(probe);
        // SAFETY: a live local. The volatile read keeps it in the (linear-memory) stack frame.
        unsafe { core::ptr::read_volatile(here) };
        let here = here as usize;
        for (i, s) in STACKS.iter().enumerate().skip(1) {
            let low = s[0].load(Ordering::Acquire);
            // low again after high: the two bounds belong to one registration.
            if low <= here
                && here < s[1].load(Ordering::Acquire)
                && s[0].load(Ordering::Acquire) == low
            {
                return i;
            }
        }
        0
    }

    /// Registers the stack [low, high) (low > 0) of a new thread; its slot, or 0 when every slot is
    /// taken. A slot is claimed by its low bound and published by its high one, so that no lookup
    /// sees a half-written range.
    pub fn register(low: usize, high: usize) -> usize {
        for (i, s) in STACKS.iter().enumerate().skip(1) {
            if s[0]
                .compare_exchange(0, low, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                s[1].store(high, Ordering::Release);
                return i;
            }
        }
        0
    }

    /// Frees a slot (its thread has ended; the caller drops its per-thread state: `abi::thread_unregister`).
    pub fn unregister(slot: usize) -> bool {
        if slot == 0 || slot >= MAX_THREADS {
            return false;
        }
        // high first: a slot with high = 0 matches no address.
        if STACKS[slot][1].swap(0, Ordering::AcqRel) == 0 {
            return false;
        }
        STACKS[slot][0].store(0, Ordering::Release);
        true
    }

    /// One value per thread slot, created on first use by that thread.
    pub struct PerThread<T> {
        init: fn() -> T,
        cells: [UnsafeCell<Option<T>>; MAX_THREADS],
    }

    // SAFETY: each cell is only touched by the thread whose slot it is.
    unsafe impl<T> Sync for PerThread<T> {}

    impl<T> PerThread<T> {
        #[allow(clippy::declare_interior_mutable_const)]
        const EMPTY: UnsafeCell<Option<T>> = UnsafeCell::new(None);

        pub const fn new(init: fn() -> T) -> Self {
            PerThread {
                init,
                cells: [Self::EMPTY; MAX_THREADS],
            }
        }

        /// Drops slot `slot`'s value (its thread has ended: thread_unregister).
        pub fn clear(&'static self, slot: usize) {
            if slot < MAX_THREADS {
                // SAFETY: the slot's thread has ended, so nothing else uses the cell.
                unsafe { *self.cells[slot].get() = None };
            }
        }

        /// Like `LocalKey::with`: the calling thread's value.
        pub fn with<R, F: FnOnce(&T) -> R>(&'static self, f: F) -> R {
            // SAFETY: the cell of the calling thread's slot; no other thread uses it.
            let cell = unsafe { &mut *self.cells[slot()].get() };
            f(cell.get_or_insert_with(self.init))
        }
    }

    /// std's allocator behind a spin lock (each call holds it for one dlmalloc operation). A thread
    /// killed while holding it would leave the others spinning: the library ends its workers only
    /// when they are idle (or after they failed outside wasm).
    pub struct LockedAlloc;

    static LOCK: AtomicBool = AtomicBool::new(false);
    /// Bytes allocated and not freed, by every thread (tests check that workers give theirs back).
    static LIVE: AtomicUsize = AtomicUsize::new(0);

    pub fn live_bytes() -> usize {
        LIVE.load(Ordering::Relaxed)
    }

    fn count<R>(r: *mut R, plus: usize, minus: usize) -> *mut R {
        if !r.is_null() {
            LIVE.fetch_add(plus, Ordering::Relaxed);
            LIVE.fetch_sub(minus, Ordering::Relaxed);
        }
        r
    }

    fn locked<R>(f: impl FnOnce() -> R) -> R {
        while LOCK
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        let r = f();
        LOCK.store(false, Ordering::Release);
        r
    }

    // SAFETY: every call is System's, one at a time.
    unsafe impl GlobalAlloc for LockedAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            count(locked(|| System.alloc(layout)), layout.size(), 0)
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            count(locked(|| System.alloc_zeroed(layout)), layout.size(), 0)
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            locked(|| System.dealloc(ptr, layout));
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            count(
                locked(|| System.realloc(ptr, layout, new_size)),
                new_size,
                layout.size(),
            )
        }
    }

    #[global_allocator]
    static GLOBAL: LockedAlloc = LockedAlloc;
}

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub use shared::{live_bytes, register, unregister, PerThread};

/// Registers a thread's stack [low, high): its slot (1 …), or 0 when this build is single-threaded
/// or every slot is taken.
#[cfg(not(all(target_arch = "wasm32", feature = "threads")))]
pub fn register(_low: usize, _high: usize) -> usize {
    0
}

/// Frees a registered slot; false when there is no such slot (or this build is single-threaded).
#[cfg(not(all(target_arch = "wasm32", feature = "threads")))]
pub fn unregister(_slot: usize) -> bool {
    false
}

/// Bytes allocated and not freed by every thread; 0 in the plain build (which does not count).
#[cfg(not(all(target_arch = "wasm32", feature = "threads")))]
pub fn live_bytes() -> usize {
    0
}
