// What crosses the boundary between the page (or Node's main thread) and the training worker.
// Only structured-cloneable data: numbers, strings, plain objects, typed arrays.

import type { Augmentation, ModelKind, OptimizerKind } from '../models.js';

export type { Augmentation, ModelKind, OptimizerKind } from '../models.js';

/** Hyper-parameters of a run. Every field is optional in `configure`; the defaults are the notes'. */
export interface TrainerConfig {
  /**
   * 'softmax' (Flatten → Linear(784, 10), the notes' regression), 'mlp' (Linear → ReLU → Linear), 'lenet'
   * (d2l 6.6 with ReLU and max pooling) or 'lenet-bn' (d2l 8.5). Default 'softmax'.
   */
  model: ModelKind;
  /** The MLP's hidden width. Default 256. */
  hidden: number;
  /** The optimiser's learning rate. Default: the optimiser's (sgd 0.1, adam 0.001, rmsprop 0.01). Changeable by reconfigure(). */
  lr: number;
  /** Default 256. */
  batchSize: number;
  /** Epochs a fit() runs up to (a resumed fit continues to the same total), 1…10000. Default 10. Changeable by reconfigure(). */
  epochs: number;
  /** L2 penalty, the optimiser's weight_decay. Default 0. Changeable by reconfigure(). */
  weightDecay: number;
  /** Dropout probability before the last Linear layer; 0 = no Dropout layer. Default 0. */
  dropout: number;
  /**
   * Data augmentation of the training batches: true = random crop (padding 2) then horizontal flip; or
   * a list of 'crop', 'flip', 'affine' (rotation, scale, shear), applied in that order. Default false.
   */
  augment: boolean | Augmentation[];
  /** Seeds the initial weights, the shuffling and dropout (manualSeed). Default 0. */
  seed: number;
  /**
   * Data-parallel training: every batch is split into `workers` shards, computed by this thread and
   * `workers − 1` nested gradient workers (fit's `workers` option). An integer 1…16. Default 1.
   * The weights depend on this number (the same for a given number in every runtime).
   */
  workers: number;
  /** 'sgd', 'adam' or 'rmsprop'. Default 'sgd' ('adam' for model 'lenet'; see defaultOptimizer). */
  optimizer: OptimizerKind;
  /** SGD's or RMSprop's momentum, in [0, 1) (Adam has none: 0 only). Default 0. Changeable by reconfigure(). */
  momentum: number;
  /**
   * Train on a random subset of this many training examples (0 = all), drawn with the seed on a generator
   * of its own (the other random draws are those of a run without it). For over-fitting experiments. Default 0.
   */
  trainSubset: number;
  /**
   * Hold out this many random examples of the (subset of the) training data for validation: epoch
   * records then carry valLoss / valAcc. Default 0.
   */
  valSize: number;
  /**
   * Early stopping: end the run after this many epochs without a lower validation loss, and put back
   * the weights of the best epoch (0 = off; needs valSize). Default 0. Changeable by reconfigure().
   */
  patience: number;
  /**
   * L1 penalty λ: λ·Σ|w| over the Linear layers' weights (not the biases) is added to the objective, so
   * each step's gradient of a weight gains λ·sign(w). The reported losses are the cross-entropy alone.
   * Default 0. Changeable by reconfigure().
   */
  l1: number;
}

/**
 * Fashion-MNIST-shaped data: 28×28 uint8 images (row-major, `count * 784` bytes) and labels 0…9.
 * `setData` transfers the buffers to the worker (they are detached on the sending side).
 */
export interface TrainerData {
  trainImages: Uint8Array;
  trainLabels: Uint8Array | Int32Array;
  testImages: Uint8Array;
  testLabels: Uint8Array | Int32Array;
}

/** The four Fashion-MNIST files (gzip or raw IDX) as bytes or Blob / File objects (e.g. picked by the user). */
export interface FashionMnistFileBlobs {
  trainImages: Uint8Array | ArrayBuffer | Blob;
  trainLabels: Uint8Array | ArrayBuffer | Blob;
  testImages: Uint8Array | ArrayBuffer | Blob;
  testLabels: Uint8Array | ArrayBuffer | Blob;
}

/** Where `loadFashionMnist` gets the files: a base URL (the four standard names are appended) or the files. */
export type FashionMnistSource = string | FashionMnistFileBlobs;

export interface DataInfo {
  trainCount: number;
  testCount: number;
}

