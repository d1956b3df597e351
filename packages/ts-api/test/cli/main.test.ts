// The real entry point, spawned: `node --import tsx src/cli/main.ts train --epochs 1 --limit …`.

import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'softmax-nn-main-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: pkg, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SOFTMAX_NN_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the softmax-nn command', () => {
  it('trains end to end and predicts with the saved weights', async () => {
    const out = join(root, 'run');
    const r = cli('train', '--epochs', '1', '--limit', '1000', '--batch-size', '100', '--no-download', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // stdout is a pipe, not a TTY: plain lines, no progress-bar escapes.
    expect(r.stdout).not.toMatch(/\x1b/);
    expect(r.stdout).toMatch(/^training softmax \(784 → 10\) on 1000 images \(test 10000\), 1 epochs/);
    expect(r.stdout).toMatch(/\nepoch 1\/1 {2}loss \d\.\d{4} {2}train acc \d\.\d{4} {2}test acc \d\.\d{4} {2}\d+\.\d\d s\n/);
    expect(r.stdout).toMatch(/\nfinal: train loss \d\.\d{4}, train acc \d\.\d{4}, test acc \d\.\d{4} \(1 epochs, [\d.]+ s\)\n$/);
    expect((await readdir(out)).sort()).toEqual(['checkpoint.safetensors', 'config.json', 'curves.svg', 'metrics.json', 'model.safetensors']);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')) as unknown[];
    expect(metrics).toHaveLength(1);

    const p = cli('predict', '--weights', join(out, 'model.safetensors'), '--n', '4', '--no-download');
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/\n0 {2}ankle boot {2}/);
    expect(p.stdout).toMatch(/\n\d\/4 correct \(\d+\.\d%\)\n$/);
  });

  it('exits with 2 and a one-line reason for bad input', () => {
    const r = cli('train', '--epochs', '0');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("softmax-nn: error: --epochs must be an integer ≥ 1, got 0\n(see 'softmax-nn train --help')\n");
    const w = cli('predict', '--weights', join(root, 'none.safetensors'));
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/^softmax-nn: error: --weights: no such file: /);
  });
});
