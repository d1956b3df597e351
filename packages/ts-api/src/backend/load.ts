/**
 * Loads softmax_core.wasm. In Node synchronously, from the file next to the package (readFileSync +
 * `new WebAssembly.Module`): the entry modules then need no top-level await, so `require('softmax-nn')`
 * works (require(esm), Node ≥ 20.19). In browsers and workers asynchronously, with fetch +
 * `WebAssembly.compileStreaming`; the browser entries (../browser.ts, ./browser.ts) await it.
 * The URLs are written literally as `new URL('../../wasm/softmax_core….wasm', import.meta.url)` so that
 * bundlers (Vite) pick the files up; they resolve to the same files from src/backend/*.ts and from
 * dist/backend/*.js.
 *
 * Two builds: where SharedArrayBuffer can be shared with workers (Node; cross-origin isolated pages),
 * the threads build, softmax_core_threads.wasm, on a shared memory that fit's workers join
 * (joinBackend) — so that they read the caller's parameters and batches, and the caller their
 * gradients, without copies; elsewhere the plain build, which owns its memory. Same kernels, same
 * results. SOFTMAX_THREADS=0 (Node) picks the plain build.
 */

import { isNode } from '../runtime.js';

/** A raw wasm export: integer addresses / sizes and f32 scalars in, a u32 status (or a value) out. */
export type RawFn = (...args: number[]) => number;

/** The raw exports by name (`gemm_f32`, `alloc`, …). Internal to backend/ and its tests. */
export type RawExports = Readonly<Record<string, RawFn>>;

interface Loaded {
  readonly instance: WebAssembly.Instance;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly fns: RawExports;
  /** The threads build (a shared memory other threads can join). */
  readonly threads: boolean;
}

/**
 * Pages (64 KiB) of the threads build's shared memory, which is created here: 2 MiB to start, growing
 * up to a maximum that is reserved as address space up front — 4 GiB (all a 32-bit wasm memory can
 * address) where the engine grants it, else the first smaller size it does (phones, 32-bit browsers).
 */
const SHARED_INITIAL_PAGES = 32;
const SHARED_MAX_PAGES = [65536, 16384, 4096];

function sharedMemory(): WebAssembly.Memory {
  let last: unknown;
  for (const maximum of SHARED_MAX_PAGES) {
    try {
      return new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum, shared: true });
    } catch (e) {
      last = e; // RangeError: this much address space cannot be reserved
    }
  }
  throw new Error(`softmax-nn: could not create a shared wasm memory: ${(last as Error).message}`);
}

/** What a worker needs to run its own instance on this thread's memory (see joinBackend). */
export interface SharedBackend {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
}

let loaded: Loaded | null = null;
let loading: Promise<void> | null = null;

const BUILD_HINT = 'run `bash scripts/build-wasm.sh` (from the repository root) to build it';


function nodeEnv(name: string): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env?.[name];
}

function nodeOverride(): string | undefined {
  return nodeEnv('SOFTMAX_WASM');
}

/** True where SharedArrayBuffer can be posted to workers: always in Node, in browsers when cross-origin isolated. */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics === 'undefined') return false;
  return isNode || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** True where the threads build is loaded: shared memory can be handed to workers and SOFTMAX_THREADS is not 0. */
function threadsBuildWanted(): boolean {
  return sharedMemoryAvailable() && nodeEnv('SOFTMAX_THREADS') !== '0';
}

/** The minimum Node (package.json engines.node): require(esm) by default; before 20.16 no process.getBuiltinModule either. */
const MIN_NODE = '20.19';

/** node:fs, synchronously and without a static import (which browser bundlers would try to resolve). */
function nodeFs(): typeof import('node:fs') {
  const p = (globalThis as { process?: { version?: string; getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof p?.getBuiltinModule !== 'function') {
    throw new Error(`softmax-nn needs Node.js >= ${MIN_NODE} (this is ${p?.version ?? 'an unknown version'})`);
  }
  return p.getBuiltinModule('node:fs') as typeof import('node:fs');
}

function readInNode(url: URL): Uint8Array {
  const override = nodeOverride();
  const where = override ?? url;
  try {
    return nodeFs().readFileSync(where);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === undefined) throw e; // not an I/O error: the Node version check above
    const path = override ?? decodeURIComponent(url.pathname);
    const file = path.slice(path.lastIndexOf('/') + 1);
    if (code === 'ENOENT') throw new Error(`${file} not found at ${path}; ${BUILD_HINT}`);
    throw new Error(`${file} could not be read at ${path}: ${(e as Error).message}`);
  }
}

async function compileInBrowser(url: URL): Promise<WebAssembly.Module> {
  const file = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`${file} could not be fetched from ${url.href}: ${(e as Error).message}`);
  }
  if (!res.ok) {
    throw new Error(`${file} not found at ${url.href} (HTTP ${res.status}); ${BUILD_HINT}`);
  }
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(res.clone());
    } catch {
      // Wrong Content-Type (not application/wasm) and similar: fall back to the bytes.
    }
  }
  return WebAssembly.compile(await res.arrayBuffer());
}

/** True when the module imports its memory (the threads build). */
function importsMemory(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
}

function adopt(module: WebAssembly.Module, instance: WebAssembly.Instance, imported: WebAssembly.Memory | null): Loaded {
  const ex = instance.exports;
  const memory = imported ?? ex.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error('softmax_core.wasm does not export its memory; rebuild it with scripts/build-wasm.sh');
  }
  const fns: Record<string, RawFn> = {};
  for (const [name, v] of Object.entries(ex)) {
    if (typeof v === 'function') fns[name] = v as RawFn;
  }
  for (const required of ['alloc', 'free', 'status_detail_index', 'status_detail_value']) {
    if (!(required in fns)) {
      throw new Error(`softmax_core.wasm lacks the export '${required}'; it is stale or not softmax-core — ${BUILD_HINT}`);
    }
  }
  return { instance, module, memory, fns, threads: imported !== null };
}

