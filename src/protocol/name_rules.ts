/**
 * What a user name may be: 1–24 characters of letters (any script), digits,
 * `_`, `-` and `.`, NFC-normalised, in one script, not reserved. Names are
 * compared ignoring case.
 *
 * @module
 */

import type { NameErrorCode } from "./messages.ts";

/** Longest name, in characters (code points) after NFC normalisation. */
export const MAX_NAME_LENGTH = 24;

/** Names nobody may take: they would look like the system talking. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "server",
  "system",
  "admin",
  "administrator",
  "root",
  "chat",
  "everyone",
  "all",
  "nobody",
  "anonymous",
  "moderator",
  "mod",
  "operator",
  "you",
  "me",
]);

/** Result of {@linkcode checkName}. */
export type NameCheck =
  | { ok: true; name: string }
  | { ok: false; code: NameErrorCode; name: string };

// A letter or digit may be followed by combining marks (for scripts that
// need them after NFC, such as Devanagari).
const NAME_SHAPE = /^(?:[\p{L}\p{Nd}_.-]\p{M}*)+$/u;

// A name of only `-`, `_` and `.` would look like punctuation or a notice
// marker (`--`): at least one letter or digit.
const HAS_ALNUM = /[\p{L}\p{Nd}]/u;

// Letters that draw nothing (Hangul fillers and other default-ignorable
// code points) would make a blank name.
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

// Scripts a letter can belong to; letters of two of these may not share a
// name. Han, Hiragana and Katakana count as one (Japanese mixes them).
const SCRIPTS: ReadonlyArray<readonly [string, RegExp]> = [
  ["Latin", /\p{Script=Latin}/u],
  ["Cyrillic", /\p{Script=Cyrillic}/u],
  ["Greek", /\p{Script=Greek}/u],
  ["Armenian", /\p{Script=Armenian}/u],
  ["Hebrew", /\p{Script=Hebrew}/u],
  ["Arabic", /\p{Script=Arabic}/u],
  ["Georgian", /\p{Script=Georgian}/u],
  ["Hangul", /\p{Script=Hangul}/u],
  ["Thai", /\p{Script=Thai}/u],
  ["Devanagari", /\p{Script=Devanagari}/u],
  ["CJK", /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ["Cherokee", /\p{Script=Cherokee}/u],
];

function _scriptOf(char: string): string {
  for (const [script, pattern] of SCRIPTS) {
    if (pattern.test(char)) return script;
  }
  return "Other";
}

/**
 * Tells whether the letters of a name come from more than one script.
 *
 * @param name A name.
 * @returns `true` when letters of two scripts appear, such as Latin `a` and Cyrillic `а`.
 */
export function mixesScripts(name: string): boolean {
  let seen: string | undefined;
  for (const char of name) {
    if (!/\p{L}/u.test(char)) continue;
    const script = _scriptOf(char);
    if (seen === undefined) seen = script;
    else if (seen !== script) return true;
  }
  return false;
}

/**
 * Checks a requested name and returns its normalised form.
 *
 * Surrounding white space is ignored; the result is NFC-normalised.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { checkName } from "./name_rules.ts";
 *
 * assertEquals(checkName(" João "), { ok: true, name: "João" });
 * assertEquals(checkName("a b").ok, false);
 * assertEquals(checkName("\u0430na"), { ok: false, code: "mixed_scripts", name: "\u0430na" });
 * ```
 *
 * @param requested What the user asked for.
 * @returns The normalised name, or why it is refused.
 */
export function checkName(requested: string): NameCheck {
  const name = requested.trim().normalize("NFC");
  if (name.length === 0) return { ok: false, code: "empty", name };
  if ([...name].length > MAX_NAME_LENGTH) {
    return { ok: false, code: "too_long", name: _printable(name) };
  }
  if (
    !NAME_SHAPE.test(name) || INVISIBLE.test(name) || !HAS_ALNUM.test(name)
  ) {
    return { ok: false, code: "invalid_chars", name: _printable(name) };
  }
  if (mixesScripts(name)) return { ok: false, code: "mixed_scripts", name };
  if (RESERVED_NAMES.has(nameKey(name))) {
    return { ok: false, code: "reserved", name };
  }
  return { ok: true, name };
}

/**
 * The key under which a name is unique: case-folded and NFC-normalised.
 *
 * @param name A valid name.
 * @returns The comparison key.
 */
export function nameKey(name: string): string {
  // NFKC folds look-alike compatibility forms (fullwidth `ａｎａ`) onto
  // their plain letters, so they cannot pose as, or reserve around, `ana`.
  // Folding can produce new compositions (dotless ı + accent): fold, then
  // normalise again.
  return name.normalize("NFKC").toLowerCase().toUpperCase().toLowerCase()
    .normalize("NFKC");
}

function _shorten(name: string): string {
  const chars = [...name];
  return chars.length > 32 ? chars.slice(0, 32).join("") + "…" : name;
}

// A refused name is echoed back in the error; keep only harmless characters.
function _printable(name: string): string {
  return _shorten(name.replace(/[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu, "?"));
}
