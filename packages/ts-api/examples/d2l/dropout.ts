// d2l.ai 4.6 "暂退法（Dropout）" (dropout), ported with the structure of the book's code: dropout_layer
// from scratch and its test on X = arange(16).reshape(2, 8), the Net with two dropout layers trained by
// d2l.train_ch3, then the concise nn.Sequential with nn.Dropout trained the same way.
// The networks' initial parameters can be replayed from PyTorch's run (./shared.ts, D2L_REPLAY), and with
// D2L_SHARE_ORDERS=1 the training batches' orders too; the dropout masks cannot: our generator is not
// PyTorch's, so dropout_layer(X, 0.5) and the training lines differ from PyTorch's by chance (the test
// checks them by structure and within bounds). D2L_EPOCHS=n trains each network n epochs, not 10.
//   node --import tsx examples/d2l/dropout.ts
// `type(m) == nn.Linear` is m.constructor === nn.Linear; `self.training = is_training` sets Module.training.

import { arange, nn, optim, rand, zerosLike, type Tensor } from '../../src/index.js';
import * as d2l from './d2l.js';
import { shared } from './shared.js';

// 4.6.4 Implementation from scratch (从零开始实现)
function dropoutLayer(X: Tensor, dropout: number): Tensor {
  if (!(0 <= dropout && dropout <= 1)) throw new Error(`AssertionError: 0 <= dropout <= 1, got ${dropout}`);
  // in this case every element is dropped
  if (dropout === 1) {
    return zerosLike(X);
  }
  // in this case every element is kept
  if (dropout === 0) {
    return X;
  }
  const mask = rand(X.shape).gt(dropout).float();
  return mask.mul(X).div(1.0 - dropout);
}

const X = arange(16, { dtype: 'float32' }).reshape(2, 8);
console.log(X);
console.log(dropoutLayer(X, 0.));
console.log(dropoutLayer(X, 0.5));
console.log(dropoutLayer(X, 1.));

// 4.6.4.1 Defining the model parameters (定义模型参数)
const [numInputs, numOutputs, numHiddens1, numHiddens2] = [784, 10, 256, 256];

// 4.6.4.2 Defining the model (定义模型)
const [dropout1, dropout2] = [0.2, 0.5];

class Net extends nn.Module {
  readonly numInputs: number;
  readonly lin1: nn.Linear;
  readonly lin2: nn.Linear;
  readonly lin3: nn.Linear;
  readonly relu: nn.ReLU;

  constructor(numInputs: number, numOutputs: number, numHiddens1: number, numHiddens2: number, isTraining = true) {
    super();
    this.numInputs = numInputs;
    this.training = isTraining;
    this.lin1 = new nn.Linear(numInputs, numHiddens1);
    this.lin2 = new nn.Linear(numHiddens1, numHiddens2);
    this.lin3 = new nn.Linear(numHiddens2, numOutputs);
    this.relu = new nn.ReLU();
  }

  forward(X: Tensor): Tensor {
    let H1 = this.relu.forward(this.lin1.forward(X.reshape(-1, this.numInputs)));
    // dropout only while training
    if (this.training === true) {
      // a dropout layer after the first fully connected layer
      H1 = dropoutLayer(H1, dropout1);
    }
    let H2 = this.relu.forward(this.lin2.forward(H1));
    if (this.training === true) {
      // a dropout layer after the second fully connected layer
      H2 = dropoutLayer(H2, dropout2);
    }
    const out = this.lin3.forward(H2);
    return out;
  }
}

let net: nn.Module = shared('net', new Net(numInputs, numOutputs, numHiddens1, numHiddens2));

// 4.6.4.3 Training and testing (训练和测试)
const [numEpochs, lr, batchSize] = [d2l.numEpochsOr(10), 0.5, 256];
const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
const [trainIter, testIter] = await d2l.loadDataFashionMnist(batchSize);
let trainer = new optim.SGD(net.parameters(), { lr });
d2l.trainCh3(net, trainIter, testIter, loss, numEpochs, trainer);

// 4.6.5 Concise implementation (简洁实现)
net = new nn.Sequential(new nn.Flatten(),
  new nn.Linear(784, 256),
  new nn.ReLU(),
  // a dropout layer after the first fully connected layer
  new nn.Dropout(dropout1),
  new nn.Linear(256, 256),
  new nn.ReLU(),
  // a dropout layer after the second fully connected layer
  new nn.Dropout(dropout2),
  new nn.Linear(256, 10));

function initWeights(m: nn.Module): void {
  if (m.constructor === nn.Linear) {
    nn.init.normal_((m as nn.Linear).weight, { std: 0.01 });
  }
}

shared('net', net.apply(initWeights));

trainer = new optim.SGD(net.parameters(), { lr });
d2l.trainCh3(net, trainIter, testIter, loss, numEpochs, trainer);
