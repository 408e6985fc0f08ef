/**
 * Encode once per broadcast. The room hands the same message object to
 * every member; the first member of a dialect and language encodes it, the
 * rest reuse the result while the loop lasts.
 *
 * @module
 */

import { encodePlain } from "./plain_codec.ts";
import { encodeMessage, type Lang, type ServerMessage } from "./messages.ts";

/** The two wire dialects. */
export type Dialect = "native" | "plain";

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

// One entry per form; a new message object resets them all.
let _message: ServerMessage | null = null;
let _json: string | null = null;
let _native: Uint8Array | null = null;
let _plainEn: Uint8Array | null = null;
let _plainPt: Uint8Array | null = null;

function _reset(message: ServerMessage): void {
  _message = message;
  _json = null;
  _native = null;
  _plainEn = null;
  _plainPt = null;
}

/**
 * The native-dialect JSON line of a message, with its `\n` (for text
 * transports such as WebSocket).
 *
 * @param message The message.
 * @returns The JSON line.
 */
export function wireText(message: ServerMessage): string {
  if (message !== _message) _reset(message);
  return _json ??= encodeMessage(message);
}

/**
 * The bytes of a message in a dialect and language (plain text depends on
 * the reader's language; native JSON does not).
 *
 * @example
 * ```ts
 * import { assertStrictEquals } from "@std/assert";
 * import { wireBytes } from "./encode_cache.ts";
 *
 * const message = { type: "join", name: "ana", time: 0 } as const;
 * assertStrictEquals(wireBytes(message, "native", "en"), wireBytes(message, "native", "pt"));
 * ```
 *
 * @param message The message.
 * @param dialect The reader's dialect.
 * @param lang The reader's language.
 * @returns The encoded line(s); empty for messages the dialect does not show.
 */
export function wireBytes(
  message: ServerMessage,
  dialect: Dialect,
  lang: Lang,
): Uint8Array {
  if (message !== _message) _reset(message);
  if (dialect === "native") {
    return _native ??= encoder.encode(_json ??= encodeMessage(message));
  }
  if (lang === "en") return _plainEn ??= _plain(message, lang);
  return _plainPt ??= _plain(message, lang);
}

function _plain(message: ServerMessage, lang: Lang): Uint8Array {
  const text = encodePlain(message, lang);
  return text === "" ? EMPTY : encoder.encode(text);
}
