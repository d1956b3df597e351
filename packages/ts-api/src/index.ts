// softmax-nn: PyTorch's training API for TypeScript, on a Rust + WebAssembly SIMD core.

export * from './tensor/index.js';
export { manualSeed, getRngState, setRngState } from './random.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
