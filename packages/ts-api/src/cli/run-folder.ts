// The run folder of `softmax-nn train`: its file names, its config.json (the options that define a
// run, checked complete before --resume trusts it), the lock, and replacing an old run.

import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeDirs } from '../io/atomic-write.js';
import { formatSchedule, MODEL_KINDS, UsageError, type TrainOptions } from './args.js';
import { AUGMENTATIONS, OPTIMIZERS } from '../recipe-names.js';
import { explainWriteError } from './file-errors.js';
import { acquireRunLock, type RunLock } from './run-lock.js';

export const RUN_FILES = {
  model: 'model.safetensors',
  metrics: 'metrics.json',
  config: 'config.json',
  checkpoint: 'checkpoint.safetensors',
  curves: 'curves.svg',
  /** Best weights so far, kept only with --early-stop (so that --resume can restore them). */
  best: 'best.safetensors',
} as const;

export type RunFile = keyof typeof RUN_FILES;

/** The contents of config.json: the options that define a run. */
export interface RunConfig {
  model: TrainOptions['model'];
  hidden: number | null;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  dropout: number;
  /** The augmentations in order (a config written before lists were accepted has true / false). */
  augment: string[];
  earlyStop: number | null;
  valSize: number;
  /** As given to --lr-schedule (step:5:0.5, cosine, onecycle), or null. */
  lrSchedule: string | null;
  optimizer: TrainOptions['optimizer'];
  momentum: number;
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
  ['earlyStop', '--early-stop'], ['valSize', '--val-size'], ['lrSchedule', '--lr-schedule'], ['optimizer', '--optimizer'],
  ['momentum', '--momentum'], ['seed', '--seed'], ['limit', '--limit'], ['workers', '--workers'],
  ['trainExamples', 'the training set size'], ['testExamples', 'the test set size'],
];

export function configOf(o: TrainOptions, trainExamples: number, testExamples: number): RunConfig {
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
    valSize: o.valSize,
    lrSchedule: formatSchedule(o.lrSchedule),
    optimizer: o.optimizer,
    momentum: o.momentum,
    seed: o.seed,
    limit: o.limit,
    workers: o.workers,
    trainExamples,
    testExamples,
    dataRoot: o.dataRoot,
    download: o.download,
  };
}

const isInt = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
const orNull = (test: (v: unknown) => boolean) => (v: unknown) => v === null || test(v);

/** What each config.json field must be. */
const FIELD_CHECKS: Record<keyof RunConfig, [(v: unknown) => boolean, string]> = {
  model: [(v) => MODEL_KINDS.includes(v as TrainOptions['model']), MODEL_KINDS.map((m) => `"${m}"`).join(' or ')],
  hidden: [orNull((v) => isInt(v, 1)), 'an integer ≥ 1 or null'],
  epochs: [(v) => isInt(v, 1), 'an integer ≥ 1'],
  batchSize: [(v) => isInt(v, 1), 'an integer ≥ 1'],
  lr: [(v) => typeof v === 'number' && v > 0 && Number.isFinite(v), 'a number > 0'],
  weightDecay: [(v) => typeof v === 'number' && v >= 0 && Number.isFinite(v), 'a number ≥ 0'],
  dropout: [(v) => typeof v === 'number' && v >= 0 && v < 1, 'a number in [0, 1)'],
  augment: [(v) => Array.isArray(v) && v.every((a) => (AUGMENTATIONS as readonly unknown[]).includes(a)), `a list of ${AUGMENTATIONS.map((a) => `"${a}"`).join(', ')}`],
  earlyStop: [orNull((v) => isInt(v, 1)), 'an integer ≥ 1 or null'],
  valSize: [(v) => isInt(v, 0), 'an integer ≥ 0'],
  lrSchedule: [orNull((v) => typeof v === 'string'), 'a string or null'],
  optimizer: [(v) => (OPTIMIZERS as readonly unknown[]).includes(v), OPTIMIZERS.map((m) => `"${m}"`).join(' or ')],
  momentum: [(v) => typeof v === 'number' && v >= 0 && Number.isFinite(v), 'a number ≥ 0'],
  seed: [(v) => isInt(v, 0), 'an integer ≥ 0'],
  limit: [orNull((v) => isInt(v, 1)), 'an integer ≥ 1 or null'],
  workers: [(v) => isInt(v, 1), 'an integer ≥ 1'],
  trainExamples: [(v) => isInt(v, 1), 'an integer ≥ 1'],
  testExamples: [(v) => isInt(v, 1), 'an integer ≥ 1'],
  dataRoot: [orNull((v) => typeof v === 'string'), 'a string or null'],
  download: [(v) => typeof v === 'boolean', 'true or false'],
};

