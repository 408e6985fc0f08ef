// Names that stay yours, end to end: over real sockets, with real `chat
// serve` and `chat join` processes, each with a data folder and a config
// folder of its own (never the home's).

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { DEFAULT_SERVER_CONFIG } from "../../src/config.ts";
import { DAY_MS } from "../../src/hub/claim_registry.ts";
import { startServer } from "../../src/server/server.ts";
import {
  ChatProcess,
  LineClient,
  nativeUser,
  plainUser,
  runChat,
  withServer,
} from "../_helpers.ts";
import { keyUser, makeKey } from "../_keys.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "chat_claims_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("native: a name claimed by one key is refused to another key, and to a hello without one", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await makeKey();
    const eve = await makeKey("ECDSA-P256");
    const first = await keyUser(port, "ana", ana);
    await first.expectMessage("welcome");
    await first.sendMessage({ type: "quit" });
    await first.expectMessage("bye");
    await first.close();
    const thief = await keyUser(port, "ANA", eve);
    const refused = await thief.expectMessage("name_error");
    assertEquals(refused.code, "registered");
    assertEquals(refused.text, 'The name "ANA" is registered to another key');
    // The same connection may ask for another name, its key already proven.
    await thief.sendMessage({
      type: "hello",
      version: 2,
      name: "eve",
      key: eve.info,
    });
    await thief.expectMessage("welcome");
    await thief.close();
    const bare = await LineClient.connect(port);
    await bare.sendMessage({ type: "hello", version: 2, name: "ana" });
    assertEquals((await bare.expectMessage("name_error")).code, "registered");
    await bare.close();
    const back = await keyUser(port, "ana", ana);
    await back.expectMessage("welcome");
    await back.close();
  });
});

Deno.test("native: a bad signature, a proof with no challenge and hostile keys never get a name", async () => {
  await withServer(async (server, logs) => {
    const port = server.chat.addr.port;
    const key = await makeKey();
    const liar = await LineClient.connect(port);
    await liar.sendMessage({
      type: "hello",
      version: 2,
      name: "ana",
      key: key.info,
    });
    await liar.expectMessage("challenge");
    await liar.sendMessage({ type: "proof", signature: "A".repeat(86) });
    const bye = await liar.expectMessage("bye");
    assertEquals(bye.reason, "protocol");
    await liar.ended;
    assert(logs.some((line) => line.includes("a key's proof did not verify")));
    const eager = await LineClient.connect(port);
    await eager.send(JSON.stringify({
      type: "hello",
      version: 2,
      name: "bob",
      key: { alg: "Ed25519", key: "A".repeat(60_000) },
    }));
    assertEquals((await eager.expectMessage("error")).code, "bad_message");
    await eager.send('{"type":"proof","signature":"abc"}');
    assertEquals((await eager.expectMessage("error")).code, "bad_message");
    await eager.send(JSON.stringify({
      type: "hello",
      version: 2,
      name: "bob",
      key: { alg: "ECDSA-P256", key: "BA" + "A".repeat(85) },
    }));
    await eager.expectMessage("challenge");
    await eager.sendMessage({ type: "proof", signature: "A".repeat(86) });
    assertEquals((await eager.expectMessage("bye")).reason, "protocol");
    await eager.close();
    // The server goes on.
    const bob = await nativeUser(port, "bob");
    await bob.close();
  }, { maxLineBytes: 65_536, hardLimitBytes: 65_536 * 2 });
});

Deno.test("plain: /register claims a name with a password; netcat users are asked for it, and counted", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const bob = await plainUser(port, "bob");
    await bob.send("/register hunter2 two");
    await bob.expect('The name "bob" is registered to you');
    await bob.send("/quit");
    await bob.ended;
    const guesser = await LineClient.connect(port);
    await guesser.send("Bob");
    await guesser.expect('The name "Bob" is registered. Type its password:');
    await guesser.send("hunter3");
    await guesser.expect(
      '!! Wrong password for "Bob". Please choose another name:',
    );
    await guesser.send("bob");
    await guesser.expect("Type its password:");
    await guesser.send("hunter2 two");
    await guesser.expect("Welcome, bob!");
    await guesser.close();
    // A key user cannot take it either.
    const keyed = await keyUser(port, "bob", await makeKey());
    assertEquals((await keyed.expectMessage("name_error")).password, true);
    await keyed.close();
    // Five wrong passwords on one connection and it is closed.
    // Five failed guesses on one connection (wrong, or refused for
    // guessing too fast) and it is closed.
    const brute = await LineClient.connect(port);
    for (let i = 0; i < 5; i++) {
      await brute.send("bob");
      await brute.expect("Type its password:");
      await brute.send(`guess ${i}`);
      if (i < 4) await brute.expect(/Wrong password|Too many password guesses/);
    }
    await brute.expect("Disconnected by the server: wrong or missing password");
    await brute.ended;
  });
});

