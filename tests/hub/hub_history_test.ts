// Checks the history and the rooms' records of src/hub/hub.ts with fake
// members: ids on lines, `/history` paging back from the oldest shown, the
// native history and search requests and their bounds, search paging, rooms
// (topic, key by its hash, topic lock, operators, bans) saved to a RoomStore
// and restored by a new hub on the same store, and server operators told
// when storing the history fails.

import { assert, assertEquals, assertFalse } from "@std/assert";
import type { ChatLine, ServerMessage } from "../../src/protocol/messages.ts";
import { Hub, type HubOptions } from "../../src/hub/hub.ts";
import type { Member } from "../../src/hub/member.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";
import { verifyRoomKey } from "../../src/store/room_key.ts";

interface FakeMember extends Member {
  got: ServerMessage[];
}

function fake(address: string): FakeMember {
  const got: ServerMessage[] = [];
  return {
    name: "",
    room: null,
    lang: "en",
    label: `${address}:40000`,
    address,
    got,
    deliver(message) {
      got.push(message);
    },
    close() {},
  };
}

const T = 1_700_000_000_000;

function world(options: HubOptions = {}) {
  const store = options.store ?? new MemoryStore({ capacity: 1000 });
  const hub = new Hub({ now: () => T, rateLimit: null, store, ...options });
  let next = 1;
  const join = (name: string): FakeMember => {
    const member = fake(`10.0.0.${next++}`);
    assert(hub.register(member, name).ok, `${name} could not join`);
    return member;
  };
  return { hub, store, join };
}

function lastOf<T extends ServerMessage["type"]>(
  member: FakeMember,
  type: T,
): Extract<ServerMessage, { type: T }> {
  const found = member.got.findLast((message) => message.type === type);
  assert(found !== undefined, `no ${type} in ${JSON.stringify(member.got)}`);
  return found as Extract<ServerMessage, { type: T }>;
}

const texts = (lines: readonly ChatLine[]) => lines.map((line) => line.text);

Deno.test("Hub gives every public line its id, on the message and in the replay", () => {
  const { hub, join } = world({ historySize: 2 });
  const [ana, bob] = [join("ana"), join("bob")];
  hub.input(ana, "one");
  hub.input(ana, "two");
  hub.input(ana, "/msg bob private, never stored");
  hub.input(ana, "three");
  assertEquals(
    bob.got.filter((m) => m.type === "message").map((m) =>
      m.type === "message" && m.id
    ),
    [1, 2, 3],
  );
  const cid = join("cid");
  const welcome = lastOf(cid, "welcome");
  assertEquals(welcome.history.map((line) => line.id), [2, 3]);
});

Deno.test("/history pages back from the oldest line shown, and says when nothing is older", () => {
  const { hub, join } = world({ historySize: 2 });
  const ana = join("ana");
  for (let i = 1; i <= 7; i++) hub.input(ana, `line ${i}`);
  const bob = join("bob");
  assertEquals(texts(lastOf(bob, "welcome").history), ["line 6", "line 7"]);
  hub.input(bob, "/history 3");
  let page = lastOf(bob, "history");
  assertEquals(page.room, "#general");
  assertEquals(texts(page.lines), ["line 3", "line 4", "line 5"]);
  assert(page.more);
  hub.input(bob, "/history");
  page = lastOf(bob, "history");
  assertEquals(texts(page.lines), ["line 1", "line 2"]);
  assertFalse(page.more);
  hub.input(bob, "/history");
  page = lastOf(bob, "history");
  assertEquals(page.lines, []);
  assertFalse(page.more);
});

Deno.test("the native history request reads before an id, within 1 to 200 lines", () => {
  const { hub, join } = world();
  const ana = join("ana");
  for (let i = 1; i <= 5; i++) hub.input(ana, `line ${i}`);
  hub.apply(ana, { kind: "history", room: "#general", before: 4, limit: 2 });
  const page = lastOf(ana, "history");
  assertEquals(page.lines.map((line) => line.id), [2, 3]);
  assert(page.more);
  hub.apply(ana, { kind: "history", room: "#general" });
  assertEquals(lastOf(ana, "history").lines.length, 5, "absent: the newest");
  for (
    const bad of [{ limit: 0 }, { limit: 201 }, { limit: 2.5 }, { before: 0 }]
  ) {
    ana.got.length = 0;
    hub.apply(ana, { kind: "history", room: "#general", ...bad });
    assertEquals(ana.got, [{
      type: "error",
      code: "bad_page",
      text: STRINGS.en.badHistoryPage(200),
    }], JSON.stringify(bad));
  }
});

Deno.test("history and search answer only for a room one is in", () => {
  const { hub, join } = world();
  const [ana, bob] = [join("ana"), join("bob")];
  hub.input(ana, "/join #secret");
  hub.input(ana, "hidden words", { room: "#secret" });
  bob.got.length = 0;
  hub.apply(bob, { kind: "history", room: "#secret" });
  hub.apply(bob, { kind: "search", room: "#secret", words: "hidden" });
  assertEquals(bob.got.map((m) => m.type === "error" && m.code), [
    "not_in_room",
    "not_in_room",
  ]);
});

