import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { TextLineStream } from "@std/streams/text-line-stream";
import {
  delay,
  eventually,
  LineClient,
  nativeUser,
  nextLine,
  plainUser,
  startTestServer,
  within,
  withServer,
} from "../_helpers.ts";
import { DEFAULT_SERVER_CONFIG } from "../../src/config.ts";
import { startWeb, stopWeb, withWeb, WsClient } from "../_web.ts";
import { have } from "../_tools.ts";

Deno.test("three users see joins, broadcasts that skip the sender, and leaves", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await plainUser(port, "ana");
    const bob = await nativeUser(port, "bob");
    await ana.expect("-- bob joined the chat!");
    const carla = await plainUser(port, "carla");
    await ana.expect("carla joined the chat!");
    await bob.expectMessage("join", (m) => m.name === "carla");

    for (let i = 0; i < 20; i++) await ana.send(`hello ${i}`);
    for (let i = 0; i < 20; i++) {
      await bob.expectMessage(
        "message",
        (m) => m.from === "ana" && m.text === `hello ${i}`,
      );
      assertMatch(
        await carla.expect(/ana: hello/),
        new RegExp(`^\\[\\d\\d:\\d\\d\\] ana: hello ${i}$`),
      );
    }
    await bob.sendMessage({ type: "input", text: "hi from bob" });
    await carla.expect("bob: hi from bob");
    await ana.expect("bob: hi from bob");
    assert(!ana.lines.some((line) => line.includes("ana: hello")));
    assert(!bob.lines.some((line) => line.includes("hi from bob")));

    await carla.send("/SAIR");
    await carla.expect("Disconnected by the server: quit");
    await carla.ended;
    await ana.expect("-- carla left the chat! (quit)");
    const leave = await bob.expectMessage("leave");
    assertEquals([leave.name, leave.reason], ["carla", "quit"]);

    await Promise.all([ana.close(), bob.close(), carla.close()]);
  });
});

Deno.test("the joiner is welcomed with who is online and recent messages", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await plainUser(port, "ana");
    await ana.send("first");
    const bob = await plainUser(port, "bob");
    assertMatch(bob.lines[0]!, /Welcome, bob! Online \(2\): ana, bob\./);
    await bob.expect("ana: first");
    const carla = await nativeUser(port, "carla");
    const welcome = JSON.parse(carla.lines[0]!);
    assertEquals(welcome.members, ["ana", "bob", "carla"]);
    assertEquals(welcome.history.map((l: { text: string }) => l.text), [
      "first",
    ]);
    await Promise.all([ana.close(), bob.close(), carla.close()]);
  });
});

Deno.test("a private message reaches only its target, and /reply answers it", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await plainUser(port, "ana");
    const bob = await nativeUser(port, "bob");
    const carla = await plainUser(port, "carla");
    await ana.expect("carla joined");

    await ana.send("/msg bob secret plan");
    const got = await bob.expectMessage("private");
    assertEquals([got.from, got.to, got.text], ["ana", "bob", "secret plan"]);
    await ana.expect("[ana -> bob] secret plan");

    await bob.sendMessage({ type: "input", text: "/reply got it" });
    await ana.expect("[bob -> ana] got it");
    await bob.expectMessage("private", (m) => m.text === "got it");

    await ana.send("/w nobody hello?");
    await ana.expect('!! There is no user named "nobody" online');
    await ana.send("done");
    await carla.expect("ana: done");
    assert(!carla.lines.some((l) => /secret|got it|hello\?/.test(l)));
    await Promise.all([ana.close(), bob.close(), carla.close()]);
  });
});

Deno.test("/nick renames and everyone sees it; /who lists members", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await plainUser(port, "ana");
    const bob = await nativeUser(port, "bob");
    await ana.expect("bob joined");
    await ana.send("/nick Ana_Maria");
    await ana.expect("-- ana is now known as Ana_Maria");
    const rename = await bob.expectMessage("rename");
    assertEquals([rename.from, rename.to], ["ana", "Ana_Maria"]);
    await bob.sendMessage({ type: "input", text: "/nick ana_maria" });
    await bob.expectMessage("error", (m) => m.code === "name_taken");
    await bob.sendMessage({ type: "input", text: "/who" });
    const members = await bob.expectMessage("members");
    assertEquals(members.names, ["Ana_Maria", "bob"]);
    await ana.send("/users");
    await ana.expect("-- Online (2): Ana_Maria, bob");
    await ana.send("hi");
    await bob.expectMessage("message", (m) => m.from === "Ana_Maria");
    await Promise.all([ana.close(), bob.close()]);
  });
});

