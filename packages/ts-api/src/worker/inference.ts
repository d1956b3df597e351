// What the worker computes with a model without training it: the test set's evaluation (confusion,
// per-class accuracy, the misclassified images), predictions and probabilities, classification of
// pixels the page sends, and the weights as named arrays.

import { argmax, crossEntropy, data, DataLoader, noGrad, softmax, tidy, type nn, type Tensor } from '../index.js';
import { allocStorage, kernels } from '../backend/index.js';
import { describeValue } from './describe.js';
import type { Classification, Evaluation, NamedArray } from './types.js';

export const IMAGE = 28 * 28;
export const CLASSES = 10;
/** Rows per forward pass when the worker goes through a whole set. */
const CHUNK = 1000;

/** Runs `fn` with `net` in eval mode and gradients off, then puts its mode back. */
function inEval<T>(net: nn.Module, fn: () => T): T {
  const wasTraining = net.training;
  net.eval();
  try {
    return noGrad(fn);
  } finally {
    net.train(wasTraining);
  }
}

/** Accuracy, mean cross-entropy, confusion matrix, per-class accuracy and the misclassified indices on `testSet`. */
export function evaluateModel(net: nn.Module, testSet: data.ImageDataset): Evaluation {
  // Counted in the core (confusion_i32 adds each batch into the same CLASSES × CLASSES int32 matrix).
  const counts = allocStorage('int32', CLASSES * CLASSES, { zero: true });
  let lossSum = 0;
  const mistakes: number[] = [];
  let matrix: Int32Array;
  try {
    inEval(net, () => {
      let offset = 0;
      for (const [X, y] of new DataLoader(testSet, { batchSize: CHUNK })) {
        tidy(() => {
          const logits = net.forward(X);
          lossSum += crossEntropy(logits, y, { reduction: 'sum' }).item();
          const predicted = argmax(logits, 1);
          kernels.confusion(predicted.storage('evaluate'), y.storage('evaluate'), CLASSES, counts);
          const wrong = predicted.ne(y).toArray() as ArrayLike<number>;
          for (let i = 0; i < wrong.length; i++) if (wrong[i]) mistakes.push(offset + i);
        });
        offset += y.shape[0];
      }
    });
    matrix = counts.i32().slice();
  } finally {
    counts.dispose();
  }
  // confusion[true][predicted]; the correct predictions are its diagonal.
  const confusion = Array.from({ length: CLASSES }, (_, t) => Array.from(matrix.subarray(t * CLASSES, (t + 1) * CLASSES)));
  const correct = confusion.reduce((acc, row, t) => acc + row[t], 0);
  const perClassAccuracy = confusion.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? NaN : row[t] / total;
  });
  return {
    accuracy: correct / testSet.length, loss: lossSum / testSet.length, count: testSet.length, confusion, perClassAccuracy,
    mistakes: Int32Array.from(mistakes),
  };
}

/** Softmax probabilities and predicted labels of a batch of images. */
function probabilitiesOf(net: nn.Module, X: Tensor): { probabilities: Float32Array; labels: Int32Array } {
  return tidy(() => {
    const p = softmax(net.forward(X), 1);
    return { probabilities: p.toArray() as Float32Array, labels: argmax(p, 1).toArray() as Int32Array };
  });
}

/** Probabilities [n, 10] and labels of the test images at `idx` (checked indices). */
export function predictIndices(net: nn.Module, testSet: data.ImageDataset, idx: Int32Array): { probabilities: Float32Array; labels: Int32Array } {
  if (idx.length === 0) return { labels: new Int32Array(0), probabilities: new Float32Array(0) };
  return inEval(net, () => tidy(() => probabilitiesOf(net, testSet.getBatch(idx)[0])));
}

/** Softmax probabilities [testCount, 10] of the whole test set, row-major. */
export function testProbabilities(net: nn.Module, testSet: data.ImageDataset): Float32Array {
  const out = new Float32Array(testSet.length * CLASSES);
  inEval(net, () => {
    let row = 0;
    for (const [X, y] of new DataLoader(testSet, { batchSize: CHUNK })) {
      out.set(probabilitiesOf(net, X).probabilities, row * CLASSES);
      row += y.shape[0];
    }
  });
  return out;
}

/**
 * Classifies n 28×28 images given as n × 784 uint8 pixels (row-major), scaled as the training images
 * are (an ImageDataset over them: pixel / 255).
 */
export function classifyPixels(net: nn.Module, pixels: unknown): Classification {
  if (!(pixels instanceof Uint8Array)) {
    throw new Error(`classify: expected the pixels as a Uint8Array (n × 784 bytes of 28×28 images, row-major), got ${describeValue(pixels)}`);
  }
  if (pixels.length === 0 || pixels.length % IMAGE !== 0) {
    throw new Error(`classify: expected n × 784 pixels for n ≥ 1 images of 28×28, got ${pixels.length} bytes (${pixels.length === 0 ? 'none' : 'not a multiple of 784'})`);
  }
  const count = pixels.length / IMAGE;
  const images = new data.ImageDataset(pixels, new Int32Array(count), [1, 28, 28]);
  const probabilities = new Float32Array(count * CLASSES);
  const labels = new Int32Array(count);
  try {
    inEval(net, () => {
      for (let start = 0; start < count; start += CHUNK) {
        const idx = Int32Array.from({ length: Math.min(CHUNK, count - start) }, (_, i) => start + i);
        const r = tidy(() => probabilitiesOf(net, images.getBatch(idx)[0]));
        probabilities.set(r.probabilities, start * CLASSES);
        labels.set(r.labels, start);
      }
    });
  } finally {
    images.dispose();
  }
  return { count, labels, probabilities };
}

/** The model's state dict as named float32 arrays, in its order. */
export function namedParameters(net: nn.Module): NamedArray[] {
  const dict = net.stateDict();
  try {
    return Object.entries(dict).map(([name, t]) => ({ name, shape: [...t.shape], data: Float32Array.from(t.toArray() as ArrayLike<number>) }));
  } finally {
    for (const t of Object.values(dict)) t.dispose();
  }
}
