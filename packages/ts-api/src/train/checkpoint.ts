// Checkpoints: the model's state dict, the optimiser's state, the epoch, the history and every
// generator state in one safetensors file, written atomically — so that a run stopped after epoch k
// and resumed gives the same weights, bit for bit, as one that ran straight through.

import { checkOptions } from '../options.js';
import { DataLoader } from '../data/dataloader.js';
import { loadFile, save } from '../io/index.js';
import { Module, type StateDict } from '../nn/module.js';
import { Optimizer, type ParamState } from '../optim/optimizer.js';
import { getRngState, setRngState } from '../random.js';
import { keep, tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Callback, EpochLogs, Scheduler, TrainContext } from './types.js';
import { EarlyStopping, type EarlyStoppingState } from './early-stopping.js';
import type { SchedulerState } from '../optim/lr-scheduler/base.js';

const FORMAT = 'softmax-nn-checkpoint/1';

export interface CheckpointParts {
  net: Module;
  optimizer?: Optimizer<object> | null;
  /** The training loader, when it has its own generator (DataLoader's `seed` option). */
  loader?: Iterable<unknown> | null;
  /** fit's learning-rate scheduler, if it has one. */
  scheduler?: Scheduler | null;
  /** fit's EarlyStopping callbacks (best value, patience counter, best weights), in callback order. */
  earlyStopping?: EarlyStopping | readonly EarlyStopping[] | null;
}

function earlyStoppingList(parts: CheckpointParts): readonly EarlyStopping[] {
  const e = parts.earlyStopping;
  return e === undefined || e === null ? [] : e instanceof EarlyStopping ? [e] : e;
}

/** JSON that keeps ±Infinity and NaN (a scheduler's `best` before its first finite metric). */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

function revive(_k: string, v: unknown): unknown {
  return v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === 'NaN' ? NaN : v;
}

type EarlyStoppingMeta = Omit<EarlyStoppingState, 'snapshot'> & { snapshot: boolean };

export interface CheckpointState {
  epoch: number;
  history: EpochLogs[];
}

/** Writes a checkpoint of `parts` after `epoch` (atomically: a crash leaves the previous file intact). */
export async function saveCheckpoint(path: string, parts: CheckpointParts, state: CheckpointState): Promise<void> {
  const tensors: Record<string, Tensor> = {};
  const owned: Tensor[] = [];
  for (const [name, t] of Object.entries(parts.net.stateDict())) {
    tensors[`model.${name}`] = t;
    owned.push(t);
  }
  let optimizerMeta: { numbers: Record<number, Record<string, number>>; groups: object[] } | null = null;
  if (parts.optimizer) {
    const dict = parts.optimizer.stateDict();
    optimizerMeta = { numbers: {}, groups: dict.groups };
    for (const [index, s] of Object.entries(dict.state)) {
      optimizerMeta.numbers[Number(index)] = s.numbers;
      for (const [buf, t] of Object.entries(s.tensors)) {
        tensors[`optimizer.${index}.${buf}`] = t;
        owned.push(t);
      }
    }
  }
  const loaderState = parts.loader instanceof DataLoader ? parts.loader.generatorState : null;
  const earlyStopping: EarlyStoppingMeta[] = earlyStoppingList(parts).map((es, k) => {
    const { snapshot, ...rest } = es.stateDict();
    // The snapshot's tensors belong to the callback: saved, not disposed.
    for (const [name, t] of Object.entries(snapshot ?? {})) tensors[`earlyStopping.${k}.${name}`] = t;
    return { ...rest, snapshot: snapshot !== null };
  });
  const metadata: Record<string, string> = {
    format: FORMAT,
    epoch: String(state.epoch),
    history: JSON.stringify(state.history),
    rngState: JSON.stringify(Array.from(getRngState())),
    loaderState: JSON.stringify(loaderState === null ? null : Array.from(loaderState)),
    optimizer: JSON.stringify(optimizerMeta),
    scheduler: toJson(parts.scheduler ? parts.scheduler.stateDict() : null),
    earlyStopping: toJson(earlyStopping),
  };
  try {
    await save(path, tensors, metadata);
  } finally {
    for (const t of owned) t.dispose();
  }
}

