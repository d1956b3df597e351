// The `optim.lrScheduler` namespace (PyTorch's torch.optim.lr_scheduler).

export { LRScheduler, type SchedulerState } from './base.js';
export {
  StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, LambdaLR,
  type StepLROptions, type MultiStepLROptions, type ExponentialLROptions, type CosineAnnealingLROptions,
  type LinearLROptions, type LambdaLROptions,
} from './schedules.js';
export { OneCycleLR, type OneCycleLROptions } from './one-cycle.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
