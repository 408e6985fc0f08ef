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
      reserve: () => Promise.resolve(true),
      release: () => {},
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
