/**
 * The QR code of the web address `chat serve` prints, so a phone can
 * scan it: the matrix comes from the npm package `qrcode-generator`, and
 * is drawn here with half blocks (two modules a character cell, so the
 * code is square) and a quiet zone of 2 modules around it. The page
 * draws the same matrix ({@linkcode qrRows}).
 *
 * @module
 */

import qrcode from "qrcode-generator";

/** Modules of light around the code. */
const QUIET = 2;

/**
 * The QR matrix of a text: `true` for a dark module, row by row.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { qrMatrix } from "./qr.ts";
 *
 * const matrix = qrMatrix("http://192.168.1.23:50002");
 * assertEquals(matrix.length, 25); // version 2
 * assertEquals(matrix[0]!.slice(0, 7), [true, true, true, true, true, true, true]);
 * ```
 *
 * @param text What the code says (a URL).
 * @returns The modules, a square.
 * @throws {RangeError} `Cannot make a QR code: the text is too long` past
 * what a QR code holds.
 */
export function qrMatrix(text: string): boolean[][] {
  const code = qrcode(0, "M");
  try {
    code.addData(text, "Byte");
    code.make();
  } catch {
    throw new RangeError("Cannot make a QR code: the text is too long");
  }
  const size = code.getModuleCount();
  return Array.from(
    { length: size },
    (_, row) => Array.from({ length: size }, (_, col) => code.isDark(row, col)),
  );
}

/**
 * The matrix as text rows of `1` (dark) and `0`, the form the page is
 * given.
 *
 * @param text What the code says.
 * @returns One string a row.
 */
export function qrRows(text: string): string[] {
  return qrMatrix(text).map((row) =>
    row.map((dark) => dark ? "1" : "0").join("")
  );
}

/** Options of {@linkcode renderQr}. */
export interface RenderQrOptions {
  /**
   * Draw black on white with colour codes, whatever the terminal's
   * colours. Without colour, light modules are drawn as blocks in the
   * text colour, which reads right on a dark terminal (the usual one).
   * @default {false}
   */
  color?: boolean;
}

/**
 * A QR matrix as terminal lines, two rows of modules a line (`▀`, `▄`,
 * `█`, space), with a quiet zone around it.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { renderQr } from "./qr.ts";
 *
 * // Without colour, blocks are the light modules.
 * assertEquals(renderQr([[true, false], [false, true]]), [
 *   "██████",
 *   "██▄▀██",
 *   "██████",
 * ]);
 * ```
 *
 * @param matrix Dark modules, row by row.
 * @param options Colour.
 * @returns The lines.
 */
export function renderQr(
  matrix: readonly (readonly boolean[])[],
  options: RenderQrOptions = {},
): string[] {
  const size = matrix.length + 2 * QUIET;
  const dark = (row: number, col: number) =>
    matrix[row - QUIET]?.[col - QUIET] === true;
  // What is drawn in the text colour: dark modules on a white background,
  // or the light ones when the terminal's own background is the dark.
  const drawn = options.color
    ? dark
    : (row: number, col: number) => !dark(row, col);
  const lines: string[] = [];
  for (let row = 0; row < size; row += 2) {
    let line = "";
    for (let col = 0; col < size; col++) {
      const top = drawn(row, col);
      const bottom = row + 1 < size && drawn(row + 1, col);
      line += top ? (bottom ? "█" : "▀") : (bottom ? "▄" : " ");
    }
    lines.push(options.color ? `\x1b[30;107m${line}\x1b[0m` : line);
  }
  return lines;
}
