/**
 * Every default of `chat`, written once: the command line, the usage text
 * and the server read them from here, and the server runs from one
 * {@linkcode ServerConfig}. Imports nothing.
 *
 * @module
 */

/** Default TCP port of `chat serve`. */
export const DEFAULT_PORT = 50001;

/**
 * The browser client's port when `--web-port` is not given: the chat port
 * + 1 (- 1 for the last port), and a free one when the chat port is 0.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { defaultWebPort } from "./config.ts";
 *
 * assertEquals(defaultWebPort(50001), 50002);
 * assertEquals(defaultWebPort(65535), 65534);
 * assertEquals(defaultWebPort(0), 0);
 * ```
 *
 * @param chatPort The chat port.
 * @returns The web port.
 */
export function defaultWebPort(chatPort: number): number {
  if (chatPort === 0) return 0;
  return chatPort < 65535 ? chatPort + 1 : chatPort - 1;
}

/** Default port of the web client: the chat port + 1. */
export const DEFAULT_WEB_PORT: number = defaultWebPort(DEFAULT_PORT);

/** Values of `chat serve`'s flags, in the units of the flags. */
export interface ServeFlagValues {
  /** `--host`: the address to listen on. */
  host: string;
  /** `--port`. */
  port: number;
  /** `--history`: public messages kept for people who join later. */
  history: number;
  /** `--max-users`: most members at once. */
  maxUsers: number;
  /** `--max-per-ip`: most connections from one IP address, per listener. */
  maxPerIp: number;
  /** `--rate`: messages per second each member may send, sustained. */
  rate: number;
  /** `--burst`: messages a member may send at once. */
  burst: number;
  /** `--line-limit`: longest line accepted, in bytes. */
  lineLimit: number;
  /** `--hard-line-limit`: bytes without a line break that disconnect. */
  hardLineLimit: number;
  /** `--queue-limit`: unsent output per member, in KiB. */
  queueLimitKiB: number;
  /** `--name-timeout`: seconds a new connection has to choose a name. */
  nameTimeoutSeconds: number;
  /** `--dead-peer-timeout`: seconds until a vanished peer is noticed. */
  deadPeerSeconds: number;
  /** `--room`: the room everyone is placed in on arrival. */
  room: string;
  /** `--max-rooms`: most rooms on the server at once. */
  maxRooms: number;
  /** `--max-rooms-per-user`: most rooms one member may be in at once. */
  maxRoomsPerUser: number;
  /** `--name-claim-days`: days unused after which a claimed name lapses. */
  nameClaimDays: number;
  /** `--catch-up`: lines per room shown to a claimed name coming back. */
  catchUp: number;
  /** `--node-timeout`: seconds without a heartbeat after which a node is dead. */
  nodeTimeoutSeconds: number;
}

/** The defaults of `chat serve`, in the units of its flags. */
export const SERVE_DEFAULTS: Readonly<ServeFlagValues> = Object.freeze({
  host: "0.0.0.0",
  port: DEFAULT_PORT,
  history: 50,
  maxUsers: 1000,
  maxPerIp: 20,
  rate: 5,
  burst: 20,
  lineLimit: 8192,
  hardLineLimit: 65_536,
  queueLimitKiB: 256,
  nameTimeoutSeconds: 60,
  deadPeerSeconds: 120,
  room: "#general",
  maxRooms: 1000,
  maxRoomsPerUser: 20,
  nameClaimDays: 30,
  catchUp: 200,
  nodeTimeoutSeconds: 15,
});

/**
 * The smallest values `chat serve`'s flags accept, where the usage text
 * names one (a ping needs a second or two to be answered, so the dead-peer
 * timeout is at least 4 s).
 */
export const SERVE_MINIMUMS: Readonly<
  Pick<ServeFlagValues, "lineLimit" | "queueLimitKiB" | "deadPeerSeconds">
> = Object.freeze({ lineLimit: 256, queueLimitKiB: 16, deadPeerSeconds: 4 });

