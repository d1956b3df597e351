// The lab's own training worker, so that experiments leave the main model alone: started on first use
// with the main trainer's data, one experiment at a time (the grid and the over-fitting runs share it).

import { createTrainer, type FitResult, type Trainer, type TrainerProgress } from 'softmax-nn/worker';
import { dataSource } from '../data.js';
import { labApi, type LabConfig, type LabEpoch, type LabTrainer } from '../lab-api.js';

let started: Promise<Trainer> | null = null;
let loadedFrom: unknown = null;
let busy = false;
let stopRequested = false;
const busyListeners: ((busy: boolean) => void)[] = [];

export function onBusyChange(f: (busy: boolean) => void): void {
  busyListeners.push(f);
}

export function experimentBusy(): boolean {
  return busy;
}

async function trainerWithData(): Promise<{ t: Trainer; lab: LabTrainer }> {
  const source = dataSource();
  if (source === null) throw new Error('There is no data yet: load Fashion-MNIST first');
  started ??= createTrainer({ name: 'softmax-lab' });
  const t = await started;
  if (loadedFrom !== source) {
    await t.loadFashionMnist(source, { verify: globalThis.isSecureContext });
    loadedFrom = source;
  }
  const lab = labApi(t);
  if (lab === null) throw new Error('This worker has no lab API (optimizer, trainSubset, reconfigure…)');
  return { t, lab };
}

/**
 * Runs experiments one after another inside `body` (the grid's cells, the over-fitting runs), holding
 * the lab worker; `stopExperiments` ends the current run and skips the rest.
 */
export async function withExperiments<T>(body: (run: typeof runOne) => Promise<T>): Promise<T> {
  if (busy) throw new Error('An experiment is already running');
  busy = true;
  stopRequested = false;
  for (const f of busyListeners) f(true);
  try {
    return await body(runOne);
  } finally {
    busy = false;
    for (const f of busyListeners) f(false);
  }
}

export class Stopped extends Error {
  constructor() {
    super('Stopped');
  }
}

/** One run: configure with `config`, fit, call `onEpoch` after each epoch; `after` reads results before the next run. */
async function runOne<R = void>(config: Partial<LabConfig>, onEpoch: (p: LabEpoch) => void,
  after?: (t: Trainer, lab: LabTrainer) => Promise<R>): Promise<{ result: FitResult; extra: R | undefined }> {
  if (stopRequested) throw new Stopped();
  const { t, lab } = await trainerWithData();
  await lab.configure(config);
  const result = await t.fit((p: TrainerProgress) => {
    if (p.type === 'epoch') onEpoch(p as LabEpoch);
  });
  const extra = after ? await after(t, lab) : undefined;
  if (stopRequested) throw new Stopped();
  return { result, extra };
}

export function stopExperiments(): void {
  stopRequested = true;
  if (started !== null) void started.then((t) => t.stop());
}

let testLabels: Int32Array | null = null;

/** The test set's labels (read once through predict, for the ensemble's accuracy). */
export async function experimentTestLabels(): Promise<Int32Array> {
  if (testLabels !== null) return testLabels;
  const { t } = await trainerWithData();
  const info = (await t.status()).data!;
  const p = await t.predict(Array.from({ length: info.testCount }, (_, i) => i));
  testLabels = p.trueLabels;
  return testLabels;
}
