// Command-line arguments of `softmax-nn`: parsing (node:util parseArgs), validation and help texts.
// This module does not import the library (no wasm), so `--help` and usage errors are instant.

import { availableParallelism } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AUGMENTATIONS, DEFAULT_LR, defaultOptimizer, MODEL_KINDS, OPTIMIZERS, type LrSchedule, type ModelKind, type OptimizerKind } from '../recipe-names.js';

export type { LrSchedule, ModelKind, OptimizerKind } from '../recipe-names.js';
export { MODEL_KINDS } from '../recipe-names.js';

/** A mistake in what the user typed: reported on stderr without a stack trace, exit code 2. */
export class UsageError extends Error {
  /** The command whose help the message should point to ('train', 'predict' or null for the top level). */
  readonly command: string | null;
  constructor(message: string, command: string | null = null) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** Training diverged (a NaN or infinite loss): reported on stderr, exit code 3. */
export class DivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DivergedError';
  }
}

/**
 * The models whose steps are long enough for data-parallel workers to pay (softmax regression's are
 * not); lenet-bn stays on one thread by default, since shards normalise with their own batch statistics.
 */
const DATA_PARALLEL_BY_DEFAULT: readonly ModelKind[] = ['mlp', 'lenet'];

export interface TrainOptions {
  model: ModelKind;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  dropout: number;
  /** Width of the MLP's hidden layer (unused by softmax). */
  hidden: number;
  /** Augmentations of the training batches, in order (crop, flip, affine); [] = none. */
  augment: string[];
  /** Patience of early stopping on validation accuracy; null = off. */
  earlyStop: number | null;
  /** Training examples held out for validation (a seeded random split); 0 = none. */
  valSize: number;
  /** The lr schedule; null = a constant lr. */
  lrSchedule: LrSchedule | null;
  optimizer: OptimizerKind;
  /** SGD's or RMSprop's momentum. */
  momentum: number;
  seed: number;
  /** The run folder. */
  out: string;
  resume: boolean;
  overwrite: boolean;
  /** Use only the first N training examples; null = all. */
  limit: number | null;
  /** Data-parallel workers (fit's `workers`); 1 = train in this thread only. */
  workers: number;
  /** Folder with the Fashion-MNIST files; null = the default search (cache, Debian's package, download). */
  dataRoot: string | null;
  download: boolean;
}

export interface PredictOptions {
  weights: string;
  n: number;
  /** null = inferred from the weights. */
  model: ModelKind | null;
  hidden: number | null;
  svg: string | null;
  dataRoot: string | null;
  download: boolean;
}

export const TRAIN_DEFAULTS = {
  model: 'softmax' as ModelKind,
  epochs: 10,
  batchSize: 256,
  lr: 0.1,
  weightDecay: 0,
  dropout: 0,
  hidden: 256,
  seed: 0,
};

export const TOP_HELP = `softmax-nn — train and use Fashion-MNIST classifiers (softmax regression, MLP) on a wasm SIMD core

Usage:
  softmax-nn train [options]      train a model, save a run folder (weights, metrics, config, curves)
  softmax-nn predict [options]    show a trained model's predictions on test images
  softmax-nn help [command]       show help (also: softmax-nn <command> --help)

Options:
  -h, --help                      show this help
  -v, --version                   print the version

Examples:
  softmax-nn train --model softmax --epochs 10 --out runs/softmax
  softmax-nn train --model mlp --hidden 256 --dropout 0.2 --augment crop,flip --early-stop 3 --out runs/mlp
  softmax-nn train --model mlp --optimizer sgd --momentum 0.9 --lr-schedule cosine --out runs/cos
  softmax-nn train --model lenet --out runs/lenet
  softmax-nn train --out runs/mlp --model mlp --epochs 20 --resume
  softmax-nn predict --weights runs/softmax/model.safetensors --n 12 --svg predictions.svg

Exit codes: 0 success, 1 unexpected failure, 2 bad usage (unknown option, bad value, missing or wrong
file, a folder that cannot be written, a run folder in use), 3 training diverged (a NaN or infinite loss:
lower the learning rate).
`;

