// How the worker API names a value it was given but cannot use, in its error messages. Pure: the
// page-side client (index.ts) uses it without loading the library or its wasm.

/** `null`, `undefined`, `a number (5)`, `a string ("abc")`, `an Array`, `a Float32Array`, `an Object`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  switch (typeof v) {
    case 'number':
    case 'boolean':
      return `a ${typeof v} (${String(v)})`;
    case 'bigint':
      return `a bigint (${String(v)}n)`;
    case 'string':
      return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`;
    case 'object': {
      const name = Array.isArray(v) ? 'Array' : (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name || 'Object';
      return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
    }
    default:
      return `a ${typeof v}`;
  }
}

/** A scalar as it would be written in code: `1.7`, `NaN`, `"3"`, `null`; anything else as describeValue. */
export function showValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  return describeValue(v);
}

/** True for a plain settings object (not null, not an array). */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks an optional options argument: undefined or an object; `example` shows the expected shape. */
export function checkOptions(where: string, options: unknown, example: string): void {
  if (options !== undefined && !isOptionsObject(options)) {
    throw new Error(`${where}: options must be an object like ${example}, got ${describeValue(options)}`);
  }
}

/** Checks an optional boolean option. */
export function checkBooleanOption(where: string, name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'boolean') throw new Error(`${where}: ${name} must be true or false, got ${showValue(v)}`);
}

/** The error fit() rejects with when the progress callback throws or its promise rejects. */
export function progressCallbackFailed(error: unknown): Error {
  return new Error(`fit: the progress callback failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** What setData expects, for its error messages. */
export const TRAINER_DATA_SHAPE = '{ trainImages, trainLabels, testImages, testLabels } (Uint8Array images, Uint8Array or Int32Array labels)';

/** What loadFashionMnist expects, for its error messages. */
export const FASHION_MNIST_SOURCE_SHAPE = 'a base URL (a string) or the four files { trainImages, trainLabels, testImages, testLabels }';
