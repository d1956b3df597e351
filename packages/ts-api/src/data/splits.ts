// Subsets, concatenations and random splits of datasets: torch.utils.data's Subset, ConcatDataset and
// random_split. A Subset of a batch dataset keeps the DataLoader's fast path (and the data-parallel
// workers' gathers) by mapping its indices onto the base dataset's.

import { rng } from '../backend/index.js';
import { checkOptions } from '../options.js';
import { empty, tensor } from '../tensor/ops/create.js';
import { cat } from '../tensor/ops/join.js';
import type { Tensor } from '../tensor/tensor.js';
import { gatherSourceOf, isBatchDataset, type BatchDataset, type Dataset, type GatherSource } from './dataset.js';

function checkIndex(index: number, length: number, where: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new Error(`${where}: index ${index} is out of range for a dataset of ${length} items`);
  }
}

function checkDataset(d: unknown, where: string): Dataset<unknown> {
  const ds = d as Dataset<unknown> | null;
  if (ds === null || typeof ds !== 'object' || typeof ds.get !== 'function' || !Number.isInteger(ds.length)) {
    throw new Error(`${where}: expected a Dataset (an object with length and get(index)), got ${ds === null ? 'null' : typeof ds}`);
  }
  return ds;
}

/**
 * The items of `dataset` at `indices`, in that order (torch.utils.data.Subset). Batches of a Subset of a
 * batch dataset (ImageDataset, TensorDataset) are gathered by the base dataset in one call.
 */
export class Subset<T = [Tensor, Tensor]> implements Dataset<T> {
  readonly dataset: Dataset<T>;
  /** Item i of the subset is item indices[i] of `dataset`. */
  readonly indices: Int32Array;
  readonly length: number;
  /** Present when `dataset` assembles batches itself (see BatchDataset). */
  readonly getBatch?: (indices: Int32Array) => [Tensor, Tensor];
  readonly #where: string;

  constructor(dataset: Dataset<T>, indices: readonly number[] | Int32Array, where = 'Subset') {
    checkDataset(dataset, where);
    // Checked before the conversion, which would wrap 2**32 + 3 to 3 and truncate 1.7 to 1.
    for (const i of indices) checkIndex(i, dataset.length, where);
    this.dataset = dataset;
    this.indices = Int32Array.from(indices);
    this.length = this.indices.length;
    if (isBatchDataset(dataset as Dataset<unknown>)) {
      const base = dataset as unknown as BatchDataset;
      this.getBatch = (idx) => base.getBatch(Int32Array.from(idx, (i) => this.#at(i, where)));
    }
    this.#where = where;
  }

  #at(i: number, where: string): number {
    checkIndex(i, this.length, where);
    return this.indices[i];
  }

  /** Item `index` (a negative index counts from the end, as a Python list's). */
  get(index: number): T {
    const i = Number.isInteger(index) && index < 0 && index >= -this.length ? index + this.length : index;
    return this.dataset.get(this.#at(i, this.#where));
  }

  /** @internal See GatherSource: the base's, with this subset's index map composed onto it. */
  gatherSource(): GatherSource | null {
    const source = gatherSourceOf(this.dataset as Dataset<unknown>);
    if (source === null) return null;
    const map = this.indices;
    return { ...source, map: source.map === null ? map : Int32Array.from(map, (i) => source.map![i]) };
  }
}

/**
 * The datasets one after another (torch.utils.data.ConcatDataset): item i is item i − cumulativeSizes[k−1]
 * of the k-th dataset; a negative index counts from the end, as in PyTorch. When every part assembles
 * batches itself (and their batches agree in shape and dtype), so does the concatenation.
 */
export class ConcatDataset<T = [Tensor, Tensor]> implements Dataset<T> {
  readonly datasets: readonly Dataset<T>[];
  /** The running totals of the parts' lengths (PyTorch's cumulative_sizes). */
  readonly cumulativeSizes: readonly number[];
  readonly length: number;
  readonly getBatch?: (indices: Int32Array) => [Tensor, Tensor];

  constructor(datasets: Iterable<Dataset<T>>) {
    if (datasets === null || typeof datasets !== 'object' || typeof (datasets as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new Error(`ConcatDataset: expected a list of datasets, got ${datasets === null ? 'null' : typeof datasets}`);
    }
    const list = [...datasets];
    if (list.length === 0) throw new Error('ConcatDataset: datasets should not be an empty iterable');
    list.forEach((d, i) => checkDataset(d, `ConcatDataset (dataset ${i})`));
    const sizes: number[] = [];
    let total = 0;
    for (const d of list) sizes.push((total += d.length));
    this.datasets = list;
    this.cumulativeSizes = sizes;
    this.length = total;
    if (list.every((d) => isBatchDataset(d as Dataset<unknown>))) {
      this.getBatch = (idx) => this.#batch(idx, list as unknown as BatchDataset[]);
    }
  }

  /** Which part holds item `index` (0 ≤ index < length), and its index there (bisect_right). */
  #locate(index: number): [number, number] {
    let lo = 0;
    let hi = this.cumulativeSizes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid] <= index) lo = mid + 1;
      else hi = mid;
    }
    return [lo, lo === 0 ? index : index - this.cumulativeSizes[lo - 1]];
  }

  get(index: number): T {
    let i = index;
    if (Number.isInteger(i) && i < 0) {
      if (-i > this.length) throw new Error(`ConcatDataset: absolute value of index should not exceed dataset length (index ${index}, length ${this.length})`);
      i += this.length;
    }
    checkIndex(i, this.length, 'ConcatDataset');
    const [part, local] = this.#locate(i);
    return this.datasets[part].get(local);
  }

  /** Each part gathers its own rows; the rows are then put back in the order asked for. */
  #batch(indices: Int32Array, parts: BatchDataset[]): [Tensor, Tensor] {
    const local: number[][] = parts.map(() => []);
    const where: number[][] = parts.map(() => []);
    indices.forEach((index, pos) => {
      checkIndex(index, this.length, 'ConcatDataset');
      const [part, i] = this.#locate(index);
      local[part].push(i);
      where[part].push(pos);
    });
    const used = parts.map((_, k) => k).filter((k) => local[k].length > 0);
    if (used.length === 1) return parts[used[0]].getBatch(Int32Array.from(local[used[0]]));
    if (used.length === 0) return parts[0].getBatch(new Int32Array(0));
    const batches = used.map((k) => parts[k].getBatch(Int32Array.from(local[k])));
    // Row r of the concatenated batches goes to position order[r]; invert that to pick rows in order.
    const pick = new Int32Array(indices.length);
    let r = 0;
    for (const k of used) for (const pos of where[k]) pick[pos] = r++;
    const idx = tensor(pick, { dtype: 'int32' });
    try {
      const join = (which: 0 | 1): Tensor => {
        const parts = batches.map((b) => b[which]);
        const first = parts[0];
        for (const p of parts) {
          if (p.dtype !== first.dtype || p.shape.slice(1).join() !== first.shape.slice(1).join()) {
            throw new Error(
              `ConcatDataset: cannot batch ${which === 0 ? 'features' : 'labels'} of different datasets: [${first.shape.slice(1).join(', ')}] (${first.dtype}) and [${p.shape.slice(1).join(', ')}] (${p.dtype})`,
            );
          }
        }
        const all = cat(parts, 0);
        const out = all.indexSelect(0, idx);
        all.dispose();
        return out;
      };
      return [join(0), join(1)];
    } finally {
      idx.dispose();
      for (const [x, y] of batches) {
        x.dispose();
        y.dispose();
      }
    }
  }
}

