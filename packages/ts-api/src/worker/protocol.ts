// The one message the worker entry sends outside comlink: "ready" (or why it could not start).

export const READY_KEY = 'softmax-nn:worker-ready';

export interface ReadyMessage {
  [READY_KEY]: true;
  ok: boolean;
  /** Why the worker could not start (when ok is false): the original error's message. */
  message?: string;
  stack?: string;
}

export function isReadyMessage(data: unknown): data is ReadyMessage {
  return typeof data === 'object' && data !== null && (data as Record<string, unknown>)[READY_KEY] === true;
}
