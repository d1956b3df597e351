// What the examples share: Fashion-MNIST (loaded once per process) cut to the sizes an example asks
// for, the notes' weight init, a loss evaluator, weight norms, a plain-text table, and the
// "run when executed, not when imported" guard with a few command-line options.

import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nn, data, DataLoader, noGrad, tidy, type Tensor } from '../src/index.js';
import type { Dataset } from '../src/data/index.js';

/** Options every example's run() takes; the defaults are the full-size run. */
export interface CommonOptions {
  /** Use only the first `trainLimit` training images (default: all 60 000). */
  trainLimit?: number;
  /** Use only the first `testLimit` test images (default: all 10 000). */
  testLimit?: number;
  /** Training epochs (each example has its own default). */
  epochs?: number;
  /** Seed for manualSeed (weights, shuffling, dropout, augmentation). */
  seed?: number;
  /** Where progress lines go (default console.log; tests pass a no-op). */
  log?: (line: string) => void;
}

/**
 * Whether an example may download Fashion-MNIST when it finds no copy: yes (as the notes' loader does),
 * unless the environment says SOFTMAX_NN_NO_DOWNLOAD=1 — the tests set it, since a test must never
 * download; a missing copy is then an error that says where it looked.
 */
export function mayDownload(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const v = env.SOFTMAX_NN_NO_DOWNLOAD;
  if (v === undefined) return true;
  if (v === '1') return false;
  throw new Error(`SOFTMAX_NN_NO_DOWNLOAD must be 1 (never download Fashion-MNIST) or unset, got '${v}'`);
}

let cached: Promise<data.FashionMnistDatasets> | null = null;

/** The 60 000 + 10 000 Fashion-MNIST images, read once per process (the cache, /usr/share/datasets/fashion-mnist, or a download). */
export function fashionMnistOnce(): Promise<data.FashionMnistDatasets> {
  cached ??= data.fashionMnist({ download: mayDownload() });
  return cached;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

/** The first `limit` items of `dataset` (all of it when limit is undefined). */
export function firstN(dataset: Dataset<[Tensor, Tensor]>, limit: number | undefined): Dataset<[Tensor, Tensor]> {
  if (limit === undefined || limit >= dataset.length) return dataset;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`expected a positive integer limit, got ${limit}`);
  return data.subset(dataset, range(0, limit));
}

/** The last `count` items of `dataset` (a validation split that the first-N training subsets never touch). */
export function lastN(dataset: Dataset<[Tensor, Tensor]>, count: number): Dataset<[Tensor, Tensor]> {
  if (!Number.isInteger(count) || count < 1 || count > dataset.length) throw new Error(`lastN: bad count ${count}`);
  return data.subset(dataset, range(dataset.length - count, dataset.length));
}

/**
 * `[trainIter, testIter]` like the notes' `load_data_fashion_mnist(batch_size)`, optionally on the first
 * trainLimit / testLimit images: the training loader reshuffles every epoch (from the global generator,
 * so manualSeed fixes the order), the test loader keeps the file order.
 */
export async function fashionMnistLoaders(
  batchSize: number,
  options: { trainLimit?: number; testLimit?: number; trainTransform?: data.BatchTransform } = {},
): Promise<[DataLoader, DataLoader]> {
  const { train, test } = await fashionMnistOnce();
  return [
    new DataLoader(firstN(train, options.trainLimit), { batchSize, shuffle: true, transform: options.trainTransform }),
    new DataLoader(firstN(test, options.testLimit), { batchSize }),
  ];
}

/** The notes' init_weights: every Linear weight from normal(0, 0.01) (biases keep PyTorch's default). */
export function initWeights(m: nn.Module): void {
  if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01);
}

/** The weight matrices of every Linear in `net` (the tensors L1/L2 penalties act on; biases are left out). */
export function linearWeights(net: nn.Module): Tensor[] {
  return net.modules().filter((m): m is nn.Linear => m instanceof nn.Linear).map((m) => m.weight);
}

/** ‖W‖₂ (over all Linear weights together) and Σ|W|, computed in the core. */
export function weightNorms(net: nn.Module): { l2: number; l1: number } {
  return noGrad(() => tidy(() => {
    let l2 = 0;
    let l1 = 0;
    for (const w of linearWeights(net)) {
      l2 += w.square().sum().item();
      l1 += w.abs().sum().item();
    }
    return { l2: Math.sqrt(l2), l1 };
  }));
}

/** Mean loss of `net` over `dataIter` in eval mode, without gradients (the notes' evaluate_loss). */
export function evaluateLoss(net: nn.Module, dataIter: Iterable<[Tensor, Tensor]>, loss: nn.Module): number {
  const wasTraining = net.training;
  net.eval();
  let total = 0;
  let count = 0;
  try {
    for (const [X, y] of dataIter) {
      total += noGrad(() => tidy(() => loss.forward(net.forward(X), y).sum().item()));
      count += y.shape[0];
    }
  } finally {
    net.train(wasTraining);
  }
  return count === 0 ? 0 : total / count;
}

/** A fixed-width text table. */
export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toFixed(4) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** True when the module at `url` is the file node was started with (`node --import tsx examples/x.ts`). */
export function isMain(url: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(fileURLToPath(url)) === realpathSync(resolve(entry));
  } catch {
    return false;
  }
}

/**
 * CommonOptions from the command line: --epochs N, --train-limit N, --test-limit N, --seed N, plus the
 * example's own numeric options (`extra`, kebab-case on the command line, camelCase in the result).
 * Anything not given keeps the example's full-size default; unknown options are an error.
 */
export function cliOptions<E extends string = never>(extra: readonly E[] = []): CommonOptions & Partial<Record<E, number>> {
  const names = ['epochs', 'train-limit', 'test-limit', 'seed', ...extra.map(kebab)];
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
  });
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(values)) {
    const n = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new Error(`--${name} must be a non-negative number, got '${String(v)}'`);
    }
    out[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = n;
  }
  return out as CommonOptions & Partial<Record<E, number>>;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Percent with one decimal, for tables and logs. */
export function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
