/** SHA-256 through the Web Crypto API (browsers in secure contexts, workers, Node ≥ 18). */

/** Lower-case hex SHA-256 of `bytes`; throws if `crypto.subtle` is unavailable (an insecure http:// page). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new Error(
      'cannot verify the SHA-256 checksum: crypto.subtle is unavailable ' +
        '(browsers only provide it on https:// or localhost pages); pass { verify: false } to skip the check',
    );
  }
  const digest = await subtle.digest(
    'SHA-256',
    bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes),
  );
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
