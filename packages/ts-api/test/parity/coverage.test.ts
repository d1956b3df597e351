// Every public op, module, loss, initialiser and optimiser of softmax-nn has at least one PyTorch parity
// case in parity/cases. The list of names comes from the package's exports (the root, nn, optim,
// nn.init, nn.functional), so a new export fails here until it gets a case or a reasoned allow-list entry.

import { describe, expect, it } from 'vitest';
import * as sm from '../../src/index.js';
import { caseFiles, loadCase } from './harness.js';

/** Namespaces walked for names (each of their exports must be covered or allowed). */
const NAMESPACES: Record<string, object> = {
  '': sm,
  'nn.': sm.nn,
  'optim.': sm.optim,
  'nn.init.': sm.nn.init,
  'nn.functional.': sm.nn.functional,
};

/**
 * Exports with no numeric behaviour to compare with PyTorch (or compared elsewhere), each with the reason.
 * Keep it short and honest: anything that computes numbers belongs in parity/generate.py instead.
 */
const ALLOWED: Record<string, string> = {
  // namespaces themselves (their members are walked, or are outside this suite's scope below)
  nn: 'namespace, walked', optim: 'namespace, walked', 'nn.init': 'namespace, walked', 'nn.functional': 'namespace, walked',
  io: 'safetensors files: state dicts exchanged with PyTorch both ways in state-dict.test.ts',
  data: 'datasets and loaders: batches fed to both sides in whole-run.test.ts',
  train: 'training loops: one epoch on Fashion-MNIST against PyTorch in whole-run.test.ts',
  // the Tensor class: its methods are the same functions as the ops covered here
  Tensor: 'class; its methods delegate to the covered op functions',
  // memory and autograd bookkeeping
  tidy: 'memory scope, no numbers', keep: 'memory scope, no numbers', memory: 'memory report, no numbers',
  noGrad: 'autograd switch; exercised indirectly (requiresGrad of every fn case is compared)',
  enableGrad: 'autograd switch', isGradEnabled: 'autograd switch',
  // the random generator: its streams differ from PyTorch's by design (the core's seeded xoshiro),
  // so randomness is compared by statistics (randn, rand, nn.init.*, dropout in training mode)
  manualSeed: 'seeds the core generator; streams differ from PyTorch by design',
  getRngState: 'generator state, no PyTorch counterpart', setRngState: 'generator state, no PyTorch counterpart',
  // nn: base classes and helpers with no computation of their own
  'nn.Module': 'abstract base class; its subclasses are covered', 'nn.Parameter': 'marks a tensor; no arithmetic',
  'nn.isParameter': 'predicate',
  'optim.Optimizer': 'abstract base class; SGD, Adam, AdamW are covered',
  // training utilities re-exported at the root (compared as whole runs in whole-run.test.ts)
  DataLoader: 'data loading', TensorDataset: 'data loading', loadDataFashionMnist: 'data loading', textLabels: 'label names',
  evaluateAccuracy: 'whole-run.test.ts', trainEpoch: 'whole-run.test.ts',
  fit: 'trainEpoch + evaluateAccuracy per epoch (both in whole-run.test.ts)', EarlyStopping: 'training callback', Checkpoint: 'training callback',
  Ensemble: 'mean of softmax outputs; checked against the math in test/train/fit.test.ts',
};

function exportedNames(): string[] {
  const names: string[] = [];
  for (const [prefix, ns] of Object.entries(NAMESPACES)) {
    for (const key of Object.keys(ns)) names.push(prefix + key);
  }
  return names.sort();
}

describe('PyTorch parity coverage', () => {
  it('every public op / module / loss / initialiser / optimiser has a parity case', async () => {
    const covered = new Set<string>();
    for (const file of caseFiles()) {
      const c = await loadCase(file);
      covered.add(c.op);
      for (const t of Object.values(c.tensors)) t.dispose();
    }
    const names = exportedNames();
    const exported = new Set(names);
    const unknown = [...covered].filter((op) => !exported.has(op));
    expect(unknown, 'cases naming something softmax-nn does not export').toEqual([]);
    const missing = names.filter((n) => !covered.has(n) && !(n in ALLOWED));
    expect(missing, 'public exports with no parity case and no allow-list entry (add cases in parity/generate.py)').toEqual([]);
    const stale = Object.keys(ALLOWED).filter((n) => !exported.has(n));
    expect(stale, 'allow-list entries for names that are no longer exported').toEqual([]);
  });
});
