/**
 * Writing a file so that readers see either nothing or the complete file (Node only; the Node
 * modules are loaded dynamically so browser bundles can import this file).
 */

import { importNode } from './node-import.js';

/**
 * Writes `bytes` to `path` atomically: into a temporary file in the same folder, then renamed over
 * `path`. Creates the folder if needed. On any failure the temporary file is removed and `path` is
 * left as it was.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await importNode('node:fs/promises');
  const nodePath = await importNode('node:path');
  const dir = nodePath.dirname(path);
  await fs.mkdir(dir, { recursive: true });
  const random = Math.random().toString(36).slice(2, 10);
  const tmp = nodePath.join(dir, `.${nodePath.basename(path)}.${process.pid}.${random}.part`);
  try {
    await fs.writeFile(tmp, bytes, { flag: 'wx' });
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(`cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
