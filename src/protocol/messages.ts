/**
 * The native dialect of the chat protocol: one JSON object per line, each with
 * a `type` field. Server, terminal client and (later) the browser client all
 * import these types, so a change to the wire format is a compile error
 * everywhere it matters. See `docs/protocol.md`.
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

const CLIENT_TYPES = new Set(["hello", "input", "quit", "ping", "pong"]);
const SERVER_TYPES = new Set([
  "welcome",
  "name_error",
  "message",
  "private",
  "join",
  "leave",
  "rename",
  "members",
  "info",
  "error",
  "bye",
  "ping",
  "pong",
]);

/**
 * Encodes one message as a native-dialect line, with its trailing `\n`.
 *
 * @example Encode a hello
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { encodeMessage } from "./messages.ts";
 *
 * assertEquals(
 *   encodeMessage({ type: "hello", version: 1, name: "ana" }),
 *   '{"type":"hello","version":1,"name":"ana"}\n',
 * );
 * ```
 *
 * @param message The message to encode.
 * @returns The JSON line, ending in `\n`.
 */
export function encodeMessage(message: ClientMessage | ServerMessage): string {
  // JSON.stringify escapes every control character, so the line can never
  // contain a raw line break whatever the strings hold.
  return JSON.stringify(message) + "\n";
}

function _isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function _parseRecord(line: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new SyntaxError(`Cannot decode ${what}: not JSON`);
  }
  if (!_isRecord(value) || typeof value.type !== "string") {
    throw new SyntaxError(`Cannot decode ${what}: no "type" field`);
  }
  return value;
}

function _optionalString(
  record: Record<string, unknown>,
  key: string,
): string | undefined {
  const value = record[key];
  return typeof value === "string" ? value : undefined;
}

/**
 * Decodes a line a client sent. Fields are checked, unknown fields dropped.
 *
 * @example Decode an input line
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { decodeClientMessage } from "./messages.ts";
 *
 * assertEquals(decodeClientMessage('{"type":"input","text":"hi"}'), {
 *   type: "input",
 *   text: "hi",
 * });
 * ```
 *
 * @param line One line without its line ending.
 * @returns The typed message.
 * @throws {SyntaxError} When the line is not a valid client message.
 */
export function decodeClientMessage(line: string): ClientMessage {
  const r = _parseRecord(line, "client message");
  if (!CLIENT_TYPES.has(r.type as string)) {
    throw new SyntaxError(
      `Cannot decode client message: unknown type "${
        String(r.type).slice(0, 32)
      }"`,
    );
  }
  switch (r.type) {
    case "hello": {
      if (typeof r.name !== "string" || typeof r.version !== "number") {
        throw new SyntaxError(
          "Cannot decode hello: it needs a string name and a numeric version",
        );
      }
      const hello: ClientMessage = {
        type: "hello",
        version: r.version,
        name: r.name,
      };
      if (r.lang === "en" || r.lang === "pt") hello.lang = r.lang;
      return hello;
    }
    case "input":
      if (typeof r.text !== "string") {
        throw new SyntaxError("Cannot decode input: it needs a string text");
      }
      return { type: "input", text: r.text };
    case "quit": {
      const reason = _optionalString(r, "reason");
      return reason === undefined ? { type: "quit" } : { type: "quit", reason };
    }
    default: {
      if (typeof r.id !== "number" || !Number.isFinite(r.id)) {
        throw new SyntaxError(`Cannot decode ${r.type}: it needs a numeric id`);
      }
      return { type: r.type as "ping" | "pong", id: r.id };
    }
  }
}

/**
 * Decodes a line the server sent. Only the `type` is checked strictly; the
 * client trusts the server's field shapes but never its text (it sanitises
 * again before printing).
 *
 * @param line One line without its line ending.
 * @returns The typed message.
 * @throws {SyntaxError} When the line is not JSON or has an unknown type.
 */
export function decodeServerMessage(line: string): ServerMessage {
  const r = _parseRecord(line, "server message");
  if (!SERVER_TYPES.has(r.type as string)) {
    throw new SyntaxError(
      `Cannot decode server message: unknown type "${
        String(r.type).slice(0, 32)
      }"`,
    );
  }
  return r as unknown as ServerMessage;
}

/**
 * Tells whether a first line opens the native dialect. Anything else is a
 * plain-dialect name.
 *
 * @param line The first line a connection sent.
 * @returns `true` when the line looks like a JSON object with `"type":"hello"`.
 */
export function isNativeHello(line: string): boolean {
  return line.startsWith("{") && line.includes('"hello"');
}
