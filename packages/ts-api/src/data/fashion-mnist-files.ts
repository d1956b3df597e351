/**
 * The four Fashion-MNIST files: finding them (cache folder → Debian's dataset-fashion-mnist →
 * download), decompressing, parsing and verifying them.
 *
 * Browser-safe: Node modules (fs, path, os, zlib) are only loaded dynamically, on the Node path
 * (`loadFashionMnistFiles`). In a browser use `loadFashionMnistFromUrls` or `fashionMnistFromBytes`.
 *
 * Checksums are SHA-256 digests of the *decompressed* IDX bytes, so both the original .gz files
 * from the dataset's mirror and re-compressed copies (Debian's) pass.
 */

import { checkOptions } from '../options.js';
import { writeFileDurable } from '../io/atomic-write.js';
import { fetchBytes, type FetchLike } from './fetch-bytes.js';
import { gunzip, isGzip, type GunzipOptions } from './gunzip.js';
import { idxDeclaredSize, parseIdx, type IdxArray } from './idx.js';
import { importNode } from '../runtime.js';
import { sha256Hex } from './sha256.js';

/** The four files, by role. */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

/** `'trainImages' | 'trainLabels' | 'testImages' | 'testLabels'` */
export type FashionMnistFileKey = keyof typeof FASHION_MNIST_FILES;

const KEYS: readonly FashionMnistFileKey[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

/** SHA-256 of each file's decompressed IDX bytes (header included). */
export const FASHION_MNIST_SHA256: Readonly<Record<FashionMnistFileKey, string>> = {
  trainImages: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  trainLabels: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  testImages: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  testLabels: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
};

/** The dataset's public mirror (the one d2l and torchvision use). */
export const FASHION_MNIST_BASE_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

/** Class names, index = label (the names d2l's `get_fashion_mnist_labels` uses). */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  't-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot',
];

const NUM_CLASSES = 10;
const ROWS = 28;
const COLS = 28;
const COUNTS: Readonly<Record<FashionMnistFileKey, number>> = {
  trainImages: 60000,
  trainLabels: 60000,
  testImages: 10000,
  testLabels: 10000,
};

/** One split: `count` images of 28×28 unsigned-byte pixels (row-major) and their labels 0…9. */
export interface FashionMnistSplit {
  /** `count * 28 * 28` pixels, 0…255. Owns its whole ArrayBuffer (transferable to a worker). */
  images: Uint8Array;
  /** `count` labels, each < 10. Owns its whole ArrayBuffer. */
  labels: Uint8Array;
  count: number;
  rows: 28;
  cols: 28;
}

/** Both splits: 60000 training and 10000 test examples. */
export interface FashionMnistData {
  train: FashionMnistSplit;
  test: FashionMnistSplit;
}

/** Where one file was read from (and, if it was just downloaded, from which URL). */
export interface FashionMnistSource {
  path: string;
  downloadedFrom?: string;
}

/** The result of `loadFashionMnistFiles`: the data, plus where each file came from. */
export interface FashionMnistFiles extends FashionMnistData {
  sources: Record<FashionMnistFileKey, FashionMnistSource>;
}

/** Options shared by all loaders. */
export interface FashionMnistVerifyOptions {
  /** Check the SHA-256 of the decompressed files (default true). Structure is always checked. */
  verify?: boolean;
}

/** Options of `loadFashionMnistFiles` (Node). */
export interface LoadFashionMnistFilesOptions extends FashionMnistVerifyOptions {
  /**
   * The folder to use instead of the defaults: the files are looked for only there, and downloaded
   * there when missing. Default: the cache folder, then `/usr/share/datasets/fashion-mnist`.
   */
  root?: string;
  /** Download missing files (default true). With false, a missing file throws. */
  download?: boolean;
  /** Base URL of the mirror (default `FASHION_MNIST_BASE_URL`); the file names are appended. */
  baseUrl?: string;
  /** The fetch to download with (default the global `fetch`). */
  fetchImpl?: FetchLike;
  /** Called as download bytes arrive. */
  onProgress?: (file: string, received: number, total: number | undefined) => void;
}

