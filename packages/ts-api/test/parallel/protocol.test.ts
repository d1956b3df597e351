// The pure pieces of the parallel protocol: the fixed shards (and shard 0's smaller share), the
// workers' per-step seeds, and the bounded polling of a control word.
import { describe, expect, it } from 'vitest';
import { lookAheadCost } from '../../src/parallel/replica.js';
import { nn } from '../../src/index.js';
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
    const mlp = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Sequential(new nn.Linear(256, 10)));
    // 784·256·2 + 256·10·3 = 409 088 multiply-adds per example (nested layers count); 16 · 784 = 12 544 per fetched example
    expect(lookAheadCost(mlp, 784)).toBeCloseTo(12544 / 409088, 12);
    expect(lookAheadCost(new nn.Sequential(new nn.Linear(784, 10)), 784)).toBeCloseTo(12544 / 15680, 12);
    expect(lookAheadCost(new nn.Sequential(new nn.ReLU()), 784)).toBe(0);
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

  it('Poller: sees a changed word at once, polls until its clock passes the budget, after misses in a row skips 0, 1, 2, 4, 8, 8 waits; a hit starts over', () => {
    // A fake clock that moves 1 ms per read and counts the reads: a wait that polls reads it, a skipped one does not.
    let t = 100;
    let reads = 0;
    const now = (): number => {
      reads++;
      return t++;
    };
    const ctrl = new Int32Array(new SharedArrayBuffer(8));
    const budget = 5;
    const poller = new Poller(budget, now);
    /** One wait for ctrl[0] to differ from 1: 'H' a poll that sees the change, 'P' a poll that runs out, '-' skipped (false at once). */
    const wait = (): string => {
      const before = reads;
      const hit = poller.until(ctrl, 0, 1);
      if (hit) return 'H';
      return reads > before ? 'P' : '-';
    };
    const waits = (n: number): string => Array.from({ length: n }, wait).join('');

    ctrl[0] = 2;
    let before = reads;
    expect(poller.until(ctrl, 0, 1)).toBe(true); // already different: one read (the start), none after
    expect(reads - before).toBe(1);
    ctrl[0] = 1;
    before = reads;
    expect(poller.until(ctrl, 0, 1)).toBe(false);
    // Read at the start (end = start + 5), then after each round of loads until a read is past the end: start + 6.
    expect(reads - before).toBe(7);
    ctrl[0] = 2;
    expect(waits(2)).toBe('HH'); // a single miss then a hit: nothing skipped, and the hit starts over

    // Misses in a row: the word never changes; the skipped waits between the polls grow to 8.
    ctrl[0] = 1;
    expect(waits(30)).toBe('PP-P--P----P--------P--------P');
    // Still backed off (8 to skip): the skipped waits return false although the word changed; then a poll sees it.
    ctrl[0] = 2;
    expect(waits(9)).toBe('--------H');
    // Started over: one miss skips nothing, and misses in a row back off from the start again.
    ctrl[0] = 1;
    expect(waits(7)).toBe('PP-P--P');
    before = reads;
    expect(new Poller(0, now).until(ctrl, 0, 1)).toBe(false); // budget 0: never polls
    expect(reads).toBe(before);
  });

  it('Poller: by default its clock is performance.now() in milliseconds (a poll that runs out lasts at least the budget)', () => {
    const ctrl = new Int32Array(new SharedArrayBuffer(8));
    const budget = 20;
    const t0 = performance.now();
    expect(new Poller(budget).until(ctrl, 0, 0)).toBe(false);
    // A lower bound only: a busy machine makes the poll longer, never shorter.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(budget);
  });
});
