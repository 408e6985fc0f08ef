// Checks SqliteStore on a disk that fills during a run: a 1 MiB tmpfs
// (mount, as root; the test is skipped elsewhere). Commits fail without
// throwing, the failure is told once, lines wait in memory within their
// bound (the oldest let go and counted), recent() still shows them, and
// once space returns the next commit stores what waited and says so. Opening
// on a disk already full is one line naming the folder.

import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import { SqliteStore, type StoreStatus } from "../../src/store/sqlite_store.ts";
import { canMount, withTmpfs } from "./_mount.ts";
import { integrity, line, withTempDir } from "./_temp_dir.ts";

Deno.test({
  name:
    "SqliteStore keeps going on a full disk, tells it once, and stores what waited when space returns",
  ignore: !canMount(),
  fn: async () => {
    await withTempDir(async (dir) => {
      const mnt = `${dir}/small`;
      await withTmpfs(mnt, "size=1m", () => {
        // Room to give back later.
        Deno.writeFileSync(`${mnt}/filler`, new Uint8Array(400 * 1024));
        const statuses: StoreStatus[] = [];
        const store = SqliteStore.open(`${mnt}/chat`, {
          retryMs: 0,
          maxPendingBytes: 64 * 1024,
          onStatus: (status) => statuses.push(status),
        });
        const text = (n: number) => `${n} `.padEnd(2000, "x");
        let n = 0;
        let stored = 0;
        // Fill the disk.
        while (n < 2000) {
          for (let i = 0; i < 10; i++) {
            store.append("#general", line(text(++n)));
          }
          if (!store.commit()) break;
          stored = n;
        }
        assert(n < 2000, "the disk never filled");
        assertEquals(statuses.length, 1);
        assertEquals(statuses[0]!.state, "failing");
        assert(
          (statuses[0] as { reason: string }).reason.startsWith(
            "the disk is full",
          ),
          JSON.stringify(statuses[0]),
        );
        assert(store.failing);
        // The server keeps chatting: more lines, more failed commits, one
        // report, memory bounded.
        for (let i = 0; i < 100; i++) {
          store.append("#general", line(text(++n)));
          assertFalse(store.commit());
        }
        assertEquals(statuses.length, 1);
        assert(store.pending * 2000 <= 64 * 1024 + 2100, `${store.pending}`);
        // recent() shows the newest lines, from memory.
        const shown = store.recent("#general", 5);
        assertEquals(shown.map((s) => s.id), [n - 4, n - 3, n - 2, n - 1, n]);
        const waiting = store.pending;
        // Space returns.
        Deno.removeSync(`${mnt}/filler`);
        assert(store.commit());
        assertFalse(store.failing);
        assertEquals(statuses.length, 2);
        const dropped = n - stored - waiting;
        assertEquals(statuses[1], { state: "storing", dropped });
        assert(dropped > 0);
        store.close();
        const again = SqliteStore.open(`${mnt}/chat`);
        const kept = [...again.exportLines()].map((l) => l.id);
        again.close();
        // Everything committed before, and everything that waited.
        assertEquals(kept.length, stored + waiting);
        assertEquals(
          kept.slice(0, stored),
          [...Array(stored).keys()].map((i) => i + 1),
        );
        assertEquals(kept.at(-1), n);
        assertEquals(integrity(`${mnt}/chat`), "ok");
      });
    });
  },
});

Deno.test({
  name:
    "SqliteStore.open() on a full disk says so in one line, and leaves no probe behind",
  ignore: !canMount(),
  fn: async () => {
    await withTempDir(async (dir) => {
      const mnt = `${dir}/full`;
      await withTmpfs(mnt, "size=256k", () => {
        Deno.mkdirSync(`${mnt}/chat`);
        Deno.writeFileSync(`${mnt}/filler`, new Uint8Array(256 * 1024));
        assertThrows(
          () => SqliteStore.open(`${mnt}/chat`),
          Error,
          `Cannot use the data folder ${mnt}/chat: no space left on device`,
        );
        assertEquals([...Deno.readDirSync(`${mnt}/chat`)], []);
      });
    });
  },
});
