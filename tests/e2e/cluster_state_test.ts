/**
 * What a cluster shares besides its members (issue 16's second part), on
 * a real `redis-server` and real `chat serve --redis` nodes: claimed names
 * (a personal key, a netcat password, `/identify`) are the same from every
 * node, a node started later included; a node that restarts takes the
 * rooms' records (topic, bans) from a running one instead of its older
 * store; a member's voice reaches a node that starts later; a server
 * operator's `/rooms` says when the cluster is degraded. Ignored where
 * `redis-server` is missing.
 *
 * @module
 */

import { assert, assertEquals } from "@std/assert";
import {
  type ChatProcess,
  eventually,
  LineClient,
  nativeUser,
  plainUser,
} from "../_helpers.ts";
import { HAVE_REDIS, RedisServer } from "../_redis.ts";
import { clusterNode, ircUser, stopAll } from "./_cluster.ts";
import { testFolder } from "../_chat_command.ts";
import { keyUser, makeKey } from "../_keys.ts";

const ignore = !HAVE_REDIS;

/**
 * Waits until a node that just started has carried out what a running
 * node told it: the answer is logged by the node that gave it (whichever
 * of `others` won), and a line said on `from` after it reaches the new
 * node after it (one order).
 */
async function answered(
  from: { process: ChatProcess; port: number },
  to: { port: number },
  tag: string,
  others: ChatProcess[] = [from.process],
): Promise<void> {
  const told = /cluster: told \S+ the rooms' records/;
  await eventually(
    () => others.some((p) => p.stdout.some((line) => told.test(line))),
    "a node's answer to the start",
  );
  const speaker = await nativeUser(from.port, `say${tag}`);
  const hearer = await nativeUser(to.port, `hear${tag}`);
  try {
    await speaker.sendMessage({ type: "input", text: `barrier ${tag}` });
    await hearer.expectMessage("message", (m) => m.text === `barrier ${tag}`);
  } finally {
    await speaker.close();
    await hearer.close();
  }
}

Deno.test({
  name:
    "claimed names are the same from every node: a key's name, a netcat password, IRC SASL PLAIN, /identify, and a node started later",
  ignore,
  async fn() {
    const redis = await RedisServer.start();
    const a = await clusterNode(redis, "a");
    const b = await clusterNode(redis, "b");
    const nodes = [a.process, b.process];
    const watcher = await nativeUser(b.port, "watcher");
    const clients = [watcher];
    try {
      // A personal key claims "ana" on node a.
      const anaKey = await makeKey();
      const eveKey = await makeKey("ECDSA-P256");
      const ana = await keyUser(a.port, "ana", anaKey);
      await ana.expectMessage("welcome");
      await watcher.expectMessage("join", (m) => m.name === "ana");
      await ana.close();
      await watcher.expectMessage("leave", (m) => m.name === "ana");
      // Another key is refused on node b; the right one is welcome there.
      const thief = await keyUser(b.port, "ana", eveKey);
      clients.push(thief);
      assertEquals(
        (await thief.expectMessage("name_error")).code,
        "registered",
      );
      const back = await keyUser(b.port, "ana", anaKey);
      await back.expectMessage("welcome");
      await back.close();
      // A netcat password set on node a proves the name on node b.
      const bob = await plainUser(a.port, "bob");
      await bob.send("/register hunter2 two");
      await bob.expect('The name "bob" is registered to you');
      await bob.send("/quit");
      await bob.ended;
      await watcher.expectMessage("leave", (m) => m.name === "bob");
      const guesser = await LineClient.connect(b.port);
      clients.push(guesser);
      await guesser.send("bob");
      await guesser.expect('The name "bob" is registered. Type its password:');
      await guesser.send("hunter3");
      await guesser.expect('!! Wrong password for "bob".');
      await guesser.send("bob");
      await guesser.expect("Type its password:");
      await guesser.send("hunter2 two");
      await guesser.expect("Welcome, bob!");
      await guesser.send("/quit");
      await guesser.ended;
      // IRC SASL PLAIN on node b with the password set on node a.
      const sasl = await LineClient.connect(b.port);
      clients.push(sasl);
      await sasl.write(
        "CAP LS 302\r\nNICK guest2\r\nUSER bob 0 * :B\r\nCAP REQ :sasl\r\nAUTHENTICATE PLAIN\r\n",
      );
      await sasl.expect("AUTHENTICATE +");
      await sasl.write(
        `AUTHENTICATE ${btoa("\0bob\0hunter2 two")}\r\nCAP END\r\n`,
      );
      await sasl.expect(/ 903 \* :SASL authentication successful$/);
      await sasl.expect(/ 001 bob /);
      await sasl.write("QUIT\r\n");
      await watcher.expectMessage("leave", (m) => m.name === "bob");
      // /identify on node b, after a /nick refused there: renamed on both.
      const guest = await plainUser(b.port, "guest");
      clients.push(guest);
      const seer = await nativeUser(a.port, "seer");
      clients.push(seer);
      await guest.send("/nick bob");
      await guest.expect(/registered/);
      await guest.send("/identify hunter3");
      await guest.expect(/Wrong password/);
      await guest.send("/identify hunter2 two");
      await seer.expectMessage(
        "rename",
        (m) => m.from === "guest" && m.to === "bob",
      );
      await guest.send("/quit");
      await guest.ended;
      await seer.expectMessage("leave", (m) => m.name === "bob");
      // A node started after the claims knows them.
      const c = await clusterNode(redis, "c");
      nodes.push(c.process);
      await answered(a, c, "c", [a.process, b.process]);
      const late = await keyUser(c.port, "ana", eveKey);
      clients.push(late);
      assertEquals((await late.expectMessage("name_error")).code, "registered");
      const bare = await LineClient.connect(c.port);
      clients.push(bare);
      await bare.send("bob");
      await bare.expect("Type its password:");
    } finally {
      await stopAll(clients, nodes, redis);
    }
  },
});

