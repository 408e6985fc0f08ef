/**
 * Tells a TLS connection from a plain one by its first bytes: a TLS client
 * speaks first, and its first record is a handshake record (type 22, a
 * 3.x version) holding a ClientHello (handshake type 1). No text line
 * starts with byte 22 (the control character SYN), so a plain client is
 * never taken for a TLS one.
 *
 * @module
 */

/** What the first bytes of a connection say. */
export type FirstBytes = "tls" | "plain" | "more";

/** How many bytes {@linkcode classifyFirstBytes} needs to be sure. */
export const CLIENT_HELLO_PREFIX = 6;

/**
 * Classifies the first bytes of a connection.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { classifyFirstBytes } from "./client_hello.ts";
 *
 * assertEquals(classifyFirstBytes(new Uint8Array([22, 3, 1, 2, 0, 1])), "tls");
 * assertEquals(classifyFirstBytes(new Uint8Array([22, 3])), "more");
 * assertEquals(classifyFirstBytes(new TextEncoder().encode("ana\n")), "plain");
 * ```
 *
 * @param bytes What the peer sent first (any number of bytes).
 * @returns `"tls"` for a ClientHello's record header, `"plain"` for
 * anything else, `"more"` when the bytes so far begin a ClientHello but are
 * too few to be sure.
 */
export function classifyFirstBytes(bytes: Uint8Array): FirstBytes {
  // Record type, major version, minor version (SSL 3.0 to TLS 1.3),
  // length (2 bytes, at least a handshake header), handshake type.
  const checks: ((byte: number) => boolean)[] = [
    (byte) => byte === 22,
    (byte) => byte === 3,
    (byte) => byte <= 4,
    (byte) => byte <= 0x48, // at most 2^14 + 2048 bytes (RFC 8446 5.2)
    () => true,
    (byte) => byte === 1,
  ];
  for (let i = 0; i < checks.length; i++) {
    if (i >= bytes.length) return "more";
    if (!checks[i]!(bytes[i]!)) return "plain";
  }
  return "tls";
}