export interface RandomSplitOptions {
  /**
   * Seed of a generator used for this split only (PyTorch's `generator=torch.Generator().manual_seed(s)`);
   * the global generator is then left as it was. Without it the permutation draws from the global
   * generator (`manualSeed`), as PyTorch's default does.
   */
  seed?: number;
}

/** Python's math.isclose(a, b) with its default relative tolerance. */
function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * The split lengths (torch 1.13's random_split): `lengths` as given when they sum to the dataset's
 * length, or fractions summing to 1, each floor(fraction · length), the remainder given out one by one
 * round-robin from the first split.
 */
export function splitLengths(total: number, lengths: readonly number[]): number[] {
  if (!Array.isArray(lengths) || lengths.length === 0 || lengths.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new Error(`randomSplit: expected a non-empty list of lengths or fractions, got ${JSON.stringify(lengths)}`);
  }
  const sum = lengths.reduce((a, b) => a + b, 0);
  let sizes = [...lengths];
  if (isClose(sum, 1) && sum <= 1) {
    sizes = lengths.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new Error(`randomSplit: Fraction at index ${i} is not between 0 and 1 (got ${frac})`);
      return Math.floor(total * frac);
    });
    const remainder = total - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length] += 1;
    sizes.forEach((n, i) => {
      if (n === 0) console.warn(`randomSplit: Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  } else {
    sizes.forEach((n, i) => {
      if (!Number.isInteger(n) || n < 0) {
        throw new Error(`randomSplit: length at index ${i} must be a non-negative integer (or all must be fractions summing to 1), got ${n}`);
      }
    });
  }
  const given = sizes.reduce((a, b) => a + b, 0);
  if (given !== total) {
    throw new Error(`randomSplit: Sum of input lengths does not equal the length of the input dataset! (lengths ${JSON.stringify(lengths)} sum to ${given}, the dataset has ${total} items)`);
  }
  return sizes;
}

/**
 * Splits `dataset` into non-overlapping random Subsets of the given lengths, or of fractions summing to 1
 * (torch.utils.data.random_split). The permutation is the library's (randperm's generator, xoshiro128**),
 * so the same seed gives other subsets than PyTorch's — the same ones in Node and in browsers.
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], options: RandomSplitOptions = {}): Subset<T>[] {
  checkOptions('randomSplit', options, ['seed']);
  checkDataset(dataset, 'randomSplit');
  const sizes = splitLengths(dataset.length, lengths);
  const seed = options.seed;
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0)) {
    throw new Error(`randomSplit: seed must be a non-negative integer, got ${seed}`);
  }
  const perm = empty([dataset.length], 'int32');
  let order: Int32Array;
  try {
    if (seed === undefined) {
      rng.permutation(perm.storage('randomSplit'));
    } else {
      const saved = rng.getState();
      try {
        rng.seed(seed);
        rng.permutation(perm.storage('randomSplit'));
      } finally {
        rng.setState(saved);
      }
    }
    order = perm.toArray() as Int32Array;
  } finally {
    perm.dispose();
  }
  let offset = 0;
  return sizes.map((n) => new Subset(dataset, order.subarray(offset, (offset += n))));
}
