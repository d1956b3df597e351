// The notes' exercise 1: change the batch size, the number of epochs and the learning rate of the
// softmax regression, and look at the results. One knob at a time around the notes' setting
// (lr 0.1, batch 256, 10 epochs); every run starts from manualSeed(seed), so the runs share their
// initial weights and differ only in the knob.
//
// The epochs sweep needs one run only: training is deterministic, so the test accuracy after epoch k
// of a long run *is* the final test accuracy of a k-epoch run (the test suite checks this).
//
//   node --import tsx examples/hyperparameters.ts [--train-limit N] [--test-limit N]

import { nn, optim, manualSeed, fit } from '../src/index.js';
import { cliOptions, fashionMnistLoaders, formatTable, initWeights, isMain, type CommonOptions } from './common.js';

export interface HyperparameterOptions extends Omit<CommonOptions, 'epochs'> {
  /** The setting the sweeps vary one knob of (default: the notes' lr 0.1, batch 256, 10 epochs). */
  base?: { lr: number; batchSize: number; epochs: number };
  learningRates?: number[];
  batchSizes?: number[];
  epochCounts?: number[];
}

export interface SweepRow {
  /** Which knob this row varies. */
  sweep: 'lr' | 'batchSize' | 'epochs';
  lr: number;
  batchSize: number;
  epochs: number;
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
  /** Wall time of the run this row comes from, up to this row's epoch. */
  seconds: number;
}

export interface HyperparameterResult {
  rows: SweepRow[];
  table: string;
}

/** The notes' softmax regression trained once; returns its per-epoch history. */
export async function trainSoftmaxRegression(lr: number, batchSize: number, epochs: number, options: HyperparameterOptions) {
  manualSeed(options.seed ?? 0);
  const [trainIter, testIter] = await fashionMnistLoaders(batchSize, options);
  const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
  net.apply(initWeights);
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const trainer = new optim.SGD(net.parameters(), { lr });
  return fit(net, trainIter, testIter, loss, epochs, trainer);
}

export async function run(options: HyperparameterOptions = {}): Promise<HyperparameterResult> {
  const base = options.base ?? { lr: 0.1, batchSize: 256, epochs: 10 };
  const learningRates = options.learningRates ?? [0.01, 0.03, 0.1, 0.3, 1];
  const batchSizes = options.batchSizes ?? [32, 64, 256, 1024];
  const epochCounts = options.epochCounts ?? [1, 2, 5, 10, 20];
  const log = options.log ?? console.log;

  // Every (lr, batch size) pair that some row needs, trained once for as many epochs as its rows need.
  const wanted: SweepRow[] = [
    ...learningRates.map((lr) => ({ sweep: 'lr' as const, lr, batchSize: base.batchSize, epochs: base.epochs })),
    ...batchSizes.map((batchSize) => ({ sweep: 'batchSize' as const, lr: base.lr, batchSize, epochs: base.epochs })),
    ...epochCounts.map((epochs) => ({ sweep: 'epochs' as const, lr: base.lr, batchSize: base.batchSize, epochs })),
  ].map((r) => ({ ...r, trainLoss: NaN, trainAcc: NaN, testAcc: NaN, seconds: NaN }));
  const runs = new Map<string, { lr: number; batchSize: number; epochs: number }>();
  for (const r of wanted) {
    const key = `${r.lr}/${r.batchSize}`;
    const prev = runs.get(key);
    runs.set(key, { lr: r.lr, batchSize: r.batchSize, epochs: Math.max(prev?.epochs ?? 0, r.epochs) });
  }
  for (const [key, spec] of runs) {
    const started = performance.now();
    const history = await trainSoftmaxRegression(spec.lr, spec.batchSize, spec.epochs, options);
    log(`lr ${spec.lr}, batch ${spec.batchSize}: ${spec.epochs} epochs, test acc ${history.testAcc.at(-1)?.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    for (const r of wanted) {
      if (`${r.lr}/${r.batchSize}` !== key) continue;
      const e = history.epochs[r.epochs - 1];
      r.trainLoss = e.trainLoss;
      r.trainAcc = e.trainAcc;
      r.testAcc = e.testAcc;
      r.seconds = history.epochs.slice(0, r.epochs).reduce((s, x) => s + x.seconds, 0);
    }
  }

  const table = formatTable(
    ['sweep', 'lr', 'batch', 'epochs', 'train loss', 'train acc', 'test acc', 'seconds'],
    wanted.map((r) => [r.sweep, String(r.lr), String(r.batchSize), String(r.epochs), r.trainLoss, r.trainAcc, r.testAcc, r.seconds.toFixed(1)]),
  );
  log(table);
  return { rows: wanted, table };
}

if (isMain(import.meta.url)) {
  const { epochs, ...rest } = cliOptions<never>();
  if (epochs !== undefined) throw new Error('hyperparameters: the number of epochs is one of the swept knobs; --epochs is not an option here');
  await run(rest);
}
