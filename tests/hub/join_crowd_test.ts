// Checks how a crowd's joins are told (src/hub/join_crowd.ts, through the
// hub): one by one at first, then together; before anything else in the
// room; each member's list of members right at the end; and how every
// dialect and both clients show a notice that tells many.

import { assert, assertEquals } from "@std/assert";
import { Hub } from "../../src/hub/hub.ts";
import {
  CROWD_JOINS,
  CROWD_WINDOW_MS,
  type JoinNotice,
  MAX_HELD_JOINS,
} from "../../src/hub/join_crowd.ts";
import type { Member } from "../../src/hub/member.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import { roomEventText, STRINGS } from "../../src/i18n/server_strings.ts";
import { IRC_CODEC } from "../../src/protocol/irc_codec.ts";
import { PLAIN_CODEC } from "../../src/protocol/plain_codec.ts";
import { ClientState } from "../../src/client/client_state.ts";
import { WebClientState } from "../../src/web/web_client_state.js";
import { pageText } from "../../src/web/web_assets.ts";

interface FakeMember extends Member {
  got: ServerMessage[];
}

function fake(): FakeMember {
  const got: ServerMessage[] = [];
  return {
    name: "",
    room: null,
    lang: "en",
    label: "127.0.0.1:40000",
    address: "127.0.0.1",
    got,
    deliver: (message) => void got.push(message),
    close() {},
  };
}

function hubAt(time: { t: number }): Hub {
  return new Hub({ now: () => time.t });
}

// The names a member knows are in #general: its welcome's, then every
// join and leave it was told.
function known(member: FakeMember): string[] {
  const names: string[] = [];
  for (const message of member.got) {
    if (message.type === "welcome") names.push(...message.members);
    if (message.type === "join" && message.room === "#general") {
      for (const name of [message.name, ...(message.others ?? [])]) {
        assert(!names.includes(name), `${member.name} told twice of ${name}`);
        names.push(name);
      }
    }
    if (message.type === "leave") names.splice(names.indexOf(message.name), 1);
  }
  return names.sort();
}

function joins(member: FakeMember): Extract<ServerMessage, { type: "join" }>[] {
  return member.got.filter((m) => m.type === "join");
}

Deno.test("a crowd's joins: the first ones one by one, the rest together at the next tick, and every list of members right", () => {
  const time = { t: 1_000_000 };
  const hub = hubAt(time);
  const ana = fake();
  hub.register(ana, "ana");
  time.t += CROWD_WINDOW_MS;
  const crowd = Array.from({ length: 40 }, (_, i) => {
    const member = fake();
    assert(hub.register(member, `u${i}`).ok);
    return member;
  });
  // Before the tick: the first joins only.
  assertEquals(joins(ana).map((m) => m.name), [
    ...Array.from({ length: CROWD_JOINS }, (_, i) => `u${i}`),
  ]);
  hub.tick(time.t);
  const told = joins(ana);
  assertEquals(told.length, CROWD_JOINS + 1);
  assertEquals(told.at(-1), {
    type: "join",
    room: "#general",
    name: `u${CROWD_JOINS}`,
    time: time.t,
    arrived: true,
    others: Array.from(
      { length: 40 - CROWD_JOINS - 1 },
      (_, i) => `u${CROWD_JOINS + 1 + i}`,
    ),
  });
  const everyone = ["ana", ...crowd.map((m) => m.name)].sort();
  for (const member of [ana, ...crowd]) {
    assertEquals(known(member), everyone, member.name);
    // Nobody is told of its own arrival.
    assert(
      joins(member).every((m) =>
        m.name !== member.name && !m.others?.includes(member.name)
      ),
    );
  }
  // Quiet again: the next one is told at once.
  time.t += CROWD_WINDOW_MS;
  const late = fake();
  hub.register(late, "late");
  assertEquals(joins(ana).at(-1)?.name, "late");
  assertEquals(joins(ana).at(-1)?.others, undefined);
});

