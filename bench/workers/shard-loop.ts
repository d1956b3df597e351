// A gradient-computing thread for bench/parallel.ts's compute ceiling: forward + backward of the MLP
// 784-256-10 on `rows` random rows, repeated for a given time on request. Nothing is exchanged between
// threads, so N of these running at once show what N cores give this workload with zero overhead; in
// lock-step (below), what a synchronous data-parallel step could give at best.
import { parentPort, workerData } from 'node:worker_threads';

const root = new URL('../../packages/ts-api/src/', import.meta.url);
const sm = (await import(new URL('index.ts', root).href)) as typeof import('../../packages/ts-api/src/index.js');
const { buildSumLoss, shardGradient, shardTensor } = (await import(new URL('parallel/shard.ts', root).href)) as typeof import('../../packages/ts-api/src/parallel/shard.js');
const { describeLoss } = (await import(new URL('parallel/replica.ts', root).href)) as typeof import('../../packages/ts-api/src/parallel/replica.js');
const { nn, tidy, manualSeed } = sm;

const rows = (workerData as { rows: number }).rows;
manualSeed(1);
const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
const spec = describeLoss(new nn.CrossEntropyLoss({ reduction: 'none' }));
const sumLoss = buildSumLoss(spec);
const xs = Float32Array.from({ length: rows * 784 }, (_, i) => ((i * 2654435761) % 255) / 255);
const ys = Int32Array.from({ length: rows }, (_, i) => (i * 7) % 10);
const once = (): void => {
  tidy(() => shardGradient(net, sumLoss, spec, 'optimizer', shardTensor(xs, rows, [784], 'float32'), shardTensor(ys, rows, [], 'int32'), 256));
  net.zeroGrad();
};

// Message: milliseconds to run free, or { steps } to run that many steps in lock-step with the other
// thread that shares `barrier`: each step starts when both have ended the previous one, as in a
// synchronous data-parallel fit. The threads spin on the barrier (no sleeping, no hand-off latency:
// the best case). Reply: iterations done and the time they took.
const { barrier, id } = workerData as { barrier?: SharedArrayBuffer; id?: number };
const ctrl = barrier ? new Int32Array(barrier) : null;
let met = 0; // barriers passed, over every run (both threads pass the same number per run)
const meet = (): void => {
  const n = ++met;
  Atomics.store(ctrl!, id!, n);
  while (Atomics.load(ctrl!, 1 - id!) < n) { /* spin */ }
};
parentPort!.on('message', (m: number | { steps: number }) => {
  const t0 = performance.now();
  let n = 0;
  if (typeof m === 'number') {
    while (performance.now() - t0 < m) { once(); n++; }
  } else {
    for (; n < m.steps; n++) { meet(); once(); }
    meet();
  }
  parentPort!.postMessage({ n, ms: performance.now() - t0 });
});
parentPort!.postMessage('ready');
