/**
 * What the hub needs from wherever public lines are kept: append one, read
 * the recent ones back. The in-memory ring ({@linkcode MemoryStore}) is the
 * first implementation; a database can be another, behind the same seam.
 *
 * @module
 */

import type { ChatLine } from "../protocol/messages.ts";

/** A public line as the store keeps it: the line itself and its id. */
export interface StoredLine {
  /** Assigned by the store on append; increases with every append. */
  readonly id: number;
  /**
   * The line exactly as appended (the same object), so it goes on the wire
   * as a {@linkcode ChatLine} with no id.
   */
  readonly line: ChatLine;
}

/**
 * Keeps the public lines of each room. Rooms are named by their key
 * (`#general`); a room the store has never seen has no lines.
 */
export interface HistoryStore {
  /**
   * Keeps a line said in a room.
   *
   * @param room The room's key.
   * @param line The line, already sanitised and stamped with its time.
   * @returns The line with its id, greater than every id given before.
   */
  append(room: string, line: ChatLine): StoredLine;
  /**
   * The most recent lines of a room, oldest first.
   *
   * @param room The room's key.
   * @param limit Most lines returned.
   * @param before Only lines whose id is below this one (to page back);
   * all lines when left out.
   * @returns At most `limit` lines, oldest first.
   * @throws {RangeError} If `limit` is not a whole number of zero or more.
   */
  recent(room: string, limit: number, before?: number): StoredLine[];
  /**
   * Drops the lines of a room that no longer exists (its last member left
   * and it had no topic or key). A store that keeps rooms past their
   * members, such as a database, leaves it out.
   *
   * @param room The room's key.
   */
  forget?(room: string): void;
}
