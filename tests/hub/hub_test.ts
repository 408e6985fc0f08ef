// Checks src/hub/hub.ts with fake members that record what they receive:
// joins and names (look-alike names included), broadcast order, /me, private
// messages and /reply, /who, /nick, /help, /quit, history, flood protection
// on an injected clock, sanitising, shutdown, apply(), and texts in the
// member's own language.

import {
  assert,
  assertEquals,
  assertFalse,
  assertStrictEquals,
  assertStringIncludes,
} from "@std/assert";
import type {
  Lang,
  LeaveReason,
  ServerMessage,
} from "../../src/protocol/messages.ts";
import { PROTOCOL_VERSION } from "../../src/protocol/messages.ts";
import {
  DROPPED_QUIET_MS,
  Hub,
  type HubEvent,
  type HubOptions,
} from "../../src/hub/hub.ts";
import type { Member } from "../../src/hub/member.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";

/** A member that records what the hub sends it and how it was closed. */
interface FakeMember extends Member {
  got: ServerMessage[];
  closed: { reason: LeaveReason; detail: string | undefined }[];
}

function fake(lang: Lang = "en", label = "127.0.0.1:40000"): FakeMember {
  const got: ServerMessage[] = [];
  const closed: FakeMember["closed"] = [];
  return {
    name: "",
    room: null,
    lang,
    label,
    address: label.replace(/:\d+$/, ""),
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

/** A settable clock for the hub. */
class Clock {
  t = 1_700_000_000_000;
  now = () => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

interface Setup {
  hub: Hub;
  clock: Clock;
  events: HubEvent[];
}

function setup(options: HubOptions = {}): Setup {
  const clock = new Clock();
  const events: HubEvent[] = [];
  const hub = new Hub({
    now: clock.now,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { hub, clock, events };
}

/** Joins fresh members under `names` and forgets what they received. */
function members(hub: Hub, ...names: string[]): FakeMember[] {
  const list = names.map((name) => {
    const member = fake();
    assert(hub.register(member, name).ok, `${name} could not join`);
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
  const { hub, clock } = setup({ serverName: "test-server" });
  const ana = fake();
  const bob = fake();
  hub.register(ana, "ana");
  hub.input(ana, "hello?");
  assertEquals(hub.register(bob, "bob"), { ok: true, name: "bob" });
  assertEquals(bob.got, [{
    type: "welcome",
    name: "bob",
    room: "#general",
    members: ["ana", "bob"],
    ops: [],
    history: [{ from: "ana", text: "hello?", time: clock.t, id: 1 }],
    server: "test-server",
    version: PROTOCOL_VERSION,
    limits: { rate: 5, burst: 20 },
  }]);
  assertEquals(bob.name, "bob");
});

Deno.test("Hub.register() tells everyone else, and not the joiner, about the join", () => {
  const { hub, clock } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  const carol = fake();
  hub.register(carol, "carol");
  const join: ServerMessage = {
    type: "join",
    room: "#general",
    name: "carol",
    time: clock.t,
    arrived: true,
  };
  assertEquals(ana!.got, [join]);
  assertEquals(bob!.got, [join]);
  assertEquals(carol.got.map((m) => m.type), ["welcome"]);
});

Deno.test("Hub.register() names the default server in the welcome", () => {
  const hub = new Hub();
  const ana = fake();
  hub.register(ana, "ana");
  const welcome = ana.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.server, "chat");
});

Deno.test("Hub keeps its members in the order they joined", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob", "carol");
  assertEquals(hub.names(), ["ana", "bob", "carol"]);
  assertEquals(hub.size, 3);
  assert(hub.has(ana!));
  assert(hub.has(bob!));
  assertFalse(hub.has(fake()));
});

Deno.test("Hub.register() stores the NFC form of a trimmed name", () => {
  const { hub } = setup();
  const joao = fake();
  assertEquals(hub.register(joao, "  Joa\u0303o "), {
    ok: true,
    name: "João",
  });
  assertEquals(joao.name, "João");
  assertEquals(hub.names(), ["João"]);
});

Deno.test("Hub.register() refuses a name taken in another case, sending nothing", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana");
  const other = fake();
  assertEquals(hub.register(other, "ANA"), {
    ok: false,
    code: "taken",
    name: "ANA",
  });
  assertEquals(other.got, []);
  assertEquals(ana!.got, []);
  assertEquals(hub.size, 1);
  assertFalse(hub.has(other));
});

Deno.test("Hub.register() refuses a decomposed spelling of a taken name", () => {
  const { hub } = setup();
  members(hub, "João");
  const result = hub.register(fake(), "JOA\u0303O");
  assertEquals(result.ok, false);
  assert(!result.ok);
  assertEquals(result.code, "taken");
});

Deno.test("Hub.register() lets a refused member try another name", () => {
  const { hub } = setup();
  members(hub, "ana");
  const other = fake();
  assertFalse(hub.register(other, "Ana").ok);
  assertEquals(hub.register(other, "ana2"), { ok: true, name: "ana2" });
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
    const { hub } = setup();
    const [ana] = members(hub, "ana");
    const member = fake();
    const result = hub.register(member, name);
    assert(!result.ok);
    assertEquals(result.code, code);
    assertEquals(member.got, []);
    assertEquals(ana!.got, []);
    assertEquals(hub.size, 1);
  });
}

// Cyrillic р, о, е, drawn as Latin p, o, e.
const CYRILLIC_POE = "\u0440\u043e\u0435";

for (
  const [holder, impostor, what] of [
    ["poe", CYRILLIC_POE, "Cyrillic рое for poe"],
    ["bob", "\u0299\u1d0f\u0299", "small capitals ʙᴏʙ for bob"],
    ["paypal", "paypaI", "paypaI with a capital I for paypal"],
    ["Bob0", "BOBO", "BOBO for Bob0"],
  ] as const
) {
  Deno.test(`Hub.register() refuses ${what} as taken`, () => {
    const { hub } = setup();
    const [first] = members(hub, holder);
    const member = fake();
    assertEquals(hub.register(member, impostor), {
      ok: false,
      code: "taken",
      name: impostor,
    });
    assertEquals(member.got, []);
    assertEquals(first!.got, []);
    assertEquals(hub.names(), [holder]);
  });
}

Deno.test("Hub.register() lets a look-alike in once the member it imitates has left", () => {
  const { hub } = setup();
  const [poe] = members(hub, "poe");
  hub.leave(poe!, "quit");
  assertEquals(hub.register(fake(), CYRILLIC_POE), {
    ok: true,
    name: CYRILLIC_POE,
  });
  assertFalse(hub.register(fake(), "POE").ok);
});

Deno.test("Hub.register() keeps names that only resemble each other apart", () => {
  const { hub } = setup();
  members(hub, "ana", "anna", "ama", "李小龙", "李小明", "bob", "rob");
  assertEquals(hub.size, 7);
});

Deno.test("Hub frees a name when its member leaves", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana");
  hub.leave(ana!, "closed");
  assert(hub.register(fake(), "Ana").ok);
});

// --- Public messages -----------------------------------------------------

Deno.test("Hub broadcasts a message to everyone but its sender", () => {
  const { hub, clock } = setup();
  const [ana, bob, carol] = members(hub, "ana", "bob", "carol");
  hub.input(ana!, "hi all");
  const message: ServerMessage = {
    type: "message",
    room: "#general",
    from: "ana",
    text: "hi all",
    time: clock.t,
    id: 1,
  };
  assertEquals(bob!.got, [message]);
  assertEquals(carol!.got, [message]);
  assertEquals(ana!.got, []);
});

Deno.test("Hub delivers messages in the order they were sent", () => {
  const { hub } = setup();
  const [ana, bob, carol] = members(hub, "ana", "bob", "carol");
  hub.input(ana!, "one");
  hub.input(bob!, "two");
  hub.input(ana!, "three");
  hub.input(carol!, "four");
  const texts = (member: FakeMember) =>
    member.got.map((m) => m.type === "message" ? `${m.from}:${m.text}` : "?");
  assertEquals(texts(carol!), ["ana:one", "bob:two", "ana:three"]);
  assertEquals(texts(bob!), ["ana:one", "ana:three", "carol:four"]);
  assertEquals(texts(ana!), ["bob:two", "carol:four"]);
});

Deno.test("Hub sends /me as an action to everyone but its sender", () => {
  const { hub, clock } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/me waves");
  assertEquals(bob!.got, [{
    type: "message",
    room: "#general",
    from: "ana",
    text: "waves",
    time: clock.t,
    action: true,
    id: 1,
  }]);
  assertEquals(ana!.got, []);
});

Deno.test("Hub sends //text as a message starting with /", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "//shrug");
  const message = last(bob!);
  assert(message?.type === "message");
  assertEquals(message.text, "/shrug");
});

