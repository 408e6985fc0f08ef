import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  type ClientEffect,
  ClientState,
  type ClientStateOptions,
  LEAVE_TIMEOUT_MS,
} from "../../src/client/client_state.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import { CLIENT_STRINGS } from "../../src/i18n/client_strings.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";

const ADDRESS = "10.0.0.2:50001";

function state(options: Partial<ClientStateOptions> = {}): ClientState {
  return new ClientState({
    name: "ana",
    address: ADDRESS,
    now: () => 0,
    formatTime: () => "12:00",
    timeoutMs: 5000,
    ...options,
  });
}

function line(message: ServerMessage): string {
  return JSON.stringify(message);
}

const WELCOME: ServerMessage = {
  type: "welcome",
  name: "ana",
  room: "#general",
  members: ["bob", "ana"],
  ops: [],
  history: [],
  server: "chat",
  version: 2,
};

function joined(options: Partial<ClientStateOptions> = {}): ClientState {
  const client = state(options);
  client.start();
  client.onServerLine(line(WELCOME));
  assertEquals(client.phase, "chat");
  return client;
}

function sent(effects: ClientEffect[]): unknown[] {
  return effects.flatMap((e) => e.kind === "send" ? [e.message] : []);
}

function printed(effects: ClientEffect[]): string[] {
  return effects.flatMap((e) => e.kind === "print" ? [e.text] : []);
}

function exit(effects: ClientEffect[]): ClientEffect | undefined {
  return effects.find((e) => e.kind === "exit");
}

Deno.test("ClientState sends hello with the name and language, then waits", () => {
  const client = state({ lang: "pt" });
  assertEquals(client.start(), [
    {
      kind: "send",
      message: { type: "hello", version: 2, name: "ana", lang: "pt" },
    },
    { kind: "deadline", ms: 5000 },
  ]);
  assertEquals(client.phase, "hello");
});

Deno.test("ClientState shows the welcome, learns the members, sets the prompt", () => {
  const client = state({ verbose: true });
  client.start();
  const effects = client.onServerLine(line(WELCOME));
  assertEquals(effects, [
    { kind: "deadline", ms: null },
    {
      kind: "print",
      text:
        "[12:00] -- Welcome, ana! Online (2): bob, ana. You are in #general; type /help for commands.",
      alert: false,
    },
    { kind: "prompt", text: "#general ana> " },
  ]);
  assertEquals(client.members, ["bob", "ana"]);
  assertEquals(client.me, "ana");
});

Deno.test("ClientState gives up when the server does not answer hello in time", () => {
  const client = state();
  client.start();
  assertEquals(exit(client.onDeadline()), {
    kind: "exit",
    code: 1,
    error: CLIENT_STRINGS.en.noAnswer(ADDRESS, 5),
  });
  assertEquals(client.phase, "done");
});

Deno.test("ClientState refuses a peer that does not speak the protocol", () => {
  const client = state();
  client.start();
  assertEquals(exit(client.onServerLine("SSH-2.0-OpenSSH_9.6")), {
    kind: "exit",
    code: 1,
    error: CLIENT_STRINGS.en.notChatServer(ADDRESS),
  });
});

Deno.test("ClientState skips the plain name prompt of a server that heard its hello late", () => {
  const client = state();
  client.start();
  // The server asked in the plain dialect before the hello arrived; the
  // hello still switches it to the native one, and the welcome follows.
  for (const lang of ["en", "pt"] as const) {
    assertEquals(
      client.onServerLine(`[12:00] -- ${STRINGS[lang].askName}`),
      [],
    );
  }
  assertEquals(client.phase, "hello");
  client.onServerLine(line(WELCOME));
  assertEquals(client.phase, "chat");
});

Deno.test("ClientState still refuses a plain-dialect error as the first answer", () => {
  const client = state();
  client.start();
  assertEquals(
    exit(client.onServerLine("[12:00] !! That name is not allowed")),
    { kind: "exit", code: 1, error: CLIENT_STRINGS.en.notChatServer(ADDRESS) },
  );
});

Deno.test("ClientState skips lines of unknown types", () => {
  const client = joined();
  assertEquals(client.onServerLine('{"type":"future_thing","x":1}'), []);
  assertEquals(client.onServerLine("not json"), []);
  assertEquals(client.phase, "chat");
});

Deno.test("ClientState without a terminal ends on a refused name", () => {
  const client = state();
  client.start();
  const text = STRINGS.en.nameError("taken", "ana");
  const effects = client.onServerLine(
    line({ type: "name_error", name: "ana", code: "taken", text }),
  );
  assertEquals(exit(effects), { kind: "exit", code: 1, error: text });
});

