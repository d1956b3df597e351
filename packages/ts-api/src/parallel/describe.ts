// A model and a loss as plain data, so that a worker can build a replica: nn.Sequential (nested too)
// of the built-in layers, and CrossEntropyLoss / MSELoss. Anything else cannot be rebuilt in another
// thread (its forward is code in the caller's thread) and is refused with a message that says so.

import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Linear } from '../nn/linear.js';
import { Dropout, Flatten, Identity, LogSoftmax, ReLU, Sigmoid, Softmax } from '../nn/layers.js';
import { CrossEntropyLoss, MSELoss } from '../nn/loss.js';
import type { Reduction } from '../backend/index.js';
import type { Tensor } from '../tensor/tensor.js';

export type LayerSpec =
  | { kind: 'Sequential'; layers: LayerSpec[] }
  | { kind: 'Linear'; inFeatures: number; outFeatures: number; bias: boolean }
  | { kind: 'Flatten'; startDim: number; endDim: number }
  | { kind: 'Dropout'; p: number }
  | { kind: 'Softmax'; dim: number }
  | { kind: 'LogSoftmax'; dim: number }
  | { kind: 'ReLU' }
  | { kind: 'Sigmoid' }
  | { kind: 'Identity' };

export type LossSpec =
  | { kind: 'CrossEntropyLoss'; reduction: Reduction; labelSmoothing: number }
  | { kind: 'MSELoss'; reduction: Reduction };

/** One parameter's place in the flat parameter / gradient buffers (in `net.parameters()` order). */
export interface ParamSpec {
  name: string;
  shape: number[];
  offset: number;
  length: number;
  requiresGrad: boolean;
}

const NEEDS = 'workers > 1 needs an nn.Sequential of built-in layers (Flatten, Linear, ReLU, Sigmoid, Dropout, Softmax, LogSoftmax, Identity)';

function nameOf(m: unknown): string {
  if (typeof m === 'function') return `a function (${m.name || 'anonymous'})`;
  return (m as object | null)?.constructor?.name ?? typeof m;
}

function describeLayer(m: Module, path: string): LayerSpec {
  // Exact classes: a subclass may override forward, which a replica could not reproduce.
  switch (m.constructor) {
    case Sequential:
      return { kind: 'Sequential', layers: (m as Sequential).namedChildren().map(([n, c]) => describeLayer(c, path === '' ? n : `${path}.${n}`)) };
    case Linear: {
      const l = m as Linear;
      return { kind: 'Linear', inFeatures: l.inFeatures, outFeatures: l.outFeatures, bias: l.bias !== null };
    }
    case Flatten:
      return { kind: 'Flatten', startDim: (m as Flatten).startDim, endDim: (m as Flatten).endDim };
    case Dropout:
      return { kind: 'Dropout', p: (m as Dropout).p };
    case Softmax:
      return { kind: 'Softmax', dim: (m as Softmax).dim };
    case LogSoftmax:
      return { kind: 'LogSoftmax', dim: (m as LogSoftmax).dim };
    case ReLU:
      return { kind: 'ReLU' };
    case Sigmoid:
      return { kind: 'Sigmoid' };
    case Identity:
      return { kind: 'Identity' };
    default:
      throw new Error(`${NEEDS}; layer ${path} is ${nameOf(m)}`);
  }
}

/** The model as data, and its parameters' layout in the flat buffers. Throws for anything else. */
export function describeModel(net: unknown): { model: LayerSpec; params: ParamSpec[]; paramLength: number } {
  if (!(net instanceof Module) || (net as Module).constructor !== Sequential) throw new Error(`${NEEDS}; got ${nameOf(net)}`);
  const seq = net as Sequential;
  const model = describeLayer(seq, '');
  let offset = 0;
  const params = seq.namedParameters().map(([name, p]): ParamSpec => {
    if (p.dtype !== 'float32') throw new Error(`workers > 1: parameter ${name} is ${p.dtype}, expected float32`);
    const spec = { name, shape: [...p.shape], offset, length: p.numel(), requiresGrad: p.requiresGrad };
    offset += spec.length;
    return spec;
  });
  // The replica must have the same parameters in the same order (a layer's weight replaced by a tensor
  // of another shape would not be rebuilt by its constructor).
  const check = buildModel(model, { dryRun: true });
  const expected = check.map(([n, s]) => `${n}${JSON.stringify(s)}`).join(' ');
  const got = params.map((p) => `${p.name}${JSON.stringify(p.shape)}`).join(' ');
  if (expected !== got) {
    throw new Error(`workers > 1: the model's parameters (${got}) are not those its layers would make (${expected}); was a weight replaced?`);
  }
  return { model, params, paramLength: offset };
}

export function describeLoss(loss: unknown): LossSpec {
  if (loss instanceof Module && loss.constructor === CrossEntropyLoss) {
    const l = loss as CrossEntropyLoss;
    return { kind: 'CrossEntropyLoss', reduction: l.reduction, labelSmoothing: l.labelSmoothing };
  }
  if (loss instanceof Module && loss.constructor === MSELoss) return { kind: 'MSELoss', reduction: (loss as MSELoss).reduction };
  throw new Error(`workers > 1 needs nn.CrossEntropyLoss or nn.MSELoss as the loss; got ${nameOf(loss)}`);
}

