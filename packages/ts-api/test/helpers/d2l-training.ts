// Running a d2l chapter-3/4 training port and its PyTorch mirror, and reading the epoch lines that
// d2l.train_ch3 prints ("epoch n: train loss …, train acc …, test acc …"), for the ch4 example tests.

import { expect } from 'vitest';
import { runMirror, runPort, type Env } from './d2l-programs.js';

// Unset what a shell may hold (draws, batch orders, epochs), no download (Fashion-MNIST is on disk) and
// one OpenBLAS kernel for PyTorch.
const TRAINING: Env = {
  D2L_REPLAY: undefined, D2L_RECORD: undefined, D2L_SHARE_ORDERS: undefined, D2L_EPOCHS: undefined,
  SOFTMAX_NN_NO_DOWNLOAD: '1', OPENBLAS_CORETYPE: 'Prescott',
};

/** What the port examples/d2l/<name>.ts prints when it trains, `env` over the training environment. */
export const trainPort = (name: string, env: Env = {}): Promise<string> => runPort(name, { ...TRAINING, ...env });

/** What the mirror parity/d2l/<mirror>.py prints when it trains, `env` over the training environment. */
export const trainMirror = (mirror: string, env: Env = {}): Promise<string> => runMirror(mirror, { ...TRAINING, ...env });

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
