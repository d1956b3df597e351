// What differs between Node and browsers, in one place: which one this is, and giving the event loop a
// turn during training cheaply.

/** True in Node (and its worker threads), false in browsers and Web Workers. */
export const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

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

export interface Yielder {
  /** A turn of the event loop to await when TURN_MS have passed since the last one, else null. */
  (): Promise<void> | null;
  /** The event loop just ran (e.g. the step waited for workers in a task): no turn is due yet. */
  ran(): void;
}

export function makeYielder(): Yielder {
  let last = performance.now();
  const yielder = (): Promise<void> | null => {
    const now = performance.now();
    if (now - last < TURN_MS) return null;
    last = now;
    return nextTask();
  };
  return Object.assign(yielder, { ran: () => { last = performance.now(); } });
}
