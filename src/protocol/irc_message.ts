/**
 * One IRC line, parsed and written back: IRCv3 message tags (with their
 * value escaping), the source prefix, the command, and its parameters, the
 * last of which may be a trailing one (`:` and spaces). Pure; the only
 * error it throws is {@linkcode IrcParseError}, whose `reason` says why.
 *
 * Limits (the Modern IRC Client Protocol and IRCv3 message-tags): the part
 * after the tags is at most 512 bytes with its CRLF ({@linkcode
 * MAX_IRC_LINE_BYTES}); the tags a client sends, with their `@` and the
 * space after them, at most 4096 bytes ({@linkcode MAX_CLIENT_TAG_BYTES}).
 *
 * @module
 */

/** Longest IRC line without its tags, in bytes, CRLF included. */
export const MAX_IRC_LINE_BYTES = 512;

/** Longest tag section a client may send, `@` and the space after it included. */
export const MAX_CLIENT_TAG_BYTES = 4096;

/** Why a line is not an IRC message. */
export type IrcParseReason =
  | "empty"
  | "too_long"
  | "tags_too_long"
  | "bad_tags"
  | "no_command"
  | "bad_command"
  | "bad_characters";

/**
 * A line that is not an IRC message. The only error
 * {@linkcode parseIrcMessage} throws.
 */
export class IrcParseError extends SyntaxError {
  /** Why, as a code. */
  readonly reason: IrcParseReason;

  /**
   * @param reason Why the line was refused.
   * @param detail Words for the message.
   */
  constructor(reason: IrcParseReason, detail: string) {
    super(`Cannot parse an IRC line: ${detail}`);
    this.name = "IrcParseError";
    this.reason = reason;
  }
}

/** An IRC message. */
export interface IrcMessage {
  /** Its tags, values unescaped (`""` for a tag without a value). */
  tags: Record<string, string>;
  /** Its source (`nick!user@host`, a server name), or `null`. */
  source: string | null;
  /** The command in capitals (`PRIVMSG`), or a three-digit numeric. */
  command: string;
  /** The parameters, the trailing one last (it may hold spaces or be empty). */
  params: string[];
}

const encoder = new TextEncoder();
const COMMAND = /^(?:[A-Za-z]+|\d{3})$/;
const TAG_KEY = /^\+?(?:[A-Za-z0-9.-]+\/)?[A-Za-z0-9-]+$/;
// NUL, CR and LF have no place inside a line.
const FORBIDDEN = /[\0\r\n]/;

function _bytes(text: string): number {
  // Fast path: ASCII text is as long in bytes as in UTF-16 units.
  // deno-lint-ignore no-control-regex
  return /^[\x00-\x7f]*$/.test(text)
    ? text.length
    : encoder.encode(text).length;
}

/**
 * Undoes the escaping of a tag value: `\:` is `;`, `\s` a space, `\\` a
 * backslash, `\r` and `\n` CR and LF; any other escaped character is
 * itself, and a lone final backslash is dropped.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { unescapeTagValue } from "./irc_message.ts";
 *
 * assertEquals(unescapeTagValue("a\\sb\\:c\\\\"), "a b;c\\");
 * ```
 *
 * @param value The value as written.
 * @returns The value.
 */
export function unescapeTagValue(value: string): string {
  if (!value.includes("\\")) return value;
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char !== "\\") {
      out += char;
      continue;
    }
    const next = value[++i];
    if (next === undefined) break;
    out += next === ":"
      ? ";"
      : next === "s"
      ? " "
      : next === "r"
      ? "\r"
      : next === "n"
      ? "\n"
      : next;
  }
  return out;
}

/**
 * Escapes a tag value for the wire (the inverse of
 * {@linkcode unescapeTagValue}).
 *
 * @param value The value.
 * @returns The value as written.
 */
export function escapeTagValue(value: string): string {
  return value.replace(
    /[\\; \r\n]/g,
    (char) =>
      char === "\\"
        ? "\\\\"
        : char === ";"
        ? "\\:"
        : char === " "
        ? "\\s"
        : char === "\r"
        ? "\\r"
        : "\\n",
  );
}

function _parseTags(section: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of section.split(";")) {
    if (item === "") continue;
    const equals = item.indexOf("=");
    const key = equals < 0 ? item : item.slice(0, equals);
    if (!TAG_KEY.test(key)) {
      throw new IrcParseError("bad_tags", `bad tag name "${key.slice(0, 32)}"`);
    }
    // The last value of a tag given twice wins.
    tags[key] = equals < 0 ? "" : unescapeTagValue(item.slice(equals + 1));
  }
  return tags;
}

