// The calling thread's side of the two batch slots of a parallel fit: a batch is placed where it is,
// kept alive by views until the step on it is done (the loader frees its own handles when it moves on,
// during the look-ahead), or — joined (protocol.ts) — planned: tensors that worker 1 gathers the
// loader's next batch into (gather.ts).

import { ptrOf } from '../backend/memory.js';
import type { DataLoader } from '../data/dataloader.js';
import type { GatherSource } from '../data/dataset.js';
import { empty, tensor } from '../tensor/ops/create.js';
import { keep } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { gatherRows, gatherSpec, type GatherSpec } from './gather.js';
import type { GradientPool, StepInput } from './pool.js';

const at = (t: Tensor): number => ptrOf(t.storage('fit'));

/**
 * The batches of one pass when worker 1 gathers them: the loader's indices (through a subset's map) in
 * an int32 tensor, and the examples and targets tensors to gather into — [X, y, indices], not filled.
 */
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
  /** Where planned batches come from, as addresses for worker 1 (null: none are planned). */
  readonly gather: GatherSpec | null;

  constructor(source: GatherSource | null) {
    this.#source = source;
    this.gather = source === null ? null : gatherSpec(source);
  }

  /**
   * Throws what the loader would if its dataset was disposed (by a callback, say) — before a gathered
   * batch is used: it may have been read from freed memory.
   */
  checkSource(): void {
    this.#source?.check();
  }

  /**
   * Batch [X, y] into `slot`, placed where it is — a planned batch (`idx` given: fit's own tensors,
   * already held in `slot`) is gathered here first.
   */
  stage(pool: GradientPool, slot: 0 | 1, X: Tensor, y: Tensor, idx?: Tensor): void {
    if (idx === undefined) {
      this.release(slot);
      this.#held[slot] = [X, y].map((t) => keep(new Tensor(t, t.shape, t.dtype)));
    } else {
      this.checkSource();
      gatherRows(this.gather!, at(idx), y.shape[0], at(X), at(y));
    }
    pool.place(slot, y.shape[0], at(X), at(y));
  }

  /** A planned batch [X, y, idx] for worker 1 to gather into `slot` after the next step's shard: StepInput.next. */
  plan(slot: 0 | 1, batch: Tensor[]): NonNullable<StepInput['next']> {
    this.hold(slot, batch);
    const [X, y, idx] = batch;
    return { slot, rows: y.shape[0], idx: at(idx), x: at(X), y: at(y) };
  }

  /**
   * Takes a planned batch [X, y, idx] (plannedBatches' tensors) into `slot`, to be freed by release() —
   * fit hands each over as soon as it has it, so that a failure before it is staged frees it too.
   */
  hold(slot: 0 | 1, batch: Tensor[]): void {
    this.release(slot);
    this.#held[slot] = batch;
  }

  /** Frees what `slot` holds (after the step on it is done). */
  release(slot: 0 | 1): void {
    this.#held[slot]?.forEach((t) => t.dispose());
    this.#held[slot] = null;
  }
}
