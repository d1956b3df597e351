// Datasets: the Dataset interface (PyTorch's map-style dataset), TensorDataset over in-memory tensors,
// and ImageDataset over uint8 images kept in wasm memory (batches are gathered and scaled to [0, 1]
// by the core in one pass, never through JavaScript arrays).

import { kernels, storageFrom, type Storage } from '../backend/index.js';
import { empty, tensor } from '../tensor/ops/create.js';
import { keep } from '../tensor/scope.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { Subset } from './splits.js';

/** A map-style dataset: `length` items, item i from `get(i)`, like `torch.utils.data.Dataset`. */
export interface Dataset<T = [Tensor, Tensor]> {
  readonly length: number;
  get(index: number): T;
}

/**
 * A dataset that can assemble a whole batch at once (the DataLoader's fast path): the returned tensors
 * have the batch as their first dim, in the order of `indices`.
 */
export interface BatchDataset extends Dataset<[Tensor, Tensor]> {
  getBatch(indices: Int32Array): [Tensor, Tensor];
}

export function isBatchDataset(d: Dataset<unknown>): d is BatchDataset {
  return typeof (d as Partial<BatchDataset>).getBatch === 'function';
}

/**
 * Internal, but not stripped from the types (parallel/ names it): how a dataset's getBatch gathers,
 * as data, so that another thread on the same (shared) wasm memory can run the same kernels (fit's
 * workers; parallel/batches.ts): the storages it reads, and a subset's map from its indices to theirs.
 */
export interface GatherSource {
  /** Examples: uint8 scaled to float32 by `scale` (gatherU8ToF32), or float32 rows copied (scale null). */
  x: { storage: Storage; rowLen: number; scale: number | null };
  /** Targets: int32 (rowLen 1) or float32 rows. */
  y: { storage: Storage; rowLen: number };
  /** The shape of one example and of one target in a batch (getBatch's shapes without the first dim). */
  xRow: number[];
  yRow: number[];
  /** The dataset's index i is row map[i] of the storages (null: row i). */
  map: Int32Array | null;
  /** Throws what getBatch would throw now (the dataset was disposed): the storages may have been freed. */
  check(): void;
}

/** @internal The dataset's GatherSource, or null when its batches are not plain gathers. */
export function gatherSourceOf(d: Dataset<unknown>): GatherSource | null {
  const f = (d as { gatherSource?: () => GatherSource | null }).gatherSource;
  return typeof f === 'function' ? f.call(d) : null;
}

function checkIndex(index: number, length: number, where: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new Error(`${where}: index ${index} is out of range for a dataset of ${length} items`);
  }
}

function indexTensor(indices: Int32Array): Tensor {
  return tensor(indices, { dtype: 'int32' });
}

/** Rows of tensors that share their first dim, like `torch.utils.data.TensorDataset(X, y)`. */
export class TensorDataset implements BatchDataset {
  readonly tensors: readonly [Tensor, Tensor];
  readonly length: number;

  constructor(features: Tensor, labels: Tensor) {
    if (features.ndim < 1 || labels.ndim < 1 || features.shape[0] !== labels.shape[0]) {
      throw new Error(
        `TensorDataset: tensors must have the same first dimension, got ${formatShape(features.shape)} and ${formatShape(labels.shape)}`,
      );
    }
    for (const t of [features, labels]) {
      if (t.dtype === 'bool') throw new Error(`TensorDataset: bool tensors are not supported (shape ${formatShape(t.shape)}); convert with .float() or .int()`);
    }
    this.tensors = [keep(features.detach()), keep(labels.detach())];
    this.length = features.shape[0];
  }

  get(index: number): [Tensor, Tensor] {
    checkIndex(index, this.length, 'TensorDataset');
    const [x, y] = this.getBatch(Int32Array.of(index));
    const item: [Tensor, Tensor] = [x.reshape(x.shape.slice(1)), y.reshape(y.shape.slice(1))];
    x.dispose();
    y.dispose();
    return item;
  }

  /** @internal See GatherSource. */
  gatherSource(): GatherSource | null {
    const [x, y] = this.tensors;
    const rowLen = (t: Tensor): number => t.numel() / Math.max(1, t.shape[0]);
    if (x.dtype !== 'float32' || (y.dtype === 'int32' && rowLen(y) !== 1)) return null;
    // A non-contiguous view reads through a copy that a write to its base replaces: not a stable source.
    if (!x.isContiguous() || !y.isContiguous()) return null;
    return {
      x: { storage: x.storage('TensorDataset'), rowLen: rowLen(x), scale: null }, y: { storage: y.storage('TensorDataset'), rowLen: rowLen(y) },
      xRow: x.shape.slice(1), yRow: y.shape.slice(1), map: null,
      check: () => { x.storage('TensorDataset'); y.storage('TensorDataset'); },
    };
  }

