// The L1 penalty of the worker's runs: λ·Σ|w| over the Linear layers' weights. Its gradient, λ·sign(w),
// is added to each weight's gradient just before the optimiser steps — in this thread after the
// backward pass or, with data-parallel workers, after their gradients were summed — so it holds for
// every optimiser and every number of workers, and the reported losses stay the cross-entropy.

import { nn, noGrad, tidy, type optim, type Tensor } from '../index.js';

/** The weights (not the biases) of every Linear layer of `net`. */
export function linearWeights(net: nn.Module): Tensor[] {
  return [...net.modules()].filter((m): m is nn.Linear => m instanceof nn.Linear).map((m) => m.weight);
}

/** Adds λ·sign(w) to the gradient of each of `weights` (the gradient of λ·Σ|w|; 0 at w = 0, as PyTorch's abs). */
export function addL1Gradient(weights: readonly Tensor[], lambda: number): void {
  if (lambda === 0) return;
  noGrad(() => tidy(() => {
    for (const w of weights) w.grad?.add_(w.sign().mul(lambda));
  }));
}

/**
 * Makes `updater.step()` add the L1 gradient first, with the λ `lambda()` returns at that step (so
 * that reconfigure() can change it between two fit() calls).
 */
export function withL1(updater: optim.Optimizer<object>, weights: readonly Tensor[], lambda: () => number): void {
  const step = updater.step.bind(updater);
  updater.step = (): void => {
    addL1Gradient(weights, lambda());
    step();
  };
}
