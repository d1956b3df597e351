// The pieces of the book's d2l library (`from d2l import torch as d2l`) that the ports call, written
// as the library writes them; their random draws can be replayed from PyTorch's run (./shared.ts).
// d2l.Animator draws the curves; its stand-in prints their last point (train_ch3's: every epoch's).
// Mirror: parity/d2l/d2l_torch.py.

import { arange, cos, data, DataLoader, nn, noGrad, normal, optim, pow, sin, slice, tensor, TensorDataset, textLabels, zeros, type Tensor } from '../../src/index.js';
import { fashionMnistLoaders, fashionMnistOnce } from '../common.js';
import { replayedOrders, shared } from './shared.js';

/** y = Xw + b + noise. */
export function syntheticData(w: Tensor, b: number, numExamples: number): [Tensor, Tensor] {
  const X = shared('synthetic_data.X', normal(0, 1, [numExamples, w.shape[0]]));
  let y = X.matmul(w).add(b);
  y = y.add(shared('synthetic_data.noise', normal(0, 0.01, y.shape)));
  return [X, y.reshape(-1, 1)];
}

/**
 * A PyTorch-style data iterator (shuffled when isTrain). When replaying, a shuffling one takes each
 * pass's order from PyTorch's recorded run instead of drawing it.
 */
export function loadArray(dataArrays: [Tensor, Tensor], batchSize: number, isTrain = true): Iterable<[Tensor, Tensor]> {
  const dataset = new TensorDataset(...dataArrays);
  if (!isTrain) return new DataLoader(dataset, { batchSize, shuffle: false });
  const orders = replayedOrders('order');
  if (orders === null) return new DataLoader(dataset, { batchSize, shuffle: true });
  const [X, y] = dataArrays;
  let pass = 0;
  function* batches(order: Int32Array): Generator<[Tensor, Tensor]> {
    for (let i = 0; i < order.length; i += batchSize) {
      const idx = tensor(Array.from(order.subarray(i, i + batchSize)), { dtype: 'int32' });
      yield [X.index(idx), y.index(idx)];
    }
  }
  return {
    [Symbol.iterator]: () => {
      const order = orders[pass++];
      if (order === undefined) throw new Error(`D2L_REPLAY: the loader is iterated more often than PyTorch's (${orders.length} passes recorded)`);
      return data.scoped(batches(order))[Symbol.iterator]();
    },
  };
}

/** The linear regression model. */
export function linreg(X: Tensor, w: Tensor, b: Tensor): Tensor {
  return X.matmul(w).add(b);
}

/** Squared loss. */
export function squaredLoss(yHat: Tensor, y: Tensor): Tensor {
  return yHat.sub(y.reshape(yHat.shape)).pow(2).div(2);
}

/** Minibatch stochastic gradient descent. */
export function sgd(params: Tensor[], lr: number, batchSize: number): void {
  noGrad(() => {
    for (const param of params) {
      param.sub_(param.grad!.mul(lr).div(batchSize));
      param.grad!.zero_();
    }
  });
}

/** Sums over n variables. */
export class Accumulator {
  data: number[];

  constructor(n: number) {
    this.data = new Array<number>(n).fill(0);
  }

  add(...args: number[]): void {
    this.data = this.data.map((a, i) => a + Number(args[i]));
  }

  reset(): void {
    this.data = this.data.map(() => 0);
  }

  get(idx: number): number {
    return this.data[idx];
  }
}

/** A model or loss as PyTorch calls it: a function, or a module (`net(X)` is `net.forward(X)`). */
export type Callable = ((...inputs: Tensor[]) => Tensor) | nn.Module;

/** The model's loss on a dataset (the mean over its examples). */
export function evaluateLoss(net: Callable, dataIter: Iterable<[Tensor, Tensor]>, loss: Callable): number {
  const metric = new Accumulator(2); // sum of the losses, number of examples
  for (let [X, y] of dataIter) {
    const out = call(net, X);
    y = y.reshape(out.shape);
    const l = call(loss, out, y);
    metric.add(l.sum().item(), l.numel());
  }
  return metric.get(0) / metric.get(1);
}

