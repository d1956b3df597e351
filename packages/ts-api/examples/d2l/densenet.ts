// d2l.ai 7.7 "Densely Connected Networks (DenseNet)" (稠密连接网络), ported with the structure of the
// book's code: one console.log per value the book displays. `torch.cat((X, Y), dim=1)` is
// `cat([X, Y], 1)`, `nn.Sequential(b1, *blks, ...)` `new nn.Sequential(b1, ...blks, ...)`,
// `num_channels // 2` `Math.floor(numChannels / 2)`. Only shapes are printed, so the random draws are not
// shared. The last loop is not in the book: 7.6's shape walk, on a 96×96 image (the size the book trains
// on). The book's training run is left out (see the end).

import { cat, nn, rand, randn, type Tensor } from '../../src/index.js';

// 7.7.2 Dense blocks (稠密块体)
function convBlock(inputChannels: number, numChannels: number): nn.Sequential {
  return new nn.Sequential(
    new nn.BatchNorm2d(inputChannels), new nn.ReLU(),
    new nn.Conv2d(inputChannels, numChannels, 3, { padding: 1 }));
}

class DenseBlock extends nn.Module {
  readonly net: nn.Sequential;

  constructor(numConvs: number, inputChannels: number, numChannels: number) {
    super();
    const layer: nn.Sequential[] = [];
    for (let i = 0; i < numConvs; i++) {
      layer.push(convBlock(numChannels * i + inputChannels, numChannels));
    }
    this.net = new nn.Sequential(...layer);
  }

  forward(X: Tensor): Tensor {
    for (const blk of this.net) {
      const Y = blk.forward(X);
      // Concatenate each block's input and output on the channel dimension.
      X = cat([X, Y], 1);
    }
    return X;
  }
}

let blk: nn.Module = new DenseBlock(2, 3, 10);
let X = randn(4, 3, 8, 8);
const Y = blk.forward(X);
console.log(Y.shape);

// 7.7.3 Transition layers (过渡层)
function transitionBlock(inputChannels: number, numChannels: number): nn.Sequential {
  return new nn.Sequential(
    new nn.BatchNorm2d(inputChannels), new nn.ReLU(),
    new nn.Conv2d(inputChannels, numChannels, 1),
    new nn.AvgPool2d(2, { stride: 2 }));
}

blk = transitionBlock(23, 10);
console.log(blk.forward(Y).shape);

// 7.7.4 The DenseNet model (DenseNet模型)
const b1 = new nn.Sequential(
  new nn.Conv2d(1, 64, 7, { stride: 2, padding: 3 }),
  new nn.BatchNorm2d(64), new nn.ReLU(),
  new nn.MaxPool2d(3, { stride: 2, padding: 1 }));

// numChannels: the current number of channels.
let [numChannels, growthRate] = [64, 32];
const numConvsInDenseBlocks = [4, 4, 4, 4];
const blks: nn.Module[] = [];
numConvsInDenseBlocks.forEach((numConvs, i) => {
  blks.push(new DenseBlock(numConvs, numChannels, growthRate));
  // The previous dense block's number of output channels.
  numChannels += numConvs * growthRate;
  // A transition layer between dense blocks halves the number of channels.
  if (i !== numConvsInDenseBlocks.length - 1) {
    blks.push(transitionBlock(numChannels, Math.floor(numChannels / 2)));
    numChannels = Math.floor(numChannels / 2);
  }
});

const net = new nn.Sequential(
  b1, ...blks,
  new nn.BatchNorm2d(numChannels), new nn.ReLU(),
  new nn.AdaptiveAvgPool2d([1, 1]),
  new nn.Flatten(),
  new nn.Linear(numChannels, 10));

// Not in the book: the shape walk of 7.6, on a 96×96 image.
X = rand([1, 1, 96, 96]);
for (const layer of net) {
  X = layer.forward(X);
  console.log(layer.constructor.name, 'output shape:\t', X.shape);
}

// 7.7.5 Training (训练模型): the book now trains the net for 10 epochs on Fashion-MNIST resized to 96×96
// (lr 0.1, batch 256, d2l.train_ch6). Left out here: it runs for many minutes.
