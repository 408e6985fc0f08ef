/**
 * Certificate fingerprints, the SHA-256 of a certificate's DER bytes,
 * written two ways: as ssh writes key fingerprints (`SHA256:` and unpadded
 * base64, what `chat` prints and `chat join --fingerprint` takes) and as
 * IRC clients and `openssl x509 -fingerprint -sha256` write them (hex
 * pairs joined by colons).
 *
 * @module
 */

/**
 * SHA-256 of a certificate in DER.
 *
 * @param der The certificate.
 * @returns The 32 bytes.
 */
export async function certificateSha256(der: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", der as Uint8Array<ArrayBuffer>),
  );
}

/**
 * A fingerprint as ssh prints one.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatFingerprint } from "./fingerprint.ts";
 *
 * assertEquals(formatFingerprint(new Uint8Array(32)), "SHA256:" + "A".repeat(43));
 * ```
 *
 * @param sha256 The 32 bytes.
 * @returns `SHA256:<base64>`.
 */
export function formatFingerprint(sha256: Uint8Array): string {
  return `SHA256:${btoa(String.fromCharCode(...sha256)).replace(/=+$/, "")}`;
}

/**
 * A fingerprint as IRC clients take one.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { hexFingerprint } from "./fingerprint.ts";
 *
 * assertEquals(hexFingerprint(new Uint8Array([0xab, 1])), "AB:01");
 * ```
 *
 * @param sha256 The bytes.
 * @returns `AB:01:...`.
 */
export function hexFingerprint(sha256: Uint8Array): string {
  return [...sha256].map((byte) =>
    byte.toString(16).toUpperCase().padStart(2, "0")
  ).join(":");
}

/**
 * Reads a SHA-256 fingerprint written either way (`SHA256:<base64>`, or
 * 64 hex digits with or without colons).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatFingerprint, parseFingerprint } from "./fingerprint.ts";
 *
 * const bytes = new Uint8Array(32).fill(0xab);
 * assertEquals(parseFingerprint(formatFingerprint(bytes)), bytes);
 * assertEquals(parseFingerprint("ab".repeat(32)), bytes);
 * assertEquals(parseFingerprint("SHA256:short"), null);
 * ```
 *
 * @param text The fingerprint.
 * @returns The 32 bytes, or `null` when `text` is not a fingerprint.
 */
export function parseFingerprint(text: string): Uint8Array | null {
  const trimmed = text.trim();
  const ssh = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(trimmed);
  if (ssh) {
    const binary = atob(ssh[1]! + "=");
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }
  const hex = trimmed.replace(/:/g, "");
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  return Uint8Array.from(
    hex.match(/../g)!,
    (pair) => parseInt(pair, 16),
  );
}

/**
 * Whether two fingerprints are the same (in constant time: they are not
 * secret, but nothing is lost).
 *
 * @param a One.
 * @param b The other.
 * @returns `true` when equal.
 */
export function sameFingerprint(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
