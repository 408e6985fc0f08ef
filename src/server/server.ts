/**
 * The chat server, composed in one place: {@linkcode startServer} makes the
 * {@linkcode Hub}, opens every listener on it (the chat port; the web
 * client unless `--no-web`), keeps every connection's deadlines with one
 * timer, and shuts it all down in order.
 *
 * @module
 */

import type { ServerConfig } from "../config.ts";
import { Hub } from "../hub/hub.ts";
import { ConsoleLog, writeLine } from "./console_log.ts";
import type { Gateway } from "./gateway.ts";
import { StreamGateway } from "./stream_gateway.ts";
import { WebGateway } from "./web_gateway.ts";

/** Options of {@linkcode startServer}. */
export interface StartServerOptions {
  /**
   * Receives each console line, already time-stamped.
   * @default {writeLine}
   */
  log?: (line: string) => void;
}

/** One listener of a running server, as its callers see it. */
export type Listener = Pick<Gateway, "addr" | "connections">;

/** A running server. */
export interface ChatServer {
  /** The chat port (native and plain dialects). */
  readonly chat: Listener;
  /** The browser client, or `null` when the config has no `webPort`. */
  readonly web: Listener | null;
  /**
   * Whether TCP keepalive timing was set on the chat port (see
   * {@linkcode ServerConfig.keepalive}).
   */
  readonly keepaliveTuned: boolean;
  /**
   * Stops accepting, tells every member, flushes (at most about 1.5 s) and
   * closes everything. Idempotent.
   */
  shutdown(): Promise<void>;
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
  const hub = new Hub({
    historySize: config.historySize,
    rateLimit: config.rateLimit,
    onEvent: (event) => log.hubEvent(event),
    serverName: "chat",
    defaultRoom: config.defaultRoom,
    maxRooms: config.maxRooms,
    maxRoomsPerUser: config.maxRoomsPerUser,
    operPassword: config.operPassword,
  });
  const chat = new StreamGateway(hub, config, { log });
  let web: WebGateway | null = null;
  const gateways: Gateway[] = [chat];

  // One timer for every connection's deadlines, prompts and pings.
  const ticker = setInterval(() => {
    const now = Date.now();
    try {
      hub.tick(now);
    } catch (error) {
      log.reportError(error, "hub");
    }
    for (const gateway of gateways) {
      for (const connection of gateway.live) {
        try {
          connection.tick(now);
        } catch (error) {
          // A bug in one connection's deadlines closes it, nobody else.
          log.reportError(error, connection.label);
          connection.close("error", (error as Error).message);
        }
      }
    }
  }, _tickMs(config));

  let shuttingDown: Promise<void> | null = null;
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => resolveFinished = resolve);

  function shutdown(): Promise<void> {
    shuttingDown ??= (async () => {
      // The web client first: it stops taking pages at once, so no page
      // that reconnects rejoins the hub while the rest closes.
      let webClosed: Promise<void> | undefined;
      if (web !== null) {
        await web.stopAccepting();
        webClosed = web.closeAll();
      }
      log.write("shutting down");
      await chat.stopAccepting();
      hub.shutdown();
      await chat.closeAll();
      // As before there was one server: "stopped" once the chat port is
      // done, though a page's socket may still be closing.
      log.write("stopped");
      await webClosed;
      clearInterval(ticker);
      resolveFinished();
    })();
    return shuttingDown;
  }

  if (config.webPort !== null) {
    try {
      web = new WebGateway(hub, config, { log });
    } catch (error) {
      await shutdown();
      throw error;
    }
    gateways.push(web);
  }

  return {
    chat,
    web,
    keepaliveTuned: chat.keepaliveTuned,
    shutdown,
    finished,
  };
}
