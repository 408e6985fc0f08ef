/**
 * The chat server, composed in one place: {@linkcode startServer} makes the
 * {@linkcode Hub}, opens every listener on it (the chat port; the web
 * client unless `--no-web`), announces it on the local network (unless
 * `--no-announce`), keeps every connection's deadlines with one timer, and
 * shuts it all down in order.
 *
 * @module
 */

import type { ServerConfig } from "../config.ts";
import { Hub } from "../hub/hub.ts";
import { ClaimRegistry } from "../hub/claim_registry.ts";
import { ConsoleLog, writeLine } from "./console_log.ts";
import type { Gateway } from "./gateway.ts";
import { StreamGateway } from "./stream_gateway.ts";
import { WebGateway } from "./web_gateway.ts";
import { PROTOCOL_VERSION } from "../protocol/messages.ts";
import { formatAddress } from "../transport/address.ts";
import type { Announcer } from "../discovery/announcer.ts";
import { reachableAddresses } from "../discovery/join_hints.ts";
import {
  canAnnounce,
  interfaceEntries,
  isLoopback,
} from "../discovery/network_interfaces.ts";
import { qrRows } from "../discovery/qr.ts";
import { serverIdentity } from "./server_identity.ts";
import type { TlsIdentity } from "../transport/tls_identity.ts";
import { tlsServerContext } from "../transport/tls_stream.ts";
import { formatFingerprint } from "../transport/fingerprint.ts";
import type { StoreStatus } from "../store/sqlite_store.ts";
import { StoreKeeper } from "./store_keeper.ts";
import { IRC_CODEC } from "../protocol/irc_codec.ts";
import { HostCloak } from "./host_cloak.ts";
import { serverFacts } from "./server_facts.ts";
import type { Bus, BusStatus } from "../bus/bus.ts";
import { LocalBus } from "../bus/local_bus.ts";
import { Replica } from "../hub/replica.ts";
import { BusyGate } from "../transport/busy_gate.ts";
import { MemoryTrimmer } from "./memory_trimmer.ts";

/** Options of {@linkcode startServer}. */
export interface StartServerOptions {
  /**
   * Receives each console line, already time-stamped.
   * @default {writeLine}
   */
  log?: (line: string) => void;
  /**
   * The version IRC clients are told (`VERSION`, `004`).
   * @default {"chat"}
   */
  version?: string;
  /**
   * The clock of the hub and of claimed names (tests move it days ahead).
   * @default {Date.now}
   */
  now?: () => number;
}

/** One listener of a running server, as its callers see it. */
export type Listener = Pick<Gateway, "addr" | "connections">;

/** A running server. */
export interface ChatServer {
  /** The chat port (native and plain dialects). */
  readonly chat: Listener;
  /** The browser client, or `null` when the config has no `webPort`. */
  readonly web: Listener | null;
  /** The IRC-only listener (`--irc-port`), or `null`. */
  readonly irc: Listener | null;
  /** The IRC-over-TLS-only listener (`--irc-tls-port`), or `null`. */
  readonly ircTls: Listener | null;
  /**
   * The web address others open (`http://192.168.1.23:50002`), which the
   * page shows as a QR code; `null` without the browser client, or when
   * it listens on loopback only.
   */
  readonly webUrl: string | null;
  /**
   * The database file the history is kept in, or `null` when it is kept
   * in memory only (`--memory`, or no data folder).
   */
  readonly history: string | null;
  /**
   * Whether TCP keepalive timing was set on the chat port (see
   * {@linkcode ServerConfig.keepalive}).
   */
  readonly keepaliveTuned: boolean;
  /**
   * The server's TLS identity: its certificate and the fingerprint clients
   * pin (the key is in it too: never print it).
   */
  readonly identity: TlsIdentity;
  /**
   * Stops accepting, tells every member, flushes (at most about 1.5 s) and
   * closes everything. Idempotent.
   */
  shutdown(): Promise<void>;
  /** Whether the page is served over HTTPS. */
  readonly webTls: boolean;
  /** Resolves when the server has shut down. */
  readonly finished: Promise<void>;
}

/**
 * How often the one timer ticks: a few times a second, more often when the
 * plain prompt comes sooner (as in tests).
 */