export const TRAIN_HELP = `Usage: softmax-nn train [options]

Trains a model on Fashion-MNIST with minibatch SGD (or Adam, RMSprop) and cross-entropy (the notes' train_ch3), showing a
progress bar per epoch (plain per-epoch lines when stdout is not a terminal) and a table at the end.
One train at a time per run folder: a second one exits with code 2. Training stops at the first NaN or
infinite loss with exit code 3 (lower --lr), keeping the checkpoint of the last finite epoch.

Model:
  --model softmax|mlp|lenet|lenet-bn                                            (default: softmax)
                           softmax: Flatten → [Dropout] → Linear(784, 10), weights ~ normal(0, 0.01);
                           mlp: Flatten → Linear(784, H) → ReLU → [Dropout] → Linear(H, 10),
                           PyTorch's default init;
                           lenet: d2l 6.6's LeNet with ReLU and max pooling (conv 5×5 → 6, pool,
                           conv 5×5 → 16, pool, 120, 84, [Dropout], 10), Xavier-uniform weights;
                           lenet-bn: d2l 8.5's LeNet with batch normalisation (sigmoid, average pooling)
  --hidden H               width of the MLP's hidden layer                      (default: 256)
  --dropout P              dropout probability in [0, 1); 0 = no Dropout layer  (default: 0)

Training:
  --epochs N               number of epochs, ≥ 1                                (default: 10)
  --batch-size N           minibatch size, ≥ 1                                  (default: 256)
  --optimizer sgd|adam|rmsprop                               (default: sgd; adam for --model lenet)
  --lr X                   learning rate, > 0        (default: 0.1 for sgd, 0.001 adam, 0.01 rmsprop)
  --momentum M             momentum of sgd or rmsprop, ≥ 0 (Adam has none)      (default: 0)
  --weight-decay X         weight decay (L2 penalty), ≥ 0                       (default: 0)
  --lr-schedule S          step:EPOCHS:GAMMA  multiply the lr by GAMMA every EPOCHS epochs;
                           cosine    anneal it to 0 over --epochs (CosineAnnealingLR);
                           onecycle  the 1cycle policy peaking at --lr, stepped every batch
                           (OneCycleLR)                                         (default: none)
  --augment [LIST]         augment training batches, in the order listed (comma-separated):
                           crop = random crop (padding 2), flip = random horizontal flip
                           (p = 0.5), affine = random rotation ±10°, scale 0.9-1.1 and
                           shear ±10° (bilinear); --augment alone = crop,flip   (default: none)
  --val-size N             hold out N training images (a random split seeded by --seed) to
                           validate on after every epoch: val loss and val acc
                           (default: 5000 with --early-stop, else 0)
  --early-stop N           stop when validation accuracy has not improved for N epochs, and keep
                           the best epoch's weights (by validation; the test set is never used
                           to choose)                                           (default: off)
  --seed N                 seed of initialisation, shuffling, dropout, augmentation (default: 0)
  --limit N                use only the first N training examples (quick experiments)
  --workers N              data-parallel training on N threads (gradients summed in a fixed order)
                           (default: the number of cores, at most 64, for --model mlp and lenet;
                           1 for softmax, whose steps are too small to gain from a second thread,
                           and for lenet-bn, whose shards would normalise with their own statistics)

Run folder:
  --out DIR                where the run is saved                (default: runs/<model>-<date>-<time>)
                           DIR/model.safetensors   final weights (PyTorch state-dict names: 1.weight …)
                           DIR/metrics.json        per epoch: epoch, trainLoss, trainAcc, testAcc, seconds,
                                                   lr, and valLoss, valAcc with a validation split
                           DIR/config.json         the options of the run
                           DIR/checkpoint.safetensors  written after every epoch (for --resume)
                           DIR/curves.svg          train loss, train acc and test acc against epoch
                           DIR/best.safetensors    with --early-stop: the best epoch's weights so far
  --resume                 continue the run in --out from its checkpoint. The options must be those of
                           the run (only --epochs may change, e.g. to train longer); the result is bit
                           for bit that of an uninterrupted run. A run stopped before its first
                           checkpoint starts over (with --lr-schedule cosine or onecycle, whose
                           schedule spans --epochs, --epochs may not change either)
  --overwrite              replace a run already in --out (otherwise that is an error); the old run
                           is removed only when the new one has finished its first epoch

Data:
  --data-root DIR          folder with the four Fashion-MNIST .gz files (downloaded there if missing)
                           default: the cache folder, then /usr/share/datasets/fashion-mnist, then download
  --no-download            never download; fail if the files are not found

  -h, --help               show this help
`;

export const PREDICT_HELP = `Usage: softmax-nn predict --weights FILE [options]

Prints the true and predicted labels of the first n test images (the notes' predict_ch3), and can draw
them with their labels as an SVG.

  --weights FILE           trained weights, e.g. runs/NAME/model.safetensors (required)
  --n N                    number of test images, 1 … 10000                     (default: 12)
  --model softmax|mlp|lenet|lenet-bn  the model the weights belong to     (default: inferred from them)
  --hidden H               the MLP's hidden width                         (default: inferred from them)
  --svg FILE               also draw the images, titled "true / predicted", into FILE
  --data-root DIR          folder with the Fashion-MNIST files (see softmax-nn train --help)
  --no-download            never download the dataset

  -h, --help               show this help
`;

type Values = Record<string, string | boolean | undefined>;

