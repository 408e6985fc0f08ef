// Checks src/outbox.ts: lines pushed together go out in one write, partial
// writes are completed in order, the byte bound refuses without queueing,
// drained() resolves when everything is out, and a failing write is reported
// once and stops the outbox.

import { assert, assertEquals, assertFalse } from "@std/assert";
import {
  DEFAULT_OUTBOX_BYTES,
  Outbox,
  type WriteFn,
} from "../../src/transport/outbox.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A write function that records what it was given and writes it all. */
function recorder(): { write: WriteFn; writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    write: (bytes) => {
      writes.push(decoder.decode(bytes));
      return Promise.resolve(bytes.length);
    },
  };
}

/** A write function whose writes finish only when the test says so. */
function gate(): {
  write: WriteFn;
  writes: string[];
  finish: () => void;
} {
  const writes: string[] = [];
  const pending: (() => void)[] = [];
  return {
    writes,
    write: (bytes) => {
      writes.push(decoder.decode(bytes));
      return new Promise((resolve) =>
        pending.push(() => resolve(bytes.length))
      );
    },
    finish: () => {
      for (const resolve of pending.splice(0)) resolve();
    },
  };
}

/** Lets queued microtasks and promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

Deno.test("Outbox coalesces lines pushed together into one write", async () => {
  const { write, writes } = recorder();
  const outbox = new Outbox(write);
  assert(outbox.push(encoder.encode("a\n")));
  assert(outbox.push(encoder.encode("b\n")));
  assert(outbox.push(encoder.encode("c\n")));
  assertEquals(writes, [], "nothing is written synchronously");
  assertEquals(outbox.queuedBytes, 6);
  await outbox.drained();
  assertEquals(writes, ["a\nb\nc\n"]);
  assertEquals(outbox.queuedBytes, 0);
});

Deno.test("Outbox sends lines pushed during a write together in the next write", async () => {
  const { write, writes, finish } = gate();
  const outbox = new Outbox(write);
  outbox.push(encoder.encode("first\n"));
  await settle();
  assertEquals(writes, ["first\n"]);
  outbox.push(encoder.encode("second\n"));
  outbox.push(encoder.encode("third\n"));
  outbox.push(encoder.encode("fourth\n"));
  await settle();
  assertEquals(writes.length, 1, "no second write while one is in flight");
  finish();
  await settle();
  assertEquals(writes, ["first\n", "second\nthird\nfourth\n"]);
  finish();
  await outbox.drained();
});

Deno.test("Outbox completes partial writes in order", async () => {
  const calls: string[] = [];
  const outbox = new Outbox((bytes) => {
    const n = Math.min(3, bytes.length);
    calls.push(decoder.decode(bytes.subarray(0, n)));
    return Promise.resolve(n);
  });
  const text = "hello world\nsecond line\n";
  outbox.push(encoder.encode("hello world\n"));
  outbox.push(encoder.encode("second line\n"));
  await outbox.drained();
  assertEquals(calls.join(""), text);
  assertEquals(calls.length, Math.ceil(text.length / 3));
});

Deno.test("Outbox completes writes of one byte at a time, multi-byte text included", async () => {
  const written: number[] = [];
  const outbox = new Outbox((bytes) => {
    written.push(bytes[0]!);
    return Promise.resolve(1);
  });
  const line = encoder.encode("olá 👋🏽 日本\n");
  outbox.push(line);
  await outbox.drained();
  assertEquals(new Uint8Array(written), line);
});

Deno.test("Outbox keeps the order of lines across partial writes and new pushes", async () => {
  let written = "";
  const outbox = new Outbox(async (bytes) => {
    await Promise.resolve();
    const n = Math.max(1, bytes.length >> 1);
    written += decoder.decode(bytes.subarray(0, n));
    return n;
  });
  const expected: string[] = [];
  for (let i = 0; i < 50; i++) {
    const line = `line ${i}\n`;
    expected.push(line);
    outbox.push(encoder.encode(line));
    if (i % 7 === 0) await settle();
  }
  await outbox.drained();
  assertEquals(written, expected.join(""));
});

Deno.test("Outbox refuses a push beyond maxBytes and queues nothing of it", async () => {
  const { write, writes } = recorder();
  const outbox = new Outbox(write, { maxBytes: 10 });
  assert(outbox.push(encoder.encode("123456")));
  assertFalse(outbox.push(encoder.encode("78901")));
  assertEquals(outbox.queuedBytes, 6);
  assert(outbox.push(encoder.encode("7890")), "exactly at the bound is fine");
  assertEquals(outbox.queuedBytes, 10);
  assertFalse(outbox.push(encoder.encode("x")));
  await outbox.drained();
  assertEquals(writes, ["1234567890"]);
});

Deno.test("Outbox refuses a single push larger than maxBytes", async () => {
  const { write, writes } = recorder();
  const outbox = new Outbox(write, { maxBytes: 4 });
  assertFalse(outbox.push(encoder.encode("too long")));
  assertEquals(outbox.queuedBytes, 0);
  await outbox.drained();
  assertEquals(writes, []);
});

Deno.test("Outbox bounds a stuck peer's queue", async () => {
  const { write, writes, finish } = gate();
  const outbox = new Outbox(write, { maxBytes: 100 });
  const line = encoder.encode("x".repeat(9) + "\n");
  let accepted = 0;
  for (let i = 0; i < 1000; i++) {
    if (outbox.push(line)) accepted++;
    if (i === 0) await settle(); // the first write is now stuck
  }
  assert(outbox.queuedBytes <= 100);
  // One line in the stuck write plus a full queue behind it.
  assertEquals(accepted, 11);
  finish();
  await settle();
  finish();
  await outbox.drained();
  assertEquals(writes.join("").length, 110);
});

Deno.test("Outbox has a default bound of 256 KiB", async () => {
  const { write } = recorder();
  const outbox = new Outbox(write);
  assertEquals(DEFAULT_OUTBOX_BYTES, 262_144);
  assert(outbox.push(new Uint8Array(DEFAULT_OUTBOX_BYTES)));
  assertFalse(outbox.push(new Uint8Array(1)));
  await outbox.drained();
});

Deno.test("Outbox.drained() resolves at once when nothing is queued", async () => {
  const { write, writes } = recorder();
  const outbox = new Outbox(write);
  await outbox.drained();
  assertEquals(writes, []);
});

Deno.test("Outbox.drained() waits for writes in flight", async () => {
  const { write, finish } = gate();
  const outbox = new Outbox(write);
  outbox.push(encoder.encode("a\n"));
  let done = false;
  const drained = outbox.drained().then(() => done = true);
  await settle();
  assertFalse(done);
  finish();
  await drained;
  assert(done);
  assertEquals(outbox.queuedBytes, 0);
});

Deno.test("Outbox.drained() resolves every waiter, once the write is done", async () => {
  const { write, writes, finish } = gate();
  const outbox = new Outbox(write);
  outbox.push(encoder.encode("a\n"));
  const resolved: number[] = [];
  const waiters = [0, 1, 2].map((i) =>
    outbox.drained().then(() => resolved.push(i))
  );
  await settle();
  assertEquals(writes, ["a\n"]);
  assertEquals(resolved, [], "none before the write has finished");
  finish();
  await Promise.all(waiters);
  assertEquals(resolved.sort(), [0, 1, 2]);
  assertEquals(outbox.queuedBytes, 0);
});

Deno.test("Outbox calls onError once when a write fails and ignores later pushes", async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const failure = new Error("broken pipe");
  const outbox = new Outbox(() => {
    calls++;
    return Promise.reject(failure);
  }, { onError: (error) => errors.push(error) });
  outbox.push(encoder.encode("a\n"));
  outbox.push(encoder.encode("b\n"));
  await outbox.drained();
  assertEquals(errors, [failure]);
  assertEquals(calls, 1);
  assertEquals(outbox.queuedBytes, 0);
  assert(outbox.push(encoder.encode("c\n")), "later pushes are accepted");
  assertEquals(outbox.queuedBytes, 0, "and dropped");
  await settle();
  await outbox.drained();
  assertEquals(calls, 1);
  assertEquals(errors.length, 1);
});

Deno.test("Outbox reports a write that throws synchronously", async () => {
  const errors: unknown[] = [];
  const outbox = new Outbox(() => {
    throw new Deno.errors.BrokenPipe("gone");
  }, { onError: (error) => errors.push(error) });
  outbox.push(encoder.encode("a\n"));
  await outbox.drained();
  assertEquals(errors.length, 1);
  assert(errors[0] instanceof Deno.errors.BrokenPipe);
});

Deno.test("Outbox drops what was queued behind a failed write", async () => {
  const errors: unknown[] = [];
  let calls = 0;
  let fail: (error: Error) => void = () => {};
  const outbox = new Outbox(() => {
    calls++;
    return new Promise((_, reject) => fail = reject);
  }, { onError: (error) => errors.push(error) });
  outbox.push(encoder.encode("a\n"));
  await settle();
  outbox.push(encoder.encode("b\n"));
  assertEquals(outbox.queuedBytes, 2);
  fail(new Error("reset"));
  await outbox.drained();
  assertEquals(calls, 1);
  assertEquals(errors.length, 1);
  assertEquals(outbox.queuedBytes, 0);
});

Deno.test("Outbox without an onError handler stops quietly when a write fails", async () => {
  let calls = 0;
  const outbox = new Outbox(() => {
    calls++;
    return Promise.reject(new Error("x"));
  });
  outbox.push(encoder.encode("a\n"));
  outbox.push(encoder.encode("b\n"));
  // No unhandled rejection (the test would fail), and nothing left queued.
  await outbox.drained();
  assertEquals(calls, 1);
  assertEquals(outbox.queuedBytes, 0);
  assert(outbox.push(encoder.encode("c\n")), "later pushes are accepted");
  await settle();
  await outbox.drained();
  assertEquals(calls, 1, "and never written");
  assertEquals(outbox.queuedBytes, 0);
});

Deno.test("Outbox calls beforeWrite right before every write, lines queued meanwhile included", async () => {
  const events: string[] = [];
  let release: () => void = () => {};
  const outbox = new Outbox(async (bytes) => {
    events.push(`write ${new TextDecoder().decode(bytes).trim()}`);
    if (events.length === 2) {
      await new Promise<void>((resolve) => release = resolve);
    }
    return bytes.length;
  }, { beforeWrite: () => events.push("commit") });
  const line = (text: string) => new TextEncoder().encode(`${text}\n`);
  outbox.push(line("a"));
  await new Promise((resolve) => setTimeout(resolve, 0));
  // The first write is in flight: these wait for the next one.
  outbox.push(line("b"));
  outbox.push(line("c"));
  release();
  await outbox.drained();
  assertEquals(events, ["commit", "write a", "commit", "write b\nc"]);
});
