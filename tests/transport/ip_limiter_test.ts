// Checks src/transport/ip_limiter.ts: connections are counted per address,
// one past the limit is refused without being counted, a release frees a
// slot, and 0 means no limit.

import { assertEquals, assertThrows } from "@std/assert";
import { IpLimiter } from "../../src/transport/ip_limiter.ts";

Deno.test("IpLimiter refuses a connection past the limit and does not count it", () => {
  const limiter = new IpLimiter(2);
  assertEquals(limiter.acquire("10.0.0.7"), true);
  assertEquals(limiter.acquire("10.0.0.7"), true);
  assertEquals(limiter.acquire("10.0.0.7"), false);
  assertEquals(limiter.acquire("10.0.0.7"), false);
  assertEquals(limiter.count("10.0.0.7"), 2);
});

Deno.test("IpLimiter counts each address on its own", () => {
  const limiter = new IpLimiter(1);
  assertEquals(limiter.acquire("10.0.0.7"), true);
  assertEquals(limiter.acquire("10.0.0.8"), true);
  assertEquals(limiter.acquire("::1"), true);
  assertEquals(limiter.acquire("10.0.0.7"), false);
  assertEquals(limiter.addresses, 3);
});

Deno.test("IpLimiter takes a connection again once one is released", () => {
  const limiter = new IpLimiter(1);
  assertEquals(limiter.acquire("10.0.0.7"), true);
  limiter.release("10.0.0.7");
  assertEquals(limiter.count("10.0.0.7"), 0);
  assertEquals(limiter.addresses, 0, "an address with none open is forgotten");
  assertEquals(limiter.acquire("10.0.0.7"), true);
});

Deno.test("IpLimiter ignores a release for an address with none open", () => {
  const limiter = new IpLimiter(1);
  limiter.release("10.0.0.7");
  assertEquals(limiter.count("10.0.0.7"), 0);
  assertEquals(limiter.acquire("10.0.0.7"), true);
  assertEquals(limiter.acquire("10.0.0.7"), false);
});

Deno.test("IpLimiter with 0 takes every connection", () => {
  const limiter = new IpLimiter(0);
  for (let i = 0; i < 1000; i++) {
    assertEquals(limiter.acquire("10.0.0.7"), true);
  }
  assertEquals(limiter.count("10.0.0.7"), 1000);
});

Deno.test("IpLimiter refuses a limit that is not a whole number of at least 0", () => {
  for (const max of [-1, 1.5, Number.NaN, Infinity]) {
    assertThrows(
      () => new IpLimiter(max),
      RangeError,
      "Cannot limit connections per address",
    );
  }
});
