// The `optim` namespace.

export { Optimizer, type ParamGroup, type ParamsArg, type ParamState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export * as lrScheduler from './lr-scheduler/index.js';
export { RMSprop, Adagrad, type RMSpropOptions, type AdagradOptions } from './adaptive.js';
