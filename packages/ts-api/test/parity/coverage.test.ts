// Every public op, module, loss, initialiser, optimiser, transform and Tensor method of softmax-nn has at
// least one PyTorch parity case in parity/cases, or an allow-list entry saying why none and which other
// test covers it. The names come from the package itself (the root, nn, optim, nn.init, nn.functional,
// io, data, data.transforms, train, and Tensor.prototype), so a new export fails here until it gets one.

import { describe, expect, it } from 'vitest';
import * as sm from '../../src/index.js';
import { caseFiles, loadCase, methodForms, tensorMembers } from './harness.js';

/** Namespaces walked for names (each of their exports must be covered or allowed). */
const NAMESPACES: Record<string, object> = {
  '': sm,
  'nn.': sm.nn,
  'optim.': sm.optim,
  'optim.lrScheduler.': sm.optim.lrScheduler,
  'nn.init.': sm.nn.init,
  'nn.functional.': sm.nn.functional,
  'nn.utils.': sm.nn.utils,
  'io.': sm.io,
  'data.': sm.data,
  'data.transforms.': sm.data.transforms,
  'train.': sm.train,
};

/**
 * Exports with no numeric behaviour to compare with PyTorch (or compared elsewhere), each with the reason
 * and the test that covers it. Anything that computes numbers belongs in parity/generate.py instead.
 */
