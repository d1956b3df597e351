/**
 * One Fashion-MNIST file decoded as it is read (Node): decompressed piece by piece by the core's
 * decoder (gunzip-core.ts), its header checked
 * before anything is allocated, its elements written straight to where they will be kept (a JS array,
 * or the wasm memory) and hashed as they pass, so that the file is never held whole — what keeps
 * loading the 47 MB of training images from needing several copies of them at once.
 */

import { importNode } from '../runtime.js';
import { checkDigest, checkDims, checkLabels, isImagesKey, SIZE_LIMITS, type FashionMnistFileKey } from './fashion-mnist-format.js';
import type { Storage } from '../backend/index.js';
import type { ByteReader, GzipInput } from './gunzip.js';
import { gunzipCore, type CoreSink } from './gunzip-core.js';
import { IdxStream, type IdxTarget } from './idx.js';

/** Where one file's elements are kept. */
export interface ElementTarget extends IdxTarget {
  /** The wasm memory the elements go to, when they do: the decompressor then writes them there itself. */
  readonly storage?: Storage;
  /** Frees what the target holds: the file failed a check after the target was made. */
  discard(): void;
}

/** Makes the target of the file in role `key` once its header has passed the checks: `elements` bytes. */
export type OpenTarget<T extends ElementTarget> = (key: FashionMnistFileKey, elements: number) => T;

/** A file's bytes: all of them (a download) or a reader of them (a file), and whether they are gzip. */
export interface FileBytes {
  bytes: GzipInput;
  gzip: boolean;
}

/** How much of an uncompressed file is read at a time. */
const RAW_READ_BYTES = 1 << 20;

/** Hands `read`'s pieces to `take`, in one buffer read into again and again. */
async function readAll(read: ByteReader, take: (piece: Uint8Array) => void): Promise<void> {
  const buffer = new Uint8Array(RAW_READ_BYTES);
  for (;;) {
    const n = await read(buffer);
    if (n === 0) return;
    take(buffer.subarray(0, n));
  }
}

/** A JS array as the target: a fresh Uint8Array of exactly the file's elements (owning its buffer). */
export interface ArrayTarget extends ElementTarget {
  readonly data: Uint8Array;
}

export function arrayTarget(elements: number): ArrayTarget {
  const data = new Uint8Array(elements);
  return { data, write: (bytes, offset) => data.set(bytes, offset), discard: () => undefined };
}

/**
 * Decodes the file in role `key` from `file` into the target `open` makes, with the checks and the
 * messages of decodeFashionMnistFile: gzip (bounded by SIZE_LIMITS), the IDX structure, the kind,
 * count and size, labels < 10 and, when `verify`, the SHA-256 of the decompressed bytes. On any error
 * the target is discarded. `name` (a path or URL) starts every message.
 */
export async function streamFashionMnistFile<T extends ElementTarget>(
  key: FashionMnistFileKey,
  file: FileBytes,
  name: string,
  verify: boolean,
  open: OpenTarget<T>,
): Promise<T> {
  const hash = verify ? (await importNode('node:crypto')).createHash('sha256') : null;
  const made: { target: T | null } = { target: null };
  const idx = new IdxStream(name, (dims) => {
    checkDims(key, dims, name);
    const target = open(key, dims.reduce((a, b) => a * b, 1));
    made.target = target;
    if (isImagesKey(key)) return target;
    return {
      write: (bytes, offset) => {
        checkLabels(bytes, offset, name);
        target.write(bytes, offset);
      },
    };
  });
  const take = (chunk: Uint8Array): void => {
    hash?.update(chunk);
    idx.push(chunk);
  };
  // The images are decompressed straight into their Storage; the header and the labels pass through
  // the decompressor's staging area.
  const sink: CoreSink = {
    region: () => {
      const pending = idx.pending();
      const storage = made.target?.storage;
      if (pending === null || storage === undefined || pending.target !== made.target) return undefined;
      return { storage, start: pending.offset, end: pending.offset + pending.count };
    },
    took: (bytes, direct) => {
      if (!direct) return take(bytes);
      hash?.update(bytes);
      idx.wrote(bytes.length);
    },
  };
  try {
    if (file.gzip) await gunzipCore(file.bytes, name, SIZE_LIMITS, sink);
    else if (file.bytes instanceof Uint8Array) take(file.bytes);
    else await readAll(file.bytes, take);
    idx.end();
    if (hash !== null) checkDigest(key, hash.digest('hex'), name);
  } catch (e) {
    made.target?.discard();
    throw e;
  }
  if (made.target === null) throw new Error(`${name}: no IDX header was read`); // idx.end() throws first
  return made.target;
}
