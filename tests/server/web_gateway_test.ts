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
  startTestServer,
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

Deno.test("more WebSocket connections from one address than allowed are refused", async () => {
  await withWeb(async ({ web }) => {
    const port = web.addr.port;
    const first = await WsClient.open(port);
    const second = await WsClient.open(port);
    const third = await WsClient.open(port);
    const bye = await third.expectMessage("bye");
    assertEquals(bye.reason, "limit");
    await third.closed;
    await Promise.all([first.close(), second.close()]);
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

Deno.test("shutdown finishes within two seconds even when a page stopped reading", async () => {
  const fixture = await startWeb({ rateLimit: null });
  const port = fixture.web.addr.port;
  const stuck = await RawWebSocket.open(port);
  await stuck.sendText(
    JSON.stringify({ type: "hello", version: 2, name: "stuck" }),
  );
  const ana = await WsClient.join(port, "ana");
  const bob = await nativeUser(fixture.server.chat.addr.port, "bob");
  // Enough to fill the kernel's buffers towards stuck, not enough to drop it.
  const line = "y".repeat(8000);
  for (let i = 0; i < 600; i++) {
    await bob.sendMessage({ type: "input", text: `${i} ${line}` });
    if (i % 20 === 0) await delay(2);
  }
  await ana.expectMessage("message", (m) => m.text.startsWith("599 "));
  assert(
    !ana.messages.some((m) => m.type === "leave"),
    "stuck is still a member",
  );
  const started = Date.now();
  await stopWeb(fixture);
  const took = Date.now() - started;
  assert(took < 2500, `shutdown took ${took} ms`);
  stuck.close();
  await ana.closed;
  await bob.close();
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
  const { process } = await ChatProcess.server();
  try {
    const line = await process.waitFor(/^open http:\/\/\S+ in a browser$/);
    const url = /open (\S+) in a browser/.exec(line)![1]!;
    const response = await fetch(url);
    assertStringIncludes(await response.text(), '<ol id="messages"');
    assertEquals(response.status, 200);
    process.kill("SIGTERM");
    assertEquals(await process.status(), 0);
  } finally {
    await process.stop();
  }
  const { process: noWeb } = await ChatProcess.server(["--no-web"]);
  try {
    await noWeb.waitFor(/join with: /);
    noWeb.kill("SIGTERM");
    assertEquals(await noWeb.status(), 0);
    assert(!noWeb.stdout.some((l) => l.includes("in a browser")));
  } finally {
    await noWeb.stop();
  }
});
