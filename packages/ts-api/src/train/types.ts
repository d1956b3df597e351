// The shapes shared by the training loop and its callbacks.

import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/lr-scheduler/base.js';
import type { ReduceLROnPlateau } from '../optim/lr-scheduler/plateau.js';
import type { Tensor } from '../tensor/tensor.js';

/** A network: a Module, or any function from a batch to logits. */
export type Net = Module | ((x: Tensor) => Tensor);

/** A loss: a Module such as CrossEntropyLoss (reduction 'none' as in the notes, or 'mean'), or a function. */
export type Loss = Module | ((yHat: Tensor, y: Tensor) => Tensor);

/**
 * What updates the parameters: an Optimizer (zeroGrad, backward of the mean loss, step — as the notes'
 * `train_epoch_ch3` does for torch optimisers), or a function of the batch size called after backward
 * of the summed loss (the notes' from-scratch `updater`).
 */
export type Updater = Optimizer<object> | ((batchSize: number) => void);

/**
 * A learning-rate scheduler fit() steps: once per epoch, or once per batch for OneCycleLR;
 * ReduceLROnPlateau is given valLoss when fit has a valIter, else trainLoss.
 */
export type Scheduler = LRScheduler | ReduceLROnPlateau;

export interface BatchLogs {
  /** 1-based epoch. */
  epoch: number;
  /** 0-based batch index within the epoch. */
  batch: number;
  /** Batches per epoch (when the loader knows it). */
  batches: number | undefined;
  /** Mean loss over this batch. */
  loss: number;
  /** Accuracy over this batch. */
  acc: number;
  /** Examples in this batch. */
  size: number;
}

export interface EpochLogs {
  /** 1-based epoch. */
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
  /** Mean loss and accuracy on fit's valIter after the epoch (present only when fit has a valIter). */
  valLoss?: number;
  valAcc?: number;
  /**
   * The learning rate of the optimiser's first parameter group when the epoch began (present when the
   * updater is an Optimizer; with a per-batch OneCycleLR, the lr of the epoch's first batch).
   */
  lr?: number;
  /** Wall time of the epoch (training and evaluation). */
  seconds: number;
}

export interface TrainContext {
  readonly net: Net;
  readonly updater: Updater;
  readonly numEpochs: number;
  /** Epochs finished so far, in order (including those of a resumed run). */
  readonly history: EpochLogs[];
  /** The training loader, when it is a DataLoader (checkpoints save its generator state). */
  readonly trainIter: Iterable<[Tensor, Tensor]>;
  /** fit's validation data (undefined when it has none). */
  readonly valIter?: Iterable<[Tensor, Tensor]>;
  /** fit's learning-rate scheduler (checkpoints save its state). */
  readonly scheduler?: Scheduler;
  /** fit's callbacks, in order (checkpoints save the state of EarlyStopping among them). */
  readonly callbacks?: readonly Callback[];
  /** Asks fit to stop after the current batch. */
  stop(reason?: string): void;
  readonly stopRequested: boolean;
}

/** Hooks into fit(); every method is optional. Epoch hooks may be async (checkpoints write files). */
export interface Callback {
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainContext): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs, ctx: TrainContext): void;
  onEpochEnd?(logs: EpochLogs, ctx: TrainContext): void | Promise<void>;
  onTrainEnd?(ctx: TrainContext): void | Promise<void>;
}
