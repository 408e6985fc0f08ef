/**
 * The browser client's gateway: serves the page (from
 * {@linkcode webAssets}, inside the program) over HTTP with strict
 * security headers, and takes WebSocket members, from pages this server
 * served only, into the same {@linkcode Hub} as the chat port. Started by
 * `chat serve` on the chat port + 1 unless `--no-web`.
 *
 * @module
 */

import type { ServerConfig } from "../config.ts";
import type { Hub } from "../hub/hub.ts";
import { STRINGS } from "../i18n/server_strings.ts";
import { encodeMessage, NATIVE_CODEC } from "../protocol/native_codec.ts";
import { formatAddress } from "../transport/address.ts";
import { IpLimiter } from "../transport/ip_limiter.ts";
import {
  WebSocketTransport,
  type WebSocketTransportOptions,
} from "../transport/websocket_transport.ts";
import { FlushBatcher } from "../transport/outbox.ts";
import { type PageJoinCode, webAssets } from "../web/web_assets.ts";
import { ConsoleLog } from "./console_log.ts";
import type { Gateway, GatewayConnection } from "./gateway.ts";
import { listenError } from "./listen_error.ts";
import { Session, type SessionOptions } from "./session.ts";

/** Path of the WebSocket endpoint. */
export const WEB_SOCKET_PATH = "/ws";

/**
 * The Content-Security-Policy of every response: scripts, styles and
 * connections only from this server; no inline script; no framing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

/** Options of {@linkcode WebGateway}. */
export interface WebGatewayOptions {
  /**
   * The console.
   * @default {new ConsoleLog()}
   */
  log?: ConsoleLog;
  /**
   * Called right before each write to a connection: the server commits
   * the lines it stored there (see `LineTransportOptions.beforeWrite`).
   * @default {() => {}}
   */
  beforeWrite?: () => void;
  /**
   * The QR code the page shows, from the port it listens on.
   * @default {none}
   */
  joinCode?: (port: number) => PageJoinCode | undefined;
  /**
   * Serve over HTTPS (and WSS) with this certificate and key; with
   * `fingerprint`, the page shows it (a self-signed identity, to compare).
   * @default {null: plain HTTP}
   */
  tls?: { certPem: string; keyPem: string; fingerprint?: string } | null;
  /**
   * The host others (IRC users) see for an address.
   * @default {undefined} `unknown`
   */
  hostOf?: (ip: string) => string;
  /**
   * How names are taken cluster-wide (a cluster's node).
   * @default {undefined} the hub's own check only
   */
  names?: SessionOptions["names"];
}

const encoder = new TextEncoder();

function _respond(
  status: number,
  text: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(text + "\n", {
    status,
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "text/plain; charset=utf-8",
      ...headers,
    },
  });
}

/**
 * Tells whether a WebSocket request comes from a page this server served:
 * its `Origin` names the host the request was sent to. Browsers always send
 * `Origin` on WebSocket requests, so another site open in the same browser
 * is refused; programs that send none are let through (they could use the
 * TCP port anyway).
 *
 * @param origin The `Origin` header, or `null`.
 * @param host The `Host` header, or `null`.
 * @returns `true` when the request may be upgraded.
 */
export function isSameOrigin(
  origin: string | null,
  host: string | null,
): boolean {
  if (origin === null) return true;
  if (host === null) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (a sandboxed frame, a file) or garbage
  }
  return (url.protocol === "http:" || url.protocol === "https:") &&
    url.host.toLowerCase() === host.toLowerCase();
}

/** A WebSocket member's connection, and when it is over. */
interface _WebSession {
  session: GatewayConnection;
  /** Resolves once the member has left and the socket is closed. */
  finished: Promise<void>;
}