function _tickMs(config: ServerConfig): number {
  return Math.max(10, Math.min(250, config.promptAfterMs / 2));
}

/**
 * The console line of a change in storing the history.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { describeStoreStatus } from "./server.ts";
 *
 * assertEquals(
 *   describeStoreStatus({ state: "failing", reason: "the disk is full" }),
 *   "history not saved: the disk is full; chat goes on, lines wait in memory",
 * );
 * ```
 *
 * @param status What happened.
 * @returns The line.
 */
export function describeStoreStatus(status: StoreStatus): string {
  return status.state === "failing"
    ? `history not saved: ${status.reason}; chat goes on, lines wait in memory`
    : `history saved again${
      status.dropped === 0 ? "" : `; ${status.dropped} lines were not kept`
    }`;
}

/**
 * The console line of a change in the cluster's health.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { describeBusStatus } from "./server.ts";
 *
 * assertEquals(
 *   describeBusStatus({ state: "restored", replayed: 3, dropped: 0 }),
 *   "cluster restored: Redis is back; 3 entries sent that waited",
 * );
 * ```
 *
 * @param status What happened.
 * @returns The line.
 */
export function describeBusStatus(status: BusStatus): string {
  switch (status.state) {
    case "up":
      return "cluster up";
    case "degraded":
      return `cluster degraded: Redis unreachable (${status.reason}); chat goes on on this node, what its users say waits`;
    case "restored":
      return `cluster restored: Redis is back; ${status.replayed} entries sent that waited${
        status.dropped === 0 ? "" : `; ${status.dropped} dropped over the bound`
      }`;
  }
}

/**
 * The bus of a config: Redis for a cluster, else the local one. The Redis
 * client is loaded only for a cluster (about 9 MB a lone server would
 * otherwise carry).
 */
async function _bus(config: ServerConfig, log: ConsoleLog): Promise<Bus> {
  const cluster = config.cluster;
  if (cluster === undefined) return new LocalBus();
  const { RedisBus } = await import("../bus/redis_bus.ts");
  let name = cluster.nodeName;
  if (name === null) {
    try {
      name = Deno.hostname().replace(/[^A-Za-z0-9._-]/g, "") || "node";
    } catch {
      name = "node";
    }
  }
  return await RedisBus.connect(cluster.redis, {
    name,
    nodeTimeoutMs: cluster.nodeTimeoutMs,
    log: (line) => log.write(line),
  });
}

/**
 * The hub of a config, on the keeper's one store: the history, the rooms'
 * records and the claimed names (which outlive a restart in the data
 * folder's database; in memory with --memory, or without a data folder).
 */
function _hub(
  config: ServerConfig,
  keeper: StoreKeeper,
  log: ConsoleLog,
  now: () => number,
  relay: Replica,
): Hub {
  return new Hub({
    relay,
    now,
    store: keeper.store,
    rooms: keeper.store,
    claims: new ClaimRegistry({
      store: keeper.store,
      claimDays: config.nameClaimDays,
      open: config.openNames,
      now,
      onChange: (record) => relay.claimed(record),
    }),
    catchUp: config.catchUp,
    historySize: config.historySize,
    rateLimit: config.rateLimit,
    onEvent: (event) => log.hubEvent(event),
    serverName: "chat",
    defaultRoom: config.defaultRoom,
    maxRooms: config.maxRooms,
    maxRoomsPerUser: config.maxRoomsPerUser,
    operPassword: config.operPassword,
    maxLineBytes: config.maxLineBytes,
  });
}

/** Waits for `promise`, but no longer than `ms`. */
async function _within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    promise,
    new Promise((resolve) => timer = setTimeout(resolve, ms)),
  ]);
  clearTimeout(timer);
}

/**
 * Starts a server: every listener of `config`, on one hub.
 *
 * @example
 * ```ts no-eval
 * import { DEFAULT_SERVER_CONFIG } from "../config.ts";
 * import { startServer } from "./server.ts";
 *
 * const server = await startServer({
 *   ...DEFAULT_SERVER_CONFIG,
 *   host: "127.0.0.1",
 *   port: 0,
 *   webPort: 0,
 * });
 * console.log(server.chat.addr.port, server.web?.addr.port);
 * await server.shutdown();
 * ```
 *
 * @param config Listeners, limits and deadlines.
 * @param options The console.
 * @returns The running server.
 * @throws {Error} `Cannot listen on HOST:PORT: <why>` when a port is busy
 * or the host is not an address of this machine; the listeners already
 * open are shut down first.
 */
