import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One file at a time: each trains in Chromium, and CI has two cores.
    fileParallelism: false,
  },
});
