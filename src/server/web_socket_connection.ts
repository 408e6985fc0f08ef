/**
 * One WebSocket member of the server: the sibling of
 * {@linkcode ChatConnection} for browsers. Each text frame from the page
 * carries native-dialect lines for a {@linkcode Peer}; each message to the
 * page is one frame holding its JSON line. Limits are the TCP ones: a line
 * over the line limit is refused with an error, a frame over the hard limit
 * disconnects, and a page that does not take its frames is dropped as slow.
 *
 * The slow-reader bound is the socket's `bufferedAmount`, with one
 * difference from TCP. Deno counts a frame as buffered until its write
 * completes, and writes only complete when the event loop turns; a burst
 * handled in one turn (a client's pipelined lines read back to back) so
 * counts in full even for a page that reads at once. So a page is dropped
 * when more than `maxQueueBytes` stays unsent for a second
 * ({@linkcode SLOW_AFTER_MS}, checked by {@linkcode WebSocketConnection.tick}),
 * or at once when its unsent bytes pass {@linkcode BURST_FACTOR} times
 * that, which bounds the memory a page can hold.
 *
 * @module
 */

import { Peer, type PeerOptions } from "./session.ts";
import type { FlushBatcher } from "../transport/outbox.ts";
import type { LeaveReason } from "../protocol/messages.ts";
import type { Hub } from "../hub/hub.ts";
import { NATIVE_CODEC } from "../protocol/native_codec.ts";

/** Options of {@linkcode WebSocketConnection}. */
export interface WebSocketConnectionOptions extends PeerOptions {
  /** Batches notices to many members into fewer frames. */
  batcher?: FlushBatcher;
  /**
   * Gathers the frames of many members over a millisecond or so: a frame
   * costs far more than a line, so fewer, fuller frames.
   */
  framer?: FlushBatcher;
  /** Bytes in one frame past which the page is disconnected. */
  hardLimitBytes: number;
  /**
   * Bytes the socket may hold unsent (its `bufferedAmount`) for longer than
   * {@linkcode SLOW_AFTER_MS}; past it the member is dropped as slow.
   */
  maxQueueBytes: number;
}

/** Milliseconds a page may stay over its outbound bound before it is dropped. */
export const SLOW_AFTER_MS = 1000;

/** Unsent bytes past which a page is dropped at once, in `maxQueueBytes`. */
export const BURST_FACTOR = 16;

// How often drained() looks at bufferedAmount: Deno's WebSocket has no
// event for "everything sent", and drained() is only used while closing
// (for at most the peer's flush deadline).
const DRAIN_POLL_MS = 20;

// WebSocket close codes (RFC 6455 section 7.4.1).
const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;
const CLOSE_TOO_BIG = 1009;

const decoder = new TextDecoder();

/**
 * A peer on an upgraded WebSocket. The socket is watched from the moment
 * this object is made; {@linkcode WebSocketConnection.finished} resolves
 * once the member has left the room and the socket is closed (or closing).
 */
export class WebSocketConnection {
  /** The peer: the room's member for this socket. */
  readonly peer: Peer;
  /** Resolves when the connection is over and the room has been told. */
  readonly finished: Promise<void>;
  #socket: WebSocket;
  #options: WebSocketConnectionOptions;
  #closeSent = false;
  #over = false;
  #detail: string | undefined;
  #resolve: () => void = () => {};
  #waiters: (() => void)[] = [];
  #overSince: number | null = null;
  #poll: ReturnType<typeof setInterval> | undefined;
  // Lines waiting for the next frame: everything queued in one turn of the
  // event loop goes out as one frame (the page splits frames into lines),
  // as TCP members get one write per batch.
  #pending: string[] = [];
  #pendingBytes = 0;
  #scheduled = false;
  #lazy = false;

