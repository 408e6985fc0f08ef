/**
 * The server's side of the history store: opens the one the config asks
 * for (SQLite in the data folder, or memory), commits what the hub
 * appended right before any connection writes (group commit: every line
 * of a turn of the event loop in one transaction), and does the store's
 * background work (full-text indexing, retention) a small slice per tick,
 * so that nobody waits for it.
 *
 * @module
 */

import { MEMORY_HISTORY_LINES, type ServerConfig } from "../config.ts";
import { MemoryStore } from "../store/memory_store.ts";
import type { ChatStore } from "../store/room_store.ts";
import {
  HISTORY_FILE,
  SqliteStore,
  type StoreStatus,
} from "../store/sqlite_store.ts";

/** Options of {@linkcode StoreKeeper.open}. */
export interface StoreKeeperOptions {
  /**
   * Told when storing stops (a full disk) and when it works again.
   * @default {() => {}}
   */
  onStatus?: (status: StoreStatus) => void;
  /**
   * Told of a fault of the store that is not a storage failure (a bug),
   * once; the server goes on.
   * @default {() => {}}
   */
  onError?: (error: unknown) => void;
  /**
   * Most milliseconds one tick spends indexing and removing old lines.
   * @default {4}
   */
  tickBudgetMs?: number;
}

// Lines one index step takes: about a millisecond.
const _INDEX_SLICE = 256;
// Lines one retention step removes: a few milliseconds at most.
const _RETAIN_SLICE = 200;
// How often retention looks for old lines when nothing was due.
const _RETAIN_EVERY_MS = 60_000;
// Lines left unindexed while the chat is busy, before indexing goes on
// anyway: a search reads up to 10,000 unindexed lines word by word, so
// every line stays findable.
const _MAX_BACKLOG = 10_000;

/**
 * The open history of a running server. Call
 * {@linkcode StoreKeeper.commit} before every write to a connection (the
 * transports' `beforeWrite`), {@linkcode StoreKeeper.tick} on the
 * server's ticker, and {@linkcode StoreKeeper.close} last.
 *
 * @example In memory
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_SERVER_CONFIG } from "../config.ts";
 * import { StoreKeeper } from "./store_keeper.ts";
 *
 * const keeper = StoreKeeper.open(DEFAULT_SERVER_CONFIG);
 * assertEquals(keeper.path, null);
 * keeper.store.append("#general", { from: "ana", text: "hi", time: 0 });
 * keeper.commit();
 * keeper.close();
 * ```
 */
export class StoreKeeper {
  /** The store the hub keeps lines, rooms and claimed names in. */
  readonly store: ChatStore;
  /** The database file, or `null` when the history is in memory only. */
  readonly path: string | null;
  #retention: { maxAgeDays?: number; maxLinesPerRoom?: number } | null;
  #budgetMs: number;
  #onError: (error: unknown) => void;
  #sqlite: SqliteStore | null;
  // Lines committed since the last tick, and not yet indexed.
  #fresh = 0;
  #backlog = 0;
  #faulted = false;
  #retainAt = 0;
  #closed = false;

  private constructor(
    store: ChatStore,
    path: string | null,
    config: ServerConfig,
    options: StoreKeeperOptions,
  ) {
    this.store = store;
    this.path = path;
    this.#sqlite = store instanceof SqliteStore ? store : null;
    this.#budgetMs = options.tickBudgetMs ?? 4;
    this.#onError = options.onError ?? (() => {});
    const limits: { maxAgeDays?: number; maxLinesPerRoom?: number } = {};
    if (config.retentionDays !== null) {
      limits.maxAgeDays = config.retentionDays;
    }
    if (config.maxHistory !== null) limits.maxLinesPerRoom = config.maxHistory;
    this.#retention = Object.keys(limits).length === 0 ? null : limits;
  }

  /**
   * Opens the store a config asks for: in memory with `memory` or without
   * a `dataDir`, else SQLite in `dataDir` (created, locked, migrated).
   *
   * @param config The server's config.
   * @param options Who is told of failures.
   * @returns The open store.
   * @throws {Error} One line, when the data folder or the database cannot
   * be used (see {@linkcode SqliteStore.open}): a folder that cannot be
   * made or written, a database that is corrupt, locked by another
   * `chat serve`, or from a newer chat.
   */
  static open(
    config: ServerConfig,
    options: StoreKeeperOptions = {},
  ): StoreKeeper {
    if (config.memory || config.dataDir === null) {
      const capacity = config.maxHistory ??
        Math.max(config.historySize, config.catchUp, MEMORY_HISTORY_LINES);
      return new StoreKeeper(
        new MemoryStore({ capacity }),
        null,
        config,
        options,
      );
    }
    const store = SqliteStore.open(config.dataDir, {
      ...(options.onStatus ? { onStatus: options.onStatus } : {}),
    });
    return new StoreKeeper(
      store,
      `${config.dataDir}/${HISTORY_FILE}`,
      config,
      options,
    );
  }

  /**
   * Commits every line appended since the last commit. Called right before
   * each write to a connection: a length check when nothing waits. Never
   * throws.
   */
  commit(): void {
    if (this.#closed) return;
    try {
      const lines = this.#sqlite?.pending ?? 0;
      if (this.store.commit()) this.#fresh += lines;
    } catch (error) {
      this.#fault(error);
    }
  }

  /**
   * One tick of background work: commits what waits (a line nobody else
   * received yet), then indexes new lines and removes old ones, within the
   * tick's budget. While lines keep coming (some were committed since the
   * last tick) that work waits, unless the lines not yet indexed pass a
   * 10,000: a burst is delivered first and indexed after. Never
   * throws.
   *
   * @param now The time now, in milliseconds since the epoch.
   */
  tick(now: number): void {
    if (this.#closed) return;
    try {
      this.commit();
      const busy = this.#fresh > 0;
      this.#backlog += this.#fresh;
      this.#fresh = 0;
      if (busy && this.#backlog < _MAX_BACKLOG) return;
      const deadline = performance.now() + this.#budgetMs;
      let indexed: number;
      do {
        indexed = this.store.index(_INDEX_SLICE);
        this.#backlog = Math.max(0, this.#backlog - indexed);
      } while (indexed > 0 && performance.now() < deadline);
      // Unknown lines (left from the last run) are indexed as they come.
      if (indexed === 0) this.#backlog = 0;
      const retention = this.#retention;
      if (retention === null || now < this.#retainAt) return;
      // At least one step per tick, however long indexing took.
      do {
        const { more } = this.store.retain({
          ...retention,
          maxRows: _RETAIN_SLICE,
          now,
        });
        if (!more) {
          this.#retainAt = now + _RETAIN_EVERY_MS;
          return;
        }
      } while (performance.now() < deadline);
    } catch (error) {
      this.#fault(error);
    }
  }

  /** Commits what waits and closes the store (and its lock). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.store.close();
    } catch (error) {
      this.#fault(error);
    }
  }

  #fault(error: unknown): void {
    if (this.#faulted) return;
    this.#faulted = true;
    this.#onError(error);
  }
}
