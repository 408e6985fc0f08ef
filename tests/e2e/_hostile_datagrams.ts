/**
 * Sends hostile datagrams at a chat server's discovery ports, for
 * tests/e2e/discovery_test.ts, which runs it on another host (a network
 * namespace): random bytes, valid queries and probes cut short or with
 * bytes changed, a name that compresses into a loop, and a flood of valid
 * queries. Drawn by fast-check from a seed, so a failure can be replayed.
 * Prints how many were sent, in how long, and how many answers came back.
 *
 * Usage: deno run -A tests/e2e/_hostile_datagrams.ts SEED HOST:PORT...
 *
 * @module
 */

import fc from "fast-check";
import { UdpSocket } from "../../src/discovery/udp_socket.ts";
import { encodeDnsMessage } from "../../src/discovery/dns_message.ts";
import {
  browseQuery,
  type ChatService,
  probe,
} from "../../src/discovery/service_records.ts";

const [seed = "1", ...targets] = Deno.args;
const SERVICE: ChatService = {
  instance: "chat on vm",
  host: "vm",
  port: 1,
  txt: { version: 1, name: "x", webPort: null, tls: false },
};
const valid = [
  encodeDnsMessage(browseQuery(3)),
  encodeDnsMessage(probe(SERVICE, ["10.77.0.2"])),
];
const datagram = fc.oneof(
  fc.uint8Array({ maxLength: 1400 }),
  fc.tuple(fc.constantFrom(...valid), fc.nat()).map(([bytes, cut]) =>
    bytes.subarray(0, cut % bytes.length)
  ),
  fc.tuple(
    fc.constantFrom(...valid),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 6,
    }),
  ).map(([bytes, flips]) => {
    const changed = bytes.slice();
    for (const [at, value] of flips) changed[at % changed.length] = value;
    return changed;
  }),
);
const packets = [
  ...fc.sample(datagram, { numRuns: 400, seed: Number(seed) }),
  new Uint8Array([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 12, 0, 1]),
  // A flood of valid queries: the answers are paced, not one for each.
  ...Array.from({ length: 200 }, () => valid[0]!),
];
let answers = 0;
const started = Date.now();
const socket = await UdpSocket.open({ onMessage: () => answers++ });
let sent = 0;
for (const packet of packets) {
  for (const target of targets) {
    const at = target.lastIndexOf(":");
    const ok = await socket.send(packet, {
      address: target.slice(0, at),
      port: Number(target.slice(at + 1)),
    });
    if (ok) sent++;
  }
}
// Answers still on their way.
await new Promise((resolve) => setTimeout(resolve, 300));
await socket.close();
console.log(
  `sent ${sent} datagrams in ${Date.now() - started} ms, ${answers} answers`,
);
