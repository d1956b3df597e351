/**
 * softmax-nn's backend: the only code that knows about pointers and the wasm memory. In Node, importing
 * this module loads softmax_core.wasm synchronously (no top-level await, so require() works), and
 * everything above can call kernels synchronously. Browsers cannot compile a file synchronously: the
 * browser entries (./browser.ts, ../browser.ts) await loadBackend() before their importers run.
 */
import { isNode } from '../runtime.js';
import { backendLoaded, loadBackendSync } from './load.js';

// A worker that joined its caller's memory (joinBackend) has a backend already.
if (isNode && !backendLoaded()) loadBackendSync();

export { loadBackend, loadBackendSync } from './load.js';
export { Storage, allocStorage, storageFrom, backendMemory, subStorage } from './memory.js';
export type { StorageDType } from './memory.js';
export { KernelError, Status, statusName } from './errors.js';
export type { StatusCode } from './errors.js';
export { kernels, reference } from './kernels.js';
export type { Kernels, Reduction, BinaryOp, UnaryOp, CompareOp, LogicalOp } from './kernels.js';
export { UNARY_OPS } from './kernels.js';
export { rng } from './rng.js';
export { GzipDecoder, InflateStatus, inflateErrorMessage } from './inflate.js';
export type { InflateStep } from './inflate.js';
export { join, joinReference } from './join.js';
export { convKernels, convReference } from './conv.js';
export type { ConvKernels, Conv2dGeometry, PoolWindow2d, Window2d } from './conv.js';
export type { JoinKernels, ScatterMode } from './join.js';
export type { Rng, AffineDraw } from './rng.js';