Deno.test("ClientState at a terminal asks for another name and sends a new hello", () => {
  const client = state({ interactive: true });
  client.start();
  const text = STRINGS.en.nameError("taken", "ana");
  const effects = client.onServerLine(
    line({ type: "name_error", name: "ana", code: "taken", text }),
  );
  assertEquals(printed(effects), [`[12:00] ! ${text}`]);
  assert(
    effects.some((e) => e.kind === "prompt" && e.text === client.namePrompt),
  );
  assertEquals(client.phase, "naming");

  // Checked locally first: nothing is sent for an invalid name.
  const invalid = client.onInput("a b");
  assertEquals(sent(invalid), []);
  assertEquals(printed(invalid), [
    `[12:00] ! ${STRINGS.en.nameError("invalid_chars", "a b")}`,
  ]);

  assertEquals(sent(client.onInput(" Ana2 ")), [
    { type: "hello", version: 2, name: "Ana2", lang: "en" },
  ]);
  assertEquals(client.phase, "hello");
  client.onServerLine(line({ ...WELCOME, name: "Ana2" }));
  assertEquals(client.me, "Ana2");
  assertEquals(client.chatPrompt, "#general Ana2> ");
});

Deno.test("ClientState sends a typed line and shows it locally at a terminal", () => {
  const client = joined({ interactive: true });
  const effects = client.onInput("hello all ");
  assertEquals(sent(effects), [{ type: "input", text: "hello all " }]);
  assertEquals(printed(effects), ["[12:00] ana: hello all"]);
});

Deno.test("ClientState without a terminal sends lines without showing them", () => {
  const client = joined();
  const effects = client.onInput("build finished");
  assertEquals(sent(effects), [{ type: "input", text: "build finished" }]);
  assertEquals(printed(effects), []);
});

Deno.test("ClientState shows //text as /text and /me as an action", () => {
  const client = joined({ interactive: true });
  const slash = client.onInput("//etc/hosts is the file");
  assertEquals(sent(slash), [{
    type: "input",
    text: "//etc/hosts is the file",
  }]);
  assertEquals(printed(slash), ["[12:00] ana: /etc/hosts is the file"]);
  const action = client.onInput("/me waves");
  assertEquals(sent(action), [{ type: "input", text: "/me waves" }]);
  assertEquals(printed(action), ["[12:00] * ana waves"]);
});

Deno.test("ClientState sends commands for the server and shows nothing itself", () => {
  const client = joined({ interactive: true });
  for (const command of ["/who", "/help", "/msg bob hi", "/nick anna", "/x"]) {
    const effects = client.onInput(command);
    assertEquals(sent(effects), [{ type: "input", text: command }], command);
    assertEquals(printed(effects), [], command);
  }
});

Deno.test("ClientState ignores empty lines", () => {
  const client = joined({ interactive: true });
  assertEquals(client.onInput(""), []);
  assertEquals(client.onInput("   "), []);
});

Deno.test("ClientState sends lines typed before the welcome once joined", () => {
  const client = state();
  client.start();
  assertEquals(client.onInput("early"), []);
  const effects = client.onServerLine(line(WELCOME));
  assertEquals(sent(effects), [{ type: "input", text: "early" }]);
});

Deno.test("ClientState sends all piped lines before leaving when input ends early", () => {
  const client = state();
  client.start();
  client.onInput("one");
  client.onInput("two");
  assertEquals(client.onEnd(), []);
  const effects = client.onServerLine(line(WELCOME));
  assertEquals(sent(effects), [
    { type: "input", text: "one" },
    { type: "input", text: "two" },
    { type: "quit" },
  ]);
  assertEquals(client.phase, "leaving");
});

Deno.test("ClientState leaves on /quit and exits 0 on the server's bye", () => {
  const client = joined({ interactive: true });
  const effects = client.onInput("/SAIR");
  assertEquals(effects, [
    { kind: "send", message: { type: "input", text: "/SAIR" } },
    { kind: "deadline", ms: LEAVE_TIMEOUT_MS },
  ]);
  assertEquals(client.phase, "leaving");
  const bye = client.onServerLine(
    line({ type: "bye", reason: "quit", text: STRINGS.en.bye("quit") }),
  );
  assertEquals(exit(bye), { kind: "exit", code: 0 });
  assertEquals(printed(bye), []);
});

