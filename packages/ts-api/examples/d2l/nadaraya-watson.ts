// d2l.ai 10.2 "Attention Pooling: Nadaraya-Watson Kernel Regression" (注意力汇聚：Nadaraya-Watson 核回归),
// ported with the structure of the book's code: one console.log per value the book displays. The plots
// are left out: plotKernelReg's stand-in prints the first 5 predictions, the heat maps are not drawn.
// `X[mask]` with a bool mask is X.index(mask); `(1 - torch.eye(n)).type(torch.bool)` is
// sub(1, eye(n)).bool(). The data and the initial weight are random draws; shared() lets the test
// replay PyTorch's (./shared.ts).

import { arange, bmm, eye, manualSeed, matmul, nn, normal, ones, optim, rand, repeatInterleave, sin, slice, sort, sub, type Tensor } from '../../src/index.js';
import { shared } from './shared.js';

manualSeed(0);

// 10.2.1 Generating the dataset (生成数据集)
const nTrain = 50; // the number of training examples
const [xTrain] = sort(shared('rand', rand(nTrain)).mul(5)); // the training inputs, sorted

function f(x: Tensor): Tensor {
  return sin(x).mul(2).add(x.pow(0.8));
}

const yTrain = f(xTrain).add(shared('noise', normal(0.0, 0.5, [nTrain]))); // the training outputs
const xTest = arange(0, 5, 0.1); // the test inputs
const yTruth = f(xTest); // the true outputs of the test inputs (plotted by the book)
void yTruth;
const nTest = xTest.shape[0]; // the number of test examples
console.log(nTest);

/** Stand-in for the book's plot of the truth and the predictions: the first 5 predictions. */
function plotKernelReg(yHat: Tensor): void {
  console.log(yHat.reshape(-1).index(slice(null, 5)));
}

// 10.2.2 Average pooling (平均汇聚)
let yHat = repeatInterleave(yTrain.mean(), nTest);
plotKernelReg(yHat);

// 10.2.3 Nonparametric attention pooling (非参数注意力汇聚)
// X_repeat: (n_test, n_train), each row holds the same test input (the same query).
const XRepeat = xTest.repeatInterleave(nTrain).reshape(-1, nTrain);
// x_train holds the keys. attentionWeights: (n_test, n_train), each row the weights that the query
// gives to the values (y_train).
const attentionWeights = nn.functional.softmax(XRepeat.sub(xTrain).pow(2).neg().div(2), 1);
// Each element of y_hat is a weighted average of the values, weighted by the attention weights.
yHat = matmul(attentionWeights, yTrain);
plotKernelReg(yHat);
// d2l.show_heatmaps(attention_weights.unsqueeze(0).unsqueeze(0), ...) is not drawn.

// 10.2.4 Parametric attention pooling (带参数注意力汇聚): batched matrix multiplication (批量矩阵乘法)
const X = ones([2, 1, 4]);
const Y = ones([2, 4, 6]);
console.log(bmm(X, Y).shape);

const weights = ones([2, 10]).mul(0.1);
// torch.arange(20.0) is float32 by its float argument; JavaScript's 20.0 is 20, so the dtype is given.
let values = arange(20.0, { dtype: 'float32' }).reshape(2, 10);
console.log(bmm(weights.unsqueeze(1), values.unsqueeze(-1)));

// Defining the model (定义模型)
class NWKernelRegression extends nn.Module {
  readonly w = nn.Parameter(rand([1], { requiresGrad: true }));
  attentionWeights: Tensor | null = null;

  forward(queries: Tensor, keys: Tensor, values: Tensor): Tensor {
    // queries and attentionWeights: (number of queries, number of key-value pairs)
    queries = queries.repeatInterleave(keys.shape[1]).reshape(-1, keys.shape[1]);
    this.attentionWeights = nn.functional.softmax(queries.sub(keys).mul(this.w).pow(2).neg().div(2), 1);
    // values: (number of queries, number of key-value pairs)
    return bmm(this.attentionWeights.unsqueeze(1), values.unsqueeze(-1)).reshape(-1);
  }
}

// Training (训练)
// X_tile: (n_train, n_train), each row holds the same training inputs.
const XTile = xTrain.repeat(nTrain, 1);
// Y_tile: (n_train, n_train), each row holds the same training outputs.
const YTile = yTrain.repeat(nTrain, 1);
// keys: (n_train, n_train - 1)
let keys = XTile.index(sub(1, eye(nTrain)).bool()).reshape(nTrain, -1);
// values: (n_train, n_train - 1)
values = YTile.index(sub(1, eye(nTrain)).bool()).reshape(nTrain, -1);

const net = shared('net', new NWKernelRegression());
const loss = new nn.MSELoss({ reduction: 'none' });
const trainer = new optim.SGD(net.parameters(), { lr: 0.5 });
// animator = d2l.Animator(xlabel='epoch', ylabel='loss', xlim=[1, 5]): the loss is printed below.

for (let epoch = 0; epoch < 5; epoch++) {
  trainer.zeroGrad();
  const l = loss.forward(net.forward(xTrain, keys, values), yTrain);
  l.sum().backward();
  trainer.step();
  console.log(`epoch ${epoch + 1}, loss ${Number(l.sum()).toFixed(6)}`);
}

// keys: (n_test, n_train), each row holds the same training inputs (the same keys).
keys = xTrain.repeat(nTest, 1);
// values: (n_test, n_train)
values = yTrain.repeat(nTest, 1);
yHat = net.forward(xTest, keys, values).unsqueeze(1).detach();
plotKernelReg(yHat);
// d2l.show_heatmaps(net.attention_weights.unsqueeze(0).unsqueeze(0), ...) is not drawn.
