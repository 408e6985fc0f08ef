// Checks the rooms of src/hub/hub.ts with fake members that record what they
// receive: joining and creating rooms (the first member is the operator),
// the current room, parting, rooms that go when deserted, fan-out per room
// (a message to #a costs nothing for members only in #b), renames and quits
// told once to each member who shares a room, keys, operators, kicks, bans by
// name and address, topics and their lock, server operators, the caps on
// rooms, room names by their look, and what the log hears (never a secret).

import {
  assert,
  assertEquals,
  assertFalse,
  assertStrictEquals,
} from "@std/assert";
import type {
  Lang,
  LeaveReason,
  ServerMessage,
} from "../../src/protocol/messages.ts";
import { Hub, type HubEvent, type HubOptions } from "../../src/hub/hub.ts";
import type { Member } from "../../src/hub/member.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";
import { sanitizeText } from "../../src/protocol/sanitize.ts";

interface FakeMember extends Member {
  got: ServerMessage[];
  closed: LeaveReason[];
}

function fake(address = "10.0.0.1", lang: Lang = "en"): FakeMember {
  const got: ServerMessage[] = [];
  const closed: LeaveReason[] = [];
  return {
    name: "",
    room: null,
    lang,
    label: `${address}:40000`,
    address,
    got,
    closed,
    deliver(message) {
      got.push(message);
    },
    close(reason) {
      closed.push(reason);
    },
  };
}

const T = 1_700_000_000_000;

interface World {
  hub: Hub;
  events: HubEvent[];
  /** Joins a member from its own address (or `address`), forgetting what it got. */
  join(name: string, address?: string): FakeMember;
}

function world(options: HubOptions = {}): World {
  const events: HubEvent[] = [];
  const hub = new Hub({
    now: () => T,
    rateLimit: null,
    onEvent: (event) => events.push(event),
    ...options,
  });
  let next = 1;
  return {
    hub,
    events,
    join(name, address = `10.0.0.${next++}`) {
      const member = fake(address);
      assert(hub.register(member, name).ok, `${name} could not join`);
      member.got.length = 0;
      return member;
    },
  };
}

/** Sends `line` as `member` and returns what `member` got for it. */
function say(hub: Hub, member: FakeMember, line: string): ServerMessage[] {
  const before = member.got.length;
  hub.input(member, line);
  return member.got.slice(before);
}

function types(messages: ServerMessage[]): string[] {
  return messages.map((message) => message.type);
}

function errorCode(messages: ServerMessage[]): string | undefined {
  const error = messages.find((message) => message.type === "error");
  return error?.type === "error" ? error.code : undefined;
}

function clear(...members: FakeMember[]): void {
  for (const member of members) member.got.length = 0;
}

// --- Joining and creating ------------------------------------------------

Deno.test("Hub /join creates a room, makes its first member its operator and the room current", () => {
  const { hub, events, join } = world();
  const ana = join("ana");
  const bob = join("bob");
  clear(ana, bob);
  const got = say(hub, ana, "/join #games");
  assertEquals(got, [{
    type: "joined",
    room: "#games",
    members: ["ana"],
    ops: ["ana"],
    history: [],
  }]);
  assertEquals(ana.room, "#games");
  assertEquals(bob.got, [], "a room of its own: #general hears nothing");
  assertEquals(hub.roomNames(), ["#general", "#games"]);
  assertEquals(events.at(-1), {
    kind: "room_join",
    room: "#games",
    name: "ana",
    label: ana.label,
  });
});

Deno.test("Hub tells a room's members of a newcomer, and the newcomer who is there", () => {
  const { hub, join } = world();
  const [ana, bob, cid] = [join("ana"), join("bob"), join("cid")];
  hub.input(ana, "/join #games");
  clear(ana, bob, cid);
  assertEquals(say(hub, bob, "/join games"), [{
    type: "joined",
    room: "#games",
    members: ["ana", "bob"],
    ops: ["ana"],
    history: [],
  }]);
  assertEquals(ana.got, [{
    type: "join",
    room: "#games",
    name: "bob",
    time: T,
  }]);
  assertEquals(cid.got, []);
});