export const FILES_KEYS = ['verify', 'root', 'download', 'baseUrl', 'fetchImpl', 'onProgress'];

/** Options of `loadFashionMnistFromUrls` (browser or Node). */
export interface LoadFashionMnistFromUrlsOptions extends FashionMnistVerifyOptions {
  fetchImpl?: FetchLike;
  onProgress?: (file: string, received: number, total: number | undefined) => void;
}

/** Bytes of one file as given by a user: raw bytes, or a `Blob` / `File` (e.g. from an `<input type=file>`). */
export type FashionMnistBlob = Uint8Array | ArrayBuffer | Blob;

const LARGEST_FILE_BYTES = 16 + COUNTS.trainImages * ROWS * COLS;

/**
 * How far to decompress a file: the size its IDX header declares, and never past Fashion-MNIST's
 * largest file (47 MB), so a gzip bomb stops early. (A file in the wrong role still decompresses, so
 * that parsing can say what it is.)
 */
const SIZE_LIMITS: GunzipOptions = {
  limit: {
    bytes: LARGEST_FILE_BYTES,
    what: `the ${LARGEST_FILE_BYTES} bytes of Fashion-MNIST's largest file (${FASHION_MNIST_FILES.trainImages}: ${COUNTS.trainImages} images of ${ROWS}×${COLS})`,
  },
  limitFromHead: (head) => {
    const declared = idxDeclaredSize(head);
    return declared && { bytes: declared.bytes, what: `the ${declared.bytes} bytes its IDX header declares (${declared.shape})` };
  },
};

/**
 * Decompresses (when gzip; uncompressed IDX is accepted too), parses and checks one Fashion-MNIST
 * file: the kind (images or labels), the count, 28×28, labels < 10 and, unless `verify` is false,
 * the SHA-256 of the decompressed bytes. `name` (a path or URL) starts every error message.
 */
export async function decodeFashionMnistFile(
  key: FashionMnistFileKey,
  bytes: Uint8Array,
  name: string,
  options: FashionMnistVerifyOptions = {},
): Promise<IdxArray> {
  const raw = isGzip(bytes) ? await gunzip(bytes, name, SIZE_LIMITS) : bytes;
  const idx = parseIdx(raw, name);
  const isImages = key === 'trainImages' || key === 'testImages';
  const expectedCount = COUNTS[key];
  if (isImages) {
    if (idx.dims.length !== 3) {
      throw new Error(`${name}: expected an images file (3-D IDX, magic 0x00000803), found a labels file (1-D)`);
    }
    const [n, rows, cols] = idx.dims;
    if (rows !== ROWS || cols !== COLS) {
      throw new Error(`${name}: expected ${ROWS}×${COLS} images, found ${rows}×${cols}`);
    }
    if (n !== expectedCount) {
      throw new Error(`${name}: expected ${expectedCount} images, found ${n}`);
    }
  } else {
    if (idx.dims.length !== 1) {
      throw new Error(`${name}: expected a labels file (1-D IDX, magic 0x00000801), found an images file (3-D)`);
    }
    if (idx.dims[0] !== expectedCount) {
      throw new Error(`${name}: expected ${expectedCount} labels, found ${idx.dims[0]}`);
    }
    const labels = idx.data;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] >= NUM_CLASSES) {
        throw new Error(`${name}: label ${i} is ${labels[i]}, expected a class index 0…${NUM_CLASSES - 1}`);
      }
    }
  }
  if (options.verify !== false) {
    const digest = await sha256Hex(raw);
    const expected = FASHION_MNIST_SHA256[key];
    if (digest !== expected) {
      throw new Error(
        `${name}: checksum mismatch: SHA-256 of the decompressed data is ${digest}, expected ${expected}; ` +
          `the file is corrupt or is not the original Fashion-MNIST ${FASHION_MNIST_FILES[key]}`,
      );
    }
  }
  return idx;
}