Deno.test("ClientState leaves on end of input and on Ctrl-C", () => {
  for (const leave of ["onEnd", "onInterrupt"] as const) {
    const client = joined();
    assertEquals(client[leave](), [
      { kind: "send", message: { type: "quit" } },
      { kind: "deadline", ms: LEAVE_TIMEOUT_MS },
    ]);
    // The server closes without a bye: still a clean leave.
    assertEquals(exit(client.onClosed()), { kind: "exit", code: 0 });
  }
});

Deno.test("ClientState exits 0 when the server is slow to confirm a leave", () => {
  const client = joined();
  client.onEnd();
  assertEquals(exit(client.onDeadline()), { kind: "exit", code: 0 });
});

Deno.test("ClientState exits at once on a second Ctrl-C", () => {
  const client = joined();
  client.onInterrupt();
  assertEquals(exit(client.onInterrupt()), { kind: "exit", code: 0 });
});

Deno.test("ClientState reports a lost connection with exit code 1", () => {
  const client = joined();
  assertEquals(exit(client.onClosed()), {
    kind: "exit",
    code: 1,
    error: CLIENT_STRINGS.en.connectionLost(ADDRESS),
  });
  assertEquals(client.onClosed(), [], "only once");
});

Deno.test("ClientState ends with 1 when dropped, even while leaving", () => {
  const client = joined();
  client.onEnd();
  const text = STRINGS.en.bye("flood");
  assertEquals(
    exit(client.onServerLine(line({ type: "bye", reason: "flood", text }))),
    { kind: "exit", code: 1, error: text },
  );
});

Deno.test("ClientState leaving during a shutdown is still a clean leave", () => {
  const client = joined();
  client.onInterrupt();
  const text = STRINGS.en.shuttingDown;
  assertEquals(
    exit(client.onServerLine(line({ type: "bye", reason: "shutdown", text }))),
    { kind: "exit", code: 0 },
  );
});

Deno.test("ClientState ends with 1 when the server shuts down", () => {
  const client = joined();
  const text = STRINGS.en.shuttingDown;
  assertEquals(
    exit(client.onServerLine(line({ type: "bye", reason: "shutdown", text }))),
    { kind: "exit", code: 1, error: text },
  );
});

Deno.test("ClientState answers ping with pong", () => {
  const client = joined();
  assertEquals(client.onServerLine(line({ type: "ping", id: 7 })), [
    { kind: "send", message: { type: "pong", id: 7 } },
  ]);
});

Deno.test("ClientState keeps track of who is online", () => {
  const client = joined();
  client.onServerLine(
    line({ type: "join", room: "#general", name: "cid", time: 0 }),
  );
  assertEquals(client.members, ["bob", "ana", "cid"]);
  client.onServerLine(
    line({ type: "rename", from: "bob", to: "rob", time: 0 }),
  );
  assertEquals(client.members, ["rob", "ana", "cid"]);
  client.onServerLine(
    line({ type: "leave", name: "cid", reason: "quit", time: 0 }),
  );
  assertEquals(client.members, ["rob", "ana"]);
  client.onServerLine(
    line({ type: "members", room: "#general", names: ["ana", "dee"], ops: [] }),
  );
  assertEquals(client.members, ["ana", "dee"]);
});

Deno.test("ClientState follows your own rename and updates the prompt", () => {
  const client = joined({ interactive: true });
  const effects = client.onServerLine(
    line({ type: "rename", from: "ana", to: "anna", time: 0 }),
  );
  assertEquals(client.me, "anna");
  assert(
    effects.some((e) => e.kind === "prompt" && e.text === "#general anna> "),
  );
  assertEquals(printed(effects), ["[12:00] -- ana is now known as anna"]);
});

Deno.test("ClientState alerts on a mention and on a private message", () => {
  const client = joined();
  const mention = client.onServerLine(
    line({
      type: "message",
      room: "#general",
      from: "bob",
      text: "ana?",
      time: 0,
    }),
  );
  assertEquals(mention, [{
    kind: "print",
    text: "[12:00] bob: ana?",
    alert: true,
  }]);
  const plain = client.onServerLine(
    line({
      type: "message",
      room: "#general",
      from: "bob",
      text: "hi",
      time: 0,
    }),
  );
  assertEquals(plain, [{
    kind: "print",
    text: "[12:00] bob: hi",
    alert: false,
  }]);
});

Deno.test("ClientState prints nothing more once done", () => {
  const client = joined();
  client.onClosed();
  assertEquals(
    client.onServerLine(
      line({
        type: "message",
        room: "#general",
        from: "bob",
        text: "late",
        time: 0,
      }),
    ),
    [],
  );
  assertEquals(client.onInput("late"), []);
  assertEquals(client.onEnd(), []);
});

