// File-system failures on paths the user gave (--out, --svg) as one-line usage errors (exit code 2)
// that say what to do, instead of raw EACCES / EISDIR / ENOTDIR texts.

import * as path from 'node:path';
import { UsageError } from './args.js';

function codeOf(e: unknown): string | undefined {
  for (let c: unknown = e; c !== null && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * A UsageError explaining why `given` (the value of `flag`) cannot be written, when `e` is a failure the
 * user can fix by choosing another path; otherwise `e` itself. `kind` is what the option names.
 */
export function explainWriteError(e: unknown, flag: string, given: string, kind: 'folder' | 'file', command: string): unknown {
  const other = `choose another ${flag}`;
  const reason = ((): string | null => {
    switch (codeOf(e)) {
      case 'ENOTDIR':
      case 'EEXIST':
        return `a part of this path is a file, not a folder; ${other}`;
      case 'EACCES':
      case 'EPERM':
        return `permission denied: cannot write there; ${other} (a ${kind} you can write to)`;
      case 'EROFS':
        return `the file system is read-only; ${other}`;
      case 'EISDIR':
        return kind === 'file'
          ? `this is a folder; give a file name, e.g. ${path.join(given, 'predictions.svg')}`
          : `this is a folder; ${other}`;
      case 'ENOENT':
        // makeDirs: mkdir refused under an existing folder (procfs, sysfs).
        return `folders cannot be created there; ${other}`;
      default:
        return null;
    }
  })();
  return reason === null ? e : new UsageError(`${flag} ${given}: ${reason}`, command);
}

/**
 * The error for a failure to load Fashion-MNIST: a UsageError (exit code 2) when it is about the local
 * files (missing, unreadable, corrupt); a plain Error when a download failed (its message names the URL).
 */
export function dataLoadError(e: unknown, download: boolean, command: string): Error {
  const message = `cannot load Fashion-MNIST: ${e instanceof Error ? e.message : String(e)}`;
  const fromDownload = download && /\bhttps?:\/\//.test(message);
  return fromDownload ? new Error(message, { cause: e }) : new UsageError(message, command);
}
