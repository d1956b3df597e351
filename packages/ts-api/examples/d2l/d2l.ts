// The pieces of the book's d2l library (`from d2l import torch as d2l`) that the ports call, written
// as the library writes them; their random draws can be replayed from PyTorch's run (./shared.ts).
// d2l.Animator draws the curves; its stand-in prints their last point (train_ch3's: every epoch's).
// Mirror: parity/d2l/d2l_torch.py.

import { arange, bmm, cos, data, DataLoader, logicalNot, nn, noGrad, normal, optim, pow, repeatInterleave, sin, slice, tensor, TensorDataset, textLabels, zeros, type Tensor } from '../../src/index.js';
import { fashionMnistLoaders, fashionMnistOnce } from '../common.js';
import { replayedOrders, shared } from './shared.js';

/** y = Xw + b + noise. */
export function syntheticData(w: Tensor, b: number, numExamples: number): [Tensor, Tensor] {
  const X = shared('synthetic_data.X', normal(0, 1, [numExamples, w.shape[0]]));
  let y = X.matmul(w).add(b);
  y = y.add(shared('synthetic_data.noise', normal(0, 0.01, y.shape)));
  return [X, y.reshape(-1, 1)];
}

/**
 * A PyTorch-style data iterator (shuffled when isTrain). When replaying, a shuffling one takes each
 * pass's order from PyTorch's recorded run instead of drawing it.
 */
export function loadArray(dataArrays: [Tensor, Tensor], batchSize: number, isTrain = true): Iterable<[Tensor, Tensor]> {
  const dataset = new TensorDataset(...dataArrays);
  if (!isTrain) return new DataLoader(dataset, { batchSize, shuffle: false });
  const orders = replayedOrders('order');
  if (orders === null) return new DataLoader(dataset, { batchSize, shuffle: true });
  const [X, y] = dataArrays;
  let pass = 0;
  function* batches(order: Int32Array): Generator<[Tensor, Tensor]> {
    for (let i = 0; i < order.length; i += batchSize) {
      const idx = tensor(Array.from(order.subarray(i, i + batchSize)), { dtype: 'int32' });
      yield [X.index(idx), y.index(idx)];
    }
  }
  return {
    [Symbol.iterator]: () => {
      const order = orders[pass++];
      if (order === undefined) throw new Error(`D2L_REPLAY: the loader is iterated more often than PyTorch's (${orders.length} passes recorded)`);
      return data.scoped(batches(order))[Symbol.iterator]();
    },
  };
}

/** The linear regression model. */
export function linreg(X: Tensor, w: Tensor, b: Tensor): Tensor {
  return X.matmul(w).add(b);
}

/** Squared loss. */
export function squaredLoss(yHat: Tensor, y: Tensor): Tensor {
  return yHat.sub(y.reshape(yHat.shape)).pow(2).div(2);
}

/** Minibatch stochastic gradient descent. */
export function sgd(params: Tensor[], lr: number, batchSize: number): void {
  noGrad(() => {
    for (const param of params) {
      param.sub_(param.grad!.mul(lr).div(batchSize));
      param.grad!.zero_();
    }
  });
}

/** Sums over n variables. */
export class Accumulator {
  data: number[];

  constructor(n: number) {
    this.data = new Array<number>(n).fill(0);
  }

  add(...args: number[]): void {
    this.data = this.data.map((a, i) => a + Number(args[i]));
  }

  reset(): void {
    this.data = this.data.map(() => 0);
  }

  get(idx: number): number {
    return this.data[idx];
  }
}

/** A model or loss as PyTorch calls it: a function, or a module (`net(X)` is `net.forward(X)`). */
export type Callable = ((...inputs: Tensor[]) => Tensor) | nn.Module;

/** The model's loss on a dataset (the mean over its examples). */
export function evaluateLoss(net: Callable, dataIter: Iterable<[Tensor, Tensor]>, loss: Callable): number {
  const metric = new Accumulator(2); // sum of the losses, number of examples
  for (let [X, y] of dataIter) {
    const out = call(net, X);
    y = y.reshape(out.shape);
    const l = call(loss, out, y);
    metric.add(l.sum().item(), l.numel());
  }
  return metric.get(0) / metric.get(1);
}

