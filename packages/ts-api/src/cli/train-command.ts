// `softmax-nn train`: the notes' train_ch3 from a terminal, with a progress bar, a table and a saved
// run folder (weights, metrics, config, checkpoint, curves) that --resume continues bit for bit.

import * as fs from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { data, train, type Tensor } from '../index.js';
import { DivergedError, formatSchedule, UsageError, type TrainOptions } from './args.js';
import { dataLoadError } from './file-errors.js';
import { buildLoaders, buildScheduler, buildTraining, describeArch, splitValidation, type Arch, type Recipe } from '../models.js';
import { BestWeights, OldRunReplacer, Progress, RunFiles, saveStateDict, type Output } from './train-callbacks.js';
import {
  checkSameConfig, configOf, existingRunFiles, openRunFolder, readRunConfig, RUN_FILES,
  type RunConfig, type RunFile,
} from './run-folder.js';
import { epochTable } from './table.js';
import { warmUp } from '../warm-up.js';

export { RUN_FILES } from './run-folder.js';

export type { Output } from './train-callbacks.js';

type Dataset = data.Dataset<[Tensor, Tensor]>;
type EpochLogs = train.EpochLogs;

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

/** The first line: what is trained on what, and the settings that differ from a plain run. */
function startLine(o: TrainOptions, arch: string, trainCount: number, testCount: number): string {
  const extras = [
    o.valSize > 0 ? `val ${o.valSize}` : '',
    `test ${testCount}`,
    o.augment.length > 0 ? `augmented: ${o.augment.join(', ')}` : '',
  ].filter((x) => x !== '');
  const settings = [
    `${o.epochs} epochs`, `batch ${o.batchSize}`, ...(o.optimizer !== 'sgd' ? [o.optimizer] : []), `lr ${o.lr}`,
    ...(o.momentum > 0 ? [`momentum ${o.momentum}`] : []), ...(o.lrSchedule !== null ? [`lr schedule ${formatSchedule(o.lrSchedule)}`] : []),
    ...(o.weightDecay > 0 ? [`weight decay ${o.weightDecay}`] : []), ...(o.earlyStop !== null ? [`early stop ${o.earlyStop} (on val acc)`] : []),
    `seed ${o.seed}`,
  ];
  return `training ${arch} on ${trainCount} images (${extras.join(', ')}), ${settings.join(', ')} → ${o.out}\n`;
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
    if ((saved.lrSchedule === 'cosine' || saved.lrSchedule === 'onecycle') && saved.epochs !== options.epochs) {
      throw new UsageError(
        `--resume: the run's --lr-schedule ${saved.lrSchedule} spans its ${saved.epochs} epochs, so --epochs cannot change (now ${options.epochs})`,
        'train',
      );
    }
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

  // 2. Data, while a throwaway copy of the model warms V8 up (docs/PERFORMANCE.md, Warm start).
  const arch: Arch = { model: options.model, hidden: options.hidden, dropout: options.dropout };
  const warming = warmUp(arch);
  warming.catch(() => undefined); // awaited below; a data error first must not leave it unhandled
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
    await warming;
    if (options.limit !== null) {
      if (options.limit > trainSet.length) {
        throw new UsageError(`--limit ${options.limit} is more than the ${trainSet.length} training examples`, 'train');
      }
      trainSet = data.subset(trainSet, range(options.limit));
    }
    const config = configOf(options, trainSet.length, testSet.length);
    if (plan.saved !== null) checkSameConfig(plan.saved, config, file('config'));
    if (options.valSize >= trainSet.length) {
      throw new UsageError(`--val-size ${options.valSize} leaves no training examples: there are ${trainSet.length}; give at most ${trainSet.length - 1}`, 'train');
    }
    const split = splitValidation(trainSet, options.valSize, options.seed);

    // 3. Model, loss, optimiser, scheduler, loaders — made in the same order on a fresh and a resumed run.
    const recipe: Recipe = {
      ...arch, seed: options.seed, lr: options.lr, weightDecay: options.weightDecay, batchSize: options.batchSize, augment: options.augment,
      optimizer: options.optimizer, momentum: options.momentum,
    };
    const { net, loss, updater } = buildTraining(recipe);
    const { trainIter, testIter, valIter } = buildLoaders(recipe, split.train, testSet, recipe.batchSize, true, split.val);
    const scheduler = buildScheduler(options.lrSchedule, updater, options.epochs, trainIter.length);
    const earlyStop = options.earlyStop !== null ? new train.EarlyStopping({ monitor: 'valAcc', patience: options.earlyStop, restoreBest: true }) : null;

    // 4. Resume.
    let initialEpoch = 0;
    let prior: EpochLogs[] = [];
    if (plan.continueRun) {
      let state: train.CheckpointState;
      try {
        state = await train.loadCheckpoint(file('checkpoint'), { net, optimizer: updater, loader: trainIter, scheduler, earlyStopping: earlyStop });
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
    out.write(startLine(options, describeArch(arch), split.train.length, testSet.length));
    if (options.resume && !plan.continueRun) {
      out.write(`there is no checkpoint yet in ${outDir} (the run stopped in its first epoch); starting it over\n`);
    } else if (options.resume) {
      out.write(earlyStop !== null && earlyStop.stoppedEpoch !== null
        ? `the run was stopped early after epoch ${initialEpoch}; nothing to train\n`
        : initialEpoch >= options.epochs
          ? `the run already has ${initialEpoch} epochs; nothing to train\n`
          : `resuming after epoch ${initialEpoch}\n`);
    }

    const progress = new Progress(out, options.epochs, scheduler !== null);
    const nanGuard = new train.TerminateOnNaN();
    const files = new RunFiles(outDir, options.epochs, title, config);
    // Order matters: nothing of a diverged epoch is written, and the old run goes before the new files come.
    const callbacks: train.Callback[] = [
      ...(deps.callbacks ?? []), progress, nanGuard, new OldRunReplacer(outDir, plan.replace),
      ...(earlyStop ? [earlyStop, new BestWeights(earlyStop, file('best'))] : []),
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
        ...(valIter !== null ? { valIter } : {}), ...(scheduler !== null ? { scheduler } : {}),
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
    const weightsEpoch = earlyStop?.bestEpoch ?? last?.epoch ?? 0;
    out.write('\n' + epochTable(history.epochs));
    const best = history.epochs.find((e) => e.epoch === weightsEpoch);
    const chosen = `chosen by validation (val acc ${best?.valAcc?.toFixed(4)}; its test acc ${best?.testAcc.toFixed(4)})`;
    if (history.stopReason === 'early-stopping' && earlyStop !== null) {
      out.write(
        `\nstopped early after epoch ${last.epoch}: val acc did not improve for ${options.earlyStop} epochs; ` +
          `kept the weights of epoch ${weightsEpoch}, ${chosen}\n`,
      );
    } else if (earlyStop !== null && last !== undefined) {
      out.write(`\nkept the weights of epoch ${weightsEpoch}, ${chosen}\n`);
    }
    const saved = Object.entries(RUN_FILES).filter(([k]) => k !== 'best' || earlyStop !== null).map(([, v]) => v);
    out.write(`\nsaved ${outDir}/: ${saved.join(', ')}\n`);
    // The figures of the weights saved in model.safetensors: the kept epoch's when early stopping went back.
    const kept = best ?? last;
    if (kept !== undefined) {
      const from = kept.epoch === last.epoch ? '' : `, the weights of epoch ${kept.epoch}`;
      out.write(
        `final: train loss ${kept.trainLoss.toFixed(4)}, train acc ${kept.trainAcc.toFixed(4)}, test acc ${kept.testAcc.toFixed(4)} ` +
          `(${history.epochs.length} epochs${from}, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    }
    return { outDir, history, resumedFrom: options.resume ? initialEpoch : null, weightsEpoch };
  } finally {
    for (const d of owned) d.dispose();
  }
}
