// Contestants: TensorFlow.js 4.x on @tensorflow/tfjs-backend-wasm (SIMD, not threaded: its threads do not
// start in Node) or @tensorflow/tfjs-backend-cpu, through the Layers API (model.fit) or a low-level loop
// (optimizer.minimize inside tf.tidy). Usage: node --import tsx workers/tfjs.ts JOB_JSON BACKEND API
// with BACKEND wasm|cpu and API layers|loop. Prints one @@RESULT line.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  emit, fill, gemmProbe, now, parseJob, peakRssMB, permutation, probeError, readFashionMnist, timeGemm,
  type GemmJob, type TrainJob,
} from '../common.js';

const backend = process.argv[3] ?? 'wasm';
const api = process.argv[4] ?? 'layers';
const notes: string[] = [];

if (backend === 'wasm') {
  const require = createRequire(import.meta.url);
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  setWasmPaths(dist);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
}
if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
await tf.ready();
if (backend === 'wasm') {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  if (!simd) throw new Error('tfjs-backend-wasm: no SIMD support detected');
  notes.push('tfjs-backend-wasm-simd.wasm (SIMD, 1 thread)');
}
notes.push(`tfjs ${tf.version_core}`);

/**
 * d2l 6.6's LeNet with ReLU and max pooling (channels last), with PyTorch's default initialisation:
 * kernels U(±1/√fanIn) (kaiming-uniform with a = √5), biases U(±1/√fanIn).
 */
function buildLenet(seed: number): tfl.Sequential {
  const kernel = (s: number) => tfl.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: s });
  const bias = (fanIn: number, s: number) => tfl.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn), seed: s });
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: kernel(seed + 1), biasInitializer: bias(25, seed + 2) }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: kernel(seed + 3), biasInitializer: bias(150, seed + 4) }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tfl.layers.flatten());
  for (const [units, fanIn, s] of [[120, 400, 5], [84, 120, 7]]) {
    model.add(tfl.layers.dense({ units, activation: 'relu', kernelInitializer: kernel(seed + s), biasInitializer: bias(fanIn, seed + s + 1) }));
  }
  model.add(tfl.layers.dense({ units: 10, kernelInitializer: kernel(seed + 9), biasInitializer: bias(84, seed + 10) }));
  return model;
}

function buildModel(job: TrainJob, seed: number): tfl.Sequential {
  if (job.model === 'lenet') return buildLenet(seed);
  const init = (s: number) => tfl.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: s });
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [28, 28] }));
  if (job.model === 'mlp') model.add(tfl.layers.dense({ units: 256, activation: 'relu', kernelInitializer: init(seed + 1) }));
  model.add(tfl.layers.dense({ units: 10, kernelInitializer: init(seed + 2) }));
  return model;
}

