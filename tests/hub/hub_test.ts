// Checks src/room.ts with fake members that record what they receive: joins
// and names, broadcast order, /me, private messages and /reply, /who, /nick,
// /help, /quit, history, flood protection on an injected clock, sanitising,
// shutdown, and texts in the member's own language.

import {
  assert,
  assertEquals,
  assertFalse,
  assertStringIncludes,
} from "@std/assert";
import type {
  Lang,
  LeaveReason,
  ServerMessage,
} from "../../src/protocol/messages.ts";
import { PROTOCOL_VERSION } from "../../src/protocol/messages.ts";
import { Hub, type HubEvent, type HubOptions } from "../../src/hub/hub.ts";
import type { Member } from "../../src/hub/member.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";

/** A member that records what the room sends it and how it was closed. */
interface FakeMember extends Member {
  got: ServerMessage[];
  closed: { reason: LeaveReason; detail: string | undefined }[];
}

function fake(lang: Lang = "en", label = "127.0.0.1:40000"): FakeMember {
  const got: ServerMessage[] = [];
  const closed: FakeMember["closed"] = [];
  return {
    name: "",
    lang,
    label,
    got,
    closed,
    deliver(message) {
      got.push(message);
    },
    close(reason, detail) {
      closed.push({ reason, detail });
    },
  };
}

