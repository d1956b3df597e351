/**
 * softmax-nn/backend in browsers (the package's non-Node condition): the same exports, and a top-level
 * await that loads softmax_core.wasm (fetch + compileStreaming) before the importer runs.
 */
import { loadBackend } from './load.js';

export * from './index.js';

await loadBackend();
