// Checks src/server/web_gateway.ts and src/server/web_socket_connection.ts
// without a browser: what the HTTP side serves and with which headers, the Origin
// check on the WebSocket upgrade, and that a WebSocket member is a member
// like any other (names, limits, slow readers, flooding, shutdown).

import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { encodeMessage } from "../../src/protocol/native_codec.ts";
import {
  CONTENT_SECURITY_POLICY,
  isSameOrigin,
} from "../../src/server/web_gateway.ts";
import {
  ChatProcess,
  delay,
  eventually,
  nativeUser,
  nextLine,
  startTestServer,
  within,
} from "../_helpers.ts";
import { RawWebSocket, startWeb, stopWeb, withWeb, WsClient } from "../_web.ts";

Deno.test("the page and its assets are served with CSP, nosniff and their types", async () => {
  await withWeb(async ({ url }) => {
    const expected: Record<string, string> = {
      "": "text/html; charset=utf-8",
      "app.js": "text/javascript; charset=utf-8",
      "web_client_state.js": "text/javascript; charset=utf-8",
      "style.css": "text/css; charset=utf-8",
    };
    for (const [path, type] of Object.entries(expected)) {
      const response = await fetch(url + path);
      const body = await response.text();
      assertEquals(response.status, 200, path);
      assertEquals(response.headers.get("content-type"), type, path);
      assertEquals(
        response.headers.get("content-security-policy"),
        CONTENT_SECURITY_POLICY,
        path,
      );
      assertEquals(response.headers.get("x-content-type-options"), "nosniff");
      assert(body.length > 100, path);
    }
    const missing = await fetch(url + "nothing-here");
    await missing.body?.cancel();
    assertEquals(missing.status, 404);
    assertEquals(missing.headers.get("x-content-type-options"), "nosniff");
    const post = await fetch(url, { method: "POST", body: "x" });
    await post.body?.cancel();
    assertEquals(post.status, 405);
  });
});

Deno.test("the CSP allows scripts, styles and sockets from the server only, and no framing", () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split("; ").map((d) => {
      const [name, ...values] = d.split(" ");
      return [name!, values];
    }),
  );
  assertEquals(directives.get("default-src"), ["'self'"]);
  assertEquals(directives.get("script-src"), ["'self'"]);
  assertEquals(directives.get("style-src"), ["'self'"]);
  assertEquals(directives.get("frame-ancestors"), ["'none'"]);
  assert(!CONTENT_SECURITY_POLICY.includes("unsafe"));
});

