// The one seeded generator (implemented in the core): init, shuffling and dropout all draw from it,
// so the same seed gives the same bits in Node and in a browser worker.

import { rng } from './backend/index.js';

/** Seeds the generator, like `torch.manual_seed`. */
export function manualSeed(seed: number | bigint): void {
  if (typeof seed === 'number' && (!Number.isSafeInteger(seed) || seed < 0)) {
    throw new Error(`manualSeed: expected a non-negative integer, got ${seed}`);
  }
  rng.seed(seed);
}

/** The generator's state (4 words), for checkpoints; `setRngState` resumes the stream exactly. */
export function getRngState(): Uint32Array {
  return rng.getState();
}

export function setRngState(state: Uint32Array): void {
  if (!(state instanceof Uint32Array) || state.length !== 4) {
    throw new Error(`setRngState: expected a Uint32Array of 4 words (from getRngState()), got ${String(state)}`);
  }
  rng.setState(state);
}
