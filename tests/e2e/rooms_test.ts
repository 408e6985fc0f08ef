// Rooms end to end, over real sockets with the real program: `chat join`
// and a real netcat in two rooms at once (lines of the other room marked
// with [#room], the current room followed), native clients beside them,
// kicks and topics crossing dialects, the server's console naming the room,
// the server's password in every dialect (the page's field too), a server
// operator, a version 1 client told to upgrade, and the page in two rooms.

import { assert, assertEquals, assertFalse, assertMatch } from "@std/assert";
import {
  ChatProcess,
  eventually,
  LineClient,
  nativeUser,
} from "../_helpers.ts";
import { have, Netcat } from "../_tools.ts";
import { HAVE_CHROMIUM, PageUser, withBrowser, withWeb } from "../_web.ts";

const HAVE_NC = have("nc", "-h");

/** A chat join whose input the test types, printing what others say. */
function joiner(port: number, name: string, extra: string[] = []) {
  return new ChatProcess(
    ["join", `127.0.0.1:${port}`, "--name", name, ...extra],
    { stdin: true },
  );
}

Deno.test({
  name:
    "chat join and netcat talk in two rooms at once, each line marked with its room when it is not the current one",
  ignore: !HAVE_NC,
  async fn() {
    const { process: server, port } = await ChatProcess.server();
    const nc = new Netcat("127.0.0.1", port);
    const ana = joiner(port, "ana");
    let bob: LineClient | undefined;
    let cid: LineClient | undefined;
    try {
      await nc.send("nina");
      await nc.waitFor("You are in #general; type /help for commands.");
      await nc.waitFor("ana joined the chat!");
      // bob is only in #games, cid only in #general.
      bob = await nativeUser(port, "bob");
      cid = await nativeUser(port, "cid");
      await bob.sendMessage({ type: "join", room: "#games" });
      await bob.expectMessage("joined", (m) => m.room === "#games");
      await nc.send("/join #games");
      await nc.waitFor("You joined #games. Online (2): @bob, nina.");
      await ana.writeLine("/join #games");
      await nc.waitFor("ana joined #games");
      // ana's current room is #games now: her line goes there.
      await ana.writeLine("gg from ana");
      await nc.waitFor("] ana: gg from ana");
      assertFalse(
        nc.lines.some((line) => line.includes("[#games] ana: gg from ana")),
        "#games is nina's current room: not marked",
      );
      await bob.expectMessage("message", (m) => m.text === "gg from ana");
      // nina goes back to #general: #games lines are marked now.
      await nc.send("/switch #general");
      await nc.waitFor("You are now in #general: what you type goes there");
      await bob.sendMessage({ type: "input", text: "bob in games" });
      await nc.waitFor("[#games] bob: bob in games");
      await ana.waitFor("bob: bob in games");
      await nc.send("hello general");
      await ana.waitFor("[#general] nina: hello general");
      await cid.expectMessage("message", (m) => m.text === "hello general");
      // ana answers in #general by switching.
      await ana.writeLine("/go general");
      await ana.writeLine("hi nina");
      await nc.waitFor("] ana: hi nina");
      // A member only in #general never got a #games line.
      await cid.sendMessage({ type: "input", text: "sync" });
      await nc.waitFor("cid: sync");
      for (const line of cid.lines) {
        const message = JSON.parse(line);
        if (message.type === "message") assertEquals(message.room, "#general");
      }
      // A native member learns its rooms and their operators.
      await bob.sendMessage({ type: "who" });
      const members = await bob.expectMessage("members");
      assertEquals(members, {
        type: "members",
        room: "#games",
        names: ["bob", "nina", "ana"],
        ops: ["bob"],
      });
      // The operator sets a topic and kicks; netcat sees both, marked.
      await bob.sendMessage({ type: "topic", room: "#games", text: "gg only" });
      await nc.waitFor("[#games] -- bob set the topic of #games: gg only");
      await bob.sendMessage({ type: "input", text: "/kick ana too loud" });
      await nc.waitFor(
        "[#games] -- ana was kicked from #games by bob (too loud)",
      );
      await ana.waitFor("ana was kicked from #games by bob (too loud)");
      await nc.send("/rooms");
      await nc.waitFor("-- Rooms (2):");
      await nc.waitFor("--   #general (4)");
      await nc.waitFor("--   #games (2): gg only");
      await nc.send("/part #games bye all");
      await nc.waitFor("You left #games");
      await bob.expectMessage(
        "part",
        (m) => m.name === "nina" && m.reason === "bye all",
      );
      await ana.closeStdin();
      assertEquals(await ana.status(), 0);
      await nc.waitFor("ana left the chat! (quit)");
      await nc.send("/quit");
      assertEquals(await nc.end(), 0);
      // The console names the room of every room event.
      await server.waitFor(/ join nina #games \(127\.0\.0\.1:\d+\)$/);
      await server.waitFor(/ join ana #games \(127\.0\.0\.1:\d+\)$/);
      await server.waitFor(
        / topic #games by bob \(127\.0\.0\.1:\d+\): "gg only"$/,
      );
      await server.waitFor(
        /ana #games by bob \(127\.0\.0\.1:\d+\): "too loud"$/,
      );
      await server.waitFor(
        / part nina #games \(127\.0\.0\.1:\d+\): "bye all"$/,
      );
    } finally {
      await nc.stop();
      await ana.stop();
      await bob?.close();
      await cid?.close();
      server.kill("SIGTERM");
      await server.status();
    }
  },
});

Deno.test("chat join --verbose needs a room's key to join it, then marks the lines of its other room", async () => {
  const { process: server, port } = await ChatProcess.server();
  const ana = joiner(port, "ana", ["--verbose"]);
  let bob: LineClient | undefined;
  try {
    await ana.waitFor("Welcome, ana! Online (1): ana. You are in #general;");
    bob = await nativeUser(port, "bob");
    await ana.waitFor("bob joined the chat!");
    await bob.sendMessage({ type: "join", room: "#games" });
    await bob.sendMessage({ type: "input", text: "/key s3cret" });
    await bob.expectMessage("mode", (m) => m.change === "+k");
    await ana.writeLine("/join #games");
    await ana.waitFor("#games needs a key: /join #games <key>");
    await ana.writeLine("/join #games s3cret");
    await ana.waitFor("You joined #games. Online (2): @bob, ana.");
    await bob.sendMessage({ type: "input", text: "in games", room: "#games" });
    await ana.waitFor(/\] bob: in games$/);
    await bob.sendMessage({
      type: "input",
      text: "in general",
      room: "#general",
    });
    await ana.waitFor(/\] \[#general\] bob: in general$/);
    assertFalse(
      server.stdout.some((line) => line.includes("s3cret")),
      "the key is never logged",
    );
    await ana.closeStdin();
    assertEquals(await ana.status(), 0);
  } finally {
    await ana.stop();
    await bob?.close();
    server.kill("SIGTERM");
    await server.status();
  }
});

Deno.test({
  name:
    "a server with --password lets in netcat, chat join and native clients that give it, and no one else",
  ignore: !HAVE_NC,
  async fn() {
    const { process: server, port } = await ChatProcess.server([
      "--password",
      "open sesame",
    ]);
    const nc = new Netcat("127.0.0.1", port);
    const wrong = new Netcat("127.0.0.1", port);
    try {
      // netcat: the password first, then the name.
      await nc.waitFor("This server needs a password:");
      await nc.send("open sesame");
      await nc.waitFor("Password accepted. What is your name?");
      await nc.send("nina");
      await nc.waitFor("Welcome, nina!");
      await wrong.waitFor("This server needs a password:");
      await wrong.send("guess");
      await wrong.waitFor(
        "Disconnected by the server: wrong or missing password",
      );
      assertEquals(await wrong.end(), 0);
      // chat join, with and without the password.
      const ana = joiner(port, "ana", ["--password", "open sesame"]);
      await nc.waitFor("ana joined the chat!");
      await ana.writeLine("hi nina");
      await nc.waitFor("ana: hi nina");
      await ana.closeStdin();
      assertEquals(await ana.status(), 0);
      const without = joiner(port, "eve");
      await without.closeStdin();
      assertEquals(await without.status(), 1);
      assertMatch(
        without.stderr.join("\n"),
        /the server needs a password; give it with --password/,
      );
      // A native client without it is told so, and closed.
      const native = await LineClient.connect(port);
      await native.sendMessage({ type: "hello", version: 2, name: "mallory" });
      const bye = JSON.parse(await native.expect('"bye"'));
      assertEquals(bye.reason, "password");
      await native.ended;
      assertFalse(
        server.stdout.some((line) => /open sesame|guess/.test(line)),
        server.stdout.join("\n"),
      );
      assert(
        server.stdout.some((line) =>
          line.includes("wrong or missing password")
        ),
      );
    } finally {
      await nc.stop();
      await wrong.stop();
      server.kill("SIGTERM");
      await server.status();
    }
  },
});

Deno.test("a server operator joins a room past its key and its ban and kicks there, and the console says so", async () => {
  const { process: server, port } = await ChatProcess.server([
    "--oper-password",
    "root-pw",
  ]);
  const clients: LineClient[] = [];
  try {
    const ana = await nativeUser(port, "ana");
    const bob = await nativeUser(port, "bob");
    const root = await nativeUser(port, "rooty");
    clients.push(ana, bob, root);
    await ana.sendMessage({ type: "join", room: "#vault" });
    await ana.expectMessage("joined");
    await ana.sendMessage({ type: "input", text: "/key hunter2" });
    await ana.expectMessage("mode", (m) => m.change === "+k");
    await bob.sendMessage({ type: "join", room: "#vault", key: "hunter2" });
    await bob.expectMessage("joined");
    await ana.sendMessage({ type: "input", text: "/ban rooty" });
    await ana.expectMessage("mode", (m) => m.change === "+b");
    await root.sendMessage({ type: "join", room: "#vault" });
    assertEquals((await root.expectMessage("error")).code, "banned");
    await root.sendMessage({ type: "input", text: "/oper root-pw" });
    assertEquals((await root.expectMessage("info")).code, "oper");
    await root.sendMessage({
      type: "input",
      text: "/kick bob",
      room: "#vault",
    });
    await bob.expectMessage(
      "kick",
      (m) => m.name === "bob" && m.by === "rooty",
    );
    await root.sendMessage({ type: "join", room: "#vault" });
    const joined = await root.expectMessage("joined");
    assertEquals(joined.members, ["ana", "rooty"]);
    await server.waitFor(/ oper rooty \(127\.0\.0\.1:\d+\)$/);
    await server.waitFor(/ ban rooty #vault by ana \(127\.0\.0\.1:\d+\)$/);
    await server.waitFor(/ key #vault set by ana \(127\.0\.0\.1:\d+\)$/);
    await server.waitFor(/ kick bob #vault by rooty \(127\.0\.0\.1:\d+\)$/);
    assertFalse(
      server.stdout.some((line) => /hunter2|root-pw/.test(line)),
      server.stdout.join("\n"),
    );
  } finally {
    for (const client of clients) await client.close();
    server.kill("SIGTERM");
    await server.status();
  }
});

Deno.test("a version 1 client is told to upgrade and closed, never sent room messages it cannot read", async () => {
  const { process: server, port } = await ChatProcess.server();
  const old = await LineClient.connect(port);
  try {
    await old.sendMessage({ type: "hello", version: 1, name: "oldie" });
    const bye = JSON.parse(await old.expect('"bye"'));
    assertEquals(bye.reason, "protocol");
    assertMatch(
      bye.text,
      /version 2 of the chat protocol, not 1: please upgrade chat/,
    );
    await old.ended;
    assertEquals(old.lines.length, 1, old.lines.join("\n"));
    await eventually(
      () => server.stdout.some((line) => line.includes("disconnect")),
      "the server to close the connection",
    );
    assertFalse(server.stdout.some((line) => / error /.test(line)));
  } finally {
    await old.close();
    server.kill("SIGTERM");
    await server.status();
  }
});

Deno.test({
  name:
    "the page asks for the server's password when it has one, joins with it, and asks again when it is wrong",
  ignore: !HAVE_CHROMIUM,
  fn: () =>
    withWeb(
      ({ url }) =>
        withBrowser(async (browser) => {
          const eve = await PageUser.open(browser, url);
          const password = eve.page.locator("#password-input");
          await password.waitFor({ state: "visible" });
          await password.fill("guess");
          await eve.chooseName("eve");
          await eve.page.locator("#name-error", {
            hasText: "wrong or missing password",
          }).waitFor();
          assert(await eve.page.locator("#join-view").isVisible());
          await password.fill("open sesame");
          await eve.chooseName("eve");
          await eve.page.locator("#chat-view").waitFor({ state: "visible" });
          await eve.expectMembers(["eve (you)"]);
          assertEquals(eve.errors, []);
        }),
      { password: "open sesame" },
    ),
});

Deno.test({
  name:
    "the page follows its current room and counts the lines of its other room",
  ignore: !HAVE_CHROMIUM,
  fn: () =>
    withWeb(({ server, url }) =>
      withBrowser(async (browser) => {
        const ana = await PageUser.join(browser, url, "ana");
        const bob = await nativeUser(server.chat.addr.port, "bob");
        try {
          await ana.expectMembers(["ana (you)", "bob"]);
          await ana.say("/join #games");
          await ana.entry("You are now in #games", "notice");
          // Its first member is its operator.
          await ana.expectMembers(["@ana (operator) (you)"]);
          await bob.sendMessage({ type: "input", text: "over in general" });
          // Kept in #general's list, counted on its button in the room list.
          await ana.page.locator('#rooms [data-room="#general"] .badge', {
            hasText: "1",
          }).waitFor();
          assertEquals(
            await ana.page.locator("#messages li", {
              hasText: "over in general",
            }).count(),
            0,
          );
          await bob.sendMessage({ type: "join", room: "#games" });
          await ana.entry("bob joined #games", "notice");
          await ana.expectMembers(["@ana (operator) (you)", "bob"]);
          await bob.sendMessage({ type: "input", text: "gg", room: "#games" });
          const here = await ana.entry("gg", "chat");
          assertEquals(await here.locator(".room-tag").count(), 0);
          await ana.say("hello games");
          await bob.expectMessage(
            "message",
            (m) => m.room === "#games" && m.text === "hello games",
          );
          assertEquals(ana.errors, []);
        } finally {
          await bob.close();
        }
      })
    ),
});
