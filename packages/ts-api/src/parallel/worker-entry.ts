// The gradient worker's script (worker_threads, module Web Workers), started by pool.ts. 'init' loads
// the library (a failure is reported, not a silent death); joined, it then runs steps in a blocking loop
// on the control words until CMD.QUIT, else it answers 'step' messages.

import { parentPort } from '../runtime.js';
import { numel } from '../tensor/shape.js';
import { CMD, CTRL, Poller, RESULTS_PER_WORKER, shardOf, type FromWorker, type InitMessage, type Layout, type ToWorker, type ElemType, type Typed } from './protocol.js';
import type { Replica } from './replica.js';

const port = await parentPort();
const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => port.post(m, transfer);
let replica: Replica | null = null;
let gatherRows: typeof import('./batches.js').gatherRows | null = null;
let init: InitMessage | null = null;
let currentStep = 0;
let lastSeq = 0;

/** Frees what this worker allocated (joined: in the caller's memory), says so and closes. */
function quit(): void {
  replica?.dispose();
  replica = null;
  post({ type: 'closed' });
  port.close();
}

/** Joined: runs steps until CMD.QUIT. */
function loop(join: NonNullable<InitMessage['joined']>, l: Layout): void {
  const ctrl = new Int32Array(join.control);
  const results = new Float64Array(join.results);
  const { index, workers } = init!;
  const k = index - 1; // worker `index` computes shard `index`; shard 0 is the calling thread's
  const count = init!.params.length;
  const params = new Int32Array(join.pointers, 0, count);
  const grads = new Int32Array(join.pointers, index * count * 4, count);
  const xRowBytes = numel(l.xRow) * 4;
  const yRowBytes = numel(l.yRow) * 4;
  const poller = new Poller(init!.spinMs);
  for (;;) {
    if (!poller.until(ctrl, CTRL.SEQ, lastSeq)) Atomics.wait(ctrl, CTRL.SEQ, lastSeq);
    const seq = Atomics.load(ctrl, CTRL.SEQ);
    if (seq === lastSeq) continue;
    lastSeq = seq;
    if (ctrl[CTRL.CMD] === CMD.QUIT) return quit();
    // Read before DONE: the caller writes the next step's words once every worker is done.
    const gather = index === 1 && ctrl[CTRL.G_ROWS] > 0
      ? { rows: ctrl[CTRL.G_ROWS], idx: ctrl[CTRL.G_IDX] >>> 0, x: ctrl[CTRL.G_X] >>> 0, y: ctrl[CTRL.G_Y] >>> 0 }
      : null;
    currentStep = ctrl[CTRL.STEP];
    const gathered = ctrl[CTRL.G_WAIT];
    // Worker 1 gathered this step's batch itself, after its last step; the others wait for it.
    if (gathered !== 0 && index !== 1) {
      for (let cur = Atomics.load(ctrl, CTRL.GATHERED); cur < gathered; cur = Atomics.load(ctrl, CTRL.GATHERED)) {
        if (!poller.until(ctrl, CTRL.GATHERED, cur)) Atomics.wait(ctrl, CTRL.GATHERED, cur);
      }
    }
    const rows = ctrl[CTRL.ROWS];
    const { start, count: n } = shardOf(rows, workers, index, ctrl[CTRL.FIRST]);
    const r = replica!.step({
      step: currentStep, rng: ctrl.subarray(CTRL.RNG, CTRL.RNG + 4), rows, count: n, params, grads,
      x: (ctrl[CTRL.X_AT] >>> 0) + start * xRowBytes, y: (ctrl[CTRL.Y_AT] >>> 0) + start * yRowBytes,
    });
    results[RESULTS_PER_WORKER * k] = r.lossSum;
    results[RESULTS_PER_WORKER * k + 1] = r.correct;
    Atomics.store(ctrl, CTRL.DONE + k, seq);
    Atomics.notify(ctrl, CTRL.DONE + k);
    if (gather !== null) {
      // While the caller updates the model (it waits for GATHERED before it reads the batch).
      gatherRows!(l.gather!, gather.idx, gather.rows, gather.x, gather.y);
      Atomics.store(ctrl, CTRL.GATHERED, seq);
      Atomics.notify(ctrl, CTRL.GATHERED);
    }
  }
}

const typed = (b: ArrayBuffer, t: ElemType): Typed => (t === 'float32' ? new Float32Array(b) : new Int32Array(b));

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      init = m;
      let slot = 0;
      if (m.joined !== null) {
        // Before the library: its backend must not load a wasm memory of its own.
        const { joinBackend } = await import('../backend/load.js');
        slot = await joinBackend({ module: m.joined.module, memory: m.joined.memory }, m.joined.stackLow);
        ({ gatherRows } = await import('./batches.js'));
      } else {
        // In browsers the library's modules do not load the wasm themselves (Node's load synchronously).
        await (await import('../backend/load.js')).loadBackend();
      }
      const { Replica } = await import('./replica.js');
      replica = new Replica(m);
      post({ type: 'ready', slot });
      if (m.joined !== null) loop(m.joined, m.layout);
      return;
    }
    case 'step': {
      currentStep = m.step;
      const params = new Float32Array(m.params);
      const { xType, yType } = init!.layout;
      const r = replica!.step({
        step: m.step, rng: m.rng, rows: m.rows, count: m.count, params, grads: params, x: typed(m.x, xType), y: typed(m.y, yType),
      });
      post({ type: 'done', lossSum: r.lossSum, correct: r.correct, grads: m.params, x: m.x, y: m.y }, [m.params, m.x, m.y]);
      return;
    }
    case 'quit':
      return quit();
  }
}

// Messages are handled one after another ('init' awaits the library's loading).
let queue: Promise<void> = Promise.resolve();
port.listen((m) => {
  queue = queue.then(() => handle(m as ToWorker)).catch((e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: 'failed', step: currentStep, message: err.message, stack: err.stack });
  });
});
