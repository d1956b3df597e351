// The pure pieces of the parallel protocol: the fixed shards, the workers' per-step seeds, and the
// bounded polling of a control word.
import { describe, expect, it } from 'vitest';
import { Poller, shardOf, workerSeed } from '../../src/parallel/protocol.js';

describe('parallel protocol', () => {
  it('shardOf splits a batch into N contiguous shards that cover it exactly', () => {
    expect([0, 1].map((i) => shardOf(256, 2, i))).toEqual([{ start: 0, count: 128 }, { start: 128, count: 128 }]);
    // 7 rows in 3 shards: floor(i·7/3) → 0, 2, 4, 7
    expect([0, 1, 2].map((i) => shardOf(7, 3, i))).toEqual([{ start: 0, count: 2 }, { start: 2, count: 2 }, { start: 4, count: 3 }]);
    // fewer rows than shards: some shards are empty
    expect([0, 1, 2].map((i) => shardOf(2, 3, i).count)).toEqual([0, 1, 1]);
  });

  it('workerSeed differs per worker and per drawn state, and is a pure function of both', () => {
    const a = Uint32Array.of(1, 2, 3, 4);
    const b = Uint32Array.of(1, 2, 3, 5);
    expect(workerSeed(a, 1)).toBe(workerSeed(Uint32Array.of(1, 2, 3, 4), 1));
    expect(workerSeed(a, 1)).not.toBe(workerSeed(a, 2));
    expect(workerSeed(a, 1)).not.toBe(workerSeed(b, 1));
    expect(workerSeed(a, 1) >= 0n && workerSeed(a, 1) < 1n << 64n).toBe(true);
  });

  it('Poller: sees a changed word at once, gives up after its budget, then skips the next 8 polls', () => {
    const ctrl = new Int32Array(new SharedArrayBuffer(8));
    const poller = new Poller(5);
    ctrl[0] = 1;
    expect(poller.until(ctrl, 0, 0)).toBe(true); // already different
    const t0 = performance.now();
    expect(poller.until(ctrl, 0, 1)).toBe(false); // nothing changes: polls ≈5 ms, then gives up
    expect(performance.now() - t0).toBeGreaterThanOrEqual(5);
    for (let i = 0; i < Poller.SKIP_AFTER_MISS; i++) {
      ctrl[0] = 2; // even a changed word is not polled for while skipping: the caller sleeps on it instead
      expect(poller.until(ctrl, 0, 1)).toBe(false);
    }
    expect(poller.until(ctrl, 0, 1)).toBe(true); // polling again
    expect(new Poller(0).until(ctrl, 0, 1)).toBe(false); // budget 0: never polls
  });
});