/**
 * Reads config.json and checks that it is a complete run config (every field, each of its type):
 * an empty or partial one would switch the --resume check off. UsageError otherwise.
 */
export async function readRunConfig(file: string): Promise<RunConfig> {
  const bad = (why: string) =>
    new UsageError(`--resume: ${file} ${why}, so the run's options are unknown; start a new run with --overwrite or another --out`, 'train');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw bad(`cannot be read (${e instanceof Error ? e.message : String(e)})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw bad(`is not a run config (expected a JSON object, got ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)})`);
  }
  // Configs written before these options existed: the values that reproduce such a run.
  const record: Record<string, unknown> = { valSize: 0, lrSchedule: null, optimizer: 'sgd', momentum: 0, ...(parsed as Record<string, unknown>) };
  if (typeof record.augment === 'boolean') record.augment = record.augment ? ['crop', 'flip'] : [];
  const missing = Object.keys(FIELD_CHECKS).filter((k) => !(k in record));
  if (missing.length > 0) throw bad(`is not a complete run config (missing ${missing.map((k) => `"${k}"`).join(', ')})`);
  for (const [k, [ok, expected]] of Object.entries(FIELD_CHECKS)) {
    if (!ok(record[k])) throw bad(`is not a valid run config ("${k}" must be ${expected}, got ${JSON.stringify(record[k])})`);
  }
  return record as unknown as RunConfig;
}

const show = (v: unknown) =>
  v === null ? 'off' : typeof v === 'boolean' ? (v ? 'on' : 'off') : Array.isArray(v) ? (v.length === 0 ? 'off' : v.join(',')) : String(v);

/** UsageError listing the options that differ from the run's; `sizes` false skips the data set sizes. */
export function checkSameConfig(saved: RunConfig, now: RunConfig, file: string, sizes = true): void {
  const diffs = RESUME_KEYS
    .filter(([k]) => sizes || (k !== 'trainExamples' && k !== 'testExamples'))
    .filter(([k]) => JSON.stringify(saved[k]) !== JSON.stringify(now[k]))
    .map(([k, flag]) => `${flag}: the run used ${show(saved[k])}, now ${show(now[k])}`);
  if (diffs.length > 0) {
    throw new UsageError(
      `--resume: the options differ from those of the run (${file}):\n  ${diffs.join('\n  ')}\n` +
        'Resume with the run\'s options (only --epochs may change), or start a new run with another --out.',
      'train',
    );
  }
}

/** The run files present in `dir`. */
export async function existingRunFiles(dir: string): Promise<RunFile[]> {
  const names = Object.keys(RUN_FILES) as RunFile[];
  const present = await Promise.all(names.map((k) => fs.access(path.join(dir, RUN_FILES[k])).then(() => true, () => false)));
  return names.filter((_, i) => present[i]);
}

/**
 * Removes an old run's files, config.json first: from then on the folder no longer passes for that run
 * (no --resume of an old checkpoint under a new config).
 */
export async function removeRunFiles(dir: string, files: readonly RunFile[]): Promise<void> {
  const ordered = [...files].sort((a, b) => Number(b === 'config') - Number(a === 'config'));
  for (const k of ordered) await fs.rm(path.join(dir, RUN_FILES[k]), { force: true });
}

export interface OpenedRunFolder {
  lock: RunLock;
  /** Releases the lock; removes the folder too when this run created it and left it empty. */
  close(): Promise<void>;
}

/**
 * Makes `dir` (the --out folder) if needed and locks it. Paths that cannot hold a run (a file, a
 * read-only place, /proc) fail with a UsageError saying what to do.
 */
export async function openRunFolder(dir: string): Promise<OpenedRunFolder> {
  const stat = await fs.stat(dir).catch((e: unknown) => {
    if ((e as { code?: unknown }).code === 'ENOENT') return null;
    throw explainWriteError(e, '--out', dir, 'folder', 'train');
  });
  if (stat !== null && !stat.isDirectory()) {
    throw new UsageError(`--out ${dir} is a file, not a folder; give the folder for the run (it is made if missing)`, 'train');
  }
  const created = stat === null;
  let lock: RunLock;
  try {
    if (created) await makeDirs(dir);
    lock = await acquireRunLock(dir);
  } catch (e) {
    if (created) await fs.rmdir(dir).catch(() => undefined);
    throw explainWriteError(e, '--out', dir, 'folder', 'train');
  }
  return {
    lock,
    async close() {
      await lock.release();
      if (created) await fs.rmdir(dir).catch(() => undefined);
    },
  };
}