export interface AnimatorOptions {
  xlabel?: string;
  ylabel?: string;
  legend?: string[];
  xlim?: [number, number];
  ylim?: [number, number];
  yscale?: 'linear' | 'log';
  /** The stand-in's own option: print every point, not only the last. */
  everyPoint?: boolean;
}

/** Stand-in for d2l.Animator: prints the last point of the curves (x === xlim[1]) instead of drawing them. */
export class Animator {
  readonly options: AnimatorOptions;

  constructor(options: AnimatorOptions = {}) {
    this.options = options;
  }

  add(x: number, y: number[]): void {
    const { xlabel, legend = [], xlim, everyPoint = false } = this.options;
    if (everyPoint || (xlim !== undefined && x === xlim[1])) {
      console.log(`${xlabel} ${x}:`, legend.map((name, i) => `${name} ${y[i]}`).join(', '));
    }
  }
}

/** The two-dimensional cross-correlation (计算二维互相关运算), from 6.2. */
export function corr2d(X: Tensor, K: Tensor): Tensor {
  const [h, w] = K.shape;
  const Y = zeros([X.shape[0] - h + 1, X.shape[1] - w + 1]);
  for (let i = 0; i < Y.shape[0]; i++) {
    for (let j = 0; j < Y.shape[1]; j++) {
      Y.indexPut_([i, j], X.index(slice(i, i + h), slice(j, j + w)).mul(K).sum());
    }
  }
  return Y;
}

/**
 * d2l.load_data_fashion_mnist (3.5): the training loader reshuffles every pass. With D2L_SHARE_ORDERS=1
 * and a replay, each pass takes the order PyTorch's run recorded instead.
 */
export async function loadDataFashionMnist(batchSize: number): Promise<[Iterable<[Tensor, Tensor]>, Iterable<[Tensor, Tensor]>]> {
  const [trainLoader, testLoader] = await fashionMnistLoaders(batchSize);
  const orders = process.env.D2L_SHARE_ORDERS === '1' ? replayedOrders('order') : null;
  if (orders === null) return [trainLoader, testLoader];
  const { train } = await fashionMnistOnce();
  let pass = 0;
  function* batches(order: Int32Array): Generator<[Tensor, Tensor]> {
    for (let i = 0; i < order.length; i += batchSize) yield train.getBatch(order.subarray(i, i + batchSize));
  }
  const replayed = {
    [Symbol.iterator]: () => {
      const order = orders[pass++];
      if (order === undefined) throw new Error(`D2L_REPLAY: the training set is iterated more often than PyTorch's (${orders.length} passes recorded)`);
      return data.scoped(batches(order))[Symbol.iterator]();
    },
  };
  return [replayed, testLoader];
}

/** `net(X)` for a function or a module. */
export function call(net: Callable, ...inputs: Tensor[]): Tensor {
  return net instanceof nn.Module ? net.forward(...inputs) : net(...inputs);
}

/** The number of correct predictions (3.6). */
export function accuracy(yHat: Tensor, y: Tensor): number {
  if (yHat.shape.length > 1 && yHat.shape[1] > 1) {
    yHat = yHat.argmax(1);
  }
  const cmp = yHat.type(y.dtype).eq(y);
  return Number(cmp.type(y.dtype).sum());
}

/** The model's accuracy on a dataset (3.6). */
export function evaluateAccuracy(net: Callable, dataIter: Iterable<[Tensor, Tensor]>): number {
  if (net instanceof nn.Module) {
    net.eval(); // evaluation mode
  }
  const metric = new Accumulator(2); // correct predictions, predictions
  noGrad(() => {
    for (const [X, y] of dataIter) {
      metric.add(accuracy(call(net, X), y), y.numel());
    }
  });
  return metric.get(0) / metric.get(1);
}

