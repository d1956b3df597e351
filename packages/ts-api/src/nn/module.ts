// nn.Module: parameters, children, apply, train/eval, state dicts — PyTorch's semantics and key names.
//
// Children and parameters are found the way PyTorch finds them after __setattr__: every own property
// of the module that holds a Module or an nn.Parameter, in the order the properties were assigned, plus
// what was added with registerModule / registerParameter (Sequential's '0', '1', …).

import { checkOptions } from '../options.js';
import { noGrad } from '../tensor/grad-mode.js';
import { copyInto } from '../tensor/ops/shape.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { isParameter, Parameter } from './parameter.js';

const REGISTERED = Symbol('registered');
const BUFFERS = Symbol('buffers');
const MEMBERS = Symbol('members');
/** The registry of parameters and children, for Sequential (which reorders it on insert). */
export const registeredOf = (m: Module): Map<string, Module | Tensor | null> => m[REGISTERED];
/** Every child under every name, repeats included: what str(net), state_dict and Sequential walk. */
export const childEntries = (m: Module): [string, Module][] => m[MEMBERS]().filter((e): e is [string, Module] => e[1] instanceof Module);

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * A module as plain (structured-cloneable) data: its kind and what its constructor needs. Another
 * thread rebuilds the module from it with Module.fromDescription (data-parallel training's replicas).
 */
export interface ModuleDescription {
  readonly kind: string;
  readonly [field: string]: unknown;
}

type ModuleClass = abstract new (...args: never[]) => Module;
interface Kind {
  kind: string;
  fields(m: Module): Record<string, unknown> | null;
  rebuild(d: ModuleDescription): Module;
}
/** By exact class: a subclass may override forward, which a rebuilt module would not reproduce. */
const kinds = new Map<ModuleClass, Kind>();
const byName = new Map<string, Kind>();

/**
 * Makes the modules of exactly class `type` describable: `fields` gives what its constructor needs
 * (null: this one cannot be described), `rebuild` constructs it again from them.
 */
export function describable<M extends Module>(
  type: abstract new (...args: never[]) => M,
  kind: string,
  fields: (m: M) => Record<string, unknown> | null,
  rebuild: (d: ModuleDescription) => M,
): void {
  const k: Kind = { kind, fields: fields as (m: Module) => Record<string, unknown> | null, rebuild };
  kinds.set(type, k);
  byName.set(kind, k);
}

export abstract class Module {
  /** True in training mode (Dropout active), false after eval(). */
  training = true;

  /**
   * This module as data (see ModuleDescription), or null when it cannot be rebuilt elsewhere: a
   * user-defined module, or a subclass of a built-in one (its forward is code in this thread).
   */
  describe(): ModuleDescription | null {
    const k = kinds.get(this.constructor as ModuleClass);
    const fields = k?.fields(this) ?? null;
    return k === undefined || fields === null ? null : { kind: k.kind, ...fields };
  }

  /** Builds a module again from its description (new parameters, initialised as the constructor does). */
  static fromDescription(d: ModuleDescription): Module {
    const k = byName.get(d.kind);
    if (k === undefined) throw new Error(`Module.fromDescription: no module kind ${JSON.stringify(d.kind)}`);
    return k.rebuild(d);
  }
  // Symbol-keyed, not private (#): a Sequential is reached through a Proxy (net[0]), and a private
  // field cannot be read through a Proxy.
  readonly [REGISTERED] = new Map<string, Module | Tensor | null>();
  readonly [BUFFERS] = new Map<string, { tensor: Tensor | null; persistent: boolean }>();

  /** The computation. Subclasses define it; `call` is an alias so `net.call(x)` reads like `net(x)`. */
  abstract forward(...inputs: Tensor[]): Tensor;

  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  /** Adds (or replaces) a child under `name`, as PyTorch's add_module. */
  registerModule(name: string, module: Module | null): void {
    checkName(name, 'registerModule');
    if (module !== null && !(module instanceof Module)) throw new Error(`registerModule: ${name} is not a Module, got ${describeValue(module)}`);
    if (this[BUFFERS].has(name)) throw new Error(`registerModule: ${JSON.stringify(name)} is already a buffer`);
    this[REGISTERED].set(name, module);
  }

  /** PyTorch's name for registerModule. */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /**
   * A tensor that is state but not a parameter (running statistics): saved in stateDict unless
   * `persistent` is false, never in parameters(). null registers an absent one.
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    checkName(name, 'registerBuffer');
    if (tensor !== null && !(tensor instanceof Tensor)) throw new Error(`registerBuffer: ${name} must be a Tensor or null, got ${describeValue(tensor)}`);
    if (tensor !== null && isParameter(tensor)) throw new Error(`registerBuffer: ${name} is a Parameter; use registerParameter`);
    if (typeof persistent !== 'boolean') throw new Error(`registerBuffer: persistent must be a boolean, got ${describeValue(persistent)}`);
    if (this[REGISTERED].has(name)) throw new Error(`registerBuffer: ${JSON.stringify(name)} is already a parameter or module`);
    this[BUFFERS].set(name, { tensor, persistent });
  }

  /** Buffers with dotted names, own first, then each child's; a buffer shared by two modules once. */
  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [pre, m] of recurse ? this.namedModules(prefix) : [[prefix, this] as [string, Module]]) {
      for (const [name, b] of m[BUFFERS]) {
        if (b.tensor === null || seen.has(b.tensor)) continue;
        seen.add(b.tensor);
        out.push([pre === '' ? name : `${pre}.${name}`, b.tensor]);
      }
    }
    return out;
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  /** Sets requiresGrad on every parameter (PyTorch's requires_grad_), e.g. to freeze a model. */
  requiresGrad_(requiresGrad = true): this {
    if (typeof requiresGrad !== 'boolean') throw new Error(`requiresGrad_: expected a boolean, got ${describeValue(requiresGrad)}`);
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Adds (or replaces) a parameter under `name`; null registers an absent one (a Linear without bias). */
  registerParameter(name: string, param: Tensor | null): void {
    checkName(name, 'registerParameter');
    if (this[BUFFERS].has(name)) throw new Error(`registerParameter: ${JSON.stringify(name)} is already a buffer`);
    this[REGISTERED].set(name, param === null || isParameter(param) ? param : Parameter(param));
  }

  /** @internal */
  [MEMBERS](): [string, Module | Tensor][] {
    const out: [string, Module | Tensor][] = [];
    for (const [name, value] of this[REGISTERED]) {
      if (value !== null) out.push([name, value]);
    }
    for (const name of Object.keys(this)) {
      if (this[REGISTERED].has(name) || this[BUFFERS].has(name)) continue;
      const value: unknown = (this as Record<string, unknown>)[name];
      if (value instanceof Module || isParameter(value)) out.push([name, value]);
    }
    return out;
  }

  /** Direct children by name; a module registered under two names comes once, as in PyTorch. */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    return childEntries(this).filter(([, m]) => !seen.has(m) && seen.add(m) !== undefined);
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, depth first, self first (PyTorch's named_modules order). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, pre: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([pre, m]);
      for (const [name, child] of childEntries(m)) visit(child, pre === '' ? name : `${pre}.${name}`);
    };
    visit(this, prefix);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with PyTorch's dotted names (`1.weight`), own ones first, then each child's. */
  namedParameters(prefix = '', recurse = true): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const visit = (m: Module, pre: string): void => {
      for (const [name, value] of m[MEMBERS]()) {
        const full = pre === '' ? name : `${pre}.${name}`;
        if (value instanceof Tensor) {
          if (!seen.has(value)) {
            seen.add(value);
            out.push([full, value]);
          }
        }
      }
      if (!recurse && m === this) return;
      for (const [name, child] of m.namedChildren()) visit(child, pre === '' ? name : `${pre}.${name}`);
    };
    visit(this, prefix);
    return out;
  }

  parameters(recurse = true): Tensor[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  /** Calls `fn` on every child (recursively) and then on this module, like PyTorch's `apply`. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  train(mode = true): this {
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient (PyTorch 2's set_to_none default). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /**
   * Parameters and persistent buffers by dotted name, sharing their data (PyTorch's state_dict). A plain
   * object; console.log prints it as PyTorch prints the OrderedDict (`OrderedDict([('weight', tensor(…)), …])`).
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, p] of stateEntries(this)) out[name] = p.detach();
    // Non-enumerable: Object.keys / entries / spread see only the tensors.
    Object.defineProperty(out, INSPECT, { value: () => orderedDictText(out), enumerable: false });
    return out;
  }

  /**
   * Copies values from `dict` into the parameters. Everything is checked before anything is written:
   * a shape mismatch always throws; with `strict` (the default), so do missing and unexpected keys.
   */
  loadStateDict(dict: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}): LoadStateDictResult {
    checkOptions('loadStateDict', options, ['strict']);
    // What io.load gives for a saved tensor or list would otherwise read as a dict of its fields.
    const plain = typeof dict === 'object' && dict !== null && [Object.prototype, null].includes(Object.getPrototypeOf(dict) as object | null);
    if (!(dict instanceof Map) && !plain) {
      const got = dict instanceof Tensor ? 'a Tensor' : Array.isArray(dict) ? 'an array' : dict === null ? 'null' : typeof dict === 'object' ? `an instance of ${(dict as object).constructor.name}` : typeof dict;
      throw new Error(`loadStateDict: expected state_dict to be dict-like (an object or a Map of name → Tensor), got ${got}`);
    }
    const strict = options.strict ?? true;
    const entries = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = stateEntries(this);
    const ownNames = new Set(own.map(([n]) => n));
    const missingKeys = own.map(([n]) => n).filter((n) => !entries.has(n));
    const unexpectedKeys = [...entries.keys()].filter((n) => !ownNames.has(n));
    const problems: string[] = [];
    for (const [name, p] of own) {
      const src = entries.get(name);
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) {
        problems.push(`${name}: expected a Tensor, got ${typeof src}`);
      } else if (src.isDisposed) {
        problems.push(`${name}: the tensor in the state dict was disposed`);
      } else if (!sameShape(src.shape, p.shape)) {
        problems.push(`size mismatch for ${name}: copying a param with shape ${formatShape(src.shape)} from the state dict, the shape in the current model is ${formatShape(p.shape)}`);
      }
    }
    if (strict) {
      if (missingKeys.length > 0) problems.push(`missing keys: ${missingKeys.map((k) => `"${k}"`).join(', ')}`);
      if (unexpectedKeys.length > 0) problems.push(`unexpected keys: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}`);
    }
    if (problems.length > 0) {
      throw new Error(`Error(s) in loading state dict for ${this.constructor.name}:\n  ${problems.join('\n  ')}`);
    }
    noGrad(() => {
      for (const [name, p] of own) {
        const src = entries.get(name);
        if (src !== undefined) copyInto(p, src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Node's console.log(net) prints what toString() does, as print(net) in PyTorch. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** A one-line-per-module description, like PyTorch's repr. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra === '' ? [] : extra.split('\n');
    const childLines = childEntries(this).map(([n, c]) => `(${n}): ${c.toString().split('\n').join('\n  ')}`);
    const lines = [...extraLines, ...childLines];
    // PyTorch's _get_name() + '(' layout: a single extra line stays inline, anything else one per line.
    if (childLines.length === 0 && extraLines.length <= 1) return `${this.constructor.name}(${extra})`;
    return `${this.constructor.name}(\n  ${lines.join('\n  ')}\n)`;
  }

  /** Extra text inside the parentheses of toString(). */
  extraRepr(): string {
    return '';
  }
}

/**
 * Every parameter and persistent buffer by dotted name, not deduplicated: a tied weight is there
 * under each of its names, as PyTorch's state_dict walks every module without skipping repeats.
 */
function stateEntries(root: Module): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  const visit = (m: Module, pre: string): void => {
    const full = (name: string): string => (pre === '' ? name : `${pre}.${name}`);
    for (const [name, value] of m[MEMBERS]()) if (value instanceof Tensor) out.push([full(name), value]);
    for (const [name, b] of m[BUFFERS]) if (b.tensor !== null && b.persistent) out.push([full(name), b.tensor]);
    for (const [name, child] of childEntries(m)) visit(child, full(name));
  };
  visit(root, '');
  return out;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Python's repr of a str: single quotes unless the text holds one and no double quote. */
function pyRepr(s: string): string {
  if (s.includes("'") && !s.includes('"')) return `"${s.replace(/\\/g, '\\\\')}"`;
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function orderedDictText(dict: StateDict): string {
  const items = Object.entries(dict).map(([k, t]) => `(${pyRepr(k)}, ${String(t)})`);
  return items.length === 0 ? 'OrderedDict()' : `OrderedDict([${items.join(', ')}])`;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  return typeof v === 'object' ? ((v as object).constructor?.name ?? 'object') : typeof v;
}

function checkName(name: string, where: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new Error(`${where}: name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
  }
}
