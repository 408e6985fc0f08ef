/**
 * History and rooms kept in SQLite (`node:sqlite`, built into Deno), in the
 * data folder: `history.db` in WAL mode, one writer (the `chat serve` that
 * holds the folder's lock), group commit, full-text search with FTS5. The
 * words of committed lines are indexed afterwards, a bounded step at a time
 * ({@linkcode SqliteStore.index}), so a commit costs only the lines.
 *
 * Durability, exactly: a line is stored once the {@linkcode
 * SqliteStore.commit} that wrote it has returned `true`. With
 * `synchronous: "normal"` (the default) a committed line survives the
 * process being killed at any moment (`kill -9`, a crash, an out-of-memory
 * kill): the transaction is in the write-ahead log, in the operating
 * system's hands. A power cut or a kernel crash may lose the last
 * transactions before the log was synced (the database stays consistent).
 * `synchronous: "full"` syncs the log at every commit, so committed lines
 * survive a power cut too, at the cost of one `fsync` per commit.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { ChatLine } from "../protocol/messages.ts";
import { fileError, prepareDataDir } from "./data_dir.ts";
import type {
  ExportedLine,
  ExportOptions,
  RetainOptions,
  RetainResult,
  SearchOptions,
  StoredLine,
} from "./history_store.ts";
import { applyMigrations } from "./migrations.ts";
import type { ClaimRecord, ClaimStore } from "./claim_store.ts";
import type { ChatStore, RoomBan, RoomRecord } from "./room_store.ts";
import { hasWords, queryWords } from "./search_words.ts";
import { checkCount, retainLimits, searchLimit } from "./store_limits.ts";
import { StoreLock } from "./store_lock.ts";

/** The database's file name in the data folder. */
export const HISTORY_FILE = "history.db";

/**
 * What happened to storing, told once per change: it stopped (the disk is
 * full, the file cannot be written), or it works again.
 */
export type StoreStatus =
  /** Lines are no longer stored; they wait in memory (bounded). */
  | { state: "failing"; reason: string }
  /**
   * Storing works again; `dropped` lines that waited were let go to keep
   * memory bounded, and are not in the history.
   */
  | { state: "storing"; dropped: number };

/** Options of {@linkcode SqliteStore.open}. */
export interface SqliteStoreOptions {
  /**
   * SQLite's `synchronous` setting: `"normal"` survives a process crash,
   * `"full"` also a power cut (see the module's notes).
   * @default {"normal"}
   */
  synchronous?: "normal" | "full";
  /**
   * Open without the lock and without writing, to read while a server
   * runs (`chat export`). Appending throws.
   * @default {false}
   */
  readOnly?: boolean;
  /**
   * Most text one {@linkcode SqliteStore.recent} or
   * {@linkcode SqliteStore.search} returns (at least one line), counted in
   * UTF-16 units: the bytes of ASCII, about half those of other scripts.
   * @default {65536}
   */
  maxReadBytes?: number;
  /**
   * Most milliseconds one search reads for; it returns what it found.
   * @default {50}
   */
  searchTimeMs?: number;
  /**
   * Most bytes of lines kept in memory while storing fails; the oldest
   * are let go beyond it.
   * @default {16777216}
   */
  maxPendingBytes?: number;
  /**
   * Milliseconds between tries while storing fails.
   * @default {1000}
   */
  retryMs?: number;
  /**
   * Told when storing stops and when it works again.
   * @default {undefined} nobody is told
   */
  onStatus?: (status: StoreStatus) => void;
}

// A line appended and not yet committed.
interface _Pending {
  readonly room: number;
  readonly stored: StoredLine;
  readonly bytes: number;
}

interface _LineRow {
  id: number;
  room: number;
  sender: string;
  text: string;
  time: number;
  action: number;
}

interface _RoomRow {
  id: number;
  key: string;
  line_count: number;
}

function _insertRows(rows: number): string {
  return "INSERT INTO lines (id, room, sender, text, time, action) VALUES " +
    Array(rows).fill("(?, ?, ?, ?, ?, ?)").join(", ");
}

