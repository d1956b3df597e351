// The command spawned with paths and values it cannot use: each fails with the exit code the --help
// text promises (2 for a path it cannot write or a missing file, 3 for a diverged run) and a one-line
// message that says what to do. The spawn timeout only guards against a hang; nothing is timed.

import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, nn } from '../../src/index.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'softmax-nn-exit-'));
  // Readable by the unprivileged user of the read-only test.
  await chmod(root, 0o755);
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

function cli(args: string[], extra: SpawnSyncOptions = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: pkg, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SOFTMAX_NN_DEBUG: '' }, ...extra,
  });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The command started in the background; resolves with its exit code and stderr. */
function cliAsync(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: pkg, env: { ...process.env, SOFTMAX_NN_DEBUG: '' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const quick = ['--epochs', '1', '--limit', '500', '--no-download'];
const trainHint = "\n(see 'softmax-nn train --help')\n";

describe('exit codes of softmax-nn train', () => {
  it('3 for a diverged run, with the reason and what to do; a new folder is not left behind', () => {
    const out = join(root, 'diverged');
    const r = cli(['train', '--epochs', '2', '--limit', '1000', '--batch-size', '100', '--lr', '1e38', '--no-download', '--out', out]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^training softmax \(784 → 10\) on 1000 images/);
    expect(r.stderr).toMatch(/^softmax-nn: training diverged in epoch 1: the loss of batch \d+ is (NaN|Infinity)\. Lower the learning rate \(--lr 1e\+38 now\) and start again; nothing was saved\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('2, at once, for --out under /proc (where Node\'s recursive mkdir spins forever)', () => {
    const out = `/proc/softmax-nn-test-${process.pid}/run`;
    const r = cli(['train', ...quick, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`softmax-nn: error: --out ${out}: folders cannot be created there; choose another --out${trainHint}`);
  });

  it('2 for --out naming a file or a path through a file; the file is untouched', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'mine');
    const r = cli(['train', ...quick, '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`softmax-nn: error: --out ${file} is a file, not a folder; give the folder for the run (it is made if missing)${trainHint}`);
    const under = join(file, 'run');
    const u = cli(['train', ...quick, '--out', under]);
    expect(u.code).toBe(2);
    expect(u.stderr).toBe(`softmax-nn: error: --out ${under}: a part of this path is a file, not a folder; choose another --out${trainHint}`);
    expect(await readFile(file, 'utf8')).toBe('mine');
  });

  it('2 for a folder the user cannot write in', async () => {
    const dir = join(root, 'read-only');
    await mkdir(dir, { mode: 0o555 });
    await chmod(dir, 0o555);
    // root may write anywhere: run the command as an unprivileged user to meet a real EACCES.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = cli(['train', ...quick, '--out', dir], { ...asUser, env: { ...process.env, SOFTMAX_NN_DEBUG: '', HOME: root } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`softmax-nn: error: --out ${dir}: permission denied: cannot write there; choose another --out (a folder you can write to)${trainHint}`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('2 for missing data files with --no-download, without advice to delete anything', async () => {
    const empty = join(root, 'no-data');
    await mkdir(empty);
    const r = cli(['train', ...quick, '--data-root', empty, '--out', join(root, 'no-data-run')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^softmax-nn: error: cannot load Fashion-MNIST: Fashion-MNIST: 4 files failed:\n {2}Fashion-MNIST file train-images-idx3-ubyte\.gz not found/);
    expect(r.stderr).not.toMatch(/delete/);
    expect(existsSync(join(root, 'no-data-run'))).toBe(false);
  });

  it('two runs started together on one --out: one trains, the other exits 2 and the folder is the winner\'s', async () => {
    const out = join(root, 'race');
    const lrs = ['0.1', '0.2'];
    const results = await Promise.all(lrs.map((lr) => cliAsync(['train', ...quick, '--lr', lr, '--out', out])));
    expect(results.map((r) => r.code).sort()).toEqual([0, 2]);
    const loser = results.find((r) => r.code === 2)!;
    // Depending on which started first, the loser met the lock or the finished run; either way it wrote nothing.
    expect(loser.stderr).toMatch(/^softmax-nn: error: (--out .* is in use by another softmax-nn train \(PID \d+\)|.* already holds a run )/);
    const winnerLr = Number(lrs[results.findIndex((r) => r.code === 0)]);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { lr: number };
    expect(config.lr).toBe(winnerLr);
    expect((await readdir(out)).sort()).toEqual(['checkpoint.safetensors', 'config.json', 'curves.svg', 'metrics.json', 'model.safetensors']);
  });

  it('--help lists exit code 3', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 training diverged (a NaN or infinite loss:\nlower the learning rate)');
  });
});

describe('exit codes of softmax-nn predict', () => {
  it('2 for --svg naming a folder, with a file name to use instead', async () => {
    const weights = join(root, 'softmax.safetensors');
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    await io.save(weights, net.stateDict());
    const folder = join(root, 'svg-folder');
    await mkdir(folder);
    const r = cli(['predict', '--weights', weights, '--n', '2', '--no-download', '--svg', folder]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `softmax-nn: error: --svg ${folder}: this is a folder; give a file name, e.g. ${join(folder, 'predictions.svg')}\n(see 'softmax-nn predict --help')\n`,
    );
    expect(await readdir(folder)).toEqual([]);
  });
});
