// Gzip bombs: a small .gz that unpacks to far more than an IDX file can hold must be rejected once the
// output passes what the header (and the Fashion-MNIST file it stands for) allows — not after it has
// all been decompressed into memory.
//
// The bombs are built without ever holding their decompressed data: one deflate block of 1 MiB of zeros
// (ending on a sync flush, so on a byte boundary, not final) is repeated; a block of zeros only refers
// back to zeros, so each copy is valid after any other. Most bombs end in a corrupt block instead of a
// gzip trailer: a decoder that ran to the end would report "corrupt gzip data", so the size error
// proves the decoder stopped before reaching it.

import { constants, createGzip, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeFashionMnistFile } from '../../src/data/fashion-mnist-files.js';
import { gunzipToArray } from '../../src/data/gunzip-core.js';

const MiB = 1 << 20;
const GZIP_HEADER = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** BFINAL = 1, BTYPE = 11 (reserved): any inflater stops here with "invalid block type". */
const CORRUPT_BLOCK = new Uint8Array([0x07, 0, 0, 0]);
/** One chunk of output a decoder may hold past the limit before it looks. */
const SLACK = 256 * 1024;

const syncBlocks = (data: Uint8Array) => new Uint8Array(deflateRawSync(data, { level: 9, finishFlush: constants.Z_SYNC_FLUSH }));
const zeroBlock = syncBlocks(new Uint8Array(MiB));

/** gzip bytes that decompress to `head` followed by `mib` MiB of zeros, then hit a corrupt block. */
function bomb(head: Uint8Array, mib: number): Uint8Array {
  const first = syncBlocks(head);
  const out = new Uint8Array(GZIP_HEADER.length + first.length + mib * zeroBlock.length + CORRUPT_BLOCK.length);
  let at = 0;
  for (const part of [GZIP_HEADER, first]) { out.set(part, at); at += part.length; }
  for (let i = 0; i < mib; i++) { out.set(zeroBlock, at); at += zeroBlock.length; }
  out.set(CORRUPT_BLOCK, at);
  return out;
}

