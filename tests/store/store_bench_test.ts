// Checks that `deno task bench:store` (tests/bench/store_bench.ts) runs in
// a small configuration and reports every run: each write run stored its
// lines, every read returned, and the tables name them. Timings are never
// asserted; the bench measures them, tests do not.

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { formatStoreBench, runStoreBench } from "../bench/store_bench.ts";

Deno.test("the store bench writes and reads a small history, in NORMAL and FULL", async () => {
  const result = await runStoreBench({ lines: 300 });
  assertEquals(
    result.writes.map((run) => `${run.synchronous} ${run.tick}`),
    [1, 10, 100, 1000, 5000].flatMap((tick) => [`normal ${tick}`]).concat(
      [1, 10, 100, 1000, 5000].map((tick) => `full ${tick}`),
    ),
  );
  for (const run of result.writes) {
    assertEquals(run.lines, 300);
    assert(run.perSecond > 0);
    assert(run.commitMs.max >= run.commitMs.p50);
  }
  assertEquals(result.reads.length, 8);
  assertEquals(result.reads.at(-1)!.rows, 300);
  assert(result.databaseBytes > 0);
  const text = formatStoreBench(result);
  assertStringIncludes(text, "#### Sustained writes");
  assertStringIncludes(text, "| FULL | 5000 | 300 |");
});
