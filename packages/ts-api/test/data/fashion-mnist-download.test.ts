import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FASHION_MNIST_FILES,
  FASHION_MNIST_SYSTEM_DIR,
  loadFashionMnistFiles,
  loadFashionMnistFromUrls,
} from '../../src/data/fashion-mnist-files.js';

type Behaviour = 'ok' | 'not-found' | 'flip-gzip-bytes' | 'wrong-content' | 'cut';

const NAMES = Object.values(FASHION_MNIST_FILES);
const files = new Map<string, Buffer>();
const behaviour = new Map<string, Behaviour>();
const requests: string[] = [];
let server: Server;
let baseUrl: string;
let cache: string;

function serve(name: string, mode: Behaviour, res: import('node:http').ServerResponse): void {
  const body = files.get(name);
  if (!body || mode === 'not-found') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
    return;
  }
  if (mode === 'cut') {
    // Announce the whole file, send half of it, then drop the connection.
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
    res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
    return;
  }
  let out = body;
  if (mode === 'flip-gzip-bytes') {
    out = Buffer.from(body);
    for (let i = out.length >> 1; i < (out.length >> 1) + 64; i++) out[i] ^= 0xff;
  } else if (mode === 'wrong-content') {
    // A valid gzip of a valid IDX file with one label changed: only the checksum can catch it.
    const raw = gunzipSync(body);
    raw[8 + 100] = (raw[8 + 100] + 1) % 10;
    out = gzipSync(raw);
  }
  res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': out.length }).end(out);
}

