// Fashion-MNIST for the main trainer: from the dev server when it has the files, else the four .gz files
// the user picks. When picked files fail to load, the data already loaded stays in use (the worker keeps
// it) and the status pill says so; Train stays enabled exactly when the worker has data.

import { createTrainer, type FashionMnistFileBlobs, type FashionMnistSource } from 'softmax-nn/worker';
import { $, clearError, input, showError, userMessage } from './dom.js';
import { app, onRefresh, refresh } from './state.js';

const pill = $('data-status');
const detail = $('data-detail');
const filesButton = $<HTMLButtonElement>('files-button');
const files = input('files');

let source: FashionMnistSource | null = null;

/** Where the main trainer's data came from (for the lab's own worker), or null before any. */
export function dataSource(): FashionMnistSource | null {
  return source;
}

function setPill(text: string, state: string): void {
  pill.textContent = text;
  pill.dataset.state = state;
}

function dataLoaded(trainCount: number, testCount: number, from: string, src: FashionMnistSource): void {
  app.dataReady = true;
  app.trainCount = trainCount;
  source = src;
  setPill(`Fashion-MNIST: ${trainCount} training / ${testCount} test images`, 'ready');
  detail.textContent = `Loaded ${from}, decompressed and checked in the worker.`;
  refresh();
}

function dataFailed(e: unknown, what: string): void {
  if (app.dataReady) {
    // The worker checks the files before replacing its data: the old data is still there.
    setPill(`Fashion-MNIST: ${app.trainCount} training images (still the earlier data: ${what} failed)`, 'ready');
    detail.textContent = `${what} failed: ${userMessage(e)} — training still uses the data loaded before.`;
  } else {
    setPill('No data', 'missing');
  }
  refresh();
  showError(e);
}

const FILE_KEYS: [keyof FashionMnistFileBlobs, string][] = [
  ['trainImages', 'train-images'], ['trainLabels', 'train-labels'], ['testImages', 't10k-images'], ['testLabels', 't10k-labels'],
];

filesButton.addEventListener('click', () => files.click());

files.addEventListener('change', async () => {
  const picked = Array.from(files.files ?? []);
  files.value = '';
  const t = app.trainer;
  if (t === null || picked.length === 0) return;
  clearError();
  const blobs: Partial<FashionMnistFileBlobs> = {};
  for (const [key, stem] of FILE_KEYS) {
    const f = picked.find((file) => file.name.startsWith(stem));
    if (f) blobs[key] = f;
  }
  const missing = FILE_KEYS.filter(([k]) => blobs[k] === undefined).map(([, stem]) => `${stem}-idx…-ubyte.gz`);
  if (missing.length > 0) {
    showError(`Choose all four Fashion-MNIST files at once; missing: ${missing.join(', ')}`);
    return;
  }
  setPill('Reading the files…', 'loading');
  try {
    const info = await t.loadFashionMnist(blobs as FashionMnistFileBlobs, { verify: globalThis.isSecureContext });
    dataLoaded(info.trainCount, info.testCount, 'from your files', blobs as FashionMnistFileBlobs);
  } catch (e) {
    dataFailed(e, 'Loading your files');
  }
});

onRefresh(() => {
  filesButton.disabled = app.running || app.trainer === null;
});

/** Starts the main worker and loads the server's data when it has it. */
export async function startData(): Promise<void> {
  refresh();
  try {
    app.trainer = await createTrainer();
  } catch (e) {
    setPill('The worker failed to start', 'missing');
    showError(e);
    return;
  }
  refresh();
  const base = `${import.meta.env.BASE_URL}fashion-mnist/`;
  let available = false;
  try {
    const res = await fetch(`${base}index.json`);
    available = res.ok && ((await res.json()) as { complete?: boolean }).complete === true;
  } catch {
    available = false;
  }
  if (!available) {
    setPill('No data yet', 'missing');
    detail.textContent = 'The server has no Fashion-MNIST files. Choose train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz below.';
    return;
  }
  setPill('Loading Fashion-MNIST…', 'loading');
  try {
    const info = await t().loadFashionMnist(base, { verify: globalThis.isSecureContext });
    dataLoaded(info.trainCount, info.testCount, 'from the server', base);
  } catch (e) {
    dataFailed(e, 'Loading from the server');
  }
}

const t = () => app.trainer!;
