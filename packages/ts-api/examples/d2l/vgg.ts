// d2l.ai 7.2 "Networks Using Blocks (VGG)" (使用块的网络（VGG）), ported with the structure of the book's
// code: vgg_block, conv_arch, vgg(conv_arch), a 224×224 image through each block printing
// `Sequential output shape:	 [1, 64, 112, 112]` (PyTorch: torch.Size([1, 64, 112, 112])), then the
// small net with a quarter of the channels. `nn.Sequential(*layers)` is `new nn.Sequential(...layers)`.
// The book then trains the small net on Fashion-MNIST resized to 224; that is left out (see the end).
//   node --import tsx examples/d2l/vgg.ts

import { nn, randn } from '../../src/index.js';

// 7.2.1 VGG blocks (VGG块)
function vggBlock(numConvs: number, inChannels: number, outChannels: number): nn.Sequential {
  const layers: nn.Module[] = [];
  for (let i = 0; i < numConvs; i++) {
    layers.push(new nn.Conv2d(inChannels, outChannels, 3, { padding: 1 }));
    layers.push(new nn.ReLU());
    inChannels = outChannels;
  }
  layers.push(new nn.MaxPool2d(2, { stride: 2 }));
  return new nn.Sequential(...layers);
}

// Not in the book: a block's printed form, which must read as PyTorch's print.
console.log(vggBlock(2, 64, 128));

// 7.2.2 The VGG network (VGG网络)
const convArch: [number, number][] = [[1, 64], [1, 128], [2, 256], [2, 512], [2, 512]];

function vgg(convArch: [number, number][]): nn.Sequential {
  const convBlks: nn.Module[] = [];
  let inChannels = 1;
  // Declared outside the loop: as in Python, the last outChannels sizes the first Linear.
  let numConvs: number;
  let outChannels = inChannels;
  // The convolutional part
  for ([numConvs, outChannels] of convArch) {
    convBlks.push(vggBlock(numConvs, inChannels, outChannels));
    inChannels = outChannels;
  }

  return new nn.Sequential(
    ...convBlks, new nn.Flatten(),
    // The fully connected part
    new nn.Linear(outChannels * 7 * 7, 4096), new nn.ReLU(), new nn.Dropout(0.5),
    new nn.Linear(4096, 4096), new nn.ReLU(), new nn.Dropout(0.5),
    new nn.Linear(4096, 10));
}

let net = vgg(convArch);

let X = randn([1, 1, 224, 224]);
for (const blk of net) {
  X = blk.forward(X);
  console.log(blk.constructor.name, 'output shape:\t', X.shape);
}

// 7.2.3 Training the model (训练模型)
const ratio = 4;
const smallConvArch = convArch.map((pair): [number, number] => [pair[0], Math.floor(pair[1] / ratio)]);
net = vgg(smallConvArch);
// Not in the book: the printed model.
console.log(net);

// The book trains it: d2l.train_ch6(net, train_iter, test_iter, 10, 0.05) on Fashion-MNIST resized to 224
// (batch 128). Not run here: 10 epochs of 224×224 images take hours on one wasm thread.
