import { describe, expect, it } from 'vitest';
import { allocStorage, backendMemory, KernelError, kernels, storageFrom, type Storage } from '../../src/backend/index.js';
import { rawExports, sharedBackend, wasmMemory } from '../../src/backend/load.js';

describe('Storage and allocation', () => {
  it('accounts for alloc and dispose (idempotent)', () => {
    const before = backendMemory();
    const a = allocStorage('float32', 100);
    const b = allocStorage('int32', 7);
    const c = allocStorage('uint8', 5);
    expect(a.byteLength).toBe(400);
    expect(c.byteLength).toBe(5);
    let now = backendMemory();
    expect(now.buffers - before.buffers).toBe(3);
    expect(now.bytes - before.bytes).toBe(400 + 28 + 5);
    a.dispose();
    a.dispose();
    expect(a.disposed).toBe(true);
    now = backendMemory();
    expect(now.buffers - before.buffers).toBe(2);
    expect(now.bytes - before.bytes).toBe(28 + 5);
    b.dispose();
    c.dispose();
    expect(backendMemory().buffers).toBe(before.buffers);
    expect(backendMemory().bytes).toBe(before.bytes);
  });

  it('reuses freed memory: a loop of alloc/dispose does not grow the wasm memory', () => {
    const warm = allocStorage('float32', 256 * 784);
    warm.dispose();
    const start = backendMemory().wasmBytes;
    for (let i = 0; i < 200; i++) allocStorage('float32', 256 * 784).dispose();
    expect(backendMemory().wasmBytes).toBe(start);
  });

  it('zero-length storages work and have distinct, valid pointers', () => {
    const a = allocStorage('float32', 0);
    const b = allocStorage('int32', 0);
    expect(a.length).toBe(0);
    expect(a.byteLength).toBe(0);
    expect(a.f32().length).toBe(0);
    expect(b.i32().length).toBe(0);
    const y = allocStorage('float32', 0);
    kernels.relu(a, y); // a real kernel call on empty buffers
    expect(kernels.sum(a)).toBe(0);
    a.dispose();
    b.dispose();
    y.dispose();
  });

  it('raw alloc(0) is non-null and 16-byte aligned; impossible sizes give 0', () => {
    const raw = rawExports();
    const p = raw.alloc(0) >>> 0;
    const q = raw.alloc(0) >>> 0;
    expect(p).not.toBe(0);
    expect(p % 16).toBe(0);
    expect(q).not.toBe(p);
    raw.free(p, 0);
    raw.free(q, 0);
    const r = raw.alloc(33) >>> 0;
    expect(r % 16).toBe(0);
    raw.free(r, 33);
    expect(raw.alloc(0xffff_fff0) >>> 0).toBe(0);
    expect(raw.free(0, 12)).toBe(0);
  });

  it('views stay valid after memory growth (f32() re-creates the view)', () => {
    const s = storageFrom(new Float32Array([1.5, -2, 3.25, 4]));
    const i = storageFrom(new Int32Array([7, -8, 9]));
    const u = storageFrom(new Uint8Array([1, 2, 255]));
    const oldView = s.f32();
    const oldBuffer = wasmMemory().buffer;
    const big = allocStorage('float32', 64 * 1024 * 1024 / 4 + 123); // 64 MiB: forces memory.grow
    expect(wasmMemory().buffer).not.toBe(oldBuffer);
    // The plain build's old ArrayBuffer is detached by the growth; the threads build's SharedArrayBuffer
    // cannot be detached (other threads may hold it): it keeps its old length, a new one covers the rest.
    expect(oldView.length).toBe(sharedBackend() === null ? 0 : 4);
    expect(wasmMemory().buffer.byteLength).toBeGreaterThan(oldBuffer.byteLength);
    expect(Array.from(s.f32())).toEqual([1.5, -2, 3.25, 4]);
    expect(Array.from(i.i32())).toEqual([7, -8, 9]);
    expect(Array.from(u.u8())).toEqual([1, 2, 255]);
    // and writing through the fresh view is seen by kernels
    s.f32()[0] = 10;
    expect(kernels.sum(s)).toBeCloseTo(10 - 2 + 3.25 + 4);
    for (const x of [s, i, u, big]) x.dispose();
  });

  it('zero option clears recycled memory', () => {
    const a = storageFrom(new Float32Array(1000).fill(7));
    a.dispose();
    const b = allocStorage('float32', 1000, { zero: true });
    expect(b.f32().every((v) => v === 0)).toBe(true);
    b.dispose();
  });

  it('views refuse a disposed storage or the wrong dtype, with a message', () => {
    const s = allocStorage('float32', 3);
    expect(() => s.i32()).toThrow(/i32\(\) needs a int32 Storage, this one is float32/);
    s.dispose();
    expect(() => s.f32()).toThrow(/disposed/);
    expect(() => allocStorage('float32', -1)).toThrow(/non-negative integer, got -1/);
    expect(() => allocStorage('float32', 1.5)).toThrow(KernelError);
    expect(() => allocStorage('float32', 2 ** 30)).toThrow(/more than a 32-bit wasm memory can hold/);
  });

  it('storageFrom copies and infers the dtype', () => {
    const src = new Int32Array([1, 2, 3]);
    const s: Storage = storageFrom(src);
    src[0] = 99;
    expect(s.dtype).toBe('int32');
    expect(Array.from(s.i32())).toEqual([1, 2, 3]);
    s.dispose();
  });

  it('the FinalizationRegistry frees storages nobody disposed (child process with --expose-gc)', async () => {
    const { execFile } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const script = fileURLToPath(new URL('./fixtures/finalization.ts', import.meta.url));
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--expose-gc', '--import', 'tsx', script], { cwd }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<'before' | 'leaked' | 'after', { buffers: number; bytes: number }>;
    expect(r.leaked.buffers - r.before.buffers).toBe(50);
    expect(r.leaked.bytes - r.before.bytes).toBe(50 * 40_000);
    expect(r.after.buffers).toBe(r.before.buffers);
    expect(r.after.bytes).toBe(r.before.bytes);
  });
});
