/**
 * TLS and plain connections on one port: {@linkcode openStream} reads an
 * accepted connection's first bytes, and either completes a TLS handshake
 * on it (a ClientHello) or hands it back as it is, with those bytes still
 * to be read. A TLS client speaks first; a plain one (netcat) may wait to
 * be asked its name, so a connection that stays silent a moment is plain.
 *
 * @module
 */

import { classifyFirstBytes } from "./client_hello.ts";
import type { StreamConn } from "./stream_transport.ts";
import { type TlsServerContext, TlsStream } from "./tls_stream.ts";

// How much one read ahead of the first bytes takes.
const READ_AHEAD_BYTES = 1024;

/** What an accepted connection turned out to be. */
export type OpenedStream =
  /** A TLS connection, its handshake done: read and write cleartext. */
  | { kind: "tls"; conn: TlsStream }
  /** A plain one; its first bytes are read again from `conn`. */
  | { kind: "plain"; conn: StreamConn }
  /** A ClientHello whose handshake failed or never finished: closed. */
  | { kind: "failed"; why: string };

/** Options of {@linkcode openStream}. */
export interface OpenStreamOptions {
  /** The server's TLS context. */
  context: TlsServerContext;
  /**
   * Milliseconds of silence after which the connection is taken as plain.
   * @default {200}
   */
  silentMs?: number;
  /**
   * Milliseconds the first bytes and the TLS handshake may take in all.
   * @default {10000}
   */
  timeoutMs?: number;
  /**
   * Gives up (the server is shutting down): a handshake under way is
   * closed; a connection silent or plain so far is handed back as plain,
   * to be told.
   */
  signal?: AbortSignal;
  /**
   * Asks TLS clients for a certificate (see `TlsAcceptOptions.requestCert`).
   * @default {false}
   */
  requestCert?: boolean;
}

/**
 * Tells TLS from plain by the first bytes, and completes the handshake of
 * a TLS connection. Never throws: a failure closes the connection.
 *
 * @param conn The accepted connection; the result owns it.
 * @param options The TLS context and the time limits.
 * @returns The connection as it turned out to be.
 */
export async function openStream(
  conn: StreamConn,
  options: OpenStreamOptions,
): Promise<OpenedStream> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const replay = new _ReplayConn(conn);
  const fail = (why: string): OpenedStream => {
    replay.close();
    return { kind: "failed", why };
  };
  let limit = options.silentMs ?? 200;
  while (true) {
    const got = await replay.peek(limit, options.signal);
    const bytes = replay.head;
    if (got === "aborted") {
      // A plain peer may still be told why; a handshake is given up.
      if (classifyFirstBytes(bytes) === "plain" || bytes.length === 0) break;
      return fail("the server is shutting down");
    }
    const kind = got === "end" ? "plain" : classifyFirstBytes(bytes);
    if (got === "silent" && bytes.length === 0) break;
    if (kind === "plain") break;
    if (kind === "tls") {
      try {
        const stream = await TlsStream.accept(conn, {
          context: options.context,
          first: replay.take(),
          timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.requestCert ? { requestCert: true } : {}),
        });
        return { kind: "tls", conn: stream };
      } catch (error) {
        return { kind: "failed", why: _describe(error) };
      }
    }
    // The start of a ClientHello, too short to be sure: wait for more, as
    // long as the handshake may take.
    limit = timeoutMs - (Date.now() - started);
    if (limit <= 0 || got === "silent") {
      return fail("the TLS handshake took too long");
    }
  }
  return { kind: "plain", conn: replay };
}

// A connection whose first bytes are read ahead, then read again.
class _ReplayConn implements StreamConn {
  #conn: StreamConn;
  #head = new Uint8Array(0);
  #pending: Promise<"read" | "end"> | null = null;
  #ended = false;
  #error: unknown = undefined;

  constructor(conn: StreamConn) {
    this.#conn = conn;
  }

  /** The bytes read ahead so far. */
  get head(): Uint8Array {
    return this.#head;
  }

  /** Hands over the bytes read ahead. */
  take(): Uint8Array {
    const head = this.#head;
    this.#head = new Uint8Array(0);
    return head;
  }

  /** Reads ahead once more, waiting at most `ms`. */
  async peek(
    ms: number,
    signal: AbortSignal | undefined,
  ): Promise<"read" | "end" | "silent" | "aborted"> {
    if (this.#ended || this.#error !== undefined) return "end";
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<"silent" | "aborted">((resolve) => {
      timer = setTimeout(() => resolve("silent"), ms);
      onAbort = () => resolve("aborted");
      if (signal?.aborted) onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([this.#readAhead(), stop]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
  }

  // One read ahead at a time, its bytes added to the head once, however
  // many wait for it: a peek that gave up waiting and the read after it
  // share the one outcome. Its buffer lives only while it is in flight: a
  // connection past its first bytes keeps none.
  #readAhead(): Promise<"read" | "end"> {
    if (this.#pending !== null) return this.#pending;
    const buffer = new Uint8Array(READ_AHEAD_BYTES);
    this.#pending = this.#conn.read(buffer).then((n) => {
      this.#pending = null;
      if (n === null) {
        this.#ended = true;
        return "end" as const;
      }
      const head = new Uint8Array(this.#head.length + n);
      head.set(this.#head);
      head.set(buffer.subarray(0, n), this.#head.length);
      this.#head = head;
      return "read" as const;
    }, (error) => {
      this.#pending = null;
      this.#error = error;
      return "end" as const;
    });
    return this.#pending;
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    if (this.#pending !== null) await this.#readAhead();
    if (this.#head.length > 0) {
      const n = Math.min(buffer.length, this.#head.length);
      buffer.set(this.#head.subarray(0, n));
      this.#head = this.#head.subarray(n);
      return n;
    }
    if (this.#error !== undefined) throw this.#error;
    if (this.#ended) return null;
    return await this.#conn.read(buffer);
  }

  write(bytes: Uint8Array): Promise<number> {
    return this.#conn.write(bytes);
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

function _describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.charAt(0).toLowerCase() + message.slice(1);
}
