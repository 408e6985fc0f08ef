/**
 * Command-line parsing for `chat`: turns arguments into a typed command, or
 * throws {@linkcode UsageError}. `main.ts` is the only caller that reads
 * `Deno.args`.
 *
 * @module
 */

import { parseArgs } from "@std/cli/parse-args";
import { type Address, parseAddress, parsePort } from "./transport/address.ts";
import { checkName } from "./protocol/name_rules.ts";
import { checkRoomName, roomKey } from "./protocol/room_name.ts";
import {
  type ClusterConfig,
  deadPeerTiming,
  DEFAULT_PORT,
  DEFAULT_WEB_PORT,
  defaultWebPort,
  DISCOVERY_DEFAULTS,
  JOIN_DEFAULTS,
  MEMORY_HISTORY_LINES,
  PROMPT_AFTER_MS,
  SERVE_DEFAULTS,
  SERVE_MINIMUMS,
  type ServerConfig,
} from "./config.ts";
import type { Lang } from "./protocol/messages.ts";
import { parseFingerprint } from "./transport/fingerprint.ts";
import { type RoomNameErrorCode, STRINGS } from "./i18n/server_strings.ts";

/** Version of the program, printed by `chat --version`. */
export const VERSION = "0.1.0";

/** Which usage text goes with a command. */
export type UsageTopic = "main" | "serve" | "join" | "find" | "export";

/**
 * A command-line mistake; `main.ts` prints it with {@linkcode helpHint} and
 * exits 2.
 */
export class UsageError extends Error {
  /** Which usage text the error points to. */
  readonly topic: UsageTopic;

  /**
   * @param message What is wrong, e.g. `Cannot use port 70000: ...`.
   * @param topic Which usage text fits.
   */
  constructor(message: string, topic: UsageTopic = "main") {
    super(message);
    this.name = "UsageError";
    this.topic = topic;
  }
}

/** Limits and switches of `chat serve`, as parsed from flags. */
export interface ServeFlags extends
  Pick<
    ServerConfig,
    | "tlsCert"
    | "tlsKey"
    | "requireTls"
    | "webTls"
    | "openNames"
    | "nameClaimDays"
    | "catchUp"
    | "ircPort"
    | "ircTlsPort"
    | "serverName"
    | "motdFile"
    | "showIps"
  > {
  host: string;
  port: number;
  lang: Lang;
  history: number;
  maxUsers: number;
  maxPerIp: number;
  rateLimit: { rate: number; burst: number } | null;
  /** Port of the browser client, or `null` for none (`--no-web`). */
  webPort: number | null;
  /** Seconds after which a silent, vanished peer is declared gone. */
  deadPeerSeconds: number;
  /** Longest line in bytes; longer ones are refused. */
  lineLimit: number;
  /** Bytes without a line break after which a peer is disconnected. */
  hardLineLimit: number;
  /** Outbound queue per member in bytes; past it the member is dropped. */
  queueLimit: number;
  /** Seconds a new connection has to choose a name. */
  nameTimeoutSeconds: number;
  /**
   * `--no-announce` (`null`) or `--announce-name NAME`; absent, the
   * server announces itself as `chat on <hostname>`.
   */
  announce?: { name: string } | null;
  /** `--qr` (`true`) or `--no-qr`; absent, a QR code when stdout is a terminal. */
  qr?: boolean;
  /** The room everyone is placed in on arrival. */
  room: string;
  /** Most rooms at once (0 = no limit). */
  maxRooms: number;
  /** Most rooms one member may be in at once (0 = no limit). */
  maxRoomsPerUser: number;
  /** The password every client must give (`--password`), or `null`. */
  password: string | null;
  /** The password of `/oper` (`--oper-password`), or `null`. */
  operPassword: string | null;
  /** `--data DIR`, or `null` when not given (the platform's data folder). */
  data: string | null;
  /** `--memory`: history and rooms in memory only. */
  memory: boolean;
  /** `--retention DAYS`, or `null` to keep every line. */
  retention: number | null;
  /** `--max-history N` lines per room, or `null` for no limit. */
  maxHistory: number | null;
  /** `--redis URL [--node-name NAME] [--node-timeout SECS]`; absent without `--redis`. */
  cluster?: ClusterConfig;
}