Deno.test("/search finds whole words newest first, 20 a page, and /search alone shows the next page", () => {
  const { hub, join } = world();
  const ana = join("ana");
  for (let i = 1; i <= 25; i++) hub.input(ana, `lunch ${i}`);
  hub.input(ana, "dinner");
  hub.input(ana, "/search LUNCH");
  let found = lastOf(ana, "search");
  assertEquals(found.words, "LUNCH");
  assertEquals(found.lines.length, 20);
  assertEquals(found.lines[0]!.text, "lunch 25");
  assert(found.more);
  hub.input(ana, "/search");
  found = lastOf(ana, "search");
  assertEquals(texts(found.lines), [
    "lunch 5",
    "lunch 4",
    "lunch 3",
    "lunch 2",
    "lunch 1",
  ]);
  assertFalse(found.more);
  ana.got.length = 0;
  hub.input(ana, "/search");
  assertEquals(ana.got, [{
    type: "error",
    code: "usage",
    text: STRINGS.en.searchNeedsWords,
  }]);
  hub.apply(ana, {
    kind: "search",
    room: "#general",
    words: "lunch",
    before: 3,
  });
  assertEquals(texts(lastOf(ana, "search").lines), ["lunch 2", "lunch 1"]);
});

Deno.test("history and search cost a token of the flood limit like any request", () => {
  const { hub, join } = world({ rateLimit: { rate: 1, burst: 2 } });
  const ana = join("ana");
  ana.got.length = 0;
  hub.input(ana, "/history");
  hub.input(ana, "/search x");
  hub.input(ana, "/history");
  assertEquals(ana.got.map((m) => m.type), ["history", "search", "error"]);
  assertEquals(ana.got[2], {
    type: "error",
    code: "slow_down",
    text: STRINGS.en.slowDown,
  });
});

Deno.test("a new hub on the same store restores topics, keys by their hash, topic locks, operators and bans", () => {
  const store = new MemoryStore();
  const first = world({ store, rooms: store });
  const [ana, bob, eve] = [
    first.join("ana"),
    first.join("bob"),
    first.join("eve"),
  ];
  const hub = first.hub;
  hub.input(ana, "/join #games");
  hub.input(bob, "/join #games");
  hub.input(eve, "/join #games");
  hub.input(ana, "/topic board games on friday", { room: "#games" });
  hub.input(ana, "/topic-lock", { room: "#games" });
  hub.input(ana, "/op bob", { room: "#games" });
  hub.input(ana, "/ban eve", { room: "#games" });
  hub.input(ana, "/key open-sesame", { room: "#games" });
  hub.input(ana, "/topic welcome to the lobby", { room: "#general" });
  const [record] = store.loadRooms().filter((r) => r.room === "#games");
  assert(record !== undefined);
  assertEquals(record.topic?.text, "board games on friday");
  assertEquals(record.modes, "t");
  assertEquals([...record.operators].sort(), ["ana", "bob"]);
  assertEquals(record.bans.map((ban) => [ban.name, ban.address]), [[
    "eve",
    eve.address,
  ]]);
  assert(record.keyHash !== undefined && !record.keyHash.includes("sesame"));
  assert(verifyRoomKey("open-sesame", record.keyHash));
  hub.shutdown();

  // The server restarts: members come back one by one.
  const again = world({ store, rooms: store });
  const cid = again.join("cid");
  const general = lastOf(cid, "welcome");
  assertEquals(general.topic?.text, "welcome to the lobby");
  again.hub.input(cid, "/join #games");
  assertEquals(lastOf(cid, "error").code, "key_needed");
  again.hub.input(cid, "/join #games wrong");
  assertEquals(lastOf(cid, "error").code, "bad_key");
  again.hub.input(cid, "/join #games open-sesame");
  const joined = lastOf(cid, "joined");
  assertEquals(joined.topic?.text, "board games on friday");
  assertEquals(joined.topicLocked, true);
  assertEquals(joined.ops, [], "cid is not an operator: ana and bob were");
  const bob2 = again.join("bob");
  again.hub.input(bob2, "/join #games open-sesame");
  assertEquals(lastOf(bob2, "joined").ops, ["bob"]);
  const eve2 = again.join("eve");
  again.hub.input(eve2, "/join #games open-sesame");
  assertEquals(lastOf(eve2, "error").code, "banned");
  again.hub.shutdown();
});

Deno.test("a room that goes is forgotten by the store", () => {
  const store = new MemoryStore();
  const { hub, join } = world({ store, rooms: store });
  const ana = join("ana");
  hub.input(ana, "/join #tmp");
  assertEquals(store.loadRooms().map((r) => r.room), ["#tmp"]);
  hub.input(ana, "/part #tmp");
  assertEquals(store.loadRooms(), []);
});

Deno.test("server operators are told once when storing fails and when it works again, and one who becomes an operator meanwhile too", () => {
  const { hub, join } = world({ operPassword: "sekrit" });
  const [ana, bob] = [join("ana"), join("bob")];
  hub.input(ana, "/oper sekrit");
  ana.got.length = 0;
  bob.got.length = 0;
  hub.storeStatus({ state: "failing", reason: "the disk is full" });
  assertEquals(ana.got, [{
    type: "error",
    code: "store_failing",
    text: STRINGS.en.storeFailing("the disk is full"),
  }]);
  assertEquals(bob.got, [], "only operators");
  hub.input(bob, "/oper sekrit");
  assertEquals(
    bob.got.map((m) => m.type === "error" || m.type === "info" ? m.code : ""),
    [
      "oper",
      "store_failing",
    ],
  );
  hub.storeStatus({ state: "storing", dropped: 0 });
  assertEquals(ana.got.at(-1), {
    type: "info",
    code: "store_ok",
    text: STRINGS.en.storeResumed(0),
  });
});

Deno.test("a page of history holds at most 64 KiB of text, whatever the store, and says more are older", () => {
  const { hub, join } = world();
  const ana = join("ana");
  const long = (n: number) => `${n} `.padEnd(8000, "x");
  for (let i = 1; i <= 20; i++) hub.input(ana, long(i));
  hub.apply(ana, { kind: "history", room: "#general", limit: 200 });
  const page = lastOf(ana, "history");
  assertEquals(page.lines.length, 8);
  assertEquals(page.lines.at(-1)!.text, long(20));
  assert(page.more);
});
