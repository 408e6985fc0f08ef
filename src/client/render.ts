/**
 * Turns what the server sent into the lines the terminal client shows: a
 * `[HH:MM]` timestamp on every line, each name in its own stable colour,
 * private messages and notices set apart, mentions of your name
 * highlighted. Pure: text in, text out; every server string is sanitised
 * again before it is shown.
 *
 * Names and message texts that hold right-to-left letters are isolated
 * (FSI … PDI, U+2068 … U+2069), so a Hebrew or Arabic name or text keeps
 * its own direction without reordering the timestamp, the colon or the
 * rest of the line; sanitising removes every bidi control from what the
 * server sent, so these isolates are the only ones, always balanced. Given
 * the terminal's width, long lines wrap with the rows after the first
 * indented under the text.
 *
 * @module
 */

import {
  blue,
  bold,
  brightBlue,
  brightCyan,
  brightGreen,
  brightYellow,
  cyan,
  dim,
  getColorEnabled,
  green,
  inverse,
  magenta,
  red,
  setColorEnabled,
  yellow,
} from "@std/fmt/colors";
import { nameKey } from "../protocol/name_rules.ts";
import {
  type ChatLine,
  isIrcOnly,
  type Lang,
  type RoomState,
  type ServerMessage,
} from "../protocol/messages.ts";
import { sanitizeText } from "../protocol/sanitize.ts";
import {
  markOperators,
  roomEventText,
  STRINGS,
} from "../i18n/server_strings.ts";
import { CLAIM_STRINGS } from "../i18n/claim_strings.ts";
import { textWidth } from "./text_width.ts";
import { wrapLine } from "./wrap_line.ts";

/** Options of {@linkcode renderMessage} and {@linkcode renderOwnMessage}. */
export interface RenderOptions {
  /** Your name: your own lines are marked, mentions of it highlighted. */
  me: string;
  /**
   * Language of texts the client words itself (join and rename notices).
   *
   * @default {"en"}
   */
  lang?: Lang;
  /**
   * Whether to use colours and other escape codes. When `false` the result
   * holds no escape code at all.
   *
   * @default {false}
   */
  color?: boolean;
  /**
   * The time shown for messages that carry none (info, errors, `/who`),
   * in milliseconds since the epoch.
   *
   * @default {Date.now()}
   */
  now?: number;
  /**
   * Formats a time (milliseconds since the epoch) for the start of a line.
   *
   * @default {formatClock} local `HH:MM`
   */
  formatTime?: (time: number) => string;
  /**
   * Columns of the terminal: a longer line is wrapped, the rows after its
   * first indented under its text.
   *
   * @default {undefined} no wrapping
   */
  width?: number | undefined;
  /**
   * Your current room: lines of other rooms start with `[#room]` after
   * their time.
   *
   * @default {undefined} no line is marked
   */
  room?: string | null | undefined;
}

/** A message ready to print. */
export interface RenderedMessage {
  /** One or more lines, joined with `\n`, without a final line break. */
  text: string;
  /**
   * `true` when the message is for your attention (it mentions your name,
   * or it is a private message to you): the client rings the bell.
   */
  alert: boolean;
}

/**
 * Formats a time as local `HH:MM`, 24-hour.
 *
 * @example
 * ```ts
 * import { assertMatch } from "@std/assert";
 * import { formatClock } from "./render.ts";
 *
 * assertMatch(formatClock(Date.now()), /^\d\d:\d\d$/);
 * ```
 *
 * @param time Milliseconds since the epoch.
 * @returns The local time as `HH:MM`.
 */
export function formatClock(time: number): string {
  const date = new Date(time);
  const hours = String(date.getHours()).padStart(2, "0");
  const minutes = String(date.getMinutes()).padStart(2, "0");
  return `${hours}:${minutes}`;
}

// Eight distinguishable colours; red and magenta are kept for errors and
// private messages.
const PALETTE: ReadonlyArray<(text: string) => string> = [
  green,
  yellow,
  blue,
  cyan,
  brightGreen,
  brightYellow,
  brightBlue,
  brightCyan,
];

