// The worker's script, the same file for a browser Web Worker (module worker) and a Node
// worker_threads Worker: loads the library (and its wasm), exposes a TrainerCore through comlink
// and tells the creator it is ready. Started by createTrainer() in ./index.ts.

import * as Comlink from 'comlink';
import { READY_KEY, type ReadyMessage } from './protocol.js';
import { isNode } from '../runtime.js';

interface NodeParentPort {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(type: string, listener: (...args: unknown[]) => void): void;
  off(type: string, listener: (...args: unknown[]) => void): void;
}
type NodeEndpointFn = (nep: NodeParentPort) => Comlink.Endpoint;

// Specifiers in variables: browser bundlers must neither resolve nor bundle these Node-only modules.
const WORKER_THREADS = 'node:worker_threads';
const NODE_ADAPTER = 'comlink/dist/esm/node-adapter.mjs';

async function endpoint(): Promise<{ ep: Comlink.Endpoint; post(message: ReadyMessage): void }> {
  if (isNode) {
    const wt = (await import(/* @vite-ignore */ WORKER_THREADS)) as { parentPort: NodeParentPort | null };
    const nodeEndpoint = ((await import(/* @vite-ignore */ NODE_ADAPTER)) as { default: NodeEndpointFn }).default;
    const port = wt.parentPort;
    if (port === null) throw new Error('softmax-nn worker-entry: this file must be started as a worker (new Worker(...)), not imported');
    return { ep: nodeEndpoint(port), post: (m) => port.postMessage(m) };
  }
  const scope = globalThis as unknown as Comlink.Endpoint;
  return { ep: scope, post: (m) => scope.postMessage(m) };
}

const { ep, post } = await endpoint();
try {
  // Loading the library instantiates the wasm core; a failure (file missing, …) is reported below.
  const { TrainerCore } = await import('./trainer.js');
  Comlink.expose(new TrainerCore(), ep);
  post({ [READY_KEY]: true, ok: true });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ [READY_KEY]: true, ok: false, message: err.message, stack: err.stack });
}
