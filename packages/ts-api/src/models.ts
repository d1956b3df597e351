// The training set-up shared by the CLI and the worker: the notes' two models (softmax regression and
// the MLP), their loss, optimiser and loaders. Browser-safe (no Node imports); one builder, so the CLI
// and a worker with the same seed give the same weights.

import { DataLoader, type BatchTransform } from './data/dataloader.js';
import type { Dataset } from './data/dataset.js';
import { randomSplit } from './data/splits.js';
import * as transforms from './data/transforms.js';
import * as nn from './nn/index.js';
import { Adam } from './optim/adam.js';
import { RMSprop } from './optim/adaptive.js';
import { CosineAnnealingLR, StepLR } from './optim/lr-scheduler/schedules.js';
import { OneCycleLR } from './optim/lr-scheduler/one-cycle.js';
import type { Optimizer } from './optim/optimizer.js';
import { SGD } from './optim/sgd.js';
import { getRngState, manualSeed, setRngState } from './random.js';
import { AUGMENTATIONS, type LrSchedule, type ModelKind, type OptimizerKind } from './recipe-names.js';
import type { Tensor } from './tensor/tensor.js';
import type { Scheduler } from './train/types.js';

export { AUGMENTATIONS, MODEL_KINDS, OPTIMIZERS, DEFAULT_LR, defaultOptimizer, type Augmentation, type ModelKind, type OptimizerKind, type LrSchedule } from './recipe-names.js';


export const INPUTS = 784;
export const CLASSES = 10;

export interface Arch {
  model: ModelKind;
  /** The MLP's hidden width (ignored by the other models). */
  hidden: number;
  /** Dropout probability; 0 = no Dropout layer (which shifts the Linear layers' key names). */
  dropout: number;
}

/**
 * softmax: Flatten → [Dropout(p)] → Linear(784, 10), weights from normal(0, 0.01) (the notes' init_weights).
 * mlp: Flatten → Linear(784, H) → ReLU → [Dropout(p)] → Linear(H, 10), PyTorch's default init.
 * lenet, lenet-bn: see lenet(). Draws from the global generator (seed it first with manualSeed).
 */
export function buildNet(arch: Arch): nn.Sequential {
  const drop = arch.dropout > 0 ? [new nn.Dropout(arch.dropout)] : [];
  if (arch.model === 'lenet' || arch.model === 'lenet-bn') return lenet(arch.model === 'lenet-bn', drop);
  if (arch.model === 'softmax') {
    const net = new nn.Sequential(new nn.Flatten(), ...drop, new nn.Linear(INPUTS, CLASSES));
    net.apply((m) => {
      if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01);
    });
    return net;
  }
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(INPUTS, arch.hidden),
    new nn.ReLU(),
    ...drop,
    new nn.Linear(arch.hidden, CLASSES),
  );
}

/**
 * d2l 6.6's LeNet with ReLU and max pooling (conv 5×5 → 6, padding 2; pool; conv 5×5 → 16; pool; 400 →
 * 120 → 84 → [Dropout] → 10), or with `batchNorm` d2l 8.5's (sigmoid, average pooling, BatchNorm2d /
 * BatchNorm1d after each layer but the last; 256 → 120 on its 4×4 maps). Conv and Linear weights
 * Xavier-uniform, as the book's train_ch6 sets them.
 */
function lenet(batchNorm: boolean, drop: nn.Module[]): nn.Sequential {
  const act = (): nn.Module => (batchNorm ? new nn.Sigmoid() : new nn.ReLU());
  const pool = (): nn.Module => (batchNorm ? new nn.AvgPool2d(2, { stride: 2 }) : new nn.MaxPool2d(2, { stride: 2 }));
  const bn = (layer: nn.Module, n: number, d: 1 | 2): nn.Module[] => (batchNorm ? [layer, d === 2 ? new nn.BatchNorm2d(n) : new nn.BatchNorm1d(n)] : [layer]);
  const net = new nn.Sequential(
    ...bn(new nn.Conv2d(1, 6, 5, { padding: batchNorm ? 0 : 2 }), 6, 2), act(), pool(),
    ...bn(new nn.Conv2d(6, 16, 5), 16, 2), act(), pool(),
    new nn.Flatten(),
    ...bn(new nn.Linear(batchNorm ? 16 * 4 * 4 : 16 * 5 * 5, 120), 120, 1), act(),
    ...bn(new nn.Linear(120, 84), 84, 1), act(),
    ...drop,
    new nn.Linear(84, CLASSES),
  );
  net.apply((m) => {
    if (m instanceof nn.Linear || m instanceof nn.Conv2d) nn.init.xavierUniform_(m.weight);
  });
  return net;
}

/** The settings of a training run that the set-up depends on. */
export interface Recipe extends Arch {
  seed: number;
  lr: number;
  weightDecay: number;
  batchSize: number;
  /** Augmentations of the training batches, in order (see augmentation()); true = crop then flip. */
  augment: boolean | readonly string[];
  /** Default 'sgd'. */
  optimizer?: OptimizerKind;
  /** SGD's or RMSprop's momentum (default 0; Adam has none). */
  momentum?: number;
}

