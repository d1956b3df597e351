/**
 * The IDX file format (LeCun's MNIST format, also used by Fashion-MNIST).
 *
 * Layout: a 4-byte big-endian magic number `0x0000TTNN` (TT = element type, NN = number of
 * dimensions), then NN big-endian uint32 dimension sizes, then the elements in row-major order.
 * Only unsigned bytes (TT = 0x08) are supported, as 1-D label files (0x00000801) and 3-D image
 * files (0x00000803): that is all MNIST-like datasets use.
 *
 * Pure TypeScript, no Node or browser API: usable everywhere.
 */

/** A parsed IDX array of unsigned bytes. */
export interface IdxArray {
  /** Dimension sizes from the header, e.g. `[60000, 28, 28]` or `[60000]`. */
  dims: number[];
  /** The elements, row-major; a view into the input bytes (no copy), exactly `product(dims)` long. */
  data: Uint8Array;
}

/** Magic number of a 1-D unsigned-byte IDX file (labels). */
export const IDX_MAGIC_LABELS = 0x00000801;
/** Magic number of a 3-D unsigned-byte IDX file (images). */
export const IDX_MAGIC_IMAGES = 0x00000803;

const IDX_TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

function readU32BE(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0
  );
}

/** The size in bytes (header included) and a description (`60000 images of 28×28`) of the data a header declares. */
export interface IdxDeclaredSize {
  bytes: number;
  shape: string;
}

function describeShape(dims: readonly number[]): string {
  return dims.length === 3 ? `${dims[0]} images of ${dims[1]}×${dims[2]}` : `${dims[0]} labels`;
}

/**
 * What the IDX header at the start of `head` declares (for labels and images of unsigned bytes, the
 * kinds `parseIdx` reads), or undefined while `head` is too short or is not such a header. Lets a
 * decompressor stop once its output passes the size the file says it has.
 */
export function idxDeclaredSize(head: Uint8Array): IdxDeclaredSize | undefined {
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0 || head[2] !== 0x08) return undefined;
  const ndims = head[3];
  if ((ndims !== 1 && ndims !== 3) || head.length < 4 + 4 * ndims) return undefined;
  const dims: number[] = [];
  let bytes = 4 + 4 * ndims;
  let elements = 1;
  for (let i = 0; i < ndims; i++) {
    dims.push(readU32BE(head, 4 + 4 * i));
    elements *= dims[i];
  }
  bytes += elements;
  return { bytes, shape: describeShape(dims) };
}

