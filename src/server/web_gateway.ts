/**
 * The browser client's server: serves the page (from {@linkcode WEB_ASSETS},
 * inside the program) over HTTP, and takes WebSocket members into the same
 * {@linkcode Hub} as the TCP server. Started by `chat serve` on the chat
 * port + 1 unless `--no-web`.
 *
 * @module
 */

import { DEFAULT_WEB_PORT } from "../config.ts";
import { listenErrorReason } from "./listen_error.ts";
import { formatAddress } from "../transport/address.ts";
import {
  DEFAULT_HARD_LIMIT_BYTES,
  DEFAULT_MAX_LINE_BYTES,
} from "../transport/line_splitter.ts";
import { DEFAULT_OUTBOX_BYTES, FlushBatcher } from "../transport/outbox.ts";
import type { Lang } from "../protocol/messages.ts";
import { encodeMessage } from "../protocol/native_codec.ts";
import type { Hub } from "../hub/hub.ts";
import { logStamp } from "./server.ts";
import { STRINGS } from "../i18n/server_strings.ts";
import { WEB_ASSETS } from "../web/web_assets.ts";
import { Session, type SessionOptions } from "./session.ts";
import { NATIVE_CODEC } from "../protocol/native_codec.ts";
import {
  WebSocketTransport,
  type WebSocketTransportOptions,
} from "../transport/websocket_transport.ts";

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

/** Options of {@linkcode serveWeb}. */
export interface ServeWebOptions {
  /**
   * Address to listen on.
   * @default {"0.0.0.0"}
   */
  host?: string;
  /**
   * HTTP port; 0 picks a free one.
   * @default {50002}
   */
  port?: number;
  /**
   * Language of texts sent before a page says its own (in `hello`).
   * @default {"en"}
   */
  lang?: Lang;
  /**
   * Most members in the room; 0 = no limit.
   * @default {1000}
   */
  maxUsers?: number;
  /**
   * Most WebSocket connections from one IP address; 0 = no limit.
   * @default {20}
   */
  maxPerIp?: number;
  /**
   * Longest accepted line, in bytes.
   * @default {8192}
   */
  maxLineBytes?: number;
  /**
   * Bytes in one frame after which a page is disconnected.
   * @default {65536}
   */
  hardLimitBytes?: number;
  /**
   * Unsent bytes per member; a member past it for a second is dropped as
   * slow (at once past 16 times it).
   * @default {262144}
   */
  maxQueueBytes?: number;
  /**
   * Milliseconds a new connection has to choose a name.
   * @default {60000}
   */
  nameTimeoutMs?: number;
  /**
   * Milliseconds of silence after which a member is pinged.
   * @default {30000}
   */
  pingAfterMs?: number;
  /**
   * Milliseconds of silence after which a member is dropped as gone.
   * @default {90000}
   */
  deadAfterMs?: number;
  /**
   * Receives each console line, already timestamped.
   * @default {writes the line to standard output}
   */
  log?: (line: string) => void;
}

/** A running web server. */
export interface WebServer {
  /** Where it listens (with the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** Number of open WebSocket connections. */
  readonly connections: number;
  /**
   * Stops taking connections, says goodbye to every WebSocket member (and
   * to pages still choosing a name), flushes (at most about 1.5 s) and
   * closes everything. Idempotent.
   */
  shutdown(): Promise<void>;
  /** Resolves when the server has shut down. */
  readonly finished: Promise<void>;
}

const encoder = new TextEncoder();

// The console log, as the TCP server writes it: one plain write per line.
function _writeLine(line: string): void {
  const bytes = encoder.encode(line + "\n");
  let offset = 0;
  try {
    while (offset < bytes.length) {
      offset += Deno.stdout.writeSync(bytes.subarray(offset));
    }
  } catch {
    // A closed or broken standard output must not take the server down.
  }
}

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

/**
 * Starts the web server for a room.
 *
 * @example
 * ```ts no-eval
 * import { serve } from "./server.ts";
 * import { serveWeb } from "./web_gateway.ts";
 *
 * const server = serve({ host: "127.0.0.1", port: 0 });
 * const web = serveWeb(server.room, { host: "127.0.0.1", port: 0 });
 * console.log(`open http://127.0.0.1:${web.addr.port}`);
 * await web.shutdown();
 * await server.shutdown();
 * ```
 *
 * @param room The room WebSocket members join (the TCP server's).
 * @param options Where to listen, limits and log.
 * @returns The running server.
 * @throws {Error} `Cannot listen on HOST:PORT: <why>` when the port is busy
 * or the host is not an address of this machine.
 */
