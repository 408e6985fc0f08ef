/**
 * Bounded lines over a WebSocket: the sibling of
 * {@linkcode StreamTransport} for browsers. Each text frame from the page
 * carries one line (more, split as over TCP, are accepted too); lines to the
 * page are gathered into frames. Limits are the TCP ones: a line over the
 * line limit is reported to the sink, a frame over the hard limit
 * disconnects, and a page that does not take its frames is reported as slow.
 *
 * The slow-reader bound is the socket's `bufferedAmount`, with one
 * difference from TCP. Deno counts a frame as buffered until its write
 * completes, and writes only complete when the event loop turns; a burst
 * handled in one turn (a client's pipelined lines read back to back) so
 * counts in full even for a page that reads at once. So a page is slow
 * when more than `maxQueueBytes` stays unsent for a second
 * ({@linkcode SLOW_AFTER_MS}, checked by
 * {@linkcode WebSocketTransport.keepsUp}), or at once when its unsent bytes
 * pass {@linkcode BURST_FACTOR} times that, which bounds the memory a page
 * can hold.
 *
 * @module
 */

import type { FlushBatcher } from "./outbox.ts";
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

/**
 * Options of {@linkcode WebSocketTransport}. A page is slow when its socket
 * holds more than `maxQueueBytes` unsent for {@linkcode SLOW_AFTER_MS}, or
 * {@linkcode BURST_FACTOR} times that at once; `hardLimitBytes` bounds a
 * frame.
 */
export interface WebSocketTransportOptions extends LineTransportOptions {
  /**
   * Gathers the frames of many members over a millisecond or so: a frame
   * costs far more than a line, so fewer, fuller frames.
   * @default {undefined} each socket sends on its own
   */
  framer?: FlushBatcher;
}

/** Milliseconds a page may stay over its outbound bound before it is slow. */
export const SLOW_AFTER_MS = 1000;

/** Unsent bytes past which a page is slow at once, in `maxQueueBytes`. */
export const BURST_FACTOR = 16;

// How often drained() looks at bufferedAmount: Deno's WebSocket has no
// event for "everything sent", and drained() is only used while closing
// (for at most the session's flush deadline).
const DRAIN_POLL_MS = 20;

// WebSocket close codes (RFC 6455 section 7.4.1).
const CLOSE_CODES: Readonly<Record<CloseCode, number>> = {
  normal: 1000,
  going_away: 1001,
  policy: 1008,
};
const CLOSE_TOO_BIG = 1009;

const decoder = new TextDecoder();

/**
 * A line transport on an upgraded WebSocket. Call
 * {@linkcode WebSocketTransport.run} as soon as it is made: it watches the
 * socket from then on.
 */
export class WebSocketTransport implements LineTransport {
  /** Where the page is, for logs. */
  readonly label: string;
  /** The page's IP address. */
  readonly ip: string;
  #socket: WebSocket;
  #settings: LineTransportSettings;
  #framer: FlushBatcher | undefined;
  #closeSent = false;
  #over = false;
  #detail: string | undefined;
  #resolve: (end: TransportEnd) => void = () => {};
  #reject: (error: unknown) => void = () => {};
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
   * Wraps an upgraded socket; frames are watched from
   * {@linkcode WebSocketTransport.run} on.
   *
   * @param socket The socket from `Deno.upgradeWebSocket`; this object owns
   * and closes it.
   * @param options Where the page is, limits and log.
   */
  constructor(socket: WebSocket, options: WebSocketTransportOptions) {
    const settings = lineTransportSettings(options);
    this.label = settings.label;
    this.ip = settings.ip;
    this.#settings = settings;
    this.#socket = socket;
    this.#framer = options.framer;
  }

  /**
   * Queues line(s) for the next frame. Never blocks.
   *
   * @param wire The encoded line(s).
   * @param lazy `true` when they may wait for the batcher.
   * @returns `false` when the unsent bytes would pass
   * {@linkcode BURST_FACTOR} times the bound.
   */
  write(wire: Wire, lazy: boolean): boolean {
    const socket = this.#socket;
    if (socket.readyState !== WebSocket.OPEN) return true;
    const bytes = wire.bytes.length;
    const limit = this.#settings.maxQueueBytes * BURST_FACTOR;
    if (socket.bufferedAmount + this.#pendingBytes + bytes > limit) {
      return false;
    }
    this.#pending.push(wire.text);
    this.#pendingBytes += bytes;
    this.#schedule(lazy);
    return true;
  }

