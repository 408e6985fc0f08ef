/**
 * The chat server: one process, asynchronous I/O. Accepts TCP connections,
 * applies connection limits, and hands each peer to a {@linkcode Session}
 * over a {@linkcode StreamTransport}, bridged to one {@linkcode Hub}.
 *
 * @module
 */

import { listenErrorReason } from "./listen_error.ts";
import { formatAddress } from "../transport/address.ts";
import { Session, type SessionOptions } from "./session.ts";
import {
  StreamTransport,
  type StreamTransportOptions,
} from "../transport/stream_transport.ts";
import {
  DEFAULT_HARD_LIMIT_BYTES,
  DEFAULT_MAX_LINE_BYTES,
} from "../transport/line_splitter.ts";
import { DEFAULT_OUTBOX_BYTES, FlushBatcher } from "../transport/outbox.ts";
import { DEFAULT_PORT } from "../config.ts";
import type { Lang } from "../protocol/messages.ts";
import { Hub, type HubEvent } from "../hub/hub.ts";
import { STRINGS } from "../i18n/server_strings.ts";
import { type KeepaliveOptions, tuneKeepalive } from "./system_tuning.ts";
import type { TokenBucketOptions } from "../protocol/token_bucket.ts";

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /**
   * Address to listen on.
   * @default {"0.0.0.0"}
   */
  host?: string;
  /**
   * TCP port; 0 picks a free one.
   * @default {50001}
   */
  port?: number;
  /**
   * Language of plain-dialect users.
   * @default {"en"}
   */
  lang?: Lang;
  /**
   * Public messages kept for people who join later.
   * @default {50}
   */
  historySize?: number;
  /**
   * Most members at once; 0 = no limit.
   * @default {1000}
   */
  maxUsers?: number;
  /**
   * Most connections from one IP address; 0 = no limit.
   * @default {20}
   */
  maxPerIp?: number;
  /**
   * Flood limit per member, or `null` for none.
   * @default {{ rate: 5, burst: 20 }}
   */
  rateLimit?: TokenBucketOptions | null;
  /**
   * Longest accepted line, in bytes.
   * @default {8192}
   */
  maxLineBytes?: number;
  /**
   * Bytes without a line break after which a peer is disconnected.
   * @default {65536}
   */
  hardLimitBytes?: number;
  /**
   * Outbound queue per member, in bytes; past it the member is dropped.
   * @default {262144}
   */
  maxQueueBytes?: number;
  /**
   * Milliseconds of silence before a plain user is asked for a name.
   * @default {1000}
   */
  promptAfterMs?: number;
  /**
   * Milliseconds a new connection has to choose a name.
   * @default {60000}
   */
  nameTimeoutMs?: number;
  /**
   * Milliseconds of silence after which a native member is pinged.
   * @default {30000}
   */
  pingAfterMs?: number;
  /**
   * Milliseconds of silence after which a native member is dropped as gone.
   * @default {90000}
   */
  deadAfterMs?: number;
  /**
   * TCP keepalive timing for every connection (Linux, with `--allow-ffi`),
   * so peers that vanished are noticed; `null` keeps the system's timing.
   * @default {{ idleSeconds: 60, intervalSeconds: 10, probes: 6 }}
   */
  keepalive?: KeepaliveOptions | null;
  /**
   * Receives each console line, already timestamped.
   * @default {writes the line to standard output}
   */
  log?: (line: string) => void;
}

