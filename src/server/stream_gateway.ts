/**
 * The chat port: a TCP listener whose connections speak the native or the
 * plain (netcat) dialect. Accepts, counts connections per IP address and
 * refuses those past the limit, logs each connect and disconnect, and hands
 * every connection to its session in the hub.
 *
 * @module
 */

import type { ServerConfig } from "../config.ts";
import type { Hub } from "../hub/hub.ts";
import { STRINGS } from "../i18n/server_strings.ts";
import { formatAddress } from "../transport/address.ts";
import { IpLimiter } from "../transport/ip_limiter.ts";
import {
  StreamTransport,
  type StreamTransportOptions,
} from "../transport/stream_transport.ts";
import { FlushBatcher } from "../transport/outbox.ts";
import type { BusyGate } from "../transport/busy_gate.ts";
import { openStream } from "../transport/stream_opener.ts";
import type { StreamConn } from "../transport/stream_transport.ts";
import type { TlsServerContext } from "../transport/tls_stream.ts";
import {
  certificateSha256,
  formatFingerprint,
} from "../transport/fingerprint.ts";
import { ConsoleLog } from "./console_log.ts";
import type { Gateway, GatewayConnection } from "./gateway.ts";
import { listenError } from "./listen_error.ts";
import { Session, type SessionOptions } from "./session.ts";
import { tuneKeepalive } from "./system_tuning.ts";
import type { ServerFacts } from "../protocol/codec.ts";

/** Options of {@linkcode StreamGateway}. */
export interface StreamGatewayOptions {
  /**
   * The console.
   * @default {new ConsoleLog()}
   */
  log?: ConsoleLog;
  /**
   * TLS on this port: connections that open with a ClientHello are
   * encrypted, the others plain unless `required` (then refused with one
   * line that says how to connect). `fingerprint` is the certificate's
   * (`SHA256:…`, what `context` shows): a key's proof over an encrypted
   * connection is bound to it (`SessionOptions.channelBinding`), so a
   * proof a client made for another server's certificate fails here.
   * `null` takes every connection as plain.
   * @default {null}
   */
  tls?: {
    context: TlsServerContext;
    required: boolean;
    fingerprint: string;
  } | null;
  /**
   * Called right before each write to a connection: the server commits
   * the lines it stored there (see `LineTransportOptions.beforeWrite`).
   * @default {() => {}}
   */
  beforeWrite?: () => void;
  /**
   * Fewer, larger writes while the server is busy (see `BusyGate`).
   * @default {undefined} never waits
   */
  busy?: BusyGate;
  /**
   * The port, when it is not the chat port (`--irc-port`,
   * `--irc-tls-port`).
   * @default {config.port}
   */
  port?: number;
  /**
   * The flag that names {@linkcode StreamGatewayOptions.port}, for the
   * message when it cannot be listened on.
   * @default {"--port", or "--irc-port" with a port}
   */
  portFlag?: string;
  /**
   * The codec every connection speaks (IRC on `--irc-port`).
   * @default {undefined} sniffed from each first line
   */
  codec?: SessionOptions["codec"];
  /**
   * What the server tells of itself, for IRC.
   * @default {undefined}
   */
  server?: ServerFacts;
  /**
   * The host others see for an address.
   * @default {undefined} `unknown`
   */
  hostOf?: (ip: string) => string;
  /**
   * How names are taken cluster-wide (a cluster's node).
   * @default {undefined} the hub's own check only
   */
  names?: SessionOptions["names"];
}

/**
 * Yields accepted connections until the listener closes. Errors such as
 * running out of file descriptors are logged and survived: accepting pauses
 * briefly and goes on.
 */
