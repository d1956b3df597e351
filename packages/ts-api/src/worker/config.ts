// The trainer's settings: their defaults, the checks configure() and reconfigure() make (each message
// names the method, the field and the value), and the checks made against the data at fit() time.

import { AUGMENTATIONS, DEFAULT_LR, defaultOptimizer, MODEL_KINDS, OPTIMIZERS } from '../models.js';
import { describeValue, isOptionsObject, showValue } from './describe.js';
import type { TrainerConfig } from './types.js';

export const DEFAULT_CONFIG: Readonly<TrainerConfig> = Object.freeze({
  model: 'softmax', hidden: 256, lr: 0.1, batchSize: 256, epochs: 10, weightDecay: 0, dropout: 0, augment: false, seed: 0, workers: 1,
  optimizer: 'sgd', momentum: 0, trainSubset: 0, valSize: 0, patience: 0, l1: 0,
});

/** The most gradient shards (threads) a run may use. */
export const MAX_WORKERS = 16;
export const MAX_EPOCHS = 10000;
export const MAX_HIDDEN = 4096;
export const MAX_BATCH_SIZE = 65536;

/** The settings reconfigure() may change between two fit() calls of one run. */
export const RECONFIGURABLE = ['lr', 'epochs', 'weightDecay', 'momentum', 'l1', 'patience'] as const;
export type Reconfigurable = (typeof RECONFIGURABLE)[number];

type Check = (where: string, v: unknown) => void;

function numberCheck(name: keyof TrainerConfig, ok: (n: number) => boolean, expected: string): Check {
  return (where, v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new Error(`${where}: ${name} must be ${expected}, got ${showValue(v)}`);
  };
}

const isInt = (lo: number, hi: number) => (n: number): boolean => Number.isInteger(n) && n >= lo && n <= hi;

/** One check per field, each on its own (the checks between fields are in checkTogether). */
const CHECKS: Record<keyof TrainerConfig, Check> = {
  model: (where, v) => {
    if (!MODEL_KINDS.includes(v as TrainerConfig['model'])) throw new Error(`${where}: model must be ${MODEL_KINDS.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(v)}`);
  },
  hidden: numberCheck('hidden', isInt(1, MAX_HIDDEN), `an integer from 1 to ${MAX_HIDDEN}`),
  lr: numberCheck('lr', (n) => n > 0, 'a positive number'),
  batchSize: numberCheck('batchSize', isInt(1, MAX_BATCH_SIZE), `an integer from 1 to ${MAX_BATCH_SIZE}`),
  epochs: numberCheck('epochs', isInt(1, MAX_EPOCHS), `an integer from 1 to ${MAX_EPOCHS}`),
  weightDecay: numberCheck('weightDecay', (n) => n >= 0, 'a non-negative number'),
  dropout: numberCheck('dropout', (n) => n >= 0 && n < 1, 'in [0, 1)'),
  augment: (where, v) => {
    if (typeof v === 'boolean') return;
    const expected = `true, false or a list of ${AUGMENTATIONS.map((a) => `'${a}'`).join(', ')}`;
    if (!Array.isArray(v)) throw new Error(`${where}: augment must be ${expected}, got ${showValue(v)}`);
    v.forEach((name: unknown, i) => {
      if (!AUGMENTATIONS.includes(name as (typeof AUGMENTATIONS)[number])) throw new Error(`${where}: augment[${i}] is ${showValue(name)}; expected one of ${AUGMENTATIONS.join(', ')}`);
      if (v.indexOf(name) !== i) throw new Error(`${where}: augment lists '${String(name)}' twice`);
    });
  },
  seed: numberCheck('seed', (n) => Number.isSafeInteger(n) && n >= 0, 'a non-negative integer'),
  workers: numberCheck('workers', isInt(1, MAX_WORKERS), `an integer from 1 to ${MAX_WORKERS}`),
  optimizer: (where, v) => {
    if (!OPTIMIZERS.includes(v as TrainerConfig['optimizer'])) {
      throw new Error(`${where}: optimizer must be ${OPTIMIZERS.map((o) => `'${o}'`).join(', ')}, got ${showValue(v)}`);
    }
  },
  momentum: numberCheck('momentum', (n) => n >= 0 && n < 1, 'in [0, 1)'),
  trainSubset: numberCheck('trainSubset', (n) => Number.isSafeInteger(n) && n >= 0, 'a non-negative integer (0 = all the training data)'),
  valSize: numberCheck('valSize', (n) => Number.isSafeInteger(n) && n >= 0, 'a non-negative integer'),
  patience: numberCheck('patience', (n) => Number.isSafeInteger(n) && n >= 0, 'a non-negative integer (0 = no early stopping)'),
  l1: numberCheck('l1', (n) => n >= 0, 'a non-negative number'),
};

