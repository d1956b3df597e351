// The worker's script, the same file for a browser Web Worker (module worker) and a Node
// worker_threads Worker: loads the library (and its wasm), exposes a TrainerCore through comlink
// and tells the creator it is ready. Started by createTrainer() in ./index.ts.

import * as Comlink from 'comlink';
import { READY_KEY, type ReadyMessage } from './protocol.js';
import { isNode, parentPort } from '../runtime.js';

// A variable, so that browser bundlers neither resolve nor bundle the Node-only module.
const NODE_ADAPTER = 'comlink/dist/esm/node-adapter.mjs';

const port = await parentPort();
const post = (m: ReadyMessage): void => port.post(m);
const ep = isNode
  ? ((await import(/* @vite-ignore */ NODE_ADAPTER)) as { default: (nep: unknown) => Comlink.Endpoint }).default(port.raw)
  : (port.raw as Comlink.Endpoint);
try {
  // Loading the library instantiates the wasm core; a failure (file missing, …) is reported below.
  // Before the library: in browsers its modules do not load the wasm themselves (Node's load synchronously).
  await (await import('../backend/load.js')).loadBackend();
  const { TrainerCore } = await import('./trainer.js');
  Comlink.expose(new TrainerCore(), ep);
  post({ [READY_KEY]: true, ok: true });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ [READY_KEY]: true, ok: false, message: err.message, stack: err.stack });
}