async function train(job: TrainJob): Promise<void> {
  const t0 = now();
  const raw = readFashionMnist(job.dataDir);
  const toX = (u8: Uint8Array, n: number): tf.Tensor => {
    const f = new Float32Array(u8.length);
    for (let i = 0; i < u8.length; i++) f[i] = u8[i] / 255;
    return job.model === 'lenet' ? tf.tensor4d(f, [n, 28, 28, 1]) : tf.tensor3d(f, [n, 28, 28]);
  };
  const full = raw.train.count;
  const batchesPerEpoch = Math.ceil(full / job.batchSize);
  const batchesRun = job.maxBatches > 0 ? Math.min(job.maxBatches, batchesPerEpoch) : batchesPerEpoch;
  const Xtrain = toX(raw.train.images, full);
  const ytrain = tf.tensor1d(Int32Array.from(raw.train.labels), 'int32');
  const Ytrain = tf.cast(tf.oneHot(ytrain, 10), 'float32');
  const Xtest = toX(raw.test.images, raw.test.count);
  const ytest = tf.tensor1d(Int32Array.from(raw.test.labels), 'int32');
  const loadSeconds = now() - t0;
  const lossFn = (yTrue: tf.Tensor, logits: tf.Tensor): tf.Scalar => tf.losses.softmaxCrossEntropy(yTrue, logits) as tf.Scalar;

  const epochSeconds: number[] = [], trainLoss: number[] = [], examplesPerEpoch: number[] = [];
  let predict: (x: tf.Tensor) => tf.Tensor;
  if (api === 'layers') {
    const model = buildModel(job, job.seed);
    model.compile({ optimizer: tf.train.sgd(job.lr), loss: lossFn });
    // A partial epoch (quick mode) trains on as many examples as maxBatches batches hold.
    const n = Math.min(full, batchesRun * job.batchSize);
    const X = n === full ? Xtrain : tf.slice(Xtrain, 0, n), Y = n === full ? Ytrain : tf.slice(Ytrain, 0, n);
    let e0 = 0;
    await model.fit(X, Y, {
      batchSize: job.batchSize, epochs: job.epochs, shuffle: true, verbose: 0,
      callbacks: {
        onEpochBegin: async () => { e0 = now(); },
        onEpochEnd: async (epoch, logs) => {
          epochSeconds.push(now() - e0);
          trainLoss.push(Number(logs?.loss));
          examplesPerEpoch.push(n);
          process.stderr.write(`  epoch ${epoch + 1}: ${(now() - e0).toFixed(2)} s, loss ${Number(logs?.loss).toFixed(4)}\n`);
        },
      },
    });
    predict = (x) => model.predict(x, { batchSize: job.batchSize }) as tf.Tensor;
  } else {
    const normal = (shape: number[], seed: number) => tf.variable(tf.randomNormal(shape, 0, 0.01, 'float32', seed));
    // LeNet: the Layers model's variables, applied inside the same minimize loop.
    const lenet = job.model === 'lenet' ? buildLenet(job.seed) : null;
    const params: tf.Variable[] = lenet !== null ? lenet.trainableWeights.map((w) => w.read() as tf.Variable) : job.model === 'recipe'
      ? [normal([784, 10], job.seed + 2), tf.variable(tf.zeros([10]))]
      : [normal([784, 256], job.seed + 1), tf.variable(tf.zeros([256])), normal([256, 10], job.seed + 2), tf.variable(tf.zeros([10]))];
    const forward = (x: tf.Tensor): tf.Tensor => {
      if (lenet !== null) return lenet.apply(x) as tf.Tensor;
      const flat = tf.reshape(x, [x.shape[0], 784]);
      if (params.length === 2) return tf.add(tf.matMul(flat, params[0]), params[1]);
      const h = tf.relu(tf.add(tf.matMul(flat, params[0]), params[1]));
      return tf.add(tf.matMul(h, params[2]), params[3]);
    };
    const opt = tf.train.sgd(job.lr);
    const state = { s: (job.seed * 2654435761) >>> 0 || 1 };
    for (let epoch = 0; epoch < job.epochs; epoch++) {
      const e0 = now();
      const perm = permutation(full, state);
      let lossSum = 0, n = 0;
      for (let b = 0; b < batchesRun; b++) {
        const idxArr = perm.subarray(b * job.batchSize, Math.min(full, (b + 1) * job.batchSize));
        const idx = tf.tensor1d(idxArr, 'int32');
        const cost = tf.tidy(() => {
          const xb = tf.gather(Xtrain, idx), yb = tf.gather(Ytrain, idx);
          return opt.minimize(() => lossFn(yb, forward(xb)), true, params)!;
        });
        lossSum += cost.dataSync()[0] * idxArr.length;
        n += idxArr.length;
        cost.dispose();
        idx.dispose();
      }
      epochSeconds.push(now() - e0);
      trainLoss.push(lossSum / n);
      examplesPerEpoch.push(n);
      process.stderr.write(`  epoch ${epoch + 1}: ${(now() - e0).toFixed(2)} s, loss ${(lossSum / n).toFixed(4)}\n`);
    }
    predict = (x) => {
      const parts: tf.Tensor[] = [];
      for (let i = 0; i < x.shape[0]; i += job.batchSize) {
        parts.push(tf.tidy(() => forward(tf.slice(x, i, Math.min(job.batchSize, x.shape[0] - i)))));
      }
      const out = tf.concat(parts);
      tf.dispose(parts);
      return out;
    };
  }

  const inferSeconds: number[] = [];
  let testAccuracy = NaN;
  for (let pass = 0; pass < job.inferPasses; pass++) {
    const i0 = now();
    const correct = tf.tidy(() => tf.sum(tf.equal(tf.argMax(predict(Xtest), 1), ytest)).dataSync()[0]);
    inferSeconds.push(now() - i0);
    if (pass === 0) testAccuracy = correct / raw.test.count;
  }
  notes.push(`tensors at end: ${tf.memory().numTensors}`);
  emit({
    task: 'train', epochSeconds, batchesRun, batchesPerEpoch, examplesPerEpoch, trainLoss, testAccuracy,
    inferSeconds, loadSeconds, peakRssMB: peakRssMB(), notes,
  });
}

function gemm(job: GemmJob): void {
  const rows = [];
  for (const s of job.shapes) {
    const av = fill(s.m * s.k, 1), bv = fill(s.k * s.n, 2);
    const a = tf.tensor2d(av, s.transA ? [s.k, s.m] : [s.m, s.k]);
    const b = tf.tensor2d(bv, s.transB ? [s.n, s.k] : [s.k, s.n]);
    const t = timeGemm(s, () => { tf.matMul(a, b, s.transA, s.transB).dispose(); }, {
      reps: job.reps, batchMs: job.batchMs,
      // At least 2 calls, 5 when they are quick (≤ 1 s in all), and at least warmupMs.
      warming: (calls, ms) => calls < 2 || (calls < 5 && ms < 1000) || ms < job.warmupMs,
    });
    const c = tf.matMul(a, b, s.transA, s.transB);
    const err = probeError(s, gemmProbe(s, av, bv), c.dataSync() as Float32Array);
    rows.push({ name: s.name, gflops: t.median, best: t.best, maxAbsErr: err });
    tf.dispose([a, b, c]);
  }
  emit({ task: 'gemm', rows, peakRssMB: peakRssMB(), notes });
}

// Errors are printed short: emscripten's handlers would otherwise dump its whole minified source.
try {
  const job = parseJob();
  if (job.task === 'train') await train(job);
  else gemm(job);
} catch (e) {
  process.stderr.write(`error: ${(e as Error).stack?.split('\n').slice(0, 4).join('\n') ?? String(e)}\n`);
  process.exit(1);
}
process.exit(0);