/** A settable clock for the room. */
class Clock {
  t = 1_700_000_000_000;
  now = () => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

interface Setup {
  room: Hub;
  clock: Clock;
  events: HubEvent[];
}

function setup(options: HubOptions = {}): Setup {
  const clock = new Clock();
  const events: HubEvent[] = [];
  const room = new Hub({
    now: clock.now,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { room, clock, events };
}

/** Joins fresh members under `names` and forgets what they received. */
function members(room: Hub, ...names: string[]): FakeMember[] {
  const list = names.map((name) => {
    const member = fake();
    assert(room.register(member, name).ok, `${name} could not join`);
    return member;
  });
  for (const member of list) member.got.length = 0;
  return list;
}

function last(member: FakeMember): ServerMessage | undefined {
  return member.got.at(-1);
}

/** Asserts the last message is an error with `code`, and returns its text. */
function lastError(member: FakeMember, code: string): string {
  const message = last(member);
  assert(
    message?.type === "error",
    `expected an error, got ${JSON.stringify(message)}`,
  );
  assertEquals(message.code, code);
  return message.text;
}

// --- Joining -------------------------------------------------------------

Deno.test("Hub.register() welcomes the joiner with every member and the history", () => {
  const { room, clock } = setup({ serverName: "test-server" });
  const ana = fake();
  const bob = fake();
  room.register(ana, "ana");
  room.input(ana, "hello?");
  assertEquals(room.register(bob, "bob"), { ok: true, name: "bob" });
  assertEquals(bob.got, [{
    type: "welcome",
    name: "bob",
    members: ["ana", "bob"],
    history: [{ from: "ana", text: "hello?", time: clock.t }],
    server: "test-server",
    version: PROTOCOL_VERSION,
    limits: { rate: 5, burst: 20 },
  }]);
  assertEquals(bob.name, "bob");
});

Deno.test("Hub.register() tells everyone else, and not the joiner, about the join", () => {
  const { room, clock } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  const carol = fake();
  room.register(carol, "carol");
  const join: ServerMessage = { type: "join", name: "carol", time: clock.t };
  assertEquals(ana!.got, [join]);
  assertEquals(bob!.got, [join]);
  assertEquals(carol.got.map((m) => m.type), ["welcome"]);
});

Deno.test("Hub.register() names the default server in the welcome", () => {
  const room = new Hub();
  const ana = fake();
  room.register(ana, "ana");
  const welcome = ana.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.server, "chat");
});

Deno.test("Room keeps its members in the order they joined", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob", "carol");
  assertEquals(room.names(), ["ana", "bob", "carol"]);
  assertEquals(room.size, 3);
  assert(room.has(ana!));
  assert(room.has(bob!));
  assertFalse(room.has(fake()));
});

Deno.test("Hub.register() stores the NFC form of a trimmed name", () => {
  const { room } = setup();
  const joao = fake();
  assertEquals(room.register(joao, "  Joa\u0303o "), {
    ok: true,
    name: "João",
  });
  assertEquals(joao.name, "João");
  assertEquals(room.names(), ["João"]);
});

Deno.test("Hub.register() refuses a name taken in another case, sending nothing", () => {
  const { room } = setup();
  const [ana] = members(room, "ana");
  const other = fake();
  assertEquals(room.register(other, "ANA"), {
    ok: false,
    code: "taken",
    name: "ANA",
  });
  assertEquals(other.got, []);
  assertEquals(ana!.got, []);
  assertEquals(room.size, 1);
  assertFalse(room.has(other));
});

Deno.test("Hub.register() refuses a decomposed spelling of a taken name", () => {
  const { room } = setup();
  members(room, "João");
  const result = room.register(fake(), "JOA\u0303O");
  assertEquals(result.ok, false);
  assert(!result.ok);
  assertEquals(result.code, "taken");
});

Deno.test("Hub.register() lets a refused member try another name", () => {
  const { room } = setup();
  members(room, "ana");
  const other = fake();
  assertFalse(room.register(other, "Ana").ok);
  assertEquals(room.register(other, "ana2"), { ok: true, name: "ana2" });
  assertEquals(other.got.map((m) => m.type), ["welcome"]);
});

for (
  const [name, code] of [
    ["", "empty"],
    ["a b", "invalid_chars"],
    ["x".repeat(25), "too_long"],
    ["Server", "reserved"],
    ["\u0430na", "mixed_scripts"],
    ["ana😀", "invalid_chars"],
  ] as const
) {
  Deno.test(`Hub.register() refuses ${JSON.stringify(name)} with code ${code}`, () => {
    const { room } = setup();
    const [ana] = members(room, "ana");
    const member = fake();
    const result = room.register(member, name);
    assert(!result.ok);
    assertEquals(result.code, code);
    assertEquals(member.got, []);
    assertEquals(ana!.got, []);
    assertEquals(room.size, 1);
  });
}

Deno.test("Room frees a name when its member leaves", () => {
  const { room } = setup();
  const [ana] = members(room, "ana");
  room.leave(ana!, "closed");
  assert(room.register(fake(), "Ana").ok);
});

// --- Public messages -----------------------------------------------------

Deno.test("Room broadcasts a message to everyone but its sender", () => {
  const { room, clock } = setup();
  const [ana, bob, carol] = members(room, "ana", "bob", "carol");
  room.input(ana!, "hi all");
  const message: ServerMessage = {
    type: "message",
    from: "ana",
    text: "hi all",
    time: clock.t,
  };
  assertEquals(bob!.got, [message]);
  assertEquals(carol!.got, [message]);
  assertEquals(ana!.got, []);
});

Deno.test("Room delivers messages in the order they were sent", () => {
  const { room } = setup();
  const [ana, bob, carol] = members(room, "ana", "bob", "carol");
  room.input(ana!, "one");
  room.input(bob!, "two");
  room.input(ana!, "three");
  room.input(carol!, "four");
  const texts = (member: FakeMember) =>
    member.got.map((m) => m.type === "message" ? `${m.from}:${m.text}` : "?");
  assertEquals(texts(carol!), ["ana:one", "bob:two", "ana:three"]);
  assertEquals(texts(bob!), ["ana:one", "ana:three", "carol:four"]);
  assertEquals(texts(ana!), ["bob:two", "carol:four"]);
});

Deno.test("Room sends /me as an action to everyone but its sender", () => {
  const { room, clock } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/me waves");
  assertEquals(bob!.got, [{
    type: "message",
    from: "ana",
    text: "waves",
    time: clock.t,
    action: true,
  }]);
  assertEquals(ana!.got, []);
});

Deno.test("Room sends //text as a message starting with /", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "//shrug");
  const message = last(bob!);
  assert(message?.type === "message");
  assertEquals(message.text, "/shrug");
});

