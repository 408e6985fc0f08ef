// Checks src/hub/room.ts with fake members: join order, has/remove/clear,
// broadcast of one object to everyone but the sender, history through the
// store (bounded by historySize, stripped of ids), and broadcastOnce()
// telling a member in several rooms once.

import {
  assert,
  assertEquals,
  assertFalse,
  assertStrictEquals,
} from "@std/assert";
import type { ChatLine, ServerMessage } from "../../src/protocol/messages.ts";
import type { Member } from "../../src/hub/member.ts";
import { broadcastOnce, Room } from "../../src/hub/room.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";

interface FakeMember extends Member {
  got: ServerMessage[];
}

function fake(name: string): FakeMember {
  const got: ServerMessage[] = [];
  return {
    name,
    room: null,
    lang: "en",
    label: "127.0.0.1:40000",
    address: "127.0.0.1",
    got,
    deliver(message) {
      got.push(message);
    },
    close() {},
  };
}

function roomOf(...members: FakeMember[]): Room {
  const room = new Room("#general", { store: new MemoryStore() });
  for (const member of members) room.add(member);
  return room;
}

Deno.test("Room keeps its members in the order they were added", () => {
  const [ana, bob, carol] = [fake("ana"), fake("bob"), fake("carol")];
  const room = roomOf(ana, bob, carol);
  assertEquals(room.names(), ["ana", "bob", "carol"]);
  assertEquals(room.members, [ana, bob, carol]);
  assertEquals(room.size, 3);
  assertEquals(room.key, "#general");
  assert(room.has(bob));
  assertFalse(room.has(fake("dan")));
});

Deno.test("Room.add() of a member already in changes nothing", () => {
  const ana = fake("ana");
  const room = roomOf(ana, fake("bob"));
  room.add(ana);
  assertEquals(room.names(), ["ana", "bob"]);
});

Deno.test("Room.remove() takes a member out once, keeping the others' order", () => {
  const [ana, bob, carol] = [fake("ana"), fake("bob"), fake("carol")];
  const room = roomOf(ana, bob, carol);
  assert(room.remove(bob));
  assertFalse(room.remove(bob));
  assertFalse(room.has(bob));
  assertEquals(room.names(), ["ana", "carol"]);
});

Deno.test("Room.clear() empties the room and returns who was in it", () => {
  const [ana, bob] = [fake("ana"), fake("bob")];
  const room = roomOf(ana, bob);
  assertEquals(room.clear(), [ana, bob]);
  assertEquals(room.size, 0);
  assertFalse(room.has(ana));
});

Deno.test("Room.broadcast() hands the same object to everyone but the one left out", () => {
  const [ana, bob, carol] = [fake("ana"), fake("bob"), fake("carol")];
  const room = roomOf(ana, bob, carol);
  const message: ServerMessage = {
    type: "join",
    room: "#general",
    name: "dan",
    time: 0,
  };
  room.broadcast(message, bob);
  assertStrictEquals(ana.got[0], message);
  assertStrictEquals(carol.got[0], message);
  assertEquals(bob.got, []);
  room.broadcast(message, null);
  assertEquals(bob.got.length, 1);
});

Deno.test("Room.say() keeps the line and sends one message object to everyone but the sender", () => {
  const [ana, bob, carol] = [fake("ana"), fake("bob"), fake("carol")];
  const room = roomOf(ana, bob, carol);
  const line: ChatLine = { from: "ana", text: "hi", time: 7, action: true };
  room.say(ana, line);
  assertEquals(bob.got, [{
    type: "message",
    room: "#general",
    ...line,
    id: 1,
  }]);
  assertStrictEquals(bob.got[0], carol.got[0]);
  assertEquals(ana.got, []);
  assertEquals(room.recent()[0], { ...line, id: 1 });
  assertStrictEquals(
    room.recent()[0]!.text,
    line.text,
    "the history holds the line itself",
  );
});

Deno.test("Room.recent() shows at most historySize lines, with their ids, oldest first", () => {
  const store = new MemoryStore();
  const room = new Room("#general", { store, historySize: 2 });
  const ana = fake("ana");
  room.add(ana);
  for (const text of ["1", "2", "3"]) {
    room.say(ana, { from: "ana", text, time: 0 });
  }
  assertEquals(room.recent(), [
    { from: "ana", text: "2", time: 0, id: 2 },
    { from: "ana", text: "3", time: 0, id: 3 },
  ]);
  assertEquals(store.recent("#general", 10).length, 3, "the store kept all");
});

Deno.test("Room with historySize 0 shows no history", () => {
  const room = new Room("#general", {
    store: new MemoryStore(),
    historySize: 0,
  });
  const ana = fake("ana");
  room.add(ana);
  room.say(ana, { from: "ana", text: "gone", time: 0 });
  assertEquals(room.recent(), []);
});

Deno.test("Rooms sharing a store keep their histories apart", () => {
  const store = new MemoryStore();
  const general = new Room("#general", { store });
  const games = new Room("#games", { store });
  const ana = fake("ana");
  general.say(ana, { from: "ana", text: "hello", time: 0 });
  games.say(ana, { from: "ana", text: "gg", time: 0 });
  assertEquals(general.recent().map((line) => line.text), ["hello"]);
  assertEquals(games.recent().map((line) => line.text), ["gg"]);
});

Deno.test("broadcastOnce() tells each member of several rooms once, the same object", () => {
  const [ana, bob, carol, dan] = [
    fake("ana"),
    fake("bob"),
    fake("carol"),
    fake("dan"),
  ];
  const store = new MemoryStore();
  const general = new Room("#general", { store });
  const games = new Room("#games", { store });
  const quiet = new Room("#quiet", { store });
  for (const member of [ana, bob, carol]) general.add(member);
  for (const member of [carol, bob]) games.add(member);
  quiet.add(dan);
  const message: ServerMessage = {
    type: "rename",
    from: "bob",
    to: "bo",
    time: 0,
  };
  broadcastOnce(new Set([general, games]), message);
  for (const member of [ana, bob, carol]) {
    assertEquals(member.got.length, 1, member.name);
    assertStrictEquals(member.got[0], message);
  }
  assertEquals(dan.got, [], "shares no room");
});

Deno.test("broadcastOnce() over one room tells its members in join order", () => {
  const order: string[] = [];
  const members = ["ana", "bob", "carol"].map((name) => {
    const member = fake(name);
    member.deliver = () => order.push(name);
    return member;
  });
  broadcastOnce(
    new Set([roomOf(...members)]),
    { type: "join", room: "#general", name: "x", time: 0 },
  );
  assertEquals(order, ["ana", "bob", "carol"]);
  broadcastOnce(new Set(), {
    type: "join",
    room: "#general",
    name: "x",
    time: 0,
  });
  assertEquals(order.length, 3);
});
