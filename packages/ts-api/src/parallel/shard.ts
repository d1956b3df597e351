// The gradient of one shard — the same code in a worker (on its replica) and in the calling thread (on
// the caller's model, shard 0): forward, the shard's summed loss S, backward of gradScale × S, which
// accumulates into the parameters' .grad like trainStep's backward.

import { borrowStorage } from '../backend/memory.js';
import type { Module } from '../nn/module.js';
import { empty } from '../tensor/ops/create.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { accuracy } from '../train/metrics.js';
import { lossScales, type LossSpec } from './describe.js';
import type { ElemType } from './protocol.js';

type Typed = Float32Array | Int32Array;

/**
 * Backward of gradScale × (summed loss of `x`, `y`) through `net`, for a shard of a batch of `rows`
 * rows; returns the shard's share of trainStep's lossSum and its number of correct predictions.
 */
export function shardGradient(
  net: Module, sumLoss: (yHat: Tensor, y: Tensor) => Tensor, spec: LossSpec, updater: 'optimizer' | 'function',
  x: Tensor, y: Tensor, rows: number,
): { lossSum: number; correct: number } {
  return tidy(() => {
    const yHat = net.forward(x);
    const s = sumLoss(yHat, y);
    const perRow = spec.kind === 'MSELoss' ? yHat.numel() / x.shape[0] : 1;
    const scales = lossScales(spec, updater, rows, rows * perRow);
    (scales.gradScale === 1 ? s : s.mul(scales.gradScale)).backward();
    return { lossSum: scales.lossSum(s.item()), correct: accuracy(yHat, y) };
  });
}

/**
 * A shard's rows as a tensor [count, ...row]: a view of the rows at byte address `data` of the shared wasm
 * memory (joined), or a copy of the first count rows of the array `data`.
 */
export function shardTensor(data: Typed | number, count: number, row: readonly number[], type: ElemType): Tensor {
  return typeof data === 'number' ? shardView(data, count, row, type) : shardInput(data, count, row, type);
}

/** A tensor [count, ...row] holding a copy of the first count rows of `data`. */
function shardInput(data: Typed, count: number, row: readonly number[], type: ElemType): Tensor {
  const t = empty([count, ...row], type);
  const n = t.numel();
  const s = t.storage('parallel');
  if (type === 'float32') s.f32().set((data as Float32Array).subarray(0, n));
  else s.i32().set((data as Int32Array).subarray(0, n));
  return t;
}

/**
 * Joined: a tensor [count, ...row] over the rows at byte address `at` of the shared wasm memory (a view,
 * no copy; the caller keeps the batch alive until every thread is done with the step).
 */
function shardView(at: number, count: number, row: readonly number[], type: ElemType): Tensor {
  const length = count * row.reduce((a, b) => a * b, 1);
  return new Tensor(borrowStorage(type, at, length), [count, ...row], type);
}