Deno.test("Hub places every newcomer in the default room, which has no operators", () => {
  const { hub, join } = world({ defaultRoom: "#lobby" });
  const ana = join("ana");
  const bob = fake();
  hub.register(bob, "bob");
  const welcome = bob.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.room, "#lobby");
  assertEquals(welcome.members, ["ana", "bob"]);
  assertEquals(welcome.ops, []);
  assertEquals(ana.got, [{
    type: "join",
    room: "#lobby",
    name: "bob",
    time: T,
    arrived: true,
  }]);
  assertEquals(hub.roomNames(), ["#lobby"]);
});

Deno.test("Hub /join of a room you are in makes it current again", () => {
  const { hub, join } = world();
  const ana = join("ana");
  hub.input(ana, "/join #games");
  assertEquals(say(hub, ana, "/join #general"), [{
    type: "current",
    room: "#general",
  }]);
  assertEquals(ana.room, "#general");
  assertEquals(say(hub, ana, "/join #GAMES"), [{
    type: "current",
    room: "#games",
  }]);
});

Deno.test("Hub refuses room names that break the rules, and says why", () => {
  const { hub, join } = world();
  const ana = join("ana");
  for (
    const name of [
      "#",
      "#a b",
      "games",
      `#${"x".repeat(33)}`,
      "#x.",
      "#--",
      "#g\u0430mes", // a Cyrillic а among Latin letters
      "#\u202egames",
      "#\x1b[31mred",
      "##",
    ]
  ) {
    // As a native join names it: typed, "#a b" is #a with the key b.
    const before = ana.got.length;
    hub.apply(ana, { kind: "join", room: name });
    const got = ana.got.slice(before);
    assertEquals(errorCode(got), "bad_room_name", name);
    const text = got[0]?.type === "error" ? got[0].text : "";
    assertEquals(sanitizeText(text), text, JSON.stringify(text));
  }
  assertEquals(hub.roomNames(), ["#general"]);
  assertEquals(ana.room, "#general");
});

Deno.test("Hub takes a room name in another case or in look-alike letters for the room that exists", () => {
  const { hub, join } = world();
  const [ana, bob, cid] = [join("ana"), join("bob"), join("cid")];
  hub.input(ana, "/join #Games");
  hub.input(bob, "/join #GAMES");
  hub.input(cid, "/join #\u0262ames"); // small capital ɢ
  assertEquals(hub.roomNames(), ["#general", "#Games"]);
  for (const member of [ana, bob, cid]) assertEquals(member.room, "#Games");
});

// --- Fan-out per room ------------------------------------------------------

Deno.test("Hub sends a message to its room only: members only in another room get nothing", () => {
  const { hub, join } = world();
  const a = [join("a1"), join("a2"), join("a3")];
  const b = [join("b1"), join("b2")];
  for (const member of a) hub.input(member, "/join #a");
  for (const member of b) hub.input(member, "/join #b");
  // Everyone leaves #general, so only #a and #b share nobody.
  for (const member of [...a, ...b]) hub.input(member, "/part #general");
  clear(...a, ...b);
  for (let i = 0; i < 10; i++) hub.input(a[0]!, `line ${i}`);
  assertEquals(a[1]!.got.length, 10);
  assertEquals(a[2]!.got.length, 10);
  assertEquals(a[0]!.got.length, 0, "not echoed to its sender");
  for (const member of b) assertEquals(member.got, [], member.name);
  const message = a[1]!.got[0];
  assert(message?.type === "message");
  assertEquals(message.room, "#a");
  assertStrictEquals(a[1]!.got[0], a[2]!.got[0], "one object per broadcast");
});

Deno.test("Hub sends a line to the room it was sent to, else to the current room", () => {
  const { hub, join } = world();
  const [ana, bob] = [join("ana"), join("bob")];
  hub.input(ana, "/join #games");
  clear(ana, bob);
  hub.input(ana, "to #games");
  hub.input(ana, "to #general", { room: "#general" });
  assertEquals(bob.got, [{
    type: "message",
    room: "#general",
    from: "ana",
    text: "to #general",
    time: T,
    id: 2,
  }]);
  assertEquals(
    errorCode(say(hub, bob, "nope")),
    undefined,
    "bob's current room is #general",
  );
  const refused = (() => {
    const before = bob.got.length;
    hub.input(bob, "gg", { room: "#games" });
    return bob.got.slice(before);
  })();
  assertEquals(errorCode(refused), "not_in_room");
  hub.input(bob, "gg", { room: "#nowhere" });
  assertEquals(errorCode(bob.got.slice(-1)), "no_such_room");
});