function parse(command: string, argv: readonly string[], options: ParseArgsConfig['options']): Values {
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    return values as Values;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      const message = (e as Error).message;
      throw new UsageError(message.charAt(0).toLowerCase() + message.slice(1), command);
    }
    throw e;
  }
}

/** A number from an option's text: the whole text must be a finite decimal number. */
function numberOption(values: Values, name: string, command: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${raw}'`, command);
  return n;
}

function integerOption(values: Values, name: string, command: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const n = numberOption(values, name, command);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`--${name} must be ${range}, got ${values[name]}`, command);
  }
  return n;
}

/** `--augment` alone (no list after it) means crop,flip, as before the option took a list. */
function bareAugment(argv: readonly string[]): string[] {
  return argv.map((a, i) => (a === '--augment' && (i + 1 >= argv.length || argv[i + 1].startsWith('-')) ? '--augment=crop,flip' : a));
}

function augmentOption(values: Values, command: string): string[] {
  const raw = values.augment;
  if (raw === undefined) return [];
  const names = String(raw).split(',').map((n) => n.trim());
  const known = AUGMENTATIONS.join(', ');
  names.forEach((name, i) => {
    if (name === '') throw new UsageError(`--augment must be a comma-separated list of ${known}, got '${raw}'`, command);
    if (!(AUGMENTATIONS as readonly string[]).includes(name)) throw new UsageError(`--augment: unknown augmentation '${name}'; known: ${known}`, command);
    if (names.indexOf(name) !== i) throw new UsageError(`--augment: '${name}' is listed twice`, command);
  });
  return names;
}

function scheduleOption(values: Values, command: string): LrSchedule | null {
  const raw = values['lr-schedule'];
  if (raw === undefined) return null;
  const text = String(raw).trim();
  if (text === 'cosine' || text === 'onecycle') return { kind: text };
  const m = /^step:([^:]*):([^:]*)$/.exec(text);
  const bad = () => new UsageError(`--lr-schedule must be step:EPOCHS:GAMMA (e.g. step:5:0.5), cosine or onecycle, got '${raw}'`, command);
  if (m === null) throw bad();
  const stepSize = /^\d+$/.test(m[1].trim()) ? Number(m[1]) : NaN;
  if (!(stepSize >= 1)) throw new UsageError(`--lr-schedule step:EPOCHS:GAMMA needs EPOCHS an integer ≥ 1, got '${m[1]}'`, command);
  const gamma = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(m[2].trim()) ? Number(m[2]) : NaN;
  if (!(gamma > 0 && Number.isFinite(gamma))) throw new UsageError(`--lr-schedule step:EPOCHS:GAMMA needs GAMMA a number > 0, got '${m[2]}'`, command);
  return { kind: 'step', stepSize, gamma };
}

/** How a schedule is written in config.json and on the command line. */
export function formatSchedule(s: LrSchedule | null): string | null {
  return s === null ? null : s.kind === 'step' ? `step:${s.stepSize}:${s.gamma}` : s.kind;
}

function modelOption(values: Values, command: string): ModelKind | undefined {
  const raw = values.model;
  if (raw === undefined) return undefined;
  if (!MODEL_KINDS.includes(raw as ModelKind)) {
    throw new UsageError(`--model must be ${MODEL_KINDS.slice(0, -1).join(', ')} or ${MODEL_KINDS.at(-1)}, got '${raw}'`, command);
  }
  return raw as ModelKind;
}

function nonEmpty(values: Values, name: string, command: string): string | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (String(raw).trim() === '') throw new UsageError(`--${name} must not be empty`, command);
  return String(raw);
}

function defaultOut(model: ModelKind, now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `runs/${model}-${stamp}`;
}

