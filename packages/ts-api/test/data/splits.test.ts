// data.Subset, data.ConcatDataset and data.randomSplit: the split lengths against torch 1.13's
// random_split (printed by /usr/bin/python3 for the cases below), the permutation against the library's
// randperm for the same seed, and the DataLoader's batch path against item-by-item reads.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { data, getRngState, manualSeed, randperm, tensor } from '../../src/index.js';

const rows = (n: number, offset = 0) =>
  new data.TensorDataset(
    tensor(Array.from({ length: n }, (_, i) => [offset + i, -(offset + i)])),
    tensor(Array.from({ length: n }, (_, i) => offset + i), { dtype: 'int32' }),
  );
const images = (n: number) => {
  const pixels = Uint8Array.from({ length: n * 4 }, (_, i) => (i * 7) % 256);
  return new data.ImageDataset(pixels, Uint8Array.from({ length: n }, (_, i) => i % 10), [1, 2, 2]);
};
/** Each batch's features and labels, read inside the loop (the loader frees them when it moves on). */
const batchesOf = (loader: data.DataLoader) => {
  const out: [unknown, number[]][] = [];
  for (const [X, y] of loader) out.push([X.tolist(), y.tolist() as number[]]);
  return out;
};
const labelsOf = (ds: data.Dataset) => Array.from({ length: ds.length }, (_, i) => ds.get(i)[1].item());

afterEach(() => vi.restoreAllMocks());