Deno.test("an abrupt disconnect is announced as a leave", async () => {
  await withServer(async (server, logs) => {
    const port = server.chat.addr.port;
    const ana = await plainUser(port, "ana");
    const bob = await plainUser(port, "bob");
    await ana.expect("bob joined");
    await bob.close();
    await ana.expect("-- bob left the chat! (connection closed)");
    await ana.send("still here");
    const carla = await plainUser(port, "carla");
    await ana.send("and again");
    await carla.expect("ana: and again");
    await eventually(
      () => logs.some((l) => /leave bob \(127\.0\.0\.1:\d+\): closed/.test(l)),
      "the leave in the server log",
    );
    await Promise.all([ana.close(), carla.close()]);
  });
});

/**
 * A plain user in python3 whose socket has SO_LINGER 0: closing it sends a
 * RST, not a FIN (Deno cannot set SO_LINGER). It joins as `name`, prints
 * "joined" once welcomed, and resets the connection when its input ends.
 */
const RESETTER = `
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.sendall((sys.argv[2] + "\\n").encode())
seen = b""
while b"Welcome" not in seen:
    seen += s.recv(4096)
print("joined", flush=True)
sys.stdin.read()
s.close()
`;

Deno.test({
  name:
    "a connection reset by the peer is announced as a leave, not logged as an error",
  ignore: !have("python3", "--version"),
  async fn() {
    await withServer(async (server, logs) => {
      const port = server.chat.addr.port;
      const ana = await plainUser(port, "ana");
      const child = new Deno.Command("python3", {
        args: ["-c", RESETTER, String(port), "bob"],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const stdout = child.stdout.pipeThrough(new TextDecoderStream())
        .pipeThrough(new TextLineStream()).getReader();
      try {
        const said = await within(stdout.read(), "bob to join");
        assertEquals(said.value, "joined");

        await ana.expect("-- bob joined the chat!");
        await child.stdin.close(); // bob resets the connection
        await ana.expect("-- bob left the chat! (connection closed)");
        await eventually(
          () => logs.some((l) => /disconnect 127\.0\.0\.1:\d+$/.test(l)),
          "the disconnect in the server log",
        );
        const leave = logs.find((l) => l.includes("leave bob"));
        assertMatch(leave ?? "", /leave bob \(127\.0\.0\.1:\d+\): closed$/);
        assert(
          !logs.some((l) => /read failed| error /.test(l)),
          logs.join("\n"),
        );
        await ana.send("still here");
        const carla = await plainUser(port, "carla");
        await ana.send("after the reset");
        await carla.expect("ana: after the reset");
        await Promise.all([ana.close(), carla.close()]);
      } finally {
        await child.stdin.close().catch(() => {});
        await stdout.cancel();
        assertEquals((await child.status).code, 0);
      }
    });
  },
});

Deno.test("rejected and duplicate names get a reason and another try on the same connection", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await plainUser(port, "ana");
    const plain = await LineClient.connect(port);
    await plain.send("ANA");
    await plain.expect(
      '!! The name "ANA" is taken. Please choose another name:',
    );
    await plain.send("bad name!");
    await plain.expect("is not allowed");
    await plain.send("server");
    await plain.expect('"server" is reserved');
    await plain.send("\u0430na");
    await plain.expect("mixes alphabets");
    await plain.send("João");
    await plain.expect("Welcome, João!");
    await ana.expect("João joined the chat!");

    const native = await LineClient.connect(port);
    await native.sendMessage({ type: "hello", version: 2, name: "joão" });
    const error = await native.expectMessage("name_error");
    assertEquals(error.code, "taken");
    await native.sendMessage({
      type: "hello",
      version: 2,
      name: "x".repeat(25),
    });
    assertEquals((await native.expectMessage("name_error")).code, "too_long");
    await native.sendMessage({ type: "hello", version: 2, name: "bob" });
    await native.expectMessage("welcome", (m) => m.name === "bob");
    await Promise.all([ana.close(), plain.close(), native.close()]);
  });
});