Deno.test({
  name:
    "--open-names on every node: a name used with a key on one node is anyone's on another",
  ignore,
  async fn() {
    const redis = await RedisServer.start();
    const a = await clusterNode(redis, "a", ["--open-names"]);
    const b = await clusterNode(redis, "b", ["--open-names"]);
    const watcher = await nativeUser(b.port, "watcher");
    const clients = [watcher];
    try {
      const ana = await keyUser(a.port, "ana", await makeKey());
      await ana.expectMessage("welcome");
      await ana.close();
      await watcher.expectMessage("leave", (m) => m.name === "ana");
      const other = await keyUser(b.port, "ana", await makeKey());
      clients.push(other);
      await other.expectMessage("welcome");
    } finally {
      await stopAll(clients, [a.process, b.process], redis);
    }
  },
});

Deno.test({
  name:
    "a node that restarts takes the rooms' records from a running one (the new topic, the new ban, voice) and the lines it missed",
  ignore,
  async fn() {
    const redis = await RedisServer.start();
    const dataB = testFolder();
    const a = await clusterNode(redis, "a");
    let b = await clusterNode(redis, "b", ["--data", dataB]);
    const nodes = [a.process, b.process];
    const ana = await nativeUser(a.port, "ana");
    const bob = await nativeUser(a.port, "bob");
    const clients = [ana, bob];
    try {
      await ana.sendMessage({ type: "input", text: "/join #games" });
      await ana.expectMessage("joined", (m) => m.room === "#games");
      await ana.sendMessage({ type: "input", text: "/topic old" });
      await ana.expectMessage("topic", (m) => m.text === "old");
      await bob.sendMessage({ type: "input", text: "/join #games" });
      await bob.expectMessage("joined", (m) => m.room === "#games");
      // Node b keeps the old topic in its own store, and stops.
      b.process.kill("SIGTERM");
      assertEquals(await b.process.status(), 0);
      await ana.sendMessage({ type: "input", text: "/topic new" });
      await ana.expectMessage("topic", (m) => m.text === "new");
      await ana.sendMessage({ type: "input", text: "/ban eve" });
      await ana.expectMessage(
        "mode",
        (m) => m.change === "+b" && m.target === "eve",
      );
      await ana.sendMessage({ type: "input", text: "/voice bob" });
      await bob.expectMessage(
        "mode",
        (m) => m.change === "+v" && m.target === "bob",
      );
      // What is said meanwhile is in node a's store only.
      for (let i = 1; i <= 3; i++) {
        await ana.sendMessage({ type: "input", text: `away-${i}` });
      }
      await bob.expectMessage("message", (m) => m.text === "away-3");
      // Back, node b shows what node a has.
      b = await clusterNode(redis, "b", ["--data", dataB]);
      nodes.push(b.process);
      await answered(a, b, "b");
      const viewer = await nativeUser(b.port, "viewer");
      clients.push(viewer);
      await viewer.sendMessage({ type: "input", text: "/join #games" });
      const joined = await viewer.expectMessage(
        "joined",
        (m) => m.room === "#games",
      );
      assertEquals(joined.topic?.text, "new");
      // The lines said while node b was down, in its own store now, once.
      await b.process.waitFor(/stored 3 lines said while this node was away/);
      const texts = joined.history.map((line) => line.text);
      assertEquals(texts.filter((t) => t.startsWith("away-")), [
        "away-1",
        "away-2",
        "away-3",
      ]);
      assertEquals(joined.voiced, ["bob"]);
      const irc = await ircUser(b.port, "ivy");
      clients.push(irc);
      await irc.send("NAMES #games");
      const names = await irc.expect(/ 353 /);
      assert(names.includes("+bob"), names);
      assert(names.includes("@ana"), names);
      const eve = await nativeUser(b.port, "eve");
      clients.push(eve);
      await eve.sendMessage({ type: "input", text: "/join #games" });
      const refused = await eve.expectMessage(
        "error",
        (m) => m.code === "banned",
      );
      assert(refused.text.includes("#games"), refused.text);
    } finally {
      await stopAll(clients, [...new Set(nodes)], redis);
    }
  },
});

