// The demo page: settings → training in a Web Worker (softmax-nn/worker) with live charts →
// predictions gallery and confusion matrix; weights download / upload. Plain DOM + uPlot.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import {
  createTrainer, FASHION_MNIST_CLASS_NAMES as CLASSES,
  type FashionMnistFileBlobs, type Prediction, type Trainer, type TrainerConfig, type TrainerProgress,
} from 'softmax-nn/worker';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing`);
  return el as T;
};
const input = (id: string) => $<HTMLInputElement>(id);

const ui = {
  dataStatus: $('data-status'), dataDetail: $('data-detail'), files: input('files'),
  hidden: input('hidden'), lr: input('lr'), batchSize: $<HTMLSelectElement>('batchSize'), epochs: input('epochs'),
  weightDecay: input('weightDecay'), dropout: input('dropout'), seed: input('seed'), augment: input('augment'),
  workers: input('workers'), workersHint: $<HTMLElement>('workers-hint'),
  train: $<HTMLButtonElement>('train'), stop: $<HTMLButtonElement>('stop'), resume: $<HTMLButtonElement>('resume'),
  download: $<HTMLButtonElement>('download'), load: input('load'), error: $('error'),
  statEpoch: $('stat-epoch'), statLoss: $('stat-loss'), statTrainAcc: $('stat-train-acc'), testAcc: $('test-acc'),
  epochBar: $('epoch-bar'), status: $('status'),
  gallery: $('gallery'), galleryHint: $('gallery-hint'), shuffle: $<HTMLButtonElement>('shuffle'), confusion: $('confusion'),
};

let trainer: Trainer | null = null;
let dataReady = false;
let running = false;
let hasModel = false;
let canResume = false;
let modelName = 'softmax';

// ---------------------------------------------------------------- charts

const lossData: [number[], number[]] = [[], []];
const accData: [number[], number[], number[]] = [[], [], []];

function chartWidth(el: HTMLElement): number {
  return Math.max(260, Math.floor(el.clientWidth));
}

const axisStyle = { stroke: '#5b6472', grid: { stroke: '#e6e9ef', width: 1 }, ticks: { stroke: '#e6e9ef', width: 1 } };

const lossEl = $('loss-chart');
const lossChart = new uPlot({
  width: chartWidth(lossEl), height: 240,
  legend: { live: false },
  cursor: { drag: { x: false, y: false } },
  scales: { x: { time: false } },
  axes: [{ ...axisStyle, label: 'epoch' }, { ...axisStyle, label: 'cross-entropy', size: 56 }],
  series: [
    { label: 'epoch', value: (_u, v) => (v == null ? '–' : v.toFixed(2)) },
    { label: 'batch loss', stroke: '#3b6fd8', width: 1.5, points: { show: false }, value: (_u, v) => (v == null ? '–' : v.toFixed(4)) },
  ],
}, lossData, lossEl);

const accEl = $('acc-chart');
const accChart = new uPlot({
  width: chartWidth(accEl), height: 240,
  legend: { live: false },
  cursor: { drag: { x: false, y: false } },
  scales: {
    x: { time: false, range: (_u, min, max) => [Math.min(0, min), Math.max(max, 1)] },
    y: { range: (_u, min, max) => [Math.max(0, Math.floor((min - 0.02) * 20) / 20), Math.min(1, Math.ceil((max + 0.01) * 20) / 20)] },
  },
  axes: [{ ...axisStyle, label: 'epoch', incrs: [1, 2, 5, 10, 20, 50] }, { ...axisStyle, label: 'accuracy', size: 56 }],
  series: [
    { label: 'epoch' },
    { label: 'train acc', stroke: '#e07b39', width: 2, points: { show: true, size: 7 }, value: (_u, v) => (v == null ? '–' : v.toFixed(4)) },
    { label: 'test acc', stroke: '#2e9e6b', width: 2, points: { show: true, size: 7 }, value: (_u, v) => (v == null ? '–' : v.toFixed(4)) },
  ],
}, accData, accEl);

new ResizeObserver(() => {
  lossChart.setSize({ width: chartWidth(lossEl), height: 240 });
  accChart.setSize({ width: chartWidth(accEl), height: 240 });
}).observe(document.querySelector('.charts')!);

// Progress messages only record numbers; the DOM and the charts are redrawn at most every 200 ms, in
// one animation frame, so that the main thread stays idle while the worker trains.
const DRAW_INTERVAL_MS = 200;
let drawTimer: ReturnType<typeof setTimeout> | null = null;
let lastDraw = 0;
let accDrawn = -1;
let pendingText: (() => void) | null = null;

function draw(): void {
  drawTimer = null;
  lastDraw = performance.now();
  pendingText?.();
  pendingText = null;
  lossChart.setData(lossData);
  lossEl.dataset.points = String(lossData[0].length);
  if (accDrawn !== accData[0].length) {
    accChart.setData(accData);
    accDrawn = accData[0].length;
    accEl.dataset.points = String(accDrawn);
  }
  performance.measure('softmax-demo:draw', { start: lastDraw });
}

function scheduleDraw(): void {
  if (drawTimer !== null) return;
  const wait = Math.max(0, DRAW_INTERVAL_MS - (performance.now() - lastDraw));
  drawTimer = setTimeout(() => requestAnimationFrame(draw), wait);
}

function resetCharts(): void {
  for (const a of lossData) a.length = 0;
  for (const a of accData) a.length = 0;
  pendingText = null;
  accDrawn = -1;
  scheduleDraw();
}

// ---------------------------------------------------------------- status and buttons

function showError(e: unknown): void {
  ui.error.hidden = false;
  ui.error.textContent = e instanceof Error ? e.message : String(e);
}

function clearError(): void {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

function setStatus(text: string, state: string): void {
  ui.status.textContent = text;
  ui.status.dataset.state = state;
}

function refreshButtons(): void {
  ui.train.disabled = !dataReady || running;
  ui.stop.disabled = !running;
  ui.resume.disabled = !dataReady || running || !canResume;
  ui.download.disabled = running || !hasModel;
  ui.load.disabled = running || trainer === null;
  ui.shuffle.disabled = running || !hasModel || !dataReady;
  for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('.controls fieldset input, .controls .grid input, .controls .grid select')) {
    el.disabled = running;
  }
  ui.hidden.disabled = running || selectedModel() !== 'mlp';
  document.body.dataset.running = String(running);
}

function selectedModel(): 'softmax' | 'mlp' {
  return (document.querySelector<HTMLInputElement>('input[name=model]:checked')?.value ?? 'softmax') as 'softmax' | 'mlp';
}

function readConfig(): Partial<TrainerConfig> {
  const num = (el: HTMLInputElement | HTMLSelectElement, what: string): number => {
    const v = Number(el.value);
    if (el.value.trim() === '' || !Number.isFinite(v)) throw new Error(`${what}: enter a number`);
    return v;
  };
  return {
    model: selectedModel(), hidden: num(ui.hidden, 'Hidden units'), lr: num(ui.lr, 'Learning rate'),
    batchSize: num(ui.batchSize, 'Batch size'), epochs: num(ui.epochs, 'Epochs'), weightDecay: num(ui.weightDecay, 'Weight decay'),
    dropout: num(ui.dropout, 'Dropout'), augment: ui.augment.checked, seed: num(ui.seed, 'Seed'),
    workers: num(ui.workers, 'Workers'),
  };
}

// The Workers hint: the browser's logical cores, and whether gradients go through shared memory.
{
  const cores = navigator.hardwareConcurrency;
  ui.workersHint.textContent = `${cores ? `${cores} cores` : 'cores unknown'}${globalThis.crossOriginIsolated ? '' : ', no SharedArrayBuffer'}`;
  ui.workersHint.title = 'Threads that share each batch (this page\'s thread in the worker + workers − 1 gradient workers). ' +
    'navigator.hardwareConcurrency = ' + String(cores ?? 'unknown') + '; cross-origin isolated: ' + String(globalThis.crossOriginIsolated === true);
}

for (const r of document.querySelectorAll<HTMLInputElement>('input[name=model]')) r.addEventListener('change', refreshButtons);

// ---------------------------------------------------------------- training

function onProgress(p: TrainerProgress): void {
  if (p.type === 'batch') {
    lossData[0].push(p.epoch - 1 + (p.batch + 1) / p.batches);
    lossData[1].push(p.loss);
    pendingText = () => {
      ui.statEpoch.textContent = `${p.epoch} / ${p.epochs}`;
      ui.statLoss.textContent = p.loss.toFixed(4);
      ui.epochBar.style.width = `${(100 * (p.batch + 1)) / p.batches}%`;
      if (running) setStatus(`Training epoch ${p.epoch} of ${p.epochs}: batch ${p.batch + 1} / ${p.batches}`, 'training');
    };
  } else {
    accData[0].push(p.epoch);
    accData[1].push(p.trainAcc);
    accData[2].push(p.testAcc);
    ui.statTrainAcc.textContent = p.trainAcc.toFixed(4);
    ui.testAcc.textContent = p.testAcc.toFixed(4);
    ui.testAcc.dataset.value = String(p.testAcc);
  }
  scheduleDraw();
}

async function runFit(): Promise<void> {
  const t = trainer!;
  running = true;
  canResume = false;
  refreshButtons();
  performance.mark('softmax-demo:train-start');
  try {
    const result = await t.fit(onProgress);
    performance.mark('softmax-demo:train-end');
    // Every progress event has arrived (fit waits for their delivery): draw the final state now.
    if (drawTimer !== null) clearTimeout(drawTimer);
    draw();
    canResume = result.stopReason === 'stopped';
    const last = result.history.at(-1);
    if (result.stopReason === 'stopped') {
      setStatus(`Stopped after ${result.epochsDone} full epoch${result.epochsDone === 1 ? '' : 's'} — Resume continues exactly where it stopped.`, 'stopped');
    } else {
      setStatus(`Done: ${result.epochsDone} epoch${result.epochsDone === 1 ? '' : 's'}` +
        (last ? `, test accuracy ${last.testAcc.toFixed(4)}` : '') + '.', 'done');
      ui.epochBar.style.width = '100%';
    }
  } catch (e) {
    showError(e);
    setStatus('Training failed.', 'error');
  } finally {
    running = false;
    refreshButtons();
  }
  await showResults();
}

ui.train.addEventListener('click', async () => {
  clearError();
  if (trainer === null) return;
  setStatus('Starting…', 'starting');
  let config: Partial<TrainerConfig>;
  try {
    config = readConfig();
    const resolved = await trainer.configure(config);
    modelName = resolved.model;
  } catch (e) {
    showError(e);
    setStatus('Check the settings.', 'error');
    return;
  }
  hasModel = true;
  resetCharts();
  ui.statEpoch.textContent = ui.statLoss.textContent = ui.statTrainAcc.textContent = ui.testAcc.textContent = '–';
  delete ui.testAcc.dataset.value;
  ui.epochBar.style.width = '0%';
  setStatus('Starting…', 'training');
  await runFit();
});

ui.stop.addEventListener('click', () => {
  setStatus('Stopping after this batch…', 'stopping');
  void trainer?.stop();
});

ui.resume.addEventListener('click', async () => {
  clearError();
  setStatus('Resuming…', 'starting');
  await runFit();
});

// ---------------------------------------------------------------- results: gallery and confusion matrix

const GALLERY_SIZE = 12;
let galleryIndices: number[] = Array.from({ length: GALLERY_SIZE }, (_, i) => i);

function drawDigit(canvas: HTMLCanvasElement, pixels: Uint8Array): void {
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = 255 - pixels[i];
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function renderGallery(p: Prediction): void {
  const cards = Array.from(p.labels, (pred, k) => {
    const truth = p.trueLabels[k];
    const card = document.createElement('div');
    card.className = `card ${pred === truth ? 'right' : 'wrong'}`;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 28;
    drawDigit(canvas, p.images.subarray(k * 784, (k + 1) * 784));
    const head = document.createElement('div');
    head.className = 'head';
    head.append(canvas);
    const names = document.createElement('div');
    names.className = 'names';
    names.innerHTML = `<div><span class="k">true</span> <b class="true">${CLASSES[truth]}</b></div>` +
      `<div><span class="k">pred</span> <b class="pred">${CLASSES[pred]}</b></div>`;
    head.append(names);
    card.append(head);
    const bars = document.createElement('div');
    bars.className = 'bars';
    for (let c = 0; c < p.classes; c++) {
      const prob = p.probabilities[k * p.classes + c];
      const row = document.createElement('div');
      row.className = `row${c === pred ? ' is-pred' : ''}${c === truth ? ' is-true' : ''}`;
      row.title = `${CLASSES[c]}: ${(100 * prob).toFixed(1)}%`;
      row.innerHTML = `<span class="name">${CLASSES[c]}</span><span class="track"><span class="fill" style="width:${(100 * prob).toFixed(1)}%"></span></span>` +
        `<span class="pct">${(100 * prob).toFixed(0)}%</span>`;
      bars.append(row);
    }
    card.append(bars);
    return card;
  });
  ui.gallery.replaceChildren(...cards);
  const right = Array.from(p.labels).filter((l, k) => l === p.trueLabels[k]).length;
  ui.galleryHint.textContent = `${right} of ${p.labels.length} right. Bars: the softmax probabilities of the ten classes.`;
}

function renderConfusion(confusion: number[][]): void {
  const table = document.createElement('table');
  const head = document.createElement('tr');
  head.append(document.createElement('th'));
  for (const name of CLASSES) {
    const th = document.createElement('th');
    th.className = 'col';
    th.innerHTML = `<span>${name}</span>`;
    head.append(th);
  }
  table.append(head);
  confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.textContent = CLASSES[i];
    tr.append(th);
    row.forEach((count, j) => {
      const td = document.createElement('td');
      const f = count / total;
      td.textContent = String(count);
      td.title = `true ${CLASSES[i]}, predicted ${CLASSES[j]}: ${count} (${(100 * f).toFixed(1)}%)`;
      td.style.background = i === j ? `rgba(46, 158, 107, ${0.1 + 0.85 * f})` : `rgba(214, 69, 65, ${Math.min(0.9, 2.5 * f)})`;
      if ((i === j && f > 0.55) || (i !== j && f > 0.25)) td.classList.add('dark');
      tr.append(td);
    });
    table.append(tr);
  });
  ui.confusion.replaceChildren(table);
}

async function showResults(): Promise<void> {
  if (trainer === null || !hasModel || !dataReady) return;
  try {
    const [evaluation, prediction] = await Promise.all([trainer.evaluate(), trainer.predict(galleryIndices)]);
    renderConfusion(evaluation.confusion);
    renderGallery(prediction);
    ui.testAcc.textContent = evaluation.accuracy.toFixed(4);
    ui.testAcc.dataset.value = String(evaluation.accuracy);
  } catch (e) {
    showError(e);
  }
}

ui.shuffle.addEventListener('click', async () => {
  galleryIndices = Array.from({ length: GALLERY_SIZE }, () => Math.floor(Math.random() * 10000));
  if (trainer === null) return;
  try {
    renderGallery(await trainer.predict(galleryIndices));
  } catch (e) {
    showError(e);
  }
});

// ---------------------------------------------------------------- weights

ui.download.addEventListener('click', async () => {
  if (trainer === null) return;
  try {
    const bytes = await trainer.stateDict();
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `fashion-mnist-${modelName}.safetensors`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    showError(e);
  }
});

ui.load.addEventListener('change', async () => {
  const file = ui.load.files?.[0];
  ui.load.value = '';
  if (!file || trainer === null) return;
  clearError();
  try {
    const loaded = await trainer.loadStateDict(new Uint8Array(await file.arrayBuffer()));
    modelName = loaded.model;
    hasModel = true;
    canResume = false;
    document.querySelector<HTMLInputElement>(`input[name=model][value=${loaded.model}]`)!.checked = true;
    if (loaded.model === 'mlp') ui.hidden.value = String(loaded.hidden);
    resetCharts();
    ui.statEpoch.textContent = ui.statLoss.textContent = ui.statTrainAcc.textContent = '–';
    setStatus(`Loaded ${file.name}: ${loaded.description}.`, 'loaded');
    refreshButtons();
    await showResults();
  } catch (e) {
    showError(e);
  }
});

// ---------------------------------------------------------------- data

function dataLoaded(trainCount: number, testCount: number, from: string): void {
  dataReady = true;
  ui.dataStatus.textContent = `Fashion-MNIST: ${trainCount} training / ${testCount} test images`;
  ui.dataStatus.dataset.state = 'ready';
  ui.dataDetail.textContent = `Loaded ${from}, decompressed and checked in the worker.`;
  refreshButtons();
}

const FILE_KEYS: [keyof FashionMnistFileBlobs, string][] = [
  ['trainImages', 'train-images'], ['trainLabels', 'train-labels'], ['testImages', 't10k-images'], ['testLabels', 't10k-labels'],
];

ui.files.addEventListener('change', async () => {
  const files = Array.from(ui.files.files ?? []);
  ui.files.value = '';
  if (trainer === null || files.length === 0) return;
  clearError();
  const picked: Partial<FashionMnistFileBlobs> = {};
  for (const [key, stem] of FILE_KEYS) {
    const f = files.find((file) => file.name.startsWith(stem));
    if (f) picked[key] = f;
  }
  const missing = FILE_KEYS.filter(([k]) => picked[k] === undefined).map(([, stem]) => `${stem}-idx…-ubyte.gz`);
  if (missing.length > 0) {
    showError(`Choose all four Fashion-MNIST files at once; missing: ${missing.join(', ')}`);
    return;
  }
  ui.dataStatus.textContent = 'Reading the files…';
  ui.dataStatus.dataset.state = 'loading';
  try {
    const info = await trainer.loadFashionMnist(picked as FashionMnistFileBlobs, { verify: globalThis.isSecureContext });
    dataLoaded(info.trainCount, info.testCount, 'from your files');
  } catch (e) {
    ui.dataStatus.textContent = 'No data';
    ui.dataStatus.dataset.state = 'missing';
    showError(e);
  }
});

async function start(): Promise<void> {
  refreshButtons();
  try {
    trainer = await createTrainer();
  } catch (e) {
    ui.dataStatus.textContent = 'The worker failed to start';
    ui.dataStatus.dataset.state = 'missing';
    showError(e);
    return;
  }
  refreshButtons();
  const base = `${import.meta.env.BASE_URL}fashion-mnist/`;
  let available = false;
  try {
    const res = await fetch(`${base}index.json`);
    available = res.ok && ((await res.json()) as { complete?: boolean }).complete === true;
  } catch {
    available = false;
  }
  if (!available) {
    ui.dataStatus.textContent = 'No data yet';
    ui.dataStatus.dataset.state = 'missing';
    ui.dataDetail.textContent = 'The server has no Fashion-MNIST files. Choose train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz below.';
    return;
  }
  ui.dataStatus.textContent = 'Loading Fashion-MNIST…';
  try {
    const info = await trainer.loadFashionMnist(base, { verify: globalThis.isSecureContext });
    dataLoaded(info.trainCount, info.testCount, 'from the server');
  } catch (e) {
    ui.dataStatus.textContent = 'No data';
    ui.dataStatus.dataset.state = 'missing';
    showError(e);
  }
}

void start();