/** What the command line asks for. */
export type CliCommand =
  | { kind: "help"; topic: UsageTopic }
  | { kind: "version" }
  | ({ kind: "serve" } & ServeFlags)
  | {
    kind: "join";
    /** The server; absent, one is looked for on the local network. */
    address?: Address;
    /**
     * Other nodes of the same cluster (`chat join a:50001,b:50001`), tried
     * in turn when one does not answer.
     */
    alternates?: Address[];
    name: string | undefined;
    timeoutMs: number;
    /** `--verbose`: the welcome and history without a terminal too. */
    verbose?: true;
    /** `--password`: the server's password. */
    password?: string;
    /** `--fingerprint`: the server's expected fingerprint, as given. */
    fingerprint?: string;
    /** `--trust-new`: a server never seen before is trusted and kept. */
    trustNew?: true;
    /** `--known-servers FILE`: where trusted servers are kept. */
    knownServers?: string;
  }
  | {
    kind: "find";
    /** Milliseconds to look for servers. */
    timeoutMs: number;
  }
  | {
    kind: "export";
    /** `--data DIR`, or `null` for the platform's data folder. */
    data: string | null;
    /** `--room`: only this room's lines (its key, `#general`). */
    room?: string;
    /** `--since`: only lines from then on, in milliseconds since the epoch. */
    since?: number;
  };

const D = SERVE_DEFAULTS;
const MIN = SERVE_MINIMUMS;

