// DataLoader: batches of a dataset, reshuffled each pass from the core's seeded generator.

import { checkOptions } from '../options.js';
import { rng } from '../backend/index.js';
import { tensor } from '../tensor/ops/create.js';
import { noGrad } from '../tensor/grad-mode.js';
import { SCOPED_ITERATION, scopedIterator } from '../tensor/iteration.js';
import { keep, tidy } from '../tensor/scope.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { isBatchDataset, type Dataset } from './dataset.js';

/** A function applied to each batch of features (e.g. augmentation), under noGrad. */
export type BatchTransform = (x: Tensor) => Tensor;

export interface DataLoaderOptions {
  batchSize?: number;
  /** Reshuffle at the start of every pass (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /**
   * Seed of this loader's own generator. Without it, shuffling draws from the global generator
   * (`manualSeed`), as in PyTorch.
   */
  seed?: number;
  /** Applied to each batch's features. */
  transform?: BatchTransform;
  /**
   * Free what each iteration of a loop over this loader makes when the loop moves on (default true).
   * With false, only the batch's own tensors are freed then, and the rest is the caller's to free.
   */
  scoped?: boolean;
}

const OPTION_KEYS = ['batchSize', 'shuffle', 'dropLast', 'seed', 'transform', 'scoped'];

/**
 * Iterates `[X, y]` batches: `for (const [X, y] of loader)`, as often as you like (each pass is an
 * epoch). Every tensor an iteration makes — the batch, the predictions, the loss — is freed when the
 * loop asks for the next batch or leaves (break, return, an exception), so PyTorch's training loop
 * runs in constant memory without tidy or dispose. Parameters, their gradients and optimiser state
 * survive; keep(t) saves anything else (see `scoped` to opt out).
 */
export class DataLoader implements Iterable<[Tensor, Tensor]> {
  readonly dataset: Dataset<[Tensor, Tensor]>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly transform: BatchTransform | undefined;
  /** Whether loops over this loader free what each iteration makes (the `scoped` option). */
  readonly scoped: boolean;
  #ownState: Uint32Array | null = null;