/**
 * Parses an uncompressed IDX file of unsigned bytes (labels: magic 0x00000801, images: 0x00000803).
 *
 * Everything is checked: the magic number, the element type, the header length and that the data
 * after the header is exactly as long as the dimensions say (a truncated file or trailing bytes
 * throw). Errors start with `name` (the file name or URL) and say what was expected and found.
 *
 * The returned `data` is a zero-copy view into `bytes`.
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  const headerBytes = checkMagic(bytes, name);
  if (bytes.length < headerBytes) {
    throw new Error(
      `${name}: truncated header: a ${bytes[3]}-D IDX header is ${headerBytes} bytes, the file has only ${bytes.length}`,
    );
  }
  const { dims, expected } = readDims(bytes, name);
  checkDataSize(bytes.length - headerBytes, expected, dims, name);
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Checks the magic number (the first 4 bytes) with parseIdx's messages; returns the header's length. */
function checkMagic(bytes: Uint8Array, name: string): number {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new Error(`${name}: this is gzip-compressed data, not an IDX file; decompress it first`);
  }
  if (bytes.length < 4) {
    throw new Error(
      `${name}: not an IDX file: ${bytes.length} bytes, too short for the 4-byte magic number ` +
        `(expected ${hex32(IDX_MAGIC_LABELS)} for labels or ${hex32(IDX_MAGIC_IMAGES)} for images)`,
    );
  }
  const magic = readU32BE(bytes, 0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${name}: not an IDX file: magic number ${hex32(magic)}, expected ` +
        `${hex32(IDX_MAGIC_LABELS)} (labels) or ${hex32(IDX_MAGIC_IMAGES)} (images)`,
    );
  }
  const dtype = bytes[2];
  if (dtype !== 0x08) {
    const typeName = IDX_TYPE_NAMES[dtype];
    throw new Error(
      `${name}: magic number ${hex32(magic)} has element type 0x${dtype.toString(16).padStart(2, '0')}` +
        (typeName ? ` (${typeName})` : ' (not a valid IDX type)') +
        '; only 0x08 (unsigned byte) is supported',
    );
  }
  const ndims = bytes[3];
  if (ndims !== 1 && ndims !== 3) {
    throw new Error(
      `${name}: magic number ${hex32(magic)} declares a ${ndims}-dimensional array; expected ` +
        `${hex32(IDX_MAGIC_LABELS)} (1-D labels) or ${hex32(IDX_MAGIC_IMAGES)} (3-D images)`,
    );
  }
  return 4 + 4 * ndims;
}

/** The dimensions of a whole header (checked by checkMagic) and their element count. */
function readDims(header: Uint8Array, name: string): { dims: number[]; expected: number } {
  const dims: number[] = [];
  let expected = 1;
  for (let i = 0; i < header[3]; i++) {
    const d = readU32BE(header, 4 + 4 * i);
    dims.push(d);
    expected *= d;
  }
  if (!Number.isSafeInteger(expected)) {
    throw new Error(`${name}: dimensions [${dims.join(', ')}] are too large (${expected} elements)`);
  }
  return { dims, expected };
}

/** Throws unless the `found` bytes after the header are exactly the `expected` the dimensions say. */
function checkDataSize(found: number, expected: number, dims: readonly number[], name: string): void {
  const what = dims.length === 3 ? 'pixels' : 'labels';
  const shape = describeShape(dims);
  if (found < expected) {
    throw new Error(
      `${name}: expected ${expected} bytes of ${what} after the header, found ${found} ` +
        `(the header says ${shape}; the file is truncated)`,
    );
  }
  if (found > expected) {
    throw new Error(
      `${name}: expected ${expected} bytes of ${what} after the header, found ${found} ` +
        `(the header says ${shape}; ${found - expected} unexpected bytes at the end)`,
    );
  }
}

/** Where the elements of an IDX file read in pieces go: `write` puts `bytes` at element `offset`. */
export interface IdxTarget {
  write(bytes: Uint8Array, offset: number): void;
}

/** The largest IDX header parseIdx reads (3 dimensions). */
const MAX_HEADER_BYTES = 16;

/**
 * Parses an IDX file handed over in pieces (as it is read or decompressed), with parseIdx's checks
 * and messages, without holding the file: the header is checked as soon as it is complete, then
 * `open(dims)` gives the target its elements are written to (never past the header's count); `end()`
 * checks the size. Whatever `open` or a write throws stops the parse and reaches the caller.
 */
export class IdxStream {
  readonly #name: string;
  readonly #open: (dims: readonly number[]) => IdxTarget;
  readonly #head = new Uint8Array(MAX_HEADER_BYTES);
  #headLength = 0;
  /** The header's length once the magic number is known (0 before). */
  #headerBytes = 0;
  #dims: number[] | null = null;
  #expected = 0;
  #target: IdxTarget | null = null;
  /** Bytes after the header so far, those past `#expected` included. */
  #found = 0;

  constructor(name: string, open: (dims: readonly number[]) => IdxTarget) {
    this.#name = name;
    this.#open = open;
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (this.#dims === null && at < chunk.length) {
      const want = (this.#headerBytes || 4) - this.#headLength;
      const part = chunk.subarray(at, at + want);
      this.#head.set(part, this.#headLength);
      this.#headLength += part.length;
      at += part.length;
      if (this.#headerBytes === 0 && this.#headLength === 4) this.#headerBytes = checkMagic(this.#head.subarray(0, 4), this.#name);
      if (this.#headerBytes !== 0 && this.#headLength === this.#headerBytes) {
        const { dims, expected } = readDims(this.#head, this.#name);
        this.#target = this.#open(dims);
        this.#expected = expected;
        this.#dims = dims;
      }
    }
    if (at === chunk.length) return;
    const writable = Math.max(0, Math.min(chunk.length - at, this.#expected - this.#found));
    if (writable > 0) this.#target!.write(chunk.subarray(at, at + writable), this.#found);
    this.#found += chunk.length - at;
  }

  /**
   * Where the next elements go while the header is read and elements are still expected: the target,
   * the element offset and how many; null otherwise. A caller that writes them into the target itself
   * reports them with `wrote` instead of `push`.
   */
  pending(): { target: IdxTarget; offset: number; count: number } | null {
    if (this.#target === null || this.#found >= this.#expected) return null;
    return { target: this.#target, offset: this.#found, count: this.#expected - this.#found };
  }

  /** Counts `n` elements (at most `pending().count`) that the caller wrote into the target itself. */
  wrote(n: number): void {
    const pending = this.pending();
    if (pending === null || n > pending.count) {
      throw new Error(`${this.#name}: ${n} elements written past the ${this.#expected} the header declares`);
    }
    this.#found += n;
  }

  /** Checks that the file is complete: a whole header and exactly the elements it declares. Returns the dims. */
  end(): number[] {
    if (this.#dims === null) {
      parseIdx(this.#head.subarray(0, this.#headLength), this.#name); // throws its message for a short file
      throw new Error(`${this.#name}: incomplete IDX header`); // not reached: a whole header sets #dims
    }
    checkDataSize(this.#found, this.#expected, this.#dims, this.#name);
    return this.#dims;
  }
}