export function serveWeb(room: Hub, options: ServeWebOptions = {}): WebServer {
  const host = options.host ?? "0.0.0.0";
  const port = options.port ?? DEFAULT_WEB_PORT;
  const log = options.log ?? _writeLine;
  // A failing log must never take the server down: the line is lost.
  const stamped = (line: string) => {
    try {
      log(`${logStamp()} ${line}`);
    } catch {
      // nothing sensible left to report it to
    }
  };
  const lang = options.lang ?? "en";
  const maxPerIp = options.maxPerIp ?? 20;
  const batcher = new FlushBatcher(50);
  const framer = new FlushBatcher(1);
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const connectionOptions: SessionOptions = {
    lang,
    codec: NATIVE_CODEC,
    maxLineBytes,
    promptAfterMs: 1000, // never used: a page speaks the native dialect
    nameTimeoutMs: options.nameTimeoutMs ?? 60_000,
    pingAfterMs: options.pingAfterMs ?? 30_000,
    deadAfterMs: options.deadAfterMs ?? 90_000,
    maxUsers: options.maxUsers ?? 1000,
    log: stamped,
  };
  const socketOptions: Omit<WebSocketTransportOptions, "label" | "ip"> = {
    batcher,
    framer,
    maxLineBytes,
    hardLimitBytes: options.hardLimitBytes ?? DEFAULT_HARD_LIMIT_BYTES,
    maxQueueBytes: options.maxQueueBytes ?? DEFAULT_OUTBOX_BYTES,
    log: stamped,
  };
  const assets = new Map(
    [...WEB_ASSETS].map(([path, asset]) => [path, {
      type: asset.type,
      body: encoder.encode(asset.body),
    }]),
  );
  const connections = new Set<Session>();
  const perIp = new Map<string, number>();
  let closing = false;

  function refuse(socket: WebSocket, label: string, ip: string): void {
    stamped(`refuse ${label}: more than ${maxPerIp} connections from ${ip}`);
    socket.onopen = () => {
      socket.send(encodeMessage({
        type: "bye",
        reason: "limit",
        text: STRINGS[lang].bye("limit"),
      }));
      socket.close(1008);
    };
  }

  function upgrade(request: Request, remote: Deno.NetAddr): Response {
    if (closing) return _respond(503, "Shutting down");
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return _respond(426, "This is a WebSocket endpoint", {
        upgrade: "websocket",
      });
    }
    const ip = remote.hostname;
    const label = `web ${formatAddress(ip, remote.port)}`;
    const origin = request.headers.get("origin");
    if (!isSameOrigin(origin, request.headers.get("host"))) {
      stamped(`refuse ${label}: WebSocket from another site (${origin})`);
      return _respond(403, "Forbidden: a page from another site");
    }
    const { socket, response } = Deno.upgradeWebSocket(request, {
      // Liveness is the peer's ping and deadline, as over TCP.
      idleTimeout: 0,
    });
    const count = (perIp.get(ip) ?? 0) + 1;
    if (maxPerIp > 0 && count > maxPerIp) {
      refuse(socket, label, ip);
      return response;
    }
    perIp.set(ip, count);
    stamped(`connect ${label}`);
    const connection = new Session(
      room,
      new WebSocketTransport(socket, { ...socketOptions, label, ip }),
      connectionOptions,
    );
    connections.add(connection);
    connection.run().then(() => {
      connections.delete(connection);
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left === 0) perIp.delete(ip);
      else perIp.set(ip, left);
      stamped(`disconnect ${label}`);
    });
    return response;
  }

  function handle(request: Request, info: Deno.ServeHandlerInfo): Response {
    const url = new URL(request.url);
    if (url.pathname === WEB_SOCKET_PATH) {
      return upgrade(request, info.remoteAddr as Deno.NetAddr);
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return _respond(405, "Method not allowed", { allow: "GET, HEAD" });
    }
    const asset = assets.get(url.pathname);
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

  let http: Deno.HttpServer<Deno.NetAddr>;
  try {
    http = Deno.serve({
      hostname: host,
      port,
      onListen: () => {},
      onError: (error) => {
        stamped(`web error: ${(error as Error).stack ?? error}`);
        return _respond(500, "Internal error");
      },
    }, handle);
  } catch (error) {
    throw new Error(
      `Cannot listen on ${formatAddress(host, port)}: ${
        listenErrorReason(
          error,
          "--web-port",
          "choose another --web-port, or --no-web",
        )
      }`,
    );
  }

  // One timer for every page's name deadline and pings.
  const ticker = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) connection.tick(now);
  }, 250);

  let shuttingDown: Promise<void> | null = null;
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => resolveFinished = resolve);

  function shutdown(): Promise<void> {
    shuttingDown ??= (async () => {
      closing = true;
      const open = [...connections];
      for (const connection of open) connection.goodbye("shutdown");
      await Promise.allSettled(open.map((connection) => connection.run()));
      clearInterval(ticker);
      batcher.flush();
      framer.flush();
      // Closes the listener, and whatever socket is still open; a socket
      // stuck behind a page that stopped reading may hold that up, so the
      // wait is bounded (the peers' own flush took at most 1.5 s).
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        http.shutdown(),
        new Promise((resolve) => timer = setTimeout(resolve, 500)),
      ]);
      clearTimeout(timer);
      resolveFinished();
    })();
    return shuttingDown;
  }

  return {
    addr: http.addr,
    get connections() {
      return connections.size;
    },
    shutdown,
    finished,
  };
}