Deno.test("Room ignores blank lines", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "");
  room.input(ana!, "   \t ");
  assertEquals(bob!.got, []);
  assertEquals(ana!.got, []);
});

Deno.test("Room ignores input from someone who is not a member", () => {
  const { room } = setup();
  const [bob] = members(room, "bob");
  const stranger = fake();
  room.input(stranger, "hello");
  room.input(stranger, "/who");
  assertEquals(bob!.got, []);
  assertEquals(stranger.got, []);
});

// --- Sanitising ----------------------------------------------------------

Deno.test("Room delivers a message with escape sequences clean", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(
    ana!,
    "\x1b[2J\x1b]0;pwned\x07hello\r\n[12:00] -- \u202Eworld\x1b[0m\t!",
  );
  const message = last(bob!);
  assert(message?.type === "message");
  assertEquals(message.text, "hello[12:00] -- world !");
});

Deno.test("Room sends nothing for a message that is only escape sequences", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "\x1b[2J\x1b[H");
  assertEquals(bob!.got, []);
});

Deno.test("Room trims trailing white space but keeps leading", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "  indented   ");
  const message = last(bob!);
  assert(message?.type === "message");
  assertEquals(message.text, "  indented");
});

Deno.test("Room keeps history clean too", () => {
  const { room } = setup();
  const [ana] = members(room, "ana");
  room.input(ana!, "\x1b[31mred\x1b[0m");
  const late = fake();
  room.register(late, "late");
  const welcome = late.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.history.map((line) => line.text), ["red"]);
});

// --- Private messages ----------------------------------------------------

Deno.test("Room delivers a private message to its target only, echoing it to the sender", () => {
  const { room, clock } = setup();
  const [ana, bob, carol] = members(room, "ana", "bob", "carol");
  room.input(ana!, "/msg bob psst, over here");
  const message: ServerMessage = {
    type: "private",
    from: "ana",
    to: "bob",
    text: "psst, over here",
    time: clock.t,
  };
  assertEquals(bob!.got, [message]);
  assertEquals(ana!.got, [message]);
  assertEquals(carol!.got, []);
});

Deno.test("Room finds a private message's target ignoring case", () => {
  const { room } = setup();
  const [ana, joao] = members(room, "ana", "João");
  room.input(ana!, "/w JOÃO olá");
  const message = last(joao!);
  assert(message?.type === "private");
  assertEquals(message.to, "João");
  room.input(ana!, "/pm joa\u0303o de novo");
  assertEquals(joao!.got.length, 2);
});

Deno.test("Room keeps private messages out of the history", () => {
  const { room } = setup();
  const [ana] = members(room, "ana", "bob");
  room.input(ana!, "/msg bob secret");
  const late = fake();
  room.register(late, "late");
  const welcome = late.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.history, []);
});

Deno.test("Room sanitises a private message", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/msg bob \x1b]0;pwned\x07hi\x1b[5m");
  const message = last(bob!);
  assert(message?.type === "private");
  assertEquals(message.text, "hi");
});

Deno.test("Room answers a private message to an unknown name with an error", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/msg zed hello");
  assertStringIncludes(lastError(ana!, "unknown_user"), '"zed"');
  assertEquals(bob!.got, []);
});

Deno.test("Room quotes an unknown name clean and short", () => {
  const { room } = setup();
  const [ana] = members(room, "ana");
  room.input(ana!, `/msg \x1b[2J${"z".repeat(100)} hello`);
  const text = lastError(ana!, "unknown_user");
  assertFalse(text.includes("\x1b"));
  assertFalse(text.includes("z".repeat(33)));
});

