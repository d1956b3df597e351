// The training loader of the worker's runs, resumable mid-epoch: a stopped fit() keeps the pass open
// and the next fit() continues it with the next batch — as tensor batches (the plain and data-parallel
// steps) or as the batches' dataset indices (fit's fused step, which reads the images itself).

import { train, type DataLoader, type Tensor } from '../index.js';

type Batch = [Tensor, Tensor];

/**
 * One kind of pass (batches or index batches), resumable: when fit() stops inside an epoch, the loop's
 * return() keeps the pass open instead of closing it, and the next iteration continues it.
 *
 * fit with `workers` > 1 reads one batch ahead (it stages batch t + 1 while step t runs) and always
 * calls return(), also after a complete pass. So the trainer marks every trained batch (`trained()`):
 * items taken but not trained when the pass is kept open are handed out again first on resume, and
 * a complete pass is ended by `endPass()` at the epoch's end.
 */
class ResumablePass<T> {
  #pending: Iterator<T> | null = null;
  /** Taken from the pending pass but not trained: handed out again, first, by the next iteration. */
  #replay: IteratorResult<T>[] = [];
  /** Handed out by the current iteration and not yet marked trained. */
  #untrained: IteratorResult<T>[] = [];

  constructor(private readonly start: () => Iterator<T>, private readonly keepOpen: () => boolean) {}

  get midEpoch(): boolean {
    return this.#pending !== null;
  }

  /** An iteration: the pending pass's rest (true as the second value), or a new pass. */
  open(): [Iterator<T>, boolean] {
    const resumed = this.#pending !== null;
    const it = this.#pending ?? this.start();
    if (!resumed) this.#replay = [];
    this.#pending = null;
    const replay = this.#replay;
    this.#replay = [];
    const untrained: IteratorResult<T>[] = [];
    this.#untrained = untrained;
    let exhausted = false;
    const iterator: Iterator<T> = {
      next: () => {
        const r = replay.shift() ?? (exhausted ? { done: true as const, value: undefined } : it.next());
        if (r.done) exhausted = true;
        else untrained.push(r);
        return r;
      },
      return: (value?: unknown) => {
        if (this.keepOpen()) {
          // The rest of the pass, starting with what was taken but not trained.
          this.#replay = [...untrained, ...replay];
          this.#pending = exhausted && this.#replay.length === 0 ? { next: () => ({ done: true, value: undefined }) } : it;
        } else {
          it.return?.();
        }
        return { done: true, value: value as T };
      },
    };
    return [iterator, resumed];
  }

  trained(): void {
    this.#untrained.shift();
  }

  /** Ends the pass: the next iteration starts a new one (`close`: the pending one is freed too). */
  end(close: boolean): void {
    if (close) this.#pending?.return?.();
    this.#pending = null;
    this.#replay = [];
  }
}

/**
 * The training loader, resumable mid-epoch, so that stop + fit again gives the same weights as a run
 * that was never stopped. fit iterates it as batches, or — its fused step — as index batches
 * (train.INDEX_BATCHES); a run uses one or the other throughout, since fit chooses by the model, loss,
 * optimiser and loader, which a run keeps.
 */
export class ResumableLoader implements Iterable<Batch>, train.IndexBatchSource {
  readonly #batches: ResumablePass<Batch>;
  readonly #indices: ResumablePass<Int32Array>;
  /** The kind of pass iterated last. */
  #active: ResumablePass<unknown>;
  /** Batches trained from the pending pass. */
  offset = 0;
  keepOpen = false;

  constructor(readonly loader: DataLoader) {
    this.#batches = new ResumablePass(() => loader[Symbol.iterator](), () => this.keepOpen);
    this.#indices = new ResumablePass(() => loader.indexBatches(), () => this.keepOpen);
    this.#active = this.#batches;
  }

  get length(): number {
    return this.loader.length;
  }

  get midEpoch(): boolean {
    return this.#active.midEpoch;
  }

  [Symbol.iterator](): Iterator<Batch> {
    return this.#open(this.#batches);
  }

  [train.INDEX_BATCHES](): { loader: DataLoader; indexBatches: () => Iterator<Int32Array> } {
    return { loader: this.loader, indexBatches: () => this.#open(this.#indices) };
  }

  #open<T>(pass: ResumablePass<T>): Iterator<T> {
    if (pass !== this.#active) this.#active.end(true);
    this.#active = pass;
    const [it, resumed] = pass.open();
    if (!resumed) this.offset = 0;
    return it;
  }

  /** Called after each trained batch. */
  trained(): void {
    this.#active.trained();
    this.offset++;
  }

  /** The epoch ended (fit evaluated it): the next iteration starts a new pass. */
  endPass(): void {
    this.#active.end(false);
    this.offset = 0;
  }

  /** Ends a pending pass (frees its batch). */
  close(): void {
    this.#active.end(true);
    this.offset = 0;
  }
}
