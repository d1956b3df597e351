// The safetensors format in memory: serialize() and deserialize(). Works in browsers and Node.
//
// Layout: an 8-byte little-endian u64 N, N bytes of UTF-8 JSON header padded with spaces to a multiple
// of 8 (so the data starts 8-byte aligned), then the tensors' raw little-endian bytes back to back.
// The header maps each name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
// the start of the data); the optional "__metadata__" entry maps strings to strings.

import { Tensor, type DType } from '../tensor/tensor.js';
import { tensor } from '../tensor/ops/create.js';
import {
  decodeValues, elementSize, isReadableDType, LITTLE_ENDIAN, READABLE_DTYPES, SAFETENSORS_DTYPE_SIZES,
  WRITTEN_DTYPE, type ReadableDType,
} from './dtypes.js';
import { torchSaveFormat, torchSaveMessage } from './pytorch-files.js';

/** Free-form string → string metadata stored in the header's `__metadata__` entry. */
export type SafetensorsMetadata = Record<string, string>;

/** What a safetensors file holds: the tensors by name, and the metadata (`{}` when there is none). */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

const METADATA_KEY = '__metadata__';
/** The reference implementation refuses headers above 100 MB; so do we (a corrupt length is likelier). */
const MAX_HEADER_BYTES = 100_000_000;
const TENSOR_INFO_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);

// ---------------------------------------------------------------------------------------------------
// Small helpers

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': return `the string ${JSON.stringify(value)}`;
    case 'number': case 'boolean': case 'bigint': return `the ${typeof value} ${String(value)}`;
    case 'object': return value instanceof Map ? 'a Map' : value instanceof Tensor ? 'a Tensor' : 'an object';
    default: return typeof value;
  }
}

/** JS strings may hold lone surrogates, which UTF-8 (and other safetensors readers) cannot represent. */
function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/** Orders strings by Unicode code point, which is the byte order of their UTF-8 (Rust's `str` order). */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0) as number;
    const cy = y.value.codePointAt(0) as number;
    if (cx !== cy) return cx - cy;
  }
}

/** Sets `obj[key]` as an own data property, even for keys like `__proto__`. */
function defineEntry<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map);
}

// ---------------------------------------------------------------------------------------------------
// serialize

/**
 * The safetensors bytes of `tensors` (and `metadata`, if given, as the header's `__metadata__`).
 *
 * Layout is deterministic and matches the reference Rust implementation (`safetensors.torch.save`):
 * float32 tensors first, then int32, each group sorted by name in code-point (UTF-8 byte) order; the
 * header lists `__metadata__` first (its keys sorted the same way), then the tensors in data order;
 * the header is padded with spaces so the data starts 8-byte aligned. A float32 state dict therefore
 * gives the same bytes as PyTorch's `safetensors.torch.save_file`.
 *
 * Throws for a name that is empty, `__metadata__` or not well-formed Unicode, a value that is not a
 * live Tensor, a disposed tensor, and metadata that is not an object of strings.
 */