Deno.test("Hub ignores blank lines", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "");
  hub.input(ana!, "   \t ");
  assertEquals(bob!.got, []);
  assertEquals(ana!.got, []);
});

Deno.test("Hub ignores input from someone who is not a member", () => {
  const { hub } = setup();
  const [bob] = members(hub, "bob");
  const stranger = fake();
  hub.input(stranger, "hello");
  hub.input(stranger, "/who");
  assertEquals(bob!.got, []);
  assertEquals(stranger.got, []);
});

// --- Sanitising ----------------------------------------------------------

Deno.test("Hub delivers a message with escape sequences clean", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(
    ana!,
    "\x1b[2J\x1b]0;pwned\x07hello\r\n[12:00] -- \u202Eworld\x1b[0m\t!",
  );
  const message = last(bob!);
  assert(message?.type === "message");
  assertEquals(message.text, "hello[12:00] -- world !");
});

Deno.test("Hub sends nothing for a message that is only escape sequences", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "\x1b[2J\x1b[H");
  assertEquals(bob!.got, []);
});

Deno.test("Hub trims trailing white space but keeps leading", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "  indented   ");
  const message = last(bob!);
  assert(message?.type === "message");
  assertEquals(message.text, "  indented");
});

Deno.test("Hub keeps history clean too", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana");
  hub.input(ana!, "\x1b[31mred\x1b[0m");
  const late = fake();
  hub.register(late, "late");
  const welcome = late.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.history.map((line) => line.text), ["red"]);
});

