import { assert, assertEquals } from "@std/assert";
import { Hub } from "../../src/hub/hub.ts";
import {
  ClaimRegistry,
  type Credential,
} from "../../src/hub/claim_registry.ts";
import type { Member } from "../../src/hub/member.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";

interface FakeMember extends Member {
  got: ServerMessage[];
  closed: boolean;
}

function fake(address = "10.0.0.1"): FakeMember {
  const member: FakeMember = {
    name: "",
    room: null,
    lang: "en",
    label: "test",
    address,
    got: [],
    closed: false,
    deliver: (message) => member.got.push(message),
    close: () => member.closed = true,
  };
  return member;
}

const ANA: Credential = { kind: "key", keyId: "ed25519:ana" };
const EVE: Credential = { kind: "key", keyId: "ed25519:eve" };

function hub(time = { now: 1000 }, open = false) {
  const now = () => time.now;
  const store = new MemoryStore({ capacity: 500 });
  return {
    time,
    store,
    hub: new Hub({
      now,
      store,
      rateLimit: null,
      catchUp: 3,
      claims: new ClaimRegistry({ now, open, passwordCost: 1024 }),
    }),
  };
}

// The code of the last info or error a member got.
function codeOf(member: FakeMember): string | undefined {
  const last = member.got.at(-1);
  return last?.type === "info" || last?.type === "error"
    ? last.code
    : undefined;
}

// Lets the password checks (scrypt, off the main thread) finish.
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 2));
}

Deno.test("Hub.register() refuses a name claimed by another key as registered, with no key too", () => {
  const { hub: chat } = hub();
  const ana = fake();
  assert(chat.register(ana, "ana", { credential: ANA }).ok);
  chat.leave(ana, "quit");
  assertEquals(chat.register(fake(), "Ana", { credential: EVE }), {
    ok: false,
    code: "registered",
    name: "Ana",
  });
  assertEquals(chat.register(fake(), "ana"), {
    ok: false,
    code: "registered",
    name: "ana",
  });
  assert(chat.register(fake(), "ana", { credential: ANA }).ok);
});

Deno.test("Hub: --open-names lets anyone take any free name", () => {
  const { hub: chat } = hub({ now: 0 }, true);
  const ana = fake();
  chat.register(ana, "ana", { credential: ANA });
  chat.leave(ana, "quit");
  assert(chat.register(fake(), "ana", { credential: EVE }).ok);
});

Deno.test("Hub: /nick to a name another key holds is refused as registered", () => {
  const { hub: chat } = hub();
  const ana = fake();
  chat.register(ana, "ana", { credential: ANA });
  chat.leave(ana, "quit");
  const eve = fake();
  chat.register(eve, "eve", { credential: EVE });
  chat.input(eve, "/nick ana");
  assertEquals(eve.got.at(-1)?.type === "error" && eve.got.at(-1), {
    type: "error",
    code: "name_registered",
    text: 'The name "ana" is registered to another key',
  });
  assertEquals(eve.name, "eve");
});

Deno.test("Hub: a claimed name coming back is put back in its rooms, current last, with what was said since it left", () => {
  const { hub: chat, time } = hub();
  const ana = fake();
  const bob = fake("10.0.0.2");
  chat.register(bob, "bob");
  chat.register(ana, "ana", { credential: ANA });
  chat.input(bob, "/join #games");
  chat.input(bob, "/topic games stay");
  chat.input(ana, "/join #games");
  chat.input(ana, "/join #books");
  chat.input(ana, "/switch #games");
  chat.input(bob, "before");
  time.now += 10;
  chat.input(ana, "/quit");
  time.now += 10;
  for (const text of ["one", "two", "three", "four"]) {
    chat.input(bob, text);
    time.now += 1;
  }
  chat.input(bob, "/switch #general");
  chat.input(bob, "in general");
  const back = fake();
  assert(chat.register(back, "ana", { credential: ANA }).ok);
  const types = back.got.map((message) => message.type);
  assertEquals(types, [
    "welcome",
    "catch_up",
    "joined",
    "joined",
    "catch_up",
  ]);
  const welcome = back.got[0] as Extract<ServerMessage, { type: "welcome" }>;
  assertEquals(welcome.history.map((line) => line.text), []);
  const caught = back.got.filter((message) => message.type === "catch_up");
  assertEquals(
    caught.map((message) => [
      message.room,
      message.lines.map((line) => line.text),
    ]),
    [
      ["#general", ["in general"]],
      // At most catchUp (3) lines: the newest.
      ["#games", ["two", "three", "four"]],
    ],
  );
  const games = back.got.find((message) =>
    message.type === "joined" && message.room === "#games"
  ) as Extract<ServerMessage, { type: "joined" }>;
  // The room's history holds what was said before it left, not after.
  assertEquals(games.history.map((line) => line.text), ["before"]);
  assertEquals(back.room, "#games");
  assertEquals(caught[1]!.type === "catch_up" && caught[1]!.since, 1010);
});

