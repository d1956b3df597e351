import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeFashionMnistFile,
  FASHION_MNIST_FILES,
  FASHION_MNIST_SYSTEM_DIR,
  fashionMnistCacheDir,
  fashionMnistFromBytes,
  loadFashionMnistFiles,
  type FashionMnistData,
  type FashionMnistFileKey,
} from '../../src/data/fashion-mnist-files.js';

const KEYS = Object.keys(FASHION_MNIST_FILES) as FashionMnistFileKey[];

describe('Fashion-MNIST from Debian files', () => {
  let data: FashionMnistData;
  let tmp: string;
  const savedXdg = process.env.XDG_CACHE_HOME;

  beforeAll(async () => {
    data = await loadFashionMnistFiles({ root: FASHION_MNIST_SYSTEM_DIR, download: false });
    tmp = await mkdtemp(join(tmpdir(), 'softmax-fmnist-'));
  });
  afterAll(async () => {
    if (savedXdg === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedXdg;
    await rm(tmp, { recursive: true, force: true });
  });

  it('has 60000 training and 10000 test examples of 28×28', () => {
    for (const [split, n] of [[data.train, 60000], [data.test, 10000]] as const) {
      expect(split.count).toBe(n);
      expect(split.rows).toBe(28);
      expect(split.cols).toBe(28);
      expect(split.images.length).toBe(n * 784);
      expect(split.labels.length).toBe(n);
      // Own their buffers, so they can be transferred to a worker.
      expect(split.images.byteOffset).toBe(0);
      expect(split.images.buffer.byteLength).toBe(n * 784);
      expect(split.labels.buffer.byteLength).toBe(n);
    }
  });

  it('has the known first labels and balanced classes', () => {
    expect(Array.from(data.train.labels.subarray(0, 6))).toEqual([9, 0, 0, 3, 0, 2]);
    expect(Array.from(data.test.labels.subarray(0, 6))).toEqual([9, 2, 1, 1, 6, 1]);
    for (const [split, perClass] of [[data.train, 6000], [data.test, 1000]] as const) {
      const counts = new Array(10).fill(0);
      for (const l of split.labels) counts[l]++;
      expect(counts).toEqual(new Array(10).fill(perClass));
    }
  });

  it('has pixels covering 0…255 with the known mean', () => {
    let min = 255;
    let max = 0;
    let sum = 0;
    for (const p of data.train.images) {
      if (p < min) min = p;
      if (p > max) max = p;
      sum += p;
    }
    expect(min).toBe(0);
    expect(max).toBe(255);
    // The usual normalisation constant: mean 0.2860 of the [0, 1]-scaled training pixels.
    expect(sum / data.train.images.length / 255).toBeCloseTo(0.286, 3);
  });

  it('looks in the cache folder (XDG_CACHE_HOME) first, then the Debian folder', async () => {
    process.env.XDG_CACHE_HOME = tmp;
    const cache = await fashionMnistCacheDir();
    expect(cache).toBe(join(tmp, 'softmax-nn', 'fashion-mnist'));

    let r = await loadFashionMnistFiles({ download: false });
    for (const k of KEYS) expect(r.sources[k].path).toBe(join(FASHION_MNIST_SYSTEM_DIR, FASHION_MNIST_FILES[k]));

    // A copy in the cache wins; an uncompressed IDX file is accepted as well.
    await mkdir(cache, { recursive: true });
    await copyFile(join(FASHION_MNIST_SYSTEM_DIR, FASHION_MNIST_FILES.testLabels), join(cache, FASHION_MNIST_FILES.testLabels));
    const rawTrainLabels = gunzipSync(await readFile(join(FASHION_MNIST_SYSTEM_DIR, FASHION_MNIST_FILES.trainLabels)));
    await writeFile(join(cache, 'train-labels-idx1-ubyte'), rawTrainLabels);
    r = await loadFashionMnistFiles({ download: false });
    expect(r.sources.testLabels.path).toBe(join(cache, FASHION_MNIST_FILES.testLabels));
    expect(r.sources.trainLabels.path).toBe(join(cache, 'train-labels-idx1-ubyte'));
    expect(r.sources.trainImages.path).toBe(join(FASHION_MNIST_SYSTEM_DIR, FASHION_MNIST_FILES.trainImages));
    expect(Buffer.compare(r.train.labels, data.train.labels)).toBe(0);

    // A corrupt file in the cache is an error (never silently skipped), with a hint where a download
    // would replace it, and none with download: false.
    const bad = new Uint8Array(rawTrainLabels);
    bad[100] = (bad[100] + 1) % 10;
    await writeFile(join(cache, 'train-labels-idx1-ubyte'), bad);
    await expect(loadFashionMnistFiles()).rejects.toThrow(
      /train-labels-idx1-ubyte: checksum mismatch: SHA-256 of the decompressed data is [0-9a-f]{64}, expected bad3541b.*\(delete it to download a fresh copy\)/,
    );
    await expect(loadFashionMnistFiles({ download: false })).rejects.toThrow(
      /train-labels-idx1-ubyte: checksum mismatch: SHA-256 of the decompressed data is [0-9a-f]{64}, expected bad3541b[0-9a-f]*; the file is corrupt or is not the original Fashion-MNIST train-labels-idx1-ubyte\.gz$/,
    );
  });

  it('with download: false, a missing file names where it looked', async () => {
    const empty = join(tmp, 'empty');
    await expect(loadFashionMnistFiles({ root: empty, download: false })).rejects.toThrow(
      `Fashion-MNIST file train-images-idx3-ubyte.gz not found (looked in ${empty}) and download is false`,
    );
  });
});

describe('fashionMnistFromBytes (the browser path)', () => {
  const files = {} as Record<FashionMnistFileKey, Uint8Array>;
  beforeAll(async () => {
    for (const k of KEYS) files[k] = new Uint8Array(await readFile(join(FASHION_MNIST_SYSTEM_DIR, FASHION_MNIST_FILES[k])));
  });

  it('decodes gzip bytes, ArrayBuffers and Blobs/Files', async () => {
    const d = await fashionMnistFromBytes({
      trainImages: files.trainImages,
      trainLabels: files.trainLabels.slice().buffer,
      testImages: new Blob([new Uint8Array(files.testImages)]),
      testLabels: new File([gunzipSync(files.testLabels)], 'my-test-labels'),
    });
    expect(d.train.count).toBe(60000);
    expect(d.test.count).toBe(10000);
    expect(d.train.labels[0]).toBe(9);
  });

  it('rejects files given in the wrong roles', async () => {
    await expect(
      fashionMnistFromBytes({ ...files, trainImages: files.testImages }),
    ).rejects.toThrow('train-images-idx3-ubyte.gz: expected 60000 images, found 10000');
    await expect(
      fashionMnistFromBytes({ ...files, testLabels: files.testImages }),
    ).rejects.toThrow(/t10k-labels-idx1-ubyte\.gz: expected a labels file \(1-D IDX, magic 0x00000801\), found an images file/);
    await expect(fashionMnistFromBytes({ ...files, testImages: undefined as unknown as Uint8Array })).rejects.toThrow(
      'fashionMnistFromBytes: missing testImages (t10k-images-idx3-ubyte.gz)',
    );
  });

  it('checks labels < 10 even without the checksum, and the checksum by default', async () => {
    const raw = new Uint8Array(gunzipSync(files.testLabels));
    raw[8 + 42] = 10;
    await expect(decodeFashionMnistFile('testLabels', raw, 'labels.idx', { verify: false })).rejects.toThrow(
      'labels.idx: label 42 is 10, expected a class index 0…9',
    );
    raw[8 + 42] = (raw[8 + 42] + 1) % 10;
    await expect(decodeFashionMnistFile('testLabels', raw, 'labels.idx')).rejects.toThrow(/labels\.idx: checksum mismatch/);
    await expect(decodeFashionMnistFile('testLabels', raw, 'labels.idx', { verify: false })).resolves.toMatchObject({
      dims: [10000],
    });
  });
});
