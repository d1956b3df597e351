// Small DOM helpers shared by the page's sections: element lookup, number formatting, user-facing
// error messages and the screen-reader announcement.

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing`);
  return el as T;
};
export const input = (id: string): HTMLInputElement => $<HTMLInputElement>(id);

/** A number for people: 4 significant digits, exponent form when very large or small, NaN / ±∞ as such. */
export function fmt(v: number, digits = 4): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

/** An accuracy (0…1) as the page shows it: 4 decimals. */
export const fmtAcc = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : fmt(v));

/** A whole count with thousands grouped (examples per second). */
export const fmtCount = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : fmt(v));

/**
 * The part of a worker error meant for the user: the worker prefixes messages with the method that
 * failed (`configure: lr must be…`, `loadStateDict: header length…`), and comlink may add `Error: `.
 */
export function userMessage(e: unknown): string {
  let m = e instanceof Error ? e.message : String(e);
  m = m.replace(/^(?:Error:\s*)+/, '');
  m = m.replace(/^[a-zA-Z][\w.]*:\s+/, '');
  m = m.replace(/^(\w+)(?= must )/, (name) => SETTING_LABELS[name] ?? name);
  return m.length > 0 ? m[0].toUpperCase() + m.slice(1) : m;
}

/** The worker's setting names as the form labels them. */
const SETTING_LABELS: Record<string, string> = {
  lr: 'Learning rate', batchSize: 'Batch size', epochs: 'Epochs', weightDecay: 'Weight decay (L2)', dropout: 'Dropout',
  hidden: 'Hidden units', seed: 'Seed', workers: 'Workers', momentum: 'Momentum', optimizer: 'Optimiser', l1: 'L1 penalty',
  trainSubset: 'Training examples', valSize: 'Validation size', patience: 'Patience', augment: 'Augmentation',
};

const errorBox = (): HTMLElement => $('error');

export function showError(e: unknown): void {
  const el = errorBox();
  el.hidden = false;
  el.textContent = userMessage(e);
}

export function clearError(): void {
  const el = errorBox();
  el.hidden = true;
  el.textContent = '';
}

/** Read out by screen readers (the aria-live="polite" region); set only on milestones, not every batch. */
export function announce(text: string): void {
  $('announce').textContent = text;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
