// safetensors dtypes: which ones exist, their sizes, and how the ones we read become float32/int32/bool
// values. Pure functions on bytes; no tensors, no Node modules.

import type { DType } from '../tensor/tensor.js';

/** Every dtype the safetensors format defines, with its element size in bytes (0 = sub-byte). */
export const SAFETENSORS_DTYPE_SIZES: Readonly<Record<string, number>> = Object.freeze({
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1, F4: 0, F6_E2M3: 0, F6_E3M2: 0,
  I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8, C64: 8,
});

/** The file dtypes we read, and the tensor dtype each becomes. */
export const READABLE_DTYPES = {
  F32: 'float32',
  I32: 'int32',
  F64: 'float32',
  I64: 'int32',
  F16: 'float32',
  BF16: 'float32',
  BOOL: 'bool',
} as const satisfies Record<string, DType>;

export type ReadableDType = keyof typeof READABLE_DTYPES;

/** The dtype written for each tensor dtype. */
export const WRITTEN_DTYPE = { float32: 'F32', int32: 'I32', bool: 'BOOL' } as const satisfies Record<DType, string>;

export function isReadableDType(dtype: string): dtype is ReadableDType {
  return Object.prototype.hasOwnProperty.call(READABLE_DTYPES, dtype);
}

export function elementSize(dtype: ReadableDType): number {
  return SAFETENSORS_DTYPE_SIZES[dtype];
}

/** True on little-endian hosts (all current ones); big-endian hosts take the DataView paths. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A fresh, 0-offset ArrayBuffer holding a copy of `bytes` (aligned for any typed array). */
function copyBytes(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** An f16 bit pattern as a number (every f16 value, subnormals, ±inf and NaN are exact in f32). */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/**
 * Decodes `bytes` (little-endian, `dtype`) into the values of the tensor it becomes. Throws a message
 * (without the file name; the caller adds it) when a value does not fit: an I64 outside int32, or a
 * finite F64 beyond float32's range, a BOOL byte other than 0 or 1. Never returns a silently changed integer.
 */
export function decodeValues(bytes: Uint8Array, dtype: ReadableDType, count: number): Float32Array | Int32Array | Uint8Array {
  // Note: never `bytes.slice()` here: on a Node Buffer, slice() is a view, not a copy.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': {
      if (LITTLE_ENDIAN) return new Float32Array(copyBytes(bytes), 0, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'I32': {
      if (LITTLE_ENDIAN) return new Int32Array(copyBytes(bytes), 0, count);
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getFloat64(i * 8, true);
        const f = Math.fround(v);
        if (Number.isFinite(v) && !Number.isFinite(f)) {
          throw new Error(`F64 value ${v} at index ${i} is too large for float32`);
        }
        out[i] = f;
      }
      return out;
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v < -2147483648n || v > 2147483647n) {
          throw new Error(`I64 value ${v} at index ${i} does not fit in int32 (-2147483648..2147483647)`);
        }
        out[i] = Number(v);
      }
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(i * 2, true));
      return out;
    }
    case 'BOOL': {
      const out = new Uint8Array(count);
      out.set(bytes.subarray(0, count));
      const bad = out.findIndex((v) => v > 1);
      if (bad >= 0) throw new Error(`BOOL byte ${out[bad]} at index ${bad} is neither 0 nor 1`);
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
  }
}
