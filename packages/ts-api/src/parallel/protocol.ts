// What the main thread and the gradient workers say to each other. Pure data and arithmetic: this file
// imports nothing, so the worker entry can read it before the library (and its wasm) is loaded.
//
// A batch is split into N shards; shard 0 is the calling thread's, shard i (1 … N − 1) worker i's.
// Shared transport: one Int32Array of control words (below), a Float64Array of per-worker results,
// the parameters (P floats), N − 1 gradient slots ((N − 1) × P floats) and two batch buffers (x, y) in
// SharedArrayBuffers. A step: main has staged the batch, writes the parameters, stores CMD and the
// step's numbers, then bumps SEQ and notifies it; each worker sees it (polling briefly, then
// Atomics.wait), computes the gradient of its shard into its slot, stores SEQ into DONE + i − 1 and
// notifies that word; main, after its own shard, waits (polling briefly, then Atomics.waitAsync) for
// every DONE.
// Message transport: the same numbers travel in 'step' / 'done' messages with transferred buffers.
//
// Joined (shared transport, where the caller runs the threads build: Node, cross-origin isolated
// pages): every worker runs an instance of the caller's wasm module on the caller's own memory
// (joinBackend). Then nothing goes through the parameter and gradient buffers: the caller writes its
// parameters' addresses (POINTERS row 0), each worker computes on the parameters there (its replica's
// parameters are views of them) and leaves its gradients where backward put them, writing their
// addresses into its row; the caller adds them from there. A worker frees its gradients when the next step starts (the caller
// has added them by then) and everything it allocated when told to QUIT. The batch is not copied
// either: the caller keeps the loader's batch tensors alive for the step and stores their addresses
// (X_AT, Y_AT); every thread computes on a view of its shard's rows there. Where the loader's batches
// are plain gathers, worker 1 gathers the next batch after its shard, while the caller updates the
// model (G_* words below).

import type { ModuleDescription } from '../nn/module.js';
import type { ParamSpec } from './replica.js';
import type { GatherSpec } from './gather.js';

/**
 * Float64 results per worker (shared transport): lossSum, correct, and the step's start and end as
 * absolute times (performance.timeOrigin + performance.now(), comparable across threads) for profiles.
 */
export const RESULTS_PER_WORKER = 4;

/** Milliseconds since the epoch, comparable between threads (each thread's performance.now() has its own origin). */
export function clock(): number {
  return performance.timeOrigin + performance.now();
}

/** Control words (Int32Array indices). */
export const CTRL = {
  SEQ: 0,
  CMD: 1,
  /** Rows of the whole batch (B): each worker's shard is fixed by (B, N, i). */
  ROWS: 2,
  /** 1-based step number within this fit() call (for messages and fault injection). */
  STEP: 3,
  /** Rows of shard 0, the caller's (the workers share the rest evenly; firstShard). */
  FIRST: 4,
  /** Four words of the caller's generator state drawn for this step (the workers' dropout seeds). */
  RNG: 5,
  /** Which of the two batch buffers holds this step's batch (the other one is being filled). */
  SLOT: 9,
  /** Joined: the byte addresses of this step's batch (examples, targets) in the shared wasm memory. */
  X_AT: 10,
  Y_AT: 11,
  /**
   * Joined, the loader's batches are plain gathers (gather.ts): after its shard of this step, worker 1
   * gathers the next batch — G_ROWS rows (0: none), indices at G_IDX, into G_X / G_Y — and stores
   * this step's SEQ into GATHERED. G_WAIT: the SEQ whose gather filled this step's batch (0: the
   * caller filled it); the other threads wait for GATHERED to reach it before they read the batch.
   */
  G_ROWS: 12,
  G_IDX: 13,
  G_X: 14,
  G_Y: 15,
  G_WAIT: 16,
  GATHERED: 17,
  /** DONE + i − 1: the last SEQ worker i (1 … N − 1) finished. */
  DONE: 18,
} as const;

/** STEP: compute a gradient; PAUSE: acknowledge (DONE) and go back to reading messages; QUIT: free what the worker allocated, acknowledge, close. */
export const CMD = { STEP: 1, PAUSE: 2, QUIT: 3 } as const;

