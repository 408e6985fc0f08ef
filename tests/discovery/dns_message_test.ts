// How src/discovery/dns_message.ts checks what `dns-packet` decoded (as
// `multicast-dns` hands it over): questions and records of a shape
// discovery does not know are left out one by one, the rest of the message
// kept; what is no message at all is refused with a SyntaxError.

import { assertEquals, assertThrows } from "@std/assert";
import type { Packet } from "dns-packet";
import {
  decodeDnsMessage,
  encodeDnsMessage,
  readDnsMessage,
} from "../../src/discovery/dns_message.ts";

/** A decoded packet as the network may send it, checked by nothing. */
function read(value: unknown) {
  return readDnsMessage(value as Packet);
}

const PTR = {
  name: "_chat._tcp.local",
  type: "PTR",
  class: "IN",
  ttl: 120,
  data: "chat on box._chat._tcp.local",
};

Deno.test("readDnsMessage() refuses what is neither a query nor a response", () => {
  for (const value of [null, 7, "query", {}, { type: "update" }]) {
    assertThrows(
      () => read(value),
      SyntaxError,
      "Cannot read the DNS message: it is neither a query nor a response",
    );
  }
});

Deno.test("readDnsMessage() leaves out questions of an unknown shape and keeps the rest", () => {
  const message = read({
    type: "query",
    id: "not a number",
    questions: [
      null,
      "_chat._tcp.local",
      { name: 7, type: "PTR", class: "IN" },
      { name: "_chat._tcp.local", type: 12, class: "IN" },
      { name: "x".repeat(1025), type: "PTR", class: "IN" },
      { name: "_chat._tcp.local", type: "PTR", class: "CH" },
      { name: "_chat._tcp.local", type: "PTR", class: "UNKNOWN_32769" },
      { name: "box.local", type: "ANY", class: "ANY" },
    ],
    answers: "not a list",
  });
  assertEquals(message, {
    id: 0,
    kind: "query",
    questions: [
      { name: "_chat._tcp.local", type: "PTR", unicast: true },
      { name: "box.local", type: "ANY", unicast: false },
    ],
    answers: [],
    authorities: [],
    additionals: [],
  });
});

Deno.test("readDnsMessage() leaves out records of an unknown shape and keeps the rest", () => {
  const message = read({
    type: "response",
    id: 3,
    answers: [
      null,
      { ...PTR, class: "CH" },
      { ...PTR, data: 7 },
      { ...PTR, type: "CNAME" },
      { ...PTR, type: "A", data: [10, 0, 0, 1] },
      { ...PTR, type: "SRV", data: null },
      { ...PTR, type: "SRV", data: "box.local:50001" },
      { ...PTR, type: "SRV", data: { target: "box.local", port: "50001" } },
      { ...PTR, type: "TXT", data: [new Uint8Array([0x61]), 7] },
      { ...PTR, ttl: "long", flush: "yes" },
    ],
    authorities: [
      { ...PTR, type: "TXT", data: "version=1" },
      { ...PTR, type: "TXT", data: [new TextEncoder().encode("people=2")] },
    ],
    additionals: [
      { ...PTR, type: "SRV", data: { target: "box.local", port: 50001 } },
      { ...PTR, type: "AAAA", data: "fd00::1", flush: true },
    ],
  });
  assertEquals(message.answers, [
    { name: PTR.name, type: "PTR", ttl: 0, flush: false, data: PTR.data },
  ]);
  const base = { name: PTR.name, ttl: 120, flush: false };
  assertEquals(message.authorities, [
    { ...base, type: "TXT", data: ["version=1"] },
    { ...base, type: "TXT", data: ["people=2"] },
  ]);
  assertEquals(message.additionals, [
    { ...base, type: "SRV", data: { target: "box.local", port: 50001 } },
    { ...base, type: "AAAA", data: "fd00::1", flush: true },
  ]);
});

Deno.test("decodeDnsMessage() reads back what encodeDnsMessage() wrote, and refuses bytes cut short", () => {
  const response = {
    id: 0,
    kind: "response" as const,
    questions: [],
    answers: [{ ...PTR, type: "PTR" as const, flush: false }],
    authorities: [],
    additionals: [{
      name: "box.local",
      type: "A" as const,
      ttl: 120,
      flush: true,
      data: "10.77.0.1",
    }],
  };
  const { class: _class, ...ptr } = PTR;
  const bytes = encodeDnsMessage(response);
  assertEquals(decodeDnsMessage(bytes), {
    ...response,
    answers: [{ ...ptr, type: "PTR", flush: false }],
  });
  assertThrows(
    () => decodeDnsMessage(bytes.subarray(0, 20)),
    SyntaxError,
    "Cannot read the DNS message: ",
  );
});
