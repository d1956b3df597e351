// d2l.ai 6.5 "Pooling" (汇聚层), ported with the structure of the book's code: one console.log per value
// the book displays. `Y[i, j] = X[i: i + p_h, j: j + p_w].max()` becomes
// `Y.indexPut_([i, j], X.index(slice(i, i + pH), slice(j, j + pW)).max())`; the book then rebinds the
// name pool2d to an nn.MaxPool2d layer, which TypeScript's types do not allow, so the layer is maxPool2d.

import { arange, cat, nn, slice, tensor, zeros, type Tensor } from '../../src/index.js';

// 6.5.1 Maximum pooling and average pooling (最大汇聚层和平均汇聚层)
function pool2d(X: Tensor, poolSize: [number, number], mode: 'max' | 'avg' = 'max'): Tensor {
  const [pH, pW] = poolSize;
  const Y = zeros([X.shape[0] - pH + 1, X.shape[1] - pW + 1]);
  for (let i = 0; i < Y.shape[0]; i++) {
    for (let j = 0; j < Y.shape[1]; j++) {
      if (mode === 'max') {
        Y.indexPut_([i, j], X.index(slice(i, i + pH), slice(j, j + pW)).max());
      } else if (mode === 'avg') {
        Y.indexPut_([i, j], X.index(slice(i, i + pH), slice(j, j + pW)).mean());
      }
    }
  }
  return Y;
}

let X = tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]);
console.log(pool2d(X, [2, 2]));
console.log(pool2d(X, [2, 2], 'avg'));

// 6.5.2 Padding and stride (填充和步幅)
X = arange(16, { dtype: 'float32' }).reshape([1, 1, 4, 4]);
console.log(X);

let maxPool2d = new nn.MaxPool2d(3);
console.log(maxPool2d.forward(X));

maxPool2d = new nn.MaxPool2d(3, { padding: 1, stride: 2 });
console.log(maxPool2d.forward(X));

maxPool2d = new nn.MaxPool2d([2, 3], { stride: [2, 3], padding: [0, 1] });
console.log(maxPool2d.forward(X));

// 6.5.3 Multiple channels (多个通道)
X = cat([X, X.add(1)], 1);
console.log(X);

maxPool2d = new nn.MaxPool2d(3, { padding: 1, stride: 2 });
console.log(maxPool2d.forward(X));