const ALLOWED: Record<string, string> = {
  // namespaces themselves (their members are walked)
  nn: 'namespace, walked', optim: 'namespace, walked', 'nn.init': 'namespace, walked', 'nn.functional': 'namespace, walked',
  io: 'namespace, walked', data: 'namespace, walked', train: 'namespace, walked', 'data.transforms': 'namespace, walked',
  // the Tensor class: its members are walked as Tensor.<name> below
  Tensor: 'class; its methods and getters are walked',
  // memory and autograd bookkeeping
  tidy: 'memory scope, no numbers (test/tensor/memory.test.ts)', keep: 'memory scope, no numbers (test/tensor/memory.test.ts)',
  memory: 'memory report, no numbers (test/tensor/memory.test.ts)',
  setDebugLeaks: 'leak warning switch, no numbers (test/tensor/leak-report.test.ts)',
  noGrad: 'autograd switch; requiresGrad of every fn case is compared with torch (test/tensor/ops.test.ts for the switch)',
  enableGrad: 'autograd switch (test/tensor/ops.test.ts)', isGradEnabled: 'autograd switch (test/tensor/ops.test.ts)',
  empty: 'uninitialised values by definition (torch.empty too): nothing to compare; its shape, dtype and options are checked in test/tensor/create.test.ts',
  // the random generator: its streams differ from PyTorch's by design (the core's seeded xoshiro),
  // so randomness is compared by statistics (randn, rand, nn.init.*, dropout in training mode)
  manualSeed: 'seeds the core generator; streams differ from PyTorch by design (test/kernels/rng.test.ts)',
  getRngState: 'generator state, no PyTorch counterpart (test/kernels/rng.test.ts)',
  setRngState: 'generator state, no PyTorch counterpart (test/kernels/rng.test.ts)',
  // nn: base classes and helpers with no computation of their own
  'nn.Module': 'abstract base class; its subclasses are covered', 'nn.Parameter': 'marks a tensor; no arithmetic',
  'nn.isParameter': 'predicate (test/nn/module.test.ts)',
  'nn.functional.gumbelSoftmax': 'random by design: class frequencies against softmax(logits) by a chi-square test, and the straight-through gradient by hand (test/nn/gumbel.test.ts)',
  'optim.Optimizer': 'abstract base class; SGD, Adam, AdamW are covered',
  'optim.lrScheduler': 'namespace, walked',
  'nn.utils': 'namespace, walked',
  'optim.lrScheduler.LRScheduler': 'abstract base class; its schedulers are covered',

  // io: the file format is compared with PyTorch as files, not as numbers
  'io.serialize': 'safetensors bytes; every case file is read by io.loadFile, torch reads io.save files in state-dict.test.ts and test/io/python.test.ts',
  'io.deserialize': 'safetensors bytes; reads every case file (via io.loadFile) and torch-written state dicts (state-dict.test.ts)',
  'io.save': 'state-dict.test.ts: torch load_state_dict(strict=True) reads softmax-nn\'s file and predicts the same classes',
  'io.load': 'state-dict.test.ts: torch\'s state_dict() files load strictly into softmax-nn',
  'io.loadFile': 'reads every parity case file, with metadata (harness.ts)',

  // data: datasets and loaders feed both sides of the whole runs
  'data.TensorDataset': 'rows gathered unchanged, no arithmetic (test/data/dataloader.test.ts)',
  'data.subset': 'whole-run.test.ts feeds softmax-nn PyTorch\'s batch order through data.subset',
  'data.Subset': 'rows of another dataset by index, no arithmetic (test/data/splits.test.ts)',
  'data.ConcatDataset': 'rows of several datasets in turn, no arithmetic (test/data/splits.test.ts)',
  'data.randomSplit': 'split lengths against torch 1.13\'s (test/data/splits.test.ts); our generator draws the permutation',
  'data.isBatchDataset': 'predicate, no numbers (test/data/dataloader.test.ts uses both kinds of dataset)',
  'data.DataLoader': 'whole-run.test.ts: its seeded order is recorded and replayed in PyTorch',
  'data.scoped': 'memory scopes of a loop, no numbers (test/data/iteration-scopes.test.ts); examples/quickstart.ts matches PyTorch through them',
  'data.fashionMnist': 'whole-run.test.ts and state-dict.test.ts load the real dataset with it; the files\' checksums in test/data/fashion-mnist-files.test.ts',
  'data.fashionMnistFromFiles': 'the same datasets from bytes (the demo\'s file picker); test/data/fashion-mnist-files.test.ts covers fashionMnistFromBytes',
  'data.loadDataFashionMnist': 'two DataLoaders over data.fashionMnist (run by examples/softmax-regression.ts in test/examples/cli.test.ts)',
  'data.textLabels': 'class names, no numbers (examples/softmax-regression.ts in test/examples/cli.test.ts)',
  'data.loadFashionMnistFiles': 'file lookup and checksums (test/data/fashion-mnist-files.test.ts)',
  'data.loadFashionMnistFromUrls': 'download and checksums (test/data/fashion-mnist-download.test.ts)',
  'data.fashionMnistFromBytes': 'gunzip + IDX parsing (test/data/fashion-mnist-files.test.ts)',
  'data.fashionMnistCacheDir': 'a path (test/data/fashion-mnist-files.test.ts)',
  'data.FASHION_MNIST_FILES': 'file names (test/data/fashion-mnist-files.test.ts)',
  'data.FASHION_MNIST_SHA256': 'checksums, verified on every load (test/data/fashion-mnist-files.test.ts)',
  'data.FASHION_MNIST_BASE_URL': 'a URL (test/data/fashion-mnist-download.test.ts downloads from a local server instead)',
  'data.FASHION_MNIST_SYSTEM_DIR': 'a path (test/data/fashion-mnist-files.test.ts)',
  'data.FASHION_MNIST_CLASS_NAMES': 'class names, no numbers (the notes\' text_labels)',
  'data.parseIdx': 'the IDX format (test/data/idx.test.ts); the parsed pixels train the whole runs',
  'data.transforms.compose': 'applies transforms in order, no arithmetic of its own (test/data/dataloader.test.ts)',
  'data.randomRotation': 'data.transforms.randomRotation', 'data.randomAffine': 'data.transforms.randomAffine',
  // the same functions re-exported at the root
  DataLoader: 'data.DataLoader', TensorDataset: 'data.TensorDataset', loadDataFashionMnist: 'data.loadDataFashionMnist', textLabels: 'data.textLabels',

  // train: training loops, compared with PyTorch as whole runs
  'train.trainEpoch': 'whole-run.test.ts: one epoch against PyTorch\'s, weights and per-batch losses',
  'train.evaluate': 'mean loss and accuracy over a loader, worked by hand through fit\'s valIter (test/train/validation.test.ts)',
  'train.evaluateAccuracy': 'whole-run.test.ts: test accuracy against PyTorch\'s',
  'train.trainStep': 'one step of trainEpoch (whole-run.test.ts runs 235 of them)',
  'train.fit': 'trainEpoch + evaluateAccuracy per epoch (test/train/fit.test.ts)',
  'train.accuracy': 'a count of argmax matches (test/train/fit.test.ts); whole-run.test.ts checks evaluateAccuracy against the predictions',
  'train.EarlyStopping': 'training callback, no numbers (test/train/fit.test.ts)',
  'train.Checkpoint': 'training callback writing files (test/train/fit.test.ts)',
  'train.saveCheckpoint': 'files (test/train/fit.test.ts)', 'train.loadCheckpoint': 'files (test/train/fit.test.ts)',
  'train.Ensemble': 'mean of softmax outputs; checked against the math in test/train/fit.test.ts',
  'train.TerminateOnNaN': 'training callback that stops fit at a non-finite loss, no numbers (test/train/terminate-on-nan.test.ts)',
  'train.NON_FINITE_STOP': 'the stopReason TerminateOnNaN gives (test/train/terminate-on-nan.test.ts)',
  'train.INDEX_BATCHES': 'a protocol key: a resumable loader hands fit\'s fused step its index batches; same bits as the plain step (test/worker/worker-fused.test.ts, test/train/fused-step.test.ts)',
  evaluateAccuracy: 'train.evaluateAccuracy', trainEpoch: 'train.trainEpoch', fit: 'train.fit',
  EarlyStopping: 'train.EarlyStopping', Checkpoint: 'train.Checkpoint', Ensemble: 'train.Ensemble',

  // Tensor members with no numbers of their own, or run by every case
  'Tensor.isDisposed': 'memory bookkeeping (test/tensor/memory.test.ts)', 'Tensor.dispose': 'memory (test/tensor/memory.test.ts)',
  'Tensor.ndim': 'shape bookkeeping: every compared tensor\'s shape is checked against PyTorch\'s',
  'Tensor.numel': 'shape bookkeeping: every compared tensor\'s shape is checked against PyTorch\'s',
  'Tensor.requiresGrad': 'compared with PyTorch\'s requires_grad in every fn and module case',
  'Tensor.requiresGrad_': 'sets the flag every fn case\'s inputs are given (parity.test.ts)',
  'Tensor.isLeaf': 'autograd bookkeeping (test/tensor/ops.test.ts)',
  'Tensor.backward': 'runs every fn and module case\'s backward(grad_out); its results are the gradients compared',
  'Tensor.toArray': 'reads every compared tensor (harness.ts)',
  'Tensor.tolist': 'nested copy of toArray (test/tensor/ops.test.ts)', 'Tensor.item': 'one element of toArray (test/optim/optim.test.ts)',

  'Tensor.storage': '@internal: wasm storage for ops', 'Tensor.sharesStorageWith': '@internal', 'Tensor.ownsStorageAlone': '@internal',
  'Tensor.labelOrigin': '@internal: names the op that made a tensor for memory().groups (test/tensor/leak-report.test.ts)',
  'Tensor.record': '@internal: how ops record autograd nodes; every fn case\'s gradients go through it',
  // views: layout bookkeeping and the index helpers, no numbers of their own
  slice: 'builds the slice index argument; the index cases pass the same slices as \'1::2\' strings (test/tensor/views.test.ts)',
  Slice: 'the class slice() returns (test/tensor/views.test.ts)',
  'Tensor.T': 'a getter (the harness calls functions); the matmul.T-view, reshape.T-view and Tensor.mul_.on-T-view cases read x.T',
  'Tensor.data': 'an alias sharing storage, no numbers (test/tensor/views.test.ts writes through it)',
  'Tensor.size': 'shape bookkeeping (test/tensor/views.test.ts)', 'Tensor.dim': 'shape bookkeeping (test/tensor/views.test.ts)',
  'Tensor.stride': 'layout bookkeeping (test/tensor/views.test.ts)', 'Tensor.storageOffset': 'layout bookkeeping (test/tensor/views.test.ts)',
  'Tensor.isContiguous': 'layout bookkeeping (test/tensor/views.test.ts)', 'Tensor.isPlain': '@internal: layout bookkeeping',
  'Tensor.mutableStorage': '@internal: storage for in-place writes', 'Tensor.writeWith': '@internal: in-place writes through views',
  'Tensor._bumpVersion': '@internal: version counter', 'Tensor._version': '@internal: version counter',
  'Tensor._view': '@internal: makes views', 'Tensor._adoptNode': '@internal: in-place ops take over a graph node',
};

function exportedNames(): string[] {
  const names: string[] = [];
  for (const [prefix, ns] of Object.entries(NAMESPACES)) {
    for (const key of Object.keys(ns)) names.push(prefix + key);
  }
  names.push(...tensorMembers());
  return names.sort();
}

describe('PyTorch parity coverage', () => {
  it('every public op / module / loss / initialiser / optimiser / transform / Tensor method has a parity case', async () => {
    const covered = new Set<string>();
    for (const file of caseFiles()) {
      const c = await loadCase(file);
      covered.add(c.op);
      for (const m of methodForms(c)) covered.add(`Tensor.${m}`);
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
    const coveredAndAllowed = Object.keys(ALLOWED).filter((n) => covered.has(n));
    expect(coveredAndAllowed, 'allow-list entries for names that now have a parity case (remove them)').toEqual([]);
  });
});
