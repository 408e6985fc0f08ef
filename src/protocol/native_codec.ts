/**
 * The native dialect: one JSON object per line, each with a `type` field.
 * The terminal client and the page speak it; {@linkcode NATIVE_CODEC} is its
 * codec on the server.
 *
 * @module
 */

import type { Codec, Decoded } from "./codec.ts";
import type { ClientMessage, ServerMessage } from "./messages.ts";

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
 * import { encodeMessage } from "./native_codec.ts";
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
 * import { decodeClientMessage } from "./native_codec.ts";
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
    default:
      return message;
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
  encode: encodeMessage,
  variant: () => SHARED,
};