/** Usage texts by topic. */
export const USAGE: Readonly<Record<UsageTopic, string>> = {
  main:
    `chat ${VERSION}: real-time chat for people on one network and across networks

Usage:
  chat serve [--host ${D.host}] [--port ${DEFAULT_PORT}]   start a server
  chat join HOST[:PORT] [--name NAME]          join a server
  chat join [--name NAME]                      join one found on the local network
  chat find                                    list the servers on the local network
  chat export [--room #name] [--since DATE]    write the history as JSON lines
  chat --help | chat serve --help | chat join --help | chat find --help
  chat export --help
  chat --version

Anyone can also join with netcat (nc HOST ${DEFAULT_PORT}) or a browser
(http://HOST:${DEFAULT_WEB_PORT}).`,
  serve: `Usage: chat serve [options]

Start a chat server. It prints how others can join.

Options:
  --host HOST        address to listen on (default ${D.host}: every interface)
  --port PORT        TCP port (default ${DEFAULT_PORT})
  --lang en|pt       language of notices for plain-text (netcat) users
                     (default: from LANG, else en)
  --history N        recent public messages shown to people who join a room
                     (default ${D.history}; 0 shows none)
  --max-users N      most members at once (default ${D.maxUsers}; 0 = no limit)
  --max-per-ip N     most connections from one IP address (default ${D.maxPerIp}; 0 = no limit)
  --rate N           messages per second each user may send, sustained (default ${D.rate})
  --burst N          messages a user may send at once, such as a paste (default ${D.burst})
  --no-rate-limit    turn flood protection off (trusted rooms, benchmarks)
  --line-limit BYTES longest line accepted; longer ones are refused with an
                     error (default ${D.lineLimit}; at least ${MIN.lineLimit})
  --hard-line-limit BYTES
                     bytes without a line break after which a peer is
                     disconnected (default ${D.hardLineLimit}; at least --line-limit)
  --queue-limit KIB  unsent output per member; a member that stops reading
                     past it is dropped (default ${D.queueLimitKiB}; at least ${MIN.queueLimitKiB})
  --name-timeout SECS
                     time a new connection has to choose a name (default ${D.nameTimeoutSeconds})
  --dead-peer-timeout SECS
                     how soon a peer that vanished without closing (power cut,
                     cable pulled) is noticed and announced as gone
                     (default ${D.deadPeerSeconds}; at least ${MIN.deadPeerSeconds})
  --web-port PORT    port of the browser client: open http://HOST:PORT in a
                     browser (default: the chat port + 1, ${DEFAULT_WEB_PORT})
  --no-web           do not serve the browser client
  --announce-name NAME
                     the name the server is announced as on the local
                     network (default: chat on <this computer's name>)
  --no-announce      do not announce the server on the local network (mDNS
                     on 5353/udp, broadcast on ${DISCOVERY_DEFAULTS.broadcastPort}/udp)
  --qr, --no-qr      print a QR code of the web address for phones
                     (default: when the output is a terminal)
  --room NAME        the room everyone is placed in on arrival (default ${D.room})
  --max-rooms N      most rooms at once (default ${D.maxRooms}; 0 = no limit)
  --max-rooms-per-user N
                     most rooms one user may be in at once (default ${D.maxRoomsPerUser}; 0 = no limit)
  --password SECRET  every user must give it to join (chat join --password,
                     a prompt for netcat users, a field in the page)
  --oper-password SECRET
                     /oper SECRET makes a user a server operator, who may
                     do what room operators do in every room
  --data DIR         folder of the history, the rooms, the claimed names and
                     the server's identity (default: $XDG_DATA_HOME/chat or
                     ~/.local/share/chat; on macOS ~/Library/Application
                     Support/chat; on Windows %LOCALAPPDATA%\\chat)
  --memory           keep history, rooms and claimed names in memory only, as
                     if new at every start (the identity is still kept in
                     --data)
  --tls-cert FILE --tls-key FILE
                     a real certificate (PEM chain) and its key (PKCS #8
                     PEM) instead of the server's own self-signed one
  --require-tls      refuse unencrypted connections (plain netcat); TLS
                     clients (chat join, ncat --ssl, openssl s_client) only
  --web-tls          serve the page over HTTPS with the self-signed
                     identity too (browsers warn; the page shows the
                     fingerprint to compare); with --tls-cert it always is
  --open-names       names are not claimed: anyone may use any free name
  --name-claim-days N
                     a name claimed by a key or /register lapses after N
                     days unused (default ${D.nameClaimDays}; 0 = never)
  --catch-up N       lines per room shown to a claimed name coming back, of
                     what was said since it left (default ${D.catchUp})
  --retention DAYS   remove public messages older than this (default: keep
                     them all)
  --max-history N    public messages kept per room; older ones are removed
                     (default: no limit; ${MEMORY_HISTORY_LINES} with --memory)
  --irc-port PORT    also listen for IRC clients only on PORT (6667 is the
                     convention; IRC clients are taken on --port anyway)
  --irc-tls-port PORT
                     also listen for IRC clients over TLS only on PORT (6697
                     is the convention), with the chat port's certificate
  --server-name NAME the server's name IRC clients see in every line
                     (default: this computer's name)
  --motd FILE        IRC's message of the day, read once at start
  --show-ips         IRC users see members' IP addresses instead of a
                     cloak (a keyed hash) of them
  --redis URL        be a node of a cluster: redis://HOST:PORT[/DB]; every
                     node with the same Redis shares rooms, names and
                     history (see docs/cluster.md)
  --node-name NAME   this node's name in the cluster (default: this
                     computer's name)
  --node-timeout SECS
                     a node silent this long is taken for dead and its
                     users leave (default ${D.nodeTimeoutSeconds})
  -h, --help         show this help`,
  join: `Usage: chat join [HOST[:PORT]] [--name NAME]

Join the chat server at HOST (default port ${DEFAULT_PORT}). HOST may be a name,
an IPv4 address, or an IPv6 address in brackets: [fe80::1]:${DEFAULT_PORT}.
Nodes of one cluster may be listed with commas (a:50001,b:50001): the next
is tried when one does not answer, and a reconnect moves on to the next.
Without HOST, chat looks for servers on the local network for about a
second: it joins the one it finds, or lets you choose when there are several.

Options:
  -n, --name NAME    your name: 1-24 letters, digits, _ - or . (asked for if
                     missing and the input is a terminal)
  --timeout SECS     give up connecting after this many seconds (default ${JOIN_DEFAULTS.timeoutSeconds})
  --verbose          print the welcome and recent messages when the input
                     is not a terminal too
  --password SECRET  the server's password, if it has one
  --fingerprint SHA256:...
                     the fingerprint the server printed at start: trust it
                     without asking (and keep it), refuse any other
  --trust-new        trust a server never met before without asking (never
                     one whose identity changed)
  --known-servers FILE
                     where the servers you trust are kept (default:
                     known_servers in $XDG_CONFIG_HOME/chat or ~/.config/chat;
                     on macOS ~/Library/Application Support/chat; on
                     Windows %APPDATA%\\chat)
  -h, --help         show this help

The connection is always encrypted. The first time you meet a server, its
fingerprint is shown and you are asked whether to trust it, as ssh does;
compare it with the one chat serve printed. A server whose identity changed
is refused.

In the chat, type /help for commands; /quit, /SAIR, Ctrl-D or Ctrl-C (on an
empty line) leave.
When the input is not a terminal, every input line is sent as a message:
  echo "build finished" | chat join HOST --name ci`,
  find: `Usage: chat find [--timeout SECS]

List the chat servers announced on the local network (by mDNS, or by UDP
broadcast on port ${DISCOVERY_DEFAULTS.broadcastPort}): name, address, web port, people online.
Exits 1 when none is found. chat list does the same.

Options:
  --timeout SECS     look for this long at most (default ${
    DISCOVERY_DEFAULTS.browseMs / 1000
  })
  -h, --help         show this help`,
  export: `Usage: chat export [--data DIR] [--room #name] [--since DATE]
Write the public messages a server kept as JSON lines to standard output,
one object per message, oldest first:
  {"id":1,"room":"#general","from":"ana","text":"hi","time":1714557600000,"action":false}
(time in milliseconds since 1970, UTC). It works while the server runs.
Options:
  --data DIR         the server's data folder (default: as chat serve's)
  --room NAME        only this room's messages
  --since DATE       only messages from then on: 2024-05-01 (midnight, local
                     time), 2024-05-01T09:30 (local) or 2024-05-01T09:30Z
  -h, --help         show this help`,
};