describe('data.randomSplit lengths (torch 1.13)', () => {
  const lengths = (n: number, l: number[]) => data.randomSplit(rows(n), l, { seed: 0 }).map((s) => s.length);

  it('takes lengths that sum to the dataset length', () => {
    expect(lengths(10, [3, 7])).toEqual([3, 7]);
    expect(lengths(10, [0, 10])).toEqual([0, 10]);
  });

  it('turns fractions into floor(f · n) and gives the remainder out round-robin', () => {
    expect(lengths(10, [0.3, 0.3, 0.4])).toEqual([3, 3, 4]);
    expect(lengths(11, [0.5, 0.5])).toEqual([6, 5]);
    expect(lengths(5, [0.34, 0.33, 0.33])).toEqual([2, 2, 1]);
    expect(lengths(60000, [11 / 12, 1 / 12])).toEqual([55000, 5000]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(lengths(7, Array(10).fill(0.1))).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(warn.mock.calls[0][0]).toBe('randomSplit: Length of split at index 7 is 0. This might result in an empty dataset.');
  });

  it('rejects what PyTorch rejects, saying why', () => {
    expect(() => lengths(10, [3, 6])).toThrow(
      'randomSplit: Sum of input lengths does not equal the length of the input dataset! (lengths [3,6] sum to 9, the dataset has 10 items)',
    );
    expect(() => lengths(10, [1.5, -0.5])).toThrow('randomSplit: Fraction at index 0 is not between 0 and 1 (got 1.5)');
    expect(() => lengths(10, [2.5, 7.5])).toThrow('randomSplit: length at index 0 must be a non-negative integer (or all must be fractions summing to 1), got 2.5');
    expect(() => lengths(10, [])).toThrow('randomSplit: expected a non-empty list of lengths or fractions, got []');
    expect(() => data.randomSplit(rows(4), [2, 2], { generator: 1 } as never)).toThrow(/randomSplit.*generator/);
    expect(() => data.randomSplit(rows(4), [2, 2], { seed: -1 })).toThrow('randomSplit: seed must be a non-negative integer, got -1');
  });
});

describe('data.randomSplit permutation', () => {
  it('splits randperm(n) of a generator seeded with `seed`, leaving the global generator as it was', () => {
    manualSeed(7);
    const expected = randperm(10).tolist() as number[];
    manualSeed(123);
    const before = getRngState();
    const [a, b] = data.randomSplit(rows(10), [4, 6], { seed: 7 });
    expect(Array.from(getRngState())).toEqual(Array.from(before));
    expect(Array.from(a.indices)).toEqual(expected.slice(0, 4));
    expect(Array.from(b.indices)).toEqual(expected.slice(4));
    expect(labelsOf(b)).toEqual(expected.slice(4));
  });

  it('draws from the global generator without a seed, as PyTorch does', () => {
    manualSeed(3);
    const expected = randperm(8).tolist() as number[];
    manualSeed(3);
    const parts = data.randomSplit(rows(8), [0.5, 0.5]);
    expect(parts.flatMap((p) => Array.from(p.indices))).toEqual(expected);
    expect((randperm(8).tolist() as number[])).not.toEqual(expected); // the stream moved on
  });
});

describe('data.Subset', () => {
  it('maps its indices, counts negative ones from the end, and checks them', () => {
    const s = new data.Subset(rows(5), [4, 0, 2]);
    expect(s.length).toBe(3);
    expect(labelsOf(s)).toEqual([4, 0, 2]);
    expect(s.get(-1)[1].item()).toBe(2);
    expect(() => s.get(3)).toThrow('Subset: index 3 is out of range for a dataset of 3 items');
    expect(() => new data.Subset(rows(5), [5])).toThrow('Subset: index 5 is out of range for a dataset of 5 items');
    expect(() => new data.Subset(null as never, [0])).toThrow('Subset: expected a Dataset (an object with length and get(index)), got null');
  });

  it('keeps the batch path of an image dataset: loader batches equal item-by-item reads', () => {
    const base = images(9);
    const s = new data.Subset(base, [8, 1, 5, 3]);
    expect(data.isBatchDataset(s)).toBe(true);
    const [[X, y]] = batchesOf(new data.DataLoader(s, { batchSize: 4 }));
    expect(y).toEqual([8, 1, 5, 3]);
    expect(X).toEqual([8, 1, 5, 3].map((i) => base.get(i)[0].tolist()));
    // a Subset of a Subset composes the maps for the workers' gathers too
    const inner = new data.Subset(s, [2, 0]);
    expect(labelsOf(inner)).toEqual([5, 8]);
    const source = (inner as unknown as { gatherSource(): { map: Int32Array } }).gatherSource();
    expect(Array.from(source.map)).toEqual([5, 8]);
    base.dispose();
  });

  it('data.subset still names itself in its errors', () => {
    expect(() => data.subset(rows(2), [2])).toThrow('subset: index 2 is out of range for a dataset of 2 items');
  });
});

describe('data.ConcatDataset', () => {
  it("reads across parts with PyTorch's indices and cumulativeSizes", () => {
    const c = new data.ConcatDataset([rows(3), rows(0, 100), rows(2, 10)]);
    expect(c.length).toBe(5);
    expect(c.cumulativeSizes).toEqual([3, 3, 5]);
    expect(labelsOf(c)).toEqual([0, 1, 2, 10, 11]);
    expect(c.get(-1)[1].item()).toBe(11);
    expect(c.get(-5)[1].item()).toBe(0);
    expect(() => c.get(-6)).toThrow('ConcatDataset: absolute value of index should not exceed dataset length (index -6, length 5)');
    expect(() => c.get(5)).toThrow('ConcatDataset: index 5 is out of range for a dataset of 5 items');
    expect(() => new data.ConcatDataset([])).toThrow('ConcatDataset: datasets should not be an empty iterable');
  });

  it('assembles batches across parts in the order asked for', () => {
    const c = new data.ConcatDataset([rows(3), rows(2, 10)]);
    const [x, y] = c.getBatch!(Int32Array.of(4, 0, 3, 2));
    expect(y.tolist()).toEqual([11, 0, 10, 2]);
    expect(x.tolist()).toEqual([[11, -11], [0, -0], [10, -10], [2, -2]]);
    manualSeed(0);
    const seen = batchesOf(new data.DataLoader(c, { batchSize: 2, shuffle: true })).flatMap(([, b]) => b);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 10, 11]);
    const mixed = new data.ConcatDataset<[import('../../src/index.js').Tensor, import('../../src/index.js').Tensor]>([rows(1), images(1)]);
    expect(() => mixed.getBatch!(Int32Array.of(0, 1))).toThrow('ConcatDataset: cannot batch features of different datasets: [2] (float32) and [1, 2, 2] (float32)');
  });

  it('works without a batch path (items stacked by the loader)', () => {
    const plain: data.Dataset = { length: 2, get: (i) => [tensor([i, -i]), tensor(i, { dtype: 'int32' })] };
    const c = new data.ConcatDataset([plain, rows(1, 5)]);
    expect(data.isBatchDataset(c)).toBe(false);
    const [[, y]] = batchesOf(new data.DataLoader(c, { batchSize: 3 }));
    expect(y).toEqual([0, 1, 5]);
  });
});
