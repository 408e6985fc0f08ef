/**
 * What a user name may be: 1–24 characters of letters (any script), digits,
 * `_`, `-` and `.`, not ending in `.`, NFC-normalised, in one script, not
 * reserved. Names are unique by their look: two names that look alike
 * (Latin `poe` and Cyrillic `рое`, `bob` and `ʙᴏʙ`), written in any case,
 * may not be online together ({@linkcode lookalikeKeys}).
 *
 * @module
 */

import { CONFUSABLES_PACKED } from "./confusables.ts";
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

function _chars(hex: string): string {
  return String.fromCodePoint(...hex.split(" ").map((h) => parseInt(h, 16)));
}

/**
 * The prototype of each character that has one: a character or a short
 * sequence that looks the same, such as `p` for Cyrillic `р` and `rn` for
 * `m`. Only characters a name can hold after NFKC and NFD are listed;
 * unpacked from `confusables.ts`, generated from the Unicode data.
 */
export const CONFUSABLE_PROTOTYPES: ReadonlyMap<string, string> = new Map(
  CONFUSABLES_PACKED.split(",").map((entry) => {
    const [source, target] = entry.split(":") as [string, string];
    return [_chars(source), _chars(target)];
  }),
);

// The keys of the reserved names (see lookalikeKeys, below), so a name that
// looks like one is reserved too.
const RESERVED_KEYS: ReadonlySet<string> = new Set(
  [...RESERVED_NAMES].flatMap((name) => lookalikeKeys(name)),
);

function _isReserved(name: string): boolean {
  return lookalikeKeys(name).some((key) => RESERVED_KEYS.has(key));
}

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
 * Surrounding white space is ignored; the result is NFC-normalised. A name
 * may not end in `.` (it would read as the end of a sentence: `Welcome,
 * bob.!`); that is refused as `invalid_chars`, whose text says so. A name
 * that looks like a reserved one (`ʀᴏᴏᴛ` in small capitals) is reserved too.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { checkName } from "./name_rules.ts";
 *
 * assertEquals(checkName(" João "), { ok: true, name: "João" });
 * assertEquals(checkName("a b").ok, false);
 * assertEquals(checkName("\u0430na"), { ok: false, code: "mixed_scripts", name: "\u0430na" });
 * assertEquals(checkName("bob."), { ok: false, code: "invalid_chars", name: "bob." });
 * ```
 *
 * @param requested What the user asked for.
 * @returns The normalised name, or why it is refused.
 */
export function checkName(requested: string): NameCheck {
  const name = requested.trim().normalize("NFC");
  const shape = checkNameShape(name, MAX_NAME_LENGTH);
  if (!shape.ok) return shape;
  if (_isReserved(name)) return { ok: false, code: "reserved", name };
  return shape;
}

/**
 * Checks the shape of a name that is already trimmed and NFC-normalised:
 * 1 to `maxLength` code points of letters (in one script, each with its
 * combining marks), digits, `_`, `-` and `.`, at least one letter or
 * digit, nothing invisible, no final `.`. User names
 * ({@linkcode checkName}) and room names after their `#`
 * (`checkRoomName()`) follow it.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { checkNameShape } from "./name_rules.ts";
 *
 * assertEquals(checkNameShape("games", 32), { ok: true, name: "games" });
 * assertEquals(checkNameShape("-_-", 32).ok, false);
 * ```
 *
 * @param name The name, trimmed and normalised.
 * @param maxLength Most code points.
 * @returns The name, or why its shape is refused (a refused name is
 * echoed with only harmless characters).
 */
export function checkNameShape(name: string, maxLength: number): NameCheck {
  if (name.length === 0) return { ok: false, code: "empty", name };
  if ([...name].length > maxLength) {
    return { ok: false, code: "too_long", name: _printable(name) };
  }
  if (
    !NAME_SHAPE.test(name) || INVISIBLE.test(name) || !HAS_ALNUM.test(name) ||
    name.endsWith(".")
  ) {
    return { ok: false, code: "invalid_chars", name: _printable(name) };
  }
  if (mixesScripts(name)) return { ok: false, code: "mixed_scripts", name };
  return { ok: true, name };
}

/**
 * The key under which names are equal as written, ignoring case: case-folded
 * and NFKC-normalised. Colours, mentions and completion read it; whether a
 * name is free is decided by {@linkcode lookalikeKeys}, which also folds
 * look-alike letters.
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

// Replaces each character of a text by its look-alike prototype, as UTS #39
// defines the skeleton: decompose, map, decompose again.
function _prototypes(text: string): string {
  let mapped = "";
  for (const char of text.normalize("NFD")) {
    mapped += CONFUSABLE_PROTOTYPES.get(char) ?? char;
  }
  return mapped.normalize("NFD");
}

/**
 * The look of a text, ignoring case: its confusable skeleton (Unicode
 * Technical Standard #39: decompose, replace each character by its
 * prototype from `confusables.txt`, decompose again), of the NFKC text and
 * case-folded, repeated until it stops changing, so the skeleton of a
 * skeleton is itself. Two texts with the same skeleton look alike. The
 * table is `confusables.ts`, generated from the Unicode data
 * (`deno task gen:confusables`).
 *
 * By the standard, `0` looks like `O` and `1`, `I` like `l`, and `rn` like
 * `m`; small capitals read as their letters (`ʙ` as `b`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { confusableSkeleton } from "./name_rules.ts";
 *
 * assertEquals(confusableSkeleton("\u0440\u043e\u0435"), "poe"); // Cyrillic
 * assertEquals(confusableSkeleton("\u0299\u1d0f\u0299"), "bob"); // small capitals
 * assertEquals(confusableSkeleton("paypaI"), "paypal");
 * assertEquals(confusableSkeleton("mary"), "rnary");
 * ```
 *
 * @param text Any text.
 * @returns Its skeleton: a comparison key, never shown.
 */
export function confusableSkeleton(text: string): string {
  let current = text.normalize("NFKC");
  // A prototype may be a capital (`0` → `O`) that folding turns into a
  // letter with a prototype of its own; a few rounds settle every table
  // entry (tests check it).
  for (let round = 0; round < 4; round++) {
    const next = nameKey(_prototypes(current));
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * The keys under which a name is unique: two names may not be online
 * together when they share a key. One key is the skeleton of the name as
 * written (so `paypaI` with a capital `I` looks like `paypal`), the other
 * the skeleton of the name ignoring case (so `ʙᴏʙ` looks like `Bob`, and
 * `BILL` is `bill`).
 *
 * @example
 * ```ts
 * import { assert, assertFalse } from "@std/assert";
 * import { lookalikeKeys } from "./name_rules.ts";
 *
 * const share = (a: string, b: string) =>
 *   lookalikeKeys(a).some((key) => lookalikeKeys(b).includes(key));
 * assert(share("poe", "\u0440\u043e\u0435"));
 * assert(share("BILL", "bill"));
 * assertFalse(share("ana", "anna"));
 * ```
 *
 * @param name A name.
 * @returns One or two keys, the name ignoring case first.
 */
export function lookalikeKeys(name: string): string[] {
  const ignoringCase = confusableSkeleton(nameKey(name));
  const asWritten = confusableSkeleton(name);
  return asWritten === ignoringCase
    ? [ignoringCase]
    : [ignoringCase, asWritten];
}

function _shorten(name: string): string {
  const chars = [...name];
  return chars.length > 32 ? chars.slice(0, 32).join("") + "…" : name;
}

// A refused name is echoed back in the error; keep only harmless characters.
function _printable(name: string): string {
  return _shorten(name.replace(/[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu, "?"));
}