// The welcome's fields, to make variants of it.
const WELCOME_FIELDS = WELCOME as Extract<ServerMessage, { type: "welcome" }>;

Deno.test("ClientState without a terminal keeps the welcome and history quiet", () => {
  const client = state();
  client.start();
  const effects = client.onServerLine(line({
    ...WELCOME_FIELDS,
    history: [{ from: "bob", text: "earlier", time: 0 }],
  }));
  assertEquals(printed(effects), []);
  assertEquals(client.phase, "chat");
  // What others say next is still printed.
  assertEquals(
    printed(client.onServerLine(
      line({
        type: "message",
        room: "#general",
        from: "bob",
        text: "now",
        time: 0,
      }),
    )),
    ["[12:00] bob: now"],
  );
});

/** A clock the test moves. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const LIMITED: ServerMessage = {
  ...WELCOME_FIELDS,
  limits: { rate: 5, burst: 20 },
};

function joinedLimited(options: Partial<ClientStateOptions> = {}) {
  const time = clock();
  const client = state({ interactive: true, now: time.now, ...options });
  client.start();
  client.onServerLine(line(LIMITED));
  return { client, time };
}

function wakes(effects: ClientEffect[]): number[] {
  return effects.flatMap((e) => e.kind === "wake" ? [e.ms] : []);
}

function prompts(effects: ClientEffect[]): string[] {
  return effects.flatMap((e) => e.kind === "prompt" ? [e.text] : []);
}

Deno.test("ClientState paces a paste to the flood limit, showing each line as it is sent", () => {
  const { client, time } = joinedLimited();
  const effects: ClientEffect[] = [];
  for (let i = 1; i <= 25; i++) effects.push(...client.onInput(`line ${i}`));
  // Half the burst at once, with a margin; the rest wait.
  const first = sent(effects);
  assertEquals(first.length, 10);
  assertEquals(
    printed(effects),
    first.map((_, i) => `[12:00] ana: line ${i + 1}`),
  );
  assertEquals(prompts(effects).at(-1), "#general ana (15 waiting)> ");
  assertEquals(wakes(effects).at(-1), 250, "4 lines a second");
  assertEquals(client.chatPrompt, "#general ana (15 waiting)> ");

  // Each wake sends what the limit allows, and shows exactly that.
  let total = first.length;
  while (total < 25) {
    time.advance(250);
    const more = client.onWake();
    assertEquals(printed(more).length, sent(more).length);
    total += sent(more).length;
  }
  assertEquals(client.chatPrompt, "#general ana> ");
});

Deno.test("ClientState paces piped lines too, and quits after the last", () => {
  const time = clock();
  const client = state({ now: time.now });
  client.start();
  client.onServerLine(line(LIMITED));
  for (let i = 1; i <= 12; i++) client.onInput(`line ${i}`);
  const end = client.onEnd();
  assertEquals(sent(end), [], "the quit waits for the lines");
  time.advance(250);
  assertEquals(sent(client.onWake()), [{ type: "input", text: "line 11" }]);
  time.advance(250);
  const last = client.onWake();
  assertEquals(sent(last), [{ type: "input", text: "line 12" }, {
    type: "quit",
  }]);
  assert(last.some((e) => e.kind === "deadline" && e.ms === LEAVE_TIMEOUT_MS));
});

Deno.test("ClientState at a terminal: Ctrl-C drops lines waiting for the flood limit", () => {
  const { client } = joinedLimited();
  for (let i = 1; i <= 14; i++) client.onInput(`line ${i}`);
  const effects = client.onInterrupt();
  assertEquals(sent(effects), []);
  assertEquals(printed(effects), ["[12:00] -- 4 waiting lines were not sent"]);
  assertEquals(prompts(effects), ["#general ana> "]);
  assertEquals(client.phase, "chat");
  assertEquals(client.onWake(), []);
  // Then Ctrl-C leaves as usual.
  assertEquals(sent(client.onInterrupt()), [{ type: "quit" }]);
});

/** A client at a terminal, joined, that has seen two lines. */
function joinedWithHistory() {
  const time = clock();
  const client = state({
    interactive: true,
    now: time.now,
    random: () => 0.5,
  });
  client.start();
  client.onServerLine(line({
    ...WELCOME_FIELDS,
    history: [{ from: "bob", text: "old news", time: 100 }],
  }));
  client.onServerLine(
    line({
      type: "message",
      room: "#general",
      from: "bob",
      text: "seen live",
      time: 200,
    }),
  );
  client.onInput("mine");
  return { client, time };
}

