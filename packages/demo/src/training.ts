// Train, Stop and Resume for the main model: the settings are checked on the page first, progress is
// drawn live (and announced at each epoch), and Resume continues a stopped run with the form's current
// settings — or stays disabled, saying why, when a setting changed that cannot change mid-run.

import type { FitResult, TrainerProgress } from 'softmax-nn/worker';
import { accData, draw, lossData, resetCharts, scheduleDraw, setPendingText } from './charts.js';
import { $, announce, clearError, fmt, fmtAcc, fmtCount, input, showError } from './dom.js';
import { labApi, RECONFIGURABLE, type LabEpoch, type Reconfigurable } from './lab-api.js';
import { fieldApplies, readSettings, resumeBlocker, type PageModel, type Settings } from './settings.js';
import { app, modelChanged, onRefresh, refresh } from './state.js';
import { showResults } from './results.js';

const ui = {
  train: $<HTMLButtonElement>('train'), stop: $<HTMLButtonElement>('stop'), resume: $<HTMLButtonElement>('resume'),
  resumeReason: $('resume-reason'),
  statEpoch: $('stat-epoch'), statLoss: $('stat-loss'), statTrainAcc: $('stat-train-acc'), testAcc: $('test-acc'),
  statSeconds: $('stat-seconds'), statSpeed: $('stat-speed'), epochBar: $('epoch-bar'), status: $('status'),
};

/** Loaded weights waiting for their first fine-tuning run (configure with the form's settings, then load them again). */
let pendingWeights: Uint8Array | null = null;

export function setStatus(text: string, state: string): void {
  ui.status.textContent = text;
  ui.status.dataset.state = state;
}

/** Why Resume is off now (shown under the buttons), or null when it can run. */
function resumeReason(): string | null {
  if (!app.canResume) return null;
  let now: Settings;
  try {
    now = readSettings();
  } catch (e) {
    return `Resume is off: ${(e as Error).message}.`;
  }
  if (app.runConfig === null) return null;
  const adjustable = labApi(app.trainer) ? RECONFIGURABLE : ['epochs'];
  return resumeBlocker(app.runConfig, now, adjustable, pendingWeights ? 0 : app.epochsDone);
}

onRefresh(() => {
  const blocked = resumeReason();
  ui.train.disabled = !app.dataReady || app.running;
  ui.stop.disabled = !app.running;
  ui.resume.disabled = !app.dataReady || app.running || !app.canResume || blocked !== null;
  ui.resume.textContent = pendingWeights ? 'Fine-tune' : 'Resume';
  ui.resumeReason.textContent = app.running ? '' : blocked ?? '';
  for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('.controls fieldset input, .controls .grid input, .controls .grid select')) {
    el.disabled = app.running || !fieldApplies(el.id);
  }
  document.body.dataset.running = String(app.running);
});

document.querySelector('.controls')!.addEventListener('input', refresh);
document.querySelector('.controls')!.addEventListener('change', refresh);

function onProgress(p: TrainerProgress): void {
  if (p.type === 'batch') {
    lossData[0].push(p.epoch - 1 + (p.batch + 1) / p.batches);
    lossData[1].push(p.loss);
    setPendingText(() => {
      ui.statEpoch.textContent = `${p.epoch} / ${p.epochs}`;
      ui.statEpoch.dataset.total = String(p.epochs);
      ui.statLoss.textContent = fmt(p.loss);
      ui.epochBar.style.width = `${(100 * (p.batch + 1)) / p.batches}%`;
      if (app.running) setStatus(`Training epoch ${p.epoch} of ${p.epochs}: batch ${p.batch + 1} / ${p.batches}`, 'training');
    });
  } else {
    const e = p as LabEpoch;
    app.epochsDone = e.epoch;
    accData[0].push(e.epoch);
    accData[1].push(e.trainAcc);
    accData[2].push(e.testAcc);
    ui.statTrainAcc.textContent = fmtAcc(e.trainAcc);
    ui.testAcc.textContent = fmtAcc(e.testAcc);
    ui.testAcc.dataset.value = String(e.testAcc);
    const speed = e.examplesPerSecond ?? app.trainCount / e.seconds;
    ui.statSeconds.textContent = `${fmt(e.seconds, 3)} s`;
    ui.statSpeed.textContent = fmtCount(speed);
    ui.statSpeed.dataset.value = String(speed);
    announce(`Epoch ${e.epoch} of ${e.epochs} done: test accuracy ${fmtAcc(e.testAcc)}, ${fmt(e.seconds, 3)} seconds.`);
    modelChanged();
  }
  scheduleDraw();
}

