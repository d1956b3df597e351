// The fused step runner: softmax regression (Flatten → Linear) or the MLP (Flatten → Linear → ReLU →
// [Dropout] → Linear) with cross-entropy, trained on a DataLoader over uint8 images in one core call per
// step: the core reads the batch's images by index where the dataset keeps them (into a float32 buffer of
// its own, kept between steps; JS assembles no batch), and forward, loss and backward give exactly the
// bits of the separate kernels.
// The optimiser then steps as in trainStep. fit() takes it when the model, loss, optimiser and loader
// match (fusedRunner returns null otherwise) and its `fused` option is not false.

import { allocStorage, KernelError, kernels, Status, type Storage } from '../backend/index.js';
import { DataLoader } from '../data/dataloader.js';
import { gatherSourceOf, isBatchDataset, type GatherSource } from '../data/dataset.js';
import { Dropout, Flatten, ReLU } from '../nn/layers.js';
import { Linear } from '../nn/linear.js';
import { CrossEntropyLoss } from '../nn/loss.js';
import { Sequential } from '../nn/sequential.js';
import { Adam } from '../optim/adam.js';
import { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { empty } from '../tensor/ops/create.js';
import { isGradEnabled } from '../tensor/grad-mode.js';
import { keep, tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { trainStep } from './loop.js';
import type { RunnerRequest, StepOutcome, StepRunner } from './step-runner.js';

const REDUCTION = { none: 0, mean: 1, sum: 2 } as const;

/**
 * A training-batch iterable that fit's fused step may read as dataset indices: it hands over the
 * DataLoader it draws from and the index batches in the order it would yield them (a loader resumable
 * mid-epoch resumes them too). A DataLoader is one by itself.
 */
export const INDEX_BATCHES = Symbol('softmax-nn.indexBatches');
export interface IndexBatchSource {
  [INDEX_BATCHES](): { loader: DataLoader; indexBatches: () => Iterator<Int32Array> };
}

function indexBatchSource(trainIter: unknown): { loader: DataLoader; indexBatches: () => Iterator<Int32Array> } | null {
  if (trainIter instanceof DataLoader) return { loader: trainIter, indexBatches: () => trainIter.indexBatches() };
  const f = (trainIter as Partial<IndexBatchSource> | null)?.[INDEX_BATCHES];
  return typeof f === 'function' ? f.call(trainIter) : null;
}

/** What a fused step works on, found once per fit. */
interface Plan {
  net: Sequential;
  /** The batches fit iterates (the runner checks it is given them), their loader and index batches. */
  batches: unknown;
  loader: DataLoader;
  indexBatches: () => Iterator<Int32Array>;
  source: GatherSource;
  /** One Linear (softmax regression) or two (the MLP). */
  linears: Linear[];
  /** The MLP's Dropout layer, if it has one. */
  dropout: Dropout | null;
  loss: CrossEntropyLoss;
  optimizer: Optimizer<object>;
}

/** The Linear layers of Flatten → Linear, or Flatten → Linear → ReLU → [Dropout] → Linear; else null. */
function layersOf(net: Sequential): { linears: Linear[]; dropout: Dropout | null } | null {
  const layers = net.children();
  const kinds = layers.map((m) => m.constructor);
  const f = layers[0];
  if (kinds[0] !== Flatten || (f as Flatten).startDim !== 1 || (f as Flatten).endDim !== -1) return null;
  if (layers.length === 2 && kinds[1] === Linear) return { linears: [layers[1] as Linear], dropout: null };
  if (kinds[1] !== Linear || kinds[2] !== ReLU || kinds[kinds.length - 1] !== Linear) return null;
  const first = layers[1] as Linear;
  const last = layers[layers.length - 1] as Linear;
  if (first.outFeatures !== last.inFeatures) return null;
  if (layers.length === 4) return { linears: [first, last], dropout: null };
  // p = 1 zeroes the activations without drawing: the plain path is as fast.
  if (layers.length === 5 && kinds[3] === Dropout && (layers[3] as Dropout).p < 1) return { linears: [first, last], dropout: layers[3] as Dropout };
  return null;
}

/** The plan when the request is one the fused step computes exactly as trainStep would; else null. */
function planOf({ net, loss, updater, trainIter }: RunnerRequest): Plan | null {
  if (!(net instanceof Sequential) || net.constructor !== Sequential) return null;
  const found = layersOf(net);
  if (found === null) return null;
  const { linears, dropout } = found;
  if (!(loss instanceof CrossEntropyLoss) || loss.constructor !== CrossEntropyLoss || loss.weight !== null) return null;
  if (!(updater instanceof Optimizer)) return null;
  const optimizer: Optimizer<object> = updater;
  const kind: unknown = optimizer.constructor;
  if (kind !== SGD && kind !== Adam) return null;
  const params = linears.flatMap((l) => (l.bias === null ? [l.weight] : [l.weight, l.bias]));
  // The optimiser must hold exactly the model's parameters: trainStep's zeroGrad clears the others' grads.
  const held = optimizer.paramGroups.flatMap((g) => g.params);
  if (held.length !== params.length || !params.every((p) => held.includes(p))) return null;
  if (params.some((p) => !p.requiresGrad || p.dtype !== 'float32' || !p.isContiguous())) return null;
  const indexed = indexBatchSource(trainIter);
  if (indexed === null || indexed.loader.transform !== undefined) return null;
  const source = gatherSourceOf(indexed.loader.dataset);
  if (source === null || source.x.scale === null || source.x.storage.dtype !== 'uint8') return null;
  if (source.y.rowLen !== 1 || source.y.storage.dtype !== 'int32' || source.yRow.length !== 0) return null;
  if (source.xRow.reduce((a, b) => a * b, 1) !== linears[0].inFeatures || source.xRow.length === 0) return null;
  return { net, batches: trainIter, ...indexed, source, linears, dropout, loss, optimizer };
}

/** The fused runner for `request`, or null when the fused step does not apply to it. */
export function fusedRunner(request: RunnerRequest): StepRunner | null {
  const plan = planOf(request);
  return plan === null ? null : new FusedRunner(plan);
}

class FusedRunner implements StepRunner {
  readonly #plan: Plan;
  /** Batch indices by batch size (the last batch of a pass may be smaller), and the step's two figures. */
  readonly #indices = new Map<number, Storage>();
  readonly #stats = allocStorage('float32', 2);
  /** The gradients this runner gave the parameters (reused while they are still the parameters' .grad). */
  readonly #grads = new Map<Tensor, Tensor>();

  constructor(plan: Plan) {
    this.#plan = plan;
  }

  *epoch(batches: Iterable<[Tensor, Tensor]>): Iterator<StepOutcome> {
    const { source, indexBatches } = this.#plan;
    if (batches !== this.#plan.batches) throw new Error('fit: internal error: the fused runner was given other batches than its loader');
    for (const indices of { [Symbol.iterator]: indexBatches }) {
      source.check();
      yield this.#step(indices);
    }
  }

  #step(batch: Int32Array): StepOutcome {
    const rows = batch.length;
    // trainStep under noGrad throws from backward; so does the plain step this falls back to.
    if (!isGradEnabled()) return this.#plainStep(batch);
    const { source, linears, dropout, loss, optimizer } = this.#plan;
    let idx = this.#indices.get(rows);
    if (idx === undefined) {
      idx = allocStorage('int32', rows);
      this.#indices.set(rows, idx);
    }
    const map = source.map;
    if (map === null) idx.i32().set(batch);
    else {
      const view = idx.i32();
      for (let r = 0; r < rows; r++) view[r] = map[batch[r]];
    }
    const reduction = REDUCTION[loss.reduction];
    const scale = source.x.scale as number;
    const w = (l: Linear): Storage => l.weight.storage('fit');
    const b = (l: Linear): Storage | null => l.bias?.storage('fit') ?? null;
    const gw = (l: Linear): Storage => this.#gradOf(l.weight).mutableStorage('fit');
    const gb = (l: Linear): Storage | null => (l.bias === null ? null : this.#gradOf(l.bias).mutableStorage('fit'));
    try {
      if (linears.length === 1) {
        const [l] = linears;
        kernels.linearCeStepU8(source.x.storage, source.y.storage, idx, {
          inFeatures: l.inFeatures, classes: l.outFeatures, scale, weight: w(l), bias: b(l),
          labelSmoothing: loss.labelSmoothing, reduction, gradW: gw(l), gradB: gb(l), stats: this.#stats,
        });
      } else {
        const [l1, l2] = linears;
        // Dropout in eval mode, or p = 0, is the identity (no draws), as dropout() is.
        const p = dropout !== null && dropout.training ? dropout.p : 0;
        kernels.mlpCeStepU8(source.x.storage, source.y.storage, idx, {
          inFeatures: l1.inFeatures, hidden: l1.outFeatures, classes: l2.outFeatures, scale, w1: w(l1), b1: b(l1), w2: w(l2), b2: b(l2), p,
          labelSmoothing: loss.labelSmoothing, reduction, gradW1: gw(l1), gradB1: gb(l1), gradW2: gw(l2), gradB2: gb(l2), stats: this.#stats,
        });
      }
    } catch (e) {
      // A label outside the classes (it may be ignoreIndex): the plain step has PyTorch's answer to it.
      if (e instanceof KernelError && e.code === Status.INDEX_OUT_OF_RANGE) return this.#plainStep(batch);
      throw e;
    }
    const [total, correct] = this.#stats.f32();
    tidy(() => optimizer.step());
    return { rows, lossSum: reduction === 0 ? total : total * rows, correct };
  }

  /** The parameter's .grad, as trainStep leaves it (zeroGrad frees the old one): this runner's own tensor. */
  #gradOf(p: Tensor): Tensor {
    let g = this.#grads.get(p);
    if (g === undefined || p.grad !== g || g.isDisposed) {
      if (p.grad !== null && p.grad !== g) p.grad.dispose();
      g = keep(empty(p.shape));
      this.#grads.set(p, g);
      p.grad = g;
    }
    return g;
  }

  /** trainStep on the batch as the loader makes it. */
  #plainStep(batch: Int32Array): StepOutcome {
    const { net, loader, loss, optimizer } = this.#plan;
    const dataset = loader.dataset;
    if (!isBatchDataset(dataset)) throw new Error('fit: internal error: the fused runner needs a dataset with getBatch');
    // trainStep's zeroGrad frees the grads; this runner makes new ones at its next step.
    this.#grads.clear();
    return tidy(() => {
      const [X, y] = dataset.getBatch(batch);
      return { rows: batch.length, ...trainStep(net, X, y, loss, optimizer) };
    });
  }

  async close(): Promise<void> {
    for (const s of this.#indices.values()) s.dispose();
    this.#indices.clear();
    this.#stats.dispose();
  }
}
