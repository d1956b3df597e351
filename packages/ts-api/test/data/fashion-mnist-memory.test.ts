// Loading Fashion-MNIST into datasets keeps one copy of the data, in wasm memory: the images are
// decompressed straight into it (no JS copy of the decompressed file), the wasm memory grows by about
// the data, a failed load frees what it had allocated, and the datasets give the same batches as the
// data read the plain way.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendMemory } from '../../src/backend/index.js';
import { data } from '../../src/index.js';
import {
  FASHION_MNIST_FILES, FASHION_MNIST_SYSTEM_DIR, loadFashionMnistFiles, type FashionMnistData,
} from '../../src/data/fashion-mnist-files.js';
import { arrayTarget, streamFashionMnistFile, type ElementTarget } from '../../src/data/fashion-mnist-stream.js';
import { settleGarbage } from '../helpers/settle-garbage.js';

const TRAIN_PIXELS = 60000 * 784;
const TEST_PIXELS = 10000 * 784;
/** What the two datasets hold: uint8 pixels and int32 labels. */
const DATA_BYTES = TRAIN_PIXELS + TEST_PIXELS + 4 * (60000 + 10000);

/** A reader over `bytes` that records the buffers it is lent. */
function recordingReader(bytes: Uint8Array, lent: Uint8Array[]): (into: Uint8Array) => Promise<number> {
  let at = 0;
  return async (into) => {
    lent.push(into);
    const n = Math.min(into.length, bytes.length - at);
    into.set(bytes.subarray(at, at + n));
    at += n;
    return n;
  };
}