Deno.test("ClientState at a terminal reconnects with backoff when the connection is lost", () => {
  const { client } = joinedWithHistory();
  const lost = client.onClosed();
  assertEquals(exit(lost), undefined);
  assert(lost.some((e) => e.kind === "disconnect"));
  assertEquals(printed(lost), [
    `[12:00] -- ${CLIENT_STRINGS.en.reconnecting(ADDRESS, 1)}`,
  ]);
  assertEquals(lost.find((e) => e.kind === "deadline"), {
    kind: "deadline",
    ms: 1000,
  });
  assertEquals(prompts(lost), ["#general ana (offline)> "]);
  assertEquals(client.phase, "away");

  // Typed while away: kept for later.
  assertEquals(sent(client.onInput("while away")), []);

  // 1, 2, 4... seconds between attempts, at most 30.
  const delays = [];
  for (let i = 0; i < 7; i++) {
    assertEquals(client.onDeadline(), [{ kind: "connect" }]);
    const failed = client.onConnectFailed();
    delays.push(
      (failed.find((e) => e.kind === "deadline") as { ms: number }).ms,
    );
  }
  assertEquals(delays, [2000, 4000, 8000, 16000, 30000, 30000, 30000]);

  // Connected again: the same name.
  client.onDeadline();
  assertEquals(sent(client.onConnected()), [
    { type: "hello", version: 2, name: "ana", lang: "en" },
  ]);
});

Deno.test("ClientState back after a lost connection shows only what it missed, then sends what was typed", () => {
  const { client } = joinedWithHistory();
  client.onClosed();
  client.onInput("while away");
  client.onDeadline();
  client.onConnected();
  const back = client.onServerLine(line({
    ...WELCOME_FIELDS,
    members: ["ana", "bob", "cid"],
    history: [
      { from: "bob", text: "old news", time: 100 },
      { from: "bob", text: "seen live", time: 200 },
      { from: "ana", text: "mine", time: 250 },
      { from: "cid", text: "said while away", time: 300 },
      { from: "bob", text: "and this", time: 400, action: true },
    ],
  }));
  assertEquals(client.phase, "chat");
  assertEquals(printed(back), [
    `[12:00] -- ${CLIENT_STRINGS.en.reconnected(ADDRESS, 2)}`,
    "[12:00] cid: said while away",
    "[12:00] * bob and this",
    "[12:00] -- Online (3): ana, bob, cid",
    "[12:00] ana: while away",
  ]);
  assertEquals(sent(back), [{ type: "input", text: "while away" }]);
  assertEquals(prompts(back), ["#general ana> "]);
  assertEquals(client.members, ["ana", "bob", "cid"]);

  // Lost again: what it saw the first time back is not shown again.
  client.onClosed();
  client.onDeadline();
  client.onConnected();
  const again = client.onServerLine(line({
    ...WELCOME_FIELDS,
    history: [
      { from: "cid", text: "said while away", time: 300 },
      { from: "bob", text: "and this", time: 400, action: true },
      { from: "ana", text: "while away", time: 500 },
    ],
  }));
  assertEquals(printed(again), [
    `[12:00] -- ${CLIENT_STRINGS.en.reconnected(ADDRESS, 0)}`,
    "[12:00] -- Online (2): bob, ana",
  ]);
});

Deno.test("ClientState back while the old connection still holds the name tries again", () => {
  const { client } = joinedWithHistory();
  client.onClosed();
  client.onDeadline();
  client.onConnected();
  const text = STRINGS.en.nameError("taken", "ana");
  const taken = client.onServerLine(
    line({ type: "name_error", name: "ana", code: "taken", text }),
  );
  assert(taken.some((e) => e.kind === "disconnect"));
  assertEquals(printed(taken), [
    `[12:00] -- ${CLIENT_STRINGS.en.nameStillHeld("ana", 2)}`,
  ]);
  assertEquals(client.phase, "away");
});

Deno.test("ClientState at a terminal comes back after a server restart", () => {
  const { client } = joinedWithHistory();
  const text = STRINGS.en.shuttingDown;
  const bye = client.onServerLine(
    line({ type: "bye", reason: "shutdown", text }),
  );
  assertEquals(exit(bye), undefined);
  assertEquals(printed(bye)[0], `[12:00] -- ${text}`);
  assertEquals(client.phase, "away");
  // Dropped for flooding: no coming back.
  const other = joinedWithHistory().client;
  assertEquals(
    exit(other.onServerLine(
      line({ type: "bye", reason: "flood", text: STRINGS.en.bye("flood") }),
    ))?.kind,
    "exit",
  );
});

