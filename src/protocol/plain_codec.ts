/**
 * The plain dialect, for netcat and telnet users: every line they type is a
 * name until they have one, then a message or a `/command`; every server
 * message becomes readable lines such as `[12:04] ana: hello`. Pure.
 *
 * @module
 */

import type { Codec, Decoded, Reader } from "./codec.ts";
import type { Lang, ServerMessage } from "./messages.ts";
import { STRINGS } from "../i18n/server_strings.ts";

/**
 * Formats a time as `[HH:MM]`, local time.
 *
 * @param time Milliseconds since the epoch.
 * @returns The stamp with its brackets.
 */
export function formatStamp(time: number): string {
  // Every line of a minute shares its stamp: format once per minute.
  const minute = Math.floor(time / 60_000);
  if (minute === _stampMinute) return _stamp;
  const date = new Date(time);
  const hh = String(date.getHours()).padStart(2, "0");
  const mm = String(date.getMinutes()).padStart(2, "0");
  _stampMinute = minute;
  _stamp = `[${hh}:${mm}]`;
  return _stamp;
}

let _stampMinute = NaN;
let _stamp = "";

function _notice(time: number, text: string): string {
  const stamp = formatStamp(time);
  return text.split("\n").map((line) => `${stamp} -- ${line}\n`).join("");
}

/**
 * Renders a server message for a plain-dialect user.
 *
 * Every line ends in `\n`; user text was sanitised by the room, so it holds
 * no line break and the prefix cannot be forged.
 *
 * @example
 * ```ts
 * import { assertMatch } from "@std/assert";
 * import { encodePlain } from "./plain_codec.ts";
 *
 * const line = encodePlain({ type: "message", from: "ana", text: "hello", time: 0 }, "en");
 * assertMatch(line, /^\[\d\d:\d\d\] ana: hello\n$/);
 * ```
 *
 * @param message What to render.
 * @param lang The reader's language.
 * @param now Clock for messages without a time.
 * @returns One or more lines, or `""` for messages plain users do not see.
 */
export function encodePlain(
  message: ServerMessage,
  lang: Lang,
  now: () => number = Date.now,
): string {
  const strings = STRINGS[lang];
  switch (message.type) {
    case "message":
      return message.action
        ? `${formatStamp(message.time)} * ${message.from} ${message.text}\n`
        : `${formatStamp(message.time)} ${message.from}: ${message.text}\n`;
    case "private":
      return `${
        formatStamp(message.time)
      } [${message.from} -> ${message.to}] ${message.text}\n`;
    case "join":
      return _notice(message.time, strings.joined(message.name));
    case "leave":
      return _notice(
        message.time,
        strings.left(message.name, message.reason, message.detail),
      );
    case "rename":
      return _notice(message.time, strings.renamed(message.from, message.to));
    case "welcome": {
      let out = _notice(now(), strings.welcome(message.name, message.members));
      if (message.history.length > 0) {
        out += _notice(now(), strings.historyHeader(message.history.length));
        for (const line of message.history) {
          out += encodePlain({ type: "message", ...line }, lang, now);
        }
      }
      return out;
    }
    case "name_error":
      return `${
        formatStamp(now())
      } !! ${message.text}. ${strings.askAnotherName}\n`;
    case "members":
      return _notice(now(), strings.online(message.names));
    case "info":
    case "bye":
      return _notice(now(), message.text);
    case "error":
      return `${formatStamp(now())} !! ${message.text}\n`;
    case "ping":
    case "pong":
      return "";
  }
}

/**
 * Whether a line is the plain dialect's name prompt, in any language: what a
 * server sends a connection that stayed silent (see `PROMPT_AFTER_MS` in
 * `config.ts`). A native client whose hello arrived after it skips it: the
 * hello still picks the native dialect.
 *
 * @example
 * ```ts
 * import { assert, assertFalse } from "@std/assert";
 * import { isNamePrompt } from "./plain_codec.ts";
 *
 * assert(isNamePrompt("[12:04] -- Welcome to chat! What is your name?"));
 * assertFalse(isNamePrompt("[12:04] ana: What is your name?"));
 * ```
 *
 * @param line A line from the server, without its line ending.
 * @returns `true` for the prompt.
 */
export function isNamePrompt(line: string): boolean {
  const notice = /^\[\d\d:\d\d\] -- (.*)$/.exec(line);
  return notice !== null &&
    Object.values(STRINGS).some((strings) => strings.askName === notice[1]);
}

function _decode(line: string, reader: Reader): Decoded {
  if (reader.joined) return { type: "input", text: line };
  return line.trim() === "" ? null : { type: "hello", name: line };
}

/**
 * The plain dialect's codec. Its state is the reader itself: a line is a
 * name until the reader has joined, and the text depends on its language.
 * It takes any first line, so it comes last when sniffing.
 *
 * @example A name, then a message
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { PLAIN_CODEC } from "./plain_codec.ts";
 *
 * const reader = { name: "", lang: "en", joined: false } as const;
 * assertEquals(PLAIN_CODEC.decode("ana", reader), { type: "hello", name: "ana" });
 * assertEquals(PLAIN_CODEC.decode("hi", { ...reader, joined: true }), {
 *   type: "input",
 *   text: "hi",
 * });
 * ```
 */
export const PLAIN_CODEC: Codec<Reader, "plain"> = {
  id: "plain",
  pings: false,
  claims: () => true,
  open: (reader) => reader,
  decode: _decode,
  encode: (message, reader) => encodePlain(message, reader.lang),
  variant: (_message, reader) => reader.lang,
};
