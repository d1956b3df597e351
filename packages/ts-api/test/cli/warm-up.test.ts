// The CLI's warm-up before training (src/warm-up.ts) must leave no trace: the global generator where it
// was, every tensor and wasm byte it made freed.

import { describe, expect, it } from 'vitest';
import { backendMemory, rng } from '../../src/backend/index.js';
import { manualSeed, memory } from '../../src/index.js';
import { warmUp } from '../../src/warm-up.js';

describe('warmUp', () => {
  it.each([
    ['softmax', { model: 'softmax', hidden: 256, dropout: 0 }],
    ['mlp with dropout', { model: 'mlp', hidden: 32, dropout: 0.2 }],
    ['lenet', { model: 'lenet', hidden: 0, dropout: 0 }],
    ['lenet-bn (running statistics)', { model: 'lenet-bn', hidden: 0, dropout: 0 }],
  ] as const)('%s: the generator, the live tensors and the wasm bytes are as before', async (_name, arch) => {
    manualSeed(123);
    const state = rng.getState();
    const tensors = memory().tensors;
    const bytes = backendMemory().bytes;
    await warmUp(arch);
    expect(Array.from(rng.getState())).toEqual(Array.from(state));
    expect(memory().tensors).toBe(tensors);
    expect(backendMemory().bytes).toBe(bytes);
  });
});
