/**
 * The words of a search, as both stores read them: runs of letters and
 * digits, in lower case, without accents — close to SQLite's `unicode61`
 * tokenizer with `remove_diacritics 2`, which indexes the lines.
 *
 * @module
 */

/** Most words one search looks for; the rest are ignored. */
export const MAX_SEARCH_WORDS = 8;

/** Longest word a search looks for, in code points; longer is cut. */
export const MAX_WORD_LENGTH = 64;

const _SEPARATORS = /[^\p{L}\p{N}]+/u;
const _MARKS = /\p{M}+/gu;

/**
 * The words of a text: lower case, accents removed, punctuation and
 * spaces dropped.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { searchWords } from "./search_words.ts";
 *
 * assertEquals(searchWords("Café, at 10?"), ["cafe", "at", "10"]);
 * assertEquals(searchWords(" ... "), []);
 * ```
 *
 * @param text Any text.
 * @returns Its words, in order, repeats kept.
 */
export function searchWords(text: string): string[] {
  return text.normalize("NFD").replace(_MARKS, "").toLowerCase().split(
    _SEPARATORS,
  ).filter((word) => word !== "");
}

/**
 * The words a search looks for: those of {@linkcode searchWords}, each at
 * most {@linkcode MAX_WORD_LENGTH} long, repeats dropped, at most
 * {@linkcode MAX_SEARCH_WORDS} of them.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { queryWords } from "./search_words.ts";
 *
 * assertEquals(queryWords("Lunch lunch at NOON"), ["lunch", "at", "noon"]);
 * ```
 *
 * @param text What a person typed after `/search`.
 * @returns The words to match, all of them.
 */
export function queryWords(text: string): string[] {
  const words = new Set<string>();
  for (const word of searchWords(text)) {
    if (words.size === MAX_SEARCH_WORDS) break;
    words.add([...word].slice(0, MAX_WORD_LENGTH).join(""));
  }
  return [...words];
}

/**
 * Tells whether a text holds every word of a query, as the full-text index
 * would (for lines not indexed yet, and for the memory store).
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { hasWords, queryWords } from "./search_words.ts";
 *
 * assert(hasWords("Lunch at noon?", queryWords("noon lunch")));
 * assert(!hasWords("Lunchtime", queryWords("lunch")));
 * ```
 *
 * @param text A line's text.
 * @param words What {@linkcode queryWords} returned.
 * @returns `true` when every word is one of the text's words.
 */
export function hasWords(text: string, words: readonly string[]): boolean {
  const has = new Set(searchWords(text));
  return words.every((word) => has.has(word));
}
