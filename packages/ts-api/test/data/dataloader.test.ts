// DataLoader and datasets: batching, seeded reshuffling each pass, dropLast, transforms, memory.

import { describe, expect, it } from 'vitest';
import { data, manualSeed, memory, tensor, type Tensor } from '../../src/index.js';
import { expectClose } from '../helpers/gradcheck.js';
import { gatherSourceOf } from '../../src/data/dataset.js';

const { DataLoader, TensorDataset, ImageDataset, transforms } = data;

function range(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i);
}

describe('DataLoader', () => {
  it('batches in order without shuffle, last batch smaller unless dropLast', () => {
    const ds = new TensorDataset(tensor(range(10 * 2), { shape: [10, 2] }), tensor(Int32Array.from({ length: 10 }, (_, i) => i)));
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const seen: number[][] = [];
    for (const [X, y] of loader) {
      expect(X.shape[1]).toBe(2);
      seen.push(Array.from(y.toArray()));
      expectClose(X.toArray(), Array.from(y.toArray()).flatMap((i) => [2 * i, 2 * i + 1]), 0, 0);
    }
    expect(seen).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    const dropped = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect([...dropped].length).toBe(2);
  });

  it('shuffles differently each pass, as a permutation, reproducibly from manualSeed', () => {
    const ds = new TensorDataset(tensor(range(100), { shape: [100, 1] }), tensor(new Int32Array(100)));
    const order = (l: InstanceType<typeof DataLoader>): number[] => {
      const out: number[] = [];
      for (const [X] of l) out.push(...Array.from(X.toArray()));
      return out;
    };
    manualSeed(7);
    const loader = new DataLoader(ds, { batchSize: 32, shuffle: true });
    const a = order(loader);
    const b = order(loader);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from(range(100)));
    expect(a).not.toEqual(b);
    manualSeed(7);
    expect(order(loader)).toEqual(a);
    const seeded1 = new DataLoader(ds, { batchSize: 32, shuffle: true, seed: 3 });
    const seeded2 = new DataLoader(ds, { batchSize: 32, shuffle: true, seed: 3 });
    manualSeed(1);
    const s1 = order(seeded1);
    manualSeed(2);
    expect(order(seeded2)).toEqual(s1);
  });

  it('frees each batch when the loop moves on, so a pass leaves memory as it was', () => {
    const ds = new TensorDataset(tensor(range(64 * 3), { shape: [64, 3] }), tensor(new Int32Array(64)));
    const loader = new DataLoader(ds, { batchSize: 10, shuffle: true });
    [...loader];
    const before = memory();
    let previous: Tensor | null = null;
    for (const [X] of loader) {
      if (previous !== null) expect(previous.isDisposed).toBe(true);
      previous = X;
    }
    expect(previous!.isDisposed).toBe(true);
    for (const [X] of loader) {
      void X;
      break;
    }
    expect(memory()).toEqual(before);
  });

  it('collates a plain map-style dataset of items', () => {
    const ds = { length: 5, get: (i: number): [Tensor, Tensor] => [tensor([i, -i]), tensor([i], { dtype: 'int32' }).reshape([])] };
    const batches: [readonly number[], number[]][] = [];
    for (const [X, y] of new DataLoader(ds, { batchSize: 2 })) batches.push([X.shape, Array.from(y.toArray())]);
    expect(batches[0]).toEqual([[2, 2], [0, 1]]);
    expect(batches[2]).toEqual([[1, 2], [4]]);
  });

  it('rejects bad options and datasets', () => {
    const ds = new TensorDataset(tensor(range(4), { shape: [4, 1] }), tensor(new Int32Array(4)));
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow('DataLoader: batchSize must be a positive integer, got 0');
    expect(() => new DataLoader({} as never)).toThrow('DataLoader: expected a Dataset');
    expect(() => new TensorDataset(tensor(range(4), { shape: [4, 1] }), tensor(new Int32Array(3)))).toThrow(
      'TensorDataset: tensors must have the same first dimension, got [4, 1] and [3]',
    );
    expect(() => ds.get(4)).toThrow('TensorDataset: index 4 is out of range for a dataset of 4 items');
  });
});

describe('ImageDataset and transforms', () => {
  const pixels = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => i * 10);
  const ds = new ImageDataset(pixels, Uint8Array.of(2, 0, 1), [1, 2, 3]);

  it('scales uint8 pixels to [0, 1] and keeps labels', () => {
    const [x, y] = ds.get(1);
    expect(x.shape).toEqual([1, 2, 3]);
    expectClose(x.toArray(), [60, 70, 80, 90, 100, 110].map((v) => v / 255), 1e-7, 0);
    expect(y.item()).toBe(0);
    expect(() => new ImageDataset(pixels, Uint8Array.of(1, 2), [1, 2, 3])).toThrow(/do not make images of shape \[1, 2, 3\]/);
  });

  it('a disposed ImageDataset says so, whatever is asked of it', () => {
    const gone = new ImageDataset(pixels, Uint8Array.of(1, 0, 2), [1, 2, 3]);
    gone.dispose();
    const said = 'ImageDataset: this dataset was disposed; it can no longer be used';
    expect(() => gone.getBatch(Int32Array.of(0))).toThrow(said);
    expect(() => gone.get(1)).toThrow(said);
    expect(() => gone.labels()).toThrow(said);
    expect(() => [...new DataLoader(gone, { batchSize: 2 })]).toThrow(said);
  });

  it('horizontal flip with p = 1 mirrors rows; crop with padding 0 is the identity; normalize; resize', () => {
    const [X] = ds.getBatch(Int32Array.of(0));
    expectClose(transforms.randomHorizontalFlip(1)(X).toArray(), [20, 10, 0, 50, 40, 30].map((v) => v / 255), 1e-7, 0);
    expectClose(transforms.randomCrop(0)(X).toArray(), X.toArray(), 0, 0);
    expectClose(transforms.normalize(0.5, 0.25)(X).toArray(), Array.from(X.toArray(), (v) => (v - 0.5) / 0.25), 1e-6, 1e-7);
    const big = transforms.resize([4, 6])(X);
    expect(big.shape).toEqual([1, 1, 4, 6]);
    expect(() => transforms.resize(4)(tensor([1]))).toThrow('resize: expected a float32 batch of shape [N, C, H, W], got float32 [1]');
  });

  it('random crop keeps every image a shifted copy with zero fill, drawing from the seed', () => {
    const [X] = ds.getBatch(Int32Array.of(0, 1, 2));
    manualSeed(5);
    const a = transforms.randomCrop(1)(X).toArray();
    manualSeed(5);
    expect(transforms.randomCrop(1)(X).toArray()).toEqual(a);
  });
});

describe('TensorDataset over a view', () => {
  it('reads a non-contiguous view afresh each batch: a write to its base is seen, as in PyTorch', () => {
    const base = tensor(range(3 * 4), { shape: [3, 4] });
    const ds = new TensorDataset(base.T, tensor(Int32Array.from([0, 1, 2, 3])));
    expect(gatherSourceOf(ds)).toBeNull();
    const first = (): number[][] => {
      for (const [X] of new DataLoader(ds, { batchSize: 4 })) return X.tolist() as number[][];
      return [];
    };
    expect(first()[1]).toEqual([1, 5, 9]);
    base.indexPut_([0, 1], 100);
    expect(first()[1]).toEqual([100, 5, 9]);
  });
});