/**
 * The line printed under a usage error: where the usage text is, rather
 * than all of it.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { helpHint } from "./cli.ts";
 *
 * assertEquals(helpHint("join"), "see chat join --help");
 * assertEquals(helpHint("main"), "see chat --help");
 * ```
 *
 * @param topic The usage text that fits the mistake.
 * @returns `see chat [serve|join|find] --help`.
 */
export function helpHint(topic: UsageTopic): string {
  return topic === "main" ? "see chat --help" : `see chat ${topic} --help`;
}

function _int(
  value: unknown,
  flag: string,
  min: number,
  topic: UsageTopic,
): number {
  const text = String(value);
  if (!/^[0-9]+$/.test(text) || Number(text) < min) {
    throw new UsageError(
      `Cannot use --${flag} "${text}": expected a whole number of at least ${min}`,
      topic,
    );
  }
  return Number(text);
}

function _positive(value: unknown, flag: string, topic: UsageTopic) {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    throw new UsageError(
      `Cannot use --${flag} "${String(value)}": expected a number above 0`,
      topic,
    );
  }
  return number;
}

function _rejectUnknown(topic: UsageTopic) {
  // parseArgs calls this for positional arguments too: keep those.
  return (arg: string): true => {
    if (arg.startsWith("-") && arg !== "-") {
      throw new UsageError(`Cannot use option ${arg}: unknown option`, topic);
    }
    return true;
  };
}

