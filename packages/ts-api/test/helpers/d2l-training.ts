// Running a d2l chapter-3/4 training port and its PyTorch mirror, and reading the epoch lines that
// d2l.train_ch3 prints ("epoch n: train loss …, train acc …, test acc …"), for the ch4 example tests.

import { spawn as spawnChild, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const PACKAGE = fileURLToPath(new URL('../../', import.meta.url));
export const D2L = fileURLToPath(new URL('../../../../parity/d2l/', import.meta.url));
export const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

/** Why the live PyTorch runs are skipped, or null when torch and numpy import. */
export function torchMissing(): string | null {
  if (process.env.PARITY_NO_TORCH === '1') return 'PARITY_NO_TORCH=1';
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? null : `${PYTHON} cannot import torch and numpy`;
}

// Asynchronous: training must not block the test worker's event loop.
export function run(command: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(command, args, {
      cwd,
      env: { ...process.env, D2L_REPLAY: undefined, D2L_RECORD: undefined, D2L_SHARE_ORDERS: undefined, D2L_EPOCHS: undefined, SOFTMAX_NN_NO_DOWNLOAD: '1', OPENBLAS_CORETYPE: 'Prescott', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.join(' ')} exited with ${status}:\n${stderr}`))));
  });
}

/** The port examples/d2l/<name>.ts. */
export const runPort = (name: string, env: Record<string, string | undefined> = {}): Promise<string> =>
  run(process.execPath, ['--import', 'tsx', join('examples', 'd2l', `${name}.ts`)], PACKAGE, env);

/** The mirror parity/d2l/<mirror>.py. */
export const runMirror = (mirror: string, env: Record<string, string | undefined> = {}): Promise<string> =>
  run(PYTHON, [join(D2L, `${mirror}.py`)], D2L, env);

/** [train loss, train acc, test acc] of one training run, epoch 1 first. */
export type Epochs = number[][];

/**
 * Splits printed output into the lines before the first epoch line, the training runs (a run restarts
 * at epoch 1) and the lines after the last epoch line.
 */
export function parseTraining(text: string): { before: string[]; runs: Epochs[]; after: string[] } {
  const lines = text.trimEnd().split('\n');
  const isEpoch = (l: string): boolean => l.startsWith('epoch ');
  const first = lines.findIndex(isEpoch);
  expect(first, 'no epoch line').toBeGreaterThanOrEqual(0);
  let last = first;
  while (last + 1 < lines.length && isEpoch(lines[last + 1])) last++;
  const runs: Epochs[] = [];
  for (const l of lines.slice(first, last + 1)) {
    const m = /^epoch (\d+): train loss (\S+), train acc (\S+), test acc (\S+)$/.exec(l);
    expect(m, l).not.toBeNull();
    const epoch = Number(m![1]);
    if (epoch === 1) runs.push([]);
    expect(epoch, l).toBe(runs[runs.length - 1].length + 1);
    runs[runs.length - 1].push([Number(m![2]), Number(m![3]), Number(m![4])]);
  }
  return { before: lines.slice(0, first), runs, after: lines.slice(last + 1) };
}

export interface Bounds { loss: number; trainAcc: number; testAcc: number }

/** Each of our epochs within `bounds` of PyTorch's same epoch (ours may be the shorter run). */
export function expectEpochsNear(ours: Epochs, torch: Epochs, bounds: Bounds, what: string): void {
  expect(ours.length).toBeGreaterThan(0);
  expect(ours.length).toBeLessThanOrEqual(torch.length);
  ours.forEach(([loss, trainAcc, testAcc], i) => {
    const [tLoss, tTrainAcc, tTestAcc] = torch[i];
    const at = `${what} epoch ${i + 1}`;
    expect(Math.abs(loss - tLoss), `${at}: train loss ${loss} vs PyTorch's ${tLoss}`).toBeLessThan(bounds.loss);
    expect(Math.abs(trainAcc - tTrainAcc), `${at}: train acc ${trainAcc} vs PyTorch's ${tTrainAcc}`).toBeLessThan(bounds.trainAcc);
    expect(Math.abs(testAcc - tTestAcc), `${at}: test acc ${testAcc} vs PyTorch's ${tTestAcc}`).toBeLessThan(bounds.testAcc);
  });
}
