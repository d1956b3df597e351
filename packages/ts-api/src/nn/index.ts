// The `nn` namespace.

export { Module, type StateDict, type LoadStateDictResult, type ModuleDescription } from './module.js';
export { Parameter, isParameter, type ParameterConstructor } from './parameter.js';
export { ModuleList, Sequential } from './sequential.js';
export { Linear } from './linear.js';
export { Conv2d, type Conv2dOptions, type PaddingMode } from './conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pooling.js';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './batch-norm.js';
export { Flatten, ReLU, Sigmoid, Softmax, LogSoftmax, Dropout, Identity } from './layers.js';
export { CrossEntropyLoss, MSELoss, type CrossEntropyLossOptions } from './loss.js';
export { BCEWithLogitsLoss, BCELoss, NLLLoss, L1Loss, SmoothL1Loss, HuberLoss } from './losses.js';
export type { BCEOptions, BCEWithLogitsOptions, NLLLossOptions, SmoothL1LossOptions, HuberLossOptions } from './loss-functions.js';
export { Tanh, LeakyReLU, GELU, Softplus, type GeluApproximate } from './activations.js';
export * as init from './init.js';
export * as functional from './functional.js';
export * as utils from './utils.js';
