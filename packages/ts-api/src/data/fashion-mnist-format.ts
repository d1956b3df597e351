/**
 * What a Fashion-MNIST file must be: its name, its shape, its labels and its checksum, and the
 * checks (with their messages) that both decoders — whole bytes (fashion-mnist-files.ts) and pieces
 * as they are read (fashion-mnist-stream.ts) — apply. Pure TypeScript, usable everywhere.
 */

import type { GunzipOptions } from './gunzip.js';
import { idxDeclaredSize } from './idx.js';

/** The four files, by role. */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

/** `'trainImages' | 'trainLabels' | 'testImages' | 'testLabels'` */
export type FashionMnistFileKey = keyof typeof FASHION_MNIST_FILES;

export const KEYS: readonly FashionMnistFileKey[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

/** SHA-256 of each file's decompressed IDX bytes (header included). */
export const FASHION_MNIST_SHA256: Readonly<Record<FashionMnistFileKey, string>> = {
  trainImages: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  trainLabels: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  testImages: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  testLabels: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
};

/** Class names, index = label (the names d2l's `get_fashion_mnist_labels` uses). */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  't-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot',
];

const NUM_CLASSES = 10;
export const ROWS = 28;
export const COLS = 28;
const COUNTS: Readonly<Record<FashionMnistFileKey, number>> = {
  trainImages: 60000,
  trainLabels: 60000,
  testImages: 10000,
  testLabels: 10000,
};

/** True for the two image files. */
export function isImagesKey(key: FashionMnistFileKey): boolean {
  return key === 'trainImages' || key === 'testImages';
}

const LARGEST_FILE_BYTES = 16 + COUNTS.trainImages * ROWS * COLS;

/**
 * How far to decompress a file: the size its IDX header declares, and never past Fashion-MNIST's
 * largest file (47 MB), so a gzip bomb stops early. (A file in the wrong role still decompresses, so
 * that parsing can say what it is.)
 */
export const SIZE_LIMITS: GunzipOptions = {
  limit: {
    bytes: LARGEST_FILE_BYTES,
    what: `the ${LARGEST_FILE_BYTES} bytes of Fashion-MNIST's largest file (${FASHION_MNIST_FILES.trainImages}: ${COUNTS.trainImages} images of ${ROWS}×${COLS})`,
  },
  limitFromHead: (head) => {
    const declared = idxDeclaredSize(head);
    return declared && { bytes: declared.bytes, what: `the ${declared.bytes} bytes its IDX header declares (${declared.shape})` };
  },
};

/** Throws unless an IDX file's dimensions are those of the file in role `key` (kind, count, 28×28). */
export function checkDims(key: FashionMnistFileKey, dims: readonly number[], name: string): void {
  const expectedCount = COUNTS[key];
  if (isImagesKey(key)) {
    if (dims.length !== 3) {
      throw new Error(`${name}: expected an images file (3-D IDX, magic 0x00000803), found a labels file (1-D)`);
    }
    const [n, rows, cols] = dims;
    if (rows !== ROWS || cols !== COLS) {
      throw new Error(`${name}: expected ${ROWS}×${COLS} images, found ${rows}×${cols}`);
    }
    if (n !== expectedCount) {
      throw new Error(`${name}: expected ${expectedCount} images, found ${n}`);
    }
  } else {
    if (dims.length !== 1) {
      throw new Error(`${name}: expected a labels file (1-D IDX, magic 0x00000801), found an images file (3-D)`);
    }
    if (dims[0] !== expectedCount) {
      throw new Error(`${name}: expected ${expectedCount} labels, found ${dims[0]}`);
    }
  }
}

/** Throws at the first label ≥ 10; `offset` is the index of `labels[0]` in the file. */
export function checkLabels(labels: Uint8Array, offset: number, name: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= NUM_CLASSES) {
      throw new Error(`${name}: label ${offset + i} is ${labels[i]}, expected a class index 0…${NUM_CLASSES - 1}`);
    }
  }
}

/** Throws unless `digest` (lower-case hex) is the SHA-256 of the file in role `key`. */
export function checkDigest(key: FashionMnistFileKey, digest: string, name: string): void {
  const expected = FASHION_MNIST_SHA256[key];
  if (digest !== expected) {
    throw new Error(
      `${name}: checksum mismatch: SHA-256 of the decompressed data is ${digest}, expected ${expected}; ` +
        `the file is corrupt or is not the original Fashion-MNIST ${FASHION_MNIST_FILES[key]}`,
    );
  }
}