async function* _accepted(
  listener: Deno.Listener,
  log: ConsoleLog,
): AsyncGenerator<Deno.Conn> {
  while (true) {
    try {
      yield await listener.accept();
    } catch (error) {
      if (
        error instanceof Deno.errors.BadResource ||
        error instanceof Deno.errors.Interrupted
      ) return;
      log.write(
        `Cannot accept a connection: ${(error as Error).message}; retrying`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

// An accepted connection ready for its session: its stream and, over
// TLS, what a key's proof is bound to.
interface _Opened {
  conn: StreamConn;
  channel?: string;
  // The fingerprint of the client certificate a TLS peer showed (CertFP).
  clientCertFp?: string;
}

// Says why in one best-effort line (the peer may not even read it), then
// closes.
function _refuse(conn: StreamConn, text: string): void {
  const bytes = new TextEncoder().encode(text + "\n");
  conn.write(bytes).catch(() => {}).finally(() => {
    try {
      conn.close();
    } catch {
      // already closed
    }
  });
}

/**
 * The chat port. Listens as soon as it is made; {@linkcode startServer}
 * owns it, ticks its connections and shuts it down.
 *
 * @example
 * ```ts no-eval
 * import { DEFAULT_SERVER_CONFIG } from "../config.ts";
 * import { Hub } from "../hub/hub.ts";
 * import { StreamGateway } from "./stream_gateway.ts";
 *
 * const hub = new Hub();
 * const chat = new StreamGateway(hub, { ...DEFAULT_SERVER_CONFIG, port: 0 });
 * console.log(chat.addr.port);
 * await chat.stopAccepting();
 * hub.shutdown();
 * await chat.closeAll();
 * ```
 */
export class StreamGateway implements Gateway {
  /** Where it listens (with the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** Whether TCP keepalive timing was set ({@linkcode ServerConfig.keepalive}). */
  readonly keepaliveTuned: boolean;
  #listener: Deno.Listener;
  #hub: Hub;
  #lang: ServerConfig["lang"];
  #log: ConsoleLog;
  #limiter: IpLimiter;
  #batcher = new FlushBatcher(50);
  #options: SessionOptions & Omit<StreamTransportOptions, "label" | "ip">;
  #live = new Set<GatewayConnection>();
  #tls: StreamGatewayOptions["tls"];
  #opening = new AbortController();
  #tasks = new Set<Promise<void>>();
  #accepting: Promise<void>;
  #stopping: Promise<void> | null = null;

  /**
   * Listens, and starts accepting.
   *
   * @param hub The hub members join.
   * @param config Where to listen (`host`, `port`), limits and deadlines.
   * @param options The console.
   * @throws {Error} `Cannot listen on HOST:PORT: <why>` when the port is
   * busy or the host is not an address of this machine.
   */
  constructor(
    hub: Hub,
    config: ServerConfig,
    options: StreamGatewayOptions = {},
  ) {
    this.#limiter = new IpLimiter(config.maxPerIp);
    const port = options.port ?? config.port;
    const flag = options.portFlag ??
      (options.port === undefined ? "--port" : "--irc-port");
    try {
      this.#listener = Deno.listen({
        hostname: config.host,
        port,
        transport: "tcp",
      });
    } catch (error) {
      throw listenError(error, {
        host: config.host,
        port,
        portFlag: flag,
        inUseHint: `is another server running? choose another ${flag}`,
      });
    }
    this.addr = this.#listener.addr as Deno.NetAddr;
    this.#hub = hub;
    this.#lang = config.lang;
    const log = options.log ?? new ConsoleLog();
    this.#log = log;
    this.#tls = options.tls ?? null;
    // The config names its limits and deadlines as the connections do.
    this.#options = {
      ...config,
      batcher: this.#batcher,
      log: (line) => log.write(line),
      ...(options.beforeWrite ? { beforeWrite: options.beforeWrite } : {}),
      ...(options.busy ? { busy: options.busy } : {}),
      ...(options.codec === undefined ? {} : { codec: options.codec }),
      ...(options.server === undefined ? {} : { server: options.server }),
      ...(options.hostOf === undefined ? {} : { hostOf: options.hostOf }),
      ...(options.names === undefined ? {} : { names: options.names }),
    };
    this.#accepting = this.#acceptAll();
    this.keepaliveTuned = config.keepalive !== null &&
      tuneKeepalive(this.addr.port, config.keepalive);
  }

  /** How many connections are open. */
  get connections(): number {
    return this.#live.size;
  }

  /** Every open connection, for the server's ticker. */
  get live(): Iterable<GatewayConnection> {
    return this.#live;
  }

  /** Closes the listener; resolves when the accept loop has ended. */
  stopAccepting(): Promise<void> {
    this.#stopping ??= (async () => {
      try {
        this.#listener.close();
      } catch (error) {
        if (!(error instanceof Deno.errors.BadResource)) throw error;
      }
      await this.#accepting;
    })();
    return this.#stopping;
  }

  /**
   * Says goodbye to every connection (joined or still choosing a name) and
   * resolves once every one has ended: their flush takes at most about
   * 1.5 s.
   */
  async closeAll(): Promise<void> {
    // Handshakes still under way are given up.
    this.#opening.abort();
    for (const connection of this.#live) connection.goodbye("shutdown");
    this.#batcher.flush();
    await Promise.allSettled([...this.#tasks]);
    this.#batcher.flush();
  }

  async #acceptAll(): Promise<void> {
    for await (const conn of _accepted(this.#listener, this.#log)) {
      const task = this.#handle(conn).catch((error) => {
        this.#log.reportError(error);
        try {
          conn.close();
        } catch {
          // already closed
        }
      });
      this.#tasks.add(task);
      task.finally(() => this.#tasks.delete(task));
    }
  }

  /**
   * The one place a TCP connection becomes a member's session: the peer is
   * what the gateway and the ticker drive, and `run()` reads until the end
   * (resolving once the hub has been told).
   */
  #session(
    opened: _Opened,
    label: string,
    ip: string,
    waitedMs = 0,
  ): { session: GatewayConnection; run(): Promise<void> } {
    const conn = opened.conn;
    const transport = new StreamTransport(conn, {
      ...this.#options,
      label,
      ip,
    });
    // The wait for the first bytes and the handshake count against the
    // prompt's delay and the time to choose a name.
    const { promptAfterMs, nameTimeoutMs } = this.#options;
    const session = new Session(this.#hub, transport, {
      ...this.#options,
      promptAfterMs: Math.max(0, promptAfterMs - waitedMs),
      nameTimeoutMs: Math.max(1, nameTimeoutMs - waitedMs),
      ...(opened.channel === undefined
        ? {}
        : { channelBinding: opened.channel }),
      ...(opened.clientCertFp === undefined
        ? {}
        : { clientCertFp: opened.clientCertFp }),
    });
    return { session, run: () => session.run() };
  }

  async #handle(conn: Deno.Conn): Promise<void> {
    const remote = conn.remoteAddr as Deno.NetAddr;
    const ip = remote.hostname;
    const label = formatAddress(ip, remote.port);
    this.#log.write(`connect ${label}`);
    if (!this.#limiter.acquire(ip)) {
      this.#log.write(
        `refuse ${label}: more than ${this.#limiter.max} connections from ${ip}`,
      );
      _refuse(conn, STRINGS[this.#lang].bye("limit"));
      return;
    }
    try {
      (conn as Deno.TcpConn).setNoDelay(true);
      (conn as Deno.TcpConn).setKeepAlive(true);
    } catch {
      // Not fatal: the socket may already be gone.
    }
    const opened = Date.now();
    let stream: _Opened | null = null;
    try {
      stream = await this.#open(conn, label);
    } finally {
      if (stream === null) {
        this.#limiter.release(ip);
        this.#log.write(`disconnect ${label}`);
      }
    }
    if (stream === null) return;
    const { session, run } = this.#session(
      stream,
      label,
      ip,
      Date.now() - opened,
    );
    this.#live.add(session);
    try {
      await run();
    } catch (error) {
      this.#log.reportError(error, label);
      session.close("error", (error as Error).message);
    } finally {
      this.#live.delete(session);
      this.#limiter.release(ip);
      this.#log.write(`disconnect ${label}`);
    }
  }

  /**
   * TLS or plain, by the first bytes; `null` when the connection was
   * closed instead (a failed handshake, plain text where TLS is required).
   */
  async #open(conn: Deno.Conn, label: string): Promise<_Opened | null> {
    const tls = this.#tls;
    if (tls === null || tls === undefined) return { conn };
    const opened = await openStream(conn, {
      context: tls.context,
      silentMs: this.#options.promptAfterMs,
      timeoutMs: this.#options.nameTimeoutMs,
      signal: this.#opening.signal,
      // Any certificate a client shows is an identity (IRC CertFP).
      requestCert: true,
    });
    if (opened.kind === "failed") {
      this.#log.write(`tls ${label}: ${opened.why}`);
      return null;
    }
    if (opened.kind === "tls") {
      this.#log.write(`tls ${label}: ${opened.conn.protocol}`);
      const cert = opened.conn.peerCertificate;
      return cert === null ? { conn: opened.conn, channel: tls.fingerprint } : {
        conn: opened.conn,
        channel: tls.fingerprint,
        clientCertFp: formatFingerprint(await certificateSha256(cert)),
      };
    }
    if (this.#opening.signal.aborted) {
      _refuse(opened.conn, STRINGS[this.#lang].shuttingDown);
      return null;
    }
    if (!tls.required) return { conn: opened.conn };
    this.#log.write(`refuse ${label}: not TLS`);
    const { port } = conn.localAddr as Deno.NetAddr;
    const strings = STRINGS[this.#lang];
    // An IRC client shows an ERROR line; anyone else reads the text.
    _refuse(
      opened.conn,
      this.#options.codec?.id === "irc"
        ? `ERROR :Closing Link: ${strings.ircTlsRequired(port)}`
        : strings.tlsRequired(port),
    );
    return null;
  }
}
