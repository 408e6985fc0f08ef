/**
 * History kept in memory: a ring of the last lines of each room.
 *
 * @module
 */

import type { ChatLine } from "../protocol/messages.ts";
import type { HistoryStore, StoredLine } from "./history_store.ts";

/** Options of {@linkcode MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Lines kept per room; older ones are dropped. `0` keeps none.
   * @default {50}
   */
  capacity?: number;
}

// One room's ring: `start` is the oldest line once the ring is full.
interface _Ring {
  lines: StoredLine[];
  start: number;
}

/**
 * A {@linkcode HistoryStore} that keeps the last `capacity` lines of each
 * room in memory, and forgets them when the program ends. Ids are unique
 * across rooms and increase with every append.
 *
 * @example Keep the last two lines
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { MemoryStore } from "./memory_store.ts";
 *
 * const store = new MemoryStore({ capacity: 2 });
 * for (const text of ["one", "two", "three"]) {
 *   store.append("#general", { from: "ana", text, time: 0 });
 * }
 * const texts = store.recent("#general", 10).map((stored) => stored.line.text);
 * assertEquals(texts, ["two", "three"]);
 * assertEquals(store.recent("#general", 10, 3).map((stored) => stored.id), [2]);
 * ```
 */
export class MemoryStore implements HistoryStore {
  #capacity: number;
  #rooms = new Map<string, _Ring>();
  #lastId = 0;

  /**
   * @param options How many lines to keep.
   * @throws {RangeError} If `capacity` is not a whole number of zero or more.
   */
  constructor(options: MemoryStoreOptions = {}) {
    this.#capacity = options.capacity ?? 50;
    _checkCount(this.#capacity, "Cannot keep history", "capacity");
  }

  /**
   * Keeps a line, dropping the room's oldest when the ring is full.
   *
   * @param room The room's key.
   * @param line The line.
   * @returns The line with its id (returned even when `capacity` is 0).
   */
  append(room: string, line: ChatLine): StoredLine {
    const stored: StoredLine = { id: ++this.#lastId, line };
    if (this.#capacity === 0) return stored;
    let ring = this.#rooms.get(room);
    if (ring === undefined) {
      ring = { lines: [], start: 0 };
      this.#rooms.set(room, ring);
    }
    if (ring.lines.length < this.#capacity) {
      ring.lines.push(stored);
    } else {
      ring.lines[ring.start] = stored;
      ring.start = (ring.start + 1) % this.#capacity;
    }
    return stored;
  }

  /**
   * Drops a room's lines, so rooms made and left one after another do not
   * add up in memory.
   *
   * @param room The room's key.
   */
  forget(room: string): void {
    this.#rooms.delete(room);
  }

  /**
   * The most recent lines of a room, oldest first.
   *
   * @param room The room's key.
   * @param limit Most lines returned.
   * @param before Only lines whose id is below this one.
   * @returns A new array of at most `limit` lines.
   * @throws {RangeError} If `limit` is not a whole number of zero or more.
   */
  recent(room: string, limit: number, before?: number): StoredLine[] {
    _checkCount(limit, "Cannot read history", "limit");
    const ring = this.#rooms.get(room);
    if (ring === undefined || limit === 0) return [];
    const { lines, start } = ring;
    const found: StoredLine[] = [];
    // Newest first, then reversed: the ring is in id order from `start`.
    for (let i = lines.length - 1; i >= 0 && found.length < limit; i--) {
      const stored = lines[(start + i) % lines.length]!;
      if (before === undefined || stored.id < before) found.push(stored);
    }
    return found.reverse();
  }
}

function _checkCount(value: number, action: string, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `${action}: ${name} must be a whole number of zero or more, not ${value}`,
    );
  }
}
