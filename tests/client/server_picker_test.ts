// Checks src/client/server_picker.ts: choosing one of several servers
// found with the arrow keys (and j/k, Home/End, a digit), Enter picking,
// q or Ctrl-C cancelling, and the frame drawn.

import { assertEquals, assertThrows } from "@std/assert";
import { ServerPicker } from "../../src/client/server_picker.ts";
import { KeyDecoder } from "../../src/client/key_decoder.ts";

const LINES = ["chat on a", "chat on b", "chat on c"];

function keys(text: string) {
  return new KeyDecoder().decode(text);
}

Deno.test("ServerPicker moves with the arrow keys, stays inside the list, and Enter picks", () => {
  const picker = new ServerPicker(LINES);
  assertEquals(picker.selected, 0);
  for (const key of keys("\x1b[A")) picker.onKey(key);
  assertEquals(picker.selected, 0);
  for (const key of keys("\x1b[B\x1b[B\x1b[B")) picker.onKey(key);
  assertEquals(picker.selected, 2);
  for (const key of keys("\x1b[A")) picker.onKey(key);
  assertEquals(picker.onKey({ kind: "enter" }), { kind: "picked", index: 1 });
});

Deno.test("ServerPicker takes j, k, Home, End and a line's number", () => {
  const picker = new ServerPicker(LINES);
  picker.onKey({ kind: "text", text: "j" });
  assertEquals(picker.selected, 1);
  picker.onKey({ kind: "text", text: "k" });
  assertEquals(picker.selected, 0);
  picker.onKey({ kind: "end" });
  assertEquals(picker.selected, 2);
  picker.onKey({ kind: "home" });
  assertEquals(picker.selected, 0);
  assertEquals(picker.onKey({ kind: "text", text: "3" }), {
    kind: "picked",
    index: 2,
  });
  assertEquals(picker.onKey({ kind: "text", text: "4" }), undefined);
});

Deno.test("ServerPicker cancels on q, Ctrl-C and Ctrl-D", () => {
  for (const input of ["q", "\x03", "\x04"]) {
    const picker = new ServerPicker(LINES);
    assertEquals(picker.onKey(keys(input)[0]!), { kind: "cancelled" }, input);
  }
});

Deno.test("ServerPicker draws the title, the lines with the chosen one marked, and the keys", () => {
  const picker = new ServerPicker(LINES, { title: "Servers:", help: "keys" });
  picker.onKey({ kind: "down" });
  assertEquals(picker.render(), [
    "Servers:",
    "  chat on a",
    "> chat on b",
    "  chat on c",
    "keys",
  ]);
  const colored = new ServerPicker(LINES, { color: true });
  assertEquals(colored.render()[0], "\x1b[7m> chat on a\x1b[0m");
});

Deno.test("ServerPicker refuses an empty list", () => {
  assertThrows(() => new ServerPicker([]), RangeError, "empty");
});