/** The defaults of `chat join`, in the units of its flags. */
export const JOIN_DEFAULTS: Readonly<{
  /** `--timeout`: seconds to give up connecting after. */
  timeoutSeconds: number;
}> = Object.freeze({ timeoutSeconds: 10 });

/**
 * LAN discovery: the mDNS/DNS-SD service type `chat serve` announces, the
 * UDP port of the broadcast fallback (for networks that filter multicast),
 * and how long `chat join` and `chat find` look.
 */
export const DISCOVERY_DEFAULTS: Readonly<{
  /** The DNS-SD service type, `_chat._tcp.local`. */
  serviceType: string;
  /** UDP port of the broadcast announce and query. */
  broadcastPort: number;
  /** Milliseconds `chat join` without an address and `chat find` look. */
  browseMs: number;
}> = Object.freeze({
  serviceType: "_chat._tcp.local",
  broadcastPort: 50000,
  browseMs: 1000,
});

/**
 * Milliseconds of silence before a plain (netcat) user is asked for a name.
 * The first line picks the dialect, so the prompt waits for clients that
 * speak first: `chat join` sends its hello 1-21 ms after the connection is
 * accepted (loopback, a veth pair, a terminal, on a busy machine), irssi its
 * first line within 1 ms (tests/e2e/first_line_test.ts). 200 ms is about
 * ten times the worst of those; a hello that still comes after the prompt
 * picks the native dialect all the same (docs/protocol.md).
 */
export const PROMPT_AFTER_MS = 200;

/** TCP keepalive timing: when the system probes a silent connection. */
export interface KeepaliveTiming {
  /** Seconds of silence before the first probe. */
  idleSeconds: number;
  /** Seconds between probes. */
  intervalSeconds: number;
  /** Unanswered probes before the connection is declared dead. */
  probes: number;
}

/**
 * Keepalive timing that declares a silent peer gone after about `seconds`:
 * half of it idle, the rest in up to six probes at least a second apart.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { keepaliveWithin } from "./config.ts";
 *
 * assertEquals(keepaliveWithin(120), { idleSeconds: 60, intervalSeconds: 10, probes: 6 });
 * assertEquals(keepaliveWithin(4), { idleSeconds: 2, intervalSeconds: 1, probes: 2 });
 * ```
 *
 * @param seconds How soon a vanished peer should be noticed.
 * @returns The timing.
 */
export function keepaliveWithin(seconds: number): KeepaliveTiming {
  const idleSeconds = Math.max(1, Math.ceil(seconds / 2));
  const rest = Math.max(1, seconds - idleSeconds);
  const intervalSeconds = Math.max(1, Math.floor(rest / 6));
  const probes = Math.min(6, Math.max(1, Math.floor(rest / intervalSeconds)));
  return { idleSeconds, intervalSeconds, probes };
}

/** How the dead-peer timeout is kept: by pings, and by TCP keepalive. */
export interface DeadPeerTiming {
  /** Milliseconds of silence after which a native member is pinged. */
  pingAfterMs: number;
  /** Milliseconds of silence after which a native member is dropped. */
  deadAfterMs: number;
  /** TCP keepalive timing, for peers (netcat) that are never pinged. */
  keepalive: KeepaliveTiming;
}

/**
 * What a dead-peer timeout of `seconds` means: a native member silent for a
 * quarter of it is pinged and dropped at three quarters (so an unanswered
 * ping is noticed within the timeout), and TCP keepalive notices the others
 * within it.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { deadPeerTiming } from "./config.ts";
 *
 * assertEquals(deadPeerTiming(120), {
 *   pingAfterMs: 30_000,
 *   deadAfterMs: 90_000,
 *   keepalive: { idleSeconds: 60, intervalSeconds: 10, probes: 6 },
 * });
 * ```
 *
 * @param seconds The dead-peer timeout.
 * @returns The pings' timing and the keepalive timing.
 */
export function deadPeerTiming(seconds: number): DeadPeerTiming {
  return {
    pingAfterMs: seconds * 250,
    deadAfterMs: seconds * 750,
    keepalive: keepaliveWithin(seconds),
  };
}

