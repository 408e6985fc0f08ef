// Checks src/hub/name_index.ts: a name is taken when it looks like one that
// another holder has, in any case, and is free again once released.

import { assert, assertEquals, assertFalse } from "@std/assert";
import { NameIndex } from "../../src/hub/name_index.ts";

Deno.test("NameIndex takes a name's look-alikes, in any case", () => {
  const names = new NameIndex<string>();
  names.claim("bob", "b");
  for (const name of ["bob", "BOB", "\u0299\u1d0f\u0299", "b\u043eb"]) {
    assert(names.taken(name, null), name);
  }
  assertFalse(names.taken("rob", null));
});

Deno.test("NameIndex does not count a holder's own name against it", () => {
  const names = new NameIndex<string>();
  names.claim("poe", "p");
  assertFalse(names.taken("POE", "p"));
  assert(names.taken("POE", "someone else"));
});

Deno.test("NameIndex.holder() finds who holds a look-alike of a name", () => {
  const names = new NameIndex<string>();
  names.claim("paypal", "p");
  names.claim("ana", "a");
  assertEquals(names.holder("PAYPAL"), "p");
  assertEquals(names.holder("paypaI"), "p");
  assertEquals(names.holder("\u0430na"), "a");
  assertEquals(names.holder("zed"), undefined);
});

Deno.test("NameIndex.release() frees every key of a name, and only the holder's", () => {
  const names = new NameIndex<string>();
  names.claim("BILL", "b"); // two keys: bill, and blll as written
  names.release("BILL", "someone else");
  assert(names.taken("bill", null));
  names.release("BILL", "b");
  assertFalse(names.taken("bill", null));
  assertFalse(names.taken("blll", null));
  assertEquals(names.holder("BILL"), undefined);
});