// --- Private messages ----------------------------------------------------

Deno.test("Hub delivers a private message to its target only, echoing it to the sender", () => {
  const { hub, clock } = setup();
  const [ana, bob, carol] = members(hub, "ana", "bob", "carol");
  hub.input(ana!, "/msg bob psst, over here");
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

Deno.test("Hub finds a private message's target ignoring case", () => {
  const { hub } = setup();
  const [ana, joao] = members(hub, "ana", "João");
  hub.input(ana!, "/w JOÃO olá");
  const message = last(joao!);
  assert(message?.type === "private");
  assertEquals(message.to, "João");
  hub.input(ana!, "/pm joa\u0303o de novo");
  assertEquals(joao!.got.length, 2);
});

Deno.test("Hub keeps private messages out of the history", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana", "bob");
  hub.input(ana!, "/msg bob secret");
  const late = fake();
  hub.register(late, "late");
  const welcome = late.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.history, []);
});

Deno.test("Hub sanitises a private message", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/msg bob \x1b]0;pwned\x07hi\x1b[5m");
  const message = last(bob!);
  assert(message?.type === "private");
  assertEquals(message.text, "hi");
});

Deno.test("Hub answers a private message to an unknown name with an error", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/msg zed hello");
  assertStringIncludes(lastError(ana!, "unknown_user"), '"zed"');
  assertEquals(bob!.got, []);
});

Deno.test("Hub quotes an unknown name clean and short", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana");
  hub.input(ana!, `/msg \x1b[2J${"z".repeat(100)} hello`);
  const text = lastError(ana!, "unknown_user");
  assertFalse(text.includes("\x1b"));
  assertFalse(text.includes("z".repeat(33)));
});

Deno.test("Hub refuses a private message to oneself", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana");
  hub.input(ana!, "/msg Ana talking to myself");
  lastError(ana!, "self");
  assertEquals(ana!.got.length, 1);
});

Deno.test("Hub refuses a private message that is empty once sanitised", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/msg bob \x1b[2J");
  lastError(ana!, "empty");
  assertEquals(bob!.got, []);
});

Deno.test("Hub answers /msg without text with its usage", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana", "bob");
  hub.input(ana!, "/msg bob");
  assertEquals(lastError(ana!, "usage"), "Usage: /msg <name> <text>");
});

Deno.test("Hub sends /reply to the last member who wrote privately", () => {
  const { hub, clock } = setup();
  const [ana, bob, carol] = members(hub, "ana", "bob", "carol");
  hub.input(ana!, "/msg carol first");
  hub.input(bob!, "/msg carol second");
  hub.input(carol!, "/r thanks");
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

Deno.test("Hub sends /reply to the new name of a member who renamed", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/msg bob hi");
  hub.input(ana!, "/nick anabela");
  hub.input(bob!, "/reply hello anabela");
  const message = last(ana!);
  assert(message?.type === "private");
  assertEquals(message.to, "anabela");
  assertEquals(message.text, "hello anabela");
});

Deno.test("Hub answers /reply with nobody to reply to with an error", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/reply anyone?");
  assertEquals(lastError(ana!, "no_reply"), STRINGS.en.noOneToReply);
  assertEquals(bob!.got, []);
});

Deno.test("Hub answers /reply with an error once the last writer left", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/msg bob hi");
  hub.leave(ana!, "closed");
  hub.input(bob!, "/r bye");
  lastError(bob!, "no_reply");
  assertEquals(ana!.got.length, 1, "only ana's own echo");
});

Deno.test("Hub answers /reply after the last writer left by saying that they left", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/msg bob hi");
  hub.leave(ana!, "closed");
  hub.input(bob!, "/r bye");
  assertEquals(lastError(bob!, "no_reply"), STRINGS.en.replyTargetLeft("ana"));
  assertEquals(
    STRINGS.en.replyTargetLeft("ana"),
    "ana has left the chat, so there is no one to reply to",
  );
});

Deno.test("Hub answers /reply to the one who left even after a newcomer took the name", () => {
  const { hub } = setup();
  const bia = fake("pt");
  hub.register(bia, "bia");
  const [ana] = members(hub, "ana");
  hub.input(ana!, "/msg bia oi");
  hub.leave(ana!, "closed");
  const impostor = fake();
  hub.register(impostor, "ana");
  impostor.got.length = 0;
  hub.input(bia, "/r ainda aí?");
  assertEquals(lastError(bia, "no_reply"), STRINGS.pt.replyTargetLeft("ana"));
  assertEquals(impostor.got, []);
});

Deno.test("Hub answers /reply to a new writer again after the last one left", () => {
  const { hub } = setup();
  const [ana, bob, carol] = members(hub, "ana", "bob", "carol");
  hub.input(ana!, "/msg bob hi");
  hub.leave(ana!, "closed");
  hub.input(carol!, "/msg bob hello");
  hub.input(bob!, "/r hi carol");
  assertEquals(last(carol!)?.type, "private");
});

