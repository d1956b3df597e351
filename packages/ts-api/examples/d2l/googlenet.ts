// d2l.ai 7.4 "Networks with Parallel Concatenations (GoogLeNet)" (含并行连结的网络（GoogLeNet）), ported with
// the structure of the book's code: the Inception block, b1…b5 and net, then a 96×96 image through each
// block printing `Sequential output shape:	 [1, 64, 24, 24]` (PyTorch: torch.Size([1, 64, 24, 24])).
// `self.p1_1(x)` is `this.p1_1.forward(x)`; the fields keep the book's names, which name the layers in
// the printed model and the state dict. The book then trains on Fashion-MNIST resized to 96; left out.
//   node --import tsx examples/d2l/googlenet.ts

import { cat, nn, rand, type Tensor } from '../../src/index.js';

const F = nn.functional;

// 7.4.1 Inception blocks (Inception块)
class Inception extends nn.Module {
  readonly p1_1: nn.Conv2d;
  readonly p2_1: nn.Conv2d;
  readonly p2_2: nn.Conv2d;
  readonly p3_1: nn.Conv2d;
  readonly p3_2: nn.Conv2d;
  readonly p4_1: nn.MaxPool2d;
  readonly p4_2: nn.Conv2d;

  // c1–c4 are the numbers of output channels of the four paths.
  constructor(inChannels: number, c1: number, c2: [number, number], c3: [number, number], c4: number) {
    super();
    // Path 1: a single 1×1 convolution
    this.p1_1 = new nn.Conv2d(inChannels, c1, 1);
    // Path 2: a 1×1 convolution, then a 3×3 convolution
    this.p2_1 = new nn.Conv2d(inChannels, c2[0], 1);
    this.p2_2 = new nn.Conv2d(c2[0], c2[1], 3, { padding: 1 });
    // Path 3: a 1×1 convolution, then a 5×5 convolution
    this.p3_1 = new nn.Conv2d(inChannels, c3[0], 1);
    this.p3_2 = new nn.Conv2d(c3[0], c3[1], 5, { padding: 2 });
    // Path 4: 3×3 max pooling, then a 1×1 convolution
    this.p4_1 = new nn.MaxPool2d(3, { stride: 1, padding: 1 });
    this.p4_2 = new nn.Conv2d(inChannels, c4, 1);
  }

  forward(x: Tensor): Tensor {
    const p1 = F.relu(this.p1_1.forward(x));
    const p2 = F.relu(this.p2_2.forward(F.relu(this.p2_1.forward(x))));
    const p3 = F.relu(this.p3_2.forward(F.relu(this.p3_1.forward(x))));
    const p4 = F.relu(this.p4_2.forward(this.p4_1.forward(x)));
    // Concatenate the outputs along the channel dimension
    return cat([p1, p2, p3, p4], 1);
  }
}

// 7.4.2 The GoogLeNet model (GoogLeNet模型)
const b1 = new nn.Sequential(new nn.Conv2d(1, 64, 7, { stride: 2, padding: 3 }),
  new nn.ReLU(),
  new nn.MaxPool2d(3, { stride: 2, padding: 1 }));

const b2 = new nn.Sequential(new nn.Conv2d(64, 64, 1),
  new nn.ReLU(),
  new nn.Conv2d(64, 192, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(3, { stride: 2, padding: 1 }));

const b3 = new nn.Sequential(new Inception(192, 64, [96, 128], [16, 32], 32),
  new Inception(256, 128, [128, 192], [32, 96], 64),
  new nn.MaxPool2d(3, { stride: 2, padding: 1 }));

const b4 = new nn.Sequential(new Inception(480, 192, [96, 208], [16, 48], 64),
  new Inception(512, 160, [112, 224], [24, 64], 64),
  new Inception(512, 128, [128, 256], [24, 64], 64),
  new Inception(512, 112, [144, 288], [32, 64], 64),
  new Inception(528, 256, [160, 320], [32, 128], 128),
  new nn.MaxPool2d(3, { stride: 2, padding: 1 }));

const b5 = new nn.Sequential(new Inception(832, 256, [160, 320], [32, 128], 128),
  new Inception(832, 384, [192, 384], [48, 128], 128),
  new nn.AdaptiveAvgPool2d([1, 1]),
  new nn.Flatten());

const net = new nn.Sequential(b1, b2, b3, b4, b5, new nn.Linear(1024, 10));

// Not in the book: the printed b1 and first Inception block, which must read as PyTorch's print.
console.log(b1);
console.log(b3[0]);

let X = rand([1, 1, 96, 96]);
for (const layer of net) {
  X = layer.forward(X);
  console.log(layer.constructor.name, 'output shape:\t', X.shape);
}

// 7.4.3 Training the model (训练模型): the book runs d2l.train_ch6(net, train_iter, test_iter, 10, 0.1) on
// Fashion-MNIST resized to 96 (batch 128). Not run here: 10 epochs take hours on one wasm thread.
