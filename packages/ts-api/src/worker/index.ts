// softmax-nn/worker: the training API in a worker — a browser Web Worker or a Node worker_threads
// Worker — behind comlink. `createTrainer()` starts the worker; no configuration is needed in Node or
// in Vite (the worker's URL and the wasm's URL are both `new URL(..., import.meta.url)` literals).
//
// This module imports no part of the library itself, so a page that only trains in a worker does not
// load the wasm on its main thread.

import * as Comlink from 'comlink';
import {
  checkBooleanOption, checkOptions, describeValue, FASHION_MNIST_SOURCE_SHAPE, isOptionsObject, progressCallbackFailed,
  TRAINER_DATA_SHAPE,
} from './describe.js';
import { isNode, startNodeWorker, webWorkerThread, type WorkerThread } from '../runtime.js';
import { isReadyMessage } from './protocol.js';
import type {
  Classification, DataInfo, EpochRecord, Evaluation, FashionMnistSource, FitResult, GumbelSampleOptions, GumbelSamples, LoadedWeights, NamedArray,
  Prediction, TrainerConfig, TrainerData, TrainerProgress, TrainerStatus,
} from './types.js';
import type { TrainerCore } from './trainer.js';

export type * from './types.js';
export { proxy, transfer } from 'comlink';

/** A training session in its own worker. Every method returns a promise; errors thrown in the worker reject it with their original message. */
export interface Trainer {
  /** Sends the data; the four buffers are transferred (detached here) unless `transfer: false`. */
  setData(data: TrainerData, options?: { transfer?: boolean }): Promise<DataInfo>;
  /** Loads Fashion-MNIST inside the worker from a base URL (relative URLs resolve against the page) or the four files. */
  loadFashionMnist(source: FashionMnistSource, options?: { verify?: boolean }): Promise<DataInfo>;
  /** Starts a fresh run: seeds, builds the model and optimiser. Missing settings take the defaults. */
  configure(config?: Partial<TrainerConfig>): Promise<TrainerConfig>;
  /**
   * Between two fit() calls of a run (throws while one runs): changes lr, epochs, weightDecay, momentum,
   * l1 or patience; the next fit() trains with them (lr, weightDecay and momentum go into the
   * optimiser's parameter groups). Any other setting throws: configure() starts a new run.
   */
  reconfigure(changes: Partial<TrainerConfig>): Promise<TrainerConfig>;
  /**
   * Trains (up to `config.epochs`) with `onProgress` called after each batch and epoch — a plain function
   * or a `Comlink.proxy(fn)`. After stop(), fit() again resumes where it stopped. fit() resolves after
   * `onProgress` has been called for every event (a promise it returns is not waited for). When
   * `onProgress` throws, or its promise rejects before fit() ends, training stops and fit() rejects with
   * `fit: the progress callback failed: <its message>`; fit() again resumes.
   */
  fit(onProgress?: (progress: TrainerProgress) => unknown, options?: { epochs?: number }): Promise<FitResult>;
  /** Stops a running fit() after the current batch; fit() then resolves with stopReason 'stopped'. */
  stop(): Promise<void>;
  /** Test-set accuracy, loss, confusion matrix, per-class accuracy and the misclassified images' indices. */
  evaluate(): Promise<Evaluation>;
  /** Predictions for test images by index: labels, softmax probabilities [n, 10], true labels, pixels. */
  predict(indices: ArrayLike<number>): Promise<Prediction>;
  /** Classes and softmax probabilities of n images given as n × 784 uint8 pixels (28×28, row-major), scaled as the training data. */
  classify(pixels: Uint8Array): Promise<Classification>;
  /** Softmax probabilities [testCount, 10] of the whole test set, row-major (average several runs' for an ensemble). */
  testProbabilities(): Promise<Float32Array>;
  /**
   * Draws `count` samples of nn.functional.gumbelSoftmax(logits, { tau, hard }) (default 1000, tau 1,
   * hard) and returns their mean — with `hard`, each class's frequency, which converges to softmax(logits)
   * — next to softmax(logits). Needs no model or data; the worker's random state is left as it was.
   */
  sampleGumbelSoftmax(logits: number[] | Float32Array, options?: GumbelSampleOptions): Promise<GumbelSamples>;
  /** The weights as named float32 arrays in state-dict order (e.g. to draw them as images); callable while fit() runs. */
  parameters(): Promise<NamedArray[]>;
  /** The weights as safetensors bytes (loadable by PyTorch's safetensors.torch.load_file). */
  stateDict(): Promise<Uint8Array>;
  /**
   * Loads safetensors weights (of any of the models: softmax, MLP, LeNet, LeNet with BatchNorm; the
   * architecture is taken from them, the other settings stay) and starts a new run from them: fit() then
   * fine-tunes them with a fresh optimiser.
   */
  loadStateDict(bytes: Uint8Array): Promise<LoadedWeights>;
  history(): Promise<EpochRecord[]>;
  status(): Promise<TrainerStatus>;
  /** Ends the worker; pending calls reject. */
  terminate(): Promise<void>;
  /** The raw comlink remote (advanced use). */
  readonly remote: Comlink.Remote<TrainerCore>;
}

