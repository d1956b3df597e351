// What io.save was given — a Tensor, a list of Tensors, a dict — and how io.load rebuilds it. The form
// goes into the safetensors metadata, so the file stays plain safetensors that any reader opens as a
// dict of tensors; a file without it (PyTorch's save_file) is a dict, as it always was.

import { Tensor } from '../tensor/tensor.js';
import { Module, type StateDict } from '../nn/module.js';

/** What `io.save` accepts: a Tensor, an array of Tensors, or a dict of name → Tensor (object or Map). */
export type Saveable = Tensor | readonly Tensor[] | Record<string, Tensor> | Map<string, Tensor>;

/** What `io.load` gives back: the form that was saved (a plain object for files without a form). */
export type Loaded = Tensor | Tensor[] | StateDict | Map<string, Tensor>;

/** The forms a file can record: a Tensor, an array, a plain object, a Map. */
export type SavedForm = 'tensor' | 'list' | 'dict' | 'map';

/** Metadata keys softmax-nn writes and reads back; they are not the caller's to set. */
export const FORM_KEY = 'softmax-nn.form';
export const KEYS_KEY = 'softmax-nn.keys';
/** The name a lone tensor is stored under (what a Python reader sees). */
export const TENSOR_NAME = 'tensor';

const FORMS: readonly SavedForm[] = ['tensor', 'list', 'dict', 'map'];
const EXPECTED = 'a Tensor, an array of Tensors, or an object or Map of name → Tensor';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Tensor) return 'a Tensor';
  if (value instanceof Map) return 'a Map';
  if (value instanceof Module) return `a Module (${value.constructor.name})`;
  switch (typeof value) {
    case 'string': return `the string ${JSON.stringify(value)}`;
    case 'number': case 'boolean': case 'bigint': return `the ${typeof value} ${String(value)}`;
    case 'object': {
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return 'an object';
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object';
    }
    default: return typeof value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Sets `obj[key]` as an own data property, even for keys like `__proto__`. */
function defineEntry<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The tensors to write and the metadata (the caller's plus the form) for `value`; throws for anything else. */
export function toFile(
  value: unknown,
  metadata: Record<string, string> | undefined,
  where: string,
): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const tensors = new Map<string, Tensor>();
  const form: Record<string, string> = {};
  const notTensor = (what: string, v: unknown): Error =>
    new Error(`${where}: ${what} is ${describe(v)}, not a Tensor; expected ${EXPECTED} (nested containers are not supported)`);

  if (value instanceof Tensor) {
    tensors.set(TENSOR_NAME, value);
    form[FORM_KEY] = 'tensor';
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new Error(`${where}: the array has a hole at index ${i}; expected ${EXPECTED}`);
      const t: unknown = value[i];
      if (!(t instanceof Tensor)) throw notTensor(`element ${i} of the array`, t);
      tensors.set(String(i), t);
    }
    form[FORM_KEY] = 'list';
  } else if (value instanceof Map || isPlainObject(value)) {
    const entries: [unknown, unknown][] = value instanceof Map ? [...value.entries()] : Object.entries(value);
    for (const [name, t] of entries) {
      if (typeof name !== 'string') throw new Error(`${where}: a Map key is ${describe(name)}; names must be strings`);
      if (name === '') throw new Error(`${where}: a name is the empty string; names must be non-empty`);
      if (!(t instanceof Tensor)) throw notTensor(`the value of ${JSON.stringify(name)}`, t);
      tensors.set(name, t);
    }
    form[FORM_KEY] = value instanceof Map ? 'map' : 'dict';
    form[KEYS_KEY] = JSON.stringify([...tensors.keys()]);
  } else {
    const hint = value instanceof Module ? ' (save its state dict: io.save(path, net.stateDict()))' : '';
    throw new Error(`${where}: expected ${EXPECTED}, got ${describe(value)}${hint}`);
  }

  if (metadata === undefined) return { tensors, metadata: form };
  if (!isPlainObject(metadata)) throw new Error(`${where}: metadata must be an object of string → string, got ${describe(metadata)}`);
  for (const key of [FORM_KEY, KEYS_KEY]) {
    if (Object.prototype.hasOwnProperty.call(metadata, key)) {
      throw new Error(`${where}: the metadata key ${JSON.stringify(key)} is reserved: softmax-nn records there what was saved`);
    }
  }
  return { tensors, metadata: { ...metadata, ...form } };
}

/**
 * Rebuilds what was saved from a file's tensors and metadata: the value in its form, the tensors in
 * the saved order, and the caller's metadata (without the form keys). Throws, naming `name`, when the
 * form metadata does not describe the tensors; the caller disposes them then.
 */
export function fromFile(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string>,
  name: string,
): { value: Loaded; tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const fail = (msg: string): never => {
    throw new Error(`${name}: ${msg}`);
  };
  const userMetadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) if (k !== FORM_KEY && k !== KEYS_KEY) defineEntry(userMetadata, k, v);
  const form = metadata[FORM_KEY];
  const keysText = metadata[KEYS_KEY];
  const names = Object.keys(tensors);

  if (form === undefined) {
    if (keysText !== undefined) fail(`the metadata has "${KEYS_KEY}" but no "${FORM_KEY}"`);
    return { value: tensors, tensors, metadata: userMetadata };
  }
  if (!(FORMS as readonly string[]).includes(form)) {
    fail(`unknown "${FORM_KEY}" ${JSON.stringify(form)} in the metadata (known: ${FORMS.join(', ')})`);
  }
  if ((form === 'dict' || form === 'map') !== (keysText !== undefined)) {
    fail(`the metadata's "${FORM_KEY}" is ${JSON.stringify(form)}, which ${keysText === undefined ? 'needs' : 'takes no'} "${KEYS_KEY}"`);
  }
  if (form === 'tensor') {
    if (names.length !== 1 || names[0] !== TENSOR_NAME) {
      fail(`the metadata says it holds one tensor named "${TENSOR_NAME}", but it holds ${JSON.stringify(names)}`);
    }
    return { value: tensors[TENSOR_NAME], tensors, metadata: userMetadata };
  }
  if (form === 'list') {
    const list: Tensor[] = [];
    for (let i = 0; i < names.length; i++) {
      const t = Object.prototype.hasOwnProperty.call(tensors, String(i)) ? tensors[String(i)] : undefined;
      if (t === undefined) fail(`the metadata says it holds a list, but its ${names.length} tensors are not named 0 … ${names.length - 1}: ${JSON.stringify(names)}`);
      list.push(t as Tensor);
    }
    return { value: list, tensors, metadata: userMetadata };
  }

  let keys: unknown;
  try {
    keys = JSON.parse(keysText as string);
  } catch {
    fail(`the metadata's "${KEYS_KEY}" is not JSON: ${JSON.stringify(keysText)}`);
  }
  const given = new Set(names);
  const valid = Array.isArray(keys) && keys.length === names.length && keys.every((k) => typeof k === 'string' && given.delete(k));
  if (!valid) fail(`the metadata's "${KEYS_KEY}" ${JSON.stringify(keysText)} does not list the file's tensors ${JSON.stringify(names)}`);
  const ordered = keys as string[];
  const record: Record<string, Tensor> = {};
  for (const k of ordered) defineEntry(record, k, tensors[k]);
  const value = form === 'map' ? new Map(ordered.map((k): [string, Tensor] => [k, tensors[k]])) : record;
  return { value, tensors: record, metadata: userMetadata };
}