/** A valid gzip file of `head` + `mib` MiB of zeros, compressed by zlib as a stream (1 MiB at a time). */
async function validBomb(head: Uint8Array, mib: number): Promise<Uint8Array> {
  const gz = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((resolve, reject) => { gz.on('end', resolve); gz.on('error', reject); });
  gz.write(head);
  const zeros = Buffer.alloc(MiB);
  for (let i = 0; i < mib; i++) {
    if (!gz.write(zeros)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return new Uint8Array(Buffer.concat(parts));
}

function idxHeader(magic: number, dims: number[]): Uint8Array {
  const h = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  h.setUint32(0, magic);
  dims.forEach((d, i) => h.setUint32(4 + 4 * i, d >>> 0));
  return new Uint8Array(h.buffer);
}

const IMAGES_60K = idxHeader(0x803, [60000, 28, 28]);
const TRAIN_IMAGES_BYTES = 16 + 60000 * 784; // 47040016, the largest Fashion-MNIST file

/** The byte count in "stopped after N bytes", checked to be no further than one chunk past `limit`. */
async function stoppedAfter(p: Promise<unknown>, message: string, limit: number): Promise<number> {
  let err: unknown;
  try { await p; } catch (e) { err = e; }
  expect(err).toBeInstanceOf(Error);
  const text = (err as Error).message;
  expect(text).toContain(message);
  const m = /stopped after (\d+) bytes/.exec(text);
  expect(m, text).not.toBeNull();
  const n = Number(m![1]);
  expect(n).toBeGreaterThan(limit);
  expect(n).toBeLessThanOrEqual(limit + SLACK);
  return n;
}

describe('decodeFashionMnistFile stops decompressing a gzip bomb', () => {
  it('an images file whose data runs on past its 60000×28×28 header: stopped just past 47 MB of 256 MB', async () => {
    const gz = bomb(IMAGES_60K, 256);
    expect(gz.length).toBeLessThan(400 * 1024);
    await stoppedAfter(
      decodeFashionMnistFile('trainImages', gz, 'train-images-idx3-ubyte.gz'),
      'train-images-idx3-ubyte.gz: the decompressed data is larger than the 47040016 bytes its IDX header declares (60000 images of 28×28); stopped after ',
      TRAIN_IMAGES_BYTES,
    );
  });

  it('a header that declares more than any Fashion-MNIST file: capped at the largest one (47 MB)', async () => {
    const largest = 'the 47040016 bytes of Fashion-MNIST\'s largest file (train-images-idx3-ubyte.gz: 60000 images of 28×28); stopped after ';
    await stoppedAfter(
      decodeFashionMnistFile('trainImages', bomb(idxHeader(0x803, [4_000_000_000, 28, 28]), 128), 'big.gz'),
      `big.gz: the decompressed data is larger than ${largest}`,
      TRAIN_IMAGES_BYTES,
    );
    await stoppedAfter(
      decodeFashionMnistFile('testLabels', bomb(idxHeader(0x801, [4_000_000_000]), 128), 'labels.gz'),
      `labels.gz: the decompressed data is larger than ${largest}`,
      TRAIN_IMAGES_BYTES,
    );
    // Without an IDX header at all, the same cap holds.
    await stoppedAfter(
      decodeFashionMnistFile('testLabels', bomb(new Uint8Array([0x42, 0, 0, 0]), 128), 'junk.gz'),
      `junk.gz: the decompressed data is larger than ${largest}`,
      TRAIN_IMAGES_BYTES,
    );
  });

  it('a header that declares fewer bytes than the data: stopped at the header\'s size', async () => {
    await stoppedAfter(
      decodeFashionMnistFile('testLabels', bomb(idxHeader(0x801, [100]), 64), 't10k-labels-idx1-ubyte.gz'),
      't10k-labels-idx1-ubyte.gz: the decompressed data is larger than the 108 bytes its IDX header declares (100 labels); stopped after ',
      108,
    );
  });

  it('a valid gzip bomb made by zlib (64 MiB of zeros after a 10000-label header)', async () => {
    const gz = await validBomb(idxHeader(0x801, [10000]), 64);
    await stoppedAfter(
      decodeFashionMnistFile('testLabels', gz, 't10k-labels-idx1-ubyte.gz'),
      't10k-labels-idx1-ubyte.gz: the decompressed data is larger than the 10008 bytes its IDX header declares (10000 labels); stopped after ',
      10008,
    );
  });

  it('a file of exactly the declared size still decodes (to its structural checks)', async () => {
    const labels = new Uint8Array(8 + 10000);
    labels.set(idxHeader(0x801, [10000]));
    for (let i = 0; i < 10000; i++) labels[8 + i] = i % 10;
    const gz = await validBomb(labels, 0);
    const idx = await decodeFashionMnistFile('testLabels', gz, 'ok.gz', { verify: false });
    expect(idx.dims).toEqual([10000]);
    expect(idx.data[12]).toBe(2);
  });
});

describe.each([
  ['gunzipToArray (the core decoder)', gunzipToArray],
])('%s with a size limit', (_label, fn) => {
  it('stops just past the limit and says what the limit was', async () => {
    await stoppedAfter(
      fn(bomb(new Uint8Array(16), 64), 'x.gz', { limit: { bytes: 5 * MiB, what: 'five MiB' } }),
      'x.gz: the decompressed data is larger than five MiB; stopped after ',
      5 * MiB,
    );
  });

  it('a limit from the first bytes of output wins when it is smaller', async () => {
    const limitFromHead = (head: Uint8Array) => (head.length >= 4 ? { bytes: head[3] * 1000, what: `${head[3]}000 bytes` } : undefined);
    await stoppedAfter(
      fn(bomb(new Uint8Array([0, 0, 0, 7]), 16), 'y.gz', { limit: { bytes: MiB, what: 'one MiB' }, limitFromHead }),
      'y.gz: the decompressed data is larger than 7000 bytes; stopped after ',
      7000,
    );
  });

  it('output of exactly the limit passes', async () => {
    const gz = await validBomb(new Uint8Array([1, 2, 3]), 1);
    const out = await fn(gz, 'z.gz', { limit: { bytes: 3 + MiB, what: 'that' } });
    expect(out.length).toBe(3 + MiB);
    expect(Array.from(out.subarray(0, 4))).toEqual([1, 2, 3, 0]);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(out.length);
  });
});
