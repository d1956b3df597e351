// The benchmark harness: softmax-nn against TensorFlow.js (wasm SIMD, cpu; Layers API and a
// low-level loop) and PyTorch (reference BLAS and OpenBLAS; pre-loaded tensors and a DataLoader).
//
//   pnpm bench                 full run (3 repetitions; ≈25–35 min on the 2-core machine)
//   pnpm bench -- --quick      smoke run (1 repetition, partial epochs for the slow contestants; minutes)
//
// Every (contestant, task, repetition) runs in its own child process, so peak RSS is per contestant and
// nothing is shared; repetitions are interleaved: rep 1 runs A B C …, then rep 2 runs A B C … again.
// Options (environment variables in brackets):
//   --quick [BENCH_QUICK=1]  --reps N [BENCH_REPS]  --epochs N [BENCH_EPOCHS] (every contestant, whole epochs)
//   --only id,id [BENCH_ONLY] (contestant ids, see --list)   --tasks recipe,mlp,lenet,gemm [BENCH_TASKS]
//   --no-torch  --no-install (never apt-get)  --source (softmax-nn from src/ via tsx, not dist/)
//   --timeout S (per child, default 1200)  --out DIR (default bench/results)  --list
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GEMM_SHAPES, MODELS, RESULT_PREFIX, type GemmJob, type Job, type Model, type Result, type TrainJob } from './common.js';
import { renderMarkdown, renderSvg, type Contestant, type RunRecord, type RunReport } from './report.js';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const DATA_DIR = process.env.BENCH_DATA_DIR ?? '/usr/share/datasets/fashion-mnist';
const PY = '/usr/bin/python3';
const LIBDIR = '/usr/lib/x86_64-linux-gnu';
const REF_BLAS_DIR = `${LIBDIR}/blas`;
const OPENBLAS_DIR = `${LIBDIR}/openblas-pthread`;

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2).filter((a) => a !== '--');
const flag = (name: string, env?: string): boolean => argv.includes(name) || (env !== undefined && process.env[env] === '1');
const opt = (name: string, env?: string): string | undefined => {
  const i = argv.indexOf(name);
  if (i >= 0 && i + 1 < argv.length) return argv[i + 1];
  return env !== undefined ? process.env[env] : undefined;
};
const known = new Set(['--quick', '--reps', '--epochs', '--only', '--tasks', '--no-torch', '--no-install', '--source', '--timeout', '--out', '--list', '--help']);
for (let i = 0; i < argv.length; i++) {
  if (!argv[i].startsWith('--')) continue;
  if (!known.has(argv[i])) { console.error(`unknown option ${argv[i]} (see the top of bench/run.ts)`); process.exit(2); }
}
if (flag('--help')) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport')[0]);
  process.exit(0);
}
const QUICK = flag('--quick', 'BENCH_QUICK');
const REPS = Number(opt('--reps', 'BENCH_REPS') ?? (QUICK ? 1 : 3));
const EPOCHS_ALL = opt('--epochs', 'BENCH_EPOCHS') !== undefined ? Number(opt('--epochs', 'BENCH_EPOCHS')) : undefined;
const ONLY = opt('--only', 'BENCH_ONLY')?.split(',').map((s) => s.trim()).filter(Boolean);
const TASKS = (opt('--tasks', 'BENCH_TASKS') ?? 'recipe,mlp,lenet,gemm').split(',').map((s) => s.trim());
const NO_TORCH = flag('--no-torch', 'BENCH_NO_TORCH');
const NO_INSTALL = flag('--no-install', 'BENCH_NO_INSTALL');
const FROM_SOURCE = flag('--source', 'BENCH_SOFTMAX_SOURCE');
const TIMEOUT_S = Number(opt('--timeout', 'BENCH_TIMEOUT') ?? 1200);
const OUT = path.resolve(opt('--out', 'BENCH_OUT') ?? path.join(BENCH, 'results'));
if (!(REPS >= 1) || (EPOCHS_ALL !== undefined && !(EPOCHS_ALL >= 1))) { console.error('--reps and --epochs must be ≥ 1'); process.exit(2); }

// ---------------------------------------------------------------- contestants
/** Speed classes decide epochs: the slow ones run fewer (stated in the table). */
type Speed = 'fast' | 'medium' | 'slow';
interface Plan { epochs: number; maxBatches: number }