Deno.test("ClientState while away leaves at once on /quit, Ctrl-C or end of input", () => {
  for (const leave of ["/quit", "interrupt", "end"]) {
    const { client } = joinedWithHistory();
    client.onClosed();
    const effects = leave === "interrupt"
      ? client.onInterrupt()
      : leave === "end"
      ? client.onEnd()
      : client.onInput(leave);
    assertEquals(exit(effects), { kind: "exit", code: 0 }, leave);
    assertEquals(sent(effects), [], leave);
  }
});

Deno.test("ClientState gives up on a rejoin the server does not answer and tries again", () => {
  const { client } = joinedWithHistory();
  client.onClosed();
  client.onDeadline();
  client.onConnected();
  const silent = client.onDeadline();
  assert(silent.some((e) => e.kind === "disconnect"));
  assertEquals(client.phase, "away");
});

Deno.test("ClientState pings a quiet server and gives up a silent connection", () => {
  const time = clock();
  const client = state({
    interactive: true,
    now: time.now,
    pingAfterMs: 1000,
    deadAfterMs: 3000,
    random: () => 0.5,
  });
  client.start();
  client.onServerLine(line(WELCOME));
  assertEquals(client.onTick(), []);
  time.advance(1000);
  const ping = client.onTick();
  assertEquals(sent(ping), [{ type: "ping", id: time.now() }]);
  assertEquals(client.onTick(), [], "one ping");
  time.advance(2000);
  const dead = client.onTick();
  assert(dead.some((e) => e.kind === "disconnect"));
  assertEquals(client.phase, "away");
});

Deno.test("ClientState without a terminal still ends when the server goes away", () => {
  const client = joined();
  assertEquals(exit(client.onClosed()), {
    kind: "exit",
    code: 1,
    error: CLIENT_STRINGS.en.connectionLost(ADDRESS),
  });
});

Deno.test("ClientState keeps backing off while a rejoin keeps failing after connecting", () => {
  const { client } = joinedWithHistory();
  client.onClosed();
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    client.onDeadline();
    client.onConnected();
    // A server that is full for now: bye, then the connection closes.
    const full = client.onServerLine(
      line({ type: "bye", reason: "full", text: STRINGS.en.bye("full") }),
    );
    assertEquals(client.phase, "away");
    delays.push((full.find((e) => e.kind === "deadline") as { ms: number }).ms);
    assertEquals(client.onClosed(), [], "the close that follows is old news");
  }
  assertEquals(delays, [2000, 4000, 8000, 16000]);
});

// --- Rooms ---------------------------------------------------------------------

Deno.test("ClientState follows its rooms: the prompt shows the current one, other rooms' lines are marked", () => {
  const client = joined({ interactive: true });
  const effects = client.onServerLine(line({
    type: "joined",
    room: "#games",
    members: ["dan", "ana"],
    ops: ["dan"],
    history: [],
  }));
  assertEquals(
    printed(effects),
    ["[12:00] -- You joined #games. Online (2): @dan, ana."],
  );
  assert(effects.some((e) => e.kind === "prompt" && e.text === "#games ana> "));
  assertEquals(client.room, "#games");
  assertEquals(client.members, ["dan", "ana"]);
  assertEquals([...client.rooms.keys()], ["#general", "#games"]);
  assertEquals(
    printed(client.onServerLine(line({
      type: "message",
      room: "#general",
      from: "bob",
      text: "over here",
      time: 0,
    }))),
    ["[12:00] [#general] bob: over here"],
  );
  assertEquals(
    printed(client.onServerLine(line({
      type: "message",
      room: "#games",
      from: "dan",
      text: "gg",
      time: 0,
    }))),
    ["[12:00] dan: gg"],
  );
  // Kicked: told in the room it was in, then moved.
  assertEquals(
    printed(client.onServerLine(line({
      type: "kick",
      room: "#games",
      name: "ana",
      by: "dan",
      time: 0,
    }))),
    ["[12:00] -- ana was kicked from #games by dan"],
  );
  const moved = client.onServerLine(
    line({ type: "current", room: "#general" }),
  );
  assert(moved.some((e) => e.kind === "prompt" && e.text === "#general ana> "));
  assertEquals([...client.rooms.keys()], ["#general"]);
  assertEquals(client.members, ["bob", "ana"]);
});

