/**
 * The native dialect: one JSON object per line, each with a `type` field.
 * The terminal client and the page speak it; {@linkcode NATIVE_CODEC} is its
 * codec on the server.
 *
 * @module
 */

import type { Codec, Decoded } from "./codec.ts";
import type { Command } from "./commands.ts";
import {
  type ClientMessage,
  isIrcOnly,
  type ServerMessage,
} from "./messages.ts";
import { stripFormattingDeep } from "./irc_format.ts";
import { readPublicKey } from "./key_proof.ts";

const CLIENT_TYPES = new Set([
  "hello",
  "input",
  "join",
  "part",
  "topic",
  "rooms",
  "who",
  "switch",
  "quit",
  "ping",
  "pong",
  "proof",
  "history",
  "search",
]);
const SERVER_TYPES = new Set([
  "welcome",
  "name_error",
  "joined",
  "parted",
  "current",
  "message",
  "private",
  "join",
  "part",
  "leave",
  "rename",
  "kick",
  "mode",
  "topic",
  "members",
  "rooms",
  "info",
  "error",
  "bye",
  "ping",
  "pong",
  "challenge",
  "catch_up",
  "history",
  "search",
]);

/**
 * Encodes one message as a native-dialect line, with its trailing `\n`.
 *
 * @example Encode a hello
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { encodeMessage } from "./native_codec.ts";
 *
 * assertEquals(
 *   encodeMessage({ type: "hello", version: 2, name: "ana" }),
 *   '{"type":"hello","version":2,"name":"ana"}\n',
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

// A JSON object whose `type` is one of `types`.
function _parseRecord(
  line: string,
  what: string,
  types: ReadonlySet<string>,
): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new SyntaxError(`Cannot decode ${what}: not JSON`);
  }
  if (!_isRecord(value) || typeof value.type !== "string") {
    throw new SyntaxError(`Cannot decode ${what}: no "type" field`);
  }
  if (!types.has(value.type)) {
    throw new SyntaxError(
      `Cannot decode ${what}: unknown type "${value.type.slice(0, 32)}"`,
    );
  }
  return value;
}

// Copies the optional fields of `from` that are finite numbers.
function _withNumbers<T extends object>(
  message: T,
  from: Record<string, unknown>,
  keys: readonly string[],
): T {
  for (const key of keys) {
    const value = from[key];
    if (typeof value === "number" && Number.isFinite(value)) {
      (message as Record<string, unknown>)[key] = value;
    }
  }
  return message;
}

function _optionalString(
  record: Record<string, unknown>,
  key: string,
): string | undefined {
  const value = record[key];
  return typeof value === "string" ? value : undefined;
}

// The string field a message needs, or a SyntaxError naming it.
function _string(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== "string") {
    throw new SyntaxError(
      `Cannot decode ${record.type}: it needs a string ${key}`,
    );
  }
  return value;
}

// Copies the optional fields of `from` that are strings; others are dropped.
function _withOptional<T extends object>(
  message: T,
  from: object,
  keys: readonly string[],
): T {
  for (const key of keys) {
    const value = _optionalString(from as Record<string, unknown>, key);
    if (value !== undefined) (message as Record<string, unknown>)[key] = value;
  }
  return message;
}

/**
 * Decodes a line a client sent. Fields are checked, unknown fields dropped,
 * and optional fields of the wrong type dropped too.
 *
 * @example Decode an input line and a join request
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { decodeClientMessage } from "./native_codec.ts";
 *
 * assertEquals(decodeClientMessage('{"type":"input","text":"hi"}'), {
 *   type: "input",
 *   text: "hi",
 * });
 * assertEquals(decodeClientMessage('{"type":"join","room":"#games"}'), {
 *   type: "join",
 *   room: "#games",
 * });
 * ```
 *
 * @param line One line without its line ending.
 * @returns The typed message.
 * @throws {SyntaxError} When the line is not a valid client message.
 */
