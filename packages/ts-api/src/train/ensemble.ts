// Ensembles, the notes' last remedy for over-fitting: average the softmax outputs of K models.

import { Module } from '../nn/module.js';
import { softmax } from '../tensor/ops/softmax.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * A module whose output is the mean of its members' class probabilities (softmax over dim 1).
 * Its output is probabilities, not logits: use it for prediction and accuracy, not with CrossEntropyLoss.
 */
export class Ensemble extends Module {
  readonly #members: Module[];

  constructor(members: readonly Module[]) {
    super();
    if (members.length === 0) throw new Error('Ensemble: needs at least one model');
    this.#members = [...members];
    this.#members.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`Ensemble: member ${i} is not an nn.Module`);
      this.registerModule(String(i), m);
    });
  }

  forward(input: Tensor): Tensor {
    let total: Tensor | null = null;
    for (const m of this.#members) {
      const p = softmax(m.forward(input), 1);
      total = total === null ? p : total.add(p);
    }
    return (total as Tensor).div(this.#members.length);
  }
}