export type Updater = optim.Optimizer<object> | ((batchSize: number) => void);

/** One training epoch (chapter 3): the mean loss and the accuracy over the epoch's examples. */
export function trainEpochCh3(net: Callable, trainIter: Iterable<[Tensor, Tensor]>, loss: Callable, updater: Updater): [number, number] {
  // training mode
  if (net instanceof nn.Module) {
    net.train();
  }
  // sum of the training loss, sum of the correct predictions, number of examples
  const metric = new Accumulator(3);
  for (const [X, y] of trainIter) {
    // compute the gradients and update the parameters
    const yHat = call(net, X);
    const l = call(loss, yHat, y);
    if (updater instanceof optim.Optimizer) {
      // PyTorch's built-in optimiser and loss
      updater.zeroGrad();
      l.mean().backward();
      updater.step();
    } else {
      // the hand-written optimiser and loss
      l.sum().backward();
      updater(X.shape[0]);
    }
    metric.add(Number(l.sum()), accuracy(yHat, y), y.numel());
  }
  // the training loss and accuracy
  return [metric.get(0) / metric.get(2), metric.get(1) / metric.get(2)];
}

function assert(condition: boolean, value: number): void {
  if (!condition) throw new Error(`AssertionError: ${value}`);
}

/**
 * The book's epoch count, or D2L_EPOCHS when set (the tests' short runs). A short run skips train_ch3's
 * asserts, which hold for the book's epochs: the tests check its lines against PyTorch's instead.
 */
export function numEpochsOr(bookEpochs: number): number {
  const n = process.env.D2L_EPOCHS;
  if (n === undefined || n === '') return bookEpochs;
  if (!/^[1-9]\d*$/.test(n)) throw new Error(`D2L_EPOCHS must be a positive integer, got ${JSON.stringify(n)}`);
  return Number(n);
}

/** Trains the model (chapter 3); the Animator prints each epoch's point. */
export function trainCh3(net: Callable, trainIter: Iterable<[Tensor, Tensor]>, testIter: Iterable<[Tensor, Tensor]>,
                         loss: Callable, numEpochs: number, updater: Updater): void {
  const animator = new Animator({ xlabel: 'epoch', xlim: [1, numEpochs], ylim: [0.3, 0.9],
                                  legend: ['train loss', 'train acc', 'test acc'], everyPoint: true });
  let trainMetrics: [number, number] = [NaN, NaN];
  let testAcc = NaN;
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    trainMetrics = trainEpochCh3(net, trainIter, loss, updater);
    testAcc = evaluateAccuracy(net, testIter);
    animator.add(epoch + 1, [...trainMetrics, testAcc]);
  }
  if (process.env.D2L_EPOCHS !== undefined && process.env.D2L_EPOCHS !== '') return;
  const [trainLoss, trainAcc] = trainMetrics;
  assert(trainLoss < 0.5, trainLoss);
  assert(trainAcc <= 1 && trainAcc > 0.7, trainAcc);
  assert(testAcc <= 1 && testAcc > 0.7, testAcc);
}

/** Predicts labels (chapter 3); prints the titles the book draws above the first n images. */
export function predictCh3(net: Callable, testIter: Iterable<[Tensor, Tensor]>, n = 6): void {
  for (const [X, y] of testIter) {
    const trues = textLabels(y.toArray());
    const preds = textLabels(call(net, X).argmax(1).toArray());
    const titles = trues.map((t, i) => `${t}\n${preds[i]}`);
    console.log('trues:', titles.slice(0, n).map((t) => t.split('\n')[0]).join(', '));
    console.log('preds:', titles.slice(0, n).map((t) => t.split('\n')[1]).join(', '));
    break;
  }
}

/** Positional encoding (10.6). */
export class PositionalEncoding extends nn.Module {
  readonly dropout: nn.Dropout;
  // a plain tensor, not a parameter or buffer: as in the book, the module does not register P
  P: Tensor;

