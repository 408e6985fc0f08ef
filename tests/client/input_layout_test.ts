import { assertEquals } from "@std/assert";
import { layoutInput } from "../../src/client/input_layout.ts";

function rows(layout: ReturnType<typeof layoutInput>): string[] {
  return layout.rows.map((row) => layout.line.slice(row.start, row.end));
}

Deno.test("layoutInput() fills rows to the width and puts the cursor after the text", () => {
  const layout = layoutInput("ana> ", "abcdefghijklmno", 15, 10);
  assertEquals(rows(layout), ["ana> abcde", "fghijklmno", ""]);
  // A full last row: the cursor waits at the start of an empty row.
  assertEquals([layout.cursorRow, layout.cursorCol], [2, 0]);
});

Deno.test("layoutInput() never splits a wide character over two rows", () => {
  const layout = layoutInput("> ", "abcdefg中文", 7, 10);
  assertEquals(rows(layout), ["> abcdefg", "中文"]);
  assertEquals(layout.rows.map((row) => row.width), [9, 4]);
  assertEquals([layout.cursorRow, layout.cursorCol], [1, 0]);
});

Deno.test("layoutInput() counts an emoji with its skin tone as two columns and a mark as none", () => {
  const layout = layoutInput("> ", "👍🏽e\u0301x", "👍🏽e\u0301".length, 20);
  assertEquals(layout.rows.map((row) => row.width), [6]);
  assertEquals([layout.cursorRow, layout.cursorCol], [0, 5]);
});

Deno.test("layoutInput() keeps a mark typed first apart from the prompt", () => {
  const layout = layoutInput("> ", "\u0301", 0, 20);
  assertEquals(layout.rows[0]!.width, 2);
  assertEquals([layout.cursorRow, layout.cursorCol], [0, 2]);
});
