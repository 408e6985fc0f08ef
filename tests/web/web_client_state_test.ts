// Checks src/web/web_client_state.js, the browser client's pure state
// machine, without a browser: joining, refused names, own lines, commands,
// reconnecting with backoff, liveness, mentions; and that its helpers agree
// with the terminal client's (colours, mentions, protocol version).

import { assert, assertEquals, assertFalse } from "@std/assert";
import {
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../../src/protocol/messages.ts";
import {
  mentions as terminalMentions,
  nameColorIndex as terminalColor,
} from "../../src/client/render.ts";
import {
  cleanText,
  DEAD_AFTER_MS,
  fill,
  langFromNavigator,
  MAX_RECONNECT_MS,
  mentions,
  nameColorIndex,
  parseServerMessage,
  PING_AFTER_MS,
  reconnectDelay,
  WEB_PROTOCOL_VERSION,
  WebClientState,
} from "../../src/web/web_client_state.js";
import { pageText } from "../../src/web/web_assets.ts";

/** @returns the frame the server would send for a message. */
function frame(message: ServerMessage): string {
  return JSON.stringify(message) + "\n";
}

function welcome(
  name: string,
  members: string[],
  history: { from: string; text: string; time: number }[] = [],
): string {
  return frame({
    type: "welcome",
    name,
    members,
    history,
    server: "chat",
    version: 1,
  });
}

/** A page that has joined as `name`, with `members` online. */
function joined(name = "ana", members = ["ana", "bob"]): WebClientState {
  const state = new WebClientState({
    text: pageText("en"),
    lang: "en",
    random: () => 0.5,
  });
  state.submitName(name);
  state.opened(0);
  state.received(welcome(name, members), 0);
  return state;
}

function shown(effects: ReturnType<WebClientState["received"]>) {
  return effects.flatMap((e) => e.kind === "show" ? [e.entry] : []);
}

Deno.test("WebClientState connects on a name, says hello in the page's language, and joins", () => {
  const state = new WebClientState({ text: pageText("pt"), lang: "pt" });
  assertEquals(state.phase, "naming");
  assertEquals(state.view, "join");
  assertEquals(state.submitName("  ana "), [{ kind: "connect" }]);
  assertEquals(state.phase, "connecting");
  assertEquals(state.submitName("ana"), [], "one attempt at a time");
  assertEquals(state.opened(0), [{
    kind: "send",
    message: { type: "hello", version: 1, name: "ana", lang: "pt" },
  }]);
  const effects = state.received(
    welcome("ana", ["bob", "ana", "Carla"], [
      { from: "bob", text: "earlier", time: 5 },
    ]),
    10,
  );
  assertEquals(state.phase, "chat");
  assertEquals(state.view, "chat");
  assertEquals(state.me, "ana");
  assertEquals(state.members, ["ana", "bob", "Carla"]);
  assertEquals(state.status(10).text, "Conectado(a) como ana");
  assertEquals(shown(effects).map((e) => e.text), [
    pageText("pt").web.welcome.replace("{name}", "ana"),
    "Mensagens recentes (1):",
    "earlier",
  ]);
  const history = shown(effects)[2]!;
  assert(history.kind === "chat" && history.history && !history.own);
});

Deno.test("WebClientState shows a refused name's reason and retries on the same socket", () => {
  const state = new WebClientState({ text: pageText("en"), lang: "en" });
  state.submitName("bob");
  state.opened(0);
  state.received(
    frame({
      type: "name_error",
      name: "bob",
      code: "taken",
      text: 'The name "bob" is taken',
    }),
    0,
  );
  assertEquals(state.phase, "naming");
  assertEquals(state.nameError, 'The name "bob" is taken');
  assertEquals(state.pendingName, "bob");
  // The socket is still open: no new connection, just another hello.
  assertEquals(state.submitName("bob2"), [{
    kind: "send",
    message: { type: "hello", version: 1, name: "bob2", lang: "en" },
  }]);
  assertEquals(state.nameError, "");
  assertEquals(state.phase, "joining");
});

Deno.test("WebClientState sends what you type as input and shows your own lines", () => {
  const state = joined();
  const say = state.submitLine("hello  ", 100);
  assertEquals(say.slice(0, 2), [
    { kind: "send", message: { type: "input", text: "hello  " } },
    { kind: "clear_input" },
  ]);
  const own = shown(say)[0]!;
  assert(own.kind === "chat");
  assertEquals([own.from, own.text, own.own, own.action, own.time], [
    "ana",
    "hello",
    true,
    false,
    100,
  ]);
  const me = shown(state.submitLine("/ME  waves", 0))[0]!;
  assert(me.kind === "chat" && me.action && me.text === "waves");
  assertEquals(
    shown(state.submitLine("//not a command", 0))[0]?.text,
    "/not a command",
  );
  for (const command of ["/who", "/msg bob hi", "/nick anna", "/help", "/me"]) {
    const effects = state.submitLine(command, 0);
    assertEquals(effects[0], {
      kind: "send",
      message: { type: "input", text: command },
    });
    assertEquals(shown(effects), [], command);
  }
  assertEquals(state.submitLine("   ", 0), []);
});

Deno.test("WebClientState refuses to take a line while not connected", () => {
  const state = joined();
  state.closed(0);
  const effects = state.submitLine("hello", 0);
  assertEquals(effects.length, 1);
  assertEquals(shown(effects)[0]?.kind, "error");
  assertEquals(shown(effects)[0]?.text, pageText("en").web.notConnected);
});

Deno.test("WebClientState reconnects with a doubling delay, says so, and rejoins with the same name", () => {
  const state = joined();
  state.received(
    frame({ type: "message", from: "bob", text: "seen", time: 50 }),
    50,
  );
  state.submitLine("mine", 60);
  const lost = state.closed(1000);
  assertEquals(shown(lost).map((e) => e.text), [
    "Connection lost; reconnecting by itself.",
  ]);
  assertEquals(lost.at(-1), { kind: "timer", ms: 1000 });
  assertEquals(state.phase, "waiting");
  assertEquals(state.view, "chat", "the conversation stays on screen");
  assertEquals(
    state.status(1000).text,
    "Connection lost. Reconnecting in 1 s…",
  );
  assertEquals(state.status(1000).kind, "lost");
  // Each failed attempt waits twice as long.
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    assertEquals(state.timer(), [{ kind: "connect" }]);
    const effects = state.closed(2000);
    assertEquals(shown(effects), [], "said once");
    const timer = effects.at(-1);
    assert(timer?.kind === "timer" && timer.ms !== null);
    delays.push(timer.ms);
  }
  assertEquals(delays, [2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assertEquals(state.retryNow(), [{ kind: "timer", ms: null }, {
    kind: "connect",
  }]);
  assertEquals(state.opened(3000), [{
    kind: "send",
    message: { type: "hello", version: 1, name: "ana", lang: "en" },
  }]);
  const back = state.received(
    welcome("ana", ["ana", "bob"], [
      { from: "bob", text: "seen", time: 50 },
      { from: "ana", text: "mine", time: 60 },
      { from: "bob", text: "while away", time: 2500 },
    ]),
    3000,
  );
  assertEquals(back[0], { kind: "timer", ms: null });
  // Only what was said while away is shown again.
  assertEquals(shown(back).map((e) => e.text), [
    "Reconnected.",
    "Recent messages (1):",
    "while away",
  ]);
  // The next drop starts again from about a second.
  assertEquals(state.closed(4000).at(-1), { kind: "timer", ms: 1000 });
});

Deno.test("WebClientState asks for another name when its name was taken while it was away", () => {
  const state = joined();
  state.closed(0);
  state.timer();
  state.opened(1000);
  const effects = state.received(
    frame({
      type: "name_error",
      name: "ana",
      code: "taken",
      text: 'The name "ana" is taken',
    }),
    1000,
  );
  assertEquals(effects, [{ kind: "timer", ms: null }]);
  assertEquals(state.phase, "naming");
  assertEquals(state.view, "join");
  assertEquals(state.nameError, 'The name "ana" is taken');
  assertEquals(state.pendingName, "ana");
  assertEquals(state.closed(2000), [], "no reconnection while asking");
});

Deno.test("WebClientState retries at once when a name is given while the first connection is being retried", () => {
  const state = new WebClientState({ text: pageText("en"), lang: "en" });
  state.submitName("ana");
  state.closed(0);
  assertEquals(state.phase, "waiting");
  assertEquals(state.view, "join");
  assertEquals(state.submitName("ana"), [{ kind: "timer", ms: null }, {
    kind: "connect",
  }]);
  assertEquals(state.phase, "connecting");
});

Deno.test("WebClientState leaves for good after /quit, and reconnects after a server's bye", () => {
  const quitting = joined();
  quitting.submitLine("/quit bye all", 0);
  quitting.received(
    frame({
      type: "bye",
      reason: "quit",
      text: "Disconnected by the server: quit",
    }),
    0,
  );
  const effects = quitting.closed(0);
  assertEquals(shown(effects).map((e) => e.text), ["You left the chat."]);
  assertFalse(effects.some((e) => e.kind === "timer" || e.kind === "connect"));
  assertEquals(quitting.phase, "naming");
  assertEquals(quitting.view, "join");
  assertEquals(quitting.members, []);
  assertEquals(quitting.status(0).text, "You left the chat.");

  const dropped = joined();
  const bye = dropped.received(
    frame({
      type: "bye",
      reason: "shutdown",
      text: "The server is shutting down. Goodbye!",
    }),
    0,
  );
  assertEquals(shown(bye)[0]?.text, "The server is shutting down. Goodbye!");
  assertEquals(dropped.closed(0).at(-1), { kind: "timer", ms: 1000 });
});

Deno.test("WebClientState pings a quiet server and gives up a silent connection", () => {
  const state = joined();
  assertEquals(state.tick(PING_AFTER_MS - 1), []);
  assertEquals(state.tick(PING_AFTER_MS), [{
    kind: "send",
    message: { type: "ping", id: PING_AFTER_MS },
  }]);
  assertEquals(state.tick(PING_AFTER_MS + 1000), [], "one ping at a time");
  const dead = state.tick(DEAD_AFTER_MS);
  assertEquals(dead[0], { kind: "disconnect" });
  assertEquals(dead.at(-1), { kind: "timer", ms: 1000 });
  assertEquals(state.phase, "waiting");
  // The server's pings are answered.
  const other = joined();
  assertEquals(other.received(frame({ type: "ping", id: 7 }), 0), [{
    kind: "send",
    message: { type: "pong", id: 7 },
  }]);
});

Deno.test("WebClientState flags mentions of your name and private messages to you", () => {
  const state = joined();
  const mention = state.received(
    frame({ type: "message", from: "bob", text: "hi ANA!", time: 1 }),
    1,
  );
  const entry = shown(mention)[0]!;
  assert(entry.kind === "chat" && entry.mention);
  assertEquals(mention.at(-1), { kind: "alert" });
  const plain = state.received(
    frame({ type: "message", from: "bob", text: "banana", time: 2 }),
    2,
  );
  assertFalse(plain.some((e) => e.kind === "alert"));
  const incoming = state.received(
    frame({ type: "private", from: "bob", to: "ana", text: "psst", time: 3 }),
    3,
  );
  const secret = shown(incoming)[0]!;
  assert(secret.kind === "private");
  assertEquals([secret.label, secret.who, secret.own], [
    "(private) bob",
    "bob",
    false,
  ]);
  assertEquals(incoming.at(-1), { kind: "alert" });
  const echo = state.received(
    frame({ type: "private", from: "ana", to: "bob", text: "ok", time: 4 }),
    4,
  );
  const sent = shown(echo)[0]!;
  assert(sent.kind === "private" && sent.own);
  assertEquals(sent.label, "(private to bob)");
  assertFalse(echo.some((e) => e.kind === "alert"));
});

Deno.test("WebClientState keeps the member list from joins, leaves, renames and /who", () => {
  const state = joined();
  const version = state.membersVersion;
  const join = state.received(
    frame({ type: "join", name: "carla", time: 1 }),
    1,
  );
  assertEquals(shown(join)[0]?.text, "carla joined the chat!");
  assertEquals(state.members, ["ana", "bob", "carla"]);
  assert(state.membersVersion > version);
  const leave = state.received(
    frame({
      type: "leave",
      name: "bob",
      reason: "quit",
      detail: "lunch",
      time: 2,
    }),
    2,
  );
  assertEquals(shown(leave)[0]?.text, "bob left the chat! (quit: lunch)");
  assertEquals(state.members, ["ana", "carla"]);
  state.received(
    frame({ type: "rename", from: "ana", to: "anna", time: 3 }),
    3,
  );
  assertEquals(state.me, "anna");
  assertEquals(state.members, ["anna", "carla"]);
  const who = state.received(
    frame({ type: "members", names: ["x", "anna"] }),
    4,
  );
  assertEquals(shown(who)[0]?.text, "Online (2): anna, x");
  assertEquals(state.members, ["anna", "x"]);
});

Deno.test("WebClientState ignores frames that are not messages, and cleans what it shows", () => {
  const state = joined();
  for (const bad of ["", "nope", "[1]", "null", '{"no":"type"}']) {
    assertEquals(state.received(bad, 0), []);
  }
  assertEquals(parseServerMessage('{"type":"future_thing"}'), {
    type: "future_thing",
  } as unknown as ServerMessage);
  const effects = state.received(
    frame({
      type: "message",
      from: "bob\u202e",
      text: "a\u0007b\tc\nd",
      time: 1,
    }),
    1,
  );
  const entry = shown(effects)[0]!;
  assert(entry.kind === "chat");
  assertEquals([entry.from, entry.text], ["bob", "ab c d"]);
});

Deno.test("fill() fills placeholders once, never inside the values", () => {
  assertEquals(
    fill("{name} joined", { name: "{name}{x}" }),
    "{name}{x} joined",
  );
  assertEquals(fill("{a} and {b}", { a: 1 }), "1 and {b}");
  assertEquals(fill("{toString}", {}), "{toString}");
});

Deno.test("langFromNavigator() picks Portuguese for any pt locale", () => {
  assertEquals(langFromNavigator("pt-BR"), "pt");
  assertEquals(langFromNavigator("pt"), "pt");
  assertEquals(langFromNavigator("PT-pt"), "pt");
  assertEquals(langFromNavigator("en-US"), "en");
  assertEquals(langFromNavigator("ptx"), "en");
  assertEquals(langFromNavigator(undefined), "en");
});

Deno.test("reconnectDelay() starts near a second, doubles, and stays within 30 s with jitter", () => {
  assertEquals(reconnectDelay(1, 0.5), 1000);
  assertEquals(reconnectDelay(1, 0), 800);
  assertEquals(reconnectDelay(1, 0.999), 1200);
  assertEquals(reconnectDelay(3, 0.5), 4000);
  assertEquals(reconnectDelay(50, 0.5), MAX_RECONNECT_MS);
  assert(reconnectDelay(50, 0.999) <= MAX_RECONNECT_MS * 1.2);
});

Deno.test("the page gives names the same colour slots and mentions as the terminal client", () => {
  const names = [
    "ana",
    "Ana",
    "bob",
    "carla",
    "Zoë",
    "ｂｏｂ",
    "李",
    "d.e-f_g",
  ];
  for (const name of names) {
    assertEquals(nameColorIndex(name), terminalColor(name), name);
  }
  const cases: [string, string][] = [
    ["hi ana", "ana"],
    ["hi ANA!", "ana"],
    ["banana", "ana"],
    ["ana_b", "ana"],
    ["a.b", "a.b"],
    ["axb", "a.b"],
    ["olá Zoë.", "zoë"],
  ];
  for (const [text, name] of cases) {
    assertEquals(mentions(text, name), terminalMentions(text, name), text);
  }
  assertFalse(mentions("anything", ""));
});

Deno.test("the page speaks the protocol version the server does", () => {
  assertEquals(WEB_PROTOCOL_VERSION, PROTOCOL_VERSION);
});

Deno.test("cleanText() removes controls and, unless asked, line breaks", () => {
  assertEquals(cleanText("a\u001b[31mb\u0000\u009bc"), "a[31mbc");
  assertEquals(cleanText("one\ntwo"), "one two");
  assertEquals(cleanText("one\ntwo", true), "one\ntwo");
  assertEquals(cleanText("olá 👋🏽 мир"), "olá 👋🏽 мир");
});
