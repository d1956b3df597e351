/**
 * What every gzip decompression here shares (the decoding itself is the core's: gunzip-core.ts): the
 * magic number check, the errors naming the file, and the guard that stops a gzip bomb at its limit.
 */

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The error for data the decoder rejects, naming the file and saying what is wrong. */
export function corrupt(name: string, reason: unknown): Error {
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new Error(`${name}: corrupt gzip data (${detail}); the file is damaged or incomplete`, {
    cause: reason,
  });
}

/** Throws unless `bytes` starts with the gzip magic number, saying what it starts with instead. */
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
