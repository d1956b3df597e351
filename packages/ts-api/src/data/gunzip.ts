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

function corrupt(name: string, reason: unknown): Error {
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new Error(`${name}: corrupt gzip data (${detail}); the file is damaged or incomplete`, {
    cause: reason,
  });
}

function checkMagic(bytes: Uint8Array, name: string): void {
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

/** Gathers output chunks, checking the size as it grows, so a gzip bomb is stopped one chunk past its limit. */
class BoundedOutput {
  readonly #chunks: Uint8Array[] = [];
  #total = 0;
  #limit: GunzipLimit | undefined;
  #askHead: GunzipOptions['limitFromHead'];

  constructor(private readonly name: string, options: GunzipOptions) {
    this.#limit = options.limit;
    this.#askHead = options.limitFromHead;
  }

  /** Adds a chunk; returns the error to throw once the output is over the limit. */
  push(chunk: Uint8Array): Error | undefined {
    this.#chunks.push(chunk);
    this.#total += chunk.length;
    if (this.#askHead) {
      const fromHead = this.#askHead(this.#head());
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

  #head(): Uint8Array {
    const head = new Uint8Array(Math.min(this.#total, HEAD_BYTES));
    let at = 0;
    for (const c of this.#chunks) {
      if (at === head.length) break;
      const part = c.subarray(0, head.length - at);
      head.set(part, at);
      at += part.length;
    }
    return head;
  }

  /** The whole output as one Uint8Array over its own ArrayBuffer. */
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
  checkMagic(bytes, name);
  if (typeof DecompressionStream === 'undefined') {
    throw new Error(`${name}: cannot decompress: this runtime has no DecompressionStream`);
  }
  const output = new BoundedOutput(name, options);
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = new Blob([plainBuffer(bytes)]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  } catch (e) {
    throw corrupt(name, e);
  }
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (e) {
      throw corrupt(name, e);
    }
    if (next.done) return output.result();
    const tooLarge = output.push(next.value);
    if (tooLarge) {
      // The size error is the one to report; a failure to cancel the rest of the stream changes nothing.
      await reader.cancel(tooLarge).then(undefined, () => undefined);
      throw tooLarge;
    }
  }
}

/** Decompresses with `node:zlib`, as a stream (so a size limit stops it early). */
export async function gunzipNode(bytes: Uint8Array, name: string, options: GunzipOptions = {}): Promise<Uint8Array> {
  checkMagic(bytes, name);
  const zlib = await importNode('node:zlib');
  const output = new BoundedOutput(name, options);
  return new Promise<Uint8Array>((resolve, reject) => {
    const gz = zlib.createGunzip({ chunkSize: 64 * 1024 });
    let stopped = false;
    gz.on('data', (chunk: Buffer) => {
      if (stopped) return;
      const tooLarge = output.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (tooLarge) {
        stopped = true;
        gz.destroy();
        reject(tooLarge);
      }
    });
    gz.on('error', (err) => reject(corrupt(name, err)));
    gz.on('end', () => resolve(output.result()));
    gz.end(bytes);
  });
}

/**
 * Decompresses gzip bytes: with `node:zlib` in Node, with `DecompressionStream` elsewhere.
 * Errors name `name` (the file or URL): not gzip at all, corrupt / truncated data, or output past
 * `options.limit` / the limit `options.limitFromHead` reads from the first bytes.
 */
export function gunzip(bytes: Uint8Array, name: string, options: GunzipOptions = {}): Promise<Uint8Array> {
  return isNode ? gunzipNode(bytes, name, options) : gunzipWeb(bytes, name, options);
}
