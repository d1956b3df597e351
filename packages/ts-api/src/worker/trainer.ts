// The training session that runs inside the worker (and can run in-thread too): data, model,
// optimiser, loaders and history; fit with progress, stop / resume, evaluate, predict, weights.

import { releaseProxy } from 'comlink';
import { argmax, crossEntropy, DataLoader, io, nn, noGrad, optim, softmax, tidy, train, type Tensor } from '../index.js';
import { allocStorage, kernels } from '../backend/index.js';
import * as data from '../data/index.js';
import { buildLoaders, buildTraining, describeArch, inferArch, MODEL_KINDS, type Arch } from '../models.js';
import { isNode } from '../runtime.js';
import {
  checkBooleanOption, checkOptions, describeValue, FASHION_MNIST_SOURCE_SHAPE, isOptionsObject, progressCallbackFailed, showValue,
  TRAINER_DATA_SHAPE,
} from './describe.js';
import type {
  DataInfo, EpochRecord, Evaluation, FashionMnistSource, FitResult, LoadedWeights, Prediction, TrainerConfig,
  TrainerData, TrainerProgress, TrainerStatus,
} from './types.js';

export const DEFAULT_CONFIG: Readonly<TrainerConfig> = Object.freeze({
  model: 'softmax', hidden: 256, lr: 0.1, batchSize: 256, epochs: 10, weightDecay: 0, dropout: 0, augment: false, seed: 0, workers: 1,
});

/** The most gradient shards (threads) a run may use. */
export const MAX_WORKERS = 16;

const IMAGE = 28 * 28;
const CLASSES = 10;

type Batch = [Tensor, Tensor];

function checkNumber(name: keyof TrainerConfig, v: unknown, ok: (n: number) => boolean, expected: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
    throw new Error(`configure: ${name} must be ${expected}, got ${showValue(v)}`);
  }
  return v;
}

/** Fills in the defaults and checks every field; throws an Error naming the field and the value. */
export function resolveConfig(partial: Partial<TrainerConfig> = {}): TrainerConfig {
  if (!isOptionsObject(partial)) throw new Error(`configure: expected an object of settings, got ${describeValue(partial)}`);
  const known = new Set(Object.keys(DEFAULT_CONFIG));
  const unknown = Object.keys(partial).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new Error(`configure: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; known: ${[...known].join(', ')}`);
  }
  const c = { ...DEFAULT_CONFIG, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) } as TrainerConfig;
  if (!MODEL_KINDS.includes(c.model)) throw new Error(`configure: model must be 'softmax' or 'mlp', got ${JSON.stringify(c.model)}`);
  checkNumber('hidden', c.hidden, (n) => Number.isInteger(n) && n >= 1 && n <= 65536, 'a positive integer');
  checkNumber('lr', c.lr, (n) => n > 0, 'a positive number');
  checkNumber('batchSize', c.batchSize, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  checkNumber('epochs', c.epochs, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  checkNumber('weightDecay', c.weightDecay, (n) => n >= 0, 'a non-negative number');
  checkNumber('dropout', c.dropout, (n) => n >= 0 && n < 1, 'in [0, 1)');
  checkNumber('seed', c.seed, (n) => Number.isSafeInteger(n) && n >= 0, 'a non-negative integer');
  checkNumber('workers', c.workers, (n) => Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS, `an integer from 1 to ${MAX_WORKERS}`);
  if (typeof c.augment !== 'boolean') throw new Error(`configure: augment must be true or false, got ${JSON.stringify(c.augment)}`);
  return c;
}

function checkImages(images: unknown, labels: unknown, split: string): void {
  if (!(images instanceof Uint8Array)) throw new Error(`setData: ${split}Images must be a Uint8Array of 28×28 pixels, got ${describeValue(images)}`);
  if (!(labels instanceof Uint8Array || labels instanceof Int32Array)) {
    throw new Error(`setData: ${split}Labels must be a Uint8Array or Int32Array, got ${describeValue(labels)}`);
  }
  if (labels.length === 0) throw new Error(`setData: ${split}Labels is empty; expected at least one example`);
  if (images.length !== labels.length * IMAGE) {
    throw new Error(`setData: ${split}Images has ${images.length} bytes for ${labels.length} labels; expected ${labels.length} × 784 = ${labels.length * IMAGE}`);
  }
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < CLASSES)) throw new Error(`setData: ${split}Labels[${i}] is ${l}, expected a class 0…9`);
  }
}

