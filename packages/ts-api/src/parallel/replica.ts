// The worker's half: a replica of the caller's model that turns (parameters, shard) into the shard's
// gradient, stateless between steps (joined, its parameters are views of the caller's); with dropout it
// reseeds its generator every step from (the generator state the caller drew for it, worker).

import { borrowStorage, freeScratch, ptrOf } from '../backend/memory.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { childEntries, Module, type ModuleDescription } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { Dropout } from '../nn/layers.js';
import { Linear } from '../nn/linear.js';
// Every built-in layer and loss, so that Module.fromDescription knows them in a worker too.
import '../nn/index.js';
import { getRngState, manualSeed, setRngState } from '../random.js';
import { workerSeed, type FaultInjection, type InitMessage, type ShardResult, type Typed } from './protocol.js';
import { buildSumLoss, shardGradient, shardTensor } from './shard.js';

/** One parameter's place in the flat parameter / gradient buffers (in `net.parameters()` order). */
export interface ParamSpec {
  name: string;
  shape: number[];
  offset: number;
  length: number;
  requiresGrad: boolean;
}

const NEEDS = 'workers > 1 needs a model whose layers describe themselves (Module.describe(): nn.Sequential and the built-in layers do)';

function nameOf(m: unknown): string {
  if (typeof m === 'function') return `a function (${m.name || 'anonymous'})`;
  return (m as object | null)?.constructor?.name ?? typeof m;
}

/** Where in `m` the first module that cannot describe itself is. */
function undescribable(m: Module, path: string): string {
  const first = new Map<Module, string>();
  for (const [n, c] of childEntries(m)) {
    const at = path === '' ? n : `${path}.${n}`;
    const earlier = first.get(c);
    if (earlier !== undefined) return `layer ${at} is the same module as layer ${earlier} (tied weights), which a worker would rebuild as two`;
    first.set(c, at);
    if (c.describe() === null) return c.namedChildren().some(([, g]) => g.describe() === null) ? undescribable(c, at) : `layer ${at} is ${nameOf(c)}`;
  }
  return `got ${nameOf(m)}`;
}

/** The model as data (Module.describe) and its parameters' layout in the flat buffers; throws for a model a worker cannot rebuild. */
export function describeModel(net: unknown): { model: ModuleDescription; params: ParamSpec[] } {
  const model = net instanceof Module ? net.describe() : null;
  if (model === null) throw new Error(`${NEEDS}; ${net instanceof Module ? undescribable(net, '') : `got ${nameOf(net)}`}`);
  const m = net as Module;
  let offset = 0;
  const params = m.namedParameters().map(([name, p]): ParamSpec => {
    if (p.dtype !== 'float32') throw new Error(`workers > 1: parameter ${name} is ${p.dtype}, expected float32`);
    const spec = { name, shape: [...p.shape], offset, length: p.numel(), requiresGrad: p.requiresGrad };
    offset += spec.length;
    return spec;
  });
  // The replica must have the same parameters in the same order (a weight replaced by one of another
  // shape would not be rebuilt). Built here once, the generator restored.
  const state = getRngState();
  const rebuilt = Module.fromDescription(model);
  setRngState(state);
  const expected = rebuilt.namedParameters().map(([n, p]) => `${n}${JSON.stringify(p.shape)}`).join(' ');
  rebuilt.parameters().forEach((p) => p.dispose());
  const got = params.map((p) => `${p.name}${JSON.stringify(p.shape)}`).join(' ');
  if (expected !== got) {
    throw new Error(`workers > 1: the model's parameters (${got}) are not those its layers would make (${expected}); was a weight replaced?`);
  }
  return { model, params };
}

/** The loss as data: a built-in loss module that describes itself and has a reduction. */
export function describeLoss(loss: unknown): ModuleDescription {
  const d = loss instanceof Module ? loss.describe() : null;
  if (d === null || typeof d.reduction !== 'string') throw new Error(`workers > 1 needs a built-in loss module (nn.CrossEntropyLoss, nn.MSELoss, nn.NLLLoss, nn.BCEWithLogitsLoss, …; a CrossEntropyLoss or NLLLoss with reduction 'mean' only without weight and without a non-negative ignoreIndex, whose denominator only the whole batch knows) as the loss; got ${nameOf(loss)}`);
  return d;
}

/** True when the model draws random numbers in training (a Dropout with p > 0). */
export function hasDropout(net: Module): boolean {
  return net.namedModules().some(([, m]) => m instanceof Dropout && m.p > 0);
}

/**
 * What this thread's fetch of the next batch costs per example, in examples of forward + backward
 * (firstShard): Linear multiply-adds (in × out, × 2 for the first layer, × 3 after) against ≈16 per
 * element gathered (measured: MLP 784-256-10, batch 256, 2 threads busy).
 */
