/**
 * How many terminal columns text takes, by grapheme cluster: a letter with
 * its accents is one column, an emoji with its skin tone or a family joined
 * with ZWJ is two, CJK ideographs are two, bidi isolates and other format
 * characters none. Pure; what the terminal client needs to lay out its
 * input line and to wrap messages, not a full `wcwidth`.
 *
 * @module
 */

const SEGMENTER = new Intl.Segmenter(undefined, { granularity: "grapheme" });

// East Asian Wide and Fullwidth ranges (UAX #11), the ones chat text meets:
// Hangul Jamo, CJK radicals to Yi, Hangul syllables, compatibility
// ideographs, vertical and fullwidth forms, and the supplementary
// ideographic planes.
const WIDE =
  /^[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{18aff}\u{1b000}-\u{1b2ff}\u{1f200}-\u{1f2ff}\u{20000}-\u{3fffd}]/u;

// Emoji shown as pictures: with default emoji presentation, or any
// pictograph asked to be one with VS16, and flags (regional indicators).
const EMOJI =
  /^\p{Emoji_Presentation}|^\p{Extended_Pictographic}.*\ufe0f|^\p{Regional_Indicator}/u;

// Clusters that take no column: marks, format characters (ZWJ, bidi
// isolates, soft hyphen...) and controls on their own.
const ZERO = /^[\p{M}\p{Cf}\p{Cc}]+$/u;

/**
 * Splits text into grapheme clusters: what a reader sees as one character.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { graphemes } from "./text_width.ts";
 *
 * assertEquals(graphemes("a👍🏽e\u0301"), ["a", "👍🏽", "e\u0301"]);
 * ```
 *
 * @param text Any text.
 * @returns Its grapheme clusters, in order.
 */
export function graphemes(text: string): string[] {
  return Array.from(SEGMENTER.segment(text), (part) => part.segment);
}

/**
 * The start of the grapheme cluster that holds the code unit at `index`,
 * so a cursor never lands inside one.
 *
 * @param text Any text.
 * @param index A code unit index, `0 <= index <= text.length`.
 * @returns The index of the cluster's first code unit (`text.length` for
 * `text.length`).
 */
export function clusterStart(text: string, index: number): number {
  if (index <= 0) return 0;
  if (index >= text.length) return text.length;
  return SEGMENTER.segment(text).containing(index)!.index;
}

/**
 * The end of the grapheme cluster that starts at or holds `index`.
 *
 * @param text Any text.
 * @param index A code unit index.
 * @returns The index just after the cluster.
 */
export function clusterEnd(text: string, index: number): number {
  if (index >= text.length) return text.length;
  const part = SEGMENTER.segment(text).containing(Math.max(0, index))!;
  return part.index + part.segment.length;
}

/**
 * Columns one grapheme cluster takes on a terminal.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { clusterWidth } from "./text_width.ts";
 *
 * assertEquals(["a", "é", "👍🏽", "中", "\u2068"].map(clusterWidth), [1, 1, 2, 2, 0]);
 * ```
 *
 * @param cluster One grapheme cluster.
 * @returns 0, 1 or 2.
 */
export function clusterWidth(cluster: string): 0 | 1 | 2 {
  const first = cluster.charCodeAt(0);
  // Fast path: printable ASCII and Latin-1 letters.
  if (first >= 0x20 && first < 0x7f) return 1;
  if (cluster === "") return 0;
  if (EMOJI.test(cluster) || WIDE.test(cluster)) return 2;
  if (ZERO.test(cluster)) return 0;
  return 1;
}

/**
 * Columns text takes on a terminal, without line breaks or escape codes.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { textWidth } from "./text_width.ts";
 *
 * assertEquals(textWidth("ana: olá 👋🏽"), 11);
 * ```
 *
 * @param text Text without control characters.
 * @returns The number of columns.
 */
export function textWidth(text: string): number {
  if (/^[ -~]*$/.test(text)) return text.length;
  let width = 0;
  for (const part of SEGMENTER.segment(text)) {
    width += clusterWidth(part.segment);
  }
  return width;
}
