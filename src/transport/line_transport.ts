/**
 * What carries one peer's lines, whatever the bytes travel on (TCP, TLS,
 * WebSocket): bounded lines in, encoded lines out, and why it ended. A line
 * transport knows nothing of chat; the server's session drives it.
 *
 * @module
 */

import {
  DEFAULT_HARD_LIMIT_BYTES,
  DEFAULT_MAX_LINE_BYTES,
  type LineSink,
} from "./line_splitter.ts";
import { DEFAULT_OUTBOX_BYTES, type FlushBatcher } from "./outbox.ts";
import type { BusyGate } from "./busy_gate.ts";

/** What every line transport is told: where the peer is, its limits, the log. */
export interface LineTransportOptions {
  /** Where the peer is, for logs (`127.0.0.1:50312`, `web 127.0.0.1:50312`). */
  label: string;
  /** The peer's IP address. */
  ip: string;
  /**
   * Longest accepted line in bytes; longer ones are reported to the sink
   * and dropped.
   * @default {8192}
   */
  maxLineBytes?: number;
  /**
   * Bytes without a line break (or in one frame) past which the peer is
   * cut off: it is not speaking a line protocol.
   * @default {65536}
   */
  hardLimitBytes?: number;
  /**
   * Outbound bytes a peer may leave unread; past it (at once, or for a
   * while, as the transport says) it is reported slow.
   * @default {262144}
   */
  maxQueueBytes?: number;
  /**
   * Batches lazy writes (notices to many peers) into fewer writes.
   * @default {undefined} lazy writes go out with the next write
   */
  batcher?: FlushBatcher;
  /**
   * Fewer, larger writes while the process is busy (stream transports).
   * @default {undefined} never waits
   */
  busy?: BusyGate;
  /**
   * Writes a line to the server's console.
   * @default {() => {}}
   */
  log?: (line: string) => void;
  /**
   * Called right before bytes are handed to the system, every write: the
   * server commits the lines it stored there, so nothing reaches a peer
   * before it is stored. Cheap when there is nothing to do; never throws.
   * @default {() => {}}
   */
  beforeWrite?: () => void;
}

/** {@linkcode LineTransportOptions} with every default filled in. */
export interface LineTransportSettings {
  /** Where the peer is, for logs. */
  readonly label: string;
  /** The peer's IP address. */
  readonly ip: string;
  /** Longest accepted line in bytes. */
  readonly maxLineBytes: number;
  /** Bytes without a line break (or in one frame) past which the peer is cut off. */
  readonly hardLimitBytes: number;
  /** Outbound bytes a peer may leave unread. */
  readonly maxQueueBytes: number;
  /** Batches lazy writes, if any. */
  readonly batcher: FlushBatcher | undefined;
  /** Fewer, larger writes while busy, if any. */
  readonly busy: BusyGate | undefined;
  /** Writes a line to the server's console. */
  readonly log: (line: string) => void;
  /** Called right before each write. */
  readonly beforeWrite: () => void;
}

/**
 * Fills in the defaults of a transport's options, once for every transport.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { lineTransportSettings } from "./line_transport.ts";
 *
 * const settings = lineTransportSettings({ label: "a", ip: "127.0.0.1" });
 * assertEquals(settings.maxLineBytes, 8192);
 * ```
 *
 * @param options What the gateway gave.
 * @returns Every setting.
 */
export function lineTransportSettings(
  options: LineTransportOptions,
): LineTransportSettings {
  return {
    label: options.label,
    ip: options.ip,
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    hardLimitBytes: options.hardLimitBytes ?? DEFAULT_HARD_LIMIT_BYTES,
    maxQueueBytes: options.maxQueueBytes ?? DEFAULT_OUTBOX_BYTES,
    batcher: options.batcher,
    busy: options.busy,
    log: options.log ?? (() => {}),
    beforeWrite: options.beforeWrite ?? (() => {}),
  };
}

/** Encoded line(s) to write, in both forms: text for frames, bytes for streams. */
export interface Wire {
  /** The line(s), each ending in `\n`. */
  readonly text: string;
  /** The same, as UTF-8; not copied, so never modify it. */
  readonly bytes: Uint8Array;
}

/** How the transport is closed, for transports that tell (WebSocket close codes). */
export type CloseCode =
  /** Done: quit, or the connection is over. */
  | "normal"
  /** The server is going away. */
  | "going_away"
  /** The peer broke a rule (flood, slow, timeout, protocol, limits). */
  | "policy";

/** Why a transport's input ended. */
export type EndReason =
  /** The peer finished sending. */
  | "eof"
  /** {@linkcode LineTransport.close} was called, or the peer closed. */
  | "closed"
  /** The connection was reset or broken. */
  | "reset"
  /** The peer vanished: the system's keepalive probes went unanswered. */
  | "timeout"
  /** Reading failed otherwise (the transport logged it). */
  | "read_failed"
  /** Writing failed; the detail says why. */
  | "write_failed"
  /** The peer sent more than the hard limit without a line break. */
  | "too_long";

/** What {@linkcode LineTransport.run} resolves with. */
export interface TransportEnd {
  /** Why the input ended. */
  readonly reason: EndReason;
  /** The error's message, when one ended it. */
  readonly detail?: string;
}

/** Receives what a {@linkcode LineTransport} reads. */
export interface TransportSink extends LineSink {
  /**
   * Bytes of the peer's lines arrived: the peer is alive (a telnet
   * client's negotiation alone does not count).
   *
   * @param now Current time in milliseconds.
   */
  heard(now: number): void;
  /**
   * `false` once the sink takes no more lines: the transport stops reading
   * (lines it has already read may still be handed over).
   */
  readonly listening: boolean;
}

/** One peer's connection, carrying lines. */
export interface LineTransport {
  /** Where the peer is, for logs (`127.0.0.1:50312`, `web 127.0.0.1:50312`). */
  readonly label: string;
  /** The peer's IP address. */
  readonly ip: string;
  /**
   * Queues line(s) for the peer. Never blocks.
   *
   * @param wire The encoded line(s).
   * @param lazy `true` when they may wait a few milliseconds to be batched
   * with other peers' (notices to everyone).
   * @returns `false` when the peer's queue is over its bound: it is not
   * reading, and should be dropped as slow.
   */
  write(wire: Wire, lazy: boolean): boolean;
  /**
   * The periodic check of the outbound queue, for transports whose bound
   * is measured over time.
   *
   * @param now Current time in milliseconds.
   * @returns `false` when the peer has stayed over its bound for too long.
   */
  keepsUp(now: number): boolean;
  /**
   * Resolves when everything queued has been written (or never will be).
   *
   * @returns A promise that resolves when the queue is empty.
   */
  drained(): Promise<void>;
  /**
   * Reads until the end: hands lines to the sink, and resolves once with
   * why it ended. Call it once.
   *
   * @param sink Receives the lines.
   * @returns Why the input ended.
   */
  run(sink: TransportSink): Promise<TransportEnd>;
  /**
   * Closes the connection now, dropping what is still queued. Idempotent.
   *
   * @param code How, for transports that tell the peer.
   */
  close(code: CloseCode): void;
}
