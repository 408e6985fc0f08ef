/**
 * The IRC dialect: what irssi, WeeChat, HexChat and the IRC libraries speak
 * (the Modern IRC Client Protocol, RFC 1459/2812 where it leaves things
 * open, and the IRCv3 capabilities of {@linkcode IRC_CAPABILITIES}). Its
 * state is a connection's registration (`CAP` negotiation, `PASS`, `NICK`,
 * `USER`) and what its reader knows (capabilities, channels and their
 * modes). Lines in become hub commands; hub messages become IRC commands
 * and numerics, every one with the server's name or `nick!user@host` as
 * its source. Rooms are channels: `#general` is `#general`. Pure.
 *
 * @module
 */

import type { Codec, Decoded, Peer, Reader, ServerFacts } from "./codec.ts";
import type { Command } from "./commands.ts";
import {
  formatIrcMessage,
  IrcParseError,
  MAX_IRC_LINE_BYTES,
  parseIrcMessage,
} from "./irc_message.ts";
import { checkIrcNick } from "./irc_nick.ts";
import type {
  ChatLine,
  LeaveReason,
  RoomState,
  ServerMessage,
} from "./messages.ts";
import { MAX_NAME_LENGTH, nameKey } from "./name_rules.ts";
import { MAX_ROOM_NAME_LENGTH } from "./room_name.ts";
import { sanitizeText } from "./sanitize.ts";
import {
  parseSaslExternal,
  parseSaslPlain,
  readSaslChunk,
  SASL_MECHANISMS,
} from "./irc_sasl.ts";

/**
 * The IRCv3 capabilities the server offers. `draft/chathistory` pages back
 * through a room's history (`LATEST` and `BEFORE`), in a `batch`.
 */
export const IRC_CAPABILITIES: readonly string[] = [
  "away-notify",
  "batch",
  "cap-notify",
  "draft/chathistory",
  "echo-message",
  "message-tags",
  "multi-prefix",
  "sasl",
  "server-time",
];

/** The `CHATHISTORY` subcommands the server answers. */
const CHATHISTORY_VERBS: ReadonlySet<string> = new Set([
  "LATEST",
  "BEFORE",
  "AFTER",
  "AROUND",
]);

/** Most lines one `CHATHISTORY` answer holds (ISUPPORT `CHATHISTORY`). */
const CHATHISTORY_LIMIT = 100;

const KNOWN_CAPS = new Set(IRC_CAPABILITIES);

/** Longest topic, kick and away texts the hub keeps, for ISUPPORT. */
const TOPIC_LENGTH = 300;
const REASON_LENGTH = 200;

/** What the codec knows of a channel its reader is in. */
interface _Channel {
  name: string;
  key: boolean;
  topicLocked: boolean;
}

/** What the IRC codec keeps per connection. */
export interface IrcState {
  /** The connection. */
  readonly reader: Reader;
  /** The server's facts (the reader's, or defaults). */
  readonly server: ServerFacts;
  /** Enabled capabilities. */
  caps: Set<string>;
  /** Whether CAP negotiation holds registration back. */
  negotiating: boolean;
  /** The nickname asked for before registration. */
  nick: string | null;
  /** `USER`'s user name and real name, once given. */
  user: string | null;
  realname: string;
  /** `PASS`, when given. */
  password: string | null;
  /** The welcome whose room part waits for the LUSERS and MOTD. */
  pending: ServerMessage | null;
  /** Channels the reader is in, by their key. */
  channels: Map<string, _Channel>;
  /** The command of the line being handled, for the numerics of its errors. */
  command: string;
  /** Its first target (a channel or a nick), for the same. */
  target: string;
  /** Which query a `members` answer belongs to. */
  asking: "names" | "who";
  /** Batches opened so far, for the next batch's reference. */
  batches: number;
  /**
   * The SASL exchange under way: its mechanism and the base64 chunks so
   * far (`"checking"` once the session has the payload).
   */
  sasl: { mechanism: "PLAIN" | "EXTERNAL"; buffer: string } | "checking" | null;
  /** The account SASL logged in as. */
  account: string | null;
}

const DEFAULT_FACTS: ServerFacts = {
  name: "chat.local",
  network: "chat",
  version: "chat",
  started: 0,
  motd: null,
  maxLineBytes: 8192,
  maxRoomsPerUser: 20,
};

// Commands an unregistered connection may send; the rest get 451.
const BEFORE_REGISTRATION = new Set([
  "CAP",
  "PASS",
  "NICK",
  "USER",
  "PING",
  "PONG",
  "QUIT",
  "AUTHENTICATE",
]);

const encoder = new TextEncoder();

function _bytes(text: string): number {
  return encoder.encode(text).length;
}

// --- Writing lines ---------------------------------------------------------

// Commands whose last parameter is written bare unless it must not be;
// the others (texts, numerics) always get a trailing `:`.
const BARE_LAST = new Set([
  "JOIN",
  "NICK",
  "MODE",
  "PING",
  "BATCH",
  "AUTHENTICATE",
]);

/** One line with its CRLF; the parameters are as IRC needs them. */
function _line(
  source: string | null,
  command: string,
  params: string[],
  tags: Record<string, string> = {},
): string {
  return formatIrcMessage({ tags, source, command, params }, {
    trailing: !BARE_LAST.has(command),
  }) + "\r\n";
}

/** The reader's nick for numerics: `*` until it has one. */
function _me(state: IrcState): string {
  return state.reader.joined && state.reader.name !== ""
    ? state.reader.name
    : "*";
}

/** A numeric from the server to the reader. */
function _numeric(state: IrcState, code: string, ...params: string[]): string {
  // What the peer sent may come back as a middle parameter (a nick, a
  // channel, a CAP subcommand): made one word, it cannot end the line early
  // or start its text.
  const last = params.length - 1;
  const safe = params.map((param, i) => i === last ? param : _word(param));
  return _line(state.server.name, code, [_me(state), ...safe]);
}

function _word(param: string): string {
  const word = param.replace(/[\s\0]/g, "_");
  return word === "" ? "*" : word.startsWith(":") ? `_${word}` : word;
}

/** A notice from the server, one line per line of text. */
function _notice(state: IrcState, text: string): string {
  return text.split("\n").filter((line) => line !== "").map((line) =>
    _line(state.server.name, "NOTICE", [_me(state), line])
  ).join("");
}

/** `nick!user@host` of a member, as the hub knows it. */
function _source(state: IrcState, name: string): string {
  const peer: Peer | undefined = state.reader.peer?.(name);
  return `${name}!${peer?.user ?? "chat"}@${peer?.host ?? "unknown"}`;
}

/**
 * The tags of a broadcast: its time, with server-time; a stored line's id
 * as `msgid`, with message-tags (CHATHISTORY pages back from it).
 */
