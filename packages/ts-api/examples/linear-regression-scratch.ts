// d2l 3.2, linear regression from scratch: synthetic data, the data_iter generator, linreg,
// squared_loss and sgd written by hand, 3 epochs. The loops go through data.scoped, which frees what
// each iteration makes (the generator's batch too) when the loop moves on: constant memory, no tidy.
//   node --import tsx examples/linear-regression-scratch.ts [--seed N]
// `features[batch_indices]` is features.index(batchIndices), `param -= …` param.sub_(…).

import { data, manualSeed, matmul, noGrad, normal, rand, sub, tensor, zeros, type Tensor } from '../src/index.js';
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

/** Generate y = Xw + b + noise. */
function syntheticData(w: Tensor, b: number, numExamples: number): [Tensor, Tensor] {
  const X = normal(0, 1, [numExamples, w.shape[0]]);
  const y = matmul(X, w).add(b);
  y.add_(normal(0, 0.01, y.shape));
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
  for (let i = 0; i < numExamples; i += batchSize) {
    const batchIndices = tensor(indices.slice(i, Math.min(i + batchSize, numExamples)), { dtype: 'int32' });
    yield [features.index(batchIndices), labels.index(batchIndices)];
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
      param.sub_(param.grad!.mul(lr).div(batchSize));
      param.grad!.zero_();
    }
  });
}

export function run(options: LinearRegressionOptions = {}): LinearRegressionResult {
  const { seed = 0, log = console.log } = options;
  manualSeed(seed);
  const trueW = tensor([2, -3.4]);
  const trueB = 4.2;
  const [features, labels] = syntheticData(trueW, trueB, 1000);
  log(`features: ${features.index(0)} \nlabel: ${labels.index(0)}`);

  const batchSize = 10;
  const w = normal(0, 0.01, [2, 1], { requiresGrad: true });
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
  const wError = trueW.sub(w.reshape(trueW.shape));
  const bError = sub(trueB, b);
  log(`error in estimating w: ${wError}`);
  log(`error in estimating b: ${bError}`);
  return { losses, wError: Array.from(wError.toArray()), bError: bError.item() };
}

if (isMain(import.meta.url)) {
  run(cliOptions<never>());
}
