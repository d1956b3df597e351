// The notes' exercise 2: train for many more epochs — why does test accuracy stop improving (or
// fall) after a while? Over-fitting, made visible: an MLP trained for a long time on only 1 000
// training images learns them by heart (train accuracy → 100 %, train loss → 0) while test accuracy
// stalls and test loss climbs back up. The gap between the two is what remedies.ts attacks.
//
// The loop is the notes' train_ch3 written out with the library's pieces (trainEpoch,
// evaluateAccuracy), so that the train accuracy can be measured like the test accuracy: on the
// clean training images, in eval mode, after the epoch.
//
//   node --import tsx examples/overfitting.ts [--epochs N] [--train-limit N] [--test-limit N] [--eval-every N]

import { nn, optim, manualSeed, DataLoader, evaluateAccuracy, trainEpoch } from '../src/index.js';
import {
  cliOptions, evaluateLoss, fashionMnistOnce, firstN, formatTable, initWeights, isMain, pct, type CommonOptions,
} from './common.js';

/** The over-fitting setup that remedies.ts starts from too. */
export const OVERFIT_DEFAULTS = {
  /** Training images: the first 1 000 of the 60 000. */
  trainLimit: 1000,
  epochs: 200,
  batchSize: 32,
  lr: 0.1,
  hidden: 256,
} as const;

/** Flatten → Linear(784, hidden) → ReLU → [Dropout(p)] → Linear(hidden, 10), weights from normal(0, 0.01). */
export function overfitMlp(hidden: number = OVERFIT_DEFAULTS.hidden, dropout = 0): nn.Sequential {
  const layers: nn.Module[] = [new nn.Flatten(), new nn.Linear(784, hidden), new nn.ReLU()];
  if (dropout > 0) layers.push(new nn.Dropout(dropout));
  layers.push(new nn.Linear(hidden, 10));
  const net = new nn.Sequential(...layers);
  net.apply(initWeights);
  return net;
}

export interface OverfittingOptions extends CommonOptions {
  batchSize?: number;
  lr?: number;
  hidden?: number;
  /** Measure train/test accuracy and loss every this many epochs (and after the last). Default 10. */
  evalEvery?: number;
}

export interface CurvePoint {
  epoch: number;
  /** On the clean training subset, eval mode, after the epoch. */
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
}

export interface OverfittingResult {
  curve: CurvePoint[];
  final: CurvePoint & { gap: number };
  /** The measured point with the best test accuracy, and the one with the lowest test loss. */
  bestTestAcc: CurvePoint;
  bestTestLoss: CurvePoint;
  table: string;
}

export async function run(options: OverfittingOptions = {}): Promise<OverfittingResult> {
  const {
    trainLimit = OVERFIT_DEFAULTS.trainLimit, epochs = OVERFIT_DEFAULTS.epochs, batchSize = OVERFIT_DEFAULTS.batchSize,
    lr = OVERFIT_DEFAULTS.lr, hidden = OVERFIT_DEFAULTS.hidden, evalEvery = 10, seed = 0, log = console.log,
  } = options;
  manualSeed(seed);
  const { train, test } = await fashionMnistOnce();
  const trainSet = firstN(train, trainLimit);
  const trainIter = new DataLoader(trainSet, { batchSize, shuffle: true });
  const trainEval = new DataLoader(trainSet, { batchSize: 1000 });
  const testIter = new DataLoader(firstN(test, options.testLimit), { batchSize: 1000 });

  const net = overfitMlp(hidden);
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const trainer = new optim.SGD(net.parameters(), { lr });
  log(`${trainSet.length} training images, ${testIter.dataset.length} test images; MLP 784-${hidden}-10, batch ${batchSize}, lr ${lr}, ${epochs} epochs`);

  const curve: CurvePoint[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    trainEpoch(net, trainIter, loss, trainer, { epoch });
    if (epoch % evalEvery !== 0 && epoch !== epochs && epoch !== 1) continue;
    const point: CurvePoint = {
      epoch,
      trainLoss: evaluateLoss(net, trainEval, loss),
      trainAcc: evaluateAccuracy(net, trainEval),
      testLoss: evaluateLoss(net, testIter, loss),
      testAcc: evaluateAccuracy(net, testIter),
    };
    curve.push(point);
    log(`epoch ${String(epoch).padStart(3)}: train loss ${point.trainLoss.toFixed(4)}, train acc ${pct(point.trainAcc)} | test loss ${point.testLoss.toFixed(4)}, test acc ${pct(point.testAcc)} | gap ${pct(point.trainAcc - point.testAcc)}`);
  }

  const last = curve[curve.length - 1];
  const final = { ...last, gap: last.trainAcc - last.testAcc };
  const bestTestAcc = curve.reduce((a, b) => (b.testAcc > a.testAcc ? b : a));
  const bestTestLoss = curve.reduce((a, b) => (b.testLoss < a.testLoss ? b : a));
  const table = formatTable(
    ['', 'epoch', 'train loss', 'train acc', 'test loss', 'test acc', 'gap'],
    [
      ['lowest test loss', String(bestTestLoss.epoch), bestTestLoss.trainLoss, bestTestLoss.trainAcc, bestTestLoss.testLoss, bestTestLoss.testAcc, bestTestLoss.trainAcc - bestTestLoss.testAcc],
      ['best test acc', String(bestTestAcc.epoch), bestTestAcc.trainLoss, bestTestAcc.trainAcc, bestTestAcc.testLoss, bestTestAcc.testAcc, bestTestAcc.trainAcc - bestTestAcc.testAcc],
      ['final', String(final.epoch), final.trainLoss, final.trainAcc, final.testLoss, final.testAcc, final.gap],
    ],
  );
  log(table);
  return { curve, final, bestTestAcc, bestTestLoss, table };
}

if (isMain(import.meta.url)) {
  await run(cliOptions(['batchSize', 'lr', 'hidden', 'evalEvery']));
}
