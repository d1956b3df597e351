/**
 * gzip decompression for Node and browsers.
 *
 * Node: `node:zlib` (loaded with a dynamic import, so a browser bundle never contains it).
 * Browsers / workers: the standard `DecompressionStream('gzip')`.
 */

import { importNode, isNodeRuntime } from './node-import.js';

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A view over a plain (non-shared) ArrayBuffer, as Web APIs require; copies only if needed. */
function plainBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

function corrupt(name: string, reason: unknown): Error {
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new Error(`${name}: corrupt gzip data (${detail}); the file is damaged or incomplete`, {
    cause: reason,
  });
}

function checkMagic(bytes: Uint8Array, name: string): void {
  if (!isGzip(bytes)) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(
      `${name}: not gzip data (starts with ${head || 'nothing: the file is empty'}, expected 1f 8b)`,
    );
  }
}

/** Decompresses with the web-standard `DecompressionStream` (browsers, workers, Node ≥ 18). */
export async function gunzipWeb(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  checkMagic(bytes, name);
  if (typeof DecompressionStream === 'undefined') {
    throw new Error(`${name}: cannot decompress: this runtime has no DecompressionStream`);
  }
  try {
    const stream = new Blob([plainBuffer(bytes)]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw corrupt(name, e);
  }
}

/** Decompresses with `node:zlib`. */
export async function gunzipNode(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  checkMagic(bytes, name);
  const zlib = await importNode('node:zlib');
  const out = await new Promise<Uint8Array>((resolve, reject) => {
    zlib.gunzip(bytes, (err, result) => (err ? reject(corrupt(name, err)) : resolve(result)));
  });
  // A Buffer may be a slice of Node's shared pool; hand out a plain Uint8Array over its own memory.
  return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength
    ? new Uint8Array(out.buffer, 0, out.byteLength)
    : new Uint8Array(out);
}

/**
 * Decompresses gzip bytes: with `node:zlib` in Node, with `DecompressionStream` elsewhere.
 * Errors name `name` (the file or URL): not gzip at all, or corrupt / truncated data.
 */
export function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  return isNodeRuntime() ? gunzipNode(bytes, name) : gunzipWeb(bytes, name);
}
