// The adversarial suite: one test per attack on the server, over real
// sockets. In every test a few well-behaved users (plain and native) hold a
// conversation during and after the attack, and each checks that every
// message the others sent arrived, complete and in order; none of them is
// disconnected, and nothing they receive holds a control, escape or bidi
// character. See docs/security.md for what each attack gets.

import { assert, assertEquals, assertMatch } from "@std/assert";
import type { ServerConfig } from "../../src/config.ts";
import {
  ChatProcess,
  eventually,
  LineClient,
  startTestServer,
  withServer,
} from "../_helpers.ts";
import { have } from "../_tools.ts";
import {
  answerPings,
  assertSafeLines,
  closeAll,
  conversation,
  findUnsafe,
  joinMembers,
  Member,
  rawConnect,
  RawPeer,
  readToEnd,
  ServerProcess,
  writeAll,
} from "../_hostile.ts";

const encoder = new TextEncoder();

/** Concatenates text (as UTF-8) and raw bytes. */
function bytes(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  const chunks = parts.map((p) =>
    typeof p === "string" ? encoder.encode(p) : new Uint8Array(p)
  );
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

interface Room {
  port: number;
  /** ana (plain), bob (native), carla (plain). */
  members: Member[];
  /** The server's log lines. */
  logs: string[];
  /** Members who left on purpose during the test. */
  left: Set<Member>;
}

/**
 * Runs `fn` with a server and three well-behaved members, who talk before
 * the test starts; afterwards checks that none of them was disconnected
 * and that nothing unsafe reached them, then closes them.
 */
async function withRoom(
  options: Partial<ServerConfig>,
  fn: (room: Room) => Promise<void>,
): Promise<void> {
  await withServer(async (server, logs) => {
    const port = server.chat.addr.port;
    const members = await joinMembers(port, ["ana", "bob", "carla"]);
    const left = new Set<Member>();
    try {
      await conversation(members, "before", 3);
      await fn({ port, members, logs, left });
      for (const member of members) {
        assert(
          left.has(member) || !member.wasDisconnected(),
          `${member.name} was disconnected`,
        );
        assertSafeLines(member.lines, member.name);
      }
    } finally {
      await closeAll(...members);
    }
  }, options);
}

/** Waits until every member has seen `name` join. */
async function allSeeJoin(members: Member[], name: string): Promise<void> {
  for (const member of members) {
    await eventually(
      () => member.sawJoin(name),
      `${member.name} to see ${name} join`,
    );
  }
}

/** Waits until every member has received exactly `texts` from `from`. */
async function allReceive(
  members: Member[],
  from: string,
  texts: string[],
): Promise<void> {
  for (const member of members) {
    await eventually(
      () => member.messagesFrom(from).length >= texts.length,
      `${member.name} to receive ${texts.length} messages from ${from}; got ${
        JSON.stringify(member.messagesFrom(from))
      }`,
    );
    assertEquals(
      member.messagesFrom(from),
      texts,
      `${member.name} received from ${from}`,
    );
  }
}

Deno.test("a line over 8192 bytes is refused with an error and the offender's connection goes on", async () => {
  await withRoom({}, async ({ port, members }) => {
    const mallory = await Member.join(port, "mallory", "plain");
    const trudy = await Member.join(port, "trudy", "native");
    try {
      await allSeeJoin(members, "trudy");
      const during = conversation(members, "during", 6);
      await mallory.say("x".repeat(9000));
      await trudy.say("y".repeat(9000));
      await mallory.say("z".repeat(8193));
      await mallory.client.expect(
        "!! Your line was longer than 8192 bytes and was not sent",
      );
      await mallory.client.expect("!! Your line was longer than 8192 bytes");
      await trudy.client.expectMessage(
        "error",
        (m) => m.code === "line_too_long",
      );
      await during;
      // Exactly at the limit is accepted, and both offenders go on talking.
      await mallory.say("z".repeat(8192));
      await mallory.say("still here");
      await trudy.say("me too");
      await allReceive(members, "mallory", ["z".repeat(8192), "still here"]);
      await allReceive(members, "trudy", ["me too"]);
      await conversation(members, "after", 6);
      assert(!mallory.wasDisconnected() && !trudy.wasDisconnected());
    } finally {
      await closeAll(mallory, trudy);
    }
  });
});

Deno.test({
  name:
    "megabytes without a newline get the sender disconnected at the hard bound, without growing the server's memory",
  // The server's memory is read from /proc (ChatProcess.rssKiB()).
  ignore: Deno.build.os !== "linux",
}, async () => {
  const server = await ServerProcess.start();
  const members = await joinMembers(server.port, ["ana", "bob", "carla"]);
  const attackers: RawPeer[] = [];
  try {
    await conversation(members, "before", 3);
    const rssBefore = server.rssKiB();
    const junk = new Uint8Array(4 * 1024 * 1024).fill(0x41); // 4 MiB of "A"
    let round = 0;
    for (; round < 3; round++) {
      // One joined member and four strangers who never sent a name.
      const mallory = await RawPeer.connect(server.port);
      attackers.push(mallory);
      await mallory.send(`mallory${round}`);
      await mallory.expect(`Welcome, mallory${round}!`);
      await allSeeJoin(members, `mallory${round}`);
      const strangers = await Promise.all(
        Array.from({ length: 4 }, () => RawPeer.connect(server.port)),
      );
      attackers.push(...strangers);
      const during = conversation(members, `during${round}`, 3);
      await Promise.all(
        [mallory, ...strangers].map(async (peer) => {
          await peer.write(junk); // as fast as it goes; fails once cut off
          await peer.ended;
        }),
      );
      await during;
      for (const member of members) {
        await member.expectLeave(`mallory${round}`, "protocol");
      }
    }
    await eventually(
      () =>
        server.stdout.filter((l) =>
          l.includes(
            "sent more than 65536 bytes without a line break; disconnecting",
          )
        ).length === 5 * round,
      "every attacker to be cut off at the hard bound",
    );
    // Under the hard bound, a line without a newline for a while is only
    // too long: refused with an error, and the peer goes on.
    const patient = await RawPeer.connect(server.port);
    attackers.push(patient);
    await patient.send("patient");
    await patient.expect("Welcome, patient!");
    await patient.write(new Uint8Array(60_000).fill(0x42));
    await patient.send("");
    await patient.expect("!! Your line was longer than 8192 bytes");
    await patient.send("still here");
    await allReceive(members, "patient", ["still here"]);
    const rssAfter = server.rssKiB();
    console.log(
      `server RSS before ${rssBefore} KiB, after ${
        5 * round
      } peers sent 4 MiB each: ${rssAfter} KiB (${
        rssAfter - rssBefore
      } KiB more)`,
    );
    assert(
      rssAfter - rssBefore < 16 * 1024,
      `the server grew by ${rssAfter - rssBefore} KiB`,
    );
    await conversation(members, "after", 5);
    for (const member of members) {
      assert(!member.wasDisconnected(), `${member.name} was disconnected`);
      assertSafeLines(member.lines, member.name);
    }
  } finally {
    await closeAll(...members, ...attackers);
    server.kill("SIGTERM");
    assertEquals(await server.status(), 0);
  }
});

Deno.test("invalid UTF-8 becomes U+FFFD and is never fatal, in either dialect", async () => {
  await withRoom({}, async ({ port, members }) => {
    const mallory = await RawPeer.connect(port);
    const trudy = await RawPeer.connect(port);
    try {
      // A name with invalid bytes is refused, not fatal.
      await mallory.write(bytes([0xff], "mal", [0xfe], "\n"));
      await mallory.expect("is not allowed");
      await mallory.send("mallory");
      await mallory.expect("Welcome, mallory!");
      const lines = [
        // 0xFF 0xFE would be telnet's IAC DONT: taken out, not text.
        bytes("bad ", [0xfe, 0xff], " end"),
        bytes("overlong ", [0xc0, 0xaf], " slash"),
        bytes([0xc0, 0xaf], "quit"), // an overlong "/" is no command
        bytes("surrogate ", [0xed, 0xa0, 0x80], " half"),
        bytes("truncated ", [0xe2, 0x82]),
        bytes("five bytes ", [0xf8, 0x88, 0x80, 0x80, 0x80]),
        bytes("past U+10FFFF ", [0xf4, 0x90, 0x80, 0x80]),
        bytes("bare continuation ", [0x80, 0x80, 0xbf]),
      ];
      const during = conversation(members, "during", 6);
      for (const line of lines) await mallory.write(bytes(line, "\n"));
      // A valid character split across two writes survives whole.
      await mallory.write(bytes("split ", [0xc3]));
      await mallory.write(bytes([0xa9], " ok\n"));
      const expected = lines.map((l) => new TextDecoder().decode(l))
        .concat("split é ok");
      assert(expected.every((t, i) => i === 8 || t.includes("\ufffd")));

      // Native: invalid bytes inside a JSON string, and in a hello's name.
      await trudy.write(
        bytes('{"type":"hello","version":2,"name":"tr', [0xff], 'udy"}\n'),
      );
      await trudy.expect('"code":"invalid_chars"');
      await trudy.send('{"type":"hello","version":2,"name":"trudy"}');
      await trudy.expect('"type":"welcome"');
      await trudy.write(
        bytes('{"type":"input","text":"a', [0xff], 'b"}\n'),
      );
      await during;
      await allReceive(members, "mallory", expected);
      await allReceive(members, "trudy", ["a\ufffdb"]);
      await mallory.send("still fine");
      await allReceive(members, "mallory", [...expected, "still fine"]);
      await conversation(members, "after", 6);
      assert(!mallory.lines.some((l) => l.includes("Disconnected")));
      assert(!trudy.lines.some((l) => l.includes('"bye"')));
    } finally {
      await closeAll(mallory, trudy);
    }
  });
});

Deno.test("a paste of 20 lines goes through, a flood is refused with slow_down and not queued, and a flooder is disconnected", async () => {
  await withRoom({}, async ({ port, members, logs }) => {
    const mallory = await Member.join(port, "mallory", "plain");
    const trudy = await Member.join(port, "trudy", "native");
    try {
      await allSeeJoin(members, "trudy");
      const during = conversation(members, "during", 6);
      // A paste of 25 lines in one write: the burst of 20 goes through at
      // once, the rest are refused with one notice, never queued.
      const paste = Array.from(
        { length: 25 },
        (_, i) => `paste ${String(i + 1).padStart(2, "0")}`,
      );
      await mallory.client.write(paste.map((l) => l + "\n").join(""));
      await mallory.client.expect(
        "!! Slow down: you are sending too fast, so your lines are being dropped",
      );
      await allReceive(members, "mallory", paste.slice(0, 20));
      // Sustained flooding: refused, then disconnected with reason flood.
      const flood = Array.from({ length: 100 }, (_, i) => `flood ${i}`);
      await trudy.client.write(
        flood.map((text) => JSON.stringify({ type: "input", text }) + "\n")
          .join(""),
      );
      await trudy.client.expectMessage("error", (m) => m.code === "slow_down");
      assertEquals((await trudy.client.expectMessage("bye")).reason, "flood");
      await trudy.client.ended;
      for (const member of members) await member.expectLeave("trudy", "flood");
      await allReceive(members, "trudy", flood.slice(0, 20));
      assert(logs.some((l) => /flood trudy \(127\.0\.0\.1:\d+\)/.test(l)));
      await during;
      // Once the bucket has refilled (5 a second), mallory speaks again:
      // nothing refused earlier comes out of a queue.
      await new Promise((resolve) => setTimeout(resolve, 1200)); // pacing
      await mallory.say("after the pause");
      // ...and is told how many of its lines were dropped.
      await mallory.client.expect(
        "!! 5 messages were not sent: you were sending too fast",
      );
      await allReceive(members, "mallory", [
        ...paste.slice(0, 20),
        "after the pause",
      ]);
      assertEquals(
        mallory.lines.filter((l) => l.includes("Slow down")).length,
        1,
        "one notice per run of refused lines",
      );
      assert(!mallory.wasDisconnected());
      await conversation(members, "after", 6);
    } finally {
      await closeAll(mallory, trudy);
    }
  });
});

Deno.test("with rateLimit null a flood is not refused", async () => {
  await withRoom({ rateLimit: null }, async ({ port, members }) => {
    const mallory = await Member.join(port, "mallory", "plain");
    try {
      await allSeeJoin(members, "mallory");
      const flood = Array.from({ length: 300 }, (_, i) => `flood ${i}`);
      const during = conversation(members, "during", 20);
      await mallory.client.write(flood.map((l) => l + "\n").join(""));
      await during;
      await allReceive(members, "mallory", flood);
      assert(!mallory.lines.some((l) => l.includes("Slow down")));
      await conversation(members, "after", 20);
    } finally {
      await closeAll(mallory);
    }
  });
});

Deno.test("a member that never reads is dropped as slow once its queue is full, and nobody else waits for it", async () => {
  const maxQueueBytes = 64 * 1024;
  await withRoom(
    { maxQueueBytes, rateLimit: null },
    async ({ port, members, logs }) => {
      // Joins, then never reads: the kernel buffers fill, then its outbox.
      const sloth = await rawConnect(port);
      try {
        await writeAll(sloth, "sloth\n");
        await allSeeJoin(members, "sloth");
        let batch = 0;
        const started = Date.now();
        while (!members[0]!.sawLeave("sloth")) {
          assert(batch < 200, "sloth was never dropped");
          // 25 rounds of one 4 KiB message from each member; every batch
          // arrives complete at the other members while sloth falls behind.
          await conversation(members, `big${batch}`, 25, { padTo: 4096 });
          batch++;
        }
        const elapsed = Date.now() - started;
        for (const member of members) await member.expectLeave("sloth", "slow");
        assert(
          logs.some((l) => /leave sloth \(127\.0\.0\.1:\d+\): slow/.test(l)),
        );
        console.log(
          `sloth dropped after ${batch} batches (${
            batch * 75 * 4
          } KiB sent its way) in ${elapsed} ms`,
        );
        await conversation(members, "after", 10);
      } finally {
        await closeAll(sloth);
      }
    },
  );
});

Deno.test("a thousand silent connections do not stop a new user from joining, and are all closed at the name deadline", async () => {
  const nameTimeoutMs = 3000;
  await withRoom(
    { maxPerIp: 0, nameTimeoutMs },
    async ({ port, members }) => {
      const silent: {
        conn: Deno.Conn;
        opened: number;
        end: Promise<{ text: string; ended: boolean; at: number }>;
      }[] = [];
      const newcomers: Member[] = [];
      try {
        for (let batch = 0; batch < 10; batch++) {
          const conns = await Promise.all(
            Array.from({ length: 100 }, () => rawConnect(port)),
          );
          for (const conn of conns) {
            const opened = Date.now();
            silent.push({
              conn,
              opened,
              end: readToEnd(conn, nameTimeoutMs + 10_000).then((r) => ({
                ...r,
                at: Date.now(),
              })),
            });
          }
        }
        const during = conversation(members, "during", 6);
        newcomers.push(await Member.join(port, "dave", "plain"));
        newcomers.push(await Member.join(port, "erin", "native"));
        await during;
        await conversation([...members, ...newcomers], "after", 6);
        // Each read gives up 10 s after the deadline: a hang guard, not a
        // speed check.
        const ends = await Promise.all(silent.map((s) => s.end));
        const open = ends.filter((end) => !end.ended).length;
        assertEquals(open, 0, `${open} were still open 10 s past the deadline`);
        for (const end of ends) {
          assertMatch(end.text, /Disconnected by the server: timed out\n$/);
        }
        const lived = ends.map((end, i) => end.at - silent[i]!.opened);
        console.log(
          `name deadline ${nameTimeoutMs} ms: the ${ends.length} silent connections were closed after ${
            Math.min(...lived)
          }..${Math.max(...lived)} ms`,
        );
        for (const newcomer of newcomers) {
          assert(!newcomer.wasDisconnected());
        }
      } finally {
        await closeAll(...silent.map((s) => s.conn), ...newcomers);
      }
    },
  );
});

Deno.test({
  name:
    "running out of file descriptors on accept is logged and survived, and members go on talking",
  ignore: !have("prlimit", "--version"),
  async fn() {
    // The server may hold 64 files; 80 silent connections use them up.
    const { process, port } = await ChatProcess.server(["--max-per-ip", "0"], {
      prefix: ["prlimit", "--nofile=64"],
    });
    const members: Member[] = [];
    const silent: Deno.Conn[] = [];
    let dave: RawPeer | undefined;
    try {
      members.push(...await joinMembers(port, ["ana", "bob", "carla"]));
      for (let i = 0; i < 80; i++) silent.push(await rawConnect(port));
      await process.waitFor(
        "Cannot accept a connection: Too many open files (os error 24); retrying",
      );
      await conversation(members, "during", 6);
      // A newcomer waits in the kernel's queue until a file is free again.
      dave = await RawPeer.connect(port);
      await dave.send("dave");
      await closeAll(...silent.splice(0));
      await dave.expect("Welcome, dave!");
      await conversation(members, "after", 6);
      for (const member of members) {
        assert(member.sawJoin("dave"));
        assert(!member.wasDisconnected());
        assertSafeLines(member.lines, member.name);
      }
    } finally {
      await closeAll(...members, ...silent, dave);
      process.kill("SIGTERM");
      assertEquals(await process.status(), 0);
    }
  },
});

Deno.test("past maxUsers a newcomer is told the server is full, and everyone else carries on", async () => {
  await withRoom({ maxUsers: 3 }, async ({ port, members, left }) => {
    const dave = await RawPeer.connect(port);
    const erin = await RawPeer.connect(port);
    let dave2: Member | undefined;
    try {
      const during = conversation(members, "during", 6);
      await dave.send("dave");
      await dave.expect(
        "-- Disconnected by the server: the server is full; try again later",
      );
      await dave.ended;
      await erin.send('{"type":"hello","version":2,"name":"erin"}');
      const bye = JSON.parse(await erin.expect('"type":"bye"'));
      assertEquals(bye.reason, "full");
      await erin.ended;
      await during;
      for (const member of members) {
        assert(!member.sawJoin("dave") && !member.sawJoin("erin"));
      }
      // A place frees up: the next newcomer gets in.
      const carla = members[2]!;
      left.add(carla);
      await carla.say("/quit");
      await carla.client.ended;
      dave2 = await Member.join(port, "dave", "plain");
      await conversation([members[0]!, members[1]!, dave2], "after", 6);
    } finally {
      await closeAll(dave, erin, dave2);
    }
  });
});

Deno.test("past maxPerIp a connection is told there are too many from its address, and everyone else carries on", async () => {
  await withRoom({ maxPerIp: 5 }, async ({ port, members, logs }) => {
    // Two silent connections bring 127.0.0.1 to the limit of 5.
    const silent = [await RawPeer.connect(port), await RawPeer.connect(port)];
    const refused: RawPeer[] = [];
    let dave: Member | undefined;
    try {
      const during = conversation(members, "during", 6);
      for (let i = 0; i < 3; i++) {
        const peer = await RawPeer.connect(port);
        refused.push(peer);
        await peer.expect(
          "Disconnected by the server: too many connections from your address",
        );
        await peer.ended;
      }
      await during;
      // When one of the five goes, a new connection is accepted again.
      const gone = silent.shift()!;
      const label = `127.0.0.1:${gone.localPort}`;
      await gone.close();
      await eventually(
        () => logs.some((l) => l.endsWith(`disconnect ${label}`)),
        "the server to count the closed connection out",
      );
      dave = await Member.join(port, "dave", "native");
      await conversation([...members, dave], "after", 6);
    } finally {
      await closeAll(...silent, ...refused, dave);
    }
  });
});

Deno.test("a native member that never answers pings is announced gone with reason timeout", async () => {
  const deadAfterMs = 700;
  await withRoom(
    { pingAfterMs: 200, deadAfterMs },
    async ({ port, members }) => {
      // bob (native) answers pings like `chat join`; zombie joins and then
      // neither reads nor writes, like a peer whose cable was pulled.
      const stopAnswering = answerPings(members[1]!);
      const zombie = await rawConnect(port);
      try {
        await writeAll(
          zombie,
          '{"type":"hello","version":2,"name":"zombie"}\n',
        );
        const joined = Date.now();
        await allSeeJoin(members, "zombie");
        await conversation(members, "during", 6);
        for (const member of members) {
          await member.expectLeave("zombie", "timeout");
        }
        console.log(
          `zombie announced gone ${
            Date.now() - joined
          } ms after joining (deadAfterMs ${deadAfterMs})`,
        );
        // What zombie never read: it was pinged first, then told it timed
        // out, and its connection was closed.
        const { text, ended } = await readToEnd(zombie);
        assert(ended, "the server closed zombie's connection");
        const types = text.trimEnd().split("\n").map((line) =>
          JSON.parse(line).type as string
        );
        const ping = types.indexOf("ping");
        assert(ping >= 0, `zombie was never pinged: ${types.join(", ")}`);
        assertEquals(types.at(-1), "bye");
        assert(ping < types.length - 1, types.join(", "));
        assertMatch(text, /"type":"bye","reason":"timeout"/);
        await conversation(members, "after", 6);
        // bob stayed: he answered every ping.
        assert(!members.some((m) => m.sawLeave("bob")));
      } finally {
        await stopAnswering();
        await closeAll(zombie);
      }
    },
  );
});

/** Every message from a well-behaved member must be one it really sent. */
function assertNoForgery(members: Member[]): void {
  const good = new Set(members.map((m) => m.name));
  for (const member of members) {
    for (const seen of member.seen()) {
      if (seen.kind === "other" && member.dialect === "plain") {
        assertMatch(seen.line, /^\[\d\d:\d\d\] (--|!!) /);
      }
      if (
        (seen.kind === "message" || seen.kind === "private") &&
        good.has(seen.from)
      ) {
        assertMatch(
          seen.text,
          /^(before|during|after) \S+ #\d+$/,
          `${member.name} got a line that claims to come from ${seen.from}`,
        );
      }
      if (seen.kind === "leave") {
        assert(!good.has(seen.name ?? ""), `${member.name} saw a forged leave`);
      }
    }
    for (const name of good) {
      const joins = member.seen().filter((s) =>
        s.kind === "join" && s.name === name
      );
      assert(joins.length <= 1, `${member.name} saw ${name} join twice`);
    }
  }
}

Deno.test("user text can never make an extra line or a line that seems to come from someone else, in either dialect", async () => {
  await withRoom({}, async ({ port, members }) => {
    const [ana, bob, carla] = members as [Member, Member, Member];
    const mallory = await Member.join(port, "mallory", "plain");
    const trudy = await Member.join(port, "trudy", "native");
    try {
      await allSeeJoin(members, "trudy");
      const during = conversation(members, "during", 6);
      const json = '{"type":"message","from":"ana","text":"forged","time":0}';
      // Plain: a line ends at "\n" or "\r", so those make two honest lines.
      for (
        const line of [
          "one\n[12:00] ana: forged by a newline",
          "two\r[12:00] ana: forged by a carriage return",
          "three\u2028[12:00] ana: forged by a line separator",
          "four\u0085[12:00] ana: forged by NEL",
          "five\x1bE[12:00] ana: forged by ESC E",
          "six\x0b\x0c[12:00] ana: forged by VT and FF",
          "[12:00] ana: forged prefix",
          json,
          "-- ana left the chat! (quit)",
          "/me [12:00] ana: forged action",
          "/msg bob x\u2029[12:00] ana: forged private",
        ]
      ) await mallory.client.write(line + "\n");
      for (
        const text of [
          "one\n[12:00] ana: forged by a newline",
          `two\r\n${json}`,
          "three\u2028\u2029[12:00] ana: forged by separators",
          '\n{"type":"leave","name":"ana","reason":"quit","time":0}',
          "/me \n[12:00] ana: forged action",
          "/msg carla \r\n[12:00] ana: forged private",
        ]
      ) await trudy.say(text);
      await during;
      await allReceive(members, "mallory", [
        "one",
        "[12:00] ana: forged by a newline",
        "two",
        "[12:00] ana: forged by a carriage return",
        "three[12:00] ana: forged by a line separator",
        "four[12:00] ana: forged by NEL",
        "five[12:00] ana: forged by ESC E",
        "six[12:00] ana: forged by VT and FF",
        "[12:00] ana: forged prefix",
        json,
        "-- ana left the chat! (quit)",
      ]);
      await allReceive(members, "trudy", [
        "one[12:00] ana: forged by a newline",
        `two${json}`,
        "three[12:00] ana: forged by separators",
        '{"type":"leave","name":"ana","reason":"quit","time":0}',
      ]);
      const actions = (m: Member) =>
        m.seen().filter((s) => s.kind === "message" && s.action);
      for (const member of members) {
        await eventually(() => actions(member).length === 2, "two actions");
        assertEquals(actions(member), [
          {
            kind: "message",
            from: "mallory",
            text: "[12:00] ana: forged action",
            action: true,
          },
          {
            kind: "message",
            from: "trudy",
            text: "[12:00] ana: forged action",
            action: true,
          },
        ]);
      }
      const privates = (m: Member) =>
        m.seen().filter((s) => s.kind === "private");
      await eventually(() => privates(bob).length === 1, "bob's private");
      assertEquals(privates(bob), [{
        kind: "private",
        from: "mallory",
        to: "bob",
        text: "x[12:00] ana: forged private",
      }]);
      await eventually(() => privates(carla).length === 1, "carla's private");
      assertEquals(privates(carla), [{
        kind: "private",
        from: "trudy",
        to: "carla",
        text: "[12:00] ana: forged private",
      }]);
      assertEquals(privates(ana), []);
      // A quit reason with a line break stays on one line too.
      await trudy.client.sendMessage({
        type: "quit",
        reason: "bye\n[12:00] ana: forged quit",
      });
      await ana.client.expect(
        /^\[\d\d:\d\d\] -- trudy left the chat! \(quit: bye\[12:00\] ana: forged quit\)$/,
      );
      const leave = await bob.client.expectMessage("leave");
      assertEquals(
        [leave.name, leave.detail],
        ["trudy", "bye[12:00] ana: forged quit"],
      );
      await conversation(members, "after", 6);
      assertNoForgery(members);
    } finally {
      await closeAll(mallory, trudy);
    }
  });
});

Deno.test("look-alike, differently cased, reserved and unnormalised names are refused in both dialects", async () => {
  await withRoom({}, async ({ port, members }) => {
    // João joins with a decomposed ã (NFD); the room knows him as NFC.
    const joaoClient = await LineClient.connect(port);
    await joaoClient.sendMessage({
      type: "hello",
      version: 2,
      name: "Joa\u0303o",
    });
    const welcome = await joaoClient.expectMessage("welcome");
    assertEquals(welcome.name, "Jo\u00e3o");
    const joao = new Member("Jo\u00e3o", "native", joaoClient);
    const everyone = [...members, joao];
    const imp = await RawPeer.connect(port);
    const native = await RawPeer.connect(port);
    const mallory = await Member.join(port, "mallory", "plain");
    try {
      await allSeeJoin(members, "mallory");
      const during = conversation(everyone, "during", 6);
      const attempts: [string, string][] = [
        ["\u0430na", "mixed_scripts"], // Cyrillic а
        ["ANA", "taken"],
        ["Ana", "taken"],
        ["\uff41\uff4e\uff41", "taken"], // fullwidth ａｎａ
        ["BOB", "taken"],
        ["server", "reserved"],
        ["Server", "reserved"],
        ["\uff33\uff25\uff32\uff36\uff25\uff32", "reserved"], // ＳＥＲＶＥＲ
        ["a\u200bna", "invalid_chars"], // zero-width space
        ["ana\u202e", "invalid_chars"],
        ["Jo\u00e3o", "taken"], // NFC against the NFD join
        ["JO\u00c3O", "taken"],
        ["joa\u0303o", "taken"],
      ];
      const plainText: Record<string, string> = {
        mixed_scripts: "mixes alphabets",
        taken: "is taken",
        reserved: "is reserved",
        invalid_chars: "is not allowed",
      };
      for (const [name, code] of attempts) {
        await imp.send(name);
        await imp.expect(plainText[code]!);
        await native.send(JSON.stringify({ type: "hello", version: 2, name }));
        const error = JSON.parse(await native.expect('"name_error"'));
        assertEquals(error.code, code, `native hello as ${name}`);
      }
      // Renaming into someone else's name fails the same way.
      for (
        const [name, code] of [
          ["ANA", "taken"],
          ["\uff41\uff4e\uff41", "taken"],
          ["\u0430na", "mixed_scripts"],
          ["Server", "reserved"],
          ["JO\u00c3O", "taken"],
        ] as const
      ) {
        await mallory.say(`/nick ${name}`);
        await mallory.client.expect(plainText[code]!);
      }
      await during;
      await conversation(everyone, "after", 6);
      const joined = new Set(["bob", "carla", "Jo\u00e3o", "mallory"]);
      for (const member of everyone) {
        for (const seen of member.seen()) {
          if (seen.kind !== "join") continue;
          assert(joined.has(seen.name), `${member.name} saw ${seen.name} join`);
        }
        assert(
          !member.seen().some((s) =>
            s.kind === "other" && s.line.includes("is now known as")
          ),
        );
      }
      assertNoForgery(everyone);
    } finally {
      await closeAll(joao, imp, native, mallory);
    }
  });
});

Deno.test({
  name: "a name that only differs by a dotless i under an accent is taken",
  async fn() {
    await withRoom({}, async ({ port, members }) => {
      const ina = await Member.join(port, "\u00edna", "plain");
      const imp = await RawPeer.connect(port);
      try {
        await allSeeJoin(members, "\u00edna");
        await imp.send("\u0131\u0301na");
        await imp.expect("is taken");
        await conversation([...members, ina], "after", 6);
      } finally {
        await closeAll(ina, imp);
      }
    });
  },
});

Deno.test({
  name:
    "a name needs a letter or a digit, so nobody can pose as the server's -- notices",
  async fn() {
    await withRoom({}, async ({ port, members }) => {
      const plain = await RawPeer.connect(port);
      const native = await RawPeer.connect(port);
      const mallory = await Member.join(port, "mallory", "plain");
      try {
        for (const name of ["--", "-", "..", "_", "-.-"]) {
          await plain.send(name);
          await plain.expect("is not allowed");
          await native.send(
            JSON.stringify({ type: "hello", version: 2, name }),
          );
          await native.expect('"code":"invalid_chars"');
          await mallory.say(`/nick ${name}`);
          await mallory.client.expect("is not allowed");
        }
        await conversation(members, "after", 6);
      } finally {
        await closeAll(plain, native, mallory);
      }
    });
  },
});

/** Things a peer might send to take over a terminal. */
const TERMINAL_ATTACKS = [
  "\x1b[2J\x1b[Hclear screen",
  "\x1b[31mred\x1b[0m",
  "\x1b]0;pwned title\x07after title",
  "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
  "\x1b]52;c;cm0gLXJmIH4=\x07clipboard",
  "\x1bP1$qm\x1b\\dcs",
  "\x1bcreset",
  "\x1b[6n device status report",
  "\x1b[?1049h alternate screen",
  "\u009b2Jc1 csi",
  "\u009d0;c1 title\u009c after",
  "\u0090c1 dcs\u009c after",
  "\u202eevil override\u202c",
  "\u2066isolate\u2069 \u2067rtl\u2069 \u2068first strong\u2069",
  "\u202a\u202b\u202d embeddings",
  "bell\x07 backspace\x08\x08 del\x7f nul\x00 shift\x0e\x0f",
  "a lone escape \x1b",
  "an unfinished csi \x1b[",
];

Deno.test("escape sequences, C1 controls and bidi overrides never reach another user, from any field, in either dialect", async () => {
  // The burst is raised so that the two attackers' 25 lines each are not
  // refused: flooding is another test.
  const rateLimit = { rate: 5, burst: 40 };
  await withRoom({ rateLimit }, async ({ port, members, logs }) => {
    const [ana, bob] = members as [Member, Member, Member];
    const mallory = await RawPeer.connect(port);
    const trudy = await RawPeer.connect(port);
    try {
      // Names holding them are refused.
      for (
        const name of [
          "\x1b[31mmallory",
          "mal\u202elory",
          "mal\u009blory",
          "mallory\x07",
        ]
      ) {
        await mallory.send(name);
        await mallory.expect("is not allowed");
        await trudy.send(JSON.stringify({ type: "hello", version: 2, name }));
        await trudy.expect('"code":"invalid_chars"');
      }
      await mallory.send("mallory");
      await mallory.expect("Welcome, mallory!");
      await trudy.send('{"type":"hello","version":2,"name":"trudy"}');
      await trudy.expect('"welcome"');
      await allSeeJoin(members, "trudy");
      const during = conversation(members, "during", 6);
      const input = (text: string) =>
        trudy.send(JSON.stringify({ type: "input", text }));
      for (const [i, attack] of TERMINAL_ATTACKS.entries()) {
        await mallory.send(`#${i} ${attack}`);
        await input(`#${i} ${attack}`);
      }
      await mallory.send("/me \x1b]0;title\x07waves \u202e");
      await input("/me \u009b31mwaves\x1b[0m");
      await mallory.send("/msg bob \x1b[2J\u202eprivate\x07");
      await input("/msg ana \u009d0;t\u009cprivate\x1b[5m");
      await input("/nick \x1b[31mred");
      await mallory.send("/nick tr\u202eudy");
      await mallory.send("/\x1b[2J");
      await mallory.send("/msg \x1b[2Jbob hi");
      await during;
      const expected = TERMINAL_ATTACKS.map((_, i) => `#${i} `);
      for (const from of ["mallory", "trudy"]) {
        for (const member of members) {
          await eventually(
            () => member.messagesFrom(from).length === expected.length,
            `${member.name} to get every attack message from ${from}`,
          );
          member.messagesFrom(from).forEach((text, i) =>
            assert(text.startsWith(expected[i]!), text)
          );
        }
      }
      await bob.client.expectMessage("private", (m) => m.from === "mallory");
      await ana.client.expect(/\[trudy -> ana\] private$/);
      // Quit reasons, in both dialects.
      await mallory.send("/quit \x1b[2Jbye\u202e");
      await trudy.send(JSON.stringify({
        type: "quit",
        reason: "\x1b]0;pwned\x07bye\u202e",
      }));
      await ana.client.expect(/-- mallory left the chat! \(quit: bye\)$/);
      await ana.client.expect(/-- trudy left the chat! \(quit: bye\)$/);
      await conversation(members, "after", 6);
      // The operator's terminal is a terminal too.
      for (const line of logs) {
        assertEquals(findUnsafe(line), undefined, `server log: ${line}`);
      }
      assertSafeLines(mallory.lines, "mallory");
      assertSafeLines(trudy.lines, "trudy");
    } finally {
      await closeAll(mallory, trudy);
    }
  });
});

Deno.test({
  name:
    "a refused name is echoed to its sender without control characters, even when too long",
  async fn() {
    await withRoom({}, async ({ port }) => {
      const plain = await RawPeer.connect(port);
      const native = await RawPeer.connect(port);
      try {
        await plain.send("\x1b]0;pwned\x07" + "x".repeat(30));
        await plain.expect("is too long");
        await native.send(JSON.stringify({
          type: "hello",
          version: 2,
          name: "\u202e" + "y".repeat(30),
        }));
        await native.expect('"too_long"');
        assertSafeLines(plain.lines, "the plain sender");
        assertSafeLines(native.lines, "the native sender");
      } finally {
        await closeAll(plain, native);
      }
    });
  },
});

Deno.test("native protocol garbage gets errors, ten bad lines in a row get the peer disconnected with reason protocol, and the server never crashes", async () => {
  await withRoom({}, async ({ port, members, logs }) => {
    const trudy = await RawPeer.connect(port);
    const strangers: (RawPeer | Member)[] = [];
    try {
      await trudy.send('{"type":"hello","version":2,"name":"trudy"}');
      await trudy.expect('"welcome"');
      await allSeeJoin(members, "trudy");
      const garbage = [
        "not json at all",
        "[1,2,3]",
        "[]",
        "null",
        "42",
        '"a string"',
        "{}",
        '{"type":1}',
        '{"type":null}',
        '{"type":"frobnicate"}',
        '{"type":"__proto__"}',
        '{"type":"constructor"}',
        '{"type":"input"}',
        '{"type":"input","text":42}',
        '{"type":"input","text":{"toString":"x"}}',
        '{"type":"input","text":["a"]}',
        '{"type":"ping","id":"7"}',
        '{"type":"ping","id":1e999}',
        '{"type":"ping"}',
        '{"type":"input","text":"unterminated',
        "[".repeat(8000),
        '{"a":'.repeat(1000) + "1" + "}".repeat(1000),
        "{" + '"type":"input",'.repeat(400) + '"text":"x"',
      ];
      const during = conversation(members, "during", 6);
      let errors = 0;
      const badRun = async (lines: string[]) => {
        for (const line of lines) {
          await trudy.send(line);
          const got = JSON.parse(await trudy.expect('"type":"error"'));
          assertEquals(got.code, "bad_message", line.slice(0, 40));
          errors++;
        }
      };
      const ping = async (id: number) => {
        await trudy.send(JSON.stringify({ type: "ping", id }));
        assertEquals(JSON.parse(await trudy.expect('"pong"')).id, id);
      };
      // Nine bad lines (one a second hello), then a good one: the count
      // starts again.
      const secondHello = '{"type":"hello","version":2,"name":"trudy2"}';
      await badRun([secondHello, ...garbage.slice(0, 8)]);
      await ping(1);
      await badRun(garbage.slice(8, 17));
      await ping(2);
      await ping(1e308);
      // A lone surrogate (valid JSON) is passed on, never fatal.
      await trudy.send('{"type":"input","text":"lone \\ud800 half"}');
      for (const member of members) {
        // JSON carries the lone surrogate; UTF-8 cannot, so plain gets U+FFFD.
        const text = member.dialect === "native"
          ? "lone \ud800 half"
          : "lone \ufffd half";
        await eventually(
          () => member.messagesFrom("trudy").includes(text),
          `${member.name} to receive trudy's lone surrogate`,
        );
      }
      await during;
      // Ten in a row: disconnected, and everyone is told why.
      await badRun([...garbage.slice(17), ...garbage.slice(0, 10 - 7)]);
      await trudy.send(garbage[3]!);
      const bye = JSON.parse(await trudy.expect('"type":"bye"'));
      assertEquals(bye.reason, "protocol");
      await trudy.ended;
      for (const member of members) {
        await member.expectLeave("trudy", "protocol");
      }

      // Before joining: a malformed hello ten times, a wrong version, and
      // a version of Infinity.
      const eve = await RawPeer.connect(port);
      strangers.push(eve);
      for (let i = 0; i < 10; i++) {
        await eve.send('{"type":"hello","version":2,"name":42}');
      }
      assertEquals(JSON.parse(await eve.expect('"bye"')).reason, "protocol");
      await eve.ended;
      for (
        const [hello, text] of [
          // Version 1: a chat from before rooms.
          ['{"type":"hello","version":1,"name":"eve"}', "not 1"],
          ['{"type":"hello","version":1e999,"name":"eve"}', "not Infinity"],
        ]
      ) {
        const peer = await RawPeer.connect(port);
        strangers.push(peer);
        await peer.send(hello!);
        const got = JSON.parse(await peer.expect('"bye"'));
        assertEquals(got.reason, "protocol");
        assertMatch(got.text, new RegExp(text!));
        await peer.ended;
      }
      assert(!logs.some((l) => /^\S+ \S+ error /.test(l)), logs.join("\n"));
      const dave = await Member.join(port, "dave", "native");
      strangers.push(dave);
      await conversation([...members, dave], "after", 6);
      assertEquals(errors, 27);
    } finally {
      await closeAll(trudy, ...strangers);
    }
  });
});

Deno.test({
  name:
    "ten hellos in a row after joining get the peer disconnected with reason protocol",
  async fn() {
    await withRoom({}, async ({ port, members }) => {
      const trudy = await RawPeer.connect(port);
      try {
        await trudy.send('{"type":"hello","version":2,"name":"trudy"}');
        await trudy.expect('"welcome"');
        await allSeeJoin(members, "trudy");
        for (let i = 0; i < 10; i++) {
          await trudy.send('{"type":"hello","version":2,"name":"trudy2"}');
          await trudy.expect("already joined");
        }
        const bye = JSON.parse(await trudy.expect('"type":"bye"'));
        assertEquals(bye.reason, "protocol");
        await trudy.ended;
        for (const m of members) await m.expectLeave("trudy", "protocol");
        await conversation(members, "after", 6);
      } finally {
        await closeAll(trudy);
      }
    });
  },
});

/**
 * A log function that throws once, the first time a line matches, to
 * provoke an exception inside the handling of one connection (the only way
 * in from outside src/: `log` runs inside the server's handlers).
 */
function faultyLog(
  logs: string[],
  trigger: () => RegExp | null,
): (line: string) => void {
  let fired = false;
  return (line) => {
    logs.push(line);
    const pattern = trigger();
    if (!fired && pattern !== null && pattern.test(line)) {
      fired = true;
      throw new Error("injected fault");
    }
  };
}

Deno.test("an exception while handling one connection is logged with its address and closes that connection only", async () => {
  const logs: string[] = [];
  const server = await startTestServer(
    {},
    faultyLog(logs, () => /join mallory /),
  );
  const port = server.chat.addr.port;
  const members = await joinMembers(port, ["ana", "bob", "carla"]);
  const mallory = await RawPeer.connect(port);
  try {
    const during = conversation(members, "during", 6);
    await mallory.send("mallory");
    await mallory.ended;
    await during;
    const label = `127.0.0.1:${mallory.localPort}`;
    // The fault is a bug in handling a line, not a broken connection: the
    // gateway that runs the session logs it with its stack, and the
    // transport does not take it for a failed read.
    const logged = logs.find((l) =>
      l.includes(` error ${label}: `) && l.includes("injected fault")
    );
    assert(
      logged !== undefined && /\n\s+at /.test(logged),
      `no error line with ${label}, the fault and its stack:\n${
        logs.join("\n")
      }`,
    );
    assertEquals(
      logs.filter((l) => l.includes(`${label}: read failed`)),
      [],
      "the fault was taken for a failed read",
    );
    for (const member of members) await member.expectLeave("mallory", "error");
    await conversation(members, "after", 6);
    const dave = await Member.join(port, "dave", "plain");
    await conversation([...members, dave], "later", 3);
    await dave.close();
  } finally {
    await closeAll(mallory, ...members);
    await server.shutdown();
  }
});

Deno.test({
  name:
    "an exception while timing out one connection is logged and closes that connection only",
  async fn() {
    const logs: string[] = [];
    // Only the zombie's time-out line fails: the members answer pings, but
    // a busy machine can make one of them late too.
    let zombieLabel: string | null = null;
    const server = await startTestServer(
      { pingAfterMs: 100, deadAfterMs: 300 },
      faultyLog(
        logs,
        () =>
          zombieLabel === null ? null : new RegExp(
            `${zombieLabel.replaceAll(".", "\\.")}: no answer for`,
          ),
      ),
    );
    const port = server.chat.addr.port;
    const members = await joinMembers(port, ["ana", "carla"]);
    // carla is native: she answers pings, as chat join does.
    const stopAnswering = answerPings(members[1]!);
    const zombie = await RawPeer.connect(port);
    zombieLabel = `127.0.0.1:${zombie.localPort}`;
    try {
      await zombie.send('{"type":"hello","version":2,"name":"zombie"}');
      await allSeeJoin(members, "zombie");
      await zombie.ended;
      const label = `127.0.0.1:${zombie.localPort}`;
      assert(
        logs.some((l) => l.includes(label) && l.includes("injected fault")),
        `no log line with ${label} and the error:\n${logs.join("\n")}`,
      );
      for (const member of members) {
        await eventually(
          () => member.sawLeave("zombie"),
          `${member.name} to see zombie leave`,
        );
      }
      await conversation(members, "after", 6);
    } finally {
      await stopAnswering();
      await closeAll(zombie, ...members);
      await server.shutdown();
    }
  },
});

Deno.test({
  name:
    "an exception while accepting one connection is logged and closes that connection only",
  async fn() {
    const logs: string[] = [];
    let armed = false;
    const server = await startTestServer(
      {},
      faultyLog(logs, () => armed ? /connect 127\.0\.0\.1:/ : null),
    );
    const port = server.chat.addr.port;
    const members = await joinMembers(port, ["ana", "bob"]);
    armed = true;
    const mallory = await RawPeer.connect(port);
    try {
      await mallory.send("mallory");
      await mallory.ended;
      assert(
        logs.some((l) => l.includes("injected fault")),
        `the error was not logged:\n${logs.join("\n")}`,
      );
      await conversation(members, "after", 6);
    } finally {
      await closeAll(mallory, ...members);
      await server.shutdown();
    }
  },
});