export interface AnimatorOptions {
  xlabel?: string;
  ylabel?: string;
  legend?: string[];
  xlim?: [number, number];
  ylim?: [number, number];
  yscale?: 'linear' | 'log';
  /** The stand-in's own option: print every point, not only the last. */
  everyPoint?: boolean;
}

/** Stand-in for d2l.Animator: prints the last point of the curves (x === xlim[1]) instead of drawing them. */
export class Animator {
  readonly options: AnimatorOptions;

  constructor(options: AnimatorOptions = {}) {
    this.options = options;
  }

  add(x: number, y: number[]): void {
    const { xlabel, legend = [], xlim, everyPoint = false } = this.options;
    if (everyPoint || (xlim !== undefined && x === xlim[1])) {
      console.log(`${xlabel} ${x}:`, legend.map((name, i) => `${name} ${y[i]}`).join(', '));
    }
  }
}

/** The two-dimensional cross-correlation (计算二维互相关运算), from 6.2. */
export function corr2d(X: Tensor, K: Tensor): Tensor {
  const [h, w] = K.shape;
  const Y = zeros([X.shape[0] - h + 1, X.shape[1] - w + 1]);
  for (let i = 0; i < Y.shape[0]; i++) {
    for (let j = 0; j < Y.shape[1]; j++) {
      Y.indexPut_([i, j], X.index(slice(i, i + h), slice(j, j + w)).mul(K).sum());
    }
  }
  return Y;
}

/**
 * d2l.load_data_fashion_mnist (3.5): the training loader reshuffles every pass. With D2L_SHARE_ORDERS=1
 * and a replay, each pass takes the order PyTorch's run recorded instead.
 */
export async function loadDataFashionMnist(batchSize: number): Promise<[Iterable<[Tensor, Tensor]>, Iterable<[Tensor, Tensor]>]> {
  const [trainLoader, testLoader] = await fashionMnistLoaders(batchSize);
  const orders = process.env.D2L_SHARE_ORDERS === '1' ? replayedOrders('order') : null;
  if (orders === null) return [trainLoader, testLoader];
  const { train } = await fashionMnistOnce();
  let pass = 0;
  function* batches(order: Int32Array): Generator<[Tensor, Tensor]> {
    for (let i = 0; i < order.length; i += batchSize) yield train.getBatch(order.subarray(i, i + batchSize));
  }
  const replayed = {
    [Symbol.iterator]: () => {
      const order = orders[pass++];
      if (order === undefined) throw new Error(`D2L_REPLAY: the training set is iterated more often than PyTorch's (${orders.length} passes recorded)`);
      return data.scoped(batches(order))[Symbol.iterator]();
    },
  };
  return [replayed, testLoader];
}

/** `net(X)` for a function or a module. */
export function call(net: Callable, ...inputs: Tensor[]): Tensor {
  return net instanceof nn.Module ? net.forward(...inputs) : net(...inputs);
}

/** The number of correct predictions (3.6). */
export function accuracy(yHat: Tensor, y: Tensor): number {
  if (yHat.shape.length > 1 && yHat.shape[1] > 1) {
    yHat = yHat.argmax(1);
  }
  const cmp = yHat.type(y.dtype).eq(y);
  return Number(cmp.type(y.dtype).sum());
}

/** The model's accuracy on a dataset (3.6). */
export function evaluateAccuracy(net: Callable, dataIter: Iterable<[Tensor, Tensor]>): number {
  if (net instanceof nn.Module) {
    net.eval(); // evaluation mode
  }
  const metric = new Accumulator(2); // correct predictions, predictions
  noGrad(() => {
    for (const [X, y] of dataIter) {
      metric.add(accuracy(call(net, X), y), y.numel());
    }
  });
  return metric.get(0) / metric.get(1);
}

export type Updater = optim.Optimizer<object> | ((batchSize: number) => void);

