import { defineConfig } from 'vite';
import { fashionMnistPlugin } from './fashion-mnist-plugin.js';
import { nestedWorkersAsChunks } from './nested-workers-plugin.js';

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [fashionMnistPlugin()],
  // Cross-origin isolated (COOP + COEP), so that SharedArrayBuffer exists: fit's `workers` then
  // exchanges parameters and gradients through shared memory instead of messages.
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  // The worker script and the library's browser entry load the wasm with a top-level await: ES-module
  // workers (Vite's default worker format, 'iife', cannot hold a top-level await). A nested worker (the
  // data-parallel gradient workers) is a chunk of its parent worker's bundle: one copy of the library.
  worker: { format: 'es', plugins: () => [nestedWorkersAsChunks()] },
  build: { target: 'es2022' },
  // Pre-bundled at start-up, so that the first page load does not trigger a re-optimisation reload.
  optimizeDeps: { include: ['comlink', 'uplot'] },
});
