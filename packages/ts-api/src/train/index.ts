// The `train` namespace: the notes' training loop, its callbacks, checkpoints and ensembles.

export { evaluateAccuracy, evaluate, trainEpoch, trainStep } from './loop.js';
export { fit, type FitOptions, type History } from './fit.js';
export { accuracy } from './metrics.js';
export { EarlyStopping, type EarlyStoppingOptions, type EarlyStoppingState, type Monitor } from './early-stopping.js';
export { Checkpoint, saveCheckpoint, loadCheckpoint, type CheckpointParts, type CheckpointState } from './checkpoint.js';
export { Ensemble } from './ensemble.js';
export { INDEX_BATCHES, type IndexBatchSource } from './fused-step.js';
export type { Net, Loss, Updater, BatchLogs, EpochLogs, TrainContext, Callback, Scheduler } from './types.js';
export { TerminateOnNaN, NON_FINITE_STOP, type TerminateOnNaNOptions, type Divergence } from './terminate-on-nan.js';
