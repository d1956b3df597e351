// A warm-up before training: a few small epochs of a throwaway copy of the model on synthetic images,
// through the same fit(), DataLoader and kernels as the real run. V8 first runs JavaScript in its
// interpreter and wasm in its baseline tier, and compiles what turns out hot in the background; run
// during the data loading, the warm-up lets that happen before the first real epoch instead of in it.

import { rng } from './backend/index.js';
import { DataLoader } from './data/dataloader.js';
import { ImageDataset } from './data/dataset.js';
import { buildNet, CLASSES, INPUTS, type Arch } from './models.js';
import * as nn from './nn/index.js';
import { SGD } from './optim/sgd.js';
import { fit } from './train/fit.js';

/** Synthetic examples and the batch size of the warm-up: two training batches and one test batch per epoch. */
const EXAMPLES = 64;
const BATCH = 32;
/** Enough passes for V8 to tier up the step's hot functions (measured: see docs/PERFORMANCE.md, Warm start). */
const EPOCHS = 12;

/**
 * Trains a throwaway copy of `arch` for a few small epochs. Leaves the global generator as it was and
 * frees everything it made, so a seeded run gives the same weights with or without it.
 */
export async function warmUp(arch: Arch): Promise<void> {
  const saved = rng.getState();
  try {
    await trainCopy(arch);
  } finally {
    rng.setState(saved); // the copy's initialisation and its Dropout masks drew from it
  }
}

async function trainCopy(arch: Arch): Promise<void> {
  const net = buildNet(arch);
  const pixels = new Uint8Array(EXAMPLES * INPUTS);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) & 255;
  const labels = Int32Array.from({ length: EXAMPLES }, (_, i) => i % CLASSES);
  const images = new ImageDataset(pixels, labels, [1, 28, 28]);
  try {
    const trainIter = new DataLoader(images, { batchSize: BATCH, shuffle: true, seed: 0 });
    const testIter = new DataLoader(images, { batchSize: EXAMPLES });
    const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
    await fit(net, trainIter, testIter, loss, EPOCHS, new SGD(net.parameters(), { lr: 0.01 }));
  } finally {
    images.dispose();
    for (const p of net.parameters()) {
      p.grad?.dispose();
      p.dispose();
    }
    for (const b of net.buffers()) b.dispose(); // BatchNorm's running statistics (lenet-bn)
  }
}
