/**
 * Bounded lines over a byte stream (a TCP connection today, TLS later):
 * reads through a {@linkcode TelnetFilter} (a telnet client's negotiation
 * is refused, never read as text) and a {@linkcode LineSplitter} into a
 * {@linkcode TransportSink}, writes through a bounded {@linkcode Outbox}.
 *
 * @module
 */

import { LineSplitter } from "./line_splitter.ts";
import { Outbox } from "./outbox.ts";
import { TelnetFilter } from "./telnet_filter.ts";
import {
  type CloseCode,
  type EndReason,
  type LineTransport,
  type LineTransportOptions,
  type LineTransportSettings,
  lineTransportSettings,
  type TransportEnd,
  type TransportSink,
  type Wire,
} from "./line_transport.ts";

/** The part of a `Deno.Conn` a {@linkcode StreamTransport} uses. */
export interface StreamConn {
  /**
   * Reads into `buffer`.
   *
   * @param buffer Where to put the bytes.
   * @returns How many bytes were read, or `null` at the end.
   */
  read(buffer: Uint8Array): Promise<number | null>;
  /**
   * Writes some of `bytes`.
   *
   * @param bytes What to write.
   * @returns How many bytes were written.
   */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes the connection. */
  close(): void;
}

/**
 * Options of {@linkcode StreamTransport}: a write past `maxQueueBytes`
 * queued is refused at once.
 */
export type StreamTransportOptions = LineTransportOptions;

// Reads start small, so an idle connection holds little, and grow for busy
// peers.
const MIN_READ = 512;
const MAX_READ = 16_384;

/**
 * A line transport over a byte stream. It owns the connection and closes
 * it.
 */
export class StreamTransport implements LineTransport {
  /** Where the peer is, for logs. */
  readonly label: string;
  /** The peer's IP address. */
  readonly ip: string;
  #conn: StreamConn;
  #outbox: Outbox;
  #settings: LineTransportSettings;
  #closed = false;
  #writeError: string | undefined;

  /**
   * Wraps an accepted connection; nothing is read until
   * {@linkcode StreamTransport.run}.
   *
   * @param conn The accepted connection; this object owns and closes it.
   * @param options Where the peer is, limits and log.
   */
  constructor(conn: StreamConn, options: StreamTransportOptions) {
    const settings = lineTransportSettings(options);
    this.label = settings.label;
    this.ip = settings.ip;
    this.#settings = settings;
    this.#conn = conn;
    this.#outbox = new Outbox((bytes) => conn.write(bytes), {
      maxBytes: settings.maxQueueBytes,
      onError: (error) => {
        // The read loop then ends, and says why.
        this.#writeError ??= _describe(error);
        this.close("normal");
      },
      ...(settings.batcher ? { batcher: settings.batcher } : {}),
      ...(settings.busy ? { busy: settings.busy } : {}),
      beforeWrite: settings.beforeWrite,
    });
  }

  /**
   * Queues line(s). Never blocks.
   *
   * @param wire The encoded line(s).
   * @param lazy `true` when they may wait for the batcher.
   * @returns `false` when the queue is over its bound.
   */
  write(wire: Wire, lazy: boolean): boolean {
    return this.#outbox.push(wire.bytes, lazy);
  }

  /**
   * The outbox bound is checked on each write, so there is nothing to do
   * over time.
   *
   * @param _now Current time in milliseconds.
   * @returns `true`.
   */
  keepsUp(_now: number): boolean {
    return true;
  }

  /**
   * Resolves when everything queued has been written, or writing failed.
   *
   * @returns A promise that resolves when the queue is empty.
   */
  drained(): Promise<void> {
    return this.#outbox.drained();
  }

  /**
   * Reads until the peer goes away, the connection breaks or is closed, or
   * the sink stops listening.
   *
   * @param sink Receives lines and liveness.
   * @returns Why it ended.
   */
  async run(sink: TransportSink): Promise<TransportEnd> {
    const { hardLimitBytes, log } = this.#settings;
    const splitter = new LineSplitter(sink, this.#settings);
    // The refusals are queued like any line; a peer too slow to take them
    // is dropped by the next line it is sent.
    const telnet = new TelnetFilter({
      onReply: (bytes) => this.#outbox.push(bytes),
    });
    let buffer = new Uint8Array(MIN_READ);
    let reason: EndReason = "closed";
    let detail: string | undefined;
    // Only reading is guarded: a read that fails ends the connection with a
    // reason, while a fault in the sink (the chat, while it handles a line)
    // rejects run(), so whoever runs the session logs it as a bug.
    try {
      while (sink.listening) {
        let n: number | null;
        try {
          n = await this.#conn.read(buffer);
        } catch (error) {
          throw new _ReadError(error);
        }
        if (n === null) {
          reason = "eof";
          break;
        }
        const text = telnet.filter(buffer.subarray(0, n));
        // Negotiation alone is not the peer speaking: a telnet client that
        // sent only that is still asked for its name.
        if (text.length > 0) {
          sink.heard(Date.now());
          if (!splitter.push(text)) {
            log(
              `${this.label}: sent more than ${hardLimitBytes} bytes without a line break; disconnecting`,
            );
            reason = "too_long";
            break;
          }
        }
        if (n === buffer.length && buffer.length < MAX_READ) {
          buffer = new Uint8Array(buffer.length * 2);
        } else if (n < buffer.length / 4 && buffer.length > MIN_READ) {
          buffer = new Uint8Array(buffer.length / 2);
        }
      }
      if (sink.listening && reason === "eof") {
        const last = splitter.flush();
        if (last !== undefined) sink.onLine(last);
      }
    } catch (thrown) {
      if (!(thrown instanceof _ReadError)) throw thrown;
      const error = thrown.cause;
      if (this.#closed || !sink.listening) reason = "closed";
      else {
        // Keepalive probes unanswered: the peer vanished.
        reason = error instanceof Deno.errors.TimedOut
          ? "timeout"
          : _isReset(error)
          ? "reset"
          : "read_failed";
        detail = _describe(error);
        if (reason === "read_failed") {
          log(`${this.label}: read failed: ${detail}`);
        }
      }
    }
    // A failed write closed the connection, which ended the read.
    const failed = this.#writeError;
    if (failed !== undefined) return { reason: "write_failed", detail: failed };
    return detail === undefined ? { reason } : { reason, detail };
  }

  /**
   * Closes the connection now. Idempotent.
   *
   * @param _code Unused: a byte stream has no close codes.
   */
  close(_code: CloseCode): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }
}

// A failed read, told apart from a fault in the sink.
class _ReadError extends Error {
  constructor(cause: unknown) {
    super("read failed", { cause });
  }
}

function _isReset(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.UnexpectedEof;
}

function _describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
