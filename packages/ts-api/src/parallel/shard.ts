// The gradient of one shard — the same code in a worker (on its replica) and in the calling thread (on
// the caller's model, shard 0): forward, the shard's summed loss S, backward of gradScale × S, which
// accumulates into the parameters' .grad like trainStep's backward.

import { borrowStorage, storageFrom } from '../backend/memory.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { accuracy } from '../nn/metrics.js';
import { Module, type ModuleDescription } from '../nn/module.js';
import type { ElemType, ShardResult, Typed } from './protocol.js';

/**
 * Backward of gradScale × (summed loss of `x`, `y`) through `net`, for a shard of a batch of `rows`
 * rows; returns the shard's share of trainStep's lossSum and its number of correct predictions.
 */
export function shardGradient(
  net: Module, sumLoss: (yHat: Tensor, y: Tensor) => Tensor, spec: ModuleDescription, updater: 'optimizer' | 'function',
  x: Tensor, y: Tensor, rows: number,
): ShardResult {
  return tidy(() => {
    const yHat = net.forward(x);
    const s = sumLoss(yHat, y);
    // Class-index losses give one loss per row; the element-wise ones one per output.
    const perRow = spec.kind !== 'CrossEntropyLoss' && spec.kind !== 'NLLLoss' ? yHat.numel() / x.shape[0] : 1;
    const scales = lossScales(spec, updater, rows, rows * perRow);
    (scales.gradScale === 1 ? s : s.mul(scales.gradScale)).backward();
    return { lossSum: scales.lossSum(s.item()), correct: accuracy(yHat, y) };
  });
}

/** A shard's rows as a tensor [count, ...row]: a view of the rows at byte address `data` (joined), or a copy of the array's first rows. */
export function shardTensor(data: Typed | number, count: number, row: readonly number[], type: ElemType): Tensor {
  const n = count * row.reduce((a, b) => a * b, 1);
  return new Tensor(typeof data === 'number' ? borrowStorage(type, data, n) : storageFrom(data.subarray(0, n)), [count, ...row], type);
}

/** The loss with reduction 'sum' (a worker differentiates scale × the shard's summed loss). */
export function buildSumLoss(spec: ModuleDescription): (yHat: Tensor, y: Tensor) => Tensor {
  const m = Module.fromDescription({ ...spec, reduction: 'sum' });
  return (yHat, y) => m.forward(yHat, y);
}

/**
 * What trainStep differentiates (gradScale × S) and reports (lossSum(S)) for the summed loss S, given the
 * batch's size `rows` and its reduction-'none' loss's element count (B for cross-entropy, B × outputs for MSE).
 */
function lossScales(spec: ModuleDescription, updater: 'optimizer' | 'function', rows: number, elements: number): { gradScale: number; lossSum: (s: number) => number } {
  const r = spec.reduction;
  // trainStep: optimizer → (scalar ? l : l.mean()).backward(); function → (scalar ? l·B : l.sum()).backward().
  // lossSum(l, B) → scalar ? l.item()·B : l.sum().
  const meanScale = 1 / elements;
  if (r === 'none') return { gradScale: updater === 'optimizer' ? meanScale : 1, lossSum: (s) => s };
  if (r === 'mean') return { gradScale: updater === 'optimizer' ? meanScale : meanScale * rows, lossSum: (s) => (s / elements) * rows };
  return { gradScale: updater === 'optimizer' ? 1 : rows, lossSum: (s) => s * rows };
}