Deno.test("Hub tells a member in several rooms of a rename once, and each member who shares a room once", () => {
  const { hub, join } = world();
  const [ana, both, onlyA, onlyB, none] = [
    join("ana"),
    join("both"),
    join("onlya"),
    join("onlyb"),
    join("none"),
  ];
  for (const member of [ana, both, onlyA]) hub.input(member, "/join #a");
  for (const member of [ana, both, onlyB]) hub.input(member, "/join #b");
  for (const member of [ana, both, onlyA, onlyB, none]) {
    hub.input(member, "/part #general");
  }
  clear(ana, both, onlyA, onlyB, none);
  hub.input(ana, "/nick anabela");
  const rename: ServerMessage = {
    type: "rename",
    from: "ana",
    to: "anabela",
    time: T,
  };
  for (const member of [ana, both, onlyA, onlyB]) {
    assertEquals(member.got, [rename], member.name);
  }
  assertEquals(none.got, [], "shares no room");
  clear(ana, both, onlyA, onlyB, none);
  hub.leave(ana, "quit");
  for (const member of [both, onlyA, onlyB]) {
    assertEquals(types(member.got), ["leave"], member.name);
  }
  assertEquals(none.got, []);
});

Deno.test("Hub tells a member in no room of its own rename", () => {
  const { hub, join } = world();
  const ana = join("ana");
  hub.input(ana, "/part");
  clear(ana);
  hub.input(ana, "/nick anabela");
  assertEquals(types(ana.got), ["rename"]);
});

// --- Parting and the current room -----------------------------------------

Deno.test("Hub /part tells the room with the reason, and moves the parter to its last room", () => {
  const { hub, events, join } = world();
  const [ana, bob] = [join("ana"), join("bob")];
  hub.input(ana, "/join #games");
  hub.input(bob, "/join #games");
  clear(ana, bob);
  const got = say(hub, ana, "/part #games  off to lunch ");
  assertEquals(got, [
    { type: "parted", room: "#games" },
    { type: "current", room: "#general" },
  ]);
  assertEquals(bob.got, [{
    type: "part",
    room: "#games",
    name: "ana",
    reason: "off to lunch",
    time: T,
  }]);
  assertEquals(events.at(-1), {
    kind: "room_part",
    room: "#games",
    name: "ana",
    label: ana.label,
    reason: "off to lunch",
  });
  assertEquals(errorCode(say(hub, ana, "/part #games")), "not_in_room");
});

Deno.test("Hub /part of another room keeps the current one; /part of the last leaves you in none", () => {
  const { hub, join } = world();
  const ana = join("ana");
  hub.input(ana, "/join #games");
  hub.input(ana, "/switch #general");
  assertEquals(say(hub, ana, "/leave #games"), [{
    type: "parted",
    room: "#games",
  }]);
  assertEquals(ana.room, "#general");
  assertEquals(say(hub, ana, "/part"), [
    { type: "parted", room: "#general" },
    { type: "current", room: null },
  ]);
  assertEquals(errorCode(say(hub, ana, "hello?")), "no_room");
  assertEquals(errorCode(say(hub, ana, "/who")), "no_room");
  assertEquals(types(say(hub, ana, "/who #general")), ["members"]);
});

Deno.test("Hub /switch changes the current room among yours only", () => {
  const { hub, join } = world();
  const ana = join("ana");
  hub.input(ana, "/join #games");
  assertEquals(say(hub, ana, "/go general"), [{
    type: "current",
    room: "#general",
  }]);
  hub.input(join("bob"), "/join #other");
  assertEquals(errorCode(say(hub, ana, "/switch #other")), "not_in_room");
  assertEquals(errorCode(say(hub, ana, "/switch #missing")), "no_such_room");
  assertEquals(ana.room, "#general");
});

Deno.test("Hub removes a room when its last member leaves, unless it has a topic or a key", () => {
  const { hub, join } = world();
  const ana = join("ana");
  hub.input(ana, "/join #gone");
  hub.input(ana, "/join #kept");
  hub.input(ana, "/topic we stay");
  hub.input(ana, "/join #locked");
  hub.input(ana, "/key s3cret");
  hub.input(ana, "/part #gone");
  hub.input(ana, "/part #kept");
  hub.input(ana, "/part #locked");
  assertEquals(hub.roomNames(), ["#general", "#kept", "#locked"]);
  hub.input(ana, "/part #general");
  assertEquals(hub.roomNames(), ["#general", "#kept", "#locked"]);
  const bob = join("bob");
  hub.leave(ana, "quit");
  hub.input(bob, "/join #kept");
  assertEquals(bob.got.at(-1), {
    type: "joined",
    room: "#kept",
    members: ["bob"],
    ops: ["bob"],
    topic: { text: "we stay", by: "ana", time: T },
    history: [],
  });
  hub.input(bob, "/topic -delete");
  hub.input(bob, "/part");
  assertEquals(hub.roomNames(), ["#general", "#locked"]);
});