  getBatch(indices: Int32Array): [Tensor, Tensor] {
    const idx = indexTensor(indices);
    const out = this.tensors.map((t) => {
      const rowLen = t.numel() / Math.max(1, t.shape[0]);
      const batch = empty([indices.length, ...t.shape.slice(1)], t.dtype);
      if (t.dtype === 'float32') kernels.gatherF32(t.storage('TensorDataset'), rowLen, idx.storage('TensorDataset'), batch.storage('TensorDataset'));
      else if (rowLen === 1) kernels.gatherI32(t.storage('TensorDataset'), idx.storage('TensorDataset'), batch.storage('TensorDataset'));
      else throw new Error(`TensorDataset: int32 tensors must be 1-D (labels), got ${formatShape(t.shape)}`);
      return batch;
    }) as [Tensor, Tensor];
    idx.dispose();
    return out;
  }

  dispose(): void {
    for (const t of this.tensors) t.dispose();
  }
}

/**
 * `count` images of shape [channels, height, width] stored as uint8 in wasm memory, with int32 labels.
 * Items and batches come out as float32 in [0, 1] (pixel / 255, like torchvision's ToTensor).
 */
/** Pixels already in wasm memory that the ImageDataset being made takes over (set only by imageDatasetOver). */
let adoptedPixels: Storage | null = null;

export class ImageDataset implements BatchDataset {
  readonly length: number;
  readonly imageShape: readonly [number, number, number];
  readonly #pixels: Storage;
  readonly #labels: Storage;

  constructor(pixels: Uint8Array, labels: Uint8Array | Int32Array, imageShape: readonly [number, number, number]) {
    const adopted = adoptedPixels;
    adoptedPixels = null;
    const pixelCount = adopted !== null ? adopted.length : pixels.length;
    const [c, h, w] = imageShape;
    const size = c * h * w;
    if (size === 0 || pixelCount % size !== 0 || pixelCount / size !== labels.length) {
      throw new Error(
        `ImageDataset: ${pixelCount} pixels and ${labels.length} labels do not make images of shape ${formatShape(imageShape)} (expected ${labels.length * size} pixels)`,
      );
    }
    this.length = labels.length;
    this.imageShape = [c, h, w];
    this.#pixels = adopted ?? storageFrom(pixels);
    this.#labels = storageFrom(labels instanceof Int32Array ? labels : Int32Array.from(labels));
  }

  /** Throws once the dataset was disposed (the kernels would only name their argument). */
  #check(): void {
    if (this.#pixels.disposed) throw new Error('ImageDataset: this dataset was disposed; it can no longer be used');
  }

  get(index: number): [Tensor, Tensor] {
    this.#check();
    checkIndex(index, this.length, 'ImageDataset');
    const [x, y] = this.getBatch(Int32Array.of(index));
    const item: [Tensor, Tensor] = [x.reshape(this.imageShape), y.reshape([])];
    x.dispose();
    y.dispose();
    return item;
  }

  getBatch(indices: Int32Array): [Tensor, Tensor] {
    this.#check();
    const idx = indexTensor(indices);
    const size = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    const x = empty([indices.length, ...this.imageShape]);
    const y = empty([indices.length], 'int32');
    kernels.gatherU8ToF32(this.#pixels, size, idx.storage('ImageDataset'), 1 / 255, x.storage('ImageDataset'));
    kernels.gatherI32(this.#labels, idx.storage('ImageDataset'), y.storage('ImageDataset'));
    idx.dispose();
    return [x, y];
  }

  /** @internal See GatherSource. */
  gatherSource(): GatherSource {
    this.#check();
    const size = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    return {
      x: { storage: this.#pixels, rowLen: size, scale: 1 / 255 }, y: { storage: this.#labels, rowLen: 1 }, xRow: [...this.imageShape], yRow: [], map: null,
      check: () => this.#check(),
    };
  }

  /** The labels as a flat copy (for class counts, confusion matrices). */
  labels(): Int32Array {
    this.#check();
    return this.#labels.i32().slice();
  }

  /** Frees the wasm memory holding the images and labels. */
  dispose(): void {
    this.#pixels.dispose();
    this.#labels.dispose();
  }
}

/**
 * @internal An ImageDataset over uint8 pixels already in wasm memory (Fashion-MNIST decoded straight
 * into it): the Storage is taken over, not copied, and freed with the dataset. On an error the caller
 * still owns it.
 */
export function imageDatasetOver(pixels: Storage, labels: Uint8Array | Int32Array, imageShape: readonly [number, number, number]): ImageDataset {
  if (pixels.dtype !== 'uint8') throw new Error(`imageDatasetOver: pixels must be a uint8 Storage, got ${pixels.dtype}`);
  adoptedPixels = pixels;
  try {
    return new ImageDataset(NO_PIXELS, labels, imageShape);
  } finally {
    adoptedPixels = null;
  }
}

const NO_PIXELS = new Uint8Array(0);

/** The items of `dataset` at `indices`, as a new dataset (a data.Subset; kept for existing callers). */
export function subset<T>(dataset: Dataset<T>, indices: readonly number[] | Int32Array): Dataset<T> {
  return new Subset(dataset, indices, 'subset');
}
