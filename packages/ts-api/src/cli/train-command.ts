// `softmax-nn train`: the notes' train_ch3 from a terminal, with a progress bar, a table and a saved
// run folder (weights, metrics, config, checkpoint, curves) that --resume continues bit for bit.

import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import cliProgress from 'cli-progress';
import { data, DataLoader, io, manualSeed, nn, optim, train, type Tensor } from '../index.js';
import { UsageError, type TrainOptions } from './args.js';
import { curvesSvg } from './chart-svg.js';
import { buildNet, describeArch, type Arch } from './models.js';
import { epochTable } from './table.js';

type Dataset = data.Dataset<[Tensor, Tensor]>;
type EpochLogs = train.EpochLogs;

/** Where the command writes its text: process.stdout, or a test's collector. */
export interface Output {
  write(text: string): unknown;
  /** A progress bar is drawn only on a terminal; otherwise one plain line per epoch. */
  isTTY?: boolean;
}

export interface TrainDeps {
  /** Datasets to use instead of Fashion-MNIST from disk (tests inject small subsets). */
  datasets?: { train: Dataset; test: Dataset };
  stdout?: Output;
}

export interface TrainResult {
  outDir: string;
  history: train.History;
  /** The epoch the run was resumed from (null for a fresh run). */
  resumedFrom: number | null;
  /** The epoch whose weights are in model.safetensors. */
  weightsEpoch: number;
}

export const RUN_FILES = {
  model: 'model.safetensors',
  metrics: 'metrics.json',
  config: 'config.json',
  checkpoint: 'checkpoint.safetensors',
  curves: 'curves.svg',
  /** Best weights so far, kept only with --early-stop (so that --resume can restore them). */
  best: 'best.safetensors',
} as const;

/** The contents of config.json: the options that define a run. */
export interface RunConfig {
  model: TrainOptions['model'];
  hidden: number | null;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  dropout: number;
  augment: boolean;
  earlyStop: number | null;
  seed: number;
  limit: number | null;
  workers: number;
  trainExamples: number;
  testExamples: number;
  dataRoot: string | null;
  download: boolean;
}

/** Options that must be equal for --resume (and the flag that sets each). */
const RESUME_KEYS: [keyof RunConfig, string][] = [
  ['model', '--model'], ['hidden', '--hidden'], ['batchSize', '--batch-size'], ['lr', '--lr'],
  ['weightDecay', '--weight-decay'], ['dropout', '--dropout'], ['augment', '--augment'],
  ['earlyStop', '--early-stop'], ['seed', '--seed'], ['limit', '--limit'], ['workers', '--workers'],
  ['trainExamples', 'the training set size'], ['testExamples', 'the test set size'],
];

function configOf(o: TrainOptions, trainExamples: number, testExamples: number): RunConfig {
  return {
    model: o.model,
    hidden: o.model === 'mlp' ? o.hidden : null,
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    weightDecay: o.weightDecay,
    dropout: o.dropout,
    augment: o.augment,
    earlyStop: o.earlyStop,
    seed: o.seed,
    limit: o.limit,
    workers: o.workers,
    trainExamples,
    testExamples,
    dataRoot: o.dataRoot,
    download: o.download,
  };
}

const show = (v: unknown) => (v === null ? 'off' : typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));

