// Checks src/address.ts: parseAddress reads HOST, HOST:PORT, [IPV6]:PORT and
// bare IPv6 addresses, refuses malformed hosts with a SyntaxError and bad
// ports with a RangeError; parsePort and formatAddress round out the module.

import { assertEquals, assertMatch, assertThrows } from "@std/assert";
import {
  formatAddress,
  parseAddress,
  parsePort,
} from "../../src/transport/address.ts";
import { DEFAULT_PORT } from "../../src/config.ts";

const VALID: ReadonlyArray<readonly [string, string, number]> = [
  ["192.168.0.5", "192.168.0.5", DEFAULT_PORT],
  ["192.168.0.5:50001", "192.168.0.5", 50001],
  ["10.0.0.2:7000", "10.0.0.2", 7000],
  ["0.0.0.0:1", "0.0.0.0", 1],
  ["255.255.255.255:65535", "255.255.255.255", 65535],
  ["localhost", "localhost", DEFAULT_PORT],
  ["localhost:8080", "localhost", 8080],
  ["example.org", "example.org", DEFAULT_PORT],
  ["chat.example.org:443", "chat.example.org", 443],
  ["example.org.", "example.org.", DEFAULT_PORT],
  ["my-host", "my-host", DEFAULT_PORT],
  ["Host-1.LAN", "Host-1.LAN", DEFAULT_PORT],
  ["123abc", "123abc", DEFAULT_PORT],
  ["  192.168.0.5:50001  ", "192.168.0.5", 50001],
  ["[::1]:7000", "::1", 7000],
  ["[::1]", "::1", DEFAULT_PORT],
  ["[fe80::1%eth0]:50001", "fe80::1%eth0", 50001],
  ["[2001:db8::1]:1", "2001:db8::1", 1],
  ["[::ffff:192.168.0.5]:80", "::ffff:192.168.0.5", 80],
  ["::1", "::1", DEFAULT_PORT],
  ["2001:db8::1", "2001:db8::1", DEFAULT_PORT],
  ["fe80::1%eth0", "fe80::1%eth0", DEFAULT_PORT],
  ["::", "::", DEFAULT_PORT],
  ["host:00080", "host", 80],
];

for (const [text, hostname, port] of VALID) {
  Deno.test(`parseAddress() reads ${JSON.stringify(text)}`, () => {
    assertEquals(parseAddress(text), { hostname, port });
  });
}

Deno.test("parseAddress() uses the default port it is given", () => {
  assertEquals(parseAddress("10.0.0.2", 7000), {
    hostname: "10.0.0.2",
    port: 7000,
  });
  assertEquals(parseAddress("[::1]", 7000), { hostname: "::1", port: 7000 });
  assertEquals(parseAddress("10.0.0.2:9", 7000), {
    hostname: "10.0.0.2",
    port: 9,
  });
});

const BAD_PORTS = [
  "192.168.0.5:0",
  "192.168.0.5:65536",
  "192.168.0.5:99999",
  "192.168.0.5:123456",
  "192.168.0.5:abc",
  "192.168.0.5:",
  "192.168.0.5:-1",
  "192.168.0.5:1.5",
  "192.168.0.5:+80",
  "192.168.0.5:8 0",
  "localhost:0x50",
  "[::1]:0",
  "[::1]:65536",
  "[::1]:",
  "[::1]:abc",
  "[::1]:80:90",
  "http://host",
];

for (const text of BAD_PORTS) {
  Deno.test(`parseAddress() rejects the port of ${JSON.stringify(text)}`, () => {
    assertThrows(() => parseAddress(text), RangeError, "Cannot use port");
  });
}

const BAD_HOSTS = [
  // IPv4 look-alikes.
  "256.1.1.1",
  "1.2.3",
  "1.2.3.4.5",
  "1.2.3.1000",
  "1..2.3",
  "999",
  "192.168.0.5.:80",
  // Host names.
  "-host",
  "host-",
  "a..b",
  "under_score",
  "héllo",
  "host name",
  "host/path",
  "host:80:90",
  ":50001",
  // Brackets.
  "[::1",
  "[::1]x",
  "[hello]:80",
  "[192.168.0.5]:80",
  "[]:80",
  "gg::1",
];

