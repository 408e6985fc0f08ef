// The history across restarts, against `chat serve --data <a temporary
// folder>` as a subprocess: what was said, rooms, topics, keys and
// operators survive a stop and a start in every dialect (native, netcat,
// the terminal client); a server killed with SIGKILL in the middle of a
// burst lost no line that any member received, and its database passes
// `PRAGMA integrity_check`; a second server on the same folder, a database
// from a newer chat and a folder that cannot be used are refused in one
// line with exit status 1; `chat export` writes the history as JSON lines,
// by room and date, while the server runs; and a disk that fills up (a
// small tmpfs, as root) is survived, told once, and stored again after.

import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { DatabaseSync } from "node:sqlite";
import {
  ChatProcess,
  LineClient,
  nativeUser,
  plainUser,
  runChat,
} from "../_helpers.ts";
import type { ExportedLine } from "../../src/store/history_store.ts";
import type { ChatLine, ServerMessage } from "../../src/protocol/messages.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";
import { canMount, withTmpfs } from "../store/_mount.ts";

/** A `chat serve` on a data folder, started again on the same one. */
async function serve(
  data: string,
  extra: string[] = [],
): Promise<{ process: ChatProcess; port: number }> {
  const server = await ChatProcess.server([
    "--data",
    data,
    "--no-web",
    "--no-announce",
    ...extra,
  ]);
  await server.process.waitFor(`history in ${data}/history.db`);
  return server;
}

/** Stops a server with SIGTERM, and waits for exit status 0. */
async function stop(process: ChatProcess): Promise<void> {
  process.kill("SIGTERM");
  assertEquals(await process.status(), 0);
  await process.stop();
}

