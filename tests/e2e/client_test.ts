// `chat join` end to end without a terminal: the real program as a
// subprocess with piped standard input, against the real server (killed,
// for a lost connection) or a fake one written here for the failure cases
// a real server never shows (a server that goes silent, or is not a chat
// server at all).

import { assertEquals, assertFalse, assertMatch } from "@std/assert";
import { TextLineStream } from "@std/streams/text-line-stream";
import type {
  ClientMessage,
  ServerMessage,
} from "../../src/protocol/messages.ts";
import { CLIENT_STRINGS } from "../../src/i18n/client_strings.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";
import { chatCommand } from "../_chat_command.ts";
import { createTlsIdentity } from "../../src/transport/tls_identity.ts";
import { tlsServerContext, TlsStream } from "../../src/transport/tls_stream.ts";
import { DEADLINE_MS, ENV, Peer, Server } from "../_client_harness.ts";

const EN = CLIENT_STRINGS.en;
const encoder = new TextEncoder();

/** A running `chat join`, its input piped. */
class Join {
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #output: Promise<Deno.CommandOutput> | undefined;

  constructor(args: string[]) {
    const chat = chatCommand(["join", ...args]);
    this.#child = new Deno.Command(chat.cmd, {
      args: chat.args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: ENV,
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
  }

