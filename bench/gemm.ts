// GEMM micro-benchmark: GFLOP/s of the SIMD kernels (`kernels.gemm`) and of the scalar reference
// (`reference.gemm`) on the shapes a Linear layer needs, forward and backward, plus 1024³.
//
// Run from the repository root after `bash scripts/build-wasm.sh`:
//   node --import tsx bench/gemm.ts            (or: pnpm -C packages/ts-api exec tsx ../../bench/gemm.ts)
// Options: --reps N (timed batches per shape, default 15), --quick (fewer), --no-ref.
// Each shape is warmed up first (V8 runs the first calls in its baseline tier at a fraction of the speed),
// then timed in N batches of calls lasting ≈ 15 ms each; the median batch is reported, and the best, which is
// what the hardware does when nothing else competes for the core (the load average is printed: on a busy
// machine the median drops, the best much less).
import { loadavg } from 'node:os';
import { allocStorage, kernels, reference, storageFrom, type Kernels, type Storage } from '../packages/ts-api/src/backend/index.js';
import { fill, timeGemm, type GemmShape } from './common.js';

const SHAPES: GemmShape[] = [
  { name: 'x·Wᵀ   256×784·(10×784)ᵀ  NT', transA: false, transB: true, m: 256, n: 10, k: 784 },
  { name: 'dY·W   256×10·10×784      NN', transA: false, transB: false, m: 256, n: 784, k: 10 },
  { name: 'dYᵀ·x  (256×10)ᵀ·256×784  TN', transA: true, transB: false, m: 10, n: 784, k: 256 },
  { name: 'x·W    256×784·784×10     NN', transA: false, transB: false, m: 256, n: 10, k: 784 },
  { name: 'x·Wᵀ   256×784·(256×784)ᵀ NT', transA: false, transB: true, m: 256, n: 256, k: 784 },
  { name: 'dY·W   256×256·256×784    NN', transA: false, transB: false, m: 256, n: 784, k: 256 },
  { name: 'dYᵀ·x  (256×256)ᵀ·256×784 TN', transA: true, transB: false, m: 256, n: 784, k: 256 },
  { name: 'Aᵀ·Bᵀ  256×784·784×256    TT', transA: true, transB: true, m: 256, n: 256, k: 784 },
  { name: 'MLP x·W1ᵀ 256×784·(128×784)ᵀ', transA: false, transB: true, m: 256, n: 128, k: 784 },
  { name: '1024³                     NN', transA: false, transB: false, m: 1024, n: 1024, k: 1024 },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const noRef = args.includes('--no-ref');
const repsArg = args.indexOf('--reps');
const REPS = repsArg >= 0 ? Number(args[repsArg + 1]) : quick ? 5 : 15;

/** Median and best GFLOP/s of `impl.gemm` on one shape. */
function measure(impl: Kernels, s: GemmShape, a: Storage, b: Storage, c: Storage, batchMs: number): { median: number; best: number } {
  // Warm-up: enough calls for V8 to tier the kernels up to TurboFan, and at least ~100 ms.
  return timeGemm(s, () => impl.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, b, 0, c), {
    reps: REPS,
    batchMs,
    warming: (calls, ms) => calls < 20 || ms < (quick ? 50 : 150),
  });
}

const pad = (x: string, w: number): string => x.padStart(w);
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');

console.log(`GEMM GFLOP/s, Node ${process.version}, median of ${REPS} timed batches (best in brackets); load average ${loadavg()[0].toFixed(1)}`);
console.log(`${'shape'.padEnd(32)} ${pad('SIMD', 14)} ${pad('scalar ref', 14)} ${pad('speed-up', 9)}`);
for (const s of SHAPES) {
  const a = storageFrom(fill(s.m * s.k, 1));
  const b = storageFrom(fill(s.k * s.n, 2));
  const c = allocStorage('float32', s.m * s.n, { zero: true });
  const fast = measure(kernels, s, a, b, c, 15);
  // The scalar reference of 1024³ takes seconds per call: skip it there.
  const big = s.m * s.n * s.k > 3e8;
  const ref = noRef || big ? { median: NaN, best: NaN } : measure(reference, s, a, b, c, 15);
  console.log(
    `${s.name.padEnd(32)} ${pad(`${f1(fast.median)} (${f1(fast.best)})`, 14)} ${pad(`${f1(ref.median)} (${f1(ref.best)})`, 14)} ${pad(
      Number.isFinite(ref.median) ? `×${(fast.median / ref.median).toFixed(1)}` : '–',
      9,
    )}`,
  );
  a.dispose();
  b.dispose();
  c.dispose();
}
console.log(`load average at the end ${loadavg()[0].toFixed(1)}`);
