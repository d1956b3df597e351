// The notes' remedies for over-fitting, each measured against the same baseline: the over-fitting
// setup of overfitting.ts (an MLP trained for 200 epochs on 1 000 images), then
//   early stopping  — stop when validation accuracy has not improved for `patience` epochs, and put
//                     back the best epoch's weights (EarlyStopping with restoreBest);
//   L2              — weight decay in SGD (λ/2·‖w‖² added to the loss, in the optimiser's update);
//   L1              — λ·Σ|w| added to the loss before backward, in a hand-written training loop;
//   augmentation    — random crops (2-pixel padding) and horizontal flips of the training batches;
//   dropout         — nn.Dropout after the hidden layer (active in train(), off in eval());
//   ensemble        — the mean of the class probabilities of K networks trained from different seeds.
// Every run starts from manualSeed(seed), so each remedy starts from the baseline's initial weights.
// The training and validation images are a random split of the training file (data.randomSplit, as
// PyTorch's random_split); training watches only the validation images — fit's valLoss / valAcc, which
// early stopping monitors — and the test set is used for the final numbers only.
//
//   node --import tsx examples/remedies.ts [--epochs N] [--train-limit N] [--test-limit N]

import {
  nn, optim, data, manualSeed, tidy, DataLoader, EarlyStopping, Ensemble, evaluateAccuracy, fit, train, type Tensor,
} from '../src/index.js';
import {
  cliOptions, fashionMnistOnce, firstN, formatTable, isMain, linearWeights, pct, weightNorms, type CommonOptions,
} from './common.js';
import { OVERFIT_DEFAULTS, overfitMlp } from './overfitting.js';

export const REMEDIES = ['early stopping', 'L2', 'L1', 'augmentation', 'dropout', 'ensemble'] as const;
export type RemedyName = (typeof REMEDIES)[number];

export interface RemediesOptions extends CommonOptions {
  batchSize?: number;
  lr?: number;
  hidden?: number;
  /** Validation images, split at random from the training file with the training images (default 1 000). */
  valLimit?: number;
  /** Which remedies to run (default: all); the baseline always runs. */
  remedies?: readonly RemedyName[];
  /** Early stopping: epochs without a better validation accuracy before stopping (default 10). */
  patience?: number;
  /** L2: SGD's weightDecay (default 5e-3). */
  weightDecay?: number;
  /** L1: λ in λ·Σ|w| (default 1e-4). */
  l1?: number;
  /** Augmentation: random-crop padding in pixels (default 2). */
  cropPadding?: number;
  /** Dropout probability (default 0.5). */
  dropout?: number;
  /** Ensemble size K, the baseline included (default 3). */
  ensembleSize?: number;
}

export interface RemedyResult {
  name: 'baseline' | RemedyName;
  /** Accuracy on the clean training subset, eval mode, with the final weights. */
  trainAcc: number;
  testAcc: number;
  /** trainAcc − testAcc. */
  gap: number;
  /** The last epoch's accuracy and mean loss as seen while training (dropout on, augmented images); null for the ensemble. */
  trainingAcc: number | null;
  trainingLoss: number | null;
  /** ‖W‖₂ and Σ|W| over the Linear weights; null for the ensemble. */
  weightL2: number | null;
  weightL1: number | null;
  /** Epochs trained (per member for the ensemble). */
  epochs: number;
  note: string;
}

export interface RemediesResult {
  baseline: RemedyResult;
  remedies: Partial<Record<RemedyName, RemedyResult>>;
  earlyStopping: {
    bestEpoch: number; stoppedEpoch: number | null; bestValAcc: number; restoredValAcc: number; lastEpochValAcc: number;
    /** fit's valAcc after each epoch, up to the one that stopped the run. */
    valAcc: number[];
  } | null;
  /** The training-file indices of the training and validation images (disjoint; data.randomSplit). */
  split: { train: Int32Array; val: Int32Array };
  ensemble: { memberTrainAccs: number[]; memberTestAccs: number[] } | null;
  table: string;
}

