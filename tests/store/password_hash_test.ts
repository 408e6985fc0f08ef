import { assert, assertFalse, assertMatch, assertRejects } from "@std/assert";
import fc from "fast-check";
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  verifyPassword,
} from "../../src/store/password_hash.ts";

const CHEAP = { cost: 1024 };

Deno.test("hashPassword() salts: the same password hashes differently, and each hash verifies it", async () => {
  const one = await hashPassword("hunter2", CHEAP);
  const two = await hashPassword("hunter2", CHEAP);
  assert(one !== two);
  assertMatch(
    one,
    /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/,
  );
  assert(await verifyPassword("hunter2", one));
  assert(await verifyPassword("hunter2", two));
  assertFalse(await verifyPassword("hunter3", one));
  assertFalse(await verifyPassword("hunter2 ", one));
});

Deno.test("hashPassword() is memory-hard by default: N = 32768, r = 8 (32 MiB)", async () => {
  const started = performance.now();
  const hash = await hashPassword("correct horse battery staple");
  assertMatch(hash, /^scrypt\$32768\$8\$1\$/);
  assert(await verifyPassword("correct horse battery staple", hash));
  console.log(
    `one default hash and check: ${Math.round(performance.now() - started)} ms`,
  );
});

Deno.test("hashPassword() reads the password as NFC: a composed and a decomposed é are one password", async () => {
  const hash = await hashPassword("caf\u00e9", CHEAP);
  assert(await verifyPassword("cafe\u0301", hash));
});

Deno.test("hashPassword() refuses an empty or overlong password, and a cost that is not a power of two", async () => {
  await assertRejects(() => hashPassword("", CHEAP), RangeError);
  await assertRejects(
    () => hashPassword("x".repeat(MAX_PASSWORD_LENGTH + 1), CHEAP),
    RangeError,
  );
  for (const cost of [0, 1, 1000, 1 << 18, NaN]) {
    await assertRejects(() => hashPassword("pw", { cost }), RangeError);
  }
});

Deno.test("verifyPassword() says false, never throws, for hashes it did not write (fuzzed)", async () => {
  const good = await hashPassword("pw", CHEAP);
  for (
    const hash of [
      "",
      "scrypt",
      good.replace("scrypt", "bcrypt"),
      good.replace("$1024$", "$1000$"),
      good.replace("$1024$", `$${1 << 20}$`),
      good.replace("$8$", "$16$"),
      good.slice(0, -4),
      good + "$extra",
    ]
  ) {
    assertFalse(await verifyPassword("pw", hash), hash);
  }
  assertFalse(await verifyPassword("x".repeat(MAX_PASSWORD_LENGTH + 1), good));
  await fc.assert(
    fc.asyncProperty(fc.string(), fc.string(), async (password, hash) => {
      assertFalse(await verifyPassword(password, hash));
    }),
    { numRuns: 300 },
  );
});
