// d2l.ai 7.1 "Deep Convolutional Neural Networks (AlexNet)" (深度卷积神经网络（AlexNet）), ported with the
// structure of the book's code: the network, then a 224×224 image through each layer printing
// `Conv2d output shape:	 [1, 96, 54, 54]` (PyTorch prints the shape as torch.Size([1, 96, 54, 54])).
// The book then trains on Fashion-MNIST resized to 224; that is left out (see the end).
//   node --import tsx examples/d2l/alexnet.ts

import { nn, randn } from '../../src/index.js';

const net = new nn.Sequential(
  // An 11×11 window to capture objects, with stride 4 to shrink the output's height and width;
  // many more output channels than LeNet.
  new nn.Conv2d(1, 96, 11, { stride: 4, padding: 1 }), new nn.ReLU(),
  new nn.MaxPool2d(3, { stride: 2 }),
  // A smaller window, padding 2 to keep height and width, more output channels.
  new nn.Conv2d(96, 256, 5, { padding: 2 }), new nn.ReLU(),
  new nn.MaxPool2d(3, { stride: 2 }),
  // Three consecutive convolutions with small windows; no pooling between them.
  new nn.Conv2d(256, 384, 3, { padding: 1 }), new nn.ReLU(),
  new nn.Conv2d(384, 384, 3, { padding: 1 }), new nn.ReLU(),
  new nn.Conv2d(384, 256, 3, { padding: 1 }), new nn.ReLU(),
  new nn.MaxPool2d(3, { stride: 2 }),
  new nn.Flatten(),
  // Fully connected layers many times wider than LeNet's, with dropout against overfitting.
  new nn.Linear(6400, 4096), new nn.ReLU(),
  new nn.Dropout(0.5),
  new nn.Linear(4096, 4096), new nn.ReLU(),
  new nn.Dropout(0.5),
  // The output layer: 10 classes for Fashion-MNIST, not the paper's 1000.
  new nn.Linear(4096, 10));

let X = randn(1, 1, 224, 224);
for (const layer of net) {
  X = layer.forward(X);
  console.log(layer.constructor.name, 'output shape:\t', X.shape);
}

// Not in the book: the printed model, which must read as PyTorch's print(net).
console.log(net);

// 7.1.3 Reading the dataset (读取数据集) and 7.1.4 training (训练AlexNet): the book runs
// d2l.train_ch6(net, train_iter, test_iter, 10, 0.01) on Fashion-MNIST resized to 224 (batch 128).
// Not run here: 10 epochs of 224×224 images take hours on one wasm thread. lenet.ts's trainCh6 would do it.
