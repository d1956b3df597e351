// Lifetime of tensors: `tidy(fn)` frees every tensor made inside `fn` that is not returned or kept.
// Tensors own wasm memory, which JavaScript's GC cannot see; scopes are the explicit model, dispose()
// the manual one, and a FinalizationRegistry on the storage the safety net.

import type { Tensor } from './tensor.js';

const scopes: Set<Tensor>[] = [];

/** Called by every new tensor: it belongs to the innermost open scope, if any. */
export function track(t: Tensor): void {
  const scope = scopes[scopes.length - 1];
  if (scope !== undefined) scope.add(t);
}

/** Takes `t` out of every open scope so that no `tidy` frees it (parameters, gradients, optimiser state). */
export function keep<T extends Tensor>(t: T): T {
  for (const scope of scopes) scope.delete(t);
  return t;
}

function collect(value: unknown, out: Set<Tensor>, isTensor: (v: unknown) => v is Tensor, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, out, isTensor, seen);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value as Record<string, unknown>)) collect(v, out, isTensor, seen);
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
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new Error('tidy: the function returned a Promise; tidy only accepts synchronous functions');
  }
  const returned = new Set<Tensor>();
  if (tensorCheck !== null) collect(result, returned, tensorCheck, new Set());
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (returned.has(t)) {
      if (parent !== undefined) parent.add(t);
    } else {
      t.dispose();
    }
  }
  return result;
}
