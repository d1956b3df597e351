// The tensor dtypes, the storage each lives in, and their PyTorch names. No tensors here, so that the
// ops, io and printing can import it without an import cycle.

import type { StorageDType } from '../backend/index.js';

/** float32, int32, or bool (one byte per element holding 0 or 1, as PyTorch's torch.bool). */
export type DType = 'float32' | 'int32' | 'bool';

export const DTYPES: readonly DType[] = Object.freeze(['float32', 'int32', 'bool'] as const);

const STORAGE: Record<DType, StorageDType> = { float32: 'float32', int32: 'int32', bool: 'uint8' };

/** The Storage dtype holding a tensor dtype (bool → uint8). */
export function storageDType(dtype: DType): StorageDType {
  return STORAGE[dtype];
}

/** PyTorch's name of a dtype, as printed: `torch.float32`, `torch.int32`, `torch.bool`. */
export function torchName(dtype: DType): string {
  return `torch.${dtype}`;
}

export function isDType(v: unknown): v is DType {
  return v === 'float32' || v === 'int32' || v === 'bool';
}

/** Throws naming `where` unless `dtype` is one of ours. */
export function checkDType(dtype: unknown, where: string): asserts dtype is DType {
  if (!isDType(dtype)) {
    throw new Error(`${where}: dtype must be 'float32', 'int32' or 'bool', got ${typeof dtype === 'string' ? `'${dtype}'` : String(dtype)}`);
  }
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
