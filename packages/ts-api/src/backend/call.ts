/**
 * Calling the raw exports safely: argument checks in TypeScript (so no kernel can touch another
 * buffer), status → KernelError, traps → KernelError. Internal to backend/.
 */
import { KernelError, Status, TRAP, describeStatus } from './errors.js';
import { rawExports, wasmMemory } from './load.js';
import { Storage, ptrOf, type StorageDType } from './memory.js';
import { PARAMS } from './generated/params.js';

export { PARAMS };

/** Words an INDEX_OUT_OF_RANGE status from the bad element's position and value. */
export type Hint4 = (index: number, value: number) => string;

/** What a wrapper adds to a generated checked call (backend/generated/, from abi.spec). */
export interface CallOpts<B extends string> {
  /** Why each buffer needs its length (`x has 4`, `one per row`); defaults to the sizes' product (`2×3`). */
  how?: Partial<Record<B, string>>;
  /** Checks of the wrapper's own, run once every buffer passed the mechanical checks. */
  before?: () => void;
  hint4?: Hint4;
}

export function paramsOf(name: string): readonly string[] {
  return PARAMS[name.replace(/_ref$/, '')] ?? [];
}

/** The export to call: `<name>_ref` for the reference set when the module has it, else `name`. */
export function exportName(name: string, ref: boolean): string {
  if (!ref) return name;
  const r = `${name}_ref`;
  return hasExport(r) ? r : name;
}

/** Whether the loaded module has export `name`. */
export function hasExport(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(rawExports(), name);
}

/**
 * Calls export `name`; a non-zero status becomes a KernelError (`hint4` words INDEX_OUT_OF_RANGE from
 * the bad element's position and value), a trap becomes a KernelError with code -1.
 */
export function call(name: string, args: number[], hint4?: Hint4): void {
  const raw = rawExports();
  const f = raw[name];
  if (f === undefined) {
    throw new KernelError(name, Status.INVALID_ARGUMENT, 'this export is missing from softmax_core.wasm; rebuild it with `bash scripts/build-wasm.sh`');
  }
  let status: number;
  try {
    status = f(...args) >>> 0;
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      throw new KernelError(name, TRAP, `the kernel trapped (${e.message}) — a bug in softmax-core; please report it with the shapes used`);
    }
    throw e;
  }
  if (status === Status.OK) return;
  const index = raw.status_detail_index() >>> 0;
  const value = raw.status_detail_value() | 0;
  const msg =
    status === Status.INDEX_OUT_OF_RANGE && hint4 !== undefined
      ? hint4(index, value)
      : describeStatus(status, paramsOf(name), index, value, wasmMemory().buffer.byteLength);
  throw new KernelError(name, status, msg);
}

const UNIT: Record<StorageDType, string> = { float32: 'floats', int32: 'int32 values', uint8: 'bytes' };

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}

/**
 * Checks that `s` is a live Storage of `dtype` with at least `need` elements and returns its address.
 * `what` names the argument (`A`, `labels`), `how` explains `need` (`256×784`).
 */
export function buf(kernel: string, what: string, s: Storage, dtype: StorageDType, need: number, how?: string): number {
  if (!(s instanceof Storage)) {
    throw new KernelError(kernel, Status.INVALID_ARGUMENT, `${what} must be a Storage, got ${describe(s)}`);
  }
  if (s.disposed) {
    throw new KernelError(kernel, Status.NULL_POINTER, `${what} was disposed (its wasm memory has been freed)`);
  }
  if (s.dtype !== dtype) {
    throw new KernelError(kernel, Status.INVALID_ARGUMENT, `${what} must be a ${dtype} Storage, got ${s.dtype}`);
  }
  if (s.length < need) {
    const why = how !== undefined && how !== String(need) ? ` (${how})` : '';
    throw new KernelError(kernel, Status.OUT_OF_BOUNDS, `${what} needs ${need} ${UNIT[dtype]}${why}, its buffer has ${s.length}`);
  }
  return ptrOf(s);
}

/** Elements of `s`, or 0 when it is not a Storage (its check, which comes first, says so). */
export function lengthOf(s: Storage): number {
  return s instanceof Storage ? s.length : 0;
}

/** Checks a size / count: a non-negative integer that fits a u32. */
export function dim(kernel: string, what: string, v: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
    throw new KernelError(kernel, Status.INVALID_ARGUMENT, `${what} must be a non-negative integer below 2^32, got ${String(v)}`);
  }
  return v;
}

/** Checks a scalar argument is a number (NaN / ±Infinity are passed on: they are valid f32 values). */
export function num(kernel: string, what: string, v: number): number {
  if (typeof v !== 'number') {
    throw new KernelError(kernel, Status.INVALID_ARGUMENT, `${what} must be a number, got ${describe(v)}`);
  }
  return v;
}

/** `a×b×c` for messages. */
export function dims(...d: number[]): string {
  return d.join('×');
}
