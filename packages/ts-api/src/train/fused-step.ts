// The fused step runner: softmax regression (Flatten → Linear, cross-entropy) trained on a DataLoader
// over uint8 images in one core call per step — the images are read by index where the dataset keeps
// them (no float32 batch), and forward, loss and backward give exactly the bits of the separate kernels.
// The optimiser then steps as in trainStep. fit() takes it when the model, loss, optimiser and loader
// match (fusedRunner returns null otherwise) and its `fused` option is not false.

import { allocStorage, KernelError, kernels, Status, type Storage } from '../backend/index.js';
import { DataLoader } from '../data/dataloader.js';
import { gatherSourceOf, isBatchDataset, type GatherSource } from '../data/dataset.js';
import { Flatten } from '../nn/layers.js';
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

/** What a fused step works on, found once per fit. */
interface Plan {
  net: Sequential;
  loader: DataLoader;
  source: GatherSource;
  linear: Linear;
  loss: CrossEntropyLoss;
  optimizer: Optimizer<object>;
  inFeatures: number;
  classes: number;
}

/** The plan when the request is one the fused step computes exactly as trainStep would; else null. */
function planOf({ net, loss, updater, trainIter }: RunnerRequest): Plan | null {
  if (!(net instanceof Sequential) || net.constructor !== Sequential) return null;
  const layers = net.children();
  if (layers.length !== 2) return null;
  const [flatten, linear] = layers;
  if (flatten.constructor !== Flatten || linear.constructor !== Linear) return null;
  const f = flatten as Flatten;
  if (f.startDim !== 1 || f.endDim !== -1) return null;
  const lin = linear as Linear;
  if (!(loss instanceof CrossEntropyLoss) || loss.constructor !== CrossEntropyLoss || loss.weight !== null) return null;
  if (!(updater instanceof Optimizer)) return null;
  const optimizer: Optimizer<object> = updater;
  const kind: unknown = optimizer.constructor;
  if (kind !== SGD && kind !== Adam) return null;
  const params = lin.bias === null ? [lin.weight] : [lin.weight, lin.bias];
  // The optimiser must hold exactly the model's parameters: trainStep's zeroGrad clears the others' grads.
  const held = optimizer.paramGroups.flatMap((g) => g.params);
  if (held.length !== params.length || !params.every((p) => held.includes(p))) return null;
  if (params.some((p) => !p.requiresGrad || p.dtype !== 'float32' || !p.isContiguous())) return null;
  if (!(trainIter instanceof DataLoader) || trainIter.transform !== undefined) return null;
  const source = gatherSourceOf(trainIter.dataset);
  if (source === null || source.x.scale === null || source.x.storage.dtype !== 'uint8') return null;
  if (source.y.rowLen !== 1 || source.y.storage.dtype !== 'int32' || source.yRow.length !== 0) return null;
  if (source.xRow.reduce((a, b) => a * b, 1) !== lin.inFeatures || source.xRow.length === 0) return null;
  return { net, loader: trainIter, source, linear: lin, loss, optimizer, inFeatures: lin.inFeatures, classes: lin.outFeatures };
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
    const { loader, source } = this.#plan;
    if (batches !== loader) throw new Error('fit: internal error: the fused runner was given other batches than its loader');
    for (const indices of loader.indexBatches()) {
      source.check();
      yield this.#step(indices);
    }
  }

  #step(batch: Int32Array): StepOutcome {
    const rows = batch.length;
    // trainStep under noGrad throws from backward; so does the plain step this falls back to.
    if (!isGradEnabled()) return this.#plainStep(batch);
    const { source, linear, loss, optimizer, inFeatures, classes } = this.#plan;
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
    const gradW = this.#gradOf(linear.weight);
    const gradB = linear.bias === null ? null : this.#gradOf(linear.bias);
    const reduction = REDUCTION[loss.reduction];
    try {
      kernels.linearCeStepU8(source.x.storage, source.y.storage, idx, {
        inFeatures, classes, scale: source.x.scale as number, weight: linear.weight.storage('fit'), bias: linear.bias?.storage('fit') ?? null,
        labelSmoothing: loss.labelSmoothing, reduction, gradW: gradW.mutableStorage('fit'), gradB: gradB?.mutableStorage('fit') ?? null,
        stats: this.#stats,
      });
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
