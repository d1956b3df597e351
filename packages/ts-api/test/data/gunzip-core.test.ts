// gunzipCore: the core's gzip decoder behind the Fashion-MNIST streaming load — output into the sink's
// Storage regions or through the staging area, its errors, and the wasm memory it frees.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { allocStorage, backendMemory, type Storage } from '../../src/backend/index.js';
import { gunzipCore, gunzipToArray, type CoreSink } from '../../src/data/gunzip-core.js';

const payload = new Uint8Array(300_000).map((_, i) => ((i * 7919) % 251) ^ (i >> 10));
const gz = new Uint8Array(gzipSync(payload, { level: 6 }));

/** A sink that collects staged bytes into a JS array, and writes the rest into `into` from `from` on. */
function collector(into?: Storage, from = 0): { sink: CoreSink; out: () => Uint8Array; directAt: () => number } {
  const out = new Uint8Array(payload.length + 1000);
  let n = 0;
  let direct = -1; // where the direct writes started
  return {
    sink: {
      region: () => (into !== undefined && n >= from && n < into.length ? { storage: into, start: n, end: into.length } : undefined),
      took: (bytes, isDirect) => {
        if (isDirect && direct < 0) direct = n;
        if (!isDirect) out.set(bytes, n);
        n += bytes.length;
      },
    },
    out: () => {
      if (into !== undefined && direct >= 0) out.set(into.u8().subarray(direct, Math.min(n, into.length)), direct);
      return out.subarray(0, n);
    },
    directAt: () => direct,
  };
}

/** A reader handing out `bytes` `step` bytes at a time. */
function reader(bytes: Uint8Array, step: number): (into: Uint8Array) => Promise<number> {
  let at = 0;
  return (into) => {
    const n = Math.min(step, into.length, bytes.length - at);
    into.set(bytes.subarray(at, at + n));
    at += n;
    return Promise.resolve(n);
  };
}

describe('gunzipCore', () => {
  it('decodes through the staging area, from bytes or from a reader in odd pieces', async () => {
    for (const input of [gz, reader(gz, 1000), reader(gz, 7)]) {
      const c = collector();
      expect(await gunzipCore(input, 'x.gz', {}, c.sink)).toBe(payload.length);
      expect(Buffer.compare(c.out(), payload)).toBe(0);
    }
  });

  it('writes straight into the Storage the sink names (after a staged head)', async () => {
    const into = allocStorage('uint8', payload.length);
    try {
      const c = collector(into, 100);
      expect(await gunzipCore(gz, 'x.gz', {}, c.sink)).toBe(payload.length);
      // The first staging piece (64 KB at most) held the head; the rest went straight to the Storage.
      expect(Buffer.compare(c.out(), payload)).toBe(0);
      expect(c.directAt()).toBeGreaterThanOrEqual(100);
      expect(c.directAt()).toBeLessThanOrEqual(64 * 1024);
    } finally {
      into.dispose();
    }
  });

  it('staged bytes stay valid when the sink allocates (a growing memory detaches old views)', async () => {
    const made: Storage[] = [];
    let n = 0;
    const out = new Uint8Array(payload.length);
    await gunzipCore(gz, 'x.gz', {}, {
      region: () => undefined,
      took: (bytes) => {
        if (made.length === 0) made.push(allocStorage('uint8', 64 << 20));
        out.set(bytes, n);
        n += bytes.length;
      },
    });
    for (const s of made) s.dispose();
    expect(Buffer.compare(out, payload)).toBe(0);
  });

  it('names the file and what is wrong, and frees its wasm memory', async () => {
    const before = backendMemory();
    const cases: [Uint8Array, RegExp][] = [
      [gz.subarray(0, gz.length >> 1), /^half\.gz: corrupt gzip data \(unexpected end of data \(truncated\)\); the file is damaged or incomplete$/],
      [Uint8Array.from(gz, (b, i) => (i === gz.length - 8 ? b ^ 1 : b)), /^half\.gz: corrupt gzip data \(CRC-32 mismatch/],
      [Uint8Array.from(gz, (b, i) => (i === gz.length - 4 ? b ^ 1 : b)), /^half\.gz: corrupt gzip data \(length mismatch: the decompressed size is not the trailer's ISIZE\)/],
      [Uint8Array.from(gz, (b, i) => (i === 2 ? 7 : b)), /^half\.gz: corrupt gzip data \(bad gzip header: not gzip, not DEFLATE \(method 8\)/],
      [Uint8Array.from(gz, (b, i) => (i === 10 ? b | 6 : b)), /^half\.gz: corrupt gzip data \(a DEFLATE block of invalid type 3\)/],
    ];
    for (const [bytes, message] of cases) {
      await expect(gunzipCore(bytes, 'half.gz', {}, collector().sink)).rejects.toThrow(message);
    }
    await expect(gunzipCore(new Uint8Array([0, 0, 8, 1]), 'plain.idx', {}, collector().sink)).rejects.toThrow(
      'plain.idx: not gzip data (starts with 00 00 08 01, expected 1f 8b)',
    );
    // What the sink throws is passed on as it is.
    const boom = new Error('sink says no');
    await expect(gunzipCore(gz, 'x.gz', {}, { region: () => undefined, took: () => { throw boom; } })).rejects.toBe(boom);
    // The size limit stops it within one staging piece of the limit.
    await expect(gunzipCore(gz, 'x.gz', { limit: { bytes: 1000, what: 'a thousand bytes' } }, collector().sink)).rejects.toThrow(
      /^x\.gz: the decompressed data is larger than a thousand bytes; stopped after \d+ bytes/,
    );
    expect(backendMemory().buffers).toBe(before.buffers);
    expect(backendMemory().bytes).toBe(before.bytes);
  });
});

describe('gunzipToArray', () => {
  it('decodes whole bytes into an array of their own, sized by the trailer or grown past a lying one', async () => {
    const out = await gunzipToArray(gz, 'x.gz');
    expect(Buffer.compare(out, payload)).toBe(0);
    expect(out.buffer.byteLength).toBe(payload.length);
    // Two members: the trailer's ISIZE is the second one's only.
    const two = new Uint8Array([...gz, ...gzipSync(payload.subarray(0, 10))]);
    const both = await gunzipToArray(two, 'two.gz');
    expect(both.length).toBe(payload.length + 10);
    expect(Buffer.compare(both.subarray(payload.length), payload.subarray(0, 10))).toBe(0);
  });

  it('names the file and what is wrong', async () => {
    await expect(gunzipToArray(gz.subarray(0, 100), 'cut.gz')).rejects.toThrow(/^cut\.gz: corrupt gzip data \(unexpected end of data \(truncated\)\)/);
  });
});
