// The `io` namespace: safetensors files, byte-compatible with PyTorch's `safetensors.torch`.

export { serialize, deserialize, type SafetensorsContents, type SafetensorsMetadata } from './safetensors.js';
export { save, load, loadFile } from './files.js';
export type { Saveable, Loaded, SavedForm } from './forms.js';
