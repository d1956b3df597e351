// d2l.ai 7.3 "Network in Network (NiN)" (网络中的网络（NiN）), ported with the structure of the book's code:
// nin_block, the net ending in global average pooling (nn.AdaptiveAvgPool2d([1, 1])) and nn.Flatten(),
// then a 224×224 image through each layer printing `Sequential output shape:	 [1, 96, 54, 54]` (PyTorch:
// torch.Size([1, 96, 54, 54])). The book then trains on Fashion-MNIST resized to 224; that is left out.
//   node --import tsx examples/d2l/nin.ts

import { nn, rand } from '../../src/index.js';

// 7.3.1 NiN blocks (NiN块)
function ninBlock(inChannels: number, outChannels: number, kernelSize: number, strides: number, padding: number): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(inChannels, outChannels, kernelSize, { stride: strides, padding }),
    new nn.ReLU(),
    new nn.Conv2d(outChannels, outChannels, 1), new nn.ReLU(),
    new nn.Conv2d(outChannels, outChannels, 1), new nn.ReLU());
}

// 7.3.2 The NiN model (NiN模型)
const net = new nn.Sequential(
  ninBlock(1, 96, 11, 4, 0),
  new nn.MaxPool2d(3, { stride: 2 }),
  ninBlock(96, 256, 5, 1, 2),
  new nn.MaxPool2d(3, { stride: 2 }),
  ninBlock(256, 384, 3, 1, 1),
  new nn.MaxPool2d(3, { stride: 2 }),
  new nn.Dropout(0.5),
  // 10 label classes
  ninBlock(384, 10, 3, 1, 1),
  new nn.AdaptiveAvgPool2d([1, 1]),
  // Turn the 4-D output into a 2-D one of shape (batch size, 10)
  new nn.Flatten());

let X = rand([1, 1, 224, 224]);
for (const layer of net) {
  X = layer.forward(X);
  console.log(layer.constructor.name, 'output shape:\t', X.shape);
}

// Not in the book: the printed model, which must read as PyTorch's print(net).
console.log(net);

// 7.3.3 Training the model (训练模型): the book runs d2l.train_ch6(net, train_iter, test_iter, 10, 0.1) on
// Fashion-MNIST resized to 224 (batch 128). Not run here: 10 epochs of 224×224 images take hours on one
// wasm thread.
