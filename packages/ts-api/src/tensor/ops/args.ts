// Parsing what creation ops take as PyTorch does: a size as numbers or one array (`randn(5, 3)` =
// `randn([5, 3])`), then an options object whose unknown keys throw, and dtype / integer checks.

import { checkDType, INT32_MAX, INT32_MIN } from '../dtype.js';
import { checkShape } from '../shape.js';
import type { DType } from '../tensor.js';

export { checkDType, INT32_MAX, INT32_MIN };
export const INT32_RANGE = `[${INT32_MIN}, ${INT32_MAX}]`;

/** What a value is, for error messages: `a string`, `null`, `a Uint32Array`, `an array`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return `a ${typeof v}`;
}

/** A plain `{ … }` object (an options bag), not an array, typed array or class instance. */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Throws on an option key the op does not know, naming the known ones. */
export function checkOptionKeys(op: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new Error(`${op}: unknown option '${key}'; the known options are ${known.map((k) => `'${k}'`).join(', ')}`);
    }
  }
}

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** The options of a creation op, checked: known keys only, a valid dtype, a boolean requiresGrad. */
export function creationOptions(op: string, options: unknown, known: readonly string[] = ['dtype', 'requiresGrad']): CreateOptions {
  if (options === undefined) return {};
  if (!isOptionsObject(options)) throw new Error(`${op}: options must be an object like { dtype, requiresGrad }, got ${describeValue(options)}`);
  checkOptionKeys(op, options, known);
  const o = options as CreateOptions;
  if (o.dtype !== undefined) checkDType(o.dtype, op);
  if (o.requiresGrad !== undefined && typeof o.requiresGrad !== 'boolean') {
    throw new Error(`${op}: requiresGrad must be a boolean, got ${describeValue(o.requiresGrad)}`);
  }
  return o;
}

/** An integer that must be representable as int32 (never wrapped). */
export function checkInt32(v: unknown, op: string, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
    throw new Error(`${op}: ${name} must be an integer in ${INT32_RANGE}, got ${typeof v === 'number' ? v : describeValue(v)}`);
  }
  return v;
}

/** A count such as steps or n: a non-negative integer. */
export function checkCount(v: unknown, op: string, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new Error(`${op}: ${name} must be a non-negative integer, got ${typeof v === 'number' ? v : describeValue(v)}`);
  }
  return v;
}

/**
 * Splits `(...size, options?)`: the size given as numbers or as one array of numbers, and a trailing
 * options object. Anything else (a string, a tensor, a second array) throws.
 */
export function sizeAndOptions(op: string, args: readonly unknown[]): { shape: number[]; options: unknown } {
  let rest = args;
  let options: unknown;
  if (rest.length > 0 && isOptionsObject(rest[rest.length - 1])) {
    options = rest[rest.length - 1];
    rest = rest.slice(0, -1);
  }
  let shape: unknown[];
  if (rest.length === 1 && Array.isArray(rest[0])) shape = [...(rest[0] as unknown[])];
  else shape = [...rest];
  shape.forEach((d, i) => {
    if (typeof d !== 'number') {
      throw new Error(`${op}: expected the size as numbers or one array of numbers, got ${describeValue(d)} at position ${i}`);
    }
  });
  const s = shape as number[];
  checkShape(s, op);
  return { shape: s, options };
}