Deno.test("Hub: a room that now needs a key is not joined on coming back", () => {
  const { hub: chat } = hub();
  const ana = fake();
  const bob = fake("10.0.0.2");
  chat.register(bob, "bob");
  chat.register(ana, "ana", { credential: ANA });
  chat.input(bob, "/join #secret");
  chat.input(ana, "/join #secret");
  chat.leave(ana, "closed");
  chat.input(bob, "/key hush");
  const back = fake();
  chat.register(back, "ana", { credential: ANA });
  assertEquals(back.got.some((message) => message.type === "joined"), false);
  assertEquals(back.got.some((message) => message.type === "error"), false);
});

Deno.test("Hub: the rooms of members online at shutdown are kept for when they come back", () => {
  const store = new MemoryStore();
  const claims = () => new ClaimRegistry({ store, now: () => 0 });
  const first = new Hub({ now: () => 0, claims: claims() });
  const ana = fake();
  first.register(ana, "ana", { credential: ANA });
  first.input(ana, "/join #games");
  first.shutdown();
  const second = new Hub({ now: () => 0, claims: claims() });
  const back = fake();
  second.register(back, "ana", { credential: ANA });
  assertEquals(back.room, "#games");
});

Deno.test("Hub: /register claims the name with a password; /identify proves it after /nick", async () => {
  const { hub: chat } = hub();
  const bob = fake();
  chat.register(bob, "bob");
  chat.input(bob, "/register hunter2");
  await settle();
  assertEquals(codeOf(bob), "registered");
  chat.leave(bob, "quit");
  const other = fake();
  chat.register(other, "guest");
  chat.input(other, "/nick bob");
  assertEquals(other.got.at(-1), {
    type: "error",
    code: "name_registered",
    text: 'The name "bob" is registered: /identify <password> if it is yours',
  });
  chat.input(other, "/identify hunter3");
  await settle();
  assertEquals(codeOf(other), "bad_password");
  assertEquals(other.name, "guest");
  chat.input(other, "/identify hunter2");
  await settle();
  assertEquals(other.name, "bob");
});

Deno.test("Hub: /identify with nothing asked for, and /register with open names, say why", async () => {
  const { hub: chat } = hub({ now: 0 }, true);
  const ana = fake();
  chat.register(ana, "ana");
  chat.input(ana, "/identify pw");
  assertEquals(codeOf(ana), "nothing_to_identify");
  chat.input(ana, "/register pw");
  await settle();
  assertEquals(codeOf(ana), "claims_off");
});

Deno.test("Hub: /history after coming back pages back from the oldest line shown, the catch-up's when the replay is empty", () => {
  const { hub: chat, time } = hub();
  const ana = fake();
  const bob = fake("10.0.0.2");
  chat.register(bob, "bob");
  chat.register(ana, "ana", { credential: ANA });
  chat.input(ana, "/quit");
  time.now += 10;
  for (const text of ["one", "two", "three", "four", "five"]) {
    chat.input(bob, text);
  }
  const back = fake();
  chat.register(back, "ana", { credential: ANA });
  const welcome = back.got[0] as Extract<ServerMessage, { type: "welcome" }>;
  assertEquals(welcome.history, []);
  const caught = back.got.find((message) => message.type === "catch_up");
  assert(caught?.type === "catch_up");
  // At most catchUp (3), with the store's ids.
  assertEquals(caught.lines.map((line) => line.text), [
    "three",
    "four",
    "five",
  ]);
  assert(caught.lines.every((line) => typeof line.id === "number"));
  chat.input(back, "/history");
  const older = back.got.at(-1);
  assert(older?.type === "history");
  assertEquals(older.lines.map((line) => line.text), ["one", "two"]);
  assertEquals(older.more, false);
});