for (const text of BAD_HOSTS) {
  Deno.test(`parseAddress() rejects the host of ${JSON.stringify(text)}`, () => {
    assertThrows(() => parseAddress(text), SyntaxError, "Cannot use address");
  });
}

Deno.test("parseAddress() rejects a host name label over 63 characters", () => {
  assertThrows(
    () => parseAddress(`${"a".repeat(64)}.example`),
    SyntaxError,
    "is not a valid host name",
  );
  assertEquals(parseAddress(`${"a".repeat(63)}.example`).port, DEFAULT_PORT);
});

Deno.test("parseAddress() rejects a host name over 253 characters", () => {
  assertThrows(
    () => parseAddress(`${"a.".repeat(127)}ab`),
    SyntaxError,
    "is not a valid host name",
  );
  assertEquals(parseAddress(`${"a.".repeat(126)}a`).port, DEFAULT_PORT);
});

for (const text of ["", "   ", "\t"]) {
  Deno.test(`parseAddress() rejects the empty address ${JSON.stringify(text)}`, () => {
    assertThrows(
      () => parseAddress(text),
      SyntaxError,
      "Cannot use an empty address",
    );
  });
}

Deno.test("parseAddress() tells how to write an IPv6 address with a port", () => {
  assertThrows(
    () => parseAddress("fe80::1::x:80"),
    SyntaxError,
    "[::1]:50001",
  );
});

Deno.test({
  name: "parseAddress() rejects malformed IPv6 addresses",
  fn() {
    for (
      const text of [
        "1:2:3",
        ":::",
        "12345::",
        "1:::2",
        "::1:50001",
        "[1:2:3]:80",
      ]
    ) {
      assertThrows(
        () => parseAddress(text),
        SyntaxError,
        "Cannot use address",
        text,
      );
    }
  },
});

Deno.test("parseAddress() words its errors as Cannot ...: reason", () => {
  for (const text of ["256.1.1.1", "host:0", "", "[::1"]) {
    const error = assertThrows(() => parseAddress(text));
    assertMatch(error.message, /^Cannot .+: \S/);
    assertMatch(error.message, /[^.]$/);
  }
});

for (
  const [text, port] of [["1", 1], ["80", 80], ["50001", 50001], [
    "65535",
    65535,
  ], ["00080", 80]] as const
) {
  Deno.test(`parsePort() reads ${text}`, () => {
    assertEquals(parsePort(text), port);
  });
}

for (
  const text of [
    "0",
    "00000",
    "65536",
    "99999",
    "123456",
    "",
    "abc",
    "-1",
    "1.5",
    "1e3",
    " 80",
    "80 ",
    "+80",
    "0x50",
    "８０",
  ]
) {
  Deno.test(`parsePort() rejects ${JSON.stringify(text)}`, () => {
    assertThrows(() => parsePort(text), RangeError, "Cannot use port");
  });
}

Deno.test("formatAddress() brackets IPv6 addresses only", () => {
  assertEquals(formatAddress("192.168.0.5", 50001), "192.168.0.5:50001");
  assertEquals(formatAddress("example.org", 1), "example.org:1");
  assertEquals(formatAddress("::1", 7000), "[::1]:7000");
  assertEquals(formatAddress("fe80::1%eth0", 5), "[fe80::1%eth0]:5");
});

Deno.test("parseAddress() reads back what formatAddress() writes", () => {
  for (
    const [hostname, port] of [
      ["192.168.0.5", 50001],
      ["example.org", 1],
      ["::1", 7000],
      ["2001:db8::1", 65535],
      ["fe80::1%eth0", 80],
    ] as const
  ) {
    assertEquals(parseAddress(formatAddress(hostname, port)), {
      hostname,
      port,
    });
  }
});