describe('fashionMnist(): one copy of the data, in wasm memory', () => {
  let plain: FashionMnistData;
  beforeAll(async () => {
    plain = await loadFashionMnistFiles({ root: FASHION_MNIST_SYSTEM_DIR, download: false });
  });

  it('allocates exactly the pixels as bytes and the labels as int32, and the wasm memory grows by about that', async () => {
    await settleGarbage();
    const before = backendMemory();
    const { train, test } = await data.fashionMnist({ root: FASHION_MNIST_SYSTEM_DIR, download: false });
    try {
      const after = backendMemory();
      expect(after.bytes - before.bytes).toBe(DATA_BYTES);
      expect(after.buffers - before.buffers).toBe(4);
      // Growth beyond the data: the allocator's rounding, nothing like a second copy of 47 MB.
      expect(after.wasmBytes - before.wasmBytes).toBeLessThanOrEqual(DATA_BYTES + 4 * 1048576);
      expect([train.length, test.length]).toEqual([60000, 10000]);
    } finally {
      train.dispose();
      test.dispose();
    }
    expect(backendMemory().bytes).toBe(before.bytes);
  });

  it('gives the same batches as datasets made from the arrays of loadFashionMnistFiles', async () => {
    const { train, test } = await data.fashionMnist({ root: FASHION_MNIST_SYSTEM_DIR, download: false });
    const ref = new data.ImageDataset(plain.test.images, plain.test.labels, [1, 28, 28]);
    const refTrain = new data.ImageDataset(plain.train.images, plain.train.labels, [1, 28, 28]);
    try {
      const same = (a: data.ImageDataset, b: data.ImageDataset, idx: Int32Array): void => {
        const batches = [a.getBatch(idx), b.getBatch(idx)];
        expect(Array.from(batches[0][0].toArray())).toEqual(Array.from(batches[1][0].toArray()));
        expect(Array.from(batches[0][1].toArray())).toEqual(Array.from(batches[1][1].toArray()));
        for (const t of batches.flat()) t.dispose();
      };
      same(test, ref, Int32Array.from([0, 1, 9999, 4242, 77]));
      same(train, refTrain, Int32Array.from([59999, 0, 31337]));
      expect(Array.from(train.labels())).toEqual(Array.from(plain.train.labels));
    } finally {
      for (const d of [train, test, ref, refTrain]) d.dispose();
    }
  });

  it('a file failing its check frees what the other files had put in wasm memory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'softmax-fmnist-mem-'));
    try {
      for (const name of Object.values(FASHION_MNIST_FILES)) {
        await writeFile(join(root, name), await readFile(join(FASHION_MNIST_SYSTEM_DIR, name)));
      }
      // Valid gzip, changed content: found only by the checksum, after the images were decoded.
      const labels = new Uint8Array(gunzipSync(await readFile(join(FASHION_MNIST_SYSTEM_DIR, FASHION_MNIST_FILES.testLabels))));
      labels[8 + 5] = (labels[8 + 5] + 1) % 10;
      await rm(join(root, FASHION_MNIST_FILES.testLabels));
      await writeFile(join(root, 't10k-labels-idx1-ubyte'), labels);
      await settleGarbage(); // nothing left for a finalizer to free between the two figures
      const before = backendMemory();
      await expect(data.fashionMnist({ root, download: false })).rejects.toThrow(/t10k-labels-idx1-ubyte: checksum mismatch/);
      expect(backendMemory().bytes).toBe(before.bytes);
      expect(backendMemory().buffers).toBe(before.buffers);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('streamFashionMnistFile: decoded as it is read', () => {
  let gz: Uint8Array;
  let raw: Uint8Array;
  beforeAll(async () => {
    gz = new Uint8Array(await readFile(join(FASHION_MNIST_SYSTEM_DIR, FASHION_MNIST_FILES.testImages)));
    raw = new Uint8Array(gunzipSync(gz));
  });

  it('reads a gzip file through one lent buffer and writes each pixel once, in order, into a target of the exact size', async () => {
    const lent: Uint8Array[] = [];
    const sizes: number[] = [];
    let written = 0;
    const target = await streamFashionMnistFile('testImages', { bytes: recordingReader(gz, lent), gzip: true }, 'x.gz', true, (_k, n) => {
      sizes.push(n);
      const t = arrayTarget(n);
      return {
        data: t.data,
        discard: t.discard,
        write: (bytes: Uint8Array, offset: number) => {
          expect(offset).toBe(written);
          written += bytes.length;
          t.write(bytes, offset);
        },
      };
    });
    expect(sizes).toEqual([TEST_PIXELS]);
    expect(written).toBe(TEST_PIXELS);
    expect(Buffer.compare(target.data, raw.subarray(16))).toBe(0);
    // No buffer per piece of input: the same one, lent again and again.
    expect(lent.length).toBeGreaterThan(10);
    expect(new Set(lent.map((b) => b.buffer)).size).toBe(1);
  });

  it('an uncompressed file, handed over in pieces of any size, gives the same bytes', async () => {
    const lent: Uint8Array[] = [];
    let served = 0;
    const odd = async (into: Uint8Array): Promise<number> => {
      lent.push(into);
      const n = Math.min(into.length, 4099, raw.length - served);
      into.set(raw.subarray(served, served + n));
      served += n;
      return n;
    };
    const target = await streamFashionMnistFile('testImages', { bytes: odd, gzip: false }, 'x', true, (_k, n) => arrayTarget(n));
    expect(Buffer.compare(target.data, raw.subarray(16))).toBe(0);
    expect(new Set(lent.map((b) => b.buffer)).size).toBe(1);
  });

  it('a file in the wrong role is refused at its header, before a target is made', async () => {
    let opened = 0;
    await expect(
      streamFashionMnistFile('trainImages', { bytes: gz, gzip: true }, 'x.gz', true, (_k, n) => {
        opened++;
        return arrayTarget(n);
      }),
    ).rejects.toThrow('x.gz: expected 60000 images, found 10000');
    expect(opened).toBe(0);
  });

  it('a failed check discards the target it had made', async () => {
    const bad = raw.slice();
    bad[1000] ^= 1;
    let discarded = 0;
    await expect(
      streamFashionMnistFile('testImages', { bytes: bad, gzip: false }, 'bad', true, (_k, n) => ({ ...arrayTarget(n), discard: () => void discarded++ })),
    ).rejects.toThrow(/bad: checksum mismatch/);
    expect(discarded).toBe(1);
    const labels = new Uint8Array(gunzipSync(await readFile(join(FASHION_MNIST_SYSTEM_DIR, FASHION_MNIST_FILES.testLabels))));
    labels[8 + 42] = 10;
    const targets: ElementTarget[] = [];
    await expect(
      streamFashionMnistFile('testLabels', { bytes: labels, gzip: false }, 'labels.idx', false, (_k, n) => {
        const t = { ...arrayTarget(n), discard: () => void discarded++ };
        targets.push(t);
        return t;
      }),
    ).rejects.toThrow('labels.idx: label 42 is 10, expected a class index 0…9');
    expect(targets.length).toBe(1);
    expect(discarded).toBe(2);
  });
});