Deno.test("Room refuses a private message to oneself", () => {
  const { room } = setup();
  const [ana] = members(room, "ana");
  room.input(ana!, "/msg Ana talking to myself");
  lastError(ana!, "self");
  assertEquals(ana!.got.length, 1);
});

Deno.test("Room refuses a private message that is empty once sanitised", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/msg bob \x1b[2J");
  lastError(ana!, "empty");
  assertEquals(bob!.got, []);
});

Deno.test("Room answers /msg without text with its usage", () => {
  const { room } = setup();
  const [ana] = members(room, "ana", "bob");
  room.input(ana!, "/msg bob");
  assertEquals(lastError(ana!, "usage"), "Usage: /msg <name> <text>");
});

Deno.test("Room sends /reply to the last member who wrote privately", () => {
  const { room, clock } = setup();
  const [ana, bob, carol] = members(room, "ana", "bob", "carol");
  room.input(ana!, "/msg carol first");
  room.input(bob!, "/msg carol second");
  room.input(carol!, "/r thanks");
  const reply: ServerMessage = {
    type: "private",
    from: "carol",
    to: "bob",
    text: "thanks",
    time: clock.t,
  };
  assertEquals(last(bob!), reply);
  assertEquals(last(carol!), reply);
  assertEquals(ana!.got.length, 1, "ana only got her own echo");
});

Deno.test("Room sends /reply to the new name of a member who renamed", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/msg bob hi");
  room.input(ana!, "/nick anabela");
  room.input(bob!, "/reply hello anabela");
  const message = last(ana!);
  assert(message?.type === "private");
  assertEquals(message.to, "anabela");
  assertEquals(message.text, "hello anabela");
});

Deno.test("Room answers /reply with nobody to reply to with an error", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/reply anyone?");
  assertEquals(lastError(ana!, "no_reply"), STRINGS.en.noOneToReply);
  assertEquals(bob!.got, []);
});

Deno.test("Room answers /reply with an error once the last writer left", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/msg bob hi");
  room.leave(ana!, "closed");
  room.input(bob!, "/r bye");
  lastError(bob!, "no_reply");
  assertEquals(ana!.got.length, 1, "only ana's own echo");
});

Deno.test("Room does not send /reply to a newcomer who took the old name", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/msg bob hi");
  room.leave(ana!, "closed");
  const impostor = fake();
  room.register(impostor, "ana");
  impostor.got.length = 0;
  room.input(bob!, "/r are you still there?");
  assertEquals(impostor.got, []);
});

// --- /who, /help, unknown commands ---------------------------------------

Deno.test("Room answers /who to the asker only", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob", "carol");
  for (const command of ["/who", "/users", "/names"]) {
    room.input(bob!, command);
    assertEquals(last(bob!), {
      type: "members",
      names: ["ana", "bob", "carol"],
    });
  }
  assertEquals(ana!.got, []);
});

Deno.test("Room answers /help with the help text", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/help");
  assertEquals(ana!.got, [{
    type: "info",
    code: "help",
    text: STRINGS.en.help,
  }]);
  assertEquals(bob!.got, []);
});

Deno.test("Room answers an unknown command with an error", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/dance now");
  assertEquals(
    lastError(ana!, "unknown_command"),
    STRINGS.en.unknownCommand("dance"),
  );
  assertEquals(bob!.got, []);
});

Deno.test("Room quotes an unknown command clean and short", () => {
  const { room } = setup();
  const [ana] = members(room, "ana");
  room.input(ana!, `/\x1b]0;x\x07${"y".repeat(100)}`);
  const text = lastError(ana!, "unknown_command");
  assertFalse(text.includes("\x1b"));
  assertFalse(text.includes("y".repeat(33)));
});

// --- /nick ----------------------------------------------------------------

