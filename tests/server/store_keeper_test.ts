// Checks src/server/store_keeper.ts: the store a config asks for (memory
// with --memory or without a data folder, SQLite in the folder otherwise,
// and a folder that cannot be used refused in one line), commits that never
// throw, indexing left for when lines stop coming (or too many wait), and
// retention by count and age done by the ticker in slices.

import { assert, assertEquals, assertThrows } from "@std/assert";
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from "../../src/config.ts";
import { StoreKeeper } from "../../src/server/store_keeper.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";
import { SqliteStore } from "../../src/store/sqlite_store.ts";

async function withDir(body: (dir: string) => Promise<void> | void) {
  const dir = await Deno.makeTempDir({ prefix: "chat_keeper_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function config(changes: Partial<ServerConfig>): ServerConfig {
  return { ...DEFAULT_SERVER_CONFIG, ...changes };
}

const DAY = 86_400_000;

Deno.test("StoreKeeper.open() keeps the history in memory with --memory or without a data folder, else in SQLite there", async () => {
  await withDir((dir) => {
    const none = StoreKeeper.open(config({ dataDir: null }));
    assert(none.store instanceof MemoryStore);
    assertEquals(none.path, null);
    none.close();
    const memory = StoreKeeper.open(config({ dataDir: dir, memory: true }));
    assert(memory.store instanceof MemoryStore);
    memory.close();
    assertEquals([...Deno.readDirSync(dir)], [], "--memory writes nothing");
    const disk = StoreKeeper.open(config({ dataDir: `${dir}/data` }));
    assert(disk.store instanceof SqliteStore);
    assertEquals(disk.path, `${dir}/data/history.db`);
    disk.close();
    disk.close();
  });
});

Deno.test("StoreKeeper.open() refuses a data folder that is a file, in one line", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "x");
    assertThrows(
      () => StoreKeeper.open(config({ dataDir: `${dir}/file` })),
      Error,
      `Cannot use the data folder ${dir}/file: it is a file, not a folder`,
    );
  });
});

Deno.test("StoreKeeper commits what waits, and a fault of the store is told once, never thrown", () => {
  const errors: unknown[] = [];
  const keeper = StoreKeeper.open(config({}), {
    onError: (error) => errors.push(error),
  });
  const store = keeper.store;
  store.commit = () => {
    throw new Error("a bug");
  };
  keeper.commit();
  keeper.commit();
  keeper.tick(0);
  assertEquals(errors.length, 1);
  keeper.close();
});

Deno.test("StoreKeeper indexes once lines stop coming, or when 10,000 wait", async () => {
  await withDir((dir) => {
    const keeper = StoreKeeper.open(config({ dataDir: dir }));
    const store = keeper.store as SqliteStore;
    let indexed = 0;
    const index = store.index.bind(store);
    store.index = (rows?: number) => {
      const done = index(rows);
      indexed += done;
      return done;
    };
    const say = (count: number) => {
      for (let i = 0; i < count; i++) {
        store.append("#general", { from: "ana", text: `word ${i}`, time: 0 });
      }
      keeper.commit();
    };
    say(100);
    keeper.tick(0);
    assertEquals(indexed, 0, "lines came since the last tick: not yet");
    keeper.tick(100);
    assertEquals(indexed, 100, "a quiet tick indexes them");
    for (let tick = 0; tick < 11; tick++) {
      say(1000);
      keeper.tick(200 + tick);
    }
    assert(indexed > 100, "past 10,000 waiting, indexing goes on anyway");
    keeper.close();
  });
});

Deno.test("StoreKeeper removes lines past --max-history and --retention on its ticks", async () => {
  await withDir((dir) => {
    const now = 100 * DAY;
    const keeper = StoreKeeper.open(
      config({ dataDir: dir, maxHistory: 3, retentionDays: 10 }),
    );
    const store = keeper.store;
    for (let i = 0; i < 5; i++) {
      store.append("#old", {
        from: "ana",
        text: `old ${i}`,
        time: now - 20 * DAY,
      });
    }
    for (let i = 0; i < 500; i++) {
      store.append("#general", { from: "ana", text: `line ${i}`, time: now });
    }
    keeper.commit();
    keeper.tick(now); // busy: lines came
    for (let tick = 1; tick <= 10; tick++) keeper.tick(now + tick);
    assertEquals(store.recent("#old", 10), []);
    assertEquals(store.recent("#general", 10).map((s) => s.line.text), [
      "line 497",
      "line 498",
      "line 499",
    ]);
    keeper.close();
  });
});