export function serialize(
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const where = 'io.serialize';
  let entries: [unknown, unknown][];
  if (tensors instanceof Map) entries = [...tensors.entries()];
  else if (isPlainRecord(tensors) && !(tensors instanceof Tensor)) entries = Object.entries(tensors);
  else throw new Error(`${where}: tensors must be an object or a Map of name → Tensor, got ${describe(tensors)}`);

  const items: { name: string; t: Tensor; dtype: DType }[] = [];
  for (const [name, t] of entries) {
    if (typeof name !== 'string') throw new Error(`${where}: tensor names must be strings, got ${describe(name)}`);
    if (name === '') throw new Error(`${where}: a tensor name is empty; safetensors names must be non-empty`);
    if (name === METADATA_KEY) throw new Error(`${where}: "${METADATA_KEY}" is reserved for metadata and cannot name a tensor`);
    if (!isWellFormed(name)) throw new Error(`${where}: tensor name ${JSON.stringify(name)} has an unpaired surrogate (not valid Unicode)`);
    if (!(t instanceof Tensor)) throw new Error(`${where}: "${name}" is not a Tensor, got ${describe(t)}`);
    if (t.isDisposed) throw new Error(`${where}: tensor "${name}" was disposed; it can no longer be saved`);
    if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') throw new Error(`${where}: tensor "${name}" has dtype ${String(t.dtype)}, which safetensors I/O does not support`);
    items.push({ name, t, dtype: t.dtype });
  }
  // The reference sorts by dtype, largest first in its enum order (BOOL, …, I32, …, F32), then name.
  const rank = { float32: 0, int32: 1, bool: 2 } as const;
  items.sort((a, b) => (a.dtype === b.dtype ? compareCodePoints(a.name, b.name) : rank[a.dtype] - rank[b.dtype]));

  let metaJson = '';
  if (metadata !== undefined) {
    if (!isPlainRecord(metadata)) throw new Error(`${where}: metadata must be an object of string → string, got ${describe(metadata)}`);
    const keys = Object.keys(metadata).sort(compareCodePoints);
    const parts: string[] = [];
    for (const k of keys) {
      const v: unknown = metadata[k];
      if (typeof v !== 'string') throw new Error(`${where}: metadata["${k}"] must be a string, got ${describe(v)}`);
      if (!isWellFormed(k) || !isWellFormed(v)) throw new Error(`${where}: metadata["${k}"] has an unpaired surrogate (not valid Unicode)`);
      parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    metaJson = `${JSON.stringify(METADATA_KEY)}:{${parts.join(',')}}`;
  }

  const headerParts: string[] = metaJson === '' ? [] : [metaJson];
  const layout: { t: Tensor; begin: number; end: number }[] = [];
  let offset = 0;
  for (const { name, t, dtype } of items) {
    const nbytes = t.numel() * (dtype === 'bool' ? 1 : 4);
    const begin = offset;
    offset += nbytes;
    layout.push({ t, begin, end: offset });
    headerParts.push(
      `${JSON.stringify(name)}:{"dtype":"${WRITTEN_DTYPE[dtype]}","shape":[${t.shape.join(',')}],"data_offsets":[${begin},${offset}]}`,
    );
  }
  const headerText = `{${headerParts.join(',')}}`;
  const encoded = new TextEncoder().encode(headerText);
  const headerLength = Math.ceil(encoded.length / 8) * 8;
  const total = 8 + headerLength + offset;
  if (!Number.isSafeInteger(total)) throw new Error(`${where}: ${total} bytes is too large to serialize`);

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(encoded, 8);
  out.fill(0x20, 8 + encoded.length, 8 + headerLength);
  const dataStart = 8 + headerLength;
  for (const { t, begin, end } of layout) {
    const values = t.toArray();
    if (values.byteLength !== end - begin) throw new Error(`${where}: internal error: tensor data size changed`);
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), dataStart + begin);
    } else {
      for (let i = 0; i < values.length; i++) {
        if (values instanceof Uint8Array) out[dataStart + begin + i] = values[i];
        else if (values instanceof Float32Array) view.setFloat32(dataStart + begin + i * 4, values[i], true);
        else view.setInt32(dataStart + begin + i * 4, values[i], true);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// deserialize

interface ParsedTensor {
  name: string;
  dtype: ReadableDType;
  shape: number[];
  count: number;
  begin: number;
  end: number;
}

/**
 * The first key that appears twice in one object of `text` (valid JSON), or null. JSON.parse would
 * silently keep the last one; a header with two entries for one name is ambiguous, so we refuse it.
 */
function findDuplicateKey(text: string): string | null {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) return key;
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
  return null;
}

function parseIntegerList(value: unknown, fail: (msg: string) => never, what: string): number[] {
  if (!Array.isArray(value)) fail(`${what} must be an array of non-negative integers, got ${describe(value)}`);
  const list = value as unknown[];
  for (const d of list) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(`${what} must be an array of non-negative integers, got ${JSON.stringify(value)}`);
    }
  }
  return list as number[];
}

