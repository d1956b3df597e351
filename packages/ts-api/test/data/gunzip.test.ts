import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzip, gunzipNode, gunzipWeb, isGzip } from '../../src/data/gunzip.js';

const payload = new Uint8Array(100_000).map((_, i) => (i * 7919) % 251);
const gz = new Uint8Array(gzipSync(payload));

describe.each([
  ['gunzip (auto)', gunzip],
  ['gunzipNode (node:zlib)', gunzipNode],
  ['gunzipWeb (DecompressionStream)', gunzipWeb],
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
