// What differs between Node and browsers, in one place: which one this is, starting and talking to
// worker threads, and giving the event loop a turn during training cheaply.

/** True in Node (and its worker threads), false in browsers and Web Workers. */
export const isNode = typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';

interface NodeModules {
  'node:fs/promises': typeof import('node:fs/promises');
  'node:path': typeof import('node:path');
  'node:os': typeof import('node:os');
  'node:crypto': typeof import('node:crypto');
}

/**
 * Imports a Node built-in module at run time; throws a clear error outside Node. The specifier goes
 * through a variable so that a browser bundler neither resolves nor bundles it.
 */
export async function importNode<K extends keyof NodeModules>(specifier: K): Promise<NodeModules[K]> {
  if (!isNode) {
    throw new Error(`${specifier} is only available in Node.js; this code path needs a file system`);
  }
  const name: string = specifier;
  return (await import(/* @vite-ignore */ name)) as NodeModules[K];
}

// Variables, so that browser bundlers neither resolve nor bundle Node-only modules.
const NODE_MODULE = 'node:module';
const NODE_URL = 'node:url';

/**
 * What to start a Node worker_threads Worker with for the entry `entry` (a URL of a .js file next to
 * the caller's module, `here` = its import.meta.url). Running from the TypeScript sources (the tests,
 * tsx), the entry is .ts and Node 20 workers do not inherit `--import tsx`: the worker then starts
 * from a tiny script (run with `eval: true`) that registers tsx and imports the .ts entry.
 */
export async function nodeWorkerScript(entry: string, here: string): Promise<{ script: URL | string; eval: boolean }> {
  if (!here.endsWith('.ts')) return { script: new URL(entry, here), eval: false };
  const { createRequire } = (await import(/* @vite-ignore */ NODE_MODULE)) as typeof import('node:module');
  const { pathToFileURL } = (await import(/* @vite-ignore */ NODE_URL)) as typeof import('node:url');
  let tsx: string;
  try {
    // The ESM build of tsx's API (require.resolve finds the CommonJS one next to it).
    tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  } catch {
    throw new Error('softmax-nn: running from the TypeScript sources needs the tsx package (or build the package and use dist/)');
  }
  const ts = new URL(entry.replace(/\.js$/, '.ts'), here).href;
  return { script: `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(ts)}); })`, eval: true };
}

// Worker threads, the same to their users in Node (worker_threads) and browsers (Web Workers).

const WORKER_THREADS = 'node:worker_threads';

/** A started worker thread. */
export interface WorkerThread {
  post(message: unknown, transfer?: Transferable[]): void;
  onMessage(listener: (message: unknown) => void): void;
  /**
   * Calls `listener` when the worker is gone: with what it threw (`thrown`), or with an error saying
   * `<who> exited (code N)` / `<who> failed to start (…)` / `<who> sent a message that could not be deserialized`.
   */
  onDeath(listener: (error: Error, thrown: boolean) => void): void;
  terminate(): Promise<void>;
  /** The Node Worker or the Web Worker itself. */
  readonly raw: unknown;
}

interface NodeWorker {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(type: string, listener: (arg: never) => void): void;
  terminate(): Promise<number>;
}

/**
 * Starts a Node worker_threads Worker on `url`, or, without one, on the entry `entry` next to the
 * module `here` (its import.meta.url; from the sources through nodeWorkerScript). `who` names it in errors.
 */