type Training<U> = { net: nn.Sequential; loss: nn.CrossEntropyLoss; updater: U };

/** Seeds the generator, then builds the model, the loss (per example, as in the notes) and the optimiser (SGD by default). */
export function buildTraining(recipe: Recipe & { optimizer?: 'sgd' }): Training<SGD>;
export function buildTraining(recipe: Recipe): Training<Optimizer<object>>;
export function buildTraining(recipe: Recipe): Training<Optimizer<object>> {
  manualSeed(recipe.seed);
  const net = buildNet(recipe);
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const { lr, weightDecay } = recipe;
  const momentum = recipe.momentum ?? 0;
  const params = net.parameters();
  let updater: Optimizer<object>;
  switch (recipe.optimizer ?? 'sgd') {
    // Momentum only when asked for: the options of a run without it stay what they were.
    case 'sgd': updater = new SGD(params, { lr, weightDecay, ...(momentum !== 0 ? { momentum } : {}) }); break;
    case 'adam':
      if (momentum !== 0) throw new Error(`momentum ${momentum}: Adam has no momentum option (its betas play that part); use sgd or rmsprop`);
      updater = new Adam(params, { lr, weightDecay });
      break;
    case 'rmsprop': updater = new RMSprop(params, { lr, weightDecay, momentum }); break;
    default: throw new Error(`unknown optimizer '${String(recipe.optimizer)}'; expected sgd, adam or rmsprop`);
  }
  return { net, loss, updater };
}

/**
 * The lr scheduler of a schedule (null: none): step → StepLR, cosine → CosineAnnealingLR over the run's
 * epochs, onecycle → OneCycleLR peaking at the optimiser's lr over epochs × batchesPerEpoch steps.
 */
export function buildScheduler(schedule: LrSchedule | null, updater: Optimizer<object>, epochs: number, batchesPerEpoch: number): Scheduler | null {
  if (schedule === null) return null;
  switch (schedule.kind) {
    case 'step': return new StepLR(updater, { stepSize: schedule.stepSize, gamma: schedule.gamma });
    case 'cosine': return new CosineAnnealingLR(updater, { tMax: epochs });
    case 'onecycle': {
      const maxLr = (updater.paramGroups[0].options as { lr: number }).lr;
      return new OneCycleLR(updater, { maxLr, epochs, stepsPerEpoch: batchesPerEpoch });
    }
  }
}

/** Rotation up to ±10°, scale 0.9–1.1, shear up to ±10°: small enough that a garment stays recognisable. */
const AFFINE = { degrees: 10, scale: [0.9, 1.1], shear: 10 } as const;

/**
 * The training batches' augmentation from a list of names, applied in the given order (true: crop then
 * flip, the CLI's --augment alone): crop = random 2-pixel crops (padding 2), flip = horizontal flips
 * with p = 0.5, affine = the notes' rotation, scaling and shearing (AFFINE, bilinear). One case per
 * augmentation; an unknown or repeated name throws.
 */
export function augmentation(augment: boolean | readonly string[]): BatchTransform | undefined {
  const names = augment === true ? ['crop', 'flip'] : augment === false ? [] : augment;
  const steps = names.map((name, i): BatchTransform => {
    if (names.indexOf(name) !== i) throw new Error(`augmentation '${name}' is given twice`);
    switch (name) {
      case 'crop': return transforms.randomCrop(2);
      case 'flip': return transforms.randomHorizontalFlip(0.5);
      case 'affine': return transforms.randomAffine(AFFINE);
      default: throw new Error(`unknown augmentation '${name}'; known: ${AUGMENTATIONS.join(', ')}`);
    }
  });
  return steps.length === 0 ? undefined : transforms.compose(steps);
}

/**
 * Holds out `valSize` random examples of `trainSet` for validation (data.randomSplit with the recipe's
 * seed on a generator of its own, so the run's other random draws are those of a run without it).
 */
export function splitValidation(trainSet: Dataset, valSize: number, seed: number): { train: Dataset; val: Dataset | null } {
  if (valSize === 0) return { train: trainSet, val: null };
  if (!Number.isInteger(valSize) || valSize < 0 || valSize >= trainSet.length) {
    throw new Error(`the validation split must be an integer from 0 to ${trainSet.length - 1} (it leaves at least one training example), got ${valSize}`);
  }
  const [train, val] = randomSplit(trainSet, [trainSet.length - valSize, valSize], { seed });
  return { train, val };
}

/**
 * The shuffled training loader (its own generator, seeded by the recipe; `trainScoped`: see
 * DataLoaderOptions.scoped), the test loader, and a validation loader when `valSet` is given.
 */
