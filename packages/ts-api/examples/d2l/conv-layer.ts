// d2l.ai 6.2 "Convolutions for Images" (图像卷积), ported with the structure of the book's code: one
// console.log per value the book displays. `Y[i, j] = (X[i:i + h, j:j + w] * K).sum()` becomes
// `Y.indexPut_([i, j], X.index(slice(i, i + h), slice(j, j + w)).mul(K).sum())`, `net(X)` is
// `net.forward(X)`. The learned layer's initial kernel can be replayed from PyTorch's run (./shared.ts).

import { nn, ones, rand, slice, tensor, zeros, type Tensor } from '../../src/index.js';
import { shared } from './shared.js';

// 6.2.1 The cross-correlation operation (互相关运算)
/** The two-dimensional cross-correlation (计算二维互相关运算); also d2l.corr2d (./d2l.ts). */
function corr2d(X: Tensor, K: Tensor): Tensor {
  const [h, w] = K.shape;
  const Y = zeros([X.shape[0] - h + 1, X.shape[1] - w + 1]);
  for (let i = 0; i < Y.shape[0]; i++) {
    for (let j = 0; j < Y.shape[1]; j++) {
      Y.indexPut_([i, j], X.index(slice(i, i + h), slice(j, j + w)).mul(K).sum());
    }
  }
  return Y;
}

let X = tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]);
let K = tensor([[0.0, 1.0], [2.0, 3.0]]);
console.log(corr2d(X, K));

// 6.2.2 Convolutional layers (卷积层): the book defines this layer without running it.
export class Conv2D extends nn.Module {
  weight: Tensor;
  bias: Tensor;

  constructor(kernelSize: [number, number]) {
    super();
    this.weight = nn.Parameter(rand(kernelSize));
    this.bias = nn.Parameter(zeros(1));
  }

  forward(x: Tensor): Tensor {
    return corr2d(x, this.weight).add(this.bias);
  }
}

// 6.2.3 Object edge detection in images (图像中目标的边缘检测)
X = ones([6, 8]);
X.indexPut_([slice(), slice(2, 6)], 0);
console.log(X);
K = tensor([[1.0, -1.0]]);
let Y = corr2d(X, K);
console.log(Y);
console.log(corr2d(X.t(), K));

// 6.2.4 Learning a kernel (学习卷积核)
// A two-dimensional convolutional layer with 1 output channel and a kernel of shape (1, 2).
const conv2d = shared('conv2d', new nn.Conv2d(1, 1, [1, 2], { bias: false }));

// The layer takes four-dimensional input and output (batch size, channels, height, width), here with
// a batch size and a channel count of 1.
X = X.reshape([1, 1, 6, 8]);
Y = Y.reshape([1, 1, 6, 7]);
const lr = 3e-2; // learning rate

for (let i = 0; i < 10; i++) {
  const YHat = conv2d.forward(X);
  const l = YHat.sub(Y).pow(2);
  conv2d.zeroGrad();
  l.sum().backward();
  // Update the kernel: `conv2d.weight.data[:] -= lr * conv2d.weight.grad`.
  conv2d.weight.data.index(slice()).sub_(conv2d.weight.grad!.mul(lr));
  if ((i + 1) % 2 === 0) {
    console.log(`epoch ${i + 1}, loss ${l.sum().item().toFixed(3)}`);
  }
}

console.log(conv2d.weight.data.reshape([1, 2]));
