// The calling thread's half: the N − 1 gradient workers (1 … N − 1; shard 0 is this thread's), their
// start-up, the hand-off of a step (protocol.ts), and noticing a worker that throws or dies.

import { CMD, CTRL, RESULTS_PER_WORKER, SPIN_MS, Poller, firstShard, shardOf, type FromWorker, type InitMessage, type JoinInfo, type Layout, type ShardResult, type ToWorker } from './protocol.js';
import { importNode, isNode, nextTask, startNodeWorker, webWorkerThread, type WorkerThread } from '../runtime.js';
import { JOIN_STACK_BYTES, rawExports, wasmMemory, type SharedBackend } from '../backend/load.js';
import { allocBytes } from '../backend/memory.js';
import { numel } from '../tensor/shape.js';

// How long Atomics.wait sleeps before the event loop runs (a dead worker's events); how long close()
// waits for joined workers to free their memory; how long a worker may take to load.
const BLOCK_SLICE_MS = 20;
const CLOSE_TIMEOUT_MS = 2000;
const START_TIMEOUT_MS = 120_000;

type WaitAsync = (a: Int32Array, index: number, value: number) =>
  { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (): WaitAsync | undefined => (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** How this thread waits for joined workers: Atomics.wait (≈0.1 ms to wake), or Atomics.waitAsync (≈0.5 ms). */
export type MainWait = 'block' | 'async';

/**
 * 'block' where this thread may block (not a page's main thread) unless 'async' is asked for, 'async'
 * where Atomics.waitAsync exists, else null: the workers exchange messages instead of joining.
 */
export function mainWait(preferred?: MainWait): MainWait | null {
  try {
    if (preferred !== 'async' && Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0) === 'not-equal') return 'block';
  } catch { /* not allowed to block here */ }
  return waitAsync() === undefined ? null : 'async';
}

/** The cores this process may use (1 where unknown). */
async function cores(): Promise<number> {
  if (isNode) return (await importNode('node:os')).availableParallelism();
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** Why fit stopped: worker `worker` threw or died during (1-based) step `step` (0: while starting). */
export class WorkerFailure extends Error {
  constructor(readonly worker: number, readonly step: number, message: string, readonly workerStack?: string) {
    super(message);
    this.name = 'WorkerFailure';
  }
}

async function spawn(index: number): Promise<WorkerThread> {
  const name = `softmax-nn gradient worker ${index}`;
  if (isNode) return startNodeWorker('it', name, './worker-entry.js', import.meta.url);
  // Written literally so that bundlers (Vite) find, bundle and serve the worker script.
  return webWorkerThread('it', new Worker(new URL('./worker-entry.js', import.meta.url), { type: 'module', name }));
}

/**
 * One step on the batch placed in `slot`; `rng`: the generator state drawn for it, or zeros. `next`
 * (joined, with a layout's `gather`): worker 1 gathers `rows` rows (indices at `idx`) into `x` / `y` after its shard.
 */
export interface StepInput {
  step: number;
  rng: Uint32Array;
  slot: 0 | 1;
  writeParams(dst: Float32Array): void;
  writePointers(dst: Int32Array): void;
  next?: { slot: 0 | 1; rows: number; idx: number; x: number; y: number } | null;
}

/** `joined`: the caller's threads build, or null (messages). `deadlineClock` (ms) times close: a frozen one never passes. */
export interface PoolOptions {
  workers: number;
  init: Omit<InitMessage, 'type' | 'index' | 'workers' | 'spinMs' | 'joined'>;
  joined: SharedBackend | null;
  wait: MainWait;
  deadlineClock?: () => number;
}

export class GradientPool {
  /** Shards per batch (N); the workers are numbered 1 … N − 1. */
  readonly workers: number;
  readonly joined: boolean;
  readonly wait: MainWait;
  readonly #threads: WorkerThread[] = [];
  readonly #paramLength: number;
  readonly #paramCount: number;
  /** Polls for SPIN_MS, or not at all when the N threads outnumber the cores. */
  readonly #poller: Poller;
  readonly #deadlineClock: () => number;
  readonly layout: Layout;
  #failure: WorkerFailure | null = null;
  #closing = false;
  #step = 0;
  #seq = 0;
  /** Waiters to wake when a worker fails or replies. */
  #wakers: (() => void)[] = [];
  /** Per worker: ready (its replica built); gone (it said 'closed', or died). */
  readonly #ready: boolean[];
  readonly #gone: boolean[];
  // joined: the control words, results, addresses; the stacks and thread slots of the workers
  #control: Int32Array | null = null;
  #results: Float64Array | null = null;
  #pointers: Int32Array | null = null;
  readonly #stacks: number[] = [];
  readonly #slots: number[] = [];
  /** Per slot: the SEQ of the step whose worker 1 gathers its batch (0: placed by the caller). */
  readonly #gatherSeq: [number, number] = [0, 0];
  /** Per slot: the batch's rows and byte addresses (examples, targets) in this thread's memory. */
  readonly #placed = [{ rows: 0, x: 0, y: 0 }, { rows: 0, x: 0, y: 0 }];
  // messages: per worker, the buffers that travel with 'step' and come back with 'done'
  #buffers: { params: ArrayBuffer; x: ArrayBuffer; y: ArrayBuffer }[] = [];
  #replies: (Extract<FromWorker, { type: 'done' }> | null)[];

  private constructor(options: PoolOptions, spinMs: number) {
    this.workers = options.workers;
    this.joined = options.joined !== null;
    this.wait = options.wait;
    this.layout = options.init.layout;
    this.#paramLength = options.init.params.reduce((n, s) => n + s.length, 0);
    this.#paramCount = options.init.params.length;
    this.#poller = new Poller(spinMs);
    this.#deadlineClock = options.deadlineClock ?? (() => performance.now());
    [this.#ready, this.#gone] = [0, 1].map(() => Array<boolean>(options.workers - 1).fill(false));
    this.#replies = Array(options.workers - 1).fill(null);
  }

  /** Starts the workers for batches of `init.layout` and resolves when each has built its replica. */
  static async start(options: PoolOptions): Promise<GradientPool> {
    const N = options.workers;
    const spinMs = N <= (await cores()) ? SPIN_MS : 0;
    const pool = new GradientPool(options, spinMs);
    try {
      let shared: Omit<JoinInfo, 'stackLow'> | null = null;
      if (options.joined !== null) {
        shared = {
          ...options.joined,
          control: new SharedArrayBuffer((CTRL.DONE + N) * 4),
          results: new SharedArrayBuffer(RESULTS_PER_WORKER * N * 8),
          pointers: new SharedArrayBuffer(N * Math.max(1, pool.#paramCount) * 4),
        };
        pool.#control = new Int32Array(shared.control);
        pool.#results = new Float64Array(shared.results);
        pool.#pointers = new Int32Array(shared.pointers);
        for (let i = 1; i < N; i++) pool.#stacks.push(allocBytes(JOIN_STACK_BYTES, `worker ${i}'s stack`));
      }
      for (let index = 1; index < N; index++) {
        const s = await spawn(index);
        const k = pool.#threads.push(s) - 1;
        s.onMessage((m) => pool.#receive(k, m as FromWorker));
        s.onDeath((e, thrown) => {
          pool.#gone[k] = true;
          pool.#fail(new WorkerFailure(index, pool.#step, thrown ? `it threw ${e.message}` : e.message));
        });
        const joined = shared === null ? null : { ...shared, stackLow: pool.#stacks[k] };
        s.post({ type: 'init', index, workers: N, spinMs, joined, ...options.init } satisfies ToWorker);
      }
      // A worker that neither answers nor dies while loading would otherwise hang fit() for ever.
      const late = setTimeout(() => {
        pool.#fail(new WorkerFailure(pool.#ready.indexOf(false) + 1, 0, `not ready after ${START_TIMEOUT_MS / 1000} s`));
      }, START_TIMEOUT_MS);
      try {
        await pool.#until(() => pool.#ready.every(Boolean));
      } finally {
        clearTimeout(late);
      }
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /** A message from the worker at position k (worker number k + 1). */
  #receive(k: number, m: FromWorker): void {
    if (m.type === 'ready') {
      this.#ready[k] = true;
      this.#slots[k] = m.slot;
    } else if (m.type === 'done') this.#replies[k] = m;
    else if (m.type === 'closed') this.#gone[k] = true;
    else this.#fail(new WorkerFailure(k + 1, m.step, m.message, m.stack));
    this.#wake();
  }

  #fail(f: WorkerFailure): void {
    if (this.#closing || this.#failure !== null) return;
    this.#failure = f;
    this.#wake();
  }

  #wake(): void {
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const w of wakers) w();
    if (this.#control === null) return;
    for (let k = 0; k < this.#threads.length; k++) Atomics.notify(this.#control, CTRL.DONE + k);
    Atomics.notify(this.#control, CTRL.GATHERED);
  }

  /** The first failure, if any. */
  get failure(): WorkerFailure | null {
    return this.#failure;
  }

  /** Resolves when `done()` holds (checked at every message or death); rejects as soon as a worker fails. */
  async #until(done: () => boolean): Promise<void> {
    while (this.#failure === null && !done()) await new Promise<void>((resolve) => this.#wakers.push(resolve));
    if (this.#failure !== null) throw this.#failure;
  }

  /**
   * Joined: waits until control word `index` reaches `seq`, polling first (Poller). A failure wakes the
   * wait (#wake); Atomics.wait lets the events (a worker's death) in every BLOCK_SLICE_MS.
   */
  async #waitWord(index: number, seq: number): Promise<void> {
    const ctrl = this.#control!;
    for (let spun = false; ; spun = true) {
      if (this.#failure !== null) throw this.#failure;
      const cur = Atomics.load(ctrl, index);
      if (cur >= seq) return;
      if (!spun && this.#poller.until(ctrl, index, cur)) continue;
      if (this.wait === 'block') {
        if (Atomics.wait(ctrl, index, cur, BLOCK_SLICE_MS) === 'timed-out') await nextTask();
      } else {
        const r = waitAsync()!(ctrl, index, cur);
        if (r.async) await r.value;
      }
    }
  }

  /** Joined: bumps SEQ with command `cmd`, and wakes the workers. */
  #signal(cmd: number): number {
    const ctrl = this.#control!;
    ctrl[CTRL.CMD] = cmd;
    const seq = ++this.#seq;
    Atomics.store(ctrl, CTRL.SEQ, seq);
    Atomics.notify(ctrl, CTRL.SEQ);
    return seq;
  }

  /** The batch for `slot`: `rows` rows at byte addresses `x`, `y`, kept there until the step on it is done. */
  place(slot: 0 | 1, rows: number, x: number, y: number): void {
    this.#placed[slot] = { rows, x, y };
    this.#gatherSeq[slot] = 0;
  }

  /** Joined: resolves when the batch in `slot` is complete (worker 1 gathered it, if it did; StepInput.next). */
  async gathered(slot: 0 | 1): Promise<void> {
    const seq = this.#gatherSeq[slot];
    if (seq !== 0 && Atomics.load(this.#control!, CTRL.GATHERED) < seq) await this.#waitWord(CTRL.GATHERED, seq);
  }

  /** The byte addresses and rows of shard `i` of the batch placed in `slot`. */
  shardAt(slot: 0 | 1, i: number): { x: number; y: number; count: number; rows: number } {
    const l = this.layout;
    const { rows, x, y } = this.#placed[slot];
    const { start, count } = shardOf(rows, this.workers, i, this.#first(rows));
    return { x: x + start * numel(l.xRow) * 4, y: y + start * numel(l.yRow) * 4, count, rows };
  }

  /** Starts a step on every worker; resolves with worker i's loss and hits at [i − 1], or rejects with a WorkerFailure. */
  step(input: StepInput): Promise<ShardResult[]> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    this.#step = input.step;
    return this.joined ? this.#stepJoined(input) : this.#stepMessages(input);
  }

  async #stepJoined(input: StepInput): Promise<ShardResult[]> {
    input.writePointers(this.#pointers!.subarray(0, this.#paramCount));
    const ctrl = this.#control!;
    const { rows, x, y } = this.#placed[input.slot];
    ctrl[CTRL.ROWS] = rows;
    ctrl[CTRL.FIRST] = this.#first(rows);
    ctrl[CTRL.STEP] = input.step;
    ctrl[CTRL.X_AT] = x;
    ctrl[CTRL.Y_AT] = y;
    ctrl[CTRL.G_WAIT] = this.#gatherSeq[input.slot];
    const next = input.next ?? null;
    ctrl[CTRL.G_ROWS] = next?.rows ?? 0;
    if (next !== null) {
      ctrl[CTRL.G_IDX] = next.idx;
      ctrl[CTRL.G_X] = next.x;
      ctrl[CTRL.G_Y] = next.y;
    }
    ctrl.set(input.rng, CTRL.RNG);
    const seq = this.#signal(CMD.STEP);
    if (next !== null) {
      this.#placed[next.slot] = { rows: next.rows, x: next.x, y: next.y };
      this.#gatherSeq[next.slot] = seq;
    }
    await null; // waits only after this thread's shard and look-ahead
    for (let k = 0; k < this.#threads.length; k++) await this.#waitWord(CTRL.DONE + k, seq);
    const r = this.#results!;
    return this.#threads.map((_, k) => ({ lossSum: r[RESULTS_PER_WORKER * k], correct: r[RESULTS_PER_WORKER * k + 1] }));
  }

  async #stepMessages(input: StepInput): Promise<ShardResult[]> {
    const l = this.layout;
    const xBytes = numel(l.xRow) * 4;
    const yBytes = numel(l.yRow) * 4;
    const memory = wasmMemory().buffer;
    for (let k = 0; k < this.#threads.length; k++) {
      const { x, y, count, rows } = this.shardAt(input.slot, k + 1);
      let b = this.#buffers[k];
      if (b === undefined || b.x.byteLength < count * xBytes || b.y.byteLength < count * yBytes) {
        b = { params: b?.params ?? new ArrayBuffer(this.#paramLength * 4), x: new ArrayBuffer(count * xBytes), y: new ArrayBuffer(count * yBytes) };
      }
      input.writeParams(new Float32Array(b.params));
      new Uint8Array(b.x).set(new Uint8Array(memory, x, count * xBytes));
      new Uint8Array(b.y).set(new Uint8Array(memory, y, count * yBytes));
      this.#replies[k] = null;
      const m: ToWorker = { type: 'step', step: input.step, rng: Array.from(input.rng), rows, count, params: b.params, x: b.x, y: b.y };
      this.#threads[k].post(m, [b.params, b.x, b.y]);
    }
    await this.#until(() => this.#replies.every((r) => r !== null));
    const replies = this.#replies as Extract<FromWorker, { type: 'done' }>[];
    replies.forEach((r, k) => { this.#buffers[k] = { params: r.grads, x: r.x, y: r.y }; });
    return replies;
  }

  #first(rows: number): number {
    return firstShard(rows, this.workers, this.layout.lookAhead);
  }

  /** Joined: the addresses of worker i's gradients after the last step (ParamSpec order; 0: none). */
  gradientPointers(i: number): Int32Array {
    const P = this.#paramCount;
    return this.#pointers!.subarray(i * P, (i + 1) * P);
  }

  /** Messages: worker i's gradient after the last step (flat, ParamSpec order). */
  gradient(i: number): Float32Array {
    return new Float32Array(this.#buffers[i - 1].params);
  }

  /** Ends every worker (idempotent). */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.joined) {
      // Every live worker frees what it allocated here and says 'closed': in its step loop on CMD.QUIT,
      // else (still loading, or after a throw) on 'quit'. What a dead worker allocated stays.
      this.#signal(CMD.QUIT);
      for (const s of this.#threads) s.post({ type: 'quit' } satisfies ToWorker);
      const deadline = this.#deadlineClock() + CLOSE_TIMEOUT_MS;
      while (!this.#threads.every((_, k) => this.#gone[k]) && this.#deadlineClock() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    await Promise.all(this.#threads.map((s) => s.terminate().catch(() => undefined)));
    if (this.joined) {
      const raw = rawExports();
      for (const slot of this.#slots) if (slot > 0) raw.thread_unregister(slot);
      for (const stack of this.#stacks) raw.free(stack, JOIN_STACK_BYTES);
    }
    this.#wake();
  }
}
