/**
 * Wraps one rendered line to the terminal's width with a hanging indent,
 * as irssi does: the rows after the first start under the message text, not
 * under the timestamp. Breaks at spaces in the text where it can, inside a
 * word only when a word is wider than a row; counts columns by grapheme
 * cluster; keeps colours (SGR escape codes) and closes them at the end of
 * each row, so an indent never shows a background. Pure.
 *
 * @module
 */

import { clusterWidth, graphemes, textWidth } from "./text_width.ts";

// deno-lint-ignore no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;
const RESET = "\x1b[0m";

/** One piece of a row: a grapheme cluster, or an escape code (no width). */
interface _Piece {
  text: string;
  width: number;
  escape: boolean;
  space: boolean;
}

/**
 * Wraps `line` into rows of at most `width` columns; every row but the
 * first starts with `indent` spaces (at most half the width).
 *
 * @example A message wrapped under its text
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { wrapLine } from "./wrap_line.ts";
 *
 * assertEquals(
 *   wrapLine("[12:00] bob: one two three four five", 26, 13),
 *   "[12:00] bob: one two three\n             four five",
 * );
 * ```
 *
 * @param line One line, without line breaks; may hold SGR escape codes.
 * @param width Columns of the terminal.
 * @param indent Columns before the text on the first row.
 * @returns The rows joined with `\n`; the line itself when it fits.
 */
export function wrapLine(line: string, width: number, indent: number): string {
  if (width < 2) return line;
  if (textWidth(line.replace(SGR, "")) <= width) return line;
  const hang = Math.max(0, Math.min(indent, Math.floor(width / 2)));
  const rows: string[] = [];
  // Escape codes in force where the current row starts (replayed after
  // its indent), and the row's pieces.
  let styles: string[] = [];
  let row: _Piece[] = [];
  let col = 0;
  // Spaces before this column belong to the timestamp and name, or to the
  // indent: no break there.
  let breakFrom = indent;

  const finish = (pieces: _Piece[], open: string[]): void => {
    const text = pieces.map((piece) => piece.text).join("").trimEnd();
    rows.push(open.length > 0 ? text + RESET : text);
  };
  const startRow = (open: string[], carried: _Piece[]): void => {
    styles = open;
    const replay = open.join("");
    row = [
      {
        text: " ".repeat(hang) + replay,
        width: hang,
        escape: false,
        space: false,
      },
      ...carried,
    ];
    col = row.reduce((sum, piece) => sum + piece.width, 0);
    breakFrom = hang;
  };

  for (const piece of _pieces(line)) {
    if (piece.space && col + piece.width > width) {
      // The row is full up to a space: break there, dropping it.
      const open = _fold(styles, row);
      finish(row, open);
      startRow(open, []);
      continue;
    }
    if (!piece.escape && col + piece.width > width) {
      // Break after the last space of the text in this row, dropping it.
      let at = -1;
      let seen = 0;
      for (let i = 0; i < row.length; i++) {
        const candidate = row[i]!;
        if (candidate.space && seen >= breakFrom) at = i;
        seen += candidate.width;
      }
      const kept = at > 0 ? row.slice(0, at) : row;
      const carried = at > 0 ? row.slice(at + 1) : [];
      const open = _fold(styles, kept);
      finish(kept, open);
      startRow(open, carried);
    }
    row.push(piece);
    col += piece.width;
  }
  finish(row, _fold(styles, row));
  return rows.join("\n");
}

// The escape codes in force after `pieces`, starting from `styles`.
function _fold(styles: string[], pieces: _Piece[]): string[] {
  let open = styles;
  for (const piece of pieces) {
    if (!piece.escape) continue;
    open = piece.text === RESET ? [] : [...open, piece.text];
  }
  return open;
}

function _pieces(line: string): _Piece[] {
  const pieces: _Piece[] = [];
  let last = 0;
  const add = (text: string) => {
    for (const cluster of graphemes(text)) {
      pieces.push({
        text: cluster,
        width: clusterWidth(cluster),
        escape: false,
        space: cluster === " ",
      });
    }
  };
  for (const match of line.matchAll(SGR)) {
    add(line.slice(last, match.index));
    pieces.push({ text: match[0], width: 0, escape: true, space: false });
    last = match.index + match[0].length;
  }
  add(line.slice(last));
  return pieces;
}
