import { assert, assertEquals, assertRejects } from "@std/assert";
import { tlsServerContext, TlsStream } from "../../src/transport/tls_stream.ts";
import { createTlsIdentity } from "../../src/transport/tls_identity.ts";
import { certificateSha256 } from "../../src/transport/fingerprint.ts";

const identity = await createTlsIdentity();
const context = tlsServerContext(identity);

async function firstBytes(conn: Deno.Conn): Promise<Uint8Array> {
  const buffer = new Uint8Array(1024);
  const n = await conn.read(buffer);
  return buffer.slice(0, n ?? 0);
}

async function readText(stream: TlsStream, until: string): Promise<string> {
  let text = "";
  const buffer = new Uint8Array(1024);
  while (!text.includes(until)) {
    const n = await stream.read(buffer);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  return text;
}

Deno.test("TlsStream carries bytes both ways between a server and a client, and the client sees the server's certificate", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    const conn = await listener.accept();
    const stream = await TlsStream.accept(conn, {
      context,
      first: await firstBytes(conn),
    });
    assertEquals(await readText(stream, "\n"), "ping\n");
    await stream.write(new TextEncoder().encode("pong\n"));
    assert(["TLSv1.2", "TLSv1.3"].includes(stream.protocol));
    assertEquals(await readText(stream, "never"), "");
    stream.close();
  })();
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
  });
  const client = await TlsStream.connect(conn);
  assertEquals(client.authorized, false);
  const der = client.peerCertificate!;
  assertEquals(await certificateSha256(der), identity.sha256);
  await client.write(new TextEncoder().encode("ping\n"));
  assertEquals(await readText(client, "\n"), "pong\n");
  client.close();
  await serving;
});

Deno.test("TlsStream.accept() fails on garbage after a ClientHello's first bytes, and closes the connection", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
  });
  const accepted = await listener.accept();
  await conn.write(
    new Uint8Array([22, 3, 1, 0, 40, 1, ...new Array(60).fill(7)]),
  );
  await assertRejects(() =>
    TlsStream.accept(accepted, { context, first: new Uint8Array() })
  );
  assertEquals(
    await conn.read(new Uint8Array(100)).catch(() => null) ?? null,
    null,
  );
  conn.close();
});

Deno.test("TlsStream.accept() gives up a handshake that never finishes", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
  });
  const accepted = await listener.accept();
  await conn.write(new Uint8Array([22, 3, 1, 0, 200, 1]));
  await assertRejects(
    () => TlsStream.accept(accepted, { context, timeoutMs: 200 }),
    Error,
    "took too long",
  );
  conn.close();
});
