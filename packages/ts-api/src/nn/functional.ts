// nn.functional: the stateless forms of the layers (PyTorch's torch.nn.functional).

export { linear } from '../tensor/ops/linalg.js';
export { relu, sigmoid } from '../tensor/ops/elementwise.js';
export { softmax, logSoftmax } from '../tensor/ops/softmax.js';
export { dropout } from '../tensor/ops/dropout.js';
export { crossEntropy, mseLoss } from '../tensor/ops/loss.js';
export { flatten } from '../tensor/ops/shape.js';
export { oneHot } from '../tensor/ops/gather.js';
export { binaryCrossEntropyWithLogits, binaryCrossEntropy, nllLoss, l1Loss, smoothL1Loss, huberLoss } from './loss-functions.js';
export { tanh, leakyRelu, gelu, softplus } from './activations.js';
export { gumbelSoftmax, type GumbelSoftmaxOptions } from './gumbel.js';
export { conv2d, type Conv2dOptions, type Size2 } from '../tensor/ops/conv.js';
export { maxPool2d, avgPool2d, adaptiveAvgPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from '../tensor/ops/pool.js';
export { batchNorm, type BatchNormOptions } from '../tensor/ops/batch-norm.js';
