// Tensors that earlier code dropped without dispose() are freed by a FinalizationRegistry whenever V8
// collects them, which can fall in the middle of a test that compares memory() before and after a call.
// settleGarbage() collects now and lets the finalizers run, so that a "before" figure holds still.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { memory } from '../../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage and runs the finalizers until memory() stops changing (at most 20 rounds). */
export async function settleGarbage(): Promise<void> {
  let last = '';
  for (let i = 0; i < 20; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    const m = memory();
    const now = `${m.tensors}/${m.bytes}`;
    if (now === last) return;
    last = now;
  }
}