Deno.test("Hub forgets the history of a room that goes", () => {
  const store = new MemoryStore();
  const { hub, join } = world({ store });
  const ana = join("ana");
  hub.input(ana, "/join #gone");
  hub.input(ana, "said in #gone");
  assertEquals(store.recent("#gone", 10).length, 1);
  hub.input(ana, "/part #gone");
  assertEquals(store.recent("#gone", 10), []);
  hub.input(ana, "/join #gone");
  assertEquals(ana.got.at(-1)?.type === "joined" && ana.got.at(-1), {
    type: "joined",
    room: "#gone",
    members: ["ana"],
    ops: ["ana"],
    history: [],
  });
});

Deno.test("Hub shows a newcomer the history of the room it joins, and of no other", () => {
  const { hub, join } = world();
  const ana = join("ana");
  hub.input(ana, "in general");
  hub.input(ana, "/join #games");
  hub.input(ana, "in games");
  const bob = join("bob");
  hub.input(bob, "/join #games");
  const joined = bob.got.at(-1);
  assert(joined?.type === "joined");
  assertEquals(joined.history.map((line) => line.text), ["in games"]);
});

// --- Keys -----------------------------------------------------------------

Deno.test("Hub lets an operator set a key that joining then needs, and never shows it", () => {
  const { hub, events, join } = world();
  const [ana, bob] = [join("ana"), join("bob")];
  hub.input(ana, "/join #vault");
  clear(ana, bob);
  hub.input(ana, "/key hunter2");
  assertEquals(ana.got, [{
    type: "mode",
    room: "#vault",
    by: "ana",
    change: "+k",
    time: T,
  }]);
  assertEquals(errorCode(say(hub, bob, "/join #vault")), "key_needed");
  assertEquals(errorCode(say(hub, bob, "/join #vault hunter3")), "bad_key");
  assertEquals(errorCode(say(hub, bob, "/join #vault hunter")), "bad_key");
  assertEquals(types(say(hub, bob, "/join #vault hunter2")), ["joined"]);
  const joined = bob.got.find((message) => message.type === "joined");
  assert(joined?.type === "joined" && joined.key === true);
  hub.input(ana, "/key");
  assertEquals(ana.got.at(-1), {
    type: "mode",
    room: "#vault",
    by: "ana",
    change: "-k",
    time: T,
  });
  const everything = JSON.stringify([ana.got, bob.got, events]);
  assertFalse(everything.includes("hunter"), everything);
});

Deno.test("Hub refuses /key from a member who is not an operator, and keys with spaces or controls", () => {
  const { hub, join } = world();
  const [ana, bob] = [join("ana"), join("bob")];
  hub.input(ana, "/join #vault");
  hub.input(bob, "/join #vault");
  assertEquals(errorCode(say(hub, bob, "/key mine")), "not_op");
  assertEquals(errorCode(say(hub, ana, "/key two words")), "bad_key_format");
  assertEquals(
    errorCode(say(hub, ana, `/key ${"k".repeat(65)}`)),
    "bad_key_format",
  );
  assertEquals(errorCode(say(hub, ana, "/key a\x07b")), "bad_key_format");
  assertEquals(errorCode(say(hub, ana, "/key")), "unchanged");
  assertEquals(errorCode(say(hub, bob, "/key")), "not_op");
});

// --- Operators --------------------------------------------------------------