// parseArgs skips an empty value after a flag (`--name ""`), taking the
// next argument instead; the `--flag=` form keeps it, so rewrite to that.
function _keepEmptyValues(args: string[], flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (flags.includes(arg) && args[i + 1] === "") {
      out.push(`${arg}=`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function _parseServe(input: string[], env: CliEnv): CliCommand {
  const args = _keepEmptyValues(input, [
    "--host",
    "--port",
    "--lang",
    "--history",
    "--max-users",
    "--max-per-ip",
    "--rate",
    "--burst",
    "--web-port",
    "--dead-peer-timeout",
    "--line-limit",
    "--hard-line-limit",
    "--queue-limit",
    "--name-timeout",
    "--announce-name",
    "--room",
    "--max-rooms",
    "--max-rooms-per-user",
    "--password",
    "--oper-password",
    "--data",
    "--tls-cert",
    "--tls-key",
    "--name-claim-days",
    "--catch-up",
    "--retention",
    "--max-history",
    "--irc-port",
    "--irc-tls-port",
    "--server-name",
    "--motd",
    "--redis",
    "--node-name",
    "--node-timeout",
  ]);
  const flags = parseArgs(args, {
    string: [
      "room",
      "max-rooms",
      "max-rooms-per-user",
      "password",
      "oper-password",
      "data",
      "tls-cert",
      "tls-key",
      "retention",
      "max-history",
      "host",
      "port",
      "lang",
      "history",
      "max-users",
      "max-per-ip",
      "rate",
      "burst",
      "web-port",
      "dead-peer-timeout",
      "line-limit",
      "hard-line-limit",
      "queue-limit",
      "name-timeout",
      "announce-name",
      "irc-port",
      "irc-tls-port",
      "server-name",
      "motd",
      "name-claim-days",
      "catch-up",
      "redis",
      "node-name",
      "node-timeout",
    ],
    boolean: [
      "help",
      "rate-limit",
      "web",
      "announce",
      "qr",
      "memory",
      "show-ips",
      "open-names",
      "require-tls",
      "web-tls",
    ],
    negatable: ["rate-limit", "web", "announce", "qr"],
    alias: { h: "help" },
    default: { "rate-limit": true, "web": true, "announce": true },
    unknown: (arg: string) => {
      if (arg.startsWith("-")) {
        throw new UsageError(
          `Cannot use option ${arg}: unknown option`,
          "serve",
        );
      }
      throw new UsageError(
        `Cannot use argument "${arg}": chat serve takes only options`,
        "serve",
      );
    },
  });
  if (flags.help) return { kind: "help", topic: "serve" };
  let port: number = D.port;
  if (flags.port !== undefined) {
    const text = String(flags.port);
    // Port 0 asks the system for a free port (tests use it).
    if (text === "0") port = 0;
    else {
      try {
        port = parsePort(text);
      } catch (error) {
        throw new UsageError((error as Error).message, "serve");
      }
    }
  }
  const host = flags.host === undefined ? D.host : String(flags.host);
  if (host.trim() === "") {
    throw new UsageError('Cannot use --host "": give an address', "serve");
  }
  let lang: Lang = env.lang;
  if (flags.lang !== undefined) {
    if (flags.lang !== "en" && flags.lang !== "pt") {
      throw new UsageError(
        `Cannot use --lang "${String(flags.lang)}": expected en or pt`,
        "serve",
      );
    }
    lang = flags.lang;
  }
  // A whole-number flag, or its default when not given. The flags are read
  // in this order, so the first mistake reported stays the same.
  const int = (flag: keyof typeof flags, byDefault: number, min: number) =>
    flags[flag] === undefined
      ? byDefault
      : _int(flags[flag], String(flag), min, "serve");
  const rate = flags.rate === undefined
    ? D.rate
    : _positive(flags.rate, "rate", "serve");
  const burst = int("burst", D.burst, 1);
  const lineLimit = int("line-limit", D.lineLimit, MIN.lineLimit);
  const hardLineLimit = int(
    "hard-line-limit",
    Math.max(D.hardLineLimit, lineLimit),
    lineLimit,
  );
  return {
    kind: "serve",
    lineLimit,
    hardLineLimit,
    queueLimit: 1024 * int("queue-limit", D.queueLimitKiB, MIN.queueLimitKiB),
    nameTimeoutSeconds: int("name-timeout", D.nameTimeoutSeconds, 1),
    host,
    port,
    lang,
    history: int("history", D.history, 0),
    maxUsers: int("max-users", D.maxUsers, 0),
    maxPerIp: int("max-per-ip", D.maxPerIp, 0),
    rateLimit: flags["rate-limit"] ? { rate, burst } : null,
    webPort: flags.web ? _webPort(flags["web-port"], port) : null,
    deadPeerSeconds: int(
      "dead-peer-timeout",
      D.deadPeerSeconds,
      MIN.deadPeerSeconds,
    ),
    room: _room(flags.room),
    maxRooms: int("max-rooms", D.maxRooms, 0),
    maxRoomsPerUser: int("max-rooms-per-user", D.maxRoomsPerUser, 0),
    password: _secret(flags.password, "password", "serve"),
    operPassword: _secret(flags["oper-password"], "oper-password", "serve"),
    data: _dataDir(flags.data),
    memory: flags.memory === true,
    ..._tlsFiles(flags["tls-cert"], flags["tls-key"]),
    requireTls: flags["require-tls"] === true,
    webTls: flags["web-tls"] === true,
    openNames: flags["open-names"] === true,
    nameClaimDays: int("name-claim-days", D.nameClaimDays, 0),
    catchUp: int("catch-up", D.catchUp, 0),
    retention: flags.retention === undefined
      ? null
      : _positive(flags.retention, "retention", "serve"),
    maxHistory: flags["max-history"] === undefined
      ? null
      : _int(flags["max-history"], "max-history", 1, "serve"),
    ircPort: _ircPort(flags["irc-port"], "--irc-port"),
    ircTlsPort: _ircPort(flags["irc-tls-port"], "--irc-tls-port"),
    serverName: _serverName(flags["server-name"]),
    motdFile: _path(flags.motd, "--motd", "file"),
    showIps: flags["show-ips"] === true,
    ..._cluster(
      flags.redis,
      flags["node-name"],
      () => int("node-timeout", D.nodeTimeoutSeconds, 1),
    ),
    ..._announce(flags.announce !== false, flags["announce-name"]),
    // Absent unless given: the default depends on the terminal.
    ...(args.some((arg) => /^--(no-)?qr(=|$)/.test(arg))
      ? { qr: flags.qr === true }
      : {}),
  };
}

// --irc-port and --irc-tls-port: a port, or 0 for a free one (tests).
function _ircPort(value: unknown, flag: string): number | null {
  return value === undefined ? null : _flagPort(String(value), flag);
}

// A port flag's value (0 asks for a free port), or a UsageError naming it.
function _flagPort(text: string, flag: string): number {
  try {
    return text === "0" ? 0 : parsePort(text);
  } catch (error) {
    throw new UsageError(
      (error as Error).message.replace(
        /^Cannot use port/,
        `Cannot use ${flag}`,
      ),
      "serve",
    );
  }
}

// --server-name: a name IRC can carry (no spaces, no control characters,
// not starting with ":").
function _serverName(value: unknown): string | null {
  if (value === undefined) return null;
  const text = String(value);
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(text)) {
    throw new UsageError(
      `Cannot use --server-name "${
        text.slice(0, 64)
      }": give letters, digits, "." and "-" (at most 63)`,
      "serve",
    );
  }
  return text;
}

// `--redis` and its node's name and timeout; nothing without `--redis`.
function _cluster(
  redis: unknown,
  nodeName: unknown,
  timeout: () => number,
): { cluster?: ClusterConfig } {
  if (redis === undefined) {
    if (nodeName !== undefined) {
      throw new UsageError("Cannot use --node-name: give --redis", "serve");
    }
    return {};
  }
  const text = String(redis);
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // told below
  }
  if (
    url === null || url.protocol !== "redis:" || url.hostname === "" ||
    !/^(\/\d{0,2})?$/.test(url.pathname)
  ) {
    throw new UsageError(
      `Cannot use --redis "${text.slice(0, 100)}": give redis://HOST:PORT[/DB]`,
      "serve",
    );
  }
  let name: string | null = null;
  if (nodeName !== undefined) {
    name = String(nodeName);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(name)) {
      throw new UsageError(
        `Cannot use --node-name "${
          name.slice(0, 40)
        }": give letters, digits, ".", "_" and "-" (at most 40)`,
        "serve",
      );
    }
  }
  return {
    cluster: { redis: text, nodeName: name, nodeTimeoutMs: timeout() * 1000 },
  };
}