Deno.test("chat join: the personal key claims the name; chat join with another config folder is refused", async () => {
  await withTempDir(async (dir) => {
    const { process: server, port } = await ChatProcess.server([
      "--data",
      `${dir}/data`,
      "--no-web",
      "--no-announce",
    ]);
    try {
      const join = (home: string, name: string) =>
        runChat(["join", `127.0.0.1:${port}`, "--name", name], {
          stdin: "hello\n",
          env: { XDG_CONFIG_HOME: `${dir}/${home}` },
        });
      const first = await join("ana_home", "ana");
      assertEquals(first.code, 0, first.stderr);
      assert(Deno.statSync(`${dir}/ana_home/chat/personal_key.json`).isFile);
      const other = await join("eve_home", "ana");
      assertEquals(other.code, 1);
      assertStringIncludes(
        other.stderr,
        'The name "ana" is registered to another key',
      );
      assertEquals((await join("ana_home", "ana")).code, 0);
    } finally {
      await server.stop();
    }
    // A restart on the same data folder keeps the claim.
    const again = await ChatProcess.server([
      "--data",
      `${dir}/data`,
      "--no-web",
      "--no-announce",
    ]);
    try {
      const other = await runChat(
        ["join", `127.0.0.1:${again.port}`, "--name", "ana"],
        { stdin: "hi\n", env: { XDG_CONFIG_HOME: `${dir}/eve_home` } },
      );
      assertEquals(other.code, 1);
      assertStringIncludes(other.stderr, "registered to another key");
    } finally {
      await again.process.stop();
    }
  });
});