/**
 * Builds the layers of `spec` (in a worker), or — with dryRun — only lists the parameters they would
 * have (name and shape), without allocating anything.
 */
export function buildModel(spec: LayerSpec, options: { dryRun: true }): [string, number[]][];
export function buildModel(spec: LayerSpec): Module;
export function buildModel(spec: LayerSpec, options?: { dryRun: true }): Module | [string, number[]][] {
  if (options?.dryRun) {
    const out: [string, number[]][] = [];
    const visit = (s: LayerSpec, path: string): void => {
      const at = (n: string): string => (path === '' ? n : `${path}.${n}`);
      if (s.kind === 'Sequential') s.layers.forEach((c, i) => visit(c, at(String(i))));
      else if (s.kind === 'Linear') {
        out.push([at('weight'), [s.outFeatures, s.inFeatures]]);
        if (s.bias) out.push([at('bias'), [s.outFeatures]]);
      }
    };
    visit(spec, '');
    return out;
  }
  switch (spec.kind) {
    case 'Sequential': return new Sequential(...spec.layers.map((l) => buildModel(l)));
    case 'Linear': return new Linear(spec.inFeatures, spec.outFeatures, { bias: spec.bias });
    case 'Flatten': return new Flatten(spec.startDim, spec.endDim);
    case 'Dropout': return new Dropout(spec.p);
    case 'Softmax': return new Softmax(spec.dim);
    case 'LogSoftmax': return new LogSoftmax(spec.dim);
    case 'ReLU': return new ReLU();
    case 'Sigmoid': return new Sigmoid();
    case 'Identity': return new Identity();
  }
}

/** True when the model draws random numbers in training (a Dropout with p > 0). */
export function hasDropout(spec: LayerSpec): boolean {
  if (spec.kind === 'Sequential') return spec.layers.some(hasDropout);
  return spec.kind === 'Dropout' && spec.p > 0;
}

/**
 * Fetching a batch from the loader (gathering its examples, at random places in the dataset) costs
 * about as much per element of an example as this many multiply-adds of the model's Linear layers.
 * Measured with 2 threads busy (MLP 784-256-10 on Fashion-MNIST, batch 256): the loader took 0.24 ms
 * per batch of 256 × 784 elements, the forward + backward 0.0297 ms per example (0.41 M multiply-adds):
 * 16 × 784 / 0.41 M gives shard 0 124 rows of 256, where both threads' medians met (3.71 / 3.72 ms).
 */
const LOOK_AHEAD_MACS_PER_ELEMENT = 16;

/**
 * What the calling thread's look-ahead (fetching the next batch) costs per example, in examples' worth
 * of forward + backward through `spec` (firstShard uses it to give shard 0 fewer rows). The Linear
 * layers' multiply-adds stand for the work: forward in × out, backward as much for the weight's
 * gradient and, after the first Linear, as much again for the input's.
 */
export function lookAheadCost(spec: LayerSpec, exampleElements: number): number {
  let macs = 0;
  let first = true;
  const visit = (s: LayerSpec): void => {
    if (s.kind === 'Sequential') s.layers.forEach(visit);
    else if (s.kind === 'Linear') {
      macs += s.inFeatures * s.outFeatures * (first ? 2 : 3);
      first = false;
    }
  };
  visit(spec);
  return macs === 0 ? 0 : (LOOK_AHEAD_MACS_PER_ELEMENT * exampleElements) / macs;
}

/** The loss with reduction 'sum' (a worker differentiates scale × the shard's summed loss). */
export function buildSumLoss(spec: LossSpec): (yHat: Tensor, y: Tensor) => Tensor {
  const m = spec.kind === 'CrossEntropyLoss'
    ? new CrossEntropyLoss({ reduction: 'sum', labelSmoothing: spec.labelSmoothing })
    : new MSELoss({ reduction: 'sum' });
  return (yHat, y) => m.forward(yHat, y);
}

/**
 * What trainStep differentiates and reports, as functions of the batch's summed loss S (over every
 * element of the reduction-'none' loss): `gradScale` × S is differentiated, and `lossSum(S)` is the
 * number trainStep's lossSum() gives. `elements` is the reduction-'none' loss's element count for the
 * whole batch (B for cross-entropy, B × outputs for MSE), `rows` the batch size B.
 */
export function lossScales(spec: LossSpec, updater: 'optimizer' | 'function', rows: number, elements: number): { gradScale: number; lossSum: (s: number) => number } {
  const r = spec.reduction;
  // trainStep: optimizer → (scalar ? l : l.mean()).backward(); function → (scalar ? l·B : l.sum()).backward().
  // lossSum(l, B) → scalar ? l.item()·B : l.sum().
  const meanScale = 1 / elements;
  if (r === 'none') return { gradScale: updater === 'optimizer' ? meanScale : 1, lossSum: (s) => s };
  if (r === 'mean') return { gradScale: updater === 'optimizer' ? meanScale : meanScale * rows, lossSum: (s) => (s / elements) * rows };
  return { gradScale: updater === 'optimizer' ? 1 : rows, lossSum: (s) => s * rows };
}
