// The threads build (softmax_core_threads.wasm, crates/softmax-core/src/threads.rs): three threads —
// this one and two workers — each run an instance of it on ONE shared memory, at the same time, and get
// what the plain build gives each of them alone: gemm (per-thread packing buffers) at odd and round
// sizes, the generator (per-thread state), the failure details of a bad call (per-thread), and memory
// taken and given back all the while (one allocator, behind a lock). Plus the stack registry's slots.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const wasmDir = new URL('../../wasm/', import.meta.url);
const threadsModule = new WebAssembly.Module(readFileSync(new URL('softmax_core_threads.wasm', wasmDir)));
const plainModule = new WebAssembly.Module(readFileSync(new URL('softmax_core.wasm', wasmDir)));

interface Exports {
  alloc(bytes: number): number;
  free(ptr: number, bytes: number): number;
  gemm_f32(ta: number, tb: number, m: number, n: number, k: number, alpha: number, a: number, b: number, beta: number, c: number): number;
  rng_seed(lo: number, hi: number): number;
  rng_uniform_f32(y: number, n: number, low: number, high: number): number;
  cross_entropy_f32(logits: number, labels: number, rows: number, classes: number, smoothing: number, reduction: number, loss: number): number;
  status_detail_index(): number;
  status_detail_value(): number;
  thread_register(low: number, high: number): number;
  thread_slots(): number;
  thread_unregister(slot: number): number;
  __stack_pointer: WebAssembly.Global;
}