Deno.test({
  name:
    "a server operator's /rooms says when the cluster is degraded, and when it is connected again",
  ignore,
  async fn() {
    const redis = await RedisServer.start();
    const a = await clusterNode(redis, "a", ["--oper-password", "sesame"]);
    const op = await nativeUser(a.port, "op", "pt");
    const clients = [op];
    try {
      await op.sendMessage({ type: "input", text: "/oper sesame" });
      await op.expectMessage("info", (m) => m.code === "oper");
      await op.sendMessage({ type: "input", text: "/rooms" });
      await op.expectMessage("info", (m) => m.code === "cluster_ok");
      await redis.kill();
      await a.process.waitFor("cluster degraded");
      await op.sendMessage({ type: "input", text: "/rooms" });
      const degraded = await op.expectMessage(
        "error",
        (m) => m.code === "cluster_degraded",
      );
      assert(
        /Cluster degradado desde \d\d:\d\d UTC/.test(degraded.text),
        degraded.text,
      );
      await redis.restart();
      await a.process.waitFor("cluster restored");
      const seen = op.lines.length;
      await op.sendMessage({ type: "input", text: "/rooms" });
      const ok = await op.expectMessage(
        "info",
        (m) => m.code === "cluster_ok",
      );
      assert(ok.text.startsWith("Cluster conectado"), ok.text);
      assert(op.lines.length > seen);
    } finally {
      await stopAll(clients, [a.process], redis);
    }
  },
});

Deno.test({
  name:
    "a claimed name's holder whose node stops comes back on another node in the rooms it was in",
  ignore,
  async fn() {
    const redis = await RedisServer.start();
    const a = await clusterNode(redis, "a");
    const b = await clusterNode(redis, "b");
    const clients: LineClient[] = [];
    try {
      const key = await makeKey();
      const ana = await keyUser(a.port, "ana", key);
      clients.push(ana);
      await ana.expectMessage("welcome");
      await ana.sendMessage({ type: "input", text: "/join #games" });
      await ana.expectMessage("joined", (m) => m.room === "#games");
      a.process.kill("SIGTERM");
      assertEquals(await a.process.status(), 0);
      const back = await keyUser(b.port, "ana", key);
      clients.push(back);
      await back.expectMessage("welcome");
      await back.expectMessage("joined", (m) => m.room === "#games");
    } finally {
      await stopAll(clients, [a.process, b.process], redis);
    }
  },
});
