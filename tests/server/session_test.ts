// Checks src/server/session.ts with a fake line transport and a real hub:
// the hello and name attempts, the plain prompt and the name deadline,
// pings and the dead-peer drop, bad and too-long lines, quit, a full
// server, goodbye at shutdown, and the one exit path: whatever ends a
// connection, and in whatever order, the member leaves the hub once, with
// the first reason, and the transport is closed once.

import { assert, assertEquals, assertFalse, assertMatch } from "@std/assert";
import { Hub, type HubEvent } from "../../src/hub/hub.ts";
import { PROTOCOL_VERSION } from "../../src/protocol/messages.ts";
import type { Member } from "../../src/hub/member.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import {
  encodeMessage,
  NATIVE_CODEC,
} from "../../src/protocol/native_codec.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";
import { Session, type SessionOptions } from "../../src/server/session.ts";
import type {
  CloseCode,
  EndReason,
  LineTransport,
  TransportEnd,
  TransportSink,
  Wire,
} from "../../src/transport/line_transport.ts";

const T0 = 1_000_000;

const OPTIONS: SessionOptions = {
  lang: "en",
  maxLineBytes: 100,
  promptAfterMs: 1000,
  nameTimeoutMs: 60_000,
  pingAfterMs: 30_000,
  deadAfterMs: 90_000,
  maxUsers: 0,
  log: () => {},
  now: () => T0,
};

/** A line transport under the test's control, recording what it is asked. */
class FakeTransport implements LineTransport {
  readonly label = "test";
  readonly ip = "127.0.0.1";
  /** What was written, as text. */
  readonly written: string[] = [];
  /** Every close() call, with its code. */
  readonly closes: CloseCode[] = [];
  /** What write() answers. */
  accepts = true;
  /** What keepsUp() answers. */
  keepingUp = true;
  #sink: TransportSink | null = null;
  #end: (end: TransportEnd) => void = () => {};
  #drained: (() => void)[] = [];
  #holdDrain = false;

  write(wire: Wire, _lazy: boolean): boolean {
    if (!this.accepts) return false;
    this.written.push(wire.text);
    return true;
  }

  keepsUp(_now: number): boolean {
    return this.keepingUp;
  }

