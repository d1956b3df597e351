// A worker's gather of the caller's next batch (parallel/batches.ts): from a dataset's GatherSource it
// must give the bits of the dataset's own getBatch, for images, float rows and float or int targets,
// through subsets of subsets; and the DataLoader's index batches are the batches iterating gives.

import { describe, expect, it } from 'vitest';
import { data, manualSeed, rand, tensor, type Tensor } from '../../src/index.js';
import { ptrOf } from '../../src/backend/memory.js';
import { gatherSourceOf } from '../../src/data/dataset.js';
import { gatherRows, gatherSpec } from '../../src/parallel/batches.js';
import { empty } from '../../src/tensor/ops/create.js';

const { DataLoader, ImageDataset, TensorDataset, subset } = data;

/** getBatch(indices) and gatherRows over the dataset's GatherSource, as arrays. */
function both(ds: data.Dataset, indices: Int32Array): { want: ArrayLike<number>[]; got: ArrayLike<number>[] } {
  const [X, y] = (ds as data.BatchDataset).getBatch(indices);
  const source = gatherSourceOf(ds)!;
  const rows = indices.length;
  const idx = tensor(source.map === null ? indices : Int32Array.from(indices, (i) => source.map![i]), { dtype: 'int32' });
  const gx = empty([rows, ...source.xRow]);
  const gy = empty([rows, ...source.yRow], source.y.storage.dtype === 'int32' ? 'int32' : 'float32');
  const at = (t: Tensor): number => ptrOf(t.storage('test'));
  gatherRows(gatherSpec(source), at(idx), rows, at(gx), at(gy));
  expect(gx.shape).toEqual(X.shape);
  expect(gy.shape).toEqual(y.shape);
  expect(gy.dtype).toBe(y.dtype);
  const out = { want: [X.toArray(), y.toArray()], got: [gx.toArray(), gy.toArray()] };
  [X, y, idx, gx, gy].forEach((t) => t.dispose());
  return out;
}

function indicesFor(rows: number, length: number): Int32Array {
  return Int32Array.from({ length: rows }, (_, i) => (i * 7919 + 13) % length);
}

describe('gather of a batch from a GatherSource', () => {
  it('images (uint8 → [0, 1]) through a subset of a subset: the bits of getBatch, at odd and round batch sizes', () => {
    const n = 600;
    const pixels = Uint8Array.from({ length: n * 2 * 3 * 5 }, (_, i) => (i * 37 + 11) % 256);
    const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
    const images = new ImageDataset(pixels, labels, [2, 3, 5]);
    const inner = subset(images, Array.from({ length: 400 }, (_, i) => n - 1 - i));
    const outer = subset(inner, Array.from({ length: 300 }, (_, i) => (i * 3) % 400));
    for (const ds of [images, inner, outer]) {
      for (const rows of [1, 3, 17, 255, 256, 257]) {
        const { want, got } = both(ds, indicesFor(rows, ds.length));
        expect(Array.from(got[0])).toEqual(Array.from(want[0]));
        expect(Array.from(got[1])).toEqual(Array.from(want[1]));
      }
    }
    // the subsets' map goes through both levels: outer item 5 is inner item 15, images item 584
    expect(gatherSourceOf(outer)!.map![5]).toBe(n - 1 - 15);
    images.dispose();
  });

  it('float rows with int32 or float targets (TensorDataset)', () => {
    manualSeed(3);
    const x = rand([300, 3, 2]);
    const cases = [tensor(Int32Array.from({ length: 300 }, (_, i) => i % 7), { dtype: 'int32' }), rand([300, 2])];
    for (const y of cases) {
      const ds = new TensorDataset(x, y);
      for (const rows of [1, 3, 17, 257]) {
        const { want, got } = both(ds, indicesFor(rows, 300));
        expect(Array.from(got[0])).toEqual(Array.from(want[0]));
        expect(Array.from(got[1])).toEqual(Array.from(want[1]));
      }
      ds.dispose();
      y.dispose();
    }
    x.dispose();
  });

  it('no GatherSource where batches are not plain gathers', () => {
    const items: data.Dataset = { length: 2, get: () => [tensor([1]), tensor([0], { dtype: 'int32' })] };
    expect(gatherSourceOf(items)).toBeNull();
    expect(gatherSourceOf(subset(items, [1]))).toBeNull();
    const intRows = new TensorDataset(tensor(new Int32Array(6), { shape: [3, 2], dtype: 'int32' }), tensor(new Int32Array(3), { dtype: 'int32' }));
    expect(gatherSourceOf(intRows)).toBeNull();
    intRows.dispose();
  });

  it("DataLoader.indexBatches gives the indices of the batches iterating gives, drawing the same shuffle", () => {
    const ds = new TensorDataset(tensor(Float32Array.from({ length: 50 }, (_, i) => i), { shape: [50, 1] }), tensor(new Int32Array(50), { dtype: 'int32' }));
    const loader = new DataLoader(ds, { batchSize: 16, shuffle: true });
    manualSeed(5);
    const iterated: number[][] = [];
    for (const [X] of loader) iterated.push(Array.from(X.toArray()));
    manualSeed(5);
    const indexed = [...loader.indexBatches()].map((b) => Array.from(b));
    expect(indexed).toEqual(iterated);
    expect(indexed.map((b) => b.length)).toEqual([16, 16, 16, 2]);
    ds.dispose();
  });
});
