// d2l.ai 6.3 "Padding and Stride" (填充和步幅), ported with the structure of the book's code: one
// console.log per value the book displays. `(1, 1) + X.shape` becomes `[1, 1, ...X.shape]`,
// `Y.shape[2:]` `Y.shape.slice(2)`. Only shapes are printed, so the random draws are not shared.

import { nn, rand, type Tensor } from '../../src/index.js';

// 6.3.1 Padding (填充)
// A helper that runs a convolutional layer on a matrix: it adds the batch and channel dimensions to
// the input and removes them from the output.
function compConv2d(conv2d: nn.Conv2d, X: Tensor): Tensor {
  // (1, 1): a batch size and a channel count of 1.
  X = X.reshape([1, 1, ...X.shape]);
  const Y = conv2d.forward(X);
  // Drop the first two dimensions: batch and channel.
  return Y.reshape(Y.shape.slice(2));
}

// One row or column of padding on each side: 2 rows and 2 columns in all.
let conv2d = new nn.Conv2d(1, 1, 3, { padding: 1 });
const X = rand([8, 8]);
console.log(compConv2d(conv2d, X).shape);

conv2d = new nn.Conv2d(1, 1, [5, 3], { padding: [2, 1] });
console.log(compConv2d(conv2d, X).shape);

// 6.3.2 Stride (步幅)
conv2d = new nn.Conv2d(1, 1, 3, { padding: 1, stride: 2 });
console.log(compConv2d(conv2d, X).shape);

conv2d = new nn.Conv2d(1, 1, [3, 5], { padding: [0, 1], stride: [3, 4] });
console.log(compConv2d(conv2d, X).shape);
