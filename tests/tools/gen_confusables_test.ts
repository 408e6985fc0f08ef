// Checks src/tools/gen_confusables.ts: the committed table is exactly what
// the generator makes from the pinned Unicode data, so it was not edited by
// hand and the generator still works.

import { assertEquals } from "@std/assert";
import {
  generate,
  OUTPUT,
  reachableTable,
  smallCapitals,
} from "../../src/tools/gen_confusables.ts";

Deno.test("src/protocol/confusables.ts is what deno task gen:confusables writes", async () => {
  const committed = await Deno.readTextFile(
    new URL(`../../${OUTPUT}`, import.meta.url),
  );
  assertEquals(committed, await generate());
});

Deno.test("smallCapitals() maps the small capitals UTS #39 leaves alone to their letters", () => {
  const names = new Map([
    [0x0299, "LATIN LETTER SMALL CAPITAL B"],
    [0x1d0f, "LATIN LETTER SMALL CAPITAL O"],
    [0x1d01, "LATIN LETTER SMALL CAPITAL AE"],
    [0x0062, "LATIN SMALL LETTER B"],
  ]);
  assertEquals(
    smallCapitals(names, { "\u1d0f": "o" }),
    new Map([["\u0299", "b"]]),
  );
});

Deno.test("reachableTable() keeps name characters NFKC and NFD leave alone, and resolves chains", () => {
  const table = reachableTable(
    {
      "\u0430": "a", // Cyrillic а
      "\u1d29": "\u1d18", // small capital rho → small capital P
      "!": "\u01c3", // not in names
      "\u{1d41a}": "a", // mathematical a: NFKC makes it a
      "\u00e9": "e", // NFD decomposes it
    },
    new Map([["\u1d18", "p"]]),
  );
  assertEquals(
    table,
    new Map([["\u0430", "a"], ["\u1d18", "p"], ["\u1d29", "p"]]),
  );
});