export function decodeClientMessage(line: string): ClientMessage {
  const r = _parseRecord(line, "client message", CLIENT_TYPES);
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
      if (r.key !== undefined) {
        const key = readPublicKey(r.key);
        if (key === null) {
          throw new SyntaxError(
            "Cannot decode hello: its key is not an Ed25519 or ECDSA-P256 public key",
          );
        }
        hello.key = key;
      }
      return _withOptional(hello, r, ["password", "namePassword"]);
    }
    case "proof": {
      return { type: "proof", signature: _string(r, "signature") };
    }
    case "input":
      if (typeof r.text !== "string") {
        throw new SyntaxError("Cannot decode input: it needs a string text");
      }
      return _withOptional({ type: "input", text: r.text }, r, ["room"]);
    case "join":
      return _withOptional({ type: "join", room: _string(r, "room") }, r, [
        "key",
      ]);
    case "part":
      return _withOptional({ type: "part", room: _string(r, "room") }, r, [
        "reason",
      ]);
    case "topic":
      return _withOptional({ type: "topic", room: _string(r, "room") }, r, [
        "text",
      ]);
    case "switch":
      return { type: "switch", room: _string(r, "room") };
    case "who":
      return _withOptional({ type: "who" }, r, ["room"]);
    case "rooms":
      return { type: "rooms" };
    case "quit":
      return _withOptional({ type: "quit" }, r, ["reason"]);
    case "history":
      return _withNumbers(
        { type: "history", room: _string(r, "room") },
        r,
        ["before", "limit"],
      );
    case "search":
      return _withNumbers(
        {
          type: "search",
          room: _string(r, "room"),
          words: _string(r, "words"),
        },
        r,
        ["before"],
      );
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
  const r = _parseRecord(line, "server message", SERVER_TYPES);
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

// Every native reader gets the same bytes: one encoding per message.
const SHARED = "";

// JSON.stringify writes IRC's formatting codes as these escapes.
const FORMATTING_ESCAPE = /\\u00(?:0[234f]|1[16def])/;

function _encode(message: ServerMessage): string {
  // Answers only IRC asks for now: native clients are not sent them.
  if (isIrcOnly(message)) return "";
  const line = _encodeShown(message);
  // IRC's formatting is for IRC readers only.
  return FORMATTING_ESCAPE.test(line)
    ? _encodeShown(stripFormattingDeep(message))
    : line;
}

function _encodeShown(message: ServerMessage): string {
  // An error's target is for IRC's numerics; native clients read its text.
  if (message.type === "error" && message.target !== undefined) {
    const { target: _, ...error } = message;
    return encodeMessage(error);
  }
  return encodeMessage(message);
}

function _decode(line: string): Decoded {
  let message: ClientMessage;
  try {
    message = decodeClientMessage(line);
  } catch (error) {
    return { type: "bad", why: (error as Error).message };
  }
  switch (message.type) {
    case "ping":
      return {
        type: "reply",
        text: encodeMessage({ type: "pong", id: message.id }),
      };
    case "pong":
      return null;
    case "hello":
    case "input":
    case "quit":
    case "proof":
      return message;
    default:
      return { type: "command", command: requestCommand(message) };
  }
}

/** A native request that stands for a command. */
export type NativeRequest = Extract<
  ClientMessage,
  {
    type:
      | "join"
      | "part"
      | "topic"
      | "rooms"
      | "who"
      | "switch"
      | "history"
      | "search";
  }
>;

/**
 * The command a native request stands for: what typing it as a `/command`
 * would ask (`join` is `/join`, `who` is `/who`...), with its room named.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { requestCommand } from "./native_codec.ts";
 *
 * assertEquals(requestCommand({ type: "join", room: "#games", key: "k" }), {
 *   kind: "join",
 *   room: "#games",
 *   key: "k",
 * });
 * assertEquals(requestCommand({ type: "rooms" }), { kind: "rooms" });
 * ```
 *
 * @param request The request.
 * @returns The command.
 */
export function requestCommand(request: NativeRequest): Command {
  switch (request.type) {
    case "join":
      return _withOptional({ kind: "join", room: request.room }, request, [
        "key",
      ]);
    case "part":
      return _withOptional({ kind: "part", room: request.room }, request, [
        "reason",
      ]);
    case "topic":
      return _withOptional({ kind: "topic", room: request.room }, request, [
        "text",
      ]);
    case "who":
      return _withOptional({ kind: "who" }, request, ["room"]);
    case "switch":
      return { kind: "switch", room: request.room };
    case "rooms":
      return { kind: "rooms" };
    case "history":
      return _withNumbers(
        { kind: "history", room: request.room },
        request,
        ["before", "limit"],
      );
    case "search":
      return _withNumbers(
        { kind: "search", room: request.room, words: request.words },
        request,
        ["before"],
      );
  }
}

/**
 * The native dialect's codec: JSON lines, the same for every reader; its
 * peers answer pings.
 *
 * @example Answer a ping
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { NATIVE_CODEC } from "./native_codec.ts";
 *
 * assertEquals(NATIVE_CODEC.decode('{"type":"ping","id":7}', null), {
 *   type: "reply",
 *   text: '{"type":"pong","id":7}\n',
 * });
 * ```
 */
export const NATIVE_CODEC: Codec<null, "native"> = {
  id: "native",
  pings: true,
  claims: isNativeHello,
  open: () => null,
  decode: _decode,
  encode: _encode,
  variant: () => SHARED,
};