  constructor(numHiddens: number, dropout: number, maxLen = 1000) {
    super();
    this.dropout = new nn.Dropout(dropout);
    // create a long enough P
    this.P = zeros([1, maxLen, numHiddens]);
    const X = arange(maxLen, { dtype: 'float32' }).reshape(
      -1, 1).div(pow(10000, arange(
      0, numHiddens, 2, { dtype: 'float32' }).div(numHiddens)));
    this.P.indexPut_([':', ':', '0::2'], sin(X));
    this.P.indexPut_([':', ':', '1::2'], cos(X));
  }

  forward(X: Tensor): Tensor {
    X = X.add(this.P.index(':', slice(null, X.shape[1]), ':'));
    return this.dropout.forward(X);
  }
}

// Chapter 10 (attention), saved by 10.3 and 10.5 (#@save); the section ports import them from here, so
// the copy later sections call is the one their tests check against PyTorch (parity/d2l/ch10_*.py).

/**
 * Masks irrelevant entries of sequences (在序列中屏蔽不相关的项), from 9.7: X[~mask] = value, in place.
 * PyTorch's `~` on a bool tensor is logicalNot.
 */
export function sequenceMask(X: Tensor, validLen: Tensor, value = 0): Tensor {
  const maxlen = X.size(1);
  const mask = arange(maxlen, { dtype: 'float32' }).index(null, slice()).lt(validLen.index(slice(), null));
  X.indexPut_([logicalNot(mask)], value);
  return X;
}

/** Softmax over the last axis with the entries past each valid length masked (通过在最后一个轴上掩蔽元素来执行softmax操作), from 10.3. */
export function maskedSoftmax(X: Tensor, validLens: Tensor | null): Tensor {
  // X: a 3-D tensor; validLens: 1-D or 2-D.
  if (validLens === null) {
    return nn.functional.softmax(X, -1);
  } else {
    const shape = X.shape;
    if (validLens.dim() === 1) {
      validLens = repeatInterleave(validLens, shape[1]);
    } else {
      validLens = validLens.reshape(-1);
    }
    // Masked entries on the last axis become a very large negative value, so that softmax gives them 0.
    X = sequenceMask(X.reshape(-1, shape[shape.length - 1]), validLens, -1e6);
    return nn.functional.softmax(X.reshape(shape), -1);
  }
}

/** Additive attention (加性注意力), from 10.3. Property names as the book's, so state dicts match PyTorch's. */
export class AdditiveAttention extends nn.Module {
  readonly W_k: nn.Linear;
  readonly W_q: nn.Linear;
  readonly w_v: nn.Linear;
  readonly dropout: nn.Dropout;
  attentionWeights: Tensor | null = null;

  constructor(keySize: number, querySize: number, numHiddens: number, dropout: number) {
    super();
    this.W_k = new nn.Linear(keySize, numHiddens, { bias: false });
    this.W_q = new nn.Linear(querySize, numHiddens, { bias: false });
    this.w_v = new nn.Linear(numHiddens, 1, { bias: false });
    this.dropout = new nn.Dropout(dropout);
  }

  forward(queries: Tensor, keys: Tensor, values: Tensor, validLens: Tensor | null): Tensor {
    [queries, keys] = [this.W_q.forward(queries), this.W_k.forward(keys)];
    // After unsqueezing, queries: (batch_size, number of queries, 1, num_hiddens) and keys:
    // (batch_size, 1, number of key-value pairs, num_hiddens); they add by broadcasting.
    let features = queries.unsqueeze(2).add(keys.unsqueeze(1));
    features = features.tanh();
    // w_v has one output, so the last dim goes: scores (batch_size, number of queries, number of pairs).
    const scores = this.w_v.forward(features).squeeze(-1);
    this.attentionWeights = maskedSoftmax(scores, validLens);
    // values: (batch_size, number of key-value pairs, value dim).
    return bmm(this.dropout.forward(this.attentionWeights), values);
  }
}

/** Scaled dot-product attention (缩放点积注意力), from 10.3. */
export class DotProductAttention extends nn.Module {
  readonly dropout: nn.Dropout;
  attentionWeights: Tensor | null = null;