export interface CreateTrainerOptions {
  /** The worker script to start instead of the package's own worker-entry.js. */
  workerUrl?: URL | string;
  /** A name for the worker (shown in devtools). */
  name?: string;
}


/** A started training worker and its comlink endpoint. */
interface Spawned extends WorkerThread {
  ep: Comlink.Endpoint;
}
type NodeEndpointFn = (nep: unknown) => Comlink.Endpoint;

// A variable, so that browser bundlers neither resolve nor bundle the Node-only module.
const NODE_ADAPTER = 'comlink/dist/esm/node-adapter.mjs';
const WHO = 'the training worker';

async function spawnNode(options: CreateTrainerOptions): Promise<Spawned> {
  const nodeEndpoint = ((await import(/* @vite-ignore */ NODE_ADAPTER)) as { default: NodeEndpointFn }).default;
  const thread = await startNodeWorker(WHO, options.name ?? 'softmax-nn trainer', './worker-entry.js', import.meta.url, options.workerUrl);
  return { ...thread, ep: nodeEndpoint(thread.raw) };
}

function spawnBrowser(options: CreateTrainerOptions): Spawned {
  const name = options.name ?? 'softmax-nn trainer';
  // Written literally so that Vite (and other bundlers) find, bundle and serve the worker script.
  const worker = options.workerUrl !== undefined
    ? new Worker(options.workerUrl, { type: 'module', name })
    : new Worker(new URL('./worker-entry.js', import.meta.url), { type: 'module', name });
  return { ...webWorkerThread(WHO, worker), ep: worker };
}

function buffersOf(views: readonly ArrayBufferView[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of views) {
    if (v?.buffer instanceof ArrayBuffer && v.buffer.byteLength > 0) out.add(v.buffer);
  }
  return [...out];
}

/**
 * The progress callback as the worker calls it: the call is answered once `onProgress` has run, not when
 * a promise it returns settles — fit() waits for the answer to its last event, never for the page's work.
 */
function answeredAtOnce(
  onProgress: (progress: TrainerProgress) => unknown,
  onRejected: (error: unknown) => void,
): (progress: TrainerProgress) => void {
  return (progress) => {
    const r = onProgress(progress);
    if (typeof (r as PromiseLike<unknown> | undefined)?.then === 'function') (r as PromiseLike<unknown>).then(undefined, onRejected);
  };
}

/**
 * Starts a training worker and resolves once the worker has loaded the library and its wasm core.
 * Rejects with the worker's own message when it cannot start.
 */
