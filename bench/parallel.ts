// The multi-core benchmark: fit(..., { workers: N }) against one thread on the full Fashion-MNIST, for the
// MLP 784-256-10 and the notes' recipe (Flatten + Linear(784, 10)); SGD lr 0.1, batch 256, shuffled.
// Seconds per training epoch (evaluation excluded), medians over the epochs after a warm-up epoch
// (the first epoch of every fit also starts the workers), rounds interleaved (1, 2, 1, 2, …) so that
// a change of machine load hits every configuration; and per step (batch end to batch end): the
// median, the slow tail (steps the host stalled). For the parallel runs it also prints how the
// calling thread's time splits (fit's profile observer), and — at the start and the end — two ceilings: a
// CPU-bound loop in 2 threads vs 1 (are both cores free?) and the MLP's own forward + backward in 2
// threads vs 1 with nothing exchanged (what 2 cores give this workload at best: the speed-up is
// reported as a share of it).
//
//   cd bench && node --import tsx parallel.ts                  (tsx comes from bench/node_modules)
//   cd bench && node --import tsx parallel.ts --tasks recipe --rounds 3 --epochs 6 --workers 1,2,pool1 --transport message
// Options: --tasks mlp,recipe  --workers 1,2 (1: fit in this thread; N: N workers; pool1: one worker
// through the parallel path)  --rounds R (2)  --epochs E (4 for the MLP, 6 for the recipe; the first is
// the warm-up)  --transport shared|message (default: shared where the threads build is loaded, else
// message; SOFTMAX_THREADS=0 loads the plain build)  --dist (load packages/ts-api/dist as built; default: the
// sources through tsx — the same code at run time and never stale; only the unmeasured start-up is slower).
import { existsSync } from 'node:fs';
import os from 'node:os';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const TASKS = opt('--tasks', 'mlp,recipe').split(',') as ('mlp' | 'recipe')[];
const WORKERS = opt('--workers', '1,2').split(',');
const ROUNDS = Number(opt('--rounds', '2'));
const EPOCHS = Number(opt('--epochs', '0')); // 0: 4 for the MLP, 6 for the recipe
const TRANSPORT = opt('--transport', '') as 'shared' | 'message' | '';
const DIST = argv.includes('--dist');
if (DIST && !existsSync(new URL('../packages/ts-api/dist/parallel/runner.js', import.meta.url))) {
  console.error('--dist: packages/ts-api/dist has no parallel/ (build it: pnpm -C packages/ts-api build)');
  process.exit(2);
}

const root = new URL(DIST ? '../packages/ts-api/dist/' : '../packages/ts-api/src/', import.meta.url);
const ext = DIST ? 'js' : 'ts';
const sm = (await import(new URL(`index.${ext}`, root).href)) as typeof import('../packages/ts-api/src/index.js');
const par = (await import(new URL(`parallel/runner.${ext}`, root).href)) as typeof import('../packages/ts-api/src/parallel/runner.js');
const { fitObserved } = (await import(new URL(`train/fit.${ext}`, root).href)) as typeof import('../packages/ts-api/src/train/fit.js');
const { nn, optim, data, train, manualSeed } = sm;

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * What the machine gives two threads right now: the same CPU-bound loop in 1 thread, then in 2 threads
 * at once; throughput ratio (2.0 on two idle cores). Other processes' load lowers it — and with it any
 * speed-up workers can show. The loop is latency-bound integer arithmetic: it does not see contention
 * for caches, memory bandwidth or SIMD units (computeCeiling below does).
 */
async function ceiling(): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const src = `const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (n) => { let x = 1; const t = performance.now(); for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) | 0; parentPort.postMessage([performance.now() - t, x]); });`;
  const ws = [new Worker(src, { eval: true }), new Worker(src, { eval: true })];
  const run = (w: InstanceType<typeof Worker>, n: number): Promise<number> => new Promise((res) => { w.once('message', (m: [number, number]) => res(m[0])); w.postMessage(n); });
  const n = 3e8;
  await Promise.all(ws.map((w) => run(w, 1e7))); // warm-up
  const ratios: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await run(ws[0], n);
    const one = performance.now() - t0;
    const t1 = performance.now();
    await Promise.all(ws.map((w) => run(w, n)));
    const two = performance.now() - t1;
    ratios.push((2 * one) / two);
  }
  await Promise.all(ws.map((w) => w.terminate()));
  return median(ratios);
}

