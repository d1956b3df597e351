// The training session that runs inside the worker (and can run in-thread too): data, model,
// optimiser, loaders and history; fit with progress, stop / resume / reconfigure, early stopping,
// evaluate, predict, classify, weights.

import { releaseProxy } from 'comlink';
import { io, keep, type DataLoader, type nn, type optim, train, type Tensor } from '../index.js';
import * as data from '../data/index.js';
import { buildLoaders, buildTraining, describeArch, inferArch, splitValidation, type Arch } from '../models.js';
import { isNode } from '../runtime.js';
import { checkSizes, DEFAULT_CONFIG, MAX_EPOCHS, reconfigured, resolveConfig } from './config.js';
import {
  checkBooleanOption, checkOptions, describeValue, FASHION_MNIST_SOURCE_SHAPE, isOptionsObject, progressCallbackFailed, showValue,
  TRAINER_DATA_SHAPE,
} from './describe.js';
import { sampleGumbelSoftmax } from './gumbel-samples.js';
import { classifyPixels, CLASSES, evaluateModel, IMAGE, namedParameters, predictIndices, testProbabilities } from './inference.js';
import { linearWeights, withL1 } from './l1.js';
import { ResumableLoader } from './resumable-loader.js';
import type {
  Classification, DataInfo, EpochRecord, Evaluation, FashionMnistSource, FitResult, GumbelSampleOptions, GumbelSamples, LoadedWeights, NamedArray,
  Prediction, TrainerConfig, TrainerData, TrainerProgress, TrainerStatus,
} from './types.js';

export { DEFAULT_CONFIG, MAX_WORKERS, resolveConfig } from './config.js';

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

interface Session {
  config: TrainerConfig;
  arch: Arch;
  net: nn.Sequential;
  updater: optim.Optimizer<object>;
  loss: nn.CrossEntropyLoss;
  history: EpochRecord[];
  step: number;
  /** Sums over the current (possibly resumed) epoch. */
  epochLossSum: number;
  epochCorrect: number;
  epochCount: number;
  /** Milliseconds spent training the current epoch's batches so far (evaluation excluded). */
  epochTrainMs: number;
  loaders: { train: ResumableLoader; test: DataLoader; val: DataLoader | null } | null;
  /** Early stopping's best value and patience count, carried from one fit() call to the next. */
  earlyStopping: train.EarlyStoppingState | null;
  /** The weights of the epoch with the lowest validation loss (with patience). */
  best: { epoch: number; weights: Record<string, Tensor> } | null;
  /** Early stopping ended the run: fit() returns at once until configure(). */
  earlyStopped: boolean;
}

/** Epoch records as fit's EpochLogs (a resumed run's history). */
function epochLogs(h: EpochRecord): train.EpochLogs {
  return {
    epoch: h.epoch, trainLoss: h.trainLoss, trainAcc: h.trainAcc, testAcc: h.testAcc, seconds: h.seconds, lr: h.lr,
    ...(h.valLoss === null ? {} : { valLoss: h.valLoss }), ...(h.valAcc === null ? {} : { valAcc: h.valAcc }),
  };
}