/** A running server. */
export interface ChatServer {
  /** Where it listens (with the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** The room, for inspection. */
  readonly room: Hub;
  /** Whether TCP keepalive timing was set (see {@linkcode ServeOptions.keepalive}). */
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
 * Formats the current time for the console: `2026-11-21 12:04:05`.
 *
 * @param date The time.
 * @returns Local date and time.
 */
export function logStamp(date: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${
    p(date.getDate())
  } ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

const _encoder = new TextEncoder();

// The console log: one plain write per line. console.log would format and
// inspect its argument, which costs more than the rest of a join.
function _writeLine(line: string): void {
  const bytes = _encoder.encode(line + "\n");
  let offset = 0;
  try {
    while (offset < bytes.length) {
      offset += Deno.stdout.writeSync(bytes.subarray(offset));
    }
  } catch {
    // A closed or broken standard output must not take the server down.
  }
}

function _describeEvent(event: HubEvent): string {
  switch (event.kind) {
    case "join":
      return `join ${event.name} (${event.label})`;
    case "leave":
      return `leave ${event.name} (${event.label}): ${event.reason}${
        event.detail ? ` "${event.detail}"` : ""
      }`;
    case "rename":
      return `rename ${event.from} -> ${event.to} (${event.label})`;
    case "flood":
      return `flood ${event.name} (${event.label}): disconnecting`;
  }
}

/**
 * Yields accepted connections until the listener closes. Errors such as
 * running out of file descriptors are logged and survived: accepting pauses
 * briefly and goes on.
 */
async function* _accepted(
  listener: Deno.Listener,
  log: (line: string) => void,
): AsyncGenerator<Deno.Conn> {
  while (true) {
    try {
      yield await listener.accept();
    } catch (error) {
      if (
        error instanceof Deno.errors.BadResource ||
        error instanceof Deno.errors.Interrupted
      ) return;
      log(`Cannot accept a connection: ${(error as Error).message}; retrying`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Starts a server.
 *
 * @example
 * ```ts no-eval
 * const server = serve({ host: "127.0.0.1", port: 0 });
 * console.log(server.addr.port);
 * await server.shutdown();
 * ```
 *
 * @param options Where to listen, limits and log.
 * @returns The running server.
 * @throws {Error} `Cannot listen on HOST:PORT: <why>` when the port is busy
 * or the host is not an address of this machine.
 */
export function serve(options: ServeOptions = {}): ChatServer {
  const host = options.host ?? "0.0.0.0";
  const port = options.port ?? DEFAULT_PORT;
  const log = options.log ?? _writeLine;
  const stamped = (line: string) => log(`${logStamp()} ${line}`);
  // For reporting failures: a log that fails too must not make it worse.
  const report = (line: string) => {
    try {
      stamped(line);
    } catch {
      // nothing sensible left to report it to
    }
  };
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ hostname: host, port, transport: "tcp" });
  } catch (error) {
    throw new Error(
      `Cannot listen on ${formatAddress(host, port)}: ${
        listenErrorReason(
          error,
          "--port",
          "is another server running? choose another --port",
        )
      }`,
    );
  }
  const room = new Hub({
    historySize: options.historySize ?? 50,
    rateLimit: options.rateLimit === undefined
      ? { rate: 5, burst: 20 }
      : options.rateLimit,
    onEvent: (event) => stamped(_describeEvent(event)),
    serverName: "chat",
  });
  const lang = options.lang ?? "en";
  const maxPerIp = options.maxPerIp ?? 20;
  const batcher = new FlushBatcher(50);
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const connectionOptions: SessionOptions = {
    lang,
    maxLineBytes,
    promptAfterMs: options.promptAfterMs ?? 1000,
    nameTimeoutMs: options.nameTimeoutMs ?? 60_000,
    pingAfterMs: options.pingAfterMs ?? 30_000,
    deadAfterMs: options.deadAfterMs ?? 90_000,
    maxUsers: options.maxUsers ?? 1000,
    log: stamped,
  };
  const streamOptions: Omit<StreamTransportOptions, "label" | "ip"> = {
    batcher,
    maxLineBytes,
    hardLimitBytes: options.hardLimitBytes ?? DEFAULT_HARD_LIMIT_BYTES,
    maxQueueBytes: options.maxQueueBytes ?? DEFAULT_OUTBOX_BYTES,
    log: stamped,
  };
  const connections = new Set<Session>();
  const tasks = new Set<Promise<void>>();
  const perIp = new Map<string, number>();

  function refuse(conn: Deno.Conn, text: string): void {
    // A best-effort line; the peer may not even read it.
    const bytes = new TextEncoder().encode(text + "\n");
    conn.write(bytes).catch(() => {}).finally(() => {
      try {
        conn.close();
      } catch {
        // already closed
      }
    });
  }

  async function handle(conn: Deno.Conn): Promise<void> {
    const remote = conn.remoteAddr as Deno.NetAddr;
    const ip = remote.hostname;
    const label = formatAddress(ip, remote.port);
    stamped(`connect ${label}`);
    const count = (perIp.get(ip) ?? 0) + 1;
    if (maxPerIp > 0 && count > maxPerIp) {
      stamped(`refuse ${label}: more than ${maxPerIp} connections from ${ip}`);
      refuse(conn, STRINGS[lang].bye("limit"));
      return;
    }
    perIp.set(ip, count);
    try {
      (conn as Deno.TcpConn).setNoDelay(true);
      (conn as Deno.TcpConn).setKeepAlive(true);
    } catch {
      // Not fatal: the socket may already be gone.
    }
    const connection = new Session(
      room,
      new StreamTransport(conn, { ...streamOptions, label, ip }),
      connectionOptions,
    );
    connections.add(connection);
    try {
      await connection.run();
    } catch (error) {
      report(`error ${label}: ${(error as Error).stack ?? error}`);
      connection.close("error", (error as Error).message);
    } finally {
      connections.delete(connection);
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left === 0) perIp.delete(ip);
      else perIp.set(ip, left);
      stamped(`disconnect ${label}`);
    }
  }

  // One timer for every connection's deadlines, prompts and pings.
  const tickMs = Math.max(
    10,
    Math.min(250, connectionOptions.promptAfterMs / 2),
  );
  const ticker = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) {
      try {
        connection.tick(now);
      } catch (error) {
        // A bug in one peer's deadlines closes that peer, nobody else.
        report(
          `error ${connection.label}: ${(error as Error).stack ?? error}`,
        );
        connection.close("error", (error as Error).message);
      }
    }
  }, tickMs);

  const accepting = (async () => {
    for await (const conn of _accepted(listener, stamped)) {
      const task = handle(conn).catch((error) => {
        report(`error: ${(error as Error).stack ?? error}`);
        try {
          conn.close();
        } catch {
          // already closed
        }
      });
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  })();

  let shuttingDown: Promise<void> | null = null;
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => resolveFinished = resolve);

  function shutdown(): Promise<void> {
    shuttingDown ??= (async () => {
      stamped("shutting down");
      try {
        listener.close();
      } catch (error) {
        if (!(error instanceof Deno.errors.BadResource)) throw error;
      }
      await accepting;
      clearInterval(ticker);
      room.shutdown();
      for (const connection of connections) {
        connection.goodbye("shutdown");
      }
      batcher.flush();
      await Promise.allSettled([...tasks]);
      batcher.flush();
      stamped("stopped");
      resolveFinished();
    })();
    return shuttingDown;
  }

  const keepalive = options.keepalive === undefined ? {} : options.keepalive;
  const keepaliveTuned = keepalive !== null &&
    tuneKeepalive((listener.addr as Deno.NetAddr).port, keepalive);

  return {
    addr: listener.addr as Deno.NetAddr,
    room,
    keepaliveTuned,
    shutdown,
    finished,
  };
}
