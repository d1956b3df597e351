// Exercise 2, over-fitting and its remedies: a small training subset trained for many epochs, where train
// and test accuracy part. The baseline and each run with remedies (early stopping, L2, L1, augmentation,
// dropout, an ensemble of K seeds) are drawn over each other: train dashed, test solid.

import { $, fmt, fmtAcc, input, userMessage } from '../dom.js';
import { applyRanges, readField, type FieldSpec } from '../fields.js';
import type { AugmentKind, LabConfig } from '../lab-api.js';
import { experimentBusy, experimentTestLabels, onBusyChange, Stopped, stopExperiments, withExperiments } from './experiments.js';
import { OverlayChart, PALETTE } from './overlay-chart.js';

const F = {
  subset: { id: 'of-subset', label: 'Training examples', integer: true, min: 100, max: 60000 },
  epochs: { id: 'of-epochs', label: 'Over-fitting epochs', integer: true, min: 1, max: 200 },
  lr: { id: 'of-lr', label: 'Over-fitting learning rate', integer: false, min: 0, max: 10, minExclusive: true },
  val: { id: 'of-val', label: 'Validation size', integer: true, min: 10, max: 10000 },
  patience: { id: 'of-patience', label: 'Patience', integer: true, min: 1, max: 50 },
  wd: { id: 'of-wd', label: 'Weight decay', integer: false, min: 0, max: 1 },
  l1: { id: 'of-l1v', label: 'L1 penalty', integer: false, min: 0, max: 1 },
  p: { id: 'of-p', label: 'Dropout p', integer: false, min: 0, max: 0.95 },
  k: { id: 'of-k', label: 'Seeds (K)', integer: true, min: 2, max: 8 },
} satisfies Record<string, FieldSpec>;
applyRanges(Object.values(F));

const buttons = { baseline: $<HTMLButtonElement>('of-baseline'), run: $<HTMLButtonElement>('of-run'), stop: $<HTMLButtonElement>('of-stop') };
const status = $('of-status');
const tbody = $('of-table').querySelector('tbody')!;
let chart: OverlayChart | null = null;
let available = false;
let running = false;
let runs = 0;

/** Each remedy's checkbox and the value fields it uses (disabled while it is off). */
const TOGGLES: [string, FieldSpec[]][] = [
  ['of-early', [F.val, F.patience]], ['of-l2', [F.wd]], ['of-l1', [F.l1]], ['of-dropout', [F.p]], ['of-ensemble', [F.k]],
  ['of-crop', []], ['of-flip', []], ['of-affine', []],
];

function refreshButtons(): void {
  buttons.baseline.disabled = buttons.run.disabled = !available || experimentBusy();
  buttons.stop.disabled = !running;
  for (const [id, fields] of TOGGLES) for (const f of fields) input(f.id).disabled = !input(id).checked;
}
onBusyChange(refreshButtons);
for (const [id] of TOGGLES) input(id).addEventListener('change', refreshButtons);

export function startOverfit(hasLab: boolean): void {
  available = hasLab;
  if (!hasLab) status.textContent = 'Needs a worker with the lab API (trainSubset, valSize, l1, augment kinds).';
  refreshButtons();
}

interface Plan {
  name: string;
  config: Partial<LabConfig>;
  ensemble: number;
}

function plan(withRemedies: boolean): Plan {
  const model = $<HTMLSelectElement>('of-model').value as 'softmax' | 'mlp';
  const config: Partial<LabConfig> = {
    model, hidden: 256, lr: readField(F.lr), batchSize: 64, epochs: readField(F.epochs), trainSubset: readField(F.subset), seed: 0,
  };
  if (!withRemedies) return { name: 'baseline', config, ensemble: 1 };
  const names: string[] = [];
  const on = (id: string): boolean => input(id).checked;
  if (on('of-early')) {
    config.valSize = readField(F.val);
    config.patience = readField(F.patience);
    names.push(`early stop (${config.patience})`);
  }
  if (on('of-l2')) {
    config.weightDecay = readField(F.wd);
    names.push(`L2 ${fmt(config.weightDecay)}`);
  }
  if (on('of-l1')) {
    config.l1 = readField(F.l1);
    names.push(`L1 ${fmt(config.l1)}`);
  }
  const augment = (['crop', 'flip', 'affine'] as AugmentKind[]).filter((k) => on(`of-${k}`));
  if (augment.length > 0) {
    config.augment = augment;
    names.push(augment.join('+'));
  }
  if (on('of-dropout')) {
    if (model !== 'mlp') throw new Error('Dropout needs the MLP (softmax regression has no hidden layer)');
    config.dropout = readField(F.p);
    names.push(`dropout ${fmt(config.dropout)}`);
  }
  const ensemble = on('of-ensemble') ? readField(F.k) : 1;
  if (ensemble > 1) names.push(`ensemble of ${ensemble}`);
  if (names.length === 0) throw new Error('Tick at least one remedy (or run the baseline)');
  return { name: names.join(', '), config, ensemble };
}

