// Checks src/transport/stream_opener.ts over real loopback sockets: a
// connection silent at first is handed back as plain, and what its peer
// sends afterwards (a netcat user answering the name prompt) is read once,
// not twice; a ClientHello still makes a TLS connection.

import { assertEquals } from "@std/assert";
import { openStream } from "../../src/transport/stream_opener.ts";
import { tlsServerContext } from "../../src/transport/tls_stream.ts";
import { createTlsIdentity } from "../../src/transport/tls_identity.ts";

const context = tlsServerContext(await createTlsIdentity());

async function readAll(conn: { read(b: Uint8Array): Promise<number | null> }) {
  const chunks: string[] = [];
  const buffer = new Uint8Array(64);
  const decoder = new TextDecoder();
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    chunks.push(decoder.decode(buffer.subarray(0, n)));
  }
  return chunks.join("");
}

Deno.test("openStream() hands back a silent connection as plain, and what comes after is read once", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
  });
  const accepted = await listener.accept();
  // Silent for 30 ms: plain, with its read ahead still waiting.
  const opened = await openStream(accepted, { context, silentMs: 30 });
  assertEquals(opened.kind, "plain");
  if (opened.kind !== "plain") return;
  await client.write(new TextEncoder().encode("ana\n"));
  const first = new Uint8Array(64);
  const n = await opened.conn.read(first);
  assertEquals(new TextDecoder().decode(first.subarray(0, n!)), "ana\n");
  await client.write(new TextEncoder().encode("hi\n"));
  client.closeWrite();
  assertEquals(await readAll(opened.conn), "hi\n");
  opened.conn.close();
  client.close();
});

Deno.test("openStream() keeps the first bytes of a plain connection that speaks at once", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
  });
  await client.write(new TextEncoder().encode("bob\nhello\n"));
  client.closeWrite();
  const accepted = await listener.accept();
  const opened = await openStream(accepted, { context, silentMs: 1000 });
  assertEquals(opened.kind, "plain");
  if (opened.kind !== "plain") return;
  assertEquals(await readAll(opened.conn), "bob\nhello\n");
  opened.conn.close();
  client.close();
});
