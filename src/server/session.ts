/**
 * One peer of the server, whatever carries its lines (TCP, WebSocket): works
 * out the dialect from the first line, handles the hello and name attempts,
 * decodes native messages, keeps the deadlines and pings, and is the
 * peer's {@linkcode Member} in the room. The transport only moves lines.
 *
 * @module
 */

import {
  isNotice,
  type Lang,
  type LeaveReason,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../protocol/messages.ts";
import type { Hub } from "../hub/hub.ts";
import type { Member } from "../hub/member.ts";
import { STRINGS } from "../i18n/server_strings.ts";
import type { Codec, CodecId, Intent } from "../protocol/codec.ts";
import {
  type Encoded,
  encodedText,
  encodeOnce,
} from "../protocol/encode_cache.ts";
import { FALLBACK_CODEC, sniff } from "../protocol/sniff.ts";

/** What a {@linkcode Peer} needs from the connection that carries it. */
export interface PeerTransport {
  /**
   * Queues encoded line(s) for the peer. Never blocks.
   *
   * @returns `false` when the peer's outbound queue is over its bound.
   */
  write(encoded: Encoded, lazy: boolean): boolean;
  /** Resolves when everything queued has been written (or writing failed). */
  drained(): Promise<void>;
  /** Closes the connection now; idempotent. */
  shut(): void;
}

/** Options of {@linkcode Peer}. */
export interface PeerOptions {
  /** Language of plain-dialect users, and of native users until their hello. */
  lang: Lang;
  /** The codec, when the transport decides it (WebSocket is native). */
  codec?: Codec<unknown, CodecId>;
  /** Longest accepted line in bytes, for the error text. */
  maxLineBytes: number;
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

/** Why a peer is closing. */
export interface Closing {
  reason: LeaveReason;
  detail?: string;
}

const MAX_BAD_LINES = 10;
const MAX_NAME_TRIES = 20;
const FLUSH_DEADLINE_MS = 1500;

/**
 * A connected peer, before and after it joins the room.
 */
export class Peer implements Member {
  /** The member's name once joined, else `""`. */
  name = "";
  /** Where the peer is, as `ip:port`. */
  readonly label: string;
  #lang: Lang;
  #codec: Codec<unknown, CodecId> | null = null;
  #state: unknown = null;
  #room: Hub;
  #transport: PeerTransport;
  #options: PeerOptions;
  #closing: Closing | null = null;
  #shut = false;
  #badLines = 0;
  #nameTries = 0;
  #connectedAt = Date.now();
  #lastHeard = this.#connectedAt;
  #heard = false;
  #pinged = false;

  /**
   * @param room The room to join.
   * @param label The peer's address for logs.
   * @param transport The connection carrying the peer's lines.
   * @param options Limits, deadlines and log.
   */
  constructor(
    room: Hub,
    label: string,
    transport: PeerTransport,
    options: PeerOptions,
  ) {
    this.#room = room;
    this.label = label;
    this.#transport = transport;
    this.#options = options;
    this.#lang = options.lang;
    if (options.codec !== undefined) this.#choose(options.codec);
  }

  /** Language for texts addressed to this member. */
  get lang(): Lang {
    return this.#lang;
  }

  /** Whether the hub has accepted the member's name. */
  get joined(): boolean {
    return this.#room.has(this);
  }

  /** The codec, once the first line has shown it. */
  get codec(): CodecId | null {
    return this.#codec?.id ?? null;
  }

  /** Why the peer is closing, or `null` while it is open. */
  get closing(): Closing | null {
    return this.#closing;
  }

  /**
   * Queues a message for the peer. A peer whose queue is full is dropped.
   *
   * @param message The message.
   */
  deliver(message: ServerMessage): void {
    const codec = this.#codec;
    if (this.#shut || codec === null) return;
    this.#write(encodeOnce(message, codec, this.#state), isNotice(message));
  }

  /**
   * Ends the connection: stops taking input, flushes what is queued (up to
   * a deadline; not at all for a slow reader or a broken connection), then
   * closes. Idempotent.
   *
   * @param reason Why, for the room and the log.
   * @param detail Extra words.
   */
  close(reason: LeaveReason, detail?: string): void {
    if (this.#closing !== null) return;
    this.#closing = detail === undefined ? { reason } : { reason, detail };
    if (reason === "slow" || reason === "error" || reason === "closed") {
      this.#shutNow();
      return;
    }
    const deadline = setTimeout(() => this.#shutNow(), FLUSH_DEADLINE_MS);
    this.#transport.drained().then(() => {
      clearTimeout(deadline);
      this.#shutNow();
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
   * The transport ended (the peer went away, or its connection broke or
   * was closed): removes the member from the room with the first reason
   * given, and finishes closing.
   *
   * @param reason Why, unless the peer was already closing.
   * @param detail Extra words for the room (only for protocol errors).
   */
  ended(reason: LeaveReason, detail?: string): void {
    const closing = this.#closing;
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
  }

  /**
   * Notes that bytes arrived: the peer is alive.
   *
   * @param now Current time in milliseconds.
   */
  heard(now: number): void {
    this.#heard = true;
    this.#lastHeard = now;
    this.#pinged = false;
  }

  /**
   * Called by the server every few hundred milliseconds (one timer for all
   * peers, none per peer): asks a silent newcomer for a name, enforces the
   * name deadline, and pings native members that have gone quiet, dropping
   * those that stay silent.
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
        !this.#heard && this.#codec === null &&
        waited >= options.promptAfterMs
      ) {
        this.#choose(FALLBACK_CODEC);
        this.#notice(STRINGS[this.#lang].askName);
      }
      return;
    }
    if (!this.#codec?.pings) return;
    const silent = now - this.#lastHeard;
    if (silent >= options.deadAfterMs) {
      options.log(
        `${this.label}: no answer for ${
          Math.round(silent / 1000)
        } s; disconnecting`,
      );
      this.#bye("timeout");
    } else if (silent >= options.pingAfterMs && !this.#pinged) {
      this.#pinged = true;
      this.deliver({ type: "ping", id: now });
    }
  }

  /**
   * Handles one complete line from the peer.
   *
   * @param line The line, decoded, without its line ending.
   */
  onLine(line: string): void {
    if (this.#closing !== null) return;
    let codec = this.#codec;
    if (codec === null) {
      if (line.trim() === "") return;
      codec = this.#choose(sniff(line));
    }
    const decoded = codec.decode(line, this.#state);
    if (decoded === null) {
      this.#badLines = 0;
      return;
    }
    switch (decoded.type) {
      case "bad":
        this.#badLine(decoded.why);
        return;
      case "reply":
        this.#badLines = 0;
        this.#write(encodedText(decoded.text), false);
        return;
      default:
        // A well-formed line ends a run of bad lines; a second hello is
        // well-formed but still bad, and must not reset the count.
        if (decoded.type !== "hello" || !this.#room.has(this)) {
          this.#badLines = 0;
        }
        this.#onIntent(decoded);
    }
  }

  /**
   * Reports a line that was over the limit and dropped.
   *
   * @param bytes Its length.
   */
  onTooLong(bytes: number): void {
    if (this.#codec === null) this.#choose(FALLBACK_CODEC);
    this.deliver({
      type: "error",
      code: "line_too_long",
      text: STRINGS[this.#lang].lineTooLong(this.#options.maxLineBytes),
    });
    this.#options.log(`${this.label}: refused a line of ${bytes} bytes`);
  }

  #onIntent(message: Intent): void {
    switch (message.type) {
      case "hello":
        if (this.#room.has(this)) {
          this.#badLine("already joined");
          return;
        }
        if (message.lang) this.#lang = message.lang;
        if (
          message.version !== undefined &&
          Math.trunc(message.version) !== PROTOCOL_VERSION
        ) {
          this.#bye(
            "protocol",
            STRINGS[this.#lang].unsupportedVersion(message.version),
          );
          return;
        }
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
    }
  }

  #tryName(requested: string): void {
    const max = this.#options.maxUsers;
    if (max > 0 && this.#room.size >= max) {
      this.#bye("full");
      return;
    }
    const result = this.#room.register(this, requested);
    if (result.ok) return;
    if (++this.#nameTries > MAX_NAME_TRIES) {
      this.#bye("protocol", "too many names refused");
      return;
    }
    this.deliver({
      type: "name_error",
      name: result.name,
      code: result.code,
      text: STRINGS[this.#lang].nameError(result.code, result.name),
    });
  }

  #badLine(why: string): void {
    this.deliver({
      type: "error",
      code: "bad_message",
      text: STRINGS[this.#lang].badMessage(why),
    });
    if (++this.#badLines >= MAX_BAD_LINES) this.#bye("protocol", why);
  }

  #notice(text: string): void {
    this.deliver({ type: "info", code: "notice", text });
  }

  #bye(reason: LeaveReason, detail?: string): void {
    if (this.#codec === null) this.#choose(FALLBACK_CODEC);
    this.#room.leave(this, reason, detail);
    this.deliver({
      type: "bye",
      reason,
      text: STRINGS[this.#lang].bye(reason, detail),
    });
    this.close(reason, detail);
  }

  #choose(codec: Codec<unknown, CodecId>): Codec<unknown, CodecId> {
    this.#codec = codec;
    this.#state = codec.open(this);
    return codec;
  }

  #write(encoded: Encoded, lazy: boolean): void {
    if (this.#shut || encoded.bytes.length === 0) return;
    if (!this.#transport.write(encoded, lazy)) this.close("slow");
  }

  #shutNow(): void {
    if (this.#shut) return;
    this.#shut = true;
    this.#transport.shut();
  }
}
