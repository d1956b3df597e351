// The training settings form: the model choice (with LeNet's speed hint), which fields apply (Hidden units
// only for the MLP, the optimiser only on a worker with the lab API), reading them into a TrainerConfig
// with every field checked, and which settings may change between Stop and Resume.

import { DEFAULT_LR, MODEL_KINDS } from 'softmax-nn/worker';
import { $, input } from './dom.js';
import { applyRanges, readField, type FieldSpec } from './fields.js';
import type { LabConfig } from './lab-api.js';

export const FIELDS = {
  hidden: { id: 'hidden', label: 'Hidden units', integer: true, min: 1, max: 4096 },
  lr: { id: 'lr', label: 'Learning rate', integer: false, min: 0, max: 10, minExclusive: true },
  batchSize: { id: 'batchSize', label: 'Batch size', integer: true, min: 1, max: 1024 },
  epochs: { id: 'epochs', label: 'Epochs', integer: true, min: 1, max: 200 },
  momentum: { id: 'momentum', label: 'Momentum', integer: false, min: 0, max: 0.99 },
  weightDecay: { id: 'weightDecay', label: 'Weight decay (L2)', integer: false, min: 0, max: 1 },
  dropout: { id: 'dropout', label: 'Dropout', integer: false, min: 0, max: 0.95 },
  seed: { id: 'seed', label: 'Seed', integer: true, min: 0, max: 2147483647 },
  workers: { id: 'workers', label: 'Workers', integer: true, min: 1, max: 16 },
} satisfies Record<string, FieldSpec>;

applyRanges(Object.values(FIELDS));

export type Settings = Partial<LabConfig>;

/** The models the page trains: the Model radios' values, the worker's model kinds. */
export type PageModel = (typeof MODEL_KINDS)[number];

export function selectedModel(): PageModel {
  const value = document.querySelector<HTMLInputElement>('input[name=model]:checked')?.value ?? 'softmax';
  if (!(MODEL_KINDS as readonly string[]).includes(value)) throw new Error(`The Model choice must be one of ${MODEL_KINDS.join(', ')}, got ${value}`);
  return value as PageModel;
}

/** Checks the Model radio of `model` (loaded weights pick their own). */
export function selectModel(model: PageModel): void {
  document.querySelector<HTMLInputElement>(`input[name=model][value=${model}]`)!.checked = true;
  showModelHint();
}

/** LeNet's convolutions are slow in wasm: say so while a LeNet is chosen (the settings stay as they are). */
function showModelHint(): void {
  $('model-hint').hidden = !selectedModel().startsWith('lenet');
}
document.querySelector('.model-choice')!.addEventListener('change', showModelHint);
showModelHint();

let labFields = false;

/** Switching optimiser moves a learning rate left at the old optimiser's default (the worker's) along. */
{
  const optimizer = $<HTMLSelectElement>('optimizer');
  const defaultLr = (name: string): number | undefined => (DEFAULT_LR as Record<string, number>)[name];
  let previous = optimizer.value;
  optimizer.addEventListener('change', () => {
    const lr = $<HTMLInputElement>('lr');
    const next = defaultLr(optimizer.value);
    if (Number(lr.value) === defaultLr(previous) && next !== undefined) lr.value = String(next);
    previous = optimizer.value;
  });
}

/** Shows the optimiser and momentum fields (the worker has the lab API). */
export function enableLabSettings(on: boolean): void {
  labFields = on;
  for (const id of ['optimizer', 'momentum']) $(id).closest('label')!.hidden = !on;
}
enableLabSettings(false);

/** Which fields can be edited now (a disabled field is neither editable nor checked). */
export function fieldApplies(id: string): boolean {
  if (id === 'hidden') return selectedModel() === 'mlp';
  if (id === 'momentum') return labFields && $<HTMLSelectElement>('optimizer').value !== 'adam';
  if (id === 'optimizer') return labFields;
  return true;
}

/** The form as a config; throws the first invalid field's message. Fields that do not apply are left out. */
export function readSettings(): Settings {
  const s: Settings = { model: selectedModel() };
  for (const [key, spec] of Object.entries(FIELDS) as [keyof typeof FIELDS, FieldSpec][]) {
    if (!fieldApplies(spec.id)) continue;
    (s as Record<string, number>)[key] = readField(spec);
  }
  if (labFields) s.optimizer = $<HTMLSelectElement>('optimizer').value as LabConfig['optimizer'];
  s.augment = input('augment').checked;
  return s;
}

/** Settings a stopped run cannot change; the others go through reconfigure (or fit's epochs). */
const FIXED: (keyof LabConfig)[] = ['model', 'hidden', 'batchSize', 'dropout', 'seed', 'workers', 'augment', 'optimizer'];
const LABELS: Partial<Record<keyof LabConfig, string>> = {
  model: 'Model', augment: 'Augmentation', optimizer: 'Optimiser',
  ...Object.fromEntries(Object.entries(FIELDS).map(([k, f]) => [k, f.label])),
};

const show = (v: unknown): string => (Array.isArray(v) ? v.join('+') || 'none' : String(v));

/**
 * Why a stopped run cannot resume with the settings now in the form, or null when it can. `adjustable`
 * lists the settings that can be applied mid-run (only `epochs` without the lab API).
 */
export function resumeBlocker(run: Settings, now: Settings, adjustable: readonly string[], epochsDone: number): string | null {
  for (const key of Object.keys(LABELS) as (keyof LabConfig)[]) {
    if (!(key in run) || (key === 'hidden' && now.model !== 'mlp')) continue;
    if (show(run[key]) === show(now[key])) continue;
    const what = `${LABELS[key]} changed from ${show(run[key])} to ${show(now[key])}`;
    if (FIXED.includes(key)) return `Resume is off: ${what}, which cannot change in the middle of a run. Press Train to start over, or set it back.`;
    if (!adjustable.includes(key)) return `Resume is off: ${what}; this worker cannot change it in the middle of a run. Press Train to start over, or set it back.`;
  }
  if (now.epochs !== undefined && now.epochs <= epochsDone) {
    return `Resume is off: ${epochsDone} epoch${epochsDone === 1 ? ' is' : 's are'} already done; set Epochs above ${epochsDone} to train more.`;
  }
  return null;
}
