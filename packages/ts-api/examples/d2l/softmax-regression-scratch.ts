// d2l.ai 3.6 "softmax回归的从零开始实现" (softmax regression from scratch), ported with the structure of
// the book's code: softmax, the model and cross_entropy written by hand, trained by train_ch3 with the
// hand-written sgd updater. What the book defines here for later chapters (accuracy, Accumulator,
// evaluate_accuracy, train_epoch_ch3 / train_ch3, predict_ch3) lives in ./d2l.ts, where 4.x import it.
// The Animator prints each epoch's point instead of plotting it; predict_ch3 prints the six titles it
// would draw. W and the demo X can be replayed from PyTorch's run (./shared.ts, D2L_REPLAY), and with
// D2L_SHARE_ORDERS=1 the training batches' orders too (too big to commit: the live test records them).
//   node --import tsx examples/d2l/softmax-regression-scratch.ts
// `y_hat[[0, 1], y]` is yHat.index([0, 1], y); `y_hat.type(y.dtype) == y` is .type(y.dtype).eq(y);
// torch.tensor([0, 2]) is int64; here labels are int32, named, since tensor([0, 2]) alone is float32.

import { exp, matmul, normal, tensor, zeros, type Tensor } from '../../src/index.js';
import * as d2l from './d2l.js';
import { shared } from './shared.js';

// d2l.load_data_fashion_mnist; with D2L_SHARE_ORDERS=1 and a replay, the batches in PyTorch's orders
const loadDataFashionMnist = d2l.loadDataFashionMnist;

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
// accuracy: d2l.accuracy (./d2l.ts)
const accuracy = d2l.accuracy;

console.log(accuracy(yHat, y) / y.shape[0]);

// evaluate_accuracy and its Accumulator: d2l.evaluateAccuracy, d2l.Accumulator (./d2l.ts)
const evaluateAccuracy = d2l.evaluateAccuracy;

console.log(evaluateAccuracy(net, testIter));

// 3.6.6 Training (训练)
// train_epoch_ch3, the Animator (printing each epoch) and train_ch3: d2l.trainEpochCh3, d2l.trainCh3
const trainCh3 = d2l.trainCh3;

const lr = 0.1;

function updater(batchSize: number): void {
  d2l.sgd([W, b], lr, batchSize);
}

const numEpochs = 10;
trainCh3(net, trainIter, testIter, crossEntropy, numEpochs, updater);

// 3.6.7 Prediction (预测)
// predict_ch3: d2l.predictCh3 (./d2l.ts)
const predictCh3 = d2l.predictCh3;

predictCh3(net, testIter);
