// curves.svg: train loss, train acc, [val acc] and test acc against epoch, like d2l's Animator (matplotlib's
// colours and line styles: '-', 'm--', 'g-.'), with axes, ticks, grid and a legend. Plain SVG 1.1.

export interface CurvePoint {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
  /** Drawn (red, dotted) when some epoch has it: runs with a validation split. */
  valAcc?: number;
}

export interface ChartOptions {
  /** The x axis runs from 1 to max(numEpochs, the last epoch) — d2l's xlim=[1, num_epochs]. */
  numEpochs?: number;
  title?: string;
  width?: number;
  height?: number;
}

const SERIES = [
  { key: 'trainLoss', label: 'train loss', color: '#1f77b4', dash: '' },
  { key: 'trainAcc', label: 'train acc', color: '#bf00bf', dash: '7 4' },
  { key: 'testAcc', label: 'test acc', color: '#008000', dash: '9 3 2 3' },
] as const;

const VAL_SERIES = { key: 'valAcc', label: 'val acc', color: '#d62728', dash: '2 3' } as const;

type Series = (typeof SERIES)[number] | typeof VAL_SERIES;
const valueOf = (p: CurvePoint, key: Series['key']): number => p[key] ?? NaN;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** A "nice" tick step (1, 2 or 5 × 10^k) giving about `target` intervals over `span`. */
export function niceStep(span: number, target = 8): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

function decimalsOf(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

/** The SVG text of the chart. Non-finite values (a diverged loss) are left out of the lines. */
export function curvesSvg(points: readonly CurvePoint[], options: ChartOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const m = { left: 64, right: 24, top: options.title ? 40 : 20, bottom: 52 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;

  const lastEpoch = points.reduce((a, p) => Math.max(a, p.epoch), 1);
  const xMin = 1;
  const xMax = Math.max(2, options.numEpochs ?? 0, lastEpoch);
  const xStep = Math.max(1, Math.ceil(niceStep(xMax - xMin, 10)));

  const series: readonly Series[] = points.some((p) => p.valAcc !== undefined) ? [...SERIES, VAL_SERIES] : SERIES;
  const values = points.flatMap((p) => series.map((s) => valueOf(p, s.key))).filter(Number.isFinite);
  const vMin = values.length > 0 ? Math.min(0, ...values) : 0;
  const vMax = values.length > 0 ? Math.max(1, ...values) : 1;
  const yStep = niceStep(vMax - vMin);
  const yMin = Math.floor(vMin / yStep + 1e-9) * yStep;
  const yMax = Math.ceil(vMax / yStep - 1e-9) * yStep;
  const yDecimals = decimalsOf(yStep);

  const sx = (x: number) => m.left + ((x - xMin) / (xMax - xMin)) * pw;
  const sy = (y: number) => m.top + (1 - (y - yMin) / (yMax - yMin)) * ph;

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<title>${escapeXml(options.title ?? 'training curves')}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  if (options.title) {
    out.push(`<text x="${fmt(m.left + pw / 2)}" y="24" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`);
  }

  // Grid and ticks.
  out.push('<g class="grid" stroke="#e0e0e0" stroke-width="1">');
  for (let x = xMin; x <= xMax + 1e-9; x += xStep) out.push(`<line x1="${fmt(sx(x))}" y1="${m.top}" x2="${fmt(sx(x))}" y2="${m.top + ph}"/>`);
  const yTicks: number[] = [];
  for (let i = 0; yMin + i * yStep <= yMax + yStep * 1e-6; i++) yTicks.push(yMin + i * yStep);
  for (const y of yTicks) out.push(`<line x1="${m.left}" y1="${fmt(sy(y))}" x2="${m.left + pw}" y2="${fmt(sy(y))}"/>`);
  out.push('</g>');

  out.push('<g class="axes" stroke="#000000" stroke-width="1">');
  out.push(`<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}"/>`);
  for (let x = xMin; x <= xMax + 1e-9; x += xStep) out.push(`<line x1="${fmt(sx(x))}" y1="${m.top + ph}" x2="${fmt(sx(x))}" y2="${m.top + ph + 5}"/>`);
  for (const y of yTicks) out.push(`<line x1="${m.left - 5}" y1="${fmt(sy(y))}" x2="${m.left}" y2="${fmt(sy(y))}"/>`);
  out.push('</g>');

  out.push('<g class="tick-labels" fill="#000000">');
  for (let x = xMin; x <= xMax + 1e-9; x += xStep) out.push(`<text x="${fmt(sx(x))}" y="${m.top + ph + 19}" text-anchor="middle">${x}</text>`);
  for (const y of yTicks) out.push(`<text x="${m.left - 8}" y="${fmt(sy(y) + 4)}" text-anchor="end">${y.toFixed(yDecimals)}</text>`);
  out.push('</g>');
  out.push(`<text x="${fmt(m.left + pw / 2)}" y="${height - 12}" text-anchor="middle">epoch</text>`);

  // The curves.
  for (const s of series) {
    const pts = points.filter((p) => Number.isFinite(valueOf(p, s.key))).map((p) => `${fmt(sx(p.epoch))},${fmt(sy(valueOf(p, s.key)))}`);
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    out.push(`<g class="series" data-series="${s.key}">`);
    out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const p of pts) {
      const [cx, cy] = p.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${s.color}"/>`);
    }
    out.push('</g>');
  }

  // Legend inside the plot, in the corner the curves cross least (matplotlib's loc='best').
  const lw = 118;
  const lh = series.length * 18 + 8;
  const samples: [number, number][] = [];
  for (const s of series) {
    const pts = points.filter((p) => Number.isFinite(valueOf(p, s.key))).map((p) => [sx(p.epoch), sy(valueOf(p, s.key))] as const);
    pts.forEach(([x, y], i) => {
      const next = pts[i + 1];
      if (next === undefined) return void samples.push([x, y]);
      for (let t = 0; t < 1; t += 0.05) samples.push([x + (next[0] - x) * t, y + (next[1] - y) * t]);
    });
  }
  const corners: [number, number][] = [
    [m.left + pw - lw - 8, m.top + 8], [m.left + pw - lw - 8, m.top + ph - lh - 8], [m.left + pw - lw - 8, m.top + (ph - lh) / 2],
    [m.left + 8, m.top + 8], [m.left + 8, m.top + ph - lh - 8],
  ];
  const hits = ([x, y]: [number, number]) => samples.filter(([px, py]) => px >= x - 4 && px <= x + lw + 4 && py >= y - 4 && py <= y + lh + 4).length;
  const [lx, ly] = corners.reduce((best, c) => (hits(c) < hits(best) ? c : best));
  out.push('<g class="legend">');
  out.push(`<rect x="${fmt(lx)}" y="${fmt(ly)}" width="${lw}" height="${lh}" fill="#ffffff" fill-opacity="0.85" stroke="#c0c0c0"/>`);
  series.forEach((s, i) => {
    const y = ly + 14 + i * 18;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    out.push(`<line x1="${fmt(lx + 8)}" y1="${fmt(y)}" x2="${fmt(lx + 40)}" y2="${fmt(y)}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${fmt(lx + 48)}" y="${fmt(y + 4)}">${s.label}</text>`);
  });
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}
