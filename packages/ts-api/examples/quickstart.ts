// PyTorch's Quickstart (pytorch.org/tutorials/beginner/basics/quickstart_tutorial.html), ported line by
// line: the same model, loss, optimiser, train() and test(), and the same printout. Like the PyTorch
// code it has no tidy() and no dispose(): each iteration of a loop over a DataLoader frees what it made
// when the loop moves on, so memory stays flat however many epochs run.
//   node --import tsx examples/quickstart.ts [--epochs N] [--train-limit N] [--test-limit N] [--seed N]
// (parity/quickstart.py is the PyTorch program, on the same Fashion-MNIST files.)

import { DataLoader, manualSeed, nn, noGrad, optim, type Tensor } from '../src/index.js';
import { cliOptions, fashionMnistOnce, firstN, isMain, type CommonOptions } from './common.js';

export interface QuickstartOptions extends CommonOptions {
  /** Called after each epoch's test() (the tests read memory() there). */
  afterEpoch?: (epoch: number) => void;
}

export interface QuickstartResult {
  /** What the last test() printed: accuracy in percent and the average loss per batch. */
  accuracy: number;
  avgLoss: number;
}

class NeuralNetwork extends nn.Module {
  flatten = new nn.Flatten();
  linearReluStack = new nn.Sequential(
    new nn.Linear(28 * 28, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );

  forward(x: Tensor): Tensor {
    x = this.flatten.call(x);
    const logits = this.linearReluStack.call(x);
    return logits;
  }
}

/** Python's f"{x:>7f}": six decimals, right-aligned in `width`. */
const f = (x: number, width: number): string => x.toFixed(6).padStart(width);

function train(dataloader: DataLoader, model: nn.Module, lossFn: nn.Module, optimizer: optim.Optimizer<object>, log: (line: string) => void): void {
  const size = dataloader.dataset.length;
  model.train();
  let batch = 0; // Python's enumerate(dataloader)
  for (const [X, y] of dataloader) {
    // Compute prediction error
    const pred = model.call(X);
    const loss = lossFn.call(pred, y);

    // Backpropagation
    loss.backward();
    optimizer.step();
    optimizer.zeroGrad();

    if (batch % 100 === 0) {
      const [lossValue, current] = [loss.item(), (batch + 1) * X.shape[0]];
      log(`loss: ${f(lossValue, 7)}  [${String(current).padStart(5)}/${String(size).padStart(5)}]`);
    }
    batch++;
  }
}

function test(dataloader: DataLoader, model: nn.Module, lossFn: nn.Module, log: (line: string) => void): QuickstartResult {
  const size = dataloader.dataset.length;
  const numBatches = dataloader.length;
  model.eval();
  let testLoss = 0;
  let correct = 0;
  noGrad(() => {
    for (const [X, y] of dataloader) {
      const pred = model.call(X);
      testLoss += lossFn.call(pred, y).item();
      correct += pred.argmax(1).eq(y).float().sum().item();
    }
  });
  testLoss /= numBatches;
  correct /= size;
  log(`Test Error: \n Accuracy: ${(100 * correct).toFixed(1)}%, Avg loss: ${f(testLoss, 8)} \n`);
  return { accuracy: 100 * correct, avgLoss: testLoss };
}

export async function run(options: QuickstartOptions = {}): Promise<QuickstartResult> {
  const { epochs = 5, seed = 0, log = console.log } = options;
  manualSeed(seed);
  // torchvision's FashionMNIST with ToTensor(): [1, 28, 28] float32 images in [0, 1], integer labels.
  const { train: trainingData, test: testData } = await fashionMnistOnce();

  const batchSize = 64;
  const trainDataloader = new DataLoader(firstN(trainingData, options.trainLimit), { batchSize });
  const testDataloader = new DataLoader(firstN(testData, options.testLimit), { batchSize });

  for (const [X, y] of testDataloader) {
    log(`Shape of X [N, C, H, W]: [${X.shape.join(', ')}]`);
    log(`Shape of y: [${y.shape.join(', ')}] ${y.dtype}`);
    break;
  }

  const model = new NeuralNetwork();
  log(`${model}`);

  const lossFn = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 1e-3 });

  let result: QuickstartResult = { accuracy: NaN, avgLoss: NaN };
  for (let t = 0; t < epochs; t++) {
    log(`Epoch ${t + 1}\n-------------------------------`);
    train(trainDataloader, model, lossFn, optimizer, log);
    result = test(testDataloader, model, lossFn, log);
    options.afterEpoch?.(t + 1);
  }
  log('Done!');
  return result;
}

if (isMain(import.meta.url)) {
  await run(cliOptions<never>());
}
