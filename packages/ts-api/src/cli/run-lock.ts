// The run folder's lock: one `softmax-nn train` at a time per --out. A lock file holding the owner's
// PID, created atomically (hard link of a complete temporary file); a lock whose process is gone is
// stale and taken over.

import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UsageError } from './args.js';

export const LOCK_FILE = '.softmax-nn-train.lock';

export interface RunLock {
  readonly file: string;
  /** Removes the lock file (when it is still ours). */
  release(): Promise<void>;
}

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether process `pid` exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return codeOf(e) === 'EPERM';
  }
}

function suffix(): string {
  return `${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
}

/** Creates `file` with `text` if it does not exist; false when it does. Readers never see it half-written. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.${suffix()}.tmp`;
  await fs.writeFile(tmp, text, { flag: 'wx' });
  try {
    await fs.link(tmp, file);
    return true;
  } catch (e) {
    if (codeOf(e) === 'EEXIST') return false;
    if (codeOf(e) !== 'EPERM' && codeOf(e) !== 'ENOTSUP') throw e;
    // A file system without hard links: exclusive create, then write (readers may see it empty briefly).
    try {
      await fs.writeFile(file, text, { flag: 'wx' });
      return true;
    } catch (e2) {
      if (codeOf(e2) === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if (codeOf(e) === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Takes the lock of the existing folder `dir` for this process. Throws a UsageError naming the owner
 * when a live process holds it; a lock left by a dead process is replaced. File-system errors (a
 * read-only folder, say) are thrown as they are, with their `code`.
 */
export async function acquireRunLock(dir: string, flag = '--out'): Promise<RunLock> {
  const file = path.join(dir, LOCK_FILE);
  const mine = `${process.pid}\n`;
  const busy = (who: string) => new UsageError(
    `${flag} ${dir} is in use by ${who}; wait for it to finish or choose another ${flag} (if no such run exists, delete ${file})`,
    'train',
  );
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(file, mine)) {
      return {
        file,
        async release() {
          if ((await readOrNull(file).catch(() => null)) === mine) await fs.rm(file, { force: true });
        },
      };
    }
    const text = await readOrNull(file);
    if (text === null) continue; // released meanwhile
    if (text === '') throw busy('another softmax-nn train');
    const pid = /^\d+\n$/.test(text) ? Number(text.trim()) : null;
    if (pid === null) {
      throw new UsageError(`${flag} ${dir}: ${file} is not a softmax-nn lock file; if no run uses ${dir}, delete it`, 'train');
    }
    if (processAlive(pid)) throw busy(`another softmax-nn train (PID ${pid})`);
    // Stale: move it aside, and put it back if what was moved is not the stale lock (another run took it over).
    const aside = `${file}.${suffix()}.stale`;
    try {
      await fs.rename(file, aside);
    } catch (e) {
      if (codeOf(e) === 'ENOENT') continue;
      throw e;
    }
    if ((await readOrNull(aside)) !== text) await fs.link(aside, file).catch(() => undefined);
    await fs.rm(aside, { force: true });
  }
  throw new UsageError(`${flag} ${dir}: could not take the lock ${file}; another softmax-nn train is starting there`, 'train');
}
