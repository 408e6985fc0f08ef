/**
 * The plain dialect, for netcat and telnet users: every line they type is a
 * name until they have one, then a message or a `/command`; every server
 * message becomes readable lines such as `[12:04] ana: hello`. Pure.
 *
 * @module
 */

import type { Codec, Decoded, Reader } from "./codec.ts";
import { stripIrcFormatting } from "./irc_format.ts";
import {
  type ChatLine,
  isIrcOnly,
  type Lang,
  type RoomState,
  type ServerMessage,
} from "./messages.ts";
import { CLAIM_STRINGS } from "../i18n/claim_strings.ts";
import {
  markOperators,
  roomEventText,
  STRINGS,
} from "../i18n/server_strings.ts";

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

/**
 * Formats a time as `[HH:MM]` when it is of the same local day as `now`,
 * else as `[YYYY-MM-DD HH:MM]`: how replayed and found lines show their
 * date.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatDatedStamp } from "./plain_codec.ts";
 *
 * const noon = new Date(2024, 4, 1, 12, 4).getTime();
 * assertEquals(formatDatedStamp(noon, noon + 60_000), "[12:04]");
 * assertEquals(formatDatedStamp(noon, noon + 86_400_000), "[2024-05-01 12:04]");
 * ```
 *
 * @param time Milliseconds since the epoch.
 * @param now The time now, for what "today" is.
 * @returns The stamp with its brackets.
 */
export function formatDatedStamp(time: number, now: number): string {
  const date = new Date(time);
  const today = new Date(now);
  if (
    date.getFullYear() === today.getFullYear() &&
    date.getMonth() === today.getMonth() &&
    date.getDate() === today.getDate()
  ) {
    return formatStamp(time);
  }
  const day = `${date.getFullYear()}-${
    String(date.getMonth() + 1).padStart(2, "0")
  }-${String(date.getDate()).padStart(2, "0")}`;
  return `[${day} ${formatStamp(time).slice(1)}`;
}

function _notice(time: number, text: string, room = ""): string {
  const stamp = formatStamp(time);
  return text.split("\n").map((line) => `${stamp} ${room}-- ${line}\n`).join(
    "",
  );
}

/** Options of {@linkcode encodePlain}. */
export interface EncodePlainOptions {
  /**
   * Clock for messages without a time.
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * The reader's current room: lines of other rooms start with
   * `[#room] ` after their time. `null` for none (every room's lines are
   * marked).
   * @default {undefined} no line is marked
   */
  room?: string | null;
}

/**
 * The mark a room's line carries for a reader: `[#room] ` for a room other
 * than the current one, else nothing.
 */
function _mark(room: string, options: EncodePlainOptions): string {
  return options.room === undefined || options.room === room
    ? ""
    : `[${room}] `;
}

/**
 * Renders a server message for a plain-dialect user.
 *
 * Every line ends in `\n`; user text was sanitised by the hub, so it holds
 * no line break and the prefix cannot be forged. Lines of rooms other than
 * the reader's current one start with `[#room] ` after the time.
 *
 * @example
 * ```ts
 * import { assertMatch } from "@std/assert";
 * import { encodePlain } from "./plain_codec.ts";
 *
 * const message = { type: "message", room: "#games", from: "ana", text: "gg", time: 0 } as const;
 * assertMatch(encodePlain(message, "en", { room: "#games" }), /^\[\d\d:\d\d\] ana: gg\n$/);
 * assertMatch(encodePlain(message, "en", { room: "#general" }), /^\[\d\d:\d\d\] \[#games\] ana: gg\n$/);
 * ```
 *
 * @param message What to render.
 * @param lang The reader's language.
 * @param options The clock, and the reader's current room.
 * @returns One or more lines, or `""` for messages plain users do not see.
 */
export function encodePlain(
  message: ServerMessage,
  lang: Lang,
  options: EncodePlainOptions = {},
): string {
  if (isIrcOnly(message)) return "";
  const strings = STRINGS[lang];
  const now = options.now ?? Date.now;
  switch (message.type) {
    case "message":
      return _chatLine(message, _mark(message.room, options));
    case "private":
      // A CTCP between IRC clients is theirs alone.
      if (message.ctcp !== undefined) return "";
      return `${formatStamp(message.time)} [${message.from} -> ${message.to}] ${
        message.action ? `* ${message.from} ` : ""
      }${message.text}\n`;
    case "join":
    case "part":
    case "kick":
    case "mode":
    case "topic":
      return _notice(
        message.type === "topic" && message.asked ? now() : message.time,
        roomEventText(strings, message),
        _mark(message.room, options),
      );
    case "leave":
      return _notice(
        message.time,
        strings.left(message.name, message.reason, message.detail),
      );
    case "rename":
      return _notice(message.time, strings.renamed(message.from, message.to));
    case "welcome":
    case "joined": {
      const members = markOperators(
        message.members,
        message.ops,
        message.voiced,
      );
      const text = message.type === "welcome"
        ? strings.welcome(message.name, members, message.room)
        : strings.youJoined(message.room, members);
      return _notice(now(), text) + _roomDetails(message, lang, now);
    }
    case "parted":
      return _notice(now(), strings.youParted(message.room));
    case "current":
      return _notice(now(), strings.nowIn(message.room));
    case "name_error":
      return `${
        formatStamp(now())
      } !! ${message.text}. ${strings.askAnotherName}\n`;
    case "members":
      return _notice(
        now(),
        strings.online(
          markOperators(message.names, message.ops, message.voiced),
        ),
        _mark(message.room, options),
      );
    case "rooms":
      return _notice(now(), strings.roomList(message.rooms, message.total));
    case "info":
      // The prompt of a silent connection, which may be a slow IRC client:
      // written as an IRC notice from the server, it is harmless there and
      // still reads as a line of text in netcat.
      if (message.code === "prompt") return `NOTICE * :*** ${message.text}\n`;
      return _notice(now(), message.text);
    case "bye":
      return _notice(now(), message.text);
    case "error":
      return `${formatStamp(now())} !! ${message.text}\n`;
    case "catch_up": {
      const mark = _mark(message.room, options);
      return _notice(
        now(),
        CLAIM_STRINGS[lang].sinceYouLeft(message.room, message.lines.length),
        mark,
      ) + message.lines.map((line) => _chatLine(line, mark)).join("");
    }
    case "history":
    case "search":
      return _found(message, lang, now());
    case "ping":
    case "pong":
    case "challenge":
    case "sasl":
      return "";
  }
}

