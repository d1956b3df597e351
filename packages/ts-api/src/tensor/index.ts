// The tensor layer's public surface: the Tensor class, creation, ops as functions, autograd and memory.

export { Tensor, memory, type DType, type MemoryInfo, type NestedArray, type BackwardFn } from './tensor.js';
export { tidy, keep } from './scope.js';
export { setDebugLeaks, type MemoryGroup } from './leaks.js';
export { noGrad, enableGrad, isGradEnabled } from './grad-mode.js';
export {
  tensor, zeros, ones, full, emptyTensor as empty, zerosLike, onesLike, fullLike, eye, linspace, arange,
  type TensorOptions, type TensorData, type FillOptions, type SizeArgs,
} from './ops/create.js';
export { randn, rand, normal, randint, randperm, randnLike, randLike, type RandomOptions } from './ops/random.js';
export { cat, concat, stack, split, chunk, repeat, flip } from './ops/join.js';
export { gather, scatter, scatterAdd, indexSelect, oneHot } from './ops/gather.js';
export { repeatInterleave } from './ops/repeat-interleave.js';
export { sort } from './ops/sort.js';
export type { BackwardOptions } from './autograd.js';
export { add, sub, mul, div, neg, exp, log, abs, relu, sigmoid, pow, square, sqrt } from './ops/elementwise.js';
export { matmul, linear, transpose, t, dot, mv, mm, bmm } from './ops/linalg.js';
export { sum, mean, argmax, argmin } from './ops/reduce.js';
export { tanh, sign, floor, ceil, round, reciprocal, rsqrt, log1p, expm1, sin, cos, clamp, maximum, minimum } from './ops/unary.js';
export { max, min, amax, amin, type ValuesIndices } from './ops/extrema.js';
export { logsumexp, prod, variance as var, std, norm, cumsum, type VarOptions } from './ops/stats.js';
export type { DimArg } from './ops/dims.js';
export { eq, ne, lt, le, gt, ge } from './ops/compare.js';
export { logicalAnd, logicalOr, logicalXor, logicalNot, all, any } from './ops/logical.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { reshape, flatten, squeeze, unsqueeze, expand, detach, clone } from './ops/shape.js';
export { crossEntropy, mseLoss, type CrossEntropyOptions } from './ops/loss.js';
export { dropout } from './ops/dropout.js';
export { select, narrow, unbind, permute, view, contiguous } from './ops/view.js';
export { index, indexPut_, slice, Slice, type Index } from './ops/indexing.js';
export { maskedFill, where } from './ops/where.js';
