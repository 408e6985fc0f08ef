/**
 * Proof that a client holds the private key of the public key it names in
 * its `hello`: the server sends a fresh random nonce (`challenge`), the
 * client signs {@linkcode proofText} — the nonce bound to the connection's
 * channel — and sends the signature (`proof`). Ed25519 and ECDSA P-256
 * (WebCrypto, so the page can hold a non-extractable key). Pure: WebCrypto
 * only, shared by the server, the terminal client and the page's tests.
 *
 * The channel binding is what the client saw of the server: the
 * fingerprint of the TLS certificate it was shown (`SHA256:…`). A relay in
 * the middle shows its own certificate, so a proof it passes on names the
 * wrong channel and fails. `chat join` binds to the certificate it verified
 * and the chat port to the one it shows. Where a side cannot see the
 * certificate, both use {@linkcode UNBOUND_CHANNEL}: a connection without
 * TLS (plain TCP, plain WebSocket) and the page, whose script cannot see
 * the certificate of its HTTPS (the WebSocket over `--web-tls`).
 *
 * @module
 */

/** The signature algorithms a personal key may use. */
export type KeyAlgorithm = "Ed25519" | "ECDSA-P256";

/** A public key as a `hello` carries it. */
export interface PublicKeyInfo {
  /** Its algorithm. */
  alg: KeyAlgorithm;
  /**
   * The raw public key in base64url, without padding: 32 bytes for
   * Ed25519, 65 (uncompressed point) for ECDSA P-256.
   */
  key: string;
}

/**
 * The channel binding of a connection without TLS: a named placeholder,
 * replaced by the server certificate's fingerprint once the connection is
 * encrypted (the transport gives it).
 */
export const UNBOUND_CHANNEL = "unbound";

/** Bytes of a challenge's nonce. */
export const NONCE_BYTES = 32;

const _PREFIX = "chat name proof v1";
const _RAW_BYTES: Readonly<Record<KeyAlgorithm, number>> = {
  "Ed25519": 32,
  "ECDSA-P256": 65,
};
const _ID_PREFIX: Readonly<Record<KeyAlgorithm, string>> = {
  "Ed25519": "ed25519",
  "ECDSA-P256": "p256",
};
const _SIGNATURE_BYTES = 64;
const _BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Encodes bytes as base64url without padding.
 *
 * @param bytes The bytes.
 * @returns The text.
 */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

/**
 * Decodes base64url without padding, refusing anything else.
 *
 * @param text The text.
 * @param maxBytes Most bytes accepted: longer text is refused unread.
 * @returns The bytes, or `null` when the text is not base64url or too long.
 */
export function fromBase64Url(
  text: string,
  maxBytes: number,
): Uint8Array<ArrayBuffer> | null {
  if (text.length > Math.ceil(maxBytes * 4 / 3) || !_BASE64URL.test(text)) {
    return null;
  }
  if (text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/**
 * Reads a public key from a decoded `hello`, checking its shape and size.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { readPublicKey } from "./key_proof.ts";
 *
 * const key = "A".repeat(43);
 * assertEquals(readPublicKey({ alg: "Ed25519", key }), { alg: "Ed25519", key });
 * assertEquals(readPublicKey({ alg: "RSA", key }), null);
 * assertEquals(readPublicKey({ alg: "Ed25519", key: key + "AAAA" }), null);
 * ```
 *
 * @param value The `key` field of a hello.
 * @returns The key, or `null` when it is not one this server takes.
 */
export function readPublicKey(value: unknown): PublicKeyInfo | null {
  if (typeof value !== "object" || value === null) return null;
  const { alg, key } = value as Record<string, unknown>;
  if (alg !== "Ed25519" && alg !== "ECDSA-P256") return null;
  if (typeof key !== "string") return null;
  const raw = fromBase64Url(key, _RAW_BYTES[alg]);
  if (raw === null || raw.length !== _RAW_BYTES[alg]) return null;
  if (alg === "ECDSA-P256" && raw[0] !== 4) return null;
  return { alg, key };
}

/**
 * The id a claim keeps of a public key: its algorithm and its bytes.
 *
 * @param info The key.
 * @returns `ed25519:<base64url>` or `p256:<base64url>`.
 */
export function keyIdOf(info: PublicKeyInfo): string {
  return `${_ID_PREFIX[info.alg]}:${info.key}`;
}

/**
 * A new random nonce for a challenge.
 *
 * @returns {@linkcode NONCE_BYTES} random bytes in base64url.
 */
export function newNonce(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
}

/**
 * What the client signs: the nonce and the channel binding, with a fixed
 * prefix so that the signature means nothing anywhere else.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { proofText } from "./key_proof.ts";
 *
 * assertEquals(
 *   new TextDecoder().decode(proofText("bm9uY2U", "unbound")),
 *   "chat name proof v1\nbm9uY2U\nunbound\n",
 * );
 * ```
 *
 * @param nonce The challenge's nonce, as sent.
 * @param channel The channel binding ({@linkcode UNBOUND_CHANNEL} without TLS).
 * @returns The bytes to sign.
 */
export function proofText(
  nonce: string,
  channel: string,
): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${_PREFIX}\n${nonce}\n${channel}\n`);
}

/**
 * The WebCrypto parameters of an algorithm, for importing, signing and
 * verifying.
 *
 * @param alg The algorithm.
 * @returns Its import and sign parameters.
 */
export function webCryptoParams(alg: KeyAlgorithm): {
  importParams: AlgorithmIdentifier | EcKeyImportParams;
  signParams: AlgorithmIdentifier | EcdsaParams;
} {
  return alg === "Ed25519"
    ? { importParams: { name: "Ed25519" }, signParams: { name: "Ed25519" } }
    : {
      importParams: { name: "ECDSA", namedCurve: "P-256" },
      signParams: { name: "ECDSA", hash: "SHA-256" },
    };
}

/**
 * Checks a proof: a signature, by the key, of the nonce and channel.
 *
 * @param info The public key the hello named (checked by
 * {@linkcode readPublicKey}).
 * @param signature The proof's signature, base64url.
 * @param nonce The nonce the server sent.
 * @param channel The channel binding the server expects.
 * @returns `true` for a good signature; `false` for anything else (never
 * throws: a bad key or signature is a failed proof).
 */
export async function verifyProof(
  info: PublicKeyInfo,
  signature: string,
  nonce: string,
  channel: string,
): Promise<boolean> {
  const raw = fromBase64Url(info.key, _RAW_BYTES[info.alg]);
  const signed = fromBase64Url(signature, _SIGNATURE_BYTES);
  if (raw === null || signed === null || signed.length !== _SIGNATURE_BYTES) {
    return false;
  }
  const params = webCryptoParams(info.alg);
  try {
    const key = await crypto.subtle.importKey(
      "raw",
      raw,
      params.importParams,
      false,
      ["verify"],
    );
    return await crypto.subtle.verify(
      params.signParams,
      key,
      signed,
      proofText(nonce, channel),
    );
  } catch {
    // A point not on the curve, a key WebCrypto refuses: no proof.
    return false;
  }
}
