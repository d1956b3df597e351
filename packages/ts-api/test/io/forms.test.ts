// io.save / io.load of what torch.save takes: a tensor, a list of tensors, a dict (object or Map) —
// each comes back in its form, keys in order; files without a recorded form are dicts; what cannot be
// saved throws before any file is touched; form metadata that does not fit the tensors throws on load.

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arange, io, memory, nn, tensor, Tensor, zeros } from '../../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softmax-io-forms-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** What a Python safetensors reader sees: the header's tensor names and the metadata. */
async function header(path: string): Promise<{ names: string[]; metadata: Record<string, string> }> {
  const bytes = await readFile(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const json = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const { __metadata__: metadata, ...rest } = json;
  return { names: Object.keys(rest), metadata: (metadata ?? {}) as Record<string, string> };
}

describe('each form comes back as it was saved', () => {
  it('a tensor (d2l: torch.save(x, "x-file"); torch.load("x-file"))', async () => {
    const x = arange(4);
    const path = join(dir, 'x-file');
    await io.save(path, x);
    const x2 = await io.load<Tensor>(path);
    expect(x2).toBeInstanceOf(Tensor);
    expect(x2.dtype).toBe('int32');
    expect(x2.shape).toEqual([4]);
    expect(x2.tolist()).toEqual([0, 1, 2, 3]);
    expect(await header(path)).toEqual({ names: ['tensor'], metadata: { 'softmax-nn.form': 'tensor' } });
  });

  it('a list, in order past ten elements ("10" after "9", not after "1")', async () => {
    const list = Array.from({ length: 12 }, (_, i) => tensor([i, -i]));
    list[3] = tensor([[true, false]]);
    const path = join(dir, 'x-files');
    await io.save(path, list);
    const back = await io.load<Tensor[]>(path);
    expect(Array.isArray(back)).toBe(true);
    expect(back.map((t) => t.tolist())).toEqual(list.map((t) => t.tolist()));
    expect(back[3].dtype).toBe('bool');
    // A Python reader sees a dict named 0 … 11 (float32 first, then bool, as the reference orders data).
    const { names, metadata } = await header(path);
    expect(new Set(names)).toEqual(new Set(list.map((_, i) => String(i))));
    expect(metadata).toEqual({ 'softmax-nn.form': 'list' });
  });

  it('d2l\'s [x, y]: destructuring gives the tensors back', async () => {
    const path = join(dir, 'xy');
    await io.save(path, [arange(4), zeros(4)]);
    const [x2, y2] = await io.load<Tensor[]>(path);
    expect(`${String(x2)} ${String(y2)}`).toBe('tensor([0, 1, 2, 3]) tensor([0., 0., 0., 0.])');
  });

  it('an empty list and an empty dict', async () => {
    await io.save(join(dir, 'empty-list'), []);
    expect(await io.load(join(dir, 'empty-list'))).toEqual([]);
    await io.save(join(dir, 'empty-dict'), {});
    const d = await io.load(join(dir, 'empty-dict'));
    expect(Array.isArray(d)).toBe(false);
    expect(d instanceof Map).toBe(false);
    expect(Object.keys(d)).toEqual([]);
  });

  it('a plain object keeps its keys in insertion order, though the file orders them by dtype and name', async () => {
    const dict = { y: tensor([1]), 'b.weight': tensor([2], { dtype: 'int32' }), x: tensor([true]), a: tensor([3]) };
    const path = join(dir, 'mydict');
    await io.save(path, dict);
    const { names } = await header(path);
    expect(names).toEqual(['a', 'y', 'b.weight', 'x']);
    const back = await io.load(path);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['y', 'b.weight', 'x', 'a']);
    expect(Object.values(back).map((t) => t.tolist())).toEqual([[1], [2], [true], [3]]);
    const file = await io.loadFile(path);
    expect(Object.keys(file.tensors)).toEqual(['y', 'b.weight', 'x', 'a']);
    expect(file.metadata).toEqual({});
  });

  it('a Map comes back as a Map, in its order even for integer-like keys', async () => {
    const map = new Map<string, Tensor>([['10', tensor([10])], ['b', tensor([1])], ['2', tensor([2])], ['__proto__', tensor([7])]]);
    const path = join(dir, 'map');
    await io.save(path, map, { note: 'kept' });
    const back = await io.load<Map<string, Tensor>>(path);
    expect(back).toBeInstanceOf(Map);
    expect([...back.keys()]).toEqual(['10', 'b', '2', '__proto__']);
    expect([...back.values()].map((t) => t.item())).toEqual([10, 1, 2, 7]);
    const file = await io.loadFile(path);
    expect(file.metadata).toEqual({ note: 'kept' });
    expect(Object.keys(file.tensors)).toEqual(['2', '10', 'b', '__proto__']); // JavaScript's own order for objects
  });

  it('a state dict round-trips into a clone that computes the same (d2l: load_state_dict(torch.load(...)))', async () => {
    const net = new nn.Sequential(new nn.Linear(20, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const path = join(dir, 'mlp.params');
    await io.save(path, net.stateDict());
    const clone = new nn.Sequential(new nn.Linear(20, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const loaded = await io.load(path);
    expect(Object.keys(loaded)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(clone.loadStateDict(loaded)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const X = arange(40, { dtype: 'float32' }).reshape(2, 20).div(40);
    expect(clone.forward(X).toArray()).toEqual(net.forward(X).toArray());
  });

  it('a file without a recorded form (PyTorch\'s save_file) loads as a plain object in file order', async () => {
    const path = join(dir, 'theirs.safetensors');
    await writeFile(path, io.serialize({ w: tensor([1, 2]), b: tensor([3]) }, { format: 'pt' }));
    const back = await io.load(path);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['b', 'w']);
    expect((await io.loadFile(path)).metadata).toEqual({ format: 'pt' });
  });
});

describe('a loaded tensor or list is not a state dict', () => {
  it('loadStateDict refuses it with PyTorch\'s dict-like message, strict or not', async () => {
    const net = new nn.Linear(2, 2);
    const before = net.weight.tolist();
    await io.save(join(dir, 'one'), tensor([1, 2]));
    await io.save(join(dir, 'two'), [tensor([1, 2])]);
    const loadedTensor = await io.load(join(dir, 'one'));
    const loadedList = await io.load(join(dir, 'two'));
    expect(() => net.loadStateDict(loadedTensor, { strict: false })).toThrow(
      'loadStateDict: expected state_dict to be dict-like (an object or a Map of name → Tensor), got a Tensor',
    );
    expect(() => net.loadStateDict(loadedList)).toThrow('got an array');
    expect(() => net.loadStateDict(new Set() as unknown as Map<string, Tensor>)).toThrow('got an instance of Set');
    expect(net.weight.tolist()).toEqual(before);
  });
});

describe('what cannot be saved throws, naming what was given, and leaves the file as it was', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['a number', () => 3, /io\.save: expected a Tensor, an array of Tensors, or an object or Map of name → Tensor, got the number 3$/],
    ['a string', () => 'x', /got the string "x"$/],
    ['null', () => null, /got null$/],
    ['a nested list', () => [tensor([1]), [tensor([2])]], /element 1 of the array is an array, not a Tensor; .*nested containers are not supported/],
    ['a dict in a list', () => [{ a: tensor([1]) }], /element 0 of the array is an object, not a Tensor/],
    ['a number in a list', () => [tensor([1]), 2], /element 1 of the array is the number 2, not a Tensor/],
    ['a hole in a list', () => [tensor([1]), , tensor([2])], /the array has a hole at index 1/],
    ['a number in a dict', () => ({ w: tensor([1]), lr: 0.1 }), /the value of "lr" is the number 0\.1, not a Tensor/],
    ['a list in a dict', () => ({ ws: [tensor([1])] }), /the value of "ws" is an array, not a Tensor/],
    ['an empty key', () => ({ '': tensor([1]) }), /a name is the empty string; names must be non-empty/],
    ['a Map with a number key', () => new Map<unknown, Tensor>([[1, tensor([1])]]), /a Map key is the number 1; names must be strings/],
    ['a Module', () => new nn.Linear(2, 2), /got a Module \(Linear\) \(save its state dict: io\.save\(path, net\.stateDict\(\)\)\)/],
    ['a Set', () => new Set([tensor([1])]), /got an instance of Set$/],
    ['a reserved metadata key', () => ({ w: tensor([1]) }), /the metadata key "softmax-nn.form" is reserved/],
  ];
  for (const [what, make, message] of cases) {
    it(what, async () => {
      const path = join(dir, 'kept', 'file');
      await io.save(path, { old: tensor([1, 2, 3]) });
      const before = await readFile(path);
      const metadata = what === 'a reserved metadata key' ? { 'softmax-nn.form': 'list' } : undefined;
      const e = await rejection(io.save(path, make() as Tensor, metadata));
      expect(e.message).toMatch(new RegExp(`^cannot save ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      expect(e.message).toMatch(message);
      expect(await readFile(path)).toEqual(before);
      expect(await readdir(join(dir, 'kept'))).toEqual(['file']);
    });
  }
});

describe('form metadata that does not describe the tensors is an error on load', () => {
  const bad: [string, Record<string, Tensor>, Record<string, string>, RegExp][] = [
    ['an unknown form', { a: tensor([1]) }, { 'softmax-nn.form': 'set' }, /unknown "softmax-nn.form" "set" in the metadata \(known: tensor, list, dict, map\)/],
    ['a list with a gap', { 0: tensor([1]), 2: tensor([2]) }, { 'softmax-nn.form': 'list' }, /holds a list, but its 2 tensors are not named 0 … 1: \["0","2"\]/],
    ['a tensor under another name', { x: tensor([1]) }, { 'softmax-nn.form': 'tensor' }, /one tensor named "tensor", but it holds \["x"\]/],
    ['a dict without keys', { x: tensor([1]) }, { 'softmax-nn.form': 'dict' }, /"dict", which needs "softmax-nn.keys"/],
    ['keys that are not JSON', { x: tensor([1]) }, { 'softmax-nn.form': 'map', 'softmax-nn.keys': '[x' }, /"softmax-nn.keys" is not JSON: "\[x"/],
    ['keys that miss a tensor', { x: tensor([1]), y: tensor([2]) }, { 'softmax-nn.form': 'dict', 'softmax-nn.keys': '["x","x"]' }, /does not list the file's tensors \["x","y"\]/],
    ['keys without a form', { x: tensor([1]) }, { 'softmax-nn.keys': '["x"]' }, /has "softmax-nn.keys" but no "softmax-nn.form"/],
  ];
  for (const [what, tensors, metadata, message] of bad) {
    it(`${what}, freeing the tensors it read`, async () => {
      const path = join(dir, `bad-${what.replace(/ /g, '-')}`);
      await writeFile(path, io.serialize(tensors, metadata));
      const live = memory().tensors;
      const e = await rejection(io.load(path));
      expect(e.message.startsWith(`${path}: `)).toBe(true);
      expect(e.message).toMatch(message);
      expect((await rejection(io.loadFile(path))).message).toMatch(message);
      expect(memory().tensors).toBe(live);
    });
  }
});
