/**
 * Payload markers, as chatload writes them: every message is
 * `m<seq> ~L<client>.<seq>.<send time in µs>~`, and every received line is
 * scanned for markers wherever they are, so the server's prefixes
 * (`[12:04] u3: `, `{"type":"message","from":"u3","text":"`) do not matter.
 * The sync barrier's probes are `~P<n>~`.
 *
 * Scanning works on bytes (TCP) or on a string (WebSocket) without decoding
 * or splitting lines: one `indexOf` per marker.
 *
 * @module
 */

const TILDE = 0x7e;
const LETTER_L = 0x4c;
const LETTER_P = 0x50;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Receives what a scan finds. */
export interface MarkerVisitor {
  /**
   * A message marker.
   *
   * @param sender Client number of the sender.
   * @param seq The sender's message number.
   * @param sentUs Send time written into the marker, in µs.
   */
  marker(sender: number, seq: number, sentUs: number): void;
  /** A sync-barrier probe. */
  probe(): void;
}

/**
 * Formats a message payload.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatMarker } from "./marker.ts";
 *
 * assertEquals(formatMarker(3, 7, 1234), "m7 ~L3.7.1234~");
 * ```
 *
 * @param sender Client number of the sender.
 * @param seq The sender's message number.
 * @param sentUs Send time in whole microseconds.
 * @returns The text of the message.
 */
export function formatMarker(
  sender: number,
  seq: number,
  sentUs: number,
): string {
  return `m${seq} ~L${sender}.${seq}.${sentUs}~`;
}

/**
 * Formats a sync-barrier probe.
 *
 * @param n Probe number.
 * @returns The text of the probe.
 */
export function formatProbe(n: number): string {
  return `~P${n}~`;
}

/**
 * Finds every marker and probe in `bytes[start, end)`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { scanBytes } from "./marker.ts";
 *
 * const found: number[][] = [];
 * const line = new TextEncoder().encode("[12:04] u3: m7 ~L3.7.1234~\n");
 * scanBytes(line, 0, line.length, {
 *   marker: (sender, seq, sentUs) => found.push([sender, seq, sentUs]),
 *   probe: () => {},
 * });
 * assertEquals(found, [[3, 7, 1234]]);
 * ```
 *
 * @param bytes Received bytes.
 * @param start First byte to scan.
 * @param end Byte after the last one to scan.
 * @param visitor Called for each marker and probe found.
 */
export function scanBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  visitor: MarkerVisitor,
): void {
  const view = start === 0 && end === bytes.length
    ? bytes
    : bytes.subarray(start, end);
  const code = (i: number) => view[i] ?? -1;
  let at = view.indexOf(TILDE);
  while (at !== -1) {
    const next = _scanOne(code, at, visitor);
    at = view.indexOf(TILDE, next);
  }
}

/**
 * Finds every marker and probe in a string (a WebSocket text frame).
 *
 * @param text Received text.
 * @param visitor Called for each marker and probe found.
 */
export function scanText(text: string, visitor: MarkerVisitor): void {
  const code = (i: number) => text.charCodeAt(i);
  let at = text.indexOf("~");
  while (at !== -1) {
    const next = _scanOne(code, at, visitor);
    at = text.indexOf("~", next);
  }
}

// The number _digits() read last; a module variable so that the hot path
// allocates nothing.
let _value = 0;

// Reads decimal digits from `i`; returns the index after them.
function _digits(code: (i: number) => number, i: number): number {
  let value = 0;
  for (let c = code(i); c >= ZERO && c <= NINE; c = code(++i)) {
    value = value * 10 + c - ZERO;
  }
  _value = value;
  return i;
}

// Reports the marker or probe starting at the "~" at `at`, if one does;
// returns where to look for the next "~".
function _scanOne(
  code: (i: number) => number,
  at: number,
  visitor: MarkerVisitor,
): number {
  const kind = code(at + 1);
  if (kind === LETTER_L) {
    const a = _digits(code, at + 2);
    const sender = _value;
    if (a === at + 2 || code(a) !== DOT) return a;
    const b = _digits(code, a + 1);
    const seq = _value;
    if (b === a + 1 || code(b) !== DOT) return b;
    const c = _digits(code, b + 1);
    if (c === b + 1 || code(c) !== TILDE) return c;
    visitor.marker(sender, seq, _value);
    return c + 1;
  }
  if (kind === LETTER_P) {
    const a = _digits(code, at + 2);
    if (a === at + 2 || code(a) !== TILDE) return a;
    visitor.probe();
    return a + 1;
  }
  return at + 1;
}

/**
 * The bench's clock: microseconds since the process started, whole. Send
 * and receive times come from the same clock, in the same process.
 *
 * @returns Microseconds.
 */
export function nowUs(): number {
  return Math.round(performance.now() * 1000);
}
