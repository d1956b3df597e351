// Weights as images: softmax regression's ten rows of W (the [10, 784] weight) drawn as 28×28 templates
// in a diverging colour map (blue negative, white 0, red positive), labelled with the class names; for the
// MLP, the ten first-layer units with the largest weight norm; for LeNet, the first convolution's 5×5
// filters. Redrawn when the main model changes.

import { FASHION_MNIST_CLASS_NAMES as CLASSES } from 'softmax-nn/worker';
import { $, fmt } from '../dom.js';
import { labApi, type Parameter } from '../lab-api.js';
import { app, onModelChange } from '../state.js';

const box = $('templates');
const hint = $('templates-hint');
const SHOWN = 10;

/** Blue (−1) → white (0) → red (+1). */
export function diverging(t: number): [number, number, number] {
  const a = Math.min(1, Math.abs(t));
  return t < 0
    ? [Math.round(255 - a * (255 - 44)), Math.round(255 - a * (255 - 98)), Math.round(255 - a * (255 - 196))]
    : [Math.round(255 - a * (255 - 202)), Math.round(255 - a * (255 - 50)), Math.round(255 - a * (255 - 44))];
}

/**
 * One weight picture: `values` (size × size, row-major) in the diverging map scaled by their largest
 * magnitude, captioned `caption`; its text alternative gives `what` and the values' range.
 */
function picture(values: Float32Array, size: number, what: string, caption: string): HTMLElement {
  let max = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    max = Math.max(max, Math.abs(v));
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${what}: ${caption}, values from ${fmt(lo)} to ${fmt(hi)} (blue negative, red positive)`);
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = diverging(max > 0 ? values[i] / max : 0);
    img.data[4 * i] = r;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = b;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  const fig = document.createElement('figure');
  fig.className = 'template';
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  fig.append(canvas, cap);
  return fig;
}

/** LeNet's first convolution, [filters, 1, k, k], under its state-dict key. */
function firstConvolution(params: Parameter[]): Parameter | undefined {
  return params.find((p) => p.name === '0.weight' && p.shape.length === 4 && p.shape[1] === 1 && p.shape[2] === p.shape[3]);
}

/** The first weight with 784 inputs (softmax's W, or the MLP's first layer). */
function inputWeight(params: Parameter[]): Parameter | undefined {
  return params.find((p) => p.shape.length === 2 && p.shape[1] === 784);
}

/** Each of LeNet's first-layer filters as a k×k picture (the canvas scaled up by CSS, pixelated). */
function filterPictures(w: Parameter): HTMLElement[] {
  const [filters, , k] = w.shape;
  hint.textContent = `The first convolution’s ${filters} filters, ${k}×${k} weights each, drawn enlarged: a filter slides over the image, and its output is high where bright pixels fall on its red weights, low where they fall on blue ones.`;
  return Array.from({ length: filters }, (_, f) => picture(w.data.subarray(f * k * k, (f + 1) * k * k), k,
    `First convolution (${filters} filters of ${k}×${k})`, `filter ${f + 1}`));
}

function inputPictures(w: Parameter): HTMLElement[] {
  const [units] = w.shape;
  const rows = Array.from({ length: units }, (_, u) => w.data.subarray(u * 784, (u + 1) * 784));
  if (units === CLASSES.length && app.modelName === 'softmax') {
    hint.textContent = 'The ten rows of W: the score of a class is the image’s dot product with its template (red pixels raise it, blue lower it).';
    return rows.map((r, u) => picture(r, 28, 'Weight template', CLASSES[u]));
  }
  const norms = rows.map((r) => Math.hypot(...r));
  const chosen = rows.map((_, u) => u).sort((a, b) => norms[b] - norms[a]).slice(0, SHOWN);
  hint.textContent = `The first layer’s ${SHOWN} units (of ${units}) with the largest weight norm.`;
  return chosen.map((u) => picture(rows[u], 28, 'Weight template', `unit ${u} ‖w‖ ${fmt(norms[u], 3)}`));
}

function render(params: Parameter[]): void {
  const conv = firstConvolution(params);
  const w = conv === undefined ? inputWeight(params) : undefined;
  if (conv === undefined && w === undefined) return;
  box.replaceChildren(...(conv !== undefined ? filterPictures(conv) : inputPictures(w!)));
  box.dataset.kind = conv !== undefined ? 'filters' : 'templates';
  box.dataset.updates = String(Number(box.dataset.updates ?? 0) + 1);
}

let inFlight = false;
let again = false;

async function update(): Promise<void> {
  const lab = labApi(app.trainer);
  if (lab === null || !app.hasModel) return;
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = true;
  try {
    render(await lab.parameters());
  } catch {
    // A model being rebuilt (configure in between): the next epoch redraws.
  } finally {
    inFlight = false;
    if (again) {
      again = false;
      void update();
    }
  }
}

onModelChange(() => void update());

export function startTemplates(): void {
  if (labApi(app.trainer) === null) hint.textContent = 'Needs a worker with the lab API (parameters()).';
}
