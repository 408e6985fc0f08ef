import { assertEquals } from "@std/assert";
import fc from "fast-check";
import { classifyFirstBytes } from "../../src/transport/client_hello.ts";

const HELLO = [22, 3, 1, 2, 0, 1, 0, 1, 252, 3, 3];

Deno.test("classifyFirstBytes() takes a ClientHello's record header for TLS, from any TLS version", () => {
  for (const minor of [0, 1, 2, 3, 4]) {
    assertEquals(
      classifyFirstBytes(new Uint8Array([22, 3, minor, 1, 0, 1, 9])),
      "tls",
    );
  }
});

Deno.test("classifyFirstBytes() asks for more while the bytes begin a ClientHello", () => {
  for (let n = 0; n < 6; n++) {
    assertEquals(classifyFirstBytes(new Uint8Array(HELLO.slice(0, n))), "more");
  }
});

Deno.test("classifyFirstBytes() takes text, JSON, IRC, telnet negotiation and SSL 2 for plain", () => {
  const encoder = new TextEncoder();
  for (
    const text of [
      "ana\n",
      '{"type":"hello"}\n',
      "NICK ana\r\n",
      "GET / HTTP/1.1",
    ]
  ) {
    assertEquals(classifyFirstBytes(encoder.encode(text)), "plain");
  }
  assertEquals(classifyFirstBytes(new Uint8Array([255, 251, 1])), "plain");
  assertEquals(
    classifyFirstBytes(new Uint8Array([0x80, 0x2e, 1, 0, 2])),
    "plain",
  );
  // Another handshake message, or another record type.
  assertEquals(
    classifyFirstBytes(new Uint8Array([22, 3, 1, 0, 4, 2])),
    "plain",
  );
  assertEquals(
    classifyFirstBytes(new Uint8Array([23, 3, 3, 0, 4, 1])),
    "plain",
  );
});

Deno.test("classifyFirstBytes() never throws, never takes a UTF-8 text line for TLS, and answers the same for more bytes once sure", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 64 }),
      fc.uint8Array(),
      (bytes, more) => {
        const kind = classifyFirstBytes(bytes);
        if (kind !== "more") {
          const longer = new Uint8Array([...bytes, ...more]);
          assertEquals(classifyFirstBytes(longer), kind);
        }
      },
    ),
  );
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), (text) => {
      const bytes = new TextEncoder().encode(text.replaceAll("\x16", "a"));
      assertEquals(classifyFirstBytes(bytes), "plain");
    }),
  );
});
