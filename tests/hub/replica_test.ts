/**
 * The replica with fake members: on the local bus a command is carried
 * out in the same call, as without a relay; on a shared bus (two hubs fed
 * the same entries in the same order, as Redis does) each hub holds the
 * other's members as stand-ins, and both make the same decisions.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import { Hub } from "../../src/hub/hub.ts";
import { ClaimRegistry } from "../../src/hub/claim_registry.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";
import type { Member } from "../../src/hub/member.ts";
import { Replica } from "../../src/hub/replica.ts";
import { LocalBus } from "../../src/bus/local_bus.ts";
import type { Bus, BusBody, BusEntry, BusSink } from "../../src/bus/bus.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";

function fake(label: string): Member & { got: ServerMessage[] } {
  const got: ServerMessage[] = [];
  return {
    name: "",
    room: null,
    lang: "en",
    label,
    address: "10.0.0.1",
    got,
    deliver: (m) => got.push(m),
    close() {},
  };
}

function node(bus: Bus): Hub {
  const replica = new Replica(bus, { now: () => 0 });
  const hub = new Hub({ now: () => 0, relay: replica });
  replica.attach(hub);
  bus.start(replica);
  return hub;
}

// Two nodes' buses on one ordered log, as one Redis stream is: every
// entry goes to every node, in the order published.
class _SharedLog {
  #sinks = new Map<string, BusSink>();
  #seq = new Map<string, number>();
  #tasks = new Set<string>();

  bus(node: string): Bus {
    return {
      node,
      up: true,
      start: (sink) => {
        this.#sinks.set(node, sink);
        return Promise.resolve();
      },
      publish: (body: BusBody, member: number, time: number) => {
        const seq = (this.#seq.get(node) ?? 0) + 1;
        this.#seq.set(node, seq);
        const entry = { ...body, node, seq, member, time } as BusEntry;
        for (const [to, sink] of this.#sinks) sink.entry(entry, to === node);
        return entry;
      },
      backlog: { waiting: 0, dropped: 0 },
      reserve: () => Promise.resolve(true),
      release: () => {},
      // The first node to ask wins a task.
      elect: (task: string) => {
        const won = !this.#tasks.has(task);
        this.#tasks.add(task);
        return Promise.resolve(won);
      },
      close: () => Promise.resolve(),
    };
  }
}

Deno.test("Replica on the local bus carries a command out in the same call", () => {
  const hub = node(new LocalBus());
  const [ana, bob] = [fake("a"), fake("b")];
  hub.register(ana, "ana");
  hub.register(bob, "bob");
  hub.input(ana, "hi");
  assertEquals(bob.got.at(-1), {
    type: "message",
    room: "#general",
    from: "ana",
    text: "hi",
    time: 0,
    id: 1,
  } as ServerMessage);
});

Deno.test("Replica: two hubs on one log hold each other's members and agree on operators and topics", () => {
  const log = new _SharedLog();
  const a = node(log.bus("a/1"));
  const b = node(log.bus("b/1"));
  const ana = fake("ana");
  const bob = fake("bob");
  a.register(ana, "ana");
  b.register(bob, "bob");
  assertEquals(a.names().sort(), ["ana", "bob"]);
  assertEquals(b.names().sort(), ["ana", "bob"]);
  b.input(bob, "/join #games");
  a.input(ana, "/join #games");
  const joined = ana.got.find((m) => m.type === "joined");
  assertEquals(joined?.type === "joined" && joined.ops, ["bob"]);
  b.input(bob, "/topic tonight");
  assertEquals(
    ana.got.at(-1)?.type === "topic" &&
      (ana.got.at(-1) as { text: string }).text,
    "tonight",
  );
  a.input(ana, "/msg bob psst");
  assertEquals(bob.got.at(-1)?.type, "private");
  // Bob's node leaves him; Ana's hub hears it once.
  b.leave(bob, "quit");
  assertEquals(a.names(), ["ana"]);
  assertEquals(ana.got.filter((m) => m.type === "leave").length, 1);
});

// A node of a cluster: names shared, claims told to the other nodes, the
// rooms' records on a store of its own.
function clusterNode(
  bus: Bus,
  store = new MemoryStore(),
): { hub: Hub; replica: Replica; store: MemoryStore } {
  const replica = new Replica(bus, { now: () => 0, shared: true });
  const claims = new ClaimRegistry({
    store,
    now: () => 0,
    passwordCost: 1024,
    onChange: (record) => replica.claimed(record),
  });
  const hub = new Hub({
    now: () => 0,
    relay: replica,
    claims,
    rooms: store,
    store,
  });
  replica.attach(hub);
  bus.start(replica);
  return { hub, replica, store };
}

Deno.test("Replica: a name claimed on one node is registered on the other, and a node that starts later is told the claims and the rooms", async () => {
  const log = new _SharedLog();
  const a = clusterNode(log.bus("a/1"));
  const b = clusterNode(log.bus("b/1"));
  const key = { kind: "key", keyId: "ed25519:ana" } as const;
  const ana = fake("ana");
  a.hub.register(ana, "ana", { credential: key });
  assertEquals(b.hub.claims.check("ana", null).status, "registered");
  assertEquals(b.hub.claims.check("ana", key).status, "yours");
  a.hub.input(ana, "/join #games");
  a.hub.input(ana, "/topic tonight");
  a.hub.input(ana, "/ban eve");
  // Node c starts with an empty store and asks.
  const c = clusterNode(log.bus("c/1"));
  c.replica.sync();
  await Promise.resolve();
  await Promise.resolve();
  assertEquals(c.hub.claims.check("ana", null).status, "registered");
  const games = c.hub.roomRecords().find((r) => r.room === "#games");
  assertEquals(games?.topic?.text, "tonight");
  assertEquals(games?.bans.map((ban) => ban.name), ["eve"]);
  // Kept in c's own store too.
  assertEquals(c.store.loadClaims().map((r) => r.name), ["ana"]);
  // And the lines said before it started, once.
  assertEquals(c.store.recent("#general", 10).length, 0);
  a.hub.input(ana, "/switch #general");
  a.hub.input(ana, "said before d");
  const d = clusterNode(log.bus("d/1"));
  d.replica.sync();
  await Promise.resolve();
  await Promise.resolve();
  assertEquals(d.store.recent("#general", 10).map(({ line }) => line.text), [
    "said before d",
  ]);
});

Deno.test("Replica: a member's voice travels in its snapshot", () => {
  const log = new _SharedLog();
  const a = clusterNode(log.bus("a/1"));
  const ana = fake("ana");
  const bob = fake("bob");
  a.hub.register(ana, "ana");
  a.hub.register(bob, "bob");
  a.hub.input(ana, "/join #games");
  a.hub.input(bob, "/join #games");
  a.hub.input(ana, "/voice bob");
  const b = clusterNode(log.bus("b/1"));
  b.replica.sync();
  const viewer = fake("viewer");
  b.hub.register(viewer, "viewer");
  b.hub.input(viewer, "/join #games");
  const joined = viewer.got.find((m) => m.type === "joined");
  assertEquals(joined?.type === "joined" && joined.voiced, ["bob"]);
});

// A shared log whose entries wait until delivered: nodes that have not
// read each other's latest yet.
class _LaggingLog {
  #sinks = new Map<string, BusSink>();
  #seq = new Map<string, number>();
  #pending: BusEntry[] = [];

  bus(node: string): Bus {
    return {
      node,
      up: true,
      backlog: { waiting: 0, dropped: 0 },
      start: (sink) => {
        this.#sinks.set(node, sink);
        return Promise.resolve();
      },
      publish: (body: BusBody, member: number, time: number) => {
        const seq = (this.#seq.get(node) ?? 0) + 1;
        this.#seq.set(node, seq);
        const entry = { ...body, node, seq, member, time } as BusEntry;
        this.#pending.push(entry);
        return entry;
      },
      reserve: () => Promise.resolve(true),
      release: () => {},
      elect: () => Promise.resolve(false),
      close: () => Promise.resolve(),
    };
  }

  deliver(): void {
    while (this.#pending.length > 0) {
      const entry = this.#pending.shift()!;
      for (const [to, sink] of this.#sinks) {
        sink.entry(entry, to === entry.node);
      }
    }
  }
}

Deno.test("Replica: one name claimed on two nodes before either read the other's claim ends with the same holder on both", () => {
  const log = new _LaggingLog();
  const a = clusterNode(log.bus("a/1"));
  const b = clusterNode(log.bus("b/1"));
  const first = { kind: "key", keyId: "ed25519:first" } as const;
  const second = { kind: "key", keyId: "ed25519:second" } as const;
  const ana = fake("ana");
  a.hub.register(ana, "ana", { credential: first });
  a.hub.leave(ana, "quit");
  b.hub.register(fake("ana2"), "ana", { credential: second });
  log.deliver();
  // The later claim in the stream holds, on both.
  assertEquals(a.hub.claims.check("ana", second).status, "yours");
  assertEquals(b.hub.claims.check("ana", second).status, "yours");
  assertEquals(b.hub.claims.check("ana", first).status, "registered");
});

Deno.test("Replica: a foreign writer's claim (its key not its name's look) and a line for a made-up room are not taken", () => {
  const log = new _SharedLog();
  const a = clusterNode(log.bus("a/1"));
  a.hub.claims.adopt({
    key: "bob",
    name: "ana",
    keyId: "ed25519:x",
    claimedAt: 0,
    lastUsed: 0,
    rooms: [],
  });
  assertEquals(a.hub.claims.check("ana", null).status, "free");
  assertEquals(a.hub.claims.check("bob", null).status, "free");
  const line = { from: "eve", text: "spam", time: 0 };
  assertEquals(a.hub.backfill("no room", line), false);
  assertEquals(a.hub.backfill("#General", line), false);
  assertEquals(a.hub.backfill("#general", line), true);
  assertEquals(a.hub.backfill("#general", line), false);
});
