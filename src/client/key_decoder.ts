/**
 * Turns what a terminal in raw mode sends into keys: runs of printable text
 * (a paste arrives as one run, so it is inserted and drawn at once), Enter,
 * Tab, the editing and movement keys in their common escape sequences
 * (xterm, VT220, rxvt, tmux, the Linux console) and their Ctrl and Alt
 * forms. Pure; a sequence split between two reads is kept for the next.
 *
 * @module
 */

/** A key that edits or moves, by what it does. */
export type EditKey =
  | "enter"
  | "tab"
  | "backspace"
  | "delete"
  | "left"
  | "right"
  | "word_left"
  | "word_right"
  | "home"
  | "end"
  | "up"
  | "down"
  | "kill_start"
  | "kill_end"
  | "kill_word"
  | "interrupt"
  | "eof"
  | "clear";

/** One key, or a run of text typed or pasted. */
export type Key = { kind: "text"; text: string } | { kind: EditKey };

// Control characters by what they do (Emacs bindings, as in readline).
const CONTROLS: Readonly<Record<string, EditKey>> = {
  "\r": "enter",
  "\n": "enter",
  "\t": "tab",
  "\x7f": "backspace",
  "\x08": "backspace",
  "\x01": "home",
  "\x05": "end",
  "\x02": "left",
  "\x06": "right",
  "\x10": "up",
  "\x0e": "down",
  "\x0b": "kill_end",
  "\x15": "kill_start",
  "\x17": "kill_word",
  "\x03": "interrupt",
  "\x04": "eof",
  "\x0c": "clear",
};

// The final byte of a CSI or SS3 sequence, or its number before `~`.
const FINALS: Readonly<Record<string, EditKey>> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  "1~": "home",
  "7~": "home",
  "4~": "end",
  "8~": "end",
  "3~": "delete",
};

// Alt (ESC) plus a character.
const ALT: Readonly<Record<string, EditKey>> = {
  b: "word_left",
  f: "word_right",
  "\x7f": "kill_word",
  "\x08": "kill_word",
};

// ESC [ or ESC O, parameters, intermediates, a final byte; or ESC and one
// character; or an incomplete one at the end of the input.
// deno-lint-ignore no-control-regex
const ESCAPE = /^\x1b(?:([[O])([0-?]*)([ -/]*)([@-~])?|([^[O]))?/;

/**
 * Decodes terminal input into keys, one read at a time.
 *
 * @example A paste, then Enter, then an arrow key split over two reads
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { KeyDecoder } from "./key_decoder.ts";
 *
 * const decoder = new KeyDecoder();
 * assertEquals(decoder.decode("olá 👋🏽\r\x1b["), [
 *   { kind: "text", text: "olá 👋🏽" },
 *   { kind: "enter" },
 * ]);
 * assertEquals(decoder.decode("D"), [{ kind: "left" }]);
 * ```
 */
export class KeyDecoder {
  #pending = "";

  /**
   * Decodes one read.
   *
   * @param chunk Text read from the terminal (decoded UTF-8).
   * @returns The keys it completes, in order.
   */
  decode(chunk: string): Key[] {
    const input = this.#pending + chunk;
    this.#pending = "";
    const keys: Key[] = [];
    let text = "";
    const flush = () => {
      if (text !== "") keys.push({ kind: "text", text });
      text = "";
    };
    let i = 0;
    while (i < input.length) {
      const char = input[i]!;
      const code = char.charCodeAt(0);
      if (code >= 0x20 && code !== 0x7f) {
        // Printable: gather the run up to the next control character.
        let end = i + 1;
        while (end < input.length) {
          const next = input.charCodeAt(end);
          if (next < 0x20 || next === 0x7f) break;
          end++;
        }
        text += input.slice(i, end);
        i = end;
        continue;
      }
      flush();
      if (char === "\x1b") {
        const match = ESCAPE.exec(input.slice(i))!;
        const complete = match[5] !== undefined || match[4] !== undefined;
        if (!complete) {
          // Cut off by the end of this read: wait for the rest, unless the
          // read was a lone Escape key press.
          if (match[0].length > 1 || i + 1 < input.length || chunk !== "\x1b") {
            this.#pending = input.slice(i);
          }
          break;
        }
        const key = match[5] !== undefined
          ? ALT[match[5]]
          : _sequence(match[2]!, match[4]!);
        if (key) keys.push({ kind: key });
        i += match[0].length;
        continue;
      }
      // "\r\n" is one Enter.
      if (char === "\r" && input[i + 1] === "\n") i++;
      const key = CONTROLS[char];
      if (key) keys.push({ kind: key });
      i++;
    }
    flush();
    return keys;
  }
}

// A CSI or SS3 sequence: the key, with Ctrl or Alt (modifier 3, 5, 7)
// turning left and right into word moves. Bracketed paste marks and
// anything unknown decode to nothing.
function _sequence(params: string, final: string): EditKey | undefined {
  const [first = "", modifier = ""] = params.split(";");
  const key = final === "~" ? FINALS[`${first}~`] : FINALS[final];
  if (key === undefined) return undefined;
  const held = Number(modifier) - 1;
  // Bit 2 (Alt) or bit 4 (Ctrl) of the modifier parameter.
  if (held > 0 && (held & 0b110) !== 0) {
    if (key === "left") return "word_left";
    if (key === "right") return "word_right";
  }
  return key;
}
