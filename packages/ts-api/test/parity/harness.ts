// The TypeScript side of the PyTorch parity suite: reads the cases parity/generate.py wrote
// (safetensors, via the package's own `io`), runs them through the public API only, and compares.
//
// Tolerances come from parity/tolerances.json (./tolerances.ts): an element passes when
// |actual − expected| ≤ rtol·|expected| + scale·max|expected| (the max over the compared tensor);
// ±inf must match exactly, NaN must meet NaN, integer tensors must be equal.

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as sm from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { allowedError, maxAbsFinite, type Tolerance } from './tolerances.js';

export const CASES_DIR = fileURLToPath(new URL('../../../../parity/cases/', import.meta.url));

export { VALUE, GRAD, type Tolerance } from './tolerances.js';

export interface Case {
  stem: string;
  kind: 'fn' | 'module' | 'optim' | 'train' | 'stats' | 'scalar' | 'dropout-train' | 'transform' | 'dataset' | 'error' | 'print' | 'module-info' | 'module-steps'
    | 'scheduler' | 'clip';
  op: string;
  args: unknown[];
  spec: Record<string, unknown>;
  torch: string;
  tensors: Record<string, Tensor>;
}

export function caseFiles(): string[] {
  return readdirSync(CASES_DIR).filter((f) => f.endsWith('.safetensors')).sort();
}

export async function loadCase(file: string): Promise<Case> {
  const { tensors, metadata } = await sm.io.loadFile(CASES_DIR + file);
  for (const key of ['case', 'kind', 'op', 'args', 'spec', 'torch']) {
    if (typeof metadata[key] !== 'string') throw new Error(`${file}: __metadata__ has no "${key}"`);
  }
  return {
    stem: metadata.case,
    kind: metadata.kind as Case['kind'],
    op: metadata.op,
    args: JSON.parse(metadata.args) as unknown[],
    spec: JSON.parse(metadata.spec) as Record<string, unknown>,
    torch: metadata.torch,
    tensors,
  };
}

/**
 * The public export at a dotted path from the package root (`nn.functional.crossEntropy`). `Tensor.<m>`
 * is the method m, as a function taking the tensor first (`Tensor.copy_` → (t, src) => t.copy_(src)).
 */
export function resolve(path: string): unknown {
  if (path.startsWith('Tensor.')) {
    const name = path.slice('Tensor.'.length);
    const m = (sm.Tensor.prototype as unknown as Record<string, unknown>)[name];
    if (typeof m !== 'function') throw new Error(`${path}: softmax-nn's Tensor has no method named ${name}`);
    return (self: Tensor, ...rest: unknown[]) => (m as (...a: unknown[]) => unknown).apply(self, rest);
  }
  let v: unknown = sm;
  for (const part of path.split('.')) {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function') || !(part in (v as object))) {
      throw new Error(`${path}: softmax-nn has no public export named ${path}`);
    }
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** The public Tensor methods and getters, as `Tensor.<name>` (what coverage.test.ts walks). */
export function tensorMembers(): string[] {
  return Object.getOwnPropertyNames(sm.Tensor.prototype).filter((k) => k !== 'constructor').map((k) => `Tensor.${k}`);
}

/** Tensor methods that are another op's method form: `x.view(…)` is `reshape(x, …)`. */
const METHOD_ALIASES: Record<string, string[]> = { reshape: ['view'] };

/**
 * The Tensor methods an `fn` case also runs in method form, `input.op(...rest)` for the function
 * `op(input, ...rest)`: the root exports that have a Tensor method of the same name (or an alias),
 * when the case's first argument is a tensor. Empty for other cases.
 */
export function methodForms(c: Pick<Case, 'kind' | 'op' | 'args'>): string[] {
  if (c.kind !== 'fn' || c.op.includes('.') || typeof c.args[0] !== 'string' || !c.args[0].startsWith('$')) return [];
  // x.where(cond, y) is where(cond, x, y): another argument order, covered by its own Tensor.where cases.
  if (c.op === 'where') return [];
  const proto = sm.Tensor.prototype as unknown as Record<string, unknown>;
  return [c.op, ...(METHOD_ALIASES[c.op] ?? [])].filter((m) => typeof proto[m] === 'function');
}

function indexOf(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

/**
 * The case's spec.scaleRef for one expected tensor: the size of the terms a result is the small
 * difference of (generate.py states why, case by case), or 0 when max|expected| is the scale.
 */
export function scaleRefOf(c: Case, name: string): number {
  const refs = c.spec.scaleRef as Record<string, unknown> | undefined;
  const v = refs?.[name];
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0)) fail(c, `spec.scaleRef.${name} must be a number ≥ 0, it is ${JSON.stringify(v)}`);
  return v;
}

