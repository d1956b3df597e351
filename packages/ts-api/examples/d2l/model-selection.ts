// d2l.ai 4.4 "Model Selection, Underfitting, and Overfitting" (模型选择、欠拟合和过拟合), ported with the
// structure of the book's code: polynomial regression on 100 examples, fitted with the right number of
// features (4), too few (2, underfitting) and too many (20, overfitting). The book's NumPy arrays are
// float32 tensors here (no float64); its draws (the shuffled features, the label noise) and the initial
// weights can be replayed from PyTorch's run (./shared.ts), the batch orders too with D2L_SHARE_ORDERS=1.
// d2l.Animator's stand-in prints each point the book plots (epoch 1, then every 20 epochs).
// Mirror: parity/d2l/ch4_4_model_selection.py.

import { arange, DataLoader, nn, normal, optim, randperm, slice, tensor, TensorDataset, zeros, type Tensor } from '../../src/index.js';
import * as d2l from './d2l.js';
import { shared } from './shared.js';

/** math.gamma at a positive integer n: (n - 1)!. */
function gamma(n: number): number {
  let f = 1;
  for (let k = 2; k < n; k++) f *= k;
  return f;
}

/**
 * str() of net[0].weight.data.numpy(), a float32 array of shape [1, n], laid out as NumPy prints it:
 * scientific notation when the magnitudes span more than 1e3 (or reach below 1e-4), rows wrapped at 75
 * columns. The digits are float32's to 8 significant places, as NumPy's.
 */
function numpyString(t: Tensor): string {
  if (t.shape.length !== 2 || t.shape[0] !== 1) throw new Error(`numpyString: only a [1, n] array is printed, got [${t.shape.join(', ')}]`);
  const v = Array.from(t.toArray() as Float32Array);
  const abs = v.map(Math.abs).filter((a) => a !== 0);
  const [max, min] = [Math.max(...abs), Math.min(...abs)];
  const sci = abs.length > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1e3);
  const words = v.map((x) => (sci ? x.toExponential(7).replace(/e([+-])(\d)$/, 'e$10$2') : x.toFixed(7)));
  const width = Math.max(...words.map((w) => w.length + (v.some((x) => x < 0) && !w.startsWith('-') ? 1 : 0)));
  const lines: string[] = [];
  let line = '[[';
  words.forEach((w, i) => {
    const word = w.padStart(width);
    if (i > 0 && line.length + 1 + word.length > 73) {
      lines.push(line);
      line = '  ' + word;
    } else {
      line += (i > 0 ? ' ' : '') + word;
    }
  });
  lines.push(line + ']]');
  return lines.join('\n');
}

// 4.4.4.1 Generating the dataset (生成数据集)
const maxDegree = 20; // the polynomial's maximum degree
const [nTrain, nTest] = [100, 100]; // sizes of the training and test sets
const trueW = zeros(maxDegree); // plenty of room
trueW.indexPut_([slice(0, 4)], tensor([5, 1.2, -3.4, 5.6]));

let features = normal(0, 1, [nTrain + nTest, 1]);
features = features.index(randperm(nTrain + nTest)); // np.random.shuffle(features)
shared('features', features);
const polyFeatures = features.pow(arange(maxDegree).reshape(1, -1));
for (let i = 0; i < maxDegree; i++) {
  polyFeatures.indexPut_([slice(), i], polyFeatures.index(slice(), i).div(gamma(i + 1))); // gamma(n)=(n-1)!
}
// labels' shape: (nTrain + nTest,)
let labels = polyFeatures.matmul(trueW);
const noise = shared('noise', normal(0, 0.1, labels.shape));
labels = labels.add(noise);

// NumPy ndarray to tensor: here they are float32 tensors already

// the notebook displays the tuple, as Python prints it
console.log(`(${features.index(slice(0, 2))}, ${polyFeatures.index(slice(0, 2), slice())}, ${labels.index(slice(0, 2))})`);

// 4.4.4.2 Training and testing the model (对模型进行训练和测试)
// The book defines evaluate_loss here (#@save); ./d2l.ts holds it.
const evaluateLoss = d2l.evaluateLoss;

/** d2l.load_array; with D2L_SHARE_ORDERS=1 its shuffles replay PyTorch's recorded ones. */
function loadArray(dataArrays: [Tensor, Tensor], batchSize: number, isTrain = true): Iterable<[Tensor, Tensor]> {
  if (process.env.D2L_SHARE_ORDERS === '1') return d2l.loadArray(dataArrays, batchSize, isTrain);
  return new DataLoader(new TensorDataset(...dataArrays), { batchSize, shuffle: isTrain });
}

function train(trainFeatures: Tensor, testFeatures: Tensor, trainLabels: Tensor, testLabels: Tensor, numEpochs = 400): void {
  const loss = new nn.MSELoss({ reduction: 'none' });
  const inputShape = trainFeatures.shape[trainFeatures.shape.length - 1];
  // No bias: the polynomial's constant term is feature 0.
  const net = shared('net', new nn.Sequential(new nn.Linear(inputShape, 1, { bias: false })));
  const batchSize = Math.min(10, trainLabels.shape[0]);
  const trainIter = loadArray([trainFeatures, trainLabels.reshape(-1, 1)], batchSize);
  const testIter = loadArray([testFeatures, testLabels.reshape(-1, 1)], batchSize, false);
  const trainer = new optim.SGD(net.parameters(), { lr: 0.01 });
  const animator = new d2l.Animator({ xlabel: 'epoch', ylabel: 'loss', yscale: 'log', xlim: [1, numEpochs], ylim: [1e-3, 1e2],
                                      legend: ['train', 'test'], everyPoint: true });
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    d2l.trainEpochCh3(net, trainIter, loss, trainer);
    if (epoch === 0 || (epoch + 1) % 20 === 0) {
      animator.add(epoch + 1, [evaluateLoss(net, trainIter, loss), evaluateLoss(net, testIter, loss)]);
    }
  }
  console.log('weight:', numpyString((net[0] as nn.Linear).weight.data));
}

// 4.4.4.3 Third-order polynomial function fitting (三阶多项式函数拟合(正常))
// The first 4 features: 1, x, x^2/2!, x^3/3!
train(polyFeatures.index(slice(0, nTrain), slice(0, 4)), polyFeatures.index(slice(nTrain), slice(0, 4)),
      labels.index(slice(0, nTrain)), labels.index(slice(nTrain)));

// 4.4.4.4 Linear function fitting (线性函数拟合(欠拟合))
// The first 2 features: 1 and x
train(polyFeatures.index(slice(0, nTrain), slice(0, 2)), polyFeatures.index(slice(nTrain), slice(0, 2)),
      labels.index(slice(0, nTrain)), labels.index(slice(nTrain)));

// 4.4.4.5 Higher-order polynomial function fitting (高阶多项式函数拟合(过拟合))
// All the features
train(polyFeatures.index(slice(0, nTrain), slice()), polyFeatures.index(slice(nTrain), slice()),
      labels.index(slice(0, nTrain)), labels.index(slice(nTrain)), 1500);
