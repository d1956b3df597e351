import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isGzip } from '../../src/data/gunzip.js';
import { gunzipEach, gunzipToArray } from '../../src/data/gunzip-core.js';

const payload = new Uint8Array(100_000).map((_, i) => (i * 7919) % 251);
const gz = new Uint8Array(gzipSync(payload));

describe.each([
  ['gunzipToArray (the core decoder)', gunzipToArray],
])('%s', (_label, fn) => {
  it('round-trips', async () => {
    const out = await fn(gz, 'x.gz');
    expect(out.length).toBe(payload.length);
    expect(Buffer.compare(out, payload)).toBe(0);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(out.length);
  });

  it('rejects data that is not gzip', async () => {
    await expect(fn(new Uint8Array([0, 0, 8, 1]), 'plain.idx')).rejects.toThrow(
      'plain.idx: not gzip data (starts with 00 00 08 01, expected 1f 8b)',
    );
    await expect(fn(new Uint8Array(0), 'empty.gz')).rejects.toThrow(/empty\.gz: not gzip data \(starts with nothing/);
  });

  it('rejects corrupt gzip, naming the file', async () => {
    const bad = gz.slice();
    for (let i = 20; i < 60; i++) bad[i] ^= 0xa5;
    await expect(fn(bad, 'bad.gz')).rejects.toThrow(/^bad\.gz: corrupt gzip data/);
  });

  it('rejects truncated gzip, naming the file', async () => {
    await expect(fn(gz.subarray(0, gz.length >> 1), 'half.gz')).rejects.toThrow(/^half\.gz: corrupt gzip data/);
  });
});

it('isGzip', () => {
  expect(isGzip(gz)).toBe(true);
  expect(isGzip(payload)).toBe(false);
  expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
});

describe.each([
  ['gunzipEach (the core decoder)', gunzipEach],
])('%s with a reader', (_label, fn) => {
  /** A reader over `bytes` giving at most `most` bytes per read, recording the buffers it is lent. */
  function reader(bytes: Uint8Array, most: number, lent: Uint8Array[]) {
    let at = 0;
    return async (into: Uint8Array): Promise<number> => {
      lent.push(into);
      const n = Math.min(into.length, most, bytes.length - at);
      into.set(bytes.subarray(at, at + n));
      at += n;
      return n;
    };
  }

  it('round-trips through one lent buffer, pieces of any size (the magic number split too)', async () => {
    for (const most of [1, 7, 1 << 20]) {
      const lent: Uint8Array[] = [];
      const out: number[] = [];
      const total = await fn(reader(gz, most, lent), 'x.gz', {}, (c) => out.push(...c));
      expect(total).toBe(payload.length);
      expect(Buffer.compare(Uint8Array.from(out), payload)).toBe(0);
      expect(new Set(lent.map((b) => b.buffer)).size).toBe(1);
    }
  });

  it('passes on what the reader and the sink throw, and checks the magic number', async () => {
    const failing = async (): Promise<number> => {
      throw new Error('disk on fire');
    };
    await expect(fn(failing, 'x.gz', {}, () => undefined)).rejects.toThrow(/^disk on fire$/);
    await expect(fn(reader(gz, 1000, []), 'x.gz', {}, () => {
      throw new Error('sink full');
    })).rejects.toThrow(/^sink full$/);
    await expect(fn(reader(new Uint8Array(0), 10, []), 'empty.gz', {}, () => undefined)).rejects.toThrow(
      /empty\.gz: not gzip data \(starts with nothing/,
    );
    await expect(fn(reader(payload, 1, []), 'plain', {}, () => undefined)).rejects.toThrow(/^plain: not gzip data/);
    const bad = gz.slice();
    for (let i = 20; i < 60; i++) bad[i] ^= 0xa5;
    await expect(fn(reader(bad, 999, []), 'bad.gz', {}, () => undefined)).rejects.toThrow(/^bad\.gz: corrupt gzip data/);
  });
});
