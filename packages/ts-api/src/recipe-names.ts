// The names a training recipe accepts (augmentations, optimisers, lr schedules), in a module without
// imports: the CLI's argument parser checks them without loading the library's wasm.

/**
 * The models the CLI and the worker build (models.ts: buildNet): the notes' softmax regression and MLP,
 * d2l 6.6's LeNet with ReLU and max pooling, and d2l 8.5's LeNet with batch normalisation.
 */
export const MODEL_KINDS = ['softmax', 'mlp', 'lenet', 'lenet-bn'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Batch augmentations, applied in the order given (models.ts: augmentation()). */
export const AUGMENTATIONS = ['crop', 'flip', 'affine'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

export const OPTIMIZERS = ['sgd', 'adam', 'rmsprop'] as const;
export type OptimizerKind = (typeof OPTIMIZERS)[number];

/**
 * The optimiser a model trains with when none is given: SGD (the notes'), Adam for LeNet, which SGD at
 * lr 0.1 leaves short of 0.88 test accuracy after 10 epochs (0.87; Adam at its default lr: 0.89).
 */
export function defaultOptimizer(model: ModelKind): OptimizerKind {
  return model === 'lenet' ? 'adam' : 'sgd';
}

/** PyTorch's default learning rates, except SGD's (the notes' 0.1; PyTorch has none). */
export const DEFAULT_LR: Record<OptimizerKind, number> = { sgd: 0.1, adam: 0.001, rmsprop: 0.01 };

/** An lr schedule, stepped per epoch (onecycle: per batch, peaking at the recipe's lr). */
export type LrSchedule = { kind: 'step'; stepSize: number; gamma: number } | { kind: 'cosine' } | { kind: 'onecycle' };
