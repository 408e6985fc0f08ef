/**
 * Several `chat serve` nodes on one real `redis-server`: users of every
 * dialect on each node share rooms, names and private messages; numbered
 * messages are checked for loss, order and duplicates while a node is
 * killed with SIGKILL (and restarted) and while Redis is; two people ask
 * for one name on two nodes at once; bad entries are written into the
 * stream. Ignored where `redis-server` is missing.
 *
 * @module
 */

import { assert, assertEquals } from "@std/assert";
import {
  DEADLINE_MS,
  eventually,
  LineClient,
  nativeUser,
  plainUser,
  runChat,
} from "../_helpers.ts";
import { HAVE_REDIS, RedisServer } from "../_redis.ts";
import { clusterNode, ircUser, stopAll } from "./_cluster.ts";
import { TmuxWindow } from "../_tmux.ts";
import { chatCommand } from "../_chat_command.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";

const ignore = !HAVE_REDIS;

/** The texts of native `message`s a client got, in order. */
function nativeTexts(client: LineClient): string[] {
  return client.lines.map((line) => JSON.parse(line) as ServerMessage)
    .filter((m) => m.type === "message")
    .map((m) => (m as Extract<ServerMessage, { type: "message" }>).text);
}

/** Checks numbered lines `tag-N`: each sender's in order, none missing, none twice. */
function checkNumbered(
  texts: string[],
  senders: string[],
  count: number,
  who: string,
): void {
  for (const sender of senders) {
    const got = texts.filter((t) => t.startsWith(`${sender}-`)).map((t) =>
      Number(t.slice(sender.length + 1))
    );
    assertEquals(
      got,
      Array.from({ length: count }, (_, i) => i + 1),
      `${who}: the lines of ${sender}`,
    );
  }
}