  constructor(dataset: Dataset<[Tensor, Tensor]>, options: DataLoaderOptions = {}) {
    if (dataset === null || typeof dataset !== 'object' || typeof dataset.get !== 'function' || !Number.isInteger(dataset.length)) {
      throw new Error('DataLoader: expected a Dataset (an object with length and get(index))');
    }
    checkOptions('DataLoader', options, OPTION_KEYS);
    if (options.scoped !== undefined && typeof options.scoped !== 'boolean') {
      throw new Error(`DataLoader: scoped must be true or false, got ${String(options.scoped)}`);
    }
    this.scoped = options.scoped ?? true;
    const batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.transform = options.transform;
    if (options.seed !== undefined) {
      if (!Number.isSafeInteger(options.seed) || options.seed < 0) {
        throw new Error(`DataLoader: seed must be a non-negative integer, got ${options.seed}`);
      }
      this.#ownState = withGenerator(null, () => {
        rng.seed(options.seed!);
        return rng.getState();
      });
    }
  }

  /** Number of batches per pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The loader's own generator state (null when it shuffles from the global generator), for checkpoints. */
  get generatorState(): Uint32Array | null {
    return this.#ownState === null ? null : this.#ownState.slice();
  }

  set generatorState(state: Uint32Array | null) {
    if ((state === null) !== (this.#ownState === null)) {
      throw new Error('DataLoader: generatorState can only be restored on a loader made with the same seed option');
    }
    this.#ownState = state === null ? null : state.slice();
  }

  /** The order of one pass: a permutation from the generator when shuffling. */
  #order(): Int32Array {
    const n = this.dataset.length;
    if (!this.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    const perm = tensor(new Int32Array(n), { dtype: 'int32' });
    const draw = () => rng.permutation(perm.storage('DataLoader'));
    if (this.#ownState === null) draw();
    else this.#ownState = withGenerator(this.#ownState, () => { draw(); return rng.getState(); });
    const order = perm.toArray() as Int32Array;
    perm.dispose();
    return order;
  }

  /** The batch of `indices`; `own` keeps it out of every scope (the unscoped loop frees it itself). */
  #batch(indices: Int32Array, own: boolean): [Tensor, Tensor] {
    return noGrad(() => {
      let x: Tensor;
      let y: Tensor;
      if (isBatchDataset(this.dataset)) {
        [x, y] = this.dataset.getBatch(indices);
      } else {
        // Items made fresh by get() are freed by the tidy; tensors the dataset keeps are not in its scope.
        [x, y] = tidy(() => collate(Array.from(indices, (i) => this.dataset.get(i))));
      }
      if (this.transform !== undefined) {
        const tx = this.transform(x);
        if (!(tx instanceof Tensor)) throw new Error('DataLoader: transform must return a Tensor');
        if (tx !== x) x.dispose();
        x = tx;
      }
      return own ? [keep(x), keep(y)] : [x, y];
    });
  }

  /**
   * @internal The dataset indices of each batch of one pass — what iterating gathers (fit's workers
   * gather them themselves; parallel/batches.ts). Draws the pass's order as iterating does.
   */
  *indexBatches(): Generator<Int32Array> {
    const order = this.#order();
    const count = this.length;
    for (let b = 0; b < count; b++) yield order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize));
  }

  /** @internal Loops over a scoped loader scope their iterations; data.scoped leaves it as it is. */
  get [SCOPED_ITERATION](): boolean {
    return true;
  }

  [Symbol.iterator](): Iterator<[Tensor, Tensor]> {
    return this.scoped ? scopedIterator(this.#scopedBatches()) : this.#ownedBatches();
  }

  /** The batches, made inside the pass's scope: the iteration scope takes them over. */
  *#scopedBatches(): Generator<[Tensor, Tensor]> {
    for (const indices of this.indexBatches()) yield this.#batch(indices, false);
  }

  /** scoped: false — each batch is freed when the loop moves on; nothing else is. */
  *#ownedBatches(): Generator<[Tensor, Tensor]> {
    let current: [Tensor, Tensor] | null = null;
    try {
      for (const indices of this.indexBatches()) {
        current = this.#batch(indices, true);
        yield current;
        current[0].dispose();
        current[1].dispose();
        current = null;
      }
    } finally {
      current?.[0].dispose();
      current?.[1].dispose();
    }
  }
}

/** Runs `fn` with the global generator switched to `state` (or left as is for null), then restores it. */
function withGenerator<T>(state: Uint32Array | null, fn: () => T): T {
  const saved = rng.getState();
  try {
    if (state !== null) rng.setState(state);
    return fn();
  } finally {
    rng.setState(saved);
  }
}

/**
 * Stacks items [x_i, y_i] into [X, y] along a new first dim — the generic path for datasets without
 * getBatch (their items are made in JavaScript anyway, so the copy goes through JavaScript too).
 */
function collate(items: [Tensor, Tensor][]): [Tensor, Tensor] {
  const stack = (parts: Tensor[], which: string): Tensor => {
    const first = parts[0];
    const size = first.numel();
    const data = first.dtype === 'float32' ? new Float32Array(parts.length * size) : new Int32Array(parts.length * size);
    parts.forEach((p, i) => {
      if (!(p instanceof Tensor) || formatShape(p.shape) !== formatShape(first.shape) || p.dtype !== first.dtype) {
        const got = p instanceof Tensor ? `${formatShape(p.shape)} (${p.dtype})` : typeof p;
        throw new Error(`DataLoader: cannot batch ${which}: item 0 is ${formatShape(first.shape)} (${first.dtype}), item ${i} is ${got}`);
      }
      data.set(p.toArray(), i * size);
    });
    return tensor(data, { shape: [parts.length, ...first.shape], dtype: first.dtype });
  };
  return [stack(items.map((it) => it[0]), 'features'), stack(items.map((it) => it[1]), 'labels')];
}
