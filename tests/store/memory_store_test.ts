// Checks src/store/memory_store.ts: ids increase with every append, recent()
// returns the newest lines oldest first within its limit and before an id,
// each room keeps at most its capacity, and a capacity of 0 keeps nothing.

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
