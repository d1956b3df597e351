/**
 * Loads softmax_core.wasm — in Node from the file next to the package, in browsers and workers with
 * fetch + `WebAssembly.instantiateStreaming`. The URL is written literally as
 * `new URL('../../wasm/softmax_core.wasm', import.meta.url)` so that bundlers (Vite) pick the file up;
 * it resolves to the same file from src/backend/*.ts and from dist/backend/*.js.
 */

/** A raw wasm export: integer addresses / sizes and f32 scalars in, a u32 status (or a value) out. */
export type RawFn = (...args: number[]) => number;

/** The raw exports by name (`gemm_f32`, `alloc`, …). Internal to backend/ and its tests. */
export type RawExports = Readonly<Record<string, RawFn>>;

interface Loaded {
  readonly instance: WebAssembly.Instance;
  readonly memory: WebAssembly.Memory;
  readonly fns: RawExports;
}

let loaded: Loaded | null = null;
let loading: Promise<void> | null = null;

const BUILD_HINT = 'run `bash scripts/build-wasm.sh` (from the repository root) to build it';

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function nodeOverride(): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env?.SOFTMAX_WASM;
}

async function readInNode(url: URL): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  const override = nodeOverride();
  const where = override ?? url;
  try {
    return await fs.readFile(where);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const path = override ?? decodeURIComponent(url.pathname);
    if (code === 'ENOENT') throw new Error(`softmax_core.wasm not found at ${path}; ${BUILD_HINT}`);
    throw new Error(`softmax_core.wasm could not be read at ${path}: ${(e as Error).message}`);
  }
}

async function instantiateInBrowser(url: URL): Promise<WebAssembly.Instance> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`softmax_core.wasm could not be fetched from ${url.href}: ${(e as Error).message}`);
  }
  if (!res.ok) {
    throw new Error(`softmax_core.wasm not found at ${url.href} (HTTP ${res.status}); ${BUILD_HINT}`);
  }
  if (typeof WebAssembly.instantiateStreaming === 'function') {
    try {
      const { instance } = await WebAssembly.instantiateStreaming(res.clone(), {});
      return instance;
    } catch {
      // Wrong Content-Type (not application/wasm) and similar: fall back to the bytes.
    }
  }
  const { instance } = await WebAssembly.instantiate(await res.arrayBuffer(), {});
  return instance;
}

function adopt(instance: WebAssembly.Instance): Loaded {
  const ex = instance.exports;
  const memory = ex.memory;
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
  return { instance, memory, fns };
}

/**
 * Loads and instantiates the core once (later calls return the same promise). `source` overrides where
 * the module comes from: its bytes, a compiled `WebAssembly.Module`, or a URL.
 * In Node the environment variable `SOFTMAX_WASM` (a file path) overrides the default location too.
 */
export function loadBackend(source?: BufferSource | WebAssembly.Module | URL | string): Promise<void> {
  if (loaded) return Promise.resolve();
  if (loading) return loading;
  loading = (async () => {
    let instance: WebAssembly.Instance;
    if (source instanceof WebAssembly.Module) {
      instance = await WebAssembly.instantiate(source, {});
    } else if (source !== undefined && !(source instanceof URL) && typeof source !== 'string') {
      instance = (await WebAssembly.instantiate(source as BufferSource, {})).instance;
    } else {
      const url =
        source === undefined
          ? new URL('../../wasm/softmax_core.wasm', import.meta.url)
          : new URL(String(source), import.meta.url);
      if (isNode() && url.protocol === 'file:') {
        const bytes = await readInNode(url);
        instance = (await WebAssembly.instantiate(bytes as unknown as BufferSource, {})).instance;
      } else {
        instance = await instantiateInBrowser(url);
      }
    }
    loaded = adopt(instance);
  })();
  loading.catch(() => {
    loading = null; // allow a retry after the file has been built
  });
  return loading;
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
