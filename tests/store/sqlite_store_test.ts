// Checks src/store/sqlite_store.ts on a temporary data folder: ids, paging,
// bounds, search, retention, export, rooms, read-only opening, and the
// one-line errors of a folder, a database or a lock that cannot be used.

import {
  assert,
  assertEquals,
  assertFalse,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { MAX_SEARCH_PAGE } from "../../src/store/history_store.ts";
import { hashRoomKey, verifyRoomKey } from "../../src/store/room_key.ts";
import type { RoomRecord } from "../../src/store/room_store.ts";
import { HISTORY_FILE, SqliteStore } from "../../src/store/sqlite_store.ts";
import { SCHEMA_VERSION } from "../../src/store/migrations.ts";
import { line, scalar, sql, texts, withTempDir } from "./_temp_dir.ts";

const DAY = 86_400_000;

function fill(store: SqliteStore, room: string, count: number, from = 1) {
  for (let i = from; i < from + count; i++) {
    store.append(room, line(`${room} line ${i}`, i * 1000));
  }
  store.commit();
}

Deno.test("SqliteStore.append() gives every line a greater id, across rooms and reopenings", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    const ids = [
      store.append("#general", line("a")).id,
      store.append("#games", line("b")).id,
      store.append("#general", line("c")).id,
    ];
    assertEquals(ids, [1, 2, 3]);
    assertEquals(store.pending, 3);
    assert(store.commit());
    assertEquals(store.pending, 0);
    store.close();
    const again = SqliteStore.open(dir);
    assertEquals(again.append("#games", line("d")).id, 4);
    again.close();
  });
});

Deno.test("SqliteStore ids never go back, even when retention removed every line", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    fill(store, "#general", 5);
    assertEquals(store.retain({ maxLinesPerRoom: 0 }).removed, 5);
    store.close();
    const again = SqliteStore.open(dir);
    assertEquals(again.recent("#general", 10), []);
    assertEquals(again.append("#general", line("next")).id, 6);
    again.close();
  });
});

Deno.test("SqliteStore.append() keeps the line object itself until it is read back", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    const said = { from: "ana", text: "waves", time: 5, action: true };
    assertStrictEquals(store.append("#general", said).line, said);
    const [read] = store.recent("#general", 1);
    assertEquals(read, { id: 1, line: said });
    const plain = store.append("#general", line("hi"));
    assertEquals(store.recent("#general", 1), [plain]);
    assertFalse("action" in store.recent("#general", 1)[0]!.line);
    store.close();
  });
});

Deno.test("SqliteStore.recent() returns the newest lines oldest first, pages back with before, keeps rooms apart", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    for (const text of ["1", "2", "3", "4", "5"]) {
      store.append("#general", line(text));
    }
    store.append("#games", line("gg"));
    // No commit: reading commits what waits.
    assertEquals(texts(store.recent("#general", 3)), ["3", "4", "5"]);
    assertEquals(store.pending, 0);
    const last = store.recent("#general", 2);
    assertEquals(texts(last), ["4", "5"]);
    const earlier = store.recent("#general", 2, last[0]!.id);
    assertEquals(texts(earlier), ["2", "3"]);
    assertEquals(texts(store.recent("#general", 2, earlier[0]!.id)), ["1"]);
    assertEquals(store.recent("#general", 2, 1), []);
    assertEquals(store.recent("#general", 0), []);
    assertEquals(texts(store.recent("#games", 10)), ["gg"]);
    assertEquals(store.recent("#nowhere", 10), []);
    assertThrows(
      () => store.recent("#general", -1),
      RangeError,
      "Cannot read history: limit must be a whole number of zero or more, not -1",
    );
    store.close();
  });
});

Deno.test("SqliteStore.recent() stops at maxReadBytes of text, but returns at least one line", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir, { maxReadBytes: 2500 });
    for (let i = 0; i < 10; i++) {
      store.append("#general", line(`${i}`.repeat(1000)));
    }
    const read = store.recent("#general", 10);
    assertEquals(read.map((stored) => stored.id), [9, 10]);
    store.close();
    const tiny = SqliteStore.open(dir, { maxReadBytes: 1 });
    assertEquals(tiny.recent("#general", 10).map((stored) => stored.id), [10]);
    tiny.close();
  });
});

Deno.test("SqliteStore keeps its lines across a restart, in order", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    fill(store, "#general", 120);
    store.close();
    const again = SqliteStore.open(dir);
    const last = again.recent("#general", 50);
    assertEquals(last.length, 50);
    assertEquals(last[0]!.line, line("#general line 71", 71_000));
    assertEquals(last.at(-1)!.id, 120);
    again.close();
  });
});