/**
 * Picks the stable colour of a name: the same name (ignoring case) always
 * gets the same colour, in every client.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { nameColorIndex } from "./render.ts";
 *
 * assertEquals(nameColorIndex("Ana"), nameColorIndex("ana"));
 * ```
 *
 * @param name A name.
 * @returns An index into the palette, 0–7.
 */
export function nameColorIndex(name: string): number {
  // FNV-1a over the UTF-16 code units of the comparison key.
  let hash = 0x811c9dc5;
  for (const unit of nameKey(name)) {
    hash ^= unit.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % PALETTE.length;
}

/**
 * Tells whether a text mentions a name: the name as a whole word, ignoring
 * case. `ana` is mentioned in `hi Ana!` but not in `banana`.
 *
 * @example
 * ```ts
 * import { assert, assertFalse } from "@std/assert";
 * import { mentions } from "./render.ts";
 *
 * assert(mentions("hi ANA, look", "ana"));
 * assertFalse(mentions("banana", "ana"));
 * ```
 *
 * @param text A message text.
 * @param name A name.
 * @returns `true` when the text holds the name as a word.
 */
export function mentions(text: string, name: string): boolean {
  return name !== "" && _mentionPattern(name).test(text);
}

function _mentionPattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  // A "word" character is a letter, combining mark, digit or underscore.
  return new RegExp(
    `(?<![\\p{L}\\p{M}\\p{Nd}_])${escaped}(?![\\p{L}\\p{M}\\p{Nd}_])`,
    "giu",
  );
}

/**
 * Renders one message from the server. The result holds no control
 * character other than the `\n` between lines, whatever the server sent.
 *
 * @example A public message, without colour
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { renderMessage } from "./render.ts";
 *
 * const rendered = renderMessage(
 *   { type: "message", from: "bob", text: "hi ana", time: 0 },
 *   { me: "ana", formatTime: () => "12:00" },
 * );
 * assertEquals(rendered, { text: "[12:00] bob: hi ana", alert: true });
 * ```
 *
 * @param message What the server sent.
 * @param options Who you are, language, colour and clock.
 * @returns The lines to show, or `undefined` for messages that show
 * nothing (`ping`, `pong`).
 */
export function renderMessage(
  message: ServerMessage,
  options: RenderOptions,
): RenderedMessage | undefined {
  return _withColor(options.color ?? false, () => _render(message, options));
}

/**
 * Renders a line you typed, as the client shows it locally (the server
 * does not echo public messages back to their sender).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { renderOwnMessage } from "./render.ts";
 *
 * assertEquals(
 *   renderOwnMessage("waves", { me: "ana", formatTime: () => "09:30" }, { action: true }),
 *   "[09:30] * ana waves",
 * );
 * ```
 *
 * @param text The message text.
 * @param options Who you are, colour and clock.
 * @param line Whether the line is a `/me` action.
 * @returns The line to show.
 */
export function renderOwnMessage(
  text: string,
  options: RenderOptions,
  line: { action?: boolean } = {},
): string {
  return _withColor(options.color ?? false, () => {
    const chat: ChatLine = {
      from: options.me,
      text,
      time: options.now ?? Date.now(),
    };
    if (line.action) chat.action = true;
    return _chatLine(chat, options, false).text;
  });
}

/**
 * Renders a notice the client words itself (a lost connection, lines not
 * sent), the way join and leave notices look.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { renderNotice } from "./render.ts";
 *
 * assertEquals(
 *   renderNotice("Reconnected", { me: "ana", formatTime: () => "09:30" }),
 *   "[09:30] -- Reconnected",
 * );
 * ```
 *
 * @param text The notice, already safe to show.
 * @param options Colour, clock and width.
 * @returns The line (or lines) to show.
 */
export function renderNotice(text: string, options: RenderOptions): string {
  return _withColor(
    options.color ?? false,
    () => _notice(text, options.now ?? Date.now(), options),
  );
}