export function buildLoaders(
  recipe: Recipe,
  trainSet: Dataset,
  testSet: Dataset,
  testBatchSize = recipe.batchSize,
  trainScoped = true,
  valSet: Dataset | null = null,
): { trainIter: DataLoader; testIter: DataLoader; valIter: DataLoader | null } {
  const transform = augmentation(recipe.augment);
  return {
    trainIter: new DataLoader(trainSet, { batchSize: recipe.batchSize, shuffle: true, seed: recipe.seed, transform, scoped: trainScoped }),
    testIter: new DataLoader(testSet, { batchSize: testBatchSize }),
    valIter: valSet === null ? null : new DataLoader(valSet, { batchSize: testBatchSize }),
  };
}

/** A short description, e.g. "mlp (784 → 256 → 10, dropout 0.2)". */
export function describeArch(arch: Arch): string {
  if (arch.model === 'lenet' || arch.model === 'lenet-bn') {
    return `${arch.model} (1×28×28 → conv 6 → conv 16 → 120 → 84 → ${CLASSES}${arch.dropout > 0 ? `, dropout ${arch.dropout}` : ''})`;
  }
  const shape = arch.model === 'softmax' ? `${INPUTS} → ${CLASSES}` : `${INPUTS} → ${arch.hidden} → ${CLASSES}`;
  return `${arch.model} (${shape}${arch.dropout > 0 ? `, dropout ${arch.dropout}` : ''})`;
}

/** The state-dict layout (name → shape) of a LeNet, from a throwaway build (the generator is left as it was). */
function lenetLayout(arch: Arch): string {
  const state = getRngState();
  const net = buildNet(arch);
  setRngState(state);
  const layout = Object.entries(net.stateDict()).map(([k, t]) => `${k} [${t.shape.join(', ')}]`).sort().join(', ');
  for (const t of [...net.parameters(), ...net.buffers()]) t.dispose();
  return layout;
}

/**
 * Which of the models a state dict (name → shape) belongs to, from its keys (`1.weight` …) and shapes;
 * throws an Error naming `source` when it is none. Dropout's probability is not in the weights: a model
 * with a Dropout layer comes back with `dropout: 0.5` (only its position matters).
 */
export function inferArch(shapes: Record<string, readonly number[]> | Record<string, Tensor>, source: string): Arch {
  const shapeOf = (k: string): readonly number[] => {
    const v = (shapes as Record<string, unknown>)[k];
    return Array.isArray(v) ? (v as number[]) : (v as Tensor).shape;
  };
  const keys = Object.keys(shapes).sort();
  if (keys.some((k) => shapeOf(k).length === 4)) {
    const given = keys.map((k) => `${k} [${shapeOf(k).join(', ')}]`).join(', ');
    for (const model of ['lenet', 'lenet-bn'] as const) {
      for (const dropout of [0, 0.5]) {
        if (lenetLayout({ model, hidden: 0, dropout }) === given) return { model, hidden: 0, dropout };
      }
    }
    throw new Error(`${source} has convolution weights but does not match the lenet or lenet-bn model; it has ${given}`);
  }
  const layers = new Map<number, { weight?: readonly number[]; bias?: readonly number[] }>();
  const describe = () => keys.map((k) => `${k} [${shapeOf(k).join(', ')}]`).join(', ') || 'no tensors';
  const fail = (): never => {
    throw new Error(
      `${source} does not match the softmax model (1.weight [10, 784], 1.bias [10]), the mlp ` +
        `(1.weight [H, 784], 1.bias [H], 3.weight [10, H], 3.bias [10]) or a lenet (convolution weights); it has ${describe()}`,
    );
  };
  for (const key of keys) {
    const m = /^(\d+)\.(weight|bias)$/.exec(key);
    if (m === null) fail();
    const entry = layers.get(Number(m![1])) ?? {};
    entry[m![2] as 'weight' | 'bias'] = shapeOf(key);
    layers.set(Number(m![1]), entry);
  }
  const linears = [...layers.entries()].sort((a, b) => a[0] - b[0]);
  for (const [, l] of linears) {
    if (l.weight === undefined || l.bias === undefined || l.weight.length !== 2 || l.bias.length !== 1 || l.bias[0] !== l.weight[0]) fail();
  }
  if (linears.length === 1) {
    const [index, l] = linears[0];
    if ((index !== 1 && index !== 2) || l.weight![0] !== CLASSES || l.weight![1] !== INPUTS) fail();
    return { model: 'softmax', hidden: 0, dropout: index === 2 ? 0.5 : 0 };
  }
  if (linears.length === 2) {
    const [[i1, l1], [i2, l2]] = linears;
    const hidden = l1.weight![0];
    if (i1 !== 1 || (i2 !== 3 && i2 !== 4) || l1.weight![1] !== INPUTS || l2.weight![0] !== CLASSES || l2.weight![1] !== hidden) fail();
    return { model: 'mlp', hidden, dropout: i2 === 4 ? 0.5 : 0 };
  }
  return fail();
}
