import { assertEquals } from "@std/assert";
import { wrapLine } from "../../src/client/wrap_line.ts";

Deno.test("wrapLine() leaves a line that fits alone", () => {
  assertEquals(wrapLine("[12:00] bob: hi", 80, 13), "[12:00] bob: hi");
});

Deno.test("wrapLine() breaks at spaces of the text, not of the prefix", () => {
  assertEquals(
    wrapLine("[12:00] bob: aaaaaaaaaaaaaaaaaaaa", 24, 13).split("\n"),
    ["[12:00] bob: aaaaaaaaaaa", "            aaaaaaaaa"],
  );
});

Deno.test("wrapLine() breaks a row that ends on a space there", () => {
  assertEquals(
    wrapLine("[12:00] bob: one two three", 20, 13).split("\n"),
    ["[12:00] bob: one two", "          three"],
  );
});

Deno.test("wrapLine() counts wide characters as two columns", () => {
  assertEquals(
    wrapLine("> 中文中文中文", 8, 2).split("\n"),
    ["> 中文中", "  文中文"],
  );
});

Deno.test("wrapLine() closes colours at each row's end and opens them after the indent", () => {
  const red = "\x1b[31m";
  const reset = "\x1b[0m";
  assertEquals(
    wrapLine(`! ${red}bad things happen${reset}`, 10, 2).split("\n"),
    [`! ${red}bad${reset}`, `  ${red}things${reset}`, `  ${red}happen${reset}`],
  );
});
