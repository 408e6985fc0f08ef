// src/discovery/udp_socket.ts on real sockets on 127.0.0.1: a datagram
// arrives with where it came from, opening says why it failed (and leaves
// nothing open), sending never throws, and closing is done once.

import { assert, assertEquals, assertRejects } from "@std/assert";
import { UdpSocket, type UdpSource } from "../../src/discovery/udp_socket.ts";

/** A socket on 127.0.0.1 that keeps what it receives. */
async function receiver(): Promise<
  { socket: UdpSocket; got: Promise<[Uint8Array, UdpSource]> }
> {
  let resolve!: (value: [Uint8Array, UdpSource]) => void;
  const got = new Promise<[Uint8Array, UdpSource]>((r) => resolve = r);
  const socket = await UdpSocket.open({
    address: "127.0.0.1",
    onMessage: (bytes, source) => resolve([bytes, source]),
  });
  return { socket, got };
}

Deno.test("UdpSocket sends a datagram that arrives with the sender's address and port", async () => {
  const { socket: b, got } = await receiver();
  const a = await UdpSocket.open({ address: "127.0.0.1", onMessage: () => {} });
  try {
    assert(a.port > 0 && b.port > 0 && a.port !== b.port);
    const sent = await a.send(new TextEncoder().encode("hi"), {
      address: "127.0.0.1",
      port: b.port,
    });
    assertEquals(sent, true);
    const [bytes, source] = await got;
    assertEquals(new TextDecoder().decode(bytes), "hi");
    assertEquals(source, { address: "127.0.0.1", port: a.port });
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

Deno.test("UdpSocket.open() says which address and port it could not open, and why", async () => {
  const { socket: taken } = await receiver();
  try {
    await assertRejects(
      () =>
        UdpSocket.open({
          address: "127.0.0.1",
          port: taken.port,
          onMessage: () => {},
        }),
      Error,
      `Cannot open a UDP socket on 127.0.0.1:${taken.port}: `,
    );
  } finally {
    await taken.close();
  }
  await assertRejects(
    () =>
      UdpSocket.open({
        address: "127.0.0.1",
        multicastInterface: "not an address",
        onMessage: () => {},
      }),
    Error,
    "Cannot open a UDP socket on 127.0.0.1:0: ",
  );
});

Deno.test("UdpSocket.send() resolves false, never throws, when it cannot send", async () => {
  const socket = await UdpSocket.open({
    address: "127.0.0.1",
    onMessage: () => {},
  });
  const bytes = new Uint8Array([1]);
  assertEquals(
    await socket.send(bytes, { address: "127.0.0.1", port: 70_000 }),
    false,
  );
  const closing = socket.close();
  assert(socket.close() === closing, "a second close() is the first one");
  await closing;
  assertEquals(
    await socket.send(bytes, { address: "127.0.0.1", port: 9 }),
    false,
  );
});
