/**
 * Storage: one allocation in the wasm memory (alloc/free exported by softmax-core), with typed-array
 * views that are re-created after the memory grows, a FinalizationRegistry safety net, and accounting.
 *
 * A zero-length Storage still owns a real allocation: the core's `alloc(0)` returns a unique non-null
 * address, so every Storage has a valid pointer to pass to kernels.
 */
import { KernelError, Status } from './errors.js';
import { rawExports, wasmMemory } from './load.js';

export type StorageDType = 'float32' | 'int32' | 'uint8';

const BYTES: Record<StorageDType, number> = { float32: 4, int32: 4, uint8: 1 };
const MAX_BYTES = 0xffff_ffff;

/** What the FinalizationRegistry needs to free a Storage nobody disposed. */
interface Held {
  ptr: number;
  bytes: number;
  freed: boolean;
}

let liveBuffers = 0;
let liveBytes = 0;

function release(h: Held): void {
  if (h.freed) return;
  h.freed = true;
  liveBuffers -= 1;
  liveBytes -= h.bytes;
  rawExports().free(h.ptr, h.bytes);
}

const registry = new FinalizationRegistry<Held>(release);

type View = Float32Array | Int32Array | Uint8Array;

let ptrOfImpl: (s: Storage) => number;

export class Storage {
  readonly dtype: StorageDType;
  /** Elements. */
  readonly length: number;
  readonly byteLength: number;
  readonly #held: Held;
  #view: View | null = null;

  static {
    ptrOfImpl = (s: Storage): number => s.#held.ptr;
  }

  /** Use {@link allocStorage} / {@link storageFrom} ({@link borrowStorage}: `owned` false). */
  constructor(dtype: StorageDType, length: number, ptr: number, bytes: number, owned = true) {
    this.dtype = dtype;
    this.length = length;
    this.byteLength = bytes;
    this.#owned = owned;
    this.#held = { ptr, bytes, freed: false };
    if (owned) registry.register(this, this.#held, this);
  }

  readonly #owned: boolean;

  get disposed(): boolean {
    return this.#held.freed;
  }

  #viewOf(want: StorageDType, method: string): View {
    if (this.#held.freed) {
      throw new KernelError('Storage', Status.NULL_POINTER, `${method}() on a disposed ${this.dtype} Storage of ${this.length} elements`);
    }
    if (this.dtype !== want) {
      throw new KernelError('Storage', Status.INVALID_ARGUMENT, `${method}() needs a ${want} Storage, this one is ${this.dtype}`);
    }
    const buffer = wasmMemory().buffer;
    const v = this.#view;
    if (v !== null && v.buffer === buffer) return v;
    const ptr = this.#held.ptr;
    const fresh: View =
      want === 'float32'
        ? new Float32Array(buffer, ptr, this.length)
        : want === 'int32'
          ? new Int32Array(buffer, ptr, this.length)
          : new Uint8Array(buffer, ptr, this.length);
    this.#view = fresh;
    return fresh;
  }

  /** A view over the wasm memory; valid until the next allocation (memory growth) — call again then. */
  f32(): Float32Array {
    return this.#viewOf('float32', 'f32') as Float32Array;
  }

  i32(): Int32Array {
    return this.#viewOf('int32', 'i32') as Int32Array;
  }

  u8(): Uint8Array {
    return this.#viewOf('uint8', 'u8') as Uint8Array;
  }

