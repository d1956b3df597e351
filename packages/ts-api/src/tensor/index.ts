// The tensor layer's public surface: the Tensor class, creation, ops as functions, autograd and memory.

export { Tensor, memory, type DType, type MemoryInfo, type NestedArray, type BackwardFn } from './tensor.js';
export { tidy, keep } from './scope.js';
export { setDebugLeaks, type MemoryGroup } from './leaks.js';
export { noGrad, enableGrad, isGradEnabled } from './grad-mode.js';
export {
  tensor, zeros, ones, full, zerosLike, onesLike, randn, rand, arange,
  type TensorOptions, type TensorData, type FillOptions, type RandomOptions,
} from './ops/create.js';
export { add, sub, mul, div, neg, exp, log, abs, relu, sigmoid, pow, square, sqrt } from './ops/elementwise.js';
export { matmul, linear, transpose, t } from './ops/linalg.js';
export { sum, mean, argmax, eq } from './ops/reduce.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { reshape, flatten, squeeze, unsqueeze, expand, detach, clone } from './ops/shape.js';
export { crossEntropy, mseLoss, type CrossEntropyOptions } from './ops/loss.js';
export { dropout } from './ops/dropout.js';