Deno.test("ClientState sends the server's password in hello", () => {
  const client = state({ password: "s3cret" });
  assertEquals(sent(client.start()), [{
    type: "hello",
    version: 2,
    name: "ana",
    lang: "en",
    password: "s3cret",
  }]);
});

function joinRoom(
  client: ClientState,
  room: string,
  history: { from: string; text: string; time: number }[] = [],
): ClientEffect[] {
  return client.onServerLine(line({
    type: "joined",
    room,
    members: ["ana", "dan"],
    ops: [],
    history,
  }));
}

function say(room: string, text: string, time = 0): string {
  return line({ type: "message", room, from: "dan", text, time });
}

Deno.test("ClientState counts unread lines of other rooms in the prompt, marks mentions, and clears a room's count on switching to it", () => {
  const client = joined({ interactive: true });
  joinRoom(client, "#ops");
  joinRoom(client, "#games");
  assertEquals(client.chatPrompt, "#games ana> ");
  assertEquals(prompts(client.onServerLine(say("#ops", "one"))), [
    "[#ops 1] #games ana> ",
  ]);
  client.onServerLine(say("#general", "hello"));
  client.onServerLine(say("#ops", "ana, look"));
  client.onServerLine(say("#ops", "three"));
  // Lines of the current room and /me actions of others count the same.
  assertEquals(prompts(client.onServerLine(say("#games", "here"))), []);
  assertEquals(client.chatPrompt, "[#general 1] [#ops 3!] #games ana> ");
  assertEquals(
    [...client.unread],
    [["#general", { count: 1, mention: false }], ["#ops", {
      count: 3,
      mention: true,
    }]],
  );
  assertEquals(
    prompts(client.onServerLine(line({ type: "current", room: "#ops" }))),
    ["[#general 1] #ops ana> "],
  );
  // Parting a room forgets its count.
  assertEquals(
    prompts(client.onServerLine(line({ type: "parted", room: "#general" }))),
    ["#ops ana> "],
  );
});

Deno.test("ClientState keeps the unread counts to half the width, the rest as [+N]", () => {
  const client = joined({ interactive: true, width: () => 54 });
  for (const room of ["#alpha", "#bravo", "#charlie", "#delta"]) {
    joinRoom(client, room);
  }
  joinRoom(client, "#here");
  for (const room of ["#alpha", "#bravo", "#charlie", "#delta"]) {
    client.onServerLine(say(room, "x"));
  }
  assertEquals(client.chatPrompt, "[#alpha 1] [#bravo 1] [+2] #here ana> ");
});

Deno.test("ClientState hears rooms from a /rooms answer for Tab, besides its own", () => {
  const client = joined({ interactive: true });
  joinRoom(client, "#ops");
  client.onServerLine(line({
    type: "rooms",
    rooms: [{ room: "#OPS", members: 2 }, { room: "#lan", members: 9 }],
    total: 3,
  }));
  assertEquals(client.roomNames, ["#general", "#ops", "#lan"]);
});

Deno.test("ClientState at a terminal asks for a missing password once, without echo, and says hello again with it", () => {
  const client = state({ interactive: true });
  client.start();
  const asked = client.onServerLine(line({
    type: "bye",
    reason: "password",
    text: "wrong or missing password",
  }));
  assertEquals(client.phase, "password");
  assert(asked.some((e) => e.kind === "disconnect"));
  assertEquals(asked.filter((e) => e.kind === "prompt"), [{
    kind: "prompt",
    text: `${CLIENT_STRINGS.en.passwordPrompt} `,
    hidden: true,
  }]);
  assertEquals(printed(asked), []);
  const typed = client.onInput("s3cret");
  assert(typed.some((e) => e.kind === "connect"));
  assert(typed.every((e) => e.kind !== "prompt" || e.hidden !== true));
  assert(!JSON.stringify(printed(typed)).includes("s3cret"));
  assertEquals(sent(client.onConnected()), [{
    type: "hello",
    version: 2,
    name: "ana",
    lang: "en",
    password: "s3cret",
  }]);
  // Wrong again: the end, never the password in the message.
  const refused = client.onServerLine(line({
    type: "bye",
    reason: "password",
    text: "wrong or missing password",
  }));
  assertEquals(exit(refused), {
    kind: "exit",
    code: 1,
    error: CLIENT_STRINGS.en.passwordWrong(ADDRESS),
  });
});

