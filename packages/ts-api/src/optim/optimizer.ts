// The Optimizer base: parameter groups, zeroGrad, and per-parameter state that checkpoints can save.
// The update arithmetic itself runs in the core (sgd_step_f32 / adam_step_f32).

import { keep } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/ops/create.js';
import { checkOptions } from '../options.js';

/** A group's `params`: one tensor or a list of them, as PyTorch's add_param_group accepts. */
function groupTensors(params: unknown, where: string): Tensor[] {
  if (params instanceof Tensor) return [params];
  if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
    throw new Error(`${where}: params must be a Tensor or a list of Tensors, got ${params === null ? 'null' : typeof params}`);
  }
  return [...(params as Iterable<Tensor>)];
}

/**
 * A parameter group: its tensors and hyper-parameters. `group.lr` reads and writes `group.options.lr`
 * (PyTorch's `group['lr']`), a write is validated, and adding any other key throws (ES modules are strict
 * mode), so `group.weight_decay = 0.1` cannot be ignored without a word.
 */
export type ParamGroup<O> = { params: Tensor[]; options: O } & O;

function makeGroup<O extends object>(params: Tensor[], options: O, check: (o: O) => void): ParamGroup<O> {
  const seal = (o: O): O => {
    check(o);
    return Object.seal({ ...o });
  };
  let current = seal(options);
  const group = { params } as ParamGroup<O>;
  Object.defineProperty(group, 'options', { enumerable: true, get: () => current, set: (o: O) => { current = seal(o); } });
  for (const key of Object.keys(options)) {
    Object.defineProperty(group, key, {
      get: () => (current as Record<string, unknown>)[key],
      set: (v: unknown) => { current = seal({ ...current, [key]: v }); },
    });
  }
  return Object.preventExtensions(group);
}

/** Either a list of parameters or a list of groups `{ params, ...overrides }`, as in PyTorch. */
export type ParamsArg<O> = Iterable<Tensor> | readonly ({ params: Iterable<Tensor> | Tensor } & Partial<O>)[];

/** Optimiser state for one parameter: named tensors (buffers) and numbers (step counts). */
export interface ParamState {
  tensors: Record<string, Tensor>;
  numbers: Record<string, number>;
}

export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[];
  protected readonly state = new Map<Tensor, ParamState>();
  /** Unknown keys and invalid values of a group's options throw. */
  readonly #check: (o: object) => void;

  protected constructor(params: ParamsArg<O>, defaults: O, name: string, known: readonly string[]) {
    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw new Error(`${name}: params must be a list of Tensors or of parameter groups, got ${params === null ? 'null' : typeof params}`);
    }
    const list = [...(params as Iterable<Tensor | ({ params: Iterable<Tensor> | Tensor } & Partial<O>)>)];
    if (list.length === 0) throw new Error(`${name}: got an empty parameter list`);
    const groups = list.every((p) => p instanceof Tensor)
      ? [{ params: list as Tensor[], options: defaults }]
      : list.map((g, i) => {
          if (g instanceof Tensor || typeof g !== 'object' || g === null || !('params' in g)) {
            throw new Error(`${name}: parameter group ${i} must be an object with a params list`);
          }
          const { params: groupParams, ...overrides } = g;
          checkOptions(`${name}: parameter group ${i}`, overrides, known);
          return { params: groupTensors(groupParams, `${name}: parameter group ${i}`), options: { ...defaults, ...overrides } as O };
        });
    const seen = new Set<Tensor>();
    for (const g of groups) {
      for (const p of g.params) {
        if (!(p instanceof Tensor)) throw new Error(`${name}: parameters must be Tensors, got ${typeof p}`);
        if (p.dtype !== 'float32') throw new Error(`${name}: can only optimise float32 tensors, got ${p.dtype}`);
        if (!p.isLeaf) throw new Error(`${name}: can't optimise a non-leaf Tensor`);
        if (seen.has(p)) throw new Error(`${name}: some parameters appear in more than one parameter group`);
        seen.add(p);
      }
      this.validate(g.options);
    }
    this.#check = (o: object): void => {
      checkOptions(`${name}: parameter group`, o, known);
      this.validate(o as O);
    };
    this.paramGroups = groups.map((g) => makeGroup(g.params, g.options, this.#check));
  }

  /** Throws on an invalid hyper-parameter (PyTorch's messages). */
  protected abstract validate(options: O): void;

  /** One update of every parameter that has a gradient. */
  abstract step(): void;

  /** Drops every parameter's gradient (PyTorch 2's set_to_none default). */
  zeroGrad(): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        p.grad?.dispose();
        p.grad = null;
      }
    }
  }

  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = { tensors: {}, numbers: {} };
      this.state.set(p, s);
    }
    return s;
  }

  /** A zero buffer shaped like `p`, owned by the optimiser (no tidy frees it). */
  protected buffer(p: Tensor): Tensor {
    return keep(zeros(p.shape));
  }

  /**
   * The state by parameter index (in group order), as in PyTorch's optimizer.state_dict(): for each
   * parameter with state, its buffers and counters. Tensors share the optimiser's data.
   */
  stateDict(): { state: Record<number, ParamState>; groups: O[] } {
    const state: Record<number, ParamState> = {};
    let index = 0;
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        const s = this.state.get(p);
        if (s !== undefined) {
          state[index] = {
            tensors: Object.fromEntries(Object.entries(s.tensors).map(([k, t]) => [k, t.detach()])),
            numbers: { ...s.numbers },
          };
        }
        index++;
      }
    }
    return { state, groups: this.paramGroups.map((g) => ({ ...g.options })) };
  }

  /** Restores what stateDict() gave (copies the buffers), after checking every shape. */
  loadStateDict(dict: { state: Record<number, ParamState>; groups?: O[] }): void {
    const params = this.paramGroups.flatMap((g) => g.params);
    for (const [key, s] of Object.entries(dict.state)) {
      const p = params[Number(key)];
      if (p === undefined) throw new Error(`loadStateDict: state for parameter ${key}, but the optimiser has ${params.length} parameters`);
      for (const [name, t] of Object.entries(s.tensors)) {
        if (!(t instanceof Tensor) || t.shape.join(',') !== p.shape.join(',')) {
          throw new Error(`loadStateDict: buffer ${name} of parameter ${key} must have shape [${p.shape.join(', ')}]`);
        }
      }
    }
    if (dict.groups !== undefined && dict.groups.length !== this.paramGroups.length) {
      throw new Error(`loadStateDict: ${dict.groups.length} parameter groups given, the optimiser has ${this.paramGroups.length}`);
    }
    dict.groups?.forEach((o) => this.#check(o));
    for (const s of this.state.values()) for (const t of Object.values(s.tensors)) t.dispose();
    this.state.clear();
    for (const [key, s] of Object.entries(dict.state)) {
      const p = params[Number(key)];
      const tensors: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(s.tensors)) tensors[name] = keep(t.clone());
      this.state.set(p, { tensors, numbers: { ...s.numbers } });
    }
    dict.groups?.forEach((o, i) => {
      this.paramGroups[i].options = o;
    });
  }
}
