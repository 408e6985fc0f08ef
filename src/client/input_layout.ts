/**
 * Where the prompt and the input line fall on the terminal: which part of
 * the text goes on which row, and where the cursor is. The terminal client
 * draws every row itself with an explicit line break instead of letting the
 * terminal wrap, so it always knows how many rows the input takes. Pure.
 *
 * @module
 */

import { clusterWidth } from "./text_width.ts";

const SEGMENTER = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** One row of the input: `line.slice(start, end)`, `width` columns. */
export interface InputRow {
  /** Index of the row's first code unit in `prompt + text`. */
  start: number;
  /** Index just after the row's last code unit. */
  end: number;
  /** Columns the row's text takes. */
  width: number;
}

/** The prompt and input laid out in rows. */
export interface InputLayout {
  /** The prompt and the text, as drawn. */
  line: string;
  /**
   * The rows, at least one. The last is never full: when the text fills
   * its last row exactly, an empty row follows, where the cursor goes.
   */
  rows: InputRow[];
  /** Row of the cursor. */
  cursorRow: number;
  /** Column of the cursor. */
  cursorCol: number;
}

/**
 * Lays out a prompt and the text after it in rows of `width` columns. A
 * cluster two columns wide never straddles two rows.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { layoutInput } from "./input_layout.ts";
 *
 * const layout = layoutInput("ana> ", "hello there", 3, 10);
 * assertEquals(layout.rows.map((row) => layout.line.slice(row.start, row.end)), [
 *   "ana> hello",
 *   " there",
 * ]);
 * assertEquals([layout.cursorRow, layout.cursorCol], [0, 8]);
 * ```
 *
 * @param prompt The prompt.
 * @param text The input.
 * @param cursor The cursor, an index into `text`.
 * @param width Columns of the terminal, at least 1.
 * @returns The layout.
 */
export function layoutInput(
  prompt: string,
  text: string,
  cursor: number,
  width: number,
): InputLayout {
  const columns = Math.max(1, width);
  const line = prompt + text;
  const rows: InputRow[] = [];
  let row: InputRow = { start: 0, end: 0, width: 0 };
  let cursorRow = -1;
  let cursorCol = 0;
  const at = prompt.length + cursor;
  const place = (index: number, cluster: string, inText: boolean) => {
    const w = clusterWidth(cluster);
    if (row.width + w > columns && row.end > row.start) {
      rows.push(row);
      row = { start: index, end: index, width: 0 };
    }
    if (inText && index === at) {
      [cursorRow, cursorCol] = [rows.length, row.width];
    }
    row.end = index + cluster.length;
    row.width += w;
  };
  // The prompt and the text are segmented apart: a mark typed first
  // never joins the prompt's last character.
  for (const part of SEGMENTER.segment(prompt)) {
    place(part.index, part.segment, false);
  }
  for (const part of SEGMENTER.segment(text)) {
    place(prompt.length + part.index, part.segment, true);
  }
  rows.push(row);
  if (row.width >= columns) {
    rows.push({ start: row.end, end: row.end, width: 0 });
  }
  if (cursorRow < 0) {
    cursorRow = rows.length - 1;
    cursorCol = rows[cursorRow]!.width;
  }
  // A cursor at the very end of a full row shows at the start of the next.
  if (cursorCol >= columns) [cursorRow, cursorCol] = [cursorRow + 1, 0];
  return { line, rows, cursorRow, cursorCol };
}