/** The cluster a server is a node of (`--redis`, `--node-name`, `--node-timeout`). */
export interface ClusterConfig {
  /** `redis://HOST:PORT[/DB]`. */
  redis: string;
  /** This node's name in the log and on the bus; `null`: the host's name. */
  nodeName: string | null;
  /** Milliseconds without a heartbeat after which a node is taken for dead. */
  nodeTimeoutMs: number;
}

/** What `chat serve` runs with: every listener, limit and deadline. */
export interface ServerConfig {
  /** Address every listener listens on. */
  host: string;
  /** Port of the chat listener (native and plain dialects); 0 picks one. */
  port: number;
  /** Port of the browser client; 0 picks one; `null` serves none. */
  webPort: number | null;
  /**
   * Language of notices to plain-dialect users, and to the others until
   * they say theirs (the languages of `Lang` in `protocol/messages.ts`).
   */
  lang: "en" | "pt";
  /** Public messages kept for people who join later. */
  historySize: number;
  /** Most members at once; 0 = no limit. */
  maxUsers: number;
  /** Most connections from one IP address to each listener; 0 = no limit. */
  maxPerIp: number;
  /** Flood limit per member, or `null` for none. */
  rateLimit: { rate: number; burst: number } | null;
  /** Longest accepted line, in bytes; longer ones are refused. */
  maxLineBytes: number;
  /** Bytes without a line break (in one frame) that disconnect a peer. */
  hardLimitBytes: number;
  /** Unsent bytes per member; a member past it is dropped as slow. */
  maxQueueBytes: number;
  /** Milliseconds of silence before a plain user is asked for a name. */
  promptAfterMs: number;
  /** Milliseconds a new connection has to choose a name. */
  nameTimeoutMs: number;
  /** Milliseconds of silence after which a native member is pinged. */
  pingAfterMs: number;
  /** Milliseconds of silence after which a native member is dropped. */
  deadAfterMs: number;
  /**
   * TCP keepalive timing of the chat listener (Linux, with `--allow-ffi`),
   * or `null` to keep the system's.
   */
  keepalive: KeepaliveTiming | null;
  /**
   * Whether and as what the server announces itself on the local network
   * (mDNS/DNS-SD and UDP broadcast): `null` announces nothing
   * (`--no-announce`); absent, or without a `name`, it announces as
   * `chat on <hostname>`. A server on a loopback address announces nothing.
   */
  announce?: { name?: string } | null;
  /** The room everyone is placed in on arrival (`#general`). */
  defaultRoom: string;
  /** Most rooms at once; 0 = no limit. */
  maxRooms: number;
  /** Most rooms one member may be in at once; 0 = no limit. */
  maxRoomsPerUser: number;
  /**
   * The password every client must give before its name, or `null` for
   * none. Never logged.
   */
  password: string | null;
  /**
   * The password of `/oper` (server operators), or `null` for none. Never
   * logged.
   */
  operPassword: string | null;
  /**
   * The folder the server keeps its data in (history, rooms, identity), or
   * `null` to keep nothing on disk (in-process tests). `chat serve` always
   * gives one: `--data`, else the platform's data folder.
   */
  dataDir: string | null;
  /**
   * Whether history and rooms stay in memory only (`--memory`), even with
   * a `dataDir`; they always do without one.
   */
  memory: boolean;
  /**
   * A real certificate (chain, PEM) to use instead of the server's own
   * self-signed identity (`--tls-cert`), or `null`.
   */
  tlsCert: string | null;
  /** The private key (PEM) of {@linkcode ServerConfig.tlsCert} (`--tls-key`). */
  tlsKey: string | null;
  /** Whether plain (unencrypted) connections are refused (`--require-tls`). */
  requireTls: boolean;
  /**
   * Whether the page is served over HTTPS with the self-signed identity
   * too (`--web-tls`); with a real certificate it always is.
   */
  webTls: boolean;
  /**
   * Whether names are open to anyone (`--open-names`): nothing is claimed
   * and no name is refused as registered.
   */
  openNames: boolean;
  /** Days unused after which a claimed name lapses (0 = never). */
  nameClaimDays: number;
  /** Most lines per room shown to a claimed name coming back (0 = none). */
  catchUp: number;
  /**
   * Days public lines are kept (`--retention`); older ones are removed in
   * the background. `null` keeps them all.
   */
  retentionDays: number | null;
  /**
   * Lines kept per room (`--max-history`); the oldest beyond it are
   * removed in the background. `null`: no limit on disk, and
   * {@linkcode MEMORY_HISTORY_LINES} per room in memory.
   */
  maxHistory: number | null;
  /**
   * Port of a listener that speaks only IRC (`--irc-port`; 6667 is the
   * convention), or `null` for none: IRC clients are also taken on the
   * chat port.
   */
  ircPort: number | null;
  /**
   * Port of a listener that speaks only IRC over TLS (`--irc-tls-port`;
   * 6697 is the convention), with the chat port's certificate, or `null`
   * for none: IRC clients with TLS are also taken on the chat port.
   */
  ircTlsPort: number | null;
  /**
   * The server's name in IRC (`--server-name`), the source of its lines;
   * `null`: the host's name.
   */
  serverName: string | null;
  /** A file whose lines are IRC's message of the day (`--motd`), or `null`. */
  motdFile: string | null;
  /**
   * Whether IRC users see members' addresses (`--show-ips`) instead of a
   * cloak of them.
   */
  showIps: boolean;
  /**
   * The cluster this server is a node of (`--redis`); absent: a server
   * on its own.
   */
  cluster?: ClusterConfig;
}