function planFor(model: Model, speed: Speed): Plan {
  if (EPOCHS_ALL !== undefined) return { epochs: EPOCHS_ALL, maxBatches: 0 };
  // LeNet's epoch takes seconds for the fast contestants and minutes for the slow ones.
  if (model === 'lenet') {
    if (speed === 'fast') return { epochs: QUICK ? 1 : 2, maxBatches: 0 };
    return { epochs: 1, maxBatches: speed === 'medium' ? (QUICK ? 15 : 40) : 2 };
  }
  if (QUICK) {
    if (model === 'recipe') return speed === 'slow' ? { epochs: 1, maxBatches: 60 } : { epochs: speed === 'fast' ? 2 : 1, maxBatches: 0 };
    return speed === 'fast' ? { epochs: 1, maxBatches: 0 } : { epochs: 1, maxBatches: speed === 'medium' ? 40 : 15 };
  }
  if (model === 'recipe') return { epochs: speed === 'slow' ? 3 : 10, maxBatches: 0 };
  return { epochs: speed === 'fast' ? 10 : speed === 'medium' ? 2 : 1, maxBatches: 0 };
}

interface Spec extends Contestant {
  speed: Record<Model, Speed>;
  /** Command for a job; null when this contestant has no such task. */
  command: (job: Job) => string[] | null;
  env: Record<string, string | undefined>;
}

const nodeCmd = (worker: string, ...extra: string[]) => (job: Job): string[] => [process.execPath, '--import', 'tsx', path.join(BENCH, 'workers', worker), JSON.stringify(job), ...extra];
const torchEnv = (dir: string, core?: string): Record<string, string | undefined> => ({
  LD_LIBRARY_PATH: dir, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1',
  // The OpenBLAS contestants run with the machine's core-type overrides removed (this child only).
  ...(dir === OPENBLAS_DIR ? { OPENBLAS_CORETYPE: core, OPENBLAS_L2_SIZE: undefined } : {}),
});
const pyCmd = (variant: string, gemm: boolean) => (job: Job): string[] | null =>
  job.task === 'gemm' && !gemm ? null : [PY, path.join(BENCH, 'torch_bench.py'), JSON.stringify(job), variant];