function ownedCopy(view: Uint8Array): Uint8Array {
  return view.slice();
}

function split(images: IdxArray, labels: IdxArray, imagesName: string, labelsName: string): FashionMnistSplit {
  const count = images.dims[0];
  if (labels.dims[0] !== count) {
    throw new Error(`${imagesName} has ${count} images but ${labelsName} has ${labels.dims[0]} labels`);
  }
  return { images: ownedCopy(images.data), labels: ownedCopy(labels.data), count, rows: ROWS, cols: COLS };
}

function assemble(
  idx: Record<FashionMnistFileKey, IdxArray>,
  names: Record<FashionMnistFileKey, string>,
): FashionMnistData {
  return {
    train: split(idx.trainImages, idx.trainLabels, names.trainImages, names.trainLabels),
    test: split(idx.testImages, idx.testLabels, names.testImages, names.testLabels),
  };
}

/** Runs one task per file; waits for all (no stray work after a rejection), throws every failure. */
async function forEachFile<T>(task: (key: FashionMnistFileKey) => Promise<T>): Promise<Record<FashionMnistFileKey, T>> {
  const settled = await Promise.allSettled(KEYS.map(task));
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    const messages = errors.map((e) => (e instanceof Error ? e.message : String(e)));
    throw new Error(`Fashion-MNIST: ${errors.length} files failed:\n  ${messages.join('\n  ')}`, { cause: errors[0] });
  }
  const out = {} as Record<FashionMnistFileKey, T>;
  KEYS.forEach((k, i) => {
    out[k] = (settled[i] as PromiseFulfilledResult<T>).value;
  });
  return out;
}

