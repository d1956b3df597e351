// A multilayer perceptron on Fashion-MNIST: Flatten → Linear(784, 256) → ReLU → Linear(256, 10),
// weights from normal(0, 0.01), cross-entropy on logits, SGD lr 0.1, batch 256, 10 epochs (d2l's
// concise MLP; the notes' nn.Sequential example is the same network with 128 hidden units: --hidden 128).
//   node --import tsx examples/mlp.ts [--epochs N] [--hidden N] [--lr X] [--batch-size N] [--train-limit N] [--test-limit N]

import { nn, optim, manualSeed, fit, type train } from '../src/index.js';
import { cliOptions, fashionMnistLoaders, initWeights, isMain, pct, type CommonOptions } from './common.js';

export interface MlpOptions extends CommonOptions {
  hidden?: number;
  lr?: number;
  batchSize?: number;
}

export interface MlpResult {
  net: nn.Sequential;
  history: train.History;
  /** Mean training loss and accuracy of the last epoch, and the test accuracy after it. */
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
}

export function mlp(hidden = 256): nn.Sequential {
  return new nn.Sequential(new nn.Flatten(), new nn.Linear(784, hidden), new nn.ReLU(), new nn.Linear(hidden, 10));
}

export async function run(options: MlpOptions = {}): Promise<MlpResult> {
  const { epochs = 10, batchSize = 256, lr = 0.1, hidden = 256, seed = 0, log = console.log } = options;
  manualSeed(seed);
  const [trainIter, testIter] = await fashionMnistLoaders(batchSize, options);

  const net = mlp(hidden);
  net.apply(initWeights);
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const trainer = new optim.SGD(net.parameters(), { lr });

  log(`${net}`);
  log(`${trainIter.dataset.length} training / ${testIter.dataset.length} test images, batch ${batchSize}, lr ${lr}, ${epochs} epochs`);
  const history = await fit(net, trainIter, testIter, loss, epochs, trainer, {
    callbacks: [{
      onEpochEnd: (e) => log(`epoch ${String(e.epoch).padStart(2)}: loss ${e.trainLoss.toFixed(4)}, train acc ${pct(e.trainAcc)}, test acc ${pct(e.testAcc)} (${e.seconds.toFixed(2)} s)`),
    }],
  });
  const last = history.epochs.at(-1);
  const result = { net, history, trainLoss: last?.trainLoss ?? NaN, trainAcc: last?.trainAcc ?? NaN, testAcc: last?.testAcc ?? NaN };
  log(`final: train loss ${result.trainLoss.toFixed(4)}, train acc ${pct(result.trainAcc)}, test acc ${pct(result.testAcc)}`);
  return result;
}

if (isMain(import.meta.url)) {
  await run(cliOptions(['hidden', 'lr', 'batchSize']));
}