const ALL: Spec[] = [
  { id: 'softmax-nn', label: 'softmax-nn (Node, wasm SIMD)', group: 'softmax-nn', speed: { recipe: 'fast', mlp: 'fast', lenet: 'fast' }, command: nodeCmd('softmax-nn.ts'), env: FROM_SOURCE ? { BENCH_SOFTMAX_SOURCE: '1' } : {} },
  { id: 'softmax-nn-fit', label: 'softmax-nn, train.fit (fused step)', group: 'softmax-nn', speed: { recipe: 'fast', mlp: 'fast', lenet: 'fast' }, command: (job) => (job.task === 'gemm' ? null : nodeCmd('softmax-nn.ts', 'fit')(job)), env: FROM_SOURCE ? { BENCH_SOFTMAX_SOURCE: '1' } : {} },
  { id: 'softmax-nn-2w', label: 'softmax-nn, fit with 2 workers (2 cores)', group: 'softmax-nn', speed: { recipe: 'fast', mlp: 'fast', lenet: 'fast' }, command: (job) => (job.task === 'gemm' ? null : nodeCmd('softmax-nn.ts', 'workers=2')(job)), env: FROM_SOURCE ? { BENCH_SOFTMAX_SOURCE: '1' } : {} },
  // The same loop on the plain build (SOFTMAX_THREADS=0; what pages that are not cross-origin isolated load): its own speed and peak RSS.
  { id: 'softmax-nn-plain', label: 'softmax-nn, plain wasm build (SOFTMAX_THREADS=0)', group: 'softmax-nn', speed: { recipe: 'fast', mlp: 'fast', lenet: 'fast' }, command: (job) => (job.task === 'gemm' ? null : nodeCmd('softmax-nn.ts')(job)), env: { SOFTMAX_THREADS: '0', ...(FROM_SOURCE ? { BENCH_SOFTMAX_SOURCE: '1' } : {}) } },
  { id: 'tfjs-wasm-layers', label: 'TF.js wasm SIMD, Layers fit', group: 'tfjs-wasm', speed: { recipe: 'medium', mlp: 'medium', lenet: 'medium' }, command: nodeCmd('tfjs.ts', 'wasm', 'layers'), env: {} },
  { id: 'tfjs-wasm-loop', label: 'TF.js wasm SIMD, minimize loop', group: 'tfjs-wasm', speed: { recipe: 'medium', mlp: 'medium', lenet: 'medium' }, command: nodeCmd('tfjs.ts', 'wasm', 'loop'), env: {} },
  { id: 'tfjs-cpu-layers', label: 'TF.js cpu, Layers fit', group: 'tfjs-cpu', speed: { recipe: 'slow', mlp: 'slow', lenet: 'slow' }, command: nodeCmd('tfjs.ts', 'cpu', 'layers'), env: {} },
  { id: 'tfjs-cpu-loop', label: 'TF.js cpu, minimize loop', group: 'tfjs-cpu', speed: { recipe: 'slow', mlp: 'slow', lenet: 'slow' }, command: nodeCmd('tfjs.ts', 'cpu', 'loop'), env: {} },
  { id: 'torch-ref-tensors', label: 'PyTorch ref. BLAS, tensors', group: 'torch-ref', speed: { recipe: 'fast', mlp: 'medium', lenet: 'slow' }, command: pyCmd('tensors', true), env: torchEnv(REF_BLAS_DIR) },
  { id: 'torch-ref-loader', label: 'PyTorch ref. BLAS, DataLoader', group: 'torch-ref', speed: { recipe: 'fast', mlp: 'medium', lenet: 'slow' }, command: pyCmd('dataloader', false), env: torchEnv(REF_BLAS_DIR) },
  { id: 'torch-openblas-tensors', label: 'PyTorch OpenBLAS, tensors', group: 'torch-openblas', speed: { recipe: 'fast', mlp: 'fast', lenet: 'fast' }, command: pyCmd('tensors', true), env: torchEnv(OPENBLAS_DIR) },
  { id: 'torch-openblas-loader', label: 'PyTorch OpenBLAS, DataLoader', group: 'torch-openblas', speed: { recipe: 'fast', mlp: 'fast', lenet: 'fast' }, command: pyCmd('dataloader', false), env: torchEnv(OPENBLAS_DIR) },
  { id: 'torch-openblas-skx-tensors', label: 'PyTorch OpenBLAS SkylakeX kernels forced, tensors', group: 'torch-openblas-skx', speed: { recipe: 'fast', mlp: 'fast', lenet: 'fast' }, command: pyCmd('tensors', true), env: torchEnv(OPENBLAS_DIR, 'SkylakeX') },
];
// TF.js cannot train LeNet on wasm (no Conv2DBackpropFilter kernel), and on cpu a batch takes about a
// minute: its Layers fit stands for it there, on two batches. softmax-nn's plain build and one-thread fit
// run LeNet's kernels as the loop does (no fused step for it): not run, to keep the bench's length.
const NO_LENET = new Set(['tfjs-wasm-layers', 'tfjs-wasm-loop', 'tfjs-cpu-loop', 'softmax-nn-plain', 'softmax-nn-fit']);
for (const c of ALL) {
  if (!NO_LENET.has(c.id)) continue;
  const command = c.command;
  c.command = (job) => (job.task === 'train' && job.model === 'lenet' ? null : command(job));
}
// For GEMM one contestant per library stands for its group (the API variants share the same matMul).
const GEMM_OWNER: Record<string, string> = { 'tfjs-wasm': 'tfjs-wasm-layers', 'tfjs-cpu': 'tfjs-cpu-layers', 'torch-ref': 'torch-ref-tensors', 'torch-openblas': 'torch-openblas-tensors', 'torch-openblas-skx': 'torch-openblas-skx-tensors', 'softmax-nn': 'softmax-nn' };

if (flag('--list')) {
  for (const c of ALL) console.log(`${c.id.padEnd(28)} ${c.label}`);
  process.exit(0);
}