function addRow(name: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.innerHTML = `<td>${name}</td><td>…</td><td>…</td><td>…</td><td>…</td>`;
  tbody.append(tr);
  return tr;
}

function fillRow(tr: HTMLTableRowElement, epochs: number, train: number, test: number): void {
  const td = tr.querySelectorAll('td');
  td[1].textContent = String(epochs);
  td[2].textContent = fmtAcc(train);
  td[3].textContent = fmtAcc(test);
  td[4].textContent = Number.isFinite(train - test) ? fmt(train - test, 3) : '–';
  tr.dataset.testAcc = String(test);
}

async function execute(p: Plan): Promise<void> {
  chart ??= new OverlayChart($('of-chart'), 'accuracy');
  const color = p.name === 'baseline' ? '#5b6472' : PALETTE[runs % PALETTE.length];
  runs++;
  const trainSeries = chart.add(`${p.name}: train`, color, [6, 4]);
  const testSeries = chart.add(`${p.name}: test`, color);
  const tr = addRow(p.name);
  running = true;
  try {
    await withExperiments(async (run) => {
      refreshButtons();
      const sum: Float32Array[] = [];
      let trainAcc = 0;
      let lastEpoch = 0;
      for (let k = 0; k < p.ensemble; k++) {
        status.textContent = p.ensemble > 1 ? `${p.name}: member ${k + 1} of ${p.ensemble}…` : `${p.name}…`;
        const { result, extra } = await run({ ...p.config, seed: k }, (e) => {
          if (k > 0) return; // the chart shows the first member's curves
          chart!.set(trainSeries, e.epoch, e.trainAcc);
          chart!.set(testSeries, e.epoch, e.testAcc);
        }, p.ensemble > 1 ? (_t, lab) => lab.testProbabilities() : undefined);
        const last = result.history.at(-1);
        trainAcc += (last?.trainAcc ?? NaN) / p.ensemble;
        lastEpoch = result.epochsDone;
        if (extra !== undefined) sum.push(extra);
        if (p.ensemble === 1) fillRow(tr, result.epochsDone, last?.trainAcc ?? NaN, last?.testAcc ?? NaN);
      }
      if (p.ensemble > 1) {
        const labels = await experimentTestLabels();
        fillRow(tr, lastEpoch, trainAcc, ensembleAccuracy(sum, labels));
      }
    });
    status.textContent = `Done: ${p.name}.`;
  } catch (e) {
    status.textContent = e instanceof Stopped ? 'Stopped.' : `The run failed: ${userMessage(e)}`;
  } finally {
    running = false;
    refreshButtons();
  }
}

/** The accuracy of the members' averaged probabilities ([n, 10] each) against the true labels. */
export function ensembleAccuracy(members: Float32Array[], labels: Int32Array): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    let bestP = -Infinity;
    for (let c = 0; c < 10; c++) {
      let p = 0;
      for (const m of members) p += m[i * 10 + c];
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}

function start(withRemedies: boolean): void {
  let p: Plan;
  try {
    p = plan(withRemedies);
  } catch (e) {
    status.textContent = (e as Error).message;
    return;
  }
  void execute(p);
}

buttons.baseline.addEventListener('click', () => start(false));
buttons.run.addEventListener('click', () => start(true));
buttons.stop.addEventListener('click', () => stopExperiments());
$('of-clear').addEventListener('click', () => {
  if (running) return;
  chart?.clear();
  tbody.replaceChildren();
  runs = 0;
  status.textContent = '';
});
