/**
 * The input line of the terminal client as a pure state machine: the text
 * and the cursor, moved and deleted by grapheme cluster (👍🏽 or é is one
 * step), input history on Up and Down, Emacs-style editing keys, and Tab
 * completion. Keys in, an outcome out; drawing is the terminal's job.
 *
 * @module
 */

import type { Key } from "./key_decoder.ts";
import { clusterEnd, clusterStart } from "./text_width.ts";

/** What a key did. */
export type EditOutcome =
  /** The text or the cursor changed: redraw the input. */
  | { kind: "changed" }
  /** Nothing changed. */
  | { kind: "none" }
  /** Enter: the line to handle; the editor is empty again. */
  | { kind: "submit"; text: string }
  /** Ctrl-C on an empty line. (With text typed, Ctrl-C clears it.) */
  | { kind: "interrupt" }
  /** Ctrl-D on an empty line. */
  | { kind: "end" }
  /** Tab found several completions and none could be extended: show them. */
  | { kind: "candidates"; candidates: string[] }
  /** Ctrl-L: clear the screen and redraw. */
  | { kind: "clear" };

/** Options of {@linkcode LineEditor}. */
export interface LineEditorOptions {
  /**
   * Completions for the text before the cursor, as `[candidates, word]`:
   * each candidate replaces `word`, the end of that text.
   *
   * @default {no completion}
   */
  completer?: (line: string) => [string[], string];
  /**
   * How many submitted lines Up and Down recall.
   *
   * @default {500}
   */
  historySize?: number;
}

/**
 * An input line being edited.
 *
 * @example Type, move left over an emoji with its skin tone, insert
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { LineEditor } from "./line_editor.ts";
 *
 * const editor = new LineEditor();
 * editor.apply({ kind: "text", text: "a👍🏽" });
 * editor.apply({ kind: "left" });
 * editor.apply({ kind: "text", text: "b" });
 * assertEquals(editor.apply({ kind: "enter" }), { kind: "submit", text: "ab👍🏽" });
 * ```
 */
export class LineEditor {
  #text = "";
  #cursor = 0;
  #history: string[] = [];
  // Position in the history while browsing it (history.length: the draft).
  #browsing = 0;
  #draft = "";
  #historySize: number;
  #completer: (line: string) => [string[], string];

  /**
   * Whether the line is a secret (a password): it is not completed, Up
   * and Down do not recall lines into it, and it is not kept in the
   * history once submitted.
   */
  secret = false;

  /** @param options Completion and history size. */
  constructor(options: LineEditorOptions = {}) {
    this.#historySize = options.historySize ?? 500;
    this.#completer = options.completer ?? ((line) => [[], line]);
  }

  /** The text being edited. */
  get text(): string {
    return this.#text;
  }

  /** The cursor, as a UTF-16 index into {@linkcode LineEditor.text}; always at a cluster boundary. */
  get cursor(): number {
    return this.#cursor;
  }

  /**
   * Handles one key.
   *
   * @param key The key, or a run of typed or pasted text.
   * @returns What changed.
   */
  apply(key: Key): EditOutcome {
    const text = this.#text;
    const cursor = this.#cursor;
    switch (key.kind) {
      case "text":
        return this.#set(
          text.slice(0, cursor) + key.text + text.slice(cursor),
          cursor + key.text.length,
        );
      case "enter":
        return this.#submit();
      case "tab":
        return this.#complete();
      case "backspace":
        return this.#delete(clusterStart(text, cursor - 1), cursor);
      case "delete":
        return this.#delete(cursor, clusterEnd(text, cursor));
      case "eof":
        if (text === "") return { kind: "end" };
        return this.#delete(cursor, clusterEnd(text, cursor));
      case "interrupt":
        if (text === "") return { kind: "interrupt" };
        this.#browsing = this.#history.length;
        return this.#set("", 0);
      case "left":
        return this.#move(clusterStart(text, cursor - 1));
      case "right":
        return this.#move(clusterEnd(text, cursor));
      case "word_left":
        return this.#move(_wordStart(text, cursor));
      case "word_right":
        return this.#move(_wordEnd(text, cursor));
      case "home":
        return this.#move(0);
      case "end":
        return this.#move(text.length);
      case "kill_start":
        return this.#delete(0, cursor);
      case "kill_end":
        return this.#delete(cursor, text.length);
      case "kill_word":
        return this.#delete(_wordStart(text, cursor), cursor);
      case "up":
        return this.#recall(this.#browsing - 1);
      case "down":
        return this.#recall(this.#browsing + 1);
      case "clear":
        return { kind: "clear" };
    }
  }

  #set(text: string, cursor: number): EditOutcome {
    if (text === this.#text && cursor === this.#cursor) return { kind: "none" };
    this.#text = text;
    this.#cursor = cursor;
    return { kind: "changed" };
  }

  #move(cursor: number): EditOutcome {
    return this.#set(this.#text, cursor);
  }

  #delete(from: number, to: number): EditOutcome {
    if (from >= to) return { kind: "none" };
    const text = this.#text;
    return this.#set(text.slice(0, from) + text.slice(to), from);
  }

  #submit(): EditOutcome {
    const text = this.#text;
    if (text.trim() !== "" && !this.secret) {
      // The newest copy of a line stays; older ones go.
      this.#history = this.#history.filter((line) => line !== text);
      this.#history.push(text);
      if (this.#history.length > this.#historySize) this.#history.shift();
    }
    this.#browsing = this.#history.length;
    this.#draft = "";
    this.#text = "";
    this.#cursor = 0;
    return { kind: "submit", text };
  }

  #recall(index: number): EditOutcome {
    if (this.secret) return { kind: "none" };
    const history = this.#history;
    if (index < 0 || index > history.length) return { kind: "none" };
    if (this.#browsing === history.length) this.#draft = this.#text;
    this.#browsing = index;
    const text = index === history.length ? this.#draft : history[index]!;
    return this.#set(text, text.length);
  }

  #complete(): EditOutcome {
    if (this.secret) return { kind: "none" };
    const before = this.#text.slice(0, this.#cursor);
    const [candidates, word] = this.#completer(before);
    if (candidates.length === 0) return { kind: "none" };
    const replacement = candidates.length === 1
      ? candidates[0]!
      : _commonPrefix(candidates);
    if (candidates.length > 1 && replacement.length <= word.length) {
      return { kind: "candidates", candidates };
    }
    const start = this.#cursor - word.length;
    return this.#set(
      this.#text.slice(0, start) + replacement + this.#text.slice(this.#cursor),
      start + replacement.length,
    );
  }
}

// Where the word before the cursor starts (skipping spaces first).
function _wordStart(text: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && /\s/.test(text[i - 1]!)) i--;
  while (i > 0 && !/\s/.test(text[i - 1]!)) i--;
  return clusterStart(text, i);
}

// Where the word after the cursor ends (skipping spaces first).
function _wordEnd(text: string, cursor: number): number {
  let i = cursor;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  while (i < text.length && !/\s/.test(text[i]!)) i++;
  return clusterStart(text, i) === i ? i : clusterEnd(text, i);
}

function _commonPrefix(items: string[]): string {
  let prefix = items[0]!;
  for (const item of items) {
    let i = 0;
    while (i < prefix.length && i < item.length && prefix[i] === item[i]) i++;
    prefix = prefix.slice(0, i);
  }
  // Never end inside a surrogate pair.
  const last = prefix.charCodeAt(prefix.length - 1);
  return last >= 0xd800 && last < 0xdc00 ? prefix.slice(0, -1) : prefix;
}
