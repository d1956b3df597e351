// The gzip decoder's exports: their argument checks (statuses naming the parameter) and the outcome a
// corrupt stream leaves in the state (the call itself succeeds).
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { allocStorage, GzipDecoder, InflateStatus, inflateErrorMessage, KernelError, type Storage } from '../../src/backend/index.js';
import { inflate_feed, inflate_init } from '../../src/backend/generated/index.js';

const made: Storage[] = [];
function storage(dtype: 'int32' | 'uint8', n: number): Storage {
  const s = allocStorage(dtype, n);
  made.push(s);
  return s;
}
afterAll(() => {
  for (const s of made) s.dispose();
});

const STATE_WORDS = 2996;
const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog; '.repeat(40));
const gz = new Uint8Array(gzipSync(text));

function kernelError(f: () => void): KernelError {
  try {
    f();
  } catch (e) {
    if (e instanceof KernelError) return e;
    throw e;
  }
  throw new Error('expected a KernelError');
}

describe('inflate exports', () => {
  it('inflate_init and inflate_feed refuse a state or window of another size', () => {
    const e = kernelError(() => inflate_init(storage('int32', 100), 100));
    expect([e.code, e.message]).toEqual([5, 'inflate_init: invalid \'stateLen\' (100) (status 5 INVALID_ARGUMENT)']);
    const state = storage('int32', STATE_WORDS);
    inflate_init(state, STATE_WORDS);
    const input = storage('uint8', 16);
    const out = storage('uint8', 16);
    const w = kernelError(() => inflate_feed(state, STATE_WORDS, storage('uint8', 1000), 1000, input, 16, 0, out, 16, 0, false));
    expect([w.code, w.message]).toEqual([5, 'inflate_feed: invalid \'windowLen\' (1000) (status 5 INVALID_ARGUMENT)']);
  });

  it('refuses starts past the ends, and an output over the window', () => {
    const state = storage('int32', STATE_WORDS);
    inflate_init(state, STATE_WORDS);
    const window = storage('uint8', 32768);
    const input = storage('uint8', 16);
    const out = storage('uint8', 16);
    const a = kernelError(() => inflate_feed(state, STATE_WORDS, window, 32768, input, 16, 17, out, 16, 0, false));
    expect(a.message).toBe('inflate_feed: invalid \'inStart\' (17) (status 5 INVALID_ARGUMENT)');
    const b = kernelError(() => inflate_feed(state, STATE_WORDS, window, 32768, input, 16, 0, out, 16, 20, false));
    expect(b.message).toBe('inflate_feed: invalid \'outStart\' (20) (status 5 INVALID_ARGUMENT)');
    const c = kernelError(() => inflate_feed(state, STATE_WORDS, window, 32768, input, 16, 0, window, 16, 0, false));
    expect(c.code).toBe(8);
    expect(c.message).toBe("inflate_feed: output 'window' overlaps input 'out'; give the output its own buffer (status 8 ALIASING)");
    // Nothing was decoded: the state still starts a stream.
    const dec = new GzipDecoder(gz.length);
    try {
      dec.input.u8().set(gz);
      const into = storage('uint8', text.length);
      expect(dec.feed(gz.length, 0, into, 0, text.length, true)).toEqual({ status: InflateStatus.DONE, inUsed: gz.length, outUsed: text.length });
      expect(Buffer.compare(into.u8(), text)).toBe(0);
    } finally {
      dec.dispose();
    }
  });

  it('reports a corrupt stream in the state, not as a failed call, and keeps reporting it', () => {
    const dec = new GzipDecoder(gz.length);
    try {
      const bad = gz.slice();
      bad[bad.length - 8] ^= 1; // the CRC-32
      dec.input.u8().set(bad);
      const into = storage('uint8', text.length);
      expect(dec.feed(bad.length, 0, into, 0, text.length, true)).toEqual({ status: 23, inUsed: bad.length, outUsed: text.length });
      expect(inflateErrorMessage(23)).toBe('CRC-32 mismatch: the decompressed data is not what was compressed');
      expect(dec.feed(bad.length, 0, into, 0, text.length, true)).toEqual({ status: 23, inUsed: 0, outUsed: 0 });
    } finally {
      dec.dispose();
    }
  });
});