Deno.test("ClientState without a terminal ends on a missing password, naming --password", () => {
  const client = state();
  client.start();
  const effects = client.onServerLine(line({
    type: "bye",
    reason: "password",
    text: "wrong or missing password",
  }));
  assertEquals(exit(effects), {
    kind: "exit",
    code: 1,
    error: CLIENT_STRINGS.en.passwordRequired(ADDRESS),
  });
  assert(CLIENT_STRINGS.en.passwordRequired(ADDRESS).includes("--password"));
  // A wrong one given on the command line is not asked again either.
  const given = state({ interactive: true, password: "nope" });
  given.start();
  assertEquals(
    (exit(given.onServerLine(line({
      type: "bye",
      reason: "password",
      text: "wrong or missing password",
    }))) as { error: string }).error,
    CLIENT_STRINGS.en.passwordWrong(ADDRESS),
  );
});

Deno.test("ClientState leaves at once when asked for a password and the user gives up", () => {
  for (const giveUp of ["onInterrupt", "onEnd"] as const) {
    const client = state({ interactive: true });
    client.start();
    client.onServerLine(line({ type: "bye", reason: "password", text: "" }));
    assertEquals(exit(client[giveUp]()), { kind: "exit", code: 0 });
  }
});

Deno.test("ClientState back after a lost connection rejoins every room (with its key) and returns to the current one", () => {
  const client = joined({ interactive: true, random: () => 0.5 });
  client.onInput("/join #ops s3cret");
  joinRoom(client, "#ops", [{ from: "dan", text: "before", time: 10 }]);
  joinRoom(client, "#games");
  client.onServerLine(line({ type: "current", room: "#ops" }));
  assertEquals(client.chatPrompt, "#ops ana> ");
  client.onClosed();
  client.onInput("typed while away");
  client.onDeadline();
  client.onConnected();
  const back = client.onServerLine(line(WELCOME));
  assertEquals(sent(back), [
    { type: "join", room: "#ops", key: "s3cret" },
    { type: "join", room: "#games" },
    { type: "switch", room: "#ops" },
    { type: "input", text: "typed while away" },
  ]);
  // The rooms come back showing only what was missed there, marked and
  // counted for the room that was current.
  const ops = joinRoom(client, "#ops", [
    { from: "dan", text: "before", time: 10 },
    { from: "dan", text: "meanwhile", time: 20 },
  ]);
  assertEquals(printed(ops), ["[12:00] dan: meanwhile"]);
  const games = joinRoom(client, "#games", [
    { from: "dan", text: "gg", time: 30 },
  ]);
  assertEquals(printed(games), ["[12:00] [#games] dan: gg"]);
  client.onServerLine(line({ type: "current", room: "#ops" }));
  assertEquals(client.chatPrompt, "[#games 1] #ops ana> ");
  assertEquals([...client.rooms.keys()], ["#general", "#ops", "#games"]);
});

Deno.test("ClientState back after a lost connection leaves the default room again if it had left it", () => {
  const client = joined({ interactive: true, random: () => 0.5 });
  joinRoom(client, "#ops");
  client.onServerLine(line({ type: "parted", room: "#general" }));
  client.onServerLine(line({ type: "current", room: "#ops" }));
  client.onClosed();
  client.onDeadline();
  client.onConnected();
  assertEquals(sent(client.onServerLine(line(WELCOME))), [
    { type: "join", room: "#ops" },
    { type: "part", room: "#general" },
  ]);
});

Deno.test("ClientState keeps a line longer than the server takes instead of sending it, and says why", () => {
  const client = state({ interactive: true });
  client.start();
  client.onServerLine(line({ ...WELCOME, maxLineBytes: 100 }));
  const long = "é".repeat(60); // 120 bytes of text
  const effects = client.onInput(long);
  assertEquals(sent(effects), []);
  const bytes = new TextEncoder().encode(
    JSON.stringify({ type: "input", text: long }),
  ).length;
  assertEquals(printed(effects).length, 1);
  assertStringIncludes(
    printed(effects)[0]!,
    CLIENT_STRINGS.en.lineTooLong(bytes, 100),
  );
  assertEquals(effects.filter((e) => e.kind === "restore"), [
    { kind: "restore", text: long },
  ]);
  // A line that fits goes out as before.
  assertEquals(sent(client.onInput("short")), [{
    type: "input",
    text: "short",
  }]);
});

Deno.test("ClientState without a terminal drops an over-long line with the reason, and sends the next", () => {
  const client = state();
  client.start();
  client.onServerLine(line({ ...WELCOME, maxLineBytes: 64 }));
  const effects = client.onInput("x".repeat(100));
  assertEquals(sent(effects), []);
  assertEquals(effects.some((e) => e.kind === "restore"), false);
  assertEquals(printed(effects).length, 1);
});