Deno.test("Room announces a rename to everyone, the renamed member included", () => {
  const { room, clock, events } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/nick anabela");
  const rename: ServerMessage = {
    type: "rename",
    from: "ana",
    to: "anabela",
    time: clock.t,
  };
  assertEquals(ana!.got, [rename]);
  assertEquals(bob!.got, [rename]);
  assertEquals(ana!.name, "anabela");
  assertEquals(room.names(), ["anabela", "bob"]);
  assertEquals(events.at(-1), {
    kind: "rename",
    from: "ana",
    to: "anabela",
    label: ana!.label,
  });
});

Deno.test("Room frees the old name and takes the new one on rename", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/nick anabela");
  assert(room.register(fake(), "ana").ok, "the old name is free");
  assertFalse(room.register(fake(), "ANABELA").ok, "the new name is taken");
  room.input(bob!, "/msg anabela found you");
  assertEquals(last(ana!)?.type, "private");
});

Deno.test("Room lets a member change the case of their own name", () => {
  const { room } = setup();
  const [ana] = members(room, "ana");
  room.input(ana!, "/nick Ana");
  assertEquals(last(ana!)?.type, "rename");
  assertEquals(room.names(), ["Ana"]);
});

Deno.test("Room refuses a rename to a taken name", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/nick BOB");
  assertEquals(
    lastError(ana!, "name_taken"),
    STRINGS.en.nameError("taken", "BOB"),
  );
  assertEquals(bob!.got, []);
  assertEquals(room.names(), ["ana", "bob"]);
});

for (
  const [name, code] of [
    ["a b", "name_invalid_chars"],
    ["x".repeat(25), "name_too_long"],
    ["admin", "name_reserved"],
    ["\u0430na", "name_mixed_scripts"],
  ] as const
) {
  Deno.test(`Room refuses a rename to ${JSON.stringify(name)} with ${code}`, () => {
    const { room } = setup();
    const [ana, bob] = members(room, "ana", "bob");
    room.input(ana!, `/nick ${name}`);
    lastError(ana!, code);
    assertEquals(bob!.got, []);
    assertEquals(ana!.name, "ana");
  });
}

Deno.test("Room refuses a rename to one's own name", () => {
  const { room } = setup();
  const [ana] = members(room, "ana");
  room.input(ana!, "/nick ana");
  assertEquals(lastError(ana!, "name_unchanged"), STRINGS.en.nameUnchanged);
});

Deno.test("Room answers /nick without a name with its usage", () => {
  const { room } = setup();
  const [ana] = members(room, "ana");
  room.input(ana!, "/nick");
  lastError(ana!, "usage");
});

// --- Leaving ---------------------------------------------------------------

Deno.test("Room handles /quit: leave with the reason to others, bye and close to the quitter", () => {
  const { room, clock, events } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/quit see you all");
  assertEquals(bob!.got, [{
    type: "leave",
    name: "ana",
    reason: "quit",
    detail: "see you all",
    time: clock.t,
  }]);
  assertEquals(ana!.got, [{
    type: "bye",
    reason: "quit",
    text: STRINGS.en.bye("quit"),
  }]);
  assertEquals(ana!.closed, [{ reason: "quit", detail: "see you all" }]);
  assertFalse(room.has(ana!));
  assertEquals(room.names(), ["bob"]);
  assertEquals(events.at(-1), {
    kind: "leave",
    name: "ana",
    label: ana!.label,
    reason: "quit",
    detail: "see you all",
  });
});

Deno.test("Room handles /quit without a reason: the leave has no detail", () => {
  const { room, clock } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/quit");
  assertEquals(bob!.got, [{
    type: "leave",
    name: "ana",
    reason: "quit",
    time: clock.t,
  }]);
  assertEquals(ana!.closed, [{ reason: "quit", detail: undefined }]);
});

for (const command of ["/exit", "/SAIR", "/sair", "/leave"]) {
  Deno.test(`Room handles ${command} as /quit`, () => {
    const { room } = setup();
    const [ana, bob] = members(room, "ana", "bob");
    room.input(ana!, command);
    assertEquals(last(bob!)?.type, "leave");
    assertEquals(last(ana!)?.type, "bye");
    assertEquals(ana!.closed.length, 1);
    assertFalse(room.has(ana!));
  });
}

