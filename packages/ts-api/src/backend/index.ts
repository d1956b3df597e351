/**
 * softmax-nn's backend: the only code that knows about pointers and the wasm memory. Importing this
 * module loads softmax_core.wasm (top-level await), so everything above can call kernels synchronously.
 */
import { loadBackend } from './load.js';

await loadBackend();

export { loadBackend } from './load.js';
export { Storage, allocStorage, storageFrom, backendMemory, subStorage } from './memory.js';
export type { StorageDType } from './memory.js';
export { KernelError, Status, statusName } from './errors.js';
export type { StatusCode } from './errors.js';
export { kernels, reference } from './kernels.js';
export type { Kernels, Reduction, BinaryOp, UnaryOp, CompareOp, LogicalOp } from './kernels.js';
export { UNARY_OPS } from './kernels.js';
export { rng } from './rng.js';
export { join, joinReference } from './join.js';
export type { JoinKernels, ScatterMode } from './join.js';
export type { Rng, AffineDraw } from './rng.js';
