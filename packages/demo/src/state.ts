// What the page knows about the main trainer, shared by its sections, and the hooks that redraw the
// buttons and the sections that show the model when it changes.

import type { Trainer } from 'softmax-nn/worker';
import type { Settings } from './settings.js';

export const app = {
  trainer: null as Trainer | null,
  dataReady: false,
  running: false,
  hasModel: false,
  /** A stopped run (or loaded weights, with the lab API) that Resume continues. */
  canResume: false,
  /** The settings the current run was configured with (null after loading weights). */
  runConfig: null as Settings | null,
  epochsDone: 0,
  trainCount: 0,
  modelName: 'softmax',
};

const refreshers: (() => void)[] = [];
const modelListeners: (() => void)[] = [];

/** Registers a function that updates buttons when the state changes. */
export function onRefresh(f: () => void): void {
  refreshers.push(f);
}

export function refresh(): void {
  for (const f of refreshers) f();
}

/** Registers a function called when the main model's weights change (an epoch ended, weights loaded). */
export function onModelChange(f: () => void): void {
  modelListeners.push(f);
}

export function modelChanged(): void {
  for (const f of modelListeners) f();
}
