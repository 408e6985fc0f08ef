// Checks src/store/room_key.ts: a salted hash that verifies the key it was
// made from and no other, differs every time, never holds the key, and
// refuses hashes it cannot read rather than throwing.

import {
  assert,
  assertFalse,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { hashRoomKey, verifyRoomKey } from "../../src/store/room_key.ts";

Deno.test("hashRoomKey() salts: two hashes of one key differ, and both verify it", () => {
  const a = hashRoomKey("open sesame", { cost: 16 });
  const b = hashRoomKey("open sesame", { cost: 16 });
  assertNotEquals(a, b);
  assert(verifyRoomKey("open sesame", a));
  assert(verifyRoomKey("open sesame", b));
  assertFalse(verifyRoomKey("open sesame ", a));
  assertFalse(verifyRoomKey("", a));
  assertFalse(a.includes("sesame"));
});

Deno.test("hashRoomKey() uses cost 4096 by default, written in the hash", () => {
  const hash = hashRoomKey("k");
  assert(hash.startsWith("scrypt$4096$"), hash);
  assert(verifyRoomKey("k", hash));
});

Deno.test("verifyRoomKey() treats a key and its composed form alike", () => {
  const hash = hashRoomKey("caf\u00e9", { cost: 16 });
  assert(verifyRoomKey("cafe\u0301", hash));
});

Deno.test("verifyRoomKey() answers false for hashes it cannot read", () => {
  for (
    const hash of [
      "",
      "plain",
      "scrypt$16$abc",
      "scrypt$15$AAAA$AAAA",
      "scrypt$16$AAAA$AAAA",
      "scrypt$2097152$AAAA$" + "A".repeat(43) + "=",
      "bcrypt$16$AAAA$" + "A".repeat(43) + "=",
      hashRoomKey("k", { cost: 16 }) + "$extra",
    ]
  ) {
    assertFalse(verifyRoomKey("k", hash), hash);
  }
});

Deno.test("hashRoomKey() refuses a cost that is not a power of two", () => {
  for (const cost of [0, 1, 3, 1000, 1.5]) {
    assertThrows(
      () => hashRoomKey("k", { cost }),
      RangeError,
      `Cannot hash a room key: cost must be a power of two above 1, not ${cost}`,
    );
  }
});
