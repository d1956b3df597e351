// The pure pieces of the parallel protocol: the fixed shards (and shard 0's smaller share), the
// workers' per-step seeds, and the bounded polling of a control word.
import { describe, expect, it } from 'vitest';
import { lookAheadCost, type LayerSpec } from '../../src/parallel/describe.js';
import { firstShard, Poller, shardOf, workerSeed } from '../../src/parallel/protocol.js';

describe('parallel protocol', () => {
  it('shardOf splits a batch into N contiguous shards that cover it exactly', () => {
    expect([0, 1].map((i) => shardOf(256, 2, i))).toEqual([{ start: 0, count: 128 }, { start: 128, count: 128 }]);
    // 7 rows in 3 shards: shard 0 floor(7/3) = 2, the workers 2 + floor(j·5/2) → 2, 4, 7
    expect([0, 1, 2].map((i) => shardOf(7, 3, i))).toEqual([{ start: 0, count: 2 }, { start: 2, count: 2 }, { start: 4, count: 3 }]);
    // fewer rows than shards: some shards are empty
    expect([0, 1, 2].map((i) => shardOf(2, 3, i).count)).toEqual([0, 1, 1]);
    // shard 0 given: the workers share the rest
    expect([0, 1].map((i) => shardOf(256, 2, i, 124))).toEqual([{ start: 0, count: 124 }, { start: 124, count: 132 }]);
    expect([0, 1, 2].map((i) => shardOf(10, 3, i, 2))).toEqual([{ start: 0, count: 2 }, { start: 2, count: 4 }, { start: 6, count: 4 }]);
    expect([0, 1, 2].map((i) => shardOf(10, 3, i, 0))).toEqual([{ start: 0, count: 0 }, { start: 0, count: 5 }, { start: 5, count: 5 }]);
  });

  it('lookAheadCost: the look-ahead per example in examples of Linear multiply-adds (16 per element; first Linear × 2, later ones × 3)', () => {
    const mlp: LayerSpec = { kind: 'Sequential', layers: [
      { kind: 'Flatten', startDim: 1, endDim: -1 },
      { kind: 'Linear', inFeatures: 784, outFeatures: 256, bias: true }, { kind: 'ReLU' },
      { kind: 'Linear', inFeatures: 256, outFeatures: 10, bias: true },
    ] };
    // 784·256·2 + 256·10·3 = 409 088 multiply-adds per example; 16 · 784 = 12 544 per fetched example
    expect(lookAheadCost(mlp, 784)).toBeCloseTo(12544 / 409088, 12);
    expect(lookAheadCost({ kind: 'Sequential', layers: [{ kind: 'Linear', inFeatures: 784, outFeatures: 10, bias: true }] }, 784)).toBeCloseTo(12544 / 15680, 12);
    expect(lookAheadCost({ kind: 'Sequential', layers: [{ kind: 'ReLU' }] }, 784)).toBe(0);
  });

  it('firstShard: shard 0 gives up the rows its look-ahead is worth, between 0 and an even share', () => {
    expect(firstShard(256, 2, 0)).toBe(128);
    // round(256 · (1 − 0.030663) / 2) = round(124.07)
    expect(firstShard(256, 2, 12544 / 409088)).toBe(124);
    // round(255 · (1 − 2 · 0.03) / 3) = round(79.9)
    expect(firstShard(255, 3, 0.03)).toBe(80);
    expect(firstShard(256, 2, 0.6)).toBe(51);
    expect(firstShard(256, 2, 5)).toBe(0);
    expect(firstShard(256, 1, 0.6)).toBe(256);
    expect(firstShard(1, 2, 0.03)).toBe(0);
  });

  it('workerSeed differs per worker and per drawn state, and is a pure function of both', () => {
    const a = Uint32Array.of(1, 2, 3, 4);
    const b = Uint32Array.of(1, 2, 3, 5);
    expect(workerSeed(a, 1)).toBe(workerSeed(Uint32Array.of(1, 2, 3, 4), 1));
    expect(workerSeed(a, 1)).not.toBe(workerSeed(a, 2));
    expect(workerSeed(a, 1)).not.toBe(workerSeed(b, 1));
    expect(workerSeed(a, 1) >= 0n && workerSeed(a, 1) < 1n << 64n).toBe(true);
  });

  it('Poller: sees a changed word at once, gives up after its budget, and after misses in a row skips 0, 1, 2, 4, 8, 8 polls; a hit starts over', () => {
    const ctrl = new Int32Array(new SharedArrayBuffer(8));
    // A budget far above what a skipped wait takes (microseconds), so that the two are told apart by time.
    const budget = 20;
    const poller = new Poller(budget);
    ctrl[0] = 1;
    expect(poller.until(ctrl, 0, 0)).toBe(true); // already different
    const t0 = performance.now();
    expect(poller.until(ctrl, 0, 1)).toBe(false); // nothing changes: polls for the budget, then gives up
    expect(performance.now() - t0).toBeGreaterThanOrEqual(budget);
    // How many waits after a miss return false at once, on a word that has changed: the skipped ones
    // (the caller sleeps on the word instead, which returns at once); then a poll sees the change.
    const skipped = (): number => {
      ctrl[0] = 2;
      let n = 0;
      while (!poller.until(ctrl, 0, 1)) n++;
      return n;
    };
    const missThenCount = (): number => {
      ctrl[0] = 1;
      expect(poller.until(ctrl, 0, 1)).toBe(false); // a miss
      return skipped();
    };
    // One miss at a time skips nothing (each count ends with a hit, which starts over).
    expect(skipped()).toBe(0);
    expect([missThenCount(), missThenCount()]).toEqual([0, 0]);
    // Misses in a row: the word never changes, and the skips between the polls grow.
    ctrl[0] = 1;
    const gaps: number[] = [];
    let sinceLastPoll = 0;
    while (gaps.length < 6) {
      const t = performance.now();
      expect(poller.until(ctrl, 0, 1)).toBe(false);
      if (performance.now() - t >= budget) {
        gaps.push(sinceLastPoll);
        sinceLastPoll = 0;
      } else sinceLastPoll++;
    }
    expect(gaps).toEqual([0, 0, 1, 2, 4, 8]);
    expect(skipped()).toBe(8); // still backed off; then the poll that sees the change starts over
    expect(missThenCount()).toBe(0);
    expect(new Poller(0).until(ctrl, 0, 1)).toBe(false); // budget 0: never polls
  });
});