/**
 * Compares a softmax-nn tensor with PyTorch's; throws with the case, the worst element, both values and
 * the difference. The scale term uses max(max|expected|, scaleRef). Returns the worst |diff| / allowed
 * ratio (≤ 1 passes), for the summary.
 */
export function compare(c: Case, what: string, actual: Tensor | null | undefined, expected: Tensor, tol: Tolerance, scaleRef = 0): number {
  const where = `${c.stem} — ${what}\n  torch: ${c.torch}\n  args:  ${JSON.stringify(c.args)}`;
  if (actual === null || actual === undefined) throw new Error(`${where}\n  softmax-nn gave no tensor (null), PyTorch gave shape [${expected.shape.join(', ')}]`);
  if (actual.shape.join(',') !== expected.shape.join(',')) {
    throw new Error(`${where}\n  shape: softmax-nn [${actual.shape.join(', ')}], PyTorch [${expected.shape.join(', ')}]`);
  }
  if (actual.dtype !== expected.dtype) throw new Error(`${where}\n  dtype: softmax-nn ${actual.dtype}, PyTorch ${expected.dtype}`);
  const a = actual.toArray();
  const e = expected.toArray();
  const integer = expected.dtype !== 'float32';
  const maxAbs = Math.max(maxAbsFinite(e), scaleRef);
  let worst = -1;
  let worstRatio = 0;
  let failures = 0;
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    let ratio: number;
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) ratio = 0;
    else if (integer || !Number.isFinite(y) || !Number.isFinite(x)) ratio = Infinity;
    else ratio = Math.abs(x - y) / allowedError(y, maxAbs, tol);
    if (ratio > 1) failures++;
    if (worst < 0 || ratio > worstRatio || (Number.isNaN(ratio) && !Number.isNaN(worstRatio))) {
      worst = i;
      worstRatio = ratio;
    }
  }
  if (failures > 0) {
    const x = a[worst];
    const y = e[worst];
    throw new Error(
      `${where}\n  ${failures} of ${e.length} elements outside the ${tol.name} tolerance (rtol ${tol.rtol}, scale ${tol.scale} of ${maxAbs}, max(max|PyTorch|, spec.scaleRef ${scaleRef})); worst at ${indexOf(worst, expected.shape)}:\n` +
      `    softmax-nn ${x}\n    PyTorch    ${y}\n    difference ${x - y} (allowed ${integer ? 0 : allowedError(y, maxAbs, tol)})`,
    );
  }
  return worstRatio;
}

export function fail(c: Case, message: string): never {
  throw new Error(`${c.stem}\n  torch: ${c.torch}\n  args:  ${JSON.stringify(c.args)}\n  ${message}`);
}

/**
 * The statistical test generate.py also applies to PyTorch's own sample (dist_check): mean within 6
 * standard errors, standard deviation within 6 standard errors of its estimator, and for uniform
 * distributions every value inside [lo, hi] and both ends approached within 20/n of the range.
 */
export function distCheck(sample: Float32Array, dist: string, mean: number, std: number, lo?: number, hi?: number): string[] {
  const n = sample.length;
  let s1 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    s1 += sample[i];
    if (sample[i] < min) min = sample[i];
    if (sample[i] > max) max = sample[i];
  }
  const m = s1 / n;
  let s2 = 0;
  for (let i = 0; i < n; i++) s2 += (sample[i] - m) ** 2;
  const s = Math.sqrt(s2 / n);
  const kurt = dist === 'normal' ? 3 : 1.8;
  const errs: string[] = [];
  if (!(Math.abs(m - mean) <= (6 * std) / Math.sqrt(n))) errs.push(`mean ${m}, expected ${mean} ± ${(6 * std) / Math.sqrt(n)}`);
  const sTol = 6 * std * Math.sqrt((kurt - 1) / (4 * n));
  if (!(Math.abs(s - std) <= sTol)) errs.push(`std ${s}, expected ${std} ± ${sTol}`);
  if (dist === 'uniform' && lo !== undefined && hi !== undefined) {
    if (min < lo || max > hi) errs.push(`values outside [${lo}, ${hi}]: min ${min}, max ${max}`);
    if (min > lo + ((hi - lo) * 20) / n || max < hi - ((hi - lo) * 20) / n) errs.push(`range [${min}, ${max}] does not reach the bounds [${lo}, ${hi}]`);
  }
  return errs;
}
