// Contestant: softmax-nn in Node (the built package `softmax-nn`, or its source when
// BENCH_SOFTMAX_SOURCE=1 or the dist import fails). One job per process; prints one @@RESULT line.
// With `workers=N` it trains through fit(…, { workers: N }).
import os from 'node:os';
import { emit, fill, gemmProbe, now, parseJob, peakRssMB, probeError, timeGemm, type GemmJob, type TrainJob } from '../common.js';

const notes: string[] = [];
/** `workers=N` after the job: train with fit(…, { workers: N }) instead of the one-thread loop. */
const WORKERS = Number(process.argv.find((a) => a.startsWith('workers='))?.slice('workers='.length) ?? 1);
/** `fit` after the job: train with fit() on one thread too (its fused step where the model allows). */
const FIT = WORKERS > 1 || process.argv.includes('fit');

async function loadApi(): Promise<{ sm: typeof import('softmax-nn'); be: typeof import('softmax-nn/backend') }> {
  if (process.env.BENCH_SOFTMAX_SOURCE !== '1') {
    try {
      const sm = await import('softmax-nn');
      const be = await import('softmax-nn/backend');
      notes.push('softmax-nn from packages/ts-api/dist');
      return { sm, be };
    } catch (e) {
      notes.push(`dist import failed (${(e as Error).message.split('\n')[0]}); ran from source`);
    }
  } else {
    notes.push('softmax-nn from source (BENCH_SOFTMAX_SOURCE=1)');
  }
  const srcRoot = new URL('../../packages/ts-api/src/', import.meta.url);
  const sm = (await import(new URL('index.ts', srcRoot).href)) as typeof import('softmax-nn');
  const be = (await import(new URL('backend/index.ts', srcRoot).href)) as typeof import('softmax-nn/backend');
  return { sm, be };
}

const { sm, be } = await loadApi();
const { nn, optim, manualSeed, tidy, noGrad, data } = sm;

/** d2l 6.6's LeNet with ReLU and max pooling, PyTorch's default initialisation. */
function lenet(): InstanceType<typeof nn.Sequential> {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2, { stride: 2 }),
    new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2, { stride: 2 }),
    new nn.Flatten(), new nn.Linear(16 * 5 * 5, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
  );
}

async function train(job: TrainJob): Promise<void> {
  manualSeed(job.seed);
  const t0 = now();
  const { train: trainSet, test: testSet } = await data.fashionMnist({ root: job.dataDir, download: false } as Parameters<typeof data.fashionMnist>[0]);
  const loadSeconds = now() - t0;

  const net = job.model === 'lenet' ? lenet() : job.model === 'recipe'
    ? new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10))
    : new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  if (job.model !== 'lenet') net.apply((m) => { if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01); });
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const opt = new optim.SGD(net.parameters(), { lr: job.lr });
  const trainIter = new data.DataLoader(trainSet, { batchSize: job.batchSize, shuffle: true });
  const testIter = new data.DataLoader(testSet, { batchSize: job.batchSize });
  const limit = job.maxBatches > 0 ? Math.min(job.maxBatches, trainIter.length) : trainIter.length;

  const epochSeconds: number[] = [], trainLoss: number[] = [], examplesPerEpoch: number[] = [];
  if (FIT && job.maxBatches > 0) throw new Error('fit runs whole epochs: a partial-epoch plan cannot be measured with it');
  if (FIT) {
    // fit() with data-parallel workers; an epoch's time ends at its last batch (evaluation excluded).
    notes.push(WORKERS > 1 ? `fit(…, { workers: ${WORKERS} }) on ${os.availableParallelism()} cores` : 'train.fit (one thread)');
    let e0 = 0, last = 0;
    const timer: import('softmax-nn').train.Callback = {
      onEpochBegin: () => { e0 = now(); },
      onBatchEnd: () => { last = now(); },
      onEpochEnd: (logs) => {
        epochSeconds.push(last - e0);
        trainLoss.push(logs.trainLoss);
        examplesPerEpoch.push(trainSet.length);
        process.stderr.write(`  epoch ${logs.epoch}: ${(last - e0).toFixed(2)} s, loss ${logs.trainLoss.toFixed(4)}\n`);
      },
    };
    await sm.train.fit(net, trainIter, testIter, loss, job.epochs, opt, { workers: WORKERS, callbacks: [timer] });
  }
  for (let epoch = 0; !FIT && epoch < job.epochs; epoch++) {
    net.train();
    let lossSum = 0, n = 0, b = 0;
    const e0 = now();
    for (const [X, y] of trainIter) {
      lossSum += tidy(() => {
        const l = loss.forward(net.forward(X), y);
        opt.zeroGrad();
        l.mean().backward();
        opt.step();
        return l.sum().item();
      });
      n += y.shape[0];
      if (++b >= limit) break;
    }
    epochSeconds.push(now() - e0);
    trainLoss.push(lossSum / n);
    examplesPerEpoch.push(n);
    process.stderr.write(`  epoch ${epoch + 1}: ${(now() - e0).toFixed(2)} s, loss ${(lossSum / n).toFixed(4)}\n`);
  }

  net.eval();
  const inferSeconds: number[] = [];
  let testAccuracy = NaN;
  for (let pass = 0; pass < job.inferPasses; pass++) {
    const i0 = now();
    let correct = 0, total = 0;
    for (const [X, y] of testIter) {
      correct += noGrad(() => tidy(() => net.forward(X).argmax(1).eq(y).float().sum().item()));
      total += y.shape[0];
    }
    inferSeconds.push(now() - i0);
    if (pass === 0) testAccuracy = correct / total;
  }
  emit({
    task: 'train', epochSeconds, batchesRun: limit, batchesPerEpoch: trainIter.length, examplesPerEpoch, trainLoss,
    testAccuracy, inferSeconds, loadSeconds, peakRssMB: peakRssMB(), notes,
  });
}

function gemm(job: GemmJob): void {
  const { kernels, allocStorage, storageFrom } = be;
  const rows = [];
  for (const s of job.shapes) {
    const av = fill(s.m * s.k, 1), bv = fill(s.k * s.n, 2);
    const a = storageFrom(av), b = storageFrom(bv);
    const c = allocStorage('float32', s.m * s.n, { zero: true });
    const t = timeGemm(s, () => kernels.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, b, 0, c), {
      reps: job.reps, batchMs: job.batchMs, warming: (calls, ms) => calls < 10 || ms < job.warmupMs,
    });
    const err = probeError(s, gemmProbe(s, av, bv), c.f32());
    rows.push({ name: s.name, gflops: t.median, best: t.best, maxAbsErr: err });
    a.dispose(); b.dispose(); c.dispose();
  }
  emit({ task: 'gemm', rows, peakRssMB: peakRssMB(), notes });
}

const job = parseJob();
if (job.task === 'train') await train(job);
else gemm(job);
