/**
 * What a wire dialect is: a codec, not a second server. A codec turns the
 * lines one connection sends into intents for the session, and the hub's
 * messages into the text that connection reads. It may keep state per
 * connection (IRC's registration and capabilities will); the ones of today
 * keep none. Every codec is listed once, in {@linkcode CODECS}.
 *
 * @module
 */

import type { Command } from "./commands.ts";
import type { PublicKeyInfo } from "./key_proof.ts";
import type { Lang, ServerMessage } from "./messages.ts";
import type { CODECS } from "./sniff.ts";

/** The name of a codec: `"native"`, `"plain"`, one per entry of {@linkcode CODECS}. */
export type CodecId = (typeof CODECS)[number]["id"];

/** What a codec may know of the connection it reads and writes for. */
export interface Reader {
  /** The member's name once it has joined, else `""`. */
  readonly name: string;
  /** Language for texts addressed to this reader. */
  readonly lang: Lang;
  /** Whether the hub has accepted the reader's name. */
  readonly joined: boolean;
  /**
   * Whether the server still waits for its password from this reader
   * (`--password`): the plain dialect then reads a line as the password.
   */
  readonly needsPassword: boolean;
  /** The reader's current room once joined, or `null` (none, or not yet). */
  readonly room: string | null;
}

/**
 * Something a connection asked for, in dialect-free terms. A `hello`
 * without a version is a bare name attempt (a plain user typing a name).
 */
export type Intent =
  /**
   * A name attempt, with the language, protocol version and server
   * password it comes with.
   */
  | {
    type: "hello";
    name: string;
    version?: number;
    lang?: Lang;
    password?: string;
    /** The client's personal public key, to prove and claim names with. */
    key?: PublicKeyInfo;
    /** The password of a claimed name (`/register`), proving it. */
    namePassword?: string;
  }
  /** The answer to the server's `challenge`: a signature, base64url. */
  | { type: "proof"; signature: string }
  /** The server's password, given on its own (plain: a line before the name). */
  | { type: "password"; password: string }
  /**
   * A line the user typed: a message, or a `/command` for the hub; `room`
   * says which room it is for (else the current room).
   */
  | { type: "input"; text: string; room?: string }
  /** A command asked for in the dialect's own terms (native `join`, IRC). */
  | { type: "command"; command: Command }
  /** Leave, with an optional reason. */
  | { type: "quit"; reason?: string };

/** What one line decodes to. */
export type Decoded =
  | Intent
  /** Text in the codec's own dialect to send straight back (a `pong`). */
  | { type: "reply"; text: string }
  /** The line cannot be understood; `why` says why, for the peer. */
  | { type: "bad"; why: string }
  /** A well-formed line that asks for nothing. */
  | null;

/**
 * A wire dialect. Pure: text in, intents out, and messages back to text.
 *
 * @typeParam State What the codec keeps per connection (`null` for none).
 * @typeParam Id The codec's name.
 */
export interface Codec<State = unknown, Id extends string = string> {
  /** The codec's name, for logs and tests. */
  readonly id: Id;
  /** Whether peers answer pings: a silent member is pinged, then dropped. */
  readonly pings: boolean;
  /**
   * Tells whether the first line of a connection opens this dialect.
   *
   * @param line The first non-blank line, without its line ending.
   * @returns `true` when this codec should read the connection.
   */
  claims(line: string): boolean;
  /**
   * Makes the state of one connection.
   *
   * @param reader The connection (it stays the same object for its life).
   * @returns The state handed to every other call for this connection.
   */
  open(reader: Reader): State;
  /**
   * Decodes one line from the peer.
   *
   * @param line The line, without its line ending.
   * @param state The connection's state.
   * @returns What the line asks for.
   */
  decode(line: string, state: State): Decoded;
  /**
   * Encodes a message for one connection.
   *
   * @param message The message.
   * @param state The reader's state.
   * @returns One or more lines, each ending in `\n`; `""` when this dialect
   * does not show the message.
   */
  encode(message: ServerMessage, state: State): string;
  /**
   * The cache key of a message's encoding: readers with the same variant
   * get the same text (native: everyone; plain: by language).
   *
   * @param message The message.
   * @param state The reader's state.
   * @returns The key, or `null` when the text is the reader's own (it is
   * then encoded for each reader).
   */
  variant(message: ServerMessage, state: State): string | null;
}
