// The `data` namespace: datasets, the DataLoader, transforms and Fashion-MNIST.

export { type Dataset, type BatchDataset, TensorDataset, ImageDataset, subset, isBatchDataset } from './dataset.js';
export { Subset, ConcatDataset, randomSplit, type RandomSplitOptions } from './splits.js';
export { DataLoader, type DataLoaderOptions, type BatchTransform } from './dataloader.js';
export { scoped } from '../tensor/iteration.js';
export * as transforms from './transforms.js';
export {
  randomRotation, randomAffine, type RandomRotationOptions, type RandomAffineOptions, type Interpolation,
} from './affine.js';
export {
  fashionMnist, fashionMnistFromFiles, loadDataFashionMnist, textLabels,
  type FashionMnistDatasets, type LoadDataOptions,
} from './fashion-mnist.js';
export {
  loadFashionMnistFiles, loadFashionMnistFromUrls, fashionMnistFromBytes, fashionMnistCacheDir,
  FASHION_MNIST_FILES, FASHION_MNIST_SHA256, FASHION_MNIST_BASE_URL, FASHION_MNIST_SYSTEM_DIR, FASHION_MNIST_CLASS_NAMES,
  type FashionMnistData, type FashionMnistSplit, type LoadFashionMnistFilesOptions,
} from './fashion-mnist-files.js';
export { parseIdx, type IdxArray } from './idx.js';