async function withData(body: (data: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "chat_history_" });
  try {
    await body(`${dir}/data`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function integrity(data: string): string {
  const db = new DatabaseSync(`${data}/history.db`);
  try {
    const row = db.prepare("PRAGMA integrity_check").get() as {
      integrity_check: string;
    };
    return row.integrity_check;
  } finally {
    db.close();
  }
}

async function exported(
  args: string[],
): Promise<{ code: number; lines: ExportedLine[]; stderr: string }> {
  const result = await runChat(["export", ...args]);
  return {
    code: result.code,
    stderr: result.stderr,
    lines: result.stdout.split("\n").filter((line) => line !== "").map((
      line,
    ) => JSON.parse(line)),
  };
}

Deno.test("history, rooms, topics, keys and operators survive a restart, for native and netcat users", async () => {
  await withData(async (data) => {
    let { process, port } = await serve(data);
    const ana = await nativeUser(port, "ana");
    const bob = await plainUser(port, "bob");
    await ana.sendMessage({ type: "input", text: "before the restart" });
    await bob.expect("ana: before the restart");
    await bob.send("/me waves");
    await ana.expectMessage("message", (m) => m.action === true);
    await bob.send("/msg ana a private word");
    await ana.expectMessage("private");
    await ana.sendMessage({ type: "join", room: "#games" });
    await ana.expectMessage("joined");
    await ana.sendMessage({ type: "topic", room: "#games", text: "chess" });
    await ana.expectMessage("topic");
    await ana.sendMessage({ type: "input", text: "/key rook", room: "#games" });
    await ana.expectMessage("mode", (m) => m.change === "+k");
    await ana.sendMessage({ type: "input", text: "gg", room: "#games" });
    await bob.close();
    // ana is still there, an operator of #games, when the server stops.
    await stop(process);
    await ana.close();

    ({ process, port } = await serve(data));
    try {
      const cid = await LineClient.connect(port);
      await cid.sendMessage({ type: "hello", version: 2, name: "cid" });
      const welcome = await cid.expectMessage("welcome");
      const history: ChatLine[] = welcome.history;
      assertEquals(
        history.map(({ from, text, action }) => [from, text, action ?? false]),
        [["ana", "before the restart", false], ["bob", "waves", true]],
      );
      assert(history.every((line) => typeof line.id === "number"));
      await cid.sendMessage({ type: "join", room: "#games" });
      const refused = await cid.expectMessage("error");
      assertEquals(refused.code, "key_needed");
      await cid.sendMessage({ type: "join", room: "#games", key: "rook" });
      const joined = await cid.expectMessage("joined");
      assertEquals(joined.topic?.text, "chess");
      assertEquals(joined.history.map((line) => line.text), ["gg"]);
      assertEquals(joined.ops, [], "ana was the operator, not cid");
      // ana comes back: an operator again.
      const ana2 = await nativeUser(port, "ana");
      await ana2.sendMessage({ type: "join", room: "#games", key: "rook" });
      const back = await ana2.expectMessage("joined");
      assertEquals(back.ops, ["ana"]);
      // A netcat user sees the replay under its header, then live lines.
      const dan = await plainUser(port, "dan");
      await dan.expect(STRINGS.en.historyHeader(2));
      await dan.expect("ana: before the restart");
      await dan.expect("* bob waves");
      await dan.send("/search restart");
      await dan.expect(STRINGS.en.searchHeader("#general", "restart", 1));
      await dan.expect("ana: before the restart");
      for (const client of [cid, ana2, dan]) await client.close();
    } finally {
      await stop(process);
    }
    // Private messages are never stored.
    const { lines } = await exported(["--data", data]);
    assertEquals(lines.map((line) => line.text), [
      "before the restart",
      "waves",
      "gg",
    ]);
  });
});

Deno.test("the terminal client shows the replay after a restart set apart, with the server's history", async () => {
  await withData(async (data) => {
    let { process, port } = await serve(data);
    const ana = await plainUser(port, "ana");
    await ana.send("said before the restart");
    await ana.send("/quit");
    await ana.ended;
    await ana.close();
    await stop(process);
    ({ process, port } = await serve(data));
    try {
      const result = await runChat(
        ["join", `127.0.0.1:${port}`, "--name", "bob", "--verbose"],
        { stdin: "/history\n/quit\n" },
      );
      assertEquals(result.code, 0, result.stderr);
      const out = result.stdout;
      const header = out.indexOf(STRINGS.en.historyHeader(1));
      const line = out.indexOf("ana: said before the restart");
      const end = out.indexOf(STRINGS.en.historyEnd);
      assert(header >= 0 && header < line && line < end, out);
      assertStringIncludes(out, STRINGS.en.noOlder("#general"));
    } finally {
      await stop(process);
    }
  });
});

Deno.test("a server killed with SIGKILL during a burst lost no line any member received, and its database is intact", async () => {
  await withData(async (data) => {
    const received = new Map<number, string>();
    for (let round = 0; round < 3; round++) {
      const { process, port } = await serve(data, ["--no-rate-limit"]);
      const listener = await nativeUser(port, `seen${round}`);
      const senders = await Promise.all(
        [0, 1, 2, 3].map((i) => nativeUser(port, `s${round}x${i}`)),
      );
      const writing = senders.map(async (sender, i) => {
        const lines = Array.from(
          { length: 3000 },
          (_, n) =>
            JSON.stringify({ type: "input", text: `r${round} s${i} n${n}` }) +
            "\n",
        );
        try {
          for (let n = 0; n < lines.length; n += 100) {
            await sender.write(lines.slice(n, n + 100).join(""));
          }
        } catch {
          // The server is gone.
        }
      });
      // Killed somewhere in the middle, at a different point each round.
      const killAt = 500 + round * 1500;
      await (async () => {
        while (listener.lines.length < killAt) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      process.kill("SIGKILL");
      await process.status();
      await process.stop();
      await Promise.all(writing);
      for (const client of [listener, ...senders]) {
        await client.close();
        for (const raw of client.lines) {
          const message = JSON.parse(raw) as ServerMessage;
          if (message.type === "message") {
            received.set(message.id!, message.text);
          }
        }
      }
    }
    assertEquals(integrity(data), "ok");
    const { code, lines } = await exported(["--data", data]);
    assertEquals(code, 0);
    const stored = new Map(lines.map((line) => [line.id, line.text]));
    const missing = [...received].filter(([id, text]) =>
      stored.get(id) !== text
    );
    assertEquals(missing, [], `${missing.length} delivered lines are missing`);
    assert(received.size >= 3000, `only ${received.size} lines delivered`);
    // The ids went on from where the last run stopped.
    const ids = lines.map((line) => line.id);
    assertEquals(new Set(ids).size, ids.length);
    console.log(
      `crash test: ${received.size} lines delivered in 3 runs killed mid-burst, ${stored.size} stored, none missing; integrity_check ok`,
    );
  });
});

Deno.test("a second chat serve on the same data folder refuses to start, naming the process that holds it", async () => {
  await withData(async (data) => {
    const { process } = await serve(data);
    try {
      const second = await runChat([
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--no-web",
        "--no-announce",
        "--data",
        data,
      ]);
      assertEquals(second.code, 1);
      assertEquals(
        second.stderr.trim(),
        `chat: Cannot open the history in ${data}: another chat serve (process ${process.pid}) is using it`,
      );
      assertEquals(second.stdout, "", "it listened on nothing");
    } finally {
      await stop(process);
    }
  });
});

Deno.test("chat serve refuses a database from a newer chat, a corrupt one, and a folder it cannot use, in one line", async () => {
  await withData(async (data) => {
    const { process } = await serve(data);
    await stop(process);
    const db = new DatabaseSync(`${data}/history.db`);
    db.exec("PRAGMA user_version = 999");
    db.close();
    const args = ["serve", "--port", "0", "--no-web", "--no-announce"];
    const newer = await runChat([...args, "--data", data]);
    assertEquals(newer.code, 1);
    assertMatch(
      newer.stderr.trim(),
      /^chat: Cannot open the history in \S+: it was written by a newer chat \(schema version 999; this chat knows up to \d+\)$/,
    );
    await Deno.writeTextFile(
      `${data}/history.db`,
      "not a database ".repeat(300),
    );
    for (const suffix of ["-wal", "-shm"]) {
      await Deno.remove(`${data}/history.db${suffix}`).catch(() => {});
    }
    const corrupt = await runChat([...args, "--data", data]);
    assertEquals(corrupt.code, 1);
    assertMatch(
      corrupt.stderr.trim(),
      /^chat: Cannot open the history in \S+: the database is corrupt/,
    );
    assertEquals(corrupt.stderr.trim().split("\n").length, 1);
    const file = `${data}/history.db`;
    const notFolder = await runChat([...args, "--data", file]);
    assertEquals(notFolder.code, 1);
    assertEquals(
      notFolder.stderr.trim(),
      `chat: Cannot use the data folder ${file}: it is a file, not a folder`,
    );
  });
});

Deno.test("chat export writes the history as JSON lines, by room and date, while the server runs", async () => {
  await withData(async (data) => {
    const { process, port } = await serve(data);
    try {
      const ana = await nativeUser(port, "ana");
      await ana.sendMessage({ type: "input", text: "in general" });
      await ana.sendMessage({ type: "join", room: "#Games" });
      await ana.expectMessage("joined");
      await ana.sendMessage({
        type: "input",
        text: "/me plays",
        room: "#Games",
      });
      // The line is stored at the next write or tick: a request answers.
      await ana.sendMessage({ type: "history", room: "#Games" });
      const page = await ana.expectMessage("history");
      assertEquals(page.lines.map((line) => line.text), ["plays"]);
      const all = await exported(["--data", data]);
      assertEquals(all.code, 0, all.stderr);
      assertEquals(
        all.lines.map(({ room, from, text, action }) => ({
          room,
          from,
          text,
          action,
        })),
        [
          { room: "#general", from: "ana", text: "in general", action: false },
          { room: "#games", from: "ana", text: "plays", action: true },
        ],
      );
      const games = await exported(["--data", data, "--room", "#GAMES"]);
      assertEquals(games.lines.map((line) => line.text), ["plays"]);
      const future = await exported(["--data", data, "--since", "2999-01-01"]);
      assertEquals([future.code, future.lines], [0, []]);
      const none = await exported(["--data", data, "--room", "#nowhere"]);
      assertEquals(none.code, 1);
      assertEquals(
        none.stderr.trim(),
        `chat: Cannot export #nowhere: the history in ${data} has no such room`,
      );
      await ana.close();
    } finally {
      await stop(process);
    }
    const missing = await exported(["--data", `${data}/nothing`]);
    assertEquals(missing.code, 1);
    assertMatch(
      missing.stderr.trim(),
      /^chat: Cannot open the history in \S+: .*there is no history there$/,
    );
  });
});

Deno.test({
  name:
    "a disk that fills during a run: the chat goes on, the log and the operators hear it once, and storing resumes when space returns",
  ignore: !canMount(),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chat_full_" });
    const mnt = `${dir}/small`;
    try {
      await withTmpfs(mnt, "size=2m", async () => {
        await Deno.writeFile(`${mnt}/filler`, new Uint8Array(600 * 1024));
        const data = `${mnt}/data`;
        const { process, port } = await serve(data, [
          "--no-rate-limit",
          "--oper-password",
          "sekrit",
        ]);
        try {
          const op = await nativeUser(port, "op");
          await op.sendMessage({ type: "input", text: "/oper sekrit" });
          await op.expectMessage("info", (m) => m.code === "oper");
          const bob = await nativeUser(port, "bob");
          const text = (n: number) => `${n} `.padEnd(4000, "x");
          let n = 0;
          while (!process.stdout.some((l) => l.includes("history not saved"))) {
            assert(n < 2000, "the disk never filled");
            for (let i = 0; i < 20; i++) {
              await op.sendMessage({ type: "input", text: text(++n) });
            }
            await bob.expectMessage("message", (m) => m.text === text(n));
          }
          const failing = await op.expectMessage(
            "error",
            (m) => m.code === "store_failing",
          );
          assertStringIncludes(failing.text, "the disk is full");
          // The chat goes on.
          await op.sendMessage({ type: "input", text: "still here" });
          await bob.expectMessage("message", (m) => m.text === "still here");
          await Deno.remove(`${mnt}/filler`);
          await op.sendMessage({ type: "input", text: "room again" });
          await op.expectMessage("info", (m) => m.code === "store_ok");
          await process.waitFor(/history saved again/);
          assertEquals(
            process.stdout.filter((l) => l.includes("history not saved"))
              .length,
            1,
            "told once",
          );
          await op.close();
          await bob.close();
        } finally {
          await stop(process);
        }
        assertEquals(integrity(data), "ok");
        const { lines } = await exported(["--data", data]);
        assertEquals(lines.at(-1)?.text, "room again");
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