Deno.test("Hub lets an operator make and unmake operators, shown in member lists", () => {
  const { hub, join } = world();
  const [ana, bob, cid] = [join("ana"), join("bob"), join("cid")];
  for (const member of [ana, bob, cid]) hub.input(member, "/join #games");
  clear(ana, bob, cid);
  assertEquals(errorCode(say(hub, bob, "/op cid")), "not_op");
  clear(bob);
  hub.input(ana, "/op BOB");
  const mode: ServerMessage = {
    type: "mode",
    room: "#games",
    by: "ana",
    change: "+o",
    target: "bob",
    time: T,
  };
  for (const member of [ana, bob, cid]) assertEquals(member.got, [mode]);
  assertEquals(say(hub, cid, "/who"), [{
    type: "members",
    room: "#games",
    names: ["ana", "bob", "cid"],
    ops: ["ana", "bob"],
  }]);
  assertEquals(errorCode(say(hub, ana, "/op bob")), "unchanged");
  hub.input(bob, "/deop ana");
  assertEquals(ana.got.at(-1), {
    ...mode,
    by: "bob",
    change: "-o",
    target: "ana",
  });
  assertEquals(errorCode(say(hub, ana, "/op cid")), "not_op");
  assertEquals(errorCode(say(hub, bob, "/op dan")), "not_member");
  join("dan");
  assertEquals(errorCode(say(hub, bob, "/op dan")), "not_member");
});

Deno.test("Hub takes operator status away with the membership", () => {
  const { hub, join } = world();
  const [ana, bob] = [join("ana"), join("bob")];
  hub.input(ana, "/join #games");
  hub.input(bob, "/join #games");
  hub.input(ana, "/part #games");
  hub.input(ana, "/join #games");
  const joined = ana.got.at(-1);
  assert(joined?.type === "joined");
  assertEquals(joined.ops, [], "the room still had bob: not a new room");
  assertEquals(errorCode(say(hub, ana, "/kick bob")), "not_op");
});

// --- Kicks -------------------------------------------------------------------

Deno.test("Hub /kick tells the room and the one kicked, and puts it out at once", () => {
  const { hub, events, join } = world();
  const [ana, bob, cid] = [join("ana"), join("bob"), join("cid")];
  for (const member of [ana, bob, cid]) hub.input(member, "/join #games");
  clear(ana, bob, cid);
  hub.input(ana, "/kick bob  spamming ");
  const kick: ServerMessage = {
    type: "kick",
    room: "#games",
    name: "bob",
    by: "ana",
    reason: "spamming",
    time: T,
  };
  assertEquals(ana.got, [kick]);
  assertEquals(cid.got, [kick]);
  assertEquals(bob.got, [kick, { type: "current", room: "#general" }]);
  assertEquals(events.at(-1), {
    kind: "kick",
    room: "#games",
    name: "bob",
    by: "ana",
    label: ana.label,
    reason: "spamming",
  });
  clear(ana, bob, cid);
  // Its next line to the room is refused, and goes to nobody there.
  hub.input(bob, "still here?", { room: "#games" });
  assertEquals(errorCode(bob.got), "not_in_room");
  assertEquals(ana.got, []);
  assertEquals(cid.got, []);
  assertEquals(errorCode(say(hub, ana, "/kick bob")), "not_member");
  assertEquals(errorCode(say(hub, cid, "/kick ana")), "not_op");
  // Kicked is not banned: it may come back.
  assertEquals(types(say(hub, bob, "/join #games")), ["joined"]);
});

// --- Bans -------------------------------------------------------------------

