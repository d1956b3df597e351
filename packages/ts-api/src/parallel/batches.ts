// The two batch slots of a parallel fit: a batch stays where the loader put it, kept alive by views until
// its step is done. Joined, over plain gathers, a batch is planned instead: tensors that worker 1 gathers
// into with the dataset's own kernels (the loader's bits) while this thread updates the model.

import { kernels } from '../backend/index.js';
import { borrowStorage, ptrOf } from '../backend/memory.js';
import type { DataLoader } from '../data/dataloader.js';
import type { GatherSource } from '../data/dataset.js';
import { empty, tensor } from '../tensor/ops/create.js';
import { keep } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import type { GradientPool, StepInput } from './pool.js';

const at = (t: Tensor): number => ptrOf(t.storage('fit'));

/** A dataset's GatherSource as addresses in the shared wasm memory (what worker 1 is sent). */
export interface GatherSpec {
  /** Examples: uint8 scaled by `scale`, or float32 (scale null). */
  x: { at: number; length: number; rowLen: number; scale: number | null };
  y: { at: number; length: number; rowLen: number; type: 'int32' | 'float32' };
}

export function gatherSpec({ x, y }: GatherSource): GatherSpec {
  return {
    x: { at: ptrOf(x.storage), length: x.storage.length, rowLen: x.rowLen, scale: x.scale },
    y: { at: ptrOf(y.storage), length: y.storage.length, rowLen: y.rowLen, type: y.storage.dtype === 'int32' ? 'int32' : 'float32' },
  };
}

/** Rows `indices` (int32 [rows] at byte address idxAt) of the source: examples to float32 at xAt, targets to yAt. */
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

/** The batches of one pass, planned: [X, y, indices] — the loader's indices (through a subset's map), X and y not filled. */
export function* plannedBatches(loader: DataLoader, from: GatherSource): Generator<[Tensor, Tensor, Tensor]> {
  const yType = from.y.storage.dtype === 'int32' ? 'int32' : 'float32';
  const map = from.map;
  for (const indices of loader.indexBatches()) {
    const rows = indices.length;
    const idx = keep(tensor(map === null ? indices : Int32Array.from(indices, (i) => map[i]), { dtype: 'int32' }));
    yield [keep(empty([rows, ...from.xRow])), keep(empty([rows, ...from.yRow], yType)), idx];
  }
}

/** What each slot holds for the workers, freed by release(). */
export class BatchSlots {
  readonly #held: (Tensor[] | null)[] = [null, null];
  readonly #source: GatherSource | null;
  /** Where planned batches come from (null: none are planned). */
  readonly gather: GatherSpec | null;

  constructor(source: GatherSource | null) {
    this.#source = source;
    this.gather = source === null ? null : gatherSpec(source);
  }

  /** Throws what the loader would if its dataset was disposed (by a callback, say), before a gathered batch is used. */
  checkSource(): void {
    this.#source?.check();
  }

  /** Places [X, y] in `slot`; a planned batch (`idx` given, already held) is gathered here first. */
  stage(pool: GradientPool, slot: 0 | 1, X: Tensor, y: Tensor, idx?: Tensor): void {
    if (idx === undefined) this.hold(slot, [X, y].map((t) => keep(new Tensor(t, t.shape, t.dtype))));
    else {
      this.checkSource();
      gatherRows(this.gather!, at(idx), y.shape[0], at(X), at(y));
    }
    pool.place(slot, y.shape[0], at(X), at(y));
  }

  /** A planned batch [X, y, idx] for worker 1 to gather into `slot` after the next step's shard. */
  plan(slot: 0 | 1, batch: Tensor[]): NonNullable<StepInput['next']> {
    this.hold(slot, batch);
    const [X, y, idx] = batch;
    return { slot, rows: y.shape[0], idx: at(idx), x: at(X), y: at(y) };
  }

  /** Takes tensors into `slot` until release() (a planned batch at once, so a failure frees it too). */
  hold(slot: 0 | 1, batch: Tensor[]): void {
    this.release(slot);
    this.#held[slot] = batch;
  }

  release(slot: 0 | 1): void {
    this.#held[slot]?.forEach((t) => t.dispose());
    this.#held[slot] = null;
  }
}
