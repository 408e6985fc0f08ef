/**
 * What the hub needs from wherever public lines are kept: append one, read
 * the recent ones back, search them, commit them, let old ones go, export
 * them. The in-memory ring ({@linkcode MemoryStore}) is the first
 * implementation; the SQLite database ({@linkcode SqliteStore}) is another,
 * behind the same seam.
 *
 * Only public lines, said in a room, can be kept: no method takes a
 * private message, so none is ever stored. They live only on the screens
 * that showed them.
 *
 * ## The commit contract (group commit)
 *
 * {@linkcode HistoryStore.append} gives the line its id at once and queues
 * it; {@linkcode HistoryStore.commit} writes everything queued in one
 * transaction. Whoever delivers lines must call `commit()` after appending
 * them and before the first byte of any of them is written to a
 * connection: then a line anyone received is a line the store committed.
 * Every line appended since the last commit shares that one transaction.
 *
 * The airtight place is right before each write to a connection (a
 * transport's flush): `commit()` is a length check when nothing waits, and
 * it takes whatever the hub appended since. A microtask queued at append
 * time is not enough: a write already in flight may resume first and send
 * the newest lines with it. A ticker calling `commit()` alone is not enough
 * either: it bounds how long lines wait, not who sees them first.
 *
 * While storing fails (a full disk), `commit()` returns `false` and the
 * lines wait in memory, bounded; the server keeps delivering them (chat
 * goes on) and the store says so once (see `SqliteStoreOptions.onStatus`).
 *
 * @module
 */

import type { ChatLine } from "../protocol/messages.ts";

/** A public line as the store keeps it: the line itself and its id. */
export interface StoredLine {
  /** Assigned by the store on append; increases with every append. */
  readonly id: number;
  /**
   * The line as appended (the same object while it is in memory), so it
   * goes on the wire as a {@linkcode ChatLine} with no id.
   */
  readonly line: ChatLine;
}

/** Most lines one {@linkcode HistoryStore.search} returns: one page. */
export const MAX_SEARCH_PAGE = 20;

/** Options of {@linkcode HistoryStore.search}. */
export interface SearchOptions {
  /**
   * Most lines returned; more than {@linkcode MAX_SEARCH_PAGE} is read as
   * {@linkcode MAX_SEARCH_PAGE}.
   * @default {20}
   */
  limit?: number;
  /**
   * Only lines whose id is below this one (the next page back).
   * @default {undefined} from the newest line
   */
  before?: number;
}

/** Options of {@linkcode HistoryStore.retain}. */
export interface RetainOptions {
  /**
   * Lines older than this many days are removed.
   * @default {undefined} no age limit
   */
  maxAgeDays?: number;
  /**
   * Lines kept per room; the oldest beyond it are removed.
   * @default {undefined} no count limit
   */
  maxLinesPerRoom?: number;
  /**
   * Most lines removed by this call, so that one call never stalls the
   * server; the rest goes in later calls.
   * @default {200} (about 5 ms in SQLite)
   */
  maxRows?: number;
  /**
   * The time now, in milliseconds since the epoch.
   * @default {Date.now()}
   */
  now?: number;
}

/** What one {@linkcode HistoryStore.retain} did. */
export interface RetainResult {
  /** Lines removed by this call. */
  removed: number;
  /** `true` when more lines are due: call again soon. */
  more: boolean;
}

/** Options of {@linkcode HistoryStore.exportLines}. */
export interface ExportOptions {
  /**
   * Only this room's lines (its key, `#general`).
   * @default {undefined} every room
   */
  room?: string;
  /**
   * Only lines said at or after this time, in milliseconds since the epoch.
   * @default {undefined} from the first line
   */
  since?: number;
}

/**
 * One exported message, as `chat export` writes it: one JSON object per
 * line of output.
 */
export interface ExportedLine {
  /** The line's id. */
  id: number;
  /** The room's key (`#general`). */
  room: string;
  /** The sender's name. */
  from: string;
  /** The text. */
  text: string;
  /** Milliseconds since the epoch, server clock. */
  time: number;
  /** `true` for `/me` actions. */
  action: boolean;
}

/**
 * Keeps the public lines of each room. Rooms are named by their key
 * (`#general`); a room the store has never seen has no lines.
 */
export interface HistoryStore {
  /**
   * Keeps a line said in a room. The line is queued until the next
   * {@linkcode HistoryStore.commit}; deliver it only after that.
   *
   * @param room The room's key.
   * @param line The line, already sanitised and stamped with its time.
   * @returns The line with its id, greater than every id given before.
   */
  append(room: string, line: ChatLine): StoredLine;
  /**
   * Writes every line appended since the last commit, in one transaction.
   * Cheap when nothing waits. Never throws for a storage failure: it
   * returns `false`, keeps the lines in memory (bounded) and tries again
   * on a later call.
   *
   * @returns `true` when every line appended so far is stored.
   */
  commit(): boolean;
  /**
   * Background work, one bounded step: makes lines committed since the
   * last step findable by the full-text index (a search finds them before
   * that too, by reading them). The server's ticker calls it every tick;
   * it is kept out of `commit()` so that delivering a line waits only for
   * the line to be stored.
   *
   * @param maxRows Most lines indexed by this call.
   * @returns How many were indexed; 0 when the index is up to date.
   */
  index(maxRows?: number): number;
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
   * The oldest lines of a room newer than an id, oldest first: paging
   * forward (IRC's `CHATHISTORY AFTER` and `AROUND`).
   *
   * @param room The room's key.
   * @param limit Most lines returned.
   * @param after Only lines whose id is above this one.
   * @returns At most `limit` lines, oldest first.
   * @throws {RangeError} If `limit` is not a whole number of zero or more.
   */
  following(room: string, limit: number, after: number): StoredLine[];
  /**
   * The lines of a room holding every word of `words` (whole words, any
   * case, any accents), newest first.
   *
   * @param room The room's key.
   * @param words What to look for, as a person types it.
   * @param options Page size and where the page starts.
   * @returns At most {@linkcode MAX_SEARCH_PAGE} lines, newest first; none
   * when `words` holds no word.
   * @throws {RangeError} If `limit` is not a whole number of zero or more.
   */
  search(room: string, words: string, options?: SearchOptions): StoredLine[];
  /**
   * Removes lines past the age or count limits, at most `maxRows` of them,
   * oldest first.
   *
   * @param options The limits, and how much one call may remove.
   * @returns How many were removed, and whether more are due.
   * @throws {RangeError} If a limit is negative or not a number.
   */
  retain(options: RetainOptions): RetainResult;
  /**
   * Every stored line, in id order, for `chat export`.
   *
   * @param options Which room, and from when.
   * @returns The lines, one at a time.
   */
  exportLines(options?: ExportOptions): Iterable<ExportedLine>;
  /** Commits what waits and lets go of what the store holds. Idempotent. */
  close(): void;
  /**
   * Drops the lines of a room that no longer exists (its last member left
   * and it had no topic or key). A store that keeps rooms past their
   * members, such as a database, leaves it out.
   *
   * @param room The room's key.
   */
  forget?(room: string): void;
}
