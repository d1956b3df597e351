// The model's results on the test set: a gallery of predictions with their probabilities, the confusion
// matrix with per-class accuracy, and a paged list of the mistakes (thumbnails with true / predicted).

import { FASHION_MNIST_CLASS_NAMES as CLASSES, type Prediction } from 'softmax-nn/worker';
import { $, fmtAcc, showError } from './dom.js';
import type { LabEvaluation } from './lab-api.js';
import { app, onRefresh } from './state.js';

const GALLERY_SIZE = 12;
const MISTAKES_PER_PAGE = 24;
let galleryIndices: number[] = Array.from({ length: GALLERY_SIZE }, (_, i) => i);
let mistakes: Int32Array = new Int32Array(0);
let mistakesPage = 0;

const ui = {
  gallery: $('gallery'), galleryHint: $('gallery-hint'), shuffle: $<HTMLButtonElement>('shuffle'),
  confusion: $('confusion'), perClass: $('per-class'),
  mistakes: $('mistakes'), mistakesCount: $('mistakes-count'), mistakesPage: $('mistakes-page'),
  prev: $<HTMLButtonElement>('mistakes-prev'), next: $<HTMLButtonElement>('mistakes-next'),
};

/** Fashion-MNIST's pixels (0 = background) drawn dark on light, as the gallery shows them. */
export function drawImage(canvas: HTMLCanvasElement, pixels: Uint8Array, invert = true): void {
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = invert ? 255 - pixels[i] : pixels[i];
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function thumbnail(pixels: Uint8Array, label: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 28;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  drawImage(canvas, pixels);
  return canvas;
}

function renderGallery(p: Prediction): void {
  const cards = Array.from(p.labels, (pred, k) => {
    const truth = p.trueLabels[k];
    const card = document.createElement('div');
    card.className = `card ${pred === truth ? 'right' : 'wrong'}`;
    const head = document.createElement('div');
    head.className = 'head';
    head.append(thumbnail(p.images.subarray(k * 784, (k + 1) * 784), `Test image ${galleryIndices[k]}: a ${CLASSES[truth]}, predicted ${CLASSES[pred]}`));
    const names = document.createElement('div');
    names.className = 'names';
    names.innerHTML = `<div><span class="k">true</span> <b class="true">${CLASSES[truth]}</b></div>` +
      `<div><span class="k">pred</span> <b class="pred">${CLASSES[pred]}</b></div>`;
    head.append(names);
    card.append(head, probabilityBars(p.probabilities.subarray(k * p.classes, (k + 1) * p.classes), pred, truth));
    return card;
  });
  ui.gallery.replaceChildren(...cards);
  const right = Array.from(p.labels).filter((l, k) => l === p.trueLabels[k]).length;
  ui.galleryHint.textContent = `${right} of ${p.labels.length} right. Bars: the softmax probabilities of the ten classes.`;
}

/** The ten class probabilities as a bar list (the predicted class highlighted, and the true one if known). */
export function probabilityBars(probs: ArrayLike<number>, pred: number, truth = -1): HTMLElement {
  const bars = document.createElement('div');
  bars.className = 'bars';
  for (let c = 0; c < probs.length; c++) {
    const pct = (100 * probs[c]).toFixed(1);
    const row = document.createElement('div');
    row.className = `row${c === pred ? ' is-pred' : ''}${c === truth ? ' is-true' : ''}`;
    row.dataset.p = String(probs[c]);
    row.title = `${CLASSES[c]}: ${pct}%`;
    row.innerHTML = `<span class="name">${CLASSES[c]}</span><span class="track"><span class="fill" style="width:${pct}%"></span></span>` +
      `<span class="pct">${(100 * probs[c]).toFixed(0)}%</span>`;
    bars.append(row);
  }
  return bars;
}

/** `rgb` at opacity `a` over white. */
function blend(rgb: [number, number, number], a: number): [number, number, number] {
  return rgb.map((c) => Math.round(255 * (1 - a) + c * a)) as [number, number, number];
}

/** WCAG contrast ratio of two colours; white or black text, whichever is higher, always reaches 4.5. */
function contrast(a: [number, number, number], b: [number, number, number]): number {
  const lum = (rgb: [number, number, number]): number => {
    const [r, g, bl] = rgb.map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

function renderConfusion(confusion: number[][], perClass: number[]): void {
  const table = document.createElement('table');
  const head = document.createElement('tr');
  const corner = document.createElement('th');
  corner.innerHTML = '<span class="visually-hidden">true class \\ predicted</span>';
  head.append(corner);
  for (const name of CLASSES) {
    const th = document.createElement('th');
    th.className = 'col';
    th.scope = 'col';
    th.innerHTML = `<span>${name}</span>`;
    head.append(th);
  }
  table.append(head);
  confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = CLASSES[i];
    tr.append(th);
    row.forEach((count, j) => {
      const td = document.createElement('td');
      const f = count / total;
      td.textContent = String(count);
      td.title = `true ${CLASSES[i]}, predicted ${CLASSES[j]}: ${count} (${(100 * f).toFixed(1)}%)`;
      const bg = i === j ? blend([31, 122, 81], 0.1 + 0.85 * f) : blend([165, 48, 44], Math.min(0.9, 2.5 * f));
      td.style.background = `rgb(${bg.join(', ')})`;
      if (contrast(bg, [255, 255, 255]) > contrast(bg, [0, 0, 0])) td.classList.add('dark');
      tr.append(td);
    });
    table.append(tr);
  });
  ui.confusion.replaceChildren(table);
  ui.perClass.replaceChildren(...perClass.map((a, c) => {
    const row = document.createElement('div');
    row.className = 'row';
    row.innerHTML = `<span class="name">${CLASSES[c]}</span><span class="track"><span class="fill" style="width:${(100 * a).toFixed(1)}%"></span></span>` +
      `<span class="pct">${fmtAcc(a)}</span>`;
    return row;
  }));
}

async function renderMistakes(): Promise<void> {
  const t = app.trainer;
  const pages = Math.max(1, Math.ceil(mistakes.length / MISTAKES_PER_PAGE));
  mistakesPage = Math.min(mistakesPage, pages - 1);
  ui.mistakesPage.textContent = mistakes.length === 0 ? '' : `page ${mistakesPage + 1} of ${pages}`;
  ui.prev.disabled = mistakesPage === 0;
  ui.next.disabled = mistakesPage >= pages - 1;
  const indices = Array.from(mistakes.subarray(mistakesPage * MISTAKES_PER_PAGE, (mistakesPage + 1) * MISTAKES_PER_PAGE));
  if (t === null || indices.length === 0) {
    ui.mistakes.replaceChildren();
    return;
  }
  const p = await t.predict(indices);
  ui.mistakes.replaceChildren(...indices.map((index, k) => {
    const fig = document.createElement('figure');
    fig.className = 'mistake';
    const truth = CLASSES[p.trueLabels[k]];
    const pred = CLASSES[p.labels[k]];
    fig.append(thumbnail(p.images.subarray(k * 784, (k + 1) * 784), `Test image ${index}: a ${truth}, predicted ${pred}`));
    const cap = document.createElement('figcaption');
    cap.innerHTML = `<span class="true">${truth}</span><span class="pred">→ ${pred}</span>`;
    fig.append(cap);
    return fig;
  }));
}

ui.prev.addEventListener('click', () => {
  mistakesPage--;
  void renderMistakes().catch(showError);
});
ui.next.addEventListener('click', () => {
  mistakesPage++;
  void renderMistakes().catch(showError);
});

export async function showResults(): Promise<void> {
  const t = app.trainer;
  if (t === null || !app.hasModel || !app.dataReady) return;
  try {
    const [evaluation, prediction] = await Promise.all([t.evaluate() as Promise<LabEvaluation>, t.predict(galleryIndices)]);
    const perClass = evaluation.perClassAccuracy ??
      evaluation.confusion.map((row, i) => row[i] / (row.reduce((a, b) => a + b, 0) || 1));
    renderConfusion(evaluation.confusion, perClass);
    renderGallery(prediction);
    const testAcc = $('test-acc');
    testAcc.textContent = fmtAcc(evaluation.accuracy);
    testAcc.dataset.value = String(evaluation.accuracy);
    if (evaluation.mistakes !== undefined) {
      mistakes = evaluation.mistakes;
      mistakesPage = 0;
      ui.mistakesCount.textContent = `(${mistakes.length} of ${evaluation.count} test images)`;
      await renderMistakes();
    } else {
      ui.mistakesCount.textContent = '(needs a worker with the lab API)';
    }
  } catch (e) {
    showError(e);
  }
}

ui.shuffle.addEventListener('click', async () => {
  galleryIndices = Array.from({ length: GALLERY_SIZE }, () => Math.floor(Math.random() * 10000));
  if (app.trainer === null) return;
  try {
    renderGallery(await app.trainer.predict(galleryIndices));
  } catch (e) {
    showError(e);
  }
});

onRefresh(() => {
  ui.shuffle.disabled = app.running || !app.hasModel || !app.dataReady;
});
