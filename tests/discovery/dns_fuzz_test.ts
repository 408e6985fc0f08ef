// Fuzzes what a server and a browser do with a datagram from the network
// (src/discovery/dns_message.ts, service_records.ts): random bytes, valid
// messages cut short or with bytes flipped, and valid shapes with hostile
// values. Reading one either gives a message or throws a SyntaxError, and
// answering it, reading servers from it or checking it for conflicts never
// throws. The same packets sent to a running server are in
// tests/e2e/discovery_test.ts.

import { assert } from "@std/assert";
import fc from "fast-check";
import {
  decodeDnsMessage,
  type DnsMessage,
  encodeDnsMessage,
} from "../../src/discovery/dns_message.ts";
import {
  announcement,
  answerQuery,
  browseQuery,
  type ChatService,
  conflicts,
  probe,
  readServers,
} from "../../src/discovery/service_records.ts";

const SERVICE: ChatService = {
  instance: "chat on box",
  host: "box",
  port: 50001,
  txt: { version: 1, name: "chat on box", webPort: 50002, tls: false },
};

/** Everything a server or a browser does with a datagram. */
function handle(bytes: Uint8Array): void {
  let message: DnsMessage;
  try {
    message = decodeDnsMessage(bytes);
  } catch (error) {
    assert(error instanceof SyntaxError, String(error));
    return;
  }
  for (const legacy of [false, true]) {
    const answer = answerQuery(message, SERVICE, ["10.77.0.1"], { legacy });
    if (answer !== null) encodeDnsMessage(answer);
  }
  readServers(message, "10.77.0.2");
  conflicts(message, SERVICE, ["10.77.0.1"]);
}

const VALID = [
  encodeDnsMessage(browseQuery(7)),
  encodeDnsMessage(announcement(SERVICE, ["10.77.0.1", "fd00::1"])),
  encodeDnsMessage(probe(SERVICE, ["10.77.0.1"])),
  encodeDnsMessage(
    answerQuery(browseQuery(9), SERVICE, ["10.77.0.1"], { legacy: true })!,
  ),
];

Deno.test("a random datagram is read or refused with a SyntaxError, and never breaks an answer", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => handle(bytes)),
    { numRuns: 3000 },
  );
});

Deno.test("a valid message cut short, or with bytes changed, is read or refused, never thrown on", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...VALID),
      fc.nat(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        maxLength: 8,
      }),
      (valid, cut, flips) => {
        handle(valid.subarray(0, cut % (valid.length + 1)));
        const changed = valid.slice();
        for (const [at, value] of flips) changed[at % changed.length] = value;
        handle(changed);
      },
    ),
    { numRuns: 3000 },
  );
});

Deno.test("a message that name-compresses into a loop is refused", () => {
  // A header with one question whose name is a pointer to itself.
  const loop = new Uint8Array([
    0,
    0,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0xc0,
    12,
    0,
    12,
    0,
    1,
  ]);
  handle(loop);
});

Deno.test("well-formed messages with hostile names and values are answered or ignored, never thrown on", () => {
  const name = fc.oneof(
    fc.constantFrom(
      "_chat._tcp.local",
      "chat on box._chat._tcp.local",
      "box.local",
      "_services._dns-sd._udp.local",
    ),
    fc.string({ maxLength: 40 }).filter((s) =>
      s.split(".").every((label) => label.length > 0 && label.length < 60)
    ),
  );
  const type = fc.constantFrom("PTR", "SRV", "TXT", "A", "AAAA", "ANY");
  const record = fc.oneof(
    fc.record({ name, type: fc.constant("PTR" as const), data: name }),
    fc.record({
      name,
      type: fc.constant("SRV" as const),
      data: fc.record({
        target: name,
        port: fc.integer({ min: 0, max: 65535 }),
      }),
    }),
    fc.record({
      name,
      type: fc.constant("TXT" as const),
      data: fc.array(fc.string({ maxLength: 50 }), { maxLength: 5 }),
    }),
    fc.record({ name, type: fc.constant("A" as const), data: fc.ipV4() }),
  ).map((r) => ({ ...r, ttl: 120, flush: false }));
  fc.assert(
    fc.property(
      fc.constantFrom("query" as const, "response" as const),
      fc.array(fc.record({ name, type, unicast: fc.boolean() }), {
        maxLength: 4,
      }),
      fc.array(record, { maxLength: 6 }),
      fc.array(record, { maxLength: 6 }),
      (kind, questions, answers, additionals) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeDnsMessage({
            id: 1,
            kind,
            questions,
            answers,
            authorities: answers,
            additionals,
          });
        } catch {
          return; // a shape dns-packet cannot encode: nobody can send it
        }
        handle(bytes);
      },
    ),
    { numRuns: 1000 },
  );
});