  /**
   * The slow-reader check, once per tick: over the bound now and for
   * {@linkcode SLOW_AFTER_MS} is too slow.
   *
   * @param now Current time in milliseconds.
   * @returns `false` when the page has stayed over its bound too long.
   */
  keepsUp(now: number): boolean {
    if (this.#over) return true;
    if (this.#socket.bufferedAmount <= this.#settings.maxQueueBytes) {
      this.#overSince = null;
    } else if (this.#overSince === null) this.#overSince = now;
    else if (now - this.#overSince >= SLOW_AFTER_MS) return false;
    return true;
  }

  /**
   * Resolves when every frame has left, or never will (closed).
   *
   * @returns A promise that resolves when nothing waits to be sent.
   */
  drained(): Promise<void> {
    this.flush();
    if (this.#isDrained()) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#poll ??= setInterval(() => {
        if (this.#isDrained()) this.#release();
      }, DRAIN_POLL_MS);
    });
  }

  /**
   * Watches the socket: frames become lines for the sink, until the socket
   * closes, a frame is too big, or {@linkcode WebSocketTransport.close} is
   * called.
   *
   * @param sink Receives lines and liveness.
   * @returns Why it ended.
   */
  run(sink: TransportSink): Promise<TransportEnd> {
    const socket = this.#socket;
    const ended = new Promise<TransportEnd>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    socket.onmessage = (event) => {
      try {
        this.#onFrame(sink, event.data);
      } catch (error) {
        // A fault in the sink (the chat, while it handles a line): the
        // socket closes and run() rejects, so whoever runs the session
        // logs it as a bug; it never escapes into the event loop.
        this.#fail(error);
      }
    };
    socket.onerror = (event) => {
      this.#detail ??= event instanceof ErrorEvent ? event.message : undefined;
    };
    socket.onclose = () => this.#end("closed");
    return ended;
  }

  /**
   * Closes the socket with a code, and ends {@linkcode WebSocketTransport.run}.
   * Idempotent.
   *
   * @param code Why, for the page.
   */
  close(code: CloseCode): void {
    this.#closeSocket(CLOSE_CODES[code]);
    // A page that never answers the close (or cannot, behind a full
    // buffer) must not keep the session: end now. Deferred so that a
    // broadcast that dropped this page ends its loop first.
    queueMicrotask(() => this.#end("closed"));
  }

  /** Sends what waits now (the batcher calls this for lazy lines). */
  flush(): void {
    if (this.#pending.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#sendPending());
    }
  }

  #onFrame(sink: TransportSink, data: unknown): void {
    if (this.#over || !sink.listening) return;
    sink.heard(Date.now());
    const text = typeof data === "string"
      ? data
      : data instanceof ArrayBuffer
      ? decoder.decode(data)
      : "";
    const { hardLimitBytes, maxLineBytes } = this.#settings;
    const bytes = _utf8Length(text);
    if (bytes > hardLimitBytes) {
      this.#settings.log(
        `${this.label}: sent a frame of ${bytes} bytes, more than ${hardLimitBytes}; disconnecting`,
      );
      this.#closeSocket(CLOSE_TOO_BIG);
      this.#end("too_long");
      return;
    }
    // A frame normally holds one line; more lines, split as over TCP, are
    // accepted too.
    for (const raw of text.split("\n")) {
      if (!sink.listening) return;
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line === "") continue;
      const lineBytes = raw === text ? bytes : _utf8Length(line);
      if (lineBytes > maxLineBytes) sink.onTooLong(lineBytes);
      else sink.onLine(line);
    }
  }

  /** A fault while handling a frame: the socket is closed, run() rejects. */
  #fail(error: unknown): void {
    if (this.#over) return;
    this.#over = true;
    this.#closeSocket(CLOSE_CODES.going_away);
    this.#release();
    this.#reject(error);
  }

  /** The input is over: the socket is closed, run() resolves. */
  #end(reason: EndReason): void {
    if (this.#over) return;
    this.#over = true;
    // Only when the page closed first: the socket is closing already.
    this.#closeSocket(CLOSE_CODES.normal);
    this.#release();
    const detail = this.#detail;
    this.#resolve(detail === undefined ? { reason } : { reason, detail });
  }

  #closeSocket(code: number): void {
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

  #isDrained(): boolean {
    const socket = this.#socket;
    return this.#closeSent || socket.readyState !== WebSocket.OPEN ||
      (socket.bufferedAmount === 0 && this.#pending.length === 0);
  }

  #schedule(lazy: boolean): void {
    if (this.#scheduled) return;
    const batcher = this.#settings.batcher;
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
    const framer = this.#framer;
    if (framer !== undefined && this.#socket.bufferedAmount > 0) {
      framer.add({ flush: () => this.#sendPending() });
    } else queueMicrotask(() => this.#sendPending());
  }

  #sendPending(): void {
    this.#scheduled = false;
    this.#lazy = false;
    const lines = this.#pending;
    if (lines.length === 0) return;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    this.#settings.beforeWrite();
    try {
      this.#socket.send(lines.length === 1 ? lines[0]! : lines.join(""));
    } catch {
      // Closed under us: the close handler ends the input.
    }
  }

  /** Resolves every drained() waiting: sent, or never to be sent. */
  #release(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
    for (const resolve of this.#waiters.splice(0)) resolve();
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