// `--no-announce` and `--announce-name`; nothing when neither is given.
function _announce(
  announce: boolean,
  name: unknown,
): Pick<ServeFlags, "announce"> {
  if (name === undefined) return announce ? {} : { announce: null };
  if (!announce) {
    throw new UsageError(
      "Cannot use --announce-name with --no-announce: choose one",
      "serve",
    );
  }
  const text = String(name).trim();
  // deno-lint-ignore no-control-regex
  if (text === "" || /[\x00-\x1f\x7f]/.test(text)) {
    throw new UsageError(
      `Cannot use --announce-name "${text}": give a name without control characters`,
      "serve",
    );
  }
  if (new TextEncoder().encode(text).length > 63) {
    throw new UsageError(
      `Cannot use --announce-name "${text}": at most 63 bytes (a DNS label)`,
      "serve",
    );
  }
  return { announce: { name: text } };
}

// A flag that names a file or folder (--data, --motd, --tls-cert,
// --known-servers…): any name but an empty one; `null` when not given.
function _path(
  value: unknown,
  flag: string,
  what: "file" | "folder",
  topic: UsageTopic = "serve",
): string | null {
  if (value === undefined) return null;
  const text = String(value);
  if (text.trim() === "") {
    throw new UsageError(`Cannot use ${flag} "": give a ${what}`, topic);
  }
  return text;
}

// --data: the data folder, or `null` when not given.
function _dataDir(value: unknown): string | null {
  return _path(value, "--data", "folder");
}

// --tls-cert and --tls-key: both or neither.
function _tlsFiles(
  cert: unknown,
  key: unknown,
): Pick<ServeFlags, "tlsCert" | "tlsKey"> {
  if (cert === undefined && key === undefined) {
    return { tlsCert: null, tlsKey: null };
  }
  if (cert === undefined || key === undefined) {
    throw new UsageError(
      `Cannot use ${
        cert === undefined ? "--tls-key" : "--tls-cert"
      } alone: give both --tls-cert FILE and --tls-key FILE`,
      "serve",
    );
  }
  return {
    tlsCert: _path(cert, "--tls-cert", "file"),
    tlsKey: _path(key, "--tls-key", "file"),
  };
}

// The default room: --room, checked as any room name.
function _room(value: unknown): string {
  if (value === undefined) return D.room;
  const check = checkRoomName(String(value));
  if (!check.ok) {
    throw new UsageError(
      `Cannot use --room: ${
        STRINGS.en.roomNameError(
          check.code as RoomNameErrorCode,
          check.name,
        )
      }`,
      "serve",
    );
  }
  return check.name;
}

// A password flag: any text but an empty one; never echoed back.
function _secret(
  value: unknown,
  flag: string,
  topic: "serve" | "join",
): string | null {
  if (value === undefined) return null;
  const text = String(value);
  if (text === "") {
    throw new UsageError(`Cannot use --${flag} "": give a password`, topic);
  }
  return text;
}

/**
 * The server's config from `chat serve`'s flags: seconds and KiB become
 * milliseconds and bytes, and the dead-peer timeout sets the pings and TCP
 * keepalive ({@linkcode deadPeerTiming}).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseCli, serverConfig } from "./cli.ts";
 * import { DEFAULT_SERVER_CONFIG } from "./config.ts";
 *
 * const command = parseCli(["serve"]);
 * if (command.kind !== "serve") throw new Error("not serve");
 * assertEquals(serverConfig(command), DEFAULT_SERVER_CONFIG);
 * ```
 *
 * @param flags The parsed flags.
 * @returns What the server runs with.
 */