function _withColor<T>(color: boolean, body: () => T): T {
  const previous = getColorEnabled();
  setColorEnabled(color);
  try {
    return body();
  } finally {
    setColorEnabled(previous);
  }
}

function _render(
  message: ServerMessage,
  options: RenderOptions,
): RenderedMessage | undefined {
  if (isIrcOnly(message)) return undefined;
  const strings = STRINGS[options.lang ?? "en"];
  const now = options.now ?? Date.now();
  const notice = (text: string, time = now, room = "") =>
    _notice(text, time, options, room);
  // A notice about a room: marked when the room is not the current one.
  const about = (room: unknown, text: string, time = now) => ({
    text: notice(text, time, _roomMark(room, options)),
    alert: false,
  });
  switch (message.type) {
    case "welcome":
      return {
        text: [
          ..._roomLines(message, options),
          notice(strings.welcome(
            _person(message.name),
            _shownMembers(message),
            typeof message.room === "string"
              ? _person(message.room)
              : message.room === null
              ? null
              : undefined,
          )),
        ].join("\n"),
        alert: false,
      };
    case "joined":
      return {
        text: [
          notice(strings.youJoined(
            _person(message.room),
            _shownMembers(message),
          )),
          ..._roomLines(message, options),
        ].join("\n"),
        alert: false,
      };
    case "parted":
      return about("", strings.youParted(_person(message.room)));
    case "current":
      return about(
        "",
        strings.nowIn(message.room === null ? null : _person(message.room)),
      );
    case "message":
      return _chatLine(
        message,
        options,
        false,
        _roomMark(message.room, options),
      );
    case "private":
      return _private(message, options);
    case "join":
    case "part":
    case "kick":
    case "mode":
    case "topic":
      return about(
        message.room,
        roomEventText(strings, message, _person),
        message.type === "topic" && message.asked ? now : message.time,
      );
    case "rooms":
      return {
        text: _info(
          strings.roomList(_array(message.rooms), Number(message.total)),
          now,
          options,
        ),
        alert: false,
      };
    case "leave":
      return {
        text: notice(
          strings.left(
            _person(message.name),
            message.reason,
            message.detail === undefined ? undefined : _person(message.detail),
          ),
          message.time,
        ),
        alert: false,
      };
    case "rename":
      return {
        text: notice(
          strings.renamed(_person(message.from), _person(message.to)),
          message.time,
        ),
        alert: false,
      };
    case "members":
      return about(
        message.room,
        strings.online(
          markOperators(
            _array<string>(message.names).map(_person),
            _array<string>(message.ops).map(_person),
            _array<string>(message.voiced).map(_person),
          ),
        ),
      );
    case "info":
      return { text: _info(message.text, now, options), alert: false };
    case "error":
    case "name_error":
      return { text: _error(message.text, now, options), alert: false };
    case "bye":
      return { text: notice(_clean(message.text)), alert: false };
    case "catch_up":
      return { text: _catchUp(message, options), alert: false };
    case "history":
    case "search":
      return { text: _foundLines(message, options).join("\n"), alert: false };
    case "ping":
    case "pong":
    case "challenge":
    case "sasl":
      return undefined;
  }
}

// What was said in a room since you left: a separator, then the lines.
function _catchUp(
  message: Extract<ServerMessage, { type: "catch_up" }>,
  options: RenderOptions,
): string {
  const lines = _array<ChatLine>(message.lines);
  const mark = _roomMark(message.room, options);
  const title = CLAIM_STRINGS[options.lang ?? "en"].sinceYouLeft(
    _person(message.room),
    lines.length,
  );
  return [
    _notice(`── ${title} ──`, options.now ?? Date.now(), options),
    ...lines.map((line) => _chatLine(line, options, false, mark).text),
  ].join("\n");
}

