// A uPlot chart of per-epoch curves from several runs drawn over each other (the grid's cells, the
// over-fitting runs). Series are added as runs start; the data attribute `series` counts them (for tests).

import uPlot from 'uplot';
import { axisStyle, chartWidth } from '../charts.js';
import { fmt } from '../dom.js';

export const PALETTE = ['#3b6fd8', '#e07b39', '#2e9e6b', '#b0417e', '#7a5cc7', '#c9a227', '#1f9bb0', '#d64541', '#5b6472', '#8c6d31'];

interface Series {
  label: string;
  stroke: string;
  dash?: number[];
  values: (number | null)[];
}

export class OverlayChart {
  #el: HTMLElement;
  #series: Series[] = [];
  #chart: uPlot | null = null;
  #yLabel: string;

  constructor(el: HTMLElement, yLabel: string) {
    this.#el = el;
    this.#yLabel = yLabel;
    new ResizeObserver(() => this.#chart?.setSize({ width: chartWidth(el), height: 260 })).observe(el);
    this.#rebuild();
  }

  /** Adds a series; returns its index for `set`. */
  add(label: string, stroke: string, dash?: number[]): number {
    this.#series.push({ label, stroke, dash, values: [] });
    this.#rebuild();
    return this.#series.length - 1;
  }

  /** The value of series `i` at `epoch` (1-based). */
  set(i: number, epoch: number, value: number | null): void {
    const v = this.#series[i].values;
    while (v.length < epoch) v.push(null);
    v[epoch - 1] = value;
    this.#chart?.setData(this.#data());
  }

  clear(): void {
    this.#series = [];
    this.#rebuild();
  }

  get count(): number {
    return this.#series.length;
  }

  #data(): uPlot.AlignedData {
    const n = Math.max(1, ...this.#series.map((s) => s.values.length));
    const x = Array.from({ length: n }, (_, i) => i + 1);
    return [x, ...this.#series.map((s) => x.map((_, i) => s.values[i] ?? null))];
  }

  #rebuild(): void {
    this.#chart?.destroy();
    this.#el.dataset.series = String(this.#series.length);
    this.#chart = new uPlot({
      width: chartWidth(this.#el), height: 260,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: { range: (_u, min, max) => [Math.max(0, Math.floor(min * 20) / 20), Math.min(1, Math.ceil(max * 20) / 20)] } },
      axes: [{ ...axisStyle, label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100] }, { ...axisStyle, label: this.#yLabel, size: 56 }],
      series: [
        { label: 'epoch' },
        ...this.#series.map((s) => ({
          label: s.label, stroke: s.stroke, width: 2, dash: s.dash, points: { show: true, size: 5 },
          spanGaps: false, value: (_u: uPlot, v: number | null) => (v == null ? '–' : fmt(v)),
        })),
      ],
    }, this.#data(), this.#el);
  }
}
