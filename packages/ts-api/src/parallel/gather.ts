// Joined (protocol.ts): a worker gathers the caller's next batch while the caller adds the gradients
// and updates the model — the same kernels as the dataset's getBatch, on the caller's memory, so the
// batch has the bits the loader would have given.

import { kernels } from '../backend/index.js';
import { borrowStorage, ptrOf } from '../backend/memory.js';
import type { GatherSource } from '../data/dataset.js';

/** A dataset's GatherSource as addresses in the shared wasm memory (what a worker is sent). */
export interface GatherSpec {
  /** Examples: `length` elements at `at`, uint8 scaled by `scale`, or float32 (scale null). */
  x: { at: number; length: number; rowLen: number; scale: number | null };
  /** Targets: `length` elements at `at`, int32 (rowLen 1) or float32. */
  y: { at: number; length: number; rowLen: number; type: 'int32' | 'float32' };
}

export function gatherSpec(source: GatherSource): GatherSpec {
  const { x, y } = source;
  return {
    x: { at: ptrOf(x.storage), length: x.storage.length, rowLen: x.rowLen, scale: x.scale },
    y: { at: ptrOf(y.storage), length: y.storage.length, rowLen: y.rowLen, type: y.storage.dtype === 'int32' ? 'int32' : 'float32' },
  };
}

/**
 * Rows `indices` (int32 [rows] at byte address idxAt, rows of the source's storages) of the examples
 * into float32 [rows, x.rowLen] at xAt, and of the targets into [rows, y.rowLen] at yAt.
 */
export function gatherRows(spec: GatherSpec, idxAt: number, rows: number, xAt: number, yAt: number): void {
  const idx = borrowStorage('int32', idxAt, rows);
  const { x, y } = spec;
  const xOut = borrowStorage('float32', xAt, rows * x.rowLen);
  if (x.scale === null) kernels.gatherF32(borrowStorage('float32', x.at, x.length), x.rowLen, idx, xOut);
  else kernels.gatherU8ToF32(borrowStorage('uint8', x.at, x.length), x.rowLen, idx, x.scale, xOut);
  const yOut = borrowStorage(y.type, yAt, rows * y.rowLen);
  if (y.type === 'int32') kernels.gatherI32(borrowStorage('int32', y.at, y.length), idx, yOut);
  else kernels.gatherF32(borrowStorage('float32', y.at, y.length), y.rowLen, idx, yOut);
}
