// softmax-nn: PyTorch's training API for TypeScript, on a Rust + WebAssembly SIMD core.

export * from './tensor/index.js';
export { manualSeed, getRngState, setRngState } from './random.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export { DataLoader, TensorDataset, loadDataFashionMnist, textLabels } from './data/index.js';
export * as train from './train/index.js';
export { evaluateAccuracy, trainEpoch, fit, EarlyStopping, Checkpoint, Ensemble } from './train/index.js';
export * as io from './io/index.js';

// fit(…, { workers: N > 1 }) loads the data-parallel runner on first use; train/ does not import it.
import { registerParallelRunner } from './train/step-runner.js';
registerParallelRunner(async () => (await import('./parallel/runner.js')).createParallelRunner);
