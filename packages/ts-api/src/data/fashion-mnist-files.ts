/**
 * The four Fashion-MNIST files: finding them (cache folder → Debian's dataset-fashion-mnist →
 * download), decompressing, parsing and verifying them.
 *
 * Browser-safe: Node modules (fs, path, os) are only loaded dynamically, on the Node path
 * (`loadFashionMnistFiles`). In a browser use `loadFashionMnistFromUrls` or `fashionMnistFromBytes`.
 *
 * Checksums are SHA-256 digests of the *decompressed* IDX bytes, so both the original .gz files
 * from the dataset's mirror and re-compressed copies (Debian's) pass.
 */

import { checkOptions } from '../options.js';
import { writeFileDurable } from '../io/atomic-write.js';
import { fetchBytes, type FetchLike } from './fetch-bytes.js';
import {
  checkDigest, checkDims, checkLabels, COLS, FASHION_MNIST_FILES, KEYS, ROWS, SIZE_LIMITS, type FashionMnistFileKey,
} from './fashion-mnist-format.js';
import { arrayTarget, streamFashionMnistFile, type ElementTarget, type FileBytes, type OpenTarget } from './fashion-mnist-stream.js';
import { isGzip } from './gunzip.js';
import { gunzipToArray } from './gunzip-core.js';
import { parseIdx, type IdxArray } from './idx.js';
import { importNode } from '../runtime.js';
import { sha256Hex } from './sha256.js';

export {
  FASHION_MNIST_FILES, FASHION_MNIST_SHA256, FASHION_MNIST_CLASS_NAMES, type FashionMnistFileKey,
} from './fashion-mnist-format.js';

/** The dataset's public mirror (the one d2l and torchvision use). */
export const FASHION_MNIST_BASE_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

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
  const raw = isGzip(bytes) ? await gunzipToArray(bytes, name, SIZE_LIMITS) : bytes;
  const idx = parseIdx(raw, name);
  checkDims(key, idx.dims, name);
  if (idx.dims.length === 1) checkLabels(idx.data, 0, name);
  if (options.verify !== false) checkDigest(key, await sha256Hex(raw), name);
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

/**
 * Runs one task per file; waits for all (no stray work after a rejection), throws every failure —
 * after `discard` has freed what the tasks that succeeded made.
 */
async function forEachFile<T>(
  task: (key: FashionMnistFileKey) => Promise<T>,
  discard?: (value: T) => void,
): Promise<Record<FashionMnistFileKey, T>> {
  const settled = await Promise.allSettled(KEYS.map(task));
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (errors.length > 0 && discard !== undefined) {
    for (const s of settled) if (s.status === 'fulfilled') discard(s.value);
  }
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

/** Opens a file for reading piece by piece, or gives undefined when there is no such file. The caller closes it. */
async function openIfExists(path: string): Promise<(FileBytes & { close(): Promise<void> }) | undefined> {
  const fs = await importNode('node:fs/promises');
  const cannotRead = (e: unknown) => new Error(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw cannotRead(e);
  }
  const read = async (into: Uint8Array, position: number | null): Promise<number> => {
    try {
      return (await handle.read(into, 0, into.length, position)).bytesRead;
    } catch (e) {
      throw cannotRead(e);
    }
  };
  try {
    const magic = new Uint8Array(2);
    const n = await read(magic, 0);
    return { bytes: (into) => read(into, null), gzip: isGzip(magic.subarray(0, n)), close: () => handle.close() };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** The four files' targets and where each came from. */
export interface LocatedFiles<T> {
  targets: Record<FashionMnistFileKey, T>;
  sources: Record<FashionMnistFileKey, FashionMnistSource>;
}

/**
 * The Node loaders' search (see loadFashionMnistFiles): each file is found or downloaded and decoded
 * as it is read into the target `open` makes for it (freed again if any file fails). `where` names
 * the caller in option errors.
 */
export async function locateFashionMnistFiles<T extends ElementTarget>(
  where: string,
  options: LoadFashionMnistFilesOptions,
  open: OpenTarget<T>,
): Promise<LocatedFiles<T>> {
  checkOptions(where, options, FILES_KEYS);
  const path = await importNode('node:path');
  const downloadDir = path.resolve(options.root ?? (await fashionMnistCacheDir()));
  const searchDirs = options.root !== undefined ? [downloadDir] : [downloadDir, FASHION_MNIST_SYSTEM_DIR];
  const baseUrl = options.baseUrl ?? FASHION_MNIST_BASE_URL;
  const verify = options.verify !== false;

  const loaded = await forEachFile(
    async (k): Promise<{ target: T; source: FashionMnistSource }> => {
      const gzName = FASHION_MNIST_FILES[k];
      const rawName = gzName.replace(/\.gz$/, '');
      for (const dir of searchDirs) {
        for (const fileName of [gzName, rawName]) {
          const filePath = path.join(dir, fileName);
          const file = await openIfExists(filePath);
          if (file === undefined) continue;
          try {
            return { target: await streamFashionMnistFile(k, file, filePath, verify, open), source: { path: filePath } };
          } catch (e) {
            // Deleting the file helps only where a fresh copy would be downloaded to.
            if (dir !== downloadDir || options.download === false || !(e instanceof Error)) throw e;
            throw new Error(`${e.message} (delete it to download a fresh copy)`, { cause: e });
          } finally {
            await file.close();
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
      const target = await streamFashionMnistFile(k, { bytes, gzip: isGzip(bytes) }, url, verify, open);
      const file = path.join(downloadDir, gzName);
      try {
        await writeFileDurable(file, bytes);
      } catch (e) {
        target.discard();
        throw e;
      }
      return { target, source: { path: file, downloadedFrom: url } };
    },
    (done) => done.target.discard(),
  );

  const targets = {} as Record<FashionMnistFileKey, T>;
  const sources = {} as Record<FashionMnistFileKey, FashionMnistSource>;
  for (const k of KEYS) {
    targets[k] = loaded[k].target;
    sources[k] = loaded[k].source;
  }
  return { targets, sources };
}

/**
 * Finds, verifies and loads Fashion-MNIST in Node.
 *
 * Each file is looked for (as `.gz`, or uncompressed without `.gz`) in `root` if given, else in the
 * cache folder (`fashionMnistCacheDir()`) and then in `/usr/share/datasets/fashion-mnist`. A file
 * found nowhere is downloaded from `baseUrl` into `root` / the cache folder, unless `download` is
 * false; a download is verified in memory before it is written (atomically), so a failed or corrupt
 * download leaves no file behind. A found file that fails a check throws; nothing is silently
 * replaced. Files are decoded as they are read, straight into the arrays returned.
 */
export async function loadFashionMnistFiles(options: LoadFashionMnistFilesOptions = {}): Promise<FashionMnistFiles> {
  const { targets, sources } = await locateFashionMnistFiles('loadFashionMnistFiles', options, (_k, n) => arrayTarget(n));
  const split = (images: FashionMnistFileKey, labels: FashionMnistFileKey): FashionMnistSplit => ({
    images: targets[images].data, labels: targets[labels].data, count: targets[labels].data.length, rows: ROWS, cols: COLS,
  });
  return { train: split('trainImages', 'trainLabels'), test: split('testImages', 'testLabels'), sources };
}
