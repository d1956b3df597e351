// Fashion-MNIST as datasets and loaders: the notes' `d2l.load_data_fashion_mnist(batch_size)`.

import { allocStorage, type Storage } from '../backend/index.js';
import { checkOptions } from '../options.js';
import { DataLoader, type BatchTransform } from './dataloader.js';
import { ImageDataset, imageDatasetOver } from './dataset.js';
import {
  FILES_KEYS,
  FASHION_MNIST_CLASS_NAMES,
  fashionMnistFromBytes,
  locateFashionMnistFiles,
  type FashionMnistBlob,
  type FashionMnistData,
  type LoadFashionMnistFilesOptions,
} from './fashion-mnist-files.js';
import { isImagesKey } from './fashion-mnist-format.js';
import { arrayTarget, type ArrayTarget, type ElementTarget } from './fashion-mnist-stream.js';
import { compose, resize as resizeTransform } from './transforms.js';

export interface FashionMnistDatasets {
  train: ImageDataset;
  test: ImageDataset;
}

function toDatasets(data: FashionMnistData): FashionMnistDatasets {
  return {
    train: new ImageDataset(data.train.images, data.train.labels, [1, 28, 28]),
    test: new ImageDataset(data.test.images, data.test.labels, [1, 28, 28]),
  };
}

/** The images' target: a Storage in the wasm memory, where the datasets keep them (no JS copy is made). */
interface WasmTarget extends ElementTarget {
  readonly storage: Storage;
}

function wasmTarget(elements: number): WasmTarget {
  const storage = allocStorage('uint8', elements);
  // The view is asked for at every write: another file's allocation may have grown the memory.
  return { storage, write: (bytes, offset) => storage.u8().set(bytes, offset), discard: () => storage.dispose() };
}

/**
 * The 60 000 training and 10 000 test images as datasets of [1, 28, 28] float32 in [0, 1] with int32
 * labels. Files are found in `root`, or the cache folder, or /usr/share/datasets/fashion-mnist
 * (Debian's dataset-fashion-mnist), or downloaded (checksums verified) unless `download: false`.
 * The images are decompressed straight into the wasm memory, where the datasets keep them as bytes.
 */
export async function fashionMnist(options: LoadFashionMnistFilesOptions = {}): Promise<FashionMnistDatasets> {
  const { targets } = await locateFashionMnistFiles<WasmTarget | ArrayTarget>('fashionMnist', options, (key, n) =>
    isImagesKey(key) ? wasmTarget(n) : arrayTarget(n),
  );
  const made: ImageDataset[] = [];
  try {
    const dataset = (images: WasmTarget | ArrayTarget, labels: WasmTarget | ArrayTarget): ImageDataset => {
      if (images.storage === undefined || !('data' in labels)) throw new Error('fashionMnist: images must be in wasm memory and labels in an array');
      const d = imageDatasetOver(images.storage, labels.data, [1, 28, 28]);
      made.push(d);
      return d;
    };
    return { train: dataset(targets.trainImages, targets.trainLabels), test: dataset(targets.testImages, targets.testLabels) };
  } catch (e) {
    for (const d of made) d.dispose();
    for (const t of Object.values(targets)) t.discard();
    throw e;
  }
}

/** The same datasets from the four files' bytes (a browser's fetch or file picker). */
export async function fashionMnistFromFiles(files: {
  trainImages: FashionMnistBlob; trainLabels: FashionMnistBlob; testImages: FashionMnistBlob; testLabels: FashionMnistBlob;
}): Promise<FashionMnistDatasets> {
  return toDatasets(await fashionMnistFromBytes(files));
}

export interface LoadDataOptions extends LoadFashionMnistFilesOptions {
  /** Resize images to resize×resize (bilinear), like the notes' `resize` argument. */
  resize?: number;
  /** A transform applied to training batches only (augmentation), after resizing. */
  trainTransform?: BatchTransform;
  /** Seed of the training loader's own shuffling generator (default: the global one). */
  seed?: number;
}

/**
 * `[trainIter, testIter]` like `d2l.load_data_fashion_mnist(batch_size, resize)`: the training loader
 * reshuffles every epoch, the test loader keeps the file order.
 */
export async function loadDataFashionMnist(batchSize: number, options: LoadDataOptions = {}): Promise<[DataLoader, DataLoader]> {
  checkOptions('loadDataFashionMnist', options, [...FILES_KEYS, 'resize', 'trainTransform', 'seed']);
  const { resize: _r, trainTransform: _t, seed: _s, ...files } = options;
  const { train, test } = await fashionMnist(files);
  const base = options.resize !== undefined ? [resizeTransform(options.resize)] : [];
  const trainTransforms = options.trainTransform !== undefined ? [...base, options.trainTransform] : base;
  return [
    new DataLoader(train, { batchSize, shuffle: true, seed: options.seed, transform: trainTransforms.length > 0 ? compose(trainTransforms) : undefined }),
    new DataLoader(test, { batchSize, shuffle: false, transform: base.length > 0 ? compose(base) : undefined }),
  ];
}

/** The class names of label ids, like the notes' `get_fashion_mnist_labels`. */
export function textLabels(ids: Iterable<number> | ArrayLike<number>): string[] {
  const list = Symbol.iterator in Object(ids) ? [...(ids as Iterable<number>)] : Array.from(ids as ArrayLike<number>);
  return list.map((id) => {
    const name = FASHION_MNIST_CLASS_NAMES[id];
    if (!Number.isInteger(id) || name === undefined) throw new Error(`textLabels: label ${id} is not a Fashion-MNIST class (0…9)`);
    return name;
  });
}
