// d2l.ai 7.6 "Residual Networks (ResNet)" (残差网络), ported with the structure of the book's code: one
// console.log per value the book displays. Keyword arguments become an options object
// (`use_1x1conv=True, strides=2` is `{ use1x1conv: true, strides: 2 }`), `nn.Sequential(*blk)`
// `new nn.Sequential(...blk)`, `Y += X` `Y.add_(X)`. Only shapes are printed, so the random draws are
// not shared. The book's training run is left out (see the end).

import { nn, rand, type Tensor } from '../../src/index.js';

const F = nn.functional;

// 7.6.2 Residual blocks (残差块)
export class Residual extends nn.Module {
  readonly conv1: nn.Conv2d;
  readonly conv2: nn.Conv2d;
  readonly conv3: nn.Conv2d | null;
  readonly bn1: nn.BatchNorm2d;
  readonly bn2: nn.BatchNorm2d;

  constructor(inputChannels: number, numChannels: number, { use1x1conv = false, strides = 1 } = {}) {
    super();
    this.conv1 = new nn.Conv2d(inputChannels, numChannels, 3, { padding: 1, stride: strides });
    this.conv2 = new nn.Conv2d(numChannels, numChannels, 3, { padding: 1 });
    if (use1x1conv) {
      this.conv3 = new nn.Conv2d(inputChannels, numChannels, 1, { stride: strides });
    } else {
      this.conv3 = null;
    }
    this.bn1 = new nn.BatchNorm2d(numChannels);
    this.bn2 = new nn.BatchNorm2d(numChannels);
  }

  forward(X: Tensor): Tensor {
    let Y = F.relu(this.bn1.forward(this.conv1.forward(X)));
    Y = this.bn2.forward(this.conv2.forward(Y));
    if (this.conv3) {
      X = this.conv3.forward(X);
    }
    // In place, as the book's Y += X: Y is bn2's output, which no op has saved for its backward.
    Y.add_(X);
    return F.relu(Y);
  }
}

let blk = new Residual(3, 3);
let X = rand(4, 3, 6, 6);
const Y = blk.forward(X);
console.log(Y.shape);

blk = new Residual(3, 6, { use1x1conv: true, strides: 2 });
console.log(blk.forward(X).shape);

// 7.6.3 The ResNet model (ResNet模型)
const b1 = new nn.Sequential(new nn.Conv2d(1, 64, 7, { stride: 2, padding: 3 }),
  new nn.BatchNorm2d(64), new nn.ReLU(),
  new nn.MaxPool2d(3, { stride: 2, padding: 1 }));

function resnetBlock(inputChannels: number, numChannels: number, numResiduals: number,
  { firstBlock = false } = {}): Residual[] {
  const blk: Residual[] = [];
  for (let i = 0; i < numResiduals; i++) {
    if (i === 0 && !firstBlock) {
      blk.push(new Residual(inputChannels, numChannels, { use1x1conv: true, strides: 2 }));
    } else {
      blk.push(new Residual(numChannels, numChannels));
    }
  }
  return blk;
}

const b2 = new nn.Sequential(...resnetBlock(64, 64, 2, { firstBlock: true }));
const b3 = new nn.Sequential(...resnetBlock(64, 128, 2));
const b4 = new nn.Sequential(...resnetBlock(128, 256, 2));
const b5 = new nn.Sequential(...resnetBlock(256, 512, 2));

const net = new nn.Sequential(b1, b2, b3, b4, b5,
  new nn.AdaptiveAvgPool2d([1, 1]),
  new nn.Flatten(), new nn.Linear(512, 10));

X = rand([1, 1, 224, 224]);
for (const layer of net) {
  X = layer.forward(X);
  console.log(layer.constructor.name, 'output shape:\t', X.shape);
}

// 7.6.4 Training (训练模型): the book now trains the net for 10 epochs on Fashion-MNIST resized to 96×96
// (lr 0.05, batch 256, d2l.train_ch6). Left out here: it runs for many minutes.
