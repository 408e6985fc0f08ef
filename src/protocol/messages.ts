/**
 * The messages of the chat protocol: what clients send and what the server
 * sends, whatever the dialect carries them. Server, terminal client and the
 * browser client all import these types, so a change to the wire format is a
 * compile error everywhere it matters. The native dialect's JSON lines are in
 * `native_codec.ts`; see `docs/protocol.md`.
 *
 * @module
 */

/** Version of the native dialect; a hello with another major version is refused. */
export const PROTOCOL_VERSION = 1;

/** Languages the server and client speak. */
export type Lang = "en" | "pt";

/** Messages a client sends to the server. */
export type ClientMessage =
  /** First line of a native connection; resend with another name after a `name_error`. */
  | { type: "hello"; version: number; name: string; lang?: Lang }
  /** A line the user typed: a message, or a `/command` the server interprets. */
  | { type: "input"; text: string }
  /** Leave cleanly; the server answers `bye` after everything before it is handled. */
  | { type: "quit"; reason?: string }
  /** Liveness probe; the other side answers `pong` with the same id. */
  | { type: "ping"; id: number }
  /** Answer to a `ping`. */
  | { type: "pong"; id: number };

/** A public chat line as kept in history. */
export interface ChatLine {
  /** Sender's name. */
  from: string;
  /** Sanitised text. */
  text: string;
  /** Milliseconds since the epoch, server clock. */
  time: number;
  /** `true` for `/me` actions. */
  action?: boolean;
}

/** Messages the server sends to a client. */
export type ServerMessage =
  /** The name was accepted; `members` includes the joiner, `history` holds recent public lines. */
  | {
    type: "welcome";
    name: string;
    members: string[];
    history: ChatLine[];
    server: string;
    version: number;
    /** The server's flood limit, so scripted clients can pace themselves. */
    limits?: { rate: number; burst: number };
  }
  /** The requested name was refused; the client may send another `hello`. */
  | { type: "name_error"; name: string; code: NameErrorCode; text: string }
  /** A public message (or `/me` action) from another member. */
  | ({ type: "message" } & ChatLine)
  /** A private message; sent to its target and echoed to its sender. */
  | { type: "private"; from: string; to: string; text: string; time: number }
  /** Someone joined. */
  | { type: "join"; name: string; time: number }
  /**
   * Someone left. Broadcasts carry codes, not localised text, so one encoding
   * serves every member; clients localise with `STRINGS[lang].left()`.
   */
  | {
    type: "leave";
    name: string;
    reason: LeaveReason;
    detail?: string;
    time: number;
  }
  /** Someone changed name. */
  | { type: "rename"; from: string; to: string; time: number }
  /** Answer to `/who`. */
  | { type: "members"; names: string[] }
  /** Informational text for this user only (help, command results). */
  | { type: "info"; code: string; text: string }
  /** Something this user asked for failed; the connection goes on. */
  | { type: "error"; code: string; text: string }
  /** The server is closing this connection; `reason` is a code, `text` the localised reason. */
  | { type: "bye"; reason: LeaveReason; text: string }
  /** Liveness probe; the client answers `pong` with the same id. */
  | { type: "ping"; id: number }
  /** Answer to a client's `ping`. */
  | { type: "pong"; id: number };

/** Why a name was refused. */
export type NameErrorCode =
  | "empty"
  | "too_long"
  | "invalid_chars"
  | "mixed_scripts"
  | "reserved"
  | "taken";

/** Why a member left. */
export type LeaveReason =
  | "quit"
  | "closed"
  | "error"
  | "shutdown"
  | "timeout"
  | "flood"
  | "slow"
  | "protocol"
  | "full"
  | "limit";

/**
 * Tells whether a message is a join, leave or rename notice: the ones that
 * go to everyone at once and may wait a few milliseconds to be batched.
 *
 * @param message A server message.
 * @returns `true` for `join`, `leave` and `rename`.
 */
export function isNotice(message: ServerMessage): boolean {
  const type = message.type;
  return type === "join" || type === "leave" || type === "rename";
}

/** The `type` of every {@linkcode ServerMessage}. */
export type ServerMessageType = ServerMessage["type"];
