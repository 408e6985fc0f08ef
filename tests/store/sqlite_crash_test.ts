// Checks that a line SqliteStore.commit() stored survives kill -9 of the
// process at any moment: a writer subprocess (_crash_writer.ts) commits
// bursts as fast as it can and prints what each commit stored; it is
// killed at a random moment, 20 times over the same folder, alternating
// synchronous NORMAL and FULL. After each kill the folder opens again (the
// dead writer's lock is gone), every printed line is there with its text,
// the burst being committed is there whole or not at all, the full-text
// index holds exactly the lines up to its counter (index steps are killed
// too), and SQLite's and FTS5's integrity checks pass. CHAT_CRASH_REPORT=1 prints the figures.

import { assert, assertEquals } from "@std/assert";
import { DatabaseSync } from "node:sqlite";
import { HISTORY_FILE, SqliteStore } from "../../src/store/sqlite_store.ts";
import { integrity, scalar, withTempDir } from "./_temp_dir.ts";

const WRITER = new URL("./_crash_writer.ts", import.meta.url).pathname;
const ROUNDS = 20;
const DEADLINE_MS = 20_000;

interface Round {
  /** `[first, last, burst]` of every commit the writer reported. */
  committed: [number, number, number][];
  /** Size of the burst it was committing when killed, if any. */
  inFlight: number | null;
  pid: number;
}

async function killAtRandom(dir: string, synchronous: string): Promise<Round> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WRITER, dir, synchronous],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let text = "";
  let started: () => void = () => {};
  const firstCommit = new Promise<void>((resolve) => started = resolve);
  const reading = (async () => {
    for await (
      const chunk of child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      text += chunk;
      if (/^\d+ \d+ \d+$/m.test(text)) started();
    }
  })();
  const timer = setTimeout(started, DEADLINE_MS);
  await firstCommit;
  clearTimeout(timer);
  // The random moment: anywhere in the next few hundred commits.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
  child.kill("SIGKILL");
  const status = await child.status;
  await reading;
  assertEquals(status.signal, "SIGKILL", "the writer died by itself");
  const round: Round = { committed: [], inFlight: null, pid: child.pid };
  // Only whole lines: the kill may cut the last one.
  for (const line of text.split("\n").slice(0, -1)) {
    const size = /^# (\d+)$/.exec(line);
    if (size !== null) {
      round.inFlight = Number(size[1]);
      continue;
    }
    const [first, last, burst] = line.split(" ").map(Number);
    round.committed.push([first!, last!, burst!]);
    round.inFlight = null;
  }
  return round;
}

function check(dir: string, round: Round): { lines: number; torn: boolean } {
  const db = new DatabaseSync(`${dir}/${HISTORY_FILE}`, { readOnly: true });
  try {
    const text = db.prepare("SELECT text FROM lines WHERE id = ?");
    const count = db.prepare(
      "SELECT count(*) AS n FROM lines WHERE id BETWEEN ? AND ?",
    );
    let lines = 0;
    for (const [first, last, burst] of round.committed) {
      const found = count.get(first, last) as { n: number };
      assertEquals(found.n, last - first + 1, `commit ${first}-${last} lost`);
      for (const id of [first, last]) {
        const row = text.get(id) as { text: string };
        assertEquals(row.text, `${round.pid} ${burst} ${id - first}`);
      }
      lines += found.n;
    }
    // The burst in flight: all of it or none of it.
    const lastReported = round.committed.at(-1)?.[1] ?? 0;
    const after = count.get(lastReported + 1, Number.MAX_SAFE_INTEGER) as {
      n: number;
    };
    if (round.inFlight === null) assertEquals(after.n, 0);
    else {assert(
        after.n === 0 || after.n === round.inFlight,
        `torn: ${after.n}`,
      );}
    return { lines, torn: after.n > 0 };
  } finally {
    db.close();
  }
}

Deno.test("SqliteStore keeps every committed line through kill -9 at random moments, and the database stays sound", async () => {
  await withTempDir(async (dir) => {
    const report: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const synchronous = i % 2 === 0 ? "normal" : "full";
      const round = await killAtRandom(dir, synchronous);
      assert(round.committed.length > 0);
      // The index and how far it goes were committed together.
      assertEquals(
        scalar(dir, "SELECT count(*) FROM lines_search"),
        scalar(
          dir,
          "SELECT count(*) FROM lines WHERE id <= " +
            "(SELECT value FROM counters WHERE name = 'indexed_up_to')",
        ),
      );
      // Opening again: the dead writer's lock is free, the log recovered;
      // then the index catches up.
      const store = SqliteStore.open(dir);
      while (store.index(100_000) > 0);
      store.close();
      assertEquals(
        scalar(dir, "SELECT count(*) FROM lines_search"),
        scalar(dir, "SELECT count(*) FROM lines"),
      );
      const { lines, torn } = check(dir, round);
      assertEquals(integrity(dir), "ok");
      const db = new DatabaseSync(`${dir}/${HISTORY_FILE}`);
      db.exec(
        "INSERT INTO lines_search (lines_search) VALUES ('integrity-check')",
      );
      db.close();
      report.push(
        `round ${i + 1} (${synchronous}): ${round.committed.length} commits, ` +
          `${lines} lines checked, killed ${
            round.inFlight === null
              ? "outside a commit (appending or indexing)"
              : `during a commit of ${round.inFlight} (${
                torn ? "stored whole" : "not stored"
              })`
          }`,
      );
    }
    if (Deno.env.get("CHAT_CRASH_REPORT") === "1") {
      console.log(report.join("\n"));
    }
  });
});