export async function createTrainer(options: CreateTrainerOptions = {}): Promise<Trainer> {
  checkOptions('createTrainer', options, "{ name: 'trainer' }");
  if (options.workerUrl !== undefined && typeof options.workerUrl !== 'string' && !(options.workerUrl instanceof URL)) {
    throw new Error(`createTrainer: workerUrl must be a URL or a string, got ${describeValue(options.workerUrl)}`);
  }
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw new Error(`createTrainer: name must be a string, got ${describeValue(options.name)}`);
  }
  const spawned = isNode ? await spawnNode(options) : spawnBrowser(options);
  let deadError: Error | null = null;
  let rejectDead!: (e: Error) => void;
  const dead = new Promise<never>((_, reject) => {
    rejectDead = reject;
  });
  dead.catch(() => undefined);
  const die = (e: Error): void => {
    if (deadError !== null) return;
    deadError = e;
    rejectDead(e);
  };
  spawned.onDeath(die);

  const ready = new Promise<void>((resolve, reject) => {
    spawned.onMessage((data) => {
      if (!isReadyMessage(data)) return;
      if (data.ok) resolve();
      else {
        const err = new Error(data.message ?? 'the training worker failed to start');
        if (data.stack) err.stack = data.stack;
        reject(err);
      }
    });
  });
  try {
    await Promise.race([ready, dead]);
  } catch (e) {
    await spawned.terminate().catch(() => undefined);
    throw e;
  }

  const remote = Comlink.wrap<TrainerCore>(spawned.ep);
  let terminated = false;
  const call = <T>(what: () => Promise<T>): Promise<T> => {
    if (deadError !== null) return Promise.reject(deadError);
    return Promise.race([what(), dead]);
  };

  // Arguments this side must touch before sending (to transfer buffers, wrap a callback, copy indices)
  // are checked here, so that bad input rejects with a message rather than a TypeError from comlink;
  // the worker checks everything else.
  const checked = <T>(check: () => void, what: () => Promise<T>): Promise<T> => {
    try {
      check();
    } catch (e) {
      return Promise.reject(e);
    }
    return call(what);
  };

  const trainer: Trainer = {
    remote,
    setData: (d, opts) => checked(() => {
      if (!isOptionsObject(d)) throw new Error(`setData: expected ${TRAINER_DATA_SHAPE}, got ${describeValue(d)}`);
      checkOptions('setData', opts, '{ transfer: false }');
      checkBooleanOption('setData', 'options.transfer', opts?.transfer);
    }, () => {
      const views = [d.trainImages, d.trainLabels, d.testImages, d.testLabels];
      const payload = opts?.transfer === false ? d : Comlink.transfer(d, buffersOf(views));
      return remote.setData(payload);
    }),
    loadFashionMnist: (source, opts) => checked(() => {
      if (typeof source !== 'string' && !isOptionsObject(source)) {
        throw new Error(`loadFashionMnist: expected ${FASHION_MNIST_SOURCE_SHAPE}, got ${describeValue(source)}`);
      }
      checkOptions('loadFashionMnist', opts, '{ verify: false }');
      checkBooleanOption('loadFashionMnist', 'verify', opts?.verify);
    }, () => {
      let payload: FashionMnistSource = source;
      if (typeof source === 'string') {
        const base = (globalThis as { location?: { href?: string } }).location?.href;
        payload = base !== undefined ? new URL(source, base).href : source;
      } else {
        const views = Object.values(source).filter((v): v is Uint8Array => ArrayBuffer.isView(v));
        payload = Comlink.transfer(source, buffersOf(views));
      }
      return remote.loadFashionMnist(payload, opts);
    }),
    configure: (config = {}) => call(() => remote.configure(config)),
    reconfigure: (changes) => call(() => remote.reconfigure(changes)),
    fit: (onProgress, opts) => checked(() => {
      if (onProgress !== undefined && typeof onProgress !== 'function') {
        throw new Error(`fit: onProgress must be a function, got ${describeValue(onProgress)}`);
      }
      checkOptions('fit', opts, '{ epochs: 3 }');
    }, async () => {
      // A throw reaches the worker through comlink; a later rejection is only seen here: it stops the run.
      const rejected: unknown[] = [];
      const onRejected = (error: unknown): void => {
        if (rejected.push(error) === 1) void remote.stop().catch(() => undefined); // a dead worker rejects fit anyway
      };
      const result = await remote.fit(onProgress === undefined ? undefined : Comlink.proxy(answeredAtOnce(onProgress, onRejected)), opts);
      if (rejected.length > 0) throw progressCallbackFailed(rejected[0]);
      return result;
    }),
    stop: () => call(() => remote.stop()),
    evaluate: () => call(() => remote.evaluate()),
    predict: (indices) => checked(() => {
      if (!Array.isArray(indices) && !(ArrayBuffer.isView(indices) && !(indices instanceof DataView))) {
        throw new Error(`predict: expected an array (or typed array) of test-image indices, got ${describeValue(indices)}`);
      }
    }, () => remote.predict(Array.from(indices))),
    classify: (pixels) => call(() => remote.classify(pixels)),
    testProbabilities: () => call(() => remote.testProbabilities()),
    sampleGumbelSoftmax: (logits, opts) => call(() => remote.sampleGumbelSoftmax(logits, opts)),
    parameters: () => call(() => remote.parameters()),
    stateDict: () => call(() => remote.stateDict()),
    loadStateDict: (bytes) => call(() => remote.loadStateDict(bytes)),
    history: () => call(() => remote.history()),
    status: () => call(() => remote.status()),
    terminate: async () => {
      if (terminated) return;
      terminated = true;
      die(new Error('the training worker was terminated'));
      await spawned.terminate();
    },
  };
  return trainer;
}

/** Fashion-MNIST's class names, index = label (browser-safe: loads no wasm). */
export { FASHION_MNIST_CLASS_NAMES } from '../data/fashion-mnist-files.js';

/**
 * The models configure() builds, the optimisers' default learning rates and the optimiser a model trains
 * with by default (browser-safe: a module without imports), for a page's settings form.
 */
export { DEFAULT_LR, defaultOptimizer, MODEL_KINDS } from '../recipe-names.js';