Deno.test("a plain user who says nothing is asked for a name", async () => {
  await withServer(async (server) => {
    const client = await LineClient.connect(server.chat.addr.port);
    await client.expect("Welcome to chat! What is your name?");
    await client.send("ana");
    await client.expect("Welcome, ana!");
    await client.close();
  }, { promptAfterMs: 100 });
});

Deno.test("Portuguese notices for plain users with --lang pt and native users with lang pt", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const plain = await LineClient.connect(port);
    await plain.send("ana");
    await plain.expect("Bem-vindo(a), ana!");
    const bob = await nativeUser(port, "bob", "pt");
    await plain.expect("-- bob entrou no chat!");
    await bob.sendMessage({ type: "input", text: "/nada" });
    const error = await bob.expectMessage("error");
    assertMatch(error.text, /Comando desconhecido/);
    await bob.sendMessage({ type: "quit" });
    await bob.expectMessage("bye");
    await plain.expect("-- bob saiu do chat! (pediu para sair)");
    await Promise.all([plain.close(), bob.close()]);
  }, { lang: "pt" });
});

Deno.test("a line over the limit is refused and the connection goes on", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await plainUser(port, "ana");
    const bob = await plainUser(port, "bob");
    await bob.send("x".repeat(9000));
    await bob.expect(
      "!! Your line was longer than 8192 bytes and was not sent",
    );
    await bob.send("short");
    await ana.expect("bob: short");
    assert(!ana.lines.some((l) => l.includes("xxxx")));
    await Promise.all([ana.close(), bob.close()]);
  });
});

Deno.test("escape sequences and controls never reach other users", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await plainUser(port, "ana");
    const bob = await nativeUser(port, "bob");
    await ana.expect("bob joined");
    await bob.sendMessage({
      type: "input",
      text: "\x1b[2J\x1b]0;owned\x07hi\r\n[12:00] ana: fake\u202e!",
    });
    const line = await ana.expect("bob: ");
    assertEquals(
      line.replace(/^\[\d\d:\d\d\] /, ""),
      "bob: hi[12:00] ana: fake!",
    );
    await Promise.all([ana.close(), bob.close()]);
  });
});

Deno.test("shutdown tells every member and closes their connections", async () => {
  const logs: string[] = [];
  const server = await startTestServer({}, (l) => logs.push(l));
  const ana = await plainUser(server.chat.addr.port, "ana");
  const bob = await nativeUser(server.chat.addr.port, "bob");
  const pending = await LineClient.connect(server.chat.addr.port);
  // The server has taken the pending connection once it logs it.
  await nextLine(
    logs,
    0,
    new RegExp(` connect 127\\.0\\.0\\.1:${pending.localPort}$`),
  );
  const started = Date.now();
  await within(server.shutdown(), "the shutdown to finish");
  console.log(`shutdown took ${Date.now() - started} ms`);
  await ana.expect("-- The server is shutting down. Goodbye!");
  const bye = await bob.expectMessage("bye");
  assertEquals(bye.reason, "shutdown");
  await Promise.all([ana.ended, bob.ended, pending.ended]);
  await pending.expect("shutting down");
  await Promise.all([ana.close(), bob.close(), pending.close()]);
});

Deno.test("native ping is answered with pong, and a bad line gets an error", async () => {
  await withServer(async (server) => {
    const bob = await nativeUser(server.chat.addr.port, "bob");
    await bob.sendMessage({ type: "ping", id: 7 });
    assertEquals((await bob.expectMessage("pong")).id, 7);
    await bob.send("{not json");
    assertEquals(
      (await bob.expectMessage("error")).code,
      "bad_message",
    );
    await bob.close();
  });
});