beforeAll(async () => {
  for (const n of NAMES) files.set(n, await readFile(join(FASHION_MNIST_SYSTEM_DIR, n)));
  server = createServer((req, res) => {
    const name = (req.url ?? '').replace(/^\/mirror\//, '');
    requests.push(name);
    serve(name, behaviour.get(name) ?? 'ok', res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(async () => {
  behaviour.clear();
  requests.length = 0;
  cache = await mkdtemp(join(tmpdir(), 'softmax-fmnist-dl-'));
});

afterEach(async () => {
  await rm(cache, { recursive: true, force: true });
});

/** Byte equality without vitest's diff (which cannot cope with 47 MB arrays). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** The cache holds only complete files: no temporary/partial files, and none of `absent`. */
async function expectCleanCache(absent: string[]): Promise<string[]> {
  const entries = await readdir(cache);
  expect(entries.filter((e) => e.startsWith('.') || e.endsWith('.part'))).toEqual([]);
  for (const a of absent) expect(entries).not.toContain(a);
  return entries;
}

describe('downloading Fashion-MNIST (local mirror on 127.0.0.1)', () => {
  it('downloads into the cache folder, then reuses the cache', async () => {
    let fetches = 0;
    const fetchImpl = (u: string) => {
      fetches++;
      return fetch(u);
    };
    const progress = new Map<string, number>();
    const first = await loadFashionMnistFiles({
      root: cache,
      baseUrl,
      fetchImpl,
      onProgress: (f, received) => progress.set(f, received),
    });
    expect(first.train.count).toBe(60000);
    expect(first.test.count).toBe(10000);
    expect(first.train.labels[0]).toBe(9);
    expect(fetches).toBe(4);
    expect(requests.sort()).toEqual([...NAMES].sort());
    expect(first.sources.trainImages).toEqual({
      path: join(cache, FASHION_MNIST_FILES.trainImages),
      downloadedFrom: baseUrl + FASHION_MNIST_FILES.trainImages,
    });
    expect(progress.get(FASHION_MNIST_FILES.trainImages)).toBe(files.get(FASHION_MNIST_FILES.trainImages)!.length);
    expect((await expectCleanCache([])).sort()).toEqual([...NAMES].sort());
    for (const n of NAMES) expect(sameBytes(await readFile(join(cache, n)), files.get(n)!)).toBe(true);

    const second = await loadFashionMnistFiles({ root: cache, baseUrl, fetchImpl });
    expect(fetches).toBe(4);
    expect(requests.length).toBe(4);
    expect(second.sources.trainImages).toEqual({ path: join(cache, FASHION_MNIST_FILES.trainImages) });
    expect(sameBytes(second.train.images, first.train.images)).toBe(true);
    expect(sameBytes(second.test.labels, first.test.labels)).toBe(true);
  });

  it('a valid gzip with changed content fails the checksum and leaves no file', async () => {
    behaviour.set(FASHION_MNIST_FILES.trainLabels, 'wrong-content');
    await expect(loadFashionMnistFiles({ root: cache, baseUrl })).rejects.toThrow(
      new RegExp(
        `^${baseUrl}train-labels-idx1-ubyte\\.gz: checksum mismatch: SHA-256 of the decompressed data is [0-9a-f]{64}, expected bad3541b`,
      ),
    );
    const left = await expectCleanCache([FASHION_MNIST_FILES.trainLabels]);
    // The other, good files were verified and kept.
    expect(left.length).toBe(3);
  });

  it('flipped bytes in the gzip stream are reported as a corrupt download and leave no file', async () => {
    behaviour.set(FASHION_MNIST_FILES.testImages, 'flip-gzip-bytes');
    await expect(loadFashionMnistFiles({ root: cache, baseUrl })).rejects.toThrow(
      `${baseUrl}t10k-images-idx3-ubyte.gz: corrupt gzip data`,
    );
    await expectCleanCache([FASHION_MNIST_FILES.testImages]);
  });

  it('a 404 names the URL and the status', async () => {
    behaviour.set(FASHION_MNIST_FILES.testLabels, 'not-found');
    await expect(loadFashionMnistFiles({ root: cache, baseUrl })).rejects.toThrow(
      `${baseUrl}t10k-labels-idx1-ubyte.gz: HTTP 404 Not Found`,
    );
    await expectCleanCache([FASHION_MNIST_FILES.testLabels]);
  });

  it('several failures are all reported', async () => {
    for (const n of NAMES) behaviour.set(n, 'not-found');
    const err = await loadFashionMnistFiles({ root: cache, baseUrl }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^Fashion-MNIST: 4 files failed:/);
    for (const n of NAMES) expect(msg).toContain(`${baseUrl}${n}: HTTP 404 Not Found`);
    expect(await readdir(cache)).toEqual([]);
  });

  it('a connection cut half-way is a clear error and leaves no half-written file', async () => {
    behaviour.set(FASHION_MNIST_FILES.trainImages, 'cut');
    const total = files.get(FASHION_MNIST_FILES.trainImages)!.length;
    await expect(loadFashionMnistFiles({ root: cache, baseUrl })).rejects.toThrow(
      new RegExp(`^${baseUrl}train-images-idx3-ubyte\\.gz: the connection broke after \\d+ of ${total} bytes`),
    );
    await expectCleanCache([FASHION_MNIST_FILES.trainImages]);
  });

  it('a cut connection is caught even by a fetch that does not throw (length check)', async () => {
    const half = files.get(FASHION_MNIST_FILES.trainLabels)!.subarray(0, 1000);
    const full = files.get(FASHION_MNIST_FILES.trainLabels)!.length;
    const fetchImpl = async (u: string): Promise<Response> =>
      u.endsWith(FASHION_MNIST_FILES.trainLabels)
        ? new Response(new Uint8Array(half), { headers: { 'content-length': String(full) } })
        : fetch(u);
    await expect(loadFashionMnistFiles({ root: cache, baseUrl, fetchImpl })).rejects.toThrow(
      `${baseUrl}train-labels-idx1-ubyte.gz: incomplete download: received 1000 bytes, the server announced ${full}`,
    );
    await expectCleanCache([FASHION_MNIST_FILES.trainLabels]);
  });

  it('an unreachable mirror is a clear error', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    await expect(
      loadFashionMnistFiles({ root: cache, baseUrl: `http://127.0.0.1:${port}/` }),
    ).rejects.toThrow(new RegExp(`http://127\\.0\\.0\\.1:${port}/train-images-idx3-ubyte\\.gz: request failed`));
    expect(await readdir(cache)).toEqual([]);
  });

  it('loadFashionMnistFromUrls (the browser path) over the same mirror', async () => {
    const d = await loadFashionMnistFromUrls(baseUrl.replace(/\/$/, ''));
    expect(d.train.count).toBe(60000);
    expect(d.test.count).toBe(10000);
    behaviour.set(FASHION_MNIST_FILES.testLabels, 'not-found');
    await expect(loadFashionMnistFromUrls(baseUrl)).rejects.toThrow(`${baseUrl}t10k-labels-idx1-ubyte.gz: HTTP 404`);
  });
});
