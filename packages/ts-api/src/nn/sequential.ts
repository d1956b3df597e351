// nn.Sequential and nn.ModuleList: containers whose children ARE their layers. Changing the children
// (registerModule/addModule, append, insert, extend, net[i] = m, delete net[i]) changes what forward runs.

import type { Tensor } from '../tensor/tensor.js';
import { childEntries, describable, Module, registeredOf, type ModuleDescription } from './module.js';

const INDEX = /^-?\d+$/;

/** What Sequential and ModuleList share: the layers by position, as PyTorch's list-like containers. */
abstract class IndexedModules extends Module {
  /** The layer at a position (negative counts from the end), as PyTorch's net[i]. */
  [index: number]: Module;

  protected constructor() {
    super();
    // net[0], net[-1], net[1] = layer, delete net[0]: numeric keys go to the layers, the rest as usual.
    return new Proxy(this, {
      get: (target, key, receiver) => (typeof key === 'string' && INDEX.test(key) ? target.at(Number(key)) : Reflect.get(target, key, receiver)),
      set: (target, key, value, receiver) => {
        if (typeof key === 'string' && INDEX.test(key)) {
          setAt(target, Number(key), value);
          return true;
        }
        return Reflect.set(target, key, value, receiver);
      },
      has: (target, key) => (typeof key === 'string' && INDEX.test(key) ? inRange(Number(key), target.length) : Reflect.has(target, key)),
      deleteProperty: (target, key) => {
        if (typeof key === 'string' && INDEX.test(key)) {
          deleteAt(target, Number(key));
          return true;
        }
        return Reflect.deleteProperty(target, key);
      },
    });
  }

  /** Adds a module at the end under the name String(length), as PyTorch (an existing name is replaced). */
  append(module: Module): this {
    if (!(module instanceof Module)) throw new Error(`${kindOf(this)}.append: expected a Module, got ${nameOf(module)}`);
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Appends every module of `modules` (an array, another Sequential, any iterable). */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Partial<Iterable<Module>>)[Symbol.iterator] !== 'function') {
      throw new Error(`${kindOf(this)}.extend: expected an iterable of Modules, got ${nameOf(modules)}`);
    }
    const list = [...modules];
    list.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`${kindOf(this)}.extend: element ${i} is ${nameOf(m)}, expected a Module`);
    });
    for (const m of list) this.append(m);
    return this;
  }

  /**
   * Puts `module` at `index` (−length ≤ index ≤ length) and renames the layers '0', '1', … as PyTorch's
   * insert does.
   */
  insert(index: number, module: Module): this {
    if (!(module instanceof Module)) throw new Error(`${kindOf(this)}.insert: expected a Module, got ${nameOf(module)}`);
    const n = this.length;
    if (!Number.isInteger(index) || index < -n || index > n) throw new Error(`${kindOf(this)}.insert: index out of range: ${String(index)} (length ${n})`);
    const layers = layersOf(this).map(([, m]) => m);
    layers.splice(index < 0 ? index + n : index, 0, module);
    renumber(this, layers);
    return this;
  }

  /** The module at `index` (negative counts from the end); out of range throws, as PyTorch's IndexError. */
  at(index: number): Module {
    const layers = layersOf(this);
    return (layers[indexIn(this, index, 'at')] as [string, Module])[1];
  }

  get length(): number {
    return layersOf(this).length;
  }

  [Symbol.iterator](): Iterator<Module> {
    return layersOf(this).map(([, m]) => m)[Symbol.iterator]();
  }
}

export class Sequential extends IndexedModules {
  /** `new Sequential(a, b)` names the layers '0', '1', …; a Map gives them names, as an OrderedDict. */
  constructor(...modules: Module[] | [Map<string, Module>]) {
    super();
    const first: unknown = modules[0];
    if (modules.length === 1 && first instanceof Map) {
      for (const [name, m] of first as Map<string, Module>) {
        if (!(m instanceof Module)) throw new Error(`Sequential: the value for ${JSON.stringify(name)} must be a Module, got ${nameOf(m)}`);
        this.registerModule(name, m);
      }
    } else {
      (modules as unknown[]).forEach((m, i) => {
        if (!(m instanceof Module)) throw new Error(`Sequential: every argument must be a Module, argument ${i} is ${nameOf(m)}`);
        this.registerModule(String(i), m);
      });
    }
  }