export async function run(options: RemediesOptions = {}): Promise<RemediesResult> {
  const {
    trainLimit = OVERFIT_DEFAULTS.trainLimit, epochs = OVERFIT_DEFAULTS.epochs, batchSize = OVERFIT_DEFAULTS.batchSize,
    lr = OVERFIT_DEFAULTS.lr, hidden = OVERFIT_DEFAULTS.hidden, valLimit = 1000, seed = 0, log = console.log,
    patience = 10, weightDecay = 5e-3, l1 = 1e-4, cropPadding = 2, dropout = 0.5, ensembleSize = 3,
  } = options;
  const selected = new Set<RemedyName>(options.remedies ?? REMEDIES);

  const { train: trainFile, test: testFile } = await fashionMnistOnce();
  if (trainLimit + valLimit > trainFile.length) throw new Error(`remedies: ${trainLimit} training + ${valLimit} validation images are more than the ${trainFile.length} available`);
  // PyTorch's random_split(train, [n_train, n_val, rest]), on a generator of its own seeded with `seed`.
  const [trainSet, valSet] = data.randomSplit(trainFile, [trainLimit, valLimit, trainFile.length - trainLimit - valLimit], { seed });
  const trainLoader = (transform?: data.BatchTransform) => new DataLoader(trainSet, { batchSize, shuffle: true, transform });
  const trainEval = new DataLoader(trainSet, { batchSize: 1000 });
  const valIter = new DataLoader(valSet, { batchSize: 1000 });
  const testIter = new DataLoader(firstN(testFile, options.testLimit), { batchSize: 1000 });
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  log(`${trainLimit} training, ${valLimit} validation, ${testIter.dataset.length} test images; MLP 784-${hidden}-10, batch ${batchSize}, lr ${lr}, ${epochs} epochs`);

  /** Final measurements of one trained network. */
  const measure = (name: RemedyResult['name'], net: nn.Module, trained: number, training: { acc: number; loss: number }, note: string): RemedyResult => {
    const trainAcc = evaluateAccuracy(net, trainEval);
    const testAcc = evaluateAccuracy(net, testIter);
    const { l2, l1: sumAbs } = weightNorms(net);
    const r = { name, trainAcc, testAcc, gap: trainAcc - testAcc, trainingAcc: training.acc, trainingLoss: training.loss, weightL2: l2, weightL1: sumAbs, epochs: trained, note };
    log(`${name}: train acc ${pct(trainAcc)}, test acc ${pct(testAcc)}, gap ${pct(r.gap)}${note ? ` (${note})` : ''}`);
    return r;
  };
  /**
   * The baseline's recipe with fit(): SGD on the MLP, validation loss and accuracy after each epoch.
   * fit's testIter slot gets the validation images too, so that training never reads the test set.
   */
  const fitMlp = async (net: nn.Module, trainer: optim.SGD, trainIter: DataLoader, callbacks: train.Callback[] = []) => {
    const history = await fit(net, trainIter, valIter, loss, epochs, trainer, { valIter, callbacks });
    const last = history.epochs[history.epochs.length - 1];
    return { history, last: { acc: last.trainAcc, loss: last.trainLoss } };
  };

  // Baseline.
  manualSeed(seed);
  const baselineNet = overfitMlp(hidden);
  const base = await fitMlp(baselineNet, new optim.SGD(baselineNet.parameters(), { lr }), trainLoader());
  const baseline = measure('baseline', baselineNet, epochs, base.last, '');
  const remedies: Partial<Record<RemedyName, RemedyResult>> = {};
  let earlyStopping: RemediesResult['earlyStopping'] = null;
  let ensemble: RemediesResult['ensemble'] = null;

  if (selected.has('early stopping')) {
    manualSeed(seed);
    const net = overfitMlp(hidden);
    // Trains on past the best validation epoch (patience epochs more, while validation accuracy falls
    // or stalls), then puts back the best epoch's weights: chosen by validation, never by the test set.
    const stopper = new EarlyStopping({ monitor: 'valAcc', patience, restoreBest: true });
    const { history, last } = await fitMlp(net, new optim.SGD(net.parameters(), { lr }), trainLoader(), [stopper]);
    const restoredValAcc = evaluateAccuracy(net, valIter);
    const valAcc = history.valAcc ?? [];
    earlyStopping = {
      bestEpoch: stopper.bestEpoch ?? 0, stoppedEpoch: stopper.stoppedEpoch, bestValAcc: stopper.best ?? NaN,
      restoredValAcc, lastEpochValAcc: valAcc[valAcc.length - 1], valAcc,
    };
    remedies['early stopping'] = measure('early stopping', net, history.epochs.length, last,
      `stopped after epoch ${history.epochs.length}, weights of epoch ${stopper.bestEpoch} (val acc ${pct(restoredValAcc)})`);
  }

  if (selected.has('L2')) {
    manualSeed(seed);
    const net = overfitMlp(hidden);
    const { last } = await fitMlp(net, new optim.SGD(net.parameters(), { lr, weightDecay }), trainLoader());
    remedies.L2 = measure('L2', net, epochs, last, `weightDecay ${weightDecay}`);
  }

  if (selected.has('L1')) {
    // fit() has no hook for a penalty, so this is the training loop by hand — the notes' loop with
    // one more term in the loss: l.mean() + λ·Σ|w| over the Linear weights, then backward and step.
    manualSeed(seed);
    const net = overfitMlp(hidden);
    const weights = linearWeights(net);
    const trainer = new optim.SGD(net.parameters(), { lr });
    const trainIter = trainLoader();
    let last = { acc: NaN, loss: NaN };
    for (let epoch = 1; epoch <= epochs; epoch++) {
      net.train();
      let correct = 0;
      let lossSum = 0;
      let count = 0;
      for (const [X, y] of trainIter) {
        tidy(() => {
          const yHat = net.forward(X);
          const l = loss.forward(yHat, y);
          const penalty = weights.map((w) => w.abs().sum()).reduce((a: Tensor, b) => a.add(b));
          const objective = l.mean().add(penalty.mul(l1));
          trainer.zeroGrad();
          objective.backward();
          trainer.step();
          lossSum += l.sum().item();
          correct += train.accuracy(yHat, y);
          count += y.shape[0];
        });
      }
      last = { acc: correct / count, loss: lossSum / count };
    }
    remedies.L1 = measure('L1', net, epochs, last, `λ ${l1}`);
  }

  if (selected.has('augmentation')) {
    manualSeed(seed);
    const net = overfitMlp(hidden);
    const augment = data.transforms.compose([data.transforms.randomCrop(cropPadding), data.transforms.randomHorizontalFlip()]);
    const { last } = await fitMlp(net, new optim.SGD(net.parameters(), { lr }), trainLoader(augment));
    remedies.augmentation = measure('augmentation', net, epochs, last, `random crop (padding ${cropPadding}) + horizontal flip`);
  }

  if (selected.has('dropout')) {
    manualSeed(seed);
    const net = overfitMlp(hidden, dropout);
    const { last } = await fitMlp(net, new optim.SGD(net.parameters(), { lr }), trainLoader());
    remedies.dropout = measure('dropout', net, epochs, last, `p ${dropout}`);
  }

  if (selected.has('ensemble')) {
    // The baseline is member 0; the others are the same recipe from other seeds (other initial
    // weights and batch order).
    const members: nn.Module[] = [baselineNet];
    for (let k = 1; k < ensembleSize; k++) {
      manualSeed(seed + k);
      const net = overfitMlp(hidden);
      await fitMlp(net, new optim.SGD(net.parameters(), { lr }), trainLoader());
      members.push(net);
    }
    const memberTrainAccs = members.map((m) => evaluateAccuracy(m, trainEval));
    const memberTestAccs = members.map((m) => evaluateAccuracy(m, testIter));
    ensemble = { memberTrainAccs, memberTestAccs };
    const net = new Ensemble(members);
    const trainAcc = evaluateAccuracy(net, trainEval);
    const testAcc = evaluateAccuracy(net, testIter);
    remedies.ensemble = {
      name: 'ensemble', trainAcc, testAcc, gap: trainAcc - testAcc, trainingAcc: null, trainingLoss: null,
      weightL2: null, weightL1: null, epochs,
      note: `K ${ensembleSize}, members' test acc ${memberTestAccs.map(pct).join(' / ')}`,
    };
    log(`ensemble: train acc ${pct(trainAcc)}, test acc ${pct(testAcc)}, gap ${pct(trainAcc - testAcc)} (${remedies.ensemble.note})`);
  }

  const rows = [baseline, ...REMEDIES.flatMap((n) => (remedies[n] ? [remedies[n]] : []))];
  const num = (x: number | null, digits = 4) => (x === null ? '-' : x.toFixed(digits));
  const table = formatTable(
    ['remedy', 'train acc', 'test acc', 'gap', 'Δ test', 'acc while training', '‖W‖₂', 'Σ|W|', 'epochs', 'note'],
    rows.map((r) => [
      r.name, r.trainAcc, r.testAcc, r.gap, r === baseline ? '' : `${r.testAcc >= baseline.testAcc ? '+' : ''}${(r.testAcc - baseline.testAcc).toFixed(4)}`,
      num(r.trainingAcc), num(r.weightL2, 2), num(r.weightL1, 1), String(r.epochs), r.note,
    ]),
  );
  log(table);
  return { baseline, remedies, earlyStopping, ensemble, table, split: { train: trainSet.indices, val: valSet.indices } };
}

if (isMain(import.meta.url)) {
  await run(cliOptions(['batchSize', 'lr', 'hidden', 'valLimit', 'patience', 'weightDecay', 'l1', 'cropPadding', 'dropout', 'ensembleSize']));
}
