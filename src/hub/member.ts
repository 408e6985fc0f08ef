/**
 * What the hub needs from a member.
 *
 * @module
 */

import type { Lang, LeaveReason, ServerMessage } from "../protocol/messages.ts";

/**
 * All the hub knows of a connection: a name, a language, a label for the
 * log, the address it comes from, and two ways to reach it. The hub keeps
 * `name` and `room` up to date. The server's session implements it; tests
 * use fakes that record what they receive.
 */
export interface Member {
  /** The member's name; set by the hub on join and rename. */
  name: string;
  /**
   * The member's current room, where what it types without naming a room
   * goes; set by the hub (`null`: none, or not joined yet).
   */
  room: string | null;
  /** Language for texts addressed to this member. */
  readonly lang: Lang;
  /** Where the member comes from, for the server's log (`127.0.0.1:50312`). */
  readonly label: string;
  /**
   * The address the member comes from (`127.0.0.1`), for bans: a room that
   * bans a member bans its address too. Never shown to anyone.
   */
  readonly address: string;
  /**
   * What others see of the address (IRC's `nick!user@host`): a cloak of
   * it, or the address itself with `--show-ips`.
   * @default {undefined} shown as `unknown`
   */
  readonly host?: string;
  /**
   * The user part of `nick!user@host`.
   * @default {undefined} shown as `chat`
   */
  readonly user?: string;
  /**
   * A real name (IRC's `USER`).
   * @default {undefined} none
   */
  readonly realname?: string;
  /**
   * Whether the member gets its own public lines back (IRC's
   * `echo-message`).
   * @default {undefined} no
   */
  readonly echoes?: boolean;
  /** Queues a message; never blocks, never throws. */
  deliver(message: ServerMessage): void;
  /** Ends the member's connection after what is queued; idempotent. */
  close(reason: LeaveReason, detail?: string): void;
}