  drained(): Promise<void> {
    if (!this.#holdDrain) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  run(sink: TransportSink): Promise<TransportEnd> {
    this.#sink = sink;
    return new Promise((resolve) => this.#end = resolve);
  }

  close(code: CloseCode): void {
    this.closes.push(code);
    // Closed: what is queued will never be sent.
    this.release();
  }

  /** The peer sends a line (if the session still listens, as transports do). */
  line(text: string, now = T0): void {
    const sink = this.#sink!;
    sink.heard(now);
    if (sink.listening) sink.onLine(text);
  }

  /** The peer sends a native message. */
  send(message: unknown, now = T0): void {
    this.line(JSON.stringify(message), now);
  }

  /** The input ends. */
  end(reason: EndReason, detail?: string): void {
    this.#end(detail === undefined ? { reason } : { reason, detail });
  }

  /** Makes drained() wait until release(). */
  holdDrain(): void {
    this.#holdDrain = true;
  }

  release(): void {
    this.#holdDrain = false;
    for (const resolve of this.#drained.splice(0)) resolve();
  }

  get sink(): TransportSink {
    return this.#sink!;
  }

  /** What was written, as native messages. */
  messages(): ServerMessage[] {
    return this.written.flatMap((text) =>
      text.split("\n").filter((line) => line !== "").map((line) =>
        JSON.parse(line)
      )
    );
  }

  last(): ServerMessage | undefined {
    return this.messages().at(-1);
  }
}

function watcher(): Member & { got: ServerMessage[] } {
  const got: ServerMessage[] = [];
  return {
    name: "",
    room: null,
    lang: "en",
    label: "watcher",
    address: "127.0.0.1",
    got,
    deliver: (message) => got.push(message),
    close() {},
  };
}

interface Setup {
  hub: Hub;
  events: HubEvent[];
  leaves: () => HubEvent[];
  logs: string[];
}

function setup(): Setup {
  const events: HubEvent[] = [];
  const hub = new Hub({
    rateLimit: null,
    now: () => T0,
    onEvent: (event) => events.push(event),
  });
  return {
    hub,
    events,
    leaves: () => events.filter((event) => event.kind === "leave"),
    logs: [],
  };
}

function open(
  world: Setup,
  options: Partial<SessionOptions> = {},
): { session: Session; transport: FakeTransport; finished: Promise<void> } {
  const transport = new FakeTransport();
  const session = new Session(world.hub, transport, {
    ...OPTIONS,
    log: (line) => world.logs.push(line),
    ...options,
  });
  const finished = session.run();
  return { session, transport, finished };
}

function hello(name: string, extra: Record<string, unknown> = {}) {
  return { type: "hello", version: PROTOCOL_VERSION, name, ...extra };
}

/** A native member named `name`, joined. */
function joined(world: Setup, name: string) {
  const opened = open(world);
  opened.transport.send(hello(name));
  assertEquals(opened.transport.last()?.type, "welcome");
  return opened;
}

Deno.test("Session answers a refused hello with a name error, and welcomes the next", () => {
  const world = setup();
  const bob = watcher();
  world.hub.register(bob, "bob");
  const { session, transport } = open(world);
  transport.send(hello("bob"));
  const refused = transport.last();
  assertEquals(refused?.type === "name_error" && refused.code, "taken");
  transport.send(hello(""));
  const empty = transport.last();
  assertEquals(empty?.type === "name_error" && empty.code, "empty");
  transport.send(hello("ana"));
  assertEquals(transport.last()?.type, "welcome");
  assertEquals(session.name, "ana");
  assertEquals(session.codec, "native");
  assert(world.hub.has(session));
  transport.end("closed");
});

Deno.test("Session speaks the hello's language and refuses another protocol version", async () => {
  const world = setup();
  const { session, transport, finished } = open(world);
  // A version 1 client: the one before rooms.
  transport.send(hello("ana", { version: 1, lang: "pt" }));
  assertEquals(session.lang, "pt");
  assertEquals(transport.last(), {
    type: "bye",
    reason: "protocol",
    text: STRINGS.pt.bye("protocol", STRINGS.pt.unsupportedVersion(1)),
  });
  assertEquals(session.closing?.reason, "protocol");
  await Promise.resolve();
  assertEquals(transport.closes, ["policy"]);
  transport.end("closed");
  await finished;
});

Deno.test("Session gives up after 20 refused names", async () => {
  const world = setup();
  const { session, transport, finished } = open(world);
  for (let i = 0; i < 20; i++) transport.send(hello(""));
  assertEquals(session.closing, null);
  transport.send(hello(""));
  assertEquals(session.closing, {
    reason: "protocol",
    detail: "too many names refused",
  });
  assertEquals(transport.last()?.type, "bye");
  transport.end("closed");
  await finished;
});

Deno.test("Session asks a silent newcomer for a name in the plain dialect, once", () => {
  const world = setup();
  const { session, transport } = open(world);
  session.tick(T0 + OPTIONS.promptAfterMs - 1);
  assertEquals(transport.written, []);
  session.tick(T0 + OPTIONS.promptAfterMs);
  assertEquals(session.codec, "plain");
  assertEquals(transport.written.length, 1);
  assertMatch(
    transport.written[0]!,
    /^NOTICE \* :\*\*\* Welcome to chat! What is your name\?\n$/,
  );
  session.tick(T0 + OPTIONS.promptAfterMs * 2);
  assertEquals(transport.written.length, 1);
  transport.line("ana");
  assert(world.hub.has(session));
  assertMatch(transport.written[1]!, /Welcome, ana!/);
  transport.end("closed");
});

Deno.test("Session still takes a native hello that comes after the plain prompt", () => {
  const world = setup();
  const { session, transport } = open(world);
  session.tick(T0 + OPTIONS.promptAfterMs);
  assertEquals(session.codec, "plain");
  // The first line decides, prompt or not: a native client whose hello
  // was slow to arrive (a lost packet) is still a native client.
  transport.send(hello("ana"), T0 + OPTIONS.promptAfterMs + 300);
  assertEquals(session.codec, "native");
  assert(world.hub.has(session));
  assertEquals(JSON.parse(transport.written.at(-1)!).type, "welcome");
  transport.end("closed");
});

Deno.test("Session keeps the plain dialect chosen by the prompt for a name, and for every line after it", () => {
  const world = setup();
  const { session, transport } = open(world);
  session.tick(T0 + OPTIONS.promptAfterMs);
  transport.line("ana");
  assertEquals(session.codec, "plain");
  assert(world.hub.has(session));
  // Once the first line has decided, a JSON line is a message.
  transport.send(hello("bob"));
  assertEquals(session.codec, "plain");
  transport.end("closed");
});

Deno.test("Session does not prompt a newcomer whose bytes are arriving", () => {
  const world = setup();
  const { session, transport } = open(world);
  transport.sink.heard(T0 + 10);
  session.tick(T0 + OPTIONS.promptAfterMs);
  assertEquals(session.codec, null);
  assertEquals(transport.written, []);
  transport.end("closed");
});

Deno.test("Session drops a connection that chose no name in time, in plain words", async () => {
  const world = setup();
  const { session, transport, finished } = open(world);
  transport.line("");
  session.tick(T0 + OPTIONS.nameTimeoutMs - 1);
  assertEquals(session.closing, null);
  session.tick(T0 + OPTIONS.nameTimeoutMs);
  assertEquals(session.closing?.reason, "timeout");
  assertEquals(
    transport.written.at(-1)!.endsWith(`-- ${STRINGS.en.bye("timeout")}\n`),
    true,
  );
  await Promise.resolve();
  assertEquals(transport.closes, ["policy"]);
  transport.end("closed");
  await finished;
});

Deno.test("Session pings a quiet native member once, and drops it when it stays silent", async () => {
  const world = setup();
  const bob = watcher();
  world.hub.register(bob, "bob");
  const { session, transport, finished } = joined(world, "ana");
  session.tick(T0 + OPTIONS.pingAfterMs - 1);
  assertEquals(transport.last()?.type, "welcome");
  session.tick(T0 + OPTIONS.pingAfterMs);
  assertEquals(transport.last(), {
    type: "ping",
    id: T0 + OPTIONS.pingAfterMs,
  });
  session.tick(T0 + OPTIONS.pingAfterMs + 500);
  assertEquals(
    transport.messages().filter((m) => m.type === "ping").length,
    1,
    "one ping per silence",
  );
  // An answer (any bytes) is life: the clock starts again.
  const answered = T0 + OPTIONS.pingAfterMs + 1000;
  transport.send({ type: "pong", id: 1 }, answered);
  session.tick(answered + OPTIONS.deadAfterMs - 1);
  assertEquals(session.closing, null);
  session.tick(answered + OPTIONS.deadAfterMs);
  assertEquals(session.closing?.reason, "timeout");
  assertEquals(world.logs, ["test: no answer for 90 s; disconnecting"]);
  assertEquals(transport.last()?.type, "bye");
  const leave = bob.got.at(-1);
  assertEquals(leave?.type === "leave" && leave.reason, "timeout");
  transport.end("closed");
  await finished;
});

Deno.test("Session never pings a plain member", () => {
  const world = setup();
  const { session, transport } = open(world);
  transport.line("ana");
  session.tick(T0 + OPTIONS.deadAfterMs * 2);
  assertEquals(session.closing, null);
  assertEquals(transport.written.length, 1, "only the welcome");
  transport.end("closed");
});

Deno.test("Session answers a native ping with a pong, without the hub", () => {
  const world = setup();
  // As over WebSocket: the gateway chose the codec, no hello needed.
  const { transport } = open(world, { codec: NATIVE_CODEC });
  transport.send({ type: "ping", id: 7 });
  assertEquals(transport.written, [encodeMessage({ type: "pong", id: 7 })]);
  transport.end("closed");
});

Deno.test("Session drops a peer at its tenth bad line in a row", async () => {
  const world = setup();
  const { session, transport, finished } = joined(world, "ana");
  for (let i = 0; i < 9; i++) transport.line("{not json");
  transport.send({ type: "input", text: "a good line ends the run" });
  for (let i = 0; i < 9; i++) transport.line("{not json");
  assertEquals(session.closing, null);
  const errors = transport.messages().filter((m) => m.type === "error");
  assertEquals(errors.length, 18);
  assertEquals(errors[0], {
    type: "error",
    code: "bad_message",
    text: STRINGS.en.badMessage("Cannot decode client message: not JSON"),
  });
  transport.line("{not json");
  assertEquals(session.closing, {
    reason: "protocol",
    detail: "Cannot decode client message: not JSON",
  });
  assertEquals(world.leaves().length, 1);
  transport.end("closed");
  await finished;
});

Deno.test("Session counts a second hello as a bad line that does not end the run", async () => {
  const world = setup();
  const { session, transport, finished } = joined(world, "ana");
  for (let i = 0; i < 9; i++) transport.line("[]");
  transport.send(hello("ana"));
  assertEquals(session.closing, {
    reason: "protocol",
    detail: "already joined",
  });
  transport.end("closed");
  await finished;
});

Deno.test("Session refuses a too-long line in plain words when the dialect is not known yet", () => {
  const world = setup();
  const { session, transport } = open(world);
  session.onTooLong(5000);
  assertEquals(session.codec, "plain");
  assertEquals(transport.written.length, 1);
  assert(
    transport.written[0]!.endsWith(`!! ${STRINGS.en.lineTooLong(100)}\n`),
    transport.written[0],
  );
  assertEquals(world.logs, ["test: refused a line of 5000 bytes"]);
  assertEquals(session.closing, null);
  transport.end("closed");
});

Deno.test("Session says bye to a native quit before joining, and lets the hub handle one after", async () => {
  const world = setup();
  const early = open(world, { codec: NATIVE_CODEC });
  early.transport.send({ type: "quit" });
  assertEquals(early.session.closing?.reason, "quit");
  assertEquals(early.transport.last()?.type, "bye");
  early.transport.end("closed");
  await early.finished;

  const bob = watcher();
  world.hub.register(bob, "bob");
  const { session, transport, finished } = joined(world, "ana");
  transport.send({ type: "quit", reason: "see you" });
  assertEquals(session.closing, { reason: "quit", detail: "see you" });
  const bye = transport.last();
  assertEquals(bye?.type === "bye" && bye.reason, "quit");
  const leave = bob.got.at(-1);
  assertEquals(leave?.type === "leave" && leave.detail, "see you");
  transport.end("eof");
  await finished;
  assertEquals(transport.closes, ["normal"]);
  assertEquals(world.leaves().length, 1);
});

Deno.test("Session refuses a newcomer when the server is full", async () => {
  const world = setup();
  world.hub.register(watcher(), "bob");
  const { session, transport, finished } = open(world, { maxUsers: 1 });
  transport.send(hello("ana"));
  assertEquals(session.closing?.reason, "full");
  assertEquals(transport.last(), {
    type: "bye",
    reason: "full",
    text: STRINGS.en.bye("full"),
  });
  assertEquals(world.hub.has(session), false);
  transport.end("closed");
  await finished;
});

Deno.test("Session says goodbye at shutdown to a peer still choosing a name", async () => {
  const world = setup();
  const member = joined(world, "ana");
  const newcomer = open(world);
  world.hub.shutdown();
  member.session.goodbye("shutdown");
  newcomer.session.goodbye("shutdown");
  // The member heard it from the hub, once.
  assertEquals(
    member.transport.messages().filter((m) => m.type === "bye").length,
    1,
  );
  assert(
    newcomer.transport.written[0]!.endsWith(
      `-- ${STRINGS.en.bye("shutdown")}\n`,
    ),
  );
  await Promise.resolve();
  assertEquals(member.transport.closes, ["going_away"]);
  assertEquals(newcomer.transport.closes, ["going_away"]);
  member.transport.end("closed");
  newcomer.transport.end("closed");
  await Promise.all([member.finished, newcomer.finished]);
});

Deno.test("Session.close() is idempotent: the first reason stays, the transport closes once", async () => {
  const world = setup();
  const { session, transport, finished } = joined(world, "ana");
  session.close("slow");
  session.close("quit", "again");
  session.goodbye("shutdown");
  assertEquals(session.closing, { reason: "slow" });
  assertEquals(transport.closes, ["policy"]);
  // A slow member leaves when its input ends, not during a broadcast.
  assert(world.hub.has(session));
  transport.end("closed");
  await finished;
  assertEquals(world.leaves().map((e) => e.kind === "leave" && e.reason), [
    "slow",
  ]);
  assertEquals(transport.closes, ["policy"]);
});

Deno.test("Session drops a member whose queue is full during a broadcast, after the loop", async () => {
  const world = setup();
  const bob = watcher();
  const carla = watcher();
  world.hub.register(bob, "bob");
  const { session, transport, finished } = joined(world, "ana");
  world.hub.register(carla, "carla");
  transport.accepts = false;
  world.hub.input(bob, "hello everyone");
  assertEquals(session.closing, { reason: "slow" });
  const said = carla.got.at(-1);
  assertEquals(said?.type === "message" && said.text, "hello everyone");
  transport.end("closed");
  await finished;
  const leave = bob.got.at(-1);
  assertEquals(leave?.type === "leave" && leave.reason, "slow");
});

Deno.test("Session drops a peer whose transport stops keeping up", async () => {
  const world = setup();
  const { session, transport, finished } = joined(world, "ana");
  transport.keepingUp = false;
  session.tick(T0 + 1);
  assertEquals(session.closing, { reason: "slow" });
  transport.end("closed");
  await finished;
});

Deno.test("Session leaves once, with the first reason, when the input ends while it flushes", async () => {
  const world = setup();
  const bob = watcher();
  world.hub.register(bob, "bob");
  const { session, transport, finished } = joined(world, "ana");
  transport.holdDrain();
  session.close("flood");
  assertEquals(transport.closes, [], "flushing first");
  transport.end("eof");
  let done = false;
  finished.then(() => done = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(world.leaves().map((e) => e.kind === "leave" && e.reason), [
    "flood",
  ]);
  assertEquals(done, false, "run() waits for the transport to close");
  transport.release();
  await finished;
  assertEquals(transport.closes, ["policy"]);
  assertEquals(world.leaves().length, 1);
});

Deno.test("Session closes at the flush deadline when the queue never drains", async () => {
  const world = setup();
  const { session, transport, finished } = joined(world, "ana");
  transport.holdDrain();
  session.close("timeout");
  transport.end("closed");
  await finished;
  assertEquals(transport.closes, ["policy"]);
});

Deno.test("Session maps how the input ended to the reason the hub hears", async () => {
  const cases: [EndReason, string | undefined, string, string | undefined][] = [
    ["eof", undefined, "closed", undefined],
    ["closed", undefined, "closed", undefined],
    ["reset", "Connection reset by peer", "closed", undefined],
    ["timeout", "Connection timed out", "timeout", undefined],
    ["read_failed", "boom", "error", undefined],
    ["write_failed", "Broken pipe", "error", "Broken pipe"],
    ["too_long", undefined, "protocol", "line too long"],
  ];
  for (const [end, detail, reason, said] of cases) {
    const world = setup();
    const { transport, finished } = joined(world, "ana");
    transport.end(end, detail);
    await finished;
    const leaves = world.leaves();
    assertEquals(leaves.length, 1, end);
    const leave = leaves[0]!;
    assertEquals(
      leave.kind === "leave" && [leave.reason, leave.detail],
      [reason, said],
      end,
    );
    assertEquals(transport.closes.length, 1, end);
    assertEquals(transport.written.length, 1, `${end}: no bye, only welcome`);
  }
});

Deno.test("Session ignores lines once closing, and a close after the end", async () => {
  const world = setup();
  const bob = watcher();
  world.hub.register(bob, "bob");
  const { session, transport, finished } = joined(world, "ana");
  transport.end("eof");
  await finished;
  session.close("quit");
  session.onLine('{"type":"input","text":"too late"}');
  session.tick(T0 + OPTIONS.deadAfterMs * 2);
  assertEquals(session.closing?.reason, "closed");
  assertEquals(session.listening, false);
  assertEquals(bob.got.filter((m) => m.type === "message"), []);
  assertEquals(transport.closes, ["normal"]);
  assertEquals(world.leaves().length, 1);
});

Deno.test("Session.run() returns the same promise when called again", () => {
  const world = setup();
  const { session, transport, finished } = open(world);
  assertEquals(session.run() === finished, true);
  transport.end("closed");
});

// --- Rooms and the server's password ---------------------------------------

Deno.test("Session follows the member's current room and turns native room requests into commands", () => {
  const world = setup();
  const { session, transport } = joined(world, "ana");
  assertEquals(session.room, "#general");
  assertEquals(session.address, "127.0.0.1");
  transport.send({ type: "join", room: "#games" });
  assertEquals(transport.last()?.type, "joined");
  assertEquals(session.room, "#games");
  transport.send({ type: "input", text: "to general", room: "#general" });
  transport.send({ type: "switch", room: "#general" });
  assertEquals(transport.last(), { type: "current", room: "#general" });
  assertEquals(session.room, "#general");
  transport.send({ type: "rooms" });
  assertEquals(transport.last()?.type, "rooms");
  transport.end("closed");
});

Deno.test("Session marks a plain member's lines of its other rooms with [#room]", () => {
  const world = setup();
  const { transport } = open(world);
  transport.line("ana");
  transport.line("/join #games");
  transport.line("/switch #general");
  const bob = watcher();
  world.hub.register(bob, "bob");
  world.hub.input(bob, "/join #games");
  world.hub.input(bob, "gg");
  world.hub.input(bob, "/switch #general");
  world.hub.input(bob, "hi");
  const lines = transport.written.join("").split("\n");
  assert(
    lines.some((line) => / \[#games\] bob: gg$/.test(line)),
    lines.join("\n"),
  );
  assert(lines.some((line) => /\] bob: hi$/.test(line)), lines.join("\n"));
  transport.end("closed");
});

Deno.test("Session with a password asks a plain user for it first, then the name", () => {
  const world = setup();
  const { session, transport } = open(world, { password: "s3cret" });
  session.tick(T0 + OPTIONS.promptAfterMs);
  assertMatch(transport.written[0]!, /needs a password:\n$/);
  transport.line("s3cret");
  assertMatch(
    transport.written[1]!,
    /Password accepted\. What is your name\?\n$/,
  );
  transport.line("ana");
  assertMatch(transport.written[2]!, /Welcome, ana!/);
  assert(world.hub.has(session));
  assertFalse(world.logs.some((line) => line.includes("s3cret")));
  transport.end("closed");
});

Deno.test("Session with a password says goodbye to a wrong one, in any dialect, and never logs it", async () => {
  for (
    const attempt of [
      (t: FakeTransport) => t.line("guess"),
      (t: FakeTransport) => t.send(hello("ana", { password: "guess" })),
      (t: FakeTransport) => t.send(hello("ana")),
    ]
  ) {
    const world = setup();
    const { session, transport, finished } = open(world, {
      password: "s3cret",
    });
    attempt(transport);
    assertEquals(session.closing?.reason, "password");
    assertMatch(transport.written.join(""), /wrong or missing password/);
    assertFalse(world.hub.has(session));
    assertEquals(world.hub.size, 0);
    assertFalse(world.logs.some((line) => /guess|s3cret/.test(line)));
    transport.end("closed");
    await finished;
    assertEquals(transport.closes, ["policy"]);
  }
});

Deno.test("Session with a password lets in a native hello that gives it", () => {
  const world = setup();
  const { session, transport } = open(world, { password: "s3cret" });
  transport.send(hello("ana", { password: "s3cret" }));
  assertEquals(transport.last()?.type, "welcome");
  assert(world.hub.has(session));
  transport.end("closed");
});
