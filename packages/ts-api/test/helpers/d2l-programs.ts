// Running the d2l ports (examples/d2l/<name>.ts) and their PyTorch mirrors (parity/d2l/<mirror>.py) as
// programs, for the example tests. Each run's environment is the test's own plus what its caller names:
// nothing is unset or set behind the caller's back.

import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { printedDifference } from './printed-output.js';

export const PACKAGE = fileURLToPath(new URL('../../', import.meta.url));
export const D2L = fileURLToPath(new URL('../../../../parity/d2l/', import.meta.url));
export const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

/**
 * Why the live PyTorch runs are skipped, or null when PYTHON imports `modules`. With `tellSpawnError`,
 * a PYTHON that cannot be run at all is named as such rather than as an import failure.
 */
export function torchMissing(modules = 'torch, numpy', { tellSpawnError = false } = {}): string | null {
  if (process.env.PARITY_NO_TORCH === '1') return 'PARITY_NO_TORCH=1';
  const r = spawnSync(PYTHON, ['-c', `import ${modules}`], { encoding: 'utf8', timeout: 120_000 });
  if (tellSpawnError && r.error !== undefined) return `${PYTHON} cannot be run (${r.error.message})`;
  return r.status === 0 ? null : `${PYTHON} cannot import ${modules.replace(', ', ' and ')}`;
}

export type Env = Record<string, string | undefined>;
export interface Ran { status: number | null; stdout: string; stderr: string }

// Asynchronous: a program that runs for seconds or minutes must not block the test worker's event loop.
export function spawnProgram(command: string, args: string[], cwd: string, env: Env = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** What the program printed; an error with its stderr when it exits with a status other than 0. */
export async function run(command: string, args: string[], cwd: string, env: Env = {}): Promise<string> {
  const r = await spawnProgram(command, args, cwd, env);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** The port examples/d2l/<name>.ts, however it exits. */
export const spawnPort = (name: string, env: Env = {}): Promise<Ran> =>
  spawnProgram(process.execPath, ['--import', 'tsx', join('examples', 'd2l', `${name}.ts`)], PACKAGE, env);

/** What the port examples/d2l/<name>.ts prints. */
export const runPort = (name: string, env: Env = {}): Promise<string> =>
  run(process.execPath, ['--import', 'tsx', join('examples', 'd2l', `${name}.ts`)], PACKAGE, env);

/** What the mirror parity/d2l/<mirror>.py prints. */
export const runMirror = (mirror: string, env: Env = {}): Promise<string> =>
  run(PYTHON, [join(D2L, `${mirror}.py`)], D2L, env);

/** The printed text with every number as '#' and all spacing and line breaks collapsed. */
export function structure(text: string): string {
  return text.replace(/-?(?:\d+\.?\d*(?:e[+-]\d+)?|nan|inf)/g, '#').replace(/\s+/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']').trim();
}

/**
 * The live check of a port that shares draws (or, `shares` false, prints none): the mirror runs now, recording
 * its draws to `record`, and the port, replaying them, prints what it printed. A D2L_REPLAY or D2L_RECORD in the
 * shell reaches neither program.
 */
export async function expectPrintsAsLiveMirror(name: string, mirror: string, record: string, shares = true): Promise<void> {
  const printed = await runMirror(mirror, { D2L_REPLAY: undefined, D2L_RECORD: record });
  expect(printedDifference(await runPort(name, { D2L_REPLAY: shares ? record : undefined, D2L_RECORD: undefined }), printed)).toBeNull();
}