const DATA_OPTIONS = {
  'data-root': { type: 'string' },
  'no-download': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses `softmax-nn train` arguments; returns null when --help was asked for. */
export function parseTrainArgs(argv: readonly string[], now: Date = new Date()): TrainOptions | null {
  const c = 'train';
  const values = parse(c, bareAugment(argv), {
    model: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    'weight-decay': { type: 'string' },
    dropout: { type: 'string' },
    hidden: { type: 'string' },
    augment: { type: 'string' },
    'early-stop': { type: 'string' },
    'val-size': { type: 'string' },
    'lr-schedule': { type: 'string' },
    optimizer: { type: 'string' },
    momentum: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    resume: { type: 'boolean' },
    overwrite: { type: 'boolean' },
    limit: { type: 'string' },
    workers: { type: 'string' },
    ...DATA_OPTIONS,
  });
  if (values.help) return null;
  const model = modelOption(values, c) ?? TRAIN_DEFAULTS.model;
  const optimizerRaw = values.optimizer;
  if (optimizerRaw !== undefined && !(OPTIMIZERS as readonly string[]).includes(String(optimizerRaw))) {
    throw new UsageError(`--optimizer must be ${OPTIMIZERS.join(', ')}, got '${optimizerRaw}'`, c);
  }
  const optimizer = (optimizerRaw ?? defaultOptimizer(model)) as OptimizerKind;
  const lr = numberOption(values, 'lr', c) ?? DEFAULT_LR[optimizer];
  if (!(lr > 0)) throw new UsageError(`--lr must be > 0, got ${values.lr}`, c);
  const weightDecay = numberOption(values, 'weight-decay', c) ?? TRAIN_DEFAULTS.weightDecay;
  if (!(weightDecay >= 0)) throw new UsageError(`--weight-decay must be ≥ 0, got ${values['weight-decay']}`, c);
  const dropout = numberOption(values, 'dropout', c) ?? TRAIN_DEFAULTS.dropout;
  if (!(dropout >= 0 && dropout < 1)) throw new UsageError(`--dropout must be in [0, 1), got ${values.dropout}`, c);
  const momentum = numberOption(values, 'momentum', c) ?? 0;
  if (!(momentum >= 0)) throw new UsageError(`--momentum must be ≥ 0, got ${values.momentum}`, c);
  if (values.momentum !== undefined && optimizer === 'adam') {
    const why = optimizerRaw === undefined ? ` (--model ${model} trains with adam unless --optimizer is given)` : '';
    throw new UsageError(`--momentum applies to --optimizer sgd or rmsprop; Adam has no momentum (its betas play that part)${why}`, c);
  }
  const earlyStop = integerOption(values, 'early-stop', c, 1) ?? null;
  const valSize = integerOption(values, 'val-size', c, 0) ?? (earlyStop !== null ? 5000 : 0);
  if (earlyStop !== null && valSize === 0) {
    throw new UsageError('--early-stop monitors validation accuracy and needs a validation split: --val-size must be ≥ 1 (default 5000)', c);
  }
  const hiddenGiven = integerOption(values, 'hidden', c, 1, 1 << 16);
  if (hiddenGiven !== undefined && model !== 'mlp') throw new UsageError('--hidden is the MLP\'s width; it needs --model mlp', c);
  const resume = values.resume === true;
  const out = nonEmpty(values, 'out', c);
  if (resume && out === undefined) throw new UsageError('--resume needs --out DIR: the run folder to continue', c);
  if (resume && values.overwrite === true) throw new UsageError('--resume and --overwrite contradict each other', c);
  return {
    model,
    epochs: integerOption(values, 'epochs', c, 1) ?? TRAIN_DEFAULTS.epochs,
    batchSize: integerOption(values, 'batch-size', c, 1) ?? TRAIN_DEFAULTS.batchSize,
    lr,
    weightDecay,
    dropout,
    hidden: hiddenGiven ?? TRAIN_DEFAULTS.hidden,
    augment: augmentOption(values, c),
    earlyStop,
    valSize,
    lrSchedule: scheduleOption(values, c),
    optimizer,
    momentum,
    seed: integerOption(values, 'seed', c, 0, 2 ** 32 - 1) ?? TRAIN_DEFAULTS.seed,
    out: out ?? defaultOut(model, now),
    resume,
    overwrite: values.overwrite === true,
    limit: integerOption(values, 'limit', c, 1) ?? null,
    workers: integerOption(values, 'workers', c, 1, 64) ?? (DATA_PARALLEL_BY_DEFAULT.includes(model) ? Math.min(64, Math.max(1, availableParallelism())) : 1),
    dataRoot: nonEmpty(values, 'data-root', c) ?? null,
    download: values['no-download'] !== true,
  };
}

/** Parses `softmax-nn predict` arguments; returns null when --help was asked for. */
export function parsePredictArgs(argv: readonly string[]): PredictOptions | null {
  const c = 'predict';
  const values = parse(c, argv, {
    weights: { type: 'string' },
    n: { type: 'string' },
    model: { type: 'string' },
    hidden: { type: 'string' },
    svg: { type: 'string' },
    ...DATA_OPTIONS,
  });
  if (values.help) return null;
  const weights = nonEmpty(values, 'weights', c);
  if (weights === undefined) throw new UsageError('--weights FILE is required (e.g. runs/NAME/model.safetensors)', c);
  const model = modelOption(values, c) ?? null;
  const hidden = integerOption(values, 'hidden', c, 1, 1 << 16) ?? null;
  if (hidden !== null && model !== null && model !== 'mlp') throw new UsageError(`--hidden is the MLP's width; it does not apply to --model ${model}`, c);
  return {
    weights,
    n: integerOption(values, 'n', c, 1, 10000) ?? 12,
    model,
    hidden,
    svg: nonEmpty(values, 'svg', c) ?? null,
    dataRoot: nonEmpty(values, 'data-root', c) ?? null,
    download: values['no-download'] !== true,
  };
}