Deno.test("the page holds no inline script and loads nothing from elsewhere", async () => {
  await withWeb(async ({ url }) => {
    const html = await (await fetch(url)).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    assertEquals(scripts.length, 2);
    // One module from this server, one JSON data block (never executed).
    assert(scripts.some((a) => /type="module" src="\/app\.js"/.test(a!)));
    assert(scripts.some((a) => /type="application\/json"/.test(a!)));
    assert(!/https?:\/\//.test(html.replace(/"[^"]*"/g, "")));
    assert(!/\son[a-z]+=/i.test(html), "no inline event handler");
  });
});

Deno.test("isSameOrigin() accepts the page's own origin and refuses others", () => {
  assert(isSameOrigin("http://192.168.1.23:50002", "192.168.1.23:50002"));
  assert(isSameOrigin("http://[fe80::1]:50002", "[FE80::1]:50002"));
  assert(isSameOrigin("https://chat.local", "chat.local"));
  assert(isSameOrigin(null, "192.168.1.23:50002"), "programs send no Origin");
  assertEquals(
    isSameOrigin("http://evil.example", "192.168.1.23:50002"),
    false,
  );
  assertEquals(
    isSameOrigin("http://192.168.1.23:8080", "192.168.1.23:50002"),
    false,
  );
  assertEquals(isSameOrigin("null", "192.168.1.23:50002"), false);
  assertEquals(isSameOrigin("file://", "192.168.1.23:50002"), false);
  assertEquals(isSameOrigin("http://192.168.1.23:50002", null), false);
});

Deno.test("a WebSocket upgrade from another site's page is refused with 403", async () => {
  await withWeb(async ({ web, logs }) => {
    const port = web.addr.port;
    const foreign = await RawWebSocket.open(port, {
      Origin: "http://evil.example",
    });
    foreign.close();
    assertEquals(foreign.status, 403);
    assertEquals(web.connections, 0);
    assert(logs.some((l) => l.includes("WebSocket from another site")));
    const own = await RawWebSocket.open(port, {
      Origin: `http://127.0.0.1:${port}`,
    });
    assertEquals(own.status, 101);
    await eventually(() => web.connections === 1, "the connection");
    own.close();
    await eventually(() => web.connections === 0, "the disconnection");
  });
});

Deno.test("a plain GET of the WebSocket endpoint is told to upgrade", async () => {
  await withWeb(async ({ url }) => {
    const response = await fetch(url + "ws");
    await response.body?.cancel();
    assertEquals(response.status, 426);
  });
});

Deno.test("WebSocket and TCP members share one room, names and private messages", async () => {
  await withWeb(async ({ server, web }) => {
    const ana = await WsClient.join(web.addr.port, "ana");
    const bob = await nativeUser(server.chat.addr.port, "bob");
    await ana.expectMessage("join", (m) => m.name === "bob");
    ana.send({ type: "input", text: "hi bob" });
    await bob.expectMessage(
      "message",
      (m) => m.from === "ana" && m.text === "hi bob",
    );
    await bob.sendMessage({ type: "input", text: "/msg ana psst" });
    const got = await ana.expectMessage("private");
    assertEquals([got.from, got.to, got.text], ["bob", "ana", "psst"]);
    // A WebSocket member's name is held against TCP members too.
    const carla = await WsClient.open(web.addr.port);
    carla.send({ type: "hello", version: 2, name: "BOB" });
    const refused = await carla.expectMessage("name_error");
    assertEquals(refused.code, "taken");
    carla.send({ type: "hello", version: 2, name: "a b" });
    assertEquals(
      (await carla.expectMessage("name_error")).code,
      "invalid_chars",
    );
    carla.send({ type: "hello", version: 2, name: "carla" });
    const welcome = await carla.expectMessage("welcome");
    assertEquals(welcome.members, ["ana", "bob", "carla"]);
    assertEquals(welcome.history.map((l) => l.text), ["hi bob"]);
    await ana.close();
    const leave = await bob.expectMessage("leave", (m) => m.name === "ana");
    assertEquals(leave.reason, "closed");
    await carla.close();
    await bob.close();
  });
});

Deno.test("a WebSocket line over the limit is refused and the member stays", async () => {
  await withWeb(async ({ web }) => {
    const ana = await WsClient.join(web.addr.port, "ana");
    const bob = await WsClient.join(web.addr.port, "bob");
    // Counted in UTF-8 bytes: 3000 "é" is 6000 bytes, under the limit.
    ana.send({ type: "input", text: "é".repeat(3000) });
    await bob.expectMessage("message", (m) => m.text.length === 3000);
    ana.send({ type: "input", text: "é".repeat(4200) });
    const error = await ana.expectMessage("error");
    assertEquals(error.code, "line_too_long");
    ana.send({ type: "input", text: "still here" });
    await bob.expectMessage("message", (m) => m.text === "still here");
    // Exactly at the limit of 8192 bytes, and one byte over, with 2-byte
    // (é), 3-byte (CJK) and 4-byte (emoji, a surrogate pair) characters.
    const overhead = encodeMessage({ type: "input", text: "" }).length - 1;
    for (const char of ["é", "日", "語", "👋", "𝄞"]) {
      const size = new TextEncoder().encode(char).length;
      const count = Math.floor((8192 - overhead) / size);
      const text = char.repeat(count) +
        "x".repeat(8192 - overhead - count * size);
      assertEquals(
        new TextEncoder().encode(JSON.stringify({ type: "input", text }))
          .length,
        8192,
      );
      ana.send({ type: "input", text });
      await bob.expectMessage("message", (m) => m.text === text);
      ana.send({ type: "input", text: text + "x" });
      assertEquals(
        (await ana.expectMessage("error")).code,
        "line_too_long",
        `${char}: 8193 bytes`,
      );
      ana.send({ type: "input", text: `after ${char}` });
      await bob.expectMessage("message", (m) => m.text === `after ${char}`);
    }
    // Several lines in one frame are taken one by one, as over TCP.
    ana.sendRaw(
      encodeMessage({ type: "input", text: "one" }) +
        encodeMessage({ type: "input", text: "two" }),
    );
    await bob.expectMessage("message", (m) => m.text === "one");
    await bob.expectMessage("message", (m) => m.text === "two");
    await Promise.all([ana.close(), bob.close()]);
  });
});

Deno.test("a WebSocket frame over the hard limit disconnects its sender", async () => {
  await withWeb(async ({ web, logs }) => {
    const ana = await WsClient.join(web.addr.port, "ana");
    const bob = await WsClient.join(web.addr.port, "bob");
    ana.sendRaw("x".repeat(70_000));
    const code = await ana.closed;
    assertEquals(code, 1009);
    const leave = await bob.expectMessage("leave");
    assertEquals([leave.name, leave.reason], ["ana", "protocol"]);
    assert(logs.some((l) => /frame of 70000 bytes/.test(l)));
    await bob.close();
  });
});

Deno.test("binary WebSocket frames are read as UTF-8 lines, like text frames", async () => {
  await withWeb(async ({ web }) => {
    const port = web.addr.port;
    const ana = await WsClient.join(port, "ana");
    const raw = await RawWebSocket.open(port);
    try {
      const encoder = new TextEncoder();
      await raw.sendBinary(
        encoder.encode(
          JSON.stringify({ type: "hello", version: 2, name: "bina" }),
        ),
      );
      await ana.expectMessage("join", (m) => m.name === "bina");
      await raw.sendBinary(
        encoder.encode(
          encodeMessage({ type: "input", text: "olá 日本 👋" }) +
            encodeMessage({ type: "input", text: "second" }),
        ),
      );
      await ana.expectMessage(
        "message",
        (m) => m.from === "bina" && m.text === "olá 日本 👋",
      );
      await ana.expectMessage("message", (m) => m.text === "second");
      // Invalid UTF-8 becomes U+FFFD, as over TCP.
      await raw.sendBinary(
        new Uint8Array([
          ...encoder.encode('{"type":"input","text":"a'),
          0xff,
          ...encoder.encode('b"}'),
        ]),
      );
      await ana.expectMessage("message", (m) => m.text === "a\ufffdb");
    } finally {
      raw.close();
    }
    await ana.expectMessage("leave", (m) => m.name === "bina");
    await ana.close();
  });
});

Deno.test("a page that goes away in the middle of a frame leaves with reason closed, and nothing of the frame is said", async () => {
  await withWeb(async ({ web, logs }) => {
    const port = web.addr.port;
    const ana = await WsClient.join(port, "ana");
    const frame = new TextEncoder().encode(
      encodeMessage({ type: "input", text: "never said ".repeat(20) }),
    );
    // Cut inside the 16-bit length, and inside the payload.
    for (const [name, cut] of [["cutA", 3], ["cutB", 100]] as const) {
      const raw = await RawWebSocket.open(port);
      try {
        await raw.sendText(
          JSON.stringify({ type: "hello", version: 2, name }),
        );
        await ana.expectMessage("join", (m) => m.name === name);
        await raw.sendFrame(0x1, frame, cut);
      } finally {
        raw.close();
      }
      const leave = await ana.expectMessage("leave", (m) => m.name === name);
      assertEquals(leave.reason, "closed", name);
    }
    await eventually(() => web.connections === 1, "the cut pages to be gone");
    assert(!ana.messages.some((m) => m.type === "message"));
    assert(!logs.some((l) => / error/.test(l)), logs.join("\n"));
    ana.send({ type: "input", text: "/who" });
    assertEquals((await ana.expectMessage("members")).names, ["ana"]);
    await ana.close();
  });
});

Deno.test("a WebSocket member that stops reading is dropped as slow; others go on", async () => {
  await withWeb(async ({ server, web }) => {
    const port = web.addr.port;
    const slow = await RawWebSocket.open(port);
    assertEquals(slow.status, 101);
    await slow.sendText(
      JSON.stringify({ type: "hello", version: 2, name: "slow" }),
    );
    const ana = await WsClient.join(port, "ana");
    const bob = await nativeUser(server.chat.addr.port, "bob");
    // bob talks; slow never reads, so its unsent frames pile up once the
    // kernel's buffers are full.
    const line = "x".repeat(8000);
    let sent = 0;
    while (!ana.messages.some((m) => m.type === "leave" && m.name === "slow")) {
      await bob.sendMessage({ type: "input", text: `${sent} ${line}` });
      if (++sent % 20 === 0) await delay(5);
      if (sent > 20_000) throw new Error("slow was never dropped");
    }
    const leave = await ana.expectMessage("leave", (m) => m.name === "slow");
    assertEquals(leave.reason, "slow");
    await bob.sendMessage({ type: "input", text: "after" });
    await ana.expectMessage("message", (m) => m.text === "after");
    slow.close();
    await Promise.all([ana.close(), bob.close()]);
  }, { rateLimit: null, maxQueueBytes: 64 * 1024 });
});

Deno.test("a WebSocket member that reads is not dropped by a burst larger than its bound", async () => {
  await withWeb(async ({ server, web }) => {
    const ana = await WsClient.join(web.addr.port, "ana");
    const bob = await nativeUser(server.chat.addr.port, "bob");
    // 300 lines of 8000 bytes written at once: the server reads them back
    // to back, in one turn of the event loop, 2.4 MB for ana.
    const line = "x".repeat(8000);
    await bob.write(
      Array.from(
        { length: 300 },
        (_, i) => encodeMessage({ type: "input", text: `${i} ${line}` }),
      ).join(""),
    );
    await ana.expectMessage("message", (m) => m.text.startsWith("299 "));
    assertEquals(ana.messages.filter((m) => m.type === "message").length, 300);
    assert(!ana.messages.some((m) => m.type === "bye"));
    await Promise.all([ana.close(), bob.close()]);
  }, { rateLimit: null });
});

Deno.test("a WebSocket member that floods is warned, then disconnected", async () => {
  await withWeb(async ({ web }) => {
    const ana = await WsClient.join(web.addr.port, "ana");
    const bob = await WsClient.join(web.addr.port, "bob");
    for (let i = 0; i < 40; i++) ana.send({ type: "input", text: `spam ${i}` });
    assertEquals((await ana.expectMessage("error")).code, "slow_down");
    assertEquals((await ana.expectMessage("bye")).reason, "flood");
    await ana.closed;
    const leave = await bob.expectMessage("leave", (m) => m.name === "ana");
    assertEquals(leave.reason, "flood");
    await bob.close();
  }, { rateLimit: { rate: 1, burst: 5 } });
});

Deno.test("a WebSocket member is pinged when quiet and dropped when it stays silent", async () => {
  await withWeb(async ({ web, logs }) => {
    const port = web.addr.port;
    const quiet = await RawWebSocket.open(port);
    await quiet.sendText(
      JSON.stringify({ type: "hello", version: 2, name: "quiet" }),
    );
    const ana = await WsClient.join(port, "ana");
    const ping = await ana.expectMessage("ping");
    ana.send({ type: "pong", id: ping.id });
    const leave = await ana.expectMessage("leave", (m) => m.name === "quiet");
    assertEquals(leave.reason, "timeout");
    assert(logs.some((l) => /no answer for/.test(l)));
    quiet.close();
    await ana.close();
  }, { pingAfterMs: 200, deadAfterMs: 600 });
});

Deno.test({
  name:
    "an exception while timing out one WebSocket member is logged and closes that member only",
  // The web gateway's connections are ticked by the server's one timer,
  // which guards each connection's tick as it does the chat port's.
}, async () => {
  const logs: string[] = [];
  let quietLabel: string | null = null;
  // The room's log (the TCP server's) throws once, on quiet's time-out: the
  // only way in from outside src/.
  let fired = false;
  const server = await startTestServer(
    { webPort: 0, pingAfterMs: 200, deadAfterMs: 600 },
    (line) => {
      logs.push(line);
      if (
        !fired && quietLabel !== null &&
        line.includes(`leave quiet (${quietLabel}): timeout`)
      ) {
        fired = true;
        throw new Error("injected fault");
      }
    },
  );
  const fixture = { server, web: server.web!, url: "", logs };
  const port = fixture.web.addr.port;
  const quiet = await RawWebSocket.open(port);
  try {
    await quiet.sendText(
      JSON.stringify({ type: "hello", version: 2, name: "quiet" }),
    );
    // The web server's own lines go to the fixture's log.
    const connect = await nextLine(
      fixture.logs,
      0,
      / connect web 127\.0\.0\.1:\d+$/,
    );
    quietLabel = / connect (web \S+)$/.exec(fixture.logs[connect]!)![1]!;
    const ana = await WsClient.join(port, "ana");
    // ana answers her pings; quiet never does.
    let answering = true;
    const answerer = (async () => {
      while (answering) {
        const ping = ana.messages.findLast((m) => m.type === "ping");
        if (ping?.type === "ping") ana.send({ type: "pong", id: ping.id });
        await delay(50); // polling interval
      }
    })();
    try {
      const { close, ended } = await quiet.readFrames();
      assert(close !== null || ended, "quiet's connection was closed");
      await eventually(
        () =>
          logs.some((l) =>
            l.includes(quietLabel!) && l.includes("injected fault")
          ),
        `the error logged with ${quietLabel}`,
      );
      await ana.expectMessage("leave", (m) => m.name === "quiet");
      ana.send({ type: "input", text: "/who" });
      assertEquals((await ana.expectMessage("members")).names, ["ana"]);
      assert(!ana.messages.some((m) => m.type === "bye"));
    } finally {
      answering = false;
      await answerer;
      await ana.close();
    }
  } finally {
    quiet.close();
    await stopWeb(fixture);
  }
});

Deno.test("more WebSocket connections from one address than allowed are refused", async () => {
  await withWeb(async ({ web }) => {
    const port = web.addr.port;
    const first = await WsClient.open(port);
    const second = await WsClient.open(port);
    const third = await WsClient.open(port);
    const bye = await third.expectMessage("bye");
    assertEquals(bye.reason, "limit");
    await third.closed;
    // When one of the two goes, its slot is free for the next one.
    await first.close();
    await eventually(() => web.connections === 1, "the server to count it out");
    const fourth = await WsClient.open(port);
    fourth.send({ type: "hello", version: 2, name: "dora" });
    assertEquals((await fourth.expectMessage("welcome")).name, "dora");
    assertEquals(web.connections, 2);
    await Promise.all([second.close(), fourth.close()]);
  }, { maxPerIp: 2 });
});

Deno.test("shutdown says goodbye to WebSocket members and to pages choosing a name", async () => {
  const fixture = await startWeb();
  const port = fixture.web.addr.port;
  const ana = await WsClient.join(port, "ana");
  const naming = await WsClient.open(port);
  const tcp = await nativeUser(fixture.server.chat.addr.port, "bob");
  await stopWeb(fixture);
  assertEquals((await ana.expectMessage("bye")).reason, "shutdown");
  assertEquals((await naming.expectMessage("bye")).reason, "shutdown");
  assertEquals(await ana.closed, 1001);
  await naming.closed;
  await tcp.expect("shutdown");
  await tcp.close();
});

Deno.test("shutdown finishes even when a page stopped reading, that page is told too, and a late page gets 503", async () => {
  // The page's bound is far above what is sent to it, so it is never
  // dropped as slow, however long the sending takes: it is still a member,
  // stuck behind full buffers, when the server shuts down.
  const fixture = await startWeb({ rateLimit: null, maxQueueBytes: 1 << 30 });
  const port = fixture.web.addr.port;
  const stuck = await RawWebSocket.open(port);
  try {
    await stuck.sendText(
      JSON.stringify({ type: "hello", version: 2, name: "stuck" }),
    );
    const ana = await WsClient.join(port, "ana");
    const bob = await nativeUser(fixture.server.chat.addr.port, "bob");
    // 8 MB: more than the kernel's buffers towards stuck take.
    const count = 1000;
    const line = "y".repeat(8000);
    for (let i = 0; i < count; i++) {
      await bob.sendMessage({ type: "input", text: `${i} ${line}` });
      if (i % 20 === 0) await delay(2); // pacing, so ana keeps up
    }
    await ana.expectMessage(
      "message",
      (m) => m.text.startsWith(`${count - 1} `),
    );
    assert(
      !ana.messages.some((m) => m.type === "leave"),
      "stuck is still a member",
    );
    const started = Date.now();
    let stopped = false;
    const stopping = stopWeb(fixture).then(() => stopped = true);
    // While members are told goodbye (stuck's flush takes a while), the
    // web server still answers, but takes no new WebSocket.
    const late = await RawWebSocket.open(port);
    late.close();
    assert(!stopped, "the shutdown was over before the late page asked");
    assertEquals(late.status, 503, late.response);
    await within(stopping, "the shutdown to finish");
    console.log(
      `shutdown took ${
        Date.now() - started
      } ms with a page that stopped reading`,
    );
    assertEquals((await ana.expectMessage("bye")).reason, "shutdown");
    assertEquals(await ana.closed, 1001);
    assertEquals((await bob.expectMessage("bye")).reason, "shutdown");
    await bob.ended;
    // stuck reads at last: what it was sent ends with the goodbye, or the
    // connection ends without one (the server gave up on flushing).
    const { texts, close, ended } = await stuck.readFrames();
    const lines = texts.join("").split("\n").filter((l) => l !== "");
    const messages = lines.filter((l) => l.includes('"type":"message"'));
    console.log(
      `stuck then read ${messages.length} of ${count} messages; close ${close}, ended ${ended}`,
    );
    assert(close !== null || ended, "stuck's connection was closed");
    if (close !== null) {
      assertEquals(close, 1001);
      assertEquals(JSON.parse(lines.at(-1)!).reason, "shutdown");
    }
    await Promise.all([ana.close(), bob.close()]);
  } finally {
    stuck.close();
  }
});

Deno.test("startServer() with a busy web port says so", async () => {
  await withWeb(async ({ web }) => {
    let message = "";
    try {
      await startTestServer({ webPort: web.addr.port });
    } catch (error) {
      message = (error as Error).message;
    }
    assertMatch(
      message,
      /^Cannot listen on 127\.0\.0\.1:\d+: address already in use/,
    );
  });
});

Deno.test("chat serve prints the browser link and serves the page; --no-web turns it off", async () => {
  // Two ports that were free a moment ago, for the chat and the web client,
  // so both runs below ask for the same web port.
  const chatHeld = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const webHeld = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const chatPort = chatHeld.addr.port;
  const webPort = webHeld.addr.port;
  const held = [chatHeld, webHeld];
  for (const listener of held) listener.close();
  const ports = ["--port", String(chatPort), "--web-port", String(webPort)];
  const args = ["serve", "--host", "127.0.0.1", ...ports];

  const withWebClient = new ChatProcess(args);
  try {
    const line = await withWebClient.waitFor(
      /^open http:\/\/\S+ in a browser$/,
    );
    const url = /open (\S+) in a browser/.exec(line)![1]!;
    assertEquals(url, `http://127.0.0.1:${webPort}`);
    // (An answer also shows main.ts is past its startup and listens for
    // signals.)
    const response = await fetch(url);
    assertStringIncludes(await response.text(), '<ol id="messages"');
    assertEquals(response.status, 200);
    withWebClient.kill("SIGTERM");
    assertEquals(await withWebClient.status(), 0);
  } finally {
    await withWebClient.stop();
  }

  const noWeb = new ChatProcess([...args, "--no-web"]);
  try {
    // `chat join` from a compiled chat, `deno task join` from source.
    await noWeb.waitFor(
      new RegExp(
        `^join with: (chat|deno task) join 127\\.0\\.0\\.1:${chatPort} `,
      ),
    );
    // Nothing listens on the web port.
    let refused = false;
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: webPort });
      conn.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
      refused = true;
    }
    assert(refused, `something answered on the web port ${webPort}`);
    // main.ts listens for signals only after its startup lines: a member's
    // welcome shows that it got that far (SIGTERM earlier kills it, 143).
    const probe = await nativeUser(chatPort, "probe");
    await probe.close();
    noWeb.kill("SIGTERM");
    assertEquals(await noWeb.status(), 0);
    assert(!noWeb.stdout.some((l) => l.includes("in a browser")));
  } finally {
    await noWeb.stop();
  }
});