Deno.test("SqliteStore.search() finds whole words in any case and accents, newest first, in one room", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    store.append("#general", line("Olá! Café amanhã?"));
    store.append("#general", line("cafe, yes"));
    store.append("#general", line("cafeteria"));
    store.append("#games", line("café in games"));
    const found = store.search("#general", "CAFÉ");
    assertEquals(texts(found), ["cafe, yes", "Olá! Café amanhã?"]);
    assertEquals(texts(store.search("#general", "amanha  cafe")), [
      "Olá! Café amanhã?",
    ]);
    assertEquals(texts(store.search("#games", "cafe")), ["café in games"]);
    assertEquals(store.search("#general", "tea"), []);
    assertEquals(store.search("#general", " ?! "), []);
    assertEquals(store.search("#nowhere", "cafe"), []);
    store.close();
  });
});

Deno.test("SqliteStore.search() reads operators and quotes as plain words", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    store.append("#general", line('say "near" AND or NOT'));
    store.append("#general", line("room r1 text"));
    for (
      const words of [
        '"',
        'near"',
        "NEAR(a b)",
        "* AND",
        "-not",
        "room:r1",
        "text : x",
        "{text}",
        "^say",
      ]
    ) {
      store.search("#general", words);
    }
    assertEquals(texts(store.search("#general", 'AND "NEAR"')), [
      'say "near" AND or NOT',
    ]);
    assertEquals(texts(store.search("#general", "r1")), ["room r1 text"]);
    store.close();
  });
});

Deno.test("SqliteStore.search() returns at most 20 per page and pages back with before", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    for (let i = 1; i <= 50; i++) store.append("#general", line(`match ${i}`));
    const first = store.search("#general", "match", { limit: 100 });
    assertEquals(first.length, MAX_SEARCH_PAGE);
    assertEquals(first[0]!.id, 50);
    assertEquals(first.at(-1)!.id, 31);
    const next = store.search("#general", "match", { before: 31, limit: 5 });
    assertEquals(next.map((stored) => stored.id), [30, 29, 28, 27, 26]);
    assertEquals(store.search("#general", "match", { limit: 0 }), []);
    assertThrows(
      () => store.search("#general", "match", { limit: 1.5 }),
      RangeError,
      "Cannot search history: limit must be",
    );
    store.close();
  });
});

Deno.test("SqliteStore.search() stops at its time and byte bounds with what it found", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir, { searchTimeMs: 0 });
    for (let i = 1; i <= 30; i++) store.append("#general", line(`word ${i}`));
    assertEquals(store.search("#general", "word").map((s) => s.id), [30]);
    store.close();
    const small = SqliteStore.open(dir, { maxReadBytes: 14 });
    assertEquals(small.search("#general", "word").map((s) => s.id), [30, 29]);
    small.close();
  });
});

Deno.test("SqliteStore.retain() keeps the newest lines of each room, a batch at a time", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    fill(store, "#a", 30);
    fill(store, "#b", 5, 31);
    const calls: { removed: number; more: boolean }[] = [];
    let result;
    do {
      result = store.retain({ maxLinesPerRoom: 10, maxRows: 8 });
      calls.push(result);
    } while (result.more);
    assertEquals(calls, [
      { removed: 8, more: true },
      { removed: 8, more: true },
      { removed: 4, more: false },
    ]);
    assertEquals(store.retain({ maxLinesPerRoom: 10 }), {
      removed: 0,
      more: false,
    });
    const kept = store.recent("#a", 100);
    assertEquals(kept.map((stored) => stored.id), [
      21,
      22,
      23,
      24,
      25,
      26,
      27,
      28,
      29,
      30,
    ]);
    assertEquals(store.recent("#b", 100).length, 5);
    // Removed lines are gone from the search too.
    assertEquals(store.search("#a", "line").length, 10);
    assertEquals(store.search("#a", "1"), []);
    store.close();
    // The counts are kept: after a restart the limit still holds.
    const again = SqliteStore.open(dir);
    fill(again, "#a", 3, 100);
    assertEquals(again.retain({ maxLinesPerRoom: 10 }).removed, 3);
    assertEquals(again.recent("#a", 100)[0]!.id, 24);
    again.close();
  });
});