/**
 * The browser client's HTTP server and WebSocket endpoint. Listens as soon
 * as it is made; {@linkcode startServer} owns it, ticks its connections and
 * shuts it down.
 *
 * A failing console log never takes it down: its lines are written with
 * {@linkcode ConsoleLog.report}, since a WebSocket's events have nobody to
 * catch what they throw.
 *
 * @example
 * ```ts no-eval
 * import { DEFAULT_SERVER_CONFIG } from "../config.ts";
 * import { Hub } from "../hub/hub.ts";
 * import { WebGateway } from "./web_gateway.ts";
 *
 * const hub = new Hub();
 * const web = new WebGateway(hub, { ...DEFAULT_SERVER_CONFIG, webPort: 0 });
 * console.log(`open http://127.0.0.1:${web.addr.port}`);
 * await web.stopAccepting();
 * await web.closeAll();
 * ```
 */
export class WebGateway implements Gateway {
  /** Where it listens (with the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  #http: Deno.HttpServer<Deno.NetAddr>;
  #hub: Hub;
  #lang: ServerConfig["lang"];
  #log: ConsoleLog;
  #limiter: IpLimiter;
  #batcher = new FlushBatcher(50);
  #framer = new FlushBatcher(1);
  #options: SessionOptions & Omit<WebSocketTransportOptions, "label" | "ip">;
  #assets: Map<string, { type: string; body: Uint8Array<ArrayBuffer> }>;
  #live = new Map<GatewayConnection, Promise<void>>();
  #closing = false;

  /**
   * Listens, and starts serving the page and taking WebSocket members.
   *
   * @param hub The hub members join.
   * @param config Where to listen (`host`, `webPort`), limits and deadlines.
   * @param options The console.
   * @throws {TypeError} When `config.webPort` is `null` (no web client).
   * @throws {Error} `Cannot listen on HOST:PORT: <why>` when the port is
   * busy or the host is not an address of this machine.
   */
  constructor(
    hub: Hub,
    config: ServerConfig,
    options: WebGatewayOptions = {},
  ) {
    const port = config.webPort;
    if (port === null) {
      throw new TypeError("Cannot serve the web client: it has no port");
    }
    const log = options.log ?? new ConsoleLog();
    this.#hub = hub;
    this.#lang = config.lang;
    this.#log = log;
    this.#limiter = new IpLimiter(config.maxPerIp);
    // The config names its limits and deadlines as the connections do.
    this.#options = {
      ...config,
      // A page speaks the native dialect from its first line.
      codec: NATIVE_CODEC,
      batcher: this.#batcher,
      framer: this.#framer,
      log: (line) => log.report(line),
      ...(options.beforeWrite ? { beforeWrite: options.beforeWrite } : {}),
      ...(options.hostOf === undefined ? {} : { hostOf: options.hostOf }),
      ...(options.names === undefined ? {} : { names: options.names }),
    };
    try {
      const tls = options.tls ?? null;
      this.#http = Deno.serve({
        hostname: config.host,
        port,
        ...(tls === null ? {} : { cert: tls.certPem, key: tls.keyPem }),
        onListen: () => {},
        onError: (error) => {
          log.report(`web error: ${(error as Error).stack ?? error}`);
          return _respond(500, "Internal error");
        },
      }, (request, info) => this.#handle(request, info));
    } catch (error) {
      throw listenError(error, {
        host: config.host,
        port,
        portFlag: "--web-port",
        inUseHint: "choose another --web-port, or --no-web",
      });
    }
    this.addr = this.#http.addr;
    // Made once the port is known (the page's QR code says it); no
    // request is served before the constructor returns.
    const joinCode = options.joinCode?.(this.addr.port);
    this.#assets = new Map(
      [...webAssets({
        maxLineBytes: config.maxLineBytes,
        password: typeof config.password === "string",
        ...(joinCode === undefined ? {} : { joinCode }),
        ...(options.tls?.fingerprint === undefined
          ? {}
          : { fingerprint: options.tls.fingerprint }),
      })].map((
        [path, asset],
      ) => [path, {
        type: asset.type,
        body: encoder.encode(asset.body),
      }]),
    );
  }

  /** Number of open WebSocket connections. */
  get connections(): number {
    return this.#live.size;
  }

  /** Every open WebSocket connection, for the server's ticker. */
  get live(): Iterable<GatewayConnection> {
    return this.#live.keys();
  }

  /**
   * From now on answers every WebSocket request with 503, so no page that
   * reconnects rejoins while the server closes.
   */
  stopAccepting(): Promise<void> {
    this.#closing = true;
    return Promise.resolve();
  }

  /**
   * Says goodbye to every WebSocket member (and to pages still choosing a
   * name), waits for them (at most about 1.5 s), flushes, and closes the
   * HTTP server.
   */
  async closeAll(): Promise<void> {
    const open = [...this.#live];
    for (const [session] of open) session.goodbye("shutdown");
    await Promise.allSettled(open.map(([, finished]) => finished));
    this.#batcher.flush();
    this.#framer.flush();
    // Closes the listener, and whatever socket is still open; a socket
    // stuck behind a page that stopped reading may hold that up, so the
    // wait is bounded (the peers' own flush took at most 1.5 s).
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#http.shutdown(),
      new Promise((resolve) => timer = setTimeout(resolve, 500)),
    ]);
    clearTimeout(timer);
  }

  #handle(request: Request, info: Deno.ServeHandlerInfo): Response {
    const url = new URL(request.url);
    if (url.pathname === WEB_SOCKET_PATH) {
      return this.#upgrade(request, info.remoteAddr as Deno.NetAddr);
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return _respond(405, "Method not allowed", { allow: "GET, HEAD" });
    }
    const asset = this.#assets.get(url.pathname);
    if (asset === undefined) return _respond(404, "Not found");
    return new Response(request.method === "HEAD" ? null : asset.body, {
      headers: {
        ...SECURITY_HEADERS,
        "content-type": asset.type,
        "content-length": String(asset.body.length),
        "cache-control": "no-cache",
      },
    });
  }

  #upgrade(request: Request, remote: Deno.NetAddr): Response {
    if (this.#closing) return _respond(503, "Shutting down");
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return _respond(426, "This is a WebSocket endpoint", {
        upgrade: "websocket",
      });
    }
    const ip = remote.hostname;
    const label = `web ${formatAddress(ip, remote.port)}`;
    const origin = request.headers.get("origin");
    if (!isSameOrigin(origin, request.headers.get("host"))) {
      this.#log.report(
        `refuse ${label}: WebSocket from another site (${origin})`,
      );
      return _respond(403, "Forbidden: a page from another site");
    }
    const { socket, response } = Deno.upgradeWebSocket(request, {
      // Liveness is the peer's ping and deadline, as over TCP.
      idleTimeout: 0,
    });
    if (!this.#limiter.acquire(ip)) {
      this.#log.report(
        `refuse ${label}: more than ${this.#limiter.max} connections from ${ip}`,
      );
      this.#refuse(socket);
      return response;
    }
    this.#log.report(`connect ${label}`);
    const { session, finished } = this.#session(socket, label, ip);
    const over = finished.catch((error) => {
      // A fault while handling the page's line: logged with its stack; the
      // session has closed that page, and nobody else.
      this.#log.reportError(error, label);
      session.close("error", (error as Error).message);
    }).finally(() => {
      this.#live.delete(session);
      this.#limiter.release(ip);
      this.#log.report(`disconnect ${label}`);
    });
    this.#live.set(session, over);
    return response;
  }

  /**
   * The one place a WebSocket becomes a member's session: what the gateway
   * and the ticker drive, and when it is over.
   */
  #session(socket: WebSocket, label: string, ip: string): _WebSession {
    const transport = new WebSocketTransport(socket, {
      ...this.#options,
      label,
      ip,
    });
    const session = new Session(this.#hub, transport, this.#options);
    return { session, finished: session.run() };
  }

  // Says why once the socket is open, then closes it.
  #refuse(socket: WebSocket): void {
    const text = STRINGS[this.#lang].bye("limit");
    socket.onopen = () => {
      socket.send(encodeMessage({ type: "bye", reason: "limit", text }));
      socket.close(1008);
    };
  }
}