export async function startNodeWorker(who: string, name: string, entry: string, here: string, url?: URL | string): Promise<WorkerThread> {
  const wt = (await import(/* @vite-ignore */ WORKER_THREADS)) as { Worker: new (u: URL | string, o: { name: string; eval: boolean }) => NodeWorker };
  const { script, eval: evalCode } = url !== undefined ? { script: url, eval: false } : await nodeWorkerScript(entry, here);
  const w = new wt.Worker(script, { name, eval: evalCode });
  return {
    raw: w,
    post: (m, t) => w.postMessage(m, t),
    onMessage: (l) => w.on('message', l as (m: never) => void),
    onDeath: (l) => {
      w.on('error', ((e: unknown) => l(e instanceof Error ? e : new Error(String(e)), true)) as (e: never) => void);
      w.on('exit', ((code: number) => l(new Error(`${who} exited (code ${code})`), false)) as (c: never) => void);
      w.on('messageerror', () => l(new Error(`${who} sent a message that could not be deserialized`), false));
    },
    terminate: async () => {
      await w.terminate();
    },
  };
}

/** A Web Worker as a WorkerThread (the caller writes `new Worker(new URL(…, import.meta.url))` literally, for bundlers). */
export function webWorkerThread(who: string, w: Worker): WorkerThread {
  return {
    raw: w,
    post: (m, t) => w.postMessage(m, t ?? []),
    onMessage: (l) => w.addEventListener('message', (ev: MessageEvent) => l(ev.data)),
    onDeath: (l) => {
      w.addEventListener('error', (ev) => {
        if (ev.error instanceof Error) l(ev.error, true);
        else l(new Error(ev.message || `${who} failed to start (its script or the wasm could not be loaded)`), ev.message !== '');
      });
      w.addEventListener('messageerror', () => l(new Error(`${who} sent a message that could not be deserialized`), false));
    },
    terminate: async () => w.terminate(),
  };
}

/** Inside a worker: the port to the thread that started it. */
export interface ParentPort {
  post(message: unknown, transfer?: Transferable[]): void;
  listen(listener: (message: unknown) => void): void;
  close(): void;
  /** Node's parentPort, or the worker's global scope. */
  readonly raw: unknown;
}

export async function parentPort(): Promise<ParentPort> {
  if (isNode) {
    const wt = (await import(/* @vite-ignore */ WORKER_THREADS)) as { parentPort: (NodeWorker & { close(): void }) | null };
    const port = wt.parentPort;
    if (port === null) throw new Error('softmax-nn: this worker script must be started as a worker (new Worker(...)), not imported');
    return { raw: port, post: (m, t) => port.postMessage(m, t), listen: (l) => port.on('message', l as (m: never) => void), close: () => port.close() };
  }
  const scope = globalThis as unknown as Pick<Worker, 'postMessage' | 'addEventListener'> & { close(): void };
  return {
    raw: scope,
    post: (m, t) => scope.postMessage(m, t ?? []),
    listen: (l) => scope.addEventListener('message', (ev: MessageEvent) => l(ev.data)),
    close: () => scope.close(),
  };
}

// Giving the event loop a turn during training, cheaply. A long fit() runs synchronous steps; every
// ~50 ms it lets pending work run (a worker's stop message, progress events, a redraw). setTimeout(0)
// costs ≥ 1 ms in Node and, nested, 4 ms in browsers — 2–8 % of a training run at one turn per 50 ms —
// so the turn is a setImmediate in Node and a MessageChannel message elsewhere.

const hasSetImmediate = typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function';
let channel: { port: MessagePort; queue: (() => void)[] } | null = null;

/** Resolves in a new macrotask (after pending I/O and messages have been handled). */
export function nextTask(): Promise<void> {
  if (hasSetImmediate) return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  if (channel === null) {
    const mc = new MessageChannel();
    const queue: (() => void)[] = [];
    mc.port1.onmessage = () => queue.shift()?.();
    channel = { port: mc.port2, queue };
  }
  const c = channel;
  return new Promise((resolve) => {
    c.queue.push(resolve);
    c.port.postMessage(null);
  });
}

/** The interval between event-loop turns during training. */
const TURN_MS = 50;

/** Returns a turn of the event loop to await when TURN_MS have passed since the last one, else null. */
export function makeYielder(): () => Promise<void> | null {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < TURN_MS) return null;
    last = now;
    return nextTask();
  };
}
