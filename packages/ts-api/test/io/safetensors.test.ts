// io.serialize / io.deserialize: the safetensors format in memory — exact bytes, alignment, round
// trips, dtype conversions, and one clear error for each kind of corrupt input.

import { describe, expect, it } from 'vitest';
import { io, memory, nn, manualSeed, tensor, randn, type Tensor } from '../../src/index.js';

const enc = new TextEncoder();

/** The u64 little-endian length prefix, by hand. */
function u64le(n: number): number[] {
  const out: number[] = [];
  let v = n;
  for (let i = 0; i < 8; i++) {
    out.push(v % 256);
    v = Math.floor(v / 256);
  }
  return out;
}

/** A safetensors file from a header string (padded with spaces to `pad`) and raw data bytes. */
function craft(header: string | object, data: ArrayLike<number> = [], options: { pad?: number; lengthOverride?: bigint } = {}): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  let h = enc.encode(text);
  const pad = options.pad ?? 8;
  const padded = Math.ceil(h.length / pad) * pad;
  const withPad = new Uint8Array(padded).fill(0x20);
  withPad.set(h);
  h = withPad;
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, options.lengthOverride ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(Array.from(data), 8 + h.length);
  return out;
}

function f32le(values: number[]): number[] {
  const b = new Uint8Array(new Float32Array(values).buffer);
  return Array.from(b);
}

function expectThrows(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(Error);
  const msg = (err as Error).message;
  for (const p of parts) {
    if (typeof p === 'string') expect(msg).toContain(p);
    else expect(msg).toMatch(p);
  }
}

function summary(ts: Tensor[]): string[] {
  return ts.map((t) => JSON.stringify([t.shape, t.dtype, Array.from(t.toArray())])).sort();
}

function disposeAll(tensors: Record<string, Tensor>): void {
  for (const t of Object.values(tensors)) t.dispose();
}

