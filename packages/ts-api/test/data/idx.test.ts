import { describe, expect, it } from 'vitest';
import { IdxStream, parseIdx } from '../../src/data/idx.js';

/** Builds an IDX file: magic bytes, big-endian dims, then data. */
function idx(magic: [number, number, number, number], dims: number[], data: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out.set(magic, 0);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

describe('parseIdx', () => {
  it('parses a 1-D labels file', () => {
    const r = parseIdx(idx([0, 0, 8, 1], [3], [9, 0, 7]), 'labels');
    expect(r.dims).toEqual([3]);
    expect(Array.from(r.data)).toEqual([9, 0, 7]);
  });

  it('parses a 3-D images file as a zero-copy view after the header', () => {
    const bytes = idx([0, 0, 8, 3], [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    const r = parseIdx(bytes, 'images');
    expect(r.dims).toEqual([2, 2, 3]);
    expect(Array.from(r.data)).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    expect(r.data.buffer).toBe(bytes.buffer);
    expect(r.data.byteOffset).toBe(16);
  });

  it('accepts an empty array when the dims say so', () => {
    expect(parseIdx(idx([0, 0, 8, 1], [0], []), 'x').data.length).toBe(0);
  });

  it('rejects a wrong magic number, naming the file', () => {
    expect(() => parseIdx(idx([1, 2, 8, 1], [1], [0]), 'bad.idx')).toThrow(
      /^bad\.idx: not an IDX file: magic number 0x01020801, expected 0x00000801 \(labels\) or 0x00000803 \(images\)/,
    );
    expect(() => parseIdx(idx([0, 0, 8, 2], [1, 1], [0]), 'two.idx')).toThrow(
      /two\.idx: magic number 0x00000802 declares a 2-dimensional array/,
    );
  });

  it('rejects gzip data with a hint to decompress', () => {
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), 'f.gz')).toThrow(/f\.gz: this is gzip-compressed data/);
  });

  it('rejects element types other than unsigned byte', () => {
    expect(() => parseIdx(idx([0, 0, 0x0d, 1], [1], [0, 0, 0, 0]), 'floats')).toThrow(
      'floats: magic number 0x00000d01 has element type 0x0d (float32); only 0x08 (unsigned byte) is supported',
    );
    expect(() => parseIdx(idx([0, 0, 0x42, 1], [1], [0]), 'junk')).toThrow(/0x42 \(not a valid IDX type\)/);
  });

  it('rejects a file too short for the magic number or the header', () => {
    expect(() => parseIdx(new Uint8Array([0, 0]), 'tiny')).toThrow(/tiny: not an IDX file: 2 bytes/);
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]), 'hdr')).toThrow(
      'hdr: truncated header: a 3-D IDX header is 16 bytes, the file has only 10',
    );
  });

  it('rejects truncated data with the expected and found sizes', () => {
    const bytes = idx([0, 0, 8, 3], [2, 28, 28], new Array(1234).fill(0));
    expect(() => parseIdx(bytes, 'train-images-idx3-ubyte.gz')).toThrow(
      'train-images-idx3-ubyte.gz: expected 1568 bytes of pixels after the header, found 1234 ' +
        '(the header says 2 images of 28×28; the file is truncated)',
    );
    expect(() => parseIdx(idx([0, 0, 8, 1], [5], [1, 2]), 'lab')).toThrow(
      /lab: expected 5 bytes of labels after the header, found 2/,
    );
  });

  it('rejects extra bytes after the data', () => {
    expect(() => parseIdx(idx([0, 0, 8, 1], [2], [1, 2, 3]), 'extra')).toThrow(
      'extra: expected 2 bytes of labels after the header, found 3 (the header says 2 labels; 1 unexpected bytes at the end)',
    );
  });
});

describe('IdxStream (an IDX file in pieces)', () => {
  /** Feeds `bytes` in pieces of `size` and returns the dims and what the target received. */
  function streamed(bytes: Uint8Array, size: number, name = 'f'): { dims: number[]; data: number[]; opened: number[][] } {
    const data: number[] = [];
    const opened: number[][] = [];
    const s = new IdxStream(name, (dims) => {
      opened.push([...dims]);
      return {
        write: (b, offset) => {
          expect(offset).toBe(data.length);
          data.push(...b);
        },
      };
    });
    for (let at = 0; at < bytes.length; at += size) s.push(bytes.subarray(at, at + size));
    return { dims: s.end(), data, opened };
  }

  it('gives what parseIdx gives, however the file is split', () => {
    const bytes = idx([0, 0, 8, 3], [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    for (const size of [1, 2, 3, 5, 15, 16, 17, 100]) {
      const r = streamed(bytes, size);
      expect(r.dims).toEqual([2, 2, 3]);
      expect(r.opened).toEqual([[2, 2, 3]]);
      expect(r.data).toEqual(Array.from(parseIdx(bytes, 'f').data));
    }
  });

  it('throws parseIdx\'s messages, and never writes past the count the header gives', () => {
    const cases: Uint8Array[] = [
      idx([1, 2, 8, 1], [1], [0]),
      idx([0, 0, 0x0d, 1], [1], [0, 0, 0, 0]),
      new Uint8Array([0, 0]),
      new Uint8Array([0x1f, 0x8b, 8, 0]),
      new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]),
      idx([0, 0, 8, 3], [2, 28, 28], new Array(1234).fill(0)),
      idx([0, 0, 8, 1], [2], [1, 2, 3]),
      new Uint8Array(0),
    ];
    for (const bytes of cases) {
      let expected = '';
      try {
        parseIdx(bytes, 'f');
      } catch (e) {
        expected = (e as Error).message;
      }
      expect(expected).not.toBe('');
      for (const size of [1, 3, 64]) expect(() => streamed(bytes, size)).toThrow(expected);
    }
    const written: number[] = [];
    const s = new IdxStream('f', () => ({ write: (b) => written.push(...b) }));
    s.push(idx([0, 0, 8, 1], [2], [1, 2, 3, 4]));
    expect(written).toEqual([1, 2]);
    expect(() => s.end()).toThrow('2 unexpected bytes at the end');
  });
});
