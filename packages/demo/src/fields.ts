// Number fields checked on the page, each against its own range, with the field's label in the message
// ("Epochs must be an integer from 1 to 200, got 0"). The ranges are also set as the inputs' min / max.

import { $ } from './dom.js';

export interface FieldSpec {
  id: string;
  label: string;
  integer: boolean;
  min: number;
  max: number;
  /** The minimum itself is not allowed (a learning rate of 0). */
  minExclusive?: boolean;
}

function describeRange(f: FieldSpec): string {
  if (f.integer) return `an integer from ${f.min} to ${f.max}`;
  if (f.minExclusive) return `a number greater than ${f.min} and at most ${f.max}`;
  return `a number from ${f.min} to ${f.max}`;
}

/** The field's value, or an Error naming the field, its range and what it holds. */
export function readField(f: FieldSpec): number {
  const el = $<HTMLInputElement | HTMLSelectElement>(f.id);
  const raw = el.value.trim();
  const v = Number(raw);
  const ok = raw !== '' && Number.isFinite(v) && (!f.integer || Number.isInteger(v)) &&
    (f.minExclusive ? v > f.min : v >= f.min) && v <= f.max;
  if (!ok) throw new Error(`${f.label} must be ${describeRange(f)}, got ${raw === '' ? 'an empty field' : raw}`);
  return v;
}

/** Sets min / max (and step for integers) on the inputs, so that the browser's spinner agrees. */
export function applyRanges(fields: readonly FieldSpec[]): void {
  for (const f of fields) {
    const el = $(f.id);
    if (!(el instanceof HTMLInputElement)) continue;
    el.min = String(f.min);
    el.max = String(f.max);
    if (f.integer) el.step = '1';
  }
}

/** A comma-separated list of numbers, each checked like a field (the grid's batch sizes and learning rates). */
export function readList(id: string, item: Omit<FieldSpec, 'id'>, maxItems: number): number[] {
  const raw = $<HTMLInputElement>(id).value;
  const parts = raw.split(/[\s,;]+/).filter((s) => s !== '');
  if (parts.length === 0 || parts.length > maxItems) {
    throw new Error(`${item.label} must be 1 to ${maxItems} numbers separated by commas, got ${parts.length === 0 ? 'an empty field' : `${parts.length} numbers`}`);
  }
  return parts.map((p) => {
    const v = Number(p);
    const ok = Number.isFinite(v) && (!item.integer || Number.isInteger(v)) && (item.minExclusive ? v > item.min : v >= item.min) && v <= item.max;
    if (!ok) throw new Error(`${item.label} must each be ${describeRange({ ...item, id })}, got ${p}`);
    return v;
  });
}
