import { assertEquals } from "@std/assert";
import { type EditOutcome, LineEditor } from "../../src/client/line_editor.ts";
import type { EditKey } from "../../src/client/key_decoder.ts";

const EDIT_KEYS: ReadonlySet<string> = new Set<EditKey>([
  "enter",
  "tab",
  "backspace",
  "delete",
  "left",
  "right",
  "word_left",
  "word_right",
  "home",
  "end",
  "up",
  "down",
  "kill_start",
  "kill_end",
  "kill_word",
  "interrupt",
  "eof",
  "clear",
]);

/** Presses keys by name; any other string is typed as text. */
function type(editor: LineEditor, ...keys: string[]): EditOutcome {
  let outcome: EditOutcome = { kind: "none" };
  for (const key of keys) {
    outcome = EDIT_KEYS.has(key)
      ? editor.apply({ kind: key as EditKey })
      : editor.apply({ kind: "text", text: key });
  }
  return outcome;
}

Deno.test("LineEditor moves and deletes by grapheme cluster", () => {
  const editor = new LineEditor();
  type(editor, "a👍🏽e\u0301👨‍👩‍👧b");
  type(editor, "left", "left");
  assertEquals(editor.cursor, "a👍🏽e\u0301".length);
  type(editor, "backspace");
  assertEquals(editor.text, "a👍🏽👨‍👩‍👧b");
  type(editor, "delete");
  assertEquals(editor.text, "a👍🏽b");
  type(editor, "left", "X");
  assertEquals(editor.text, "aX👍🏽b");
  type(editor, "right");
  assertEquals(editor.cursor, "aX👍🏽".length);
});

Deno.test("LineEditor submits the line and starts empty again", () => {
  const editor = new LineEditor();
  type(editor, "hello");
  assertEquals(type(editor, "enter"), { kind: "submit", text: "hello" });
  assertEquals([editor.text, editor.cursor], ["", 0]);
  assertEquals(type(editor, "enter"), { kind: "submit", text: "" });
});

Deno.test("LineEditor: Ctrl-C clears a typed line, and on an empty one interrupts", () => {
  const editor = new LineEditor();
  type(editor, "half");
  assertEquals(type(editor, "interrupt"), { kind: "changed" });
  assertEquals(editor.text, "");
  assertEquals(type(editor, "interrupt"), { kind: "interrupt" });
});

Deno.test("LineEditor: Ctrl-D ends on an empty line and deletes otherwise", () => {
  const editor = new LineEditor();
  type(editor, "ab", "home");
  assertEquals(type(editor, "eof"), { kind: "changed" });
  assertEquals(editor.text, "b");
  type(editor, "eof");
  assertEquals(type(editor, "eof"), { kind: "end" });
});

Deno.test("LineEditor edits words and line ends", () => {
  const editor = new LineEditor();
  type(editor, "one two  three");
  type(editor, "word_left");
  assertEquals(editor.cursor, "one two  ".length);
  type(editor, "word_left", "word_right");
  assertEquals(editor.cursor, "one two".length);
  type(editor, "kill_word");
  assertEquals(editor.text, "one   three");
  type(editor, "kill_end");
  assertEquals(editor.text, "one ");
  type(editor, "left", "kill_start");
  assertEquals([editor.text, editor.cursor], [" ", 0]);
});

Deno.test("LineEditor recalls history with Up and Down, keeping the draft", () => {
  const editor = new LineEditor({ historySize: 2 });
  for (const line of ["first", "second", "third", "second"]) {
    type(editor, line, "enter");
  }
  type(editor, "draft");
  type(editor, "up");
  assertEquals(editor.text, "second");
  type(editor, "up");
  assertEquals(editor.text, "third");
  assertEquals(type(editor, "up"), { kind: "none" }, "two kept, no duplicate");
  type(editor, "down", "down");
  assertEquals(editor.text, "draft");
});

Deno.test("LineEditor completes with Tab, and lists candidates it cannot extend", () => {
  const names = ["Bea", "bob", "João"];
  const editor = new LineEditor({
    completer: (line) => {
      const word = /(\S*)$/.exec(line)![1]!;
      const folded = (text: string) =>
        text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
      return [
        names.filter((name) => folded(name).startsWith(folded(word))).map((
          name,
        ) => `${name} `),
        word,
      ];
    },
  });
  type(editor, "hi Joao");
  type(editor, "tab");
  assertEquals(editor.text, "hi João ");
  type(editor, "b");
  assertEquals(type(editor, "tab"), {
    kind: "candidates",
    candidates: ["Bea ", "bob "],
  });
  type(editor, "o", "tab");
  assertEquals(editor.text, "hi João bob ");
});

Deno.test("LineEditor keeps a secret line out of the history, completion and recall", () => {
  const editor = new LineEditor({ completer: () => [["s3cret-ish"], ""] });
  editor.apply({ kind: "text", text: "typed before" });
  editor.apply({ kind: "enter" });
  editor.secret = true;
  assertEquals(editor.apply({ kind: "up" }), { kind: "none" });
  editor.apply({ kind: "text", text: "s3cret" });
  assertEquals(editor.apply({ kind: "tab" }), { kind: "none" });
  assertEquals(editor.apply({ kind: "enter" }), {
    kind: "submit",
    text: "s3cret",
  });
  editor.secret = false;
  editor.apply({ kind: "up" });
  assertEquals(editor.text, "typed before");
});
