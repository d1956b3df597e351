// d2l.ai 6.4 "Multiple Input and Multiple Output Channels" (多输入多输出通道), ported with the structure
// of the book's code: one console.log per value the book displays. Iterating a tensor (`for k in K`)
// is iterating `K.unbind()`, which is what PyTorch iterates; Python's `sum(...)` is a reduce of add.
// The inputs of the 1×1 comparison can be replayed from PyTorch's run (./shared.ts).

import assert from 'node:assert';
import { abs, matmul, normal, stack, tensor, type Tensor } from '../../src/index.js';
import * as d2l from './d2l.js';
import { shared } from './shared.js';

/** Python's zip of two lists: pairs up to the shorter one's length. */
const zip = <A, B>(a: readonly A[], b: readonly B[]): [A, B][] => a.slice(0, Math.min(a.length, b.length)).map((x, i) => [x, b[i]]);

// 6.4.1 Multiple input channels (多输入通道)
function corr2dMultiIn(X: Tensor, K: Tensor): Tensor {
  // Walk dim 0 (the channels) of X and K together, then add the results up.
  return zip(X.unbind(), K.unbind()).map(([x, k]) => d2l.corr2d(x, k)).reduce((a, b) => a.add(b));
}

let X = tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
  [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]);
let K = tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]]);

console.log(corr2dMultiIn(X, K));

// 6.4.2 Multiple output channels (多输出通道)
function corr2dMultiInOut(X: Tensor, K: Tensor): Tensor {
  // Cross-correlate X with each kernel along dim 0 of K, and stack the results.
  return stack(K.unbind().map((k) => corr2dMultiIn(X, k)), 0);
}

K = stack([K, K.add(1), K.add(2)], 0);
console.log(K.shape);

console.log(corr2dMultiInOut(X, K));

// 6.4.3 1×1 convolutional layer (1×1 卷积层)
function corr2dMultiInOut1x1(X: Tensor, K: Tensor): Tensor {
  const [cI, h, w] = X.shape;
  const cO = K.shape[0];
  X = X.reshape([cI, h * w]);
  K = K.reshape([cO, cI]);
  // The matrix multiplication of a fully connected layer.
  const Y = matmul(K, X);
  return Y.reshape([cO, h, w]);
}

X = shared('X', normal(0, 1, [3, 3, 3]));
K = shared('K', normal(0, 1, [2, 3, 1, 1]));

const Y1 = corr2dMultiInOut1x1(X, K);
const Y2 = corr2dMultiInOut(X, K);
assert(Number(abs(Y1.sub(Y2)).sum()) < 1e-6);
