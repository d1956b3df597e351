import { defineConfig } from 'vite';
import { fashionMnistPlugin } from './fashion-mnist-plugin.js';

export default defineConfig({
  plugins: [fashionMnistPlugin()],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  // The worker imports the library, whose backend loads the wasm with a top-level await: ES-module
  // workers (Vite's default worker format, 'iife', cannot hold a top-level await).
  worker: { format: 'es' },
  build: { target: 'es2022' },
  // Pre-bundled at start-up, so that the first page load does not trigger a re-optimisation reload.
  optimizeDeps: { include: ['comlink', 'uplot'] },
});