  /** Frees the wasm memory now (a borrowed Storage only lets go of it). Idempotent. */
  dispose(): void {
    if (this.#held.freed) return;
    this.#view = null;
    if (!this.#owned) {
      this.#held.freed = true;
      return;
    }
    registry.unregister(this);
    release(this.#held);
  }
}

/**
 * A Storage over `length` elements at `ptr` that another thread allocated in this thread's (shared)
 * wasm memory — a worker's gradient, the caller's parameters. Not freed here, not counted in
 * backendMemory(); valid while its owner keeps the memory (the parallel fit's protocol says how long).
 */
export function borrowStorage(dtype: StorageDType, ptr: number, length: number): Storage {
  return new Storage(dtype, length, ptr, length * BYTES[dtype], false);
}

/** `length` elements of `s` from element `offset`, sharing its memory (not freed nor counted here). */
export function subStorage(s: Storage, offset: number, length: number): Storage {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > s.length) {
    throw new KernelError('subStorage', Status.INVALID_ARGUMENT, `elements [${offset}, ${offset + length}) are outside a Storage of ${s.length}`);
  }
  return borrowStorage(s.dtype, ptrOf(s) + offset * BYTES[s.dtype], length);
}

/** The same memory seen as int32 words (for kernels that move 32-bit words without reading them). */
export function asWords(s: Storage): Storage {
  return borrowStorage('int32', ptrOf(s), s.length);
}

/** The address of a Storage in wasm memory — backend-internal (not re-exported from backend/index.ts). */
export function ptrOf(s: Storage): number {
  return ptrOfImpl(s);
}

function wasmMiB(): string {
  return (wasmMemory().buffer.byteLength / 1048576).toFixed(1);
}

/** Raw allocation of `bytes` bytes (16-byte aligned); throws KernelError OUT_OF_MEMORY on failure. */
export function allocBytes(bytes: number, what: string): number {
  const ptr = rawExports().alloc(bytes) >>> 0;
  if (ptr === 0) {
    throw new KernelError(
      'alloc',
      Status.OUT_OF_MEMORY,
      `out of wasm memory allocating ${what} (${bytes} bytes); the wasm memory is ${wasmMiB()} MiB with ` +
        `${liveBuffers} live buffers holding ${liveBytes} bytes. Dispose tensors you no longer need ` +
        `(dispose(), tidy()) or use smaller batches.`,
    );
  }
  return ptr;
}

/** A new Storage of `length` elements; uninitialised unless `opts.zero`. */
export function allocStorage(dtype: StorageDType, length: number, opts?: { zero?: boolean }): Storage {
  const size = BYTES[dtype];
  if (size === undefined) {
    throw new KernelError('allocStorage', Status.INVALID_ARGUMENT, `dtype must be 'float32', 'int32' or 'uint8', got ${String(dtype)}`);
  }
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new KernelError('allocStorage', Status.INVALID_ARGUMENT, `length must be a non-negative integer, got ${length}`);
  }
  const bytes = length * size;
  if (bytes > MAX_BYTES) {
    throw new KernelError(
      'allocStorage',
      Status.SIZE_OVERFLOW,
      `${length} ${dtype} elements need ${bytes} bytes, more than a 32-bit wasm memory can hold (4 GiB)`,
    );
  }
  const ptr = allocBytes(bytes, `a ${dtype} Storage of ${length} elements`);
  liveBuffers += 1;
  liveBytes += bytes;
  const s = new Storage(dtype, length, ptr, bytes);
  if (opts?.zero === true && bytes > 0) new Uint8Array(wasmMemory().buffer, ptr, bytes).fill(0);
  return s;
}

/** A new Storage holding a copy of `data` (dtype from the array type). */
export function storageFrom(data: Float32Array | Int32Array | Uint8Array): Storage {
  let dtype: StorageDType;
  if (data instanceof Float32Array) dtype = 'float32';
  else if (data instanceof Int32Array) dtype = 'int32';
  else if (data instanceof Uint8Array) dtype = 'uint8';
  else throw new KernelError('storageFrom', Status.INVALID_ARGUMENT, 'expected a Float32Array, Int32Array or Uint8Array');
  const s = allocStorage(dtype, data.length);
  if (dtype === 'float32') s.f32().set(data as Float32Array);
  else if (dtype === 'int32') s.i32().set(data as Int32Array);
  else s.u8().set(data as Uint8Array);
  return s;
}

/** Live Storage count and bytes (what dispose()/the FinalizationRegistry have not freed yet), and the wasm memory size. */
export function backendMemory(): { buffers: number; bytes: number; wasmBytes: number } {
  return { buffers: liveBuffers, bytes: liveBytes, wasmBytes: wasmMemory().buffer.byteLength };
}

let scratch = 0;

/**
 * A 128-byte scratch area owned by the backend (never freed): [0,16) rng state, [16,20) sum result,
 * [32,64) shape (8 u32), [64,96) strides (8 u32). Addresses never move when memory grows.
 */
export function scratchPtr(): number {
  if (scratch === 0) scratch = allocBytes(128, 'the backend scratch area');
  return scratch;
}

/** Gives the scratch area back — a thread that joined another's memory, as it ends (joinBackend). */
export function freeScratch(): void {
  if (scratch === 0) return;
  rawExports().free(scratch, 128);
  scratch = 0;
}
