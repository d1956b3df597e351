// TerminateOnNaN: stop fit when training diverges (Keras' callback of that name), before an epoch whose
// loss or weights are not finite reaches the epoch-end callbacks (checkpoints, metrics files).

import { checkOptions } from '../options.js';
import { Module } from '../nn/module.js';
import type { BatchLogs, Callback, EpochLogs, TrainContext } from './types.js';

/** What TerminateOnNaN saw: the first non-finite loss (or weights) and where. */
export interface Divergence {
  epoch: number;
  /** 0-based batch of the epoch (within this fit call); null when found at the epoch's end. */
  batch: number | null;
  /** The non-finite batch or epoch loss; null when the loss was finite but the weights are not. */
  loss: number | null;
  /** A one-line explanation, e.g. for an error message. */
  message: string;
}

/** TerminateOnNaN has no settings yet; the object is checked so that a misspelt one is not ignored. */
export type TerminateOnNaNOptions = Record<string, never>;

/** The `ctx.stop` reason, and `History.stopReason`, when TerminateOnNaN ends a fit. */
export const NON_FINITE_STOP = 'non-finite-loss';

function weightsFinite(net: Module): boolean {
  for (const p of net.parameters()) {
    for (const v of p.toArray()) if (!Number.isFinite(v)) return false;
  }
  return true;
}

/**
 * Stops fit after the first batch whose loss is NaN or infinite, so the diverged epoch never ends: no
 * epoch-end callback (Checkpoint, EarlyStopping) sees it. The weights of an nn.Module are checked too,
 * after an epoch's last batch (its update can overflow while its loss was finite). `history.stopReason`
 * is then 'non-finite-loss' and `diverged` says where. When fit cannot tell an epoch's last batch (an
 * iterable without `length`) and only the epoch's end shows the weights diverged, onEpochEnd throws, so
 * that fit rejects before the callbacks after this one run: put it before Checkpoint.
 */
export class TerminateOnNaN implements Callback {
  /** Where training diverged in the last fit (null: it did not). */
  diverged: Divergence | null = null;
  #weightsChecked = false;

  constructor(options: TerminateOnNaNOptions = {}) {
    checkOptions('TerminateOnNaN', options, []);
  }

  onTrainBegin(): void {
    this.diverged = null;
  }

  onEpochBegin(): void {
    this.#weightsChecked = false;
  }

  onBatchEnd(logs: BatchLogs, ctx: TrainContext): void {
    if (this.diverged !== null) return;
    if (!Number.isFinite(logs.loss)) {
      this.#stop(ctx, logs.epoch, logs.batch, logs.loss, `the loss of batch ${logs.batch + 1} is ${logs.loss}`);
    } else if (logs.batches !== undefined && logs.batch === logs.batches - 1 && ctx.net instanceof Module) {
      this.#weightsChecked = true;
      if (!weightsFinite(ctx.net)) this.#stop(ctx, logs.epoch, logs.batch, null, `the weights are not finite after batch ${logs.batch + 1}`);
    }
  }

  onEpochEnd(logs: EpochLogs, ctx: TrainContext): void {
    let what: string | null = null;
    if (!Number.isFinite(logs.trainLoss)) what = `the epoch's training loss is ${logs.trainLoss}`;
    else if (!this.#weightsChecked && ctx.net instanceof Module && !weightsFinite(ctx.net)) what = 'the weights are not finite at its end';
    if (what === null) return;
    this.#stop(ctx, logs.epoch, null, Number.isFinite(logs.trainLoss) ? null : logs.trainLoss, what);
    throw new Error(`TerminateOnNaN: ${this.diverged!.message}`);
  }

  #stop(ctx: TrainContext, epoch: number, batch: number | null, loss: number | null, what: string): void {
    this.diverged = { epoch, batch, loss, message: `training diverged in epoch ${epoch}: ${what}` };
    ctx.stop(NON_FINITE_STOP);
  }
}