Deno.test("chat join: a corrupt personal key is refused with its file named, and nothing is sent", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/chat`);
    await Deno.writeTextFile(`${dir}/chat/personal_key.json`, "{ not json");
    const result = await runChat(["join", "127.0.0.1:9", "--name", "ana"], {
      stdin: "",
      env: { XDG_CONFIG_HOME: dir },
    });
    assertEquals(result.code, 1);
    assertStringIncludes(
      result.stderr,
      `Cannot read the personal key ${dir}/chat/personal_key.json: it is not JSON`,
    );
  });
});

Deno.test("--open-names: another key may take a name a key used", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const first = await keyUser(port, "ana", await makeKey());
    await first.expectMessage("welcome");
    await first.close();
    const second = await keyUser(port, "ana", await makeKey());
    await second.expectMessage("welcome");
    await second.sendMessage({ type: "input", text: "/register pw" });
    await second.expectMessage("error", (error) => error.code === "claims_off");
    await second.close();
  }, { openNames: true });
});

Deno.test("a claim lapses after --name-claim-days unused (the server's clock moved on)", async () => {
  const time = { offset: 0 };
  const server = await startServer({
    ...DEFAULT_SERVER_CONFIG,
    host: "127.0.0.1",
    port: 0,
    webPort: null,
    announce: null,
    nameClaimDays: 2,
  }, { log: () => {}, now: () => Date.now() + time.offset });
  try {
    const port = server.chat.addr.port;
    const first = await keyUser(port, "ana", await makeKey());
    await first.expectMessage("welcome");
    // Left (and so last used) before the clock moves.
    await first.sendMessage({ type: "quit" });
    await first.expectMessage("bye");
    await first.close();
    const eve = await makeKey();
    time.offset = 2 * DAY_MS - 60_000;
    const early = await keyUser(port, "ana", eve);
    assertEquals((await early.expectMessage("name_error")).code, "registered");
    await early.close();
    time.offset = 2 * DAY_MS + 60_000;
    const late = await keyUser(port, "ana", eve);
    await late.expectMessage("welcome");
    await late.close();
  } finally {
    await server.shutdown();
  }
});

Deno.test("coming back: a claimed name is put back in its rooms and shown what was said since it left", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const key = await makeKey();
    const bob = await nativeUser(port, "bob");
    await bob.sendMessage({ type: "join", room: "#games" });
    await bob.expectMessage("joined");
    const ana = await keyUser(port, "ana", key);
    await ana.expectMessage("welcome");
    await ana.sendMessage({ type: "join", room: "#games" });
    await ana.expectMessage("joined");
    await ana.sendMessage({ type: "quit" });
    await ana.expectMessage("bye");
    await ana.close();
    await bob.sendMessage({
      type: "input",
      text: "you missed this",
      room: "#games",
    });
    await bob.sendMessage({ type: "input", text: "/who #games" });
    await bob.expectMessage("members", (m) => m.names.length === 1);
    const back = await keyUser(port, "ana", key);
    await back.expectMessage("welcome");
    const joined = await back.expectMessage("joined");
    assertEquals(joined.room, "#games");
    const caught = await back.expectMessage("catch_up");
    assertEquals(caught.room, "#games");
    assertEquals(caught.lines.map((line) => line.text), ["you missed this"]);
    await back.close();
    // A netcat user sees the separator too.
    const plain = await plainUser(port, "carol");
    await plain.send("/register pw");
    await plain.expect("is registered to you");
    await plain.send("/join #games");
    await plain.expect("You joined #games");
    await plain.send("/quit");
    await plain.ended;
    await bob.sendMessage({ type: "input", text: "for carol", room: "#games" });
    await bob.sendMessage({ type: "input", text: "/who #games" });
    await bob.expectMessage("members", (m) => m.names.length === 1);
    const carol = await LineClient.connect(port);
    await carol.send("carol");
    await carol.expect("Type its password:");
    await carol.send("pw");
    await carol.expect("since you left: 1 line in #games");
    await carol.expect(/^\[\d\d:\d\d\] bob: for carol$/);
    await carol.close();
    await bob.close();
  });
});

Deno.test("coming back after a restart on the same --data: the catch-up and the replay before it are read from SQLite", async () => {
  await withTempDir(async (dir) => {
    const serve = () =>
      ChatProcess.server(["--data", dir, "--no-web", "--no-announce"]);
    const key = await makeKey();
    const first = await serve();
    try {
      const bob = await nativeUser(first.port, "bob");
      const ana = await keyUser(first.port, "ana", key);
      await ana.expectMessage("welcome");
      await bob.sendMessage({ type: "input", text: "before you left" });
      await ana.expectMessage("message", (m) => m.text === "before you left");
      await ana.sendMessage({ type: "quit" });
      await ana.expectMessage("bye");
      await ana.close();
      await bob.sendMessage({ type: "input", text: "/who" });
      await bob.expectMessage("members", (m) => m.names.length === 1);
      for (const text of ["while you were away", "and after"]) {
        await bob.sendMessage({ type: "input", text });
      }
      // The server answers after the lines before: they are stored.
      await bob.sendMessage({ type: "input", text: "/who" });
      await bob.expectMessage("members");
      await bob.close();
      first.process.kill("SIGTERM");
      assertEquals(await first.process.status(), 0);
    } finally {
      await first.process.stop();
    }
    const again = await serve();
    try {
      const back = await keyUser(again.port, "ana", key);
      const welcome = await back.expectMessage("welcome");
      assertEquals(welcome.history.map((line) => line.text), [
        "before you left",
      ]);
      const caught = await back.expectMessage("catch_up");
      assertEquals(caught.room, "#general");
      assertEquals(caught.lines.map((line) => line.text), [
        "while you were away",
        "and after",
      ]);
      // Stored lines, with their ids, after the replay's.
      const ids = [...welcome.history, ...caught.lines].map((line) => line.id);
      assert(ids.every((id) => typeof id === "number"), String(ids));
      assertEquals([...ids].sort((a, b) => a! - b!), ids);
      assertEquals(new Set(ids).size, 3);
      await back.close();
    } finally {
      await again.process.stop();
    }
  });
});
