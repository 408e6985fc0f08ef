// The adversarial suite for rooms (the style of attacks_test.ts): over real
// sockets, a few well-behaved members (plain and native) hold a conversation
// in #general before and after each attack; none of them is disconnected,
// and nothing they receive holds a control, escape or bidi character.
// Attacks: room names built to break lines, terminals or looks; thousands of
// joins from one member against the caps; a member kicked or banned while it
// floods the room (nothing of it reaches the room after); a banned member
// back under another name from the same address; a key guessed at the flood
// limit's pace; a busy room that costs a quiet one nothing.

import { assert, assertEquals } from "@std/assert";
import type { ServerConfig } from "../../src/config.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import {
  eventually,
  type LineClient,
  nativeUser,
  withServer,
} from "../_helpers.ts";
import {
  assertSafeLines,
  closeAll,
  conversation,
  joinMembers,
  type Member,
  RawPeer,
} from "../_hostile.ts";

interface Arena {
  port: number;
  /** ana (plain), bob (native), carla (plain), in #general. */
  members: Member[];
  logs: string[];
}

/**
 * Runs `fn` with a server and three well-behaved members who talk in
 * #general before and after it; checks that none of them was disconnected
 * and that nothing unsafe reached them.
 */
async function withArena(
  options: Partial<ServerConfig>,
  fn: (arena: Arena) => Promise<void>,
): Promise<void> {
  await withServer(async (server, logs) => {
    const port = server.chat.addr.port;
    const members = await joinMembers(port, ["ana", "bob", "carla"]);
    try {
      await conversation(members, "before", 3);
      await fn({ port, members, logs });
      await conversation(members, "after", 3);
      for (const member of members) {
        assert(!member.wasDisconnected(), `${member.name} was disconnected`);
        assertSafeLines(member.lines, member.name);
      }
    } finally {
      await closeAll(...members);
    }
  }, options);
}

/** Every native message a client received, decoded. */
function messages(client: LineClient | RawPeer): ServerMessage[] {
  return client.lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as ServerMessage];
    } catch {
      return [];
    }
  });
}

/** Waits until `client` has received `count` errors, and returns their codes. */
async function errorCodes(
  client: LineClient | RawPeer,
  count: number,
  timeoutMs?: number,
): Promise<string[]> {
  return await eventually(
    () => {
      const codes = messages(client).flatMap((m) =>
        m.type === "error" ? [m.code] : []
      );
      return codes.length >= count ? codes : undefined;
    },
    `${count} errors`,
    timeoutMs,
  );
}

/** The rooms the server has, asked through `client`. */
async function roomList(
  client: LineClient,
): Promise<Extract<ServerMessage, { type: "rooms" }>> {
  await client.sendMessage({ type: "rooms" });
  return await client.expectMessage("rooms");
}

Deno.test("room names built to break lines, terminals or looks are refused in both dialects, and look-alikes name the room that exists", async () => {
  await withArena({ rateLimit: null }, async ({ port, members }) => {
    const native = await nativeUser(port, "mallory");
    const plain = await RawPeer.connect(port);
    try {
      await plain.send("trudy");
      await plain.expect("Welcome, trudy!");
      await native.sendMessage({ type: "join", room: "#games" });
      await native.expectMessage("joined");
      const bad = [
        "#",
        "#\u200b",
        "##",
        "#x\x1b[2Jy",
        "#\x1b]0;pwned\x07",
        "#ev\u202eil",
        "#a\u2066b",
        "#new\nline",
        "#tab\there",
        "#\u0000",
        `#${"x".repeat(33)}`,
        `#${"é".repeat(33)}`,
        "#gam\u0435s", // a Cyrillic е among Latin letters
        "#ends.",
        "#--",
        "#a b",
        "general",
        "#\ud800",
      ];
      for (const room of bad) {
        await native.sendMessage({ type: "join", room });
      }
      const codes = await errorCodes(native, bad.length);
      assertEquals(codes, bad.map(() => "bad_room_name"));
      // Typed in the plain dialect: the line ends at the line break, and
      // "#a b" is #a with the key b, so leave those out.
      const typed = bad.filter((room) =>
        !/[\n\t ]/.test(room) && room !== "general"
      );
      for (const room of typed) await plain.send(`/join ${room}`);
      for (let i = 0; i < typed.length; i++) await plain.expect(" !! ");
      assertSafeLines(plain.lines, "trudy");
      // 32 characters is the most, and look-alikes in any case are one room.
      await native.sendMessage({ type: "join", room: `#${"x".repeat(32)}` });
      await native.expectMessage("joined");
      for (const room of ["#GAMES", "#\u0262ames", "#ｇａｍｅｓ"]) {
        await plain.send(`/join ${room}`);
        await plain.expect("-- You ");
      }
      const list = await roomList(native);
      assertEquals(
        list.rooms.map((room) => [room.room, room.members]),
        [["#general", 5], ["#games", 2], [`#${"x".repeat(32)}`, 1]],
      );
    } finally {
      await closeAll(native, plain);
    }
    await conversation(members, "during", 2);
  });
});

