// d2l 3.2, linear regression from scratch: synthetic data, the data_iter generator, linreg,
// squared_loss and sgd written by hand, 3 epochs. The loops go through data.scoped, which frees what
// each iteration makes (the generator's batch too) when the loop moves on: constant memory, no tidy.
//   node --import tsx examples/linear-regression-scratch.ts [--seed N]
//
// Where the book's code uses ops softmax-nn does not have yet, the port says so: `torch.normal(mean,
// std, size)` is randn(size).mul(std).add(mean), `features[batch_indices]` copies the rows through
// JavaScript, and `param.grad.zero_()` copies zeros in.

import { data, manualSeed, matmul, noGrad, rand, randn, tensor, zeros, zerosLike, type Tensor } from '../src/index.js';
import { cliOptions, isMain } from './common.js';

export interface LinearRegressionOptions {
  seed?: number;
  log?: (line: string) => void;
  /** Called at the end of each epoch's iteration (the tests read memory() there). */
  afterEpoch?: (epoch: number) => void;
}

export interface LinearRegressionResult {
  /** The printed `loss` of each epoch. */
  losses: number[];
  /** true_w − w and true_b − b. */
  wError: number[];
  bError: number;
}

/** torch.normal(mean, std, size). */
function normal(mean: number, std: number, size: number[]): Tensor {
  return randn(size).mul(std).add(mean);
}

/** Generate y = Xw + b + noise. */
function syntheticData(w: Tensor, b: number, numExamples: number): [Tensor, Tensor] {
  const X = normal(0, 1, [numExamples, w.shape[0]]);
  let y = matmul(X, w).add(b);
  y = y.add(normal(0, 0.01, [...y.shape]));
  return [X, y.reshape([-1, 1])];
}

/** Python's random.shuffle, drawing from softmax-nn's seeded generator. */
function shuffle(indices: number[]): void {
  const u = rand([indices.length]).toArray();
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(u[i] * (i + 1));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
}

function* dataIter(batchSize: number, features: Tensor, labels: Tensor): Generator<[Tensor, Tensor]> {
  const numExamples = features.shape[0];
  const indices = Array.from({ length: numExamples }, (_, i) => i);
  // The examples are read at random, in no particular order
  shuffle(indices);
  const [fx, fy] = [features.toArray(), labels.toArray()];
  const [d, k] = [features.shape[1], labels.shape[1]];
  for (let i = 0; i < numExamples; i += batchSize) {
    const batchIndices = indices.slice(i, Math.min(i + batchSize, numExamples));
    // features[batch_indices], labels[batch_indices]
    const rows = (src: Float32Array | Int32Array, width: number): Float32Array =>
      Float32Array.from(batchIndices.flatMap((r) => Array.from(src.subarray(r * width, (r + 1) * width))));
    yield [tensor(rows(fx, d), { shape: [batchIndices.length, d] }), tensor(rows(fy, k), { shape: [batchIndices.length, k] })];
  }
}

/** The linear regression model. */
function linreg(X: Tensor, w: Tensor, b: Tensor): Tensor {
  return matmul(X, w).add(b);
}

/** Squared loss. */
function squaredLoss(yHat: Tensor, y: Tensor): Tensor {
  return yHat.sub(y.reshape(yHat.shape)).pow(2).div(2);
}

/** Minibatch stochastic gradient descent. */
function sgd(params: Tensor[], lr: number, batchSize: number): void {
  noGrad(() => {
    for (const param of params) {
      param.copy_(param.sub(param.grad!.mul(lr).div(batchSize))); // param -= lr * param.grad / batch_size
      param.grad!.copy_(zerosLike(param.grad!)); // param.grad.zero_()
    }
  });
}

export function run(options: LinearRegressionOptions = {}): LinearRegressionResult {
  const { seed = 0, log = console.log } = options;
  manualSeed(seed);
  const trueW = tensor([2, -3.4]).reshape([2, 1]);
  const trueB = 4.2;
  const [features, labels] = syntheticData(trueW, trueB, 1000);
  const [x0, y0] = [features.toArray(), labels.toArray()];
  log(`features: [${x0[0].toFixed(4)}, ${x0[1].toFixed(4)}] \nlabel: [${y0[0].toFixed(4)}]`);

  const batchSize = 10;
  const w = normal(0, 0.01, [2, 1]).requiresGrad_();
  const b = zeros(1, { requiresGrad: true });

  const lr = 0.03;
  const numEpochs = 3;
  const net = linreg;
  const loss = squaredLoss;

  const losses: number[] = [];
  // for epoch in range(num_epochs), scoped: what an epoch makes after its batches is freed too
  for (const epoch of data.scoped(Array(numEpochs).keys())) {
    for (const [X, y] of data.scoped(dataIter(batchSize, features, labels))) {
      const l = loss(net(X, w, b), y); // Minibatch loss in X and y
      // Compute gradient on l with respect to [w, b]
      l.sum().backward();
      sgd([w, b], lr, batchSize); // Update parameters using their gradient
    }
    noGrad(() => {
      const trainL = loss(net(features, w, b), labels);
      losses.push(trainL.mean().item());
      log(`epoch ${epoch + 1}, loss ${trainL.mean().item().toFixed(6)}`);
    });
    options.afterEpoch?.(epoch + 1);
  }
  const wError = Array.from(trueW.sub(w.reshape(trueW.shape)).toArray());
  const bError = trueB - b.item();
  log(`error in estimating w: [${wError.map((e) => e.toFixed(4)).join(', ')}]`);
  log(`error in estimating b: [${bError.toFixed(4)}]`);
  return { losses, wError, bError };
}

if (isMain(import.meta.url)) {
  run(cliOptions<never>());
}
