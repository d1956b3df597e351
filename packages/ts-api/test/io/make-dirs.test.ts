// makeDirs, behind every durable write (io.save, downloads, the CLI's run files): fails at once where
// Node's recursive mkdir would spin forever (procfs), names a path part that is a file, and tolerates
// concurrent creation of the same folders.

import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, tensor } from '../../src/index.js';
import { makeDirs, writeFileDurable } from '../../src/io/atomic-write.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softmax-mkdirs-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(Error);
  return e as Error & { code?: string };
}

describe('makeDirs', () => {
  it('io.save under /proc fails with the path named, instead of hanging', async () => {
    const target = `/proc/softmax-nn-${process.pid}/sub/model.safetensors`;
    const t = tensor([1, 2]);
    const e = await rejection(io.save(target, { t }));
    t.dispose();
    expect(e.message).toBe(
      `cannot save ${target}: cannot create the folder /proc/softmax-nn-${process.pid}/sub: this file system does not allow creating /proc/softmax-nn-${process.pid}`,
    );
    expect(e.code).toBe('ENOENT');
  });

  it('names a path part that is a file, and leaves the file alone', async () => {
    const file = join(dir, 'plain');
    await writeFile(file, 'mine');
    const e = await rejection(makeDirs(join(file, 'a', 'b')));
    expect(e.message).toBe(`cannot create the folder ${join(file, 'a', 'b')}: ${file} is a file, not a folder`);
    expect(e.code).toBe('ENOTDIR');
    expect(await readFile(file, 'utf8')).toBe('mine');
  });

  it('creates nested folders, also when several callers create the same ones at once', async () => {
    const deep = join(dir, 'x', 'y', 'z');
    await Promise.all(Array.from({ length: 6 }, () => makeDirs(deep)));
    expect((await stat(deep)).isDirectory()).toBe(true);
    await makeDirs(deep);
    await writeFileDurable(join(deep, 'note.txt'), 'text too');
    expect(await readFile(join(deep, 'note.txt'), 'utf8')).toBe('text too');
  });
});