const FILE_KEYS = ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const;

function checkFashionMnistSource(source: unknown): asserts source is FashionMnistSource {
  if (typeof source === 'string') return;
  if (!isOptionsObject(source)) throw new Error(`loadFashionMnist: expected ${FASHION_MNIST_SOURCE_SHAPE}, got ${describeValue(source)}`);
  const missing = FILE_KEYS.filter((k) => source[k] === undefined || source[k] === null);
  if (missing.length > 0) throw new Error(`loadFashionMnist: missing ${missing.join(', ')}; expected ${FASHION_MNIST_SOURCE_SHAPE}`);
}

/** Test-image indices as an Int32Array; Int32Array.from would turn NaN into 0 and 1.7 into 1. */
function checkIndices(indices: unknown, count: number): Int32Array {
  if (!Array.isArray(indices) && !(ArrayBuffer.isView(indices) && !(indices instanceof DataView))) {
    throw new Error(`predict: expected an array (or typed array) of test-image indices, got ${describeValue(indices)}`);
  }
  const list = indices as ArrayLike<unknown>;
  const idx = new Int32Array(list.length);
  for (let k = 0; k < list.length; k++) {
    const i = list[k];
    if (typeof i !== 'number' || !Number.isInteger(i)) {
      throw new Error(`predict: indices[${k}] is ${showValue(i)}; expected an integer index of a test image, 0…${count - 1}`);
    }
    if (i < 0 || i >= count) throw new Error(`predict: index ${i} is out of range for ${count} test images (indices[${k}]; expected 0…${count - 1})`);
    idx[k] = i;
  }
  return idx;
}

/**
 * The training loader, resumable mid-epoch: when fit() stops inside an epoch, the for-of loop's
 * return() keeps the pass open instead of closing it, and the next fit() continues with the next batch.
 * So stop + fit again gives the same weights as a run that was never stopped.
 *
 * fit with `workers` > 1 reads one batch ahead (it stages batch t + 1 while step t runs) and always
 * calls return(), also after a complete pass. So the trainer marks every trained batch (`trained()`):
 * batches taken but not trained when the pass is kept open are handed out again first on resume, and
 * a complete pass is ended by `endPass()` at the epoch's end.
 */
class ResumableLoader implements Iterable<Batch> {
  #pending: Iterator<Batch> | null = null;
  /** Taken from the pending pass but not trained: handed out again, first, by the next iteration. */
  #replay: IteratorResult<Batch>[] = [];
  /** Handed out by the current iteration and not yet marked trained. */
  #untrained: IteratorResult<Batch>[] = [];
  /** Batches trained from the pending pass. */
  offset = 0;
  keepOpen = false;

  constructor(readonly loader: DataLoader) {}

  get length(): number {
    return this.loader.length;
  }

  get midEpoch(): boolean {
    return this.#pending !== null;
  }

  [Symbol.iterator](): Iterator<Batch> {
    const it = this.#pending ?? this.loader[Symbol.iterator]();
    if (this.#pending === null) {
      this.offset = 0;
      this.#replay = [];
    }
    this.#pending = null;
    const replay = this.#replay;
    this.#replay = [];
    const untrained: IteratorResult<Batch>[] = [];
    this.#untrained = untrained;
    let exhausted = false;
    return {
      next: () => {
        const r = replay.shift() ?? (exhausted ? { done: true as const, value: undefined } : it.next());
        if (r.done) exhausted = true;
        else untrained.push(r);
        return r;
      },
      return: (value?: unknown) => {
        if (this.keepOpen) {
          // The rest of the pass, starting with what was taken but not trained.
          this.#replay = [...untrained, ...replay];
          this.#pending = exhausted && this.#replay.length === 0 ? { next: () => ({ done: true, value: undefined }) } : it;
        } else {
          it.return?.();
        }
        return { done: true, value: value as Batch };
      },
    };
  }

