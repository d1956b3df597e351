// Where a LeNet training step goes: each kernel of d2l 6.6's LeNet (ReLU, max pooling, as `pnpm bench`'s
// LeNet row) timed alone on a batch of 256, forward and backward, then whole steps of the library
// (forward, backward, SGD) to show what the kernels leave out. `bench/lenet_ops.py` times the same
// operations in PyTorch; `--json` prints the figures for it to put side by side.
//
// Run from the repository root after `bash scripts/build-wasm.sh`:
//   node --import tsx bench/lenet-ops.ts [--reps N] [--json]
// Each op is warmed up, then timed in N batches of calls (≈20 ms each); the table gives the fastest batch
// per call (what the core does when nothing competes for it) and the median.
import { loadavg } from 'node:os';
import { allocStorage, convKernels, kernels, type Storage } from '../packages/ts-api/src/backend/index.js';
import { keep, manualSeed, nn, noGrad, optim, randint, randn, tidy } from '../packages/ts-api/src/index.js';
import { fill, median } from './common.js';

const args = process.argv.slice(2);
const repsArg = args.indexOf('--reps');
const REPS = repsArg >= 0 ? Number(args[repsArg + 1]) : 15;
const N = 256;

function storage(values: Float32Array): Storage {
  const s = allocStorage('float32', values.length);
  s.f32().set(values);
  return s;
}
const zeros = (n: number): Storage => allocStorage('float32', n);

/** Fastest and median ms per call of `run`, after a warm-up. */
function time(run: () => void): { best: number; median: number } {
  const w0 = performance.now();
  let calls = 0;
  while (calls < 5 || performance.now() - w0 < 150) { run(); calls++; }
  const perCall = (performance.now() - w0) / calls;
  const batch = Math.max(1, Math.ceil(20 / perCall));
  const ms: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) run();
    ms.push((performance.now() - t0) / batch);
  }
  return { best: Math.min(...ms), median: median(ms) };
}

/** A convolution's geometry (stride 1, no dilation, one group). */
function conv(c: number, o: number, h: number, k: number, pad: number) {
  const oh = h + 2 * pad - k + 1;
  return { n: N, groups: 1, cg: c, og: o, h, w: h, oh, ow: oh, kh: k, kw: k, sh: 1, sw: 1, ph: pad, pw: pad, dh: 1, dw: 1 };
}
/** A 2×2, stride-2 max-pool window over h×h planes. */
function pool(h: number) {
  return { h, w: h, oh: h / 2, ow: h / 2, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1 };
}

const c1 = conv(1, 6, 28, 5, 2), p1 = pool(28), c2 = conv(6, 16, 14, 5, 0), p2 = pool(10);
const x = storage(fill(N * 784, 1).map((v) => (v + 1) / 2));
const w1 = storage(fill(6 * 25, 2)), b1 = storage(fill(6, 3)), w2 = storage(fill(16 * 6 * 25, 4)), b2 = storage(fill(16, 5));
const y1 = zeros(N * 6 * 784), r1 = zeros(N * 6 * 784), q1 = zeros(N * 6 * 196), i1 = allocStorage('int32', N * 6 * 196);
const y2 = zeros(N * 16 * 100), r2 = zeros(N * 16 * 100), q2 = zeros(N * 400), i2 = allocStorage('int32', N * 400);
const fc = [[400, 120], [120, 84], [84, 10]].map(([i, o], j) => ({ i, o, w: storage(fill(o * i, 10 + j)), b: storage(fill(o, 20 + j)), y: zeros(N * o) }));
const labels = allocStorage('int32', N);
labels.i32().set(Int32Array.from({ length: N }, (_, r) => (r * 7) % 10));
const loss = zeros(N), dlogits = zeros(N * 10), dloss = storage(new Float32Array([1 / N]));
// Gradients (contents irrelevant to the timing, sizes as in training).
const dq2 = storage(fill(N * 400, 30)), dr2 = zeros(N * 1600), dy2 = storage(fill(N * 1600, 31)), dq1 = zeros(N * 6 * 196);
const dr1 = zeros(N * 6 * 784), dy1 = storage(fill(N * 6 * 784, 32)), dw1 = zeros(150), dw2 = zeros(2400), db = zeros(16), perSample = zeros(N * 16);
const dfc = fc.map(({ i, o }) => ({ dx: zeros(N * i), dw: zeros(o * i), db: zeros(o), dy: storage(fill(N * o, 40 + i)) }));

