// The gradient worker's script — the same file for a Node worker_threads Worker and a browser (module)
// Web Worker. It reads messages ('init', 'layout', 'step', 'quit'); with the shared transport, a
// 'layout' message makes it enter a blocking loop on the control words (Atomics.wait) that runs the
// steps until main pauses or ends it. Started by ./pool.ts.
//
// Only the protocol (no library code) is imported up front: the library and its wasm are loaded by
// 'init', so that a failure to load them is reported as a message instead of a silent death.

import { isNode } from '../runtime.js';
import { clock, CMD, CTRL, Poller, RESULTS_PER_WORKER, shardOf, type FromWorker, type InitMessage, type ToWorker } from './protocol.js';
import type { Replica } from './replica.js';
import type { GatherSpec } from './gather.js';

interface Port {
  post(message: FromWorker, transfer?: ArrayBuffer[]): void;
  listen(listener: (message: ToWorker) => void): void;
  close(): void;
}

// A variable, so that browser bundlers neither resolve nor bundle the Node-only module.
const WORKER_THREADS = 'node:worker_threads';

async function openPort(): Promise<Port> {
  if (isNode) {
    const wt = (await import(/* @vite-ignore */ WORKER_THREADS)) as typeof import('node:worker_threads');
    const port = wt.parentPort;
    if (port === null) throw new Error('softmax-nn parallel/worker-entry: this file must be started as a worker, not imported');
    return {
      post: (m, t) => port.postMessage(m, t),
      listen: (l) => port.on('message', l),
      close: () => port.close(),
    };
  }
  const scope = globalThis as unknown as DedicatedWorkerGlobalScope;
  return {
    post: (m, t) => scope.postMessage(m, t ?? []),
    listen: (l) => scope.addEventListener('message', (ev: MessageEvent<ToWorker>) => l(ev.data)),
    close: () => scope.close(),
  };
}

const port = await openPort();
let replica: Replica | null = null;
let gatherRows: typeof import('./gather.js').gatherRows | null = null;
let gatherFrom: GatherSpec | null = null;
let init: InitMessage | null = null;
let index = -1;
let currentStep = 0;
let lastSeq = 0;
let xViews: (Float32Array | Int32Array)[] = [];
let yViews: (Float32Array | Int32Array)[] = [];
let xRowLen = 0;
let yRowLen = 0;
let xType: 'float32' | 'int32' = 'float32';
let yType: 'float32' | 'int32' = 'int32';

function fail(e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  port.post({ type: 'failed', index, step: currentStep, message: err.message, stack: err.stack });
}

function view(buffer: ArrayBufferLike, type: 'float32' | 'int32'): Float32Array | Int32Array {
  return type === 'float32' ? new Float32Array(buffer) : new Int32Array(buffer);
}