// The workload, as source: run by the workers (eval'd) and by this thread. `id` makes every thread's
// numbers different; each result is compared bit for bit with the plain build in a memory of its own.
const WORKLOAD = `
function workload(shared, sharedMemory, plain, id, rounds) {
  const sizes = [[1, 1, 1], [3, 17, 5], [17, 33, 257], [64, 256, 784], [255, 10, 3], [128, 257, 64]];
  let mismatches = 0;
  const notes = [];
  const fill = (mem, ptr, n, seed) => { const f = new Float32Array(mem.buffer, ptr, n); for (let i = 0; i < n; i++) f[i] = (((i * 2654435761 + seed * 40503) >>> 0) % 1000) / 500 - 1; };
  const read = (mem, ptr, n) => new Float32Array(mem.buffer, ptr, n).slice();
  const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  for (let r = 0; r < rounds; r++) {
    const [m, n, k] = sizes[(r + id) % sizes.length];
    const seed = id * 1000 + r;
    const results = [];
    for (const [ex, mem] of [[shared, sharedMemory], [plain, plain.memory]]) {
      const a = ex.alloc(m * k * 4), b = ex.alloc(k * n * 4), c = ex.alloc(m * n * 4), u = ex.alloc(37 * 4);
      fill(mem, a, m * k, seed); fill(mem, b, k * n, seed + 1);
      const s1 = ex.gemm_f32(r % 2, 0, m, n, k, 1, a, b, 0, c);
      ex.rng_seed(seed, id);
      const s2 = ex.rng_uniform_f32(u, 37, -1, 1);
      // A bad label at row (r % 3) of 3: status 4 with that row and label, per thread.
      const logits = ex.alloc(3 * 4 * 4), labels = ex.alloc(3 * 4), loss = ex.alloc(3 * 4);
      new Int32Array(mem.buffer, labels, 3).set([0, 1, 2]);
      new Int32Array(mem.buffer, labels, 3)[r % 3] = 40 + id;
      const s3 = ex.cross_entropy_f32(logits, labels, 3, 4, 0, 0, loss);
      const detail = [ex.status_detail_index(), ex.status_detail_value()];
      results.push({ c: read(mem, c, m * n), u: read(mem, u, 37), status: [s1, s2, s3], detail });
      for (const [p, bytes] of [[a, m * k * 4], [b, k * n * 4], [c, m * n * 4], [u, 37 * 4], [logits, 48], [labels, 12], [loss, 12]]) ex.free(p, bytes);
    }
    const [got, want] = results;
    if (!same(got.c, want.c) || !same(got.u, want.u) || got.status.join() !== want.status.join() || got.detail.join() !== want.detail.join()) {
      mismatches++;
      if (notes.length < 3) notes.push({ round: r, m, n, k, status: got.status, detail: got.detail, wantDetail: want.detail });
    }
  }
  return { mismatches, notes };
}
`;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
${WORKLOAD}
const { threadsModule, plainModule, memory, low, high, id, rounds, start } = workerData;
const shared = new WebAssembly.Instance(threadsModule, { env: { memory } }).exports;
shared.__stack_pointer.value = high; // before any call: this instance's own stack
const slot = shared.thread_register(low, high);
const plain = new WebAssembly.Instance(plainModule, {}).exports;
const flag = new Int32Array(start);
Atomics.add(flag, 0, 1);
while (Atomics.load(flag, 0) < 3) {} // all three threads start together
const result = workload(shared, memory, plain, id, rounds);
parentPort.postMessage({ slot, ...result });
`;

const workload = new Function(`${WORKLOAD}; return workload;`)() as (
  shared: Exports, memory: WebAssembly.Memory, plain: Exports, id: number, rounds: number,
) => { mismatches: number; notes: unknown[] };

describe('the threads build: several threads on one wasm memory', () => {
  it('three threads at once get, each, what the plain build gives them alone', async () => {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 16384, shared: true });
    const main = new WebAssembly.Instance(threadsModule, { env: { memory } }).exports as unknown as Exports;
    const plain = new WebAssembly.Instance(plainModule, {}).exports as unknown as Exports;
    const STACK = 256 * 1024;
    const stacks = [main.alloc(STACK), main.alloc(STACK)];
    const start = new SharedArrayBuffer(4);
    const rounds = 400;
    const workers = stacks.map((low, i) => new Worker(WORKER, {
      eval: true,
      workerData: { threadsModule, plainModule, memory, low, high: low + STACK, id: i + 1, rounds, start },
    }));
    try {
      const replies = workers.map((w) => new Promise<{ slot: number; mismatches: number; notes: unknown[] }>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      }));
      const flag = new Int32Array(start);
      Atomics.add(flag, 0, 1);
      const deadline = performance.now() + 30_000;
      while (Atomics.load(flag, 0) < 3) {
        if (performance.now() > deadline) throw new Error('the workers did not start within 30 s');
      }
      const mine = workload(main, memory, plain, 0, rounds);
      const theirs = await Promise.all(replies);
      expect(mine).toEqual({ mismatches: 0, notes: [] });
      for (const t of theirs) expect({ mismatches: t.mismatches, notes: t.notes }).toEqual({ mismatches: 0, notes: [] });
      expect(theirs.map((t) => t.slot).sort()).toEqual([1, 2]);
      // Ended threads give their slots back; a freed slot is handed out again.
      for (const t of theirs) expect(main.thread_unregister(t.slot)).toBe(0);
      expect(main.thread_unregister(1)).toBe(5);
      expect(main.thread_register(stacks[0], stacks[0] + STACK)).toBe(1);
      expect(main.thread_unregister(1)).toBe(0);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });

  it('slots: 15 threads besides the first; an empty range or a full table gives 0; the plain build has none', () => {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true });
    const ex = new WebAssembly.Instance(threadsModule, { env: { memory } }).exports as unknown as Exports;
    expect(ex.thread_slots()).toBe(16);
    const got = Array.from({ length: 16 }, (_, i) => ex.thread_register(0x200000 + i * 0x1000, 0x201000 + i * 0x1000));
    expect(got).toEqual([...Array.from({ length: 15 }, (_, i) => i + 1), 0]);
    expect(ex.thread_register(0x300000, 0x300000)).toBe(0);
    expect(ex.thread_register(0, 0x1000)).toBe(0);
    expect(ex.thread_unregister(0)).toBe(5);
    expect(ex.thread_unregister(16)).toBe(5);
    // a freed slot is taken again
    expect(ex.thread_unregister(9)).toBe(0);
    expect(ex.thread_register(0x400000, 0x401000)).toBe(9);
    const plain = new WebAssembly.Instance(plainModule, {}).exports as unknown as Exports;
    expect(plain.thread_slots()).toBe(1);
    expect(plain.thread_register(0x200000, 0x201000)).toBe(0);
    expect(plain.thread_unregister(1)).toBe(5);
  });
});