Deno.test("Hub does not send /reply to a newcomer who took the old name", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/msg bob hi");
  hub.leave(ana!, "closed");
  const impostor = fake();
  hub.register(impostor, "ana");
  impostor.got.length = 0;
  hub.input(bob!, "/r are you still there?");
  assertEquals(impostor.got, []);
});

// --- /who, /help, unknown commands ---------------------------------------

Deno.test("Hub answers /who to the asker only", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob", "carol");
  for (const command of ["/who", "/users", "/names"]) {
    hub.input(bob!, command);
    assertEquals(last(bob!), {
      type: "members",
      room: "#general",
      names: ["ana", "bob", "carol"],
      ops: [],
    });
  }
  assertEquals(ana!.got, []);
});

Deno.test("Hub answers /help with the help text", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/help");
  assertEquals(ana!.got, [{
    type: "info",
    code: "help",
    text: STRINGS.en.help,
  }]);
  assertEquals(bob!.got, []);
});

Deno.test("Hub answers an unknown command with an error", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/dance now");
  assertEquals(
    lastError(ana!, "unknown_command"),
    STRINGS.en.unknownCommand("dance"),
  );
  assertEquals(bob!.got, []);
});

Deno.test("Hub quotes an unknown command clean and short", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana");
  hub.input(ana!, `/\x1b]0;x\x07${"y".repeat(100)}`);
  const text = lastError(ana!, "unknown_command");
  assertFalse(text.includes("\x1b"));
  assertFalse(text.includes("y".repeat(33)));
});

// --- /nick ----------------------------------------------------------------

Deno.test("Hub announces a rename to everyone, the renamed member included", () => {
  const { hub, clock, events } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/nick anabela");
  const rename: ServerMessage = {
    type: "rename",
    from: "ana",
    to: "anabela",
    time: clock.t,
  };
  assertEquals(ana!.got, [rename]);
  assertEquals(bob!.got, [rename]);
  assertEquals(ana!.name, "anabela");
  assertEquals(hub.names(), ["anabela", "bob"]);
  assertEquals(events.at(-1), {
    kind: "rename",
    from: "ana",
    to: "anabela",
    label: ana!.label,
  });
});

Deno.test("Hub frees the old name and takes the new one on rename", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/nick anabela");
  assert(hub.register(fake(), "ana").ok, "the old name is free");
  assertFalse(hub.register(fake(), "ANABELA").ok, "the new name is taken");
  hub.input(bob!, "/msg anabela found you");
  assertEquals(last(ana!)?.type, "private");
});

Deno.test("Hub lets a member change the case of their own name", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana");
  hub.input(ana!, "/nick Ana");
  assertEquals(last(ana!)?.type, "rename");
  assertEquals(hub.names(), ["Ana"]);
});

Deno.test("Hub refuses a rename to a look-alike of another member's name", () => {
  const { hub } = setup();
  const [ana, poe] = members(hub, "ana", "poe");
  hub.input(ana!, `/nick ${CYRILLIC_POE}`);
  assertEquals(
    lastError(ana!, "name_taken"),
    STRINGS.en.nameError("taken", CYRILLIC_POE),
  );
  assertEquals(poe!.got, []);
  assertEquals(hub.names(), ["ana", "poe"]);
});

Deno.test("Hub lets a member rename to a look-alike of its own name, and frees the old look", () => {
  const { hub } = setup();
  const [poe, bob] = members(hub, "poe", "bob");
  hub.input(poe!, `/nick ${CYRILLIC_POE}`);
  assertEquals(last(bob!)?.type, "rename");
  hub.input(poe!, "/nick ana");
  assert(hub.register(fake(), "poe").ok);
});

Deno.test("Hub finds a private message's target by its look", () => {
  const { hub, clock } = setup();
  const [ana, poe] = members(hub, "ana", "poe");
  hub.input(ana!, `/msg ${CYRILLIC_POE} psst`);
  assertEquals(last(poe!), {
    type: "private",
    from: "ana",
    to: "poe",
    text: "psst",
    time: clock.t,
  });
});

Deno.test("Hub refuses a rename to a taken name", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/nick BOB");
  assertEquals(
    lastError(ana!, "name_taken"),
    STRINGS.en.nameError("taken", "BOB"),
  );
  assertEquals(bob!.got, []);
  assertEquals(hub.names(), ["ana", "bob"]);
});

for (
  const [name, code] of [
    ["a b", "name_invalid_chars"],
    ["x".repeat(25), "name_too_long"],
    ["admin", "name_reserved"],
    ["\u0430na", "name_mixed_scripts"],
  ] as const
) {
  Deno.test(`Hub refuses a rename to ${JSON.stringify(name)} with ${code}`, () => {
    const { hub } = setup();
    const [ana, bob] = members(hub, "ana", "bob");
    hub.input(ana!, `/nick ${name}`);
    lastError(ana!, code);
    assertEquals(bob!.got, []);
    assertEquals(ana!.name, "ana");
  });
}