Deno.test("a crowd's held joins are told before anything else in the room, and when too many wait", () => {
  const time = { t: 1_000_000 };
  const hub = hubAt(time);
  const ana = fake();
  hub.register(ana, "ana");
  const crowd = Array.from({ length: CROWD_JOINS + 5 }, (_, i) => {
    const member = fake();
    hub.register(member, `u${i}`);
    return member;
  });
  // The last one speaks before any tick: its join comes first.
  hub.input(crowd.at(-1)!, "hello");
  const types = ana.got.map((m) => m.type === "join" ? "join" : m.type);
  const said = types.indexOf("message");
  assert(said > 0);
  assertEquals(types.slice(said - 1, said + 1), ["join", "message"]);
  const last = joins(ana).at(-1)!;
  assert(last.others?.includes(crowd.at(-1)!.name));
  // One that leaves while held is told as come, then gone.
  for (let i = 0; i < 6; i++) hub.register(fake(), `v${i}`);
  const leaver = fake();
  hub.register(leaver, "leaver");
  hub.leave(leaver, "quit");
  const tail = ana.got.slice(-2).map((m) => m.type);
  assertEquals(tail, ["join", "leave"]);
  // At most MAX_HELD_JOINS wait.
  const before = joins(ana).length;
  for (let i = 0; i < MAX_HELD_JOINS; i++) hub.register(fake(), `w${i}`);
  assertEquals(joins(ana).length, before + 1);
  assertEquals(joins(ana).at(-1)?.others?.length, MAX_HELD_JOINS - 1);
});

Deno.test("a join that tells many reads well in every dialect and language", () => {
  const inRoom: JoinNotice = {
    type: "join",
    room: "#general",
    name: "ana",
    time: 0,
    others: ["bob", "carol", "dan"],
  };
  const notice: JoinNotice = { ...inRoom, arrived: true };
  assertEquals(
    roomEventText(STRINGS.en, notice),
    "ana, bob and 2 others joined the chat!",
  );
  assertEquals(
    roomEventText(STRINGS.pt, inRoom),
    "ana, bob e mais 2 entraram em #general",
  );
  assertEquals(
    roomEventText(STRINGS.en, { ...notice, others: ["bob", "carol"] }),
    "ana, bob, carol joined the chat!",
  );
  // netcat: one line.
  const plain = PLAIN_CODEC.encode(
    notice,
    PLAIN_CODEC.open({
      name: "eve",
      lang: "en",
      joined: true,
      needsPassword: false,
      room: "#general",
    }),
  );
  assertEquals(plain.split("\n").length, 2);
  assert(plain.includes("ana, bob and 2 others joined the chat!"), plain);
  // IRC: one JOIN each, as nick lists need.
  const irc = IRC_CODEC.encode(
    notice,
    IRC_CODEC.open({
      name: "eve",
      lang: "en",
      joined: true,
      needsPassword: false,
      room: "#general",
    }),
  );
  assertEquals(
    irc.split("\r\n").filter((line) => line !== "").map((line) =>
      line.replace(/!.*? /, " ")
    ),
    [
      ":ana JOIN #general",
      ":bob JOIN #general",
      ":carol JOIN #general",
      ":dan JOIN #general",
    ],
  );
});

Deno.test("both clients add every name of a join that tells many to the room's members", () => {
  const notice: JoinNotice = {
    type: "join",
    room: "#general",
    name: "bob",
    time: 1,
    others: ["carol", "dan", "erin"],
  };
  const welcome: ServerMessage = {
    type: "welcome",
    name: "ana",
    server: "s",
    version: 2,
    room: "#general",
    members: ["ana"],
    ops: [],
    history: [],
  };
  const terminal = new ClientState({
    name: "ana",
    address: "10.0.0.2:50001",
    now: () => 0,
    formatTime: () => "12:00",
    timeoutMs: 5000,
  });
  terminal.start();
  terminal.onServerLine(JSON.stringify(welcome));
  const printed = terminal.onServerLine(JSON.stringify(notice));
  assertEquals(terminal.members, ["ana", "bob", "carol", "dan", "erin"]);
  assert(
    JSON.stringify(printed).includes("bob, carol and 2 others joined #general"),
    JSON.stringify(printed),
  );
  const page = new WebClientState({
    text: pageText("en"),
    lang: "en",
    random: () => 0.5,
  });
  page.submitName("ana");
  page.opened(0);
  page.received(JSON.stringify(welcome), 0);
  const shown = page.received(JSON.stringify(notice), 0);
  assertEquals(page.members, ["ana", "bob", "carol", "dan", "erin"]);
  assert(
    JSON.stringify(shown).includes("bob, carol and 2 others joined #general"),
    JSON.stringify(shown),
  );
});
