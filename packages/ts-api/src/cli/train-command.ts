// `softmax-nn train`: the notes' train_ch3 from a terminal, with a progress bar, a table and a saved
// run folder (weights, metrics, config, checkpoint, curves) that --resume continues bit for bit.

import * as fs from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import cliProgress from 'cli-progress';
import { data, io, nn, train, type Tensor } from '../index.js';
import { writeFileDurable } from '../io/atomic-write.js';
import { DivergedError, UsageError, type TrainOptions } from './args.js';
import { curvesSvg } from './chart-svg.js';
import { dataLoadError } from './file-errors.js';
import { buildLoaders, buildTraining, describeArch, type Arch, type Recipe } from '../models.js';
import {
  checkSameConfig, configOf, existingRunFiles, openRunFolder, readRunConfig, removeRunFiles, RUN_FILES,
  type RunConfig, type RunFile,
} from './run-folder.js';
import { epochTable } from './table.js';

export { RUN_FILES } from './run-folder.js';

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
  /** Where warnings go (default process.stderr). */
  stderr?: Output;
  /** The number of cores to warn against (default: os.availableParallelism()). */
  cores?: number;
  /** Callbacks called before the command's own after every batch and epoch (tests inject faults with them). */
  callbacks?: train.Callback[];
}

export interface TrainResult {
  outDir: string;
  history: train.History;
  /** The epoch the run was resumed from (null for a fresh run). */
  resumedFrom: number | null;
  /** The epoch whose weights are in model.safetensors. */
  weightsEpoch: number;
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
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

/**
 * At the first epoch end of this session, before anything is written for it: removes the files of the
 * run being replaced (--overwrite, or a run restarted under --resume). Until then the old run is intact,
 * so a bad option, unreadable data or a diverged first epoch leave it as it was.
 */
class OldRunReplacer implements train.Callback {
  constructor(readonly outDir: string, private old: readonly RunFile[]) {}

  async onEpochEnd(): Promise<void> {
    if (this.old.length === 0) return;
    await removeRunFiles(this.outDir, this.old);
    this.old = [];
  }
}

/**
 * After the checkpoint of every epoch: config.json (once per session, unless written before training;
 * after the checkpoint, so a replaced run's config never sits beside the old checkpoint), metrics.json
 * and curves.svg (a crashed run still has them).
 */
class RunFiles implements train.Callback {
  #configWritten = false;

  constructor(readonly outDir: string, readonly numEpochs: number, readonly title: string, readonly config: RunConfig) {}

