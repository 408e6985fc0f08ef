// Checks src/token_bucket.ts: a full bucket allows a burst, refills at its
// rate, never holds more than its burst, and shrugs off a clock that goes
// backwards.

import { assertEquals } from "@std/assert";
import { TokenBucket } from "../../src/protocol/token_bucket.ts";

/** How many of `count` takes at time `now` succeed. */
function takes(bucket: TokenBucket, count: number, now: number): number {
  let taken = 0;
  for (let i = 0; i < count; i++) if (bucket.take(now)) taken++;
  return taken;
}

Deno.test("TokenBucket allows a full burst at once, then refuses", () => {
  const bucket = new TokenBucket({ rate: 5, burst: 20 }, 0);
  assertEquals(takes(bucket, 20, 0), 20);
  assertEquals(bucket.take(0), false);
  assertEquals(bucket.take(0), false);
});

Deno.test("TokenBucket refills at its rate", () => {
  const bucket = new TokenBucket({ rate: 5, burst: 20 }, 0);
  takes(bucket, 20, 0);
  assertEquals(bucket.take(199), false, "under one token after 199 ms");
  assertEquals(bucket.take(200), true, "one token after 200 ms");
  assertEquals(bucket.take(200), false);
  assertEquals(takes(bucket, 10, 1200), 5, "five tokens a second");
});

Deno.test("TokenBucket keeps fractions of a token between takes", () => {
  const bucket = new TokenBucket({ rate: 1, burst: 1 }, 0);
  assertEquals(bucket.take(0), true);
  // Steps of 125 ms add exact binary fractions (1/8 of a token); steps of
  // 100 ms would add 0.1, and ten of those sum to 0.9999999999999999.
  for (let t = 125; t < 1000; t += 125) {
    assertEquals(bucket.take(t), false, `at ${t} ms`);
  }
  assertEquals(bucket.take(1000), true);
});

Deno.test("TokenBucket holds no more than its burst however long it waits", () => {
  const bucket = new TokenBucket({ rate: 5, burst: 20 }, 0);
  takes(bucket, 20, 0);
  assertEquals(takes(bucket, 100, 3_600_000), 20);
  assertEquals(bucket.take(3_600_000), false);
});

Deno.test("TokenBucket starts full", () => {
  const bucket = new TokenBucket({ rate: 0.5, burst: 3 }, 1_700_000_000_000);
  assertEquals(takes(bucket, 5, 1_700_000_000_000), 3);
});

Deno.test("TokenBucket sustains its rate after the burst", () => {
  const bucket = new TokenBucket({ rate: 5, burst: 20 }, 0);
  let taken = 0;
  // 100 attempts a second for 10 seconds.
  for (let t = 0; t < 10_000; t += 10) if (bucket.take(t)) taken++;
  assertEquals(taken, 20 + 49);
});

Deno.test("TokenBucket grants nothing when the clock goes backwards", () => {
  const bucket = new TokenBucket({ rate: 5, burst: 20 }, 10_000);
  takes(bucket, 20, 10_000);
  assertEquals(bucket.take(0), false);
  assertEquals(bucket.take(-5_000), false);
  assertEquals(bucket.take(Number.MIN_SAFE_INTEGER), false);
});

Deno.test("TokenBucket keeps its tokens when the clock goes backwards", () => {
  const bucket = new TokenBucket({ rate: 5, burst: 20 }, 10_000);
  takes(bucket, 10, 10_000);
  assertEquals(takes(bucket, 20, 0), 10);
});

Deno.test("TokenBucket refills from the new time after the clock went backwards", () => {
  const bucket = new TokenBucket({ rate: 1, burst: 5 }, 10_000);
  takes(bucket, 5, 10_000);
  assertEquals(bucket.take(0), false);
  assertEquals(bucket.take(999), false);
  assertEquals(bucket.take(1000), true);
  assertEquals(bucket.take(1000), false);
});
