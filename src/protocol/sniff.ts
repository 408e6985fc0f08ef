/**
 * Which codec reads a connection, from its first line. Every codec is listed
 * here once, in the order they are tried; adding a dialect is adding its
 * module and its line in {@linkcode CODECS}.
 *
 * @module
 */

import { IRC_CODEC } from "./irc_codec.ts";
import { NATIVE_CODEC } from "./native_codec.ts";
import { PLAIN_CODEC } from "./plain_codec.ts";

/**
 * Every codec, in the order sniffing tries them. The last takes any line.
 */
export const CODECS = [
  NATIVE_CODEC,
  IRC_CODEC,
  PLAIN_CODEC,
] as const;

/**
 * The codec of a connection that has not shown its dialect when the server
 * must answer it (it stayed silent, or its first line was too long): plain,
 * which netcat users can read.
 */
export const FALLBACK_CODEC: typeof PLAIN_CODEC = PLAIN_CODEC;

/**
 * Picks the codec for a connection from its first non-blank line.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { sniff } from "./sniff.ts";
 *
 * assertEquals(sniff('{"type":"hello","version":1,"name":"ana"}').id, "native");
 * assertEquals(sniff("ana").id, "plain");
 * ```
 *
 * @param line The first line, without its line ending.
 * @returns The first codec in {@linkcode CODECS} that claims it.
 */
export function sniff(line: string): (typeof CODECS)[number] {
  for (const codec of CODECS) {
    if (codec.claims(line)) return codec;
  }
  return FALLBACK_CODEC;
}
