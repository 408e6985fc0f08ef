/**
 * History kept in memory: a ring of the last lines of each room, and the
 * rooms' records, forgotten when the program ends (`--memory`).
 *
 * @module
 */

import type { ChatLine } from "../protocol/messages.ts";
import type {
  ExportedLine,
  ExportOptions,
  RetainOptions,
  RetainResult,
  SearchOptions,
  StoredLine,
} from "./history_store.ts";
import type { ClaimRecord, ClaimStore } from "./claim_store.ts";
import type { ChatStore, RoomRecord } from "./room_store.ts";
import { hasWords, queryWords } from "./search_words.ts";
import { checkCount, retainLimits, searchLimit } from "./store_limits.ts";

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
 * across rooms and increase with every append. Every line is "committed"
 * as soon as it is appended: {@linkcode MemoryStore.commit} has nothing
 * to do. Rooms' records are kept as saved.
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
export class MemoryStore implements ChatStore, ClaimStore {
  #capacity: number;
  #rooms = new Map<string, _Ring>();
  #records = new Map<string, RoomRecord>();
  #claims = new Map<string, ClaimRecord>();
  #lastId = 0;

  /**
   * @param options How many lines to keep.
   * @throws {RangeError} If `capacity` is not a whole number of zero or more.
   */
  constructor(options: MemoryStoreOptions = {}) {
    this.#capacity = options.capacity ?? 50;
    checkCount(this.#capacity, "Cannot keep history", "capacity");
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
    checkCount(limit, "Cannot read history", "limit");
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

  /**
   * Nothing to do: every line is kept as it is appended.
   *
   * @returns `true`.
   */
  commit(): boolean {
    return true;
  }

  /**
   * Nothing to index: the memory store searches its lines as they are.
   *
   * @returns `0`.
   */
  index(): number {
    return 0;
  }

  /**
   * The lines of a room holding every word of `words` (whole words, any
   * case, any accents), newest first.
   *
   * @param room The room's key.
   * @param words What to look for.
   * @param options Page size and where the page starts.
   * @returns At most 20 lines, newest first.
   * @throws {RangeError} If `limit` is not a whole number of zero or more.
   */
  search(
    room: string,
    words: string,
    options: SearchOptions = {},
  ): StoredLine[] {
    const limit = searchLimit(options);
    const wanted = queryWords(words);
    if (wanted.length === 0 || limit === 0) return [];
    const before = options.before ?? Infinity;
    const found: StoredLine[] = [];
    const lines = this.#ordered(room);
    for (let i = lines.length - 1; i >= 0 && found.length < limit; i--) {
      const stored = lines[i]!;
      if (stored.id >= before) continue;
      if (hasWords(stored.line.text, wanted)) found.push(stored);
    }
    return found;
  }

  /**
   * Removes each room's oldest lines while they are past the age or count
   * limits, at most `maxRows` in all.
   *
   * @param options The limits, and how much one call may remove.
   * @returns How many were removed, and whether more are due.
   * @throws {RangeError} If a limit is negative or not a number.
   */
  retain(options: RetainOptions): RetainResult {
    const { maxRows, maxLinesPerRoom, cutoff } = retainLimits(options);
    let removed = 0;
    let more = false;
    for (const [room, ring] of this.#rooms) {
      const lines = this.#ordered(room);
      let due = Math.max(0, lines.length - maxLinesPerRoom);
      while (due < lines.length && lines[due]!.line.time < cutoff) due++;
      const take = Math.min(due, maxRows - removed);
      if (take < due) more = true;
      if (take === 0) continue;
      ring.lines = lines.slice(take);
      ring.start = 0;
      removed += take;
    }
    return { removed, more };
  }

  /**
   * Every line kept, in id order.
   *
   * @param options Which room, and from when.
   * @returns The lines, one at a time.
   */
  *exportLines(options: ExportOptions = {}): Generator<ExportedLine> {
    const all: ExportedLine[] = [];
    for (const room of this.#rooms.keys()) {
      if (options.room !== undefined && room !== options.room) continue;
      for (const { id, line } of this.#ordered(room)) {
        if (options.since !== undefined && line.time < options.since) continue;
        const { from, text, time } = line;
        all.push({ id, room, from, text, time, action: line.action === true });
      }
    }
    yield* all.sort((a, b) => a.id - b.id);
  }

  /**
   * Every room saved and not forgotten, in the order first saved.
   *
   * @returns New records.
   */
  loadRooms(): RoomRecord[] {
    return [...this.#records.values()].map((record) => ({ ...record }));
  }

  /**
   * Keeps a room's whole record, replacing what was kept.
   *
   * @param record The room as it is now.
   */
  saveRoom(record: RoomRecord): void {
    this.#records.set(record.room, record);
  }

  /**
   * Forgets a room's record; its lines stay.
   *
   * @param room The room's key.
   */
  forgetRoom(room: string): void {
    this.#records.delete(room);
  }

  /**
   * Every claim kept, in the order first saved.
   *
   * @returns New records.
   */
  loadClaims(): ClaimRecord[] {
    return [...this.#claims.values()].map((claim) => ({ ...claim }));
  }

  /**
   * Keeps a claim's whole record, replacing what was kept under its key.
   *
   * @param record The claim as it is now.
   */
  saveClaim(record: ClaimRecord): void {
    this.#claims.set(record.key, record);
  }

  /**
   * Forgets a claim.
   *
   * @param key The name's look key.
   */
  forgetClaim(key: string): void {
    this.#claims.delete(key);
  }

  /** Nothing to let go: memory is freed with the store. */
  close(): void {}

  // A room's lines, oldest first.
  #ordered(room: string): StoredLine[] {
    const ring = this.#rooms.get(room);
    if (ring === undefined) return [];
    return [
      ...ring.lines.slice(ring.start),
      ...ring.lines.slice(0, ring.start),
    ];
  }
}
