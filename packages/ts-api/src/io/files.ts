// Saving and loading safetensors files (Node only; `serialize`/`deserialize` work everywhere).

import type { Tensor } from '../tensor/tensor.js';
import type { StateDict } from '../nn/module.js';
import { importNode } from '../runtime.js';
import { writeFileDurable } from './atomic-write.js';
import { deserialize, serialize, type SafetensorsContents } from './safetensors.js';

/**
 * Saves `tensors` (a state dict, say) and optional string metadata to a safetensors file at `path`,
 * atomically: the bytes are made first (so a bad tensor or metadata value throws before any file is
 * touched), written to a temporary file in the same folder, fsynced, and renamed over `path`. On any
 * failure an existing file at `path` is left as it was. Parent folders are created.
 */
export async function save(
  path: string,
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = serialize(tensors, metadata);
  } catch (e) {
    throw new Error(`cannot save ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  await writeFileDurable(path, bytes);
}

/** Reads a safetensors file: its tensors and metadata. Errors name `path`. */
export async function loadFile(path: string): Promise<SafetensorsContents> {
  const fs = await importNode('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    throw new Error(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return deserialize(bytes, path);
}

/** Reads the tensors of a safetensors file, ready for `module.loadStateDict(...)`. Errors name `path`. */
export async function load(path: string): Promise<StateDict> {
  return (await loadFile(path)).tensors;
}