// ---------------------------------------------------------------- environment checks
const setupNotes: string[] = [];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function ensureDebianPackage(pkg: string, file: string, why: string): boolean {
  if (existsSync(file)) return true;
  if (isRoot && !NO_INSTALL) {
    console.log(`${file} is missing: apt-get install -y ${pkg} (${why})`);
    let r = spawnSync('apt-get', ['install', '-y', pkg], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0 || !existsSync(file)) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit' });
      r = spawnSync('apt-get', ['install', '-y', pkg], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    }
    if (existsSync(file)) { setupNotes.push(`installed ${pkg} with apt-get`); return true; }
  }
  const msg = `${pkg} is not installed (${file} missing), so ${why} is skipped: run \`sudo apt-get install -y ${pkg}\` and re-run.`;
  console.warn(msg);
  setupNotes.push(msg);
  return false;
}

let torchOk = !NO_TORCH;
let torchProbe: Record<string, { blas: string; torch: string } | string> = {};
if (NO_TORCH) setupNotes.push('PyTorch skipped (--no-torch).');
else {
  const r = spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.status !== 0) {
    torchOk = false;
    const msg = `PyTorch skipped: \`${PY} -c "import torch, numpy"\` failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()} (Debian: apt-get install -y python3-torch)`;
    console.warn(msg);
    setupNotes.push(msg);
  }
}
const haveRef = torchOk && ensureDebianPackage('libblas3', `${REF_BLAS_DIR}/libblas.so.3`, 'PyTorch with the reference BLAS');
const haveOpenblas = torchOk && ensureDebianPackage('libopenblas0-pthread', `${OPENBLAS_DIR}/libblas.so.3`, 'PyTorch with OpenBLAS');
if (torchOk) {
  for (const [name, env] of [['reference BLAS', torchEnv(REF_BLAS_DIR)], ['OpenBLAS', torchEnv(OPENBLAS_DIR)], ['OpenBLAS SkylakeX forced', torchEnv(OPENBLAS_DIR, 'SkylakeX')]] as const) {
    if ((name === 'reference BLAS' && !haveRef) || (name !== 'reference BLAS' && !haveOpenblas)) continue;
    const r = spawnSync(PY, [path.join(BENCH, 'torch_bench.py'), '--probe'], { encoding: 'utf8', env: childEnv(env) });
    try { torchProbe[name] = JSON.parse(r.stdout); } catch { torchProbe[name] = `probe failed: ${r.stderr.trim().split('\n').pop()}`; }
  }
}

function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(extra)) { if (v === undefined) delete env[k]; else env[k] = v; }
  return env;
}

