/**
 * Choosing one of several servers found on the local network with the
 * arrow keys: a pure state machine fed the keys {@linkcode KeyDecoder}
 * decodes, and the frame it shows. `find_server.ts` drives it on the
 * terminal.
 *
 * @module
 */

import type { Key } from "./key_decoder.ts";

/** What a key did: nothing yet, a server picked (its index), or cancelled. */
export type PickResult =
  | { kind: "picked"; index: number }
  | { kind: "cancelled" }
  | undefined;

/** Options of {@linkcode ServerPicker}. */
export interface ServerPickerOptions {
  /**
   * The line above the list.
   * @default {""}
   */
  title?: string;
  /**
   * The line below it (the keys).
   * @default {""}
   */
  help?: string;
  /**
   * Mark the chosen line in reverse video; without colour it is marked
   * with `>` only.
   * @default {false}
   */
  color?: boolean;
}

/**
 * A list of servers, one chosen.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ServerPicker } from "./server_picker.ts";
 *
 * const picker = new ServerPicker(["chat on a", "chat on b"]);
 * assertEquals(picker.onKey({ kind: "down" }), undefined);
 * assertEquals(picker.render(), ["  chat on a", "> chat on b"]);
 * assertEquals(picker.onKey({ kind: "enter" }), { kind: "picked", index: 1 });
 * ```
 */
export class ServerPicker {
  #lines: readonly string[];
  #options: ServerPickerOptions;
  #selected = 0;

  /**
   * @param lines One line for each server.
   * @param options Title, help line, colour.
   * @throws {RangeError} `Cannot choose a server: the list is empty`.
   */
  constructor(lines: readonly string[], options: ServerPickerOptions = {}) {
    if (lines.length === 0) {
      throw new RangeError("Cannot choose a server: the list is empty");
    }
    this.#lines = lines;
    this.#options = options;
  }

  /** The index of the chosen line. */
  get selected(): number {
    return this.#selected;
  }

  /**
   * Takes a key: Up and Down (and Ctrl-P, Ctrl-N, `k`, `j`) move, Home and
   * End go to the ends, Enter picks, `q`, Ctrl-C and Ctrl-D cancel; a
   * digit picks that line.
   *
   * @param key A decoded key.
   * @returns What it did.
   */
  onKey(key: Key): PickResult {
    const last = this.#lines.length - 1;
    switch (key.kind) {
      case "up":
        this.#selected = Math.max(0, this.#selected - 1);
        return undefined;
      case "down":
        this.#selected = Math.min(last, this.#selected + 1);
        return undefined;
      case "home":
        this.#selected = 0;
        return undefined;
      case "end":
        this.#selected = last;
        return undefined;
      case "enter":
        return { kind: "picked", index: this.#selected };
      case "interrupt":
      case "eof":
        return { kind: "cancelled" };
      case "text": {
        const char = key.text.at(-1) ?? "";
        if (char === "q" || char === "Q") return { kind: "cancelled" };
        if (char === "k") return this.onKey({ kind: "up" });
        if (char === "j") return this.onKey({ kind: "down" });
        const digit = Number(char);
        if (/^[1-9]$/.test(char) && digit - 1 <= last) {
          return { kind: "picked", index: digit - 1 };
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /**
   * The frame: the title, each line (the chosen one marked), the help.
   *
   * @returns The lines to draw, without line breaks.
   */
  render(): string[] {
    const frame: string[] = [];
    if (this.#options.title) frame.push(this.#options.title);
    this.#lines.forEach((line, i) => {
      const chosen = i === this.#selected;
      const text = `${chosen ? ">" : " "} ${line}`;
      frame.push(
        chosen && this.#options.color ? `\x1b[7m${text}\x1b[0m` : text,
      );
    });
    if (this.#options.help) frame.push(this.#options.help);
    return frame;
  }
}
