// runTrain and its run folder under bad inputs: --overwrite keeps the old run until the new one has a
// checkpoint, the lock on --out, config.json that is not a complete config, a run stopped before its
// first checkpoint, a diverged run, and the warning for more workers than cores. Faults are injected
// with deps.callbacks (a weight set to NaN at a chosen batch), never with timing.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { data, io, nn, train, type Tensor } from '../../src/index.js';
import { Collect, useCliFixture } from '../helpers/cli-fixture.js';
import { DivergedError, parseTrainArgs, UsageError, type TrainOptions } from '../../src/cli/args.js';
import { LOCK_FILE } from '../../src/cli/run-lock.js';
import { runTrain, type TrainDeps } from '../../src/cli/train-command.js';

type Dataset = data.Dataset<[Tensor, Tensor]>;

const FM = '/usr/share/datasets/fashion-mnist';
const fixture = useCliFixture(1000, 300, 'softmax-nn-runs-');
let datasets: { train: Dataset; test: Dataset };
let root: string;
beforeAll(() => {
  ({ datasets, root } = fixture);
});

function options(out: string, ...args: string[]): TrainOptions {
  return parseTrainArgs(['--out', join(root, out), '--batch-size', '100', '--workers', '1', ...args])!;
}

function train_(opts: TrainOptions, deps: Partial<TrainDeps> = {}) {
  return runTrain(opts, { datasets, stdout: new Collect(), stderr: new Collect(), ...deps });
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

/** Every file of a folder and its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, (await readFile(join(dir, n))).toString('base64')] as const)));
}

/** Sets the first weight of the network to NaN after batch `batch` of epoch `epoch`: the next batch's loss is NaN. */
function poisonAt(epoch: number, batch: number): train.Callback {
  return {
    onBatchEnd(logs, ctx) {
      if (logs.epoch === epoch && logs.batch === batch && ctx.net instanceof nn.Module) nn.init.constant_(ctx.net.parameters()[0], Number.NaN);
    },
  };
}

/** A checkpoint's epoch and history (metadata), and whether its weights are all finite. */
async function checkpointOf(dir: string): Promise<{ epoch: number; trainLoss: number[]; finite: boolean }> {
  const { tensors, metadata } = await io.loadFile(join(dir, 'checkpoint.safetensors'));
  const finite = Object.values(tensors).every((t) => Array.from(t.toArray()).every(Number.isFinite));
  for (const t of Object.values(tensors)) t.dispose();
  const history = JSON.parse(metadata.history) as { trainLoss: number }[];
  return { epoch: Number(metadata.epoch), trainLoss: history.map((h) => h.trainLoss), finite };
}

function config(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
}

describe('--overwrite', () => {
  it('leaves the old run as it was when the options, the data or the first epoch are bad', async () => {
    const old = options('keep', '--epochs', '1', '--early-stop', '1', '--val-size', '100');
    await train_(old);
    const before = await snapshot(old.out);
    expect(Object.keys(before)).toEqual(['best.safetensors', 'checkpoint.safetensors', 'config.json', 'curves.svg', 'metrics.json', 'model.safetensors']);

    const limit = await rejection(train_(options('keep', '--overwrite', '--limit', '5000')));
    expect(limit).toBeInstanceOf(UsageError);
    expect(limit.message).toBe('--limit 5000 is more than the 1000 training examples');
    expect(await snapshot(old.out)).toEqual(before);

    // A corrupt data file: three real files and one of garbage.
    const bad = join(root, 'bad-data');
    await mkdir(bad);
    for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz']) await symlink(join(FM, f), join(bad, f));
    await writeFile(join(bad, 't10k-labels-idx1-ubyte.gz'), 'garbage');
    const corrupt = await rejection(runTrain(options('keep', '--overwrite', '--data-root', bad, '--no-download'), { stdout: new Collect() }));
    expect(corrupt).toBeInstanceOf(UsageError);
    expect(corrupt.message).toMatch(/^cannot load Fashion-MNIST: .*t10k-labels-idx1-ubyte\.gz: not an IDX file/);
    // With --no-download, deleting the file would not bring a fresh copy: no such advice.
    expect(corrupt.message).not.toMatch(/delete/);
    expect(await snapshot(old.out)).toEqual(before);

    const diverged = await rejection(train_(options('keep', '--overwrite', '--epochs', '2'), { callbacks: [poisonAt(1, 0)] }));
    expect(diverged).toBeInstanceOf(DivergedError);
    expect(diverged.message).toBe(
      `training diverged in epoch 1: the loss of batch 2 is NaN. Lower the learning rate (--lr 0.1 now) and start again; nothing was saved and ${old.out} was left as it was`,
    );
    expect(await snapshot(old.out)).toEqual(before);
  });

  it('replaces the old run only at the end of the new run\'s first epoch', async () => {
    const old = options('replace', '--epochs', '1', '--early-stop', '1', '--val-size', '100', '--lr', '0.05');
    await train_(old);
    const before = await snapshot(old.out);
    const seenDuringEpoch1: string[][] = [];
    const spy: train.Callback = { onBatchEnd: (l) => { if (l.epoch === 1) seenDuringEpoch1.push(readdirSync(old.out).sort()); } };
    await train_(options('replace', '--overwrite', '--epochs', '2'), { callbacks: [spy] });
    // During the first epoch the old files are all there, and config.json is still the old run's.
    expect(seenDuringEpoch1).toHaveLength(10);
    for (const names of seenDuringEpoch1) expect(names).toEqual([LOCK_FILE, ...Object.keys(before)].sort());
    // Afterwards: the new run's files only (no best.safetensors without --early-stop), and no lock.
    expect((await readdir(old.out)).sort()).toEqual(['checkpoint.safetensors', 'config.json', 'curves.svg', 'metrics.json', 'model.safetensors']);
    expect(config(old.out)).toMatchObject({ lr: 0.1, epochs: 2, earlyStop: null });
  });
});

describe('the lock on --out', () => {
  it('lets one of two runs started together on one folder train; the other fails and writes nothing', async () => {
    const a = options('race', '--epochs', '1', '--lr', '0.1');
    const b = options('race', '--epochs', '1', '--lr', '0.2');
    const [ra, rb] = await Promise.allSettled([train_(a), train_(b)]);
    const results = [ra, rb];
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(UsageError);
    expect((failed.reason as Error).message).toBe(
      `--out ${a.out} is in use by another softmax-nn train (PID ${process.pid}); wait for it to finish or choose another --out ` +
        `(if no such run exists, delete ${join(a.out, LOCK_FILE)})`,
    );
    const winner = ra.status === 'fulfilled' ? a : b;
    expect(config(a.out)).toMatchObject({ lr: winner.lr });
    const ckpt = await checkpointOf(a.out);
    const metrics = JSON.parse(await readFile(join(a.out, 'metrics.json'), 'utf8')) as { trainLoss: number }[];
    expect(ckpt.trainLoss).toHaveLength(1);
    expect(metrics.map((m) => m.trainLoss)).toEqual(ckpt.trainLoss);
    expect(existsSync(join(a.out, LOCK_FILE))).toBe(false);
  });

  it('refuses a folder locked by a live process, and takes over a lock whose process is gone', async () => {
    const dir = join(root, 'locked');
    await mkdir(dir);
    const lock = join(dir, LOCK_FILE);
    await writeFile(lock, `${process.ppid}\n`);
    const e = await rejection(train_(options('locked', '--epochs', '1')));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toContain(`is in use by another softmax-nn train (PID ${process.ppid})`);
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
    expect(await readFile(lock, 'utf8')).toBe(`${process.ppid}\n`);

    // A PID above the kernel's pid_max belongs to no process.
    const dead = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1;
    await writeFile(lock, `${dead}\n`);
    await train_(options('locked', '--epochs', '1'));
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.safetensors', 'config.json', 'curves.svg', 'metrics.json', 'model.safetensors']);

    await writeFile(lock, 'not a pid');
    const garbage = await rejection(train_(options('locked', '--epochs', '1', '--overwrite')));
    expect(garbage.message).toBe(`--out ${dir}: ${lock} is not a softmax-nn lock file; if no run uses ${dir}, delete it`);
  });
});

describe('--resume and config.json', () => {
  it('rejects a config.json that is not a complete run config, and leaves it as it was', async () => {
    const run = options('configs', '--epochs', '1');
    await train_(run);
    const good = await readFile(join(run.out, 'config.json'), 'utf8');
    const partial = JSON.stringify({ ...JSON.parse(good), lr: undefined, batchSize: undefined });
    const cases: [string, RegExp][] = [
      ['{}', /config\.json is not a complete run config \(missing "model", "hidden", .*"download"\)/],
      ['[]', /config\.json is not a run config \(expected a JSON object, got an array\)/],
      ['null', /config\.json is not a run config \(expected a JSON object, got null\)/],
      [partial, /config\.json is not a complete run config \(missing "batchSize", "lr"\)/],
      [good.replace('"lr": 0.1', '"lr": "0.1"'), /config\.json is not a valid run config \("lr" must be a number > 0, got "0\.1"\)/],
      ['{"model": ', /config\.json cannot be read \(/],
    ];
    for (const [text, message] of cases) {
      await writeFile(join(run.out, 'config.json'), text);
      const e = await rejection(train_(options('configs', '--epochs', '2', '--resume', '--lr', '0.5', '--batch-size', '50')));
      expect(e).toBeInstanceOf(UsageError);
      expect(e.message).toMatch(message);
      expect(e.message).toMatch(/so the run's options are unknown; start a new run with --overwrite or another --out$/);
      expect(await readFile(join(run.out, 'config.json'), 'utf8')).toBe(text);
    }
  });

  it('starts over a run stopped before its first checkpoint (only config.json), the same as a fresh run', async () => {
    const fresh = options('fresh', '--epochs', '2', '--seed', '5');
    await train_(fresh);
    // The run is stopped in its first epoch, as a kill would: here by an error from a callback.
    const stopped = options('stopped', '--epochs', '2', '--seed', '5');
    const kill: train.Callback = { onBatchEnd: (l) => { if (l.epoch === 1 && l.batch === 4) throw new Error('killed'); } };
    expect((await rejection(train_(stopped, { callbacks: [kill] }))).message).toBe('killed');
    expect(await readdir(stopped.out)).toEqual(['config.json']);
    expect(config(stopped.out)).toEqual(config(fresh.out));

    const plain = await rejection(train_(stopped));
    expect(plain.message).toBe(
      `${stopped.out} holds a run stopped before its first checkpoint (config.json); use --resume to start it over, --overwrite to replace it, or another --out`,
    );
    const other = await rejection(train_(options('stopped', '--epochs', '2', '--seed', '6', '--resume')));
    expect(other.message).toMatch(/--seed: the run used 5, now 6/);

    const stdout = new Collect();
    const r = await train_(options('stopped', '--epochs', '2', '--seed', '5', '--resume'), { stdout });
    expect(stdout.text).toContain(`there is no checkpoint yet in ${stopped.out} (the run stopped in its first epoch); starting it over`);
    expect(r.history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const a = await readFile(join(fresh.out, 'model.safetensors'));
    const b = await readFile(join(stopped.out, 'model.safetensors'));
    expect(Buffer.compare(a, b)).toBe(0);
  });
});

describe('a diverged run', () => {
  it('stops at the first NaN loss, keeps the last finite checkpoint and saves no model', async () => {
    const run = options('diverged', '--epochs', '4');
    const e = await rejection(train_(run, { callbacks: [poisonAt(2, 3)] }));
    expect(e).toBeInstanceOf(DivergedError);
    expect(e.message).toBe(
      'training diverged in epoch 2: the loss of batch 5 is NaN. Lower the learning rate (--lr 0.1 now) and start again; ' +
        `${join(run.out, 'checkpoint.safetensors')} keeps epoch 1, the last with a finite loss`,
    );
    expect((await readdir(run.out)).sort()).toEqual(['checkpoint.safetensors', 'config.json', 'curves.svg', 'metrics.json']);
    expect(await checkpointOf(run.out)).toMatchObject({ epoch: 1, finite: true });
    const metrics = JSON.parse(await readFile(join(run.out, 'metrics.json'), 'utf8')) as unknown[];
    expect(metrics).toHaveLength(1);
  });

  it('in its first epoch, leaves no folder behind', async () => {
    const run = options('diverged-first', '--epochs', '2');
    const e = await rejection(train_(run, { callbacks: [poisonAt(1, 0)] }));
    expect(e.message).toMatch(/^training diverged in epoch 1: .*; nothing was saved$/);
    expect(existsSync(run.out)).toBe(false);
  });
});

describe('--workers', () => {
  it('warns on stderr when the workers exceed the cores', async () => {
    const stderr = new Collect();
    await train_(options('workers', '--epochs', '1', '--workers', '2'), { stderr, cores: 1 });
    expect(stderr.text).toBe(
      'softmax-nn: warning: --workers 2 is more than the 1 core of this machine; training will be slower and use more memory than with --workers 1\n',
    );
    const quiet = new Collect();
    await train_(options('workers-ok', '--epochs', '1', '--workers', '2'), { stderr: quiet, cores: 2 });
    expect(quiet.text).toBe('');
  });
});