Deno.test({
  name:
    "two nodes: users of every dialect on each share a room, /who, NAMES and private messages",
  ignore,
  async fn() {
    const redis = await RedisServer.start();
    const a = await clusterNode(redis, "a");
    const b = await clusterNode(redis, "b");
    const ana = await nativeUser(a.port, "ana");
    const pat = await plainUser(a.port, "pat");
    const ivy = await ircUser(a.port, "ivy");
    const bob = await nativeUser(b.port, "bob");
    const pia = await plainUser(b.port, "pia");
    const ian = await ircUser(b.port, "ian");
    const clients = [ana, pat, ivy, bob, pia, ian];
    try {
      await ian.send("JOIN #general");
      await ivy.send("JOIN #general");
      await ana.sendMessage({ type: "input", text: "hello from a" });
      await bob.expectMessage(
        "message",
        (m) => m.text === "hello from a" && m.from === "ana",
      );
      await pia.expect("ana: hello from a");
      await ian.expect(/:ana!\S+ PRIVMSG #general :hello from a/);
      await pia.send("hello from b");
      await ana.expectMessage(
        "message",
        (m) => m.text === "hello from b" && m.from === "pia",
      );
      await pat.expect("pia: hello from b");
      await ivy.expect(/:pia!\S+ PRIVMSG #general :hello from b/);
      await ivy.send("PRIVMSG bob :psst");
      await bob.expectMessage(
        "private",
        (m) => m.from === "ivy" && m.text === "psst",
      );
      await pat.send("/who");
      await pat.expect(/Online \(6\)/);
      await ian.send("NAMES #general");
      const names = await ian.expect(/ 353 /);
      for (const name of ["ana", "pat", "ivy", "bob", "pia", "ian"]) {
        assert(names.includes(name), names);
      }
      // A room made on one node is one room; its operator is the same everywhere.
      await bob.sendMessage({ type: "input", text: "/join #games" });
      await bob.expectMessage("joined", (m) => m.room === "#games");
      await ana.sendMessage({ type: "input", text: "/join #games" });
      const joined = await ana.expectMessage(
        "joined",
        (m) => m.room === "#games",
      );
      assertEquals(joined.ops, ["bob"]);
      await bob.sendMessage({ type: "input", text: "/topic tonight" });
      await ana.expectMessage("topic", (m) => m.text === "tonight");
    } finally {
      await stopAll(clients, [a.process, b.process], redis);
    }
  },
});

Deno.test({
  name:
    "two people asking for one name on two nodes at once: exactly one gets it",
  ignore,
  async fn() {
    const redis = await RedisServer.start();
    const a = await clusterNode(redis, "a");
    const b = await clusterNode(redis, "b");
    const clients: LineClient[] = [];
    try {
      for (let round = 0; round < 10; round++) {
        const name = `race${round}`;
        const [x, y] = await Promise.all([
          LineClient.connect(a.port),
          LineClient.connect(b.port),
        ]);
        clients.push(x, y);
        await Promise.all([
          x.sendMessage({ type: "hello", version: 2, name, lang: "en" }),
          y.sendMessage({ type: "hello", version: 2, name, lang: "en" }),
        ]);
        const answer = (c: LineClient) =>
          eventually(
            () =>
              c.lines.map((l) => JSON.parse(l) as ServerMessage).find((m) =>
                m.type === "welcome" || m.type === "name_error"
              ),
            "a welcome or a name_error",
          );
        const [ax, ay] = await Promise.all([answer(x), answer(y)]);
        assertEquals(
          [ax.type, ay.type].sort(),
          ["name_error", "welcome"],
          `round ${round}`,
        );
      }
    } finally {
      await stopAll(clients, [a.process, b.process], redis);
    }
  },
});

Deno.test({
  name:
    "three nodes, numbered lines in one room: a node killed with SIGKILL and restarted loses nothing of the others, and its users' leaves are told once",
  ignore,
  async fn() {
    const redis = await RedisServer.start();
    const timeout = ["--node-timeout", "2"];
    const a = await clusterNode(redis, "a", timeout);
    const b = await clusterNode(redis, "b", timeout);
    let c = await clusterNode(redis, "c", timeout);
    const ra = await nativeUser(a.port, "ra");
    const rb = await nativeUser(b.port, "rb");
    // Readers of the other dialects, one on each surviving node.
    const pb = await plainUser(b.port, "pb");
    const ia = await ircUser(a.port, "ia");
    await ia.send("JOIN #general");
    const sa = await nativeUser(a.port, "sa");
    const sb = await nativeUser(b.port, "sb");
    const sc = await nativeUser(c.port, "sc");
    const clients = [ra, rb, sa, sb, sc, pb, ia];
    const nodes = [a.process, b.process];
    try {
      await ra.expectMessage("join", (m) => m.name === "sc");
      const count = 200;
      const send = async (client: LineClient, tag: string) => {
        for (let i = 1; i <= count; i++) {
          await client.sendMessage({ type: "input", text: `${tag}-${i}` });
        }
      };
      const sending = Promise.all([send(sa, "sa"), send(sb, "sb")]);
      // Half-way, node c dies.
      await eventually(
        () => nativeTexts(ra).length > count / 2,
        "half the lines",
      );
      c.process.kill("SIGKILL");
      await c.process.status();
      await sending;
      const all = (client: LineClient) => () =>
        nativeTexts(client).filter((t) => /^s[ab]-/.test(t)).length ===
          2 * count;
      await eventually(all(ra), "every line at ra", DEADLINE_MS * 2);
      await eventually(all(rb), "every line at rb", DEADLINE_MS * 2);
      const ta = nativeTexts(ra).filter((t) => /^s[ab]-/.test(t));
      const tb = nativeTexts(rb).filter((t) => /^s[ab]-/.test(t));
      checkNumbered(ta, ["sa", "sb"], count, "ra");
      checkNumbered(tb, ["sa", "sb"], count, "rb");
      assertEquals(ta, tb, "one order on both nodes");
      // The same lines, in the same order, for netcat and IRC users.
      const plain = (c: LineClient) =>
        c.lines.map((l) => /\] s[ab]: (s[ab]-\d+)$/.exec(l)?.[1])
          .filter((t) => t !== undefined);
      const irc = (c: LineClient) =>
        c.lines.map((l) => / PRIVMSG #general :(s[ab]-\d+)$/.exec(l)?.[1])
          .filter((t) => t !== undefined);
      await eventually(
        () => plain(pb).length === 2 * count,
        "every line at pb",
      );
      await eventually(() => irc(ia).length === 2 * count, "every line at ia");
      assertEquals(plain(pb), ta, "the netcat user's order");
      assertEquals(irc(ia), ta, "the IRC user's order");
      // The dead node's user leaves, once, on both nodes.
      for (const client of [ra, rb]) {
        await client.expectMessage("leave", (m) => m.name === "sc");
      }
      await sc.close();
      // Restarted, node c takes users again, and the name is free.
      c = await clusterNode(redis, "c", timeout);
      nodes.push(c.process);
      const back = await nativeUser(c.port, "sc");
      clients.push(back);
      await back.sendMessage({ type: "input", text: "back" });
      await ra.expectMessage("message", (m) => m.text === "back");
      await rb.expectMessage("message", (m) => m.text === "back");
      for (const client of [ra, rb]) {
        const leaves = client.lines.filter((l) =>
          (JSON.parse(l) as ServerMessage).type === "leave" &&
          l.includes('"sc"')
        );
        assertEquals(leaves.length, 1, "one leave of sc");
      }
    } finally {
      nodes.push(c.process);
      await stopAll(clients, [...new Set(nodes)], redis);
    }
  },
});

Deno.test({
  name:
    "Redis restarted while two nodes chat: each goes on alone, says so once, and sends what waited when Redis is back, in order",
  ignore,
  async fn() {
    const redis = await RedisServer.start();
    const a = await clusterNode(redis, "a");
    const b = await clusterNode(redis, "b");
    const ra = await nativeUser(a.port, "ra");
    const rb = await nativeUser(b.port, "rb");
    const sa = await nativeUser(a.port, "sa");
    const sb = await nativeUser(b.port, "sb");
    const clients = [ra, rb, sa, sb];
    try {
      const count = 100;
      const send = async (client: LineClient, tag: string, from: number) => {
        for (let i = from; i < from + count / 2; i++) {
          await client.sendMessage({ type: "input", text: `${tag}-${i}` });
        }
      };
      await Promise.all([send(sa, "sa", 1), send(sb, "sb", 1)]);
      await redis.kill();
      await a.process.waitFor("cluster degraded");
      await b.process.waitFor("cluster degraded");
      // Alone, each node still chats locally.
      await Promise.all([
        send(sa, "sa", count / 2 + 1),
        send(sb, "sb", count / 2 + 1),
      ]);
      await ra.expectMessage("message", (m) => m.text === `sa-${count}`);
      await rb.expectMessage("message", (m) => m.text === `sb-${count}`);
      await redis.restart();
      await a.process.waitFor("cluster restored");
      await b.process.waitFor("cluster restored");
      const all = (client: LineClient) => () =>
        nativeTexts(client).filter((t) => /^s[ab]-/.test(t)).length ===
          2 * count;
      await eventually(all(ra), "every line at ra");
      await eventually(all(rb), "every line at rb");
      checkNumbered(nativeTexts(ra), ["sa", "sb"], count, "ra");
      checkNumbered(nativeTexts(rb), ["sa", "sb"], count, "rb");
      for (const process of [a.process, b.process]) {
        assertEquals(
          process.stdout.filter((l) => l.includes("cluster degraded")).length,
          1,
          "told once",
        );
      }
    } finally {
      await stopAll(clients, [a.process, b.process], redis);
    }
  },
});

Deno.test({
  name:
    "bad entries in the stream (a foreign writer, corrupt JSON) are skipped and logged; the nodes go on",
  ignore,
  async fn() {
    const redis = await RedisServer.start();
    const a = await clusterNode(redis, "a");
    const b = await clusterNode(redis, "b");
    const ra = await nativeUser(a.port, "ra");
    const sb = await nativeUser(b.port, "sb");
    const clients = [ra, sb];
    try {
      const stream = "chat:log";
      await redis.cli("XADD", stream, "*", "e", "{not json");
      await redis.cli("XADD", stream, "*", "other", "field");
      await redis.cli(
        "XADD",
        stream,
        "*",
        "e",
        JSON.stringify({
          kind: "apply",
          node: "x/1",
          seq: 1,
          member: 1,
          time: 0,
          command: { kind: "say", text: 5 },
        }),
      );
      await redis.cli(
        "XADD",
        stream,
        "*",
        "e",
        JSON.stringify({
          kind: "hello",
          node: "x/1",
          seq: 2,
          member: 1,
          time: 0,
        }),
      );
      await a.process.waitFor("skipped entry");
      await b.process.waitFor("skipped entry");
      await sb.sendMessage({ type: "input", text: "still here" });
      await ra.expectMessage("message", (m) => m.text === "still here");
    } finally {
      await stopAll(clients, [a.process, b.process], redis);
    }
  },
});

function _hasTmux(): boolean {
  try {
    return new Deno.Command("tmux", {
      args: ["-V"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "chat join a,b,c tries the next node when one is down, and its reconnect moves to another node under the same name",
  ignore: ignore || !_hasTmux(),
  async fn() {
    const redis = await RedisServer.start();
    const timeout = ["--node-timeout", "2"];
    const a = await clusterNode(redis, "a", timeout);
    const b = await clusterNode(redis, "b", timeout);
    const watcher = await nativeUser(b.port, "watcher");
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const dead = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const chat = chatCommand([
      "join",
      `127.0.0.1:${dead},127.0.0.1:${a.port},127.0.0.1:${b.port}`,
      "--name",
      "zed",
    ]);
    const terminal = new TmuxWindow();
    await terminal.start(
      `NO_COLOR=1 LC_ALL=C.UTF-8 ${
        [chat.cmd, ...chat.args].map((t) => `'${t}'`).join(" ")
      }; echo "chat exited with $?"; sleep 600`,
    );
    try {
      await watcher.expectMessage("join", (m) => m.name === "zed");
      await terminal.waitForScreen(
        "the prompt",
        (rows) => rows.some((row) => row.includes("zed>")) || undefined,
      );
      await terminal.type("via a");
      await terminal.press("Enter");
      await watcher.expectMessage("message", (m) => m.text === "via a");
      a.process.kill("SIGKILL");
      await a.process.status();
      // Reaped, then back through node b under its own name.
      await watcher.expectMessage("leave", (m) => m.name === "zed");
      await watcher.expectMessage("join", (m) => m.name === "zed");
      await terminal.type("via b");
      await terminal.press("Enter");
      await watcher.expectMessage(
        "message",
        (m) => m.text === "via b" && m.from === "zed",
      );
    } finally {
      for (let i = 0; i < 3; i++) await terminal.press("C-c").catch(() => {});
      await terminal.stop();
      await stopAll([watcher], [a.process, b.process], redis);
    }
  },
});

Deno.test({
  name:
    "a node that stops cleanly tells the others at once: its users leave once, and their names are free",
  ignore,
  async fn() {
    const redis = await RedisServer.start();
    const a = await clusterNode(redis, "a");
    const b = await clusterNode(redis, "b");
    const ana = await nativeUser(a.port, "ana");
    const bob = await nativeUser(b.port, "bob");
    const clients = [ana, bob];
    try {
      await ana.expectMessage("join", (m) => m.name === "bob");
      b.process.kill("SIGTERM");
      assertEquals(await b.process.status(), 0);
      // Long before the 15 s timeout.
      const leave = await ana.expectMessage("leave", (m) => m.name === "bob");
      assertEquals(leave.reason, "closed");
      const again = await nativeUser(a.port, "bob");
      clients.push(again);
    } finally {
      await stopAll(clients, [a.process, b.process], redis);
    }
  },
});

Deno.test("chat serve --redis stops at start, exit 1, when Redis cannot be reached; a bad URL is a usage error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const down = await runChat([
    "serve",
    "--memory",
    "--port",
    "0",
    "--no-web",
    "--no-announce",
    "--redis",
    `redis://127.0.0.1:${port}/0`,
  ]);
  assertEquals(down.code, 1, down.stderr);
  assert(
    down.stderr.includes(
      `Cannot join the cluster at redis://127.0.0.1:${port}/0:`,
    ),
    down.stderr,
  );
  const bad = await runChat(["serve", "--redis", "http://x"]);
  assertEquals(bad.code, 2, bad.stderr);
  assert(bad.stderr.includes("give redis://HOST:PORT[/DB]"), bad.stderr);
});