/** The checks between fields: Adam has no momentum; early stopping watches the validation loss. */
function checkTogether(where: string, c: TrainerConfig): void {
  if (c.optimizer === 'adam' && c.momentum !== 0) {
    throw new Error(`${where}: momentum must be 0 with optimizer 'adam' (Adam has none; its betas play that part), got ${c.momentum}`);
  }
  if (c.patience > 0 && c.valSize === 0) {
    throw new Error(`${where}: patience ${c.patience} needs valSize > 0 (early stopping watches the loss on the held-out validation examples), got valSize 0`);
  }
}

function checkKeys(where: string, partial: unknown): asserts partial is Partial<TrainerConfig> {
  if (!isOptionsObject(partial)) throw new Error(`${where}: expected an object of settings, got ${describeValue(partial)}`);
  const known = new Set(Object.keys(DEFAULT_CONFIG));
  const unknown = Object.keys(partial).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new Error(`${where}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; known: ${[...known].join(', ')}`);
  }
}

const given = (partial: Partial<TrainerConfig>): Partial<TrainerConfig> =>
  Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<TrainerConfig>;

/**
 * Fills in the defaults and checks every field; throws an Error naming the field and the value. Without
 * an optimizer, the model's default (adam for lenet, sgd otherwise); without an lr, the optimiser's
 * default (sgd 0.1, adam 0.001, rmsprop 0.01).
 */
export function resolveConfig(partial: Partial<TrainerConfig> = {}, where = 'configure'): TrainerConfig {
  checkKeys(where, partial);
  const set = given(partial);
  const c = { ...DEFAULT_CONFIG, ...set } as TrainerConfig;
  CHECKS.model(where, c.model);
  if (set.optimizer === undefined) c.optimizer = defaultOptimizer(c.model);
  CHECKS.optimizer(where, c.optimizer);
  if (set.lr === undefined) c.lr = DEFAULT_LR[c.optimizer];
  for (const key of Object.keys(CHECKS) as (keyof TrainerConfig)[]) CHECKS[key](where, c[key]);
  checkTogether(where, c);
  if (Array.isArray(c.augment)) c.augment = [...c.augment];
  return c;
}

/**
 * `current` with `changes` applied, for reconfigure(): only the RECONFIGURABLE fields, each checked as
 * configure() checks it (and epochs not below `epochsDone`).
 */
export function reconfigured(current: TrainerConfig, changes: Partial<TrainerConfig>, epochsDone: number): TrainerConfig {
  const where = 'reconfigure';
  checkKeys(where, changes);
  const set = given(changes);
  for (const key of Object.keys(set)) {
    if (!(RECONFIGURABLE as readonly string[]).includes(key)) {
      throw new Error(`${where}: ${key} cannot change within a run; configure() starts a new one (reconfigure changes ${RECONFIGURABLE.join(', ')})`);
    }
    CHECKS[key as Reconfigurable](where, set[key as Reconfigurable]);
  }
  const c = { ...current, ...set };
  checkTogether(where, c);
  if (c.epochs < epochsDone) throw new Error(`${where}: epochs must be at least the ${epochsDone} epochs already done, got ${c.epochs}`);
  return c;
}

/**
 * How many examples a run trains on and holds out, checked against the training data's size at fit()
 * time (the data can change after configure()).
 */
export function checkSizes(c: TrainerConfig, trainCount: number): { subset: number; val: number } {
  if (c.trainSubset > trainCount) {
    throw new Error(`fit: trainSubset must be at most the ${trainCount} training examples (0 = all), got ${c.trainSubset}`);
  }
  const subset = c.trainSubset === 0 ? trainCount : c.trainSubset;
  if (c.valSize >= subset) {
    throw new Error(`fit: valSize must leave at least one training example: at most ${subset - 1} of the ${subset}${c.trainSubset > 0 ? ' (trainSubset)' : ''}, got ${c.valSize}`);
  }
  return { subset, val: c.valSize };
}
