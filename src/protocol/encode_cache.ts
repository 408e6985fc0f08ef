/**
 * Encode once per broadcast. The hub hands the same message object to every
 * member; the first reader of each (codec, variant) encodes it, the rest
 * reuse the same {@linkcode Encoded} object while the loop lasts. A new
 * message object starts afresh.
 *
 * @module
 */

import type { Codec } from "./codec.ts";
import type { ServerMessage } from "./messages.ts";

/** A message as one reader's dialect writes it. */
export interface Encoded {
  /** The line(s), each ending in `\n`; `""` when the dialect shows nothing. */
  readonly text: string;
  /** The same, as UTF-8. */
  readonly bytes: Uint8Array;
}

const encoder = new TextEncoder();
const EMPTY: Encoded = { text: "", bytes: new Uint8Array(0) };

// The encodings of the current message, one per (codec, variant): a few at
// most (native, plain in each language). Past MAX_VARIANTS, readers are
// encoded for without caching.
const MAX_VARIANTS = 8;
let _message: ServerMessage | null = null;
let _count = 0;
// Compared by identity only.
const _codecs: unknown[] = new Array(MAX_VARIANTS).fill(null);
const _variants: string[] = new Array(MAX_VARIANTS).fill("");
const _encoded: Encoded[] = new Array(MAX_VARIANTS).fill(EMPTY);

function _reset(message: ServerMessage): void {
  _message = message;
  for (let i = 0; i < _count; i++) {
    _codecs[i] = null;
    _encoded[i] = EMPTY;
  }
  _count = 0;
}

/**
 * Wraps text already in a reader's dialect (a direct reply, a per-reader
 * encoding) with its bytes.
 *
 * @param text The line(s).
 * @returns The text and its UTF-8 bytes.
 */
export function encodedText(text: string): Encoded {
  return text === "" ? EMPTY : { text, bytes: encoder.encode(text) };
}

/**
 * A message in one reader's dialect, encoded once for every reader of the
 * same codec and variant.
 *
 * @example
 * ```ts
 * import { assertStrictEquals } from "@std/assert";
 * import { encodeOnce } from "./encode_cache.ts";
 * import { NATIVE_CODEC } from "./native_codec.ts";
 *
 * const message = { type: "join", name: "ana", time: 0 } as const;
 * assertStrictEquals(
 *   encodeOnce(message, NATIVE_CODEC, null),
 *   encodeOnce(message, NATIVE_CODEC, null),
 * );
 * ```
 *
 * @param message The message.
 * @param codec The reader's codec.
 * @param state The reader's codec state.
 * @returns The encoding; its text is `""` for messages the dialect does
 * not show.
 */
export function encodeOnce<State>(
  message: ServerMessage,
  codec: Codec<State>,
  state: State,
): Encoded {
  const variant = codec.variant(message, state);
  if (variant === null) return encodedText(codec.encode(message, state));
  if (message !== _message) _reset(message);
  for (let i = 0; i < _count; i++) {
    if (_codecs[i] === codec && _variants[i] === variant) return _encoded[i]!;
  }
  const encoded = encodedText(codec.encode(message, state));
  if (_count < MAX_VARIANTS) {
    _codecs[_count] = codec;
    _variants[_count] = variant;
    _encoded[_count] = encoded;
    _count++;
  }
  return encoded;
}
