/**
 * One TCP connection to the server: reads bounded lines into a
 * {@linkcode Peer} and writes through a bounded {@linkcode Outbox}.
 *
 * @module
 */

import { LineSplitter } from "../transport/line_splitter.ts";
import { type FlushBatcher, Outbox } from "../transport/outbox.ts";
import { Peer, type PeerOptions } from "./session.ts";
import type { LeaveReason } from "../protocol/messages.ts";
import type { Hub } from "../hub/hub.ts";

/** Options of {@linkcode ChatConnection}. */
export interface ChatConnectionOptions extends PeerOptions {
  /** Bytes without a newline after which the peer is disconnected. */
  hardLimitBytes: number;
  /** Outbound queue bound in bytes; a member past it is dropped as slow. */
  maxQueueBytes: number;
  /** Batches notices to many members into fewer writes. */
  batcher?: FlushBatcher;
}

// Reads start small, so an idle connection holds little, and grow for busy
// peers.
const MIN_READ = 512;
const MAX_READ = 16_384;

/**
 * A TCP peer. Call {@linkcode ChatConnection.run} once; it resolves when the
 * connection is over and the room has been told.
 */
export class ChatConnection {
  /** The peer: the room's member for this connection. */
  readonly peer: Peer;
  #conn: Deno.Conn;
  #outbox: Outbox;
  #options: ChatConnectionOptions;
  #closed = false;

  /**
   * @param conn The accepted connection; this object owns and closes it.
   * @param room The room to join.
   * @param label The peer's address for logs.
   * @param options Limits and log.
   */
  constructor(
    conn: Deno.Conn,
    room: Hub,
    label: string,
    options: ChatConnectionOptions,
  ) {
    this.#conn = conn;
    this.#options = options;
    this.#outbox = new Outbox((bytes) => conn.write(bytes), {
      maxBytes: options.maxQueueBytes,
      onError: (error) => this.peer.close("error", _describe(error)),
      ...(options.batcher ? { batcher: options.batcher } : {}),
    });
    const outbox = this.#outbox;
    this.peer = new Peer(room, label, {
      write: (encoded, lazy) => outbox.push(encoded.bytes, lazy),
      drained: () => outbox.drained(),
      shut: () => this.#shut(),
    }, options);
  }

  /**
   * Reads until the peer goes away or the connection is closed, then
   * removes the member from the room.
   */
  async run(): Promise<void> {
    const peer = this.peer;
    const splitter = new LineSplitter({
      onLine: (line) => peer.onLine(line),
      onTooLong: (bytes) => peer.onTooLong(bytes),
    }, {
      maxLineBytes: this.#options.maxLineBytes,
      hardLimitBytes: this.#options.hardLimitBytes,
    });
    let buffer = new Uint8Array(MIN_READ);
    let reason: LeaveReason = "closed";
    let detail: string | undefined;
    try {
      while (peer.closing === null) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        peer.heard(Date.now());
        if (!splitter.push(buffer.subarray(0, n))) {
          this.#options.log(
            `${peer.label}: sent more than ${this.#options.hardLimitBytes} bytes without a line break; disconnecting`,
          );
          reason = "protocol";
          detail = "line too long";
          break;
        }
        if (n === buffer.length && buffer.length < MAX_READ) {
          buffer = new Uint8Array(buffer.length * 2);
        } else if (n < buffer.length / 4 && buffer.length > MIN_READ) {
          buffer = new Uint8Array(buffer.length / 2);
        }
      }
      if (peer.closing === null && reason === "closed") {
        const last = splitter.flush();
        if (last !== undefined) peer.onLine(last);
      }
    } catch (error) {
      if (peer.closing === null) {
        // Keepalive probes unanswered: the peer vanished.
        reason = error instanceof Deno.errors.TimedOut
          ? "timeout"
          : _isReset(error)
          ? "closed"
          : "error";
        detail = _describe(error);
        if (reason === "error") {
          this.#options.log(`${peer.label}: read failed: ${detail}`);
        }
      }
    } finally {
      peer.ended(reason, detail);
      await this.#outbox.drained();
      this.#shut();
    }
  }

  #shut(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
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
