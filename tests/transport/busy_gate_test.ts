// Checks src/transport/busy_gate.ts and the outbox's use of it: while the
// gate is on, eager pushes wait for its batcher and go out together, in
// order; off (or turned off), they are written at once as before.

import { assert, assertEquals, assertFalse } from "@std/assert";
import { BusyGate } from "../../src/transport/busy_gate.ts";
import { Outbox } from "../../src/transport/outbox.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function recordingOutbox(busy: BusyGate) {
  const written: string[] = [];
  let wrote: () => void = () => {};
  const outbox = new Outbox((bytes) => {
    written.push(decoder.decode(bytes));
    wrote();
    return Promise.resolve(bytes.length);
  }, { busy });
  const nextWrite = () => new Promise<void>((resolve) => wrote = resolve);
  return { outbox, written, nextWrite };
}

Deno.test("BusyGate turns on at its threshold and off only below the lower one", () => {
  const gate = new BusyGate({ onAt: 0.8, offAt: 0.5 });
  assertFalse(gate.on);
  gate.update(0.79);
  assertFalse(gate.on);
  gate.update(0.8);
  assert(gate.on);
  gate.update(0.6);
  assert(gate.on);
  gate.update(0.49);
  assertFalse(gate.on);
});

Deno.test("an outbox writes at once while the gate is off", async () => {
  const gate = new BusyGate({ delayMs: 10_000 });
  const { outbox, written, nextWrite } = recordingOutbox(gate);
  const wrote = nextWrite();
  outbox.push(encoder.encode("a\n"));
  await wrote;
  assertEquals(written, ["a\n"]);
  await outbox.drained();
});

Deno.test("while busy, pushes of many outboxes wait for the gate's batcher and go out in one write each, in order", async () => {
  const gate = new BusyGate({ delayMs: 5 });
  gate.update(1);
  const one = recordingOutbox(gate);
  const two = recordingOutbox(gate);
  const wrote = Promise.all([one.nextWrite(), two.nextWrite()]);
  for (const line of ["a\n", "b\n", "c\n"]) {
    one.outbox.push(encoder.encode(line));
    two.outbox.push(encoder.encode(line.toUpperCase()));
  }
  // Nothing yet on the next microtask: the lines wait.
  await Promise.resolve();
  assertEquals(one.written, []);
  await wrote;
  assertEquals(one.written, ["a\nb\nc\n"]);
  assertEquals(two.written, ["A\nB\nC\n"]);
  await one.outbox.drained();
  await two.outbox.drained();
});

Deno.test("turning the gate off sends what waits at once", async () => {
  const gate = new BusyGate({ delayMs: 60_000 });
  gate.update(1);
  const { outbox, written, nextWrite } = recordingOutbox(gate);
  const wrote = nextWrite();
  outbox.push(encoder.encode("held\n"));
  await Promise.resolve();
  assertEquals(written, []);
  gate.update(0);
  await wrote;
  assertEquals(written, ["held\n"]);
  await outbox.drained();
});
