/**
 * Byte-level line framing for untrusted peers, with the semantics of
 * `@std/streams` `TextLineStream` with `allowCR`: lines end in `\r\n`, `\n`
 * or a bare `\r` (as IRC allows, and as some clients send), and invalid UTF-8
 * becomes U+FFFD. A `\r` ends its line at once; a `\n` right after it, even
 * in the next read, is part of the same line ending, and so is a NUL
 * (telnet's `\r\0`, a bare carriage return). Unlike a stream pipeline it
 * never buffers more than one line's limit, and holds no buffer at all
 * between lines.
 *
 * @module
 */

import { SERVE_DEFAULTS } from "../config.ts";

/** Default longest line, in bytes, without its line ending (`--line-limit`). */
export const DEFAULT_MAX_LINE_BYTES: number = SERVE_DEFAULTS.lineLimit;

/** Default bytes a peer may send without a newline before it is cut off (`--hard-line-limit`). */
export const DEFAULT_HARD_LIMIT_BYTES: number = SERVE_DEFAULTS.hardLineLimit;

/** Options of {@linkcode LineSplitter}. */
export interface LineSplitterOptions {
  /**
   * Longest accepted line in bytes, without its line ending; longer lines are
   * reported to `onTooLong` and dropped.
   * @default {8192}
   */
  maxLineBytes?: number;
  /**
   * Bytes without a newline after which {@linkcode LineSplitter.push}
   * returns `false`: the peer is not speaking a line protocol.
   * @default {65536}
   */
  hardLimitBytes?: number;
}

/** Receives what a {@linkcode LineSplitter} finds. */
export interface LineSink {
  /** A complete line, decoded, without its line ending. */
  onLine(line: string): void;
  /** A line longer than the limit was dropped; `bytes` is its length. */
  onTooLong(bytes: number): void;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
// ignoreBOM keeps a U+FEFF inside the text; only the stream's first line
// loses a leading one, as with TextDecoderStream.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const BOM = "\uFEFF";

function _decode(bytes: Uint8Array, first: boolean): string {
  const text = decoder.decode(bytes);
  return first && text.startsWith(BOM) ? text.slice(1) : text;
}

/**
 * Splits bytes into lines, bounded.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { LineSplitter } from "./line_splitter.ts";
 *
 * const lines: string[] = [];
 * const splitter = new LineSplitter({
 *   onLine: (line) => lines.push(line),
 *   onTooLong: () => {},
 * });
 * const bytes = new TextEncoder().encode("hel");
 * splitter.push(bytes);
 * splitter.push(new TextEncoder().encode("lo\r\nwor"));
 * assertEquals(lines, ["hello"]);
 * assertEquals(splitter.flush(), "wor");
 * ```
 */
export class LineSplitter {
  #sink: LineSink;
  #maxLine: number;
  #hardLimit: number;
  #pending: Uint8Array | null = null;
  #discarding = 0;
  #first = true;
  // The last byte was a CR that ended a line: a LF or NUL next is skipped.
  #afterCR = false;

  /**
   * @param sink Receives lines and too-long reports.
   * @param options Limits.
   */
  constructor(sink: LineSink, options: LineSplitterOptions = {}) {
    this.#sink = sink;
    this.#maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#hardLimit = options.hardLimitBytes ?? DEFAULT_HARD_LIMIT_BYTES;
  }

  /** Bytes held for an unfinished line (for memory accounting and tests). */
  get pendingBytes(): number {
    return this.#pending?.length ?? 0;
  }