Deno.test("SqliteStore.retain() removes lines older than maxAgeDays, oldest first", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    const now = 100 * DAY;
    for (let day = 1; day <= 10; day++) {
      store.append("#general", line(`day ${day}`, now - (11 - day) * DAY));
    }
    store.append("#general", line("today", now));
    const first = store.retain({ maxAgeDays: 3, now, maxRows: 4 });
    assertEquals(first, { removed: 4, more: true });
    assertEquals(store.retain({ maxAgeDays: 3, now }), {
      removed: 3,
      more: false,
    });
    assertEquals(texts(store.recent("#general", 20)), [
      "day 8",
      "day 9",
      "day 10",
      "today",
    ]);
    assertEquals(store.retain({ maxAgeDays: 3, now }).removed, 0);
    assertThrows(
      () => store.retain({ maxAgeDays: -1 }),
      RangeError,
      "Cannot remove old lines: maxAgeDays must be zero or more, not -1",
    );
    assertThrows(
      () => store.retain({ maxLinesPerRoom: -1 }),
      RangeError,
      "Cannot remove old lines: maxLinesPerRoom must be",
    );
    store.close();
  });
});

Deno.test("SqliteStore.retain() with both limits removes each line once", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    for (let i = 1; i <= 10; i++) {
      store.append("#general", line(`${i}`, i <= 4 ? 0 : 10 * DAY));
    }
    assertEquals(
      store.retain({ maxAgeDays: 1, maxLinesPerRoom: 5, now: 10 * DAY }),
      { removed: 5, more: false },
    );
    assertEquals(texts(store.recent("#general", 20)), [
      "6",
      "7",
      "8",
      "9",
      "10",
    ]);
    store.close();
  });
});

Deno.test("SqliteStore.exportLines() yields every line in id order, by room and from a time", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    store.append("#general", line("one", 10));
    store.append("#games", {
      from: "bob",
      text: "two",
      time: 20,
      action: true,
    });
    store.append("#general", line("three", 30));
    assertEquals([...store.exportLines()], [
      {
        id: 1,
        room: "#general",
        from: "ana",
        text: "one",
        time: 10,
        action: false,
      },
      {
        id: 2,
        room: "#games",
        from: "bob",
        text: "two",
        time: 20,
        action: true,
      },
      {
        id: 3,
        room: "#general",
        from: "ana",
        text: "three",
        time: 30,
        action: false,
      },
    ]);
    assertEquals(
      [...store.exportLines({ room: "#general" })].map((l) => l.id),
      [1, 3],
    );
    assertEquals([...store.exportLines({ since: 20 })].map((l) => l.id), [
      2,
      3,
    ]);
    assertEquals(
      [...store.exportLines({ room: "#general", since: 20 })].map((l) => l.id),
      [3],
    );
    assertEquals([...store.exportLines({ room: "#nowhere" })], []);
    store.close();
  });
});

Deno.test("SqliteStore keeps rooms' records across a restart: topic, hashed key, modes, operators, bans", async () => {
  await withTempDir((dir) => {
    const keyHash = hashRoomKey("s3cret", { cost: 16 });
    const general: RoomRecord = {
      room: "#general",
      name: "#General",
      topic: { text: "Welcome", by: "ana", time: 5 },
      keyHash,
      modes: "t",
      operators: ["ana", "bob"],
      bans: [
        { name: "eve", address: "10.0.0.9", by: "ana", time: 6 },
        { name: "mallory" },
      ],
    };
    const store = SqliteStore.open(dir);
    store.saveRoom({ room: "#ops", name: "#ops", operators: [], bans: [] });
    store.saveRoom({ ...general, operators: ["zed"], bans: [] });
    store.saveRoom(general);
    store.saveRoom({
      room: "#gone",
      name: "#gone",
      operators: ["x"],
      bans: [],
    });
    store.append("#gone", line("still here"));
    store.forgetRoom("#gone");
    store.forgetRoom("#never");
    store.close();
    const again = SqliteStore.open(dir);
    assertEquals(again.loadRooms(), [
      { room: "#ops", name: "#ops", operators: [], bans: [] },
      general,
    ]);
    assert(verifyRoomKey("s3cret", again.loadRooms()[1]!.keyHash!));
    assertEquals(texts(again.recent("#gone", 10)), ["still here"]);
    again.close();
  });
});

Deno.test("SqliteStore never writes a room's secret, only its salted hash", async () => {
  await withTempDir(async (dir) => {
    const store = SqliteStore.open(dir);
    store.saveRoom({
      room: "#vault",
      name: "#vault",
      keyHash: hashRoomKey("plain-secret-xyzzy", { cost: 16 }),
      operators: [],
      bans: [],
    });
    store.close();
    const bytes = await Deno.readFile(`${dir}/${HISTORY_FILE}`);
    const text = new TextDecoder("latin1").decode(bytes);
    assertFalse(text.includes("plain-secret-xyzzy"));
    assert(text.includes("scrypt$16$"));
  });
});

