// The leak report: memory().groups (live tensors by the op that made their data) and the one-time
// warning of setDebugLeaks / SOFTMAX_NN_DEBUG_LEAKS=1 naming where a loop outside any scope keeps
// making tensors.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DataLoader, memory, setDebugLeaks, tensor, TensorDataset, tidy, zeros, type MemoryGroup, type Tensor } from '../../src/index.js';
import { LEAK_SITE_THRESHOLD } from '../../src/tensor/leaks.js';
import { settleGarbage } from '../helpers/settle-garbage.js';

const byOp = (groups: MemoryGroup[]): Map<string, MemoryGroup> => new Map(groups.map((g) => [g.op, g]));

beforeEach(async () => {
  await settleGarbage();
});

afterEach(() => {
  setDebugLeaks(false);
  vi.restoreAllMocks();
});

describe('memory().groups', () => {
  it('counts live tensors and bytes by the op that made the data (a view with its data), largest first, summing to the totals', () => {
    const before = memory();
    const beforeOps = byOp(before.groups);
    const count = (m: Map<string, MemoryGroup>, op: string): [number, number] => [m.get(op)?.tensors ?? 0, m.get(op)?.bytes ?? 0];

    const big = zeros([1000]); // zeros fills in the core: op 'zeros'
    const view = big.reshape([10, 100]);
    const small = tensor([1, 2, 3]);
    const [a, b] = [tensor([[1, 2]]), tensor([[3], [4]])];
    const prod = a.matmul(b);
    const after = byOp(memory().groups);
    const [fullT, fullB] = count(beforeOps, 'zeros');
    expect(count(after, 'zeros')).toEqual([fullT + 2, fullB + 4000]);
    const [tensorT, tensorB] = count(beforeOps, 'tensor');
    expect(count(after, 'tensor')).toEqual([tensorT + 3, tensorB + 12 + 8 + 8]);
    const [mmT, mmB] = count(beforeOps, 'matmul');
    expect(count(after, 'matmul')).toEqual([mmT + 1, mmB + 4]);

    const m = memory();
    expect(m.groups.reduce((s, g) => s + g.tensors, 0)).toBe(m.tensors);
    expect(m.groups.reduce((s, g) => s + g.bytes, 0)).toBe(m.bytes);
    for (let i = 1; i < m.groups.length; i++) expect(m.groups[i - 1].bytes).toBeGreaterThanOrEqual(m.groups[i].bytes);

    for (const t of [big, view, small, a, b, prod]) t.dispose();
    expect(memory()).toEqual(before);
  });
});

describe('setDebugLeaks', () => {
  it('warns once, naming this file as where the tensors were made, when a loop outside any scope keeps them alive', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    setDebugLeaks(true);
    const losses: Tensor[] = [];
    const x = tensor([1, 2, 3]);
    for (let i = 0; i < LEAK_SITE_THRESHOLD + 50; i++) losses.push(x.mul(i).sum()); // PyTorch's `losses.append(loss)`
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0][0]);
    expect(message).toMatch(/^softmax-nn: live tensor memory keeps growing: tensors made outside any scope are piling up\./);
    expect(message).toContain('leak-report.test.ts');
    expect(message).toMatch(/\n  100 tensors \(1\.2 KiB\) made at\n    at .*leak-report\.test\.ts:\d+:\d+/); // x.mul(i): 100 × 12 bytes
    for (let i = 0; i < LEAK_SITE_THRESHOLD; i++) losses.push(x.add(i)); // still growing: no second warning
    expect(warn).toHaveBeenCalledTimes(1);
    for (const t of [...losses, x]) t.dispose();
  });

  it('stays silent inside scopes (a tidy, a loop over a DataLoader), when tensors are freed, and when off', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    setDebugLeaks(true);
    tidy(() => {
      const kept: Tensor[] = [];
      for (let i = 0; i < 3 * LEAK_SITE_THRESHOLD; i++) kept.push(zeros([4]));
    });
    const ds = new TensorDataset(zeros([8, 2]), zeros([8]).int());
    const inLoop: Tensor[] = [];
    for (let epoch = 0; epoch < 100; epoch++) for (const [X] of new DataLoader(ds, { batchSize: 2 })) inLoop.push(X.mul(2));
    for (let i = 0; i < 3 * LEAK_SITE_THRESHOLD; i++) zeros([4]).dispose();
    setDebugLeaks(false);
    const off: Tensor[] = [];
    for (let i = 0; i < 3 * LEAK_SITE_THRESHOLD; i++) off.push(zeros([4]));
    expect(warn).not.toHaveBeenCalled();
    for (const t of off) t.dispose();
    expect(() => setDebugLeaks('yes' as unknown as boolean)).toThrow('setDebugLeaks: expected true or false, got yes');
  });

  it('SOFTMAX_NN_DEBUG_LEAKS=1 turns it on in Node', () => {
    const index = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
    const script = `import { tensor } from ${JSON.stringify(index)};
const kept = []; const x = tensor([1]);
for (let i = 0; i < 300; i++) kept.push(x.add(i)); // leak-site`;
    const run = (env: Record<string, string>): string => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stderr;
    };
    const on = run({ SOFTMAX_NN_DEBUG_LEAKS: '1' });
    expect(on.match(/live tensor memory keeps growing/g)).toHaveLength(1);
    expect(on).toMatch(/\n  100 tensors \(400 bytes\) made at\n {4}at /);
    expect(run({ SOFTMAX_NN_DEBUG_LEAKS: '' })).not.toContain('keeps growing');
  });
});
