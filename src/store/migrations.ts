/**
 * The history database's schema, as numbered migrations: each one is
 * applied once, in order, in its own transaction, and the database's
 * `user_version` says which ones it has. A database from a newer chat (a
 * higher version than the last migration here) is refused, never guessed at.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";

/** One step of the schema. */
export interface Migration {
  /** Its number: 1 for the first, each one more than the last. */
  readonly version: number;
  /** What it does: SQL statements, run together. */
  readonly sql: string;
}

/**
 * `PRAGMA application_id` of a chat history ("chat" in ASCII), so a
 * database of some other program is not taken for one.
 */
export const APPLICATION_ID = 0x63686174;

/** Every migration of the history, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      -- Every room the history has seen; line_count is kept with each
      -- commit so retention need not count. saved = 1 when the hub keeps
      -- the room's record (name, topic, key, modes, operators, bans).
      CREATE TABLE rooms (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        line_count INTEGER NOT NULL DEFAULT 0,
        saved INTEGER NOT NULL DEFAULT 0,
        name TEXT,
        topic TEXT,
        topic_by TEXT,
        topic_time INTEGER,
        key_hash TEXT,
        modes TEXT NOT NULL DEFAULT ''
      );
      CREATE TABLE room_operators (
        room INTEGER NOT NULL REFERENCES rooms (id),
        name TEXT NOT NULL,
        PRIMARY KEY (room, name)
      ) WITHOUT ROWID;
      CREATE TABLE room_bans (
        room INTEGER NOT NULL REFERENCES rooms (id),
        name TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        by TEXT,
        time INTEGER,
        PRIMARY KEY (room, name, address)
      ) WITHOUT ROWID;
      -- Public lines only: private messages are never stored.
      CREATE TABLE lines (
        id INTEGER PRIMARY KEY,
        room INTEGER NOT NULL REFERENCES rooms (id),
        sender TEXT NOT NULL,
        text TEXT NOT NULL,
        time INTEGER NOT NULL,
        action INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX lines_by_room ON lines (room, id);
      -- The words of each line, and its room as a word ("r" and the room's
      -- id), so one MATCH finds a room's lines; the text itself stays in
      -- lines (contentless, rows deleted by rowid).
      CREATE VIRTUAL TABLE lines_search USING fts5 (
        text,
        room,
        content = '',
        contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2'
      );
      -- last_line_id: the last id given, so ids never go back even when
      -- retention has removed every line. indexed_up_to: lines up to this
      -- id are in lines_search (the index is built after the commit, a
      -- batch at a time).
      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO counters (name, value)
        VALUES ('last_line_id', 0), ('indexed_up_to', 0);
      PRAGMA application_id = ${APPLICATION_ID};
    `,
  },
  {
    version: 2,
    sql: `
      -- Claimed names (see claim_store.ts): who may use each name (a public
      -- key, a password's salted hash, a certificate fingerprint), when it
      -- was last used, and the rooms its holder was in when it left (a
      -- JSON array of room names). Never a password or a private key.
      CREATE TABLE name_claims (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        key_id TEXT,
        password_hash TEXT,
        cert_fp TEXT,
        claimed_at INTEGER NOT NULL,
        last_used INTEGER NOT NULL,
        left_at INTEGER,
        rooms TEXT NOT NULL DEFAULT '[]'
      ) WITHOUT ROWID;
    `,
  },
];

/** The schema version this program writes: the last migration's. */
export const SCHEMA_VERSION: number = MIGRATIONS.at(-1)!.version;

/** Options of {@linkcode applyMigrations}. */
export interface ApplyMigrationsOptions {
  /**
   * The migrations to apply.
   * @default {MIGRATIONS}
   */
  migrations?: readonly Migration[];
  /**
   * Only check, change nothing (a read-only open, as for `chat export`).
   * @default {false}
   */
  readOnly?: boolean;
}

/** What {@linkcode applyMigrations} found and did. */
export interface MigrationResult {
  /** The version the database had. */
  from: number;
  /** The version it has now. */
  to: number;
}

/**
 * Brings a database to the last migration's version, applying each missing
 * one in its own transaction.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DatabaseSync } from "node:sqlite";
 * import { applyMigrations, SCHEMA_VERSION } from "./migrations.ts";
 *
 * const db = new DatabaseSync(":memory:");
 * assertEquals(applyMigrations(db), { from: 0, to: SCHEMA_VERSION });
 * assertEquals(applyMigrations(db), { from: SCHEMA_VERSION, to: SCHEMA_VERSION });
 * db.close();
 * ```
 *
 * @param db An open database.
 * @param options The migrations, and whether only to check.
 * @returns The version before and after.
 * @throws {RangeError} `Cannot migrate the history: it was written by a
 * newer chat (schema version <found>; this chat knows up to <known>)`, or
 * when it belongs to another program, or needs an upgrade that a read-only
 * open cannot make.
 */
export function applyMigrations(
  db: DatabaseSync,
  options: ApplyMigrationsOptions = {},
): MigrationResult {
  const migrations = options.migrations ?? MIGRATIONS;
  const known = migrations.at(-1)?.version ?? 0;
  const from = _pragma(db, "user_version");
  const fail = (why: string): never => {
    throw new RangeError(`Cannot migrate the history: ${why}`);
  };
  const appId = _pragma(db, "application_id");
  if (appId !== 0 && appId !== APPLICATION_ID) {
    fail(`it belongs to another program (application id ${appId})`);
  }
  if (from === 0 && _tableCount(db) > 0) {
    fail("it belongs to another program (tables but no chat schema)");
  }
  if (from > known) {
    fail(
      `it was written by a newer chat (schema version ${from}; this chat knows up to ${known})`,
    );
  }
  if (from < known && options.readOnly === true) {
    fail(
      `it has schema version ${from} and needs ${known}; start chat serve on it once to upgrade it`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec("COMMIT");
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw error;
    }
  }
  return { from, to: Math.max(from, known) };
}

function _pragma(db: DatabaseSync, name: string): number {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>;
  return Number(row[name]);
}

function _tableCount(db: DatabaseSync): number {
  const row = db.prepare("SELECT count(*) AS n FROM sqlite_schema").get() as {
    n: number;
  };
  return row.n;
}