/** The newest modification time of the files under `dir` (0 when it does not exist). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

let softmaxSource = FROM_SOURCE ? 'source (packages/ts-api/src via tsx)' : 'dist (packages/ts-api/dist)';
const distIndex = path.join(ROOT, 'packages/ts-api/dist/index.js');
if (!FROM_SOURCE && existsSync(distIndex) && newestMtime(path.join(ROOT, 'packages/ts-api/src')) > statSync(distIndex).mtimeMs) {
  // A dist older than the sources would benchmark old code: rebuild it (tsc, seconds).
  console.log('packages/ts-api/dist is older than src/: rebuilding it (pnpm -C packages/ts-api build)');
  const r = spawnSync('pnpm', ['-C', path.join(ROOT, 'packages/ts-api'), 'run', 'build'], { stdio: 'inherit' });
  if (r.status !== 0) { console.error('the build failed'); process.exit(1); }
  setupNotes.push('rebuilt packages/ts-api/dist (it was older than src/)');
}
if (!FROM_SOURCE && !existsSync(distIndex)) {
  softmaxSource = 'source (packages/ts-api/dist missing: build it with `bash scripts/build-wasm.sh && pnpm -C packages/ts-api build`)';
  for (const c of ALL) if (c.group === 'softmax-nn') c.env = { ...c.env, BENCH_SOFTMAX_SOURCE: '1' };
}
if (!existsSync(path.join(ROOT, 'packages/ts-api/wasm/softmax_core.wasm'))) {
  console.error('packages/ts-api/wasm/softmax_core.wasm is missing: run `bash scripts/build-wasm.sh` first.');
  process.exit(1);
}
if (!existsSync(`${DATA_DIR}/train-images-idx3-ubyte.gz`)) {
  console.error(`Fashion-MNIST not found in ${DATA_DIR}: apt-get install -y dataset-fashion-mnist (or set BENCH_DATA_DIR).`);
  process.exit(1);
}

const contestants = ALL.filter((c) => {
  if (ONLY !== undefined && !ONLY.includes(c.id)) return false;
  if (c.group === 'torch-ref') return haveRef;
  if (c.group.startsWith('torch-openblas')) return haveOpenblas;
  return true;
});
if (contestants.length === 0) { console.error('no contestant left to run (see --list)'); process.exit(2); }

// ---------------------------------------------------------------- machine
function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT });
  return r.status === 0 ? r.stdout.trim() : '';
}
function machine(): Record<string, string> {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const mem = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
  const lscpu = sh('lscpu', []);
  const pick = (k: string): string => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(lscpu)?.[1] ?? '';
  const tfjsVersion = JSON.parse(readFileSync(path.join(BENCH, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')).version as string;
  const smVersion = JSON.parse(readFileSync(path.join(ROOT, 'packages/ts-api/package.json'), 'utf8')).version as string;
  const commit = sh('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['status', '--porcelain']) !== '' ? ' + uncommitted changes' : '';
  const torchLine = Object.entries(torchProbe).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : v.blas}`).join('; ');
  const torchVersion = Object.values(torchProbe).find((v) => typeof v !== 'string') as { torch: string } | undefined;
  return {
    CPU: `${cpu} (${os.cpus().length} logical CPUs${pick('Hypervisor vendor') ? `, ${pick('Hypervisor vendor')} VM` : ''}; L2 ${pick('L2 cache')}, L3 ${pick('L3 cache')})`,
    Memory: mem,
    OS: `${os.type()} ${os.release()} (${sh('sh', ['-c', '. /etc/os-release && echo $PRETTY_NAME'])})`,
    Node: process.version,
    'softmax-nn': `${smVersion}, commit ${commit}${dirty}, loaded from ${softmaxSource}`,
    'TensorFlow.js': `${tfjsVersion} (tfjs-core, tfjs-layers, tfjs-backend-wasm, tfjs-backend-cpu)`,
    PyTorch: torchOk ? `${torchVersion?.torch ?? '?'} (${PY}); BLAS per contestant — ${torchLine}` : 'skipped',
    'Load average at start': os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

// ---------------------------------------------------------------- running children
function runChild(spec: Spec, job: Job, tag: string): Promise<{ result?: Result; error?: string; wallSeconds: number }> {
  const cmd = spec.command(job);
  if (cmd === null) return Promise.resolve({ error: 'n/a', wallSeconds: 0 });
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd[0], cmd.slice(1), { cwd: BENCH, env: childEnv(spec.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const errLines: string[] = [];
    let errBuf = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      errBuf += d.toString();
      let i: number;
      while ((i = errBuf.indexOf('\n')) >= 0) {
        const line = errBuf.slice(0, i);
        errBuf = errBuf.slice(i + 1);
        const short = line.length > 300 ? `${line.slice(0, 300)}…` : line; // emscripten dumps whole sources
        errLines.push(short);
        if (errLines.length > 40) errLines.shift();
        // TF.js's banner recommending tfjs-node (not a contestant here: it downloads a native binary) is noise.
        if (short.trim() !== '' && !/^=+$|looks like you are running TensorFlow\.js in Node/.test(short)) process.stdout.write(`    [${tag}] ${short}\n`);
      }
    });
    const timer = setTimeout(() => { errLines.push(`timed out after ${TIMEOUT_S} s`); child.kill('SIGKILL'); }, TIMEOUT_S * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallSeconds = (performance.now() - t0) / 1000;
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line !== undefined) {
        try { resolve({ result: JSON.parse(line.slice(RESULT_PREFIX.length)) as Result, wallSeconds }); return; } catch { /* fall through */ }
      }
      const last = errLines.filter((l) => l.trim() !== '' && !/^\s+at /.test(l)).slice(-3).join(' | ');
      resolve({ error: `exit ${code ?? signal}: ${last || out.slice(-300)}`, wallSeconds });
    });
  });
}