// The answer to `/history` or `/search`: a header, the (dated) lines, and
// how to see more.
function _foundLines(
  message: Extract<ServerMessage, { type: "history" | "search" }>,
  options: RenderOptions,
): string[] {
  const strings = STRINGS[options.lang ?? "en"];
  const now = options.now ?? Date.now();
  const room = _person(message.room);
  const lines = _array<ChatLine>(message.lines);
  const words = message.type === "search" ? _person(message.words) : "";
  if (lines.length === 0) {
    return [_info(
      message.type === "history"
        ? strings.noOlder(room)
        : strings.searchNone(room, words),
      now,
      options,
    )];
  }
  const shown = [
    _notice(
      message.type === "history"
        ? strings.olderHeader(room, lines.length)
        : strings.searchHeader(room, words, lines.length),
      now,
      options,
    ),
    ...lines.map((line) => _chatLine(line, options, true).text),
  ];
  if (message.more === true) {
    shown.push(_info(
      message.type === "history" ? strings.moreHistory : strings.moreSearch,
      now,
      options,
    ));
  }
  return shown;
}

// Who is in a room, operators marked, each name sanitised and isolated.
function _shownMembers(
  state: { members: unknown; ops: unknown; voiced?: unknown },
): string[] {
  return markOperators(
    _array<string>(state.members).map(_person),
    _array<string>(state.ops).map(_person),
    _array<string>(state.voiced).map(_person),
  );
}

// What a welcome or a join shows of the room: its recent lines (dimmed),
// then its topic.
function _roomLines(
  state: Omit<RoomState, "room"> & { room: string | null },
  options: RenderOptions,
): string[] {
  const strings = STRINGS[options.lang ?? "en"];
  const now = options.now ?? Date.now();
  const lines: string[] = [];
  const history = _array<ChatLine>(state.history);
  if (history.length > 0) {
    lines.push(_notice(strings.historyHeader(history.length), now, options));
    for (const line of history) {
      lines.push(_chatLine(line, options, true).text);
    }
    lines.push(_notice(strings.historyEnd, now, options));
  }
  const topic = state.topic;
  if (state.room !== null && topic !== undefined) {
    lines.push(_notice(
      strings.topicIs(
        _person(state.room),
        _person(topic.text),
        _person(topic.by),
      ),
      now,
      options,
    ));
  }
  return lines;
}

function _dimmed(text: string): string {
  return text === "" ? "" : dim(text);
}

// `[#room] ` for a room other than the current one, else `""`.
function _roomMark(room: unknown, options: RenderOptions): string {
  if (options.room === undefined || typeof room !== "string") return "";
  const clean = _clean(room);
  return clean === "" || clean === options.room ? "" : `[${_isolate(clean)}] `;
}

function _stamp(time: number, options: RenderOptions): string {
  const format = options.formatTime ?? formatClock;
  return `[${_clean(format(time))}]`;
}

// A replayed or found line's stamp: with its date when not of today.
function _datedStamp(time: number, options: RenderOptions): string {
  const date = new Date(time);
  const today = new Date(options.now ?? Date.now());
  if (date.toDateString() === today.toDateString()) {
    return _stamp(time, options);
  }
  const day = `${date.getFullYear()}-${
    String(date.getMonth() + 1).padStart(2, "0")
  }-${String(date.getDate()).padStart(2, "0")}`;
  const format = options.formatTime ?? formatClock;
  return `[${day} ${_clean(format(time))}]`;
}

// Sanitises each line of a multi-line text separately, so its line breaks
// survive and nothing else does.
function _lines(text: string): string[] {
  return String(text).split("\n").map(_clean);
}

// The client trusts the shape of server messages only this far: a missing
// list shows as empty instead of crashing the client.
function _array<T>(value: unknown): T[] {
  return Array.isArray(value) ? value : [];
}

function _clean(text: string): string {
  return sanitizeText(String(text));
}

// Letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana,
// N'Ko, Samaritan, Mandaic and their presentation forms, the historic RTL
// scripts of the SMP, Adlam) and the Arabic digits that act like them.
const RIGHT_TO_LEFT =
  /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

/**
 * Wraps text that holds right-to-left letters in a first-strong isolate, so
 * it takes its own direction and leaves the rest of the line alone. Text
 * without any is returned as it is: in a left-to-right line an isolate
 * would change nothing about how it shows.
 */
