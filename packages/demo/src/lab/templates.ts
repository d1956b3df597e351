// Weights as images: softmax regression's ten rows of W (the [10, 784] weight) drawn as 28×28 templates
// in a diverging colour map (blue negative, white 0, red positive), labelled with the class names; for the
// MLP, the ten first-layer units with the largest weight norm. Redrawn when the main model changes.

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

function template(row: Float32Array, label: string): HTMLElement {
  let max = 0;
  for (const v of row) max = Math.max(max, Math.abs(v));
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 28;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Weight template: ${label}, values from ${fmt(-max)} to ${fmt(max)}`);
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const [r, g, b] = diverging(max > 0 ? row[i] / max : 0);
    img.data[4 * i] = r;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = b;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  const fig = document.createElement('figure');
  fig.className = 'template';
  const cap = document.createElement('figcaption');
  cap.textContent = label;
  fig.append(canvas, cap);
  return fig;
}

/** The first weight with 784 inputs (softmax's W, or the MLP's first layer). */
function inputWeight(params: Parameter[]): Parameter | undefined {
  return params.find((p) => p.shape.length === 2 && p.shape[1] === 784);
}

function render(params: Parameter[]): void {
  const w = inputWeight(params);
  if (w === undefined) return;
  const [units] = w.shape;
  const rows = Array.from({ length: units }, (_, u) => w.data.subarray(u * 784, (u + 1) * 784));
  let chosen: number[];
  let label: (u: number) => string;
  if (units === CLASSES.length && app.modelName === 'softmax') {
    chosen = rows.map((_, u) => u);
    label = (u) => CLASSES[u];
    hint.textContent = 'The ten rows of W: the score of a class is the image’s dot product with its template (red pixels raise it, blue lower it).';
  } else {
    const norms = rows.map((r) => Math.hypot(...r));
    chosen = rows.map((_, u) => u).sort((a, b) => norms[b] - norms[a]).slice(0, SHOWN);
    label = (u) => `unit ${u} ‖w‖ ${fmt(norms[u], 3)}`;
    hint.textContent = `The first layer’s ${SHOWN} units (of ${units}) with the largest weight norm.`;
  }
  box.replaceChildren(...chosen.map((u) => template(rows[u], label(u))));
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
