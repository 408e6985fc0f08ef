import { assertEquals } from "@std/assert";
import { type Key, KeyDecoder } from "../../src/client/key_decoder.ts";

function decode(...chunks: string[]): Key[] {
  const decoder = new KeyDecoder();
  return chunks.flatMap((chunk) => decoder.decode(chunk));
}

Deno.test("KeyDecoder gives a paste as one run of text, lines split at Enter", () => {
  const paste = "x".repeat(8000);
  assertEquals(decode(`${paste}\rsecond\r\nthird\n`), [
    { kind: "text", text: paste },
    { kind: "enter" },
    { kind: "text", text: "second" },
    { kind: "enter" },
    { kind: "text", text: "third" },
    { kind: "enter" },
  ]);
});

Deno.test("KeyDecoder reads arrows, Home, End and Delete in their common forms", () => {
  assertEquals(
    decode(
      "\x1b[A\x1b[B\x1b[C\x1b[D\x1bOH\x1bOF\x1b[1~\x1b[4~\x1b[7~\x1b[8~\x1b[3~",
    ),
    [
      "up",
      "down",
      "right",
      "left",
      "home",
      "end",
      "home",
      "end",
      "home",
      "end",
      "delete",
    ].map((kind) => ({ kind } as Key)),
  );
});

Deno.test("KeyDecoder reads Ctrl and Alt arrows as word moves", () => {
  assertEquals(decode("\x1b[1;5D\x1b[1;5C\x1b[1;3D\x1bb\x1bf\x1b\x7f"), [
    { kind: "word_left" },
    { kind: "word_right" },
    { kind: "word_left" },
    { kind: "word_left" },
    { kind: "word_right" },
    { kind: "kill_word" },
  ]);
});

Deno.test("KeyDecoder reads the Emacs control keys", () => {
  assertEquals(
    decode("\x01\x05\x02\x06\x0b\x15\x17\x03\x04\x0c\x7f\x08\t\x10\x0e"),
    [
      "home",
      "end",
      "left",
      "right",
      "kill_end",
      "kill_start",
      "kill_word",
      "interrupt",
      "eof",
      "clear",
      "backspace",
      "backspace",
      "tab",
      "up",
      "down",
    ].map((kind) => ({ kind } as Key)),
  );
});

Deno.test("KeyDecoder keeps a sequence split between reads for the next", () => {
  assertEquals(decode("ab\x1b", "[", "1;5", "Cc"), [
    { kind: "text", text: "ab" },
    { kind: "word_right" },
    { kind: "text", text: "c" },
  ]);
});

Deno.test("KeyDecoder drops unknown sequences, paste marks, a lone Escape and other controls", () => {
  assertEquals(decode("\x1b[200~hi\x1b[201~\x1b[15~\x00\x1a"), [
    { kind: "text", text: "hi" },
  ]);
  assertEquals(decode("\x1b"), []);
  assertEquals(decode("\x1bx"), [], "Alt-x does nothing");
});