async function runFit(options?: { epochs?: number }): Promise<void> {
  const t = app.trainer!;
  app.running = true;
  app.canResume = false;
  refresh();
  performance.mark('softmax-demo:train-start');
  let result: FitResult | null = null;
  try {
    result = await t.fit(onProgress, options);
    performance.mark('softmax-demo:train-end');
    // Every progress event has arrived (fit waits for their delivery): draw the final state now.
    draw();
    app.canResume = result.stopReason === 'stopped';
    app.epochsDone = result.epochsDone;
    const last = result.history.at(-1);
    if (result.stopReason === 'stopped') {
      setStatus(`Stopped after ${result.epochsDone} full epoch${result.epochsDone === 1 ? '' : 's'} — Resume continues where it stopped, with the settings in the form.`, 'stopped');
    } else {
      setStatus(`Done: ${result.epochsDone} epoch${result.epochsDone === 1 ? '' : 's'}` +
        (last ? `, test accuracy ${fmtAcc(last.testAcc)}` : '') +
        (result.stopReason !== 'completed' ? ` (${result.stopReason})` : '') + '.', 'done');
      ui.epochBar.style.width = '100%';
    }
    announce(ui.status.textContent ?? '');
  } catch (e) {
    showError(e);
    setStatus('Training failed.', 'error');
    announce('Training failed.');
  } finally {
    app.running = false;
    refresh();
  }
  await showResults();
  modelChanged();
}

function clearStats(): void {
  for (const el of [ui.statEpoch, ui.statLoss, ui.statTrainAcc, ui.testAcc, ui.statSeconds, ui.statSpeed]) el.textContent = '–';
  delete ui.testAcc.dataset.value;
  delete ui.statSpeed.dataset.value;
  ui.epochBar.style.width = '0%';
}

ui.train.addEventListener('click', async () => {
  clearError();
  const t = app.trainer;
  if (t === null) return;
  setStatus('Starting…', 'starting');
  let config: Settings;
  try {
    config = readSettings();
    const resolved = await t.configure(config as Parameters<typeof t.configure>[0]);
    app.modelName = resolved.model;
  } catch (e) {
    // Whatever was stopped before is not what the form describes any more.
    app.canResume = false;
    refresh();
    showError(e);
    setStatus('Check the settings.', 'error');
    announce('Training did not start: check the settings.');
    return;
  }
  pendingWeights = null;
  app.runConfig = config;
  app.epochsDone = 0;
  app.hasModel = true;
  resetCharts();
  clearStats();
  setStatus('Starting…', 'training');
  announce('Training started.');
  await runFit();
});

ui.stop.addEventListener('click', () => {
  setStatus('Stopping after this batch…', 'stopping');
  void app.trainer?.stop();
});

ui.resume.addEventListener('click', async () => {
  clearError();
  const t = app.trainer;
  if (t === null) return;
  const lab = labApi(t);
  let now: Settings;
  try {
    now = readSettings();
    if (pendingWeights !== null && lab !== null) {
      // Fine-tuning loaded weights with every setting of the form: a fresh run, then the weights again.
      setStatus('Fine-tuning the loaded weights…', 'starting');
      await t.configure(now as Parameters<typeof t.configure>[0]);
      await t.loadStateDict(pendingWeights.slice());
      pendingWeights = null;
      app.runConfig = now;
      app.epochsDone = 0;
      resetCharts();
      clearStats();
      await runFit();
      return;
    }
    const changes: Partial<Reconfigurable> = {};
    for (const k of RECONFIGURABLE) {
      if (now[k] !== undefined && now[k] !== app.runConfig?.[k]) (changes as Record<string, number>)[k] = now[k] as number;
    }
    if (lab !== null && Object.keys(changes).length > 0) await lab.reconfigure(changes);
    app.runConfig = { ...app.runConfig, ...changes };
  } catch (e) {
    showError(e);
    setStatus('Check the settings.', 'error');
    return;
  }
  setStatus('Resuming…', 'starting');
  announce('Training resumed.');
  await runFit(lab === null ? { epochs: now.epochs } : undefined);
});

/** After weights were loaded: the model shown is theirs; with the lab API, Resume fine-tunes them. */
export function weightsLoaded(bytes: Uint8Array, model: PageModel, hidden: number): void {
  app.hasModel = true;
  app.epochsDone = 0;
  const lab = labApi(app.trainer) !== null;
  pendingWeights = lab ? bytes : null;
  app.canResume = lab;
  app.runConfig = lab ? { model, ...(model === 'mlp' ? { hidden } : {}) } : null;
  input('epochs').dispatchEvent(new Event('change', { bubbles: true }));
  resetCharts();
  clearStats();
}
