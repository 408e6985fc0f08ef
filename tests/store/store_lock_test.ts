// Checks src/store/store_lock.ts: one holder per data folder, in this
// process or another; the refusal names the holder's process id; a holder
// killed with SIGKILL leaves a file with its pid but no lock, so the next
// one takes it; release is idempotent.

import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import { LOCK_FILE, StoreLock } from "../../src/store/store_lock.ts";
import { withTempDir } from "./_temp_dir.ts";

const HOLDER = new URL("./_lock_holder.ts", import.meta.url).pathname;

Deno.test("StoreLock.acquire() refuses a second holder in the same process, naming it", async () => {
  await withTempDir((dir) => {
    const lock = StoreLock.acquire(dir);
    assert(lock.held);
    assertEquals(Deno.readTextFileSync(`${dir}/${LOCK_FILE}`), `${Deno.pid}\n`);
    const error = assertThrows(() => StoreLock.acquire(dir), Error);
    assertEquals(
      error.message,
      `Cannot open the history in ${dir}: another chat serve (process ${Deno.pid}) is using it`,
    );
    lock.release();
    lock.release();
    assertFalse(lock.held);
    using again = StoreLock.acquire(dir);
    assert(again.held);
  });
});

Deno.test("StoreLock.acquire() names another process holding the folder, and takes the lock once it is killed", async () => {
  await withTempDir(async (dir) => {
    const holder = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", HOLDER, dir],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = holder.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    const first = await reader.read();
    assertEquals(first.value, "locked\n");
    try {
      const error = assertThrows(() => StoreLock.acquire(dir), Error);
      assertEquals(
        error.message,
        `Cannot open the history in ${dir}: another chat serve (process ${holder.pid}) is using it`,
      );
    } finally {
      holder.kill("SIGKILL");
      await holder.status;
      await reader.cancel();
    }
    // The stale file still names the dead process; the lock is free.
    assertEquals(
      Deno.readTextFileSync(`${dir}/${LOCK_FILE}`),
      `${holder.pid}\n`,
    );
    using lock = StoreLock.acquire(dir);
    assertEquals(Deno.readTextFileSync(`${dir}/${LOCK_FILE}`), `${Deno.pid}\n`);
    assert(lock.held);
  });
});

Deno.test("StoreLock.acquire() says why when the lock file cannot be made", async () => {
  await withTempDir((dir) => {
    assertThrows(
      () => StoreLock.acquire(`${dir}/missing`),
      Error,
      `Cannot open the history in ${dir}/missing: no such file or directory`,
    );
  });
});
