// Shared by the harness (run.ts), the Node contestants (workers/*.ts) and gemm.ts: the job a child receives,
// the result it prints, the GEMM shapes, operands and timing, peak RSS, and a Fashion-MNIST reader for the
// TensorFlow.js contestants (softmax-nn uses its own `data.fashionMnist()`; PyTorch has its own in torch_bench.py).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export type Model = 'recipe' | 'mlp' | 'lenet';
export const MODELS: readonly Model[] = ['recipe', 'mlp', 'lenet'];

/** What one child process does: train + infer one model, or the GEMM rows. Passed as JSON in argv[2]. */
export interface TrainJob {
  task: 'train';
  model: Model;
  epochs: number;
  /** Batches per epoch; 0 = the whole epoch. A partial epoch's time is extrapolated to a full one. */
  maxBatches: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Timed passes over the 10 000 test images (the first also gives the accuracy). */
  inferPasses: number;
  dataDir: string;
}

export interface GemmJob {
  task: 'gemm';
  shapes: GemmShape[];
  /** Timed batches per shape (the median is reported) and the length of one batch. */
  reps: number;
  batchMs: number;
  warmupMs: number;
}

export type Job = TrainJob | GemmJob;

export interface TrainResult {
  task: 'train';
  /** Wall seconds of each epoch's training loop (batches + optimiser; loss read once per batch). */
  epochSeconds: number[];
  /** Batches actually run per epoch and the full epoch's batch count (for extrapolation). */
  batchesRun: number;
  batchesPerEpoch: number;
  /** Examples seen per epoch (60 000 when the epoch is whole: nobody skips data). */
  examplesPerEpoch: number[];
  /** Mean training loss of each epoch (average of the per-batch mean losses, weighted by batch size). */
  trainLoss: number[];
  testAccuracy: number;
  /** Seconds of each timed pass predicting the 10 000 test images. */
  inferSeconds: number[];
  loadSeconds: number;
  peakRssMB: number;
  notes: string[];
}

export interface GemmResult {
  task: 'gemm';
  rows: { name: string; gflops: number; best: number; maxAbsErr: number }[];
  peakRssMB: number;
  notes: string[];
}

export type Result = TrainResult | GemmResult;

/** C[m×n] = op(A)·op(B), op(A) m×k, op(B) k×n; A is stored k×m when transA, B is stored n×k when transB. */
export interface GemmShape { name: string; transA: boolean; transB: boolean; m: number; n: number; k: number }

export const GEMM_SHAPES: GemmShape[] = [
  { name: 'x·W 256×784·784×10', transA: false, transB: false, m: 256, n: 10, k: 784 },
  { name: 'x·Wᵀ 256×784·(10×784)ᵀ', transA: false, transB: true, m: 256, n: 10, k: 784 },
  { name: 'xᵀ·dY (256×784)ᵀ·256×10', transA: true, transB: false, m: 784, n: 10, k: 256 },
  { name: 'dY·W 256×10·10×784', transA: false, transB: false, m: 256, n: 784, k: 10 },
  { name: 'x·W 256×784·784×256', transA: false, transB: false, m: 256, n: 256, k: 784 },
  { name: 'xᵀ·dY (256×784)ᵀ·256×256', transA: true, transB: false, m: 784, n: 256, k: 256 },
  { name: 'dY·W 256×256·256×784', transA: false, transB: false, m: 256, n: 784, k: 256 },
  { name: '1024³', transA: false, transB: false, m: 1024, n: 1024, k: 1024 },
];

export const RESULT_PREFIX = '@@RESULT ';

export function parseJob(): Job {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('expected the job as JSON in argv[2]');
  return JSON.parse(raw) as Job;
}

export function emit(result: Result): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/** Peak resident set size of this process (VmHWM), in MB. */
export function peakRssMB(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch { /* not Linux */ }
  return process.resourceUsage().maxRSS / 1024;
}

export const now = (): number => performance.now() / 1000;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * GFLOP/s of one GEMM shape. `run` does one product. It is warmed up first (V8 runs the first calls in its
 * baseline tier) for as long as `warming(calls so far, ms so far)` holds; then `reps` batches of calls, each
 * lasting about `batchMs`, are timed. Returns the median batch (the upper middle one when `reps` is even) and the best.
 */
export function timeGemm(
  s: Pick<GemmShape, 'm' | 'n' | 'k'>,
  run: () => void,
  o: { reps: number; batchMs: number; warming: (calls: number, elapsedMs: number) => boolean },
): { median: number; best: number } {
  const flop = 2 * s.m * s.n * s.k;
  let calls = 0;
  const w0 = performance.now();
  while (o.warming(calls, performance.now() - w0)) { run(); calls++; }
  // Calls per timed batch so that one batch lasts about `batchMs`.
  const perCall = (performance.now() - w0) / calls;
  const batch = Math.max(1, Math.ceil(o.batchMs / Math.max(perCall, 1e-3)));
  const rates: number[] = [];
  for (let r = 0; r < o.reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) run();
    rates.push((flop * batch) / ((performance.now() - t0) * 1e6));
  }
  rates.sort((x, y) => x - y);
  return { median: rates[Math.floor(rates.length / 2)], best: rates[rates.length - 1] };
}

/** Deterministic fill in [-1, 1) for GEMM operands (the same on every contestant). */
export function fill(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = (s >>> 8) / 2 ** 23 - 1;
  }
  return out;
}

/** A few entries of C = op(A)·op(B) in float64, to check a contestant's GEMM computed the product. */
export function gemmProbe(s: GemmShape, a: Float32Array, b: Float32Array): { i: number; j: number; v: number }[] {
  const out: { i: number; j: number; v: number }[] = [];
  for (let t = 0; t < 16; t++) {
    const i = (t * 7919) % s.m, j = (t * 104729) % s.n;
    let acc = 0;
    for (let p = 0; p < s.k; p++) {
      const av = s.transA ? a[p * s.m + i] : a[i * s.k + p];
      const bv = s.transB ? b[j * s.k + p] : b[p * s.n + j];
      acc += av * bv;
    }
    out.push({ i, j, v: acc });
  }
  return out;
}

export function probeError(s: GemmShape, probe: { i: number; j: number; v: number }[], c: Float32Array): number {
  let e = 0;
  for (const p of probe) e = Math.max(e, Math.abs(c[p.i * s.n + p.j] - p.v) / Math.sqrt(s.k));
  return e;
}

// ---- Fashion-MNIST for the TensorFlow.js contestants (IDX, gzip) ----

export interface RawSplit { images: Uint8Array; labels: Uint8Array; count: number }

function readIdx(path: string, magic: number): Uint8Array {
  const buf = gunzipSync(readFileSync(path));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dv.getUint32(0) !== magic) throw new Error(`${path}: not an IDX file with magic ${magic.toString(16)}`);
  const dims = magic & 0xff;
  return new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * dims, buf.byteLength - 4 - 4 * dims);
}

export function readFashionMnist(dir: string): { train: RawSplit; test: RawSplit } {
  const split = (prefix: string): RawSplit => {
    const images = readIdx(`${dir}/${prefix}-images-idx3-ubyte.gz`, 0x803);
    const labels = readIdx(`${dir}/${prefix}-labels-idx1-ubyte.gz`, 0x801);
    return { images, labels, count: labels.length };
  };
  return { train: split('train'), test: split('t10k') };
}

/** A seeded Fisher–Yates permutation (xorshift32), for contestants without a shuffling loader. */
export function permutation(n: number, state: { s: number }): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    let s = state.s;
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    state.s = s;
    const j = s % (i + 1);
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}