describe('serialize: exact bytes', () => {
  it('a hand-written file with metadata, float32, int32 and a scalar, byte for byte', () => {
    const a = tensor([[1.5], [-0]]);
    const s = tensor(3);
    const b = tensor([1, -2], { dtype: 'int32' });
    // Insertion order deliberately differs from the file order.
    const bytes = io.serialize({ b, s, a }, { format: 'pt' });

    // float32 first, then int32; each by name. __metadata__ first in the header.
    const header =
      '{"__metadata__":{"format":"pt"},' +
      '"a":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]},' +
      '"s":{"dtype":"F32","shape":[],"data_offsets":[8,12]},' +
      '"b":{"dtype":"I32","shape":[2],"data_offsets":[12,20]}}';
    expect(header.length).toBe(195); // → 5 spaces of padding to 200
    const expected = [
      ...u64le(200),
      ...Array.from(enc.encode(header)), 0x20, 0x20, 0x20, 0x20, 0x20,
      0x00, 0x00, 0xc0, 0x3f, // 1.5
      0x00, 0x00, 0x00, 0x80, // -0
      0x00, 0x00, 0x40, 0x40, // 3
      0x01, 0x00, 0x00, 0x00, // 1
      0xfe, 0xff, 0xff, 0xff, // -2
    ];
    expect(Array.from(bytes)).toEqual(expected);
    for (const t of [a, s, b]) t.dispose();
  });

  it('pads the header with spaces as the reference does (no metadata key when none is given)', () => {
    const t = tensor([0, 1, 2, 3, 4, 5], { shape: [1, 1, 2, 3] });
    const bytes = io.serialize({ attn0: t });
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(65); // → 7 spaces, header length 72
    expect(Array.from(bytes)).toEqual([
      ...u64le(72),
      ...Array.from(enc.encode(header)), 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
      ...f32le([0, 1, 2, 3, 4, 5]),
    ]);
    t.dispose();
  });

  it('an empty dict is the 16-byte file "{}" + 6 spaces; empty metadata is written as given', () => {
    expect(Array.from(io.serialize({}))).toEqual([...u64le(8), 0x7b, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20]);
    const withMeta = io.serialize(new Map(), {});
    const h = '{"__metadata__":{}}';
    expect(Array.from(withMeta)).toEqual([...u64le(24), ...Array.from(enc.encode(h)), 0x20, 0x20, 0x20, 0x20, 0x20]);
  });

  it('orders names by code point (integer-like keys too) and metadata keys the same way', () => {
    const ts = { '9': tensor([9]), '10': tensor([10]), '0': tensor([0]), 'é': tensor([1]), 'z': tensor([2]) };
    const bytes = io.serialize(ts, { b: '2', a: '1' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    const names = [...text.matchAll(/"([^"]+)":\{"dtype"/g)].map((m) => m[1]);
    expect(names).toEqual(['0', '10', '9', 'z', 'é']);
    expect(text.startsWith('{"__metadata__":{"a":"1","b":"2"},')).toBe(true);
    disposeAll(ts);
  });

  it('always starts the data 8-byte aligned, whatever the header length', () => {
    for (let len = 1; len <= 17; len++) {
      const t = tensor([1, 2, 3]);
      const bytes = io.serialize({ ['x'.repeat(len)]: t });
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect((8 + n) % 8).toBe(0);
      expect(bytes.length).toBe(8 + n + 12);
      // The padding is spaces, after the closing brace.
      const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
      expect(header.trimEnd().endsWith('}')).toBe(true);
      expect(header.slice(header.trimEnd().length)).toMatch(/^ {0,7}$/);
      t.dispose();
    }
  });
});

describe('serialize/deserialize round trips', () => {
  it("a Module's state dict: keys 1.weight and 1.bias, values bit for bit", () => {
    manualSeed(0);
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    const sd = net.stateDict();
    const bytes = io.serialize(sd);
    const { tensors, metadata } = io.deserialize(bytes);
    expect(Object.keys(tensors).sort()).toEqual(['1.bias', '1.weight']);
    expect(metadata).toEqual({});
    expect(tensors['1.weight'].shape).toEqual([10, 784]);
    expect(tensors['1.bias'].shape).toEqual([10]);
    for (const k of ['1.weight', '1.bias']) {
      expect(tensors[k].dtype).toBe('float32');
      expect(tensors[k].toArray()).toEqual(sd[k].toArray());
    }
    // The file is exactly header + 7840·4 + 10·4 bytes.
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(bytes.length).toBe(8 + n + (7840 + 10) * 4);
    disposeAll(tensors);
    disposeAll(sd);
  });

  it('int32 tensors, scalars, empty tensors, odd names and metadata (also from a Map)', () => {
    const src = new Map<string, Tensor>([
      ['labels', tensor([0, 9, -2147483648, 2147483647], { dtype: 'int32' })],
      ['scalar', tensor(-7.25)],
      ['iscalar', tensor(42, { dtype: 'int32' })],
      ['empty', tensor(new Float32Array(0), { shape: [0] })],
      ['empty2d', tensor(new Int32Array(0), { shape: [3, 0] })],
      ['special', tensor([NaN, Infinity, -Infinity, -0, 1e-45, 3.4028234663852886e38])],
      ['__proto__', tensor([1, 2])],
      ['名前 "quoted"\n\\', tensor([5])],
    ]);
    const meta = { format: 'pt', note: 'ünïcode "quotes" \\ \n', '': 'empty key', __proto__x: 'y' };
    const { tensors, metadata } = io.deserialize(io.serialize(src, meta));
    expect(metadata).toEqual(meta);
    expect(Object.keys(tensors).sort()).toEqual([...src.keys()].sort());
    for (const [k, t] of src) {
      const r = tensors[k];
      expect(Object.prototype.hasOwnProperty.call(tensors, k)).toBe(true);
      expect(r.shape, k).toEqual(t.shape);
      expect(r.dtype, k).toBe(t.dtype);
      // Bitwise equality (NaN, -0 included).
      const a = r.toArray();
      const b = t.toArray();
      expect(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).toEqual(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    }
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    disposeAll(tensors);
    for (const t of src.values()) t.dispose();
  });

  it('reads a Uint8Array that is a view at an odd offset of a larger buffer', () => {
    const t = tensor([1, 2, 3, 4], { shape: [2, 2] });
    const bytes = io.serialize({ w: t });
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    const { tensors } = io.deserialize(big.subarray(3));
    expect(Array.from(tensors.w.toArray())).toEqual([1, 2, 3, 4]);
    disposeAll(tensors);
    t.dispose();
  });

  it('accepts valid files laid out differently: header order ≠ data order, extra padding, null metadata', () => {
    const data = [...f32le([1, 2]), ...f32le([3])];
    const bytes = craft(
      '{"__metadata__":null,"second":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"first":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
      data,
      { pad: 32 },
    );
    const { tensors, metadata } = io.deserialize(bytes);
    expect(metadata).toEqual({});
    expect(Array.from(tensors.first.toArray())).toEqual([1, 2]);
    expect(Array.from(tensors.second.toArray())).toEqual([3]);
    disposeAll(tensors);
  });

  it('reads files with zero-size tensors sharing an offset', () => {
    const bytes = craft(
      { a: { dtype: 'F32', shape: [0], data_offsets: [0, 0] }, b: { dtype: 'I32', shape: [1], data_offsets: [0, 4] }, c: { dtype: 'F32', shape: [2, 0], data_offsets: [4, 4] } },
      [7, 0, 0, 0],
    );
    const { tensors } = io.deserialize(bytes);
    expect(tensors.a.shape).toEqual([0]);
    expect(tensors.c.shape).toEqual([2, 0]);
    expect(Array.from(tensors.b.toArray())).toEqual([7]);
    disposeAll(tensors);
  });
});

describe('deserialize: dtype conversions', () => {
  function file(dtype: string, shape: number[], data: Uint8Array): Uint8Array {
    return craft({ x: { dtype, shape, data_offsets: [0, data.length] } }, data);
  }

  it('F64 → float32 (rounded), I64 → int32', () => {
    const f64 = new Float64Array([0.1, -2.5, 1e-50, Infinity, NaN, 3.4028234663852886e38]);
    const { tensors: a } = io.deserialize(file('F64', [2, 3], new Uint8Array(f64.buffer)));
    expect(a.x.dtype).toBe('float32');
    expect(a.x.shape).toEqual([2, 3]);
    expect(Array.from(a.x.toArray())).toEqual(Array.from(f64, (v) => Math.fround(v)));

    const i64 = new BigInt64Array([0n, -1n, 2147483647n, -2147483648n]);
    const { tensors: b } = io.deserialize(file('I64', [4], new Uint8Array(i64.buffer)));
    expect(b.x.dtype).toBe('int32');
    expect(Array.from(b.x.toArray())).toEqual([0, -1, 2147483647, -2147483648]);
    disposeAll(a);
    disposeAll(b);
  });

  it('F16 and BF16 → float32 exactly (normals, subnormals, ±0, ±inf, NaN)', () => {
    // f16 bit patterns and their values.
    const half: [number, number][] = [
      [0x3c00, 1], [0xc000, -2], [0x3555, 0.333251953125], [0x7bff, 65504], [0x0001, 2 ** -24],
      [0x03ff, 1023 * 2 ** -24], [0x0400, 2 ** -14], [0x0000, 0], [0x8000, -0], [0x7c00, Infinity], [0xfc00, -Infinity],
    ];
    const hb = new Uint8Array(half.length * 2);
    half.forEach(([bits], i) => new DataView(hb.buffer).setUint16(i * 2, bits, true));
    const { tensors: h } = io.deserialize(file('F16', [half.length], hb));
    expect(Array.from(h.x.toArray())).toEqual(half.map(([, v]) => v));
    disposeAll(h);

    const nanBytes = new Uint8Array([0x00, 0x7e]);
    const { tensors: hn } = io.deserialize(file('F16', [1], nanBytes));
    expect(Number.isNaN(hn.x.toArray()[0])).toBe(true);
    disposeAll(hn);

    const bf: [number, number][] = [[0x3f80, 1], [0xc040, -3], [0x3e20, 0.15625], [0x7f80, Infinity], [0x8000, -0], [0x0001, 2 ** -133]];
    const bb = new Uint8Array(bf.length * 2);
    bf.forEach(([bits], i) => new DataView(bb.buffer).setUint16(i * 2, bits, true));
    const { tensors: b } = io.deserialize(file('BF16', [bf.length], bb));
    expect(b.x.dtype).toBe('float32');
    expect(Array.from(b.x.toArray())).toEqual(bf.map(([, v]) => v));
    disposeAll(b);
  });

  it('I64 outside int32 and finite F64 beyond float32 are errors, not wrapped values', () => {
    const before = memory().tensors;
    const i64 = new BigInt64Array([1n, 2147483648n]);
    expectThrows(() => io.deserialize(file('I64', [2], new Uint8Array(i64.buffer)), 'big.safetensors'), 'big.safetensors', '"x"', '2147483648', 'index 1', 'int32');
    const f64 = new Float64Array([1, -1e39]);
    expectThrows(() => io.deserialize(file('F64', [2], new Uint8Array(f64.buffer)), 'big.safetensors'), 'big.safetensors', '"x"', 'float32');
    expect(memory().tensors).toBe(before);
  });
});

describe('deserialize: corrupt input gives a clear error naming the file', () => {
  const N = 'model.safetensors';
  const good = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const goodData = f32le([1, 2]);

  it('baseline: the uncorrupted file reads', () => {
    const { tensors } = io.deserialize(craft(good, goodData), N);
    expect(Array.from(tensors.w.toArray())).toEqual([1, 2]);
    disposeAll(tensors);
  });

  const cases: [string, () => Uint8Array, (string | RegExp)[]][] = [
    ['fewer than 8 bytes', () => new Uint8Array([1, 2, 3]), ['too short']],
    ['header length beyond the file', () => craft(good, goodData, { lengthOverride: 1000n }), ['header length 1000', 'beyond the end of the file']],
    ['header length 2^64-1', () => craft(good, goodData, { lengthOverride: 2n ** 64n - 1n }), ['18446744073709551615', 'beyond the end']],
    ['header not UTF-8', () => { const b = craft('{"w":{}}    '); b[10] = 0xff; return b; }, ['not valid UTF-8']],
    ['header not JSON', () => craft('{"w": {"dtype": "F32",', goodData), ['not valid JSON']],
    ['header a JSON array', () => craft('[1,2]'), ['must be a JSON object', 'an array']],
    ['header a BOM-prefixed object', () => craft('\uFEFF{}'), ['not valid JSON']],
    ['duplicate tensor name', () => craft('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32le([1])), ['"w" more than once']],
    ['duplicate field in a tensor', () => craft('{"w":{"dtype":"I32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32le([1])), ['"dtype" more than once']],
    ['unknown dtype', () => craft({ w: { ...good.w, dtype: 'F33' } }, goodData), ['"w"', 'unknown dtype "F33"']],
    ['unsupported dtype', () => craft({ w: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } }, goodData), ['"w"', 'unsupported dtype "U8"', 'F32, I32']],
    ['dtype not a string', () => craft({ w: { ...good.w, dtype: 4 } }, goodData), ['dtype must be a string']],
    ['missing field', () => craft({ w: { dtype: 'F32', shape: [2] } }, goodData), ['missing field "data_offsets"']],
    ['unexpected field', () => craft({ w: { ...good.w, strides: [1] } }, goodData), ['unexpected field "strides"']],
    ['tensor info not an object', () => craft({ w: [1, 2] }, goodData), ['"w"', 'expected an object']],
    ['negative shape', () => craft({ w: { ...good.w, shape: [-2] } }, goodData), ['shape must be an array of non-negative integers']],
    ['fractional shape', () => craft({ w: { ...good.w, shape: [2.5] } }, goodData), ['shape must be an array of non-negative integers']],
    ['shape/offset mismatch', () => craft({ w: { ...good.w, shape: [3] } }, goodData), ['"w"', 'shape [3] with dtype F32 needs 12 bytes', 'hold 8']],
    ['huge shape', () => craft({ w: { ...good.w, shape: [2 ** 30, 2 ** 30, 2 ** 30] } }, goodData), ['too many elements']],
    ['data_offsets of the wrong length', () => craft({ w: { ...good.w, data_offsets: [0, 4, 8] } }, goodData), ['data_offsets must be [begin, end]']],
    ['data_offsets reversed', () => craft({ w: { ...good.w, data_offsets: [8, 0] } }, goodData), ['"w"', 'out of order']],
    ['data_offsets out of range', () => craft({ w: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, goodData), ['"w"', 'out of range', 'only 8 bytes']],
    ['data_offsets overlapping', () => craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, goodData), ['overlap', '"a"', '"b"']],
    ['a gap between tensors', () => craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, [...goodData, 0, 0, 0, 0]), ['"b"', 'gap', 'bytes 4..8']],
    ['data not starting at 0', () => craft({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, goodData), ['gap', 'bytes 0..4']],
    ['trailing garbage', () => craft(good, [...goodData, 1, 2, 3]), ['3 bytes of trailing data']],
    ['data but no tensors', () => craft({}, [1]), ['1 bytes of trailing data']],
    ['metadata value not a string', () => craft({ __metadata__: { epoch: 3 }, ...good }, goodData), ['__metadata__["epoch"] must be a string', 'number 3']],
    ['metadata not an object', () => craft({ __metadata__: 'x', ...good }, goodData), ['__metadata__ must be an object']],
  ];

  for (const [what, make, parts] of cases) {
    it(what, () => {
      const before = memory().tensors;
      expectThrows(() => io.deserialize(make(), N), `${N}: `, ...parts);
      expect(memory().tensors).toBe(before);
    });
  }

  it('without a name, errors say "safetensors data"', () => {
    expectThrows(() => io.deserialize(new Uint8Array(2)), 'safetensors data: ');
  });

  it('every truncation and every single-byte change of a valid file is either rejected or read intact', () => {
    manualSeed(3);
    const src = { w: randn([3, 2]), b: tensor([1, 2, 3], { dtype: 'int32' }) };
    const bytes = io.serialize(src, { k: 'v' });
    for (let len = 0; len < bytes.length; len++) {
      expect(() => io.deserialize(bytes.subarray(0, len))).toThrow(/safetensors data: /);
    }
    // Changing a header byte must never produce a tensor with a different shape, dtype or name
    // silently reading the wrong bytes: either it throws, or every tensor reads back as written.
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    for (let i = 0; i < 8 + n; i++) {
      const copy = bytes.slice();
      copy[i] ^= 0x01;
      let out: ReturnType<typeof io.deserialize> | null = null;
      try {
        out = io.deserialize(copy);
      } catch (e) {
        expect((e as Error).message).toMatch(/^safetensors data: /);
      }
      if (out !== null) {
        // Only harmless changes survive (a padding space, a letter of a name or of metadata): the
        // tensors, by shape, dtype and values, are the ones written.
        expect(summary(Object.values(out.tensors))).toEqual(summary(Object.values(src)));
        disposeAll(out.tensors);
      }
    }
    disposeAll(src);
  });
});

describe('serialize: rejects bad input', () => {
  it('empty names, __metadata__, non-tensors, disposed tensors, unpaired surrogates', () => {
    const t = tensor([1]);
    expectThrows(() => io.serialize({ '': t }), 'empty');
    expectThrows(() => io.serialize({ __metadata__: t }), '"__metadata__" is reserved');
    expectThrows(() => io.serialize(new Map([['__metadata__', t]])), 'reserved');
    expectThrows(() => io.serialize({ x: [1, 2] } as unknown as Record<string, Tensor>), '"x" is not a Tensor');
    expectThrows(() => io.serialize(t as unknown as Record<string, Tensor>), 'must be an object or a Map');
    expectThrows(() => io.serialize({ ['bad\uD800']: t }), 'unpaired surrogate');
    const gone = tensor([1, 2]);
    gone.dispose();
    expectThrows(() => io.serialize({ ok: t, gone }), '"gone" was disposed');
    t.dispose();
  });

  it('metadata that is not an object of strings', () => {
    const t = tensor([1]);
    expectThrows(() => io.serialize({ t }, { epoch: 3 } as unknown as Record<string, string>), 'metadata["epoch"] must be a string', 'number 3');
    expectThrows(() => io.serialize({ t }, { x: null } as unknown as Record<string, string>), 'metadata["x"] must be a string', 'null');
    expectThrows(() => io.serialize({ t }, ['a'] as unknown as Record<string, string>), 'metadata must be an object');
    expectThrows(() => io.serialize({ t }, null as unknown as Record<string, string>), 'metadata must be an object');
    expectThrows(() => io.serialize({ t }, { k: 'lone \uDC00' }), 'unpaired surrogate');
    t.dispose();
  });
});
