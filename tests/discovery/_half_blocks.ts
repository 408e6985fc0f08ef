// Reads a QR code drawn with half blocks back into its modules, for the
// QR tests (unit, and the tmux snapshot in tests/e2e/discovery_test.ts).

/**
 * Reads half-block lines back into modules: what is drawn (blocks) and
 * what is not, two rows a line.
 */
export function readHalfBlocks(lines: readonly string[]): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of lines) {
    // deno-lint-ignore no-control-regex
    const chars = [...line.replace(/\x1b\[[0-9;]*m/g, "")];
    rows.push(chars.map((c) => c === "█" || c === "▀"));
    rows.push(chars.map((c) => c === "█" || c === "▄"));
  }
  return rows;
}
