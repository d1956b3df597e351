// d2l.ai 3.6 "softmax回归的从零开始实现" (softmax regression from scratch), ported with the structure of
// the book's code: softmax, the model, cross_entropy and accuracy written by hand, the Accumulator,
// evaluate_accuracy, train_epoch_ch3 / train_ch3 with the hand-written sgd updater, predict_ch3.
// The Animator prints each epoch's point instead of plotting it; predict_ch3 prints the six titles it
// would draw. W and the demo X can be replayed from PyTorch's run (./shared.ts, D2L_REPLAY), and with
// D2L_SHARE_ORDERS=1 the training batches' orders too (too big to commit: the live test records them).
//   node --import tsx examples/d2l/softmax-regression-scratch.ts
// `y_hat[[0, 1], y]` is yHat.index([0, 1], y); `y_hat.type(y.dtype) == y` is .type(y.dtype).eq(y);
// torch.tensor([0, 2]) is int64; here labels are int32, named, since tensor([0, 2]) alone is float32.

import { data, exp, matmul, nn, normal, optim, tensor, textLabels, noGrad, zeros, type Tensor } from '../../src/index.js';
import { fashionMnistLoaders, fashionMnistOnce } from '../common.js';
import * as d2l from './d2l.js';
import { replayedOrders, shared } from './shared.js';

/**
 * d2l.load_data_fashion_mnist: the training loader reshuffles every pass. With D2L_SHARE_ORDERS=1 and a
 * replay, each pass takes the order PyTorch's run recorded instead.
 */
async function loadDataFashionMnist(batchSize: number): Promise<[Iterable<[Tensor, Tensor]>, Iterable<[Tensor, Tensor]>]> {
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

const batchSize = 256;
const [trainIter, testIter] = await loadDataFashionMnist(batchSize);

// 3.6.1 Initializing the model parameters (初始化模型参数)
const numInputs = 784;
const numOutputs = 10;

const W = shared('W', normal(0, 0.01, [numInputs, numOutputs], { requiresGrad: true }));
const b = zeros(numOutputs, { requiresGrad: true });

// 3.6.2 Defining the softmax operation (定义softmax操作)
let X = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
console.log(X.sum(0, true), X.sum(1, true));

function softmax(X: Tensor): Tensor {
  const XExp = exp(X);
  const partition = XExp.sum(1, true);
  return XExp.div(partition); // broadcasting is applied here
}

X = shared('X', normal(0, 1, [2, 5]));
const XProb = softmax(X);
console.log(XProb, XProb.sum(1));

// 3.6.3 Defining the model (定义模型)
function net(X: Tensor): Tensor {
  return softmax(matmul(X.reshape(-1, W.shape[0]), W).add(b));
}

// 3.6.4 Defining the loss function (定义损失函数)
const y = tensor([0, 2], { dtype: 'int32' });
const yHat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]);
console.log(yHat.index([0, 1], y));

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function crossEntropy(yHat: Tensor, y: Tensor): Tensor {
  return yHat.index(range(yHat.shape[0]), y).log().neg();
}

console.log(crossEntropy(yHat, y));

// 3.6.5 Classification accuracy (分类精度)
/** The number of correct predictions. */
function accuracy(yHat: Tensor, y: Tensor): number {
  if (yHat.shape.length > 1 && yHat.shape[1] > 1) {
    yHat = yHat.argmax(1);
  }
  const cmp = yHat.type(y.dtype).eq(y);
  return Number(cmp.type(y.dtype).sum());
}

console.log(accuracy(yHat, y) / y.shape[0]);

/** The model's accuracy on a dataset. */
function evaluateAccuracy(net: d2l.Callable, dataIter: Iterable<[Tensor, Tensor]>): number {
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

/** `net(X)` for a function or a module. */
function call(net: d2l.Callable, X: Tensor): Tensor {
  return net instanceof nn.Module ? net.forward(X) : net(X);
}

/** Sums over n variables. */
class Accumulator {
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

console.log(evaluateAccuracy(net, testIter));

// 3.6.6 Training (训练)
type Updater = optim.Optimizer<object> | ((batchSize: number) => void);
type Loss = (yHat: Tensor, y: Tensor) => Tensor;

/** One training epoch (chapter 3): the mean loss and the accuracy over the epoch's examples. */
function trainEpochCh3(net: d2l.Callable, trainIter: Iterable<[Tensor, Tensor]>, loss: Loss, updater: Updater): [number, number] {
  // training mode
  if (net instanceof nn.Module) {
    net.train();
  }
  // sum of the training loss, sum of the correct predictions, number of examples
  const metric = new Accumulator(3);
  for (const [X, y] of trainIter) {
    // compute the gradients and update the parameters
    const yHat = call(net, X);
    const l = loss(yHat, y);
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

interface AnimatorOptions {
  xlabel?: string;
  xlim?: [number, number];
  ylim?: [number, number];
  legend?: string[];
}

/** Stand-in for the book's Animator: prints each point (one line per x) instead of plotting it. */
class Animator {
  readonly options: AnimatorOptions;

  constructor(options: AnimatorOptions = {}) {
    this.options = options;
  }

  add(x: number, y: number[]): void {
    const { xlabel, legend = [] } = this.options;
    console.log(`${xlabel} ${x}:`, legend.map((name, i) => `${name} ${y[i]}`).join(', '));
  }
}

function assert(condition: boolean, value: number): void {
  if (!condition) throw new Error(`AssertionError: ${value}`);
}

/** Trains the model (chapter 3). */
function trainCh3(net: d2l.Callable, trainIter: Iterable<[Tensor, Tensor]>, testIter: Iterable<[Tensor, Tensor]>,
                  loss: Loss, numEpochs: number, updater: Updater): void {
  const animator = new Animator({ xlabel: 'epoch', xlim: [1, numEpochs], ylim: [0.3, 0.9],
                                  legend: ['train loss', 'train acc', 'test acc'] });
  let trainMetrics: [number, number] = [NaN, NaN];
  let testAcc = NaN;
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    trainMetrics = trainEpochCh3(net, trainIter, loss, updater);
    testAcc = evaluateAccuracy(net, testIter);
    animator.add(epoch + 1, [...trainMetrics, testAcc]);
  }
  const [trainLoss, trainAcc] = trainMetrics;
  assert(trainLoss < 0.5, trainLoss);
  assert(trainAcc <= 1 && trainAcc > 0.7, trainAcc);
  assert(testAcc <= 1 && testAcc > 0.7, testAcc);
}

const lr = 0.1;

function updater(batchSize: number): void {
  d2l.sgd([W, b], lr, batchSize);
}

const numEpochs = 10;
trainCh3(net, trainIter, testIter, crossEntropy, numEpochs, updater);

// 3.6.7 Prediction (预测)
/** Predicts labels (chapter 3); prints the titles the book draws above the first n images. */
function predictCh3(net: d2l.Callable, testIter: Iterable<[Tensor, Tensor]>, n = 6): void {
  for (const [X, y] of testIter) {
    const trues = textLabels(y.toArray());
    const preds = textLabels(call(net, X).argmax(1).toArray());
    const titles = trues.map((t, i) => `${t}\n${preds[i]}`);
    console.log('trues:', titles.slice(0, n).map((t) => t.split('\n')[0]).join(', '));
    console.log('preds:', titles.slice(0, n).map((t) => t.split('\n')[1]).join(', '));
    break;
  }
}

predictCh3(net, testIter);
