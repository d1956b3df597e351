// d2l.ai 6.6 "Convolutional Neural Networks (LeNet)" (卷积神经网络（LeNet）), ported with the structure
// of the book's code: LeNet-5 with sigmoid activations and average pooling, its layer-by-layer output
// shapes, then train_ch6 (Xavier-uniform weights, SGD lr 0.9, batch 256, 10 epochs) on Fashion-MNIST.
//   node --import tsx examples/d2l/lenet.ts [--epochs N] [--train-limit N] [--test-limit N] [--seed N]

import { manualSeed, nn, noGrad, optim, rand, tidy, train, type DataLoader, type Tensor } from '../../src/index.js';
import { cliOptions, fashionMnistLoaders, isMain, type CommonOptions } from '../common.js';
import { Accumulator } from './d2l.js';

// 6.6.1 LeNet
export function lenet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.Sigmoid(),
    new nn.AvgPool2d(2, { stride: 2 }),
    new nn.Conv2d(6, 16, 5), new nn.Sigmoid(),
    new nn.AvgPool2d(2, { stride: 2 }),
    new nn.Flatten(),
    new nn.Linear(16 * 5 * 5, 120), new nn.Sigmoid(),
    new nn.Linear(120, 84), new nn.Sigmoid(),
    new nn.Linear(84, 10));
}

/** The book's shape walk: a 28×28 image through each layer, printing `Conv2d output shape: [1, 6, 28, 28]`. */
export function printShapes(net: nn.Sequential, log: (line: string) => void): void {
  tidy(() => {
    let X = rand([1, 1, 28, 28]);
    for (const layer of net.children()) {
      X = layer.forward(X);
      log(`${layer.constructor.name} output shape: \t[${X.shape.join(', ')}]`);
    }
  });
}

// 6.6.2 Training (模型训练)
export function evaluateAccuracy(net: nn.Module, dataIter: Iterable<[Tensor, Tensor]>): number {
  net.eval();
  const metric = new Accumulator(2); // correct predictions, predictions
  noGrad(() => {
    for (const [X, y] of dataIter) metric.add(train.accuracy(net.forward(X), y), y.numel());
  });
  return metric.get(0) / metric.get(1);
}

export interface EpochFigures {
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
  /** The epoch's wall time, evaluation included. */
  seconds: number;
}

export function trainCh6(net: nn.Module, trainIter: DataLoader, testIter: DataLoader, numEpochs: number, lr: number,
                         log: (line: string) => void): EpochFigures[] {
  const initWeights = (m: nn.Module): void => {
    if (m instanceof nn.Linear || m instanceof nn.Conv2d) nn.init.xavierUniform_(m.weight);
  };
  net.apply(initWeights);
  const optimizer = new optim.SGD(net.parameters(), { lr });
  const loss = new nn.CrossEntropyLoss();
  const figures: EpochFigures[] = [];
  let examples = 0;
  let trainSeconds = 0; // the book's timer: the training steps only, not the evaluation
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    const start = performance.now();
    const metric = new Accumulator(3); // summed loss, correct predictions, examples
    net.train();
    for (const [X, y] of trainIter) {
      optimizer.zeroGrad();
      const yHat = net.forward(X);
      const l = loss.forward(yHat, y);
      l.backward();
      optimizer.step();
      noGrad(() => metric.add(l.item() * X.shape[0], train.accuracy(yHat, y), X.shape[0]));
    }
    trainSeconds += (performance.now() - start) / 1000;
    const [trainLoss, trainAcc] = [metric.get(0) / metric.get(2), metric.get(1) / metric.get(2)];
    const testAcc = evaluateAccuracy(net, testIter);
    const s = (performance.now() - start) / 1000;
    examples += metric.get(2);
    figures.push({ trainLoss, trainAcc, testAcc, seconds: s });
    log(`epoch ${epoch + 1}: loss ${trainLoss.toFixed(3)}, train acc ${trainAcc.toFixed(3)}, test acc ${testAcc.toFixed(3)} (${s.toFixed(1)} s)`);
  }
  const last = figures.at(-1);
  if (last !== undefined) {
    log(`loss ${last.trainLoss.toFixed(3)}, train acc ${last.trainAcc.toFixed(3)}, test acc ${last.testAcc.toFixed(3)}`);
    log(`${(examples / trainSeconds).toFixed(1)} examples/sec on wasm (one thread)`);
  }
  return figures;
}

export interface LenetOptions extends CommonOptions {
  lr?: number;
  batchSize?: number;
}

export async function run(options: LenetOptions = {}): Promise<{ net: nn.Sequential; figures: EpochFigures[] }> {
  const { epochs = 10, batchSize = 256, lr = 0.9, seed = 0, log = console.log } = options;
  manualSeed(seed);
  const net = lenet();
  printShapes(net, log);
  const [trainIter, testIter] = await fashionMnistLoaders(batchSize, options);
  const figures = trainCh6(net, trainIter, testIter, epochs, lr, log);
  return { net, figures };
}

if (isMain(import.meta.url)) {
  await run(cliOptions(['lr', 'batchSize']));
}
