// Whole-run parity with PyTorch: one full epoch of the notes' softmax regression and MLP on the real
// Fashion-MNIST (batch 256, SGD lr 0.1, CrossEntropyLoss reduction 'none' + l.mean().backward()),
// started from the same weights and fed the same batch order as PyTorch; the final weights, the
// per-batch losses, the test predictions and the test accuracy are compared.
//
//   committed  parity/whole-run/ (parity/whole_run.py fixtures): PyTorch wrote the start (weights and a
//              permutation of the 60 000 images) and its results; softmax-nn reads the start, trains, compares.
//              Runs everywhere, PyTorch or not.
//   live       when /usr/bin/python3 (or $PYTHON) imports torch: softmax-nn writes its own initial weights
//              and its seeded DataLoader's order, `whole_run.py train` trains PyTorch from them (while
//              softmax-nn trains), and the results are compared. Skipped, with the reason printed, without torch.
//
// Bounds per model from parity/tolerances.json "wholeRun" (max |Δ weight|, per-batch loss rtol, test
// predictions that may differ, |Δ accuracy|). They are set from what PyTorch itself varies by across
// BLAS kernels (parity/README.md, "Whole runs"): the MLP's ReLU can switch on in one run and off in the
// other, so its bound is that spread with a margin, not float32 rounding.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, DataLoader, evaluateAccuracy, io, manualSeed, nn, noGrad, optim, tensor, tidy, trainEpoch } from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { wholeRunTolerance, type WholeRunTolerance } from './tolerances.js';

const PARITY = fileURLToPath(new URL('../../../../parity/', import.meta.url));
const FIXTURES = join(PARITY, 'whole-run');
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const MODELS = ['softmax-regression', 'mlp'] as const;
type ModelName = (typeof MODELS)[number];

const BATCH = 256;
const LR = 0.1;
const TOL: Record<ModelName, WholeRunTolerance> = {
  'softmax-regression': wholeRunTolerance('softmax-regression'),
  mlp: wholeRunTolerance('mlp'),
};

/** Why the live half cannot run (null when PyTorch is there). */
function torchMissing(): string | null {
  if (process.env.PARITY_NO_TORCH === '1') return 'PARITY_NO_TORCH=1';
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 120_000 });
  if (r.error !== undefined) return `${PYTHON} cannot be run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} cannot import torch and numpy (Debian: apt-get install python3-torch): ${r.stderr.trim().split('\n').at(-1) ?? ''}`;
  return null;
}
const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`whole-run parity: live PyTorch runs skipped — ${NO_TORCH}; the committed fixtures are still checked`);

function python(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [join(PARITY, 'whole_run.py'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.on('data', (b: Buffer) => { err += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(`whole_run.py ${args.join(' ')} exited with ${code}:\n${err}`))));
  });
}

function model(name: ModelName): nn.Sequential {
  return name === 'mlp'
    ? new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10))
    : new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
}

/** The `<model>/<name>` tensors of a start file, as the model's state dict. */
function startOf(tensors: Record<string, Tensor>, name: ModelName): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) if (k.startsWith(`${name}/`)) out[k.slice(name.length + 1)] = t;
  return out;
}

interface Run { net: nn.Sequential; losses: number[]; acc: number; pred: Int32Array; seconds: number }

/** The notes' epoch through the public API: trainEpoch + evaluateAccuracy, from `start` over `trainIter`. */
function runEpoch(name: ModelName, start: Record<string, Tensor>, trainIter: Iterable<[Tensor, Tensor]>, test: data.ImageDataset): Run {
  const t0 = performance.now();
  const net = model(name);
  net.loadStateDict(start); // strict: the names are torch's ('1.weight', …)
  const losses: number[] = [];
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  trainEpoch(net, trainIter, loss, new optim.SGD(net.parameters(), { lr: LR }), { onBatch: (logs) => losses.push(logs.loss) });
  const testIter = new DataLoader(test, { batchSize: BATCH });
  const acc = evaluateAccuracy(net, testIter);
  const pred = new Int32Array(test.length);
  let at = 0;
  net.eval();
  for (const [X] of testIter) {
    let p: Int32Array = new Int32Array(0);
    noGrad(() => tidy(() => { p = net.forward(X).argmax(1).toArray() as Int32Array; }));
    pred.set(p, at);
    at += p.length;
  }
  return { net, losses, acc, pred, seconds: (performance.now() - t0) / 1000 };
}

