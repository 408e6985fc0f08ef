// Checks src/web/web_client_state.js, the browser client's pure state
// machine, without a browser: joining, refused names, own lines, commands,
// pacing under the flood limit, the line limit, reconnecting with backoff,
// liveness, mentions, the help list; its helpers (links, Tab completion,
// colours, days); and that they agree with the terminal client's and the
// server's (colours, mentions, protocol version, the token bucket).

import { assert, assertEquals, assertFalse } from "@std/assert";
import fc from "fast-check";
import {
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../../src/protocol/messages.ts";
import { TokenBucket } from "../../src/protocol/token_bucket.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";
import {
  mentions as terminalMentions,
  nameColorIndex as terminalColor,
} from "../../src/client/render.ts";
import {
  cleanText,
  completions,
  dayKey,
  DEAD_AFTER_MS,
  fill,
  fillParts,
  frameBytes,
  langFromNavigator,
  linkify,
  MAX_RECONNECT_MS,
  mentions,
  NAME_COLORS,
  nameColorIndex,
  parseHelp,
  parseServerMessage,
  pickColor,
  PING_AFTER_MS,
  reconnectDelay,
  tabComplete,
  WEB_PROTOCOL_VERSION,
  WebClientState,
  type WebEffect,
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
  limits?: { rate: number; burst: number },
): string {
  return frame({
    type: "welcome",
    name,
    room: "#general",
    members,
    ops: [],
    history,
    server: "chat",
    version: 2,
    ...limits ? { limits } : {},
  });
}

/** A page that has joined a server with the default flood limit. */
function limited(
  options: { maxLineBytes?: number; now?: number } = {},
): WebClientState {
  const state = new WebClientState({
    text: pageText("en"),
    lang: "en",
    ...options.maxLineBytes ? { maxLineBytes: options.maxLineBytes } : {},
  });
  state.submitName("ana");
  state.opened(options.now ?? 0);
  state.received(
    welcome("ana", ["ana", "bob"], [], { rate: 5, burst: 20 }),
    options.now ?? 0,
  );
  return state;
}

/** The texts a list of effects sends. */
function sent(effects: WebEffect[]): string[] {
  return effects.flatMap((e) =>
    e.kind === "send" && e.message.type === "input" ? [e.message.text] : []
  );
}

/** The pacing timer a list of effects arms last, if any. */
function paceOf(effects: WebEffect[]): number | null | undefined {
  return effects.findLast((e) => e.kind === "pace")?.ms as
    | number
    | null
    | undefined;
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
    message: { type: "hello", version: 2, name: "ana", lang: "pt" },
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
  // The replay comes first, set apart by a divider, then the welcome.
  assertEquals(shown(effects).map((e) => e.text), [
    "earlier",
    "Mensagens anteriores / Desde que você entrou",
    pageText("pt").web.welcome.replace("{name}", "ana"),
  ]);
  const history = shown(effects)[0]!;
  assert(history.kind === "chat" && history.history && !history.own);
  assertEquals(shown(effects)[1]?.kind, "divider");
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
    message: { type: "hello", version: 2, name: "bob2", lang: "en" },
  }]);
  assertEquals(state.nameError, "");
  assertEquals(state.phase, "joining");
});

