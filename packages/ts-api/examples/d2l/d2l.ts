// The pieces of the book's d2l library (`from d2l import torch as d2l`) that the ports call, written
// as the library writes them; their random draws can be replayed from PyTorch's run (./shared.ts).
// d2l.Animator draws the curves; its stand-in prints their last point. Mirror: parity/d2l/d2l_torch.py.

import { data, DataLoader, nn, noGrad, normal, slice, tensor, TensorDataset, zeros, type Tensor } from '../../src/index.js';
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

  get(idx: number): number {
    return this.data[idx];
  }
}

/** A model or loss as PyTorch calls it: a function, or a module (`net(X)` is `net.forward(X)`). */
export type Callable = ((...inputs: Tensor[]) => Tensor) | nn.Module;
const call = (f: Callable, ...inputs: Tensor[]): Tensor => (f instanceof nn.Module ? f.forward(...inputs) : f(...inputs));

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
  yscale?: 'linear' | 'log';
}

/** Stand-in for d2l.Animator: prints the last point of the curves (x === xlim[1]) instead of drawing them. */
export class Animator {
  readonly options: AnimatorOptions;

  constructor(options: AnimatorOptions = {}) {
    this.options = options;
  }

  add(x: number, y: number[]): void {
    const { xlabel, legend = [], xlim } = this.options;
    if (xlim !== undefined && x === xlim[1]) {
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