// ---------------------------------------------------------------- main
const started = new Date();
const info = machine();
console.log(`softmax-nn benchmark (${QUICK ? 'quick' : 'full'}): ${REPS} repetition(s), ${contestants.length} contestants, tasks ${TASKS.join(', ')}`);
for (const [k, v] of Object.entries(info)) console.log(`  ${k}: ${v}`);
for (const n of setupNotes) console.log(`  note: ${n}`);
if (os.loadavg()[0] > os.cpus().length * 0.75) {
  const msg = `the machine was busy when the run started (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs): absolute figures are pessimistic, ratios less affected (interleaving).`;
  console.warn(`  warning: ${msg}`);
  setupNotes.push(msg);
}

if (TASKS.includes('lenet') && contestants.some((c) => c.group === 'tfjs-wasm')) {
  setupNotes.push('LeNet: TF.js wasm cannot train it — tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel ' +
    '("Kernel \'Conv2DBackpropFilter\' not registered for backend \'wasm\'", tensorflow/tfjs#8474); its TF.js row is the cpu backend\'s Layers fit.');
}

const gemmJob: GemmJob = {
  task: 'gemm', shapes: GEMM_SHAPES, reps: QUICK ? 3 : 7, batchMs: QUICK ? 25 : 60, warmupMs: QUICK ? 60 : 200,
};
const records: RunRecord[] = [];
const plans: Record<string, Partial<Record<Model, Plan>>> = {};
for (const c of contestants) plans[c.id] = Object.fromEntries(MODELS.map((m) => [m, planFor(m, c.speed[m])]));

for (let rep = 1; rep <= REPS; rep++) {
  for (const task of TASKS) {
    for (const c of contestants) {
      let job: Job;
      if (task === 'gemm') {
        if (GEMM_OWNER[c.group] !== c.id) continue;
        job = gemmJob;
      } else if ((MODELS as readonly string[]).includes(task)) {
        const p = plans[c.id][task as Model]!;
        const tj: TrainJob = { task: 'train', model: task as Model, epochs: p.epochs, maxBatches: p.maxBatches, batchSize: 256, lr: 0.1, seed: rep, inferPasses: task === 'lenet' && p.maxBatches > 0 ? 1 : QUICK ? 2 : 3, dataDir: DATA_DIR };
        job = tj;
      } else {
        console.error(`unknown task ${task} (expected recipe, mlp, lenet, gemm)`);
        process.exit(2);
      }
      if (c.command(job) === null) continue; // this contestant has no such task
      const tag = `${c.id} ${task} rep ${rep}/${REPS}`;
      console.log(`  ▶ ${tag}`);
      const r = await runChild(c, job, tag);
      if (r.error !== undefined) console.log(`  ✗ ${tag}: ${r.error}`);
      else console.log(`  ✓ ${tag} (${r.wallSeconds.toFixed(1)} s)`);
      records.push({ contestant: c.id, task: task as RunRecord['task'], rep, result: r.result, error: r.error, wallSeconds: r.wallSeconds });
    }
  }
}

const finished = new Date();
info['Load average at end'] = os.loadavg().map((x) => x.toFixed(2)).join(' ');
info.Duration = `${((finished.getTime() - started.getTime()) / 60000).toFixed(1)} min (${started.toISOString()} → ${finished.toISOString()})`;
const report: RunReport = {
  mode: QUICK ? 'quick' : EPOCHS_ALL !== undefined ? `custom (${EPOCHS_ALL} epochs)` : 'full',
  reps: REPS, machine: info, notes: setupNotes, contestants: contestants.map(({ id, label, group }) => ({ id, label, group })),
  plans, gemmShapes: GEMM_SHAPES.map((s) => s.name), records,
};
mkdirSync(OUT, { recursive: true });
const stamp = started.toISOString().replace(/[:]/g, '-').replace(/\..*/, '');
const base = path.join(OUT, `${stamp}-${QUICK ? 'quick' : 'full'}`);
const md = renderMarkdown(report, `${path.basename(base)}.svg`);
writeFileSync(`${base}.json`, JSON.stringify(report, null, 1));
writeFileSync(`${base}.md`, md);
writeFileSync(`${base}.svg`, renderSvg(report));
console.log(`\n${md}`);
console.log(`written: ${path.relative(ROOT, base)}.{md,svg,json}`);
