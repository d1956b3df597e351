// Exercise 1, hyper-parameters: a small grid of batch sizes × learning rates, trained one after another in
// the lab's worker (few epochs, optionally on a subset), test-accuracy curves overlaid, a table of results.

import { $, fmt, fmtAcc, userMessage } from '../dom.js';
import { applyRanges, readField, readList, type FieldSpec } from '../fields.js';
import { experimentBusy, onBusyChange, Stopped, stopExperiments, withExperiments } from './experiments.js';
import { OverlayChart, PALETTE } from './overlay-chart.js';

const F = {
  epochs: { id: 'grid-epochs', label: 'Grid epochs', integer: true, min: 1, max: 20 },
  subset: { id: 'grid-subset', label: 'Training examples', integer: true, min: 0, max: 60000 },
} satisfies Record<string, FieldSpec>;
applyRanges(Object.values(F));

const runButton = $<HTMLButtonElement>('grid-run');
const stopButton = $<HTMLButtonElement>('grid-stop');
const status = $('grid-status');
const tbody = $('grid-table').querySelector('tbody')!;
let chart: OverlayChart | null = null;
let available = false;

function refreshButtons(): void {
  runButton.disabled = !available || experimentBusy();
  stopButton.disabled = !experimentBusy() || runButton.dataset.running !== 'true';
}
onBusyChange(refreshButtons);

export function startGrid(hasLab: boolean): void {
  available = hasLab;
  if (!hasLab) status.textContent = 'Needs a worker with the lab API (trainSubset).';
  refreshButtons();
}

runButton.addEventListener('click', async () => {
  let batchSizes: number[];
  let lrs: number[];
  let epochs: number;
  let subset: number;
  try {
    batchSizes = readList('grid-batch', { label: 'Batch sizes', integer: true, min: 1, max: 1024 }, 4);
    lrs = readList('grid-lr', { label: 'Learning rates', integer: false, min: 0, max: 10, minExclusive: true }, 4);
    epochs = readField(F.epochs);
    subset = readField(F.subset);
  } catch (e) {
    status.textContent = (e as Error).message;
    return;
  }
  chart ??= new OverlayChart($('grid-chart'), 'test accuracy');
  chart.clear();
  tbody.replaceChildren();
  runButton.dataset.running = 'true';
  const cells = batchSizes.flatMap((batchSize) => lrs.map((lr) => ({ batchSize, lr })));
  try {
    await withExperiments(async (run) => {
      refreshButtons();
      for (const [k, { batchSize, lr }] of cells.entries()) {
        status.textContent = `Cell ${k + 1} of ${cells.length}: batch size ${batchSize}, learning rate ${fmt(lr)}…`;
        const series = chart!.add(`batch ${batchSize}, lr ${fmt(lr)}`, PALETTE[k % PALETTE.length]);
        const tr = document.createElement('tr');
        tr.innerHTML = `<td>${batchSize}</td><td>${fmt(lr)}</td><td>…</td><td>…</td><td>…</td>`;
        tbody.append(tr);
        const seconds: number[] = [];
        const { result } = await run({ model: 'softmax', batchSize, lr, epochs, trainSubset: subset, seed: 0 }, (p) => {
          chart!.set(series, p.epoch, p.testAcc);
          seconds.push(p.seconds);
        });
        const last = result.history.at(-1);
        const cellsOut = tr.querySelectorAll('td');
        cellsOut[2].textContent = last ? fmtAcc(last.trainAcc) : '–';
        cellsOut[3].textContent = last ? fmtAcc(last.testAcc) : '–';
        cellsOut[4].textContent = seconds.length ? fmt(seconds.reduce((a, b) => a + b, 0) / seconds.length, 3) : '–';
        tr.dataset.testAcc = String(last?.testAcc ?? NaN);
      }
    });
    const best = [...tbody.querySelectorAll('tr')].reduce<HTMLTableRowElement | null>((b, r) => (b === null || Number(r.dataset.testAcc) > Number(b.dataset.testAcc) ? r : b), null);
    best?.classList.add('best');
    status.textContent = `Done: ${cells.length} runs. Best test accuracy ${best ? fmtAcc(Number(best.dataset.testAcc)) : '–'} (highlighted).`;
  } catch (e) {
    status.textContent = e instanceof Stopped ? 'Stopped.' : `The grid failed: ${userMessage(e)}`;
  } finally {
    delete runButton.dataset.running;
    refreshButtons();
  }
});

stopButton.addEventListener('click', () => stopExperiments());