Deno.test("Hub refuses a rename to one's own name", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana");
  hub.input(ana!, "/nick ana");
  assertEquals(lastError(ana!, "name_unchanged"), STRINGS.en.nameUnchanged);
});

Deno.test("Hub answers /nick without a name with its usage", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana");
  hub.input(ana!, "/nick");
  lastError(ana!, "usage");
});

// --- Leaving ---------------------------------------------------------------

Deno.test("Hub handles /quit: leave with the reason to others, bye and close to the quitter", () => {
  const { hub, clock, events } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/quit see you all");
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
  assertFalse(hub.has(ana!));
  assertEquals(hub.names(), ["bob"]);
  assertEquals(events.at(-1), {
    kind: "leave",
    name: "ana",
    label: ana!.label,
    reason: "quit",
    detail: "see you all",
  });
});

Deno.test("Hub handles /quit without a reason: the leave has no detail", () => {
  const { hub, clock } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/quit");
  assertEquals(bob!.got, [{
    type: "leave",
    name: "ana",
    reason: "quit",
    time: clock.t,
  }]);
  assertEquals(ana!.closed, [{ reason: "quit", detail: undefined }]);
});

// `/leave` was a quit alias before rooms; it is /part's now (see
// hub_rooms_test.ts).
for (const command of ["/exit", "/SAIR", "/sair"]) {
  Deno.test(`Hub handles ${command} as /quit`, () => {
    const { hub } = setup();
    const [ana, bob] = members(hub, "ana", "bob");
    hub.input(ana!, command);
    assertEquals(last(bob!)?.type, "leave");
    assertEquals(last(ana!)?.type, "bye");
    assertEquals(ana!.closed.length, 1);
    assertFalse(hub.has(ana!));
  });
}

Deno.test("Hub ignores what a member types after quitting", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.input(ana!, "/quit");
  bob!.got.length = 0;
  hub.input(ana!, "still here?");
  assertEquals(bob!.got, []);
});

Deno.test("Hub.leave() is idempotent", () => {
  const { hub, events } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  assert(hub.leave(ana!, "closed"));
  assertFalse(hub.leave(ana!, "closed"));
  assertFalse(hub.leave(ana!, "error", "again"));
  assertEquals(bob!.got.length, 1);
  assertEquals(events.filter((e) => e.kind === "leave").length, 1);
  assertFalse(hub.leave(fake(), "closed"), "a stranger was never in");
});

Deno.test("Hub.leave() sanitises and clips the detail", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.leave(ana!, "quit", `\x1b[2J  ${"é".repeat(300)}\r\n  `);
  const message = last(bob!);
  assert(message?.type === "leave");
  assertEquals(message.detail, "é".repeat(200) + "…");
});

Deno.test("Hub.leave() leaves out a detail that is empty once sanitised", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.leave(ana!, "quit", "\x1b[2J \r\n");
  const message = last(bob!);
  assert(message?.type === "leave");
  assertFalse("detail" in message);
});

// --- History ---------------------------------------------------------------

Deno.test("Hub sends the recent public lines to a late joiner, within the history size", () => {
  const { hub, clock } = setup({ historySize: 3 });
  const [ana] = members(hub, "ana");
  for (const text of ["1", "2", "3", "4"]) {
    hub.input(ana!, text);
    clock.advance(1000);
  }
  hub.input(ana!, "/me 5");
  const late = fake();
  hub.register(late, "late");
  const welcome = late.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.history, [
    { from: "ana", text: "3", time: clock.t - 2000, id: 3 },
    { from: "ana", text: "4", time: clock.t - 1000, id: 4 },
    { from: "ana", text: "5", time: clock.t, action: true, id: 5 },
  ]);
});

Deno.test("Hub keeps 50 lines of history by default", () => {
  const hub = new Hub({ rateLimit: null });
  const ana = fake();
  hub.register(ana, "ana");
  for (let i = 0; i < 80; i++) hub.input(ana, `line ${i}`);
  const late = fake();
  hub.register(late, "late");
  const welcome = late.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.history.length, 50);
  assertEquals(welcome.history[0]?.text, "line 30");
  assertEquals(welcome.history.at(-1)?.text, "line 79");
});

Deno.test("Hub keeps no history with a history size of 0", () => {
  const { hub } = setup({ historySize: 0 });
  const [ana] = members(hub, "ana");
  hub.input(ana!, "gone with the wind");
  const late = fake();
  hub.register(late, "late");
  const welcome = late.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.history, []);
});

Deno.test("Hub gives each joiner its own copy of the history", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana");
  hub.input(ana!, "hi");
  const first = fake();
  hub.register(first, "first");
  const welcome = first.got[0];
  assert(welcome?.type === "welcome");
  welcome.history.length = 0;
  const second = fake();
  hub.register(second, "second");
  const again = second.got[0];
  assert(again?.type === "welcome");
  assertEquals(again.history.length, 1);
});

// --- Flood protection ------------------------------------------------------