/** Shared transport: runs steps until CMD.PAUSE (returns) or CMD.QUIT (closes). */
function loop(): void {
  const sh = init!.shared!;
  const ctrl = new Int32Array(sh.control);
  const results = new Float64Array(sh.results);
  const P = init!.paramLength;
  const k = index - 1; // worker `index` computes shard `index`; shard 0 is the calling thread's
  const N = init!.workers;
  // Joined: addresses in the shared wasm memory instead of copies (protocol.ts).
  const joined = init!.joined !== null;
  const count = init!.params.length;
  const params = joined ? new Int32Array(sh.pointers, 0, count) : new Float32Array(sh.params);
  const grads = joined ? new Int32Array(sh.pointers, index * count * 4, count) : new Float32Array(sh.grads, k * P * 4, P);
  const poller = new Poller(init!.spinMs);
  for (;;) {
    if (!poller.until(ctrl, CTRL.SEQ, lastSeq)) Atomics.wait(ctrl, CTRL.SEQ, lastSeq);
    const seq = Atomics.load(ctrl, CTRL.SEQ);
    if (seq === lastSeq) continue;
    lastSeq = seq;
    const cmd = ctrl[CTRL.CMD];
    if (cmd === CMD.QUIT) {
      if (joined) replica!.dispose();
      Atomics.store(ctrl, CTRL.DONE + k, seq);
      Atomics.notify(ctrl, CTRL.DONE + k);
      port.close();
      return;
    }
    // Read before DONE: the caller writes the next step's words once every worker is done.
    const gather = cmd === CMD.STEP && index === 1 && ctrl[CTRL.G_ROWS] > 0
      ? { rows: ctrl[CTRL.G_ROWS], idx: ctrl[CTRL.G_IDX] >>> 0, x: ctrl[CTRL.G_X] >>> 0, y: ctrl[CTRL.G_Y] >>> 0 }
      : null;
    if (cmd === CMD.STEP) {
      currentStep = ctrl[CTRL.STEP];
      const gathered = ctrl[CTRL.G_WAIT];
      // Worker 1 gathered this step's batch itself, after its last step; the others wait for it.
      if (gathered !== 0 && index !== 1) {
        for (let cur = Atomics.load(ctrl, CTRL.GATHERED); cur < gathered; cur = Atomics.load(ctrl, CTRL.GATHERED)) {
          if (!poller.until(ctrl, CTRL.GATHERED, cur)) Atomics.wait(ctrl, CTRL.GATHERED, cur);
        }
      }
      const begin = clock();
      const rows = ctrl[CTRL.ROWS];
      const { start, count } = shardOf(rows, N, index, ctrl[CTRL.FIRST]);
      const slot = ctrl[CTRL.SLOT];
      const elem = 4; // float32 / int32
      const r = replica!.step({
        step: currentStep, rng: ctrl.subarray(CTRL.RNG, CTRL.RNG + 4), rows, count, params, grads,
        x: joined ? (ctrl[CTRL.X_AT] >>> 0) + start * xRowLen * elem : xViews[slot].subarray(start * xRowLen, (start + count) * xRowLen),
        y: joined ? (ctrl[CTRL.Y_AT] >>> 0) + start * yRowLen * elem : yViews[slot].subarray(start * yRowLen, (start + count) * yRowLen),
      });
      const at = RESULTS_PER_WORKER * k;
      results[at] = r.lossSum;
      results[at + 1] = r.correct;
      results[at + 2] = begin;
      results[at + 3] = clock();
    }
    Atomics.store(ctrl, CTRL.DONE + k, seq);
    Atomics.notify(ctrl, CTRL.DONE + k);
    if (gather !== null) {
      // While the caller adds the gradients and updates the model (it waits for GATHERED before it reads the batch).
      gatherRows!(gatherFrom!, gather.idx, gather.rows, gather.x, gather.y);
      Atomics.store(ctrl, CTRL.GATHERED, seq);
      Atomics.notify(ctrl, CTRL.GATHERED);
    }
    if (cmd === CMD.STEP && !joined) replica!.release();
    if (cmd === CMD.PAUSE) return;
  }
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      init = m;
      index = m.index;
      let slot = 0;
      if (m.joined !== null) {
        // Before the library: its backend must not load a wasm memory of its own.
        const { joinBackend } = await import('../backend/load.js');
        slot = await joinBackend({ module: m.joined.module, memory: m.joined.memory }, m.joined.stackLow);
      }
      const { Replica } = await import('./replica.js');
      replica = new Replica(m);
      ({ gatherRows } = await import('./gather.js'));
      port.post({ type: 'ready', index, slot });
      return;
    }
    case 'layout': {
      replica!.setLayout(m);
      gatherFrom = m.gather;
      xType = m.xType;
      yType = m.yType;
      xRowLen = m.xRow.reduce((a, b) => a * b, 1);
      yRowLen = m.yRow.reduce((a, b) => a * b, 1);
      if (init!.transport === 'shared') {
        xViews = m.x?.map((b) => view(b, m.xType)) ?? [];
        yViews = m.y?.map((b) => view(b, m.yType)) ?? [];
        loop();
      }
      return;
    }
    case 'step': {
      currentStep = m.step;
      const begin = clock();
      const params = new Float32Array(m.params);
      const x = view(m.x, xType);
      const y = view(m.y, yType);
      const r = replica!.step({
        step: m.step, rng: m.rng, rows: m.rows, count: m.count, params, grads: params,
        x: x.subarray(0, m.count * xRowLen), y: y.subarray(0, m.count * yRowLen),
      });
      port.post({ type: 'done', index, seq: m.seq, lossSum: r.lossSum, correct: r.correct, begin, end: clock(), grads: m.params, x: m.x, y: m.y }, [m.params, m.x, m.y]);
      replica!.release();
      return;
    }
    case 'quit':
      if (init?.joined) {
        replica?.dispose();
        port.post({ type: 'closed', index });
      }
      port.close();
      return;
  }
}

// Messages are handled one after another ('init' awaits the library's loading).
let queue: Promise<void> = Promise.resolve();
port.listen((m) => {
  queue = queue.then(() => handle(m)).catch((e: unknown) => fail(e));
});