/** One training epoch (chapter 3): the mean loss and the accuracy over the epoch's examples. */
export function trainEpochCh3(net: Callable, trainIter: Iterable<[Tensor, Tensor]>, loss: Callable, updater: Updater): [number, number] {
  // training mode
  if (net instanceof nn.Module) {
    net.train();
  }
  // sum of the training loss, sum of the correct predictions, number of examples
  const metric = new Accumulator(3);
  for (const [X, y] of trainIter) {
    // compute the gradients and update the parameters
    const yHat = call(net, X);
    const l = call(loss, yHat, y);
    if (updater instanceof optim.Optimizer) {
      // PyTorch's built-in optimiser and loss
      updater.zeroGrad();
      l.mean().backward();
      updater.step();
    } else {
      // the hand-written optimiser and loss
      l.sum().backward();
      updater(X.shape[0]);
    }
    metric.add(Number(l.sum()), accuracy(yHat, y), y.numel());
  }
  // the training loss and accuracy
  return [metric.get(0) / metric.get(2), metric.get(1) / metric.get(2)];
}

function assert(condition: boolean, value: number): void {
  if (!condition) throw new Error(`AssertionError: ${value}`);
}

/**
 * The book's epoch count, or D2L_EPOCHS when set (the tests' short runs). A short run skips train_ch3's
 * asserts, which hold for the book's epochs: the tests check its lines against PyTorch's instead.
 */
export function numEpochsOr(bookEpochs: number): number {
  const n = process.env.D2L_EPOCHS;
  if (n === undefined || n === '') return bookEpochs;
  if (!/^[1-9]\d*$/.test(n)) throw new Error(`D2L_EPOCHS must be a positive integer, got ${JSON.stringify(n)}`);
  return Number(n);
}

/** Trains the model (chapter 3); the Animator prints each epoch's point. */
export function trainCh3(net: Callable, trainIter: Iterable<[Tensor, Tensor]>, testIter: Iterable<[Tensor, Tensor]>,
                         loss: Callable, numEpochs: number, updater: Updater): void {
  const animator = new Animator({ xlabel: 'epoch', xlim: [1, numEpochs], ylim: [0.3, 0.9],
                                  legend: ['train loss', 'train acc', 'test acc'], everyPoint: true });
  let trainMetrics: [number, number] = [NaN, NaN];
  let testAcc = NaN;
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    trainMetrics = trainEpochCh3(net, trainIter, loss, updater);
    testAcc = evaluateAccuracy(net, testIter);
    animator.add(epoch + 1, [...trainMetrics, testAcc]);
  }
  if (process.env.D2L_EPOCHS !== undefined && process.env.D2L_EPOCHS !== '') return;
  const [trainLoss, trainAcc] = trainMetrics;
  assert(trainLoss < 0.5, trainLoss);
  assert(trainAcc <= 1 && trainAcc > 0.7, trainAcc);
  assert(testAcc <= 1 && testAcc > 0.7, testAcc);
}

/** Predicts labels (chapter 3); prints the titles the book draws above the first n images. */
export function predictCh3(net: Callable, testIter: Iterable<[Tensor, Tensor]>, n = 6): void {
  for (const [X, y] of testIter) {
    const trues = textLabels(y.toArray());
    const preds = textLabels(call(net, X).argmax(1).toArray());
    const titles = trues.map((t, i) => `${t}\n${preds[i]}`);
    console.log('trues:', titles.slice(0, n).map((t) => t.split('\n')[0]).join(', '));
    console.log('preds:', titles.slice(0, n).map((t) => t.split('\n')[1]).join(', '));
    break;
  }
}

/** Positional encoding (10.6). */
export class PositionalEncoding extends nn.Module {
  readonly dropout: nn.Dropout;
  // a plain tensor, not a parameter or buffer: as in the book, the module does not register P
  P: Tensor;

  constructor(numHiddens: number, dropout: number, maxLen = 1000) {
    super();
    this.dropout = new nn.Dropout(dropout);
    // create a long enough P
    this.P = zeros([1, maxLen, numHiddens]);
    const X = arange(maxLen, { dtype: 'float32' }).reshape(
      -1, 1).div(pow(10000, arange(
      0, numHiddens, 2, { dtype: 'float32' }).div(numHiddens)));
    this.P.indexPut_([':', ':', '0::2'], sin(X));
    this.P.indexPut_([':', ':', '1::2'], cos(X));
  }

  forward(X: Tensor): Tensor {
    X = X.add(this.P.index(':', slice(null, X.shape[1]), ':'));
    return this.dropout.forward(X);
  }
}
