/**
 * IRC's formatting codes: bold `\x02`, colour `\x03` (with its `fg[,bg]`
 * digits), hex colour `\x04`, reset `\x0f`, monospace `\x11`, reverse
 * `\x16`, italics `\x1d`, strikethrough `\x1e` and underline `\x1f`. The hub
 * keeps them in what IRC users write, so IRC readers see them; the native
 * and plain dialects strip them (with a colour's digits), so a terminal or
 * a page never sees a control character.
 *
 * @module
 */

const FORMATTING =
  // deno-lint-ignore no-control-regex
  /\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;
// deno-lint-ignore no-control-regex
const ANY = /[\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f]/;

/**
 * Tells whether a text holds IRC formatting.
 *
 * @param text Any text.
 * @returns `true` when it holds a formatting code.
 */
export function hasIrcFormatting(text: string): boolean {
  return ANY.test(text);
}

/**
 * Removes IRC formatting from a text, a colour's digits included.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { stripIrcFormatting } from "./irc_format.ts";
 *
 * assertEquals(stripIrcFormatting("\x02bold\x02 \x0304,12red\x03 1"), "bold red 1");
 * ```
 *
 * @param text Any text.
 * @returns The text without formatting.
 */
export function stripIrcFormatting(text: string): string {
  return ANY.test(text) ? text.replace(FORMATTING, "") : text;
}

/**
 * A copy of a value with every string in it stripped of IRC formatting
 * (for a whole message: its text, topic, history...).
 *
 * @param value A message, or any JSON value.
 * @returns The value, stripped (the same object when nothing needed it).
 */
export function stripFormattingDeep<T>(value: T): T {
  if (typeof value === "string") return stripIrcFormatting(value) as T;
  if (Array.isArray(value)) return value.map(stripFormattingDeep) as T;
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = stripFormattingDeep(item);
    }
    return out as T;
  }
  return value;
}
