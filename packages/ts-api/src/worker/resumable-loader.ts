// The training loader of the worker's runs, resumable mid-epoch: a stopped fit() keeps the pass open
// and the next fit() continues it with the next batch.

import type { DataLoader, Tensor } from '../index.js';

type Batch = [Tensor, Tensor];

/**
 * The training loader, resumable mid-epoch: when fit() stops inside an epoch, the for-of loop's
 * return() keeps the pass open instead of closing it, and the next fit() continues with the next batch.
 * So stop + fit again gives the same weights as a run that was never stopped.
 *
 * fit with `workers` > 1 reads one batch ahead (it stages batch t + 1 while step t runs) and always
 * calls return(), also after a complete pass. So the trainer marks every trained batch (`trained()`):
 * batches taken but not trained when the pass is kept open are handed out again first on resume, and
 * a complete pass is ended by `endPass()` at the epoch's end.
 */
export class ResumableLoader implements Iterable<Batch> {
  #pending: Iterator<Batch> | null = null;
  /** Taken from the pending pass but not trained: handed out again, first, by the next iteration. */
  #replay: IteratorResult<Batch>[] = [];
  /** Handed out by the current iteration and not yet marked trained. */
  #untrained: IteratorResult<Batch>[] = [];
  /** Batches trained from the pending pass. */
  offset = 0;
  keepOpen = false;

  constructor(readonly loader: DataLoader) {}

  get length(): number {
    return this.loader.length;
  }

  get midEpoch(): boolean {
    return this.#pending !== null;
  }

  [Symbol.iterator](): Iterator<Batch> {
    const it = this.#pending ?? this.loader[Symbol.iterator]();
    if (this.#pending === null) {
      this.offset = 0;
      this.#replay = [];
    }
    this.#pending = null;
    const replay = this.#replay;
    this.#replay = [];
    const untrained: IteratorResult<Batch>[] = [];
    this.#untrained = untrained;
    let exhausted = false;
    return {
      next: () => {
        const r = replay.shift() ?? (exhausted ? { done: true as const, value: undefined } : it.next());
        if (r.done) exhausted = true;
        else untrained.push(r);
        return r;
      },
      return: (value?: unknown) => {
        if (this.keepOpen) {
          // The rest of the pass, starting with what was taken but not trained.
          this.#replay = [...untrained, ...replay];
          this.#pending = exhausted && this.#replay.length === 0 ? { next: () => ({ done: true, value: undefined }) } : it;
        } else {
          it.return?.();
        }
        return { done: true, value: value as Batch };
      },
    };
  }

  /** Called after each trained batch. */
  trained(): void {
    this.#untrained.shift();
    this.offset++;
  }

  /** The epoch ended (fit evaluated it): the next iteration starts a new pass. */
  endPass(): void {
    this.#pending = null;
    this.#replay = [];
    this.offset = 0;
  }

  /** Ends a pending pass (frees its batch). */
  close(): void {
    this.#pending?.return?.();
    this.#pending = null;
    this.#replay = [];
    this.offset = 0;
  }
}