export async function startServer(
  config: ServerConfig,
  options: StartServerOptions = {},
): Promise<ChatServer> {
  const log = new ConsoleLog(options.log ?? writeLine);
  // Read once, before anything listens: a missing MOTD file is an error.
  const facts = await serverFacts(config, options.version ?? "chat");
  // The identity before the history: a certificate that cannot be used
  // stops the start with nothing to close.
  const identity = await serverIdentity(config, { log });
  const context = tlsServerContext(identity);
  // What a key's proof over TLS is bound to (docs/protocol.md, Names that
  // stay yours): the certificate every TLS connection shows.
  const fingerprint = formatFingerprint(identity.sha256);
  // The page over HTTPS with a real certificate, or when asked to: a
  // browser warns about a self-signed one, so the page then shows the
  // fingerprint to compare.
  const webTls = identity.custom || config.webTls
    ? {
      certPem: identity.certPem,
      keyPem: identity.keyPem,
      ...(identity.custom ? {} : { fingerprint }),
    }
    : null;
  const cloak = new HostCloak({ showIps: config.showIps });
  const hostOf = (ip: string) => cloak.hostOf(ip);
  const clock = options.now ?? Date.now;
  // The history first: a data folder that cannot be used stops the start
  // before any port is taken.
  let onStoreStatus = (_status: StoreStatus): void => {};
  // The cluster before the history too: a Redis that cannot be reached
  // stops the start.
  const bus = await _bus(config, log);
  // Loaded only to announce (before any port opens, so that nothing waits
  // later): mDNS's packages cost a server that does not about 8 MB.
  const announcing = config.announce !== null && canAnnounce(config.host)
    ? await import("../discovery/announcer.ts")
    : null;
  const shared = config.cluster !== undefined;
  const replica = new Replica(bus, {
    now: clock,
    shared,
    log: (line) => log.write(line),
    onStatus: (status) => log.write(describeBusStatus(status)),
  });
  let keeper: StoreKeeper;
  try {
    keeper = StoreKeeper.open(config, {
      onStatus: (status) => onStoreStatus(status),
      onError: (error) => log.reportError(error, "history"),
    });
  } catch (error) {
    await bus.close();
    throw error;
  }
  let hub: Hub;
  try {
    hub = _hub(config, keeper, log, clock, replica);
  } catch (error) {
    keeper.close();
    await bus.close();
    throw error;
  }
  replica.attach(hub);
  await bus.start(replica);
  if (shared) {
    replica.sync();
    log.write(`cluster: node ${bus.node} on ${config.cluster!.redis}`);
  }
  // How sessions see others' hosts, and take names in a cluster.
  const reach = shared ? { hostOf, names: replica } : { hostOf };
  onStoreStatus = (status) => {
    log.write(describeStoreStatus(status));
    hub.storeStatus(status);
  };
  const beforeWrite = () => keeper.commit();
  // Fed by the ticker with the process's CPU share: while busy, TCP
  // connections write less often and more at a time.
  const busy = new BusyGate();
  let chat: StreamGateway;
  try {
    chat = new StreamGateway(hub, config, {
      log,
      tls: { context, required: config.requireTls, fingerprint },
      beforeWrite,
      busy,
      server: facts,
      ...reach,
    });
  } catch (error) {
    keeper.close();
    await bus.close();
    throw error;
  }
  let web: WebGateway | null = null;
  let irc: StreamGateway | null = null;
  let ircTls: StreamGateway | null = null;
  const gateways: Gateway[] = [chat];

  const trimmer = new MemoryTrimmer();
  // One timer for every connection's deadlines, prompts and pings.
  const ticker = setInterval(() => {
    let connections = 0;
    const now = Date.now();
    try {
      hub.tick(clock());
    } catch (error) {
      log.reportError(error, "hub");
    }
    keeper.tick(now);
    for (const gateway of gateways) {
      for (const connection of gateway.live) {
        connections++;
        try {
          connection.tick(now);
        } catch (error) {
          // A bug in one connection's deadlines closes it, nobody else.
          log.reportError(error, connection.label);
          connection.close("error", (error as Error).message);
        }
      }
    }
    trimmer.tick(connections);
    busy.sample();
  }, _tickMs(config));

  let announcer: Announcer | null = null;
  let shuttingDown: Promise<void> | null = null;
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => resolveFinished = resolve);

  function shutdown(): Promise<void> {
    shuttingDown ??= (async () => {
      // Gone from the network first: nobody is told to join a server that
      // is closing. A socket that does not close in time holds up nothing.
      if (announcer !== null) await _within(announcer.close(), 500);
      // The web client first: it stops taking pages at once, so no page
      // that reconnects rejoins the hub while the rest closes.
      let webClosed: Promise<void> | undefined;
      if (web !== null) {
        await web.stopAccepting();
        webClosed = web.closeAll();
      }
      log.write("shutting down");
      await chat.stopAccepting();
      await irc?.stopAccepting();
      await ircTls?.stopAccepting();
      // The other nodes are told this node's members are gone, once.
      replica.close();
      hub.shutdown();
      await bus.close();
      await Promise.all([
        chat.closeAll(),
        irc?.closeAll(),
        ircTls?.closeAll(),
      ]);
      // As before there was one server: "stopped" once the chat port is
      // done, though a page's socket may still be closing.
      log.write("stopped");
      await webClosed;
      clearInterval(ticker);
      // Nothing waits on the gate's timer any more.
      busy.update(0);
      busy.batcher.flush();
      // Last: every line a member was sent is committed, the lock let go.
      keeper.close();
      resolveFinished();
    })();
    return shuttingDown;
  }

  // The address the terminal's QR code and the page's say.
  let webUrl: string | null = null;
  const joinCode = (port: number) => {
    const host = reachableAddresses(config.host, interfaceEntries())[0];
    // None for loopback: a phone could not reach it.
    if (host === undefined || isLoopback(host)) return undefined;
    webUrl = `${webTls === null ? "http" : "https"}://${
      formatAddress(host, port)
    }`;
    try {
      return { url: webUrl, rows: qrRows(webUrl) };
    } catch {
      return undefined; // an address too long for a QR code
    }
  };
  // An IRC-only port: TLS when a client opens with it, as on the chat
  // port, and plain connections refused when `required` (--irc-tls-port
  // always; --irc-port with --require-tls).
  const ircGateway = async (
    port: number,
    portFlag: string,
    required: boolean,
  ): Promise<StreamGateway> => {
    try {
      const gateway = new StreamGateway(hub, config, {
        log,
        port,
        portFlag,
        codec: IRC_CODEC,
        tls: { context, required, fingerprint },
        beforeWrite,
        busy,
        server: facts,
        ...reach,
      });
      gateways.push(gateway);
      return gateway;
    } catch (error) {
      await shutdown();
      throw error;
    }
  };
  if (config.ircPort !== null) {
    irc = await ircGateway(config.ircPort, "--irc-port", config.requireTls);
  }
  if (config.ircTlsPort !== null) {
    ircTls = await ircGateway(config.ircTlsPort, "--irc-tls-port", true);
  }
  if (config.webPort !== null) {
    try {
      web = new WebGateway(hub, config, {
        log,
        joinCode,
        tls: webTls,
        beforeWrite,
        ...reach,
      });
    } catch (error) {
      await shutdown();
      throw error;
    }
    gateways.push(web);
  }

  if (announcing !== null) {
    const { Announcer } = announcing;
    const name = config.announce?.name;
    announcer = Announcer.start({
      host: config.host,
      port: chat.addr.port,
      webPort: web?.addr.port ?? null,
      version: PROTOCOL_VERSION,
      // Every chat port speaks TLS now: people see what to compare.
      fingerprint,
      ...(bus.cluster === undefined ? {} : { cluster: bus.cluster }),
    }, {
      ...(name === undefined ? {} : { name }),
      people: () => hub.size,
      log: (line) => log.write(line),
    });
  }

  return {
    chat,
    web,
    irc,
    ircTls,
    webUrl,
    history: keeper.path,
    keepaliveTuned: chat.keepaliveTuned,
    identity,
    webTls: webTls !== null,
    shutdown,
    finished,
  };
}
