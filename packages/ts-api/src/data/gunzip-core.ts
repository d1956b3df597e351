/**
 * gzip decompression by the core's decoder (backend/inflate.ts), the same in Node and browsers: the
 * compressed file passes through one 64 KB JS buffer and one 64 KB piece of wasm memory, and the
 * output is written straight into the Storage the sink names — where it will be kept — or, when the
 * sink names none, into a 64 KB staging area of wasm memory, handed to the sink through one reused
 * 64 KB JS buffer. No other buffer of decompressed data is allocated.
 */

import { allocStorage, GzipDecoder, InflateStatus, inflateErrorMessage, type Storage } from '../backend/index.js';
import { checkMagic, corrupt, SizeGuard, type ByteReader, type GunzipOptions, type GzipInput } from './gunzip.js';

/** Where the decoder writes: bytes start…end of a uint8 Storage. */
export interface OutRegion {
  storage: Storage;
  start: number;
  end: number;
}

/** Receives the output of gunzipCore. */
export interface CoreSink {
  /** Where the next output goes, or undefined for the staging area (what `took` then copies). */
  region(): OutRegion | undefined;
  /**
   * The bytes just written: when `direct`, a view of the region `region()` gave (valid until the next
   * allocation); else a view of a JS buffer holding a copy of the staging area's bytes, which stays
   * valid if the sink allocates (a growing memory detaches the old views) until the next call.
   * Throwing stops the decompression.
   */
  took(bytes: Uint8Array, direct: boolean): void;
}

/** How much compressed input is read at a time, and the staging area's size. */
const PIECE_BYTES = 64 * 1024;

/** A reader over bytes already in memory. */
function bytesReader(bytes: Uint8Array): ByteReader {
  let at = 0;
  return (into) => {
    const n = Math.min(into.length, bytes.length - at);
    into.set(bytes.subarray(at, at + n));
    at += n;
    return Promise.resolve(n);
  };
}

/** Fills `buffer` from `read` (a short read is fine; the first piece holds at least the magic number when there is one). */
async function readPiece(read: ByteReader, buffer: Uint8Array, first: boolean, name: string): Promise<number> {
  let n = await read(buffer);
  while (first && n < 2) {
    const more = await read(buffer.subarray(n));
    if (more === 0) break;
    n += more;
  }
  if (first) checkMagic(buffer.subarray(0, n), name);
  return n;
}

/**
 * Decompresses gzip `input` (its bytes, or a reader of them) into `sink`'s regions, with gunzip's
 * errors (naming `name`): not gzip, corrupt or truncated data (saying what is wrong), output past the
 * limits of `options`. What the reader or the sink throws is passed on as it is. Frees the wasm memory
 * it took in every case. Resolves with the output's size.
 */
export async function gunzipCore(input: GzipInput, name: string, options: GunzipOptions, sink: CoreSink): Promise<number> {
  if (input instanceof Uint8Array) checkMagic(input, name);
  const read = input instanceof Uint8Array ? bytesReader(input) : input;
  const guard = new SizeGuard(name, options);
  const decoder = new GzipDecoder(PIECE_BYTES);
  let staging: Storage | null = null;
  try {
    staging = allocStorage('uint8', PIECE_BYTES);
    const buffer = new Uint8Array(PIECE_BYTES);
    const copy = new Uint8Array(PIECE_BYTES);
    for (let first = true; ; first = false) {
      const n = await readPiece(read, buffer, first, name);
      decoder.input.u8().set(buffer.subarray(0, n));
      let at = 0;
      for (;;) {
        const region = sink.region();
        const out = region ?? { storage: staging, start: 0, end: PIECE_BYTES };
        const step = decoder.feed(n, at, out.storage, out.start, out.end, n === 0);
        at += step.inUsed;
        if (step.outUsed > 0) {
          const bytes = out.storage.u8().subarray(out.start, out.start + step.outUsed);
          const tooLarge = guard.push(bytes);
          if (tooLarge) throw tooLarge;
          if (region !== undefined) {
            sink.took(bytes, true);
          } else {
            copy.set(bytes);
            sink.took(copy.subarray(0, bytes.length), false);
          }
        }
        if (step.status === InflateStatus.DONE) return guard.total;
        if (step.status === InflateStatus.NEED_INPUT) break;
        if (step.status === InflateStatus.OUTPUT_FULL && step.outUsed === 0) {
          throw new Error(`${name}: the output region ${out.start}…${out.end} has no room (a bug in the sink)`);
        }
        if (step.status !== InflateStatus.OUTPUT_FULL) throw corrupt(name, new Error(inflateErrorMessage(step.status)));
      }
    }
  } finally {
    decoder.dispose();
    staging?.dispose();
  }
}

/**
 * Decompresses gzip `input` piece by piece through the staging area: `sink` gets each piece as a view
 * of one reused buffer (copy what you keep). Errors as gunzipCore; resolves with the output's size.
 */
export function gunzipEach(input: GzipInput, name: string, options: GunzipOptions, sink: (piece: Uint8Array) => void): Promise<number> {
  return gunzipCore(input, name, options, { region: () => undefined, took: (piece) => sink(piece) });
}

/**
 * Decompresses gzip bytes whole, into a Uint8Array of their own (the core's decoder through the
 * staging area; no node:zlib or DecompressionStream needed, so the same in browsers). Sized by the
 * trailer's ISIZE, grown if the data is longer (the limits of `options` still stop it). Errors as gunzipCore.
 */
export async function gunzipToArray(bytes: Uint8Array, name: string, options: GunzipOptions = {}): Promise<Uint8Array> {
  checkMagic(bytes, name);
  const n = bytes.length;
  const isize = n >= 18 ? (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0 : 0;
  // A damaged trailer may claim anything: DEFLATE expands at most 1032:1, and the limit bounds it too.
  let out = new Uint8Array(Math.min(isize, 1032 * n, options.limit?.bytes ?? isize));
  let size = 0;
  await gunzipCore(bytes, name, options, {
    region: () => undefined,
    took: (piece) => {
      if (size + piece.length > out.length) {
        const grown = new Uint8Array(Math.max(2 * out.length, size + piece.length));
        grown.set(out.subarray(0, size));
        out = grown;
      }
      out.set(piece, size);
      size += piece.length;
    },
  });
  return size === out.length ? out : out.slice(0, size);
}