Deno.test("SqliteStore read-only opens beside a running writer, takes no lock and refuses to write", async () => {
  await withTempDir((dir) => {
    const writer = SqliteStore.open(dir);
    fill(writer, "#general", 3);
    const reader = SqliteStore.open(dir, { readOnly: true });
    assertEquals(reader.recent("#general", 10).length, 3);
    assertThrows(
      () => reader.append("#general", line("no")),
      TypeError,
      "Cannot append a line: the history is open read-only",
    );
    fill(writer, "#general", 2, 4);
    assertEquals([...reader.exportLines()].length, 5);
    reader.close();
    writer.close();
  });
});

Deno.test("SqliteStore.open() read-only says when there is no history", async () => {
  await withTempDir((dir) => {
    assertThrows(
      () => SqliteStore.open(`${dir}/none`, { readOnly: true }),
      Error,
      `Cannot open the history in ${dir}/none: there is no history there`,
    );
  });
});

Deno.test("SqliteStore.open() creates the folder and the database for their owner only", async () => {
  if (Deno.build.os === "windows") return;
  await withTempDir((dir) => {
    const data = `${dir}/deep/chat`;
    const store = SqliteStore.open(data);
    store.append("#general", line("a"));
    store.commit();
    assertEquals(Deno.statSync(data).mode! & 0o777, 0o700);
    for (const file of [HISTORY_FILE, `${HISTORY_FILE}-wal`, "chat.lock"]) {
      assertEquals(Deno.statSync(`${data}/${file}`).mode! & 0o777, 0o600, file);
    }
    store.close();
  });
});

Deno.test("SqliteStore.open() refuses a corrupt database in one line, and leaves no lock behind", async () => {
  await withTempDir((dir) => {
    Deno.writeTextFileSync(`${dir}/${HISTORY_FILE}`, "garbage ".repeat(2000));
    const error = assertThrows(() => SqliteStore.open(dir), Error);
    assertEquals(
      error.message,
      `Cannot open the history in ${dir}: the database is corrupt (file is not a database)`,
    );
    Deno.removeSync(`${dir}/${HISTORY_FILE}`);
    SqliteStore.open(dir).close();
  });
});

Deno.test("SqliteStore.open() refuses a database from a newer chat, naming both versions", async () => {
  await withTempDir((dir) => {
    SqliteStore.open(dir).close();
    sql(dir, "PRAGMA user_version = 7");
    const error = assertThrows(() => SqliteStore.open(dir), Error);
    assertEquals(
      error.message,
      `Cannot open the history in ${dir}: it was written by a newer chat (schema version 7; this chat knows up to ${SCHEMA_VERSION})`,
    );
    assertThrows(
      () => SqliteStore.open(dir, { readOnly: true }),
      Error,
      `schema version 7; this chat knows up to ${SCHEMA_VERSION}`,
    );
  });
});

Deno.test("SqliteStore.open() refuses another program's database", async () => {
  await withTempDir((dir) => {
    sql(dir, "CREATE TABLE photos (id INTEGER PRIMARY KEY)");
    assertThrows(
      () => SqliteStore.open(dir),
      Error,
      `Cannot open the history in ${dir}: it belongs to another program`,
    );
  });
});

Deno.test("SqliteStore.open() refuses a second store on the same folder, naming this process", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    const error = assertThrows(() => SqliteStore.open(dir), Error);
    assertEquals(
      error.message,
      `Cannot open the history in ${dir}: another chat serve (process ${Deno.pid}) is using it`,
    );
    store.close();
    SqliteStore.open(dir).close();
  });
});

Deno.test("SqliteStore.open() says when the data folder is a file", async () => {
  await withTempDir((dir) => {
    Deno.writeTextFileSync(`${dir}/file`, "");
    assertThrows(
      () => SqliteStore.open(`${dir}/file`),
      Error,
      `Cannot use the data folder ${dir}/file: it is a file, not a folder`,
    );
    assertThrows(
      () => SqliteStore.open(`${dir}/file/chat`),
      Error,
      `Cannot use the data folder ${dir}/file/chat: not a directory`,
    );
  });
});

Deno.test("SqliteStore.close() commits what waits and is idempotent; a closed store refuses work", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    store.append("#general", line("last words"));
    store.close();
    store.close();
    assert(store.commit());
    assertThrows(
      () => store.append("#general", line("x")),
      TypeError,
      "Cannot append a line: the history is closed",
    );
    assertThrows(
      () => store.recent("#general", 1),
      TypeError,
      "Cannot read history: the history is closed",
    );
    const again = SqliteStore.open(dir);
    assertEquals(texts(again.recent("#general", 5)), ["last words"]);
    again.close();
  });
});

