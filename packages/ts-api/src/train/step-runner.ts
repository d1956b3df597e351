// How fit() runs the optimisation steps of an epoch. fit() owns the loop around them (callbacks,
// evaluation, history, stop and resume); a StepRunner only trains on the batches. The default runs each
// step in this thread; data-parallel training registers its own runner (registerParallelRunner), so
// train/ never imports it and it is loaded only when `workers` > 1.

import type { Tensor } from '../tensor/tensor.js';
import { fusedRunner } from './fused-step.js';
import { trainStep } from './loop.js';
import type { Loss, Net, Updater } from './types.js';

/** One optimisation step done: the batch's size, summed loss and correct predictions. */
export interface StepOutcome {
  rows: number;
  lossSum: number;
  correct: number;
}

export interface StepRunner {
  /**
   * Trains on the batches of one epoch, one step each, yielding after each update. fit() runs the
   * batch's callbacks before asking for the next outcome, and calls `return()` when it stops early.
   */
  epoch(batches: Iterable<[Tensor, Tensor]>, epoch: number): Iterator<StepOutcome> | AsyncIterator<StepOutcome>;
  /** After the epoch's callbacks: throws when the runner failed in the meantime. */
  epochEnd?(): void;
  /** Frees what the runner holds; called once, however fit ends. */
  close?(): Promise<void>;
}

/** What a runner is made for: one fit() call. */
export interface RunnerRequest {
  net: Net;
  loss: Loss;
  updater: Updater;
  /** The training batches, as fit() iterates them. */
  trainIter: Iterable<[Tensor, Tensor]>;
  workers: number;
  /** Use the fused step (train/fused-step.ts) where it applies (fit's `fused` option; default true). */
  fused?: boolean;
  transport: 'shared' | 'message' | undefined;
  /** Test and benchmark hooks, opaque to train/ (profiling, fault injection; see fitObserved). */
  observer?: object;
}

export type RunnerFactory = (request: RunnerRequest) => StepRunner | Promise<StepRunner>;

let parallel: (() => Promise<RunnerFactory>) | null = null;

/** Makes `workers` > 1 available to fit(): `load` resolves to the data-parallel runner's factory. */
export function registerParallelRunner(load: () => Promise<RunnerFactory>): void {
  parallel = load;
}

/**
 * The runner for `request.workers` (> 1, or `forceParallel`: the data-parallel one); with one worker the
 * fused step when it applies, else a trainStep per batch.
 */
export async function runnerFor(request: RunnerRequest, forceParallel = false): Promise<StepRunner> {
  if (request.workers === 1 && !forceParallel) return (request.fused !== false ? fusedRunner(request) : null) ?? localRunner(request);
  if (parallel === null) throw new Error(`fit: workers: ${request.workers} needs the data-parallel runner, which was not registered (import 'softmax-nn')`);
  return (await parallel())(request);
}

/** Every step in this thread (the notes' train_epoch_ch3). */
function localRunner({ net, loss, updater }: RunnerRequest): StepRunner {
  return {
    *epoch(batches) {
      for (const [X, y] of batches) yield { rows: y.shape[0], ...trainStep(net, X, y, loss, updater) };
    },
  };
}