  /** Called after each trained batch. */
  trained(): void {
    this.#untrained.shift();
    this.offset++;
  }

  /** The epoch ended (fit evaluated it): the next iteration starts a new pass. */
  endPass(): void {
    this.#pending = null;
    this.#replay = [];
    this.offset = 0;
  }

  /** Ends a pending pass (frees its batch). */
  close(): void {
    this.#pending?.return?.();
    this.#pending = null;
    this.#replay = [];
    this.offset = 0;
  }
}

interface Session {
  config: TrainerConfig;
  arch: Arch;
  net: nn.Sequential;
  updater: optim.SGD;
  loss: nn.CrossEntropyLoss;
  history: EpochRecord[];
  step: number;
  /** Sums over the current (possibly resumed) epoch. */
  epochLossSum: number;
  epochCorrect: number;
  epochCount: number;
  loaders: { train: ResumableLoader; test: DataLoader } | null;
}

/**
 * One training session. In a worker it is exposed through comlink (see worker-entry.ts); every method
 * is also callable directly, in-thread.
 */
export class TrainerCore {
  #train: data.ImageDataset | null = null;
  #test: data.ImageDataset | null = null;
  #testImages: Uint8Array | null = null;
  #testLabels: Int32Array | null = null;
  #session: Session | null = null;
  #running = false;
  #ctx: train.TrainContext | null = null;
  #stopRequested = false;

  /** Resolves once the backend is loaded (importing this module loads it). */
  ready(): { runtime: string } {
    return { runtime: isNode ? `node ${process.versions.node}` : 'browser' };
  }

  /** Takes the four arrays (in a worker they arrive transferred); replaces earlier data. */
  setData(d: TrainerData): DataInfo {
    this.#notRunning('setData');
    if (!isOptionsObject(d)) throw new Error(`setData: expected ${TRAINER_DATA_SHAPE}, got ${describeValue(d)}`);
    checkImages(d.trainImages, d.trainLabels, 'train');
    checkImages(d.testImages, d.testLabels, 'test');
    this.#disposeData();
    this.#train = new data.ImageDataset(d.trainImages, d.trainLabels, [1, 28, 28]);
    this.#test = new data.ImageDataset(d.testImages, d.testLabels, [1, 28, 28]);
    this.#testImages = d.testImages;
    this.#testLabels = d.testLabels instanceof Int32Array ? d.testLabels : Int32Array.from(d.testLabels);
    if (this.#session) {
      this.#session.loaders?.train.close();
      this.#session.loaders = null;
    }
    return this.dataInfo()!;
  }

  /**
   * Fetches (base URL) or reads (the four files as Blobs / bytes) Fashion-MNIST, decompresses and
   * verifies it here in the worker, and makes it the data. `verify: false` skips the SHA-256 check
   * (pages on plain http:// other than localhost have no crypto.subtle).
   */
  async loadFashionMnist(source: FashionMnistSource, options: { verify?: boolean } = {}): Promise<DataInfo> {
    this.#notRunning('loadFashionMnist');
    checkFashionMnistSource(source);
    checkOptions('loadFashionMnist', options, '{ verify: false }');
    checkBooleanOption('loadFashionMnist', 'verify', options?.verify);
    options ??= {};
    const loaded = typeof source === 'string'
      ? await data.loadFashionMnistFromUrls(source, { verify: options.verify })
      : await data.fashionMnistFromBytes(source, { verify: options.verify });
    return this.setData({
      trainImages: loaded.train.images, trainLabels: loaded.train.labels,
      testImages: loaded.test.images, testLabels: loaded.test.labels,
    });
  }

  dataInfo(): DataInfo | null {
    return this.#train && this.#test ? { trainCount: this.#train.length, testCount: this.#test.length } : null;
  }