export function serverConfig(flags: ServeFlags): ServerConfig {
  return {
    host: flags.host,
    port: flags.port,
    webPort: flags.webPort,
    lang: flags.lang,
    historySize: flags.history,
    maxUsers: flags.maxUsers,
    maxPerIp: flags.maxPerIp,
    rateLimit: flags.rateLimit,
    maxLineBytes: flags.lineLimit,
    hardLimitBytes: flags.hardLineLimit,
    maxQueueBytes: flags.queueLimit,
    promptAfterMs: PROMPT_AFTER_MS,
    nameTimeoutMs: flags.nameTimeoutSeconds * 1000,
    ...deadPeerTiming(flags.deadPeerSeconds),
    ...(flags.announce === undefined ? {} : { announce: flags.announce }),
    defaultRoom: flags.room,
    maxRooms: flags.maxRooms,
    maxRoomsPerUser: flags.maxRoomsPerUser,
    password: flags.password,
    operPassword: flags.operPassword,
    dataDir: flags.data,
    memory: flags.memory,
    tlsCert: flags.tlsCert,
    tlsKey: flags.tlsKey,
    requireTls: flags.requireTls,
    webTls: flags.webTls,
    openNames: flags.openNames,
    nameClaimDays: flags.nameClaimDays,
    catchUp: flags.catchUp,
    retentionDays: flags.retention,
    maxHistory: flags.maxHistory,
    ircPort: flags.ircPort,
    ircTlsPort: flags.ircTlsPort,
    serverName: flags.serverName,
    motdFile: flags.motdFile,
    showIps: flags.showIps,
    ...(flags.cluster === undefined ? {} : { cluster: flags.cluster }),
  };
}

// The browser client's port: --web-port, else the chat port + 1 (a free
// port when the chat port is 0, as in tests).
function _webPort(value: unknown, chatPort: number): number {
  if (value === undefined) return defaultWebPort(chatPort);
  const port = _flagPort(String(value), "--web-port");
  if (port !== 0 && port === chatPort) {
    throw new UsageError(
      `Cannot use --web-port ${port}: it is the chat port; choose another`,
      "serve",
    );
  }
  return port;
}

// The flags of `chat join` that take a value.
const JOIN_VALUES = [
  "--name",
  "-n",
  "--timeout",
  "--password",
  "--fingerprint",
  "--known-servers",
];

function _parseJoin(input: string[], env: CliEnv): CliCommand {
  const args = _keepEmptyValues(input, JOIN_VALUES);
  const flags = parseArgs(args, {
    string: ["name", "timeout", "password", "fingerprint", "known-servers"],
    boolean: ["help", "verbose", "trust-new"],
    alias: { h: "help", n: "name" },
    unknown: _rejectUnknown("join"),
  });
  if (flags.help) return { kind: "help", topic: "join" };
  const positional = flags._.map(String);
  if (positional.length > 1) {
    throw new UsageError(
      `Cannot join: expected one address, got ${positional.length} (${
        positional.join(" ")
      })`,
      "join",
    );
  }
  let address: Address | undefined;
  const alternates: Address[] = [];
  try {
    // Nodes of one cluster, separated by commas: the first, then the rest.
    for (const text of positional[0]?.split(",") ?? []) {
      if (address === undefined) address = parseAddress(text);
      else alternates.push(parseAddress(text));
    }
  } catch (error) {
    throw new UsageError((error as Error).message, "join");
  }
  let name: string | undefined;
  if (flags.name !== undefined) {
    const checked = checkName(String(flags.name));
    if (!checked.ok) {
      throw new UsageError(
        `Cannot use --name: ${
          STRINGS[env.lang].nameError(checked.code, checked.name)
        }`,
        "join",
      );
    }
    name = checked.name;
  }
  const timeoutMs = flags.timeout === undefined
    ? JOIN_DEFAULTS.timeoutSeconds * 1000
    : _positive(flags.timeout, "timeout", "join") * 1000;
  const password = _secret(flags.password, "password", "join");
  const fingerprint = flags.fingerprint === undefined
    ? undefined
    : String(flags.fingerprint);
  if (fingerprint !== undefined && parseFingerprint(fingerprint) === null) {
    throw new UsageError(
      `Cannot use --fingerprint "${fingerprint}": expected SHA256: and 43 characters, as chat serve prints it`,
      "join",
    );
  }
  const knownServers = _path(
    flags["known-servers"],
    "--known-servers",
    "file",
    "join",
  );
  return {
    kind: "join",
    ...(address === undefined ? {} : { address }),
    ...(alternates.length === 0 ? {} : { alternates }),
    name,
    timeoutMs,
    ...(flags.verbose ? { verbose: true as const } : {}),
    ...(password === null ? {} : { password }),
    ...(fingerprint === undefined ? {} : { fingerprint }),
    ...(flags["trust-new"] ? { trustNew: true as const } : {}),
    ...(knownServers === null ? {} : { knownServers }),
  };
}

// The options of a command that takes nothing else: their values by name,
// or `null` for --help.
function _onlyOptions(
  input: string[],
  names: readonly string[],
  topic: "find" | "export",
): Record<string, string | undefined> | null {
  const flags = parseArgs(
    _keepEmptyValues(input, names.map((name) => `--${name}`)),
    {
      string: [...names],
      boolean: ["help"],
      alias: { h: "help" },
      unknown: _rejectUnknown(topic),
    },
  );
  if (flags.help) return null;
  if (flags._.length > 0) {
    throw new UsageError(
      `Cannot use argument "${flags._[0]}": chat ${topic} takes only options`,
      topic,
    );
  }
  return Object.fromEntries(
    names.map((name) => [name, flags[name] as string | undefined]),
  );
}