Deno.test("SqliteStore.index() indexes committed lines a batch at a time, and remembers how far across a restart", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    fill(store, "#general", 25);
    assertEquals(store.index(10), 10);
    assertEquals(store.index(10), 10);
    store.close(); // indexes the rest
    const again = SqliteStore.open(dir);
    assertEquals(again.index(), 0);
    fill(again, "#general", 3, 26);
    assertEquals(again.index(), 3);
    assertEquals(again.index(), 0);
    assertThrows(
      () => again.index(-1),
      RangeError,
      "Cannot index history: maxRows must be",
    );
    again.close();
  });
});

Deno.test("SqliteStore.search() finds lines not indexed yet, in the same order and pages as indexed ones", async () => {
  await withTempDir((dir) => {
    const writer = SqliteStore.open(dir);
    for (let i = 1; i <= 30; i++) {
      writer.append("#general", line(i % 3 === 0 ? `Café ${i}` : `tea ${i}`));
    }
    writer.append("#games", line("café elsewhere"));
    writer.commit();
    // A read-only store cannot index: it reads every line word by word.
    const reader = SqliteStore.open(dir, { readOnly: true });
    const unindexed = reader.search("#general", "cafe", { limit: 4 });
    const older = reader.search("#general", "cafe", { before: 21 });
    assertEquals(unindexed.map((s) => s.id), [30, 27, 24, 21]);
    assertEquals(older.map((s) => s.id), [18, 15, 12, 9, 6, 3]);
    // The writer indexes half, then everything.
    writer.index(15);
    assertEquals(
      writer.search("#general", "cafe", { limit: 4 }).map((s) => s.id),
      [30, 27, 24, 21],
    );
    assertEquals(writer.index(), 0);
    assertEquals(writer.search("#general", "cafe", { before: 21 }), older);
    assertEquals(reader.search("#general", "cafe", { before: 21 }), older);
    reader.close();
    writer.close();
  });
});

Deno.test("SqliteStore.retain() removes lines whether or not they were indexed, and the index stays sound", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    fill(store, "#general", 10);
    store.index(4);
    assertEquals(store.retain({ maxLinesPerRoom: 3 }).removed, 7);
    assertEquals(store.index(), 3);
    assertEquals(store.search("#general", "line").map((s) => s.id), [10, 9, 8]);
    store.close();
    sql(
      dir,
      "INSERT INTO lines_search (lines_search) VALUES ('integrity-check')",
    );
    assertEquals(scalar(dir, "SELECT count(*) FROM lines_search"), 3);
  });
});

Deno.test("SqliteStore keeps claims across a reopen, in the commit that writes the lines", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    store.saveClaim({
      key: "ana",
      name: "Ana",
      keyId: "ed25519:abc",
      passwordHash: "scrypt$1024$8$1$salt$hash",
      claimedAt: 1,
      lastUsed: 2,
      leftAt: 3,
      rooms: ["#general", "#games"],
    });
    store.saveClaim({
      key: "bob",
      name: "bob",
      claimedAt: 1,
      lastUsed: 1,
      rooms: [],
    });
    store.commit();
    store.forgetClaim("bob");
    store.close();
    const again = SqliteStore.open(dir);
    assertEquals(again.loadClaims(), [{
      key: "ana",
      name: "Ana",
      keyId: "ed25519:abc",
      passwordHash: "scrypt$1024$8$1$salt$hash",
      claimedAt: 1,
      lastUsed: 2,
      leftAt: 3,
      rooms: ["#general", "#games"],
    }]);
    again.close();
    // A row edited by hand keeps its claim, and loses only its rooms.
    sql(dir, "UPDATE name_claims SET rooms = 'not json'");
    const edited = SqliteStore.open(dir);
    assertEquals(edited.loadClaims()[0]?.rooms, []);
    edited.close();
  });
});

Deno.test("SqliteStore.hasRoom() tells the rooms the history has had, read-only too", async () => {
  await withTempDir((dir) => {
    const store = SqliteStore.open(dir);
    store.append("#general", line("hi"));
    store.commit();
    assert(store.hasRoom("#general"));
    assertFalse(store.hasRoom("#games"));
    const reader = SqliteStore.open(dir, { readOnly: true });
    assert(reader.hasRoom("#general"));
    reader.close();
    store.close();
  });
});