Deno.test("an exception while handling one WebSocket member's line is logged with its stack and closes that member only", async () => {
  const logs: string[] = [];
  let fired = false;
  const server = await startTestServer({ webPort: 0 }, (line) => {
    logs.push(line);
    if (!fired && / join mallory /.test(line)) {
      fired = true;
      throw new Error("injected fault");
    }
  });
  const fixture = { server, web: server.web!, url: "", logs };
  const port = fixture.web.addr.port;
  const ana = await WsClient.join(port, "ana");
  const mallory = await WsClient.open(port);
  try {
    mallory.send({ type: "hello", version: 2, name: "mallory" });
    // The socket is closed, and the fault never reached the event loop
    // (the test runner would fail on an uncaught error).
    await within(mallory.closed, "mallory's socket to close");
    await eventually(
      () =>
        logs.some((l) =>
          /error web 127\.0\.0\.1:\d+: Error: injected fault\n\s+at /.test(l)
        ),
      "the fault logged with mallory's address and its stack",
    );
    await ana.expectMessage(
      "leave",
      (m) => m.name === "mallory" && m.reason === "error",
    );
    ana.send({ type: "input", text: "/who" });
    assertEquals((await ana.expectMessage("members")).names, ["ana"]);
  } finally {
    await ana.close();
    await mallory.close();
    await stopWeb(fixture);
  }
});
