/**
 * One TCP connection to the server: reads bounded lines, works out the
 * dialect from the first line, bridges to the {@linkcode Room} as a
 * {@linkcode RoomMember}, and writes through a bounded {@linkcode Outbox}.
 *
 * @module
 */

import { LineSplitter } from "./line_splitter.ts";
import { Outbox } from "./outbox.ts";
import { encodePlain } from "./plain_codec.ts";
import {
  type ClientMessage,
  decodeClientMessage,
  encodeMessage,
  isNativeHello,
  type Lang,
  type LeaveReason,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "./protocol.ts";
import type { Room, RoomMember } from "./room.ts";
import { STRINGS } from "./strings.ts";

/** The two wire dialects. */
export type Dialect = "native" | "plain";

/** Options of {@linkcode ChatConnection}. */
export interface ChatConnectionOptions {
  /** Language of plain-dialect users. */
  lang: Lang;
  /** Longest accepted line in bytes. */
  maxLineBytes: number;
  /** Bytes without a newline after which the peer is disconnected. */
  hardLimitBytes: number;
  /** Outbound queue bound in bytes; a member past it is dropped as slow. */
  maxQueueBytes: number;
  /** Milliseconds of silence before a plain user is asked for a name. */
  promptAfterMs: number;
  /** Milliseconds a connection has to choose a name. */
  nameTimeoutMs: number;
  /** Milliseconds of silence after which a native member is pinged. */
  pingAfterMs: number;
  /** Milliseconds of silence after which a member is considered gone. */
  deadAfterMs: number;
  /** Most members in the room (0 = no limit). */
  maxUsers: number;
  /** Writes a line to the server's console. */
  log: (line: string) => void;
}

const encoder = new TextEncoder();
const MIN_READ = 512;
const MAX_READ = 16_384;
const MAX_BAD_LINES = 10;
const MAX_NAME_TRIES = 20;

// Broadcasts hand the same message object to every member: encode it once
// per (dialect, language) and reuse the bytes for the rest of the loop.
let _cachedMessage: ServerMessage | null = null;
const _cachedBytes = new Map<string, Uint8Array>();

function _encode(
  message: ServerMessage,
  dialect: Dialect,
  lang: Lang,
): Uint8Array {
  if (message !== _cachedMessage) {
    _cachedMessage = message;
    _cachedBytes.clear();
  }
  const key = dialect === "native" ? "native" : lang;
  let bytes = _cachedBytes.get(key);
  if (bytes === undefined) {
    bytes = encoder.encode(
      dialect === "native"
        ? encodeMessage(message)
        : encodePlain(message, lang),
    );
    _cachedBytes.set(key, bytes);
  }
  return bytes;
}

/**
 * A connected peer. Call {@linkcode ChatConnection.run} once; it resolves
 * when the connection is over and the room has been told.
 */
export class ChatConnection implements RoomMember {
  /** The member's name once joined, else `""`. */
  name = "";
  /** Where the peer is, as `ip:port`. */
  readonly label: string;
  #lang: Lang;
  #dialect: Dialect | null = null;
  #conn: Deno.Conn;
  #room: Room;
  #options: ChatConnectionOptions;
  #outbox: Outbox;
  #closing: { reason: LeaveReason; detail?: string } | null = null;
  #closed = false;
  #badLines = 0;
  #nameTries = 0;
  #connectedAt = Date.now();
  #lastHeard = this.#connectedAt;
  #gotBytes = false;
  #pinged = false;

  /**
   * @param conn The accepted connection; this object owns and closes it.
   * @param room The room to join.
   * @param label The peer's address for logs.
   * @param options Limits and log.
   */
  constructor(
    conn: Deno.Conn,
    room: Room,
    label: string,
    options: ChatConnectionOptions,
  ) {
    this.#conn = conn;
    this.#room = room;
    this.label = label;
    this.#options = options;
    this.#lang = options.lang;
    this.#outbox = new Outbox((bytes) => conn.write(bytes), {
      maxBytes: options.maxQueueBytes,
      onError: (error) => this.close("error", _describe(error)),
    });
  }

  /** Language for texts addressed to this member. */
  get lang(): Lang {
    return this.#lang;
  }

  /** The dialect, once the first line has shown it. */
  get dialect(): Dialect | null {
    return this.#dialect;
  }

  /**
   * Queues a message for the peer. A peer whose queue is full is dropped.
   *
   * @param message The message.
   */
  send(message: ServerMessage): void {
    if (this.#closed || this.#dialect === null) return;
    const bytes = _encode(message, this.#dialect, this.#lang);
    if (bytes.length === 0) return;
    if (!this.#outbox.push(bytes)) this.close("slow");
  }

  /**
   * Ends the connection: stops reading, flushes what is queued (up to a
   * deadline; not at all for a slow reader), then closes. Idempotent.
   *
   * @param reason Why, for the room and the log.
   * @param detail Extra words.
   */
  close(reason: LeaveReason, detail?: string): void {
    if (this.#closing !== null) return;
    this.#closing = detail === undefined ? { reason } : { reason, detail };
    if (reason === "slow" || reason === "error" || reason === "closed") {
      this.#shut();
      return;
    }
    const deadline = setTimeout(() => this.#shut(), 2000);
    this.#outbox.drained().then(() => {
      clearTimeout(deadline);
      this.#shut();
    });
  }

  /**
   * Says goodbye with a reason and closes, unless already closing. Used for
   * shutdown, so peers still choosing a name are told too.
   *
   * @param reason Why.
   */
  goodbye(reason: LeaveReason): void {
    if (this.#closing === null) this.#bye(reason);
  }

  /**
   * Called by the server every few hundred milliseconds (one timer for all
   * connections, none per connection): asks a silent newcomer for a name,
   * enforces the name deadline, and pings native members that have gone
   * quiet, dropping those that stay silent.
   *
   * @param now Current time in milliseconds.
   */
  tick(now: number): void {
    if (this.#closing !== null) return;
    const options = this.#options;
    if (!this.#room.has(this)) {
      const waited = now - this.#connectedAt;
      if (waited >= options.nameTimeoutMs) this.#bye("timeout");
      else if (
        !this.#gotBytes && this.#dialect === null &&
        waited >= options.promptAfterMs
      ) {
        this.#dialect = "plain";
        this.#notice(STRINGS[this.#lang].askName);
      }
      return;
    }
    if (this.#dialect !== "native") return;
    const silent = now - this.#lastHeard;
    if (silent >= options.deadAfterMs) {
      this.#options.log(
        `${this.label}: no answer for ${
          Math.round(silent / 1000)
        } s; disconnecting`,
      );
      this.#bye("timeout");
    } else if (silent >= options.pingAfterMs && !this.#pinged) {
      this.#pinged = true;
      this.send({ type: "ping", id: now });
    }
  }

  /**
   * Reads until the peer goes away or the connection is closed, then
   * removes the member from the room.
   */
  async run(): Promise<void> {
    const splitter = new LineSplitter({
      onLine: (line) => this.#onLine(line),
      onTooLong: (bytes) => this.#onTooLong(bytes),
    }, {
      maxLineBytes: this.#options.maxLineBytes,
      hardLimitBytes: this.#options.hardLimitBytes,
    });
    let buffer = new Uint8Array(MIN_READ);
    let reason: LeaveReason = "closed";
    let detail: string | undefined;
    try {
      while (this.#closing === null) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#gotBytes = true;
        this.#lastHeard = Date.now();
        this.#pinged = false;
        if (!splitter.push(buffer.subarray(0, n))) {
          this.#options.log(
            `${this.label}: sent more than ${this.#options.hardLimitBytes} bytes without a line break; disconnecting`,
          );
          reason = "protocol";
          detail = "line too long";
          break;
        }
        // Grow the buffer for busy peers, shrink it back for idle ones.
        if (n === buffer.length && buffer.length < MAX_READ) {
          buffer = new Uint8Array(buffer.length * 2);
        } else if (n < buffer.length / 4 && buffer.length > MIN_READ) {
          buffer = new Uint8Array(buffer.length / 2);
        }
      }
      if (this.#closing === null && reason === "closed") {
        const last = splitter.flush();
        if (last !== undefined) this.#onLine(last);
      }
    } catch (error) {
      if (this.#closing === null) {
        reason = _isReset(error) ? "closed" : "error";
        detail = _describe(error);
        if (reason === "error") {
          this.#options.log(`${this.label}: read failed: ${detail}`);
        }
      }
    } finally {
      const closing = this.#closing as
        | { reason: LeaveReason; detail?: string }
        | null;
      if (closing !== null) {
        this.#room.leave(this, closing.reason, closing.detail);
      } else {
        this.#room.leave(
          this,
          reason,
          reason === "protocol" ? detail : undefined,
        );
        this.close(reason, detail);
      }
      await this.#outbox.drained();
      this.#shut();
    }
  }

  #onLine(line: string): void {
    if (this.#closing !== null) return;
    if (this.#dialect === null) {
      if (line.trim() === "") return;
      this.#dialect = isNativeHello(line) ? "native" : "plain";
    }
    if (this.#dialect === "plain") {
      if (this.#room.has(this)) this.#room.input(this, line);
      else if (line.trim() !== "") this.#tryName(line);
      return;
    }
    let message: ClientMessage;
    try {
      message = decodeClientMessage(line);
    } catch (error) {
      this.#badLine((error as Error).message);
      return;
    }
    this.#badLines = 0;
    this.#onMessage(message);
  }

  #onMessage(message: ClientMessage): void {
    switch (message.type) {
      case "hello":
        if (this.#room.has(this)) {
          this.#badLine("already joined");
          return;
        }
        if (Math.trunc(message.version) !== PROTOCOL_VERSION) {
          this.#lang = message.lang ?? this.#lang;
          this.#bye(
            "protocol",
            STRINGS[this.#lang].unsupportedVersion(message.version),
          );
          return;
        }
        if (message.lang) this.#lang = message.lang;
        this.#tryName(message.name);
        return;
      case "input":
        if (this.#room.has(this)) this.#room.input(this, message.text);
        return;
      case "quit":
        if (this.#room.has(this)) {
          this.#room.input(
            this,
            message.reason ? `/quit ${message.reason}` : "/quit",
          );
        } else this.#bye("quit");
        return;
      case "ping":
        this.send({ type: "pong", id: message.id });
        return;
      case "pong":
        return;
    }
  }

  #tryName(requested: string): void {
    const max = this.#options.maxUsers;
    if (max > 0 && this.#room.size >= max) {
      this.#bye("full");
      return;
    }
    const result = this.#room.join(this, requested);
    if (result.ok) return;
    if (++this.#nameTries > MAX_NAME_TRIES) {
      this.#bye("protocol", "too many names refused");
      return;
    }
    this.send({
      type: "name_error",
      name: result.name,
      code: result.code,
      text: STRINGS[this.#lang].nameError(result.code, result.name),
    });
  }

  #onTooLong(bytes: number): void {
    this.send({
      type: "error",
      code: "line_too_long",
      text: STRINGS[this.#lang].lineTooLong(this.#options.maxLineBytes),
    });
    this.#options.log(`${this.label}: refused a line of ${bytes} bytes`);
  }

  #badLine(why: string): void {
    this.send({
      type: "error",
      code: "bad_message",
      text: STRINGS[this.#lang].badMessage(why),
    });
    if (++this.#badLines >= MAX_BAD_LINES) this.#bye("protocol", why);
  }

  #notice(text: string): void {
    this.send({ type: "info", code: "notice", text });
  }

  #bye(reason: LeaveReason, detail?: string): void {
    if (this.#dialect === null) this.#dialect = "plain";
    this.#room.leave(this, reason, detail);
    this.send({
      type: "bye",
      reason,
      text: STRINGS[this.#lang].bye(reason, detail),
    });
    this.close(reason, detail);
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
