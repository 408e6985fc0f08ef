/**
 * The interactive terminal of `chat join`: the terminal in raw mode, keys
 * decoded by {@linkcode KeyDecoder}, the line edited by
 * {@linkcode LineEditor}, and the prompt and input drawn here, row by row
 * with explicit line breaks so that this module always knows how many rows
 * they take ({@linkcode layoutInput}). Incoming lines are printed above the
 * input without garbling what the user is typing.
 *
 * Drawing is incremental: typing or pasting at the end of the line writes
 * only the new text, so a paste of thousands of characters is drawn once,
 * not once per character. An input taller than the window shows the rows
 * around the cursor. After a resize the input is erased where the
 * terminal reflowed it and drawn again at the new width.
 *
 * @module
 */

import { KeyDecoder } from "./key_decoder.ts";
import { type InputLayout, layoutInput } from "./input_layout.ts";
import { LineEditor } from "./line_editor.ts";
import { clusterStart } from "./text_width.ts";

/** Something the user did at the terminal. */
export type TerminalEvent =
  /** Pressed Enter. */
  | { kind: "line"; text: string }
  /** Pressed Ctrl-D on an empty line, or the terminal went away. */
  | { kind: "end" }
  /** Pressed Ctrl-C on an empty line (with text typed, it clears it). */
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

/** What is on the screen of the input: its layout and the rows shown. */
interface _Drawn {
  layout: InputLayout;
  prompt: string;
  columns: number;
  /** First row of the layout on the screen. */
  top: number;
  /** Row of the screen's cursor, counted from the first row shown. */
  cursorRow: number;
}

