import { describe, expect, it, vi } from 'vitest';
import { backendMemory, kernels, reference, storageFrom, allocStorage } from '../../src/backend/index.js';
import { backendLoaded, loadBackend, rawExports, wasmMemory } from '../../src/backend/load.js';
import { PARAMS } from '../../src/backend/call.js';

describe('loading softmax_core.wasm in Node', () => {
  it('instantiates on import (top-level await) and exposes memory', async () => {
    expect(backendLoaded()).toBe(true);
    await loadBackend(); // idempotent
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
    const saved = process.env.SOFTMAX_WASM;
    process.env.SOFTMAX_WASM = '/nonexistent/softmax_core.wasm';
    try {
      const fresh = await import('../../src/backend/load.js');
      await expect(fresh.loadBackend()).rejects.toThrow(
        'softmax_core.wasm not found at /nonexistent/softmax_core.wasm; run `bash scripts/build-wasm.sh`',
      );
    } finally {
      if (saved === undefined) delete process.env.SOFTMAX_WASM;
      else process.env.SOFTMAX_WASM = saved;
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
});
