/**
 * Calling the raw exports safely: argument checks in TypeScript (so no kernel can touch another
 * buffer), status → KernelError, traps → KernelError. Internal to backend/.
 */
import { KernelError, Status, TRAP, describeStatus } from './errors.js';
import { rawExports, wasmMemory } from './load.js';
import { Storage, ptrOf, type StorageDType } from './memory.js';

/** Parameter names of every export, in abi.rs order (the `_ref` twins have the same), for messages. */
export const PARAMS: Readonly<Record<string, readonly string[]>> = {
  alloc: ['bytes'],
  free: ['ptr', 'bytes'],
  gemm_f32: ['transA', 'transB', 'm', 'n', 'k', 'alpha', 'A', 'B', 'beta', 'C'],
  softmax_f32: ['x', 'y', 'outer', 'dim', 'inner'],
  log_softmax_f32: ['x', 'y', 'outer', 'dim', 'inner'],
  softmax_backward_f32: ['y', 'dy', 'dx', 'outer', 'dim', 'inner'],
  log_softmax_backward_f32: ['y', 'dy', 'dx', 'outer', 'dim', 'inner'],
  cross_entropy_f32: ['logits', 'labels', 'rows', 'classes', 'labelSmoothing', 'reduction', 'loss'],
  cross_entropy_backward_f32: ['logits', 'labels', 'rows', 'classes', 'labelSmoothing', 'dloss', 'dlossLen', 'scale', 'grad'],
  relu_f32: ['x', 'y', 'n'],
  sigmoid_f32: ['x', 'y', 'n'],
  exp_f32: ['x', 'y', 'n'],
  log_f32: ['x', 'y', 'n'],
  abs_f32: ['x', 'y', 'n'],
  neg_f32: ['x', 'y', 'n'],
  sign_f32: ['x', 'y', 'n'],
  relu_backward_f32: ['x', 'dy', 'dx', 'n'],
  sigmoid_backward_f32: ['y', 'dy', 'dx', 'n'],
  pow_scalar_f32: ['x', 'p', 'y', 'n'],
  scale_f32: ['x', 'alpha', 'y', 'n'],
  add_scalar_f32: ['x', 's', 'y', 'n'],
  axpy_f32: ['alpha', 'x', 'y', 'n'],
  fill_f32: ['y', 'value', 'n'],
  binary_f32: ['op', 'a', 'aLen', 'b', 'bLen', 'y', 'n'],
  binary_rows_f32: ['op', 'a', 'col', 'y', 'rows', 'cols'],
  bias_add_f32: ['x', 'bias', 'y', 'rows', 'cols'],
  bias_grad_f32: ['dy', 'db', 'rows', 'cols'],
  sum_f32: ['x', 'n', 'out'],
  sum_axis_f32: ['x', 'y', 'outer', 'dim', 'inner'],
  max_axis_f32: ['x', 'y', 'outer', 'dim', 'inner'],
  argmax_axis_f32: ['x', 'y', 'outer', 'dim', 'inner'],
  expand_f32: ['x', 'xLen', 'y', 'shape', 'xStrides', 'ndim'],
  sum_to_f32: ['dy', 'dx', 'dxLen', 'shape', 'xStrides', 'ndim'],
  sgd_step_f32: ['param', 'grad', 'buf', 'n', 'lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'firstStep'],
  adam_step_f32: ['param', 'grad', 'm', 'v', 'n', 'lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'step', 'decoupled'],
  gather_u8_to_f32: ['src', 'srcLen', 'rowLen', 'indices', 'rows', 'scale', 'y'],
  gather_i32: ['src', 'srcLen', 'indices', 'n', 'y'],
  gather_f32: ['src', 'srcLen', 'rowLen', 'indices', 'rows', 'y'],
  rng_seed: ['lo', 'hi'],
  rng_get_state: ['out'],
  rng_set_state: ['state'],
  rng_uniform_f32: ['y', 'n', 'low', 'high'],
  rng_normal_f32: ['y', 'n', 'mean', 'std'],
  rng_permutation_i32: ['y', 'n'],
  dropout_f32: ['x', 'mask', 'y', 'n', 'p'],
  copy_u32: ['x', 'y', 'n'],
  cast_i32_to_f32: ['x', 'y', 'n'],
  cast_f32_to_i32: ['x', 'y', 'n'],
  equal_f32: ['a', 'b', 'y', 'n'],
  equal_i32: ['a', 'b', 'y', 'n'],
  random_crop_f32: ['x', 'y', 'n', 'c', 'h', 'w', 'pad'],
  random_hflip_f32: ['x', 'y', 'n', 'c', 'h', 'w', 'p'],
  resize_bilinear_f32: ['x', 'y', 'planes', 'h', 'w', 'oh', 'ow'],
  confusion_i32: ['pred', 'target', 'n', 'classes', 'out'],
};

export function paramsOf(name: string): readonly string[] {
  return PARAMS[name.replace(/_ref$/, '')] ?? [];
}

/** Whether the loaded module has export `name`. */
export function hasExport(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(rawExports(), name);
}

/**
 * Calls export `name`; a non-zero status becomes a KernelError (`hint4` words INDEX_OUT_OF_RANGE from
 * the bad element's position and value), a trap becomes a KernelError with code -1.
 */
export function call(name: string, args: number[], hint4?: (index: number, value: number) => string): void {
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