const encoder = new TextEncoder();
const ERASE_DOWN = "\r\x1b[J";

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
 * await ui.close();
 * ```
 */
export class TerminalUi {
  #onEvent: (event: TerminalEvent) => void;
  #editor: LineEditor;
  #decoder = new KeyDecoder();
  #prompt: string;
  #closed = false;
  #columns = 80;
  #rows = 24;
  #drawn: _Drawn | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  // Output goes through one writer, in order; the last write tells when
  // everything before it is out.
  #writer = Deno.stdout.writable.getWriter();
  #written: Promise<void> = Promise.resolve();
  #onResize = () => this.#resize();

  /** @param options Where events go, completion, prompt and history. */
  constructor(options: TerminalUiOptions) {
    this.#onEvent = options.onEvent;
    this.#prompt = options.prompt ?? "> ";
    const editor: { completer?: (line: string) => [string[], string] } = {};
    if (options.completer) editor.completer = options.completer;
    this.#editor = new LineEditor({
      ...editor,
      historySize: options.historySize ?? 500,
    });
    this.#measure();
    Deno.stdin.setRaw(true);
    if (Deno.build.os !== "windows") {
      Deno.addSignalListener("SIGWINCH", this.#onResize);
    }
    this.#reader = Deno.stdin.readable.getReader();
    this.#read();
    this.#write(this.#draw());
  }

  /** Columns of the terminal, as last measured. */
  get columns(): number {
    return this.#columns;
  }

  /**
   * Prints lines above the prompt, keeping what the user is typing intact.
   *
   * @param text One or more lines, without a final line break.
   * @param options `bell` rings the terminal bell.
   */
  print(text: string, options: { bell?: boolean } = {}): void {
    if (this.#closed) {
      console.log(text);
      return;
    }
    this.#checkSize();
    const lines = text.replaceAll("\n", "\r\n");
    this.#write(
      `${this.#erase()}${lines}\r\n${
        options.bell ? "\x07" : ""
      }${this.#draw()}`,
    );
  }

  /**
   * Changes the prompt and redraws the input line.
   *
   * @param prompt The new prompt.
   * @param options `hidden` asks for a secret: nothing typed is shown or
   * kept in the history until the prompt changes again.
   */
  setPrompt(prompt: string, options: { hidden?: boolean } = {}): void {
    const hidden = options.hidden ?? false;
    if (
      this.#closed ||
      (prompt === this.#prompt && hidden === this.#editor.secret)
    ) {
      return;
    }
    this.#prompt = prompt;
    this.#editor.secret = hidden;
    this.#write(this.#erase() + this.#draw());
  }

  /**
   * Puts text back into an empty input line, to be edited and sent again
   * (a line that was kept instead of sent). Does nothing if the user has
   * typed something since.
   *
   * @param text The line.
   */
  restore(text: string): void {
    if (this.#closed || this.#editor.text !== "") return;
    this.#editor.apply({ kind: "text", text });
    this.#write(this.#erase() + this.#draw());
  }

  /**
   * Removes the prompt and gives the terminal back (cooked mode, input
   * released) once everything drawn is out. Idempotent.
   *
   * @returns When the terminal is back.
   */
  async close(): Promise<void> {
    if (this.#closed) return await this.#written;
    this.#closed = true;
    if (Deno.build.os !== "windows") {
      Deno.removeSignalListener("SIGWINCH", this.#onResize);
    }
    this.#write(this.#erase());
    await this.#written;
    this.#writer.releaseLock();
    try {
      Deno.stdin.setRaw(false);
    } catch {
      // The terminal is gone already.
    }
    this.#reader.cancel().catch(() => {});
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      while (true) {
        const { done, value } = await this.#reader.read();
        if (done || this.#closed) break;
        this.#keys(decoder.decode(value, { stream: true }));
      }
    } catch {
      // The terminal went away, or close() cancelled the read.
    }
    if (!this.#closed) this.#onEvent({ kind: "end" });
  }

  #keys(chunk: string): void {
    for (const key of this.#decoder.decode(chunk)) {
      if (this.#closed) return;
      const outcome = this.#editor.apply(key);
      switch (outcome.kind) {
        case "none":
          break;
        case "changed":
          this.#update();
          break;
        case "submit":
          // The submitted text goes; the client shows it formatted once
          // sent (or the server's answer to a command).
          this.#write(this.#erase() + this.#draw());
          this.#onEvent({ kind: "line", text: outcome.text });
          break;
        case "interrupt":
          this.#onEvent({ kind: "interrupt" });
          break;
        case "end":
          this.#onEvent({ kind: "end" });
          break;
        case "candidates":
          this.print(outcome.candidates.map((c) => c.trimEnd()).join("  "));
          break;
        case "clear":
          this.#drawn = undefined;
          this.#write("\x1b[H\x1b[2J" + this.#draw());
          break;
      }
    }
  }

  // Typing or pasting at the end of the line writes only the new text;
  // anything else redraws the input.
  #update(): void {
    this.#checkSize();
    // A secret shows nothing: the prompt is drawn already.
    if (this.#editor.secret) return;
    const drawn = this.#drawn;
    const editor = this.#editor;
    const line = this.#prompt + editor.text;
    if (
      drawn === undefined || drawn.prompt !== this.#prompt ||
      drawn.columns !== this.#columns ||
      editor.cursor !== editor.text.length ||
      !line.startsWith(drawn.layout.line) ||
      _cursorAtEnd(drawn.layout) === false ||
      clusterStart(line, drawn.layout.line.length) !== drawn.layout.line.length
    ) {
      this.#write(this.#erase() + this.#draw());
      return;
    }
    const layout = layoutInput(
      this.#prompt,
      editor.text,
      editor.cursor,
      this.#columns,
    );
    const old = drawn.layout.rows;
    const last = old.length - 1;
    const same = old.every((row, i) =>
      layout.rows[i]?.start === row.start &&
      (i === last || layout.rows[i]?.end === row.end)
    );
    const bottom = layout.rows.length - 1;
    if (!same || bottom >= drawn.top + this.#maxRows()) {
      this.#write(this.#erase() + this.#draw());
      return;
    }
    let out = "";
    const from = drawn.layout.line.length;
    for (let i = last; i <= bottom; i++) {
      const row = layout.rows[i]!;
      if (i > last) out += "\r\n";
      out += line.slice(Math.max(row.start, from), row.end);
    }
    this.#drawn = { ...drawn, layout, cursorRow: bottom - drawn.top };
    this.#write(out);
  }

  // Draws the prompt and input from the start of the current row; the
  // rows shown are those around the cursor when they do not all fit.
  #draw(): string {
    const secret = this.#editor.secret;
    const layout = layoutInput(
      this.#prompt,
      secret ? "" : this.#editor.text,
      secret ? 0 : this.#editor.cursor,
      this.#columns,
    );
    const max = this.#maxRows();
    let top = this.#drawn?.top ?? 0;
    if (layout.cursorRow < top) top = layout.cursorRow;
    if (layout.cursorRow >= top + max) top = layout.cursorRow - max + 1;
    top = Math.min(top, Math.max(0, layout.rows.length - max));
    const shown = layout.rows.slice(top, top + max);
    let out = shown.map((row) => layout.line.slice(row.start, row.end)).join(
      "\r\n",
    );
    // From the end of the last row shown to the cursor.
    const up = shown.length - 1 - (layout.cursorRow - top);
    if (up > 0) out += `\x1b[${up}A`;
    out += "\r";
    if (layout.cursorCol > 0) out += `\x1b[${layout.cursorCol}C`;
    this.#drawn = {
      layout,
      prompt: this.#prompt,
      columns: this.#columns,
      top,
      cursorRow: layout.cursorRow - top,
    };
    return out;
  }

  // Moves to the first row of the input and clears it and all below.
  #erase(rowsAbove = this.#drawn?.cursorRow ?? 0): string {
    this.#drawn = this.#drawn && { ...this.#drawn, cursorRow: 0 };
    return (rowsAbove > 0 ? `\x1b[${rowsAbove}A` : "") + ERASE_DOWN;
  }

  // Rows the input may take: the window less a few for messages.
  #maxRows(): number {
    return Math.max(1, this.#rows - 3);
  }

  #measure(): boolean {
    let size = { columns: this.#columns, rows: this.#rows };
    try {
      size = Deno.consoleSize();
    } catch {
      // Not a terminal after all: keep the last size.
    }
    const changed = size.columns !== this.#columns || size.rows !== this.#rows;
    this.#columns = Math.max(1, size.columns);
    this.#rows = Math.max(1, size.rows);
    return changed;
  }

  // Windows has no SIGWINCH: the size is checked before drawing.
  #checkSize(): void {
    if (Deno.build.os === "windows" && this.#drawn) {
      if (this.#measure()) this.#reflowed();
    }
  }

  #resize(): void {
    if (this.#closed) return;
    if (this.#measure()) this.#reflowed();
  }

  // The terminal has rewrapped the rows drawn at the old width (as tmux,
  // VTE, iTerm2, kitty, Windows Terminal... do): each row longer than the
  // new width now takes more rows. Erase from the first and draw again.
  #reflowed(): void {
    const drawn = this.#drawn;
    if (!drawn) return;
    const columns = this.#columns;
    const shown = drawn.layout.rows.slice(drawn.top);
    let above = 0;
    for (let i = 0; i < drawn.cursorRow; i++) {
      above += Math.max(1, Math.ceil((shown[i]?.width ?? 0) / columns));
    }
    above += Math.floor(drawn.layout.cursorCol / columns);
    this.#write(this.#erase(above) + this.#draw());
  }

  #write(text: string): void {
    // A terminal that went away fails the write; the input side notices
    // and ends.
    this.#written = this.#writer.write(encoder.encode(text)).catch(() => {});
  }
}

// Whether the screen's cursor is at the end of the text drawn.
function _cursorAtEnd(layout: InputLayout): boolean {
  const last = layout.rows.length - 1;
  return layout.cursorRow === last &&
    layout.cursorCol === layout.rows[last]!.width;
}
