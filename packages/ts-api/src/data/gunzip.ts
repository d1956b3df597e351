/**
 * gzip decompression for Node and browsers.
 *
 * Node: `node:zlib` (loaded with a dynamic import, so a browser bundle never contains it).
 * Browsers / workers: the standard `DecompressionStream('gzip')`.
 */

import { importNode, isNode } from '../runtime.js';

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A view over a plain (non-shared) ArrayBuffer, as Web APIs require; copies only if needed. */
function plainBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

export function corrupt(name: string, reason: unknown): Error {
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new Error(`${name}: corrupt gzip data (${detail}); the file is damaged or incomplete`, {
    cause: reason,
  });
}

export function checkMagic(bytes: Uint8Array, name: string): void {
  if (!isGzip(bytes)) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(
      `${name}: not gzip data (starts with ${head || 'nothing: the file is empty'}, expected 1f 8b)`,
    );
  }
}

/** A bound on the decompressed size, and how to say it in an error ("the 10008 bytes its IDX header declares"). */
export interface GunzipLimit {
  bytes: number;
  what: string;
}

export interface GunzipOptions {
  /** Stop and throw once the output passes this many bytes. */
  limit?: GunzipLimit;
  /**
   * Asked with the first bytes of output (again as more arrive, until it answers) for a limit that
   * the data itself declares, e.g. an IDX header; the smaller of the two limits applies.
   */
  limitFromHead?: (head: Uint8Array) => GunzipLimit | undefined;
}

/** How many output bytes `limitFromHead` sees at most; an IDX header is at most 16 bytes for our files. */
const HEAD_BYTES = 64;

/** Checks the output's size as it grows, so a gzip bomb is stopped one chunk past its limit. */
export class SizeGuard {
  readonly #head = new Uint8Array(HEAD_BYTES);
  #total = 0;
  #limit: GunzipLimit | undefined;
  #askHead: GunzipOptions['limitFromHead'];

  constructor(private readonly name: string, options: GunzipOptions) {
    this.#limit = options.limit;
    this.#askHead = options.limitFromHead;
  }

  get total(): number {
    return this.#total;
  }

