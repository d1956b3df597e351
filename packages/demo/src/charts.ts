// The training charts (loss per batch, accuracy per epoch) with a text summary of their latest values
// for screen readers, redrawn at most every 200 ms so that the main thread stays idle while the worker trains.

import uPlot from 'uplot';
import { $, fmt, fmtAcc } from './dom.js';

export const lossData: [number[], number[]] = [[], []];
export const accData: [number[], number[], number[]] = [[], [], []];

export function chartWidth(el: HTMLElement): number {
  return Math.max(200, Math.floor(el.clientWidth));
}

export const axisStyle = { stroke: '#5b6472', grid: { stroke: '#e6e9ef', width: 1 }, ticks: { stroke: '#e6e9ef', width: 1 } };
const num = (_u: uPlot, v: number | null): string => (v == null ? '–' : fmt(v));

const lossEl = $('loss-chart');
const lossChart = new uPlot({
  width: chartWidth(lossEl), height: 240,
  legend: { live: false },
  cursor: { drag: { x: false, y: false } },
  scales: { x: { time: false } },
  axes: [{ ...axisStyle, label: 'epoch' }, { ...axisStyle, label: 'cross-entropy', size: 56, values: (_u, vals) => vals.map((v) => fmt(v, 3)) }],
  series: [
    { label: 'epoch', value: (_u, v) => (v == null ? '–' : v.toFixed(2)) },
    { label: 'batch loss', stroke: '#3b6fd8', width: 1.5, points: { show: false }, value: num },
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
    { label: 'train acc', stroke: '#e07b39', width: 2, points: { show: true, size: 7 }, value: num },
    { label: 'test acc', stroke: '#2e9e6b', width: 2, points: { show: true, size: 7 }, value: num },
  ],
}, accData, accEl);

new ResizeObserver(() => {
  lossChart.setSize({ width: chartWidth(lossEl), height: 240 });
  accChart.setSize({ width: chartWidth(accEl), height: 240 });
}).observe(document.querySelector('.charts')!);

const DRAW_INTERVAL_MS = 200;
let drawTimer: ReturnType<typeof setTimeout> | null = null;
let lastDraw = 0;
let accDrawn = -1;
let pendingText: (() => void) | null = null;

/** Text to update at the next draw (the latest batch's numbers). */
export function setPendingText(f: (() => void) | null): void {
  pendingText = f;
}

function summarise(): void {
  const n = lossData[1].length;
  $('loss-summary').textContent = n === 0 ? 'No training yet.'
    : `${n} batches; latest batch loss ${fmt(lossData[1][n - 1])}, lowest ${fmt(Math.min(...lossData[1].slice(-2000)))}.`;
  const e = accData[0].length;
  $('acc-summary').textContent = e === 0 ? 'No epoch finished yet.'
    : `After epoch ${accData[0][e - 1]}: train accuracy ${fmtAcc(accData[1][e - 1])}, test accuracy ${fmtAcc(accData[2][e - 1])}.`;
}

export function draw(): void {
  if (drawTimer !== null) clearTimeout(drawTimer);
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
  summarise();
  performance.measure('softmax-demo:draw', { start: lastDraw });
}

export function scheduleDraw(): void {
  if (drawTimer !== null) return;
  const wait = Math.max(0, DRAW_INTERVAL_MS - (performance.now() - lastDraw));
  drawTimer = setTimeout(() => requestAnimationFrame(draw), wait);
}

export function resetCharts(): void {
  for (const a of lossData) a.length = 0;
  for (const a of accData) a.length = 0;
  pendingText = null;
  accDrawn = -1;
  summarise();
  scheduleDraw();
}
