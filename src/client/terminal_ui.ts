/**
 * The interactive terminal of `chat join`, on `node:readline`: line
 * editing, input history and Tab completion come from readline; this
 * module adds printing incoming lines without garbling what the user is
 * typing. Before a line is printed, the prompt and the input (which may
 * wrap over several rows) are cleared; after it, they are drawn again with
 * the cursor where it was.
 *
 * @module
 */

import process from "node:process";
import * as readline from "node:readline";

/** Something the user did at the terminal. */
export type TerminalEvent =
  /** Pressed Enter. */
  | { kind: "line"; text: string }
  /** Pressed Ctrl-D on an empty line, or the terminal went away. */
  | { kind: "end" }
  /** Pressed Ctrl-C. */
  | { kind: "interrupt" };

/** Options of {@linkcode TerminalUi}. */
export interface TerminalUiOptions {
  /** Called for every user action, in order. */
  onEvent: (event: TerminalEvent) => void;
  /**
   * Completions for the text before the cursor, as `[candidates, word]`.
   *
   * @default {no completion}
   */
  completer?: (line: string) => [string[], string];
  /**
   * The first prompt.
   *
   * @default {"> "}
   */
  prompt?: string;
  /**
   * How many typed lines Up and Down recall.
   *
   * @default {500}
   */
  historySize?: number;
}

/**
 * The terminal while the client runs: owns standard input and output
 * until {@linkcode TerminalUi.close}. Standard input and output must be
 * terminals.
 *
 * @example Print a line while the user types
 * ```ts ignore
 * import { TerminalUi } from "./terminal_ui.ts";
 *
 * const ui = new TerminalUi({ onEvent: (event) => console.log(event) });
 * ui.print("[12:00] bob: hi");
 * ui.close();
 * ```
 */
export class TerminalUi {
  #rl: readline.Interface;
  #closed = false;
  #onEvent: (event: TerminalEvent) => void;
  #onKeypress: (text: unknown, key: { name?: string } | undefined) => void;
  #submittedRows = 0;

  /** @param options Where events go, completion, prompt and history. */
  constructor(options: TerminalUiOptions) {
    this.#onEvent = options.onEvent;
    const completer = options.completer ?? ((line: string) => [[], line]);
    this.#rl = readline.createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: true,
      historySize: options.historySize ?? 500,
      removeHistoryDuplicates: true,
      prompt: options.prompt ?? "> ",
      completer: (line: string) => completer(line),
    });
    // Just before readline handles Enter, note how many rows the prompt and
    // input take (moving the cursor to the end first, as readline is about
    // to): the submitted line is then erased, and the client shows it
    // formatted instead (or the server's answer to a command).
    this.#onKeypress = (_text: unknown, key: { name?: string } | undefined) => {
      if (key?.name !== "return" && key?.name !== "enter") return;
      if (this.#rl.cursor < this.#rl.line.length) {
        this.#rl.write(null, { name: "end" });
      }
      this.#submittedRows = this.#rl.getCursorPos().rows + 1;
    };
    process.stdin.prependListener("keypress", this.#onKeypress);
    this.#rl.on("line", (text: string) => {
      this.#eraseSubmitted();
      this.#onEvent({ kind: "line", text });
      // Show the prompt on the now empty input row.
      if (!this.#closed) this.#rl.prompt();
    });
    this.#rl.on("SIGINT", () => this.#onEvent({ kind: "interrupt" }));
    this.#rl.on("close", () => {
      if (this.#closed) return;
      // Ctrl-D closed readline: clear its prompt as close() would.
      this.#clearInput();
      this.#closed = true;
      this.#onEvent({ kind: "end" });
    });
    this.#rl.prompt();
  }

  /**
   * Prints lines above the prompt, keeping what the user is typing intact.
   *
   * @param text One or more lines, without a final line break.
   * @param options `bell` rings the terminal bell.
   */
  print(text: string, options: { bell?: boolean } = {}): void {
    if (this.#closed) {
      process.stdout.write(`${text}\n`);
      return;
    }
    const rows = this.#clearInput();
    process.stdout.write(`${text}\n${options.bell ? "\x07" : ""}`);
    // `prompt(true)` first moves up by as many rows as the cursor was below
    // the prompt's first row; give it those rows so it lands just below the
    // printed text, then it redraws the prompt and input, cursor in place.
    process.stdout.write("\n".repeat(rows));
    this.#rl.prompt(true);
  }

  /**
   * Changes the prompt and redraws the input line.
   *
   * @param prompt The new prompt.
   */
  setPrompt(prompt: string): void {
    if (this.#closed) return;
    const rows = this.#clearInput();
    this.#rl.setPrompt(prompt);
    process.stdout.write("\n".repeat(rows));
    this.#rl.prompt(true);
  }

  /**
   * Removes the prompt and gives the terminal back (cooked mode, input
   * released). Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.stdin.removeListener("keypress", this.#onKeypress);
    this.#clearInput();
    this.#rl.close();
  }

  // After Enter the cursor is on the row below the submitted input: move up
  // over the rows noted at the keypress and clear them.
  #eraseSubmitted(): void {
    const rows = this.#submittedRows;
    this.#submittedRows = 0;
    if (rows === 0) return;
    readline.moveCursor(process.stdout, 0, -rows);
    readline.cursorTo(process.stdout, 0);
    readline.clearScreenDown(process.stdout);
  }

  // Moves to the first row of the prompt and clears it and everything
  // below; returns how many rows the cursor was below that first row.
  #clearInput(): number {
    const { rows } = this.#rl.getCursorPos();
    if (rows > 0) readline.moveCursor(process.stdout, 0, -rows);
    readline.cursorTo(process.stdout, 0);
    readline.clearScreenDown(process.stdout);
    return rows;
  }
}