// The answer to `/history` or `/search`: a header, the dated lines, and
// how to see more.
function _found(
  message: Extract<ServerMessage, { type: "history" | "search" }>,
  lang: Lang,
  now: number,
): string {
  const strings = STRINGS[lang];
  const { room, lines } = message;
  const count = lines.length;
  if (count === 0) {
    return _notice(
      now,
      message.type === "history"
        ? strings.noOlder(room)
        : strings.searchNone(room, message.words),
    );
  }
  let out = _notice(
    now,
    message.type === "history"
      ? strings.olderHeader(room, count)
      : strings.searchHeader(room, message.words, count),
  );
  for (const line of lines) out += _chatLine(line, "", now);
  if (message.more) {
    out += _notice(
      now,
      message.type === "history" ? strings.moreHistory : strings.moreSearch,
    );
  }
  return out;
}

/**
 * Whether a line is the plain dialect's name prompt, in any language: what a
 * server sends a connection that stayed silent (see `PROMPT_AFTER_MS` in
 * `config.ts`), as an IRC notice (`NOTICE * :*** …`), or as a notice of
 * older servers (`[12:04] -- …`). A native client whose hello arrived after
 * it skips it: the hello still picks the native dialect.
 *
 * @example
 * ```ts
 * import { assert, assertFalse } from "@std/assert";
 * import { isNamePrompt } from "./plain_codec.ts";
 *
 * assert(isNamePrompt("NOTICE * :*** Welcome to chat! What is your name?"));
 * assert(isNamePrompt("[12:04] -- Welcome to chat! What is your name?"));
 * assertFalse(isNamePrompt("[12:04] ana: What is your name?"));
 * ```
 *
 * @param line A line from the server, without its line ending.
 * @returns `true` for the prompt.
 */
export function isNamePrompt(line: string): boolean {
  const notice = /^(?:NOTICE \* :\*\*\* |\[\d\d:\d\d\] -- )(.*)$/.exec(line);
  return notice !== null &&
    Object.values(STRINGS).some((strings) => strings.askName === notice[1]);
}

// A public line; with `now`, dated when it is not of today (history).
function _chatLine(line: ChatLine, mark: string, now?: number): string {
  const stamp = now === undefined
    ? formatStamp(line.time)
    : formatDatedStamp(line.time, now);
  return line.action
    ? `${stamp} ${mark}* ${line.from} ${line.text}\n`
    : `${stamp} ${mark}${line.from}: ${line.text}\n`;
}

// After a welcome or a join: the room's topic, then its recent lines.
function _roomDetails(
  state: Omit<RoomState, "room"> & { room: string | null },
  lang: Lang,
  now: () => number,
): string {
  const strings = STRINGS[lang];
  let out = "";
  if (state.room !== null && state.topic) {
    const { text, by } = state.topic;
    out += _notice(now(), strings.topicIs(state.room, text, by));
  }
  if (state.history.length > 0) {
    const time = now();
    out += _notice(time, strings.historyHeader(state.history.length));
    for (const line of state.history) out += _chatLine(line, "", time);
  }
  return out;
}

function _decode(line: string, reader: Reader): Decoded {
  if (reader.joined) return { type: "input", text: line };
  if (line.trim() === "") return null;
  return reader.needsPassword
    ? { type: "password", password: line }
    : { type: "hello", name: line };
}

// Readers of a room's line share its text when they are, or are not, in
// that room now; other messages differ only by language.
function _variant(message: ServerMessage, reader: Reader): string {
  const room = (message as { room?: unknown }).room;
  return typeof room === "string" && room !== reader.room
    ? `${reader.lang} ${room}`
    : reader.lang;
}

/**
 * The plain dialect's codec. Its state is the reader itself: a line is the
 * server's password while one is needed, then a name until the reader has
 * joined; the text depends on its language and its current room.
 * It takes any first line, so it comes last when sniffing.
 *
 * @example A name, then a message
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { PLAIN_CODEC } from "./plain_codec.ts";
 *
 * const reader = { name: "", lang: "en", joined: false, needsPassword: false, room: null } as const;
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
  encode: (message, reader) =>
    stripIrcFormatting(
      encodePlain(message, reader.lang, { room: reader.room }),
    ),
  variant: _variant,
};