function _parseFind(input: string[]): CliCommand {
  const flags = _onlyOptions(input, ["timeout"], "find");
  if (flags === null) return { kind: "help", topic: "find" };
  const timeoutMs = flags.timeout === undefined
    ? DISCOVERY_DEFAULTS.browseMs
    : _positive(flags.timeout, "timeout", "find") * 1000;
  return { kind: "find", timeoutMs };
}

function _parseExport(input: string[]): CliCommand {
  const flags = _onlyOptions(input, ["data", "room", "since"], "export");
  if (flags === null) return { kind: "help", topic: "export" };
  let data: string | null;
  try {
    data = _dataDir(flags.data);
  } catch (error) {
    throw new UsageError((error as Error).message, "export");
  }
  const command: Extract<CliCommand, { kind: "export" }> = {
    kind: "export",
    data,
  };
  if (flags.room !== undefined) {
    const check = checkRoomName(flags.room);
    if (!check.ok) {
      throw new UsageError(
        `Cannot use --room: ${
          STRINGS.en.roomNameError(check.code as RoomNameErrorCode, check.name)
        }`,
        "export",
      );
    }
    command.room = roomKey(check.name);
  }
  if (flags.since !== undefined) {
    command.since = parseSince(flags.since);
  }
  return command;
}

/**
 * Reads the date of `chat export --since`: a day (`2024-05-01`, from its
 * local midnight), or a day and time (`2024-05-01T09:30`, local, or with
 * `Z` or an offset such as `+02:00`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseSince } from "./cli.ts";
 *
 * assertEquals(parseSince("2024-05-01T09:30Z"), Date.UTC(2024, 4, 1, 9, 30));
 * assertEquals(parseSince("2024-05-01"), new Date(2024, 4, 1).getTime());
 * ```
 *
 * @param text What was given.
 * @returns Milliseconds since the epoch.
 * @throws {UsageError} `Cannot use --since "<text>": ...` for anything
 * else, or a day that does not exist (`2024-02-30`).
 */
export function parseSince(text: string): number {
  const match =
    /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?(Z|[+-]\d\d:\d\d)?)?$/
      .exec(text);
  const fail = (): never => {
    throw new UsageError(
      `Cannot use --since "${
        text.slice(0, 40)
      }": expected a date such as 2024-05-01 or 2024-05-01T09:30`,
      "export",
    );
  };
  if (match === null) return fail();
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((
    part,
  ) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const local = new Date(year, month - 1, day, hour, minute, second);
  if (
    local.getFullYear() !== year || local.getMonth() !== month - 1 ||
    local.getDate() !== day || hour > 23 || minute > 59 || second > 59
  ) {
    return fail();
  }
  const zone = match[7];
  if (zone === undefined) return local.getTime();
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  if (zone === "Z") return utc;
  const sign = zone.startsWith("-") ? -1 : 1;
  const [hh, mm] = zone.slice(1).split(":").map(Number) as [number, number];
  if (hh > 23 || mm > 59) return fail();
  return utc - sign * (hh * 60 + mm) * 60_000;
}

/** What parsing needs from the environment. */
export interface CliEnv {
  /** Language from `LANG`. */
  lang: Lang;
}

/**
 * Parses the command line.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseCli } from "./cli.ts";
 *
 * assertEquals(parseCli(["join", "10.0.0.2", "--name", "ana"]), {
 *   kind: "join",
 *   address: { hostname: "10.0.0.2", port: 50001 },
 *   name: "ana",
 *   timeoutMs: 10000,
 * });
 * ```
 *
 * @param args The arguments after the program name.
 * @param env What parsing needs from the environment.
 * @returns The command to run.
 * @throws {UsageError} When the arguments are wrong.
 */
export function parseCli(
  args: readonly string[],
  env: CliEnv = { lang: "en" },
): CliCommand {
  const [first, ...rest] = args;
  switch (first) {
    case undefined:
      throw new UsageError(
        "Cannot run: no command given; use serve, join or find",
      );
    case "serve":
      return _parseServe(rest, env);
    case "join":
      return _parseJoin(rest, env);
    case "find":
    case "list":
      return _parseFind(rest);
    case "export":
      return _parseExport(rest);
    case "-h":
    case "--help":
    case "help":
      return { kind: "help", topic: "main" };
    case "-V":
    case "--version":
    case "version":
      return { kind: "version" };
    default:
      throw new UsageError(
        first.startsWith("-")
          ? `Cannot use option ${first}: unknown option`
          : `Cannot run "${first}": unknown command; use serve, join or find`,
      );
  }
}
