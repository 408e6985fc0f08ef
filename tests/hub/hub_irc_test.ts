// What the hub answers for IRC: who a member is (its nick!user@host, also
// while its leave is told), WHOIS, LUSERS, AWAY (with 301 to senders), the
// ban list, and echoing a member's own lines when it asks.

import { assertEquals } from "@std/assert";
import { Hub } from "../../src/hub/hub.ts";
import type { Member } from "../../src/hub/member.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";

type Fake = Member & { got: ServerMessage[] };

function fake(
  extra: { user?: string; host?: string; echoes?: boolean } = {},
): Fake {
  const got: ServerMessage[] = [];
  return {
    name: "",
    room: null,
    lang: "en",
    label: "test",
    address: "10.0.0.1",
    ...extra,
    got,
    deliver: (message) => got.push(message),
    close() {},
  };
}

Deno.test("Hub.identity() tells a member's user and host, also while its leave is told", () => {
  const hub = new Hub({ now: () => 0 });
  const ana = fake({ user: "~ana", host: "h.ip" });
  const seen: unknown[] = [];
  const bob: Fake = {
    ...fake(),
    deliver(message) {
      if (message.type === "leave") seen.push(hub.identity(message.name));
    },
  };
  hub.register(ana, "ana");
  hub.register(bob, "bob");
  assertEquals(hub.identity("ANA"), {
    user: "~ana",
    host: "h.ip",
    realname: "",
  });
  assertEquals(hub.identity("bob"), {
    user: "chat",
    host: "unknown",
    realname: "",
  });
  hub.leave(ana, "quit");
  assertEquals(seen, [{ user: "~ana", host: "h.ip", realname: "" }]);
  assertEquals(hub.identity("ana"), undefined);
});

Deno.test("Hub answers whois and lusers", () => {
  const hub = new Hub({ now: () => 0 });
  const ana = fake({ user: "~ana", host: "h.ip" });
  const bob = fake();
  hub.register(ana, "ana");
  hub.register(bob, "bob");
  hub.apply(ana, { kind: "join", room: "#games" });
  hub.apply(bob, { kind: "whois", name: "ana" });
  assertEquals(bob.got.at(-1), {
    type: "whois",
    name: "ana",
    user: "~ana",
    host: "h.ip",
    realname: "",
    rooms: ["#general", "#games"],
    ops: ["#games"],
  });
  hub.apply(bob, { kind: "whois", name: "nobody" });
  assertEquals(bob.got.at(-1)?.type, "error");
  hub.apply(bob, { kind: "lusers" });
  assertEquals(bob.got.at(-1), {
    type: "lusers",
    users: 2,
    rooms: 2,
    opers: 0,
  });
});

Deno.test("Hub tells an away member's rooms, and who messages it privately", () => {
  const hub = new Hub({ now: () => 5 });
  const ana = fake();
  const bob = fake();
  hub.register(ana, "ana");
  hub.register(bob, "bob");
  hub.apply(ana, { kind: "away", text: "lunch" });
  assertEquals(bob.got.at(-1), {
    type: "away",
    name: "ana",
    time: 5,
    text: "lunch",
  });
  assertEquals(ana.got.at(-1), {
    type: "away",
    name: "ana",
    time: 5,
    text: "lunch",
  });
  assertEquals(hub.identity("ana")?.away, "lunch");
  hub.apply(bob, { kind: "msg", to: "ana", text: "there?" });
  assertEquals(bob.got.at(-1), {
    type: "away",
    name: "ana",
    text: "lunch",
    time: 5,
    toSender: true,
  });
  hub.apply(ana, { kind: "away" });
  assertEquals(bob.got.at(-1), { type: "away", name: "ana", time: 5 });
  assertEquals(hub.identity("ana")?.away, undefined);
});

Deno.test("Hub lists a room's bans, and echoes public lines to members that ask", () => {
  const hub = new Hub({ now: () => 0 });
  const ana = fake({ echoes: true });
  const bob = fake();
  hub.register(ana, "ana");
  hub.register(bob, "bob");
  hub.apply(ana, { kind: "join", room: "#games" });
  hub.apply(ana, { kind: "ban", room: "#games", name: "eve" });
  hub.apply(ana, { kind: "bans", room: "#games" });
  assertEquals(ana.got.at(-1), {
    type: "bans",
    room: "#games",
    names: ["eve"],
  });
  hub.apply(ana, { kind: "say", text: "echo?" }, { room: "#general" });
  hub.apply(bob, { kind: "say", text: "no echo" }, { room: "#general" });
  const said = (member: Fake) =>
    member.got.filter((m) => m.type === "message").map((m) =>
      (m as { text: string }).text
    );
  assertEquals(said(ana), ["echo?", "no echo"]);
  assertEquals(said(bob), ["echo?"]);
});

Deno.test("Hub keeps IRC formatting in chat text", () => {
  const hub = new Hub({ now: () => 0 });
  const ana = fake();
  const bob = fake();
  hub.register(ana, "ana");
  hub.register(bob, "bob");
  hub.apply(ana, { kind: "say", text: "\x02bold\x02\x1b[2J\x07" }, {
    room: "#general",
  });
  assertEquals((bob.got.at(-1) as { text: string }).text, "\x02bold\x02");
});