function checkSameConfig(saved: Partial<RunConfig>, now: RunConfig, file: string, keys = RESUME_KEYS): void {
  const diffs = keys
    .filter(([k]) => k in saved && saved[k] !== now[k])
    .map(([k, flag]) => `${flag}: the run used ${show(saved[k])}, now ${show(now[k])}`);
  if (diffs.length > 0) {
    throw new UsageError(
      `--resume: the options differ from those of the run (${file}):\n  ${diffs.join('\n  ')}\n` +
        'Resume with the run\'s options (only --epochs may change), or start a new run with another --out.',
      'train',
    );
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

/** Writes text so that readers see the old or the new file, never half of one. */
export async function writeTextAtomic(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.part`);
  try {
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

async function saveStateDict(file: string, net: nn.Module): Promise<void> {
  const dict = net.stateDict();
  try {
    await io.save(file, dict);
  } finally {
    for (const t of Object.values(dict)) t.dispose();
  }
}

function metricsOf(epochs: readonly EpochLogs[]): EpochLogs[] {
  return epochs.map((e) => ({ epoch: e.epoch, trainLoss: e.trainLoss, trainAcc: e.trainAcc, testAcc: e.testAcc, seconds: e.seconds }));
}

function epochLine(e: EpochLogs, numEpochs: number): string {
  const w = String(numEpochs).length;
  return `epoch ${String(e.epoch).padStart(w)}/${numEpochs}  loss ${e.trainLoss.toFixed(4)}  train acc ${e.trainAcc.toFixed(4)}  ` +
    `test acc ${e.testAcc.toFixed(4)}  ${e.seconds.toFixed(2)} s\n`;
}

/** A progress bar per epoch (cli-progress) on a terminal; a plain line per finished epoch everywhere. */
class Progress implements train.Callback {
  #bar: cliProgress.SingleBar | null = null;
  #lossSum = 0;
  #correct = 0;
  #count = 0;

  constructor(readonly out: Output, readonly numEpochs: number) {}

  onEpochBegin(epoch: number, ctx: train.TrainContext): void {
    this.#lossSum = 0;
    this.#correct = 0;
    this.#count = 0;
    if (!this.out.isTTY) return;
    const total = (ctx.trainIter as { length?: number }).length ?? 0;
    this.#bar = new cliProgress.SingleBar(
      {
        format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} batches | loss {loss} | acc {acc} | ETA {eta_formatted}',
        stream: this.out as unknown as NodeJS.WritableStream,
        clearOnComplete: true,
        hideCursor: false,
        etaBuffer: 30,
        fps: 12,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(total, 0, { epoch, epochs: this.numEpochs, loss: '  -   ', acc: '  -   ' });
  }

  onBatchEnd(logs: train.BatchLogs): void {
    this.#lossSum += logs.loss * logs.size;
    this.#correct += logs.acc * logs.size;
    this.#count += logs.size;
    this.#bar?.update(logs.batch + 1, {
      loss: (this.#lossSum / this.#count).toFixed(4),
      acc: (this.#correct / this.#count).toFixed(4),
    });
  }

  onEpochEnd(logs: EpochLogs): void {
    this.stopBar();
    this.out.write(epochLine(logs, this.numEpochs));
  }

  stopBar(): void {
    this.#bar?.stop();
    this.#bar = null;
  }
}

/**
 * EarlyStopping({ monitor: 'testAcc', patience, restoreBest: true }) that survives --resume: the epochs
 * of the earlier session are replayed into it, and the best weights are kept on disk (best.safetensors)
 * as well as in memory, so that a resumed run restores exactly the weights an uninterrupted one would.
 */
class ResumableEarlyStopping implements train.Callback {
  readonly es: train.EarlyStopping;

  constructor(patience: number, readonly prior: readonly EpochLogs[], readonly bestFile: string) {
    this.es = new train.EarlyStopping({ monitor: 'testAcc', patience, restoreBest: true });
  }

  /**
   * Feeds the earlier session's epochs to `es` (after its onTrainBegin); true when they had ended the
   * run. The context's network is not a Module, so best / patience are updated without snapshots.
   */
  static replay(es: train.EarlyStopping, prior: readonly EpochLogs[], ctx: train.TrainContext): boolean {
    let stopped = false;
    const replay: train.TrainContext = {
      net: (x: Tensor) => x,
      updater: ctx.updater,
      numEpochs: ctx.numEpochs,
      history: ctx.history,
      trainIter: ctx.trainIter,
      stop: () => { stopped = true; },
      get stopRequested() { return stopped; },
    };
    for (const logs of prior) es.onEpochEnd(logs, replay);
    return stopped;
  }

  /** Whether the earlier session had already been ended by early stopping. */
  priorStopped(ctx: train.TrainContext): boolean {
    const es = new train.EarlyStopping({ monitor: this.es.monitor, patience: this.es.patience });
    es.onTrainBegin(ctx);
    return ResumableEarlyStopping.replay(es, this.prior, ctx);
  }

  onTrainBegin(ctx: train.TrainContext): void {
    this.es.onTrainBegin(ctx);
    if (ResumableEarlyStopping.replay(this.es, this.prior, ctx)) ctx.stop('early-stopping');
  }

  async onEpochEnd(logs: EpochLogs, ctx: train.TrainContext): Promise<void> {
    this.es.onEpochEnd(logs, ctx);
    if (this.es.bestEpoch === logs.epoch && ctx.net instanceof nn.Module) await saveStateDict(this.bestFile, ctx.net);
  }

  async onTrainEnd(ctx: train.TrainContext): Promise<void> {
    const best = this.es.bestEpoch;
    this.es.onTrainEnd(ctx);
    const priorEpochs = this.prior.length > 0 ? this.prior[this.prior.length - 1].epoch : 0;
    // The best epoch was in the earlier session: its weights are on disk, not in the callback's memory.
    if (best !== null && best <= priorEpochs && ctx.net instanceof nn.Module) {
      if (!(await exists(this.bestFile))) {
        throw new Error(`cannot restore the best weights (epoch ${best}): ${this.bestFile} is missing`);
      }
      const dict = await io.load(this.bestFile);
      try {
        ctx.net.loadStateDict(dict);
      } finally {
        for (const t of Object.values(dict)) t.dispose();
      }
    }
  }
}

/** Keeps metrics.json and curves.svg up to date after every epoch (a crashed run still has them). */
class RunFiles implements train.Callback {
  constructor(readonly outDir: string, readonly numEpochs: number, readonly title: string) {}

  async onEpochEnd(_logs: EpochLogs, ctx: train.TrainContext): Promise<void> {
    await this.write(ctx.history);
  }

  async write(history: readonly EpochLogs[]): Promise<void> {
    await writeTextAtomic(path.join(this.outDir, RUN_FILES.metrics), JSON.stringify(metricsOf(history), null, 2) + '\n');
    await writeTextAtomic(path.join(this.outDir, RUN_FILES.curves), curvesSvg(history, { numEpochs: this.numEpochs, title: this.title }));
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Runs `softmax-nn train` with parsed options: trains, prints progress and the table, and writes the
 * run folder. User mistakes (an existing run without --overwrite, --resume with other options) throw
 * UsageError before anything is written.
 */
export async function runTrain(options: TrainOptions, deps: TrainDeps = {}): Promise<TrainResult> {
  const out: Output = deps.stdout ?? process.stdout;
  const started = performance.now();
  const outDir = options.out;
  const file = (name: keyof typeof RUN_FILES) => path.join(outDir, RUN_FILES[name]);

  // 1. The run folder: fresh, overwritten, or resumed.
  const existing = (await Promise.all(Object.keys(RUN_FILES).map(async (k) => ((await exists(file(k as keyof typeof RUN_FILES))) ? k : null))))
    .filter((k): k is keyof typeof RUN_FILES => k !== null);
  let savedConfig: Partial<RunConfig> | null = null;
  if (options.resume) {
    if (!(await exists(file('checkpoint')))) {
      throw new UsageError(`--resume: there is no checkpoint to resume in ${outDir} (expected ${file('checkpoint')})`, 'train');
    }
    if (!(await exists(file('config')))) throw new UsageError(`--resume: ${file('config')} is missing, so the run's options are unknown`, 'train');
    try {
      savedConfig = JSON.parse(await fs.readFile(file('config'), 'utf8')) as Partial<RunConfig>;
    } catch (e) {
      throw new UsageError(`--resume: cannot read ${file('config')}: ${e instanceof Error ? e.message : String(e)}`, 'train');
    }
    // Compare what can be compared before loading any data.
    checkSameConfig(savedConfig, configOf(options, savedConfig.trainExamples ?? 0, savedConfig.testExamples ?? 0), file('config'),
      RESUME_KEYS.filter(([k]) => k !== 'trainExamples' && k !== 'testExamples'));
  } else if (existing.length > 0) {
    if (!options.overwrite) {
      throw new UsageError(
        `${outDir} already holds a run (${existing.map((k) => RUN_FILES[k]).join(', ')}); ` +
          'use --resume to continue it, --overwrite to replace it, or another --out',
        'train',
      );
    }
    await Promise.all(existing.map((k) => fs.rm(file(k), { force: true })));
  }

  // 2. Data.
  let owned: data.ImageDataset[] = [];
  let trainSet: Dataset;
  let testSet: Dataset;
  if (deps.datasets) {
    ({ train: trainSet, test: testSet } = deps.datasets);
  } else {
    let loaded: data.FashionMnistDatasets;
    try {
      loaded = await data.fashionMnist({ ...(options.dataRoot !== null ? { root: options.dataRoot } : {}), download: options.download });
    } catch (e) {
      throw new Error(`cannot load Fashion-MNIST: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    owned = [loaded.train, loaded.test];
    trainSet = loaded.train;
    testSet = loaded.test;
  }
  try {
    if (options.limit !== null) {
      if (options.limit > trainSet.length) {
        throw new UsageError(`--limit ${options.limit} is more than the ${trainSet.length} training examples`, 'train');
      }
      trainSet = data.subset(trainSet, range(options.limit));
    }
    const config = configOf(options, trainSet.length, testSet.length);
    if (savedConfig !== null) checkSameConfig(savedConfig, config, file('config'));

    // 3. Model, loss, optimiser, loaders — made in the same order on a fresh and a resumed run.
    manualSeed(options.seed);
    const arch: Arch = { model: options.model, hidden: options.hidden, dropout: options.dropout };
    const net = buildNet(arch);
    const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
    const updater = new optim.SGD(net.parameters(), { lr: options.lr, weightDecay: options.weightDecay });
    const transform = options.augment
      ? data.transforms.compose([data.transforms.randomCrop(2), data.transforms.randomHorizontalFlip(0.5)])
      : undefined;
    const trainIter = new DataLoader(trainSet, { batchSize: options.batchSize, shuffle: true, seed: options.seed, transform });
    const testIter = new DataLoader(testSet, { batchSize: options.batchSize });

    // 4. Resume.
    let initialEpoch = 0;
    let prior: EpochLogs[] = [];
    if (options.resume) {
      let state: train.CheckpointState;
      try {
        state = await train.loadCheckpoint(file('checkpoint'), { net, optimizer: updater, loader: trainIter });
      } catch (e) {
        throw new UsageError(`--resume: cannot restore ${file('checkpoint')}: ${e instanceof Error ? e.message : String(e)}`, 'train');
      }
      initialEpoch = state.epoch;
      prior = state.history;
      if (initialEpoch > options.epochs) {
        throw new UsageError(`--resume: the run in ${outDir} already has ${initialEpoch} epochs; give --epochs ${initialEpoch} or more`, 'train');
      }
    }

    await writeTextAtomic(file('config'), JSON.stringify(config, null, 2) + '\n');
    const title = `${describeArch(arch)}, lr ${options.lr}, batch ${options.batchSize}`;
    const augmentText = options.augment ? ', augmented' : '';
    out.write(
      `training ${describeArch(arch)} on ${trainSet.length} images (test ${testSet.length}${augmentText}), ` +
        `${options.epochs} epochs, batch ${options.batchSize}, lr ${options.lr}` +
        `${options.weightDecay > 0 ? `, weight decay ${options.weightDecay}` : ''}` +
        `${options.earlyStop !== null ? `, early stop ${options.earlyStop}` : ''}, seed ${options.seed} → ${outDir}\n`,
    );
    const earlyStop = options.earlyStop !== null ? new ResumableEarlyStopping(options.earlyStop, prior, file('best')) : null;
    if (options.resume) {
      const probe = { net, updater, numEpochs: options.epochs, history: prior, trainIter, stop: () => undefined, stopRequested: false };
      out.write(earlyStop?.priorStopped(probe)
        ? `the run was stopped early after epoch ${initialEpoch}; nothing to train\n`
        : initialEpoch >= options.epochs
          ? `the run already has ${initialEpoch} epochs; nothing to train\n`
          : `resuming after epoch ${initialEpoch}\n`);
    }

    const progress = new Progress(out, options.epochs);
    const files = new RunFiles(outDir, options.epochs, title);
    const callbacks: train.Callback[] = [progress, ...(earlyStop ? [earlyStop] : []), new train.Checkpoint(file('checkpoint')), files];
    let history: train.History;
    try {
      history = await train.fit(net, trainIter, testIter, loss, options.epochs, updater, {
        callbacks, initialEpoch, history: prior, workers: options.workers,
      });
    } finally {
      progress.stopBar();
    }

    // 5. The run folder's final state.
    await saveStateDict(file('model'), net);
    await files.write(history.epochs);
    const last = history.epochs[history.epochs.length - 1];
    const weightsEpoch = earlyStop?.es.bestEpoch ?? last?.epoch ?? 0;

    out.write('\n' + epochTable(history.epochs));
    if (history.stopReason === 'early-stopping' && earlyStop !== null) {
      const best = history.epochs.find((e) => e.epoch === weightsEpoch);
      out.write(
        `\nstopped early after epoch ${last.epoch}: test acc did not improve for ${options.earlyStop} epochs; ` +
          `kept the weights of epoch ${weightsEpoch} (test acc ${best?.testAcc.toFixed(4)})\n`,
      );
    } else if (earlyStop !== null && last !== undefined && weightsEpoch !== last.epoch) {
      out.write(`\nkept the weights of the best epoch, ${weightsEpoch} (test acc ${earlyStop.es.best?.toFixed(4)})\n`);
    }
    const saved = Object.entries(RUN_FILES).filter(([k]) => k !== 'best' || earlyStop !== null).map(([, v]) => v);
    out.write(`\nsaved ${outDir}/: ${saved.join(', ')}\n`);
    if (last !== undefined) {
      out.write(
        `final: train loss ${last.trainLoss.toFixed(4)}, train acc ${last.trainAcc.toFixed(4)}, test acc ${last.testAcc.toFixed(4)} ` +
          `(${history.epochs.length} epochs, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    }
    return { outDir, history, resumedFrom: options.resume ? initialEpoch : null, weightsEpoch };
  } finally {
    for (const d of owned) d.dispose();
  }
}