Deno.test("Room ignores what a member types after quitting", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.input(ana!, "/quit");
  bob!.got.length = 0;
  room.input(ana!, "still here?");
  assertEquals(bob!.got, []);
});

Deno.test("Hub.leave() is idempotent", () => {
  const { room, events } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  assert(room.leave(ana!, "closed"));
  assertFalse(room.leave(ana!, "closed"));
  assertFalse(room.leave(ana!, "error", "again"));
  assertEquals(bob!.got.length, 1);
  assertEquals(events.filter((e) => e.kind === "leave").length, 1);
  assertFalse(room.leave(fake(), "closed"), "a stranger was never in");
});

Deno.test("Hub.leave() sanitises and clips the detail", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.leave(ana!, "quit", `\x1b[2J  ${"é".repeat(300)}\r\n  `);
  const message = last(bob!);
  assert(message?.type === "leave");
  assertEquals(message.detail, "é".repeat(200) + "…");
});

Deno.test("Hub.leave() leaves out a detail that is empty once sanitised", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.leave(ana!, "quit", "\x1b[2J \r\n");
  const message = last(bob!);
  assert(message?.type === "leave");
  assertFalse("detail" in message);
});

// --- History ---------------------------------------------------------------

Deno.test("Room sends the recent public lines to a late joiner, within the history size", () => {
  const { room, clock } = setup({ historySize: 3 });
  const [ana] = members(room, "ana");
  for (const text of ["1", "2", "3", "4"]) {
    room.input(ana!, text);
    clock.advance(1000);
  }
  room.input(ana!, "/me 5");
  const late = fake();
  room.register(late, "late");
  const welcome = late.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.history, [
    { from: "ana", text: "3", time: clock.t - 2000 },
    { from: "ana", text: "4", time: clock.t - 1000 },
    { from: "ana", text: "5", time: clock.t, action: true },
  ]);
});

Deno.test("Room keeps 50 lines of history by default", () => {
  const room = new Hub({ rateLimit: null });
  const ana = fake();
  room.register(ana, "ana");
  for (let i = 0; i < 80; i++) room.input(ana, `line ${i}`);
  const late = fake();
  room.register(late, "late");
  const welcome = late.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.history.length, 50);
  assertEquals(welcome.history[0]?.text, "line 30");
  assertEquals(welcome.history.at(-1)?.text, "line 79");
});

Deno.test("Room keeps no history with a history size of 0", () => {
  const { room } = setup({ historySize: 0 });
  const [ana] = members(room, "ana");
  room.input(ana!, "gone with the wind");
  const late = fake();
  room.register(late, "late");
  const welcome = late.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.history, []);
});

Deno.test("Room gives each joiner its own copy of the history", () => {
  const { room } = setup();
  const [ana] = members(room, "ana");
  room.input(ana!, "hi");
  const first = fake();
  room.register(first, "first");
  const welcome = first.got[0];
  assert(welcome?.type === "welcome");
  welcome.history.length = 0;
  const second = fake();
  room.register(second, "second");
  const again = second.got[0];
  assert(again?.type === "welcome");
  assertEquals(again.history.length, 1);
});

// --- Flood protection ------------------------------------------------------

Deno.test("Room lets a burst of 20 through and refuses the 21st with slow_down", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  for (let i = 1; i <= 21; i++) room.input(ana!, `paste line ${i}`);
  assertEquals(bob!.got.length, 20);
  assertEquals(lastError(ana!, "slow_down"), STRINGS.en.slowDown);
  assertEquals(ana!.got.length, 1);
  assert(room.has(ana!));
});