Deno.test("Hub lets a burst of 20 through and refuses the 21st with slow_down", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  for (let i = 1; i <= 21; i++) hub.input(ana!, `paste line ${i}`);
  assertEquals(bob!.got.length, 20);
  assertEquals(lastError(ana!, "slow_down"), STRINGS.en.slowDown);
  assertEquals(ana!.got.length, 1);
  assert(hub.has(ana!));
});

Deno.test("Hub says slow_down once per run of refused lines", () => {
  const { hub, clock } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  for (let i = 0; i < 30; i++) hub.input(ana!, `x${i}`);
  assertEquals(ana!.got.length, 1, "one slow_down for 10 refused lines");
  clock.advance(1000); // five tokens
  for (let i = 0; i < 5; i++) hub.input(ana!, `y${i}`);
  assertEquals(bob!.got.length, 25);
  assertEquals(ana!.got.length, 2, "then how many were refused");
  hub.input(ana!, "z");
  assertEquals(ana!.got.length, 3, "a new run, a new slow_down");
  assertEquals(lastError(ana!, "slow_down"), STRINGS.en.slowDown);
});

Deno.test("Hub tells a member let through again how many of its lines were refused, before its line", () => {
  const { hub, clock } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  for (let i = 1; i <= 30; i++) hub.input(ana!, `paste line ${i}`);
  assertEquals(bob!.got.length, 20);
  assertEquals(ana!.got, [
    { type: "error", code: "slow_down", text: STRINGS.en.slowDown },
  ]);
  clock.advance(200); // one token
  hub.input(ana!, "sorry");
  assertEquals(ana!.got.slice(1), [
    { type: "error", code: "slow_down", text: STRINGS.en.dropped(10) },
  ]);
  assertEquals(
    STRINGS.en.dropped(10),
    "10 messages were not sent: you were sending too fast",
  );
  assertEquals(last(bob!), {
    type: "message",
    room: "#general",
    from: "ana",
    text: "sorry",
    time: clock.t,
    id: 21,
  });
  clock.advance(200);
  hub.input(ana!, "again");
  assertEquals(ana!.got.length, 2, "the count is told once");
});

Deno.test("Hub tells a member who stopped after a flood how many lines were dropped, on its tick, once", () => {
  const { hub, clock } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  for (let i = 1; i <= 30; i++) hub.input(ana!, `paste line ${i}`);
  assertEquals(bob!.got.length, 20);
  hub.tick(clock.t + DROPPED_QUIET_MS - 1);
  assertEquals(ana!.got.length, 1, "not while the flood may go on");
  clock.advance(DROPPED_QUIET_MS);
  hub.tick(clock.t);
  assertEquals(ana!.got.slice(1), [
    { type: "error", code: "slow_down", text: STRINGS.en.dropped(10) },
  ]);
  hub.tick(clock.t + 5000);
  hub.input(ana!, "back");
  assertEquals(ana!.got.length, 2, "the count is told once");
  assertEquals(last(bob!), {
    type: "message",
    room: "#general",
    from: "ana",
    text: "back",
    time: clock.t,
    id: 21,
  });
});

Deno.test("Hub counts one refused line in the singular", () => {
  const { hub, clock } = setup({ rateLimit: { rate: 1, burst: 1 } });
  const [ana] = members(hub, "ana");
  hub.input(ana!, "one");
  hub.input(ana!, "two");
  clock.advance(1000);
  hub.input(ana!, "three");
  assertEquals(lastError(ana!, "slow_down"), STRINGS.en.dropped(1));
  assertEquals(
    STRINGS.en.dropped(1),
    "1 message was not sent: you were sending too fast",
  );
});

Deno.test("Hub counts commands against the rate limit too", () => {
  const { hub } = setup();
  const [ana] = members(hub, "ana");
  for (let i = 0; i < 20; i++) hub.input(ana!, "/who");
  hub.input(ana!, "/who");
  lastError(ana!, "slow_down");
});

Deno.test("Hub never refuses a member who keeps to the rate", () => {
  const { hub, clock } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  for (let i = 0; i < 600; i++) {
    hub.input(ana!, `tick ${i}`);
    clock.advance(200); // exactly 5 a second
  }
  assertEquals(ana!.got, []);
  assertEquals(bob!.got.length, 600);
});