  constructor(dropout: number) {
    super();
    this.dropout = new nn.Dropout(dropout);
  }

  // queries: (batch_size, number of queries, d); keys: (batch_size, number of key-value pairs, d);
  // values: (batch_size, number of pairs, value dim); validLens: (batch_size,) or (batch_size, queries).
  forward(queries: Tensor, keys: Tensor, values: Tensor, validLens: Tensor | null = null): Tensor {
    const d = queries.shape[queries.shape.length - 1];
    // keys.transpose(1, 2): the book's transpose_b=True.
    const scores = bmm(queries, keys.transpose(1, 2)).div(Math.sqrt(d));
    this.attentionWeights = maskedSoftmax(scores, validLens);
    return bmm(this.dropout.forward(this.attentionWeights), values);
  }
}

/** Reshapes for the parallel computation of the heads (为了多注意力头的并行计算而变换形状), from 10.5. */
export function transposeQkv(X: Tensor, numHeads: number): Tensor {
  // In: (batch_size, number of queries or key-value pairs, num_hiddens);
  // out: (batch_size, number of queries or pairs, num_heads, num_hiddens / num_heads).
  X = X.reshape(X.shape[0], X.shape[1], numHeads, -1);
  // (batch_size, num_heads, number of queries or pairs, num_hiddens / num_heads)
  X = X.permute(0, 2, 1, 3);
  // (batch_size * num_heads, number of queries or pairs, num_hiddens / num_heads)
  return X.reshape(-1, X.shape[2], X.shape[3]);
}

/** Reverses transposeQkv (逆转transpose_qkv函数的操作), from 10.5. */
export function transposeOutput(X: Tensor, numHeads: number): Tensor {
  X = X.reshape(-1, numHeads, X.shape[1], X.shape[2]);
  X = X.permute(0, 2, 1, 3);
  return X.reshape(X.shape[0], X.shape[1], -1);
}

/** Multi-head attention (多头注意力), from 10.5. */
export class MultiHeadAttention extends nn.Module {
  readonly numHeads: number;
  readonly attention: DotProductAttention;
  readonly W_q: nn.Linear;
  readonly W_k: nn.Linear;
  readonly W_v: nn.Linear;
  readonly W_o: nn.Linear;

  constructor(keySize: number, querySize: number, valueSize: number, numHiddens: number, numHeads: number, dropout: number, bias = false) {
    super();
    this.numHeads = numHeads;
    this.attention = new DotProductAttention(dropout);
    this.W_q = new nn.Linear(querySize, numHiddens, { bias });
    this.W_k = new nn.Linear(keySize, numHiddens, { bias });
    this.W_v = new nn.Linear(valueSize, numHiddens, { bias });
    this.W_o = new nn.Linear(numHiddens, numHiddens, { bias });
  }

  forward(queries: Tensor, keys: Tensor, values: Tensor, validLens: Tensor | null): Tensor {
    // queries, keys, values: (batch_size, number of queries or key-value pairs, num_hiddens);
    // validLens: (batch_size,) or (batch_size, number of queries). After transposeQkv:
    // (batch_size * num_heads, number of queries or pairs, num_hiddens / num_heads).
    queries = transposeQkv(this.W_q.forward(queries), this.numHeads);
    keys = transposeQkv(this.W_k.forward(keys), this.numHeads);
    values = transposeQkv(this.W_v.forward(values), this.numHeads);

    if (validLens !== null) {
      // On axis 0, copy the first item (scalar or vector) numHeads times, then the second, and so on.
      validLens = repeatInterleave(validLens, this.numHeads, 0);
    }

    // output: (batch_size * num_heads, number of queries, num_hiddens / num_heads)
    const output = this.attention.forward(queries, keys, values, validLens);

    // outputConcat: (batch_size, number of queries, num_hiddens)
    const outputConcat = transposeOutput(output, this.numHeads);
    return this.W_o.forward(outputConcat);
  }
}
