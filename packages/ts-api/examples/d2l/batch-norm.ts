// d2l.ai 8.5 "Batch Normalization" (批量规范化), ported with the structure of the book's code: batch_norm
// from scratch and a BatchNorm layer holding its moving statistics, LeNet with it (lr 1.0, 10 epochs,
// train_ch6 of 6.6), the learned scale and shift of its first layer, then the concise LeNet with
// nn.BatchNorm2d / nn.BatchNorm1d trained the same way.
//   node --import tsx examples/d2l/batch-norm.ts [--epochs N] [--train-limit N] [--test-limit N] [--seed N]

import { isGradEnabled, keep, manualSeed, nn, ones, zeros, type Tensor } from '../../src/index.js';
import { cliOptions, fashionMnistLoaders, isMain, type CommonOptions } from '../common.js';
import { trainCh6, type EpochFigures } from './lenet.js';

// 8.5.3 Implementation from scratch (从零实现)
export function batchNorm(
  X: Tensor, gamma: Tensor, beta: Tensor, movingMean: Tensor, movingVar: Tensor, eps: number, momentum: number,
): [Tensor, Tensor, Tensor] {
  let XHat: Tensor;
  // isGradEnabled() tells training from prediction, as torch.is_grad_enabled() does in the book
  if (!isGradEnabled()) {
    // prediction: the moving mean and variance
    XHat = X.sub(movingMean).div(movingVar.add(eps).sqrt());
  } else {
    if (X.ndim !== 2 && X.ndim !== 4) throw new Error(`batchNorm: X must be 2-D or 4-D, got ${X.ndim}-D`);
    let mean: Tensor;
    let variance: Tensor;
    if (X.ndim === 2) {
      // fully connected: mean and variance over the feature dimension
      mean = X.mean(0);
      variance = X.sub(mean).pow(2).mean(0);
    } else {
      // 2-D convolution: per channel (axis 1), keeping X's shape for broadcasting
      mean = X.mean([0, 2, 3], true);
      variance = X.sub(mean).pow(2).mean([0, 2, 3], true);
    }
    // training: the current mean and variance
    XHat = X.sub(mean).div(variance.add(eps).sqrt());
    // update the moving mean and variance
    movingMean = movingMean.mul(momentum).add(mean.mul(1.0 - momentum));
    movingVar = movingVar.mul(momentum).add(variance.mul(1.0 - momentum));
  }
  const Y = gamma.mul(XHat).add(beta); // scale and shift
  return [Y, movingMean.data, movingVar.data];
}

export class BatchNorm extends nn.Module {
  gamma: Tensor;
  beta: Tensor;
  movingMean: Tensor;
  movingVar: Tensor;

  // numFeatures: outputs of a fully connected layer, or output channels of a convolution.
  // numDims: 2 for a fully connected layer, 4 for a convolution.
  constructor(numFeatures: number, numDims: number) {
    super();
    const shape = numDims === 2 ? [1, numFeatures] : [1, numFeatures, 1, 1];
    // scale and shift parameters (learned), initialised to 1 and 0
    this.gamma = nn.Parameter(ones(shape));
    this.beta = nn.Parameter(zeros(shape));
    // the moving statistics (not parameters), initialised to 0 and 1
    this.movingMean = keep(zeros(shape));
    this.movingVar = keep(ones(shape));
  }

  forward(X: Tensor): Tensor {
    const [Y, movingMean, movingVar] = batchNorm(X, this.gamma, this.beta, this.movingMean, this.movingVar, 1e-5, 0.9);
    // The new statistics are made inside a training step's scope: keep them past it, free the old ones.
    this.movingMean.dispose();
    this.movingVar.dispose();
    [this.movingMean, this.movingVar] = [keep(movingMean), keep(movingVar)];
    return Y;
  }
}

// 8.5.4 Using batch normalization in LeNet (使用批量规范化层的 LeNet)
export function lenetWithBatchNorm(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5), new BatchNorm(6, 4), new nn.Sigmoid(),
    new nn.AvgPool2d(2, { stride: 2 }),
    new nn.Conv2d(6, 16, 5), new BatchNorm(16, 4), new nn.Sigmoid(),
    new nn.AvgPool2d(2, { stride: 2 }), new nn.Flatten(),
    new nn.Linear(16 * 4 * 4, 120), new BatchNorm(120, 2), new nn.Sigmoid(),
    new nn.Linear(120, 84), new BatchNorm(84, 2), new nn.Sigmoid(),
    new nn.Linear(84, 10));
}

// 8.5.5 Concise implementation (简明实现)
export function lenetWithBatchNormConcise(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5), new nn.BatchNorm2d(6), new nn.Sigmoid(),
    new nn.AvgPool2d(2, { stride: 2 }),
    new nn.Conv2d(6, 16, 5), new nn.BatchNorm2d(16), new nn.Sigmoid(),
    new nn.AvgPool2d(2, { stride: 2 }), new nn.Flatten(),
    new nn.Linear(256, 120), new nn.BatchNorm1d(120), new nn.Sigmoid(),
    new nn.Linear(120, 84), new nn.BatchNorm1d(84), new nn.Sigmoid(),
    new nn.Linear(84, 10));
}

export interface BatchNormOptions extends CommonOptions {
  lr?: number;
  batchSize?: number;
}

export interface BatchNormRun {
  scratch: { net: nn.Sequential; figures: EpochFigures[] };
  concise: { net: nn.Sequential; figures: EpochFigures[] };
}

export async function run(options: BatchNormOptions = {}): Promise<BatchNormRun> {
  const { epochs = 10, batchSize = 256, lr = 1.0, seed = 0, log = console.log } = options;
  manualSeed(seed);
  const [trainIter, testIter] = await fashionMnistLoaders(batchSize, options);

  const net = lenetWithBatchNorm();
  const figures = trainCh6(net, trainIter, testIter, epochs, lr, log);
  // the scale parameter gamma and shift parameter beta learned by the first batch normalization layer
  const first = net[1] as BatchNorm;
  log(`(${first.gamma.reshape([-1])}, ${first.beta.reshape([-1])})`);

  const concise = lenetWithBatchNormConcise();
  const conciseFigures = trainCh6(concise, trainIter, testIter, epochs, lr, log);
  return { scratch: { net, figures }, concise: { net: concise, figures: conciseFigures } };
}

if (isMain(import.meta.url)) {
  await run(cliOptions(['lr', 'batchSize']));
}
