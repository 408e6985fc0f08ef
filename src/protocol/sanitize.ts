/**
 * Removes everything from user text that could act on a terminal instead of
 * being shown: escape sequences (CSI, OSC, DCS, SOS, PM, APC and two-byte
 * ESC sequences, in their 7-bit and 8-bit forms), C0 and C1 control
 * characters, DEL, line and paragraph separators, and bidirectional
 * override characters. Every printable character survives, in any script,
 * emoji (with their joiners) included.
 *
 * @module
 */

// Escape sequences first, so their parameters go with them:
// - CSI: ESC [ or U+009B, parameter and intermediate bytes, one final byte;
// - OSC, DCS, SOS, PM, APC: ESC ] P X ^ _ or U+009D U+0090 U+0098 U+009E U+009F,
//   a body, then BEL or ST (ESC \ or U+009C), or the end of the text;
// - any other ESC plus one character (ESC c resets a terminal, ESC 7 saves...).
const ESCAPE_SEQUENCE = new RegExp(
  [
    "(?:\\x1b\\[|\\x9b)[\\x20-\\x3f]*[\\x40-\\x7e]?",
    "(?:\\x1b[\\]PX^_]|[\\x90\\x98\\x9d\\x9e\\x9f])[^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)?",
    "\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]?",
  ].join("|"),
  "g",
);

// C0 controls, DEL, C1 controls, line/paragraph separators, bidi controls
// (LRM/RLM/ALM and the embedding, override and isolate characters), and the
// interlinear annotation and object replacement controls.
const CONTROL =
  // deno-lint-ignore no-control-regex
  /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufff9-\ufffb]/g;

/**
 * Makes user text safe to show on anyone's terminal or page.
 *
 * Tabs become a space; everything listed in the module docs is removed.
 *
 * @example Escape sequences and controls disappear, text stays
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { sanitizeText } from "./sanitize.ts";
 *
 * assertEquals(sanitizeText("\x1b[2Jhi\x1b]0;pwned\x07 there\r\n"), "hi there");
 * assertEquals(sanitizeText("olá 👋🏽 мир"), "olá 👋🏽 мир");
 * ```
 *
 * @param text Any string.
 * @returns The string without anything a terminal would act on.
 */
export function sanitizeText(text: string): string {
  // Fast path: most chat lines are plain printable text.
  if (!_needsWork(text)) return text;
  return _clean(text, CONTROL);
}

/**
 * As {@linkcode sanitizeText}, but keeps IRC's formatting codes (`\x02
 * \x03 \x04 \x0f \x11 \x16 \x1d \x1e \x1f`): the hub keeps them in chat
 * text for IRC readers, and the other dialects strip them
 * (`irc_format.ts`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { sanitizeKeepingFormatting } from "./sanitize.ts";
 *
 * assertEquals(sanitizeKeepingFormatting("\x02bold\x02\x1b[2J\x07"), "\x02bold\x02");
 * ```
 *
 * @param text Any string.
 * @returns The string without anything a terminal would act on but IRC's
 * formatting.
 */
export function sanitizeKeepingFormatting(text: string): string {
  if (!_needsWork(text)) return text;
  return _clean(text, CONTROL_BUT_FORMATTING);
}

function _clean(text: string, control: RegExp): string {
  return text.replace(ESCAPE_SEQUENCE, "").replaceAll("\t", " ").replace(
    control,
    "",
  );
}

// CONTROL without IRC's formatting codes.
const CONTROL_BUT_FORMATTING =
  // deno-lint-ignore no-control-regex
  /[\x00\x01\x05-\x08\x0a-\x0e\x10\x12-\x15\x17-\x1c\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufff9-\ufffb]/g;

const NEEDS_WORK =
  // deno-lint-ignore no-control-regex
  /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufff9-\ufffb]/;

function _needsWork(text: string): boolean {
  return NEEDS_WORK.test(text);
}

/**
 * Tells whether a string holds anything {@linkcode sanitizeText} would remove.
 *
 * @param text Any string.
 * @returns `true` when the text holds a control, escape or bidi character.
 */
export function hasUnsafeCharacters(text: string): boolean {
  return _needsWork(text);
}
