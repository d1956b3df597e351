// The main thread's half: for N shards, N − 1 gradient workers numbered 1 … N − 1 (worker_threads in
// Node, module Web Workers in browsers; shard 0 is computed by the calling thread), their start-up,
// the two batch buffers, the two transports (SharedArrayBuffer + Atomics, or transferred buffers), and
// the noticing of a worker that throws or dies — at once from its 'failed' message or its 'error' /
// 'exit' event, and at the latest after WAKE_MS by the waits' own timeout.

import {
  clock, CMD, CTRL, RESULTS_PER_WORKER, SPIN_MS, Poller, controlWords, firstShard, shardOf,
  type DoneReply, type ElemType, type FaultInjection, type FromWorker, type InitMessage, type ToWorker, type TransportKind,
} from './protocol.js';
import { isNode, nextTask, nodeWorkerScript } from '../runtime.js';
import { JOIN_STACK_BYTES, rawExports, type SharedBackend } from '../backend/load.js';
export { sharedMemoryAvailable } from '../backend/load.js';
import { allocBytes } from '../backend/memory.js';
import type { GatherSpec } from './gather.js';

/** The longest a wait sleeps before it looks at the workers' health again. */
const WAKE_MS = 250;
/** The longest this thread sleeps in Atomics.wait before it lets the event loop run (dead workers' events). */
const BLOCK_SLICE_MS = 20;
/** How long close() waits for workers to free what they allocated in a joined memory. */
const CLOSE_TIMEOUT_MS = 2000;
/** Starting a worker loads the library and its wasm (through tsx when running from sources). */
const START_TIMEOUT_MS = 120_000;

// Variables, so that browser bundlers neither resolve nor bundle Node-only modules.
const WORKER_THREADS = 'node:worker_threads';
const NODE_OS = 'node:os';

/** True where this thread may block in Atomics.wait: Node's threads and Web Workers, not a browser page's main thread. */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // 'not-equal' at once where allowed
    return true;
  } catch {
    return false;
  }
}

/**
 * How this thread waits for the workers (shared transport), fastest first: 'block' sleeps in
 * Atomics.wait (a futex hand-off, ≈0.1 ms to wake; not on a browser page's main thread);
 * 'async' awaits Atomics.waitAsync (resumes through the event loop: ≈0.5 ms measured; not in every
 * Firefox); 'poll' looks again after each turn of the event loop.
 */
export type MainWait = 'block' | 'async' | 'poll';

function defaultWait(): MainWait {
  if (canBlock()) return 'block';
  return typeof (Atomics as unknown as { waitAsync?: unknown }).waitAsync === 'function' ? 'async' : 'poll';
}

