// Iteration scopes: a loop over a DataLoader (or over data.scoped(iterable)) frees what each iteration
// made when the loop asks for the next batch or leaves, so PyTorch's training loop ported line by line,
// with no tidy and no dispose, runs in constant memory. Parameters, gradients and optimiser state are
// kept by the code that makes them (keep), so they outlive the iteration that made them lazily.

import { closeScope, collectTensors, freeScope, openScope, restateFreed, Scope, type FreeReason } from './scope.js';
import type { Tensor } from './tensor.js';

/** Marks iterables whose iterators already scope their iterations (data.scoped leaves them as they are). */
export const SCOPED_ITERATION: unique symbol = Symbol('softmax-nn.scopedIteration');

/**
 * The scopes of one pass. `pass` holds what the source makes while producing batches (freed when the pass
 * ends); each batch's own tensors move from it to the iteration's scope, which also gets every tensor
 * the loop body makes, and is freed when the loop asks for the next batch.
 */
class PassScopes {
  readonly #pass = new Scope();
  #iteration: Scope | null = null;
  #ended = false;

  #endIteration(reason: FreeReason): Scope | null {
    const iteration = this.#iteration;
    this.#iteration = null;
    if (iteration !== null) freeScope(iteration, reason);
    return iteration;
  }

  #endPass(): void {
    this.#ended = true;
    freeScope(this.#pass, 'pass-ended');
  }

  next<T>(produce: () => IteratorResult<T>): IteratorResult<T> {
    const previous = this.#endIteration('next-batch');
    if (this.#ended) return { done: true, value: undefined };
    let r: IteratorResult<T>;
    openScope(this.#pass);
    try {
      r = produce();
    } catch (e) {
      this.#endPass();
      throw e;
    } finally {
      closeScope(this.#pass);
    }
    if (r.done === true) {
      if (previous !== null) restateFreed(previous, 'next-batch', 'loop-ended');
      this.#endPass();
      return r;
    }
    const iteration = new Scope();
    const yielded = new Set<Tensor>();
    collectTensors(r.value, yielded);
    // Only tensors made for this batch: a source may yield tensors it made before, or keeps.
    for (const t of yielded) if (this.#pass.tensors.delete(t)) iteration.tensors.add(t);
    this.#iteration = iteration;
    openScope(iteration);
    return r;
  }

  end<R>(finish: () => R): R {
    this.#endIteration('loop-ended');
    if (this.#ended) return finish();
    openScope(this.#pass);
    try {
      return finish();
    } finally {
      closeScope(this.#pass);
      this.#endPass();
    }
  }
}

/** @internal `it`, with every iteration scoped (see PassScopes). */
export function scopedIterator<T>(it: Iterator<T>): IterableIterator<T> {
  const pass = new PassScopes();
  const scopedIt: IterableIterator<T> = {
    next: () => pass.next(() => it.next()),
    return: (value?: unknown) => pass.end(() => (it.return !== undefined ? it.return(value) : { done: true, value: value as T })),
    [Symbol.iterator]: () => scopedIt,
  };
  return scopedIt;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'an object') : `a ${typeof value}`;
}

/**
 * `iterable` with the DataLoader's iteration scopes: whatever an iteration of
 * `for (const batch of data.scoped(iterable))` makes — including the tensors the iterable makes for the
 * batch — is freed when the loop asks for the next item, or leaves (break, return, an exception);
 * what the iterable makes between batches is freed when the pass ends. keep(t) saves a tensor.
 * Tensors the iterable made before the loop (a dataset it slices) are never freed by it. For a
 * generator like d2l's `data_iter`; a DataLoader is already scoped and is returned as it is.
 */
export function scoped<T>(iterable: Iterable<T>): Iterable<T> {
  const source = iterable as Partial<Iterable<T> & AsyncIterable<T>> | null;
  if (source === null || source === undefined || typeof source[Symbol.iterator] !== 'function') {
    if (source !== null && source !== undefined && typeof source[Symbol.asyncIterator] === 'function') {
      throw new Error('data.scoped: async iterables are not supported; iterate a synchronous iterable (a generator function*, an array, a DataLoader)');
    }
    throw new Error(`data.scoped: expected an iterable (a generator, an array, a DataLoader), got ${describe(iterable)}`);
  }
  if ((iterable as { [SCOPED_ITERATION]?: boolean })[SCOPED_ITERATION] === true) return iterable;
  const out = {
    [SCOPED_ITERATION]: true,
    [Symbol.iterator]: (): Iterator<T> => scopedIterator(iterable[Symbol.iterator]()),
  };
  // An iterable that knows its length (an array, a loader) keeps saying it: fit() checks it.
  const length = (iterable as { length?: unknown }).length;
  if (typeof length === 'number') Object.defineProperty(out, 'length', { get: () => (iterable as unknown as { length: number }).length });
  return out;
}
