// d2l.ai 4.2 "多层感知机的从零开始实现" (multilayer perceptrons from scratch), ported with the structure of
// the book's code: the parameters as nn.Parameter, relu and the model written by hand, trained by
// d2l.train_ch3 with nn.CrossEntropyLoss(reduction='none') and torch.optim.SGD, then d2l.predict_ch3.
// The Animator prints each epoch's point instead of plotting it; predict_ch3 prints the six titles.
// W1 and W2 can be replayed from PyTorch's run (./shared.ts, D2L_REPLAY), and with D2L_SHARE_ORDERS=1
// the training batches' orders too (the live test records them). D2L_EPOCHS=n trains n epochs, not 10.
//   node --import tsx examples/d2l/mlp-scratch.ts
// `X@W1` is X.matmul(W1); torch.max(X, a) is max(X, a).

import { max, nn, optim, randn, zeros, zerosLike, type Tensor } from '../../src/index.js';
import * as d2l from './d2l.js';
import { shared } from './shared.js';

const batchSize = 256;
const [trainIter, testIter] = await d2l.loadDataFashionMnist(batchSize);

// 4.2.1 Initializing the model parameters (初始化模型参数)
const [numInputs, numOutputs, numHiddens] = [784, 10, 256];

const W1 = shared('W1', nn.Parameter(randn([numInputs, numHiddens], { requiresGrad: true }).mul(0.01)));
const b1 = nn.Parameter(zeros(numHiddens, { requiresGrad: true }));
const W2 = shared('W2', nn.Parameter(randn([numHiddens, numOutputs], { requiresGrad: true }).mul(0.01)));
const b2 = nn.Parameter(zeros(numOutputs, { requiresGrad: true }));

const params = [W1, b1, W2, b2];

// 4.2.2 The activation function (激活函数)
function relu(X: Tensor): Tensor {
  const a = zerosLike(X);
  return max(X, a);
}

// 4.2.3 The model (模型)
function net(X: Tensor): Tensor {
  X = X.reshape(-1, numInputs);
  const H = relu(X.matmul(W1).add(b1)); // "@" is matrix multiplication here
  return H.matmul(W2).add(b2);
}

// 4.2.4 The loss function (损失函数)
const loss = new nn.CrossEntropyLoss({ reduction: 'none' });

// 4.2.5 Training (训练)
const [numEpochs, lr] = [d2l.numEpochsOr(10), 0.1];
const updater = new optim.SGD(params, { lr });
d2l.trainCh3(net, trainIter, testIter, loss, numEpochs, updater);

d2l.predictCh3(net, testIter);
