/**
 * The bus codec: what this node writes reads back the same, and nothing
 * Redis can hold (any text, any JSON, entries with fields of the wrong
 * kind) makes it throw; what it accepts has the shape the replica relies
 * on.
 *
 * @module
 */

import { assert, assertEquals } from "@std/assert";
import fc from "fast-check";
import {
  decodeEntry,
  encodeEntry,
  MAX_ENTRY_LENGTH,
} from "../../src/bus/bus_codec.ts";
import type { BusEntry } from "../../src/bus/bus.ts";

const RUNS = { numRuns: 2000 };

const text = fc.string({ maxLength: 40 });
const room = fc.option(text, { nil: undefined });

const command = fc.oneof(
  fc.record({ kind: fc.constant("say" as const), text }),
  fc.record({ kind: fc.constant("me" as const), text }),
  fc.record({ kind: fc.constant("msg" as const), to: text, text }),
  fc.record({
    kind: fc.constant("msg" as const),
    to: text,
    text,
    action: fc.constant(true as const),
  }),
  fc.record({
    kind: fc.constant("msg" as const),
    to: text,
    text,
    ctcp: fc.constantFrom("query" as const, "reply" as const),
  }),
  fc.record({ kind: fc.constant("voice" as const), name: text }),
  fc.record({ kind: fc.constant("devoice" as const), room: text, name: text }),
  fc.record({ kind: fc.constant("nick" as const), name: text }),
  fc.record({ kind: fc.constant("join" as const), room: text }),
  fc.record({ kind: fc.constant("rooms" as const) }),
  fc.record({
    kind: fc.constant("topic-lock" as const),
    on: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("history" as const),
    limit: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({
    kind: fc.constant("history" as const),
    limit: fc.integer({ min: 1, max: 100 }),
    after: fc.integer({ min: 1 }),
  }),
  fc.record({
    kind: fc.constant("history" as const),
    around: fc.integer({ min: 1 }),
  }),
  fc.record({
    kind: fc.constant("history" as const),
    newerThan: fc.integer({ min: 1 }),
  }),
);

const stamp = fc.integer({ min: 0, max: 2 ** 45 });
const some = fc.string({ minLength: 1, maxLength: 20 });

const claimRecord = fc.record({
  key: some,
  name: some,
  keyId: text,
  passwordHash: text,
  certFp: text,
  claimedAt: stamp,
  lastUsed: stamp,
  leftAt: stamp,
  rooms: fc.array(text, { maxLength: 4 }),
}, { requiredKeys: ["key", "name", "claimedAt", "lastUsed", "rooms"] });

const roomRecord = fc.record({
  room: some,
  name: some,
  topic: fc.record({ text, by: text, time: stamp }),
  keyHash: text,
  modes: fc.constant("t"),
  operators: fc.array(text, { maxLength: 4 }),
  voiced: fc.array(text, { maxLength: 4 }),
  bans: fc.array(
    fc.record({ name: some, address: text, by: text, time: stamp }, {
      requiredKeys: ["name"],
    }),
    { maxLength: 4 },
  ),
}, { requiredKeys: ["room", "name", "operators", "bans"] });

const entry: fc.Arbitrary<BusEntry> = fc.record({
  node: fc.string({ minLength: 1, maxLength: 20 }),
  seq: fc.integer({ min: 1, max: 1e9 }),
  member: fc.nat(1e6),
  time: fc.integer({ min: 0, max: 2 ** 45 }),
}).chain((head) =>
  fc.oneof(
    fc.record({ kind: fc.constant("sync" as const), since: stamp }, {
      requiredKeys: ["kind"],
    }),
    fc.record({
      kind: fc.constant("line" as const),
      room: some,
      line: fc.record({
        from: some,
        text,
        time: stamp,
        action: fc.constant(true as const),
      }, { requiredKeys: ["from", "text", "time"] }),
      for: text,
      last: fc.constant(true as const),
    }, { requiredKeys: ["kind", "room", "line", "for"] }),
    fc.record({
      kind: fc.constant("reap" as const),
      dead: fc.string({ minLength: 1 }),
    }),
    fc.record({
      kind: fc.constant("leave" as const),
      reason: fc.constantFrom(
        "quit" as const,
        "closed" as const,
        "timeout" as const,
      ),
    }),
    command.chain((c) =>
      room.map((r) =>
        r === undefined
          ? { kind: "apply" as const, command: c }
          : { kind: "apply" as const, command: c, room: r }
      )
    ),
    fc.record({
      kind: fc.constant("hello" as const),
      name: text,
      lang: fc.constantFrom("en" as const, "pt" as const),
      user: text,
      realname: text,
      host: text,
      address: text,
      rooms: fc.array(
        fc.record({
          room: text,
          op: fc.boolean(),
          voice: fc.constant(true as const),
        }, { requiredKeys: ["room", "op"] }),
        { maxLength: 5 },
      ),
      current: fc.option(text, { nil: null }),
      away: fc.option(text, { nil: null }),
      oper: fc.boolean(),
      announce: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant("claim" as const),
      record: claimRecord,
      for: some,
    }, { requiredKeys: ["kind", "record"] }),
    fc.record({
      kind: fc.constant("room" as const),
      record: roomRecord,
      for: some,
    }),
  ).map((body) => ({ ...body, ...head }) as BusEntry)
);

Deno.test("decodeEntry() reads back every entry encodeEntry() writes", () => {
  fc.assert(
    fc.property(entry, (e) => {
      assertEquals(decodeEntry(encodeEntry(e)), { ok: true, entry: e });
    }),
    RUNS,
  );
});

Deno.test("decodeEntry() never throws on any text", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (t) => {
      const decoded = decodeEntry(t);
      assert(decoded.ok === false || typeof decoded.entry.node === "string");
    }),
    RUNS,
  );
});

