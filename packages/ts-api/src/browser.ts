/**
 * softmax-nn in browsers and Web Workers (the package's non-Node condition): the same exports as
 * ./index.ts, and a top-level await that loads softmax_core.wasm (fetch + compileStreaming) before the
 * importer runs. No module of the library calls the wasm while it is being imported.
 */
import { loadBackend } from './backend/load.js';

export * from './index.js';

await loadBackend();
