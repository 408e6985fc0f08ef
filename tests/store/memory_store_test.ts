// Checks src/store/memory_store.ts: ids increase with every append, recent()
// returns the newest lines oldest first within its limit and before an id,
// each room keeps at most its capacity, and a capacity of 0 keeps nothing;
// search, retention, export and rooms behave as in the SQLite store.

import {
  assert,
  assertEquals,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import type { ChatLine } from "../../src/protocol/messages.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";

function line(text: string, time = 0): ChatLine {
  return { from: "ana", text, time };
}

function texts(lines: { line: ChatLine }[]): string[] {
  return lines.map((stored) => stored.line.text);
}

Deno.test("MemoryStore.append() gives every line a greater id than the last, across rooms", () => {
  const store = new MemoryStore();
  const ids = [
    store.append("#general", line("a")).id,
    store.append("#games", line("b")).id,
    store.append("#general", line("c")).id,
  ];
  assertEquals(ids, [1, 2, 3]);
});

Deno.test("MemoryStore.append() keeps the line object itself", () => {
  const store = new MemoryStore();
  const said: ChatLine = { from: "ana", text: "hi", time: 5, action: true };
  const stored = store.append("#general", said);
  assertStrictEquals(stored.line, said);
  assertStrictEquals(store.recent("#general", 1)[0]!.line, said);
});

Deno.test("MemoryStore.recent() returns the newest lines oldest first, within the limit", () => {
  const store = new MemoryStore();
  for (const text of ["1", "2", "3", "4", "5"]) {
    store.append("#general", line(text));
  }
  assertEquals(texts(store.recent("#general", 3)), ["3", "4", "5"]);
  assertEquals(texts(store.recent("#general", 10)), ["1", "2", "3", "4", "5"]);
  assertEquals(store.recent("#general", 0), []);
});

Deno.test("MemoryStore.recent() pages back with before", () => {
  const store = new MemoryStore();
  for (const text of ["1", "2", "3", "4", "5"]) {
    store.append("#general", line(text));
  }
  const last = store.recent("#general", 2);
  assertEquals(texts(last), ["4", "5"]);
  const earlier = store.recent("#general", 2, last[0]!.id);
  assertEquals(texts(earlier), ["2", "3"]);
  assertEquals(texts(store.recent("#general", 2, earlier[0]!.id)), ["1"]);
  assertEquals(store.recent("#general", 2, 1), []);
  assertEquals(texts(store.recent("#general", 9, 1000)), [
    "1",
    "2",
    "3",
    "4",
    "5",
  ]);
});

Deno.test("MemoryStore.recent() keeps rooms apart and knows nothing of a new room", () => {
  const store = new MemoryStore();
  store.append("#general", line("hello"));
  store.append("#games", line("gg"));
  assertEquals(texts(store.recent("#general", 10)), ["hello"]);
  assertEquals(texts(store.recent("#games", 10)), ["gg"]);
  assertEquals(store.recent("#nowhere", 10), []);
});

Deno.test("MemoryStore keeps at most its capacity of lines per room, dropping the oldest", () => {
  const store = new MemoryStore({ capacity: 3 });
  for (let i = 1; i <= 10; i++) store.append("#general", line(`${i}`));
  store.append("#games", line("gg"));
  assertEquals(texts(store.recent("#general", 10)), ["8", "9", "10"]);
  assertEquals(store.recent("#general", 10).map((s) => s.id), [8, 9, 10]);
  assertEquals(texts(store.recent("#general", 2, 10)), ["8", "9"]);
  assertEquals(texts(store.recent("#games", 10)), ["gg"]);
});

Deno.test("MemoryStore keeps 50 lines per room by default", () => {
  const store = new MemoryStore();
  for (let i = 0; i < 80; i++) store.append("#general", line(`line ${i}`));
  const kept = store.recent("#general", 100);
  assertEquals(kept.length, 50);
  assertEquals(kept[0]!.line.text, "line 30");
  assertEquals(kept.at(-1)!.line.text, "line 79");
});

Deno.test("MemoryStore with a capacity of 0 keeps nothing but still numbers lines", () => {
  const store = new MemoryStore({ capacity: 0 });
  assertEquals(store.append("#general", line("a")).id, 1);
  assertEquals(store.append("#general", line("b")).id, 2);
  assertEquals(store.recent("#general", 10), []);
});

Deno.test("MemoryStore.recent() returns a new array every time", () => {
  const store = new MemoryStore();
  store.append("#general", line("a"));
  const first = store.recent("#general", 10);
  first.length = 0;
  const second = store.recent("#general", 10);
  assert(first !== second);
  assertEquals(texts(second), ["a"]);
});

Deno.test("MemoryStore refuses a capacity or a limit that is not a whole number of zero or more", () => {
  for (const capacity of [-1, 1.5, NaN]) {
    assertThrows(
      () => new MemoryStore({ capacity }),
      RangeError,
      "Cannot keep history: capacity must be",
    );
  }
  const store = new MemoryStore();
  assertThrows(
    () => store.recent("#general", -1),
    RangeError,
    "Cannot read history: limit must be a whole number of zero or more, not -1",
  );
});

Deno.test("MemoryStore.commit() has nothing to do: every line is kept at once", () => {
  const store = new MemoryStore();
  store.append("#general", line("a"));
  assert(store.commit());
  assertEquals(texts(store.recent("#general", 1)), ["a"]);
  store.close();
});

Deno.test("MemoryStore.search() finds whole words in any case and accents, newest first, at most 20", () => {
  const store = new MemoryStore({ capacity: 100 });
  store.append("#general", line("Olá! Café amanhã?"));
  store.append("#general", line("cafe, yes"));
  store.append("#general", line("cafeteria"));
  store.append("#games", line("café in games"));
  assertEquals(texts(store.search("#general", "CAFÉ")), [
    "cafe, yes",
    "Olá! Café amanhã?",
  ]);
  assertEquals(texts(store.search("#general", "amanha cafe")), [
    "Olá! Café amanhã?",
  ]);
  assertEquals(store.search("#general", "?!"), []);
  assertEquals(store.search("#nowhere", "cafe"), []);
  for (let i = 0; i < 30; i++) store.append("#games", line(`match ${i}`));
  const page = store.search("#games", "match", { limit: 50 });
  assertEquals(page.length, 20);
  assertEquals(page[0]!.line.text, "match 29");
  const next = store.search("#games", "match", { before: page.at(-1)!.id });
  assertEquals(texts(next).slice(0, 2), ["match 9", "match 8"]);
  assertThrows(
    () => store.search("#games", "x", { limit: -1 }),
    RangeError,
    "Cannot search history: limit must be",
  );
});

Deno.test("MemoryStore.retain() removes each room's oldest lines past the limits, a batch at a time", () => {
  const store = new MemoryStore({ capacity: 10 });
  for (let i = 1; i <= 12; i++) store.append("#a", line(`${i}`, i * 1000));
  for (let i = 1; i <= 3; i++) store.append("#b", line(`b${i}`, i * 1000));
  assertEquals(store.retain({ maxLinesPerRoom: 4, maxRows: 5 }), {
    removed: 5,
    more: true,
  });
  assertEquals(store.retain({ maxLinesPerRoom: 4 }), {
    removed: 1,
    more: false,
  });
  assertEquals(texts(store.recent("#a", 10)), ["9", "10", "11", "12"]);
  // The ring still drops its oldest once full again.
  for (let i = 13; i <= 22; i++) store.append("#a", line(`${i}`, i * 1000));
  assertEquals(texts(store.recent("#a", 3)), ["20", "21", "22"]);
  assertEquals(store.recent("#a", 100).length, 10);
  assertEquals(store.retain({ maxAgeDays: 0, now: 2_500 }), {
    removed: 2,
    more: false,
  });
  assertEquals(texts(store.recent("#b", 10)), ["b3"]);
  assertThrows(
    () => store.retain({ maxAgeDays: NaN }),
    RangeError,
    "Cannot remove old lines: maxAgeDays must be zero or more, not NaN",
  );
});

Deno.test("MemoryStore.exportLines() yields every line kept, in id order, by room and from a time", () => {
  const store = new MemoryStore();
  store.append("#general", line("one", 10));
  store.append("#games", { from: "bob", text: "two", time: 20, action: true });
  store.append("#general", line("three", 30));
  assertEquals([...store.exportLines()], [
    {
      id: 1,
      room: "#general",
      from: "ana",
      text: "one",
      time: 10,
      action: false,
    },
    { id: 2, room: "#games", from: "bob", text: "two", time: 20, action: true },
    {
      id: 3,
      room: "#general",
      from: "ana",
      text: "three",
      time: 30,
      action: false,
    },
  ]);
  assertEquals(
    [...store.exportLines({ room: "#general", since: 20 })].map((l) => l.id),
    [3],
  );
});

Deno.test("MemoryStore keeps rooms' records as saved, and forgets them", () => {
  const store = new MemoryStore();
  const general = {
    room: "#general",
    name: "#General",
    topic: { text: "hi", by: "ana", time: 1 },
    operators: ["ana"],
    bans: [{ name: "eve" }],
  };
  store.saveRoom(general);
  store.saveRoom({ room: "#ops", name: "#ops", operators: [], bans: [] });
  assertEquals(store.loadRooms().map((r) => r.room), ["#general", "#ops"]);
  assertEquals(store.loadRooms()[0], general);
  store.forgetRoom("#general");
  assertEquals(store.loadRooms().map((r) => r.room), ["#ops"]);
});