async function blobBytes(blob: FashionMnistBlob): Promise<Uint8Array> {
  if (blob instanceof Uint8Array) return blob;
  if (blob instanceof ArrayBuffer) return new Uint8Array(blob);
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * Fashion-MNIST from the bytes of the four files (gzip or uncompressed IDX) — e.g. from `File`
 * objects the user picked, or bytes fetched by the caller. Same checks as the other loaders.
 */
export async function fashionMnistFromBytes(
  files: Record<FashionMnistFileKey, FashionMnistBlob>,
  options: FashionMnistVerifyOptions = {},
): Promise<FashionMnistData> {
  const names = {} as Record<FashionMnistFileKey, string>;
  for (const k of KEYS) {
    const f = files[k] as FashionMnistBlob | undefined;
    if (f === undefined) throw new Error(`fashionMnistFromBytes: missing ${k} (${FASHION_MNIST_FILES[k]})`);
    const fileName = (f as { name?: unknown }).name;
    names[k] = typeof fileName === 'string' && fileName ? fileName : FASHION_MNIST_FILES[k];
  }
  const idx = await forEachFile(async (k) => decodeFashionMnistFile(k, await blobBytes(files[k]), names[k], options));
  return assemble(idx, names);
}

function joinUrl(base: string, file: string): string {
  return base.endsWith('/') ? base + file : `${base}/${file}`;
}

/**
 * Fetches and decodes the four files. `urls` is either a base URL (the standard file names are
 * appended; relative URLs work in browsers) or one URL per file.
 */
export async function loadFashionMnistFromUrls(
  urls: string | Record<FashionMnistFileKey, string>,
  options: LoadFashionMnistFromUrlsOptions = {},
): Promise<FashionMnistData> {
  checkOptions('loadFashionMnistFromUrls', options, ['verify', 'fetchImpl', 'onProgress']);
  const names = {} as Record<FashionMnistFileKey, string>;
  for (const k of KEYS) names[k] = typeof urls === 'string' ? joinUrl(urls, FASHION_MNIST_FILES[k]) : urls[k];
  const idx = await forEachFile(async (k) => {
    const onProgress = options.onProgress;
    const bytes = await fetchBytes(
      names[k],
      options.fetchImpl,
      onProgress && ((r, t) => onProgress(FASHION_MNIST_FILES[k], r, t)),
    );
    return decodeFashionMnistFile(k, bytes, names[k], options);
  });
  return assemble(idx, names);
}

/**
 * The cache folder: `$XDG_CACHE_HOME/softmax-nn/fashion-mnist`, by default
 * `~/.cache/softmax-nn/fashion-mnist` (Node only).
 */
export async function fashionMnistCacheDir(): Promise<string> {
  const path = await importNode('node:path');
  const os = await importNode('node:os');
  const xdg = process.env.XDG_CACHE_HOME;
  const cacheRoot = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'softmax-nn', 'fashion-mnist');
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  const fs = await importNode('node:fs/promises');
  try {
    const buf = await fs.readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new Error(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * Finds, verifies and loads Fashion-MNIST in Node.
 *
 * Each file is looked for (as `.gz`, or uncompressed without `.gz`) in `root` if given, else in the
 * cache folder (`fashionMnistCacheDir()`) and then in `/usr/share/datasets/fashion-mnist`. A file
 * found nowhere is downloaded from `baseUrl` into `root` / the cache folder, unless `download` is
 * false; a download is verified in memory before it is written (atomically), so a failed or corrupt
 * download leaves no file behind. A found file that fails a check throws; nothing is silently
 * replaced.
 */
export async function loadFashionMnistFiles(options: LoadFashionMnistFilesOptions = {}): Promise<FashionMnistFiles> {
  const path = await importNode('node:path');
  const downloadDir = path.resolve(options.root ?? (await fashionMnistCacheDir()));
  const searchDirs = options.root !== undefined ? [downloadDir] : [downloadDir, FASHION_MNIST_SYSTEM_DIR];
  const baseUrl = options.baseUrl ?? FASHION_MNIST_BASE_URL;
  checkOptions('loadFashionMnistFiles', options, FILES_KEYS);
  const verify: FashionMnistVerifyOptions = { verify: options.verify };

  const loaded = await forEachFile(async (k): Promise<{ idx: IdxArray; source: FashionMnistSource }> => {
    const gzName = FASHION_MNIST_FILES[k];
    const rawName = gzName.replace(/\.gz$/, '');
    for (const dir of searchDirs) {
      for (const fileName of [gzName, rawName]) {
        const filePath = path.join(dir, fileName);
        const bytes = await readIfExists(filePath);
        if (bytes === undefined) continue;
        try {
          return { idx: await decodeFashionMnistFile(k, bytes, filePath, verify), source: { path: filePath } };
        } catch (e) {
          // Deleting the file helps only where a fresh copy would be downloaded to.
          if (dir !== downloadDir || options.download === false || !(e instanceof Error)) throw e;
          throw new Error(`${e.message} (delete it to download a fresh copy)`, { cause: e });
        }
      }
    }
    if (options.download === false) {
      throw new Error(
        `Fashion-MNIST file ${gzName} not found (looked in ${searchDirs.join(', ')}) and download is false`,
      );
    }
    const url = joinUrl(baseUrl, gzName);
    const onProgress = options.onProgress;
    const bytes = await fetchBytes(url, options.fetchImpl, onProgress && ((r, t) => onProgress(gzName, r, t)));
    const idx = await decodeFashionMnistFile(k, bytes, url, verify);
    const target = path.join(downloadDir, gzName);
    await writeFileDurable(target, bytes);
    return { idx, source: { path: target, downloadedFrom: url } };
  });

  const idx = {} as Record<FashionMnistFileKey, IdxArray>;
  const names = {} as Record<FashionMnistFileKey, string>;
  const sources = {} as Record<FashionMnistFileKey, FashionMnistSource>;
  for (const k of KEYS) {
    idx[k] = loaded[k].idx;
    names[k] = loaded[k].source.path;
    sources[k] = loaded[k].source;
  }
  return { ...assemble(idx, names), sources };
}
