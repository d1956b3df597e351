// The worker's lab methods and settings (optimiser, validation, early stopping, L1, augmentation kinds,
// reconfigure, parameters, classify, testProbabilities), typed here so that the page also runs on a
// worker without them: `hasLabApi` tells which one it got, and the page hides or disables what needs them.

import type { EpochProgress, Evaluation, OptimizerKind, Trainer, TrainerConfig } from 'softmax-nn/worker';

export type AugmentKind = 'crop' | 'flip' | 'affine';

export interface LabConfig extends Omit<TrainerConfig, 'augment'> {
  optimizer: OptimizerKind;
  momentum: number;
  trainSubset: number;
  valSize: number;
  patience: number;
  l1: number;
  augment: boolean | AugmentKind[];
}

/** The settings `reconfigure` changes between fit() calls. */
export type Reconfigurable = Pick<LabConfig, 'lr' | 'epochs' | 'weightDecay' | 'momentum' | 'l1' | 'patience'>;
export const RECONFIGURABLE: readonly (keyof Reconfigurable)[] = ['lr', 'epochs', 'weightDecay', 'momentum', 'l1', 'patience'];

export interface Parameter {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface Classification {
  count: number;
  labels: Int32Array;
  probabilities: Float32Array;
}

export type LabEpoch = EpochProgress & {
  valLoss?: number | null;
  valAcc?: number | null;
  lr?: number;
  examplesPerSecond?: number;
};

export type LabEvaluation = Evaluation & {
  perClassAccuracy?: number[];
  mistakes?: Int32Array;
};

export interface LabTrainer {
  configure(config: Partial<LabConfig>): Promise<unknown>;
  reconfigure(changes: Partial<Reconfigurable>): Promise<unknown>;
  parameters(): Promise<Parameter[]>;
  classify(pixels: Uint8Array): Promise<Classification>;
  testProbabilities(): Promise<Float32Array>;
}

/** The trainer's lab methods, or null when its worker predates them. */
export function labApi(t: Trainer | null): LabTrainer | null {
  if (t === null) return null;
  const lab = t as unknown as Partial<LabTrainer>;
  return typeof lab.reconfigure === 'function' && typeof lab.parameters === 'function' ? (t as unknown as LabTrainer) : null;
}
