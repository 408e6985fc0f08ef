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
  /**
   * What the server tells of itself (IRC's welcome, ISUPPORT and MOTD).
   * @default {undefined} the codec makes do with its own defaults
   */
  readonly server?: ServerFacts | undefined;
  /**
   * Who a member is, by name: its user, cloaked host and away text (IRC
   * writes members as `nick!user@host`). `undefined` for nobody by that
   * name.
   */
  peer?(name: string): Peer | undefined;
}

/** Facts of the server that stay the same while it runs. */
export interface ServerFacts {
  /** The server's name (`--server-name`): the source of its IRC lines. */
  readonly name: string;
  /** The network's name (IRC `NETWORK`). */
  readonly network: string;
  /** The server's version, as IRC `VERSION` tells it (`chat-0.1.0`). */
  readonly version: string;
  /** When the server started, in milliseconds since the epoch. */
  readonly started: number;
  /** The message of the day's lines (`--motd`), or `null` for none. */
  readonly motd: readonly string[] | null;
  /** Longest line the server reads, in bytes. */
  readonly maxLineBytes: number;
  /** Most rooms one member may be in at once; 0 = no limit. */
  readonly maxRoomsPerUser: number;
}

/** What others may know of a member, for IRC's `nick!user@host`. */
export interface Peer {
  /** The user part: IRC's `USER` name (`~ana`), else the dialect's name. */
  readonly user: string;
  /** The host part: a cloak of the address, or the address (`--show-ips`). */
  readonly host: string;
  /** IRC's real name, or `""`. */
  readonly realname: string;
  /** Its away text, when away. */
  readonly away?: string;
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
    /** IRC's `USER` name, shown as the user part of `nick!user@host`. */
    user?: string;
    /** IRC's real name. */
    realname?: string;
    /** The client's personal public key, to prove and claim names with. */
    key?: PublicKeyInfo;
    /** The password of a claimed name (`/register`), proving it. */
    namePassword?: string;
  }
  /**
   * IRC's SASL: a name's password (`PLAIN`), or the TLS client
   * certificate the connection showed (`EXTERNAL`), proving `account`.
   * The session answers with a `sasl` message.
   */
  | { type: "sasl"; mechanism: "PLAIN"; account: string; password: string }
  | { type: "sasl"; mechanism: "EXTERNAL"; account: string }
  /** The answer to the server's `challenge`: a signature, base64url. */
  | { type: "proof"; signature: string }
  /** The server's password, given on its own (plain: a line before the name). */
  | { type: "password"; password: string }
  /**
   * A line the user typed: a message, or a `/command` for the hub; `room`
   * says which room it is for (else the current room).
   */
  | { type: "input"; text: string; room?: string }
  /**
   * A command asked for in the dialect's own terms (native `join`, IRC);
   * `room` says which room it is for (IRC's `PRIVMSG #room`).
   */
  | { type: "command"; command: Command; room?: string }
  /** Leave, with an optional reason. */
  | { type: "quit"; reason?: string };

/** What one line decodes to. */
export type Decoded =
  | Intent
  /** Text in the codec's own dialect to send straight back (a `pong`). */
  | { type: "reply"; text: string }
  /** The line cannot be understood; `why` says why, for the peer. */
  | { type: "bad"; why: string }
  /** Several things, in order (IRC's `JOIN #a,#b`). */
  | { type: "many"; items: Decoded[] }
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
  /**
   * Whether the reader wants its own public lines back (IRC's
   * `echo-message`).
   * @default {undefined} never
   */
  echoes?(state: State): boolean;
  /**
   * Sees every message before it is encoded for this reader, cached or
   * not, so a codec can keep track of what its reader knows (IRC: the
   * channels it is in, and their modes).
   * @default {undefined} nothing is kept
   */
  observe?(message: ServerMessage, state: State): void;
}
