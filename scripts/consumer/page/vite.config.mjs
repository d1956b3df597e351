import { defineConfig } from 'vite';

// What the package README asks of a Vite app whose worker uses softmax-nn: ES-module workers.
export default defineConfig({ worker: { format: 'es' }, build: { target: 'es2022' } });
