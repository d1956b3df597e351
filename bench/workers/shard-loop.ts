// A gradient-computing thread for bench/parallel.ts's compute ceiling: forward + backward of the MLP
// 784-256-10 on `rows` random rows, repeated for a given time on request. Nothing is exchanged between
// threads, so N of these running at once show what N cores give this workload with zero overhead.
import { parentPort, workerData } from 'node:worker_threads';

const root = new URL('../../packages/ts-api/src/', import.meta.url);
const sm = (await import(new URL('index.ts', root).href)) as typeof import('../../packages/ts-api/src/index.js');
const { shardGradient, shardInput } = (await import(new URL('parallel/shard.ts', root).href)) as typeof import('../../packages/ts-api/src/parallel/shard.js');
const { buildSumLoss, describeLoss } = (await import(new URL('parallel/describe.ts', root).href)) as typeof import('../../packages/ts-api/src/parallel/describe.js');
const { nn, tidy, manualSeed } = sm;

const rows = (workerData as { rows: number }).rows;
manualSeed(1);
const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
const spec = describeLoss(new nn.CrossEntropyLoss({ reduction: 'none' }));
const sumLoss = buildSumLoss(spec);
const xs = Float32Array.from({ length: rows * 784 }, (_, i) => ((i * 2654435761) % 255) / 255);
const ys = Int32Array.from({ length: rows }, (_, i) => (i * 7) % 10);
const once = (): void => {
  tidy(() => shardGradient(net, sumLoss, spec, 'optimizer', shardInput(xs, rows, [784], 'float32'), shardInput(ys, rows, [], 'int32'), 256));
  net.zeroGrad();
};

// Message: milliseconds to run. Reply: iterations done and the time they took.
parentPort!.on('message', (ms: number) => {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) { once(); n++; }
  parentPort!.postMessage({ n, ms: performance.now() - t0 });
});
parentPort!.postMessage('ready');
