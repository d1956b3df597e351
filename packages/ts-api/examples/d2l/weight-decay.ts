// d2l.ai 4.5 "Weight Decay" (权重衰减), ported with the structure of the book's code: high-dimensional
// linear regression on 20 examples, trained from scratch with an L2 penalty (train) and with the
// optimiser's per-group weight decay (trainConcise), each printing the weight's L2 norm as the book
// does. The book plots the train and test loss with d2l.Animator; its stand-in (./d2l.ts) prints the
// last point. The data, initial weights and batch order can be replayed from PyTorch's run (./shared.ts).

import { nn, normal, ones, optim, zeros, type Tensor } from '../../src/index.js';
import * as d2l from './d2l.js';
import { shared } from './shared.js';

const [nTrain, nTest, numInputs, batchSize] = [20, 100, 200, 5];
const [trueW, trueB] = [ones(numInputs, 1).mul(0.01), 0.05];
const trainData = d2l.syntheticData(trueW, trueB, nTrain);
const trainIter = d2l.loadArray(trainData, batchSize);
const testData = d2l.syntheticData(trueW, trueB, nTest);
const testIter = d2l.loadArray(testData, batchSize, false);

// 4.5.2.1 Initializing model parameters (初始化模型参数)
function initParams(): [Tensor, Tensor] {
  const w = shared('w', normal(0, 1, [numInputs, 1], { requiresGrad: true }));
  const b = zeros(1, { requiresGrad: true });
  return [w, b];
}

// 4.5.2.2 Defining the L2 norm penalty (定义L2范数惩罚)
function l2Penalty(w: Tensor): Tensor {
  return w.pow(2).sum().div(2);
}

// 4.5.2.3 Defining the training loop (定义训练代码实现)
function train(lambd: number): void {
  const [w, b] = initParams();
  const [net, loss] = [(X: Tensor) => d2l.linreg(X, w, b), d2l.squaredLoss];
  const [numEpochs, lr] = [100, 0.003];
  const animator = new d2l.Animator({ xlabel: 'epochs', ylabel: 'loss', yscale: 'log', xlim: [5, numEpochs], legend: ['train', 'test'] });
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    for (const [X, y] of trainIter) {
      // The L2 penalty is added; broadcasting makes l2Penalty(w) a vector of length batchSize.
      const l = loss(net(X), y).add(l2Penalty(w).mul(lambd));
      l.sum().backward();
      d2l.sgd([w, b], lr, batchSize);
    }
    if ((epoch + 1) % 5 === 0) {
      animator.add(epoch + 1, [d2l.evaluateLoss(net, trainIter, loss), d2l.evaluateLoss(net, testIter, loss)]);
    }
  }
  console.log('w的L2范数是：', w.norm().item());
}

// 4.5.2.4 Training without regularization (忽略正则化直接训练)
train(0);

// 4.5.2.5 Using weight decay (使用权重衰减)
train(3);

// 4.5.3 Concise implementation (简洁实现)
function trainConcise(wd: number): void {
  const net = new nn.Sequential(new nn.Linear(numInputs, 1));
  for (const param of net.parameters()) {
    param.data.normal_();
  }
  shared('net', net);
  const loss = new nn.MSELoss({ reduction: 'none' });
  const [numEpochs, lr] = [100, 0.003];
  // The bias is not decayed.
  const trainer = new optim.SGD([
    { params: (net[0] as nn.Linear).weight, weightDecay: wd },
    { params: (net[0] as nn.Linear).bias! }], { lr });
  const animator = new d2l.Animator({ xlabel: 'epochs', ylabel: 'loss', yscale: 'log', xlim: [5, numEpochs], legend: ['train', 'test'] });
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    for (const [X, y] of trainIter) {
      trainer.zeroGrad();
      const l = loss.forward(net.forward(X), y);
      l.mean().backward();
      trainer.step();
    }
    if ((epoch + 1) % 5 === 0) {
      animator.add(epoch + 1, [d2l.evaluateLoss(net, trainIter, loss), d2l.evaluateLoss(net, testIter, loss)]);
    }
  }
  console.log('w的L2范数：', (net[0] as nn.Linear).weight.norm().item());
}

trainConcise(0);
trainConcise(3);