  /** A new Sequential sharing layers start…end−1 under their names, as PyTorch's net[a:b]. */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(new Map(layersOf(this).slice(start, end)));
  }

  forward(input: Tensor): Tensor {
    let x = input;
    for (const [, layer] of layersOf(this)) x = layer.forward(x);
    return x;
  }
}

/**
 * PyTorch's nn.ModuleList: holds modules (their parameters are the owner's) without running them; the
 * owner's forward does, e.g. `for (const block of this.blocks) x = block.forward(x)`.
 */
export class ModuleList extends IndexedModules {
  constructor(modules?: Iterable<Module>) {
    super();
    if (modules !== undefined) this.extend(modules);
  }

  /** A new ModuleList sharing modules start…end−1, as PyTorch's list[a:b]. */
  slice(start?: number, end?: number): ModuleList {
    return new ModuleList(layersOf(this).slice(start, end).map(([, m]) => m));
  }

  forward(): Tensor {
    throw new Error('ModuleList has no forward: it only holds modules; call them from the forward of the module that owns the list');
  }
}

// Private fields and methods cannot be used here: methods run with `this` = the Proxy.
function layersOf(s: IndexedModules): [string, Module][] {
  return childEntries(s);
}

function kindOf(s: IndexedModules): string {
  return s instanceof ModuleList ? 'ModuleList' : 'Sequential';
}

function indexIn(s: IndexedModules, index: number, what: string): number {
  if (!Number.isInteger(index)) throw new Error(`${kindOf(s)}.${what}: index must be an integer, got ${String(index)}`);
  const n = s.length;
  if (!inRange(index, n)) throw new Error(`${kindOf(s)}.${what}: index ${index} is out of range for ${n} modules`);
  return index < 0 ? index + n : index;
}

function setAt(s: IndexedModules, index: number, module: unknown): void {
  if (!(module instanceof Module)) throw new Error(`${kindOf(s)}: net[${index}] = … expects a Module, got ${nameOf(module)}`);
  const [name] = layersOf(s)[indexIn(s, index, 'set')] as [string, Module];
  s.registerModule(name, module);
}

// PyTorch's __delitem__ renames the remaining layers '0', '1', ….
function deleteAt(s: IndexedModules, index: number): void {
  const layers = layersOf(s).map(([, m]) => m);
  layers.splice(indexIn(s, index, 'delete'), 1);
  renumber(s, layers);
}

function renumber(s: IndexedModules, layers: Module[]): void {
  const registry = registeredOf(s);
  for (const [name, v] of [...registry]) if (v === null || v instanceof Module) registry.delete(name);
  layers.forEach((m, i) => s.registerModule(String(i), m));
}

function inRange(index: number, n: number): boolean {
  return index >= -n && index < n;
}

function nameOf(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  return typeof v === 'object' ? ((v as object).constructor?.name ?? 'object') : typeof v;
}

// A layer used twice (tied weights) would be rebuilt as two independent layers: not describable.
describable(Sequential, 'Sequential', (m) => {
  const children = childEntries(m);
  if (new Set(children.map(([, c]) => c)).size !== children.length) return null;
  const layers = children.map(([, c]) => c.describe());
  if (!layers.every((l) => l !== null)) return null;
  const names = children.map(([n]) => n);
  return names.every((n, i) => n === String(i)) ? { layers } : { layers, names };
}, (d) => {
  const layers = (d.layers as ModuleDescription[]).map((l) => Module.fromDescription(l));
  const names = d.names as string[] | undefined;
  return names === undefined ? new Sequential(...layers) : new Sequential(new Map(layers.map((l, i) => [names[i] as string, l])));
});
