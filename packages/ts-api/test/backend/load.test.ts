import { describe, expect, it, vi } from 'vitest';
import { backendMemory, kernels, reference, storageFrom, allocStorage } from '../../src/backend/index.js';
import { backendLoaded, loadBackend, loadBackendSync, rawExports, wasmMemory } from '../../src/backend/load.js';
import { PARAMS } from '../../src/backend/call.js';

/** Runs `fn` with environment variable `name` set to `value`, then puts back what was there. */
async function withEnv<T>(name: string, value: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  process.env[name] = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

describe('loading softmax_core.wasm in Node', () => {
  it('instantiates on import, synchronously (no top-level await), and exposes memory', async () => {
    expect(backendLoaded()).toBe(true);
    await loadBackend(); // idempotent
    loadBackendSync(); // so is this
    expect(wasmMemory()).toBeInstanceOf(WebAssembly.Memory);
    expect(backendMemory().wasmBytes).toBe(wasmMemory().buffer.byteLength);
  });

  it('has every export the binding knows (and the fast/ref pairs)', () => {
    const raw = rawExports();
    for (const name of Object.keys(PARAMS)) expect(typeof raw[name], name).toBe('function');
    for (const name of ['gemm_f32', 'softmax_f32', 'cross_entropy_f32', 'relu_f32', 'sgd_step_f32', 'adam_step_f32', 'sum_axis_f32', 'expand_f32', 'confusion_i32']) {
      expect(typeof raw[`${name}_ref`], `${name}_ref`).toBe('function');
    }
    // nothing but functions and the memory: no stray globals that hint at a non-release build
    expect(Object.keys(raw)).toContain('status_detail_index');
  });

  it('runs a kernel end to end, fast and reference', () => {
    const a = storageFrom(new Float32Array([1, 2, 3, 4, 5, 6])); // 2×3
    const b = storageFrom(new Float32Array([1, 0, 0, 1, 1, 1])); // 3×2
    for (const k of [kernels, reference]) {
      const c = allocStorage('float32', 4);
      k.gemm(false, false, 2, 2, 3, 1, a, b, 0, c);
      expect(Array.from(c.f32())).toEqual([4, 5, 10, 11]);
      c.dispose();
    }
    a.dispose();
    b.dispose();
  });

  it('a missing file gives the build hint', async () => {
    vi.resetModules();
    try {
      await withEnv('SOFTMAX_WASM', '/nonexistent/softmax_core.wasm', async () => {
        const fresh = await import('../../src/backend/load.js');
        await expect(fresh.loadBackend()).rejects.toThrow(
          'softmax_core.wasm not found at /nonexistent/softmax_core.wasm; run `bash scripts/build-wasm.sh`',
        );
      });
    } finally {
      vi.resetModules();
    }
  });

  it('loadBackendSync loads either build from the file, from bytes or from a compiled module', async () => {
    const fs = await import('node:fs');
    for (const [setting, shared] of [['0', false], ['1', true]] as const) {
      vi.resetModules();
      await withEnv('SOFTMAX_THREADS', setting, async () => {
        const fresh = await import('../../src/backend/load.js');
        expect(fresh.backendLoaded()).toBe(false);
        fresh.loadBackendSync();
        expect(fresh.backendLoaded()).toBe(true);
        expect(fresh.wasmMemory().buffer instanceof SharedArrayBuffer, `SOFTMAX_THREADS=${setting}`).toBe(shared);
        expect(fresh.threadSlots()).toBe(shared ? 16 : 1);
        await fresh.loadBackend(); // resolves at once: loaded already
      });
    }
    const bytes = fs.readFileSync(new URL('../../wasm/softmax_core.wasm', import.meta.url));
    for (const source of [new Uint8Array(bytes), new WebAssembly.Module(bytes)]) {
      vi.resetModules();
      const fresh = await import('../../src/backend/load.js');
      fresh.loadBackendSync(source);
      expect(fresh.threadSlots()).toBe(1);
    }
    vi.resetModules();
  });

  it('loadBackendSync: a missing file gives the build hint, and an http URL says to await loadBackend()', async () => {
    vi.resetModules();
    try {
      const fresh = await import('../../src/backend/load.js');
      await withEnv('SOFTMAX_WASM', '/nonexistent/softmax_core.wasm', async () => {
        expect(() => fresh.loadBackendSync()).toThrow('softmax_core.wasm not found at /nonexistent/softmax_core.wasm; run `bash scripts/build-wasm.sh`');
      });
      expect(() => fresh.loadBackendSync('https://example.com/softmax_core.wasm')).toThrow(
        'loadBackendSync: https://example.com/softmax_core.wasm is not a file in Node; use `await loadBackend()`',
      );
      expect(fresh.backendLoaded()).toBe(false);
    } finally {
      vi.resetModules();
    }
  });

  it('a Node without process.getBuiltinModule (older than 20.19) is told the minimum version', async () => {
    vi.resetModules();
    const saved = process.getBuiltinModule;
    try {
      const fresh = await import('../../src/backend/load.js');
      (process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
      expect(() => fresh.loadBackendSync()).toThrow(`softmax-nn needs Node.js >= 20.19 (this is ${process.version})`);
    } finally {
      process.getBuiltinModule = saved;
      vi.resetModules();
    }
  });

  it('loads from bytes too (the path a bundler or worker can take)', async () => {
    vi.resetModules();
    const fresh = await import('../../src/backend/load.js');
    const fs = await import('node:fs/promises');
    const bytes = await fs.readFile(new URL('../../wasm/softmax_core.wasm', import.meta.url));
    await fresh.loadBackend(new Uint8Array(bytes));
    expect(typeof fresh.rawExports().gemm_f32).toBe('function');
    vi.resetModules();
  });

  it('Node loads the threads build (a shared memory workers can join); SOFTMAX_THREADS=0 the plain one', async () => {
    const expectShared = process.env.SOFTMAX_THREADS !== '0';
    expect(wasmMemory().buffer instanceof SharedArrayBuffer).toBe(expectShared);
    vi.resetModules();
    try {
      for (const [setting, shared] of [['0', false], ['1', true]] as const) {
        await withEnv('SOFTMAX_THREADS', setting, async () => {
          const fresh = await import('../../src/backend/load.js');
          await fresh.loadBackend();
          expect(fresh.wasmMemory().buffer instanceof SharedArrayBuffer, `SOFTMAX_THREADS=${setting}`).toBe(shared);
          expect(fresh.sharedBackend() !== null).toBe(shared);
          expect('thread_register' in fresh.rawExports()).toBe(true);
          expect(fresh.threadSlots()).toBe(shared ? 16 : 1);
        });
        vi.resetModules();
      }
    } finally {
      vi.resetModules();
    }
  });

  it('joinBackend refuses a thread that has its own backend, and a module that is not the threads build', async () => {
    vi.resetModules();
    const loadedHere = await import('../../src/backend/load.js');
    await withEnv('SOFTMAX_THREADS', '1', () => loadedHere.loadBackend());
    const shared = loadedHere.sharedBackend();
    expect(shared).not.toBeNull();
    await expect(loadedHere.joinBackend(shared!, 1 << 20)).rejects.toThrow('joinBackend: this thread has loaded a backend already');
    vi.resetModules();
    const fresh = await import('../../src/backend/load.js');
    const fs = await import('node:fs/promises');
    const plain = await WebAssembly.compile(await fs.readFile(new URL('../../wasm/softmax_core.wasm', import.meta.url)));
    const memory = new WebAssembly.Memory({ initial: 32, maximum: 64, shared: true });
    await expect(fresh.joinBackend({ module: plain, memory }, 1 << 20)).rejects.toThrow('joinBackend: the module is not the threads build (no __stack_pointer export)');
    vi.resetModules();
  });

  it('joinBackend refuses a 17th thread on one memory, saying how many the build tells apart', async () => {
    vi.resetModules();
    const fresh = await import('../../src/backend/load.js');
    const fs = await import('node:fs/promises');
    const threads = await WebAssembly.compile(await fs.readFile(new URL('../../wasm/softmax_core_threads.wasm', import.meta.url)));
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true });
    const first = new WebAssembly.Instance(threads, { env: { memory } }).exports as unknown as { thread_register(low: number, high: number): number };
    for (let i = 1; i < 16; i++) expect(first.thread_register(0x200000 + i * 0x1000, 0x201000 + i * 0x1000)).toBe(i);
    await expect(fresh.joinBackend({ module: threads, memory }, 0x300000)).rejects.toThrow('joinBackend: no free thread slot (the threads build tells 16 threads apart)');
    vi.resetModules();
  });
});
