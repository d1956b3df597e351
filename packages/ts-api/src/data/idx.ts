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
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new Error(
      `${name}: truncated header: a ${ndims}-D IDX header is ${headerBytes} bytes, the file has only ${bytes.length}`,
    );
  }
  const dims: number[] = [];
  let expected = 1;
  for (let i = 0; i < ndims; i++) {
    const d = readU32BE(bytes, 4 + 4 * i);
    dims.push(d);
    expected *= d;
  }
  if (!Number.isSafeInteger(expected)) {
    throw new Error(`${name}: dimensions [${dims.join(', ')}] are too large (${expected} elements)`);
  }
  const what = ndims === 3 ? 'pixels' : 'labels';
  const shape = describeShape(dims);
  const found = bytes.length - headerBytes;
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
  return { dims, data: bytes.subarray(headerBytes) };
}