const report: string[] = [];

/** Compares a softmax-nn run with the files whole_run.py wrote into `dir`; throws on any excess. */
async function compareRun(label: string, name: ModelName, ours: Run, dir: string, testLabels: Int32Array): Promise<void> {
  const final = await io.loadFile(join(dir, `${name}.final.safetensors`));
  const exp = await io.loadFile(join(dir, `${name}.expected.safetensors`));
  const problems: string[] = [];
  const tol = TOL[name];
  try {
    // final weights: torch's state_dict() names and shapes, each element within tol.weights
    const sd = ours.net.stateDict();
    expect(Object.keys(sd).sort(), `${label} ${name}: state-dict names`).toEqual(Object.keys(final.tensors).sort());
    let maxW = 0;
    let maxWAt = '';
    for (const [k, t] of Object.entries(final.tensors)) {
      expect(sd[k].shape, `${label} ${name}: shape of ${k}`).toEqual(t.shape);
      const a = sd[k].toArray();
      const e = t.toArray();
      for (let i = 0; i < e.length; i++) {
        const d = Math.abs(a[i] - e[i]);
        if (!(d <= maxW)) { maxW = d; maxWAt = `${k}[${i}]: softmax-nn ${a[i]}, PyTorch ${e[i]}`; }
      }
    }
    if (!(maxW <= tol.weights)) problems.push(`final weights: max |diff| ${maxW} > ${tol.weights} at ${maxWAt}`);

    // per-batch losses
    const tl = exp.tensors.losses.toArray();
    if (tl.length !== ours.losses.length) problems.push(`batches: softmax-nn ${ours.losses.length}, PyTorch ${tl.length}`);
    let maxL = 0;
    let maxRatio = 0;
    let worstL = '';
    for (let i = 0; i < Math.min(tl.length, ours.losses.length); i++) {
      const d = Math.abs(ours.losses[i] - tl[i]);
      const ratio = d / (tol.lossRtol * Math.abs(tl[i]));
      maxL = Math.max(maxL, d);
      if (!(ratio <= maxRatio)) { maxRatio = ratio; worstL = `batch ${i}: softmax-nn ${ours.losses[i]}, PyTorch ${tl[i]}`; }
    }
    if (!(maxRatio <= 1)) problems.push(`per-batch loss outside rtol ${tol.lossRtol}: worst ${worstL} (error/allowed ${maxRatio.toFixed(2)})`);

    // test accuracy and predictions
    const torchPred = exp.tensors.test_pred.toArray();
    const torchAcc = Number(exp.metadata.test_acc);
    let disagree = 0;
    let correct = 0;
    for (let i = 0; i < torchPred.length; i++) {
      if (torchPred[i] !== ours.pred[i]) disagree++;
      if (ours.pred[i] === testLabels[i]) correct++;
    }
    if (Math.abs(correct / testLabels.length - ours.acc) > 1e-12) problems.push(`evaluateAccuracy ${ours.acc} ≠ accuracy of the predictions ${correct / testLabels.length}`);
    if (torchPred.length !== ours.pred.length) problems.push(`test predictions: softmax-nn ${ours.pred.length}, PyTorch ${torchPred.length}`);
    if (!(disagree <= tol.predictionsDiffering)) problems.push(`${disagree} of ${torchPred.length} test predictions differ from PyTorch's (allowed ${tol.predictionsDiffering})`);
    if (!(Math.abs(ours.acc - torchAcc) <= tol.accuracy + 1e-12)) problems.push(`test accuracy: softmax-nn ${ours.acc}, PyTorch ${torchAcc} (allowed ±${tol.accuracy})`);
    report.push(
      `  ${label.padEnd(9)} ${name.padEnd(18)} max|Δw| ${maxW.toExponential(2)}  max|Δloss| ${maxL.toExponential(2)} (worst error/allowed ${maxRatio.toFixed(3)})  ` +
      `test acc softmax-nn ${(ours.acc * 100).toFixed(2)} % / PyTorch ${(torchAcc * 100).toFixed(2)} %, ${disagree} of ${torchPred.length} predictions differ  (${ours.seconds.toFixed(1)} s)`,
    );
    if (problems.length > 0) throw new Error(`whole-run parity, ${label}, ${name} (${join(dir, name)}.*):\n  ${problems.join('\n  ')}`);
  } finally {
    for (const t of [...Object.values(final.tensors), ...Object.values(exp.tensors)]) t.dispose();
  }
}