function parseJson<T>(text: string | undefined, key: string, path: string): T {
  if (text === undefined) throw new Error(`loadCheckpoint: ${path} has no '${key}' entry; it is not a softmax-nn checkpoint`);
  try {
    return JSON.parse(text, revive) as T;
  } catch {
    throw new Error(`loadCheckpoint: ${path}: the '${key}' entry is not valid JSON`);
  }
}

/**
 * Restores a checkpoint into `parts` (weights, optimiser state, generator states) and returns its epoch
 * and history. Everything is checked before anything changes: on error the model and optimiser are
 * left as they were.
 */
export async function loadCheckpoint(path: string, parts: CheckpointParts): Promise<CheckpointState> {
  const { tensors, metadata } = await loadFile(path);
  try {
    if (metadata.format !== FORMAT) {
      throw new Error(`loadCheckpoint: ${path} is not a softmax-nn checkpoint (format '${metadata.format ?? 'none'}', expected '${FORMAT}')`);
    }
    const epoch = Number(metadata.epoch);
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`loadCheckpoint: ${path}: bad epoch '${metadata.epoch}'`);
    const history = parseJson<EpochLogs[]>(metadata.history, 'history', path);
    const rngState = Uint32Array.from(parseJson<number[]>(metadata.rngState, 'rngState', path));
    const loaderState = parseJson<number[] | null>(metadata.loaderState, 'loaderState', path);
    const optimizerMeta = parseJson<{ numbers: Record<number, Record<string, number>>; groups: object[] } | null>(metadata.optimizer, 'optimizer', path);
    // Checkpoints written before schedulers and early stopping were saved have neither entry.
    const schedulerState = metadata.scheduler === undefined ? null : parseJson<SchedulerState | null>(metadata.scheduler, 'scheduler', path);
    const esMeta = metadata.earlyStopping === undefined ? [] : parseJson<EarlyStoppingMeta[]>(metadata.earlyStopping, 'earlyStopping', path);
    const esSnapshots: StateDict[] = esMeta.map(() => ({}));
    const model: StateDict = {};
    const optimizerState: Record<number, ParamState> = {};
    for (const [key, t] of Object.entries(tensors)) {
      if (key.startsWith('model.')) {
        model[key.slice('model.'.length)] = t;
      } else if (key.startsWith('optimizer.')) {
        const [, index, buf] = key.split('.');
        (optimizerState[Number(index)] ??= { tensors: {}, numbers: {} }).tensors[buf] = t;
      } else if (/^earlyStopping\.\d+\./.test(key) && Number(key.split('.')[1]) < esSnapshots.length) {
        const k = Number(key.split('.')[1]);
        esSnapshots[k][key.slice(`earlyStopping.${k}.`.length)] = t;
      } else {
        throw new Error(`loadCheckpoint: ${path}: unexpected tensor '${key}'`);
      }
    }
    if (optimizerMeta !== null) {
      for (const [index, numbers] of Object.entries(optimizerMeta.numbers)) {
        (optimizerState[Number(index)] ??= { tensors: {}, numbers: {} }).numbers = numbers;
      }
    }
    if ((optimizerMeta === null) !== !parts.optimizer) {
      throw new Error(`loadCheckpoint: ${path} ${optimizerMeta === null ? 'has no' : 'has'} optimiser state, but ${parts.optimizer ? 'an' : 'no'} optimiser was given`);
    }
    if ((schedulerState === null) !== !parts.scheduler) {
      throw new Error(`loadCheckpoint: ${path} ${schedulerState === null ? 'has no' : 'has'} scheduler state, but ${parts.scheduler ? 'a' : 'no'} scheduler was given`);
    }
    const stoppers = earlyStoppingList(parts);
    if (stoppers.length !== esMeta.length) {
      throw new Error(`loadCheckpoint: ${path} has the state of ${esMeta.length} EarlyStopping callback(s), but ${stoppers.length} were given`);
    }
    const loader = parts.loader instanceof DataLoader ? parts.loader : null;
    if (loader !== null && (loaderState === null) !== (loader.generatorState === null)) {
      throw new Error(`loadCheckpoint: ${path}: the training loader's seed option differs from the checkpointed run`);
    }
    // Weights last-but-one and with a snapshot, so that a failing optimiser restore can undo them.
    const before = tidy(() => Object.fromEntries(Object.entries(parts.net.stateDict()).map(([k, t]) => [k, keep(t.clone())])));
    const optimizerBefore = parts.optimizer ? copiedState(parts.optimizer) : null;
    const schedulerBefore = parts.scheduler ? parts.scheduler.stateDict() : null;
    parts.net.loadStateDict(model);
    try {
      if (parts.optimizer && optimizerMeta !== null) {
        parts.optimizer.loadStateDict({ state: optimizerState, groups: optimizerMeta.groups });
      }
      if (parts.scheduler && schedulerState !== null) parts.scheduler.loadStateDict(schedulerState);
      stoppers.forEach((es, k) => {
        const { snapshot, ...rest } = esMeta[k];
        es.loadStateDict({ ...rest, snapshot: snapshot ? esSnapshots[k] : null });
      });
    } catch (e) {
      parts.net.loadStateDict(before);
      if (parts.optimizer && optimizerBefore !== null) parts.optimizer.loadStateDict(optimizerBefore);
      if (parts.scheduler && schedulerBefore !== null) parts.scheduler.loadStateDict(schedulerBefore);
      throw e;
    } finally {
      for (const t of Object.values(before)) t.dispose();
      for (const st of Object.values(optimizerBefore?.state ?? {})) for (const t of Object.values(st.tensors)) t.dispose();
    }
    setRngState(rngState);
    if (loader !== null && loaderState !== null) loader.generatorState = Uint32Array.from(loaderState);
    return { epoch, history };
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

/** The optimiser's state with its buffers copied (stateDict's share the optimiser's data), to roll back to. */
function copiedState(optimizer: Optimizer<object>): { state: Record<number, ParamState>; groups: object[] } {
  return tidy(() => {
    const dict = optimizer.stateDict();
    for (const st of Object.values(dict.state)) {
      st.tensors = Object.fromEntries(Object.entries(st.tensors).map(([k, t]) => [k, keep(t.clone())]));
    }
    return dict;
  });
}

/**
 * A callback that writes a checkpoint to `path` after every `every`-th epoch (and the last one), with
 * fit's scheduler and the state of the EarlyStopping callbacks among fit's callbacks: to resume, give
 * loadCheckpoint the same parts, then fit the same callbacks with initialEpoch and history.
 */
export class Checkpoint implements Callback {
  readonly path: string;
  readonly every: number;

  constructor(path: string, options: { every?: number } = {}) {
    checkOptions('Checkpoint', options, ['every']);
    this.path = path;
    this.every = options.every ?? 1;
    if (!Number.isInteger(this.every) || this.every < 1) throw new Error(`Checkpoint: every must be a positive integer, got ${this.every}`);
  }

  async onEpochEnd(logs: EpochLogs, ctx: TrainContext): Promise<void> {
    if (logs.epoch % this.every !== 0 && logs.epoch !== ctx.numEpochs && !ctx.stopRequested) return;
    if (!(ctx.net instanceof Module)) throw new Error('Checkpoint: the network must be an nn.Module');
    const optimizer = ctx.updater instanceof Optimizer ? ctx.updater : null;
    const earlyStopping = (ctx.callbacks ?? []).filter((c): c is EarlyStopping => c instanceof EarlyStopping);
    await saveCheckpoint(
      this.path, { net: ctx.net, optimizer, loader: ctx.trainIter, scheduler: ctx.scheduler ?? null, earlyStopping },
      { epoch: logs.epoch, history: ctx.history },
    );
  }
}
