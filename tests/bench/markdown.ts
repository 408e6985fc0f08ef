/**
 * Small markdown helpers of the bench's report: number formats and tables.
 *
 * @module
 */

/** What the report prints for a value it does not have. */
export const NA = "n/a";

/**
 * A number with fixed decimals, or `n/a`.
 *
 * @param value The number, or `null`.
 * @param digits Decimals.
 * @returns The text.
 */
export function fixed(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? NA : value.toFixed(digits);
}

/**
 * A whole number with thousands separators.
 *
 * @param value The number.
 * @returns The text, such as `1,998,000`.
 */
export function count(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/**
 * Kilobytes as megabytes with one decimal, or `n/a`.
 *
 * @param kb Kilobytes, or `null`.
 * @returns The text.
 */
export function mb(kb: number | null): string {
  return kb === null ? NA : (kb / 1024).toFixed(1);
}

// A cell's own "|" would end it early.
function _row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`;
}

/**
 * A markdown table.
 *
 * @param header Column titles.
 * @param rows Cells, row by row.
 * @returns Its lines.
 */
export function table(header: readonly string[], rows: string[][]): string[] {
  return [
    _row(header),
    _row(header.map(() => "---")),
    ...rows.map(_row),
  ];
}

/**
 * A ratio as `1.25×`, or `n/a`.
 *
 * @param value The ratio, or `null`.
 * @returns The text.
 */
export function times(value: number | null): string {
  return value === null ? NA : `${value.toFixed(2)}×`;
}
