// The parity suite's float32 tolerances, read from parity/tolerances.json (the one place they are
// stated; parity/check-regenerate.sh reads the same file). An element passes when
//   |actual − expected| ≤ rtol·|expected| + scale·max|expected over the tensor|
// so small elements of a tensor are judged against the size of the numbers they were computed with,
// not against a fixed absolute floor.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TOLERANCES_FILE = fileURLToPath(new URL('../../../../parity/tolerances.json', import.meta.url));

export interface Tolerance { rtol: number; scale: number; name: string }

/** Bounds of one whole training run against PyTorch's (parity/tolerances.json "wholeRun"). */
export interface WholeRunTolerance {
  /** max |softmax-nn − PyTorch| over every final weight. */
  weights: number;
  /** |Δ loss| ≤ lossRtol·|PyTorch's loss|, per batch. */
  lossRtol: number;
  /** How many of the 10 000 test predictions may differ. */
  predictionsDiffering: number;
  /** |Δ test accuracy| (a fraction of 1). */
  accuracy: number;
}

type Json = Record<string, unknown>;

function read(): Json {
  let text: string;
  try {
    text = readFileSync(TOLERANCES_FILE, 'utf8');
  } catch (e) {
    throw new Error(`parity tolerances: cannot read ${TOLERANCES_FILE} (${(e as Error).message})`);
  }
  return JSON.parse(text) as Json;
}

const JSON_ROOT = read();

function num(obj: unknown, path: string[]): number {
  let v: unknown = obj;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Json)[p] : undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new Error(`parity tolerances: ${TOLERANCES_FILE} must give ${path.join('.')} as a finite number ≥ 0, it has ${JSON.stringify(v)}`);
  }
  return v;
}

function tolerance(name: 'value' | 'gradient'): Tolerance {
  return { rtol: num(JSON_ROOT, [name, 'rtol']), scale: num(JSON_ROOT, [name, 'scale']), name };
}

/** Forward outputs; parameters after optimiser steps from given gradients. */
export const VALUE: Tolerance = tolerance('value');
/** Backward results, and what follows from them (losses and parameters of training runs). */
export const GRAD: Tolerance = tolerance('gradient');

/** The whole-run bounds of one model (throws, naming the key, when the file lacks one). */
export function wholeRunTolerance(model: string): WholeRunTolerance {
  const path = ['wholeRun', model];
  const get = (k: keyof WholeRunTolerance): number => num(JSON_ROOT, [...path, k]);
  const predictionsDiffering = get('predictionsDiffering');
  if (!Number.isInteger(predictionsDiffering)) {
    throw new Error(`parity tolerances: wholeRun.${model}.predictionsDiffering must be an integer count, it is ${predictionsDiffering}`);
  }
  return { weights: get('weights'), lossRtol: get('lossRtol'), predictionsDiffering, accuracy: get('accuracy') };
}

/** The largest finite |v| (the tensor's scale; ±inf and NaN elements are compared exactly instead). */
export function maxAbsFinite(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a > m && a !== Infinity) m = a;
  }
  return m;
}

/** The error allowed for an expected element `e` of a tensor whose largest finite |element| is `maxAbs`. */
export function allowedError(e: number, maxAbs: number, tol: Tolerance): number {
  return tol.rtol * Math.abs(e) + tol.scale * maxAbs;
}