  /**
   * @param socket The socket from `Deno.upgradeWebSocket`; this object owns
   * and closes it.
   * @param room The room to join.
   * @param label The peer's address for logs.
   * @param options Limits and log.
   */
  constructor(
    socket: WebSocket,
    room: Hub,
    label: string,
    options: WebSocketConnectionOptions,
  ) {
    this.#socket = socket;
    this.#options = options;
    this.finished = new Promise((resolve) => this.#resolve = resolve);
    this.peer = new Peer(room, label, {
      write: (encoded, lazy) => {
        if (socket.readyState !== WebSocket.OPEN) return true;
        // The byte length comes from the broadcast's shared encoding.
        const bytes = encoded.bytes.length;
        const limit = options.maxQueueBytes * BURST_FACTOR;
        if (socket.bufferedAmount + this.#pendingBytes + bytes > limit) {
          return false;
        }
        this.#pending.push(encoded.text);
        this.#pendingBytes += bytes;
        this.#schedule(lazy);
        return true;
      },
      drained: () => this.#drained(),
      shut: () => this.#shut(),
    }, { ...options, codec: NATIVE_CODEC });
    socket.onmessage = (event) => this.#onFrame(event.data);
    socket.onerror = (event) => {
      this.#detail ??= event instanceof ErrorEvent ? event.message : undefined;
    };
    socket.onclose = () => this.#end("closed");
  }

  /**
   * Called by the server every few hundred milliseconds: the peer's
   * deadlines and pings, and the slow-reader check.
   *
   * @param now Current time in milliseconds.
   */
  tick(now: number): void {
    const peer = this.peer;
    peer.tick(now);
    if (this.#over || peer.closing !== null) return;
    if (this.#socket.bufferedAmount <= this.#options.maxQueueBytes) {
      this.#overSince = null;
    } else if (this.#overSince === null) this.#overSince = now;
    else if (now - this.#overSince >= SLOW_AFTER_MS) peer.close("slow");
  }

  #onFrame(data: unknown): void {
    const peer = this.peer;
    if (this.#over || peer.closing !== null) return;
    peer.heard(Date.now());
    const text = typeof data === "string"
      ? data
      : data instanceof ArrayBuffer
      ? decoder.decode(data)
      : "";
    const bytes = _utf8Length(text);
    if (bytes > this.#options.hardLimitBytes) {
      this.#options.log(
        `${peer.label}: sent a frame of ${bytes} bytes, more than ${this.#options.hardLimitBytes}; disconnecting`,
      );
      this.#close(CLOSE_TOO_BIG);
      this.#end("protocol", "line too long");
      return;
    }
    // A frame normally holds one line; more lines, split as over TCP, are
    // accepted too.
    for (const raw of text.split("\n")) {
      if (peer.closing !== null) return;
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line === "") continue;
      const lineBytes = raw === text ? bytes : _utf8Length(line);
      if (lineBytes > this.#options.maxLineBytes) peer.onTooLong(lineBytes);
      else peer.onLine(line);
    }
  }

  /** The connection is over: the room is told, the socket closed. */
  #end(reason: LeaveReason, detail?: string): void {
    if (this.#over) return;
    this.#over = true;
    this.peer.ended(reason, detail ?? this.#detail);
    this.#close();
    this.#release();
    this.#resolve();
  }

  #shut(): void {
    this.#close();
    // A page that never answers the close (or cannot, behind a full
    // buffer) must not stay in the room: finish now. Deferred so that a
    // broadcast that dropped this member ends its loop first.
    queueMicrotask(() => this.#end("closed"));
  }

  #close(code: number = _closeCode(this.peer.closing?.reason)): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    this.#release();
    const state = this.#socket.readyState;
    if (state === WebSocket.CLOSING || state === WebSocket.CLOSED) return;
    try {
      this.#socket.close(code);
    } catch {
      // Not open yet, or already gone: nothing to close.
    }
  }

  #drained(): Promise<void> {
    this.flush();
    if (this.#isDrained()) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#poll ??= setInterval(() => {
        if (this.#isDrained()) this.#release();
      }, DRAIN_POLL_MS);
    });
  }

  #isDrained(): boolean {
    const socket = this.#socket;
    return this.#closeSent || socket.readyState !== WebSocket.OPEN ||
      (socket.bufferedAmount === 0 && this.#pending.length === 0);
  }

  #schedule(lazy: boolean): void {
    if (this.#scheduled) return;
    const batcher = this.#options.batcher;
    if (lazy && batcher !== undefined) {
      if (!this.#lazy) {
        this.#lazy = true;
        batcher.add(this);
      }
      return;
    }
    this.#scheduled = true;
    // An idle socket sends at once (after this turn's other lines); one
    // still sending its last frame gathers lines for the framer's batch,
    // as a TCP member's queue fills while a write is in flight.
    const framer = this.#options.framer;
    if (framer !== undefined && this.#socket.bufferedAmount > 0) {
      framer.add({ flush: () => this.#sendPending() });
    } else queueMicrotask(() => this.#sendPending());
  }

  /** Sends what waits now (the batcher calls this for notices). */
  flush(): void {
    if (this.#pending.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#sendPending());
    }
  }

  #sendPending(): void {
    this.#scheduled = false;
    this.#lazy = false;
    const lines = this.#pending;
    if (lines.length === 0) return;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    try {
      this.#socket.send(lines.length === 1 ? lines[0]! : lines.join(""));
    } catch {
      // Closed under us: the close handler ends the member.
    }
  }

  /** Resolves every drained() waiting: sent, or never to be sent. */
  #release(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}

function _closeCode(reason: LeaveReason | undefined): number {
  switch (reason) {
    case "shutdown":
      return CLOSE_GOING_AWAY;
    case "protocol":
    case "flood":
    case "slow":
    case "limit":
    case "full":
    case "timeout":
      return CLOSE_POLICY;
    default:
      return CLOSE_NORMAL;
  }
}

/**
 * The UTF-8 length of a string, without encoding it (a lone surrogate
 * counts 3 bytes, as U+FFFD does once encoded).
 */
function _utf8Length(text: string): number {
  let bytes = text.length;
  // Fast path for ASCII, the usual case.
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (
      code >= 0xd800 && code <= 0xdbff && i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      bytes += 2; // a pair: 2 units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}
