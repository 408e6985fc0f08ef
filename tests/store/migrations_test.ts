// Checks src/store/migrations.ts: a new database gets every migration and
// the chat application id; migrations apply once, in order, each in its
// own transaction (a failing one leaves the version before it); a newer
// database, another program's database, and a read-only open that would
// need an upgrade are refused with a clear reason.

import { assertEquals, assertThrows } from "@std/assert";
import { DatabaseSync } from "node:sqlite";
import {
  APPLICATION_ID,
  applyMigrations,
  type Migration,
  MIGRATIONS,
  SCHEMA_VERSION,
} from "../../src/store/migrations.ts";

function pragma(db: DatabaseSync, name: string): number {
  return Number(Object.values(db.prepare(`PRAGMA ${name}`).get()!)[0]);
}

function tables(db: DatabaseSync): string[] {
  return db.prepare(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'lines_search_%' ORDER BY name",
  ).all().map((row) => String(row.name));
}

Deno.test("applyMigrations() brings a new database to the last version, once", () => {
  const db = new DatabaseSync(":memory:");
  assertEquals(applyMigrations(db), { from: 0, to: SCHEMA_VERSION });
  assertEquals(pragma(db, "user_version"), SCHEMA_VERSION);
  assertEquals(pragma(db, "application_id"), APPLICATION_ID);
  assertEquals(tables(db), [
    "counters",
    "lines",
    "lines_search",
    "name_claims",
    "room_bans",
    "room_operators",
    "rooms",
  ]);
  assertEquals(applyMigrations(db), {
    from: SCHEMA_VERSION,
    to: SCHEMA_VERSION,
  });
  db.close();
});

Deno.test("the schema's migrations are numbered 1, 2, 3… with no gap", () => {
  assertEquals(
    MIGRATIONS.map((migration) => migration.version),
    MIGRATIONS.map((_, i) => i + 1),
  );
});

Deno.test("applyMigrations() applies only the missing ones, in order", () => {
  const db = new DatabaseSync(":memory:");
  applyMigrations(db);
  const next: Migration[] = [
    ...MIGRATIONS,
    {
      version: SCHEMA_VERSION + 1,
      sql: "ALTER TABLE lines ADD COLUMN edited INTEGER",
    },
    {
      version: SCHEMA_VERSION + 2,
      sql: "CREATE INDEX lines_edited ON lines (edited)",
    },
  ];
  assertEquals(applyMigrations(db, { migrations: next }), {
    from: SCHEMA_VERSION,
    to: SCHEMA_VERSION + 2,
  });
  db.exec("INSERT INTO rooms (id, key) VALUES (1, '#general')");
  db.exec(
    "INSERT INTO lines (id, room, sender, text, time, edited) VALUES (1, 1, 'a', 'b', 0, 1)",
  );
  db.close();
});

Deno.test("applyMigrations() leaves a failed migration undone, and the version before it", () => {
  const db = new DatabaseSync(":memory:");
  applyMigrations(db);
  const broken: Migration[] = [
    ...MIGRATIONS,
    { version: SCHEMA_VERSION + 1, sql: "CREATE TABLE fine (x)" },
    {
      version: SCHEMA_VERSION + 2,
      sql: "CREATE TABLE half (x); SELECT * FROM nowhere",
    },
  ];
  assertThrows(() => applyMigrations(db, { migrations: broken }), Error);
  assertEquals(pragma(db, "user_version"), SCHEMA_VERSION + 1);
  assertEquals(tables(db).includes("fine"), true);
  assertEquals(tables(db).includes("half"), false);
  db.close();
});

Deno.test("applyMigrations() refuses a newer database, naming both versions", () => {
  const db = new DatabaseSync(":memory:");
  applyMigrations(db);
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  assertThrows(
    () => applyMigrations(db),
    RangeError,
    `Cannot migrate the history: it was written by a newer chat (schema version ${
      SCHEMA_VERSION + 1
    }; this chat knows up to ${SCHEMA_VERSION})`,
  );
  db.close();
});

Deno.test("applyMigrations() refuses another program's database", () => {
  const other = new DatabaseSync(":memory:");
  other.exec("PRAGMA application_id = 42");
  assertThrows(
    () => applyMigrations(other),
    RangeError,
    "Cannot migrate the history: it belongs to another program (application id 42)",
  );
  other.close();
  const tablesOnly = new DatabaseSync(":memory:");
  tablesOnly.exec("CREATE TABLE photos (id)");
  assertThrows(
    () => applyMigrations(tablesOnly),
    RangeError,
    "it belongs to another program",
  );
  tablesOnly.close();
});

Deno.test("applyMigrations() read-only refuses a database that needs an upgrade, and changes nothing", () => {
  const db = new DatabaseSync(":memory:");
  applyMigrations(db);
  const next = [...MIGRATIONS, {
    version: SCHEMA_VERSION + 1,
    sql: "CREATE TABLE x (y)",
  }];
  assertThrows(
    () => applyMigrations(db, { migrations: next, readOnly: true }),
    RangeError,
    `it has schema version ${SCHEMA_VERSION} and needs ${
      SCHEMA_VERSION + 1
    }; start chat serve on it once to upgrade it`,
  );
  assertEquals(pragma(db, "user_version"), SCHEMA_VERSION);
  db.close();
});

Deno.test("node:sqlite in this Deno has FTS5 and WAL, which the schema needs", async () => {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE VIRTUAL TABLE t USING fts5 (x)");
  db.exec("INSERT INTO t (x) VALUES ('hello world')");
  assertEquals(
    db.prepare("SELECT rowid FROM t WHERE t MATCH 'world'").all().length,
    1,
  );
  db.close();
  const dir = await Deno.makeTempDir();
  const file = new DatabaseSync(`${dir}/wal.db`);
  assertEquals(
    Object.values(file.prepare("PRAGMA journal_mode = WAL").get()!)[0],
    "wal",
  );
  file.close();
  await Deno.remove(dir, { recursive: true });
});