  async onEpochEnd(_logs: EpochLogs, ctx: train.TrainContext): Promise<void> {
    if (!this.#configWritten) await this.writeConfig();
    await this.write(ctx.history);
  }

  async writeConfig(): Promise<void> {
    await writeFileDurable(path.join(this.outDir, RUN_FILES.config), JSON.stringify(this.config, null, 2) + '\n');
    this.#configWritten = true;
  }

  async write(history: readonly EpochLogs[]): Promise<void> {
    await writeFileDurable(path.join(this.outDir, RUN_FILES.metrics), JSON.stringify(metricsOf(history), null, 2) + '\n');
    await writeFileDurable(path.join(this.outDir, RUN_FILES.curves), curvesSvg(history, { numEpochs: this.numEpochs, title: this.title }));
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** What the folder holds and how this session treats it. */
interface RunPlan {
  /** The run's config.json, for --resume. */
  saved: RunConfig | null;
  /** --resume with a checkpoint: continue it. */
  continueRun: boolean;
  /** Files of an old run to remove at the first epoch end. */
  replace: RunFile[];
}

/** Decides from the folder's files whether to start, replace, continue or restart the run; UsageError if none fits. */
async function planRun(options: TrainOptions, outDir: string): Promise<RunPlan> {
  const file = (name: RunFile) => path.join(outDir, RUN_FILES[name]);
  const existing = await existingRunFiles(outDir);
  const hasCheckpoint = existing.includes('checkpoint');
  if (options.resume) {
    if (!hasCheckpoint && !existing.includes('config')) {
      throw new UsageError(`--resume: there is no checkpoint to resume in ${outDir} (expected ${file('checkpoint')})`, 'train');
    }
    if (!existing.includes('config')) throw new UsageError(`--resume: ${file('config')} is missing, so the run's options are unknown`, 'train');
    const saved = await readRunConfig(file('config'));
    // Compare what can be compared before loading any data.
    checkSameConfig(saved, configOf(options, saved.trainExamples, saved.testExamples), file('config'), false);
    // Stopped before its first checkpoint: nothing to continue, so the run starts over.
    return hasCheckpoint ? { saved, continueRun: true, replace: [] } : { saved, continueRun: false, replace: existing };
  }
  if (existing.length > 0 && !options.overwrite) {
    const what = existing.map((k) => RUN_FILES[k]).join(', ');
    throw new UsageError(
      hasCheckpoint
        ? `${outDir} already holds a run (${what}); use --resume to continue it, --overwrite to replace it, or another --out`
        : `${outDir} holds a run stopped before its first checkpoint (${what}); use --resume to start it over, ` +
            '--overwrite to replace it, or another --out',
      'train',
    );
  }
  return { saved: null, continueRun: false, replace: existing };
}

/** The warning for more workers than cores (each worker then waits for a core: slower, and more memory). */
function workersWarning(workers: number, cores: number): string | null {
  if (workers <= cores) return null;
  return `softmax-nn: warning: --workers ${workers} is more than the ${cores} core${cores === 1 ? '' : 's'} of this machine; ` +
    `training will be slower and use more memory than with --workers ${cores}\n`;
}

/**
 * Runs `softmax-nn train` with parsed options: trains, prints progress and the table, and writes the
 * run folder. User mistakes (an existing run without --overwrite, --resume with other options, a path
 * that cannot hold a run, a folder in use) throw UsageError before anything is written or removed; a
 * diverged run throws DivergedError and keeps the last finite epoch's checkpoint.
 */
export async function runTrain(options: TrainOptions, deps: TrainDeps = {}): Promise<TrainResult> {
  const out: Output = deps.stdout ?? process.stdout;
  const warning = workersWarning(options.workers, deps.cores ?? availableParallelism());
  if (warning !== null) (deps.stderr ?? process.stderr).write(warning);
  const folder = await openRunFolder(options.out);
  try {
    return await trainInFolder(options, deps, out);
  } finally {
    await folder.close();
  }
}

async function trainInFolder(options: TrainOptions, deps: TrainDeps, out: Output): Promise<TrainResult> {
  const started = performance.now();
  const outDir = options.out;
  const file = (name: RunFile) => path.join(outDir, RUN_FILES[name]);

  // 1. The run folder: fresh, replaced, continued, or restarted.
  const plan = await planRun(options, outDir);

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
      throw dataLoadError(e, options.download, 'train');
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
    if (plan.saved !== null) checkSameConfig(plan.saved, config, file('config'));

    // 3. Model, loss, optimiser, loaders — made in the same order on a fresh and a resumed run.
    const arch: Arch = { model: options.model, hidden: options.hidden, dropout: options.dropout };
    const recipe: Recipe = { ...arch, seed: options.seed, lr: options.lr, weightDecay: options.weightDecay, batchSize: options.batchSize, augment: options.augment };
    const { net, loss, updater } = buildTraining(recipe);
    const { trainIter, testIter } = buildLoaders(recipe, trainSet, testSet);

    // 4. Resume.
    let initialEpoch = 0;
    let prior: EpochLogs[] = [];
    if (plan.continueRun) {
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

    const title = `${describeArch(arch)}, lr ${options.lr}, batch ${options.batchSize}`;
    const augmentText = options.augment ? ', augmented' : '';
    out.write(
      `training ${describeArch(arch)} on ${trainSet.length} images (test ${testSet.length}${augmentText}), ` +
        `${options.epochs} epochs, batch ${options.batchSize}, lr ${options.lr}` +
        `${options.weightDecay > 0 ? `, weight decay ${options.weightDecay}` : ''}` +
        `${options.earlyStop !== null ? `, early stop ${options.earlyStop}` : ''}, seed ${options.seed} → ${outDir}\n`,
    );
    const earlyStop = options.earlyStop !== null ? new ResumableEarlyStopping(options.earlyStop, prior, file('best')) : null;
    if (options.resume && !plan.continueRun) {
      out.write(`there is no checkpoint yet in ${outDir} (the run stopped in its first epoch); starting it over\n`);
    } else if (options.resume) {
      const probe = { net, updater, numEpochs: options.epochs, history: prior, trainIter, stop: () => undefined, stopRequested: false };
      out.write(earlyStop?.priorStopped(probe)
        ? `the run was stopped early after epoch ${initialEpoch}; nothing to train\n`
        : initialEpoch >= options.epochs
          ? `the run already has ${initialEpoch} epochs; nothing to train\n`
          : `resuming after epoch ${initialEpoch}\n`);
    }

    const progress = new Progress(out, options.epochs);
    const nanGuard = new train.TerminateOnNaN();
    const files = new RunFiles(outDir, options.epochs, title, config);
    // Order matters: nothing of a diverged epoch is written, and the old run goes before the new files come.
    const callbacks: train.Callback[] = [
      ...(deps.callbacks ?? []), progress, nanGuard, new OldRunReplacer(outDir, plan.replace), ...(earlyStop ? [earlyStop] : []),
      new train.Checkpoint(file('checkpoint')), files,
    ];
    // A new run in an empty folder records its options at once: stopped during its first epoch, it is
    // found again (--resume starts it over). Replaced runs get theirs only with the first checkpoint.
    const freshFolder = !options.resume && plan.replace.length === 0;
    if (freshFolder) await files.writeConfig();
    let history: train.History;
    try {
      history = await train.fit(net, trainIter, testIter, loss, options.epochs, updater, {
        callbacks, initialEpoch, history: prior, workers: options.workers,
      });
    } catch (e) {
      if (nanGuard.diverged === null) throw e;
      history = { epochs: [], trainLoss: [], trainAcc: [], testAcc: [], stopReason: train.NON_FINITE_STOP };
    } finally {
      progress.stopBar();
    }
    if (nanGuard.diverged !== null) {
      const lastFinite = nanGuard.diverged.epoch - 1;
      const checkpointKept = lastFinite > initialEpoch || (plan.continueRun && lastFinite > 0);
      if (!checkpointKept && freshFolder) await fs.rm(file('config'), { force: true });
      const kept = checkpointKept
        ? `${file('checkpoint')} keeps epoch ${lastFinite}, the last with a finite loss`
        : `nothing was saved${plan.replace.length > 0 ? ` and ${outDir} was left as it was` : ''}`;
      throw new DivergedError(
        `${nanGuard.diverged.message}. Lower the learning rate (--lr ${options.lr} now) and start again; ${kept}`,
      );
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
