// Saving and loading safetensors files (Node only; `serialize`/`deserialize` work everywhere).

import type { Tensor } from '../tensor/tensor.js';
import type { StateDict } from '../nn/module.js';
import { importNode } from '../runtime.js';
import { writeFileDurable } from './atomic-write.js';
import { fromFile, toFile, type Loaded, type Saveable } from './forms.js';
import { deserialize, serialize, type SafetensorsContents } from './safetensors.js';

/**
 * Saves `value` — a Tensor, an array of Tensors, or a dict of name → Tensor (a plain object such as a
 * state dict, or a Map) — and optional string metadata to a safetensors file at `path` (PyTorch's
 * `torch.save(x, path)`, in safetensors). What was given is recorded in the metadata
 * (`softmax-nn.form`, and `softmax-nn.keys` for a dict's order) so that `io.load` gives the same form
 * back; the file stays a dict of tensors to any safetensors reader (a lone tensor is named `tensor`, a
 * list's are `0`, `1`, …).
 *
 * Atomic: the bytes are made first (so a bad value or metadata throws before any file is touched),
 * written to a temporary file in the same folder, fsynced, and renamed over `path`. On any failure an
 * existing file at `path` is left as it was. Parent folders are created.
 */
export async function save(path: string, value: Saveable, metadata?: Record<string, string>): Promise<void> {
  let bytes: Uint8Array;
  try {
    const file = toFile(value, metadata, 'io.save');
    bytes = serialize(file.tensors, file.metadata);
  } catch (e) {
    throw new Error(`cannot save ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  await writeFileDurable(path, bytes);
}

/** A file's tensors, the value in its saved form, and the caller's metadata. */
async function read(path: string): Promise<{ value: Loaded; tensors: Record<string, Tensor>; metadata: Record<string, string> }> {
  const fs = await importNode('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    throw new Error(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const raw = deserialize(bytes, path);
  try {
    return fromFile(raw.tensors, raw.metadata, path);
  } catch (e) {
    for (const t of Object.values(raw.tensors)) t.dispose();
    throw e;
  }
}

/**
 * Reads a safetensors file: its tensors by name (in the order they were saved, when `io.save` recorded
 * it) and the metadata given to `io.save` (the `softmax-nn.*` keys that record the form are left out).
 * Errors name `path`.
 */
export async function loadFile(path: string): Promise<SafetensorsContents> {
  const { tensors, metadata } = await read(path);
  return { tensors, metadata };
}

/**
 * Reads what `io.save` saved, in the form it was given (PyTorch's `torch.load`): a Tensor, a Tensor[]
 * in order, a plain object with the same keys in the same order, or a Map. A file that records no form
 * — written by PyTorch's `safetensors.torch.save_file`, or by an older softmax-nn — is a dict, and
 * comes back as a plain object in file order.
 *
 * A dict comes back as a plain object, not a Map, because that is what a state dict is here:
 * `net.stateDict()` returns one and `net.loadStateDict(await io.load(path))` takes it, as PyTorch's
 * `load_state_dict(torch.load(path))` does. (JavaScript lists integer-like keys such as `"1"` first in
 * any object; save a Map to keep any order exactly — it comes back as a Map.)
 *
 * The type parameter says what the caller expects the file to hold, as `torch.load` returns whatever
 * was saved: `await io.load<Tensor>('x-file')`, `const [x, y] = await io.load<Tensor[]>('x-files')`; it
 * is not checked against the file, and defaults to a state dict. Errors name `path`.
 */
export async function load<T extends Loaded = StateDict>(path: string): Promise<T> {
  return (await read(path)).value as T;
}
