// The notes' overflow example: softmax of logits like [1000, 0, −1000] in float32. The naive formula
// exp(o) / Σ exp(o) overflows to ∞ / ∞ = NaN; subtracting the largest logit first (and the log-sum-exp
// form of log softmax) keeps every exponent ≤ 0. Computed here with Math.fround, float32 step by step.

import { $, fmt } from '../dom.js';

const f32 = Math.fround;

/** Naive softmax in float32: exp of each logit, divided by their sum. */
export function naiveSoftmax(logits: number[]): number[] {
  const e = logits.map((o) => f32(Math.exp(f32(o))));
  const sum = e.reduce((a, b) => f32(a + b), 0);
  return e.map((v) => f32(v / sum));
}

/** Stable softmax in float32: exp(o − max) / Σ exp(o − max). */
export function stableSoftmax(logits: number[]): number[] {
  const m = Math.max(...logits.map(f32));
  const e = logits.map((o) => f32(Math.exp(f32(f32(o) - m))));
  const sum = e.reduce((a, b) => f32(a + b), 0);
  return e.map((v) => f32(v / sum));
}

/** log softmax as o − m − log Σ exp(o − m) (what cross-entropy uses). */
export function stableLogSoftmax(logits: number[]): number[] {
  const m = Math.max(...logits.map(f32));
  const lse = f32(m + f32(Math.log(logits.reduce((a, o) => f32(a + f32(Math.exp(f32(f32(o) - m)))), 0))));
  return logits.map((o) => f32(f32(o) - lse));
}

/** The logits field: 2 to 10 finite numbers, or an Error saying what it holds. */
export function readLogits(): number[] {
  const raw = ($('num-logits') as HTMLInputElement).value;
  const parts = raw.split(/[\s,;]+/).filter((s) => s !== '');
  if (parts.length < 2 || parts.length > 10) throw new Error(`Logits must be 2 to 10 numbers separated by commas, got ${parts.length}`);
  return parts.map((p) => {
    const v = Number(p);
    if (!Number.isFinite(v)) throw new Error(`Logits must be finite numbers, got ${p}`);
    return v;
  });
}

function render(): void {
  const err = $('num-error');
  err.textContent = '';
  let logits: number[];
  try {
    logits = readLogits();
  } catch (e) {
    err.textContent = (e as Error).message;
    return;
  }
  const rows: [string, string, number[]][] = [
    ['exp(o) in float32', 'naive-exp', logits.map((o) => f32(Math.exp(f32(o))))],
    ['naive: exp(o) / Σ exp(o)', 'naive', naiveSoftmax(logits)],
    ['stable: exp(o − m) / Σ exp(o − m)', 'stable', stableSoftmax(logits)],
    ['log softmax: o − m − log Σ exp(o − m)', 'log', stableLogSoftmax(logits)],
  ];
  const table = $('num-table');
  const head = `<thead><tr><th scope="col"></th>${logits.map((o) => `<th scope="col">o = ${fmt(o)}</th>`).join('')}</tr></thead>`;
  const body = rows.map(([label, key, values]) => `<tr data-row="${key}"><th scope="row">${label}</th>${
    values.map((v) => `<td class="${Number.isFinite(v) ? '' : 'bad'}">${fmt(v)}</td>`).join('')}</tr>`).join('');
  table.innerHTML = head + `<tbody>${body}</tbody>`;
}

$('num-run').addEventListener('click', render);
render();
