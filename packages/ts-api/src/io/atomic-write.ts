// Durable atomic file writes for io.save (Node only; Node modules are imported at run time so
// browser bundles can include this file). src/data/atomic-write.ts renames without fsync, so a crash
// soon after a save could leave an empty or partial file under the final name; this one syncs first.

import { importNode } from '../data/node-import.js';

/** A fresh temporary path next to `path` (same folder, so the rename stays on one file system). */
export async function tempPathFor(path: string): Promise<string> {
  const nodePath = await importNode('node:path');
  const random = Math.random().toString(36).slice(2, 10);
  return nodePath.join(nodePath.dirname(path), `.${nodePath.basename(path)}.${process.pid}.${random}.tmp`);
}

/**
 * Writes `bytes` to `path` so that `path` holds either its old contents or all of the new ones:
 * creates the parent folders, writes a temporary file in the same folder (`tempPath`, exclusively
 * created: an existing file or folder there is an error, never overwritten or removed), fsyncs it,
 * renames it over `path`, then fsyncs the folder (best effort). On any failure the temporary file
 * is removed, `path` is untouched, and the Error names `path`.
 */
export async function writeFileDurable(path: string, bytes: Uint8Array, tempPath?: string): Promise<void> {
  const fs = await importNode('node:fs/promises');
  const nodePath = await importNode('node:path');
  const dir = nodePath.dirname(path);
  const fail = (e: unknown): Error =>
    new Error(`cannot save ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    throw fail(e);
  }
  const tmp = tempPath ?? (await tempPathFor(path));
  let handle: Awaited<ReturnType<typeof fs.open>> | null = null;
  let created = false;
  try {
    handle = await fs.open(tmp, 'wx');
    created = true;
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = null;
    await fs.rename(tmp, path);
    created = false;
  } catch (e) {
    if (handle !== null) await handle.close().catch(() => undefined);
    if (created) await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw fail(e);
  }
  // Make the rename itself durable. Not possible everywhere (Windows cannot open folders), so best effort.
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // ignore
  }
}
