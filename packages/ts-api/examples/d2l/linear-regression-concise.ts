// d2l.ai 3.3 "Concise Implementation of Linear Regression" (线性回归的简洁实现), ported with the structure
// of the book's code: the synthetic dataset of 3.2, a shuffling DataLoader over a TensorDataset,
// nn.Sequential(nn.Linear(2, 1)), nn.MSELoss and optim.SGD, three epochs printing the loss on the whole
// dataset, then the estimation errors of w and b. The data, the initial weight and every pass's batch
// order can be replayed from PyTorch's run (./shared.ts). Mirror: parity/d2l/ch3_3_linear_regression_concise.py.

import { nn, optim, tensor } from '../../src/index.js';
import * as d2l from './d2l.js';
import { shared } from './shared.js';

// 3.3.1 Generating the dataset (生成数据集)
const trueW = tensor([2, -3.4]);
const trueB = 4.2;
const [features, labels] = d2l.syntheticData(trueW, trueB, 1000);

// 3.3.2 Reading the dataset (读取数据集): the book defines load_array here (#@save); ./d2l.ts holds it.
const loadArray = d2l.loadArray;

const batchSize = 10;
const dataIter = loadArray([features, labels], batchSize);

// next(iter(data_iter)), printed as Python prints the list [X, y]; return() ends the pass, freeing the batch
const it = dataIter[Symbol.iterator]();
const [X0, y0] = it.next().value!;
console.log(`[${X0}, ${y0}]`);
it.return?.();

// 3.3.3 Defining the model (定义模型)
// nn is short for neural networks
const net = new nn.Sequential(new nn.Linear(2, 1));

// 3.3.4 Initializing model parameters (初始化模型参数)
const linear = net[0] as nn.Linear;
linear.weight.data.normal_(0, 0.01);
linear.bias!.data.fill_(0);
shared('net', net);

// 3.3.5 Defining the loss function (定义损失函数)
const loss = new nn.MSELoss();

// 3.3.6 Defining the optimization algorithm (定义优化算法)
const trainer = new optim.SGD(net.parameters(), { lr: 0.03 });

// 3.3.7 Training (训练)
const numEpochs = 3;
for (let epoch = 0; epoch < numEpochs; epoch++) {
  for (const [X, y] of dataIter) {
    const l = loss.forward(net.forward(X), y);
    trainer.zeroGrad();
    l.backward();
    trainer.step();
  }
  const l = loss.forward(net.forward(features), labels);
  console.log(`epoch ${epoch + 1}, loss ${l.item().toFixed(6)}`);
}

const w = linear.weight.data;
console.log('w的估计误差：', trueW.sub(w.reshape(trueW.shape)).toString());
const b = linear.bias!.data;
console.log('b的估计误差：', b.neg().add(trueB).toString());