Deno.test("a silent native member is pinged, and dropped as gone when it never answers", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await plainUser(port, "ana");
    const bob = await nativeUser(port, "bob");
    const carla = await nativeUser(port, "carla");
    // carla answers every ping, as chat join does; bob never does.
    let answering = true;
    const answered: number[] = [];
    const answerer = (async () => {
      for (let seen = 0; answering;) {
        for (; seen < carla.lines.length; seen++) {
          const message = JSON.parse(carla.lines[seen]!);
          if (message.type !== "ping") continue;
          await carla.sendMessage({ type: "pong", id: message.id });
          answered.push(message.id);
        }
        await delay(10); // polling interval
      }
    })();
    try {
      await bob.expectMessage("ping");
      await ana.expect("-- bob left the chat! (timed out)");
      await bob.ended;
      // carla outlives bob by more than one ping: she was pinged again
      // after her first answer, and answered that too.
      await eventually(
        () => answered.length >= 2,
        `carla to answer a second ping; she answered ${answered.length}`,
      );
      assert(!ana.lines.some((l) => l.includes("carla left")));
      assert(!carla.lines.some((l) => l.includes('"bye"')));
    } finally {
      answering = false;
      await answerer;
    }
    await Promise.all([ana.close(), bob.close(), carla.close()]);
  }, { pingAfterMs: 200, deadAfterMs: 600 });
});

Deno.test("a silent connection is asked for its name at once, with the default delay", async () => {
  await withServer(async (server) => {
    const started = Date.now();
    const silent = await LineClient.connect(server.chat.addr.port);
    // Well under the second it used to wait, with room for a loaded
    // machine: the delay is PROMPT_AFTER_MS, plus up to one tick.
    await silent.expect("What is your name?", 900);
    console.log(`name prompt after ${Date.now() - started} ms`);
    await silent.close();
  }, { promptAfterMs: DEFAULT_SERVER_CONFIG.promptAfterMs });
});

Deno.test("a native hello that arrives after the plain prompt still joins in the native dialect", async () => {
  await withServer(async (server) => {
    const late = await LineClient.connect(server.chat.addr.port);
    await late.expect("What is your name?");
    await late.sendMessage({ type: "hello", version: 2, name: "ana" });
    const welcome = await late.expectMessage("welcome");
    assertEquals(welcome.name, "ana");
    await late.close();
  }, { promptAfterMs: 20 });
});

Deno.test("a connection that never chooses a name is closed at the deadline", async () => {
  await withServer(async (server) => {
    const silent = await LineClient.connect(server.chat.addr.port);
    await silent.expect("What is your name?");
    await silent.expect("Disconnected by the server: timed out");
    await silent.ended;
    await silent.close();
  }, { promptAfterMs: 50, nameTimeoutMs: 300 });
});

Deno.test("one timer keeps the name deadline of the chat port's and the web client's connections", async () => {
  await withWeb(async ({ server, web }) => {
    const tcp = await LineClient.connect(server.chat.addr.port);
    const page = await WsClient.open(web.addr.port);
    await tcp.expect("Disconnected by the server: timed out");
    assertEquals((await page.expectMessage("bye")).reason, "timeout");
    await Promise.all([tcp.ended, page.closed]);
    await tcp.close();
  }, { promptAfterMs: 50, nameTimeoutMs: 300 });
});

Deno.test("shutdown closes both listeners, between shutting down and stopped", async () => {
  const fixture = await startWeb();
  const ana = await WsClient.join(fixture.web.addr.port, "ana");
  const bob = await nativeUser(fixture.server.chat.addr.port, "bob");
  await stopWeb(fixture);
  await Promise.all([ana.closed, bob.ended]);
  await bob.close();
  const lines = fixture.logs.map((line) => line.replace(/^\S+ \S+ /, ""));
  const start = lines.indexOf("shutting down");
  assert(start >= 0 && lines.indexOf("stopped") > start, lines.join("\n"));
  assertEquals(lines.filter((line) => line.startsWith("disconnect")).length, 2);
  for (const port of [fixture.server.chat.addr.port, fixture.web.addr.port]) {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
  }
});

Deno.test("startServer() with a busy web port shuts the chat port it opened", async () => {
  const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (free.addr as Deno.NetAddr).port;
  free.close();
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const logs: string[] = [];
  try {
    await assertRejects(
      () =>
        startTestServer(
          { port, webPort: (busy.addr as Deno.NetAddr).port },
          (line) => logs.push(line),
        ),
      Error,
      "address already in use",
    );
  } finally {
    busy.close();
  }
  assertEquals(logs.map((line) => line.replace(/^\S+ \S+ /, "")), [
    "shutting down",
    "stopped",
  ]);
  Deno.listen({ hostname: "127.0.0.1", port }).close();
});