Deno.test("Hub /ban puts the member out and keeps its name and its address out of the room", () => {
  const { hub, events, join } = world();
  const ana = join("ana", "10.0.0.1");
  const eve = join("eve", "10.6.6.6");
  const cid = join("cid", "10.0.0.3");
  for (const member of [ana, eve, cid]) hub.input(member, "/join #games");
  clear(ana, eve, cid);
  hub.input(ana, "/ban eve");
  assertEquals(types(cid.got), ["mode", "kick"]);
  assertEquals(cid.got[0], {
    type: "mode",
    room: "#games",
    by: "ana",
    change: "+b",
    target: "eve",
    time: T,
  });
  assertEquals(types(eve.got), ["mode", "kick", "current"]);
  assertEquals(errorCode(say(hub, eve, "/join #games")), "banned");
  assertEquals(errorCode(say(hub, ana, "/ban eve")), "unchanged");
  // Under another name, from the same address.
  hub.input(eve, "/nick mallory");
  assertEquals(errorCode(say(hub, eve, "/join #games")), "banned");
  const again = join("trudy", "10.6.6.6");
  assertEquals(errorCode(say(hub, again, "/join #games")), "banned");
  // The same name from elsewhere, even in look-alike letters.
  const other = join("\u1d07\u1d20\u1d07", "10.9.9.9"); // ᴇᴠᴇ
  assertEquals(errorCode(say(hub, other, "/join #games")), "banned");
  // Someone else from elsewhere is welcome.
  assertEquals(types(say(hub, join("dan", "10.0.0.4"), "/join #games")), [
    "joined",
  ]);
  assertEquals(say(hub, ana, "/ban"), [{
    type: "info",
    code: "bans",
    text: STRINGS.en.banList("#games", ["eve"]),
  }]);
  hub.input(ana, "/unban EVE");
  assertEquals(ana.got.at(-1), {
    type: "mode",
    room: "#games",
    by: "ana",
    change: "-b",
    target: "eve",
    time: T,
  });
  assertEquals(types(say(hub, again, "/join #games")), ["joined"]);
  assertEquals(errorCode(say(hub, ana, "/unban eve")), "not_banned");
  assert(
    events.some((event) =>
      event.kind === "mode" && event.change === "+b" && event.target === "eve"
    ),
  );
  // The log names who banned, from where; never the banned address.
  const bans = events.filter((event) =>
    event.kind === "mode" || event.kind === "kick"
  );
  assertFalse(JSON.stringify(bans).includes("10.6.6.6"), "no address logged");
});

Deno.test("Hub /ban of a name not online bans the name only", () => {
  const { hub, join } = world();
  const ana = join("ana");
  hub.input(ana, "/join #games");
  hub.input(ana, "/ban ghost");
  assertEquals(ana.got.at(-1)?.type, "mode");
  assertEquals(errorCode(say(hub, ana, "/ban no such name")), undefined);
  const ghost = join("ghost");
  assertEquals(errorCode(say(hub, ghost, "/join #games")), "banned");
  hub.input(ghost, "/nick spirit");
  assertEquals(types(say(hub, ghost, "/join #games")), ["joined"]);
  assertEquals(errorCode(say(hub, ana, "/ban a b")), undefined, "bans a");
  assertEquals(errorCode(say(hub, ana, "/ban b@d")), "not_member");
});

Deno.test("Hub keeps a member banned from the default room out of it, but on the server", () => {
  const { hub, join } = world({ operPassword: "op" });
  const root = join("root1");
  hub.input(root, "/oper op");
  hub.input(root, "/ban eve", { room: "#general" });
  const eve = fake("10.6.6.6");
  assert(hub.register(eve, "eve").ok);
  const welcome = eve.got[0];
  assert(welcome?.type === "welcome");
  assertEquals(welcome.room, null);
  assertEquals(welcome.members, []);
  assertEquals(errorCode(eve.got), "banned");
  assertEquals(eve.room, null);
  assertEquals(types(say(hub, eve, "/join #elsewhere")), ["joined"]);
});

// --- Topics -------------------------------------------------------------------

Deno.test("Hub /topic shows, sets and clears a room's topic, sanitised and clipped", () => {
  const { hub, events, join } = world();
  const [ana, bob] = [join("ana"), join("bob")];
  assertEquals(say(hub, ana, "/topic"), [{
    type: "info",
    code: "no_topic",
    text: STRINGS.en.noTopic("#general"),
  }]);
  clear(bob);
  hub.input(ana, "/topic \x1b[2Jlunch \u202eat 1");
  const topic: ServerMessage = {
    type: "topic",
    room: "#general",
    text: "lunch at 1",
    by: "ana",
    time: T,
  };
  assertEquals(ana.got.at(-1), topic);
  assertEquals(bob.got, [topic]);
  assertEquals(say(hub, bob, "/topic"), [{ ...topic, asked: true }]);
  assertEquals(events.at(-1), {
    kind: "topic",
    room: "#general",
    by: "ana",
    label: ana.label,
    text: "lunch at 1",
  });
  hub.input(ana, `/topic ${"t".repeat(400)}`);
  const long = ana.got.at(-1);
  assert(long?.type === "topic");
  assertEquals([...long.text].length, 301, "300 characters and …");
  hub.input(bob, "/topic -delete");
  assertEquals(bob.got.at(-1), { ...topic, text: "", by: "bob" });
  assertEquals(errorCode(say(hub, bob, "/topic -delete")), "unchanged");
});

