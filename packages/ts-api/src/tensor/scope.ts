// Lifetime of tensors: `tidy(fn)` frees every tensor made inside `fn` that is not returned or kept.
// Tensors own wasm memory, which JavaScript's GC cannot see; scopes are the explicit model, dispose()
// the manual one, and a FinalizationRegistry on the storage the safety net. Iteration scopes (the
// loops over a DataLoader or `data.scoped`) are scopes too: see iteration.ts.

import type { Tensor } from './tensor.js';

/** Why a scope frees what it holds: named in the error a freed tensor throws when it is used. */
export type FreeReason = 'tidy' | 'next-batch' | 'loop-ended' | 'pass-ended';

export class Scope {
  readonly tensors = new Set<Tensor>();
}

const scopes: Scope[] = [];
const freedBecause = new WeakMap<Tensor, FreeReason>();

/** Called by every new tensor: it belongs to the innermost open scope, if any. */
export function track(t: Tensor): void {
  const scope = scopes[scopes.length - 1];
  if (scope !== undefined) scope.tensors.add(t);
}

/** True while some scope is open (a tidy, or an iteration of a scoped loop). */
export function insideScope(): boolean {
  return scopes.length > 0;
}

/**
 * Takes `t` out of every open scope so that no `tidy` and no loop iteration frees it (parameters,
 * gradients, optimiser state, a tensor an iteration computes for later).
 */
export function keep<T extends Tensor>(t: T): T {
  for (const scope of scopes) scope.tensors.delete(t);
  return t;
}

/** @internal Opens `scope` as the innermost one. */
export function openScope(scope: Scope): void {
  scopes.push(scope);
}

/** @internal Closes `scope` wherever it is on the stack (two zipped loops end out of stack order). */
export function closeScope(scope: Scope): void {
  const at = scopes.lastIndexOf(scope);
  if (at >= 0) scopes.splice(at, 1);
}

/** @internal Closes `scope` and frees what it holds, recording why for the error of a later use. */
export function freeScope(scope: Scope, reason: FreeReason): void {
  closeScope(scope);
  for (const t of scope.tensors) {
    if (t.isDisposed) continue;
    freedBecause.set(t, reason);
    t.dispose();
  }
}

/** @internal Restates why `scope`'s tensors were freed (the loop ended rather than moved on). */
export function restateFreed(scope: Scope, from: FreeReason, to: FreeReason): void {
  for (const t of scope.tensors) if (freedBecause.get(t) === from) freedBecause.set(t, to);
}

/**
 * @internal Takes the scopes above `depth` off the stack while an async caller awaits (so tensors made
 * meanwhile by other code do not land in them); `resumeScopes` puts them back.
 */
export function suspendScopes(depth: number): Scope[] {
  return scopes.splice(depth);
}

/** @internal */
export function resumeScopes(suspended: readonly Scope[]): void {
  scopes.push(...suspended);
}

/** @internal The number of open scopes. */
export function scopeDepth(): number {
  return scopes.length;
}

const advice =
  'To use a tensor after that, keep(t) it inside the iteration (and dispose() it when done), read its value ' +
  'there (t.item(), t.tolist()), or keep(t.clone()) a copy';

/** @internal The error for using a freed tensor, saying why it was freed. */
export function freedMessage(op: string, t: Tensor, shape: string): string {
  const head = `${op}: this tensor (shape ${shape})`;
  switch (freedBecause.get(t)) {
    case 'tidy':
      return `${head} was freed when the tidy() that made it ended (only what the function returns, or keep(t), outlives it); it can no longer be used`;
    case 'next-batch':
      return `${head} was made inside an iteration of a loop over batches (a DataLoader or data.scoped) and was freed when the loop moved on to the next batch. ${advice}.`;
    case 'loop-ended':
      return `${head} was made inside an iteration of a loop over batches (a DataLoader or data.scoped) and was freed when the loop ended (last batch, break, return or an exception). ${advice}.`;
    case 'pass-ended':
      return `${head} was made by the iterable of a data.scoped loop while it produced a batch, and was freed when the pass ended; keep(t) it in the iterable if it must outlive the pass`;
    default:
      return `${head} was disposed; it can no longer be used`;
  }
}

/** Tensors inside an array or a plain object (a tidy's result, a batch), found without recursion limits. */
export function collectTensors(value: unknown, out: Set<Tensor>, seen: Set<unknown> = new Set()): void {
  if (value === null || typeof value !== 'object' || seen.has(value) || tensorCheck === null) return;
  seen.add(value);
  if (tensorCheck(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, out, seen);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value as Record<string, unknown>)) collectTensors(v, out, seen);
  }
}

let tensorCheck: ((v: unknown) => v is Tensor) | null = null;

/** tensor.ts registers its instanceof check here (avoids an import cycle at load time). */
export function setTensorCheck(check: (v: unknown) => v is Tensor): void {
  tensorCheck = check;
}

/**
 * Runs `fn` and frees every tensor created inside it except those it returns (a tensor, or arrays and
 * plain objects holding tensors), which move to the enclosing scope. Like TensorFlow.js's `tf.tidy`.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Scope();
  openScope(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    freeScope(scope, 'tidy');
    throw e;
  }
  closeScope(scope);
  if (result instanceof Promise) {
    throw new Error('tidy: the function returned a Promise; tidy only accepts synchronous functions');
  }
  const returned = new Set<Tensor>();
  collectTensors(result, returned);
  const parent = scopes[scopes.length - 1];
  for (const t of returned) {
    if (scope.tensors.delete(t) && parent !== undefined) parent.tensors.add(t);
  }
  freeScope(scope, 'tidy');
  return result;
}
