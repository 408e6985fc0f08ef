/**
 * IRC's SASL payloads (IRCv3 `sasl` 3.1 and 3.2): `AUTHENTICATE` lines
 * carry base64 in chunks of at most 400 bytes, a chunk of exactly 400
 * saying more follows and `+` standing for an empty one; `PLAIN`'s
 * message is `authzid NUL authcid NUL password` (RFC 4616), `EXTERNAL`'s
 * is the authorisation identity, or nothing (RFC 4422). Pure.
 *
 * @module
 */

/** The mechanisms the server offers, as `CAP LS 302` and 908 write them. */
export const SASL_MECHANISMS: readonly string[] = ["PLAIN", "EXTERNAL"];

/** Bytes of one `AUTHENTICATE` chunk at most. */
export const SASL_CHUNK_BYTES = 400;

/** Bytes of base64 one exchange may send in all (a name and a password fit). */
export const MAX_SASL_BYTES = 1600;

/** What one `AUTHENTICATE` chunk came to. */
export type SaslChunk =
  /** More chunks follow; `buffer` is what came so far. */
  | { kind: "more"; buffer: string }
  /** The payload is whole: its bytes, decoded. */
  | { kind: "done"; payload: Uint8Array }
  /** Too long (905), or not base64 (904). */
  | { kind: "too_long" }
  | { kind: "bad" };

/**
 * Adds one `AUTHENTICATE` chunk to what came before it.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { readSaslChunk } from "./irc_sasl.ts";
 *
 * assertEquals(readSaslChunk("", "+"), { kind: "done", payload: new Uint8Array() });
 * assertEquals(readSaslChunk("", "YQ=="), { kind: "done", payload: new Uint8Array([97]) });
 * ```
 *
 * @param buffer The base64 of the chunks before (`""` for the first).
 * @param chunk The chunk's parameter.
 * @returns More to come, the whole payload, or why it is refused.
 */
export function readSaslChunk(buffer: string, chunk: string): SaslChunk {
  if (chunk.length > SASL_CHUNK_BYTES) return { kind: "too_long" };
  const text = chunk === "+" ? buffer : buffer + chunk;
  if (text.length > MAX_SASL_BYTES) return { kind: "too_long" };
  if (chunk.length === SASL_CHUNK_BYTES) return { kind: "more", buffer: text };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    return { kind: "bad" };
  }
  try {
    const binary = atob(text);
    return {
      kind: "done",
      payload: Uint8Array.from(binary, (char) => char.charCodeAt(0)),
    };
  } catch {
    return { kind: "bad" };
  }
}

/** What a `PLAIN` message says. */
export interface SaslPlain {
  /** The name to log in as (the authentication identity). */
  account: string;
  /** Its password. */
  password: string;
}

/**
 * Reads a `PLAIN` message. An authorisation identity other than the
 * authentication identity (acting as someone else) is refused.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseSaslPlain } from "./irc_sasl.ts";
 *
 * const bytes = new TextEncoder().encode("\0ana\0secret");
 * assertEquals(parseSaslPlain(bytes), { account: "ana", password: "secret" });
 * ```
 *
 * @param payload The decoded payload.
 * @returns The account and password, or `null` when malformed.
 */
export function parseSaslPlain(payload: Uint8Array): SaslPlain | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(payload);
  } catch {
    return null;
  }
  const parts = text.split("\0");
  if (parts.length !== 3) return null;
  const [authzid, account, password] = parts as [string, string, string];
  if (account === "" || password === "") return null;
  if (authzid !== "" && authzid !== account) return null;
  return { account, password };
}

/**
 * Reads an `EXTERNAL` message: the name asked for, or `""` for "the one
 * my nick says".
 *
 * @param payload The decoded payload.
 * @returns The authorisation identity, or `null` when malformed.
 */
export function parseSaslExternal(payload: Uint8Array): string | null {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(payload);
    return text.includes("\0") ? null : text;
  } catch {
    return null;
  }
}
