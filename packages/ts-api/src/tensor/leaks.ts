// Where live tensor memory is: totals by the op that made each storage (memory().groups), and — only
// when debugging leaks — the user-code lines that keep making tensors outside any scope.

import { insideScope } from './scope.js';

/** Live tensors whose data an op made: views count with the op that made the data they share. */
export interface MemoryGroup {
  /** The op that made the data (`matmul`, `tensor`, `zeros`…); `unused` when no op has written it yet. */
  op: string;
  tensors: number;
  bytes: number;
}

const groups = new Map<string, { tensors: number; bytes: number }>();

/** @internal Moves `tensors` tensors and `bytes` bytes in or out of the group of `op`. */
export function account(op: string, tensors: number, bytes: number): void {
  let g = groups.get(op);
  if (g === undefined) {
    g = { tensors: 0, bytes: 0 };
    groups.set(op, g);
  }
  g.tensors += tensors;
  g.bytes += bytes;
  if (g.tensors === 0 && g.bytes === 0) groups.delete(op);
}

/** The groups, largest first (by bytes, then tensors, then name — a stable order for comparisons). */
export function memoryGroups(): MemoryGroup[] {
  return [...groups]
    .map(([op, g]) => ({ op, tensors: g.tensors, bytes: g.bytes }))
    .sort((a, b) => b.bytes - a.bytes || b.tensors - a.tensors || (a.op < b.op ? -1 : a.op > b.op ? 1 : 0));
}

// ---- leak debugging ----

/** Live storages from one creation site at which a loop outside any scope is reported as a leak. */
export const LEAK_SITE_THRESHOLD = 100;

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
let debugLeaks = env?.SOFTMAX_NN_DEBUG_LEAKS === '1' || env?.SOFTMAX_NN_DEBUG_LEAKS === 'true';
let warned = false;
const sites = new Map<string, { storages: number; bytes: number }>();

/**
 * Turns leak debugging on or off (as `SOFTMAX_NN_DEBUG_LEAKS=1` does in Node): every tensor made outside
 * any scope records where the user's code made it, and when one place keeps making tensors that stay
 * alive, a warning names it (once; turning debugging on again re-arms it). Costs a stack trace per tensor.
 */
export function setDebugLeaks(on: boolean): void {
  if (typeof on !== 'boolean') throw new Error(`setDebugLeaks: expected true or false, got ${String(on)}`);
  debugLeaks = on;
  warned = false;
  sites.clear();
}

const libraryDir = new URL('../', import.meta.url);
const libraryMarks = [libraryDir.href, decodeURIComponent(libraryDir.pathname)];

/** The first lines of the current stack that are user code (not this library, not the runtime). */
function userFrames(): string {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = saved;
  const frames = stack.split('\n').slice(1).map((l) => l.trim())
    .filter((l) => l !== '' && !libraryMarks.some((m) => l.includes(m)) && !l.includes('node:') && !l.includes('node_modules'));
  return frames.length === 0 ? '(no user code on the stack)' : frames.slice(0, 3).join('\n    ');
}

/** @internal The creation site of a new storage, when debugging leaks and no scope will free it. */
export function creationSite(): string | null {
  if (!debugLeaks || insideScope()) return null;
  return userFrames();
}

function size(bytes: number): string {
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} bytes`;
}

/** @internal A storage made at `site` is alive (+1) or freed (-1). */
export function siteChanged(site: string, storages: number, bytes: number): void {
  let s = sites.get(site);
  if (s === undefined) {
    s = { storages: 0, bytes: 0 };
    sites.set(site, s);
  }
  s.storages += storages;
  s.bytes += bytes;
  if (s.storages <= 0) {
    sites.delete(site);
    return;
  }
  if (!warned && debugLeaks && s.storages >= LEAK_SITE_THRESHOLD) {
    warned = true;
    const top = [...sites].filter(([, t]) => t.storages >= LEAK_SITE_THRESHOLD / 10)
      .sort((a, b) => b[1].bytes - a[1].bytes || b[1].storages - a[1].storages).slice(0, 3)
      .map(([where, t]) => `  ${t.storages} tensors (${size(t.bytes)}) made at\n    ${where}`);
    console.warn(
      'softmax-nn: live tensor memory keeps growing: tensors made outside any scope are piling up.\n' +
      `${top.join('\n')}\n` +
      'A loop over a DataLoader (or over data.scoped(iterable)) frees what each iteration makes when it moves on; ' +
      'elsewhere wrap the work in tidy(() => …), or dispose() what you no longer need.',
    );
  }
}