/** After every training batch. */
export interface BatchProgress {
  type: 'batch';
  /** 1-based epoch. */
  epoch: number;
  epochs: number;
  /** 0-based batch within the epoch (continues after a stop / resume). */
  batch: number;
  batches: number;
  /** Batches trained since configure() (an x axis for charts). */
  step: number;
  /** Mean loss and accuracy over this batch. */
  loss: number;
  acc: number;
  size: number;
}

/** After every epoch: the epoch's mean training loss / accuracy and the test accuracy. */
export interface EpochProgress {
  type: 'epoch';
  epoch: number;
  epochs: number;
  step: number;
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
  /** Mean loss and accuracy on the validation examples (null without valSize). */
  valLoss: number | null;
  valAcc: number | null;
  /** The learning rate the epoch began with. */
  lr: number;
  /** Training examples per second of training (evaluation excluded). */
  examplesPerSecond: number;
  seconds: number;
}

export type TrainerProgress = BatchProgress | EpochProgress;

/** One finished epoch. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
  /** Mean loss and accuracy on the validation examples (null without valSize). */
  valLoss: number | null;
  valAcc: number | null;
  /** The learning rate the epoch began with. */
  lr: number;
  /** Training examples per second of training (evaluation excluded). */
  examplesPerSecond: number;
  seconds: number;
}

export interface FitResult {
  /** Every finished epoch since configure(). */
  history: EpochRecord[];
  /**
   * 'completed' (all epochs ran), 'stopped' (stop() was called) or 'early-stopping' (patience ran out:
   * the weights are then the best epoch's, and fit() again returns at once until configure()).
   */
  stopReason: 'completed' | 'stopped' | 'early-stopping' | string;
  /** Finished epochs; a stopped fit() resumes (fit() again) exactly where it stopped, mid-epoch included. */
  epochsDone: number;
  epochs: number;
  /** With patience: the epoch of the lowest validation loss so far (the weights' epoch after early stopping); else null. */
  bestEpoch: number | null;
}

export interface Evaluation {
  /** Fraction of correct predictions. */
  accuracy: number;
  /** Mean cross-entropy. */
  loss: number;
  count: number;
  /** confusion[true][predicted] = count (10 × 10). */
  confusion: number[][];
  /** Per true class, the fraction predicted right (10 entries; NaN for a class with no test example). */
  perClassAccuracy: number[];
  /** The indices of the misclassified test images, ascending. */
  mistakes: Int32Array;
}

/** classify(): the model's answer for images given as pixels. */
export interface Classification {
  count: number;
  /** Predicted class of each image. */
  labels: Int32Array;
  /** Softmax probabilities, row-major [count, 10]. */
  probabilities: Float32Array;
}

/** One tensor of the model's state dict (parameters(): drawing the weights as images). */
export interface NamedArray {
  /** The state-dict key, e.g. `1.weight`. */
  name: string;
  shape: number[];
  /** Row-major values (a copy). */
  data: Float32Array;
}

export interface Prediction {
  /** Predicted class of each requested test image. */
  labels: Int32Array;
  /** Softmax probabilities, row-major [n, 10]; each row sums to 1. */
  probabilities: Float32Array;
  /** The true labels. */
  trueLabels: Int32Array;
  /** The images' pixels, [n, 28, 28] uint8 (for a gallery). */
  images: Uint8Array;
  classes: number;
}

/** What the worker has: data, model and progress. */
export interface TrainerStatus {
  data: DataInfo | null;
  config: TrainerConfig | null;
  /** A human-readable description of the model, e.g. "softmax (784 → 10)". */
  model: string | null;
  epochsDone: number;
  running: boolean;
  /** True when a stopped fit() left an epoch half-done (fit() again resumes it). */
  midEpoch: boolean;
}

/** Returned by loadStateDict: the architecture read from the weights. */
export interface LoadedWeights {
  model: ModelKind;
  hidden: number;
  /** True when the weights come from a model with a Dropout layer. */
  dropout: boolean;
  description: string;
}

/** Options of sampleGumbelSoftmax(). */
export interface GumbelSampleOptions {
  /** The temperature, a finite number > 0. Default 1. */
  tau?: number;
  /** How many samples, 1…100000. Default 1000. */
  count?: number;
  /** One-hot samples (their mean is each class's frequency) rather than soft ones. Default true. */
  hard?: boolean;
  /** Seeds the noise for reproducible samples; the worker's random state is restored afterwards either way. */
  seed?: number;
}

/** sampleGumbelSoftmax(): the samples' mean next to softmax(logits). */
export interface GumbelSamples {
  /** softmax(logits). */
  probabilities: Float32Array;
  /** The samples' mean per class: with `hard`, the fraction of samples whose one-hot picked that class. */
  mean: Float32Array;
  count: number;
  tau: number;
  hard: boolean;
}