  async write(text: string): Promise<void> {
    await this.#stdin.write(encoder.encode(text));
  }

  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /**
   * Waits for it to exit, closing its input first unless `closeInput` is
   * `false` (then it must exit on its own).
   */
  async finish(
    { closeInput = true } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    if (closeInput) await this.#stdin.close().catch(() => {});
    this.#output ??= this.#child.output();
    // A hang guard, not a speed check: a client that never exits is killed
    // and the test fails with what it printed.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let hung = false;
    const guard = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        hung = true;
        this.#child.kill("SIGKILL");
        resolve();
      }, DEADLINE_MS);
    });
    await Promise.race([this.#output, guard]);
    clearTimeout(timer);
    if (!closeInput) await this.#stdin.close().catch(() => {});
    const output = await this.#output;
    const decoder = new TextDecoder();
    const result = {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
    if (hung) {
      throw new Error(
        `chat join did not exit within ${DEADLINE_MS} ms; stdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
      );
    }
    return result;
  }
}

/** Runs `chat join` to the end with the given input. */
function join(args: string[], input = "") {
  const run = new Join(args);
  return run.write(input).then(() => run.finish());
}

// chat join speaks only TLS: so does the fake server.
const FAKE_CONTEXT = tlsServerContext(await createTlsIdentity());

/** A fake server: one connection, driven line by line by the test. */
class FakeServer {
  readonly port: number;
  #listener: Deno.TcpListener;
  #conn: TlsStream | undefined;
  #lines: ReadableStreamDefaultReader<string> | undefined;

  constructor() {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = this.#listener.addr.port;
  }

  async accept(): Promise<void> {
    this.#conn = await TlsStream.accept(await this.#listener.accept(), {
      context: FAKE_CONTEXT,
    });
    this.#lines = this.#conn.readable
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new TextLineStream())
      .getReader();
  }

  /** The next message the client sent, or `null` at the end. */
  async next(): Promise<ClientMessage | null> {
    const { done, value } = await this.#lines!.read();
    return done ? null : JSON.parse(value);
  }

  async write(text: string): Promise<void> {
    await this.#conn!.write(encoder.encode(text));
  }

  send(message: ServerMessage): Promise<void> {
    return this.write(JSON.stringify(message) + "\n");
  }

  /** Closes the connection (the client sees the server go away). */
  async drop(): Promise<void> {
    await this.#lines?.cancel();
    this.#lines = undefined;
    try {
      this.#conn?.close();
    } catch {
      // closed by the cancel
    }
    this.#conn = undefined;
  }

  async close(): Promise<void> {
    await this.drop();
    this.#listener.close();
  }
}

function welcome(name: string, members = [name]): ServerMessage {
  return {
    type: "welcome",
    name,
    room: "#general",
    members,
    ops: [],
    history: [],
    server: "fake",
    version: 2,
  };
}

async function withServer(
  test: (server: Server, bob: Peer) => Promise<void>,
): Promise<void> {
  const server = await Server.start();
  let bob: Peer | undefined;
  try {
    bob = await Peer.join(server.port, "bob");
    await test(server, bob);
  } finally {
    await bob?.close();
    await server.stop();
  }
}

Deno.test("chat join sends each piped line as a message and exits 0", async () => {
  await withServer(async (server, bob) => {
    const result = await join(
      [`127.0.0.1:${server.port}`, "--name", "ci"],
      "build finished\n\n   \nsecond line, tabs\tand all\n",
    );
    assertEquals(result.stderr, "");
    assertEquals(result.code, 0);
    await bob.expect(
      "ci to leave",
      (m) => m.type === "leave" && m.name === "ci",
    );
    const texts = bob.received.flatMap((m) =>
      m.type === "message" && m.from === "ci" ? [m.text] : []
    );
    // Empty lines are skipped; the server turns the tab into a space.
    assertEquals(texts, ["build finished", "second line, tabs and all"]);
    const leave = bob.received.find((m) => m.type === "leave");
    assertEquals(leave?.type === "leave" && leave.reason, "quit");
  });
});

Deno.test("chat join --verbose prints the welcome and incoming messages as plain lines", async () => {
  await withServer(async (server, bob) => {
    const run = new Join([
      `127.0.0.1:${server.port}`,
      "--name",
      "ci",
      "--verbose",
    ]);
    await bob.expect("ci to join", (m) => m.type === "join" && m.name === "ci");
    await bob.say("deploy now, ci");
    await bob.send({ type: "input", text: "/msg ci psst" });
    await bob.send({ type: "input", text: "/me waves" });
    // Once bob has the answer to his /who, the server has handled his lines
    // before it (and queued them to ci); only then does ci ask.
    await bob.send({ type: "input", text: "/who" });
    await bob.expect("bob's /who", (m) => m.type === "members");
    await run.write("/who\n");
    const result = await run.finish();
    assertEquals(result.code, 0);
    const lines = result.stdout.trimEnd().split("\n");
    assertMatch(
      lines[0]!,
      /^\[\d\d:\d\d\] -- Welcome, ci! Online \(2\): bob, ci\./,
    );
    assertMatch(lines[1]!, /^\[\d\d:\d\d\] bob: deploy now, ci$/);
    assertMatch(lines[2]!, /^\[\d\d:\d\d\] \(private\) bob: psst$/);
    assertMatch(lines[3]!, /^\[\d\d:\d\d\] \* bob waves$/);
    assertMatch(lines[4]!, /^\[\d\d:\d\d\] -- Online \(2\): bob, ci$/);
    assertEquals(lines.length, 5, result.stdout);
    // Not a terminal: no colour, no bell, no escape code of any kind.
    // deno-lint-ignore no-control-regex
    assertFalse(/[\x00-\x09\x0b-\x1f]/.test(result.stdout), result.stdout);
  });
});

Deno.test("chat join without a terminal prints no welcome and no history, only what others say", async () => {
  await withServer(async (server, bob) => {
    await bob.say("said before ci came");
    const quiet = await join(
      [`127.0.0.1:${server.port}`, "--name", "ci"],
      "build finished\n",
    );
    assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);
    await bob.expect(
      "the message",
      (m) => m.type === "message" && m.text === "build finished",
    );
    // --verbose shows them, as a terminal does.
    const verbose = await join(
      [`127.0.0.1:${server.port}`, "--name", "ci", "--verbose"],
      "",
    );
    const lines = verbose.stdout.trimEnd().split("\n");
    assertMatch(lines[0]!, /^\[\d\d:\d\d\] -- Recent messages \(2\):$/);
    assertMatch(lines[1]!, /^\[\d\d:\d\d\] bob: said before ci came$/);
    assertMatch(lines[2]!, /^\[\d\d:\d\d\] ci: build finished$/);
    assertMatch(lines[3]!, /^\[\d\d:\d\d\] -- —— end of recent messages ——$/);
    assertMatch(lines[4]!, /^\[\d\d:\d\d\] -- Welcome, ci!/);
  });
});

Deno.test("chat join says what failed when nothing listens on the port", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  const result = await join([`127.0.0.1:${port}`, "--name", "ci"]);
  assertEquals(result.code, 1);
  assertEquals(result.stdout, "");
  assertEquals(result.stderr, EN.connectRefused(`127.0.0.1:${port}`) + "\n");
});

Deno.test("chat join says when the host name is unknown", async () => {
  const result = await join(["no-such-host.invalid", "--name", "ci"]);
  assertEquals(result.code, 1);
  assertEquals(
    result.stderr,
    EN.connectUnknownHost(
      "no-such-host.invalid:50001",
      "no-such-host.invalid",
    ) +
      "\n",
  );
});

Deno.test("chat join needs --name when the input is not a terminal", async () => {
  const result = await join(["127.0.0.1:1"]);
  assertEquals(result.code, 1);
  assertEquals(result.stderr, EN.nameRequired + "\n");
});

Deno.test("chat join without a terminal fails on a taken name", async () => {
  await withServer(async (server) => {
    const result = await join([`127.0.0.1:${server.port}`, "--name", "BOB"]);
    assertEquals(result.code, 1);
    assertEquals(result.stderr, STRINGS.en.nameError("taken", "BOB") + "\n");
  });
});

// On Windows a signal kills the process outright: no graceful shutdown.
const SIGNALS = Deno.build.os !== "windows";

Deno.test({
  name: "chat join reports a server shutdown and exits 1",
  ignore: !SIGNALS,
}, async () => {
  await withServer(async (server, bob) => {
    const run = new Join([`127.0.0.1:${server.port}`, "--name", "ci"]);
    await bob.expect("ci to join", (m) => m.type === "join" && m.name === "ci");
    await server.stop();
    const result = await run.finish({ closeInput: false });
    assertEquals(result.code, 1);
    assertEquals(result.stderr, STRINGS.en.shuttingDown + "\n");
  });
});

Deno.test({
  name: "chat join leaves cleanly on SIGTERM and exits 0",
  ignore: !SIGNALS,
}, async () => {
  await withServer(async (server, bob) => {
    const run = new Join([`127.0.0.1:${server.port}`, "--name", "ci"]);
    await bob.expect("ci to join", (m) => m.type === "join" && m.name === "ci");
    run.kill("SIGTERM");
    await bob.expect(
      "ci to quit",
      (m) => m.type === "leave" && m.name === "ci" && m.reason === "quit",
    );
    const result = await run.finish();
    assertEquals(result.code, 0);
    assertEquals(result.stderr, "");
  });
});

Deno.test("chat join says the connection was lost when the server is killed", async () => {
  await withServer(async (server, bob) => {
    const run = new Join([`127.0.0.1:${server.port}`, "--name", "ci"]);
    await bob.expect("ci to join", (m) => m.type === "join" && m.name === "ci");
    // SIGKILL: no goodbye, the system closes the server's sockets.
    server.kill("SIGKILL");
    // Input stays open: the client must notice the loss by itself.
    const result = await run.finish({ closeInput: false });
    assertEquals(result.code, 1);
    assertEquals(
      result.stderr,
      EN.connectionLost(`127.0.0.1:${server.port}`) + "\n",
    );
  });
});

Deno.test("chat join gives up on a server that never answers hello", async () => {
  const fake = new FakeServer();
  try {
    const run = new Join([
      `127.0.0.1:${fake.port}`,
      "--name",
      "ci",
      "--timeout",
      "0.3",
    ]);
    await fake.accept();
    const started = Date.now();
    const result = await run.finish();
    console.log(`gave up ${Date.now() - started} ms after the connection`);
    assertEquals(result.code, 1);
    assertEquals(
      result.stderr,
      EN.noAnswer(`127.0.0.1:${fake.port}`, 0.3) + "\n",
    );
  } finally {
    await fake.close();
  }
});

Deno.test("chat join recognises a peer that is not a chat server", async () => {
  const fake = new FakeServer();
  try {
    const run = new Join([`127.0.0.1:${fake.port}`, "--name", "ci"]);
    await fake.accept();
    await fake.write("HTTP/1.1 400 Bad Request\r\n\r\n");
    const result = await run.finish();
    assertEquals(result.code, 1);
    assertEquals(
      result.stderr,
      EN.notChatServer(`127.0.0.1:${fake.port}`) + "\n",
    );
  } finally {
    await fake.close();
  }
});

Deno.test("chat join joins a server that asked for a name in the plain dialect before its hello arrived", async () => {
  const fake = new FakeServer();
  try {
    const run = new Join([`127.0.0.1:${fake.port}`, "--name", "ci"]);
    await fake.accept();
    // A server whose prompt went out before the hello arrived (a lost
    // packet); the hello still switches it to the native dialect.
    await fake.write(`[12:00] -- ${STRINGS.en.askName}\n`);
    assertEquals((await fake.next())?.type, "hello");
    await fake.send(welcome("ci"));
    await run.write("made it\n");
    const finished = run.finish();
    assertEquals(await fake.next(), { type: "input", text: "made it" });
    assertEquals(await fake.next(), { type: "quit" });
    await fake.send({ type: "bye", reason: "quit", text: "bye" });
    await fake.drop();
    const result = await finished;
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stderr, "");
  } finally {
    await fake.close();
  }
});

Deno.test("chat join answers ping, and sends piped lines before quitting", async () => {
  const fake = new FakeServer();
  try {
    const run = new Join([`127.0.0.1:${fake.port}`, "--name", "ci"]);
    // All input, and its end, arrive before the welcome.
    await run.write("one\ntwo\n");
    const finished = run.finish();
    await fake.accept();
    assertEquals((await fake.next())?.type, "hello");
    await fake.send(welcome("ci"));
    await fake.send({ type: "ping", id: 42 });
    // The welcome releases the lines, then the quit. The pong may come
    // anywhere among them: the client may read the ping before or after
    // its input and the input's end.
    const got: ClientMessage[] = [];
    for (let i = 0; i < 4; i++) {
      const message = await fake.next();
      if (message === null) break;
      got.push(message);
    }
    assertEquals(got.filter((m) => m.type !== "pong"), [
      { type: "input", text: "one" },
      { type: "input", text: "two" },
      { type: "quit" },
    ]);
    assertEquals(got.filter((m) => m.type === "pong"), [{
      type: "pong",
      id: 42,
    }]);
    await fake.send({ type: "bye", reason: "quit", text: "bye" });
    await fake.drop();
    const result = await finished;
    assertEquals(result.code, 0);
    assertEquals(result.stderr, "");
  } finally {
    await fake.close();
  }
});

Deno.test("chat join without a terminal and without --password says how to give it, and exits 1", async () => {
  const server = await Server.start(0, ["--password", "s3cret"]);
  try {
    const address = `127.0.0.1:${server.port}`;
    const result = await join([address, "--name", "ana"], "hi\n");
    assertEquals(result.code, 1);
    assertEquals(result.stderr, EN.passwordRequired(address) + "\n");
    const wrong = await join(
      [address, "--name", "ana", "--password", "nope"],
      "hi\n",
    );
    assertEquals(wrong.code, 1);
    assertEquals(wrong.stderr, EN.passwordWrong(address) + "\n");
    assertFalse(wrong.stderr.includes("nope"));
    const right = await join(
      [address, "--name", "ana", "--password", "s3cret"],
      "hi\n",
    );
    assertEquals(right.code, 0);
  } finally {
    await server.stop();
  }
});