  /**
   * Feeds bytes. The chunk may be reused by the caller after this returns.
   *
   * @param chunk Bytes read from the peer.
   * @returns `false` when the peer passed the hard limit without a newline.
   */
  push(chunk: Uint8Array): boolean {
    if (this.#afterCR && chunk.length > 0) {
      this.#afterCR = false;
      if (chunk[0] === NEWLINE || chunk[0] === NUL) chunk = chunk.subarray(1);
    }
    if (this.#pending === null && this.#discarding === 0) {
      const done = this.#pushWhole(chunk);
      if (done >= 0) {
        return done === chunk.length || this.#keep(chunk.subarray(done));
      }
    }
    let start = 0;
    // The next CR at or after `start`, found once per CR.
    let cr = -1;
    while (start < chunk.length) {
      if (cr !== chunk.length && cr < start) {
        cr = chunk.indexOf(CR, start);
        if (cr < 0) cr = chunk.length;
      }
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline >= 0 && newline < cr ? newline : cr;
      if (end === chunk.length) return this.#keep(chunk.subarray(start));
      if (this.#discarding > 0) {
        const total = this.#discarding + (end - start);
        this.#discarding = 0;
        this.#tooLong(total);
      } else if (this.#pending !== null) {
        const pending = this.#pending;
        this.#pending = null;
        const length = pending.length + end - start;
        if (length > this.#maxLine + 1) this.#tooLong(length);
        else {
          const line = new Uint8Array(length);
          line.set(pending);
          line.set(chunk.subarray(start, end), pending.length);
          this.#emit(line, 0, length);
        }
      } else if (end - start > this.#maxLine + 1) {
        this.#tooLong(end - start);
      } else {
        this.#emit(chunk, start, end);
      }
      start = end + 1;
      if (end === cr) {
        // A CR: a LF or NUL after it belongs to the same line ending.
        if (start === chunk.length) this.#afterCR = true;
        else if (chunk[start] === NEWLINE || chunk[start] === NUL) start++;
      }
    }
    return true;
  }

  /**
   * Ends the input: returns an unfinished last line, as `TextLineStream`
   * does, or `undefined`.
   *
   * @returns The last line without a newline, if any.
   */
  flush(): string | undefined {
    const pending = this.#pending;
    this.#pending = null;
    this.#discarding = 0;
    this.#afterCR = false;
    if (pending === null || pending.length === 0) return undefined;
    const first = this.#first;
    this.#first = false;
    const last = _decode(pending, first);
    // A stream of only a byte-order mark has no line at all.
    return last === "" ? undefined : last;
  }

  // The common case, a chunk of whole lines all within the limit: decode
  // them with one call and split the text. A 0x0A byte is always "\n" and
  // never part of another character, even in invalid UTF-8, so the text
  // splits exactly where the bytes do. Returns how many bytes it consumed,
  // or -1 when a line is too long or a CR ends one (the caller takes the
  // careful path).
  #pushWhole(chunk: Uint8Array): number {
    const max = this.#maxLine;
    let start = 0;
    let end = chunk.indexOf(NEWLINE);
    if (end < 0) return chunk.includes(CR) ? -1 : 0;
    // Every CR must be the one of a CRLF.
    for (let cr = chunk.indexOf(CR); cr >= 0; cr = chunk.indexOf(CR, cr + 2)) {
      if (chunk[cr + 1] !== NEWLINE) return -1;
    }
    let last = -1;
    while (end >= 0) {
      const length = end > start && chunk[end - 1] === CR
        ? end - start - 1
        : end - start;
      if (length > max) return -1;
      last = end;
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    let text = decoder.decode(chunk.subarray(0, last));
    if (this.#first) {
      this.#first = false;
      if (text.startsWith(BOM)) text = text.slice(1);
    }
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      this.#sink.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
    }
    return last + 1;
  }

  #tooLong(bytes: number): void {
    // The stream's start is behind us: a later BOM is text.
    this.#first = false;
    this.#sink.onTooLong(bytes);
  }

  #emit(bytes: Uint8Array, start: number, end: number): void {
    if (end > start && bytes[end - 1] === CR) end--;
    if (end - start > this.#maxLine) {
      this.#tooLong(end - start);
      return;
    }
    const first = this.#first;
    this.#first = false;
    this.#sink.onLine(_decode(bytes.subarray(start, end), first));
  }

  #keep(rest: Uint8Array): boolean {
    if (this.#discarding > 0) {
      this.#discarding += rest.length;
      return this.#discarding <= this.#hardLimit;
    }
    const held = this.#pending?.length ?? 0;
    const length = held + rest.length;
    if (length > this.#maxLine + 1) {
      // Past the limit: drop what we hold and only count from now on.
      this.#pending = null;
      this.#discarding = length;
      return this.#discarding <= this.#hardLimit;
    }
    const next = new Uint8Array(length);
    if (this.#pending !== null) next.set(this.#pending);
    next.set(rest, held);
    this.#pending = next;
    return true;
  }
}
