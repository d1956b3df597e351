// Parameter-free layers: Flatten, ReLU, Sigmoid, Softmax, LogSoftmax, Dropout, Identity.

import { dropout } from '../tensor/ops/dropout.js';
import { relu, sigmoid } from '../tensor/ops/elementwise.js';
import { flatten } from '../tensor/ops/shape.js';
import { logSoftmax, softmax } from '../tensor/ops/softmax.js';
import type { Tensor } from '../tensor/tensor.js';
import { describable, Module } from './module.js';

export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return relu(input);
  }
}

export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
    if (typeof dim !== 'number') throw new Error('Softmax: dim is required (PyTorch warns when it is implicit), e.g. new nn.Softmax(1)');
  }
  forward(input: Tensor): Tensor {
    return softmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
    if (typeof dim !== 'number') throw new Error('LogSoftmax: dim is required, e.g. new nn.LogSoftmax(1)');
  }
  forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Zeroes elements with probability p while training (scaling the rest by 1/(1−p)); identity in eval(). */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: probability must be in [0, 1], got ${p}`);
  }
  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${this.p}, inplace=False`;
  }
}

export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}

describable(Flatten, 'Flatten', (m) => ({ startDim: m.startDim, endDim: m.endDim }), (d) => new Flatten(d.startDim as number, d.endDim as number));
describable(ReLU, 'ReLU', () => ({}), () => new ReLU());
describable(Sigmoid, 'Sigmoid', () => ({}), () => new Sigmoid());
describable(Softmax, 'Softmax', (m) => ({ dim: m.dim }), (d) => new Softmax(d.dim as number));
describable(LogSoftmax, 'LogSoftmax', (m) => ({ dim: m.dim }), (d) => new LogSoftmax(d.dim as number));
describable(Dropout, 'Dropout', (m) => ({ p: m.p }), (d) => new Dropout(d.p as number));
describable(Identity, 'Identity', () => ({}), () => new Identity());