Deno.test("Hub drops a member who floods on with flood", () => {
  const { hub, events } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  for (let i = 0; i < 20 + 40; i++) hub.input(ana!, `spam ${i}`);
  assert(hub.has(ana!), "40 refused lines are tolerated");
  hub.input(ana!, "one too many");
  assertFalse(hub.has(ana!));
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

Deno.test("Hub drops a member who floods for seconds at 1000 lines a second", () => {
  const { hub, clock } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  let sent = 0;
  while (hub.has(ana!) && sent < 10_000) {
    hub.input(ana!, `spam ${sent++}`);
    clock.advance(1);
  }
  assertFalse(hub.has(ana!));
  assert(sent < 1000, `took ${sent} lines`);
  assertEquals(ana!.closed.at(-1)?.reason, "flood");
  const leave = last(bob!);
  assert(leave?.type === "leave");
  assertEquals(leave.reason, "flood");
});

Deno.test("Hub applies a custom rate limit", () => {
  const { hub } = setup({ rateLimit: { rate: 1, burst: 2 } });
  const [ana, bob] = members(hub, "ana", "bob");
  for (let i = 0; i < 3; i++) hub.input(ana!, `m${i}`);
  assertEquals(bob!.got.length, 2);
  lastError(ana!, "slow_down");
  for (let i = 0; i < 3; i++) hub.input(ana!, `n${i}`);
  assert(hub.has(ana!), "4 refused lines are within twice the burst");
  hub.input(ana!, "n3");
  assertFalse(hub.has(ana!), "5 are not");
});

Deno.test("Hub with rateLimit null lets any number of lines through", () => {
  const { hub } = setup({ rateLimit: null });
  const [ana, bob] = members(hub, "ana", "bob");
  for (let i = 0; i < 1000; i++) hub.input(ana!, `line ${i}`);
  assertEquals(bob!.got.length, 1000);
  assertEquals(ana!.got, []);
  assert(hub.has(ana!));
});

Deno.test("Hub limits each member separately", () => {
  const { hub } = setup();
  const [ana, bob, carol] = members(hub, "ana", "bob", "carol");
  for (let i = 0; i < 21; i++) hub.input(ana!, `a${i}`);
  lastError(ana!, "slow_down");
  hub.input(bob!, "I can still talk");
  assertEquals(last(carol!)?.type, "message");
  assertEquals(bob!.got.filter((m) => m.type === "error"), []);
});

// --- Shutdown --------------------------------------------------------------

Deno.test("Hub.shutdown() says bye to every member in their language and closes them", () => {
  const { hub, events } = setup();
  const ana = fake("en");
  const bia = fake("pt");
  hub.register(ana, "ana");
  hub.register(bia, "bia");
  ana.got.length = 0;
  bia.got.length = 0;
  const before = events.length;
  hub.shutdown();
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
  assertEquals(hub.size, 0);
  assertEquals(hub.names(), []);
  assertEquals(events.length, before, "no leave events");
});

Deno.test("Hub.shutdown() sends no leave notices and frees every name", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.shutdown();
  assertFalse(ana!.got.some((m) => m.type === "leave"));
  assertFalse(bob!.got.some((m) => m.type === "leave"));
  assertFalse(hub.leave(ana!, "closed"));
  assert(hub.register(fake(), "ana").ok);
});

// --- Language --------------------------------------------------------------

Deno.test("Hub answers a Portuguese member in Portuguese", () => {
  const { hub } = setup();
  const bia = fake("pt");
  hub.register(bia, "bia");
  const [ana] = members(hub, "ana");
  bia.got.length = 0;

  hub.input(bia, "/help");
  assertEquals(last(bia), {
    type: "info",
    code: "help",
    text: STRINGS.pt.help,
  });
  assertStringIncludes(STRINGS.pt.help, "Comandos:");

  hub.input(bia, "/dance");
  assertEquals(
    lastError(bia, "unknown_command"),
    "Comando desconhecido /dance; digite /help para ver a lista",
  );
  hub.input(bia, "/msg zed oi");
  assertEquals(
    lastError(bia, "unknown_user"),
    'Não há ninguém chamado "zed" online; veja /who',
  );
  hub.input(bia, "/reply oi");
  assertEquals(lastError(bia, "no_reply"), STRINGS.pt.noOneToReply);
  hub.input(bia, "/nick ana");
  assertEquals(lastError(bia, "name_taken"), 'O nome "ana" já está em uso');
  hub.input(bia, "/msg");
  assertEquals(lastError(bia, "usage"), "Uso: /msg <name> <text>");

  hub.input(ana!, "/help");
  assertEquals(last(ana!), {
    type: "info",
    code: "help",
    text: STRINGS.en.help,
  });
});

Deno.test("Hub tells a Portuguese member to slow down in Portuguese", () => {
  const { hub } = setup();
  const bia = fake("pt");
  hub.register(bia, "bia");
  for (let i = 0; i < 21; i++) hub.input(bia, `oi ${i}`);
  assertEquals(lastError(bia, "slow_down"), STRINGS.pt.slowDown);
});

Deno.test("Hub tells a Portuguese member how many lines were refused in Portuguese", () => {
  const { hub, clock } = setup();
  const bia = fake("pt");
  hub.register(bia, "bia");
  for (let i = 0; i < 23; i++) hub.input(bia, `oi ${i}`);
  clock.advance(200);
  hub.input(bia, "desculpe");
  assertEquals(lastError(bia, "slow_down"), STRINGS.pt.dropped(3));
  assertEquals(
    STRINGS.pt.dropped(3),
    "3 mensagens não foram enviadas: você estava enviando rápido demais",
  );
});

Deno.test("Hub says bye to a Portuguese quitter in Portuguese", () => {
  const { hub } = setup();
  const bia = fake("pt");
  hub.register(bia, "bia");
  hub.input(bia, "/sair tchau");
  assertEquals(last(bia), {
    type: "bye",
    reason: "quit",
    text: STRINGS.pt.bye("quit"),
  });
});

// --- Log events ------------------------------------------------------------

Deno.test("Hub reports joins and leaves with the member's label", () => {
  const { hub, events } = setup();
  const ana = fake("en", "10.0.0.7:5555");
  hub.register(ana, "ana");
  hub.leave(ana, "timeout");
  assertEquals(events, [
    { kind: "join", name: "ana", label: "10.0.0.7:5555" },
    { kind: "leave", name: "ana", label: "10.0.0.7:5555", reason: "timeout" },
  ]);
});

// --- apply(): decoded commands -------------------------------------------

Deno.test("Hub.apply() carries out a decoded command as input() does the typed line", () => {
  const { hub, clock } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  hub.apply(ana!, { kind: "me", text: "waves" });
  hub.apply(ana!, { kind: "msg", to: "BOB", text: "psst" });
  hub.apply(bob!, { kind: "reply", text: "hi" });
  assertEquals(bob!.got, [
    {
      type: "message",
      room: "#general",
      from: "ana",
      text: "waves",
      time: clock.t,
      action: true,
      id: 1,
    },
    { type: "private", from: "ana", to: "bob", text: "psst", time: clock.t },
    { type: "private", from: "bob", to: "ana", text: "hi", time: clock.t },
  ]);
  hub.apply(ana!, { kind: "quit", reason: "bye" });
  assertFalse(hub.has(ana!));
  assertEquals(ana!.closed, [{ reason: "quit", detail: "bye" }]);
});

Deno.test("Hub.apply() takes from the same flood bucket as input()", () => {
  const { hub } = setup();
  const [ana, bob] = members(hub, "ana", "bob");
  for (let i = 0; i < 10; i++) hub.input(ana!, `typed ${i}`);
  for (let i = 0; i < 10; i++) hub.apply(ana!, { kind: "say", text: `${i}` });
  assertEquals(bob!.got.length, 20);
  hub.apply(ana!, { kind: "who" });
  lastError(ana!, "slow_down");
});

Deno.test("Hub.input() spends no token on a blank line", () => {
  const { hub } = setup({ rateLimit: { rate: 1, burst: 1 } });
  const [ana, bob] = members(hub, "ana", "bob");
  for (let i = 0; i < 5; i++) hub.input(ana!, "   ");
  hub.input(ana!, "still allowed");
  assertEquals(bob!.got.length, 1);
  assertEquals(ana!.got, []);
});

Deno.test("Hub.apply() ignores a command from someone who is not a member", () => {
  const { hub } = setup();
  const [bob] = members(hub, "bob");
  const stranger = fake();
  hub.apply(stranger, { kind: "say", text: "hello" });
  hub.apply(stranger, { kind: "quit" });
  assertEquals(bob!.got, []);
  assertEquals(stranger.got, []);
  assertEquals(stranger.closed, []);
});

// --- One message object per broadcast --------------------------------------

Deno.test("Hub hands every recipient the same message object", () => {
  const { hub } = setup();
  const [ana, bob, carol] = members(hub, "ana", "bob", "carol");
  hub.input(ana!, "hello");
  hub.input(ana!, "/nick anabela");
  hub.register(fake(), "dan");
  hub.leave(ana!, "closed");
  assertEquals(bob!.got.length, 4);
  for (let i = 0; i < 4; i++) {
    assertStrictEquals(bob!.got[i], carol!.got[i], bob!.got[i]?.type);
  }
  assertStrictEquals(ana!.got[0], bob!.got[1], "the rename, to its author too");
});

// --- The history store -----------------------------------------------------

Deno.test("Hub keeps public lines in the given store and shows historySize of them", () => {
  const store = new MemoryStore();
  const { hub, clock } = setup({ store, historySize: 2 });
  const [ana] = members(hub, "ana");
  for (const text of ["1", "2", "3"]) hub.input(ana!, text);
  hub.input(ana!, "/msg ana nobody else");
  assertEquals(store.recent("#general", 10).map((s) => s.line.text), [
    "1",
    "2",
    "3",
  ]);
  const late = fake();
  hub.register(late, "late");
  const welcome = late.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.history, [
    { from: "ana", text: "2", time: clock.t, id: 2 },
    { from: "ana", text: "3", time: clock.t, id: 3 },
  ]);
  assertEquals(Object.keys(welcome.history[0]!), [
    "from",
    "text",
    "time",
    "id",
  ]);
});

Deno.test("Hub tells a newcomer the longest line the server takes, when it was given one", () => {
  const { hub } = setup({ maxLineBytes: 4096 });
  const ana = fake();
  assert(hub.register(ana, "ana").ok);
  const welcome = ana.got.find((m) => m.type === "welcome");
  assertEquals(welcome?.type === "welcome" && welcome.maxLineBytes, 4096);
  const plain = setup().hub;
  const bob = fake();
  assert(plain.register(bob, "bob").ok);
  const other = bob.got.find((m) => m.type === "welcome");
  assertEquals(other?.type === "welcome" && "maxLineBytes" in other, false);
});
