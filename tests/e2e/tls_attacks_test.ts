// Attacks on the TLS side of the chat port, over real sockets: while they
// go on, well-behaved users (plain and native) hold a conversation, and
// every message each sends reaches the others, in order (see
// docs/security.md).

import { assert, assertEquals, assertMatch } from "@std/assert";
import type { ServerConfig } from "../../src/config.ts";
import { eventually, withServer } from "../_helpers.ts";
import {
  closeAll,
  conversation,
  joinMembers,
  type Member,
  rawConnect,
  readToEnd,
  writeAll,
} from "../_hostile.ts";

// A ClientHello's record header and handshake type, promising 200 bytes
// that never come.
const HELLO_START = new Uint8Array([22, 3, 1, 0, 200, 1]);

async function withTalkers(
  config: Partial<ServerConfig>,
  fn: (port: number, members: Member[], logs: string[]) => Promise<void>,
): Promise<void> {
  await withServer(async (server, logs) => {
    const port = server.chat.addr.port;
    const members = await joinMembers(port, ["ana", "bob", "carla"]);
    try {
      await fn(port, members, logs);
      for (const member of members) {
        assert(!member.wasDisconnected(), `${member.name} was disconnected`);
      }
    } finally {
      await closeAll(...members);
    }
  }, config);
}

Deno.test("garbage after a ClientHello ends that connection only, and the server says why", async () => {
  await withTalkers({}, async (port, members, logs) => {
    const conn = await rawConnect(port);
    const garbage = new Uint8Array(300).map((_, i) => (i * 37) & 0xff);
    await writeAll(conn, new Uint8Array([22, 3, 1, 1, 44, 1, ...garbage]));
    const end = await readToEnd(conn);
    conn.close();
    assert(end.ended, "the server left the connection open");
    await eventually(
      () => logs.find((line) => / tls 127\.0\.0\.1:\d+: /.test(line)),
      "a log line about the failed handshake",
    );
    await conversation(members, "after garbage", 5);
  });
});

Deno.test("a handshake that never finishes is closed at the name deadline", async () => {
  await withTalkers({ nameTimeoutMs: 800 }, async (port, members, logs) => {
    const conn = await rawConnect(port);
    await writeAll(conn, HELLO_START);
    const talking = conversation(members, "during a stall", 5);
    const end = await readToEnd(conn);
    conn.close();
    assert(end.ended, "the stalled handshake was never closed");
    assertEquals(end.text, "");
    await talking;
    assert(
      logs.some((line) =>
        / tls 127\.0\.0\.1:\d+: the TLS handshake took too long$/.test(line)
      ),
      logs.join("\n"),
    );
  });
});

Deno.test("a thousand stalled handshakes while users talk: no one loses a message, and all are closed at the deadline", async () => {
  const nameTimeoutMs = 4000;
  await withTalkers(
    { maxPerIp: 0, nameTimeoutMs },
    async (port, members) => {
      const stalled: Deno.Conn[] = [];
      try {
        for (let batch = 0; batch < 10; batch++) {
          const conns = await Promise.all(
            Array.from({ length: 100 }, () => rawConnect(port)),
          );
          await Promise.all(conns.map((conn) => writeAll(conn, HELLO_START)));
          stalled.push(...conns);
        }
        const ends = stalled.map((conn) =>
          readToEnd(conn, nameTimeoutMs + 10_000)
        );
        await conversation(members, "during 1000 handshakes", 10);
        const done = await Promise.all(ends);
        const open = done.filter((end) => !end.ended).length;
        assertEquals(open, 0, `${open} stalled handshakes were never closed`);
        for (const end of done) assertMatch(end.text, /^$/);
        await conversation(members, "after", 3);
      } finally {
        await closeAll(...stalled);
      }
    },
  );
});
