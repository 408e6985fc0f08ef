/**
 * The seam between the server and its listeners: what `startServer` needs
 * of a gateway (the chat port, the web client), and what a gateway and the
 * server's one ticker need of each open connection.
 *
 * @module
 */

import type { LeaveReason } from "../protocol/messages.ts";

/** One open connection, as its gateway and the server's ticker drive it. */
export interface GatewayConnection {
  /** Where the peer is, for the log (`127.0.0.1:50312`, `web …`). */
  readonly label: string;
  /**
   * Keeps the connection's deadlines: the name deadline, prompts, pings.
   * The server calls it for every connection every few hundred
   * milliseconds, from one timer.
   *
   * @param now Current time in milliseconds.
   */
  tick(now: number): void;
  /**
   * Says goodbye with a reason and closes, unless already closing; used at
   * shutdown, so peers still choosing a name are told too.
   *
   * @param reason Why.
   */
  goodbye(reason: LeaveReason): void;
  /**
   * Ends the connection after what is queued; idempotent.
   *
   * @param reason Why, for the hub and the log.
   * @param detail Extra words.
   */
  close(reason: LeaveReason, detail?: string): void;
}

/** A listener that takes connections into the hub; the server owns it. */
export interface Gateway {
  /** Where it listens (with the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** How many connections are open. */
  readonly connections: number;
  /** Every open connection, for the server's ticker. */
  readonly live: Iterable<GatewayConnection>;
  /**
   * Takes no new connections from now on; resolves when the listener is
   * done accepting. Idempotent.
   */
  stopAccepting(): Promise<void>;
  /**
   * Says goodbye to every open connection and resolves once all have
   * closed (their flush is bounded) and the listener is released.
   */
  closeAll(): Promise<void>;
}
