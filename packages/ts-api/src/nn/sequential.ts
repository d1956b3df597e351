// nn.Sequential: children '0', '1', … run in order.

import type { Tensor } from '../tensor/tensor.js';
import { describable, Module, type ModuleDescription } from './module.js';

export class Sequential extends Module {
  readonly #layers: Module[] = [];

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m) => this.append(m));
  }

  /** Adds a module at the end, named by its index. */
  append(module: Module): this {
    if (!(module instanceof Module)) {
      throw new Error(`Sequential: every argument must be a Module, argument ${this.#layers.length} is ${typeof module}`);
    }
    this.registerModule(String(this.#layers.length), module);
    this.#layers.push(module);
    return this;
  }

  get length(): number {
    return this.#layers.length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): Module {
    const i = index < 0 ? index + this.#layers.length : index;
    const m = this.#layers[i];
    if (m === undefined) throw new Error(`Sequential: index ${index} is out of range for ${this.#layers.length} modules`);
    return m;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.#layers[Symbol.iterator]();
  }

  forward(input: Tensor): Tensor {
    let x = input;
    for (const layer of this.#layers) x = layer.forward(x);
    return x;
  }
}

describable(Sequential, 'Sequential', (m) => {
  const layers = m.children().map((c) => c.describe());
  return layers.every((l) => l !== null) ? { layers } : null;
}, (d) => new Sequential(...(d.layers as ModuleDescription[]).map((l) => Module.fromDescription(l))));