function parseTensorInfo(name: string, info: unknown, dataLength: number, fail: (msg: string) => never): ParsedTensor {
  const t = `tensor ${JSON.stringify(name)}`;
  if (!isPlainRecord(info)) fail(`${t}: expected an object with dtype, shape and data_offsets, got ${describe(info)}`);
  for (const k of Object.keys(info)) {
    if (!TENSOR_INFO_FIELDS.has(k)) fail(`${t}: unexpected field ${JSON.stringify(k)} (expected dtype, shape, data_offsets)`);
  }
  for (const k of TENSOR_INFO_FIELDS) {
    if (!Object.prototype.hasOwnProperty.call(info, k)) fail(`${t}: missing field "${k}"`);
  }
  const dtype = info.dtype;
  if (typeof dtype !== 'string') fail(`${t}: dtype must be a string, got ${describe(dtype)}`);
  if (!isReadableDType(dtype)) {
    const supported = Object.keys(READABLE_DTYPES).join(', ');
    if (Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPE_SIZES, dtype)) {
      fail(`${t}: unsupported dtype ${JSON.stringify(dtype)} (supported: ${supported})`);
    }
    fail(`${t}: unknown dtype ${JSON.stringify(dtype)} (supported: ${supported})`);
  }
  const shape = parseIntegerList(info.shape, fail, `${t}: shape`);
  const offsets = parseIntegerList(info.data_offsets, fail, `${t}: data_offsets`);
  if (offsets.length !== 2) fail(`${t}: data_offsets must be [begin, end], got ${JSON.stringify(offsets)}`);
  const [begin, end] = offsets;
  if (begin > end) fail(`${t}: data_offsets [${begin}, ${end}] are out of order (begin after end)`);
  if (end > dataLength) {
    fail(`${t}: data_offsets [${begin}, ${end}] are out of range: the data section has only ${dataLength} bytes`);
  }
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (!Number.isSafeInteger(count)) fail(`${t}: shape [${shape.join(', ')}] has too many elements`);
  }
  const nbytes = count * elementSize(dtype);
  if (!Number.isSafeInteger(nbytes)) fail(`${t}: shape [${shape.join(', ')}] has too many elements`);
  if (end - begin !== nbytes) {
    fail(
      `${t}: shape [${shape.join(', ')}] with dtype ${dtype} needs ${nbytes} bytes, ` +
        `but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype, shape: [...shape], count, begin, end };
}

/**
 * Reads safetensors bytes. Everything is checked before any tensor is made, and an Error naming
 * `name` says what is wrong: a PyTorch pickle or zip file from torch.save (and how to write safetensors
 * instead), a header length beyond the data, a header that is not UTF-8 JSON object,
 * duplicate keys, an unknown or unsupported dtype, a shape that does not match its data_offsets,
 * offsets out of order, out of range, overlapping or leaving a gap, bytes after the last tensor, and
 * values that do not fit the tensor they become.
 *
 * F32 and I32 are read as they are; F64, F16 and BF16 become float32 (a finite F64 beyond float32's
 * range is an error), and I64 becomes int32 (a value outside int32 is an error).
 *
 * The tensors come back in file (data) order, though JavaScript itself lists integer-like keys
 * (`"0"`, `"1"`) first.
 */
export function deserialize(bytes: Uint8Array, name = 'safetensors data'): SafetensorsContents {
  const fail: (msg: string) => never = (msg) => {
    throw new Error(`${name}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  // A plain Uint8Array view, so subclasses (Node's Buffer, whose slice() does not copy) behave alike.
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const torchFormat = torchSaveFormat(bytes);
  if (torchFormat !== null) fail(torchSaveMessage(torchFormat));
  if (bytes.length < 8) fail(`not a safetensors file: ${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  const available = bytes.length - 8;
  if (n > BigInt(available)) {
    fail(`header length ${n} bytes is beyond the end of the file (only ${available} bytes follow the 8-byte length)`);
  }
  const headerLength = Number(n);
  if (headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} bytes is larger than the ${MAX_HEADER_BYTES}-byte limit`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isPlainRecord(header)) return fail(`header must be a JSON object, got ${describe(header)}`);
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) fail(`header has the key ${JSON.stringify(duplicate)} more than once`);

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const parsed: ParsedTensor[] = [];
  for (const key of Object.keys(header)) {
    const value = header[key];
    if (key === METADATA_KEY) {
      if (value === null) continue;
      if (!isPlainRecord(value)) fail(`${METADATA_KEY} must be an object of string → string, got ${describe(value)}`);
      for (const mk of Object.keys(value)) {
        const mv = value[mk];
        if (typeof mv !== 'string') fail(`${METADATA_KEY}[${JSON.stringify(mk)}] must be a string, got ${describe(mv)}`);
        defineEntry(metadata, mk, mv);
      }
      continue;
    }
    parsed.push(parseTensorInfo(key, value, dataLength, fail));
  }

  // The tensors must tile the data section exactly, in offset order (as the reference checks).
  parsed.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: ParsedTensor | null = null;
  for (const p of parsed) {
    const t = `tensor ${JSON.stringify(p.name)}`;
    if (p.begin < covered) {
      fail(`${t}: data_offsets [${p.begin}, ${p.end}] overlap tensor ${JSON.stringify(previous?.name)} at [${previous?.begin}, ${previous?.end}]`);
    }
    if (p.begin > covered) {
      fail(`${t}: data_offsets [${p.begin}, ${p.end}] leave a gap: bytes ${covered}..${p.begin} of the data belong to no tensor`);
    }
    covered = p.end;
    previous = p;
  }
  if (covered !== dataLength) {
    fail(`${dataLength - covered} bytes of trailing data after the last tensor (the tensors end at data byte ${covered} of ${dataLength})`);
  }

  // Decode everything before making any tensor, so a value error leaves nothing allocated.
  const decoded = parsed.map((p) => {
    try {
      return decodeValues(bytes.subarray(dataStart + p.begin, dataStart + p.end), p.dtype, p.count);
    } catch (e) {
      return fail(`tensor ${JSON.stringify(p.name)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  const tensors: Record<string, Tensor> = {};
  const made: Tensor[] = [];
  try {
    parsed.forEach((p, i) => {
      const t = tensor(decoded[i], { shape: p.shape, dtype: READABLE_DTYPES[p.dtype] });
      made.push(t);
      defineEntry(tensors, p.name, t);
    });
  } catch (e) {
    for (const t of made) t.dispose();
    return fail(`cannot make tensors: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { tensors, metadata };
}