Deno.test("WebClientState sends what you type as input and shows your own lines", () => {
  const state = joined();
  const say = state.submitLine("hello  ", 100);
  assertEquals(say.slice(0, 2), [
    {
      kind: "send",
      message: { type: "input", text: "hello  ", room: "#general" },
    },
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
      message: { type: "input", text: command, room: "#general" },
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
    frame({
      type: "message",
      room: "#general",
      from: "bob",
      text: "seen",
      time: 50,
    }),
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
    message: { type: "hello", version: 2, name: "ana", lang: "en" },
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
    frame({
      type: "message",
      room: "#general",
      from: "bob",
      text: "hi ANA!",
      time: 1,
    }),
    1,
  );
  const entry = shown(mention)[0]!;
  assert(entry.kind === "chat" && entry.mention);
  assertEquals(mention.at(-1), { kind: "alert" });
  const plain = state.received(
    frame({
      type: "message",
      room: "#general",
      from: "bob",
      text: "banana",
      time: 2,
    }),
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
    frame({
      type: "join",
      room: "#general",
      name: "carla",
      time: 1,
      arrived: true,
    }),
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
    frame({ type: "members", room: "#general", names: ["x", "anna"], ops: [] }),
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
      room: "#general",
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

Deno.test("the page hashes names as the terminal client does (its 8 colours are the page's 16 slots modulo 8), and finds mentions alike", () => {
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
    assertEquals(nameColorIndex(name) % 8, terminalColor(name), name);
    assert(nameColorIndex(name) < NAME_COLORS);
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

Deno.test("WebClientState sends lines at once within the flood limit, holds the rest as pending, and sends each when the limit allows", () => {
  const state = limited();
  const effects = Array.from(
    { length: 26 },
    (_, i) => state.submitLine(`line ${i + 1}`, 0),
  );
  // Half the burst goes at once; the rest waits, shown as pending.
  const now = effects.flatMap(sent);
  assertEquals(now, Array.from({ length: 10 }, (_, i) => `line ${i + 1}`));
  assertEquals(state.waiting, 16);
  const waiting = effects.slice(10).map((e) => shown(e)[0]!);
  assert(waiting.every((e) => e.kind === "chat" && e.pending && e.id > 0));
  assert(
    effects.slice(10).every((e) => e.some((x) => x.kind === "clear_input")),
  );
  // One pacing timer, armed by the first line that waits: 4 lines a second.
  assertEquals(effects.slice(10).map(paceOf), [
    250,
    ...Array(15).fill(undefined),
  ]);
  // Each time it fires, one more line goes, and it is marked sent.
  const first = state.drain(250);
  assertEquals(sent(first), ["line 11"]);
  const entry = waiting[0]!;
  assert(entry.kind === "chat");
  assertEquals(first.find((e) => e.kind === "sent"), {
    kind: "sent",
    id: entry.id,
    time: 250,
  });
  assertEquals(paceOf(first), 250);
  assertEquals(sent(state.drain(400)), [], "not before its time");
  let at = 500;
  const rest: string[] = [];
  while (state.waiting > 0) {
    const step = state.drain(at);
    rest.push(...sent(step));
    at += paceOf(step) ?? 0;
  }
  assertEquals(rest, Array.from({ length: 15 }, (_, i) => `line ${i + 12}`));
  assertEquals(paceOf(state.drain(at)), null);
  // A line typed after the queue drained goes out at once again.
  assertEquals(sent(state.submitLine("later", at + 10_000)), ["later"]);
});

Deno.test("WebClientState keeps commands in order behind waiting lines, and /quit counts once it is sent", () => {
  const state = limited();
  for (let i = 0; i < 10; i++) state.submitLine(`line ${i}`, 0);
  const who = state.submitLine("/who", 0);
  assertEquals(sent(who), []);
  assertEquals(shown(who), [], "a command shows nothing");
  state.submitLine("/quit bye", 0);
  assertEquals(state.waiting, 2);
  assertEquals(sent(state.drain(250)), ["/who"]);
  // Not leaving yet: a drop now would reconnect.
  assertEquals(sent(state.drain(500)), ["/quit bye"]);
  assertEquals(shown(state.closed(600)).map((e) => e.text), [
    "You left the chat.",
  ]);
});

Deno.test("WebClientState's pacing never exceeds the server's flood limit, even when lines arrive bunched up", () => {
  fc.assert(
    fc.property(
      // Typing and pastes: runs of lines with no time between them, each
      // after a pause.
      fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.nat(3000)), {
        minLength: 1,
        maxLength: 6,
      }).map((runs) =>
        runs.flatMap(([lines, pause]) => [pause, ...Array(lines - 1).fill(0)])
          .slice(0, 80)
      ),
      fc.oneof(
        fc.array(fc.nat(300), { minLength: 80, maxLength: 80 }),
        // The worst case: the first lines slowed down, the rest not.
        fc.tuple(fc.nat(80), fc.nat(300)).map(([slow, ms]) =>
          Array.from({ length: 80 }, (_, i) => i < slow ? ms : 0)
        ),
      ),
      (gaps, delays) => {
        const state = limited({ now: 1000 });
        const server = new TokenBucket({ rate: 5, burst: 20 }, 1000);
        let now = 1000;
        let arrival = 0;
        let timer: number | null = null;
        let sends = 0;
        const carry = (effects: WebEffect[], at: number) => {
          for (const effect of effects) {
            if (effect.kind === "pace") {
              timer = effect.ms === null ? null : at + effect.ms;
            }
            if (effect.kind !== "send") continue;
            // In order, each after a network delay of up to 300 ms.
            arrival = Math.max(arrival, at + delays[sends++ % 80]!);
            if (!server.take(arrival)) return false;
          }
          return true;
        };
        for (const gap of gaps) {
          const next = now + gap;
          while (timer !== null && timer <= next) {
            const at: number = timer;
            timer = null;
            if (!carry(state.drain(at), at)) return false;
          }
          now = next;
          if (!carry(state.submitLine("x", now), now)) return false;
        }
        while (timer !== null) {
          const at: number = timer;
          timer = null;
          if (!carry(state.drain(at), at)) return false;
        }
        return state.waiting === 0 && sends === gaps.length;
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("WebClientState sends at once when the server has no flood limit", () => {
  const state = joined();
  const effects = Array.from({ length: 50 }, () => state.submitLine("x", 0));
  assertEquals(effects.flatMap(sent).length, 50);
  assertEquals(state.waiting, 0);
});

Deno.test("WebClientState marks waiting lines unsent when the connection drops, and says how many", () => {
  const state = limited();
  for (let i = 0; i < 12; i++) state.submitLine(`line ${i}`, 0);
  state.submitLine("/who", 0);
  const effects = state.closed(100);
  assertEquals(effects[0], { kind: "pace", ms: null });
  assertEquals(effects.filter((e) => e.kind === "unsent").length, 2);
  assertEquals(
    shown(effects).map((e) => e.text),
    [
      "The connection was lost before 3 waiting line(s) went out: they were not sent",
      "Connection lost; reconnecting by itself.",
    ],
  );
  assertEquals(state.waiting, 0);
  assertEquals(state.drain(10_000), [], "nothing left to send");
});

Deno.test("WebClientState slows down further when the server refuses a line all the same", () => {
  const state = limited();
  const slow = STRINGS.en.slowDown;
  const effects = state.received(
    frame({ type: "error", code: "slow_down", text: slow }),
    0,
  );
  assertEquals(shown(effects)[0]?.text, slow);
  assertEquals(sent(state.submitLine("next", 0)), []);
  assertEquals(state.waiting, 1);
});

Deno.test("WebClientState refuses a line longer than the server takes, counting UTF-8 bytes of the frame, and keeps it", () => {
  const state = limited({ maxLineBytes: 8192 });
  const long = state.submitLine("x".repeat(9000), 0);
  assertEquals(long.map((e) => e.kind), ["show", "reject_input"]);
  assertEquals(
    shown(long)[0]?.text,
    "That line is too long to send: 9044 bytes, and the server takes at most 8192. It is still in the box, to shorten.",
  );
  assertEquals(shown(long)[0]?.kind, "error");
  // The frame's JSON is what counts: 44 bytes of envelope (the room it goes
  // to included), escapes, UTF-8.
  assertEquals(sent(state.submitLine("x".repeat(8148), 0)).length, 1);
  assertEquals(sent(state.submitLine("x".repeat(8149), 0)).length, 0);
  assertEquals(sent(state.submitLine('"'.repeat(4074), 0)).length, 1);
  assertEquals(sent(state.submitLine('"'.repeat(4075), 0)).length, 0);
  assertEquals(sent(state.submitLine("😀".repeat(2037), 0)).length, 1);
  assertEquals(sent(state.submitLine("😀".repeat(2038), 0)).length, 0);
  assertEquals(frameBytes({ type: "input", text: "\u0001" }), 32);
  const pt = new WebClientState({
    text: pageText("pt"),
    lang: "pt",
    maxLineBytes: 100,
  });
  pt.submitName("ana");
  pt.opened(0);
  pt.received(welcome("ana", ["ana"]), 0);
  assertEquals(
    shown(pt.submitLine("x".repeat(100), 0))[0]?.text,
    "Essa linha é longa demais para enviar: 144 bytes, e o servidor aceita no máximo 100. Ela continua na caixa, para você encurtar.",
  );
});

Deno.test("WebClientState shows the server's /help as a list of commands", () => {
  for (const lang of ["en", "pt"] as const) {
    const state = joined();
    const effects = state.received(
      frame({ type: "info", code: "help", text: STRINGS[lang].help }),
      0,
    );
    const entry = shown(effects)[0]!;
    assert(entry.kind === "help", lang);
    assertEquals(entry.text, STRINGS[lang].help.split("\n")[0]);
    assertEquals(entry.items.length, STRINGS[lang].help.split("\n").length - 1);
    assert(entry.items.every((item) => item.usage.startsWith("/")));
    assert(entry.items.every((item) => item.text !== ""));
  }
  const other = joined().received(
    frame({ type: "info", code: "other", text: "  /x   y" }),
    0,
  );
  assertEquals(shown(other)[0]?.kind, "info", "only help is a list");
});

Deno.test("parseHelp() reads usage and description, whatever the spacing", () => {
  assertEquals(
    parseHelp(
      "Commands:\n  /msg <name> <text>   private message (also /w, /pm)\n" +
        "\t/quit [reason]\n  not a command\n  /me <action>  say it",
    ),
    [
      { usage: "/msg <name> <text>", text: "private message (also /w, /pm)" },
      { usage: "/quit [reason]", text: "" },
      { usage: "/me <action>", text: "say it" },
    ],
  );
  assertEquals(parseHelp("no commands here"), []);
});

Deno.test("WebClientState isolates the names and words it fills into notices", () => {
  const state = joined();
  const join = shown(state.received(
    frame({
      type: "join",
      room: "#general",
      name: "محمد",
      time: 1,
      arrived: true,
    }),
    1,
  ))[0]!;
  assert(join.kind === "notice");
  assertEquals(join.text, "محمد joined the chat!");
  assertEquals(join.parts, [
    { text: "محمد", isolate: true },
    { text: " joined the chat!", isolate: false },
  ]);
  const who = shown(state.received(
    frame({
      type: "members",
      room: "#general",
      names: ["ana", "bob", "محمد"],
      ops: [],
    }),
    2,
  ))[0]!;
  assert(who.kind === "notice");
  assertEquals(
    who.parts?.filter((part) => part.isolate).map((part) => part.text),
    ["3", "ana", "bob", "محمد"],
  );
  const secret = shown(state.received(
    frame({ type: "private", from: "محمد", to: "ana", text: "x", time: 3 }),
    3,
  ))[0]!;
  assert(secret.kind === "private");
  assertEquals(secret.labelParts, [
    { text: "(private) ", isolate: false },
    { text: "محمد", isolate: true },
  ]);
});

Deno.test("fillParts() fills like fill(), with each value apart", () => {
  const cases: [string, Record<string, string>][] = [
    ["{name} left the chat! ({detail})", { name: "a", detail: "b {c}" }],
    ["{a}{b}", { a: "1", b: "2" }],
    ["{unknown} stays", {}],
    ["empty {x}.", { x: "" }],
  ];
  for (const [template, values] of cases) {
    assertEquals(
      fillParts(template, values).map((p) => p.text).join(""),
      fill(template, values),
    );
  }
  assertEquals(fillParts("{a}{b}", { a: "1", b: "2" }), [
    { text: "1", isolate: true },
    { text: "2", isolate: true },
  ]);
});

Deno.test("pickColor() keeps a name's own slot unless a neighbour holds it, and spreads the rest", () => {
  assertEquals(pickColor(3, new Set()), 3);
  assertEquals(pickColor(3, new Set([5, 1])), 3);
  assertEquals(pickColor(3, new Set([3])), 11);
  assertEquals(pickColor(3, new Set([2])), 10, "opposite the neighbour");
  assertEquals(pickColor(15, new Set([0])), 8, "the hue circle wraps");
  const all = new Set(Array.from({ length: NAME_COLORS }, (_, i) => i));
  assertEquals(pickColor(7, all), 7, "nothing free: its own");
  all.delete(12);
  assertEquals(pickColor(7, all), 12, "the one free slot");
});

Deno.test("up to 16 people online get 16 different colours, as each page sees them", () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
  fc.assert(
    fc.property(
      fc.uniqueArray(name, { minLength: 2, maxLength: 16 }),
      (names) => {
        const state = joined(names[0]!, [names[0]!]);
        for (const other of names.slice(1)) {
          state.received(
            frame({
              type: "join",
              room: "#general",
              name: other,
              time: 1,
              arrived: true,
            }),
            1,
          );
        }
        const colors = names.map((from) => {
          const entry = shown(state.received(
            frame({
              type: "message",
              room: "#general",
              from,
              text: "hi",
              time: 2,
            }),
            2,
          ))[0]!;
          return entry.kind === "chat" ? entry.color : -1;
        });
        return new Set(colors).size === names.length;
      },
    ),
  );
});

Deno.test("linkify() links http and https addresses only, leaving punctuation and brackets outside", () => {
  const links = (text: string) =>
    linkify(text).flatMap((part) => "href" in part ? [part.text] : []);
  assertEquals(links("see https://deno.com/x?a=1&b=2#c, ok"), [
    "https://deno.com/x?a=1&b=2#c",
  ]);
  assertEquals(links("(http://a.example/b)."), ["http://a.example/b"]);
  assertEquals(links("https://en.wikipedia.org/wiki/Tab_(key)!"), [
    "https://en.wikipedia.org/wiki/Tab_(key)",
  ]);
  assertEquals(links("HTTPS://EXAMPLE.COM"), ["HTTPS://EXAMPLE.COM"]);
  for (
    const text of [
      "javascript:alert(1)",
      "ftp://files.example",
      "data:text/html,<b>x</b>",
      "xhttps://a.example",
      "https://",
      "file:///etc/passwd",
      "www.example.com",
    ]
  ) {
    assertEquals(links(text), [], text);
  }
  const text = "a https://b.example c https://d.example/";
  assertEquals(linkify(text).map((p) => p.text).join(""), text);
  assertEquals(linkify(""), []);
  const [link] = linkify("https://exämple.com/ü").filter((p) => "href" in p);
  assert(link && "href" in link);
  assertEquals(link.href, "https://xn--exmple-cua.com/%C3%BC");
});

Deno.test("completions() completes commands after /, names anywhere, ignoring case and accents", () => {
  const options = {
    names: ["ana", "João", "joana", "bob", "Bobby"],
    me: "ana",
    commands: ["msg", "me", "who", "SAIR"],
  };
  assertEquals(completions("/m", options), {
    start: 0,
    candidates: ["/msg ", "/me "],
  });
  assertEquals(completions("/sa", options).candidates, ["/SAIR "]);
  assertEquals(completions("jo", options).candidates, ["joana: ", "João: "]);
  assertEquals(completions("hi JOAO", options), {
    start: 3,
    candidates: ["João "],
  });
  assertEquals(completions("/msg b", options), {
    start: 5,
    candidates: ["bob ", "Bobby "],
  });
  assertEquals(completions("an", options).candidates, [], "never yourself");
  assertEquals(completions("hi ", options).candidates, []);
  assertEquals(completions("", options).candidates, []);
});

Deno.test("tabComplete() completes at the cursor and cycles on the next Tab", () => {
  const options = { names: ["bob", "Bobby"], me: "", commands: [] };
  const first = tabComplete("hi bo and more", 5, options, null)!;
  assertEquals([first.value, first.cursor], ["hi bob  and more", 7]);
  const second = tabComplete(first.value, first.cursor, options, first)!;
  assertEquals([second.value, second.cursor], ["hi Bobby  and more", 9]);
  const third = tabComplete(second.value, second.cursor, options, second)!;
  assertEquals(third.value, "hi bob  and more", "round again");
  // Typing in between starts afresh; nothing to complete lets Tab go on.
  assertEquals(tabComplete("hi x", 4, options, third), null);
  assertEquals(tabComplete("", 0, options, null), null);
});

Deno.test("dayKey() names the local calendar day", () => {
  const noon = new Date(2026, 10, 21, 12, 1).getTime();
  assertEquals(dayKey(noon), "2026-11-21");
  assertEquals(dayKey(new Date(2026, 10, 21, 23, 59).getTime()), "2026-11-21");
  assertEquals(dayKey(new Date(2026, 10, 22, 0, 0).getTime()), "2026-11-22");
  assertEquals(dayKey(new Date(2027, 0, 1, 0, 0).getTime()), "2027-01-01");
});

// --- Rooms ---------------------------------------------------------------------

/** The entries of some effects, with the room each is filed under. */
function filed(effects: WebEffect[]): [string | undefined, string][] {
  return effects.flatMap((e) =>
    e.kind === "show"
      ? [[e.room, e.entry.text] as [string | undefined, string]]
      : []
  );
}

/** ana, in #general with bob and cid, then in #games with dan (its op). */
function inTwoRooms(): WebClientState {
  const state = joined("ana", ["ana", "bob", "cid"]);
  state.received(
    frame({
      type: "joined",
      room: "#games",
      members: ["dan", "ana"],
      ops: ["dan"],
      topic: { text: "gg", by: "dan", time: 1 },
      history: [{ from: "dan", text: "earlier", time: 1 }],
    }),
    5,
  );
  return state;
}

Deno.test("WebClientState follows its rooms: the member list and topic are the current room's, each room's lines are filed under it", () => {
  const state = joined("ana", ["ana", "bob", "cid"]);
  assertEquals(state.room, "#general");
  assertEquals(state.topic, "");
  const join = state.received(
    frame({
      type: "joined",
      room: "#games",
      members: ["dan", "ana"],
      ops: ["dan"],
      topic: { text: "gg", by: "dan", time: 1 },
      history: [{ from: "dan", text: "earlier", time: 1 }],
    }),
    5,
  );
  assertEquals(state.room, "#games");
  assertEquals(state.members, ["ana", "dan"]);
  assertEquals(state.topic, "gg");
  assert(state.isOp("dan"));
  assertFalse(state.isOp("ana"));
  assertEquals(state.rooms.get("#games")?.topic, "gg");
  // The replay first, set apart by the divider, then what is new.
  assertEquals(filed(join), [
    ["#games", "earlier"],
    ["#games", "Earlier messages / Since you joined"],
    ["#games", "You are now in #games: what you type goes there"],
    ["#games", "Topic of #games: gg (set by dan)"],
  ]);
  const other = state.received(
    frame({
      type: "message",
      room: "#general",
      from: "bob",
      text: "over here",
      time: 6,
    }),
    6,
  );
  assertEquals(filed(other), [["#general", "over here"]]);
  const entry = shown(other)[0]!;
  assert(entry.kind === "chat" && entry.room === undefined, "not tagged");
  const part = state.received(
    frame({ type: "part", room: "#general", name: "cid", time: 8 }),
    8,
  );
  assertEquals(filed(part), [["#general", "cid left #general"]]);
  assertEquals(state.rooms.get("#general")?.members, ["ana", "bob"]);
  state.received(frame({ type: "current", room: "#general" }), 9);
  assertEquals(state.members, ["ana", "bob"]);
  assertEquals(state.topic, "");
  const kick = state.received(
    frame({ type: "kick", room: "#games", name: "ana", by: "dan", time: 10 }),
    10,
  );
  assertFalse(state.rooms.has("#games"));
  assertEquals(filed(kick)[0]?.[0], undefined, "said where you look");
  // Private messages, errors and server-wide notices go where you look.
  const pm = state.received(
    frame({ type: "private", from: "bob", to: "ana", text: "psst", time: 11 }),
    11,
  );
  assertEquals(filed(pm), [[undefined, "psst"]]);
});

Deno.test("WebClientState counts the lines and mentions of the rooms you are not looking at, until you switch to them", () => {
  const state = inTwoRooms();
  const say = (room: string, from: string, text: string, time: number) =>
    state.received(frame({ type: "message", room, from, text, time }), time);
  say("#general", "bob", "one", 6);
  const mention = say("#general", "bob", "ana: two", 7);
  assert(mention.some((e) => e.kind === "alert"));
  say("#games", "dan", "here", 8);
  assertEquals(state.roomList, [
    { room: "#general", unread: 2, mentions: 1, current: false },
    { room: "#games", unread: 0, mentions: 0, current: true },
  ]);
  // Switching shows the room at once and tells the server.
  assertEquals(state.switchRoom("#general", 9), [{
    kind: "send",
    message: { type: "switch", room: "#general" },
  }]);
  assertEquals(state.room, "#general");
  assertEquals(state.members, ["ana", "bob", "cid"]);
  assertEquals(state.roomList[0], {
    room: "#general",
    unread: 0,
    mentions: 0,
    current: true,
  });
  // The server's answer is already shown: nothing more.
  assertEquals(
    state.received(frame({ type: "current", room: "#general" }), 10),
    [],
  );
  // What you type goes to the room in view.
  const line = state.submitLine("hi", 11);
  assertEquals(line[0], {
    kind: "send",
    message: { type: "input", text: "hi", room: "#general" },
  });
  assertEquals(filed(line), [["#general", "hi"]]);
  assertEquals(state.switchRoom("#general", 12), [], "already there");
  assertEquals(state.switchRoom("#nowhere", 12), [], "not one of yours");
});

Deno.test("WebClientState moves between rooms by place: beside the current one (wrapping around), and by number", () => {
  const state = inTwoRooms();
  state.received(
    frame({
      type: "joined",
      room: "#ops",
      members: ["ana"],
      ops: ["ana"],
      history: [],
    }),
    6,
  );
  assertEquals(state.room, "#ops");
  assertEquals(state.roomBeside(1), "#general");
  assertEquals(state.roomBeside(-1), "#games");
  assertEquals(state.roomAt(0), "#general");
  assertEquals(state.roomAt(2), "#ops");
  assertEquals(state.roomAt(3), null);
  assertEquals(joined().roomBeside(1), null, "one room: nowhere to go");
});

Deno.test("WebClientState joins or creates a room from the join field, adding the #, with an optional key", () => {
  const state = joined();
  assertEquals(state.joinRoom(" games ", "", 1), [{
    kind: "send",
    message: { type: "join", room: "#games" },
  }]);
  assertEquals(state.joinRoom("#vault", " s3cret ", 2), [{
    kind: "send",
    message: { type: "join", room: "#vault", key: "s3cret" },
  }]);
  assertEquals(state.joinRoom("  ", "", 3), []);
  state.closed(4);
  assertEquals(
    shown(state.joinRoom("#games", "", 5)).map((e) => e.kind),
    ["error"],
  );
});

Deno.test("WebClientState keeps the topic and operators of each room as they change", () => {
  const state = inTwoRooms();
  state.received(
    frame({
      type: "topic",
      room: "#games",
      text: "finals at 8",
      by: "dan",
      time: 6,
    }),
    6,
  );
  assertEquals(state.topic, "finals at 8");
  state.received(
    frame({
      type: "mode",
      room: "#games",
      by: "dan",
      change: "+o",
      target: "ana",
      time: 7,
    }),
    7,
  );
  assert(state.isOp("ana"));
  state.received(
    frame({ type: "rename", from: "dan", to: "daniel", time: 8 }),
    8,
  );
  assert(state.isOp("daniel"));
  assertEquals(state.members, ["ana", "daniel"]);
  state.received(
    frame({ type: "topic", room: "#games", text: "", by: "ana", time: 9 }),
    9,
  );
  assertEquals(state.topic, "");
  state.received(
    frame({ type: "leave", name: "daniel", reason: "quit", time: 10 }),
    10,
  );
  assertEquals(state.members, ["ana"]);
  assertFalse(state.isOp("daniel"));
});

Deno.test("WebClientState lists the page's own keys after the server's commands in /help", () => {
  const entry = shown(
    joined().received(
      frame({ type: "info", code: "help", text: STRINGS.en.help }),
      0,
    ),
  )[0]!;
  assert(entry.kind === "help");
  assertEquals(entry.keysHeading, pageText("en").web.shortcutsHeading);
  assertEquals(entry.keys.map((key) => key.usage), [
    "Alt+↑ / Alt+↓",
    "Alt+1 … Alt+9",
    "Esc",
  ]);
  assert(entry.keys.every((key) => key.text !== ""));
});

Deno.test("WebClientState rejoins every room after a reconnect (with the keys you gave), shows only what was missed, and returns to the room in view", () => {
  const state = inTwoRooms();
  state.submitLine("/join #vault s3cret", 6);
  state.received(
    frame({
      type: "joined",
      room: "#vault",
      members: ["ana", "eve"],
      ops: ["eve"],
      key: true,
      history: [],
    }),
    7,
  );
  state.received(
    frame({
      type: "message",
      room: "#games",
      from: "dan",
      text: "seen",
      time: 8,
    }),
    8,
  );
  state.switchRoom("#games", 9);
  state.received(
    frame({
      type: "message",
      room: "#vault",
      from: "eve",
      text: "v1",
      time: 10,
    }),
    10,
  );
  assertEquals(state.roomList.map((r) => [r.room, r.unread]), [
    ["#general", 0],
    ["#games", 0],
    ["#vault", 1],
  ]);
  state.closed(11);
  assertEquals(state.timer(), [{ kind: "connect" }]);
  state.opened(12);
  const back = state.received(welcome("ana", ["ana", "bob"]), 13);
  const requests = back.flatMap((e) => e.kind === "send" ? [e.message] : []);
  assertEquals(requests, [
    { type: "join", room: "#games" },
    { type: "join", room: "#vault", key: "s3cret" },
    { type: "switch", room: "#games" },
  ]);
  // The view stays where it was, every room still listed.
  assertEquals(state.room, "#games");
  assertEquals(state.roomList.map((r) => [r.room, r.unread]), [
    ["#general", 0],
    ["#games", 0],
    ["#vault", 1],
  ]);
  const games = state.received(
    frame({
      type: "joined",
      room: "#games",
      members: ["dan", "ana"],
      ops: ["dan"],
      history: [
        { from: "dan", text: "seen", time: 8 },
        { from: "dan", text: "missed", time: 12 },
      ],
    }),
    14,
  );
  assertEquals(filed(games), [["#games", "missed"]]);
  assertEquals(state.room, "#games");
  assertEquals(state.members, ["ana", "dan"]);
  state.received(
    frame({
      type: "joined",
      room: "#vault",
      members: ["ana", "eve"],
      ops: ["eve"],
      history: [{ from: "eve", text: "v1", time: 10 }],
    }),
    15,
  );
  assertEquals(state.room, "#games", "a rejoined room does not take the view");
  assertEquals(
    state.received(frame({ type: "current", room: "#games" }), 16),
    [],
  );
  assertEquals(state.roomList.map((r) => [r.room, r.unread, r.current]), [
    ["#general", 0, false],
    ["#games", 0, true],
    ["#vault", 1, false],
  ]);
});

Deno.test("WebClientState sends the server's password in hello, and asks again when it is wrong", () => {
  const state = new WebClientState({ text: pageText("en"), lang: "en" });
  state.submitName("ana", "s3cret");
  assertEquals(state.opened(0), [{
    kind: "send",
    message: {
      type: "hello",
      version: WEB_PROTOCOL_VERSION,
      name: "ana",
      lang: "en",
      password: "s3cret",
    },
  }]);
  state.received(
    frame({
      type: "bye",
      reason: "password",
      text: STRINGS.en.bye("password"),
    }),
    1,
  );
  assertEquals(state.closed(2), [], "no reconnecting with a wrong password");
  assertEquals(state.phase, "naming");
  assertEquals(state.nameError, STRINGS.en.bye("password"));
});