/**
 * How long a thread polls a control word before it sleeps on it, when every thread has a core of its
 * own. Waking a sleeping thread (Atomics.notify → futex) took ≈0.15 ms per hand-off on this project's
 * 2-core VMs, twice per step; a worker's wait for the next step is ≈0.3 ms, so a short poll catches it.
 * With more threads than cores, polling would take a core from a thread with work: no polling then.
 */
export const SPIN_MS = 1;

/**
 * Polls a control word before a thread sleeps on it, for at most `ms` — and backs off when polls run
 * out: after a poll that runs out, the waits that follow sleep without polling — none after the first
 * such poll, then 1, 2, 4 and at most 8 for each further one in a row; a poll that sees the change
 * starts over. Misses in a row mean another process has the other core, and polling would only take CPU
 * time from our thread (one busy process beside a 2-worker fit on 2 cores: polling every time made steps
 * 5–19 % slower, in four paired runs, than polling one wait in 9, where this settles). A single miss is
 * mostly the host stalling the other thread for a moment, which on this project's 2-vCPU VMs happens in
 * 10–30 % of the steps: sleeping through the next 8 waits after each, as this did before, made the
 * hand-offs of much of an epoch slow (≈0.15 ms each).
 */
export class Poller {
  static readonly MAX_SKIP = 8;
  /** Waits left to sleep on without polling. */
  #skip = 0;
  /** Waits to skip after the next poll that runs out. */
  #backoff = 0;
  readonly #now: () => number;
  /** `now` reads the clock in milliseconds; tests pass a fake one to check the policy without timing it. */
  constructor(readonly ms: number, now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Polls `ctrl[index]` until it differs from `value` (true) or the budget is spent (false). */
  until(ctrl: Int32Array, index: number, value: number): boolean {
    if (this.ms <= 0) return false;
    if (this.#skip > 0) {
      this.#skip--;
      return false;
    }
    const end = this.#now() + this.ms;
    for (;;) {
      for (let i = 0; i < 256; i++) {
        if (Atomics.load(ctrl, index) !== value) {
          this.#backoff = 0;
          return true;
        }
      }
      if (this.#now() > end) {
        this.#skip = this.#backoff;
        this.#backoff = Math.min(Poller.MAX_SKIP, Math.max(1, 2 * this.#backoff));
        return false;
      }
    }
  }
}

export function controlWords(workers: number): number {
  return CTRL.DONE + workers;
}

/**
 * Rows [start, start + count) of shard i (0: the calling thread's; i ≥ 1: worker i's) of a batch of
 * `rows` rows split into `workers` fixed shards: shard 0 has `first` rows (default: an even share), the
 * workers share the rest evenly.
 */
export function shardOf(rows: number, workers: number, i: number, first = Math.floor(rows / workers)): { start: number; count: number } {
  if (i === 0) return { start: 0, count: first };
  const at = (j: number): number => first + Math.floor((j * (rows - first)) / (workers - 1));
  return { start: at(i - 1), count: at(i) - at(i - 1) };
}

/**
 * The rows of shard 0 for a batch of `rows` rows: while the workers compute their shards, the calling
 * thread computes shard 0 and also fetches the next batch, which costs `lookAhead` examples' worth of
 * gradient work per example of the batch (replica.ts lookAheadCost) — so shard 0 gets fewer rows,
 * (rows − (N − 1) · lookAhead · rows) / N, and every thread ends its part at about the same time. A
 * function of (rows, N, the model, the example's shape) only: the shards, hence the bits, do not
 * depend on timing.
 */
export function firstShard(rows: number, workers: number, lookAhead: number): number {
  const even = Math.floor(rows / workers);
  if (workers === 1) return rows;
  return Math.max(0, Math.min(even, Math.round((rows * (1 - (workers - 1) * lookAhead)) / workers)));
}

/**
 * The 64-bit seed of worker i's generator for one step, from the caller's generator state that the
 * step drew (fit advances that generator once per step when the model has dropout): splitmix-style
 * mixing of (state, worker). A run stopped and resumed — or restored from a checkpoint, which saves the
 * state — draws the same states, so its dropout masks are those of an uninterrupted run.
 */
export function workerSeed(state: ArrayLike<number>, worker: number): bigint {
  const M = (1n << 64n) - 1n;
  let z = (BigInt(state[0] >>> 0) | (BigInt(state[1] >>> 0) << 32n)) ^ (BigInt(state[2] >>> 0) << 16n) ^ (BigInt(state[3] >>> 0) << 40n);
  z = (z + BigInt(worker + 1) * 0xd1b54a32d192ed03n) & M;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
  return z ^ (z >> 31n);
}

export type TransportKind = 'shared' | 'message';
export type ElemType = 'float32' | 'int32';

/** How the worker turns the shard's summed loss S into the quantity it differentiates: scale × S. */
export interface GradMode {
  /** 'optimizer': trainStep's `l.mean()` (or the scalar loss); 'function': `l.sum()` (or `l × B`). */
  updater: 'optimizer' | 'function';
}

/** Test-only: make worker `worker` fail at (1-based) step `step` — step 0: while it starts (it throws). */
export interface FaultInjection {
  worker: number;
  step: number;
  /** 'throw' (default): the step throws; 'exit': the worker thread exits; 'terminate': main kills it. */
  kind?: 'throw' | 'exit' | 'terminate';
}

export interface SharedBuffers {
  control: SharedArrayBuffer;
  results: SharedArrayBuffer;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  /** Joined: N rows of one address per parameter (row 0 the caller's parameters, row i worker i's gradients; 0: none). */
  pointers: SharedArrayBuffer;
}

/** Joined: what a worker needs to run on the caller's wasm memory, and the stack the caller allocated for it. */
export interface JoinInfo {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  stackLow: number;
}

export interface InitMessage {
  type: 'init';
  index: number;
  workers: number;
  model: ModuleDescription;
  params: ParamSpec[];
  paramLength: number;
  loss: ModuleDescription;
  mode: GradMode;
  transport: TransportKind;
  shared: SharedBuffers | null;
  /** How long to poll before sleeping on a control word (SPIN_MS, or 0 when threads outnumber cores). */
  spinMs: number;
  /** Joined mode (see the file's header), or null. */
  joined: JoinInfo | null;
  fault: FaultInjection | null;
}

/**
 * The shape of one example (x) and one target (y), and — shared transport, not joined — the two batch
 * buffers (main fills one with the next batch while the workers read the other).
 */
export interface LayoutMessage {
  type: 'layout';
  xRow: number[];
  yRow: number[];
  xType: ElemType;
  yType: ElemType;
  /** Rows each batch buffer holds. */
  capacity: number;
  /** Joined: where worker 1 gathers the next batches from (null: the caller stages every batch). */
  gather: GatherSpec | null;
  x: [SharedArrayBuffer, SharedArrayBuffer] | null;
  y: [SharedArrayBuffer, SharedArrayBuffer] | null;
}

/** Message transport: one step of one worker; `params`, `x`, `y` are transferred and come back in 'done'. */
export interface StepMessage {
  type: 'step';
  seq: number;
  step: number;
  rng: number[];
  rows: number;
  count: number;
  params: ArrayBuffer;
  x: ArrayBuffer;
  y: ArrayBuffer;
}

export interface QuitMessage {
  type: 'quit';
}

export type ToWorker = InitMessage | LayoutMessage | StepMessage | QuitMessage;

export interface ReadyReply {
  type: 'ready';
  index: number;
  /** Joined: the worker's thread slot in the threads build (the caller frees it), else 0. */
  slot: number;
}
/** Message transport: the gradient (in the returned params buffer) and the shard's loss and hits. */
export interface DoneReply {
  type: 'done';
  index: number;
  seq: number;
  lossSum: number;
  correct: number;
  /** When the worker started and ended the step (clock()). */
  begin: number;
  end: number;
  grads: ArrayBuffer;
  x: ArrayBuffer;
  y: ArrayBuffer;
}
export interface FailedReply {
  type: 'failed';
  index: number;
  /** The step that failed (0: while starting). */
  step: number;
  message: string;
  stack?: string;
}

/** Joined, after a 'quit' message: the worker has freed what it allocated in the caller's memory. */
export interface ClosedReply {
  type: 'closed';
  index: number;
}

export type FromWorker = ReadyReply | DoneReply | FailedReply | ClosedReply;