function _tags(
  state: IrcState,
  time: number,
  id?: number,
): Record<string, string> {
  const tags: Record<string, string> = {};
  if (state.caps.has("server-time")) tags.time = new Date(time).toISOString();
  if (id !== undefined && state.caps.has("message-tags")) {
    tags.msgid = String(id);
  }
  return tags;
}

/**
 * Cuts a text into pieces that keep `head + piece` within an IRC line
 * (510 bytes before the CRLF), at character boundaries.
 */
function _pieces(head: string, text: string): string[] {
  const room = MAX_IRC_LINE_BYTES - 2 - _bytes(head);
  if (_bytes(text) <= room) return [text];
  const pieces: string[] = [];
  let piece = "";
  let size = 0;
  for (const char of text) {
    const bytes = _bytes(char);
    if (size + bytes > room) {
      pieces.push(piece);
      piece = "";
      size = 0;
    }
    piece += char;
    size += bytes;
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
}

/** A PRIVMSG or NOTICE, split over as many lines as it needs. */
function _say(
  source: string,
  command: string,
  target: string,
  text: string,
  tags: Record<string, string>,
): string {
  const head = `:${source} ${command} ${target} :`;
  return _pieces(head, text).map((piece) =>
    _line(source, command, [target, piece], tags)
  ).join("");
}

/** Names in as many numerics as they need (NAMES, WHOIS channels). */
function _listed(
  state: IrcState,
  code: string,
  params: string[],
  items: string[],
): string {
  const head = `:${state.server.name} ${code} ${_me(state)} ${
    params.join(" ")
  } :`;
  const room = MAX_IRC_LINE_BYTES - 2 - _bytes(head);
  let out = "";
  let line = "";
  for (const item of items) {
    if (line !== "" && _bytes(line) + 1 + _bytes(item) > room) {
      out += _numeric(state, code, ...params, line);
      line = "";
    }
    line = line === "" ? item : `${line} ${item}`;
  }
  if (line !== "" || items.length === 0) {
    out += _numeric(state, code, ...params, line);
  }
  return out;
}

// --- Registration ----------------------------------------------------------

/**
 * The ISUPPORT tokens: what this server is, as `005` tells it.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { isupportTokens } from "./irc_codec.ts";
 *
 * const facts = { name: "irc.local", network: "irc.local", version: "chat", started: 0, motd: null, maxLineBytes: 8192, maxRoomsPerUser: 20 };
 * assert(isupportTokens(facts).includes("CHANTYPES=#"));
 * ```
 *
 * @param server The server's facts (its network name, the rooms a member
 * may be in).
 * @returns The tokens, in alphabetical order.
 */
export function isupportTokens(server: ServerFacts): string[] {
  const rooms = server.maxRoomsPerUser;
  return [
    "AWAYLEN=" + REASON_LENGTH,
    "CASEMAPPING=rfc8265",
    "CHATHISTORY=" + CHATHISTORY_LIMIT,
    "CHANLIMIT=#:" + (rooms > 0 ? rooms : ""),
    "CHANMODES=b,k,,nt",
    "CHANNELLEN=" + (MAX_ROOM_NAME_LENGTH + 1),
    "CHANTYPES=#",
    "KICKLEN=" + REASON_LENGTH,
    "MODES=3",
    "MSGREFTYPES=msgid",
    "NETWORK=" + server.network.replace(/[^\x21-\x7e]/g, "_"),
    "NICKLEN=" + MAX_NAME_LENGTH,
    "PREFIX=(ov)@+",
    "TARGMAX=JOIN:20,KICK:1,NAMES:1,NOTICE:4,PART:20,PRIVMSG:4,WHOIS:1",
    "TOPICLEN=" + TOPIC_LENGTH,
    "USERLEN=10",
    "UTF8MAPPING=rfc8265",
    "UTF8ONLY",
  ];
}

function _isupport(state: IrcState): string {
  const tokens = isupportTokens(state.server);
  let out = "";
  for (let i = 0; i < tokens.length; i += 12) {
    out += _numeric(
      state,
      "005",
      ...tokens.slice(i, i + 12),
      "are supported by this server",
    );
  }
  return out;
}

function _welcome(state: IrcState, name: string): string {
  const server = state.server;
  return _numeric(
    state,
    "001",
    `Welcome to the ${server.network} IRC Network ${_source(state, name)}`,
  ) +
    _numeric(
      state,
      "002",
      `Your host is ${server.name}, running version ${server.version}`,
    ) +
    _numeric(
      state,
      "003",
      `This server was created ${new Date(server.started).toUTCString()}`,
    ) +
    _numeric(state, "004", server.name, server.version, "o", "bknotv", "bkov") +
    _isupport(state);
}

function _motd(state: IrcState): string {
  const motd = state.server.motd;
  if (motd === null) return _numeric(state, "422", "MOTD File is missing");
  return _numeric(
    state,
    "375",
    `- ${state.server.name} Message of the day - `,
  ) +
    motd.map((line) => _numeric(state, "372", `- ${line}`)).join("") +
    _numeric(state, "376", "End of /MOTD command.");
}

/** A registration that has all it needs becomes a hello, then LUSERS. */
function _register(state: IrcState): Decoded {
  if (
    state.reader.joined || state.negotiating || state.nick === null ||
    state.user === null
  ) return null;
  const hello: Decoded = {
    type: "hello",
    name: state.nick,
    user: `~${state.user}`,
    realname: state.realname,
  };
  if (state.password !== null) hello.password = state.password;
  return { type: "many", items: [hello, _command({ kind: "lusers" })] };
}

function _cap(state: IrcState, params: string[]): Decoded {
  const sub = params[0]!.toUpperCase();
  const joined = state.reader.joined;
  const reply = (...rest: string[]): Decoded => ({
    type: "reply",
    text: _line(state.server.name, "CAP", [_me(state), ...rest]),
  });
  switch (sub) {
    case "LS":
      if (!joined) state.negotiating = true;
      // 302 and later imply cap-notify.
      if (Number(params[1] ?? 0) >= 302) state.caps.add("cap-notify");
      // 302 and later see the mechanisms too.
      return reply(
        "LS",
        IRC_CAPABILITIES.map((cap) =>
          cap === "sasl" && Number(params[1] ?? 0) >= 302
            ? `sasl=${SASL_MECHANISMS.join(",")}`
            : cap
        ).join(" "),
      );
    case "LIST":
      return reply("LIST", [...state.caps].sort().join(" "));
    case "REQ": {
      if (!joined) state.negotiating = true;
      const asked = params[1] ?? "";
      const wanted = asked.split(" ").filter((cap) => cap !== "");
      const known = wanted.every((cap) =>
        KNOWN_CAPS.has(cap.startsWith("-") ? cap.slice(1) : cap)
      );
      if (!known || wanted.length === 0) return reply("NAK", asked);
      for (const cap of wanted) {
        if (cap.startsWith("-")) state.caps.delete(cap.slice(1));
        else state.caps.add(cap);
      }
      return reply("ACK", asked);
    }
    case "END":
      if (joined || !state.negotiating) return null;
      state.negotiating = false;
      return _register(state);
    default:
      return {
        type: "reply",
        text: _numeric(state, "410", params[0]!, "Invalid CAP command"),
      };
  }
}

// --- Commands --------------------------------------------------------------

function _command(command: Command, room?: string): Decoded {
  return room === undefined
    ? { type: "command", command }
    : { type: "command", command, room };
}

function _reply(text: string): Decoded {
  return { type: "reply", text };
}

function _many(items: Decoded[]): Decoded {
  return items.length === 1 ? items[0]! : { type: "many", items };
}

/** A USER name as the user part of `nick!user@host`: safe, short. */
function _userName(given: string): string {
  const clean = given.replace(/[^A-Za-z0-9_.-]/g, "").slice(0, 10);
  return clean === "" ? "user" : clean;
}

function _join(state: IrcState, params: string[]): Decoded {
  if (params[0] === "0") {
    return _many(
      [...state.channels.values()].map((channel) =>
        _command({ kind: "part", room: channel.name })
      ),
    );
  }
  const keys = (params[1] ?? "").split(",");
  return _many(
    params[0]!.split(",").filter((room) => room !== "").slice(0, 20).map(
      (room, i) => {
        if (!room.startsWith("#")) {
          return _reply(_numeric(state, "403", room, "No such channel"));
        }
        const key = keys[i];
        return _command(
          key ? { kind: "join", room, key } : { kind: "join", room },
        );
      },
    ),
  );
}

function _part(params: string[]): Decoded {
  const reason = params[1];
  return _many(
    params[0]!.split(",").filter((room) => room !== "").slice(0, 20).map(
      (room) =>
        _command(
          reason ? { kind: "part", room, reason } : { kind: "part", room },
        ),
    ),
  );
}

// deno-lint-ignore no-control-regex
const CTCP = /^\x01([A-Z]+)(?: ([^\x01]*))?\x01?$/;

/** PRIVMSG and NOTICE: to channels, to nicks, CTCP included. */
function _privmsg(state: IrcState, command: string, params: string[]): Decoded {
  const notice = command === "NOTICE";
  if (params.length === 0 || params[0] === "") {
    return notice
      ? null
      : _reply(_numeric(state, "411", `No recipient given (${command})`));
  }
  const text = params[1] ?? "";
  if (text === "") {
    return notice ? null : _reply(_numeric(state, "412", "No text to send"));
  }
  const ctcp = CTCP.exec(text);
  const items: Decoded[] = [];
  for (const target of params[0]!.split(",").slice(0, 4)) {
    if (target === "") continue;
    const channel = target.startsWith("#");
    if (ctcp !== null) {
      const [, verb, rest = ""] = ctcp;
      if (verb === "ACTION") {
        items.push(
          channel
            ? _command({ kind: "me", text: rest }, target)
            : _command({ kind: "msg", to: target, text: rest, action: true }),
        );
      } else if (!channel && _speaksIrc(state, target)) {
        // Another IRC client answers for itself, with a NOTICE back.
        const body = rest === "" ? verb! : `${verb} ${rest}`;
        items.push(_command({
          kind: "msg",
          to: target,
          text: body,
          ctcp: notice ? "reply" : "query",
        }));
      } else if (!notice) items.push(_ctcpAnswer(state, target, verb!, rest));
      continue;
    }
    items.push(
      channel
        ? _command({ kind: "say", text }, target)
        : _command({ kind: "msg", to: target, text }),
    );
  }
  return _many(items);
}

/**
 * Whether a nick is an IRC client's, which answers CTCP itself: the hub
 * gives IRC users the user part `~name` (USER's), others their dialect's.
 */
function _speaksIrc(state: IrcState, nick: string): boolean {
  return state.reader.peer?.(nick)?.user.startsWith("~") ?? false;
}

/**
 * The server answers CTCP VERSION, PING, TIME and CLIENTINFO for those who
 * cannot (native and netcat users) and for itself, as a NOTICE from the
 * one asked; a CTCP to another IRC client goes to it.
 */
function _ctcpAnswer(
  state: IrcState,
  target: string,
  verb: string,
  rest: string,
): Decoded {
  const channel = target.startsWith("#");
  const peer = channel ? undefined : state.reader.peer?.(target);
  if (!channel && peer === undefined) {
    return _reply(_numeric(state, "401", target, "No such nick/channel"));
  }
  const from = channel ? state.server.name : _source(state, target);
  const answer = verb === "VERSION"
    ? `VERSION ${state.server.version} (answered by the server)`
    : verb === "PING"
    ? `PING ${rest}`
    : verb === "TIME"
    ? `TIME ${new Date().toUTCString()}`
    : verb === "CLIENTINFO"
    ? "CLIENTINFO ACTION CLIENTINFO PING TIME VERSION"
    : null;
  if (answer === null) return null;
  return _reply(
    _line(from, "NOTICE", [state.reader.name, `\x01${answer.trim()}\x01`]),
  );
}

/** MODE on a channel: a query, a list of bans, or changes. */
function _channelMode(state: IrcState, params: string[]): Decoded {
  const room = params[0]!;
  const modes = params[1];
  if (modes === undefined) {
    const channel = state.channels.get(nameKey(room));
    if (channel === undefined) {
      return _reply(
        _numeric(state, "442", room, "You're not on that channel"),
      );
    }
    const flags = "+n" + (channel.topicLocked ? "t" : "") +
      (channel.key ? "k" : "");
    return _reply(_numeric(state, "324", channel.name, flags));
  }
  const args = params.slice(2);
  const items: Decoded[] = [];
  let sign = "+";
  let withParam = 0;
  for (const mode of modes) {
    if (mode === "+" || mode === "-") {
      sign = mode;
      continue;
    }
    const on = sign === "+";
    switch (mode) {
      case "b": {
        const mask = args.shift();
        if (mask === undefined) {
          items.push(_command({ kind: "bans", room }));
          break;
        }
        if (++withParam > 3) break;
        const name = mask.split("!")[0]!;
        if (name === "" || name === "*") {
          items.push(_reply(_numeric(state, "472", "b", "bans are by nick")));
          break;
        }
        items.push(
          _command(
            on ? { kind: "ban", room, name } : { kind: "unban", room, name },
          ),
        );
        break;
      }
      case "o":
      case "v": {
        const name = args.shift();
        if (name === undefined || ++withParam > 3) break;
        state.target = name;
        const kind = mode === "o"
          ? (on ? "op" : "deop")
          : (on ? "voice" : "devoice");
        items.push(_command({ kind, room, name }));
        break;
      }
      case "k": {
        const key = args.shift();
        if (on && key === undefined) break;
        if (++withParam > 3) break;
        items.push(
          _command(
            on && key ? { kind: "key", room, key } : { kind: "key", room },
          ),
        );
        break;
      }
      case "t":
        items.push(_command({ kind: "topic-lock", room, on }));
        break;
      case "n":
        // Always on: only members speak in a room.
        if (!on) {
          items.push(_reply(_numeric(state, "472", "n", "is always set")));
        }
        break;
      default:
        items.push(
          _reply(_numeric(state, "472", mode, "is unknown mode char to me")),
        );
    }
  }
  return _many(items);
}

function _userMode(state: IrcState, params: string[]): Decoded {
  const target = params[0]!;
  if (nameKey(target) !== nameKey(state.reader.name)) {
    return _reply(
      _numeric(state, "502", "Can't change mode for other users"),
    );
  }
  const modes = params[1];
  if (modes === undefined) return _reply(_numeric(state, "221", "+"));
  // +i and +w change nothing here (nobody is listed, nothing is wallopped).
  if (/^[+-]*[iw+-]*$/.test(modes)) return null;
  return _reply(_numeric(state, "501", "Unknown MODE flag"));
}

function _who(state: IrcState, params: string[]): Decoded {
  const mask = params[0] ?? "*";
  if (mask.startsWith("#")) {
    state.asking = "who";
    state.target = mask;
    return _command({ kind: "who", room: mask });
  }
  const peer = state.reader.peer?.(mask);
  const found = peer === undefined ? "" : _whoLine(state, "*", mask, "");
  return _reply(found + _numeric(state, "315", mask, "End of WHO list"));
}

function _whoLine(
  state: IrcState,
  channel: string,
  name: string,
  prefix: string,
): string {
  const peer = state.reader.peer?.(name);
  const flags = (peer?.away === undefined ? "H" : "G") + prefix;
  return _numeric(
    state,
    "352",
    channel,
    peer?.user ?? "chat",
    peer?.host ?? "unknown",
    state.server.name,
    name,
    flags,
    `0 ${peer?.realname || name}`,
  );
}

function _peers(
  state: IrcState,
  code: string,
  names: string[],
  show: (name: string, peer: Peer) => string,
): Decoded {
  const found = names.slice(0, 5).flatMap((name) => {
    const peer = state.reader.peer?.(name);
    return peer === undefined ? [] : [show(name, peer)];
  });
  return _reply(_numeric(state, code, found.join(" ")));
}

/** A registered reader's command, checked for its parameters. */
function _registered(
  state: IrcState,
  command: string,
  params: string[],
): Decoded {
  const server = state.server;
  switch (command) {
    case "PING":
      return _reply(
        _line(server.name, "PONG", [server.name, params[0] ?? server.name]),
      );
    case "PONG":
    case "TAGMSG":
      return null;
    case "PASS":
    case "USER":
      return _reply(_numeric(state, "462", "You may not reregister"));
    case "NICK": {
      const nick = params[0] ?? "";
      if (nick === "") {
        return _reply(_numeric(state, "431", "No nickname given"));
      }
      if (nick === state.reader.name) return null;
      const check = checkIrcNick(nick);
      if (!check.ok) {
        return _reply(_numeric(state, "432", nick, "Erroneous nickname"));
      }
      return _command({ kind: "nick", name: check.name });
    }
    case "QUIT":
      return params[0] ? { type: "quit", reason: params[0] } : { type: "quit" };
    case "JOIN":
      return _join(state, params);
    case "PART":
      return _part(params);
    case "PRIVMSG":
    case "NOTICE":
      return _privmsg(state, command, params);
    case "NAMES":
      if (params[0] === undefined) {
        return _reply(_numeric(state, "366", "*", "End of /NAMES list"));
      }
      state.asking = "names";
      return _many(
        params[0].split(",").slice(0, 1).map((room) =>
          _command({ kind: "who", room })
        ),
      );
    case "WHO":
      return _who(state, params);
    case "WHOIS":
      state.target = params.at(-1)!;
      return _command({ kind: "whois", name: params.at(-1)! });
    case "LIST":
      return _command({ kind: "rooms" });
    case "TOPIC":
      return _command(
        params.length > 1
          ? { kind: "topic", room: params[0]!, text: params[1]! }
          : { kind: "topic", room: params[0]! },
      );
    case "MODE":
      return params[0]!.startsWith("#")
        ? _channelMode(state, params)
        : _userMode(state, params);
    case "KICK": {
      state.target = params[1]!;
      const reason = params[2];
      return _command(
        reason
          ? { kind: "kick", room: params[0]!, name: params[1]!, reason }
          : { kind: "kick", room: params[0]!, name: params[1]! },
      );
    }
    case "AWAY":
      return _command(
        params[0] ? { kind: "away", text: params[0] } : { kind: "away" },
      );
    case "CHATHISTORY":
      return _chathistory(state, params);
    case "MOTD":
      return _reply(_motd(state));
    case "LUSERS":
      return _command({ kind: "lusers" });
    case "VERSION":
      return _reply(
        _numeric(state, "351", server.version, server.name, "chat server") +
          _isupport(state),
      );
    case "TIME":
      return _reply(
        _numeric(state, "391", server.name, new Date().toUTCString()),
      );
    case "OPER":
      return _command({ kind: "oper", password: params[1]! });
    // `REGISTER <password>` (irssi's `/register`) claims the nick with a
    // password; `REGISTER` alone, for the TLS client certificate shown.
    case "REGISTER":
      return params[0]
        ? _command({ kind: "register", password: params.at(-1)! })
        : _command({ kind: "register-cert" });
    case "IDENTIFY":
      return params[0]
        ? _command({ kind: "identify", password: params.at(-1)! })
        : _reply(_numeric(state, "461", command, "Not enough parameters"));
    case "ISON":
      return _peers(
        state,
        "303",
        params.join(" ").split(" ").filter((name) => name !== ""),
        (name) => name,
      );
    case "USERHOST":
      return _peers(
        state,
        "302",
        params,
        (name, peer) =>
          `${name}=${
            peer.away === undefined ? "+" : "-"
          }${peer.user}@${peer.host}`,
      );
    default:
      return _reply(_numeric(state, "421", command, "Unknown command"));
  }
}

/** Fewest parameters each command needs; a line with fewer gets 461. */
const MIN_PARAMS: Readonly<Record<string, number>> = {
  CAP: 1,
  PASS: 1,
  USER: 4,
  JOIN: 1,
  PART: 1,
  WHOIS: 1,
  TOPIC: 1,
  MODE: 1,
  KICK: 2,
  OPER: 2,
  USERHOST: 1,
  ISON: 1,
};

function _decodeLine(line: string, state: IrcState): Decoded {
  if (line.trim() === "") return null;
  let message;
  try {
    message = parseIrcMessage(line);
  } catch (error) {
    if (!(error instanceof IrcParseError)) throw error;
    if (error.reason === "too_long" || error.reason === "tags_too_long") {
      return _reply(_numeric(state, "417", "Input line was too long"));
    }
    return { type: "bad", why: error.message };
  }
  const { command, params } = message;
  state.command = command;
  state.target = params[0] ?? "";
  if ((params.length < (MIN_PARAMS[command] ?? 0))) {
    return _reply(_numeric(state, "461", command, "Not enough parameters"));
  }
  if (command === "CAP") return _cap(state, params);
  if (command === "AUTHENTICATE") return _authenticate(state, params);
  if (state.reader.joined) return _registered(state, command, params);
  switch (command) {
    case "PASS":
      state.password = params[0]!;
      return null;
    case "NICK": {
      const nick = params[0] ?? "";
      if (nick === "") {
        return _reply(_numeric(state, "431", "No nickname given"));
      }
      const check = checkIrcNick(nick);
      if (!check.ok) {
        return _reply(_numeric(state, "432", nick, "Erroneous nickname"));
      }
      state.nick = check.name;
      return _register(state);
    }
    case "USER":
      state.user = _userName(params[0]!);
      state.realname = sanitizeText(params[3]!).slice(0, 50);
      return _register(state);
    case "PING":
      return _registered(state, command, params);
    case "PONG":
      return null;
    case "QUIT":
      return { type: "quit" };
    default:
      return BEFORE_REGISTRATION.has(command) ? null : _reply(
        _numeric(state, "451", "You have not registered"),
      );
  }
}

/**
 * `AUTHENTICATE`: IRC's SASL, before registration. `PLAIN` and `EXTERNAL`
 * become a `sasl` intent the session checks; every failure is the same
 * 904, whether or not the name exists.
 */
function _authenticate(state: IrcState, params: string[]): Decoded {
  const arg = params[0] ?? "";
  if (state.account !== null || state.reader.joined) {
    return _reply(
      _numeric(state, "907", "You have already authenticated using SASL"),
    );
  }
  if (arg === "*") {
    if (state.sasl === null) return null;
    state.sasl = null;
    return _reply(_numeric(state, "906", "SASL authentication aborted"));
  }
  const sasl = state.sasl;
  if (sasl === "checking") {
    return _reply(_saslFailed(state));
  }
  if (sasl === null) {
    const mechanism = arg.toUpperCase();
    if (mechanism !== "PLAIN" && mechanism !== "EXTERNAL") {
      return _reply(
        _numeric(
          state,
          "908",
          SASL_MECHANISMS.join(","),
          "are available SASL mechanisms",
        ) + _saslFailed(state),
      );
    }
    state.sasl = { mechanism, buffer: "" };
    return _reply(_line(null, "AUTHENTICATE", ["+"]));
  }
  const chunk = readSaslChunk(sasl.buffer, arg);
  switch (chunk.kind) {
    case "more":
      sasl.buffer = chunk.buffer;
      return null;
    case "too_long":
      state.sasl = null;
      return _reply(_numeric(state, "905", "SASL message too long"));
    case "bad":
      state.sasl = null;
      return _reply(_saslFailed(state));
  }
  if (sasl.mechanism === "PLAIN") {
    const plain = parseSaslPlain(chunk.payload);
    const nick = plain === null ? null : checkIrcNick(plain.account);
    if (plain === null || nick === null || !nick.ok) {
      state.sasl = null;
      return _reply(_saslFailed(state));
    }
    state.sasl = "checking";
    return {
      type: "sasl",
      mechanism: "PLAIN",
      account: nick.name,
      password: plain.password,
    };
  }
  const asked = parseSaslExternal(chunk.payload);
  const name = asked === "" || asked === null ? state.nick : asked;
  const nick = asked === null || name === null ? null : checkIrcNick(name);
  if (nick === null || !nick.ok) {
    state.sasl = null;
    return _reply(_saslFailed(state));
  }
  state.sasl = "checking";
  return { type: "sasl", mechanism: "EXTERNAL", account: nick.name };
}

function _saslFailed(state: IrcState): string {
  return _numeric(state, "904", "SASL authentication failed");
}

function _decode(line: string, state: IrcState): Decoded {
  // A bare CR ends a line too.
  if (!line.includes("\r")) return _decodeLine(line, state);
  return _many(line.split("\r").map((part) => _decodeLine(part, state)));
}

// --- Encoding the hub's messages -------------------------------------------

const LEAVE_TEXT: Readonly<Record<LeaveReason, string>> = {
  quit: "Quit",
  closed: "Connection closed",
  error: "Connection error",
  shutdown: "Server shutting down",
  timeout: "Ping timeout",
  flood: "Excess flood",
  slow: "Max SendQ exceeded",
  protocol: "Protocol error",
  full: "Server full",
  limit: "Too many connections",
  password: "Bad password",
};

function _roomState(
  state: IrcState,
  room: Omit<RoomState, "room"> & { room: string },
): string {
  const me = state.reader.name;
  let out = _line(_source(state, me), "JOIN", [room.room]);
  if (room.topic) {
    out += _numeric(state, "332", room.room, room.topic.text) +
      _numeric(
        state,
        "333",
        room.room,
        room.topic.by,
        String(Math.floor(room.topic.time / 1000)),
      );
  }
  return out +
    _names(state, room.room, room.members, _statuses(room.ops, room.voiced)) +
    _history(state, room.room, room.history);
}

/** A public line's text as IRC writes it: an action is a CTCP ACTION. */
function _chatText(line: ChatLine): string {
  return line.action ? `\x01ACTION ${line.text}\x01` : line.text;
}

/**
 * A room's recent lines after its NAMES. Readers with server-time get them
 * as PRIVMSGs at their times (their clients show each at its time), in a
 * `chathistory` batch with `batch`. Without it they would read as new, so
 * those readers get a replay that cannot be taken for live lines: NOTICEs
 * from the server to the channel, `[date time] <nick> text`, between a
 * start and an end line.
 */
function _history(
  state: IrcState,
  room: string,
  history: readonly ChatLine[],
): string {
  if (history.length === 0) return "";
  if (state.caps.has("server-time")) return _lines(state, room, history);
  const server = state.server.name;
  const notice = (text: string) => _say(server, "NOTICE", room, text, {});
  const count = history.length;
  return notice(
    `Replay of the last ${count} line${
      count === 1 ? "" : "s"
    } of ${room} (times in UTC):`,
  ) +
    history.map((line) => notice(_replayed(line))).join("") +
    notice("End of replay.");
}

/** A replayed line: `[2025-01-31 09:05] <ana> hi`, `* ana waves` for an action. */
function _replayed(line: ChatLine): string {
  const stamp = new Date(line.time).toISOString().slice(0, 16).replace(
    "T",
    " ",
  );
  return line.action
    ? `[${stamp}] * ${line.from} ${line.text}`
    : `[${stamp}] <${line.from}> ${line.text}`;
}

/**
 * Stored lines of a room as PRIVMSGs stamped with their times and ids, in
 * a `chathistory` batch when the reader has `batch`.
 */
function _lines(
  state: IrcState,
  room: string,
  lines: readonly ChatLine[],
): string {
  const batch = state.caps.has("batch") ? `h${++state.batches}` : null;
  const server = state.server.name;
  let out = batch === null
    ? ""
    : _line(server, "BATCH", [`+${batch}`, "chathistory", room]);
  for (const line of lines) {
    const tags = _tags(state, line.time, line.id);
    if (batch !== null) tags.batch = batch;
    out += _say(
      _source(state, line.from),
      "PRIVMSG",
      room,
      _chatText(line),
      tags,
    );
  }
  return batch === null ? out : out + _line(server, "BATCH", [`-${batch}`]);
}

/**
 * `CHATHISTORY LATEST #room *|msgid=ID N`, `BEFORE`, `AFTER` and `AROUND
 * #room msgid=ID N`: a page of the hub's history, oldest first. The store
 * pages by id, so references are `msgid=` (the ids the lines carry);
 * timestamps, `BETWEEN` and `TARGETS` are refused with `FAIL`.
 */
function _chathistory(state: IrcState, params: string[]): Decoded {
  const [sub = "", target = "", ref = "", count = ""] = params;
  const fail = (code: string, text: string): Decoded =>
    _reply(
      _line(state.server.name, "FAIL", [
        "CHATHISTORY",
        code,
        _word(sub.toUpperCase()),
        _word(target),
        text,
      ]),
    );
  const verb = sub.toUpperCase();
  if (!CHATHISTORY_VERBS.has(verb)) {
    return fail(
      "INVALID_PARAMS",
      "Only LATEST, BEFORE, AFTER and AROUND are supported",
    );
  }
  if (!target.startsWith("#")) {
    return fail("INVALID_TARGET", "Only channels have history");
  }
  const limit = Number(count);
  if (!/^\d{1,3}$/.test(count) || limit < 1 || limit > CHATHISTORY_LIMIT) {
    return fail("INVALID_PARAMS", `The limit is 1 to ${CHATHISTORY_LIMIT}`);
  }
  state.target = target;
  const history = { kind: "history", room: target, limit } as const;
  if (verb === "LATEST" && ref === "*") return _command(history);
  const match = /^msgid=(\d{1,15})$/.exec(ref);
  if (match === null) {
    return fail(
      "INVALID_PARAMS",
      "Give msgid= as the reference (or * for LATEST)",
    );
  }
  const id = Number(match[1]);
  switch (verb) {
    case "BEFORE":
      return _command({ ...history, before: id });
    case "AFTER":
      return _command({ ...history, after: id });
    case "AROUND":
      return _command({ ...history, around: id });
    // The newest lines, but only those after the reference.
    default:
      return _command({ ...history, newerThan: id });
  }
}

/** Who is an operator of a room, and who has voice. */
interface _Statuses {
  ops: ReadonlySet<string>;
  voiced: ReadonlySet<string>;
}

function _statuses(
  ops: readonly string[],
  voiced: readonly string[] | undefined,
): _Statuses {
  return { ops: new Set(ops), voiced: new Set(voiced ?? []) };
}

/**
 * A member's prefix in NAMES, WHO and WHOIS: `@` for an operator, `+` for
 * voice; both (`@+`) with multi-prefix, else the highest.
 */
function _prefix(state: IrcState, statuses: _Statuses, name: string): string {
  const op = statuses.ops.has(name) ? "@" : "";
  const voice = statuses.voiced.has(name) ? "+" : "";
  if (state.caps.has("multi-prefix")) return op + voice;
  return op || voice;
}

function _names(
  state: IrcState,
  room: string,
  names: string[],
  statuses: _Statuses,
): string {
  return _listed(
    state,
    "353",
    ["=", room],
    names.map((name) => _prefix(state, statuses, name) + name),
  ) + _numeric(state, "366", room, "End of /NAMES list");
}

// What a hub error is in IRC: its numeric, what comes before its text
// (the room or name it was about; the nick the command named; the
// command), and its text.
type _Before = "target" | "nick" | "nick target" | "command" | "";
const ERROR_NUMERICS: Readonly<
  Record<string, readonly [string, _Before, string]>
> = {
  unknown_user: ["401", "target", "No such nick/channel"],
  no_such_room: ["403", "target", "No such channel"],
  bad_room_name: ["403", "target", "No such channel"],
  no_room: ["461", "command", "Not enough parameters"],
  usage: ["461", "command", "Not enough parameters"],
  not_op: ["482", "target", "You're not channel operator"],
  banned: ["474", "target", "Cannot join channel (+b)"],
  key_needed: ["475", "target", "Cannot join channel (+k)"],
  bad_key: ["475", "target", "Cannot join channel (+k)"],
  bad_key_format: ["525", "target", "Key is not well-formed"],
  not_member: ["441", "nick target", "They aren't on that channel"],
  too_many_rooms: ["405", "target", "You have joined too many channels"],
  server_rooms_full: ["405", "target", "You have joined too many channels"],
  name_taken: ["433", "nick", "Nickname is already in use"],
  name_registered: ["433", "nick", "Nickname is registered to another key"],
  name_empty: ["431", "", "No nickname given"],
  name_too_long: ["432", "nick", "Erroneous nickname"],
  name_invalid_chars: ["432", "nick", "Erroneous nickname"],
  name_mixed_scripts: ["432", "nick", "Erroneous nickname"],
  name_reserved: ["432", "nick", "Erroneous nickname"],
  empty: ["412", "", "No text to send"],
  line_too_long: ["417", "", "Input line was too long"],
  bad_password: ["464", "", "Password incorrect"],
  no_oper: ["491", "", "No O-lines for your host"],
};

// Errors IRC says nothing about: a rename to the same name, a mode that
// was already so, a message to oneself.
const SILENT_ERRORS = new Set(["name_unchanged", "unchanged", "self"]);

/** What a hub error is in IRC: a numeric, a notice, or nothing. */
function _error(
  state: IrcState,
  message: Extract<ServerMessage, { type: "error" }>,
): string {
  const target = message.target ?? state.target;
  const code = message.code;
  // A NOTICE is never answered with an error.
  if (state.command === "NOTICE" && code !== "slow_down") return "";
  if (SILENT_ERRORS.has(code)) return "";
  if (state.command === "CHATHISTORY" && code !== "slow_down") {
    return _line(state.server.name, "FAIL", [
      "CHATHISTORY",
      code === "bad_page" ? "INVALID_PARAMS" : "INVALID_TARGET",
      _word(target),
      message.text,
    ]);
  }
  if (code === "not_in_room") {
    return state.command === "PRIVMSG"
      ? _numeric(state, "404", target, "Cannot send to channel")
      : _numeric(state, "442", target, "You're not on that channel");
  }
  const numeric = ERROR_NUMERICS[code];
  if (numeric === undefined) return _notice(state, message.text);
  const [number, before, text] = numeric;
  const params = before === "target"
    ? [target]
    : before === "nick"
    ? [state.target]
    : before === "nick target"
    ? [state.target, target]
    : before === "command"
    ? [state.command]
    : [];
  const out = _numeric(state, number, ...params, text);
  return code === "unknown_user" && state.command === "WHOIS"
    ? out + _numeric(state, "318", target, "End of /WHOIS list")
    : out;
}

function _encode(message: ServerMessage, state: IrcState): string {
  const server = state.server.name;
  const me = state.reader.name;
  switch (message.type) {
    case "welcome": {
      state.pending = message;
      return _welcome(state, message.name);
    }
    case "lusers": {
      const opers = message.opers > 0
        ? _numeric(state, "252", String(message.opers), "operator(s) online")
        : "";
      let out = _numeric(
        state,
        "251",
        `There are ${message.users} users and 0 invisible on 1 servers`,
      ) + opers +
        _numeric(state, "254", String(message.rooms), "channels formed") +
        _numeric(state, "255", `I have ${message.users} clients and 0 servers`);
      const pending = state.pending;
      if (pending !== null && pending.type === "welcome") {
        state.pending = null;
        out += _motd(state);
        if (pending.room !== null) {
          out += _roomState(state, { ...pending, room: pending.room });
        }
      }
      return out;
    }
    case "name_error": {
      // A claimed name is "in use" too: 433 makes clients try another
      // nick, where 432 would make them give up.
      if (message.code === "registered") {
        return _numeric(
          state,
          "433",
          state.nick ?? message.name,
          "Nickname is registered to another key",
        );
      }
      const code = message.code === "taken"
        ? "433"
        : message.code === "empty"
        ? "431"
        : "432";
      const why = code === "433"
        ? "Nickname is already in use"
        : code === "431"
        ? "No nickname given"
        : "Erroneous nickname";
      return code === "431"
        ? _numeric(state, code, why)
        : _numeric(state, code, state.nick ?? message.name, why);
    }
    case "joined":
      return _roomState(state, message);
    case "parted":
      return _line(_source(state, me), "PART", [message.room]);
    case "current":
    case "pong":
    // The answer to /search, which IRC has no command for.
    case "search":
      return "";
    case "history":
      return _lines(state, message.room, message.lines);
    // What was said since a claimed name (SASL, CertFP) left: it reads
    // as a replay would.
    case "catch_up":
      return _history(state, message.room, message.lines);
    // Only a hello with a key is challenged; IRC's never carries one.
    case "challenge":
      return "";
    case "sasl": {
      if (!message.ok) {
        state.sasl = null;
        return _saslFailed(state);
      }
      state.sasl = null;
      state.account = message.account;
      const mask = `${state.nick ?? message.account}!${
        state.user === null ? "*" : `~${state.user}`
      }@*`;
      return _numeric(
        state,
        "900",
        mask,
        message.account,
        `You are now logged in as ${message.account}`,
      ) + _numeric(state, "903", "SASL authentication successful");
    }
    case "message":
      return _say(
        _source(state, message.from),
        "PRIVMSG",
        message.room,
        _chatText(message),
        _tags(state, message.time, message.id),
      );
    case "private": {
      if (message.from === me && !state.caps.has("echo-message")) return "";
      const ctcp = message.ctcp !== undefined;
      return _say(
        _source(state, message.from),
        message.ctcp === "reply" ? "NOTICE" : "PRIVMSG",
        message.to,
        message.action
          ? `\x01ACTION ${message.text}\x01`
          : ctcp
          ? `\x01${message.text}\x01`
          : message.text,
        _tags(state, message.time),
      );
    }
    case "join": {
      let out = "";
      // A crowd's joins told together are still one JOIN each here: IRC
      // clients keep their nick lists from them.
      for (const name of [message.name, ...(message.others ?? [])]) {
        const source = _source(state, name);
        out += _line(
          source,
          "JOIN",
          [message.room],
          _tags(state, message.time),
        );
        if (message.op && name === message.name) {
          out += _line(server, "MODE", [message.room, "+o", message.name]);
        }
        if (message.voice && name === message.name) {
          out += _line(server, "MODE", [message.room, "+v", message.name]);
        }
        const away = state.reader.peer?.(name)?.away;
        if (away !== undefined && state.caps.has("away-notify")) {
          out += _line(source, "AWAY", [away]);
        }
      }
      return out;
    }
    case "part":
      return _line(
        _source(state, message.name),
        "PART",
        message.reason ? [message.room, message.reason] : [message.room],
        _tags(state, message.time),
      );
    case "leave": {
      const base = LEAVE_TEXT[message.reason];
      const text = message.detail ? `${base}: ${message.detail}` : base;
      return _line(
        _source(state, message.name),
        "QUIT",
        [text],
        _tags(state, message.time),
      );
    }
    case "rename": {
      const peer = state.reader.peer?.(message.to);
      const source = `${message.from}!${peer?.user ?? "chat"}@${
        peer?.host ?? "unknown"
      }`;
      return _line(source, "NICK", [message.to], _tags(state, message.time));
    }
    case "kick":
      return _line(
        _source(state, message.by),
        "KICK",
        [message.room, message.name, message.reason ?? message.by],
        _tags(state, message.time),
      );
    case "mode": {
      const params = [message.room, message.change];
      if (message.change === "+k") params.push("*");
      else if (message.change === "+b" || message.change === "-b") {
        params.push(`${message.target}!*@*`);
      } else if (message.target !== undefined) params.push(message.target);
      return _line(
        _source(state, message.by),
        "MODE",
        params,
        _tags(state, message.time),
      );
    }
    case "topic":
      if (message.asked) {
        return _numeric(state, "332", message.room, message.text) +
          _numeric(
            state,
            "333",
            message.room,
            message.by,
            String(Math.floor(message.time / 1000)),
          );
      }
      return _line(
        _source(state, message.by),
        "TOPIC",
        [message.room, message.text],
        _tags(state, message.time),
      );
    case "members": {
      const statuses = _statuses(message.ops, message.voiced);
      if (state.asking === "who") {
        return message.names.map((name) =>
          _whoLine(
            state,
            message.room,
            name,
            _prefix(state, statuses, name),
          )
        ).join("") +
          _numeric(state, "315", message.room, "End of WHO list");
      }
      return _names(state, message.room, message.names, statuses);
    }
    case "rooms":
      return _numeric(state, "321", "Channel", "Users  Name") +
        message.rooms.map((room) =>
          _numeric(
            state,
            "322",
            room.room,
            String(room.members),
            room.topic ?? "",
          )
        ).join("") + _numeric(state, "323", "End of /LIST");
    case "whois": {
      // Rooms stand where names stand in _prefix().
      const rooms = _statuses(message.ops, message.voiced);
      return _numeric(
        state,
        "311",
        message.name,
        message.user,
        message.host,
        "*",
        message.realname || message.name,
      ) +
        (message.rooms.length > 0
          ? _listed(
            state,
            "319",
            [message.name],
            message.rooms.map((room) => _prefix(state, rooms, room) + room),
          )
          : "") +
        _numeric(state, "312", message.name, server, state.server.network) +
        (message.oper
          ? _numeric(state, "313", message.name, "is an IRC operator")
          : "") +
        (message.away !== undefined
          ? _numeric(state, "301", message.name, message.away)
          : "") +
        _numeric(state, "318", message.name, "End of /WHOIS list");
    }
    case "away":
      if (message.toSender) {
        return _numeric(state, "301", message.name, message.text ?? "");
      }
      if (message.name === me) {
        return message.text === undefined
          ? _numeric(state, "305", "You are no longer marked as being away")
          : _numeric(state, "306", "You have been marked as being away");
      }
      if (!state.caps.has("away-notify")) return "";
      return _line(
        _source(state, message.name),
        "AWAY",
        message.text === undefined ? [] : [message.text],
        _tags(state, message.time),
      );
    case "bans":
      return message.names.map((name) =>
        _numeric(state, "367", message.room, `${name}!*@*`)
      ).join("") +
        _numeric(state, "368", message.room, "End of channel ban list");
    case "info":
      if (message.code === "no_topic") {
        return _numeric(state, "331", state.target, "No topic is set");
      }
      if (message.code === "oper") {
        return _numeric(state, "381", "You are now an IRC operator");
      }
      return _notice(state, message.text);
    case "error":
      return _error(state, message);
    case "bye": {
      const refused = message.reason === "password"
        ? _numeric(state, "464", "Password incorrect")
        : "";
      return refused +
        _line(server, "ERROR", [`Closing Link: ${message.text}`]);
    }
    case "ping":
      return _line(server, "PING", [String(message.id)]);
  }
}

// A message IRC cannot carry (a bug, not input: names and rooms are
// checked, texts go last) is left out rather than break a broadcast.
function _safeEncode(message: ServerMessage, state: IrcState): string {
  try {
    return _encode(message, state);
  } catch (error) {
    if (error instanceof RangeError) return "";
    throw error;
  }
}

// Every variant key, by the bits of server-time (1), away-notify (2) and
// message-tags (4): looked up per recipient of every broadcast, so none is
// built then.
const CAPS_KEYS: readonly string[] = [
  "irc ",
  "irc t",
  "irc a",
  "irc ta",
  "irc m",
  "irc tm",
  "irc am",
  "irc tam",
];

function _capsKey(state: IrcState): string {
  const caps = state.caps;
  if (caps.size === 0) return CAPS_KEYS[0]!;
  return CAPS_KEYS[
    (caps.has("server-time") ? 1 : 0) | (caps.has("away-notify") ? 2 : 0) |
    (caps.has("message-tags") ? 4 : 0)
  ]!;
}

// What a broadcast's bytes depend on: the capabilities that change them.
function _variant(message: ServerMessage, state: IrcState): string | null {
  switch (message.type) {
    case "message":
    case "join":
    case "part":
    case "leave":
    case "rename":
    case "kick":
    case "mode":
      return _capsKey(state);
    case "topic":
      return message.asked ? null : _capsKey(state);
    case "away":
      return message.toSender || message.name === state.reader.name
        ? null
        : _capsKey(state);
    default:
      return null;
  }
}

// Keeps the channels the reader is in, and their modes, for JOIN 0 and
// MODE queries.
function _observe(message: ServerMessage, state: IrcState): void {
  const me = state.reader.name;
  switch (message.type) {
    case "welcome":
    case "joined":
      if (message.room !== null) {
        state.channels.set(nameKey(message.room), {
          name: message.room,
          key: message.key === true,
          topicLocked: message.topicLocked === true,
        });
      }
      return;
    case "parted":
      state.channels.delete(nameKey(message.room));
      return;
    case "kick":
      if (message.name === me) state.channels.delete(nameKey(message.room));
      return;
    case "mode": {
      const channel = state.channels.get(nameKey(message.room));
      if (channel === undefined) return;
      if (message.change === "+k" || message.change === "-k") {
        channel.key = message.change === "+k";
      } else if (message.change === "+t" || message.change === "-t") {
        channel.topicLocked = message.change === "+t";
      }
      return;
    }
    default:
      return;
  }
}

/**
 * Tells whether a first line opens the IRC dialect: `CAP`, `NICK`, `USER`
 * or `PASS` (in any case) with a parameter.
 *
 * @example
 * ```ts
 * import { assert, assertFalse } from "@std/assert";
 * import { isIrcRegistration } from "./irc_codec.ts";
 *
 * assert(isIrcRegistration("CAP LS 302"));
 * assert(isIrcRegistration("nick ana"));
 * assertFalse(isIrcRegistration("nick"));
 * assertFalse(isIrcRegistration("ana"));
 * ```
 *
 * @param line The first line a connection sent.
 * @returns `true` for an IRC registration command.
 */
export function isIrcRegistration(line: string): boolean {
  return /^(?:CAP|NICK|USER|PASS) +\S/i.test(line);
}

/**
 * Makes the IRC state of a connection.
 *
 * @param reader The connection.
 * @returns Its state: unregistered, no capabilities.
 */
export function openIrc(reader: Reader): IrcState {
  return {
    reader,
    server: reader.server ?? DEFAULT_FACTS,
    caps: new Set(),
    negotiating: false,
    nick: null,
    user: null,
    realname: "",
    password: null,
    pending: null,
    channels: new Map(),
    command: "",
    target: "",
    asking: "names",
    batches: 0,
    sasl: null,
    account: null,
  };
}

/**
 * The IRC dialect's codec. Broadcasts are encoded once per set of
 * capabilities that changes their bytes; answers, per reader.
 *
 * @example Registration
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { IRC_CODEC } from "./irc_codec.ts";
 *
 * const reader = { name: "", lang: "en", joined: false, needsPassword: false, room: null } as const;
 * const state = IRC_CODEC.open(reader);
 * assertEquals(IRC_CODEC.decode("NICK ana", state), null);
 * assertEquals(IRC_CODEC.decode("USER ana 0 * :Ana", state), {
 *   type: "many",
 *   items: [
 *     { type: "hello", name: "ana", user: "~ana", realname: "Ana" },
 *     { type: "command", command: { kind: "lusers" } },
 *   ],
 * });
 * ```
 */
export const IRC_CODEC: Codec<IrcState, "irc"> = {
  id: "irc",
  pings: true,
  claims: isIrcRegistration,
  open: openIrc,
  decode: _decode,
  encode: _safeEncode,
  variant: _variant,
  echoes: (state) => state.caps.has("echo-message"),
  observe: _observe,
};
