/**
 * What the hub needs from a member.
 *
 * @module
 */

import type { Lang, LeaveReason, ServerMessage } from "../protocol/messages.ts";

/**
 * All the hub knows of a connection: a name, a language, a label for the
 * log, and two ways to reach it. The server's session implements it; tests
 * use fakes that record what they receive.
 */
export interface Member {
  /** The member's name; set by the room on join and rename. */
  name: string;
  /** Language for texts addressed to this member. */
  readonly lang: Lang;
  /** Where the member comes from, for the server's log (`127.0.0.1:50312`). */
  readonly label: string;
  /** Queues a message; never blocks, never throws. */
  deliver(message: ServerMessage): void;
  /** Ends the member's connection after what is queued; idempotent. */
  close(reason: LeaveReason, detail?: string): void;
}