Deno.test("Hub /topic-lock lets only operators set the topic", () => {
  const { hub, join } = world();
  const [ana, bob] = [join("ana"), join("bob")];
  hub.input(ana, "/join #games");
  hub.input(bob, "/join #games");
  assertEquals(errorCode(say(hub, bob, "/topic-lock")), "not_op");
  hub.input(ana, "/topic-lock");
  assertEquals(ana.got.at(-1), {
    type: "mode",
    room: "#games",
    by: "ana",
    change: "+t",
    time: T,
  });
  assertEquals(errorCode(say(hub, bob, "/topic mine now")), "not_op");
  assertEquals(types(say(hub, ana, "/topic ours")), ["topic"]);
  assertEquals(errorCode(say(hub, ana, "/topic-lock on")), "unchanged");
  hub.input(ana, "/topic-lock off");
  assertEquals(types(say(hub, bob, "/topic mine now")), ["topic"]);
  hub.input(join("cid"), "/join #games");
});

// --- Server operators --------------------------------------------------------

Deno.test("Hub /oper makes a server operator, who acts in every room and joins any", () => {
  const { hub, events, join } = world({ operPassword: "letmein" });
  const [ana, bob, root] = [join("ana"), join("bob"), join("rooty")];
  hub.input(ana, "/join #vault");
  hub.input(ana, "/key hunter2");
  hub.input(bob, "/join #vault hunter2");
  hub.input(ana, "/ban rooty");
  assertEquals(errorCode(say(hub, root, "/oper wrong")), "bad_password");
  assertEquals(say(hub, root, "/oper letmein"), [{
    type: "info",
    code: "oper",
    text: STRINGS.en.operGranted,
  }]);
  // Acts on a room it is not in, through a line sent to it...
  clear(ana, bob);
  hub.input(root, "/kick bob", { room: "#vault" });
  assertEquals(types(bob.got), ["kick", "current"]);
  assertEquals(types(root.got.slice(-1)), ["kick"], "told, though not in it");
  // ...and joins it past its key and its ban.
  assertEquals(types(say(hub, root, "/join #vault")), ["joined"]);
  hub.input(root, "/op rooty");
  assertEquals(root.got.at(-1)?.type, "mode", "makes itself one");
  hub.input(root, "/deop ana");
  assertEquals(ana.got.at(-1)?.type, "mode");
  assertEquals(
    events.filter((event) => event.kind === "oper"),
    [
      { kind: "oper", name: "rooty", label: root.label, granted: false },
      { kind: "oper", name: "rooty", label: root.label, granted: true },
    ],
  );
  assertFalse(JSON.stringify(events).includes("letmein"));
  assertFalse(JSON.stringify(events).includes("wrong"));
});

Deno.test("Hub refuses /oper after three wrong passwords, and without an operator password", () => {
  const { hub, join } = world({ operPassword: "letmein" });
  const eve = join("eve");
  for (let i = 0; i < 3; i++) {
    assertEquals(errorCode(say(hub, eve, `/oper guess${i}`)), "bad_password");
  }
  assertEquals(errorCode(say(hub, eve, "/oper letmein")), "bad_password");
  assertEquals(errorCode(say(hub, eve, "/kick ana")), "not_op");
  const none = world();
  assertEquals(
    errorCode(say(none.hub, none.join("ana"), "/oper x")),
    "no_oper",
  );
});

// --- Caps ---------------------------------------------------------------------

Deno.test("Hub caps the rooms one member may be in", () => {
  const { hub, join } = world({ maxRoomsPerUser: 3 });
  const ana = join("ana");
  hub.input(ana, "/join #one");
  hub.input(ana, "/join #two");
  const got = say(hub, ana, "/join #three");
  assertEquals(errorCode(got), "too_many_rooms");
  assertEquals(
    got[0]?.type === "error" && got[0].text,
    STRINGS.en.roomError("too_many_rooms", "#three", "3"),
  );
  assertEquals(hub.roomNames(), ["#general", "#one", "#two"]);
  hub.input(ana, "/part #one");
  assertEquals(types(say(hub, ana, "/join #three")), ["joined"]);
});