/** The imports either build needs: the threads build a new shared memory, the plain one nothing. */
function importsFor(module: WebAssembly.Module): { imports: WebAssembly.Imports; memory: WebAssembly.Memory | null } {
  if (!importsMemory(module)) return { imports: {}, memory: null };
  const memory = sharedMemory();
  return { imports: { env: { memory } }, memory };
}

type Source = BufferSource | WebAssembly.Module | URL | string;

/** The build to load when no source is given: SOFTMAX_WASM (Node) replaces the plain build's path. */
function defaultUrl(): URL {
  return nodeOverride() === undefined && threadsBuildWanted()
    ? new URL('../../wasm/softmax_core_threads.wasm', import.meta.url)
    : new URL('../../wasm/softmax_core.wasm', import.meta.url);
}

/** A file URL (Node) or null: what loadBackend fetches instead. */
function sourceUrl(source: Source | undefined): URL | null {
  if (source === undefined) return defaultUrl();
  return source instanceof URL || typeof source === 'string' ? new URL(String(source), import.meta.url) : null;
}

/**
 * Loads and instantiates the core now, synchronously — what the package's Node entry does on import.
 * Takes a file (Node), bytes or a compiled module; in browsers use `await loadBackend()`. Does nothing
 * when the core is loaded already.
 */
export function loadBackendSync(source?: Source): void {
  if (loaded) return;
  if (loading) throw new Error('loadBackendSync: an asynchronous loadBackend() is in progress');
  let module: WebAssembly.Module;
  const url = sourceUrl(source);
  if (url === null) {
    module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source as BufferSource);
  } else if (isNode && url.protocol === 'file:') {
    module = new WebAssembly.Module(readInNode(url) as BufferSource);
  } else {
    throw new Error(`loadBackendSync: ${url.href} is not a file in Node; use \`await loadBackend()\``);
  }
  const { imports, memory } = importsFor(module);
  loaded = adopt(module, new WebAssembly.Instance(module, imports), memory);
  loading = Promise.resolve();
}

/**
 * Loads and instantiates the core once (later calls return the same promise). `source` overrides where
 * the module comes from: its bytes, a compiled `WebAssembly.Module`, or a URL (either build).
 * In Node the environment variable `SOFTMAX_WASM` (a file path) overrides the default location too.
 */
export function loadBackend(source?: Source): Promise<void> {
  if (loaded) return Promise.resolve();
  if (loading) return loading;
  loading = (async () => {
    let module: WebAssembly.Module;
    const url = sourceUrl(source);
    if (url === null) {
      module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source as BufferSource);
    } else if (isNode && url.protocol === 'file:') {
      module = new WebAssembly.Module(readInNode(url) as BufferSource);
    } else {
      module = await compileInBrowser(url);
    }
    const { imports, memory } = importsFor(module);
    loaded = adopt(module, await WebAssembly.instantiate(module, imports), memory);
  })();
  loading.catch(() => {
    loading = null; // allow a retry after the file has been built
  });
  return loading;
}

/** Bytes of stack a joining thread's instance runs on. */
export const JOIN_STACK_BYTES = 1 << 20;

/**
 * In a worker, instead of loadBackend: runs an instance of the caller's threads build on the caller's
 * memory, on the stack [stackLow, stackLow + JOIN_STACK_BYTES) that the caller allocated for this
 * thread (and frees after it ended, with thread_unregister(slot)). Returns this thread's slot.
 */
export async function joinBackend(shared: SharedBackend, stackLow: number): Promise<number> {
  if (loaded !== null || loading !== null) throw new Error('joinBackend: this thread has loaded a backend already');
  const instance = await WebAssembly.instantiate(shared.module, { env: { memory: shared.memory } });
  const sp = instance.exports.__stack_pointer;
  if (!(sp instanceof WebAssembly.Global)) throw new Error('joinBackend: the module is not the threads build (no __stack_pointer export)');
  sp.value = stackLow + JOIN_STACK_BYTES; // before any call: the stack grows down from here
  const l = adopt(shared.module, instance, shared.memory);
  const slot = l.fns.thread_register(stackLow, stackLow + JOIN_STACK_BYTES);
  if (slot === 0) throw new Error(`joinBackend: no free thread slot (the threads build tells ${l.fns.thread_slots()} threads apart)`);
  loaded = l;
  loading = Promise.resolve();
  return slot;
}

/** The caller's module and shared memory for workers to join, or null (plain build). */
export function sharedBackend(): SharedBackend | null {
  const l = need();
  return l.threads ? { module: l.module, memory: l.memory } : null;
}

/** How many threads can run on the loaded backend's memory (this one included): 16 for the threads build, 1 for the plain one. */
export function threadSlots(): number {
  return need().fns.thread_slots();
}

function need(): Loaded {
  if (loaded === null) {
    throw new Error('softmax backend is not loaded yet: `await loadBackend()` (backend/index.ts does it on import)');
  }
  return loaded;
}

/** True once the module is instantiated. */
export function backendLoaded(): boolean {
  return loaded !== null;
}

/** The raw exports (internal: for backend/ and its tests — not re-exported from the package root). */
export function rawExports(): RawExports {
  return need().fns;
}

/** The wasm linear memory (its `.buffer` changes when it grows). */
export function wasmMemory(): WebAssembly.Memory {
  return need().memory;
}
