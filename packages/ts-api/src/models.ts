// The training set-up shared by the CLI and the worker: the notes' two models (softmax regression and
// the MLP), their loss, optimiser and loaders. Browser-safe (no Node imports); one builder, so the CLI
// and a worker with the same seed give the same weights.

import { DataLoader } from './data/dataloader.js';
import type { Dataset } from './data/dataset.js';
import * as transforms from './data/transforms.js';
import * as nn from './nn/index.js';
import { SGD } from './optim/sgd.js';
import { manualSeed } from './random.js';
import type { Tensor } from './tensor/tensor.js';

export type ModelKind = 'softmax' | 'mlp';
export const MODEL_KINDS: readonly ModelKind[] = ['softmax', 'mlp'];

export const INPUTS = 784;
export const CLASSES = 10;

export interface Arch {
  model: ModelKind;
  /** The MLP's hidden width (ignored for softmax). */
  hidden: number;
  /** Dropout probability; 0 = no Dropout layer (which shifts the Linear layers' key names). */
  dropout: number;
}

/**
 * softmax: Flatten → [Dropout(p)] → Linear(784, 10), weights from normal(0, 0.01) (the notes' init_weights).
 * mlp: Flatten → Linear(784, H) → ReLU → [Dropout(p)] → Linear(H, 10), PyTorch's default init.
 * Draws from the global generator (seed it first with manualSeed).
 */
export function buildNet(arch: Arch): nn.Sequential {
  const drop = arch.dropout > 0 ? [new nn.Dropout(arch.dropout)] : [];
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

/** The settings of a training run that the set-up depends on. */
export interface Recipe extends Arch {
  seed: number;
  lr: number;
  weightDecay: number;
  batchSize: number;
  /** Random 2-pixel crops and horizontal flips of the training images. */
  augment: boolean;
}

/** Seeds the generator, then builds the model, the loss (per example, as in the notes) and SGD. */
export function buildTraining(recipe: Recipe): { net: nn.Sequential; loss: nn.CrossEntropyLoss; updater: SGD } {
  manualSeed(recipe.seed);
  const net = buildNet(recipe);
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const updater = new SGD(net.parameters(), { lr: recipe.lr, weightDecay: recipe.weightDecay });
  return { net, loss, updater };
}

/** The shuffled training loader (its own generator, seeded by the recipe; `trainScoped`: see DataLoaderOptions.scoped) and the test loader. */
export function buildLoaders(
  recipe: Recipe,
  trainSet: Dataset,
  testSet: Dataset,
  testBatchSize = recipe.batchSize,
  trainScoped = true,
): { trainIter: DataLoader; testIter: DataLoader } {
  const transform = recipe.augment ? transforms.compose([transforms.randomCrop(2), transforms.randomHorizontalFlip(0.5)]) : undefined;
  return {
    trainIter: new DataLoader(trainSet, { batchSize: recipe.batchSize, shuffle: true, seed: recipe.seed, transform, scoped: trainScoped }),
    testIter: new DataLoader(testSet, { batchSize: testBatchSize }),
  };
}

/** A short description, e.g. "mlp (784 → 256 → 10, dropout 0.2)". */
export function describeArch(arch: Arch): string {
  const shape = arch.model === 'softmax' ? `${INPUTS} → ${CLASSES}` : `${INPUTS} → ${arch.hidden} → ${CLASSES}`;
  return `${arch.model} (${shape}${arch.dropout > 0 ? `, dropout ${arch.dropout}` : ''})`;
}

/**
 * Which of the two models a state dict (name → shape) belongs to, from its keys (`1.weight` …) and
 * shapes; throws an Error naming `source` when it is neither. Dropout's probability is not in the
 * weights: a model with a Dropout layer comes back with `dropout: 0.5` (only its position matters).
 */
export function inferArch(shapes: Record<string, readonly number[]> | Record<string, Tensor>, source: string): Arch {
  const shapeOf = (k: string): readonly number[] => {
    const v = (shapes as Record<string, unknown>)[k];
    return Array.isArray(v) ? (v as number[]) : (v as Tensor).shape;
  };
  const keys = Object.keys(shapes).sort();
  const layers = new Map<number, { weight?: readonly number[]; bias?: readonly number[] }>();
  const describe = () => keys.map((k) => `${k} [${shapeOf(k).join(', ')}]`).join(', ') || 'no tensors';
  const fail = (): never => {
    throw new Error(
      `${source} does not match the softmax model (1.weight [10, 784], 1.bias [10]) or the mlp ` +
        `(1.weight [H, 784], 1.bias [H], 3.weight [10, H], 3.bias [10]); it has ${describe()}`,
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
