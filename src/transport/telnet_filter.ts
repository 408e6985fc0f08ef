/**
 * Telnet's in-band commands, taken out of a byte stream before it is split
 * into lines. A telnet client (`telnet`, PuTTY in its Telnet mode) opens by
 * negotiating options (`IAC DO SUPPRESS-GO-AHEAD`, `IAC WILL NAWS`, …) and
 * may later send commands (`IAC IP` for Ctrl-C, `IAC NOP` as a keepalive);
 * none of it is text. Every option is refused, once each (RFC 854; RFC
 * 1143: a refusal is never answered), so the client stays the line-at-a-time
 * terminal with local echo that a line chat wants. Pure: bytes in, bytes
 * out.
 *
 * UTF-8 never contains the byte 0xFF (IAC), so the text of a client that
 * speaks UTF-8 (netcat, `chat join`) passes through untouched, after one
 * scan for 0xFF per read.
 *
 * @module
 */

/** Interpret As Command: the byte that starts every telnet command. */
export const IAC = 0xff;

const SE = 240; // end of subnegotiation
const SB = 250; // start of subnegotiation
const WILL = 251;
const WONT = 252;
const DO = 253;
const DONT = 254;

// Where the filter is in the stream.
const DATA = 0; // text
const COMMAND = 1; // after IAC
const OPTION = 2; // after IAC WILL/WONT/DO/DONT
const SUB = 3; // inside IAC SB … IAC SE
const SUB_IAC = 4; // after IAC inside a subnegotiation

// Bits of #refused, per option.
const REFUSED_DO = 1; // we said WONT
const REFUSED_WILL = 2; // we said DONT

/** Options of {@linkcode TelnetFilter}. */
export interface TelnetFilterOptions {
  /**
   * Receives the answers to the peer's negotiation (`IAC WONT x` for
   * `IAC DO x`, `IAC DONT x` for `IAC WILL x`), to be sent to the peer; at
   * most one call per {@linkcode TelnetFilter.filter}, and at most one
   * answer per option and direction over the connection's life.
   * @default {undefined} the negotiation is ignored, not answered
   */
  onReply?: (bytes: Uint8Array) => void;
}

/**
 * Takes telnet commands out of a byte stream, in chunks split anywhere:
 * `IAC IAC` is a literal 0xFF byte; `IAC WILL|WONT|DO|DONT option`,
 * `IAC SB … IAC SE` and the two-byte commands (`IAC NOP`, `IAC IP`, …) are
 * dropped, and the options refused. An `IAC` followed by a byte that is no
 * command (below 240) is no telnet: both bytes are kept.
 *
 * @example A telnet client's opening, then a name
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { TelnetFilter } from "./telnet_filter.ts";
 *
 * const replies: number[][] = [];
 * const filter = new TelnetFilter({ onReply: (bytes) => replies.push([...bytes]) });
 * const text = filter.filter(new Uint8Array([0xff, 0xfd, 3, 0xff, 0xfb, 31, 0x61, 0x6e]));
 * assertEquals([...text], [0x61, 0x6e]); // "an"
 * assertEquals([...filter.filter(new Uint8Array([0x61, 0x0a]))], [0x61, 0x0a]);
 * assertEquals(replies, [[0xff, 0xfc, 3, 0xff, 0xfe, 31]]); // WONT SGA, DONT NAWS
 * ```
 */
export class TelnetFilter {
  #state = DATA;
  #verb = 0;
  #refused = new Uint8Array(256);
  #onReply: ((bytes: Uint8Array) => void) | undefined;

  /** @param options Where the answers to the peer's negotiation go. */
  constructor(options: TelnetFilterOptions = {}) {
    this.#onReply = options.onReply;
  }

  /**
   * Filters the next chunk of the stream.
   *
   * @param chunk Bytes read from the peer; not changed.
   * @returns The text bytes in it: `chunk` itself when it holds no command
   * (and none is under way), else a new array.
   */
  filter(chunk: Uint8Array): Uint8Array {
    if (this.#state === DATA && chunk.indexOf(IAC) < 0) return chunk;
    // One more: a stray IAC held from the last chunk may be given back.
    const out = new Uint8Array(chunk.length + 1);
    let length = 0;
    let replies: number[] | null = null;
    for (const byte of chunk) {
      switch (this.#state) {
        case DATA:
          if (byte === IAC) this.#state = COMMAND;
          else out[length++] = byte;
          break;
        case COMMAND:
          if (byte === IAC) {
            out[length++] = IAC;
            this.#state = DATA;
          } else if (byte >= WILL) {
            this.#verb = byte;
            this.#state = OPTION;
          } else if (byte === SB) {
            this.#state = SUB;
          } else if (byte < SE) {
            // No command: a stray 0xFF, which is not telnet but invalid
            // UTF-8, and stays so (the line splitter makes it U+FFFD).
            out[length++] = IAC;
            out[length++] = byte;
            this.#state = DATA;
          } else {
            // A two-byte command (NOP, IP, AYT, …), dropped whole.
            this.#state = DATA;
          }
          break;
        case OPTION: {
          this.#state = DATA;
          const reply = this.#refuse(this.#verb, byte);
          if (reply !== 0) (replies ??= []).push(IAC, reply, byte);
          break;
        }
        case SUB:
          if (byte === IAC) this.#state = SUB_IAC;
          break;
        case SUB_IAC:
          // IAC SE ends it; IAC IAC is a 0xFF of the subnegotiation's data.
          this.#state = byte === SE ? DATA : SUB;
          break;
      }
    }
    if (replies !== null) this.#onReply?.(new Uint8Array(replies));
    return out.subarray(0, length);
  }

  /** The answer to `IAC verb option`, or 0 for none. */
  #refuse(verb: number, option: number): number {
    const bit = verb === DO ? REFUSED_DO : verb === WILL ? REFUSED_WILL : 0;
    // WONT and DONT agree with how things are: never answered.
    if (bit === 0 || (this.#refused[option]! & bit) !== 0) return 0;
    this.#refused[option]! |= bit;
    return verb === DO ? WONT : DONT;
  }
}