/**
 * What two threads give THIS workload with zero overhead: the MLP's forward + backward on 128 rows in
 * two threads at once (nothing exchanged), against 256 rows in one thread; rows per second, ratio
 * (median of 3 interleaved 2-second rounds, after a warm-up). On a VM whose two vCPUs share a physical
 * core's caches or memory bandwidth with each other (or with other tenants) this is well below the
 * CPU-bound loop's ratio above. `free`: both threads run on their own; `lockStep`: each step starts
 * when both threads have ended the last one, as in a synchronous data-parallel fit — a step then takes
 * as long as the slower thread's, so every hiccup of either thread is paid in full: the best a fit
 * with fixed shards could do, before any copying.
 */
async function computeCeiling(): Promise<{ free: number; lockStep: number }> {
  const { Worker } = await import('node:worker_threads');
  const { createRequire } = await import('node:module');
  const { pathToFileURL } = await import('node:url');
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./workers/shard-loop.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}));`;
  const barrier = new SharedArrayBuffer(8);
  const spawn = async (rows: number, id?: number): Promise<InstanceType<typeof Worker>> => {
    const w = new Worker(boot, { eval: true, workerData: { rows, barrier, id } });
    await new Promise((res) => w.once('message', res));
    return w;
  };
  type Done = { n: number; ms: number };
  const run = (w: InstanceType<typeof Worker>, m: number | { steps: number }): Promise<Done> => new Promise((res) => { w.once('message', res); w.postMessage(m); });
  const one = await spawn(256);
  const two = [await spawn(128, 0), await spawn(128, 1)];
  await run(one, 1500);
  await Promise.all(two.map((w) => run(w, 1500)));
  const free: number[] = [];
  const lockStep: number[] = [];
  for (let r = 0; r < 3; r++) {
    const a = await run(one, 2000);
    const oneRate = (256 * a.n) / a.ms;
    const b = await Promise.all(two.map((w) => run(w, 2000)));
    free.push(b.reduce((s, d) => s + (128 * d.n) / d.ms, 0) / oneRate);
    const c = await Promise.all(two.map((w) => run(w, { steps: a.n })));
    lockStep.push((256 * a.n) / Math.max(...c.map((d) => d.ms)) / oneRate);
  }
  await Promise.all([one, ...two].map((w) => w.terminate()));
  return { free: median(free), lockStep: median(lockStep) };
}

const { train: trainSet, test: testSet } = await data.fashionMnist({ download: false });
const ceilingStart = await ceiling();
const computeStart = TASKS.includes('mlp') ? await computeCeiling() : null;
const load0 = os.loadavg()[0];
console.log(`Fashion-MNIST ${trainSet.length}/${testSet.length}; ${os.cpus().length} cores (${os.cpus()[0]?.model}); load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; Node ${process.version}; softmax-nn from ${DIST ? 'dist' : 'src (tsx)'}; transport ${TRANSPORT || 'default'}`);

interface Row { task: string; config: string; epochs: number[]; steps: number[]; profile: import('../packages/ts-api/src/parallel/runner.js').ParallelProfile | null; loss: number; acc: number }
const rows = new Map<string, Row>();

async function once(task: 'mlp' | 'recipe', config: string, epochs: number): Promise<void> {
  manualSeed(0);
  const net = task === 'recipe'
    ? new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10))
    : new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  net.apply((m) => { if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01); });
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
  const trainIter = new data.DataLoader(trainSet, { batchSize: 256, shuffle: true });
  const testIter = new data.DataLoader(testSet, { batchSize: 256 });
  let t0 = 0;
  let tLast = 0;
  const seconds: number[] = [];
  // Steps: from one batch's end to the next one's, within an epoch, after the warm-up epoch.
  const steps: number[] = [];
  let epoch = 0;
  const timer: import('../packages/ts-api/src/index.js').train.Callback = {
    onEpochBegin: () => { t0 = performance.now(); tLast = 0; epoch++; },
    onBatchEnd: () => {
      const now = performance.now();
      if (epoch > 1 && tLast > 0) steps.push(now - tLast);
      tLast = now;
    },
    onEpochEnd: () => { seconds.push((tLast - t0) / 1000); },
  };
  const profile = config === '1' ? null : par.newProfile();
  const workers = config === 'pool1' ? 1 : Number(config);
  const options = { callbacks: [timer], transport: TRANSPORT || undefined, workers };
  const history = await fitObserved(net, trainIter, testIter, loss, epochs, opt, options, { observer: profile ? { profile } : undefined, forceParallel: config === 'pool1' });
  const key = `${task} ${config}`;
  const row = rows.get(key) ?? { task, config, epochs: [], steps: [], profile: null, loss: 0, acc: 0 };
  row.epochs.push(...seconds.slice(1));
  row.steps.push(...steps);
  row.loss = history.trainLoss[history.trainLoss.length - 1];
  row.acc = history.testAcc[history.testAcc.length - 1];
  if (profile) {
    // Drop the warm-up epoch's share roughly: keep totals, report per step.
    row.profile = profile;
  }
  rows.set(key, row);
  process.stderr.write(`  ${key}: ${seconds.map((s) => s.toFixed(3)).join(' ')} s (first = warm-up); loss ${row.loss.toFixed(4)}, test acc ${row.acc.toFixed(4)}\n`);
}

for (const task of TASKS) {
  const epochs = EPOCHS > 0 ? EPOCHS : task === 'mlp' ? 4 : 6;
  for (let r = 0; r < ROUNDS; r++) for (const c of WORKERS) await once(task, c, epochs);
}

// Per step as well: an epoch pays every step in which the host stalled a thread (in a synchronous
// fit, a stall of either thread stalls the step); the median step does not, the slow tail shows them.
const quantile = (v: number[], q: number): number => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))];
console.log('\n| task | workers | s/epoch (median) | epochs measured | min – max | speed-up vs 1 | ms/step (median) | p90 | steps > 1.25 × median | speed-up, median step |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const task of TASKS) {
  const base = rows.get(`${task} 1`);
  for (const c of WORKERS) {
    const r = rows.get(`${task} ${c}`)!;
    const m = median(r.epochs);
    const sp = base ? (median(base.epochs) / m).toFixed(2) + '×' : '—';
    const ms = median(r.steps);
    const slow = r.steps.filter((t) => t > 1.25 * ms).length / r.steps.length;
    const spStep = base ? (median(base.steps) / ms).toFixed(2) + '×' : '—';
    console.log(`| ${task} | ${c === 'pool1' ? '1 (via workers)' : c} | ${m.toFixed(3)} | ${r.epochs.length} | ${Math.min(...r.epochs).toFixed(3)} – ${Math.max(...r.epochs).toFixed(3)} | ${sp} | ${ms.toFixed(3)} | ${quantile(r.steps, 0.9).toFixed(3)} | ${(100 * slow).toFixed(0)} % | ${spStep} |`);
  }
}
console.log('\nThis thread, per step (ms, averaged over every step including the warm-up epochs): shard 0 (its own), then the idle wait');
console.log('for the workers after it and the look-ahead (placing the next batch).');
console.log('| task | shards | joined | workers gather | wait | shard 0 here | idle wait | start-up (ms, per fit) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows.values()) {
  const p = r.profile;
  if (!p) continue;
  const per = (v: number): string => (v / p.steps).toFixed(3);
  console.log(`| ${r.task} | ${r.config === 'pool1' ? '1 (parallel path)' : r.config} | ${p.joined ? 'yes' : 'no'} | ${p.workerGathers ? 'yes' : 'no'} | ${p.joined ? p.mainWait : '—'} | ${per(p.mainMs)} | ${per(p.idleMs)} | ${(p.startMs / ROUNDS).toFixed(0)} |`);
}
const ceilingEnd = await ceiling();
const computeEnd = TASKS.includes('mlp') ? await computeCeiling() : null;
console.log(`\nload average at start ${load0.toFixed(2)}, at end ${os.loadavg()[0].toFixed(2)} (${os.cpus().length} cores: above that, other processes compete for them)`);
console.log(`two-thread ceiling (a CPU-bound loop, 2 threads vs 1): ${ceilingStart.toFixed(2)}× at start, ${ceilingEnd.toFixed(2)}× at end (2.00× on two idle cores)`);
if (computeStart && computeEnd) {
  console.log(`two-thread compute ceiling (the MLP's forward + backward, 128 rows in each of 2 threads vs 256 rows in 1, nothing exchanged): ${computeStart.free.toFixed(2)}× at start, ${computeEnd.free.toFixed(2)}× at end`);
  console.log(`the same in lock-step (each step waits for both threads, as a synchronous fit must): ${computeStart.lockStep.toFixed(2)}× at start, ${computeEnd.lockStep.toFixed(2)}× at end`);
  const base = rows.get('mlp 1');
  const two = rows.get('mlp 2');
  if (base && two) {
    const speedUp = median(base.epochs) / median(two.epochs);
    const share = (c: number): string => ((100 * speedUp) / c).toFixed(0);
    console.log(`mlp with 2 workers: ${speedUp.toFixed(2)}× one thread = ${share((computeStart.free + computeEnd.free) / 2)} % of the compute ceiling, ${share((computeStart.lockStep + computeEnd.lockStep) / 2)} % of the lock-step one`);
  }
}