/** A dataset that records the indices the DataLoader asks it for (the loader's batch order). */
function recording(base: data.ImageDataset, seen: number[]): data.BatchDataset {
  return {
    length: base.length,
    get: (i) => base.get(i),
    getBatch: (idx) => {
      for (const i of idx) seen.push(i);
      return base.getBatch(idx);
    },
  };
}

let train: data.ImageDataset;
let test: data.ImageDataset;
let testLabels: Int32Array;

beforeAll(async () => {
  ({ train, test } = await data.fashionMnist({ download: false })); // a test never downloads
  testLabels = test.labels();
}, 120_000);

afterAll(() => {
  if (report.length > 0) console.log(`whole-run parity (one epoch, batch ${BATCH}, SGD lr ${LR}):\n${report.join('\n')}`);
  train?.dispose();
  test?.dispose();
});

describe('whole-run parity with PyTorch (Fashion-MNIST, one epoch)', () => {
  for (const name of MODELS) {
    it(`committed: ${name} from PyTorch's start weights and batch order (parity/whole-run)`, async () => {
      const start = await io.loadFile(join(FIXTURES, 'start.safetensors'));
      try {
        const order = start.tensors.order.toArray() as Int32Array;
        expect(order.length).toBe(train.length);
        const run = runEpoch(name, startOf(start.tensors, name), new DataLoader(data.subset(train, order), { batchSize: BATCH }), test);
        await compareRun('committed', name, run, FIXTURES, testLabels);
      } finally {
        for (const t of Object.values(start.tensors)) t.dispose();
      }
    }, 600_000);
  }

  it.skipIf(NO_TORCH !== null)('live: PyTorch trains from softmax-nn\'s own initial weights and DataLoader order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'softmax-nn-whole-run-'));
    try {
      manualSeed(5);
      const nets = Object.fromEntries(MODELS.map((name) => {
        const net = model(name); // biases: nn.Linear's default init (softmax-nn's generator)
        net.apply((m) => { if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01); }); // the notes' init_weights
        return [name, net];
      })) as Record<ModelName, nn.Sequential>;
      // the order of one pass of a seeded shuffling DataLoader, recorded as it asks for batches
      const order: number[] = [];
      for (const _ of new DataLoader(recording(train, order), { batchSize: BATCH, shuffle: true, seed: 5 })) { /* record */ }
      const tensors: Record<string, Tensor> = { order: tensor(Int32Array.from(order), { dtype: 'int32' }) };
      for (const name of MODELS) for (const [k, t] of Object.entries(nets[name].stateDict())) tensors[`${name}/${k}`] = t;
      await io.save(join(dir, 'start.safetensors'), tensors, { seed: '5', source: 'softmax-nn manualSeed(5), DataLoader seed 5' });

      const torchRun = python(['train', '--start', join(dir, 'start.safetensors'), '--out', dir]); // runs while we train
      torchRun.catch(() => undefined); // (awaited below; avoids an unhandled rejection while we train)
      const runs: Partial<Record<ModelName, Run>> = {};
      for (const name of MODELS) {
        // a fresh loader with the same seed gives the same first pass; it is recorded again to prove it
        const again: number[] = [];
        const loader = new DataLoader(recording(train, again), { batchSize: BATCH, shuffle: true, seed: 5 });
        const start = nets[name].stateDict();
        runs[name] = runEpoch(name, start, loader, test);
        expect(again, 'a DataLoader with the same seed repeats its order').toEqual(order);
      }
      await torchRun;
      for (const name of MODELS) await compareRun('live', name, runs[name]!, dir, testLabels);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 900_000);
});