const _SQL = {
  insertLine:
    "INSERT INTO lines (id, room, sender, text, time, action) VALUES (?, ?, ?, ?, ?, ?)",
  // A burst's lines go in many to a statement: half the cost of one each.
  insertLines64: _insertRows(64),
  insertLines8: _insertRows(8),
  indexLine: "INSERT INTO lines_search (rowid, text, room) VALUES (?, ?, ?)",
  insertRoom: "INSERT INTO rooms (id, key) VALUES (?, ?)",
  countLines: "UPDATE rooms SET line_count = line_count + ? WHERE id = ?",
  lastId: "UPDATE counters SET value = ? WHERE name = 'last_line_id'",
  indexedUpTo: "UPDATE counters SET value = ? WHERE name = 'indexed_up_to'",
  toIndex: "SELECT id, room, text FROM lines WHERE id > ? ORDER BY id LIMIT ?",
  recent:
    "SELECT id, sender, text, time, action FROM lines WHERE room = ? AND id < ? ORDER BY id DESC",
  notIndexed: "SELECT id, sender, text, time, action FROM lines " +
    "WHERE room = ? AND id < ? AND id > ? ORDER BY id DESC",
  search: "SELECT l.id, l.sender, l.text, l.time, l.action FROM lines_search " +
    "JOIN lines AS l ON l.id = lines_search.rowid " +
    "WHERE lines_search MATCH ? AND lines_search.rowid < ? " +
    "ORDER BY lines_search.rowid DESC",
  oldest: "SELECT id, room, time FROM lines ORDER BY id LIMIT ?",
  oldestInRoom:
    "SELECT id FROM lines WHERE room = ? ORDER BY id LIMIT ? OFFSET ?",
  deleteLine: "DELETE FROM lines WHERE id = ?",
  unindexLine: "DELETE FROM lines_search WHERE rowid = ?",
  saveRoom: "UPDATE rooms SET saved = ?, name = ?, topic = ?, topic_by = ?, " +
    "topic_time = ?, key_hash = ?, modes = ? WHERE id = ?",
  clearOperators: "DELETE FROM room_operators WHERE room = ?",
  clearBans: "DELETE FROM room_bans WHERE room = ?",
  addOperator:
    "INSERT OR IGNORE INTO room_operators (room, name) VALUES (?, ?)",
  addBan:
    "INSERT OR REPLACE INTO room_bans (room, name, address, by, time) VALUES (?, ?, ?, ?, ?)",
  saveClaim: "INSERT OR REPLACE INTO name_claims (key, name, key_id, " +
    "password_hash, cert_fp, claimed_at, last_used, left_at, rooms) " +
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  forgetClaim: "DELETE FROM name_claims WHERE key = ?",
} as const;

type _Statements = { [name in keyof typeof _SQL]: StatementSync };

// Whatever the page asks, the first page starts after the newest line.
const _NO_ID = Number.MAX_SAFE_INTEGER;
// Lines one index step takes by default (about 3 µs each).
const _INDEX_STEP = 2000;
// Most lines not yet indexed that one search reads word by word.
const _MAX_UNINDEXED_READ = 10_000;
// Lines close() indexes before it lets go; the rest at the next start.
const _INDEX_AT_CLOSE = 20_000;

/**
 * The history in SQLite. Open it with {@linkcode SqliteStore.open}; the
 * server calls {@linkcode SqliteStore.commit} before it delivers the lines
 * it appended, and {@linkcode SqliteStore.index} and
 * {@linkcode SqliteStore.retain} on its ticker.
 *
 * Reads (`recent`, `search`, `loadRooms`, `exportLines`) commit what waits
 * first, so they see every line appended. While storing fails, `recent`
 * adds the lines waiting in memory.
 *
 * @example Store, close, open again
 * ```ts no-eval
 * import { assertEquals } from "@std/assert";
 * import { SqliteStore } from "./sqlite_store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = SqliteStore.open(dir);
 * const { id } = store.append("#general", { from: "ana", text: "hi", time: Date.now() });
 * store.commit();
 * store.close();
 * const again = SqliteStore.open(dir);
 * assertEquals(again.recent("#general", 10).map((stored) => stored.id), [id]);
 * again.close();
 * ```
 */
export class SqliteStore implements ChatStore, ClaimStore {
  /** The data folder. */
  readonly dir: string;
  /** The database file. */
  readonly path: string;
  #db: DatabaseSync;
  #sql: _Statements;
  #lock: StoreLock | null;
  #readOnly: boolean;
  #maxReadBytes: number;
  #searchTimeMs: number;
  #maxPendingBytes: number;
  #retryMs: number;
  #onStatus: (status: StoreStatus) => void;