export function lookAheadCost(net: Module, exampleElements: number): number {
  const linears = net.namedModules().map(([, m]) => m).filter((m): m is Linear => m instanceof Linear);
  const macs = linears.reduce((sum, m, i) => sum + m.inFeatures * m.outFeatures * (i === 0 ? 2 : 3), 0);
  return macs === 0 ? 0 : (16 * exampleElements) / macs;
}

/** A replica's parameter, and where it lives in its module (`owner[attr]`). */
interface ReplicaParam {
  spec: ParamSpec;
  tensor: Tensor;
  owner: Module;
  attr: string;
  /** Joined: the address of the caller's parameter this one is a view of (0: the replica's own copy). */
  at: number;
}

export class Replica {
  readonly index: number;
  readonly #net: Module;
  readonly #params: ReplicaParam[];
  readonly #loss: (yHat: Tensor, y: Tensor) => Tensor;
  readonly #init: InitMessage;
  readonly #fault: FaultInjection | null;
  /** The model has dropout: its generator is seeded for every step (workerSeed). */
  readonly #random: boolean;

  constructor(init: InitMessage) {
    this.index = init.index;
    this.#init = init;
    this.#fault = init.fault !== null && init.fault.worker === init.index ? init.fault : null;
    if (this.#fault?.step === 0) throw new Error(`injected fault (faultInjection: worker ${this.index}, at start)`);
    this.#net = Module.fromDescription(init.model);
    this.#random = hasDropout(this.#net);
    this.#net.train();
    // The same parameters as the caller's, in the same order: describeModel checked the rebuilt model.
    const own = this.#net.namedParameters();
    const modules = new Map(this.#net.namedModules());
    this.#params = init.params.map((spec, i) => {
      const [name, t] = own[i];
      t.requiresGrad = spec.requiresGrad;
      const dot = name.lastIndexOf('.');
      const owner = modules.get(dot < 0 ? '' : name.slice(0, dot))!;
      return { spec, tensor: t, owner, attr: name.slice(dot + 1), at: 0 };
    });
    this.#loss = buildSumLoss(init.loss);
  }

  /**
   * The gradient of this worker's shard (`count` of the batch's `rows` rows) at `params`, into `grads`
   * (zeros where none); returns the shard's loss and hits. Joined, all are addresses: the gradients stay
   * where backward put them until the next step.
   */
  step(a: { step: number; rng: ArrayLike<number>; rows: number; count: number; params: Typed; x: Typed | number; y: Typed | number; grads: Typed }): ShardResult {
    const layout = this.#init.layout;
    if (this.#fault !== null && a.step === this.#fault.step) {
      const p = (globalThis as { process?: { exit(code: number): never } }).process;
      if (this.#fault.kind === 'exit' && p !== undefined) p.exit(7);
      if (this.#fault.kind === 'exit') (globalThis as unknown as { close(): void }).close();
      throw new Error(`injected fault (faultInjection: worker ${this.index}, step ${a.step})`);
    }
    if (this.#random) manualSeed(workerSeed(a.rng, this.index));
    this.#net.zeroGrad(); // the last step's gradients (joined: the caller has added them by now)
    const joined = a.params instanceof Int32Array;
    this.#params.forEach((p, k) => {
      if (joined) this.#view(p, a.params[k] >>> 0);
      else p.tensor.mutableStorage('parallel').f32().set(a.params.subarray(p.spec.offset, p.spec.offset + p.spec.length));
    });
    if (a.count === 0) {
      a.grads.fill(0);
      return { lossSum: 0, correct: 0 };
    }
    const out = tidy(() => {
      const x = shardTensor(a.x, a.count, layout.xRow, layout.xType);
      const y = shardTensor(a.y, a.count, layout.yRow, layout.yType);
      return shardGradient(this.#net, this.#loss, this.#init.loss, this.#init.updater, x, y, a.rows);
    });
    this.#params.forEach(({ spec, tensor }, k) => {
      const g = tensor.grad;
      const none = g === null || g.isDisposed;
      if (joined) a.grads[k] = none ? 0 : ptrOf(g.storage('parallel'));
      else if (none) a.grads.fill(0, spec.offset, spec.offset + spec.length);
      else a.grads.set(g.storage('parallel').f32(), spec.offset);
    });
    return out;
  }

  /** Joined: makes parameter `p` a view of the caller's parameter at `at` (which does not change during a step). */
  #view(p: ReplicaParam, at: number): void {
    if (p.at === at) return;
    const alias = Parameter(new Tensor(borrowStorage('float32', at, p.spec.length), p.spec.shape, 'float32'), p.spec.requiresGrad);
    const owner = p.owner as unknown as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(owner, p.attr) && owner[p.attr] === p.tensor) owner[p.attr] = alias;
    else p.owner.registerParameter(p.attr, alias);
    p.tensor.dispose();
    p.tensor = alias;
    p.at = at;
  }

  /** Frees the replica's parameters, gradients and the backend's scratch area (joined: in the caller's memory). */
  dispose(): void {
    this.#net.zeroGrad();
    for (const { tensor } of this.#params) tensor.dispose();
    freeScratch();
  }
}