/** The cores this process may use (1 where unknown). */
async function cores(): Promise<number> {
  if (isNode) return ((await import(/* @vite-ignore */ NODE_OS)) as typeof import('node:os')).availableParallelism();
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** Why fit stopped: worker `worker` threw or died during (1-based) step `step` (0: while starting). */
export class WorkerFailure extends Error {
  constructor(readonly worker: number, readonly step: number, readonly reason: string, readonly workerStack?: string) {
    super(`worker ${worker} ${step === 0 ? 'failed to start' : `failed at step ${step}`}: ${reason}`);
    this.name = 'WorkerFailure';
  }
}


interface Spawned {
  post(message: ToWorker, transfer?: Transferable[]): void;
  onMessage(listener: (message: FromWorker) => void): void;
  onDeath(listener: (why: string) => void): void;
  terminate(): Promise<void>;
}

async function spawnNode(index: number): Promise<Spawned> {
  const wt = (await import(/* @vite-ignore */ WORKER_THREADS)) as typeof import('node:worker_threads');
  // Through a variable: bundlers only rewrite (and warn about) the literal new URL(…, import.meta.url)
  // pattern, which is meant for the browser spawn below; this Node path must stay as written.
  const here = import.meta.url;
  const { script, eval: evalCode } = await nodeWorkerScript('./worker-entry.js', here);
  const w = new wt.Worker(script, { eval: evalCode, name: `softmax-nn gradient worker ${index}` });
  return {
    post: (m, t) => w.postMessage(m, t as readonly ArrayBuffer[] | undefined),
    onMessage: (l) => w.on('message', l),
    onDeath: (l) => {
      w.on('error', (e: unknown) => l(`it threw ${e instanceof Error ? e.message : String(e)}`));
      w.on('exit', (code: number) => l(`it exited (code ${code})`));
      w.on('messageerror', () => l('it sent a message that could not be deserialized'));
    },
    terminate: async () => {
      await w.terminate();
    },
  };
}

function spawnBrowser(index: number): Spawned {
  // Written literally so that bundlers (Vite) find, bundle and serve the worker script.
  const w = new Worker(new URL('./worker-entry.js', import.meta.url), { type: 'module', name: `softmax-nn gradient worker ${index}` });
  return {
    post: (m, t) => w.postMessage(m, t ?? []),
    onMessage: (l) => w.addEventListener('message', (ev: MessageEvent<FromWorker>) => l(ev.data)),
    onDeath: (l) => {
      w.addEventListener('error', (ev) => l(`it threw ${ev.message || 'an error (its script or the wasm could not be loaded)'}`));
      w.addEventListener('messageerror', () => l('it sent a message that could not be deserialized'));
    },
    terminate: async () => w.terminate(),
  };
}

/** The shape and element types of one example and one target; `capacity` rows of buffer. */
export interface Layout {
  xRow: number[];
  yRow: number[];
  xType: ElemType;
  yType: ElemType;
  capacity: number;
  /** The calling thread's look-ahead per example, in examples' worth of gradient work (firstShard). */
  lookAhead: number;
  /** Joined: where worker 1 gathers the next batches from (StepInput.next), or null. */
  gather: GatherSpec | null;
}

/** One step, as the transports need it: the batch is the one staged in `slot`. */
export interface StepInput {
  step: number;
  /** The generator state drawn for this step (workerSeed), or zeros when the model has no dropout. */
  rng: Uint32Array;
  slot: 0 | 1;
  /** Writes the caller's parameters (flat, in ParamSpec order) into `dst`. */
  writeParams(dst: Float32Array): void;
  /** Joined: writes the addresses of the caller's parameters (ParamSpec order) into `dst`. */
  writePointers(dst: Int32Array): void;
  /**
   * Joined, with a layout's `gather`: the next batch, for worker 1 to gather into slot `slot` after its
   * shard of this step — `rows` rows of the source, their indices (int32) at byte address `idx`, the
   * examples to `x`, the targets to `y`. Wait for it with gathered(slot) before reading it.
   */
  next?: { slot: 0 | 1; rows: number; idx: number; x: number; y: number } | null;
}

/** Where a step's time went, in milliseconds (accumulated when a StepTiming is passed to step()). */
export interface StepTiming {
  /** This thread: parameters and batch into the shared buffers / messages. */
  copyMs: number;
  /** This thread: from waking the workers to having every gradient. */
  waitMs: number;
  /** Each worker's time inside its steps. */
  workerMs: number[];
  /** From waking the workers to the first worker starting the step, and to the last one starting it. */
  wakeFirstMs: number;
  wakeLastMs: number;
  /** From the last worker's end of the step to this thread running again. */
  returnMs: number;
}

export interface PoolOptions {
  /** Shards per batch (N); N − 1 workers are started. */
  workers: number;
  transport: TransportKind;
  init: Omit<InitMessage, 'type' | 'index' | 'workers' | 'transport' | 'shared' | 'spinMs' | 'joined'>;
  /** The caller's threads build (shared transport only): the workers join its memory. */
  joined?: SharedBackend | null;
  /** How this thread waits for the workers (default: the fastest this thread allows). */
  wait?: MainWait;
  /** Reads the time, in ms, for the start-up and close deadlines (default performance.now; a frozen clock: none passes). */
  deadlineClock?: () => number;
}

type Typed = Float32Array | Int32Array;
const rowLength = (row: number[]): number => row.reduce((a, b) => a * b, 1);
const typed = (b: ArrayBufferLike, t: ElemType, length?: number): Typed =>
  t === 'float32' ? new Float32Array(b, 0, length) : new Int32Array(b, 0, length);


/** Atomics.waitAsync (ES2024; Node ≥ 16, Chromium, Safari 16.4; not yet in every Firefox). */
type WaitAsync = (a: Int32Array, index: number, value: number, timeoutMs?: number) =>
  { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
export class GradientPool {
  /** Shards per batch (N); the workers are numbered 1 … N − 1. */
  readonly workers: number;
  readonly transport: TransportKind;
  readonly paramLength: number;
  readonly #spawned: Spawned[];
  readonly #fault: FaultInjection | null;
  /** Polls for SPIN_MS, or not at all when the N threads (this one and N − 1 workers) outnumber the cores. */
  readonly #poller: Poller;
  readonly #wait: MainWait;
  readonly #deadlineClock: () => number;
  #failure: WorkerFailure | null = null;
  #closing = false;
  #step = 0;
  #seq = 0;
  #layout: Layout | null = null;
  #waitedInTask = false;
  /** Waiters to wake when a worker fails (message transport replies, start-up). */
  readonly #wakers = new Set<() => void>();
  // shared transport
  #control: Int32Array | null = null;
  #results: Float64Array | null = null;
  #params: Float32Array | null = null;
  #grads: Float32Array | null = null;
  #pointers: Int32Array | null = null;
  #looping = false;
  /** Joined: the stacks this thread allocated for the workers, and their thread slots. */
  readonly #stacks: number[] = [];
  readonly #slots: number[] = [];
  #closed: boolean[] = [];
  /** Workers whose thread has ended (or errored): nothing to wait for from them. */
  #dead: boolean[] = [];
  // the two batch buffers (shared: SharedArrayBuffers the workers read; message: this thread's copies)
  #xs: Typed[] = [];
  #ys: Typed[] = [];
  readonly #staged: [number, number] = [0, 0];
  /** Joined: the byte addresses of the batch placed in each slot (examples, targets). */
  readonly #placed: [{ x: number; y: number }, { x: number; y: number }] = [{ x: 0, y: 0 }, { x: 0, y: 0 }];
  /** Joined: the SEQ of the step whose worker 1 gathers the batch in each slot (0: placed by the caller). */
  readonly #gatherSeq: [number, number] = [0, 0];
  // message transport: per worker, the buffers that travel with 'step' and come back with 'done'
  #buffers: { params: ArrayBuffer; x: ArrayBuffer; y: ArrayBuffer }[] = [];
  #replies: (DoneReply | null)[] = [];
  #ready: boolean[] = [];

  private constructor(options: PoolOptions, spawned: Spawned[], spinMs: number) {
    this.workers = options.workers;
    this.transport = options.transport;
    this.paramLength = options.init.paramLength;
    this.#spawned = spawned;
    this.#fault = options.init.fault;
    this.#poller = new Poller(spinMs);
    this.#wait = options.wait ?? defaultWait();
    this.#deadlineClock = options.deadlineClock ?? (() => performance.now());
  }

  /** Starts the workers and resolves when each has built its replica. */
  static async start(options: PoolOptions): Promise<GradientPool> {
    const N = options.workers;
    if (options.wait === 'block' && !canBlock()) throw new Error("GradientPool: wait 'block' is not allowed on this thread (a browser page's main thread)");
    const spawned: Spawned[] = [];
    try {
      for (let i = 1; i < N; i++) spawned.push(isNode ? await spawnNode(i) : spawnBrowser(i));
    } catch (e) {
      await Promise.all(spawned.map((s) => s.terminate().catch(() => undefined)));
      throw e;
    }
    const spinMs = N <= (await cores()) ? SPIN_MS : 0;
    const pool = new GradientPool(options, spawned, spinMs);
    pool.#ready = new Array<boolean>(N - 1).fill(false);
    pool.#replies = new Array<DoneReply | null>(N - 1).fill(null);
    pool.#closed = new Array<boolean>(N - 1).fill(false);
    pool.#dead = new Array<boolean>(N - 1).fill(false);
    const joined = options.transport === 'shared' ? options.joined ?? null : null;
    let shared = null;
    if (options.transport === 'shared') {
      // Joined, parameters and gradients stay in the wasm memory: only their addresses are exchanged.
      const P = joined === null ? options.init.paramLength : 1;
      shared = {
        control: new SharedArrayBuffer(controlWords(N) * 4),
        results: new SharedArrayBuffer(RESULTS_PER_WORKER * N * 8),
        params: new SharedArrayBuffer(P * 4),
        grads: new SharedArrayBuffer(Math.max(4, (N - 1) * P * 4)),
        pointers: new SharedArrayBuffer(Math.max(4, N * options.init.params.length * 4)),
      };
      pool.#control = new Int32Array(shared.control);
      pool.#results = new Float64Array(shared.results);
      pool.#params = new Float32Array(shared.params);
      pool.#grads = new Float32Array(shared.grads);
      pool.#pointers = new Int32Array(shared.pointers);
    }
    if (joined !== null) {
      try {
        for (let k = 0; k < N - 1; k++) pool.#stacks.push(allocBytes(JOIN_STACK_BYTES, `worker ${k + 1}'s stack`));
      } catch (e) {
        await pool.close();
        throw e;
      }
    }
    spawned.forEach((s, k) => {
      const index = k + 1;
      s.onMessage((m) => pool.#receive(k, m));
      s.onDeath((why) => {
        pool.#dead[k] = true;
        pool.#fail(new WorkerFailure(index, pool.#step, `${why}`));
      });
      const join = joined === null ? null : { ...joined, stackLow: pool.#stacks[k] };
      s.post({ type: 'init', index, workers: N, transport: options.transport, shared, spinMs, joined: join, ...options.init });
    });
    try {
      const deadline = pool.#deadlineClock() + START_TIMEOUT_MS;
      await pool.#until(() => pool.#ready.every(Boolean), () => {
        if (pool.#deadlineClock() > deadline) {
          pool.#fail(new WorkerFailure(pool.#ready.indexOf(false) + 1, 0, `not ready after ${START_TIMEOUT_MS / 1000} s`));
        }
      });
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
    else if (m.type === 'closed') this.#closed[k] = true;
    else if (m.type === 'failed') this.#fail(new WorkerFailure(k + 1, m.step, m.message, m.stack));
    this.#wake();
  }

  #fail(f: WorkerFailure): void {
    if (this.#closing || this.#failure !== null) return;
    this.#failure = f;
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#wakers]) w();
    if (this.#control !== null) {
      for (let k = 0; k < this.#spawned.length; k++) Atomics.notify(this.#control, CTRL.DONE + k);
      Atomics.notify(this.#control, CTRL.GATHERED);
    }
  }

  /** The first failure, if any (a worker died or threw). */
  get failure(): WorkerFailure | null {
    return this.#failure;
  }

  /** Resolves when `done()` holds; rejects with the failure as soon as a worker fails. */
  async #until(done: () => boolean, tick?: () => void): Promise<void> {
    for (;;) {
      if (this.#failure !== null) throw this.#failure;
      if (done()) return;
      tick?.();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, WAKE_MS);
        function wake(): void {
          clearTimeout(timer);
          wakers.delete(wake);
          resolve();
        }
        const wakers = this.#wakers;
        wakers.add(wake);
      });
    }
  }

  /**
   * Shared transport: waits until every worker has stored `seq` into its DONE word — first polling
   * for at most spinMs (a worker usually ends its shard within a fraction of a millisecond of this
   * thread), then as MainWait says, looking at the workers' health at least every BLOCK_SLICE_MS /
   * WAKE_MS. Polling without that bound measured several times slower when other processes compete
   * for the cores.
   */
  async #waitDone(seq: number): Promise<void> {
    // Not before the caller's current synchronous work (shard 0, the look-ahead) is done.
    await null;
    for (let k = 0; k < this.#spawned.length; k++) await this.#waitWord(CTRL.DONE + k, seq);
  }

  /** Waits until control word `index` reaches `seq` (the SEQs a word takes only grow), as #waitDone says. */
  async #waitWord(index: number, seq: number): Promise<void> {
    const ctrl = this.#control!;
    const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
    const how = this.wait;
    let spun = false;
    for (;;) {
      if (this.#failure !== null) throw this.#failure;
      const cur = Atomics.load(ctrl, index);
      if (cur >= seq) return;
      if (!spun) {
        spun = true;
        if (this.#poller.until(ctrl, index, cur)) continue;
      }
      if (how === 'block') {
        // In slices, with a turn of the event loop after each, so that a dead worker's 'exit' /
        // 'failed' is still noticed.
        if (Atomics.wait(ctrl, index, cur, BLOCK_SLICE_MS) === 'timed-out') {
          this.#waitedInTask = true;
          await nextTask();
        }
      } else if (how === 'async') {
        const r = waitAsync!(ctrl, index, cur, WAKE_MS);
        if (r.async) {
          this.#waitedInTask = true;
          await r.value;
        }
      } else {
        this.#waitedInTask = true;
        await nextTask();
      }
    }
  }

  /** Shared transport: bumps SEQ with command `cmd` and wakes the workers. */
  #signal(cmd: number): number {
    const ctrl = this.#control!;
    ctrl[CTRL.CMD] = cmd;
    const seq = ++this.#seq;
    Atomics.store(ctrl, CTRL.SEQ, seq);
    Atomics.notify(ctrl, CTRL.SEQ);
    return seq;
  }

  /** How this thread waits for the workers (shared transport): 'poll' where 'async' was asked for without Atomics.waitAsync. */
  get wait(): MainWait {
    return this.#wait === 'async' && typeof (Atomics as unknown as { waitAsync?: unknown }).waitAsync !== 'function' ? 'poll' : this.#wait;
  }

  /** True when the last step's wait went through the event loop (timers and I/O could run meanwhile). */
  get waitedInTask(): boolean {
    return this.#waitedInTask;
  }

  get layout(): Layout | null {
    return this.#layout;
  }

  /**
   * Tells the workers the shape of the examples and (re)allocates the two batch buffers (joined: none,
   * the batch is placed where it is). Only between steps: anything staged before is dropped.
   */
  async setLayout(layout: Layout): Promise<void> {
    if (this.#failure !== null) throw this.#failure;
    this.#layout = layout;
    const make = (row: number[], type: ElemType): Typed[] => {
      if (this.joined) return []; // placed, not staged
      const bytes = layout.capacity * rowLength(row) * 4;
      const buffer = (): ArrayBufferLike => (this.transport === 'shared' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
      return [typed(buffer(), type), typed(buffer(), type)];
    };
    this.#xs = make(layout.xRow, layout.xType);
    this.#ys = make(layout.yRow, layout.yType);
    this.#staged[0] = this.#staged[1] = 0;
    if (this.transport === 'message') {
      for (const s of this.#spawned) s.post({ type: 'layout', ...layout, x: null, y: null });
      this.#buffers = [];
      return;
    }
    if (this.#looping) await this.#waitDone(this.#signal(CMD.PAUSE)); // back to reading messages
    const shared = (views: Typed[]): [SharedArrayBuffer, SharedArrayBuffer] | null =>
      views.length === 0 ? null : [views[0].buffer as SharedArrayBuffer, views[1].buffer as SharedArrayBuffer];
    for (const s of this.#spawned) s.post({ type: 'layout', ...layout, x: shared(this.#xs), y: shared(this.#ys) });
    this.#looping = true;
  }

  /** True when a batch [rows, ...xRow] / [rows, ...yRow] of these types fits the current layout. */
  fits(xShape: readonly number[], yShape: readonly number[], xType: ElemType, yType: ElemType): boolean {
    const l = this.#layout;
    const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
    return l !== null && xShape[0] === yShape[0] && xShape[0] <= l.capacity && same(l.xRow, xShape.slice(1)) && same(l.yRow, yShape.slice(1)) && l.xType === xType && l.yType === yType;
  }

  /**
   * Copies a batch (rows × row length of `x` and `y`) into batch buffer `slot`. The workers may be
   * computing a step on the other slot meanwhile.
   */
  stage(slot: 0 | 1, rows: number, x: Typed, y: Typed): void {
    const l = this.#layout!;
    if (this.joined) throw new Error('GradientPool: joined, a batch is placed (place()), not staged');
    if (rows > l.capacity) throw new Error(`GradientPool: batch of ${rows} rows, the buffers hold ${l.capacity}`);
    this.#xs[slot].set(x.subarray(0, rows * rowLength(l.xRow)));
    this.#ys[slot].set(y.subarray(0, rows * rowLength(l.yRow)));
    this.#staged[slot] = rows;
  }

  /**
   * Joined: the batch for `slot` is `rows` rows at byte addresses `x` and `y` of the shared wasm memory,
   * in the layout's row shapes and types. The caller keeps them there until the step on it is done.
   */
  place(slot: 0 | 1, rows: number, x: number, y: number): void {
    if (!this.joined) throw new Error('GradientPool: only a joined pool takes a batch in place; stage() copies it');
    this.#placed[slot] = { x, y };
    this.#staged[slot] = rows;
    this.#gatherSeq[slot] = 0;
  }

  /** Joined: resolves when the batch in `slot` is complete (worker 1 gathered it, if it did; StepInput.next). */
  async gathered(slot: 0 | 1): Promise<void> {
    const seq = this.#gatherSeq[slot];
    if (seq !== 0 && Atomics.load(this.#control!, CTRL.GATHERED) < seq) await this.#waitWord(CTRL.GATHERED, seq);
  }

  /** Joined: the byte addresses of shard `i`'s rows of the batch placed in `slot`. */
  shardAt(slot: 0 | 1, i: number): { x: number; y: number; count: number; rows: number } {
    const l = this.#layout!;
    const rows = this.#staged[slot];
    const { start, count } = shardOf(rows, this.workers, i, this.#first(rows));
    const { x, y } = this.#placed[slot];
    return { x: x + start * rowLength(l.xRow) * 4, y: y + start * rowLength(l.yRow) * 4, count, rows };
  }

  /**
   * Shard `i` of the batch staged in `slot`: views of its rows (valid until that slot is staged again)
   * — the calling thread computes shard 0 from them.
   */
  shard(slot: 0 | 1, i: number): { x: Typed; y: Typed; count: number; rows: number } {
    const l = this.#layout!;
    const rows = this.#staged[slot];
    const { start, count } = shardOf(rows, this.workers, i, this.#first(rows));
    const xLen = rowLength(l.xRow);
    const yLen = rowLength(l.yRow);
    return {
      x: this.#xs[slot].subarray(start * xLen, (start + count) * xLen),
      y: this.#ys[slot].subarray(start * yLen, (start + count) * yLen),
      count, rows,
    };
  }

  /**
   * Starts one step on every worker, on the batch staged in `input.slot` (the parameters are read by
   * writeParams before this returns), and resolves when all are done: worker i's share of the loss
   * and its hits at [i − 1]; then gradient(i) is worker i's gradient. Rejects with a WorkerFailure.
   */
  step(input: StepInput, timing?: StepTiming): Promise<{ lossSums: number[]; corrects: number[] }> {
    const f = this.#fault;
    const victim = f !== null && f.kind === 'terminate' && f.step === input.step ? this.#spawned[f.worker - 1] : undefined;
    if (victim !== undefined) {
      // Test hook: the worker is gone before this step is handed out (terminate() resolves once the
      // thread has stopped), so this step is the one that fails — not the next, as it would when the
      // worker could still finish its shard while being terminated.
      this.#step = input.step;
      return victim.terminate().catch(() => undefined).then(() => this.#stepNow(input, timing));
    }
    return this.#stepNow(input, timing);
  }

  #stepNow(input: StepInput, timing?: StepTiming): Promise<{ lossSums: number[]; corrects: number[] }> {
    const t0 = timing ? performance.now() : 0;
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const layout = this.#layout!;
    const rows = this.#staged[input.slot];
    this.#waitedInTask = this.transport === 'message';
    this.#step = input.step;
    const N = this.workers;
    const W = this.#spawned.length;
    if (this.transport === 'shared') {
      if (this.joined) input.writePointers(this.#pointers!.subarray(0, this.#paramCount));
      else input.writeParams(this.#params!);
      const ctrl = this.#control!;
      ctrl[CTRL.ROWS] = rows;
      ctrl[CTRL.FIRST] = this.#first(rows);
      ctrl[CTRL.STEP] = input.step;
      ctrl[CTRL.SLOT] = input.slot;
      ctrl[CTRL.X_AT] = this.#placed[input.slot].x;
      ctrl[CTRL.Y_AT] = this.#placed[input.slot].y;
      ctrl[CTRL.G_WAIT] = this.#gatherSeq[input.slot];
      const next = this.joined ? input.next ?? null : null;
      ctrl[CTRL.G_ROWS] = next?.rows ?? 0;
      if (next !== null) {
        ctrl[CTRL.G_IDX] = next.idx;
        ctrl[CTRL.G_X] = next.x;
        ctrl[CTRL.G_Y] = next.y;
      }
      ctrl.set(input.rng, CTRL.RNG);
      const t1 = timing ? performance.now() : 0;
      const signalled = timing ? clock() : 0;
      const seq = this.#signal(CMD.STEP);
      if (next !== null) {
        this.#placed[next.slot] = { x: next.x, y: next.y };
        this.#staged[next.slot] = next.rows;
        this.#gatherSeq[next.slot] = seq;
      }
      return this.#waitDone(seq).then(() => {
        const r = this.#results!;
        const at = (k: number, j: number): number => r[RESULTS_PER_WORKER * k + j];
        if (timing) this.#time(timing, t0, t1, signalled, Array.from({ length: W }, (_, k) => [at(k, 2), at(k, 3)]));
        return { lossSums: Array.from({ length: W }, (_, k) => at(k, 0)), corrects: Array.from({ length: W }, (_, k) => at(k, 1)) };
      });
    }
    const seq = ++this.#seq;
    const P = this.paramLength;
    const xLen = rowLength(layout.xRow);
    const yLen = rowLength(layout.yRow);
    const first = this.#first(rows);
    for (let k = 0; k < W; k++) {
      const { start, count } = shardOf(rows, N, k + 1, first);
      let b = this.#buffers[k];
      if (b === undefined || b.x.byteLength < count * xLen * 4 || b.y.byteLength < count * yLen * 4) {
        const cap = Math.max(count, shardOf(layout.capacity, N, k + 1, this.#first(layout.capacity)).count);
        b = { params: b?.params ?? new ArrayBuffer(P * 4), x: new ArrayBuffer(cap * xLen * 4), y: new ArrayBuffer(cap * yLen * 4) };
      }
      input.writeParams(new Float32Array(b.params));
      typed(b.x, layout.xType).set(this.#xs[input.slot].subarray(start * xLen, (start + count) * xLen));
      typed(b.y, layout.yType).set(this.#ys[input.slot].subarray(start * yLen, (start + count) * yLen));
      this.#replies[k] = null;
      this.#spawned[k].post(
        { type: 'step', seq, step: input.step, rng: Array.from(input.rng), rows, count, params: b.params, x: b.x, y: b.y },
        [b.params, b.x, b.y],
      );
    }
    const t1 = timing ? performance.now() : 0;
    const signalled = timing ? clock() : 0;
    return this.#until(() => this.#replies.every((r) => r !== null && r.seq === seq)).then(() => {
      const replies = this.#replies as DoneReply[];
      replies.forEach((r, k) => { this.#buffers[k] = { params: r.grads, x: r.x, y: r.y }; });
      if (timing) this.#time(timing, t0, t1, signalled, replies.map((r) => [r.begin, r.end]));
      return { lossSums: replies.map((r) => r.lossSum), corrects: replies.map((r) => r.correct) };
    });
  }

  #time(timing: StepTiming, t0: number, t1: number, signalled: number, spans: number[][]): void {
    const now = clock();
    timing.copyMs += t1 - t0;
    timing.waitMs += performance.now() - t1;
    spans.forEach(([b, e], k) => { timing.workerMs[k] = (timing.workerMs[k] ?? 0) + (e - b); });
    if (spans.length === 0) return;
    timing.wakeFirstMs += Math.min(...spans.map(([b]) => b)) - signalled;
    timing.wakeLastMs += Math.max(...spans.map(([b]) => b)) - signalled;
    timing.returnMs += now - Math.max(...spans.map(([, e]) => e));
  }

  /** The rows of shard 0 (this thread's) in a batch of `rows` rows. */
  #first(rows: number): number {
    return firstShard(rows, this.workers, this.#layout!.lookAhead);
  }

  /** True when the workers run on this thread's wasm memory (see protocol.ts). */
  get joined(): boolean {
    return this.#stacks.length > 0;
  }

  get #paramCount(): number {
    return this.#pointers!.length / this.workers;
  }

  /** Joined: the addresses of worker i's (1 … N − 1) gradients after the last step (ParamSpec order; 0: none). Valid until the next step. */
  gradientPointers(i: number): Int32Array {
    const P = this.#paramCount;
    return this.#pointers!.subarray(i * P, (i + 1) * P);
  }

  /** Worker i's (1 … N − 1) gradient after the last step (flat, ParamSpec order). Valid until the next step. */
  gradient(i: number): Float32Array {
    const P = this.paramLength;
    if (this.transport === 'shared') return this.#grads!.subarray((i - 1) * P, i * P);
    return new Float32Array(this.#buffers[i - 1].params, 0, P);
  }

  /** Ends every worker (idempotent). */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#control !== null && this.#failure === null && this.#looping) {
      const seq = this.#signal(CMD.QUIT);
      // Joined, each worker frees what it allocated in this thread's memory before it acknowledges.
      if (this.joined) await this.#acknowledged(() => this.#spawned.every((_, k) => Atomics.load(this.#control!, CTRL.DONE + k) === seq));
    } else if (this.joined) {
      // After a failure too, every worker still alive frees what it allocated in this thread's memory:
      // those in the step loop on CMD.QUIT, one that threw (back to reading messages) on 'quit'. What a
      // worker that died had allocated stays.
      const seq = this.#control !== null && this.#looping ? this.#signal(CMD.QUIT) : -1;
      for (const s of this.#spawned) s.post({ type: 'quit' });
      await this.#acknowledged(() => this.#spawned.every((_, k) =>
        this.#closed[k] || this.#dead[k] || (seq >= 0 && Atomics.load(this.#control!, CTRL.DONE + k) >= seq)));
    }
    await Promise.all(this.#spawned.map((s) => s.terminate().catch(() => undefined)));
    if (this.joined) {
      const raw = rawExports();
      for (const slot of this.#slots) if (slot > 0) raw.thread_unregister(slot);
      for (const stack of this.#stacks) raw.free(stack, JOIN_STACK_BYTES);
    }
    this.#wake();
  }

  /** Waits (at most CLOSE_TIMEOUT_MS) until `done()` holds. */
  async #acknowledged(done: () => boolean): Promise<void> {
    const deadline = this.#deadlineClock() + CLOSE_TIMEOUT_MS;
    while (!done() && this.#deadlineClock() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