Deno.test("thousands of joins from one member stop at its cap, then at the server's, and rooms made and left leave nothing behind", async () => {
  await withArena(
    { rateLimit: null, maxRooms: 100 },
    async ({ port }) => {
      const eve = await RawPeer.connect(port);
      const watcher = await nativeUser(port, "watcher");
      try {
        await eve.send('{"type":"hello","version":2,"name":"eve"}');
        await eve.expect('"welcome"');
        // 2000 joins in batches of 200: 19 rooms (with #general, 20), then
        // refusals.
        for (let batch = 0; batch < 10; batch++) {
          const lines = Array.from(
            { length: 200 },
            (_, i) =>
              JSON.stringify({ type: "join", room: `#r${batch * 200 + i}` }),
          );
          await eve.write(lines.join("\n") + "\n");
          await errorCodes(eve, (batch + 1) * 200 - 19, 20_000);
        }
        const refused = await errorCodes(eve, 1981);
        assertEquals(new Set(refused), new Set(["too_many_rooms"]));
        assertEquals(
          messages(eve).filter((m) => m.type === "joined").length,
          19,
        );
        assertEquals((await roomList(watcher)).total, 20);
        // Made and left 500 times by another member: deserted rooms go.
        const churner = await RawPeer.connect(port);
        try {
          await churner.send('{"type":"hello","version":2,"name":"churner"}');
          await churner.expect('"welcome"');
          const churn = [];
          for (let i = 0; i < 500; i++) {
            churn.push(JSON.stringify({ type: "join", room: `#c${i}` }));
            churn.push(JSON.stringify({ type: "part", room: `#c${i}` }));
          }
          await churner.write(churn.join("\n") + "\n");
          await eventually(
            () =>
              messages(churner).filter((m) => m.type === "parted").length ===
                500,
            "500 parts",
            20_000,
          );
          assertEquals((await roomList(watcher)).total, 20);
          // Rooms that stay when deserted (a topic) fill the server, and the
          // idle ones make way for new ones: never more than --max-rooms.
          const lasting = [];
          for (let i = 0; i < 300; i++) {
            lasting.push(JSON.stringify({ type: "join", room: `#t${i}` }));
            lasting.push(
              JSON.stringify({ type: "topic", room: `#t${i}`, text: "mine" }),
            );
            lasting.push(JSON.stringify({ type: "part", room: `#t${i}` }));
          }
          await churner.write(lasting.join("\n") + "\n");
          await eventually(
            () =>
              messages(churner).filter((m) => m.type === "parted").length ===
                800,
            "300 more parts",
            20_000,
          );
        } finally {
          await churner.close();
        }
        assertEquals((await roomList(watcher)).total, 100);
        // #general, eve's 19 and 80 deserted rooms with a topic: members
        // who make 95 rooms replace the 80, then are refused.
        const fillers = await Promise.all(
          Array.from({ length: 5 }, (_, i) => nativeUser(port, `filler${i}`)),
        );
        try {
          for (const [i, filler] of fillers.entries()) {
            for (let r = 0; r < 19; r++) {
              await filler.sendMessage({ type: "join", room: `#f${i}_${r}` });
            }
            await eventually(
              () =>
                messages(filler).filter((m) =>
                  m.type === "joined" || m.type === "error"
                ).length === 19,
              `filler${i}'s 19 answers`,
            );
          }
          const answers = fillers.flatMap((filler) =>
            messages(filler).flatMap((m) =>
              m.type === "joined"
                ? ["joined"]
                : m.type === "error"
                ? [m.code]
                : []
            )
          );
          assertEquals(answers.filter((a) => a === "joined").length, 80);
          assertEquals(
            answers.filter((a) => a === "server_rooms_full").length,
            15,
          );
          assertEquals((await roomList(watcher)).total, 100);
        } finally {
          await closeAll(...fillers);
        }
      } finally {
        await closeAll(eve, watcher);
      }
    },
  );
});

/**
 * A room, #arena, with its operator (ana2, native), a bystander (bea,
 * native) and mallory (native), who floods it; the operator acts once the
 * bystander has seen some of the flood. Returns the three clients.
 */
async function floodedArena(
  port: number,
): Promise<{ op: LineClient; bea: LineClient; mallory: RawPeer }> {
  const op = await nativeUser(port, "ana2");
  const bea = await nativeUser(port, "bea");
  const mallory = await RawPeer.connect(port);
  await op.sendMessage({ type: "join", room: "#arena" });
  await op.expectMessage("joined");
  await bea.sendMessage({ type: "join", room: "#arena" });
  await bea.expectMessage("joined");
  await mallory.send('{"type":"hello","version":2,"name":"mallory"}');
  await mallory.expect('"welcome"');
  await mallory.send('{"type":"join","room":"#arena"}');
  await mallory.expect('"joined"');
  return { op, bea, mallory };
}