// Forward first, so that the inputs of each op hold what training gives them.
const ops: [string, () => void][] = [
  ['conv1 forward (1→6, 28×28, k5 p2)', () => convKernels.conv2d(x, w1, b1, y1, c1)],
  ['relu1 forward', () => kernels.relu(y1, r1)],
  ['pool1 forward (max 2×2)', () => convKernels.maxPool2d(r1, q1, i1, N * 6, p1)],
  ['conv2 forward (6→16, 14×14, k5)', () => convKernels.conv2d(q1, w2, b2, y2, c2)],
  ['relu2 forward', () => kernels.relu(y2, r2)],
  ['pool2 forward (max 2×2)', () => convKernels.maxPool2d(r2, q2, i2, N * 16, p2)],
  ...fc.map(({ i, o, w, b, y }, j): [string, () => void] => [`fc${j + 1} forward (${i}→${o})`, () => {
    kernels.expand(b, y, [N, o], [0, 1]);
    kernels.gemm(false, true, N, o, i, 1, j === 0 ? q2 : fc[j - 1].y, w, 1, y);
  }]),
  ['cross-entropy + its gradient', () => {
    kernels.crossEntropy(fc[2].y, labels, N, 10, 0, 'none', loss);
    kernels.crossEntropyBackward(fc[2].y, labels, N, 10, 0, dloss, 1, dlogits);
  }],
  ...fc.map(({ i, o, w }, j): [string, () => void] => [`fc${j + 1} backward (dX, dW, db)`, () => {
    const { dx, dw, db: dbias, dy } = dfc[j];
    kernels.gemm(false, false, N, i, o, 1, dy, w, 0, dx);
    kernels.gemm(true, false, o, i, N, 1, dy, j === 0 ? q2 : fc[j - 1].y, 0, dw);
    kernels.biasGrad(dy, dbias, N, o);
  }]).reverse(),
  ['pool2 backward', () => convKernels.maxPool2dBackward(dq2, i2, dr2, N * 16, p2)],
  ['relu2 backward', () => kernels.reluBackward(y2, dr2, dy2)],
  ['conv2 backward input (dX)', () => convKernels.conv2dBackwardInput(dy2, w2, dq1, c2)],
  ['conv2 backward weight (dW)', () => convKernels.conv2dBackwardWeight(q1, dy2, dw2, c2)],
  ['conv2 backward bias (db)', () => {
    kernels.sumAxis(dy2, perSample, N * 16, 100, 1);
    kernels.sumAxis(perSample, db, 1, N, 16);
  }],
  ['pool1 backward', () => convKernels.maxPool2dBackward(dq1, i1, dr1, N * 6, p1)],
  ['relu1 backward', () => kernels.reluBackward(y1, dr1, dy1)],
  ['conv1 backward weight (dW)', () => convKernels.conv2dBackwardWeight(x, dy1, dw1, c1)],
  ['conv1 backward bias (db)', () => {
    kernels.sumAxis(dy1, perSample, N * 6, 784, 1);
    kernels.sumAxis(perSample, db, 1, N, 6);
  }],
];

const rows: { op: string; best: number; median: number }[] = [];
for (const [op, run] of ops) rows.push({ op, ...time(run) });

// Whole steps through the library: what the kernels above leave out (autograd, allocation, SGD, calls).
manualSeed(0);
const net = new nn.Sequential(
  new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2, { stride: 2 }),
  new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2, { stride: 2 }),
  new nn.Flatten(), new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
);
const lossFn = new nn.CrossEntropyLoss();
const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
const X = keep(randn(N, 1, 28, 28)), Y = keep(randint(0, 10, [N]));
const step = time(() => tidy(() => {
  const l = lossFn.forward(net.forward(X), Y);
  opt.zeroGrad();
  l.backward();
  opt.step();
}));
const forwardOnly = time(() => noGrad(() => tidy(() => { net.forward(X); })));

const sum = (k: 'best' | 'median') => rows.reduce((a, r) => a + r[k], 0);
if (args.includes('--json')) {
  console.log(JSON.stringify({ rows, kernelSum: { best: sum('best'), median: sum('median') }, step, forwardOnly }));
} else {
  console.log(`LeNet kernels, batch ${N}, wasm (one thread), ${REPS} timed batches each; load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  console.log('| op | ms (fastest) | ms (median) |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.op} | ${r.best.toFixed(3)} | ${r.median.toFixed(3)} |`);
  console.log(`| sum of the kernels | ${sum('best').toFixed(2)} | ${sum('median').toFixed(2)} |`);
  console.log(`| a whole step (forward, backward, SGD) | ${step.best.toFixed(2)} | ${step.median.toFixed(2)} |`);
  console.log(`| forward only, no grad | ${forwardOnly.best.toFixed(2)} | ${forwardOnly.median.toFixed(2)} |`);
}