Deno.test("decodeEntry() never throws on any JSON, and refuses or accepts it whole", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const decoded = decodeEntry(JSON.stringify(value));
      if (decoded.ok) {
        // Accepted: the fields the replica reads are of their kind.
        assertEquals(typeof decoded.entry.seq, "number");
        assertEquals(typeof decoded.entry.kind, "string");
      }
    }),
    RUNS,
  );
});

Deno.test("decodeEntry() refuses an entry with one field changed to the wrong kind", () => {
  const fields = ["node", "seq", "member", "time", "kind", "command"];
  fc.assert(
    fc.property(
      entry.filter((e) => e.kind === "apply"),
      fc.constantFrom(...fields),
      fc.constantFrom<unknown>(null, [], {}, "x", -1, 1.5, true),
      (e, field, value) => {
        const changed = { ...e, [field]: value } as Record<string, unknown>;
        const decoded = decodeEntry(JSON.stringify(changed));
        if (field === "time" && typeof value === "number") return;
        if (field === "member" && value === 1.5) {
          assertEquals(decoded.ok, false);
          return;
        }
        if (decoded.ok) {
          // Only a value that is of the field's kind may pass.
          assert(
            field === "node" && value === "x",
            `${field} = ${JSON.stringify(value)} accepted`,
          );
        }
      },
    ),
    RUNS,
  );
});

Deno.test("decodeEntry() refuses commands of unknown kinds, extra fields and wrong types", () => {
  const base = { kind: "apply", node: "a/1", seq: 1, member: 1, time: 0 };
  const bad = [
    { kind: "drop_tables" },
    { kind: "say", text: 5 },
    { kind: "say", text: "hi", extra: 1 },
    { kind: "say" },
    { kind: "__proto__", text: "x" },
    { kind: "topic-lock", on: "yes" },
    { kind: "history", older: false },
  ];
  for (const command of bad) {
    assertEquals(
      decodeEntry(JSON.stringify({ ...base, command })).ok,
      false,
      JSON.stringify(command),
    );
  }
  const claim = { ...base, kind: "claim" };
  const record = { key: "ana", name: "ana", claimedAt: 1, lastUsed: 1 };
  for (
    const body of [
      { record: { ...record, rooms: [1] } },
      { record: { ...record, rooms: [], keyId: 5 } },
      { record: { ...record, rooms: [], lastUsed: -1 } },
      { record: { ...record, rooms: [] }, for: 3 },
    ]
  ) {
    assertEquals(decodeEntry(JSON.stringify({ ...claim, ...body })).ok, false);
  }
  const room = { ...base, kind: "room", for: "b/1" };
  const roomBase = { room: "#a", name: "#a", operators: [], bans: [] };
  for (
    const body of [
      { record: { ...roomBase, bans: [{ name: "" }] } },
      { record: { ...roomBase, topic: { text: "t", by: 1, time: 0 } } },
      { record: { ...roomBase, voiced: "x" } },
      { record: roomBase, for: undefined },
    ]
  ) {
    assertEquals(decodeEntry(JSON.stringify({ ...room, ...body })).ok, false);
  }
  const line = { ...base, kind: "line", room: "#a", for: "b/1" };
  for (
    const body of [
      { line: { from: "", text: "t", time: 0 } },
      { line: { from: "a", text: "t", time: -5 } },
      { line: { from: "a", text: "t", time: 0, action: false } },
      { line: { from: "a", text: "t", time: 0 }, last: false },
      { line: { from: "a", text: "t", time: 0, id: 3 }, room: "" },
    ]
  ) {
    assertEquals(decodeEntry(JSON.stringify({ ...line, ...body })).ok, false);
  }
  assertEquals(
    decodeEntry(JSON.stringify({ ...base, kind: "sync", since: "x" })).ok,
    false,
  );
  assertEquals(decodeEntry("x".repeat(MAX_ENTRY_LENGTH + 1)).ok, false);
  assertEquals(decodeEntry(undefined).ok, false);
});