function disposeWeights(weights: Record<string, Tensor> | undefined): void {
  for (const t of Object.values(weights ?? {})) t.dispose();
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
   * the model and the optimiser. Throws on an invalid setting, naming it.
   */
  configure(partial: Partial<TrainerConfig> = {}): TrainerConfig {
    this.#notRunning('configure');
    const config = resolveConfig(partial);
    this.#disposeSession();
    this.#session = this.#newSession(config);
    return { ...config };
  }

  /**
   * Changes, between two fit() calls of a run, the settings that may change within it: lr, epochs,
   * weightDecay, momentum, l1, patience (lr, weightDecay and momentum go into the optimiser's parameter
   * groups). Any other setting throws: configure() starts a new run.
   */
  reconfigure(changes: Partial<TrainerConfig>): TrainerConfig {
    this.#notRunning('reconfigure');
    const s = this.#needModel('reconfigure');
    const c = reconfigured(s.config, changes, s.history.length);
    for (const group of s.updater.paramGroups) {
      const o = group.options as Record<string, unknown>;
      o.lr = c.lr;
      o.weightDecay = c.weightDecay;
      if ('momentum' in o) o.momentum = c.momentum;
    }
    s.config = c;
    return { ...c };
  }

  #newSession(config: TrainerConfig): Session {
    const arch: Arch = { model: config.model, hidden: config.hidden, dropout: config.dropout };
    const { net, loss, updater } = buildTraining({ ...config, ...arch });
    const s: Session = {
      config, arch, net, loss, updater,
      history: [], step: 0, epochLossSum: 0, epochCorrect: 0, epochCount: 0, epochTrainMs: 0, loaders: null,
      earlyStopping: null, best: null, earlyStopped: false,
    };
    withL1(updater, linearWeights(net), () => s.config.l1);
    return s;
  }

  /** The loaders of a run: its training subset (trainSubset) less the validation examples (valSize). */
  #buildLoaders(s: Session, trainSet: data.ImageDataset, testSet: data.ImageDataset): NonNullable<Session['loaders']> {
    const { subset } = checkSizes(s.config, trainSet.length);
    const seed = s.config.seed;
    const part: data.Dataset = subset === trainSet.length ? trainSet : data.randomSplit(trainSet, [subset, trainSet.length - subset], { seed })[0];
    const split = splitValidation(part, s.config.valSize, seed);
    // A pass kept open between fit() calls cannot be an iteration scope (it would collect everything
    // made in between); fit's steps free their own tensors, and the loader each batch.
    const { trainIter, testIter, valIter } = buildLoaders({ ...s.config, ...s.arch }, split.train, testSet, Math.max(s.config.batchSize, 256), false, split.val);
    return { train: new ResumableLoader(trainIter), test: testIter, val: valIter };
  }

  #result(s: Session, stopReason: string, epochs: number): FitResult {
    return {
      history: s.history.map((h) => ({ ...h })), stopReason, epochsDone: s.history.length, epochs,
      bestEpoch: s.config.patience > 0 ? s.best?.epoch ?? null : null,
    };
  }

  /**
   * Trains up to `config.epochs` epochs (or `options.epochs`), evaluating on the test set (and the
   * validation examples) after each, and calls `onProgress` after every batch and every epoch. After
   * stop(), fit() again resumes where training stopped. Resolves with the history when training ends.
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
    if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 1 || epochs > MAX_EPOCHS) {
      throw new Error(`fit: epochs must be an integer from 1 to ${MAX_EPOCHS}, got ${showValue(epochs)}`);
    }
    // A comlink proxy of the page's callback: free its message port when fit() ends.
    const releaseCallback = (): void => {
      const release = (onProgress as { [releaseProxy]?: unknown } | undefined)?.[releaseProxy];
      if (typeof release === 'function') (release as () => void)();
    };
    if (s.earlyStopped) {
      releaseCallback();
      return this.#result(s, 'early-stopping', epochs);
    }
    try {
      s.loaders ??= this.#buildLoaders(s, trainSet, testSet);
    } catch (e) {
      releaseCallback();
      throw e;
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
    const newEpoch = (): void => {
      s.epochLossSum = 0;
      s.epochCorrect = 0;
      s.epochCount = 0;
      s.epochTrainMs = 0;
    };
    if (!loaders.train.midEpoch) {
      newEpoch();
      resumedOffset = 0;
    }
    let clock = performance.now();
    const progress: train.Callback = {
      onTrainBegin: (ctx) => {
        this.#ctx = ctx;
        if (this.#stopRequested) ctx.stop('stopped');
      },
      onEpochBegin: () => {
        if (resumedOffset === 0) newEpoch();
        clock = performance.now();
      },
      onBatchEnd: (logs) => {
        const now = performance.now();
        s.epochTrainMs += now - clock;
        clock = now;
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
        const record: EpochRecord = {
          epoch: logs.epoch, trainLoss: logs.trainLoss, trainAcc: logs.trainAcc, testAcc: logs.testAcc,
          valLoss: logs.valLoss ?? null, valAcc: logs.valAcc ?? null,
          lr: logs.lr ?? (s.updater.paramGroups[0].options as { lr: number }).lr,
          examplesPerSecond: s.epochTrainMs > 0 ? s.epochCount / (s.epochTrainMs / 1000) : 0,
          seconds: logs.seconds,
        };
        s.history.push(record);
        send({ type: 'epoch', epochs, step: s.step, ...record });
      },
    };
    const callbacks: train.Callback[] = [progress];
    let earlyStopping: train.EarlyStopping | null = null;
    if (s.config.patience > 0) {
      earlyStopping = new train.EarlyStopping({ monitor: 'valLoss', patience: s.config.patience });
      // The count so far of this run (a stop() and a resume, or a reconfigured patience, continue it).
      if (s.earlyStopping !== null) earlyStopping.loadStateDict(s.earlyStopping);
      const es = earlyStopping;
      callbacks.push(es, {
        // After EarlyStopping has seen the epoch: keep the weights of a new best.
        onEpochEnd: (logs) => {
          if (es.bestEpoch !== logs.epoch) return;
          disposeWeights(s.best?.weights);
          const dict = s.net.stateDict();
          s.best = { epoch: logs.epoch, weights: Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, keep(t.clone())])) };
          for (const t of Object.values(dict)) t.dispose();
        },
      });
    }
    // A NaN or infinite loss ends fit with an error instead of training on NaN weights.
    const nanGuard = new train.TerminateOnNaN();
    callbacks.push(nanGuard);
    this.#running = true;
    loaders.train.keepOpen = true;
    let result: train.History;
    try {
      result = await train.fit(s.net, loaders.train, loaders.test, s.loss, epochs, s.updater, {
        callbacks,
        initialEpoch: Math.min(s.history.length, epochs),
        history: s.history.map(epochLogs),
        workers: s.config.workers,
        ...(loaders.val === null ? {} : { valIter: loaders.val }),
      });
    } finally {
      loaders.train.keepOpen = false;
      this.#running = false;
      this.#ctx = null;
      this.#stopRequested = false;
      if (earlyStopping !== null) s.earlyStopping = { ...earlyStopping.stateDict(), snapshot: null };
      await lastDelivery;
      releaseCallback();
    }
    if (nanGuard.diverged !== null) {
      throw new Error(`fit: ${nanGuard.diverged.message}; the weights are no longer usable: lower the learning rate and configure() again`);
    }
    if (progressFailures.length > 0) {
      throw progressCallbackFailed(progressFailures[0]);
    }
    if (result.stopReason === 'early-stopping') {
      // The run is over: its weights are those of the epoch with the lowest validation loss.
      s.earlyStopped = true;
      if (s.best !== null) s.net.loadStateDict(s.best.weights);
    }
    return this.#result(s, result.stopReason, epochs);
  }

  /** Asks a running fit() to stop after the current batch (a no-op when nothing runs). */
  stop(): void {
    if (!this.#running) return;
    this.#stopRequested = true;
    this.#ctx?.stop('stopped');
  }

  /** Accuracy, mean loss, confusion matrix, per-class accuracy and misclassified indices of the current model on the test set. */
  evaluate(): Evaluation {
    this.#notRunning('evaluate');
    const s = this.#needModel('evaluate');
    return evaluateModel(s.net, this.#needData('evaluate'));
  }

  /** The model's prediction and softmax probabilities for test images by index, with their pixels and true labels. */
  predict(indices: ArrayLike<number>): Prediction {
    this.#notRunning('predict');
    const s = this.#needModel('predict');
    const testSet = this.#needData('predict');
    const idx = checkIndices(indices, testSet.length);
    const images = new Uint8Array(idx.length * IMAGE);
    const trueLabels = new Int32Array(idx.length);
    idx.forEach((i, k) => {
      images.set(this.#testImages!.subarray(i * IMAGE, (i + 1) * IMAGE), k * IMAGE);
      trueLabels[k] = this.#testLabels![i];
    });
    return { ...predictIndices(s.net, testSet, idx), trueLabels, images, classes: CLASSES };
  }

  /** The model's classes and softmax probabilities for n 28×28 images given as n × 784 uint8 pixels. */
  classify(pixels: Uint8Array): Classification {
    this.#notRunning('classify');
    const s = this.#needModel('classify');
    return classifyPixels(s.net, pixels);
  }

  /** Softmax probabilities [testCount, 10] of the whole test set (several runs' average: an ensemble). */
  testProbabilities(): Float32Array {
    this.#notRunning('testProbabilities');
    const s = this.#needModel('testProbabilities');
    return testProbabilities(s.net, this.#needData('testProbabilities'));
  }

  /**
   * Gumbel-softmax samples of `logits` (needs no model or data; also while training runs): their mean
   * next to softmax(logits). Leaves the random state as it was.
   */
  sampleGumbelSoftmax(logits: number[] | Float32Array, options: GumbelSampleOptions = {}): GumbelSamples {
    return sampleGumbelSoftmax(logits, options);
  }

  /** The weights as named float32 arrays, in state-dict order (also while training runs: between two batches). */
  parameters(): NamedArray[] {
    return namedParameters(this.#needModel('parameters').net);
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
   * Loads safetensors weights of any of the models (softmax, MLP, LeNet, LeNet with BatchNorm) and starts
   * a new run from them with the current settings (the architecture's taken from the weights): a fresh
   * optimiser, history and epochs from 0, so that fit() fine-tunes them.
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
      const config = resolveConfig({
        ...base, model: arch.model, hidden: arch.model === 'mlp' ? arch.hidden : base.hidden, dropout: arch.dropout > 0 ? keepDropout : 0,
      }, 'loadStateDict');
      const s = this.#newSession(config);
      try {
        s.net.loadStateDict(tensors);
      } catch (e) {
        this.#disposeSession(s);
        throw e;
      }
      this.#disposeSession();
      this.#session = s;
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

  #needData(what: string): data.ImageDataset {
    if (this.#test === null || this.#testImages === null || this.#testLabels === null) {
      throw new Error(`${what}: there is no data; call setData() or loadFashionMnist() first`);
    }
    return this.#test;
  }

  /** Frees a session (the current one by default, which is then gone). */
  #disposeSession(s: Session | null = this.#session): void {
    if (s === null) return;
    s.loaders?.train.close();
    for (const p of s.net.parameters()) p.dispose();
    disposeWeights(s.best?.weights);
    s.best = null;
    if (s === this.#session) this.#session = null;
  }

  #disposeData(): void {
    this.#train?.dispose();
    this.#test?.dispose();
    this.#train = this.#test = null;
    this.#testImages = null;
    this.#testLabels = null;
  }
}