function _isolate(text: string): string {
  return RIGHT_TO_LEFT.test(text) ? `\u2068${text}\u2069` : text;
}

// A name (or other server string) set into a sentence: sanitised, isolated.
function _person(text: string): string {
  return _isolate(_clean(text));
}

// Wraps a line to the terminal's width, rows after the first indented by
// `indent` columns (where its text starts).
function _fit(line: string, indent: number, options: RenderOptions): string {
  return options.width === undefined
    ? line
    : wrapLine(line, options.width, indent);
}

function _name(name: string, options: RenderOptions): string {
  const shown = _isolate(name);
  if (nameKey(name) === nameKey(options.me)) return bold(shown);
  return PALETTE[nameColorIndex(name)]!(shown);
}

// Lines of a notice, info or error, each with the time, the room it is
// about (when not the current one), a mark, and its rows indented under
// the text after the mark.
function _marked(
  lines: string[],
  time: number,
  options: RenderOptions,
  mark: string,
  style: (text: string) => string,
  room = "",
): string {
  const stamp = _stamp(time, options);
  const indent = textWidth(stamp) + 1 + textWidth(room) + mark.length;
  return lines
    .map((line) =>
      _fit(`${stamp} ${_dimmed(room)}${style(mark + line)}`, indent, options)
    )
    .join("\n");
}

// A notice is worded here from sanitised (and isolated) parts: not cleaned
// again, which would remove the isolates.
function _notice(
  text: string,
  time: number,
  options: RenderOptions,
  room = "",
): string {
  return _marked(text.split("\n"), time, options, "-- ", yellow, room);
}

function _info(text: string, time: number, options: RenderOptions): string {
  return _marked(_lines(text), time, options, "", cyan);
}

function _error(text: string, time: number, options: RenderOptions): string {
  return _marked(_lines(text), time, options, "! ", red);
}

function _highlight(text: string, options: RenderOptions): string {
  if (options.me === "") return text;
  return text.replace(
    _mentionPattern(options.me),
    (word) => inverse(bold(word)),
  );
}

function _chatLine(
  line: ChatLine,
  options: RenderOptions,
  fromHistory: boolean,
  room = "",
): RenderedMessage {
  const from = _clean(line.from);
  const text = _clean(line.text);
  const own = nameKey(from) === nameKey(options.me);
  const alert = !own && !fromHistory && mentions(text, options.me);
  const body = _isolate(own ? text : _highlight(text, options));
  const stamp = fromHistory
    ? _datedStamp(line.time, options)
    : _stamp(line.time, options);
  const name = _name(from, options);
  const shown = line.action
    ? `${stamp} ${_dimmed(room)}* ${name} ${body}`
    : `${stamp} ${_dimmed(room)}${name}: ${body}`;
  const indent = textWidth(stamp) + textWidth(room) + textWidth(from) +
    (line.action ? 4 : 3);
  return {
    text: _fit(fromHistory ? dim(shown) : shown, indent, options),
    alert,
  };
}

function _private(
  message: Extract<ServerMessage, { type: "private" }>,
  options: RenderOptions,
): RenderedMessage {
  const strings = STRINGS[options.lang ?? "en"];
  const from = _clean(message.from);
  const to = _clean(message.to);
  const said = _isolate(_clean(message.text));
  // A private /me: `* ana waves`.
  const text = message.action ? `* ${_isolate(from)} ${said}` : said;
  const stamp = _stamp(message.time, options);
  // The server echoes your own private message back to you.
  const own = nameKey(from) === nameKey(options.me);
  const label = own
    ? `${strings.privateTo(_isolate(to))}:`
    : `${strings.privateFrom(_isolate(from))}:`;
  const shown = `${stamp} ${magenta(own ? label : bold(label))} ${text}`;
  const indent = textWidth(stamp) + textWidth(label) + 2;
  return { text: _fit(shown, indent, options), alert: !own };
}