/**
 * Lines kept per room by `--memory` (or with no data folder) when
 * `--max-history` is not given: enough to page back a while, bounded.
 */
export const MEMORY_HISTORY_LINES = 1000;

const _deadPeer = deadPeerTiming(SERVE_DEFAULTS.deadPeerSeconds);

/** The config of `chat serve` with no flags (and the language `en`). */
export const DEFAULT_SERVER_CONFIG: Readonly<ServerConfig> = Object.freeze({
  host: SERVE_DEFAULTS.host,
  port: SERVE_DEFAULTS.port,
  webPort: DEFAULT_WEB_PORT,
  lang: "en",
  historySize: SERVE_DEFAULTS.history,
  maxUsers: SERVE_DEFAULTS.maxUsers,
  maxPerIp: SERVE_DEFAULTS.maxPerIp,
  rateLimit: Object.freeze({
    rate: SERVE_DEFAULTS.rate,
    burst: SERVE_DEFAULTS.burst,
  }),
  maxLineBytes: SERVE_DEFAULTS.lineLimit,
  hardLimitBytes: SERVE_DEFAULTS.hardLineLimit,
  maxQueueBytes: SERVE_DEFAULTS.queueLimitKiB * 1024,
  promptAfterMs: PROMPT_AFTER_MS,
  nameTimeoutMs: SERVE_DEFAULTS.nameTimeoutSeconds * 1000,
  pingAfterMs: _deadPeer.pingAfterMs,
  deadAfterMs: _deadPeer.deadAfterMs,
  keepalive: Object.freeze(_deadPeer.keepalive),
  defaultRoom: SERVE_DEFAULTS.room,
  maxRooms: SERVE_DEFAULTS.maxRooms,
  maxRoomsPerUser: SERVE_DEFAULTS.maxRoomsPerUser,
  password: null,
  operPassword: null,
  dataDir: null,
  memory: false,
  tlsCert: null,
  tlsKey: null,
  requireTls: false,
  webTls: false,
  openNames: false,
  nameClaimDays: SERVE_DEFAULTS.nameClaimDays,
  catchUp: SERVE_DEFAULTS.catchUp,
  retentionDays: null,
  maxHistory: null,
  ircPort: null,
  ircTlsPort: null,
  serverName: null,
  motdFile: null,
  showIps: false,
});