/**
 * Floods #arena from mallory, 50 numbered lines at a time, until `stop`
 * aborts; resolves with how many were sent.
 */
async function flood(mallory: RawPeer, stop: AbortSignal): Promise<number> {
  let sent = 0;
  while (!stop.aborted) {
    const lines = Array.from(
      { length: 50 },
      (_, i) =>
        JSON.stringify({ type: "input", text: `m${sent + i}`, room: "#arena" }),
    );
    const { error } = await mallory.write(lines.join("\n") + "\n");
    if (error !== undefined) break;
    sent += 50;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return sent;
}

/** Indexes of bea's messages: mallory's lines in #arena, and the `type` one. */
function after(bea: LineClient, type: "kick" | "mode"): {
  cut: number;
  laterInArena: string[];
} {
  const got = messages(bea);
  const cut = got.findIndex((m) => m.type === type);
  const laterInArena = got.slice(cut).flatMap((m) =>
    m.type === "message" && m.room === "#arena" && m.from === "mallory"
      ? [m.text]
      : []
  );
  return { cut, laterInArena };
}

Deno.test("a member kicked while it floods the room says nothing more there", async () => {
  await withArena({ rateLimit: null }, async ({ port }) => {
    const { op, bea, mallory } = await floodedArena(port);
    const stop = new AbortController();
    try {
      const flooding = flood(mallory, stop.signal);
      await eventually(
        () => messages(bea).filter((m) => m.type === "message").length >= 100,
        "bea to see the flood begin",
      );
      await op.sendMessage({ type: "input", text: "/kick mallory enough" });
      await bea.expectMessage("kick", (m) => m.name === "mallory");
      // It goes on flooding a while after the kick.
      await eventually(
        () =>
          messages(mallory).filter((m) =>
            m.type === "error" && m.code === "not_in_room"
          ).length >= 100,
        "100 of mallory's lines refused after the kick",
      );
      stop.abort();
      const sent = await flooding;
      await mallory.send('{"type":"input","text":"marker"}');
      // Its current room is #general now: its later lines go there.
      await bea.expectMessage("message", (m) => m.text === "marker");
      const { cut, laterInArena } = after(bea, "kick");
      assert(cut > 0, "bea saw the kick");
      assertEquals(laterInArena, [], "nothing of mallory's in #arena after");
      const inArena = messages(bea).filter((m) =>
        m.type === "message" && m.room === "#arena"
      ).length;
      assert(inArena < sent, `the kick cut the flood (${inArena} of ${sent})`);
    } finally {
      stop.abort();
      await closeAll(op, bea, mallory);
    }
  });
});

Deno.test("a member banned while it floods is out at once, and cannot come back under another name from its address", async () => {
  await withArena({ rateLimit: null }, async ({ port, logs }) => {
    const { op, bea, mallory } = await floodedArena(port);
    const others: LineClient[] = [];
    const stop = new AbortController();
    try {
      const flooding = flood(mallory, stop.signal);
      await eventually(
        () => messages(bea).filter((m) => m.type === "message").length >= 100,
        "bea to see the flood begin",
      );
      await op.sendMessage({ type: "input", text: "/ban mallory" });
      await bea.expectMessage("kick", (m) => m.name === "mallory");
      await eventually(
        () =>
          messages(mallory).filter((m) =>
            m.type === "error" && m.code === "not_in_room"
          ).length >= 100,
        "100 of mallory's lines refused after the ban",
      );
      stop.abort();
      await flooding;
      const { laterInArena } = after(bea, "mode");
      assertEquals(laterInArena, [], "nothing of mallory's in #arena after");
      // Back under another name, from the same address (127.0.0.1).
      await mallory.send('{"type":"input","text":"/nick innocent"}');
      await mallory.expect('"rename"');
      await mallory.send('{"type":"join","room":"#arena"}');
      await mallory.expect('"code":"banned"');
      const fresh = await nativeUser(port, "newcomer");
      others.push(fresh);
      await fresh.sendMessage({ type: "join", room: "#arena" });
      assertEquals((await fresh.expectMessage("error")).code, "banned");
      // Members from that address already in the room stay.
      await bea.sendMessage({
        type: "input",
        text: "still here",
        room: "#arena",
      });
      await op.expectMessage("message", (m) => m.text === "still here");
      // The operator lifts the ban: the address may come back.
      await op.sendMessage({ type: "input", text: "/unban mallory" });
      await op.expectMessage("mode", (m) => m.change === "-b");
      await fresh.sendMessage({ type: "join", room: "#arena" });
      await fresh.expectMessage("joined");
      assert(logs.some((line) => / ban mallory #arena by ana2 /.test(line)));
    } finally {
      stop.abort();
      await closeAll(op, bea, mallory, ...others);
    }
  });
});

Deno.test("guessing a room's key goes at the flood limit's pace, and a guesser who keeps on is dropped", async () => {
  await withArena({}, async ({ port, members }) => {
    const op = await nativeUser(port, "keeper");
    const eve = await RawPeer.connect(port);
    try {
      await op.sendMessage({ type: "join", room: "#vault" });
      await op.expectMessage("joined");
      await op.sendMessage({ type: "input", text: "/key 7r0ub4dor&3" });
      await op.expectMessage("mode");
      await eve.send('{"type":"hello","version":2,"name":"eve"}');
      await eve.expect('"welcome"');
      const guesses = Array.from(
        { length: 100 },
        (_, i) =>
          JSON.stringify({ type: "join", room: "#vault", key: `g${i}` }),
      );
      await eve.write(guesses.join("\n") + "\n");
      await eve.expect('"type":"bye"');
      await eve.ended;
      const got = messages(eve);
      const wrong = got.filter((m) =>
        m.type === "error" && m.code === "bad_key"
      );
      assertEquals(wrong.length, 20, "the burst, and no more");
      assert(got.some((m) => m.type === "error" && m.code === "slow_down"));
      assert(!got.some((m) => m.type === "joined"));
      for (const member of members) await member.expectLeave("eve", "flood");
    } finally {
      await closeAll(op, eve);
    }
  });
});

Deno.test("a busy room costs a member only in a quiet room nothing", async () => {
  await withArena({ rateLimit: null }, async ({ port }) => {
    const loud = await RawPeer.connect(port);
    const quiet = await nativeUser(port, "quiet");
    try {
      await loud.send('{"type":"hello","version":2,"name":"loud"}');
      await loud.expect('"welcome"');
      await loud.send('{"type":"join","room":"#busy"}');
      await loud.expect('"joined"');
      await quiet.sendMessage({ type: "join", room: "#calm" });
      await quiet.expectMessage("joined");
      await quiet.sendMessage({ type: "part", room: "#general" });
      await quiet.expectMessage("parted");
      const before = quiet.lines.length;
      const lines = Array.from(
        { length: 2000 },
        (_, i) => JSON.stringify({ type: "input", text: `busy ${i}` }),
      );
      await loud.write(lines.join("\n") + "\n");
      // loud's own probe comes back once all 2000 are handled.
      await loud.send('{"type":"who","room":"#busy"}');
      await loud.expect('"members"');
      await quiet.sendMessage({ type: "who" });
      await quiet.expectMessage("members");
      const between = quiet.lines.slice(before).map((line) => JSON.parse(line));
      assertEquals(between.map((m) => m.type), ["members"]);
    } finally {
      await closeAll(loud, quiet);
    }
  });
});

Deno.test("a netcat member kicked while it types is out of the room at once: what it types next goes to its other room", async () => {
  await withArena({ rateLimit: null }, async ({ port }) => {
    const op = await nativeUser(port, "ana3");
    const bea = await nativeUser(port, "bea3");
    const nc = await RawPeer.connect(port);
    const stop = new AbortController();
    try {
      await op.sendMessage({ type: "join", room: "#arena" });
      await op.expectMessage("joined");
      await bea.sendMessage({ type: "join", room: "#arena" });
      await bea.expectMessage("joined");
      await nc.send("natty");
      await nc.expect("Welcome, natty!");
      await nc.send("/join #arena");
      await nc.expect("You joined #arena.");
      const typing = (async () => {
        let sent = 0;
        while (!stop.signal.aborted) {
          const lines = Array.from({ length: 50 }, (_, i) => `n${sent + i}`);
          if ((await nc.write(lines.join("\n") + "\n")).error) break;
          sent += 50;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      await eventually(
        () => messages(bea).filter((m) => m.type === "message").length >= 100,
        "bea to see natty's lines",
      );
      await op.sendMessage({ type: "input", text: "/kick natty" });
      await nc.expect("-- natty was kicked from #arena by ana3");
      await nc.expect("-- You are now in #general");
      await eventually(
        () =>
          messages(bea).filter((m) =>
            m.type === "message" && m.room === "#general" && m.from === "natty"
          ).length >= 100,
        "natty's lines to land in #general",
      );
      stop.abort();
      await typing;
      const got = messages(bea);
      const cut = got.findIndex((m) => m.type === "kick");
      assert(cut > 0);
      assertEquals(
        got.slice(cut).filter((m) =>
          m.type === "message" && m.room === "#arena"
        ),
        [],
      );
    } finally {
      stop.abort();
      await closeAll(op, bea, nc);
    }
  });
});
