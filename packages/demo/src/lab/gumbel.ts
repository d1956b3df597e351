// Gumbel-softmax samples of the numerics section's logits, drawn in the worker (the page loads no wasm):
// the hard samples' class frequencies next to softmax(o), which they converge to, and the soft samples'
// mean at the chosen temperature.

import { $, fmt, userMessage } from '../dom.js';
import { applyRanges, readField, type FieldSpec } from '../fields.js';
import { app, onRefresh } from '../state.js';
import { readLogits } from './numerics.js';

const TAU: FieldSpec = { id: 'num-tau', label: 'Temperature τ', integer: false, min: 0, max: 100, minExclusive: true };
const SAMPLES: FieldSpec = { id: 'num-samples', label: 'Samples', integer: true, min: 10, max: 100_000 };

const button = $<HTMLButtonElement>('num-sample');
const status = $('num-gumbel-status');
const errorBox = $('num-gumbel-error');
let busy = false;

/** The worker's sampler, or null before the worker is up (or on a worker without it). */
function sampler() {
  const t = app.trainer;
  return t !== null && typeof t.sampleGumbelSoftmax === 'function' ? t.sampleGumbelSoftmax.bind(t) : null;
}

async function sample(): Promise<void> {
  const draw = sampler();
  if (draw === null || busy) return;
  errorBox.textContent = '';
  let logits: number[];
  let tau: number;
  let count: number;
  try {
    logits = readLogits();
    tau = readField(TAU);
    count = readField(SAMPLES);
  } catch (e) {
    errorBox.textContent = (e as Error).message;
    return;
  }
  busy = true;
  button.disabled = true;
  status.textContent = `Drawing ${count} samples…`;
  try {
    const [hard, soft] = await Promise.all([draw(logits, { tau, count, hard: true }), draw(logits, { tau, count, hard: false })]);
    const worst = Math.max(...Array.from(hard.mean, (f, j) => Math.abs(f - hard.probabilities[j])));
    const rows: [string, string, Float32Array][] = [
      ['softmax(o)', 'softmax', hard.probabilities],
      [`hard samples: frequency (n = ${count})`, 'hard', hard.mean],
      [`soft samples: mean (τ = ${fmt(tau)})`, 'soft', soft.mean],
    ];
    const head = `<thead><tr><th scope="col"></th>${logits.map((o, j) => `<th scope="col">class ${j} (o = ${fmt(o)})</th>`).join('')}</tr></thead>`;
    const body = rows.map(([label, key, values]) => `<tr data-row="${key}"><th scope="row">${label}</th>${
      Array.from(values, (v) => `<td>${fmt(v)}</td>`).join('')}</tr>`).join('');
    $('num-gumbel').innerHTML = head + `<tbody>${body}</tbody>`;
    status.textContent = `${count} samples: the hard frequencies are within ${fmt(worst, 2)} of softmax(o).`;
  } catch (e) {
    status.textContent = '';
    errorBox.textContent = userMessage(e);
  } finally {
    busy = false;
    button.disabled = sampler() === null;
  }
}

applyRanges([TAU, SAMPLES]);
button.addEventListener('click', () => void sample());
onRefresh(() => {
  if (!busy) button.disabled = sampler() === null;
});
