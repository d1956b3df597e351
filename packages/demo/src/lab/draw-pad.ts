// Draw or drop an image: a large pad drawn with mouse, pen or finger (pointer events), reduced to 28×28
// the way Fashion-MNIST looks (a light garment on black, its bounding box scaled to fill the frame and
// centred), then classified by the main model; the probabilities shown as a bar list with class names.

import { $, input, showError } from '../dom.js';
import { labApi } from '../lab-api.js';
import { drawImage, probabilityBars } from '../results.js';
import { app, onModelChange, onRefresh } from '../state.js';

const pad = $<HTMLCanvasElement>('pad');
const small = $<HTMLCanvasElement>('pad-small');
const probs = $('pad-probs');
const hint = $('pad-hint');
const upload = input('pad-upload');
const ctx = pad.getContext('2d', { willReadFrequently: true })!;
const BRUSH = 24;

function clearPad(): void {
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, pad.width, pad.height);
  probs.replaceChildren();
  delete probs.dataset.sum;
  const s = small.getContext('2d')!;
  s.fillStyle = '#000';
  s.fillRect(0, 0, 28, 28);
  empty = true;
}

let empty = true;
let last: [number, number] | null = null;

function point(e: PointerEvent): [number, number] {
  const r = pad.getBoundingClientRect();
  return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
}

function stroke(to: [number, number]): void {
  ctx.strokeStyle = '#fff';
  ctx.fillStyle = '#fff';
  ctx.lineWidth = BRUSH;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  const from = last ?? to;
  ctx.moveTo(from[0], from[1]);
  ctx.lineTo(to[0], to[1]);
  ctx.stroke();
  last = to;
  empty = false;
}

pad.addEventListener('pointerdown', (e) => {
  pad.setPointerCapture(e.pointerId);
  last = null;
  stroke(point(e));
  e.preventDefault();
});
pad.addEventListener('pointermove', (e) => {
  if (last === null || !pad.hasPointerCapture(e.pointerId)) return;
  stroke(point(e));
  scheduleClassify();
});
const end = (e: PointerEvent): void => {
  if (last === null) return;
  last = null;
  if (pad.hasPointerCapture(e.pointerId)) pad.releasePointerCapture(e.pointerId);
  scheduleClassify(0);
};
pad.addEventListener('pointerup', end);
pad.addEventListener('pointercancel', end);

/** The pad as 28×28 uint8 pixels: the drawing's bounding box scaled so its longer side fills 28 pixels, centred. */
export function toPixels(): Uint8Array {
  const { width, height } = pad;
  const data = ctx.getImageData(0, 0, width, height).data;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[4 * (y * width + x)] > 20) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  const out = document.createElement('canvas');
  out.width = out.height = 28;
  const o = out.getContext('2d', { willReadFrequently: true })!;
  o.fillStyle = '#000';
  o.fillRect(0, 0, 28, 28);
  if (x1 >= 0) {
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    const scale = 28 / Math.max(w, h);
    o.imageSmoothingEnabled = true;
    o.imageSmoothingQuality = 'high';
    o.drawImage(pad, x0, y0, w, h, (28 - w * scale) / 2, (28 - h * scale) / 2, w * scale, h * scale);
  }
  const px = o.getImageData(0, 0, 28, 28).data;
  const pixels = new Uint8Array(784);
  for (let i = 0; i < 784; i++) pixels[i] = px[4 * i];
  return pixels;
}

let timer: ReturnType<typeof setTimeout> | null = null;
let busy = false;

function scheduleClassify(delay = 150): void {
  if (timer !== null) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    void classify();
  }, delay);
}

async function classify(): Promise<void> {
  const lab = labApi(app.trainer);
  if (lab === null || !app.hasModel || empty) return;
  if (busy) {
    scheduleClassify();
    return;
  }
  busy = true;
  try {
    const pixels = toPixels();
    drawImage(small, pixels, false);
    const r = await lab.classify(pixels);
    const p = r.probabilities.subarray(0, 10);
    const bars = probabilityBars(p, r.labels[0]);
    probs.replaceChildren(...Array.from(bars.children));
    probs.dataset.sum = String(p.reduce((a, b) => a + b, 0));
    probs.dataset.label = String(r.labels[0]);
  } catch (e) {
    showError(e);
  } finally {
    busy = false;
  }
}

/** An uploaded picture: grey levels, inverted when its border is light (a product photo on white), onto the pad. */
upload.addEventListener('change', async () => {
  const file = upload.files?.[0];
  upload.value = '';
  if (!file) return;
  try {
    const bitmap = await createImageBitmap(file);
    clearPad();
    const scale = Math.min(pad.width / bitmap.width, pad.height / bitmap.height);
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    const x0 = Math.floor((pad.width - w) / 2);
    const y0 = Math.floor((pad.height - h) / 2);
    ctx.drawImage(bitmap, x0, y0, w, h);
    // Only the picture's rectangle: the letterboxing around it stays black.
    const img = ctx.getImageData(x0, y0, w, h);
    const d = img.data;
    const grey = (i: number): number => 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    let border = 0;
    for (let x = 0; x < w; x++) border += grey(4 * x) + grey(4 * ((h - 1) * w + x));
    for (let y = 0; y < h; y++) border += grey(4 * y * w) + grey(4 * (y * w + w - 1));
    const invert = border / (2 * (w + h)) > 128;
    for (let i = 0; i < d.length; i += 4) {
      const g = invert ? 255 - grey(i) : grey(i);
      d[i] = d[i + 1] = d[i + 2] = g;
      d[i + 3] = 255;
    }
    ctx.putImageData(img, x0, y0);
    empty = false;
    await classify();
  } catch (e) {
    showError(`The image could not be read: ${(e as Error).message}`);
  }
});

$('pad-clear').addEventListener('click', clearPad);
$('pad-upload-button').addEventListener('click', () => upload.click());

onModelChange(() => {
  if (!empty) scheduleClassify(0);
});

onRefresh(() => {
  const ready = labApi(app.trainer) !== null && app.hasModel;
  hint.textContent = labApi(app.trainer) === null && app.trainer !== null
    ? 'Needs a worker with the lab API (classify()).'
    : ready ? 'Probabilities of the model above for your drawing (28×28, left).' : 'Train (or load) a model, then draw: light garment on black, like Fashion-MNIST.';
});

clearPad();
