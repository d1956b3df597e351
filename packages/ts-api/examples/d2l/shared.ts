// Random draws a d2l port can take from its PyTorch mirror's run (parity/d2l/shared.py), so that it
// prints PyTorch's numbers: with D2L_REPLAY=<file>, shared(name, value) overwrites a tensor (or every
// state-dict entry of a module) with what the mirror recorded at the same call, and replayedOrders
// gives a shuffling loader's recorded passes. Without D2L_REPLAY the port keeps its own draws.

import { readFileSync } from 'node:fs';
import { io, nn, noGrad, Tensor } from '../../src/index.js';

const REPLAY = process.env.D2L_REPLAY;
const recorded: Record<string, Tensor> | null = REPLAY === undefined || REPLAY === ''
  ? null
  : io.deserialize(readFileSync(REPLAY), REPLAY).tensors;
let calls = 0;

function take(key: string): Tensor {
  const t = recorded?.[key];
  if (t === undefined) throw new Error(`D2L_REPLAY ${REPLAY}: no recorded tensor ${key}; the port and its mirror call shared() in different places`);
  return t;
}

function copyRecorded(key: string, into: Tensor): void {
  const src = take(key);
  if (src.shape.join(',') !== into.shape.join(',') || src.dtype !== into.dtype) {
    throw new Error(`D2L_REPLAY: ${key} was recorded as ${src.dtype} [${src.shape.join(', ')}], the port has ${into.dtype} [${into.shape.join(', ')}]`);
  }
  noGrad(() => into.data.copy_(src));
}

/** Returns `value`; when replaying, first overwrites it in place with the mirror's values. */
export function shared<T extends Tensor | nn.Module>(name: string, value: T): T {
  const key = `${calls++}.${name}`;
  if (recorded === null) return value;
  if (value instanceof Tensor) {
    copyRecorded(key, value);
    return value;
  }
  const entries = Object.entries(value.stateDict());
  const mine = new Set(entries.map(([k]) => `${key}.${k}`));
  const extra = Object.keys(recorded).filter((k) => k.startsWith(`${key}.`) && !mine.has(k));
  if (extra.length > 0) throw new Error(`D2L_REPLAY: the mirror's ${name} has entries the port's lacks: ${extra.join(', ')}`);
  for (const [k, t] of entries) copyRecorded(`${key}.${k}`, t);
  return value;
}

/**
 * The recorded order of each pass of a shuffling loader ([passes, n]), or null when not replaying.
 * Called where the mirror makes its loader's sampler, so the call numbers stay in step.
 */
export function replayedOrders(name: string): Int32Array[] | null {
  const key = `${calls++}.${name}`;
  if (recorded === null) return null;
  const t = take(key);
  const [passes, n] = t.shape as [number, number];
  const all = t.toArray() as Int32Array;
  return Array.from({ length: passes }, (_, p) => all.slice(p * n, (p + 1) * n));
}
