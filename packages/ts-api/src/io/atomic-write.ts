// Durable atomic file writes (Node only; Node modules are imported at run time so browser bundles can
// include this file): the one helper behind io.save, the dataset download and the CLI's run files.

import { importNode } from '../runtime.js';

/** An Error carrying the errno code of the failure (`ENOTDIR`, `EACCES`, …) so callers can explain it. */
function codedError(message: string, code: string | undefined, cause?: unknown): Error {
  const e = new Error(message, cause === undefined ? undefined : { cause });
  if (code !== undefined) Object.assign(e, { code });
  return e;
}

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Creates the folder `dir` and its missing parents, one level at a time. Node's own recursive mkdir
 * loops forever where mkdir answers ENOENT under an existing parent (procfs, sysfs); here that is an
 * error. Errors carry the errno `code`; a path part that is a file fails with ENOTDIR.
 */
export async function makeDirs(dir: string): Promise<void> {
  const fs = await importNode('node:fs/promises');
  const nodePath = await importNode('node:path');
  const missing: string[] = [];
  let current = nodePath.resolve(dir);
  for (;;) {
    let isDir: boolean;
    try {
      isDir = (await fs.stat(current)).isDirectory();
    } catch (e) {
      const parent = nodePath.dirname(current);
      // ENOTDIR: a part above is a file; walking up finds and names it.
      if ((codeOf(e) !== 'ENOENT' && codeOf(e) !== 'ENOTDIR') || parent === current) throw codedError(`cannot create the folder ${dir}: ${(e as Error).message}`, codeOf(e), e);
      missing.push(current);
      current = parent;
      continue;
    }
    if (!isDir) throw codedError(`cannot create the folder ${dir}: ${current} is a file, not a folder`, 'ENOTDIR');
    break;
  }
  for (const d of missing.reverse()) {
    try {
      await fs.mkdir(d);
    } catch (e) {
      // Another process made it meanwhile: fine if it is a folder.
      if (codeOf(e) === 'EEXIST' && (await fs.stat(d).then((s) => s.isDirectory(), () => false))) continue;
      const why = codeOf(e) === 'ENOENT' ? `this file system does not allow creating ${d}` : (e as Error).message;
      throw codedError(`cannot create the folder ${dir}: ${why}`, codeOf(e), e);
    }
  }
}

/** A fresh temporary path next to `path` (same folder, so the rename stays on one file system). */
export async function tempPathFor(path: string): Promise<string> {
  const nodePath = await importNode('node:path');
  const random = Math.random().toString(36).slice(2, 10);
  return nodePath.join(nodePath.dirname(path), `.${nodePath.basename(path)}.${process.pid}.${random}.tmp`);
}

/**
 * Writes `contents` to `path` so that `path` holds either its old contents or all of the new ones,
 * also after a crash: creates the parent folders (makeDirs), writes a temporary file in the same folder
 * (`tempPath`, exclusively created: an existing file or folder there is an error, never overwritten or
 * removed), fsyncs it, renames it over `path`, then fsyncs the folder (best effort). On any failure the
 * temporary file is removed, `path` is untouched, and the Error names `path` and carries the errno `code`.
 */
export async function writeFileDurable(path: string, contents: Uint8Array | string, tempPath?: string): Promise<void> {
  const fs = await importNode('node:fs/promises');
  const nodePath = await importNode('node:path');
  const dir = nodePath.dirname(path);
  const fail = (e: unknown): Error => codedError(`cannot save ${path}: ${e instanceof Error ? e.message : String(e)}`, codeOf(e), e);
  try {
    await makeDirs(dir);
  } catch (e) {
    throw fail(e);
  }
  const tmp = tempPath ?? (await tempPathFor(path));
  let handle: Awaited<ReturnType<typeof fs.open>> | null = null;
  let created = false;
  try {
    handle = await fs.open(tmp, 'wx');
    created = true;
    await handle.writeFile(contents);
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