Deno.test("Room says slow_down once per run of refused lines", () => {
  const { room, clock } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  for (let i = 0; i < 30; i++) room.input(ana!, `x${i}`);
  assertEquals(ana!.got.length, 1, "one slow_down for 10 refused lines");
  clock.advance(1000); // five tokens
  for (let i = 0; i < 5; i++) room.input(ana!, `y${i}`);
  assertEquals(bob!.got.length, 25);
  room.input(ana!, "z");
  assertEquals(ana!.got.length, 2, "a new run, a new slow_down");
  lastError(ana!, "slow_down");
});

Deno.test("Room counts commands against the rate limit too", () => {
  const { room } = setup();
  const [ana] = members(room, "ana");
  for (let i = 0; i < 20; i++) room.input(ana!, "/who");
  room.input(ana!, "/who");
  lastError(ana!, "slow_down");
});

Deno.test("Room never refuses a member who keeps to the rate", () => {
  const { room, clock } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  for (let i = 0; i < 600; i++) {
    room.input(ana!, `tick ${i}`);
    clock.advance(200); // exactly 5 a second
  }
  assertEquals(ana!.got, []);
  assertEquals(bob!.got.length, 600);
});

Deno.test("Room drops a member who floods on with flood", () => {
  const { room, events } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  for (let i = 0; i < 20 + 40; i++) room.input(ana!, `spam ${i}`);
  assert(room.has(ana!), "40 refused lines are tolerated");
  room.input(ana!, "one too many");
  assertFalse(room.has(ana!));
  assertEquals(ana!.closed, [{ reason: "flood", detail: undefined }]);
  assertEquals(last(ana!), {
    type: "bye",
    reason: "flood",
    text: STRINGS.en.bye("flood"),
  });
  const leave = last(bob!);
  assert(leave?.type === "leave");
  assertEquals(leave.name, "ana");
  assertEquals(leave.reason, "flood");
  assertEquals(bob!.got.length, 21, "20 messages, then the leave");
  assert(events.some((e) => e.kind === "flood" && e.name === "ana"));
});

Deno.test("Room drops a member who floods for seconds at 1000 lines a second", () => {
  const { room, clock } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  let sent = 0;
  while (room.has(ana!) && sent < 10_000) {
    room.input(ana!, `spam ${sent++}`);
    clock.advance(1);
  }
  assertFalse(room.has(ana!));
  assert(sent < 1000, `took ${sent} lines`);
  assertEquals(ana!.closed.at(-1)?.reason, "flood");
  const leave = last(bob!);
  assert(leave?.type === "leave");
  assertEquals(leave.reason, "flood");
});

Deno.test("Room applies a custom rate limit", () => {
  const { room } = setup({ rateLimit: { rate: 1, burst: 2 } });
  const [ana, bob] = members(room, "ana", "bob");
  for (let i = 0; i < 3; i++) room.input(ana!, `m${i}`);
  assertEquals(bob!.got.length, 2);
  lastError(ana!, "slow_down");
  for (let i = 0; i < 3; i++) room.input(ana!, `n${i}`);
  assert(room.has(ana!), "4 refused lines are within twice the burst");
  room.input(ana!, "n3");
  assertFalse(room.has(ana!), "5 are not");
});

Deno.test("Room with rateLimit null lets any number of lines through", () => {
  const { room } = setup({ rateLimit: null });
  const [ana, bob] = members(room, "ana", "bob");
  for (let i = 0; i < 1000; i++) room.input(ana!, `line ${i}`);
  assertEquals(bob!.got.length, 1000);
  assertEquals(ana!.got, []);
  assert(room.has(ana!));
});

Deno.test("Room limits each member separately", () => {
  const { room } = setup();
  const [ana, bob, carol] = members(room, "ana", "bob", "carol");
  for (let i = 0; i < 21; i++) room.input(ana!, `a${i}`);
  lastError(ana!, "slow_down");
  room.input(bob!, "I can still talk");
  assertEquals(last(carol!)?.type, "message");
  assertEquals(bob!.got.filter((m) => m.type === "error"), []);
});

// --- Shutdown --------------------------------------------------------------