  /**
   * Starts a fresh run with these settings (missing ones take the defaults): seeds the generator, builds
   * the model and the SGD optimiser. Throws on an invalid setting, naming it.
   */
  configure(partial: Partial<TrainerConfig> = {}): TrainerConfig {
    this.#notRunning('configure');
    const config = resolveConfig(partial);
    this.#disposeSession();
    const arch: Arch = { model: config.model, hidden: config.hidden, dropout: config.dropout };
    const { net, loss, updater } = buildTraining({ ...config, ...arch });
    this.#session = {
      config, arch, net, loss, updater,
      history: [], step: 0, epochLossSum: 0, epochCorrect: 0, epochCount: 0, loaders: null,
    };
    return { ...config };
  }

  /**
   * Trains up to `config.epochs` epochs (or `options.epochs`), evaluating on the test set after each,
   * and calls `onProgress` after every batch and every epoch. After stop(), fit() again resumes where
   * training stopped. Resolves with the history when training ends.
   */
  async fit(onProgress?: (p: TrainerProgress) => unknown, options: { epochs?: number } = {}): Promise<FitResult> {
    if (this.#running) throw new Error('fit: training is already running; stop() it first');
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new Error(`fit: onProgress must be a function, got ${describeValue(onProgress)}`);
    checkOptions('fit', options, '{ epochs: 3 }');
    options ??= {};
    const trainSet = this.#train;
    const testSet = this.#test;
    if (trainSet === null || testSet === null) throw new Error('fit: there is no data; call setData() or loadFashionMnist() first');
    const s = this.#session ?? (this.configure(), this.#session!);
    const epochs = options.epochs ?? s.config.epochs;
    if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${showValue(epochs)}`);
    if (s.loaders === null) {
      // A pass kept open between fit() calls cannot be an iteration scope (it would collect everything
      // made in between); fit's steps free their own tensors, and the loader each batch.
      const { trainIter, testIter } = buildLoaders({ ...s.config, ...s.arch }, trainSet, testSet, Math.max(s.config.batchSize, 256), false);
      s.loaders = { train: new ResumableLoader(trainIter), test: testIter };
    }
    const loaders = s.loaders;
    const batches = loaders.train.length;
    // Through comlink each call returns a promise; training does not wait for the page to draw, but
    // fit() waits for the last one so that every event has been delivered before it resolves (the
    // callback's messages travel on their own channel, not the one fit() answers on). createTrainer's
    // fit answers each call as soon as the callback has run, whatever the callback returns.
    // A callback that throws (or whose promise rejects) stops training after the current batch and
    // fit() rejects with its error; later events are not sent.
    let lastDelivery: Promise<unknown> = Promise.resolve();
    const progressFailures: unknown[] = [];
    const failed = (error: unknown): void => {
      progressFailures.push(error);
      this.#ctx?.stop('progress callback failed');
    };
    const send = (p: TrainerProgress): void => {
      if (onProgress === undefined || progressFailures.length > 0) return;
      try {
        lastDelivery = Promise.resolve(onProgress(p)).then(undefined, failed);
      } catch (e) {
        failed(e);
      }
    };
    let resumedOffset = loaders.train.offset;
    if (!loaders.train.midEpoch) {
      s.epochLossSum = 0;
      s.epochCorrect = 0;
      s.epochCount = 0;
      resumedOffset = 0;
    }
    const progress: train.Callback = {
      onTrainBegin: (ctx) => {
        this.#ctx = ctx;
        if (this.#stopRequested) ctx.stop('stopped');
      },
      onEpochBegin: () => {
        if (resumedOffset === 0) {
          s.epochLossSum = 0;
          s.epochCorrect = 0;
          s.epochCount = 0;
        }
      },
      onBatchEnd: (logs) => {
        loaders.train.trained();
        s.step++;
        s.epochLossSum += logs.loss * logs.size;
        s.epochCorrect += logs.acc * logs.size;
        s.epochCount += logs.size;
        send({
          type: 'batch', epoch: logs.epoch, epochs, batch: resumedOffset + logs.batch, batches, step: s.step,
          loss: logs.loss, acc: logs.acc, size: logs.size,
        });
      },
      onEpochEnd: (logs) => {
        // An epoch resumed after stop(): fit() only saw its second part; report the whole epoch.
        if (resumedOffset > 0 && s.epochCount > 0) {
          logs.trainLoss = s.epochLossSum / s.epochCount;
          logs.trainAcc = s.epochCorrect / s.epochCount;
        }
        resumedOffset = 0;
        loaders.train.endPass();
        const record: EpochRecord = { epoch: logs.epoch, trainLoss: logs.trainLoss, trainAcc: logs.trainAcc, testAcc: logs.testAcc, seconds: logs.seconds };
        s.history.push(record);
        send({ type: 'epoch', epochs, step: s.step, ...record });
      },
    };
    // A NaN or infinite loss ends fit with an error instead of training on NaN weights.
    const nanGuard = new train.TerminateOnNaN();
    this.#running = true;
    loaders.train.keepOpen = true;
    let result: train.History;
    try {
      result = await train.fit(s.net, loaders.train, loaders.test, s.loss, epochs, s.updater, {
        callbacks: [progress, nanGuard],
        initialEpoch: Math.min(s.history.length, epochs),
        history: s.history.map((h) => ({ ...h })),
        workers: s.config.workers,
      });
    } finally {
      loaders.train.keepOpen = false;
      this.#running = false;
      this.#ctx = null;
      this.#stopRequested = false;
      await lastDelivery;
      // A comlink proxy of the page's callback: free its message port.
      const release = (onProgress as { [releaseProxy]?: unknown } | undefined)?.[releaseProxy];
      if (typeof release === 'function') (release as () => void)();
    }
    if (nanGuard.diverged !== null) {
      throw new Error(`fit: ${nanGuard.diverged.message}; the weights are no longer usable: lower the learning rate and configure() again`);
    }
    if (progressFailures.length > 0) {
      throw progressCallbackFailed(progressFailures[0]);
    }
    return { history: s.history.map((h) => ({ ...h })), stopReason: result.stopReason, epochsDone: s.history.length, epochs };
  }

  /** Asks a running fit() to stop after the current batch (a no-op when nothing runs). */
  stop(): void {
    if (!this.#running) return;
    this.#stopRequested = true;
    this.#ctx?.stop('stopped');
  }

  /** Accuracy, mean loss and confusion matrix of the current model on the test set. */
  evaluate(): Evaluation {
    this.#notRunning('evaluate');
    const s = this.#needModel('evaluate');
    const testSet = this.#test;
    if (testSet === null) throw new Error('evaluate: there is no data; call setData() or loadFashionMnist() first');
    // Counted in the core (confusion_i32 adds each batch into the same CLASSES × CLASSES int32 matrix).
    const counts = allocStorage('int32', CLASSES * CLASSES, { zero: true });
    let lossSum = 0;
    const wasTraining = s.net.training;
    s.net.eval();
    let matrix: Int32Array;
    try {
      for (const [X, y] of new DataLoader(testSet, { batchSize: 1000 })) {
        let l = 0;
        noGrad(() => tidy(() => {
          const logits = s.net.forward(X);
          l = crossEntropy(logits, y, { reduction: 'sum' }).item();
          kernels.confusion(argmax(logits, 1).storage('evaluate'), y.storage('evaluate'), CLASSES, counts);
        }));
        lossSum += l;
      }
      matrix = counts.i32().slice();
    } finally {
      s.net.train(wasTraining);
      counts.dispose();
    }
    // confusion[true][predicted]; the correct predictions are its diagonal.
    const confusion = Array.from({ length: CLASSES }, (_, t) => Array.from(matrix.subarray(t * CLASSES, (t + 1) * CLASSES)));
    const correct = confusion.reduce((acc, row, t) => acc + row[t], 0);
    return { accuracy: correct / testSet.length, loss: lossSum / testSet.length, count: testSet.length, confusion };
  }

  /** The model's prediction and softmax probabilities for test images by index, with their pixels and true labels. */
  predict(indices: ArrayLike<number>): Prediction {
    this.#notRunning('predict');
    const s = this.#needModel('predict');
    const testSet = this.#test;
    if (testSet === null || this.#testImages === null || this.#testLabels === null) {
      throw new Error('predict: there is no data; call setData() or loadFashionMnist() first');
    }
    const idx = checkIndices(indices, testSet.length);
    const images = new Uint8Array(idx.length * IMAGE);
    const trueLabels = new Int32Array(idx.length);
    idx.forEach((i, k) => {
      images.set(this.#testImages!.subarray(i * IMAGE, (i + 1) * IMAGE), k * IMAGE);
      trueLabels[k] = this.#testLabels![i];
    });
    if (idx.length === 0) return { labels: new Int32Array(0), probabilities: new Float32Array(0), trueLabels, images, classes: CLASSES };
    const wasTraining = s.net.training;
    s.net.eval();
    try {
      let probabilities: Float32Array = new Float32Array(0);
      let labels: Int32Array = new Int32Array(0);
      noGrad(() => tidy(() => {
        const [X] = testSet.getBatch(idx);
        const p = softmax(s.net.forward(X), 1);
        probabilities = p.toArray() as Float32Array;
        labels = argmax(p, 1).toArray() as Int32Array;
      }));
      return { labels, probabilities, trueLabels, images, classes: CLASSES };
    } finally {
      s.net.train(wasTraining);
    }
  }

  /** The model's weights as safetensors bytes (PyTorch's key names: `1.weight`, `1.bias`, …). */
  stateDict(): Uint8Array {
    const s = this.#needModel('stateDict');
    const dict = s.net.stateDict();
    try {
      return io.serialize(dict, { format: 'pt', model: describeArch(s.arch) });
    } finally {
      for (const t of Object.values(dict)) t.dispose();
    }
  }

  /**
   * Loads safetensors weights of a softmax or MLP model. When their architecture differs from the
   * configured one, the model is rebuilt to match (the other settings stay); training history restarts.
   */
  loadStateDict(bytes: Uint8Array): LoadedWeights {
    this.#notRunning('loadStateDict');
    if (!(bytes instanceof Uint8Array)) throw new Error(`loadStateDict: expected the safetensors bytes as a Uint8Array, got ${describeValue(bytes)}`);
    const { tensors } = io.deserialize(bytes, 'loadStateDict');
    try {
      const arch = inferArch(tensors, 'loadStateDict: the weights');
      const s0 = this.#session;
      const keepDropout = s0 !== null && s0.arch.dropout > 0 ? s0.arch.dropout : 0.5;
      const base = s0?.config ?? DEFAULT_CONFIG;
      const wanted: Partial<TrainerConfig> = {
        ...base, model: arch.model, hidden: arch.model === 'mlp' ? arch.hidden : base.hidden, dropout: arch.dropout > 0 ? keepDropout : 0,
      };
      const same = s0 !== null && s0.arch.model === arch.model && (arch.model === 'softmax' || s0.arch.hidden === arch.hidden)
        && (s0.arch.dropout > 0) === (arch.dropout > 0);
      if (!same) this.configure(wanted);
      const s = this.#session!;
      s.net.loadStateDict(tensors);
      s.history = [];
      s.step = 0;
      s.loaders?.train.close();
      s.loaders = null;
      return { model: arch.model, hidden: arch.model === 'mlp' ? arch.hidden : 0, dropout: arch.dropout > 0, description: describeArch(s.arch) };
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  }

  history(): EpochRecord[] {
    return this.#session?.history.map((h) => ({ ...h })) ?? [];
  }

  status(): TrainerStatus {
    const s = this.#session;
    return {
      data: this.dataInfo(),
      config: s ? { ...s.config } : null,
      model: s ? describeArch(s.arch) : null,
      epochsDone: s?.history.length ?? 0,
      running: this.#running,
      midEpoch: s?.loaders?.train.midEpoch ?? false,
    };
  }

  /** Frees the data and the model. */
  dispose(): void {
    this.#disposeSession();
    this.#disposeData();
  }

  #notRunning(what: string): void {
    if (this.#running) throw new Error(`${what}: not possible while training runs; stop() first`);
  }

  #needModel(what: string): Session {
    if (this.#session === null) throw new Error(`${what}: there is no model yet; call configure() (or loadStateDict()) first`);
    return this.#session;
  }

  #disposeSession(): void {
    const s = this.#session;
    if (s === null) return;
    s.loaders?.train.close();
    for (const p of s.net.parameters()) p.dispose();
    this.#session = null;
  }

  #disposeData(): void {
    this.#train?.dispose();
    this.#test?.dispose();
    this.#train = this.#test = null;
    this.#testImages = null;
    this.#testLabels = null;
  }
}
