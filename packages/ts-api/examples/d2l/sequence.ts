// d2l.ai 8.1 "序列模型" (sequence models), ported with the structure of the book's code: a noisy sine,
// an MLP on the last tau = 4 observations trained with Adam, then its 1-step, multistep and k-step
// predictions. Instead of each d2l.plot it prints a few of the plotted values (the first and last
// points). The noise, the initial weights and the training batches' orders can be replayed from
// PyTorch's run (./shared.ts, D2L_REPLAY) to print PyTorch's numbers. Mirror: parity/d2l/ch8_1_sequence.py.
//   node --import tsx examples/d2l/sequence.ts
// `features[:, i] = v` is features.indexPut_([':', i], v); `x[i: j]` is x.index(slice(i, j)).
// The predictions written into multistep_preds and features are detached: PyTorch records those writes
// in the graph (never backpropagated here), which softmax-nn refuses once the tensor was read by another op.

import { arange, nn, normal, optim, sin, slice, zeros, type Tensor } from '../../src/index.js';
import * as d2l from './d2l.js';
import { shared } from './shared.js';

const T = 1000; // 1000 points in all
const time = arange(1, T + 1, { dtype: 'float32' });
const x = sin(time.mul(0.01)).add(shared('noise', normal(0, 0.2, [T])));
// d2l.plot(time, [x], 'time', 'x', xlim=[1, 1000], figsize=(6, 3))
console.log(x.index(slice(null, 5)), x.index(slice(-5)));

const tau = 4;
let features = zeros([T - tau, tau]);
for (let i = 0; i < tau; i++) {
  features.indexPut_([':', i], x.index(slice(i, T - tau + i)));
}
const labels = x.index(slice(tau)).reshape(-1, 1);
console.log(features.index(slice(null, 2)), labels.index(slice(null, 2)));

const [batchSize, nTrain] = [16, 600];
// only the first nTrain examples are used for training
const trainIter = d2l.loadArray([features.index(slice(null, nTrain)), labels.index(slice(null, nTrain))],
  batchSize, true);

// initializes the network's weights
function initWeights(m: nn.Module): void {
  if (m instanceof nn.Linear) nn.init.xavierUniform_(m.weight);
}

// a simple multilayer perceptron
function getNet(): nn.Sequential {
  const net = new nn.Sequential(new nn.Linear(4, 10),
    new nn.ReLU(),
    new nn.Linear(10, 1));
  net.apply(initWeights);
  return net;
}

// squared loss; note that MSELoss has no factor 1/2
const loss = new nn.MSELoss({ reduction: 'none' });

// 8.1.3 Training (训练)
function train(net: nn.Module, trainIter: Iterable<[Tensor, Tensor]>, loss: nn.Module, epochs: number, lr: number): void {
  const trainer = new optim.Adam(net.parameters(), { lr });
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [X, y] of trainIter) {
      trainer.zeroGrad();
      const l = loss.forward(net.forward(X), y);
      l.sum().backward();
      trainer.step();
    }
    console.log(`epoch ${epoch + 1}, `
      + `loss: ${d2l.evaluateLoss(net, trainIter, loss).toFixed(6)}`);
  }
}

const net = shared('net', getNet());
train(net, trainIter, loss, 5, 0.01);

// 8.1.4 Prediction (预测)
const onestepPreds = net.forward(features);
// d2l.plot([time, time[tau:]], [x, onestep_preds], …, legend=['data', '1-step preds'])
console.log(onestepPreds.detach().index(slice(null, 3)).reshape(-1), onestepPreds.detach().index(slice(-3)).reshape(-1));

const multistepPreds = zeros(T);
multistepPreds.indexPut_([slice(null, nTrain + tau)], x.index(slice(null, nTrain + tau)));
for (let i = nTrain + tau; i < T; i++) {
  multistepPreds.indexPut_([i], net.forward(
    multistepPreds.index(slice(i - tau, i)).reshape(1, -1)).detach());
}

// d2l.plot(…, legend=['data', '1-step preds', 'multistep preds'])
console.log(multistepPreds.detach().index(slice(nTrain + tau, nTrain + tau + 5)), multistepPreds.detach().index(slice(-3)));

const maxSteps = 64;

features = zeros([T - tau - maxSteps + 1, tau + maxSteps]);
// column i (i < tau) are observations from x, for time steps i to i + T - tau - maxSteps + 1
for (let i = 0; i < tau; i++) {
  features.indexPut_([':', i], x.index(slice(i, i + T - tau - maxSteps + 1)));
}

// column i (i >= tau) are the (i - tau + 1)-step predictions, for time steps i to i + T - tau - maxSteps + 1
for (let i = tau; i < tau + maxSteps; i++) {
  features.indexPut_([':', i], net.forward(features.index(':', slice(i - tau, i))).reshape(-1).detach());
}

const steps = [1, 4, 16, 64];
// d2l.plot([time[tau + i - 1: T - max_steps + i] for i in steps], [features[:, (tau + i - 1)] …], …)
for (const i of steps) {
  console.log(`${i}-step preds`, features.index(slice(null, 3), tau + i - 1).detach(), features.index(slice(-3), tau + i - 1).detach());
}