Deno.test("Room.shutdown() says bye to every member in their language and closes them", () => {
  const { room, events } = setup();
  const ana = fake("en");
  const bia = fake("pt");
  room.register(ana, "ana");
  room.register(bia, "bia");
  ana.got.length = 0;
  bia.got.length = 0;
  const before = events.length;
  room.shutdown();
  assertEquals(ana.got, [{
    type: "bye",
    reason: "shutdown",
    text: STRINGS.en.shuttingDown,
  }]);
  assertEquals(bia.got, [{
    type: "bye",
    reason: "shutdown",
    text: STRINGS.pt.shuttingDown,
  }]);
  assertEquals(ana.closed, [{ reason: "shutdown", detail: undefined }]);
  assertEquals(bia.closed, [{ reason: "shutdown", detail: undefined }]);
  assertEquals(room.size, 0);
  assertEquals(room.names(), []);
  assertEquals(events.length, before, "no leave events");
});

Deno.test("Room.shutdown() sends no leave notices and frees every name", () => {
  const { room } = setup();
  const [ana, bob] = members(room, "ana", "bob");
  room.shutdown();
  assertFalse(ana!.got.some((m) => m.type === "leave"));
  assertFalse(bob!.got.some((m) => m.type === "leave"));
  assertFalse(room.leave(ana!, "closed"));
  assert(room.register(fake(), "ana").ok);
});

// --- Language --------------------------------------------------------------

Deno.test("Room answers a Portuguese member in Portuguese", () => {
  const { room } = setup();
  const bia = fake("pt");
  room.register(bia, "bia");
  const [ana] = members(room, "ana");
  bia.got.length = 0;

  room.input(bia, "/help");
  assertEquals(last(bia), {
    type: "info",
    code: "help",
    text: STRINGS.pt.help,
  });
  assertStringIncludes(STRINGS.pt.help, "Comandos:");

  room.input(bia, "/dance");
  assertEquals(
    lastError(bia, "unknown_command"),
    "Comando desconhecido /dance; digite /help para ver a lista",
  );
  room.input(bia, "/msg zed oi");
  assertEquals(
    lastError(bia, "unknown_user"),
    'Não há ninguém chamado "zed" online; veja /who',
  );
  room.input(bia, "/reply oi");
  assertEquals(lastError(bia, "no_reply"), STRINGS.pt.noOneToReply);
  room.input(bia, "/nick ana");
  assertEquals(lastError(bia, "name_taken"), 'O nome "ana" já está em uso');
  room.input(bia, "/msg");
  assertEquals(lastError(bia, "usage"), "Uso: /msg <name> <text>");

  room.input(ana!, "/help");
  assertEquals(last(ana!), {
    type: "info",
    code: "help",
    text: STRINGS.en.help,
  });
});

Deno.test("Room tells a Portuguese member to slow down in Portuguese", () => {
  const { room } = setup();
  const bia = fake("pt");
  room.register(bia, "bia");
  for (let i = 0; i < 21; i++) room.input(bia, `oi ${i}`);
  assertEquals(lastError(bia, "slow_down"), STRINGS.pt.slowDown);
});

Deno.test("Room says bye to a Portuguese quitter in Portuguese", () => {
  const { room } = setup();
  const bia = fake("pt");
  room.register(bia, "bia");
  room.input(bia, "/sair tchau");
  assertEquals(last(bia), {
    type: "bye",
    reason: "quit",
    text: STRINGS.pt.bye("quit"),
  });
});

// --- Log events ------------------------------------------------------------

Deno.test("Room reports joins and leaves with the member's label", () => {
  const { room, events } = setup();
  const ana = fake("en", "10.0.0.7:5555");
  room.register(ana, "ana");
  room.leave(ana, "timeout");
  assertEquals(events, [
    { kind: "join", name: "ana", label: "10.0.0.7:5555" },
    { kind: "leave", name: "ana", label: "10.0.0.7:5555", reason: "timeout" },
  ]);
});