  #lastId: number;
  #indexedUpTo: number;
  #lastRoomId = 0;
  #roomIds = new Map<string, number>();
  #roomKeys = new Map<number, string>();
  #lineCounts = new Map<number, number>();
  #newRooms: number[] = [];
  #roomChanges = new Map<number, RoomRecord | null>();
  // Claims saved (a record) or forgotten (null) since the last commit.
  #claimChanges = new Map<string, ClaimRecord | null>();
  #pending: _Pending[] = [];
  #pendingBytes = 0;
  #failing = false;
  #retryAt = 0;
  #dropped = 0;
  #closed = false;

  private constructor(
    dir: string,
    db: DatabaseSync,
    lock: StoreLock | null,
    options: SqliteStoreOptions,
  ) {
    this.dir = dir;
    this.path = `${dir}/${HISTORY_FILE}`;
    this.#db = db;
    this.#lock = lock;
    this.#readOnly = options.readOnly ?? false;
    this.#maxReadBytes = options.maxReadBytes ?? 65_536;
    this.#searchTimeMs = options.searchTimeMs ?? 50;
    this.#maxPendingBytes = options.maxPendingBytes ?? 16 * 1024 * 1024;
    this.#retryMs = options.retryMs ?? 1000;
    this.#onStatus = options.onStatus ?? (() => {});
    this.#sql = Object.fromEntries(
      Object.entries(_SQL).map(([name, sql]) => [name, db.prepare(sql)]),
    ) as _Statements;
    for (
      const row of db.prepare("SELECT id, key, line_count FROM rooms").all()
    ) {
      const room = row as unknown as _RoomRow;
      this.#roomIds.set(room.key, room.id);
      this.#roomKeys.set(room.id, room.key);
      this.#lineCounts.set(room.id, room.line_count);
      this.#lastRoomId = Math.max(this.#lastRoomId, room.id);
    }
    const last = db.prepare(
      "SELECT max((SELECT value FROM counters WHERE name = 'last_line_id'), " +
        "coalesce((SELECT max(id) FROM lines), 0)) AS id, " +
        "(SELECT value FROM counters WHERE name = 'indexed_up_to') AS indexed",
    ).get() as { id: number; indexed: number };
    this.#lastId = last.id;
    this.#indexedUpTo = last.indexed;
  }

  /**
   * Opens the history in a data folder: creates the folder (owner only)
   * and the database when they are new, takes the folder's lock, applies
   * the schema's migrations.
   *
   * @param dir The data folder.
   * @param options Durability, bounds, and who is told of failures.
   * @returns The open store.
   * @throws {Error} One line, and nothing is left open:
   * `Cannot use the data folder <dir>: <why>` (cannot be created or
   * written); `Cannot open the history in <dir>: <why>` where `<why>` is
   * `another chat serve (process <pid>) is using it`, `the database is
   * corrupt (<detail>)`, `it was written by a newer chat (schema version
   * <n>; this chat knows up to <m>)`, or another reason.
   */
  static open(dir: string, options: SqliteStoreOptions = {}): SqliteStore {
    const readOnly = options.readOnly ?? false;
    if (!readOnly) prepareDataDir(dir);
    const lock = readOnly ? null : StoreLock.acquire(dir);
    const path = `${dir}/${HISTORY_FILE}`;
    let db: DatabaseSync | null = null;
    try {
      db = _openDatabase(path, readOnly);
      if (!readOnly) {
        const synchronous = options.synchronous ?? "normal";
        db.exec(
          `PRAGMA synchronous = ${synchronous.toUpperCase()};
           PRAGMA journal_size_limit = 67108864;`,
        );
      }
      applyMigrations(db, { readOnly });
      return new SqliteStore(dir, db, lock, options);
    } catch (error) {
      db?.close();
      lock?.release();
      throw new Error(`Cannot open the history in ${dir}: ${_why(error)}`);
    }
  }

  /**
   * Tells whether the history has ever had a room.
   *
   * @param room The room's key (`#general`).
   * @returns `true` when lines of it were appended, or it was saved.
   */
  hasRoom(room: string): boolean {
    return this.#roomIds.has(room);
  }

  /** Lines appended and not yet committed. */
  get pending(): number {
    return this.#pending.length;
  }

  /** `true` from a failed commit until one succeeds. */
  get failing(): boolean {
    return this.#failing;
  }

  /**
   * Gives a line its id and queues it for the next commit.
   *
   * @param room The room's key.
   * @param line The line (kept as it is until committed).
   * @returns The line with its id.
   * @throws {TypeError} If the store is read-only or closed.
   */
  append(room: string, line: ChatLine): StoredLine {
    this.#checkWritable("append a line");
    const stored: StoredLine = { id: ++this.#lastId, line };
    const bytes = line.from.length + line.text.length + 32;
    this.#pending.push({ room: this.#roomId(room), stored, bytes });
    this.#pendingBytes += bytes;
    if (this.#failing) this.#bound();
    return stored;
  }

  /**
   * Writes every line appended and every room saved since the last commit,
   * in one transaction. While storing fails, tries again at most once per
   * `retryMs`.
   *
   * @returns `true` when everything appended so far is stored.
   */
  commit(): boolean {
    if (this.#closed || this.#readOnly) return this.#pending.length === 0;
    if (
      this.#pending.length === 0 && this.#newRooms.length === 0 &&
      this.#roomChanges.size === 0 && this.#claimChanges.size === 0
    ) {
      return true;
    }
    if (this.#failing && performance.now() < this.#retryAt) return false;
    const pending = this.#pending;
    const counts = _countByRoom(pending);
    const written = this.#write(() => {
      const sql = this.#sql;
      for (const id of this.#newRooms) {
        sql.insertRoom.run(id, this.#roomKeys.get(id)!);
      }
      for (const [id, record] of this.#roomChanges) this.#writeRoom(id, record);
      for (const [key, claim] of this.#claimChanges) {
        this.#writeClaim(key, claim);
      }
      _insertLines(sql, pending);
      for (const [room, count] of counts) sql.countLines.run(count, room);
      if (pending.length > 0) sql.lastId.run(pending.at(-1)!.stored.id);
    });
    if (!written) return false;
    for (const [room, count] of counts) {
      this.#lineCounts.set(room, (this.#lineCounts.get(room) ?? 0) + count);
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#newRooms = [];
    this.#roomChanges.clear();
    this.#claimChanges.clear();
    return true;
  }

  /**
   * The most recent lines of a room, oldest first, within `limit` and
   * `maxReadBytes`.
   *
   * @param room The room's key.
   * @param limit Most lines returned.
   * @param before Only lines whose id is below this one.
   * @returns New objects, oldest first.
   * @throws {RangeError} If `limit` is not a whole number of zero or more.
   */
  recent(room: string, limit: number, before?: number): StoredLine[] {
    checkCount(limit, "Cannot read history", "limit");
    this.#commitBeforeReading();
    const roomId = this.#roomIds.get(room);
    if (roomId === undefined || limit === 0) return [];
    const below = before ?? _NO_ID;
    const page = new _Page(limit, this.#maxReadBytes);
    // Lines waiting in memory (storing fails) are newer than any stored.
    for (let i = this.#pending.length - 1; i >= 0; i--) {
      const { room: where, stored } = this.#pending[i]!;
      if (where === roomId && stored.id < below && page.add(stored)) {
        return page.lines.reverse();
      }
    }
    for (const row of this.#sql.recent.iterate(roomId, below)) {
      if (page.add(_stored(row as unknown as _LineRow))) break;
    }
    return page.lines.reverse();
  }

  /**
   * Indexes, in one transaction, up to `maxRows` lines committed and not
   * yet in the full-text index, oldest first.
   *
   * @param maxRows Most lines indexed by this call.
   * @returns How many were indexed; 0 when the index is up to date.
   */
  index(maxRows: number = _INDEX_STEP): number {
    checkCount(maxRows, "Cannot index history", "maxRows");
    if (this.#closed || this.#readOnly || this.#failing) return 0;
    const sql = this.#sql;
    const rows = sql.toIndex.all(
      this.#indexedUpTo,
      maxRows,
    ) as unknown as _LineRow[];
    if (rows.length === 0) return 0;
    const upTo = rows.at(-1)!.id;
    const written = this.#write(() => {
      for (const { id, room, text } of rows) {
        sql.indexLine.run(id, text, `r${room}`);
      }
      sql.indexedUpTo.run(upTo);
    });
    if (!written) return 0;
    this.#indexedUpTo = upTo;
    return rows.length;
  }

  /**
   * The stored lines of a room holding every word of `words`, newest
   * first: lines not indexed yet are read word by word, the rest found
   * through the full-text index (a bounded index step runs first).
   * Bounded: at most 20 lines, `maxReadBytes` of text and `searchTimeMs`
   * of reading, whichever comes first.
   *
   * @param room The room's key.
   * @param words What to look for (at most 8 words are used).
   * @param options Page size and where the page starts.
   * @returns New objects, newest first.
   * @throws {RangeError} If `limit` is not a whole number of zero or more.
   */
  search(
    room: string,
    words: string,
    options: SearchOptions = {},
  ): StoredLine[] {
    const limit = searchLimit(options);
    const wanted = queryWords(words);
    this.#commitBeforeReading();
    const roomId = this.#roomIds.get(room);
    if (roomId === undefined || limit === 0 || wanted.length === 0) return [];
    const deadline = performance.now() + this.#searchTimeMs;
    this.index();
    const page = new _Page(limit, this.#maxReadBytes, deadline);
    const sql = this.#sql;
    const below = options.before ?? _NO_ID;
    // Lines not indexed yet (a step behind, or a store that cannot write)
    // are the newest.
    let read = 0;
    for (
      const row of sql.notIndexed.iterate(roomId, below, this.#indexedUpTo)
    ) {
      const stored = _stored(row as unknown as _LineRow);
      if (hasWords(stored.line.text, wanted) && page.add(stored)) {
        return page.lines;
      }
      if (++read >= _MAX_UNINDEXED_READ || performance.now() > deadline) {
        return page.lines;
      }
    }
    const match = `room : "r${roomId}" AND text : (${
      wanted.map((word) => `"${word}"`).join(" AND ")
    })`;
    const indexedBelow = Math.min(below, this.#indexedUpTo + 1);
    for (const row of sql.search.iterate(match, indexedBelow)) {
      if (page.add(_stored(row as unknown as _LineRow))) break;
    }
    return page.lines;
  }

  /**
   * Removes lines past the age or count limits, at most `maxRows` per
   * call, in one transaction. Age goes by id order: the oldest lines are
   * removed while they are older than `maxAgeDays`.
   *
   * @param options The limits, and how much one call may remove.
   * @returns How many were removed, and whether more are due.
   * @throws {RangeError} If a limit is negative or not a number.
   */
  retain(options: RetainOptions): RetainResult {
    const { maxRows, maxLinesPerRoom, cutoff } = retainLimits(options);
    if (this.#closed || this.#readOnly || this.#failing) {
      return { removed: 0, more: false };
    }
    this.commit();
    const doomed = new Map<number, number>();
    const perRoom = new Map<number, number>();
    const doom = (id: number, room: number): void => {
      doomed.set(id, room);
      perRoom.set(room, (perRoom.get(room) ?? 0) + 1);
    };
    let more = false;
    const sql = this.#sql;
    if (cutoff > -Infinity) {
      let seen = 0;
      for (const row of sql.oldest.iterate(maxRows)) {
        const { id, room, time } = row as unknown as _LineRow;
        if (time >= cutoff) break;
        doom(id, room);
        seen++;
      }
      more = seen === maxRows && maxRows > 0;
    }
    if (maxLinesPerRoom < Infinity) {
      for (const [room, count] of this.#lineCounts) {
        // Lines the age limit took are this room's oldest: skip them.
        const taken = perRoom.get(room) ?? 0;
        const excess = count - taken - maxLinesPerRoom;
        if (excess <= 0) continue;
        const take = Math.min(excess, maxRows - doomed.size);
        if (take < excess) more = true;
        if (take <= 0) break;
        for (const row of sql.oldestInRoom.iterate(room, take, taken)) {
          doom((row as unknown as { id: number }).id, room);
        }
      }
    }
    if (doomed.size === 0) return { removed: 0, more: false };
    const written = this.#write(() => {
      for (const id of doomed.keys()) {
        sql.deleteLine.run(id);
        if (id <= this.#indexedUpTo) sql.unindexLine.run(id);
      }
      for (const [room, count] of perRoom) sql.countLines.run(-count, room);
    });
    if (!written) return { removed: 0, more: false };
    for (const [room, count] of perRoom) {
      this.#lineCounts.set(room, this.#lineCounts.get(room)! - count);
    }
    return { removed: doomed.size, more };
  }

  /**
   * Every stored line, in id order, read as it is iterated.
   *
   * @param options Which room, and from when.
   * @returns The lines, one at a time.
   */
  *exportLines(options: ExportOptions = {}): Generator<ExportedLine> {
    this.#commitBeforeReading();
    const where: string[] = [];
    const values: number[] = [];
    if (options.room !== undefined) {
      const roomId = this.#roomIds.get(options.room);
      if (roomId === undefined) return;
      where.push("room = ?");
      values.push(roomId);
    }
    if (options.since !== undefined) {
      where.push("time >= ?");
      values.push(options.since);
    }
    const statement = this.#db.prepare(
      "SELECT id, room, sender, text, time, action FROM lines" +
        (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
        " ORDER BY id",
    );
    for (const row of statement.iterate(...values)) {
      const line = row as unknown as _LineRow;
      yield {
        id: line.id,
        room: this.#roomKeys.get(line.room) ?? `?${line.room}`,
        from: line.sender,
        text: line.text,
        time: line.time,
        action: line.action === 1,
      };
    }
  }

  /**
   * Every room saved and not forgotten, in the order the store first saw
   * them.
   *
   * @returns New records.
   */
  loadRooms(): RoomRecord[] {
    this.#commitBeforeReading();
    const db = this.#db;
    const operators = new Map<number, string[]>();
    for (
      const row of db.prepare("SELECT room, name FROM room_operators").all()
    ) {
      const { room, name } = row as { room: number; name: string };
      operators.set(room, [...operators.get(room) ?? [], name]);
    }
    const bans = new Map<number, RoomBan[]>();
    const banRows = db.prepare(
      "SELECT room, name, address, by, time FROM room_bans",
    )
      .all();
    for (const row of banRows) {
      const ban = row as {
        room: number;
        name: string;
        address: string;
        by: string | null;
        time: number | null;
      };
      bans.set(ban.room, [
        ...bans.get(ban.room) ?? [],
        {
          name: ban.name,
          ...(ban.address === "" ? {} : { address: ban.address }),
          ...(ban.by === null ? {} : { by: ban.by }),
          ...(ban.time === null ? {} : { time: ban.time }),
        },
      ]);
    }
    const rooms = db.prepare(
      "SELECT id, key, name, topic, topic_by, topic_time, key_hash, modes " +
        "FROM rooms WHERE saved = 1 ORDER BY id",
    ).all();
    return rooms.map((row) => {
      const room = row as {
        id: number;
        key: string;
        name: string;
        topic: string | null;
        topic_by: string | null;
        topic_time: number | null;
        key_hash: string | null;
        modes: string;
      };
      return {
        room: room.key,
        name: room.name,
        ...(room.topic === null ? {} : {
          topic: {
            text: room.topic,
            by: room.topic_by ?? "",
            time: room.topic_time ?? 0,
          },
        }),
        ...(room.key_hash === null ? {} : { keyHash: room.key_hash }),
        ...(room.modes === "" ? {} : { modes: room.modes }),
        operators: operators.get(room.id) ?? [],
        bans: bans.get(room.id) ?? [],
      };
    });
  }

  /**
   * Saves a room's whole record with the next commit.
   *
   * @param record The room as it is now.
   * @throws {TypeError} If the store is read-only or closed.
   */
  saveRoom(record: RoomRecord): void {
    this.#checkWritable("save a room");
    this.#roomChanges.set(this.#roomId(record.room), record);
  }

  /**
   * Forgets a room's record with the next commit; its lines stay.
   *
   * @param room The room's key.
   * @throws {TypeError} If the store is read-only or closed.
   */
  forgetRoom(room: string): void {
    this.#checkWritable("forget a room");
    const id = this.#roomIds.get(room);
    if (id !== undefined) this.#roomChanges.set(id, null);
  }

  /**
   * Every claim, as the last commit left it (what waits is committed first).
   *
   * @returns New records.
   */
  loadClaims(): ClaimRecord[] {
    this.#commitBeforeReading();
    const rows = this.#db.prepare(
      "SELECT key, name, key_id, password_hash, cert_fp, claimed_at, " +
        "last_used, left_at, rooms FROM name_claims",
    ).all();
    return rows.map((row) => _claimOf(row as unknown as _ClaimRow));
  }

  /**
   * Saves a claim's whole record with the next commit.
   *
   * @param record The claim as it is now.
   * @throws {TypeError} If the store is read-only or closed.
   */
  saveClaim(record: ClaimRecord): void {
    this.#checkWritable("save a claim");
    this.#claimChanges.set(record.key, record);
  }

  /**
   * Forgets a claim with the next commit.
   *
   * @param key The name's look key.
   * @throws {TypeError} If the store is read-only or closed.
   */
  forgetClaim(key: string): void {
    this.#checkWritable("forget a claim");
    this.#claimChanges.set(key, null);
  }

  /**
   * Commits what waits (when it can), closes the database and releases
   * the folder's lock. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#retryAt = 0;
    this.commit();
    this.index(_INDEX_AT_CLOSE);
    this.#closed = true;
    try {
      if (!this.#readOnly) this.#db.exec("PRAGMA optimize");
    } catch {
      // Only a hint to the query planner; a full disk may refuse it.
    }
    this.#db.close();
    this.#lock?.release();
  }

  #checkWritable(action: string): void {
    if (this.#closed) {
      throw new TypeError(`Cannot ${action}: the history is closed`);
    }
    if (this.#readOnly) {
      throw new TypeError(`Cannot ${action}: the history is open read-only`);
    }
  }

  #commitBeforeReading(): void {
    if (this.#closed) {
      throw new TypeError("Cannot read history: the history is closed");
    }
    if (
      this.#pending.length > 0 || this.#roomChanges.size > 0 ||
      this.#claimChanges.size > 0
    ) this.commit();
  }

  #roomId(key: string): number {
    let id = this.#roomIds.get(key);
    if (id === undefined) {
      id = ++this.#lastRoomId;
      this.#roomIds.set(key, id);
      this.#roomKeys.set(id, key);
      this.#lineCounts.set(id, 0);
      this.#newRooms.push(id);
    }
    return id;
  }

  #writeRoom(id: number, record: RoomRecord | null): void {
    const sql = this.#sql;
    sql.clearOperators.run(id);
    sql.clearBans.run(id);
    if (record === null) {
      sql.saveRoom.run(0, null, null, null, null, null, "", id);
      return;
    }
    const topic = record.topic;
    sql.saveRoom.run(
      1,
      record.name,
      topic?.text ?? null,
      topic?.by ?? null,
      topic?.time ?? null,
      record.keyHash ?? null,
      record.modes ?? "",
      id,
    );
    for (const name of record.operators) sql.addOperator.run(id, name);
    for (const ban of record.bans) {
      sql.addBan.run(
        id,
        ban.name,
        ban.address ?? "",
        ban.by ?? null,
        ban.time ?? null,
      );
    }
  }

  #writeClaim(key: string, claim: ClaimRecord | null): void {
    if (claim === null) {
      this.#sql.forgetClaim.run(key);
      return;
    }
    this.#sql.saveClaim.run(
      key,
      claim.name,
      claim.keyId ?? null,
      claim.passwordHash ?? null,
      claim.certFp ?? null,
      claim.claimedAt,
      claim.lastUsed,
      claim.leftAt ?? null,
      JSON.stringify(claim.rooms),
    );
  }

  // Runs writes in one transaction. A storage failure (disk full, I/O
  // error, read-only file) rolls back, is told once, and returns false;
  // anything else is a bug and is thrown.
  #write(writes: () => void): boolean {
    const db = this.#db;
    try {
      db.exec("BEGIN");
      writes();
      db.exec("COMMIT");
    } catch (error) {
      if (db.isTransaction) {
        try {
          db.exec("ROLLBACK");
        } catch {
          // SQLite may have rolled back already; nothing is half written.
        }
      }
      if (!_isSqliteError(error)) throw error;
      this.#retryAt = performance.now() + this.#retryMs;
      if (!this.#failing) {
        this.#failing = true;
        this.#onStatus({ state: "failing", reason: _why(error) });
      }
      this.#bound();
      return false;
    }
    if (this.#failing) {
      this.#failing = false;
      const dropped = this.#dropped;
      this.#dropped = 0;
      this.#onStatus({ state: "storing", dropped });
    }
    return true;
  }

  // While storing fails, lets the oldest waiting lines go past the bound.
  #bound(): void {
    let drop = 0;
    while (
      this.#pendingBytes > this.#maxPendingBytes && drop < this.#pending.length
    ) {
      this.#pendingBytes -= this.#pending[drop]!.bytes;
      drop++;
    }
    if (drop > 0) {
      this.#pending.splice(0, drop);
      this.#dropped += drop;
    }
  }
}

interface _ClaimRow {
  key: string;
  name: string;
  key_id: string | null;
  password_hash: string | null;
  cert_fp: string | null;
  claimed_at: number;
  last_used: number;
  left_at: number | null;
  rooms: string;
}

// A claim as read back; rooms that are not a list of strings read as none.
function _claimOf(row: _ClaimRow): ClaimRecord {
  let rooms: unknown = [];
  try {
    rooms = JSON.parse(row.rooms);
  } catch {
    // A row edited by hand: the claim stands, its rooms are lost.
  }
  return {
    key: row.key,
    name: row.name,
    ...(row.key_id === null ? {} : { keyId: row.key_id }),
    ...(row.password_hash === null ? {} : { passwordHash: row.password_hash }),
    ...(row.cert_fp === null ? {} : { certFp: row.cert_fp }),
    claimedAt: row.claimed_at,
    lastUsed: row.last_used,
    ...(row.left_at === null ? {} : { leftAt: row.left_at }),
    rooms: Array.isArray(rooms)
      ? rooms.filter((room): room is string => typeof room === "string")
      : [],
  };
}

// The lines of one answer, within a count, a budget of text and a deadline.
class _Page {
  readonly lines: StoredLine[] = [];
  #limit: number;
  #maxChars: number;
  #deadline: number;
  #chars = 0;

  constructor(limit: number, maxChars: number, deadline = Infinity) {
    this.#limit = limit;
    this.#maxChars = maxChars;
    this.#deadline = deadline;
  }

  // Adds a line unless it passes the budget (the first always fits);
  // true when the page is done.
  add(stored: StoredLine): boolean {
    this.#chars += stored.line.text.length;
    if (this.lines.length > 0 && this.#chars > this.#maxChars) return true;
    this.lines.push(stored);
    return this.lines.length >= this.#limit ||
      performance.now() > this.#deadline;
  }
}

function _openDatabase(path: string, readOnly: boolean): DatabaseSync {
  if (readOnly) {
    try {
      Deno.statSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new Error(`Cannot open ${path}: there is no history there`);
      }
      throw error;
    }
    return new DatabaseSync(path, { readOnly: true });
  }
  // Made by us first, so the database (and its -wal and -shm, which take
  // its mode) is for its owner only.
  Deno.openSync(path, { create: true, write: true, mode: 0o600 }).close();
  const db = new DatabaseSync(path);
  try {
    const mode = db.prepare("PRAGMA journal_mode = WAL").get() as {
      journal_mode: string;
    };
    if (mode.journal_mode !== "wal") {
      throw new Error(
        `Cannot open ${path}: this file system cannot hold a write-ahead log (journal mode ${mode.journal_mode})`,
      );
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

// How many of the waiting lines each room has.
function _countByRoom(pending: readonly _Pending[]): Map<number, number> {
  const counts = new Map<number, number>();
  let room = -1;
  let run = 0;
  // Lines come in runs of one room (a burst): count runs, not lines.
  for (let i = 0; i < pending.length; i++) {
    const next = pending[i]!.room;
    if (next === room) {
      run++;
      continue;
    }
    if (run > 0) counts.set(room, (counts.get(room) ?? 0) + run);
    room = next;
    run = 1;
  }
  if (run > 0) counts.set(room, (counts.get(room) ?? 0) + run);
  return counts;
}

// Inserts the waiting lines, 64 or 8 to a statement while there are as
// many: the cost of a statement is mostly its call, not its rows.
function _insertLines(sql: _Statements, pending: readonly _Pending[]): void {
  let i = 0;
  for (
    const [size, statement] of [
      [64, sql.insertLines64],
      [8, sql.insertLines8],
      [1, sql.insertLine],
    ] as const
  ) {
    if (pending.length - i < size) continue;
    const args: (number | string)[] = new Array(size * 6);
    for (; pending.length - i >= size; i += size) {
      for (let j = 0; j < size; j++) _lineArgs(pending[i + j]!, args, j * 6);
      statement.run(...args);
    }
  }
}

function _lineArgs(
  pending: _Pending,
  into: (number | string)[],
  at: number,
): void {
  const { id, line } = pending.stored;
  into[at] = id;
  into[at + 1] = pending.room;
  into[at + 2] = line.from;
  into[at + 3] = line.text;
  into[at + 4] = line.time;
  into[at + 5] = line.action === true ? 1 : 0;
}

function _stored(row: _LineRow): StoredLine {
  const line: ChatLine = {
    from: row.sender,
    text: row.text,
    time: row.time,
  };
  if (row.action === 1) line.action = true;
  return { id: row.id, line };
}

function _isSqliteError(error: unknown): boolean {
  return error instanceof Error &&
    (error as { code?: unknown }).code === "ERR_SQLITE_ERROR";
}

// The reason of an error as the end of a one-line message.
function _why(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (_isSqliteError(error)) {
    const message = error.message;
    if (/file is not a database|malformed|corrupt/i.test(message)) {
      return `the database is corrupt (${message})`;
    }
    if (/database or disk is full/i.test(message)) return "the disk is full";
    return message;
  }
  // Our own "Cannot <do what>: <why>" errors: keep the why.
  if (error.message.startsWith("Cannot ")) {
    return error.message.replace(/^Cannot [^:]*: /, "");
  }
  return fileError(error);
}
