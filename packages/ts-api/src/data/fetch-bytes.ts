/**
 * Fetching a whole file into memory, with errors a person can act on: the URL and HTTP status on a
 * failed request, how many bytes arrived when a connection is cut. Works with any `fetch`.
 */

/** The subset of `fetch` used here; pass a custom one to add headers, proxies or mocks. */
export type FetchLike = (url: string) => Promise<Response>;

/** Optional progress callback: bytes received so far and the total if the server announced it. */
export type ProgressCallback = (received: number, total: number | undefined) => void;

/**
 * Downloads `url` completely. Throws if the request fails, the status is not 2xx, the connection
 * breaks mid-way or fewer/more bytes arrive than `Content-Length` announced (when it is meaningful,
 * i.e. no Content-Encoding was applied by the transport).
 */
export async function fetchBytes(
  url: string,
  fetchImpl: FetchLike = (u) => fetch(u),
  onProgress?: ProgressCallback,
): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetchImpl(url);
  } catch (e) {
    throw new Error(`${url}: request failed (${describe(e)})`, { cause: e });
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`${url}: HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`);
  }
  const lengthHeader = res.headers.get('content-length');
  const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const total = lengthHeader !== null && !encoded ? Number(lengthHeader) : undefined;
  const expected = total !== undefined && Number.isSafeInteger(total) && total >= 0 ? total : undefined;

  const chunks: Uint8Array[] = [];
  let received = 0;
  if (res.body) {
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        onProgress?.(received, expected);
      }
    } catch (e) {
      throw new Error(
        `${url}: the connection broke after ${received}` +
          (expected !== undefined ? ` of ${expected}` : '') +
          ` bytes (${describe(e)})`,
        { cause: e },
      );
    }
  } else {
    const buf = new Uint8Array(await res.arrayBuffer());
    chunks.push(buf);
    received = buf.byteLength;
  }
  if (expected !== undefined && received !== expected) {
    throw new Error(
      `${url}: incomplete download: received ${received} bytes, the server announced ${expected}`,
    );
  }
  if (chunks.length === 1 && chunks[0].byteOffset === 0 && chunks[0].byteLength === chunks[0].buffer.byteLength) {
    return chunks[0];
  }
  const out = new Uint8Array(received);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return e.message + cause;
}