/**
 * Parses one line (without its line ending) as an IRC message. Spaces
 * between parameters may repeat; a command is given in capitals whatever
 * case it was sent in.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseIrcMessage } from "./irc_message.ts";
 *
 * assertEquals(parseIrcMessage("@time=x :ana!a@h privmsg #general :hi there"), {
 *   tags: { time: "x" },
 *   source: "ana!a@h",
 *   command: "PRIVMSG",
 *   params: ["#general", "hi there"],
 * });
 * ```
 *
 * @param line The line.
 * @returns The message.
 * @throws {IrcParseError} When the line is empty, over its limits, has
 * malformed tags, no or a malformed command, or holds NUL, CR or LF.
 */
export function parseIrcMessage(line: string): IrcMessage {
  if (FORBIDDEN.test(line)) {
    throw new IrcParseError("bad_characters", "it holds NUL, CR or LF");
  }
  let rest = line;
  let tags: Record<string, string> = {};
  if (rest.startsWith("@")) {
    const space = rest.indexOf(" ");
    const section = space < 0 ? rest : rest.slice(0, space);
    if (_bytes(section) + 1 > MAX_CLIENT_TAG_BYTES) {
      throw new IrcParseError(
        "tags_too_long",
        `its tags are over ${MAX_CLIENT_TAG_BYTES} bytes`,
      );
    }
    tags = _parseTags(section.slice(1));
    rest = space < 0 ? "" : rest.slice(space + 1);
  }
  rest = rest.replace(/^ +/, "");
  if (_bytes(rest) + 2 > MAX_IRC_LINE_BYTES) {
    throw new IrcParseError(
      "too_long",
      `it is over ${MAX_IRC_LINE_BYTES} bytes`,
    );
  }
  let source: string | null = null;
  if (rest.startsWith(":")) {
    const space = rest.indexOf(" ");
    source = space < 0 ? rest.slice(1) : rest.slice(1, space);
    rest = space < 0 ? "" : rest.slice(space + 1).replace(/^ +/, "");
  }
  if (rest === "" || rest.trim() === "") {
    if (source === null && line.trim() === "") {
      throw new IrcParseError("empty", "it is empty");
    }
    throw new IrcParseError("no_command", "it has no command");
  }
  const params: string[] = [];
  let space = rest.indexOf(" ");
  const command = space < 0 ? rest : rest.slice(0, space);
  if (!COMMAND.test(command)) {
    throw new IrcParseError(
      "bad_command",
      `"${command.slice(0, 32)}" is not a command`,
    );
  }
  rest = space < 0 ? "" : rest.slice(space + 1);
  while (rest !== "") {
    if (rest.startsWith(" ")) {
      rest = rest.replace(/^ +/, "");
      continue;
    }
    if (rest.startsWith(":")) {
      params.push(rest.slice(1));
      break;
    }
    space = rest.indexOf(" ");
    params.push(space < 0 ? rest : rest.slice(0, space));
    rest = space < 0 ? "" : rest.slice(space + 1);
  }
  return { tags, source, command: command.toUpperCase(), params };
}

/** Options of {@linkcode formatIrcMessage}. */
export interface FormatIrcOptions {
  /**
   * Write the last parameter as a trailing one (`:text`) even when it need
   * not be, as servers do for texts and numerics: some clients expect it.
   * @default {false}
   */
  trailing?: boolean;
}

/**
 * Writes a message as one line, without its line ending. The last
 * parameter is written as a trailing one when it must be (empty, holding a
 * space, or starting with `:`), or when `trailing` asks; tag values are
 * escaped; tags with the value `""` are written without one.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatIrcMessage } from "./irc_message.ts";
 *
 * assertEquals(
 *   formatIrcMessage({ tags: {}, source: "irc.local", command: "001", params: ["ana", "Welcome, ana"] }),
 *   ":irc.local 001 ana :Welcome, ana",
 * );
 * ```
 *
 * @param message The message.
 * @param options Whether the last parameter is always a trailing one.
 * @returns The line.
 * @throws {RangeError} When a parameter before the last is empty, holds a
 * space or starts with `:`, or anything holds NUL, CR or LF.
 */
export function formatIrcMessage(
  message: IrcMessage,
  options: FormatIrcOptions = {},
): string {
  let line = "";
  const keys = Object.keys(message.tags);
  if (keys.length > 0) {
    line = "@" + keys.map((key) => {
      const value = message.tags[key]!;
      return value === "" ? key : `${key}=${escapeTagValue(value)}`;
    }).join(";") + " ";
  }
  if (message.source !== null) line += `:${message.source} `;
  line += message.command;
  const params = message.params;
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    if (FORBIDDEN.test(param)) {
      throw new RangeError(
        "Cannot write an IRC parameter: it holds NUL, CR or LF",
      );
    }
    const last = i === params.length - 1;
    const needsColon = param === "" || param.includes(" ") ||
      param.startsWith(":") || (last && options.trailing === true);
    if (needsColon && !last) {
      throw new RangeError(
        `Cannot write an IRC parameter: "${
          param.slice(0, 32)
        }" is not the last`,
      );
    }
    line += needsColon ? ` :${param}` : ` ${param}`;
  }
  return line;
}
