// Names that stay yours over TLS: a key's proof is bound to the server's
// certificate, so that a proof made over one TLS connection cannot be
// passed on to another server (a relay in the middle shows its own
// certificate). Real sockets, a real `chat serve` and `chat join`, and a
// relay that terminates TLS with an identity of its own.

import {
  assert,
  assertEquals,
  assertFalse,
  assertStringIncludes,
} from "@std/assert";
import { UNBOUND_CHANNEL } from "../../src/protocol/key_proof.ts";
import { createTlsIdentity } from "../../src/transport/tls_identity.ts";
import { tlsServerContext, TlsStream } from "../../src/transport/tls_stream.ts";
import { formatFingerprint } from "../../src/transport/fingerprint.ts";
import { ChatProcess, plainUser, runChat, withServer } from "../_helpers.ts";
import { keyUser, makeKey } from "../_keys.ts";

Deno.test("A key's proof over TLS holds when bound to the server's own certificate, and fails when bound to another server's or to none", async () => {
  await withServer(async (other) => {
    await withServer(async (server, logs) => {
      const port = server.chat.addr.port;
      const own = formatFingerprint(server.identity.sha256);
      const key = await makeKey();
      const good = await keyUser(port, "ana", key, { tls: true, channel: own });
      await good.expectMessage("welcome");
      await good.close();
      for (
        const channel of [
          formatFingerprint(other.identity.sha256),
          UNBOUND_CHANNEL,
        ]
      ) {
        const relayed = await keyUser(port, "ana", key, { tls: true, channel });
        const bye = await relayed.expectMessage("bye");
        assertEquals(bye.reason, "protocol");
        await relayed.ended;
        await relayed.close();
      }
      assertEquals(
        logs.filter((line) => line.includes("a key's proof did not verify"))
          .length,
        2,
      );
      // Plain TCP is unbound on both sides, as before TLS.
      const plain = await keyUser(port, "ana", key);
      await plain.expectMessage("welcome");
      await plain.close();
    });
  });
});

/**
 * A relay in the middle: takes TLS with an identity of its own and passes
 * the cleartext on, over TLS, to the real server.
 */
async function startRelay(target: number): Promise<
  AsyncDisposable & { port: number; fingerprint: string; connections: number }
> {
  const identity = await createTlsIdentity();
  const context = tlsServerContext(identity);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const streams = new Set<TlsStream>();
  const tasks = new Set<Promise<void>>();
  const relay = {
    port: listener.addr.port,
    fingerprint: formatFingerprint(identity.sha256),
    connections: 0,
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const stream of streams) _close(stream);
      await Promise.all(tasks);
    },
  };
  const pass = async (conn: Deno.Conn) => {
    relay.connections++;
    const front = await TlsStream.accept(conn, { context });
    streams.add(front);
    const back = await TlsStream.connect(
      await Deno.connect({ hostname: "127.0.0.1", port: target }),
    );
    streams.add(back);
    await Promise.race([_pump(front, back), _pump(back, front)]);
    _close(front);
    _close(back);
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      const task = pass(conn).catch(() => {});
      tasks.add(task);
    }
  })();
  return relay;
}

async function _pump(from: TlsStream, to: TlsStream): Promise<void> {
  const buffer = new Uint8Array(16_384);
  try {
    while (true) {
      const n = await from.read(buffer);
      if (n === null) return;
      for (let done = 0; done < n;) {
        done += await to.write(buffer.subarray(done, n));
      }
    }
  } catch {
    // One side went away.
  }
}

function _close(stream: TlsStream): void {
  try {
    stream.close();
  } catch {
    // already closed
  }
}

Deno.test("chat join's proof passed on by a relay that shows its own certificate fails on the real server, and nothing is said under the name", async () => {
  const { process, port } = await ChatProcess.server(["--no-web"]);
  const line = await process.waitFor(/^fingerprint SHA256:/);
  const fingerprint = /(SHA256:\S+)/.exec(line)![1]!;
  const bob = await plainUser(port, "bob");
  try {
    {
      await using relay = await startRelay(port);
      // The user was talked into trusting the relay's certificate: only
      // the binding stands between the relay and the name.
      const relayed = await runChat([
        "join",
        `127.0.0.1:${relay.port}`,
        "--name",
        "ana",
        "--fingerprint",
        relay.fingerprint,
      ], { stdin: "through the relay\n" });
      assertEquals(relayed.code, 1, relayed.stderr);
      assertStringIncludes(relayed.stderr, "The key's proof did not verify");
      assert(relay.connections >= 1);
      await process.waitFor(/a key's proof did not verify/);
    }
    // The same key, straight to the server, binds to its certificate.
    const direct = await runChat([
      "join",
      `127.0.0.1:${port}`,
      "--name",
      "ana",
      "--fingerprint",
      fingerprint,
    ], { stdin: "straight to the server\n" });
    assertEquals(direct.code, 0, direct.stderr);
    await bob.expect("ana: straight to the server");
    assertFalse(bob.lines.some((text) => text.includes("through the relay")));
  } finally {
    await bob.close();
    await process.stop();
  }
});