Deno.test("Hub caps the rooms of the server, replacing the empty room idle longest", () => {
  let now = T;
  const { hub, join } = world({ maxRooms: 3, now: () => now });
  const [ana, bob] = [join("ana"), join("bob")];
  hub.input(ana, "/join #old");
  hub.input(ana, "/topic kept while there is room");
  hub.input(ana, "/part");
  now += 1000;
  hub.input(bob, "/join #busy");
  assertEquals(hub.roomNames(), ["#general", "#old", "#busy"]);
  now += 1000;
  assertEquals(types(say(hub, ana, "/join #new")), ["joined"]);
  assertEquals(hub.roomNames(), ["#general", "#busy", "#new"]);
  // Every room has a member now: no room for another.
  assertEquals(errorCode(say(hub, ana, "/join #more")), "server_rooms_full");
  // Joining a room that exists is always possible.
  assertEquals(types(say(hub, ana, "/join #busy")), ["joined"]);
});

Deno.test("Hub with no caps lets a member into any number of rooms", () => {
  const { hub, join } = world({ maxRooms: 0, maxRoomsPerUser: 0 });
  const ana = join("ana");
  for (let i = 0; i < 50; i++) hub.input(ana, `/join #r${i}`);
  assertEquals(hub.roomNames().length, 51);
});

// --- Lists ---------------------------------------------------------------------

Deno.test("Hub /rooms lists rooms with most members first, their topics shortened, keys marked", () => {
  const { hub, join } = world();
  const [ana, bob, cid] = [join("ana"), join("bob"), join("cid")];
  hub.input(ana, "/join #games");
  hub.input(ana, `/topic ${"g".repeat(150)}`);
  hub.input(bob, "/join #games");
  hub.input(cid, "/join #vault");
  hub.input(cid, "/key k");
  const got = say(hub, cid, "/list");
  assertEquals(got.length, 1);
  const list = got[0];
  assert(list?.type === "rooms");
  assertEquals(list.total, 3);
  assertEquals(list.rooms.map((room) => [room.room, room.members]), [
    ["#general", 3],
    ["#games", 2],
    ["#vault", 1],
  ]);
  assertEquals([...list.rooms[1]!.topic!].length, 101);
  assertEquals(list.rooms[2]!.key, true);
  assertEquals(list.rooms[0]!.key, undefined);
});

Deno.test("Hub /rooms lists at most a hundred rooms, and says how many there are", () => {
  const { hub, join } = world({ maxRoomsPerUser: 0 });
  const ana = join("ana");
  for (let i = 0; i < 150; i++) hub.input(ana, `/join #r${i}`);
  const list = say(hub, ana, "/rooms")[0];
  assert(list?.type === "rooms");
  assertEquals(list.rooms.length, 100);
  assertEquals(list.total, 151);
});

// --- Native requests ----------------------------------------------------------

Deno.test("Hub carries out the native requests as their commands", () => {
  const { hub, join } = world();
  const ana = join("ana");
  hub.apply(ana, { kind: "join", room: "#games" });
  hub.apply(ana, { kind: "topic", room: "#general", text: "set from afar" });
  assertEquals(ana.room, "#games");
  hub.apply(ana, { kind: "topic", room: "#general" });
  assertEquals(ana.got.at(-1), {
    type: "topic",
    room: "#general",
    text: "set from afar",
    by: "ana",
    time: T,
    asked: true,
  });
  hub.apply(ana, { kind: "who", room: "#games" });
  assertEquals(ana.got.at(-1)?.type, "members");
  hub.apply(ana, { kind: "switch", room: "#general" });
  assertEquals(ana.room, "#general");
  hub.apply(ana, { kind: "part", room: "#games", reason: "bye" });
  assertEquals(hub.roomNames(), ["#general"]);
});

Deno.test("Hub counts room commands against the member's one flood bucket", () => {
  const hub = new Hub({ now: () => T, rateLimit: { rate: 1, burst: 5 } });
  const ana = fake();
  hub.register(ana, "ana");
  for (let i = 0; i < 5; i++) hub.input(ana, `/join #r${i}`);
  ana.got.length = 0;
  hub.input(ana, "/join #r5");
  assertEquals(errorCode(ana.got), "slow_down");
  assertEquals(hub.roomNames().length, 6);
});

Deno.test("Hub tells room errors in the member's language", () => {
  const hub = new Hub({ now: () => T, rateLimit: null });
  const ana = fake("10.0.0.1", "pt");
  hub.register(ana, "ana");
  hub.input(ana, "/switch #nada");
  assertEquals(ana.got.at(-1), {
    type: "error",
    code: "no_such_room",
    text: STRINGS.pt.roomError("no_such_room", "#nada"),
    target: "#nada",
  });
});
