// What the calling thread (shard 0) and gradient worker i (shard i) say to each other; imports nothing
// at run time, so the worker entry reads it before the library. Joined, a step is control words (SEQ
// bumped, DONE + i answered) on the caller's memory; else a 'step' message out and 'done' back.

import type { ModuleDescription } from '../nn/module.js';
import type { ParamSpec } from './replica.js';
import type { GatherSpec } from './batches.js';

/**
 * Joined: the control words. RNG: the generator state drawn for the step; X_AT, Y_AT: the batch. Worker 1
 * then gathers G_ROWS rows (indices at G_IDX) into G_X / G_Y and stores SEQ into GATHERED; G_WAIT: the
 * SEQ whose gather filled this step's batch (0: none). DONE + i − 1: the last SEQ worker i finished.
 */
export const CTRL = { SEQ: 0, CMD: 1, ROWS: 2, STEP: 3, FIRST: 4, RNG: 5, X_AT: 9, Y_AT: 10, G_ROWS: 11, G_IDX: 12, G_X: 13, G_Y: 14, G_WAIT: 15, GATHERED: 16, DONE: 17 } as const;

/** QUIT: as the message 'quit'. */
export const CMD = { STEP: 1, QUIT: 2 } as const;

/** Float64 results per worker (joined): the shard's lossSum and hits. */
export const RESULTS_PER_WORKER = 2;

/** How long a thread polls a control word before it sleeps (≈0.15 ms to wake from a futex on 2-core VMs). */
export const SPIN_MS = 1;

/**
 * Polls a control word for at most `ms`. Polls that run out in a row mean another process has the other
 * core: the waits after them sleep without polling (0, 1, 2, 4, then 8 skipped); a hit starts over.
 */
export class Poller {
  static readonly MAX_SKIP = 8;
  #skip = 0;
  #backoff = 0;
  /** `now` reads the clock in ms (tests pass a fake one). */
  constructor(readonly ms: number, private readonly now: () => number = () => performance.now()) {}

  /** Polls `ctrl[index]` until it differs from `value` (true) or the budget is spent (false). */
  until(ctrl: Int32Array, index: number, value: number): boolean {
    if (this.ms <= 0) return false;
    if (this.#skip > 0) {
      this.#skip--;
      return false;
    }
    const end = this.now() + this.ms;
    for (;;) {
      for (let i = 0; i < 256; i++) {
        if (Atomics.load(ctrl, index) !== value) {
          this.#backoff = 0;
          return true;
        }
      }
      if (this.now() > end) {
        this.#skip = this.#backoff;
        this.#backoff = Math.min(Poller.MAX_SKIP, Math.max(1, 2 * this.#backoff));
        return false;
      }
    }
  }
}

/** Rows [start, start + count) of shard i of a batch of `rows` rows: shard 0 has `first`, the workers share the rest evenly. */
export function shardOf(rows: number, workers: number, i: number, first = Math.floor(rows / workers)): { start: number; count: number } {
  if (i === 0) return { start: 0, count: first };
  const at = (j: number): number => first + Math.floor((j * (rows - first)) / (workers - 1));
  return { start: at(i - 1), count: at(i) - at(i - 1) };
}

/**
 * The rows of shard 0, fewer by what this thread's fetch of the next batch costs (`lookAhead`, in
 * examples per example: replica.ts lookAheadCost). Not a function of timing, so the bits are fixed.
 */
export function firstShard(rows: number, workers: number, lookAhead: number): number {
  const even = Math.floor(rows / workers);
  if (workers === 1) return rows;
  return Math.max(0, Math.min(even, Math.round((rows * (1 - (workers - 1) * lookAhead)) / workers)));
}

/** Worker i's seed for a step: splitmix of (the generator state the step drew, i), so resume keeps the masks. */
export function workerSeed(state: ArrayLike<number>, worker: number): bigint {
  const M = (1n << 64n) - 1n;
  let z = (BigInt(state[0] >>> 0) | (BigInt(state[1] >>> 0) << 32n)) ^ (BigInt(state[2] >>> 0) << 16n) ^ (BigInt(state[3] >>> 0) << 40n);
  z = (z + BigInt(worker + 1) * 0xd1b54a32d192ed03n) & M;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
  return z ^ (z >> 31n);
}

export type ElemType = 'float32' | 'int32';
export type Typed = Float32Array | Int32Array;

/** A shard's share of the step's summed loss (trainStep's lossSum), and its correct predictions. */
export type ShardResult = { lossSum: number; correct: number };

/** Test-only: make worker `worker` fail at (1-based) step `step` — step 0: while it starts (it throws). */
export interface FaultInjection {
  worker: number;
  step: number;
  /** 'throw' (default): the step throws; 'exit': the worker thread exits (dies). */
  kind?: 'throw' | 'exit';
}

/** Joined: the caller's module and memory, the worker's stack, and the control buffers. */
export interface JoinInfo {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  stackLow: number;
  control: SharedArrayBuffer;
  results: SharedArrayBuffer;
  /** N rows of one address per parameter: row 0 the caller's parameters, row i worker i's gradients (0: none). */
  pointers: SharedArrayBuffer;
}

export interface InitMessage {
  type: 'init';
  index: number;
  workers: number;
  model: ModuleDescription;
  params: ParamSpec[];
  loss: ModuleDescription;
  /** How the shard's summed loss is scaled (shard.ts lossScales): trainStep's with an optimizer or a function. */
  updater: 'optimizer' | 'function';
  /** SPIN_MS, or 0 when the threads outnumber the cores. */
  spinMs: number;
  joined: JoinInfo | null;
  layout: Layout;
  fault: FaultInjection | null;
}

/** The shape of one example and one target, shard 0's look-ahead (firstShard), where worker 1 gathers batches from. */
export interface Layout {
  xRow: number[];
  yRow: number[];
  xType: ElemType;
  yType: ElemType;
  lookAhead: number;
  gather: GatherSpec | null;
}

/** Messages: one step of one worker; the buffers are transferred and come back in 'done'. */
type StepMessage = { type: 'step'; step: number; rng: number[]; rows: number; count: number; params: ArrayBuffer; x: ArrayBuffer; y: ArrayBuffer };

export type ToWorker = InitMessage | StepMessage | { type: 'quit' };

export type FromWorker =
  /** `slot`: joined, the worker's thread slot in the threads build (the caller frees it), else 0. */
  | { type: 'ready'; slot: number }
  /** Messages: the gradient (in the returned params buffer) and the shard's loss and hits. */
  | { type: 'done'; lossSum: number; correct: number; grads: ArrayBuffer; x: ArrayBuffer; y: ArrayBuffer }
  /** `step`: the step that failed (0: while starting). */
  | { type: 'failed'; step: number; message: string; stack?: string }
  /** After 'quit': the worker has freed what it allocated (joined: in the caller's memory) and closes. */
  | { type: 'closed' };
