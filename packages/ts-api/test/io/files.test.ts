// io.save / io.load / io.loadFile: files on disk, atomic replacement, restoring a model exactly.

import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, manualSeed, nn, noGrad, randn, tensor, type Tensor } from '../../src/index.js';
import { writeFileDurable } from '../../src/io/atomic-write.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softmax-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function disposeAll(tensors: Record<string, Tensor>): void {
  for (const t of Object.values(tensors)) t.dispose();
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('save and load', () => {
  it('loadStateDict(await io.load(path)) restores a model exactly', async () => {
    manualSeed(1);
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    const path = join(dir, 'model.safetensors');
    await io.save(path, net.stateDict(), { format: 'pt' });

    manualSeed(2);
    const other = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    const x = randn([4, 1, 28, 28]);
    const before = noGrad(() => other.forward(x)).toArray();
    const want = noGrad(() => net.forward(x)).toArray();
    expect(before).not.toEqual(want);

    const loaded = await io.load(path);
    expect(Object.keys(loaded).sort()).toEqual(['1.bias', '1.weight']);
    const result = other.loadStateDict(loaded);
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const [name, p] of other.namedParameters()) {
      expect(p.toArray(), name).toEqual(net.stateDict()[name].toArray());
    }
    expect(noGrad(() => other.forward(x)).toArray()).toEqual(want);
    disposeAll(loaded);
  });

  it('loadFile gives tensors and metadata; save accepts a Map and creates parent folders', async () => {
    const path = join(dir, 'a', 'b', 'c', 'weights.safetensors');
    const src = new Map<string, Tensor>([['x', tensor([1, 2, 3])], ['n', tensor([4], { dtype: 'int32' })]]);
    await io.save(path, src, { epoch: '3' });
    const { tensors, metadata } = await io.loadFile(path);
    expect(metadata).toEqual({ epoch: '3' });
    expect(Array.from(tensors.x.toArray())).toEqual([1, 2, 3]);
    expect(tensors.n.dtype).toBe('int32');
    // The file records what was saved (a Map, its keys' order) next to the caller's metadata.
    const written = { epoch: '3', 'softmax-nn.form': 'map', 'softmax-nn.keys': '["x","n"]' };
    expect(new Uint8Array(await readFile(path))).toEqual(io.serialize(src, written));
    disposeAll(tensors);
    for (const t of src.values()) t.dispose();
  });

  it('overwrites an existing file and leaves no temporary files behind', async () => {
    const sub = join(dir, 'overwrite');
    const path = join(sub, 'w.safetensors');
    const a = tensor([1]);
    const b = tensor([2, 3]);
    await io.save(path, { a });
    await io.save(path, { b });
    const loaded = await io.load(path);
    expect(Object.keys(loaded)).toEqual(['b']);
    expect(await readdir(sub)).toEqual(['w.safetensors']);
    disposeAll(loaded);
    a.dispose();
    b.dispose();
  });

  it('deserialize works on Node Buffers, including a Buffer that is a slice of a larger one', async () => {
    const t = tensor([1, 2, 3]);
    const n = tensor([7], { dtype: 'int32' });
    const bytes = io.serialize({ t, n });
    const sliced = Buffer.concat([Buffer.alloc(13, 0xee), Buffer.from(bytes)]).subarray(13);
    const { tensors } = io.deserialize(sliced, 'buffer');
    expect(Array.from(tensors.t.toArray())).toEqual([1, 2, 3]);
    expect(Array.from(tensors.n.toArray())).toEqual([7]);
    disposeAll(tensors);
    t.dispose();
    n.dispose();
  });

  it('errors from load and loadFile name the path', async () => {
    const missing = join(dir, 'nope.safetensors');
    expect((await rejection(io.load(missing))).message).toContain(`cannot read ${missing}`);
    const corrupt = join(dir, 'corrupt.safetensors');
    await writeFile(corrupt, new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]));
    const e = await rejection(io.loadFile(corrupt));
    expect(e.message).toContain(`${corrupt}: header length 200`);
  });
});