  /** Counts a chunk; returns the error to throw once the output is over the limit. */
  push(chunk: Uint8Array): Error | undefined {
    if (this.#total < HEAD_BYTES) this.#head.set(chunk.subarray(0, HEAD_BYTES - this.#total), this.#total);
    this.#total += chunk.length;
    if (this.#askHead) {
      const fromHead = this.#askHead(this.#head.slice(0, Math.min(this.#total, HEAD_BYTES)));
      if (fromHead !== undefined || this.#total >= HEAD_BYTES) this.#askHead = undefined;
      if (fromHead !== undefined && (this.#limit === undefined || fromHead.bytes <= this.#limit.bytes)) this.#limit = fromHead;
    }
    if (this.#limit !== undefined && this.#total > this.#limit.bytes) {
      return new Error(
        `${this.name}: the decompressed data is larger than ${this.#limit.what}; stopped after ${this.#total} bytes ` +
          '(the file is damaged or is not what it claims to be, e.g. a gzip bomb)',
      );
    }
    return undefined;
  }
}

/**
 * Fills the start of `into` with the next bytes of a file and resolves with how many (0 at its end).
 * The decompressor lends the same buffer for every read and is done with it before the next one, so a
 * file is read piece by piece without leaving a piece of garbage behind each time.
 */
export type ByteReader = (into: Uint8Array) => Promise<number>;

/** Gzip data: all its bytes, or a reader of them. */
export type GzipInput = Uint8Array | ByteReader;

/** Receives each piece of output once, to copy it or to keep it (each is a view of its own). Throwing stops the decompression. */
export type ChunkSink = (chunk: Uint8Array) => void;

/** Marks errors that did not come from the decompressor (the input, the sink, the size limit): passed on as they are. */
class Passed {
  constructor(readonly error: unknown) {}
}

/** How much of the input a reader is asked for at a time. */
const READ_BYTES = 64 * 1024;

/** The next piece of the input in `buffer` (empty at the end), the gzip magic number checked on the first; errors wrapped in Passed. */
async function readPiece(read: ByteReader, buffer: Uint8Array, first: boolean, name: string): Promise<Uint8Array> {
  try {
    let n = await read(buffer);
    // The magic number is checked on the first two bytes, however the reader splits them.
    while (first && n < 2) {
      const more = await read(buffer.subarray(n));
      if (more === 0) break;
      n += more;
    }
    const piece = buffer.subarray(0, n);
    if (first) checkMagic(piece, name);
    return piece;
  } catch (e) {
    throw new Passed(e);
  }
}

/** The sink behind the size guard; what it throws (and the size error) wrapped in Passed. */
function guarded(name: string, options: GunzipOptions, sink: ChunkSink): { push: ChunkSink; guard: SizeGuard } {
  const guard = new SizeGuard(name, options);
  return {
    guard,
    push: (chunk) => {
      const tooLarge = guard.push(chunk);
      if (tooLarge) throw new Passed(tooLarge);
      try {
        sink(chunk);
      } catch (e) {
        throw new Passed(e);
      }
    },
  };
}

function unwrap(e: unknown, name: string): unknown {
  return e instanceof Passed ? e.error : corrupt(name, e);
}

/** Decompresses with the web-standard `DecompressionStream` (browsers, workers, Node ≥ 18), piece by piece; resolves with the output's size. */
export async function gunzipWebEach(input: GzipInput, name: string, options: GunzipOptions, sink: ChunkSink): Promise<number> {
  if (input instanceof Uint8Array) checkMagic(input, name);
  if (typeof DecompressionStream === 'undefined') {
    throw new Error(`${name}: cannot decompress: this runtime has no DecompressionStream`);
  }
  const { push, guard } = guarded(name, options, sink);
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    let readable: ReadableStream<Uint8Array<ArrayBuffer>>;
    if (input instanceof Uint8Array) {
      readable = new Blob([plainBuffer(input)]).stream();
    } else {
      const buffer = new Uint8Array(READ_BYTES);
      let first = true;
      readable = new ReadableStream<Uint8Array<ArrayBuffer>>({
        async pull(controller) {
          const piece = await readPiece(input, buffer, first, name);
          first = false;
          // A copy: the stream may still hold the piece when the buffer is read into again.
          if (piece.length === 0) controller.close();
          else controller.enqueue(piece.slice());
        },
      });
    }
    reader = readable.pipeThrough(new DecompressionStream('gzip')).getReader();
  } catch (e) {
    throw corrupt(name, e);
  }
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (e) {
      throw unwrap(e, name);
    }
    if (next.done) return guard.total;
    try {
      push(next.value);
    } catch (e) {
      // The error to report is this one; a failure to cancel the rest of the stream changes nothing.
      await reader.cancel(e).then(undefined, () => undefined);
      throw unwrap(e, name);
    }
  }
}

/** Decompresses with `node:zlib` as a stream (so a size limit or the sink stops it early), piece by piece; resolves with the output's size. */
export async function gunzipNodeEach(input: GzipInput, name: string, options: GunzipOptions, sink: ChunkSink): Promise<number> {
  if (input instanceof Uint8Array) checkMagic(input, name);
  const zlib = await importNode('node:zlib');
  const { push, guard } = guarded(name, options, sink);
  const gz = zlib.createGunzip({ chunkSize: 64 * 1024 });
  let failure: unknown = null;
  const fail = (e: unknown): void => {
    failure ??= e;
    gz.destroy();
  };
  const ended = new Promise<void>((resolve, reject) => {
    gz.on('data', (chunk: Buffer) => {
      if (failure !== null) return;
      try {
        push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      } catch (e) {
        fail(e);
      }
    });
    gz.on('error', (e) => fail(e));
    gz.on('end', resolve);
    gz.on('close', () => reject(failure ?? new Error('the stream closed before its end')));
  });
  ended.catch(() => undefined); // awaited below; a failure while reading must not be reported as unhandled
  // Resolves once zlib is done with `piece` (a Transform calls back after the chunk has been consumed).
  const write = async (piece: Uint8Array): Promise<void> => {
    const written = new Promise<void>((resolve, reject) => gz.write(piece, (e) => (e ? reject(e) : resolve())));
    written.catch(() => undefined); // a destroyed stream may call back with an error after the race is over
    await Promise.race([written, ended]);
  };
  try {
    if (input instanceof Uint8Array) {
      await write(input);
    } else {
      const buffer = new Uint8Array(READ_BYTES);
      for (let first = true; ; first = false) {
        const piece = await readPiece(input, buffer, first, name);
        if (piece.length === 0) break;
        await write(piece);
      }
    }
    gz.end();
    await ended;
  } catch (e) {
    fail(e);
  }
  if (failure !== null) throw unwrap(failure, name);
  return guard.total;
}

/** Collects the pieces of output into one Uint8Array over its own ArrayBuffer. */
class Collected {
  readonly #chunks: Uint8Array[] = [];
  #total = 0;
  readonly sink: ChunkSink = (chunk) => {
    this.#chunks.push(chunk);
    this.#total += chunk.length;
  };

  result(): Uint8Array {
    const out = new Uint8Array(this.#total);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.#chunks.length = 0;
    return out;
  }
}

/** Decompresses with the web-standard `DecompressionStream` (browsers, workers, Node ≥ 18). */
export async function gunzipWeb(bytes: Uint8Array, name: string, options: GunzipOptions = {}): Promise<Uint8Array> {
  const out = new Collected();
  await gunzipWebEach(bytes, name, options, out.sink);
  return out.result();
}

/** Decompresses with `node:zlib`, as a stream (so a size limit stops it early). */
export async function gunzipNode(bytes: Uint8Array, name: string, options: GunzipOptions = {}): Promise<Uint8Array> {
  const out = new Collected();
  await gunzipNodeEach(bytes, name, options, out.sink);
  return out.result();
}

/**
 * Decompresses gzip bytes: with `node:zlib` in Node, with `DecompressionStream` elsewhere.
 * Errors name `name` (the file or URL): not gzip at all, corrupt / truncated data, or output past
 * `options.limit` / the limit `options.limitFromHead` reads from the first bytes.
 */
export function gunzip(bytes: Uint8Array, name: string, options: GunzipOptions = {}): Promise<Uint8Array> {
  return isNode ? gunzipNode(bytes, name, options) : gunzipWeb(bytes, name, options);
}

/**
 * Decompresses `input` (all its bytes, or its pieces as they are read) without keeping the output:
 * each piece goes to `sink` as it comes. Same errors as gunzip; what `sink` throws stops the
 * decompression and is passed on as it is. Resolves with the output's size.
 */
export function gunzipEach(input: GzipInput, name: string, options: GunzipOptions, sink: ChunkSink): Promise<number> {
  return isNode ? gunzipNodeEach(input, name, options, sink) : gunzipWebEach(input, name, options, sink);
}