describe('atomic save', () => {
  async function withPrevious(name: string): Promise<{ sub: string; path: string; old: Uint8Array; t: Tensor }> {
    const sub = join(dir, name);
    const path = join(sub, 'model.safetensors');
    const t = tensor([1, 2, 3]);
    await io.save(path, { t }, { version: 'old' });
    return { sub, path, old: new Uint8Array(await readFile(path)), t };
  }

  it('a metadata error leaves the previous file byte-identical and writes nothing', async () => {
    const { sub, path, old, t } = await withPrevious('meta-error');
    const e = await rejection(io.save(path, { t }, { version: 2 } as unknown as Record<string, string>));
    expect(e.message).toContain(`cannot save ${path}`);
    expect(e.message).toContain('metadata["version"] must be a string');
    expect(new Uint8Array(await readFile(path))).toEqual(old);
    expect(await readdir(sub)).toEqual(['model.safetensors']);
    t.dispose();
  });

  it('a disposed tensor leaves the previous file byte-identical', async () => {
    const { path, old, t } = await withPrevious('disposed');
    const gone = tensor([5]);
    gone.dispose();
    const e = await rejection(io.save(path, { t, gone }));
    expect(e.message).toContain('"gone" was disposed');
    expect(new Uint8Array(await readFile(path))).toEqual(old);
    t.dispose();
  });

  it('a failure while writing (a folder where the temp file goes) leaves the previous file and the folder alone', async () => {
    const { sub, path, old, t } = await withPrevious('temp-blocked');
    const tmp = join(sub, '.model.safetensors.blocked.tmp');
    await mkdir(tmp);
    await writeFile(join(tmp, 'keep'), 'mine');
    const e = await rejection(writeFileDurable(path, io.serialize({ t }, { version: 'new' }), tmp));
    expect(e.message).toContain(`cannot save ${path}`);
    expect(new Uint8Array(await readFile(path))).toEqual(old);
    // The blocking folder is not ours: it must not be removed.
    expect((await stat(tmp)).isDirectory()).toBe(true);
    expect(await readFile(join(tmp, 'keep'), 'utf8')).toBe('mine');
    expect((await readdir(sub)).sort()).toEqual(['.model.safetensors.blocked.tmp', 'model.safetensors']);
    t.dispose();
  });

  it('a failure at the rename (a folder at the target path) removes the temp file and names the path', async () => {
    const sub = join(dir, 'rename-fails');
    const path = join(sub, 'model.safetensors');
    await mkdir(path, { recursive: true });
    await writeFile(join(path, 'inside'), 'x');
    const t = tensor([1]);
    const e = await rejection(io.save(path, { t }));
    expect(e.message).toContain(`cannot save ${path}`);
    expect(await readdir(sub)).toEqual(['model.safetensors']);
    expect(await readdir(path)).toEqual(['inside']);
    t.dispose();
  });

  it('a parent that is a file fails with the path named', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'not a folder');
    const t = tensor([1]);
    const path = join(blocker, 'model.safetensors');
    const e = await rejection(io.save(path, { t }));
    expect(e.message).toContain(`cannot save ${path}`);
    expect(await readFile(blocker, 'utf8')).toBe('not a folder');
    t.dispose();
  });

  it('concurrent saves to one path each rename a complete file and leave no temp files', async () => {
    const path = join(dir, 'concurrent', 'model.safetensors');
    manualSeed(4);
    const big = { w: randn([64, 64]) };
    const expected = io.serialize(big, { 'softmax-nn.form': 'dict', 'softmax-nn.keys': '["w"]' });
    // Several saves of the same data racing each other: every one renames a complete file.
    await Promise.all([io.save(path, big), io.save(path, big), io.save(path, big)]);
    expect(new Uint8Array(await readFile(path))).toEqual(expected);
    expect(await readdir(join(dir, 'concurrent'))).toEqual(['model.safetensors']);
    disposeAll(big);
  });
});
